"""Queue rules: opening hours, quota, numbering, priority, wait estimate. Pure.

Everything here takes plain values and returns decisions, so it is tested
without a database, a clock or any fake.
"""
import math
from dataclasses import dataclass
from typing import Optional

from kiosk.core.config import WEEKDAYS
from kiosk.core.errors import IssueRefused


@dataclass(frozen=True)
class Opening:
    """When a closed service opens next: ``days_ahead`` 0 is today."""

    days_ahead: int
    weekday: int
    minutes: int

    @property
    def hhmm(self):
        return f"{self.minutes // 60:02d}.{self.minutes % 60:02d}"


def is_open(hours, weekday, minutes):
    """Whether local time ``minutes`` after midnight on ``weekday`` (0=Mon) is
    inside a session. A session's end minute itself is closed."""
    return any(start <= minutes < end for start, end in hours.sessions(weekday))


def next_opening(hours, weekday, minutes):
    """The next session start after this moment within a week, or None."""
    for ahead in range(0, 8):
        day = (weekday + ahead) % 7
        for start, _ in hours.sessions(day):
            if ahead > 0 or start > minutes:
                return Opening(ahead, day, start)
    return None


def check_issue(service, weekday, minutes, issued_today, priority):
    """Raise IssueRefused when ``service`` cannot issue a ticket now.

    ``issued_today`` counts the tickets of the business day that were not
    voided: a ticket that failed to print never takes a place in the room.
    """
    if not service.enabled:
        raise IssueRefused("closed")
    if priority and not service.priority:
        raise IssueRefused("no_priority")
    if not is_open(service.hours, weekday, minutes):
        opening = next_opening(service.hours, weekday, minutes)
        if opening is None:
            raise IssueRefused("closed")
        detail = opening.hhmm if opening.days_ahead == 0 else f"{WEEKDAYS[opening.weekday]} {opening.hhmm}"
        raise IssueRefused("outside_hours", detail)
    if service.quota and issued_today >= service.quota:
        raise IssueRefused("quota", str(service.quota))


def next_number(last, start, end):
    """(cycle step, number) after ``last`` (None: first of the day).

    After ``end`` numbering wraps to ``start`` and the cycle goes up by one, so
    the (day, service, cycle, number) key stays unique.
    """
    if last is None:
        return 0, start
    if last >= end:
        return 1, start
    return 0, last + 1


def choose_next(waiting, policy, every, normal_streak):
    """The ticket to call next from ``waiting`` (oldest first), or None.

    strict: any waiting priority ticket goes first.
    interleave: a priority ticket goes after ``every`` normal calls in a row
    (``normal_streak``) or when no normal ticket waits, so priority neither
    jumps everyone nor sinks to the back.
    """
    priority = next((t for t in waiting if t.priority), None)
    normal = next((t for t in waiting if not t.priority), None)
    if priority is None or normal is None:
        return priority or normal
    if policy == "strict" or normal_streak >= every:
        return priority
    return normal


def ahead_of(waiting_count, called_count=0):
    """People ahead of a new ticket: everyone still waiting for its counters."""
    return waiting_count + called_count


def estimate_wait_minutes(ahead, recent_service_seconds, default_minutes, counters):
    """Minutes until a new ticket is likely called.

    Uses the mean of recent service times when there are any, otherwise the
    configured default; counters that serve the service work in parallel.
    """
    if recent_service_seconds:
        per_person = sum(recent_service_seconds) / len(recent_service_seconds) / 60.0
    else:
        per_person = default_minutes
    return int(math.ceil(ahead * per_person / max(1, counters)))


def median(values) -> Optional[float]:
    """The median of ``values`` or None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
