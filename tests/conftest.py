"""Shared fixtures. Everything runs headless, on mock pins, with fake printers."""
import os

# Before pygame or escpos are imported anywhere.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "config" / "demo.toml"


@pytest.fixture
def demo_config(tmp_path):
    """The demo config with its database in a temporary folder."""
    from kiosk.core import config

    return config.load_demo(database=tmp_path / "kiosk.db")


# `./dev test` runs the suite on every core (pytest-xdist, --dist loadgroup).
# Tests that share something costly to start run on one worker: everything on
# PostgreSQL shares one throwaway cluster (tests/office/conftest.py), and each
# browser module its one Chromium.
SHARED_GROUPS = {"test_dashboard_browser.py": "postgresql", "test_staff_browser.py": "chromium-staff"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = SHARED_GROUPS.get(item.path.name)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if group is None and ("postgresql" in params.values() or "pg_server_url" in item.fixturenames):
            group = "postgresql"
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
