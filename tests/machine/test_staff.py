"""Counter staff requests in the machine (issue 15), then through the shell's
effects runner with a real QueueService: the same events as the buttons."""
import collections

import pytest

from core_helpers import MON, Clock, make_config, wib
from kiosk.core import events as E
from kiosk.machine import effects as F
from kiosk.machine.effects import Instant
from kiosk.machine.machine import KioskMachine
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store
from kiosk.shell.effects_runner import EffectsRunner


def replies(effects):
    return [e for e in effects if isinstance(e, F.Reply)]


@pytest.mark.parametrize("event, effect", [
    (E.TransferRequest(1, "barang", request_id="r1"), F.TransferTicket(1, "barang", "", "r1")),
    (E.CallTicketRequest(2, "A-012", request_id="r1"), F.CallTicket(2, "A-012", "staff", "r1")),
    (E.CounterOpenRequest(1, False, request_id="r1"), F.SetCounterOpen(1, False, "r1")),
    (E.CounterViewRequest(2, request_id="r1"), F.ViewCounter(2, "r1")),
])
def test_given_a_staff_request_when_received_then_the_machine_asks_for_the_queue_operation(kiosk, event, effect):
    assert effect in kiosk.send(event)


@pytest.mark.parametrize("event", [E.TransferRequest(9, "barang", request_id="r9"),
                                   E.CallTicketRequest(9, "A-1", request_id="r9"),
                                   E.CounterOpenRequest(9, True, request_id="r9"),
                                   E.CounterViewRequest(9, request_id="r9")])
def test_given_an_unknown_counter_when_requested_then_the_reply_refuses_and_nothing_runs(kiosk, event):
    effects = kiosk.send(event)

    assert replies(effects) == [F.Reply("r9", False, "unknown_counter", {"counter": 9})]
    assert not [e for e in effects if isinstance(e, (F.TransferTicket, F.CallTicket, F.SetCounterOpen,
                                                     F.ViewCounter))]


def test_given_a_refusal_at_a_closed_counter_when_reported_then_the_counter_signals_and_the_page_is_told(kiosk):
    effects = kiosk.send(E.CounterRefused(2, "counter_closed", "counter 2 is closed", (("counter", 2),), "call", "r"))

    assert F.SignalCounter(2, "counter_closed") in effects
    assert replies(effects) == [F.Reply("r", False, "counter_closed", {"counter": 2, "message": "counter 2 is closed"})]
    assert kiosk.machine.fault() is None


def test_given_a_transfer_or_a_closed_counter_when_reported_then_the_kiosk_refreshes_and_syncs(kiosk):
    moved = kiosk.send(E.TicketTransferred(1, "C-001", "informasi", "barang", "original", "r"))
    closed = kiosk.send(E.CounterOpenChanged(1, False, True, "B-003", "r"))

    for effects in (moved, closed):
        assert F.Refresh() in effects and F.WakeSync() in effects
    assert replies(moved)[0].data == {"label": "C-001", "from": "informasi", "to": "barang", "position": "original"}
    assert replies(closed)[0] == F.Reply("r", True, "closed", {"counter": 1, "open": False, "changed": True,
                                                                "finished": "B-003"})


class Loop:
    """The shell's turn: machine effects executed by the runner on a real store."""

    def __init__(self, tmp_path):
        self.clock = Clock(wib(MON, 10))
        self.cfg = make_config(tmp_path / "k.db")
        self.service = QueueService(self.cfg, Store(self.cfg.storage.database), clock=self.clock)
        self.machine = KioskMachine(self.cfg)
        self.replies = []
        self.runner = EffectsRunner(self.service, "id", replies=self.replies.append)
        self.all = []
        self.run(self.machine.start(self.at))

    @property
    def at(self):
        return Instant(self.clock.now, self.clock.now)

    def run(self, effects):
        todo = collections.deque(effects)
        while todo:
            effect = todo.popleft()
            self.all.append(effect)
            for result in self.runner.run(effect):
                self.all.append(result)
                todo.extend(self.machine.on_event(result, self.at))

    def send(self, event):
        self.all = []
        self.run(self.machine.on_event(event, self.at))
        return self.replies[-1] if self.replies else None

    def take(self, code):
        issued = self.service.issue(code)
        self.service.store.transition(issued.ticket.id, "printed", self.clock())
        self.clock.advance(60)


@pytest.fixture
def loop(tmp_path):
    return Loop(tmp_path)


def test_given_a_closed_counter_when_its_button_is_pressed_then_it_signals_and_the_kiosk_stays_in_order(loop):
    loop.take("barang")
    loop.send(E.CounterOpenRequest(1, False, request_id="a"))

    loop.send(E.CounterAction(1, "call", "button"))

    assert F.SignalCounter(1, "counter_closed") in loop.all
    assert not [e for e in loop.all if isinstance(e, (E.EffectFailed, E.Called))]
    assert loop.machine.fault() is None
    assert loop.service.store.find("B-001").state == "waiting"


def test_given_every_counter_of_a_service_closed_when_refreshed_then_the_home_screen_shows_loket_tutup(loop):
    loop.send(E.CounterOpenRequest(1, False, request_id="a"))  # counter 1 alone serves barang

    service = {s.code: s for s in loop.machine.view(loop.at).services}["barang"]

    assert (service.can_issue, service.reason) == (False, "Loket tutup")
    assert loop.machine.services["kunjungan"].can_issue  # counter 2 still serves visits


def test_given_a_number_called_from_the_page_when_done_then_it_is_announced_like_a_button_call(loop):
    loop.take("barang")
    loop.take("barang")

    reply = loop.send(E.CallTicketRequest(1, "B-002", request_id="c"))

    assert reply.ok and reply.data.label == "B-002"
    assert [e.text for e in loop.all if isinstance(e, F.Announce)] == [reply.data.text]
    assert loop.machine.calls[1].label == "B-002"


def test_given_a_refused_transfer_when_done_then_the_reply_names_the_reason_and_the_store_is_unchanged(loop):
    loop.take("informasi")
    loop.send(E.CounterAction(2, "call", "staff", request_id="n"))
    before = loop.service.store.events()

    reply = loop.send(E.TransferRequest(2, "kantin", request_id="t"))

    assert (reply.ok, reply.message) == (False, "unknown_service")
    assert loop.service.store.events() == before


def test_given_a_view_request_when_answered_then_it_is_the_counter_view_as_plain_values(loop):
    loop.take("barang")
    loop.send(E.CounterAction(1, "call", "staff", request_id="n"))

    reply = loop.send(E.CounterViewRequest(1, request_id="v"))

    assert reply.ok and reply.data["current"]["label"] == "B-001" and reply.data["open"] is True
