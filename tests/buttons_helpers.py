"""Helpers for the button tests: a small config and a board on fresh mock pins."""
import contextlib
import copy
import queue
import sys

import pytest

from kiosk.core import config

# Two services, two counters (counter 2 without a skip button), a status light
# and a buzzer. hold_time is short so hold tests take a blink, not 1.5 s.
BASE = {
    "device": {"language": "id"},
    "buttons": {"pin_factory": "mock", "hold_time": 0.05, "status_led_pin": 4, "buzzer_pin": 18},
    "services": [
        {"code": "kunjungan", "prefix": "A", "name": {"id": "Layanan Kunjungan"}, "button_pin": 5, "led_pin": 6},
        {"code": "barang", "prefix": "B", "name": {"id": "Penitipan Barang"}, "button_pin": 13, "led_pin": 19},
        {"code": "informasi", "prefix": "C", "name": {"id": "Informasi"}},  # touch only: no button, no light
    ],
    "counters": [
        {"number": 1, "services": ["kunjungan", "barang", "informasi"], "call_pin": 17, "skip_pin": 27},
        {"number": 2, "services": ["kunjungan"], "call_pin": 22},
    ],
}

TOML = """
[buttons]
pin_factory = "mock"
hold_time = 0.05
status_led_pin = 4

[[services]]
code = "kunjungan"
prefix = "A"
name = { id = "Layanan Kunjungan" }
button_pin = 5
led_pin = 6

[[services]]
code = "barang"
prefix = "B"
name = { id = "Penitipan Barang" }
button_pin = 13

[[counters]]
number = 1
services = ["kunjungan", "barang"]
call_pin = 17
skip_pin = 27
"""


def make_config(buttons=None, printer=None, services=None, counters=None):
    """A validated Config from BASE with sections or lists replaced/merged."""
    data = copy.deepcopy(BASE)
    data["buttons"].update(buttons or {})
    data["buttons"] = {k: v for k, v in data["buttons"].items() if v is not None}  # None: leave out
    if printer:
        data["printer"] = printer
    if services is not None:
        data["services"] = services
    if counters is not None:
        data["counters"] = counters
    return config.from_dict(data, "test")


@contextlib.contextmanager
def mock_board(cfg=None, **kw):
    """(board, events queue, factory) on a fresh MockFactory; everything closed after."""
    from gpiozero.pins.mock import MockFactory

    from drivers.buttons import ButtonBoard

    factory = MockFactory()
    events = queue.Queue()
    board = None
    try:
        board = ButtonBoard(cfg or make_config(), events, factory=factory, **kw)
        yield board, events, factory
    finally:
        if board is not None:
            board.close()
        factory.reset()
        factory.close()


def drain(events):
    """Every event waiting on the queue, oldest first."""
    out = []
    while True:
        try:
            out.append(events.get_nowait())
        except queue.Empty:
            return out


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start=1000.0):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def board():
    """A ButtonBoard on mock pins: (board, events queue, factory)."""
    with mock_board() as parts_:
        yield parts_


@pytest.fixture
def no_gpio(monkeypatch):
    """A machine with no GPIO: no factory named, and lgpio (the only one tried) missing."""
    from drivers import buttons

    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    monkeypatch.setattr(buttons, "AUTO_FACTORIES", ("lgpio",))
    monkeypatch.setitem(sys.modules, "lgpio", None)  # lgpio not installed
    monkeypatch.delitem(sys.modules, "gpiozero.pins.lgpio", raising=False)
