"""Fixtures for the runtime machine: a fake clock and a machine driven by hand.

No pygame, no threads, no store: the tests play the shell's part and feed the
results of effects back as events.
"""
import pytest

from core_helpers import make_config
from kiosk.core import events as E
from kiosk.machine.effects import Instant
from kiosk.machine.machine import KioskMachine

OK = E.PrinterHealth(online=True, paper="ok", cover_open=False, detail="ok")


class Driver:
    """A KioskMachine with a fake clock (``t`` seconds since the start)."""

    WALL0 = 1_750_000_000.0  # June 2025

    def __init__(self, cfg):
        self.cfg = cfg
        self.t = 0.0
        self.machine = KioskMachine(cfg)
        self.effects = self.machine.start(self.at)
        self.refresh()

    @property
    def at(self):
        return Instant(self.t, self.WALL0 + self.t)

    def advance(self, seconds):
        self.t += seconds
        self.effects = self.machine.on_tick(self.at)
        return self.effects

    def send(self, event):
        self.effects = self.machine.on_event(event, self.at)
        return self.effects

    def refresh(self, **open_services):
        states = tuple(E.ServiceState(s.code, open_services.get(s.code, True), "", 0, True)
                       for s in self.cfg.services)
        return self.send(E.StateRefreshed(states, "2025-06-16"))

    def of(self, kind):
        return [e for e in self.effects if isinstance(e, kind)]

    def issue(self, service="kunjungan", ticket_id=1, label="A-001"):
        """Press, then the shell's answer: the ticket was stored."""
        self.send(E.TakeTicket(service, False, "button"))
        return self.send(E.TicketIssued(ticket_id, label, service, False, content=None, lines=("x",)))

    def call(self, counter=1, label="A-001", call_id=1, recall=False):
        info = E.CallInfo(counter, f"Loket {counter}", label, "kunjungan", False,
                          f"Nomor antrian {label}, silakan menuju loket {counter}", self.WALL0 + self.t, call_id)
        return self.send(E.Called(info, recall=recall))


@pytest.fixture
def cfg(tmp_path):
    return make_config(tmp_path / "k.db")


@pytest.fixture
def kiosk(cfg):
    d = Driver(cfg)
    d.send(E.PrinterHealthChanged(OK))
    return d


@pytest.fixture
def driver_for():
    """A Driver for a config of the test's own."""
    return Driver
