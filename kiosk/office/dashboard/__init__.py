"""The office web dashboard (issue 14), mounted by kiosk.office.app.Receiver on
every path outside /api/ and /healthz: devices, today, history, satisfaction,
CSV export and user administration, server-rendered, nothing from a CDN."""
from __future__ import annotations

from typing import Callable

from kiosk.office.dashboard.app import Dashboard
from kiosk.office.db import Database

__all__ = ["Dashboard", "make_dashboard"]


def make_dashboard(db: Database, clock: Callable[[], float]) -> Dashboard:
    """The dashboard WSGI app on ``db``; ``clock`` gives epoch seconds (tests pass a fake)."""
    return Dashboard(db, clock)
