"""Fixtures for the command line: commands run as a child process with the
config of tests/core_helpers.py (run_cli, demo_copy); button boards on mock pins."""
from buttons_helpers import board, no_gpio  # noqa: F401  (fixtures)
from sync_helpers import fault_server, kiosk_store, real_receiver, token_file, upstream_db  # noqa: F401
