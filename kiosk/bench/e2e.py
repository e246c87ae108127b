"""Bench: a button press through the whole running kiosk to the printer.

The real app shell runs headless on the main thread (``App.step``), with the
real machine, store, print worker and serial printer driver. A mock pin's edge
is driven from another thread; the figure is the time until the ticket's first
byte arrives at the other end of a pseudo-terminal (the printer's side). Every
ticket is read to its end before the next press. Target: median < 10 ms.
"""
from __future__ import annotations

import dataclasses
import os
import select
import statistics
import tempfile
import threading
import time

from kiosk.bench import Figure

SECTION = "e2e"


def _config(folder, device):
    from kiosk.core import config

    cfg = config.load_demo(database=os.path.join(folder, "kiosk.db"))
    return dataclasses.replace(
        cfg,
        # One press per ticket; the visitor interval would otherwise space the presses out.
        buttons=dataclasses.replace(cfg.buttons, visitor_interval=0.0, pin_factory="mock"),
        printer=dataclasses.replace(cfg.printer, type="serial", serial_device=device, baudrate=115200,
                                    status_interval=3600.0, timeout=5.0),
        sync=dataclasses.replace(cfg.sync, enabled=False),
    )


STATUS_QUERY = b"\x10\x04"  # DLE EOT n: the driver asks for the printer's status
STATUS_OK = b"\x12"  # online, paper adequate, cover closed


class _PrinterEnd:
    """The printer's end of the pty: answers status queries as a healthy
    printer does, and notes when the first ticket byte (not a query) arrives."""

    def __init__(self, fd):
        self.fd = fd
        self.first_ticket_byte = None

    def serve(self, until, quiet=None):
        """Read and answer until ``until`` (perf_counter), or until the line has
        been quiet for ``quiet`` seconds once a ticket byte came."""
        while time.perf_counter() < until:
            wait = quiet if (quiet and self.first_ticket_byte) else 0.05
            if not select.select([self.fd], [], [], wait)[0]:
                if quiet and self.first_ticket_byte:
                    return
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            now = time.perf_counter()
            queries = chunk.count(STATUS_QUERY)
            if queries:
                os.write(self.fd, STATUS_OK * queries)
            if self.first_ticket_byte is None and len(chunk) > 3 * queries:
                self.first_ticket_byte = now


def measure(presses: int) -> list:
    """Latencies (s) from pin edge to first printer byte, one per press."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from drivers.sound import FakeAnnouncer
    from kiosk.shell.app import App

    master, slave = os.openpty()
    import tty

    tty.setraw(slave)
    latencies: list = []
    with tempfile.TemporaryDirectory() as folder:
        cfg = _config(folder, os.ttyname(slave))
        app = App(cfg, headless=True, size=(800, 480), announcer=FakeAnnouncer(), sync=False)
        app.start()  # the board's mock pins, as `pin_factory = "mock"` gives them
        pin = app.parts.board.factory.pin(cfg.services[0].button_pin)
        done = threading.Event()

        end = _PrinterEnd(master)

        def presser():
            try:
                end.serve(time.perf_counter() + 0.5)  # start-up status queries
                for _ in range(presses):
                    end.first_ticket_byte = None
                    started = time.perf_counter()
                    pin.drive_low()
                    end.serve(started + 5.0, quiet=0.05)  # the ticket, to its end
                    pin.drive_high()
                    if end.first_ticket_byte is not None:
                        latencies.append(end.first_ticket_byte - started)
            finally:
                done.set()

        thread = threading.Thread(target=presser, name="bench-presser", daemon=True)
        thread.start()
        try:
            while not done.is_set():
                app.step(0.01)
        finally:
            thread.join(5)
            app.stop()
            os.close(master)
            os.close(slave)
    return latencies


def run(quick=False):
    presses = 10 if quick else 50
    try:
        latencies = measure(presses)
    except Exception as e:  # say what broke instead of hiding the section
        return [Figure(SECTION, f"button edge -> first printer byte: failed ({e})", float("nan"), "ms",
                       "< 10 ms", False)]
    ms = sorted(x * 1000 for x in latencies)
    if len(ms) < presses:
        return [Figure(SECTION, "button edge -> first printer byte: tickets lost", presses - len(ms),
                       "tickets", "= 0", False)]
    median = statistics.median(ms)
    return [
        Figure(SECTION, "button edge -> first printer byte: median", median, "ms", "< 10 ms", median < 10),
        Figure(SECTION, "button edge -> first printer byte: p90", ms[int(len(ms) * 0.9) - 1], "ms"),
    ]
