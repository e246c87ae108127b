"""The business day (hari layanan) and the clock guard: the day never moves backwards."""
from datetime import datetime, timezone

import pytest

from core_helpers import MON, TUE, Clock, make_config, wib
from kiosk.core import business_day as bd
from kiosk.core.errors import IssueRefused
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

JKT = "Asia/Jakarta"
START = 180  # 03:00


# --- which day -------------------------------------------------------------

def test_given_a_time_before_the_day_start_when_the_day_is_computed_then_it_is_still_the_previous_day():
    assert bd.day_of(wib(TUE, 2, 59), JKT, START) == "2025-06-02"


def test_given_a_time_at_the_day_start_when_the_day_is_computed_then_the_new_day_has_begun():
    assert bd.day_of(wib(TUE, 3, 0), JKT, START) == "2025-06-03"


def test_given_a_day_start_at_midnight_when_the_day_is_computed_then_it_follows_the_calendar():
    assert bd.day_of(wib(TUE, 0, 1), JKT, 0) == "2025-06-03"
    assert bd.day_of(wib(MON, 23, 59), JKT, 0) == "2025-06-02"


def test_given_a_utc_evening_when_the_day_is_computed_then_jakarta_is_already_on_the_next_day():
    # 20:30 UTC on 2 June is 03:30 WIB on 3 June.
    now = datetime(2025, 6, 2, 20, 30, tzinfo=timezone.utc).timestamp()

    assert bd.day_of(now, JKT, START) == "2025-06-03"
    assert bd.day_of(now, "UTC", START) == "2025-06-02"


def test_given_a_utc_epoch_when_converted_then_local_time_is_utc_plus_seven():
    local = bd.local_time(datetime(2025, 6, 2, 1, 0, tzinfo=timezone.utc).timestamp(), JKT)

    assert (local.hour, local.utcoffset().total_seconds()) == (8, 7 * 3600)


# --- the guard -------------------------------------------------------------

def test_given_a_new_device_with_a_good_clock_when_resolved_then_there_is_no_problem():
    dc = bd.resolve(wib(MON, 9), JKT, START)

    assert dc == bd.DayClock(now=wib(MON, 9), day="2025-06-02", problem=None)


def test_given_a_clock_behind_the_last_event_when_resolved_then_day_and_time_are_kept_and_flagged_behind():
    last = wib(TUE, 10)

    dc = bd.resolve(wib(TUE, 8), JKT, START, last_day="2025-06-03", last_time=last, synced=True)

    assert (dc.day, dc.now, dc.problem) == ("2025-06-03", last, "behind")


def test_given_a_clock_that_fell_back_to_yesterday_when_resolved_then_the_day_does_not_move_backwards():
    dc = bd.resolve(wib(MON, 15), JKT, START, last_day="2025-06-03", last_time=wib(TUE, 9))

    assert (dc.day, dc.problem) == ("2025-06-03", "behind")


def test_given_a_clock_a_second_behind_when_resolved_then_it_is_jitter_and_time_stays_monotonic():
    last = wib(TUE, 10)

    dc = bd.resolve(last - 1.0, JKT, START, last_day="2025-06-03", last_time=last)

    assert (dc.now, dc.problem) == (last, None)


def test_given_a_clock_before_2025_and_no_history_when_resolved_then_it_is_invalid():
    dc = bd.resolve(datetime(2023, 1, 1).timestamp(), JKT, START)

    assert dc.problem == "invalid"


def test_given_a_clock_before_2025_with_history_when_resolved_then_the_last_day_is_kept():
    dc = bd.resolve(100.0, JKT, START, last_day="2025-06-03", last_time=wib(TUE, 9))

    assert (dc.day, dc.problem) == ("2025-06-03", "behind")
    assert dc.now >= wib(TUE, 9)


def test_given_an_unsynced_clock_on_the_same_day_when_resolved_then_the_day_is_kept_and_flagged():
    dc = bd.resolve(wib(TUE, 11), JKT, START, last_day="2025-06-03", last_time=wib(TUE, 10), synced=False)

    assert (dc.day, dc.problem) == ("2025-06-03", "unsynced")


def test_given_an_unsynced_clock_showing_a_later_day_when_resolved_then_the_later_day_is_taken():
    # A stale clock can only be behind, so a later day than the last one is real.
    dc = bd.resolve(wib(TUE, 9), JKT, START, last_day="2025-06-02", last_time=wib(MON, 14), synced=False)

    assert (dc.day, dc.problem) == ("2025-06-03", "unsynced")


def test_given_an_unsynced_clock_showing_an_earlier_day_when_resolved_then_the_last_day_is_kept():
    dc = bd.resolve(wib(MON, 9), JKT, START, last_day="2025-06-03", last_time=wib(TUE, 9), synced=False)

    assert (dc.day, dc.problem) == ("2025-06-03", "behind")


def test_given_history_written_by_an_unset_clock_when_resolved_then_it_is_not_leaned_on():
    dc = bd.resolve(500.0, JKT, START, last_day="1970-01-01", last_time=100.0)

    assert dc.problem == "invalid"


# --- through the queue service ---------------------------------------------

@pytest.fixture
def setup(tmp_path):
    cfg = make_config(tmp_path / "k.db")
    store = Store(cfg.storage.database)
    clock = Clock(wib(TUE, 10))
    yield QueueService(cfg, store, clock=clock), store, clock
    store.close()


def test_given_a_new_device_with_a_1970_clock_when_a_ticket_is_asked_then_it_is_refused_for_the_clock(setup):
    queue, store, clock = setup
    clock.now = 1000.0

    for _ in range(2):  # the refusal's own log entry must not become "history"
        with pytest.raises(IssueRefused) as info:
            queue.issue("barang")
        assert info.value.reason == "clock"
    assert store.tickets("1970-01-01") == []


def test_given_a_1970_clock_that_gets_fixed_when_a_ticket_is_asked_then_the_real_day_starts(setup):
    queue, store, clock = setup
    clock.now = 1000.0
    with pytest.raises(IssueRefused):
        queue.issue("barang")

    clock.now = wib(TUE, 10)
    issued = queue.issue("barang")

    assert (issued.ticket.day, issued.ticket.label) == ("2025-06-03", "B-001")
    assert queue.day_clock().problem is None


def test_given_the_clock_jumps_back_a_day_when_tickets_are_issued_then_day_and_numbering_continue(setup):
    queue, store, clock = setup
    first = queue.issue("barang").ticket
    clock.now = wib(MON, 22)  # a power cut restored yesterday's time
    queue = QueueService(queue.cfg, store, clock=clock)  # the kiosk restarts: only the store remembers

    second = queue.issue("barang").ticket

    assert (second.day, second.label) == (first.day, "B-002")
    assert second.issued_at >= first.issued_at
    assert queue.status().clock_problem == "behind"
    assert [e["data"]["problem"] for e in store.events(types=("clock_problem",))] == ["behind"]


def test_given_the_clock_passes_the_day_start_when_a_ticket_is_issued_then_numbering_restarts(setup):
    queue, store, clock = setup
    queue.issue("barang")
    queue.issue("barang")
    clock.now = wib(TUE + 1, 3, 0)

    ticket = queue.issue("barang").ticket

    assert (ticket.day, ticket.label) == ("2025-06-04", "B-001")
