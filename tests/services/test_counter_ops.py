"""Counter staff operations (issue 15): transfer, call a chosen number, open and
close a counter, nobody waiting. Queue service + store with an injected clock.

Config (core_helpers.BASE): kunjungan (A, office hours), barang (B) and
informasi (C) open all day; counter 1 serves A and B, counter 2 serves A and C.
"""
import random
import threading

import pytest

from core_helpers import MON, TUE, Clock, make_config, wib
from kiosk.core.errors import IssueRefused, OperationRefused, UnknownName
from kiosk.core.report import day_report
from kiosk.services.queue_counters import parse_label
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

DAY = "2025-06-02"


def front(data):
    data["queue"] = {"transfer_position": "front"}


@pytest.fixture
def clock():
    return Clock(wib(MON, 10))


def open_queue(tmp_path, clock, edit=None):
    cfg = make_config(tmp_path / "k.db", edit)
    return QueueService(cfg, Store(cfg.storage.database), clock=clock)


@pytest.fixture
def queue(tmp_path, clock):
    q = open_queue(tmp_path, clock)
    yield q
    q.store.close()


def take(queue, code, clock):
    """A visitor takes a printed ticket; the clock moves a minute on."""
    issued = queue.issue(code)
    queue.store.transition(issued.ticket.id, "printed", clock())
    clock.advance(60)
    return issued.ticket.label


def snapshot(store):
    """Everything an operation could change: tickets, events and meta."""
    return (store.conn.execute("SELECT * FROM tickets ORDER BY id").fetchall(),
            store.conn.execute("SELECT seq, type FROM events ORDER BY seq").fetchall(),
            store.conn.execute("SELECT * FROM meta ORDER BY key").fetchall())


# --- transfer -------------------------------------------------------------------------

def call_order(queue, counter, n):
    return [queue.call_next(counter).ticket.label for _ in range(n)]


def test_given_a_called_ticket_when_transferred_by_original_time_then_it_keeps_its_label_and_queues_by_issue_time(
        queue, clock):
    take(queue, "barang", clock)          # B-001 10:00
    take(queue, "informasi", clock)       # C-001 10:01
    take(queue, "barang", clock)          # B-002 10:02
    assert queue.call_next(2).ticket.label == "C-001"

    moved = queue.transfer("barang", counter_number=2)

    assert (moved.ticket.label, moved.ticket.state, moved.ticket.service) == ("C-001", "waiting", "informasi")
    assert (moved.from_service, moved.to_service, moved.position) == ("informasi", "barang", "original")
    assert queue.store.current(DAY, 2) is None
    assert call_order(queue, 1, 3) == ["B-001", "C-001", "B-002"]


def test_given_front_configured_when_transferred_then_it_is_called_before_everyone_waiting(tmp_path, clock):
    queue = open_queue(tmp_path, clock, edit=front)
    take(queue, "barang", clock)
    take(queue, "informasi", clock)
    take(queue, "barang", clock)
    queue.call_next(2)

    queue.transfer("barang", label="C-001")

    assert call_order(queue, 1, 3) == ["C-001", "B-001", "B-002"]


def test_given_a_transfer_when_logged_then_the_event_carries_the_path_and_the_waiting_counts_follow(queue, clock):
    take(queue, "informasi", clock)
    queue.call_next(2)

    queue.transfer("barang", label="c1")

    event = queue.store.events(types=("transferred",))[-1]
    assert (event["label"], event["counter"], event["data"]) == (
        "C-001", 2, {"from": "informasi", "to": "barang", "position": "original"})
    assert queue.status().waiting == {"kunjungan": 0, "barang": 1, "informasi": 0}
    assert queue.availability()["barang"].waiting == 1


def test_given_a_ticket_transferred_twice_when_reported_then_each_service_counts_it_once_with_its_path(
        queue, clock):
    take(queue, "informasi", clock)
    queue.call_next(2)
    queue.transfer("barang", counter_number=2)
    queue.call_next(1)
    queue.transfer("kunjungan", counter_number=1)
    queue.call_next(1)
    queue.call_next(1)  # C-001 served at the visits desk; nobody else waits

    rows = {r.service: r for r in day_report(queue.cfg, queue.store, DAY)}

    def figures(code):
        r = rows[code]
        return r.issued, r.transferred_out, r.transferred_in, r.served, r.waiting

    assert figures("informasi") == (1, 1, 0, 0, 0)
    assert figures("barang") == (0, 1, 1, 0, 0)
    assert figures("kunjungan") == (0, 0, 1, 1, 0)
    assert rows["informasi"].transfers == ("C-001 informasi > barang > kunjungan",)
    assert rows["barang"].transfers == rows["kunjungan"].transfers == rows["informasi"].transfers


@pytest.mark.parametrize("case, reason", [
    ("closed_service", "service_closed"),
    ("disabled_service", "service_closed"),
    ("same_service", "same_service"),
    ("waiting_ticket", "not_called"),
    ("other_counter", "not_called"),
    ("nobody_at_counter", "no_current"),
])
def test_given_a_bad_transfer_when_asked_then_it_is_refused_and_nothing_changes(tmp_path, clock, case, reason):
    def disable(data):
        data["services"][1]["enabled"] = False

    queue = open_queue(tmp_path, clock, edit=disable if case == "disabled_service" else None)
    take(queue, "informasi", clock)
    take(queue, "informasi", clock)
    queue.call_next(2)
    if case == "closed_service":
        queue.set_counter_open(1, False)  # the only counter of barang
    before = snapshot(queue.store)

    with pytest.raises(OperationRefused) as info:
        if case == "same_service":
            queue.transfer("informasi", counter_number=2)
        elif case == "waiting_ticket":
            queue.transfer("barang", label="C-002")
        elif case == "other_counter":
            queue.transfer("barang", label="C-001", counter_number=1)
        elif case == "nobody_at_counter":
            queue.transfer("informasi", counter_number=1)
        else:
            queue.transfer("barang", label="C-001")

    assert info.value.reason == reason
    assert snapshot(queue.store) == before


def test_given_an_unknown_service_when_transferred_to_then_it_is_refused_and_nothing_changes(queue, clock):
    take(queue, "informasi", clock)
    queue.call_next(2)
    before = snapshot(queue.store)

    with pytest.raises(UnknownName, match="unknown service 'kantin'"):
        queue.transfer("kantin", counter_number=2)

    assert snapshot(queue.store) == before


# --- call a chosen number -------------------------------------------------------------

def test_given_a_skipped_visitor_back_when_called_by_number_then_the_counter_serves_its_current_first(queue, clock):
    take(queue, "kunjungan", clock)
    take(queue, "kunjungan", clock)
    queue.call_next(1)
    queue.skip(1)                                  # A-001 did not come
    assert queue.call_next(1).ticket.label == "A-002"

    call = queue.call_ticket(1, "A-001")

    assert (call.ticket.label, call.ticket.state, call.ticket.finished_at) == ("A-001", "called", None)
    assert queue.store.find("A-002", DAY).state == "served"
    assert queue.store.current(DAY, 1).label == "A-001"


def test_given_a_waiting_number_when_called_by_number_then_it_jumps_the_queue_at_that_counter(queue, clock):
    take(queue, "barang", clock)
    take(queue, "barang", clock)

    assert queue.call_ticket(1, "PTSP1:20250602:B-002").ticket.label == "B-002"
    assert queue.call_next(1).ticket.label == "B-001"


def yesterday_ticket(queue, clock):
    clock.now = wib(MON, 10) - 86400  # Sunday: barang is open all day
    label = take(queue, "barang", clock)
    clock.now = wib(MON, 10)
    return label


@pytest.mark.parametrize("case, reason", [
    ("yesterday", "not_today"),
    ("yesterday_qr", "not_today"),
    ("void", "void"),
    ("being_served", "being_served"),
    ("served", "already_served"),
    ("unknown", "unknown_ticket"),
    ("other_services", "not_served_here"),
    ("closed_counter", "counter_closed"),
])
def test_given_a_bad_number_when_called_then_it_is_refused_and_nothing_changes(queue, clock, case, reason):
    label = {"yesterday": "B-001", "yesterday_qr": "PTSP1:20250601:B-001", "void": "B-001",
             "being_served": "B-001", "served": "B-001", "unknown": "B-077", "other_services": "C-001",
             "closed_counter": "B-001"}[case]
    if case == "yesterday":
        yesterday_ticket(queue, clock)  # B-001 exists, but on Sunday's business day
    else:
        take(queue, "barang", clock)
        take(queue, "informasi", clock)
    if case == "void":
        queue.store.transition(queue.store.find("B-001", DAY).id, "void", clock(), reason="test")
    if case in ("being_served", "served"):
        queue.call_next(1)
    if case == "served":
        queue.call_next(1)
    if case == "closed_counter":
        queue.set_counter_open(1, False)
    before = snapshot(queue.store)

    with pytest.raises(OperationRefused) as info:
        queue.call_ticket(1, label)

    assert info.value.reason == reason, str(info.value)
    assert snapshot(queue.store) == before


@pytest.mark.parametrize("text", ["", "A-", "AB-12", "A-12345", "A-0\x00", "\x00", "A" * 100,
                                  "PTSP1:2025060:A-1", "1" * 400, "A-" + "9" * 30, "A-١٢"])
def test_given_garbage_as_a_ticket_number_when_parsed_then_it_is_refused_with_a_message(text):
    with pytest.raises(UnknownName, match="ticket number like A-012"):
        parse_label(text)


def test_given_the_forms_of_a_number_when_parsed_then_they_mean_the_same_ticket():
    assert parse_label("a12") == parse_label(" A-012 ") == ("A-012", None)
    assert parse_label("ptsp1:20261201:b-7") == ("B-007", "2026-12-01")


def test_given_two_counters_when_both_call_the_same_number_at_once_then_exactly_one_gets_it(tmp_path, clock):
    queue = open_queue(tmp_path, clock)
    labels = [take(queue, "kunjungan", clock) for _ in range(15)]
    outcomes = []

    def press(counter, label, barrier):
        # Each counter in its own thread with its own connection, as two processes would.
        own = QueueService(queue.cfg, Store(queue.cfg.storage.database), clock=clock)
        barrier.wait()
        try:
            outcomes.append((label, counter, own.call_ticket(counter, label).ticket.label))
        except OperationRefused as e:
            outcomes.append((label, counter, e.reason))
        finally:
            own.store.close()

    for label in labels:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=press, args=(n, label, barrier)) for n in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    for label in labels:
        results = sorted(r for lbl, _, r in outcomes if lbl == label)
        assert results == sorted([label, "being_served"]), (label, results)
        calls = queue.store.events(types=("called",))
        assert sum(e["label"] == label for e in calls) == 1


# --- open and closed counters ---------------------------------------------------------

def test_given_a_closed_counter_when_it_calls_next_then_it_is_refused_and_the_other_counter_still_calls(
        queue, clock):
    take(queue, "kunjungan", clock)
    queue.set_counter_open(1, False)
    before = snapshot(queue.store)

    with pytest.raises(OperationRefused) as info:
        queue.call_next(1)

    assert info.value.reason == "counter_closed" and snapshot(queue.store) == before
    assert queue.call_next(2).ticket.label == "A-001"


def test_given_a_counter_serving_someone_when_closed_then_that_visitor_is_served_and_it_logs_once(queue, clock):
    take(queue, "barang", clock)
    queue.call_next(1)

    change = queue.set_counter_open(1, False)
    again = queue.set_counter_open(1, False)

    assert (change.changed, change.finished, again.changed) == (True, "B-001", False)
    assert queue.store.find("B-001", DAY).state == "served"
    assert [e["counter"] for e in queue.store.events(types=("counter_closed",))] == [1]
    assert queue.closed_counters() == {1}


def test_given_the_last_counter_of_a_service_when_closed_then_the_kiosk_shows_loket_tutup_and_issues_nothing(
        queue, clock):
    queue.set_counter_open(1, False)
    assert queue.availability()["kunjungan"].can_issue  # counter 2 still serves visits

    queue.set_counter_open(2, False)

    visits, goods = queue.availability()["kunjungan"], queue.availability()["barang"]
    assert (visits.can_issue, visits.reason, visits.message) == (False, "counters_closed", "Loket tutup")
    assert (goods.can_issue, goods.message) == (False, "Loket tutup")
    with pytest.raises(IssueRefused) as info:
        queue.issue("barang")
    assert info.value.reason == "counters_closed"
    assert queue.store.tickets(DAY) == []

    queue.set_counter_open(1, True)

    assert queue.availability()["barang"].can_issue and queue.issue("barang").ticket.label == "B-001"


def test_given_a_closed_counter_when_the_next_business_day_starts_then_it_is_open_again(queue, clock):
    queue.set_counter_open(1, False)

    clock.now = wib(TUE, 10)

    assert queue.closed_counters() == frozenset()
    assert queue.availability()["barang"].can_issue


def test_given_random_staff_work_when_played_then_a_closed_counter_never_receives_a_call(queue, clock):
    rnd = random.Random(15)
    for _ in range(250):
        op = rnd.choice(["take", "take", "next", "next", "close", "open", "number", "transfer", "skip"])
        counter = rnd.choice([1, 2])
        try:
            if op == "take":
                take(queue, rnd.choice(["barang", "informasi"]), clock)
            elif op == "next":
                queue.call_next(counter)
            elif op in ("close", "open"):
                queue.set_counter_open(counter, op == "open")
            elif op == "number":
                queue.call_ticket(counter, rnd.choice("BC") + str(rnd.randint(1, 20)))
            elif op == "transfer":
                queue.transfer(rnd.choice(["barang", "informasi"]), counter_number=counter)
            else:
                queue.skip(counter)
        except (OperationRefused, IssueRefused, UnknownName):
            pass

    closed, calls = set(), 0
    for e in queue.store.events():
        if e["type"] in ("counter_closed", "counter_opened"):
            (closed.add if e["type"] == "counter_closed" else closed.discard)(e["counter"])
        elif e["type"] in ("called", "recalled"):
            calls += 1
            assert e["counter"] not in closed, e
    assert calls > 20 and queue.store.events(types=("counter_closed",))


# --- nobody waiting -------------------------------------------------------------------

def test_given_nobody_waiting_when_a_counter_calls_then_it_gets_none_and_the_log_says_so(queue, clock):
    assert queue.call_next(2) is None

    event = queue.store.events(types=("nobody_waiting",))[-1]
    assert (event["counter"], event["day"]) == (2, DAY)


def test_given_a_counter_when_viewed_then_it_shows_current_waiting_last_calls_and_open_services(queue, clock):
    take(queue, "barang", clock)
    take(queue, "barang", clock)
    take(queue, "informasi", clock)
    queue.call_next(1)
    queue.set_counter_open(2, False)

    view = queue.counter_view(1)

    assert (view.open, view.current["label"], view.waiting) == (True, "B-001", {"kunjungan": 0, "barang": 1})
    assert [c["label"] for c in view.last_calls] == ["B-001"]
    assert {s["code"]: s["open"] for s in view.services} == {"kunjungan": True, "barang": True,
                                                             "informasi": False}


# --- the pure rules (no store) --------------------------------------------------------

def test_given_tickets_of_another_day_when_the_rules_judge_them_then_they_are_refused(queue):
    from kiosk.core import rules
    from kiosk.core.tickets import Ticket

    old = Ticket(id=1, day="2025-06-01", service="barang", prefix="B", number=1, priority=False,
                 state="waiting", issued_at=0.0)
    called = Ticket(id=2, day="2025-06-01", service="barang", prefix="B", number=2, priority=False,
                    state="called", issued_at=0.0, counter=1)
    counter, target = queue.cfg.counter(1), queue.cfg.service("informasi")

    with pytest.raises(OperationRefused) as call:
        rules.check_call_ticket(old, DAY, counter, frozenset())
    with pytest.raises(OperationRefused) as move:
        rules.check_transfer(called, DAY, target, queue.cfg.counters_for("informasi"), frozenset())

    assert (call.value.reason, call.value.values["day"]) == ("not_today", "2025-06-01")
    assert move.value.reason == "not_today"


def test_given_a_transferred_ticket_when_served_then_its_service_time_is_that_of_the_last_service(queue, clock):
    take(queue, "informasi", clock)
    queue.call_next(2)
    clock.advance(600)  # ten minutes at the information desk
    queue.transfer("barang", counter_number=2)
    queue.call_next(1)
    clock.advance(120)  # two at the goods counter

    queue.call_next(1)

    assert queue.store.recent_service_seconds("barang", 5) == [120.0]  # served there
    assert queue.store.recent_service_seconds("informasi", 5) == []  # only issued there
    ticket = queue.store.find("C-001", DAY)
    assert ticket.finished_at - ticket.called_at == 120.0
