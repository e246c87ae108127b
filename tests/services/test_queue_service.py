"""Queue operations (rules + store) with an injected clock.

Config (core_helpers.BASE): kunjungan (A) keeps office hours, barang (B) and
informasi (C) are open all day; counter 1 serves A and B, counter 2 serves A and C.
"""
import dataclasses

import pytest

from core_helpers import MON, Clock, make_config, wib
from kiosk.core.errors import IllegalTransition, IssueRefused, UnknownName
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

DAY = "2025-06-02"


@pytest.fixture
def clock():
    return Clock(wib(MON, 10))


def open_queue(tmp_path, clock, edit=None, language=None):
    cfg = make_config(tmp_path / "k.db", edit)
    if language:
        cfg = dataclasses.replace(cfg, device=dataclasses.replace(cfg.device, language=language))
    store = Store(cfg.storage.database)
    return QueueService(cfg, store, clock=clock), store


@pytest.fixture
def queue(tmp_path, clock):
    q, store = open_queue(tmp_path, clock)
    yield q
    store.close()


def take(queue, code, clock=None, priority=False):
    """A visitor takes a ticket and it prints; the clock moves a minute on."""
    issued = queue.issue(code, priority=priority)
    ticket = queue.printed(issued.ticket.id)
    if clock:
        clock.advance(60)
    return ticket


# --- issuing ------------------------------------------------------------------------

def test_given_the_lunch_break_when_a_visit_ticket_is_asked_then_it_is_refused_and_nothing_is_stored(queue, clock):
    clock.now = wib(MON, 12)

    with pytest.raises(IssueRefused) as info:
        queue.issue("kunjungan")

    assert (info.value.reason, info.value.detail) == ("outside_hours", "13.00")
    assert queue.store.tickets(DAY) == []
    assert queue.store.events(types=("issued",)) == []


def test_given_the_lunch_break_when_an_all_day_service_is_asked_then_it_issues(queue, clock):
    clock.now = wib(MON, 12)

    assert queue.issue("barang").ticket.label == "B-001"


def test_given_a_quota_of_two_when_a_third_ticket_is_asked_then_it_is_refused_for_quota(tmp_path, clock):
    queue, store = open_queue(tmp_path, clock, lambda d: d["services"][0].update(quota=2))
    take(queue, "kunjungan")
    take(queue, "kunjungan")

    with pytest.raises(IssueRefused) as info:
        queue.issue("kunjungan")

    assert info.value.reason == "quota"
    assert len(store.tickets(DAY)) == 2


def test_given_a_quota_when_a_ticket_failed_to_print_then_it_does_not_use_up_a_place(tmp_path, clock):
    queue, store = open_queue(tmp_path, clock, lambda d: d["services"][0].update(quota=2))
    take(queue, "kunjungan")
    queue.void(queue.issue("kunjungan").ticket.id, "PRN-PAPER")

    assert queue.issue("kunjungan").ticket.label == "A-003"


def test_given_a_service_without_priority_when_a_priority_ticket_is_asked_then_it_is_refused(tmp_path, clock):
    queue, _ = open_queue(tmp_path, clock, lambda d: d["services"][1].update(priority=False))

    with pytest.raises(IssueRefused) as info:
        queue.issue("barang", priority=True)

    assert info.value.reason == "no_priority"


def test_given_an_unknown_service_when_a_ticket_is_asked_then_the_known_ones_are_listed(queue):
    with pytest.raises(UnknownName) as info:
        queue.issue("kantin")

    assert "kunjungan (A)" in str(info.value)


def test_given_a_prefix_letter_when_a_ticket_is_asked_then_it_names_the_service(queue):
    assert queue.issue("b").ticket.service == "barang"


def test_given_a_new_ticket_when_issued_then_it_waits_only_after_printing(queue):
    issued = queue.issue("barang")

    assert issued.ticket.state == "issued"
    assert queue.printed(issued.ticket.id).state == "waiting"


# --- people ahead and wait ------------------------------------------------------------

def test_given_three_waiting_when_a_ticket_is_issued_then_three_are_ahead_at_the_default_pace(queue):
    for _ in range(3):
        take(queue, "barang")

    issued = queue.issue("barang")

    assert (issued.ahead, issued.wait_minutes) == (3, 15)  # 3 x 5 min, one counter
    assert issued.content.ahead_text == "Antrian di depan Anda: 3"
    assert issued.content.wait_text == "Perkiraan waktu tunggu: 15\u00a0menit"  # never split at a line end


def test_given_nobody_waiting_when_a_ticket_is_issued_then_nobody_is_ahead(queue):
    issued = queue.issue("barang")

    assert (issued.ahead, issued.wait_minutes) == (0, 0)
    assert issued.content.ahead_text == "Tidak ada antrian di depan Anda"


def test_given_two_counters_for_a_service_when_estimating_then_they_share_the_queue(queue):
    for _ in range(3):
        take(queue, "kunjungan")

    assert queue.issue("kunjungan").wait_minutes == 8  # ceil(3 x 5 / 2)


def test_given_recent_service_times_when_estimating_then_they_replace_the_default(queue, clock):
    for minutes in (2, 4):
        take(queue, "barang")
        queue.call_next(1)
        clock.advance(minutes * 60)
    queue.call_next(1)  # serves the second one
    for _ in range(4):
        take(queue, "barang")

    assert queue.issue("barang").wait_minutes == 12  # 4 ahead x mean 3 min


def test_given_called_tickets_when_a_ticket_is_issued_then_they_are_no_longer_ahead(queue):
    for _ in range(3):
        take(queue, "barang")
    queue.call_next(1)

    assert queue.issue("barang").ahead == 2


# --- calling --------------------------------------------------------------------------

def test_given_tickets_of_several_services_when_a_counter_calls_then_the_oldest_it_serves_comes(queue, clock):
    c1 = take(queue, "informasi", clock)  # counter 1 does not serve informasi
    b1 = take(queue, "barang", clock)
    a1 = take(queue, "kunjungan", clock)

    calls = [queue.call_next(1), queue.call_next(1), queue.call_next(1)]

    assert [c.ticket.id if c else None for c in calls] == [b1.id, a1.id, None]
    assert queue.store.ticket(c1.id).state == "waiting"


def test_given_a_counter_serving_when_it_calls_next_then_its_current_ticket_is_served(queue, clock):
    first = take(queue, "barang", clock)
    take(queue, "barang", clock)
    queue.call_next(1)
    clock.advance(300)

    queue.call_next(1)

    done = queue.store.ticket(first.id)
    assert (done.state, done.finished_at) == ("served", clock.now)


def test_given_the_last_ticket_called_when_the_counter_calls_again_then_none_and_that_ticket_is_served(queue):
    ticket = take(queue, "barang")
    queue.call_next(1)

    assert queue.call_next(1) is None
    assert queue.store.ticket(ticket.id).state == "served"


def test_given_nobody_waiting_when_a_counter_calls_then_there_is_no_call(queue):
    assert queue.call_next(2) is None


def test_given_a_ticket_that_never_printed_when_a_counter_calls_then_it_is_not_called(queue):
    queue.issue("barang")

    assert queue.call_next(1) is None


def test_given_a_void_ticket_when_counters_call_then_it_is_never_called(queue):
    ticket = queue.issue("barang").ticket
    queue.void(ticket.id, "PRN-OFF")

    assert queue.call_next(1) is None
    assert queue.store.ticket(ticket.id).state == "void"
    with pytest.raises(IllegalTransition):
        queue.store.transition(ticket.id, "called", 1.0, counter=1)


def test_given_a_call_when_announced_then_the_text_names_number_and_counter_in_words(queue):
    for _ in range(12):
        take(queue, "kunjungan")
    for _ in range(11):
        queue.call_next(2)
        queue.skip(2)

    call = queue.call_next(2)

    assert (call.ticket.label, call.counter_name) == ("A-012", "Loket 2")
    assert call.text == "Nomor antrian A dua belas. A dua belas. Silakan menuju loket dua."


def test_given_two_counters_sharing_a_service_when_both_call_then_they_get_different_tickets(queue, clock):
    a1 = take(queue, "kunjungan", clock)
    a2 = take(queue, "kunjungan", clock)

    assert (queue.call_next(1).ticket.id, queue.call_next(2).ticket.id) == (a1.id, a2.id)


def test_given_a_called_ticket_when_recalled_then_it_stays_called_at_the_same_counter(queue, clock):
    ticket = take(queue, "barang", clock)
    first = queue.call_next(1)
    clock.advance(30)

    again = queue.recall(1)

    assert again.ticket.id == ticket.id and again.ticket.state == "called"
    assert again.ticket.called_at == first.ticket.called_at  # the wait ends at the first call
    assert again.text == first.text
    assert [e["type"] for e in queue.store.events(types=("called", "recalled"))] == ["called", "recalled"]


def test_given_no_current_ticket_when_recalled_then_nothing_happens(queue):
    assert queue.recall(1) is None


def test_given_a_visitor_who_does_not_come_when_skipped_then_the_ticket_is_skipped_and_the_counter_free(queue):
    ticket = take(queue, "barang")
    queue.call_next(1)

    skipped = queue.skip(1)

    assert (skipped.id, skipped.state) == (ticket.id, "skipped")
    assert queue.recall(1) is None
    assert queue.call_next(1) is None
    assert queue.store.ticket(ticket.id).state == "skipped"  # not turned into served


def test_given_no_current_ticket_when_skipped_then_nothing_happens(queue):
    assert queue.skip(2) is None


def test_given_an_unknown_counter_when_it_calls_then_the_known_ones_are_listed(queue):
    with pytest.raises(UnknownName) as info:
        queue.call_next(9)

    assert "known: 1, 2" in str(info.value)


def test_given_strict_policy_when_a_priority_ticket_waits_then_it_is_called_before_older_normal_ones(
        tmp_path, clock):
    queue, _ = open_queue(tmp_path, clock, lambda d: d.update(queue={"priority_policy": "strict"}))
    take(queue, "barang", clock)
    take(queue, "barang", clock)
    priority = take(queue, "barang", clock, priority=True)

    assert queue.call_next(1).ticket.id == priority.id


def test_given_interleave_and_a_frozen_clock_when_calling_then_one_priority_follows_every_two_normal(
        tmp_path, clock):
    # While the clock guard holds time still (clock behind) every call has the
    # same time: the order must come from the log, not from the timestamps.
    queue, _ = open_queue(tmp_path, clock)
    for priority in (True, False, False, False, False, True, True, False):
        take(queue, "barang", priority=priority)

    kinds = "".join("P" if queue.call_next(1).ticket.priority else "N" for _ in range(8))

    assert kinds == "NNPNNPNP"


# --- what the screen shows -------------------------------------------------------------

def test_given_the_lunch_break_when_availability_is_asked_then_visits_show_the_reopening_time(queue, clock):
    clock.now = wib(MON, 12)

    available = queue.availability()

    assert (available["kunjungan"].can_issue, available["kunjungan"].message) == (False, "Tutup, buka 13.00")
    assert available["barang"].can_issue and available["barang"].message == ""


def test_given_the_evening_when_availability_is_asked_then_the_next_day_is_named(queue, clock):
    clock.now = wib(MON, 16)

    assert queue.availability()["kunjungan"].message == "Tutup, buka Selasa 08.00"


def test_given_english_when_availability_is_asked_then_the_message_is_english(tmp_path, clock):
    queue, _ = open_queue(tmp_path, clock, language="en")
    clock.now = wib(MON, 12)

    assert queue.availability()["kunjungan"].message == "Closed, opens 13.00"


def test_given_the_quota_used_up_when_availability_is_asked_then_it_says_so(tmp_path, clock):
    queue, _ = open_queue(tmp_path, clock, lambda d: d["services"][1].update(quota=1))
    take(queue, "barang")

    available = queue.availability()["barang"]

    assert (available.can_issue, available.reason, available.message) == (False, "quota", "Kuota hari ini habis")
    assert available.waiting == 1


def test_given_several_calls_when_recent_calls_are_asked_then_newest_first_one_per_ticket(queue, clock):
    b1 = take(queue, "barang", clock)
    a1 = take(queue, "kunjungan", clock)
    queue.call_next(1)
    clock.advance(10)
    queue.call_next(2)
    clock.advance(10)
    queue.recall(1)

    recent = queue.recent_calls()

    assert [(c.ticket.id, c.counter_number) for c in recent] == [(b1.id, 1), (a1.id, 2)]
    assert recent[0].at == clock.now


def test_given_tickets_and_calls_when_status_is_asked_then_waiting_and_serving_are_shown(queue, clock):
    take(queue, "barang", clock)
    take(queue, "barang", clock)
    take(queue, "informasi", clock)
    queue.call_next(1)

    status = queue.status()

    assert status.day == DAY and status.clock_problem is None
    assert status.waiting == {"kunjungan": 0, "barang": 1, "informasi": 1}
    assert [(n, c.ticket.label if c else None) for n, c in status.serving] == [(1, "B-001"), (2, None)]


def test_given_a_swallowed_press_when_logged_then_it_is_in_the_event_log(queue):
    queue.log_press_ignored("barang", "too_fast", "gpio")

    event = queue.store.events(types=("press_ignored",))[0]

    assert (event["day"], event["data"]) == (DAY, {"target": "barang", "why": "too_fast", "source": "gpio"})


def test_given_a_call_at_a_counter_later_removed_when_listing_recent_calls_then_it_is_left_out(tmp_path, clock):
    from kiosk.core import config

    cfg = config.load_demo(database=tmp_path / "k.db")
    store = Store(cfg.storage.database)
    queue = QueueService(cfg, store, clock=clock)
    issued = queue.issue("integrasi")
    queue.printed(issued.ticket.id)
    assert queue.call_next(3) is not None
    fewer = dataclasses.replace(cfg, counters=cfg.counters[:2])
    assert [c.counter_number for c in QueueService(fewer, store, clock=clock).recent_calls()] == []
    assert [c.counter_number for c in queue.recent_calls()] == [3]
