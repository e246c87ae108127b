"""Queue rules: opening hours, quota, numbering, priority policy, wait estimate."""
from dataclasses import dataclass, replace

import pytest

from core_helpers import OFFICE_HOURS
from kiosk.core import config
from kiosk.core import rules
from kiosk.core.errors import IssueRefused
from kiosk.services.store import Store
from kiosk.core.tickets import format_label

MONDAY, TUESDAY, FRIDAY, SATURDAY, SUNDAY = 0, 1, 4, 5, 6
HOURS = config.Hours(**OFFICE_HOURS)
SERVICE = config.Service(code="kunjungan", prefix="A", name={"id": "Layanan Kunjungan"}, hours=HOURS)


def hm(text):
    return config.parse_hhmm(text)


def refusal(service=SERVICE, weekday=MONDAY, at="09:00", issued_today=0, priority=False):
    with pytest.raises(IssueRefused) as info:
        rules.check_issue(service, weekday, hm(at), issued_today, priority)
    return info.value


# --- opening hours -----------------------------------------------------------

@pytest.mark.parametrize("at, open_", [
    ("07:59", False), ("08:00", True), ("10:59", True), ("11:00", False), ("12:00", False),
    ("13:00", True), ("13:59", True), ("14:00", False),
])
def test_given_split_monday_sessions_when_asked_then_open_only_inside_them_and_the_end_minute_is_closed(at, open_):
    assert rules.is_open(HOURS, MONDAY, hm(at)) is open_


@pytest.mark.parametrize("at, open_", [("08:15", False), ("08:30", True), ("10:59", True), ("13:30", False)])
def test_given_short_friday_hours_when_asked_then_the_afternoon_is_closed(at, open_):
    assert rules.is_open(HOURS, FRIDAY, hm(at)) is open_


def test_given_an_empty_sunday_when_asked_then_it_is_closed_all_day():
    assert not any(rules.is_open(HOURS, SUNDAY, m) for m in range(0, 24 * 60, 15))


def test_given_a_lunch_break_when_the_next_opening_is_asked_then_it_is_this_afternoon():
    opening = rules.next_opening(HOURS, MONDAY, hm("12:00"))

    assert (opening.days_ahead, opening.weekday, opening.hhmm) == (0, MONDAY, "13.00")


def test_given_the_evening_when_the_next_opening_is_asked_then_it_is_tomorrow_morning():
    opening = rules.next_opening(HOURS, MONDAY, hm("15:00"))

    assert (opening.days_ahead, opening.weekday, opening.hhmm) == (1, TUESDAY, "08.00")


def test_given_saturday_afternoon_when_the_next_opening_is_asked_then_closed_sunday_is_skipped():
    opening = rules.next_opening(HOURS, SATURDAY, hm("12:00"))

    assert (opening.days_ahead, opening.weekday, opening.hhmm) == (2, MONDAY, "08.00")


def test_given_hours_with_no_session_at_all_when_the_next_opening_is_asked_then_there_is_none():
    assert rules.next_opening(config.Hours(), MONDAY, hm("09:00")) is None


# --- refusals ------------------------------------------------------------------

def test_given_open_hours_and_room_in_the_quota_when_checked_then_issuing_is_allowed():
    rules.check_issue(replace(SERVICE, quota=10), MONDAY, hm("09:00"), 9, False)


def test_given_a_disabled_service_when_checked_then_it_is_refused_as_closed():
    assert refusal(replace(SERVICE, enabled=False)).reason == "closed"


def test_given_a_service_without_any_session_when_checked_then_it_is_refused_as_closed():
    assert refusal(replace(SERVICE, hours=config.Hours())).reason == "closed"


def test_given_the_lunch_break_when_checked_then_it_is_refused_with_the_reopening_time():
    refused = refusal(at="12:15")

    assert (refused.reason, refused.detail) == ("outside_hours", "13.00")


def test_given_the_evening_when_checked_then_the_refusal_names_the_next_day():
    refused = refusal(at="16:00")

    assert (refused.reason, refused.detail) == ("outside_hours", "tue 08.00")


def test_given_friday_afternoon_when_checked_then_it_is_refused_until_saturday():
    refused = refusal(weekday=FRIDAY, at="13:30")

    assert (refused.reason, refused.detail) == ("outside_hours", "sat 08.30")


def test_given_the_quota_used_up_when_checked_then_it_is_refused_for_quota():
    refused = refusal(replace(SERVICE, quota=10), issued_today=10)

    assert (refused.reason, refused.detail) == ("quota", "10")


def test_given_no_quota_when_many_tickets_were_issued_then_issuing_is_still_allowed():
    rules.check_issue(replace(SERVICE, quota=0), MONDAY, hm("09:00"), 5000, False)


def test_given_a_service_without_priority_when_a_priority_ticket_is_asked_then_it_is_refused():
    assert refusal(replace(SERVICE, priority=False), priority=True).reason == "no_priority"


# --- numbering ----------------------------------------------------------------------

def test_given_no_ticket_yet_when_numbering_then_the_range_start_is_first():
    assert rules.next_number(None, 5, 9) == (0, 5)


def test_given_a_last_number_inside_the_range_when_numbering_then_the_next_follows():
    assert rules.next_number(6, 5, 9) == (0, 7)


def test_given_the_range_end_when_numbering_then_it_wraps_to_the_start_in_a_new_cycle():
    assert rules.next_number(9, 5, 9) == (1, 5)


def test_given_a_number_when_labelled_then_it_is_prefix_dash_three_digits():
    assert [format_label("A", n) for n in (1, 12, 999, 1000)] == ["A-001", "A-012", "A-999", "A-1000"]


@pytest.fixture
def small_range(tmp_path):
    store = Store(tmp_path / "k.db")
    yield store, config.Service(code="kunjungan", prefix="A", name={"id": "K"}, number_start=1, number_end=3)
    store.close()


def _issue_waiting(store, service, now):
    ticket = store.issue("2025-06-02", service, False, now)
    return store.transition(ticket.id, "printed", now)


def test_given_a_range_whose_first_numbers_are_finished_when_it_wraps_then_numbering_restarts(small_range):
    store, service = small_range
    first = [_issue_waiting(store, service, 100.0 + i) for i in range(3)]
    for t in first:
        store.transition(t.id, "called", 200.0, counter=1)
        store.transition(t.id, "served", 201.0, counter=1)

    wrapped = [_issue_waiting(store, service, 300.0 + i) for i in range(2)]

    assert [t.label for t in first + wrapped] == ["A-001", "A-002", "A-003", "A-001", "A-002"]


def test_given_a_wrapped_number_still_waiting_when_a_ticket_is_asked_then_it_is_refused_range_full(small_range):
    store, service = small_range
    for i in range(3):
        _issue_waiting(store, service, 100.0 + i)

    with pytest.raises(IssueRefused) as info:
        store.issue("2025-06-02", service, False, 200.0)

    assert (info.value.reason, info.value.detail) == ("range_full", "A-001")
    assert len(store.tickets("2025-06-02")) == 3


# --- priority policy -------------------------------------------------------------------

@dataclass(frozen=True)
class T:
    id: int
    priority: bool


WAITING = [T(1, False), T(2, True), T(3, False), T(4, True)]  # oldest first


def test_given_strict_policy_when_a_priority_ticket_waits_then_it_goes_first():
    assert rules.choose_next(WAITING, "strict", 2, normal_streak=0).id == 2


@pytest.mark.parametrize("streak, chosen", [(0, 1), (1, 1), (2, 2), (5, 2)])
def test_given_interleave_every_two_when_choosing_then_priority_comes_after_two_normal_calls(streak, chosen):
    assert rules.choose_next(WAITING, "interleave", 2, normal_streak=streak).id == chosen


def test_given_only_priority_tickets_when_interleaving_then_the_oldest_priority_is_called():
    assert rules.choose_next([T(2, True), T(4, True)], "interleave", 3, normal_streak=0).id == 2


def test_given_only_normal_tickets_when_strict_then_the_oldest_normal_is_called():
    assert rules.choose_next([T(1, False), T(3, False)], "strict", 2, normal_streak=0).id == 1


def test_given_nobody_waiting_when_choosing_then_there_is_no_ticket():
    assert rules.choose_next([], "strict", 2, normal_streak=0) is None


# --- wait estimate -----------------------------------------------------------------------

def test_given_no_history_when_estimating_then_the_configured_minutes_per_visitor_are_used():
    assert rules.estimate_wait_minutes(4, [], 5.0, 1) == 20


def test_given_recent_service_times_when_estimating_then_their_mean_is_used():
    # 2 and 4 minutes: 3 minutes each, four people ahead.
    assert rules.estimate_wait_minutes(4, [120.0, 240.0], 5.0, 1) == 12


def test_given_several_counters_when_estimating_then_they_work_in_parallel_rounded_up():
    assert rules.estimate_wait_minutes(5, [], 5.0, 2) == 13


def test_given_nobody_ahead_when_estimating_then_the_wait_is_zero():
    assert rules.estimate_wait_minutes(0, [600.0], 5.0, 1) == 0


def test_given_values_when_the_median_is_asked_then_odd_even_and_empty_work():
    assert (rules.median([5, 1, 3]), rules.median([4, 1, 3, 2]), rules.median([])) == (3, 2.5, None)


def test_given_a_session_ending_at_24_00_when_checked_at_23_59_then_it_is_open():
    from kiosk.core.config import Hours

    hours = Hours(mon=["00:00-24:00"])
    assert rules.is_open(hours, 0, 23 * 60 + 59)
    assert not rules.is_open(hours, 1, 0)  # Tuesday is not configured
