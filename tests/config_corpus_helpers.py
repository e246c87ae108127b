"""Helpers for the config corpus tests: the bad and good config folders, running
``ptsp-kiosk`` in-process, and starting the headless app the way ``run`` does."""
import tomllib
from pathlib import Path

import pytest

from core_helpers import far_day_start

DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "bad_configs"
GOOD = DATA / "good_configs"
EXPECTED = tomllib.loads((BAD / "expected.toml").read_text(encoding="utf-8"))
# Every control character but the newline that ends each line of output.
CONTROL = [chr(c) for c in (*range(0x00, 0x0A), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))]


def cli(capsys, *args):
    """``ptsp-kiosk ARGS`` in this process: (status, stdout, stderr)."""
    from kiosk.cli import main

    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def raw_controls(text):
    """The raw control characters in ``text`` (which must be none)."""
    return sorted({c for c in text if c in CONTROL})


def steady(text):
    """A config text whose business day does not change while a test runs."""
    line = 'business_day_start = "03:00"'
    return text.replace(line, f'business_day_start = "{far_day_start()}"') if line in text else text


def start_like_run(cfg, tmp_path):
    """Start the app headless as ``run`` does (real printer driver, fonts, mock
    GPIO board, store), take a ticket for the always-open service and call it;
    returns the label called. Fails the test on any error."""
    from kiosk.core.events import CounterAction, TakeTicket
    from kiosk.shell.app import App

    from app_helpers import pump

    app = App(cfg, headless=True, sync=False)
    try:
        app.start()
        app.step(0)
        app.events.put(TakeTicket("barang", False, "button"))
        pump(app, lambda: app.machine.ticket_view is not None and app.machine.ticket_view.phase == "done")
        app.events.put(CounterAction(1, "call", "button"))
        pump(app, lambda: 1 in app.machine.calls)
        assert app.machine.fault() is None, app.machine.fault()
        return app.machine.calls[1].label
    finally:
        app.stop()


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder: the corpus keeps its database at "kiosk.db"."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
