"""Fixtures for the services: a kiosk store and the office receiver for sync
(tests/sync_helpers.py); store faults (tests/store_fault_helpers.py)."""
from sync_helpers import fault_server, kiosk_store, real_receiver, token_file, upstream_db  # noqa: F401
