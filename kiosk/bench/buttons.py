"""Bench: time from a button's pin edge to the event being handled.

A mock pin edge (``drive_low``) runs gpiozero's callback, which puts the event
on the queue; a separate thread, standing in for the main loop, takes it off
and asks a PressGuard about it. The figure includes the thread hand-over, as
in the app. Target: median under 1 ms.
"""
import queue
import statistics
import threading
import time

from kiosk.core import config
from kiosk.bench import Figure
from kiosk.core.events import TakeTicket
from kiosk.machine.press_guard import PressGuard

_CONFIG = {
    "buttons": {"pin_factory": "mock"},
    "services": [{"code": "kunjungan", "prefix": "A", "name": {"id": "Layanan Kunjungan"}, "button_pin": 5}],
    "counters": [{"number": 1, "services": ["kunjungan"], "call_pin": 17}],
}


def _measure(pin, events, guard, presses, edge):
    """Latencies (s) of ``presses`` edges on ``pin``; ``edge`` is "press" (the
    down edge fires) or "release" (the up edge fires, as for a counter call)."""
    latencies = []
    handled = threading.Event()
    started = [0.0]

    def main_loop():
        while True:
            event = events.get()
            if event is None:
                return
            if isinstance(event, TakeTicket):
                guard.allow_ticket(event.service)
            else:
                guard.allow_counter(event.counter, event.action)
            latencies.append(time.perf_counter() - started[0])
            handled.set()

    consumer = threading.Thread(target=main_loop, name="bench-main-loop", daemon=True)
    consumer.start()
    try:
        for _ in range(presses):
            handled.clear()
            if edge == "press":
                started[0] = time.perf_counter()
                pin.drive_low()
                handled.wait(1.0)
                pin.drive_high()
            else:
                pin.drive_low()
                started[0] = time.perf_counter()
                pin.drive_high()
                handled.wait(1.0)
    finally:
        events.put(None)
        consumer.join(2.0)
    return latencies


def _figures(name, latencies, presses):
    ms = sorted(x * 1000 for x in latencies)
    if len(ms) < presses:
        return [Figure("buttons", f"{name}: presses lost", presses - len(ms), "presses", "= 0", False)]
    return [
        Figure("buttons", f"{name}: median", statistics.median(ms), "ms", "< 1 ms", statistics.median(ms) < 1.0),
        Figure("buttons", f"{name}: p99", ms[int(len(ms) * 0.99) - 1], "ms"),
    ]


def run(quick):
    from gpiozero.pins.mock import MockFactory

    from drivers.buttons import ButtonBoard

    presses = 300 if quick else 2000
    cfg = config.from_dict(_CONFIG, "bench")
    factory = MockFactory()
    events = queue.Queue()
    guard = PressGuard.from_config(cfg.buttons)
    board = ButtonBoard(cfg, events, factory=factory)
    try:
        figures = _figures("service button edge -> handled",
                           _measure(factory.pin(5), events, guard, presses, "press"), presses)
        figures += _figures("counter call release -> handled",
                            _measure(factory.pin(17), events, guard, presses // 2, "release"),
                            presses // 2)
    finally:
        board.close()
        factory.close()
    return figures
