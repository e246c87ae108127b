"""Fixtures for the app shell: a headless App on a fake printer (tests/app_helpers.py)."""
from app_helpers import make_app, printer  # noqa: F401  (fixtures)
