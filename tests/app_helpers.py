"""Fixtures for the app tests: a headless App on a fake printer whose health we control."""
import dataclasses
import time

import pytest

from core_helpers import far_day_start
from drivers.printer import FakePrinter, make_layout
from drivers.sound import FakeAnnouncer
from kiosk.shell.app import App
from kiosk.core.events import PrinterHealth

OK = PrinterHealth(online=True, paper="ok", cover_open=False, detail="fake printer")
PAPER_OUT = PrinterHealth(online=True, paper="out", cover_open=False, detail="paper out")


def fast_config(cfg, **display):
    """Short screen timers and a printer read every 50 ms, so tests take no time.
    The app runs on the real clock: its business day changes 12 hours from now,
    so no test straddles the change."""
    d = dict(ticket_seconds=0.4, highlight_seconds=0.4)
    d.update(display)
    return dataclasses.replace(
        cfg,
        device=dataclasses.replace(cfg.device, business_day_start=far_day_start()),
        display=dataclasses.replace(cfg.display, **d),
        printer=dataclasses.replace(cfg.printer, status_interval=0.05, timeout=2.0, type="preview"),
    )


def pump(app, until, timeout=5.0):
    """Run loop turns until ``until()`` is true; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.step(0.02)
        if until():
            return
    pytest.fail(f"gave up waiting after {timeout} s; screen {app.screen_name}, view {app.view()}")


def texts(app):
    return [t.text for t in app.renderer.screen.texts] if app.renderer.screen else []


@pytest.fixture
def printer(demo_config):
    p = FakePrinter(make_layout(demo_config.printer))
    p.health = OK
    return p


@pytest.fixture
def make_app(demo_config, printer):
    apps = []

    def make(size=(800, 480), cfg=None, **kw):
        kw.setdefault("printer", printer)
        kw.setdefault("announcer", FakeAnnouncer())
        kw.setdefault("board", False)
        kw.setdefault("sync", False)
        app = App(fast_config(cfg or demo_config), headless=True, size=size, **kw)
        app.start()
        apps.append(app)
        return app

    yield make
    for app in apps:
        if app.running or app.store is not None:
            app.stop()
