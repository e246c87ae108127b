"""Queue rules: opening hours, quota, numbering, priority, wait estimate. Pure.

Everything here takes plain values and returns decisions, so it is tested
without a database, a clock or any fake.
"""
import math
from dataclasses import dataclass
from typing import Optional

from kiosk.core.config import WEEKDAYS
from kiosk.core import tickets as T
from kiosk.core.errors import IssueRefused, OperationRefused


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


# --- counter staff (issue 15): calling order with transfers, closed counters ---

def queue_order(waiting):
    """Waiting tickets in the order they are called (see tickets.queue_key):
    transfers to the front first, then by original issue time."""
    return sorted(waiting, key=T.queue_key)


def open_counters(counters, closed):
    """The counters (config.Counter) not in the ``closed`` set of numbers."""
    return [c for c in counters if c.number not in closed]


def check_counters_open(service, counters_serving, closed):
    """Raise IssueRefused("counters_closed") when every counter serving
    ``service`` is closed: the kiosk must not promise a service nobody calls."""
    if counters_serving and not open_counters(counters_serving, closed):
        raise IssueRefused("counters_closed")


def check_counter_open(counter, closed):
    """A closed counter calls nobody."""
    if counter.number in closed:
        raise OperationRefused("counter_closed", f"counter {counter.number} is closed; open it first",
                               counter=counter.number)


def check_call_ticket(ticket, day, counter, closed):
    """Raise OperationRefused unless ``ticket`` may be called now at ``counter``:
    a ticket of business day ``day``, waiting or skipped, in a service the
    counter serves, and the counter open."""
    label = ticket.label
    check_counter_open(counter, closed)
    if ticket.day != day:
        raise OperationRefused("not_today", f"{label} is a ticket of {ticket.day}; only today's "
                               f"({day}) tickets can be called", label=label, day=ticket.day)
    if ticket.state == T.VOID:
        raise OperationRefused("void", f"{label} is void (its ticket never printed); it cannot be called",
                               label=label)
    if ticket.state == T.CALLED:
        raise OperationRefused("being_served", f"{label} is already being served at counter "
                               f"{ticket.counter}", label=label, counter=ticket.counter)
    if ticket.state == T.SERVED:
        raise OperationRefused("already_served", f"{label} was already served", label=label)
    if ticket.state == T.ISSUED:
        raise OperationRefused("not_printed", f"{label} is still being printed", label=label)
    if ticket.current_service not in counter.services:
        raise OperationRefused("not_served_here", f"{label} is for service {ticket.current_service}, "
                               f"which counter {counter.number} does not serve; transfer it first",
                               label=label, service=ticket.current_service, counter=counter.number)


def check_transfer(ticket, day, target, counters_serving, closed):
    """Raise OperationRefused unless the called ``ticket`` can move to service
    ``target`` (config.Service): today's ticket, now being served, another
    service, and that service open (enabled, with an open counter)."""
    label = ticket.label
    if ticket.day != day:
        raise OperationRefused("not_today", f"{label} is a ticket of {ticket.day}; only today's "
                               f"({day}) tickets can be transferred", label=label, day=ticket.day)
    if ticket.state != T.CALLED:
        raise OperationRefused("not_called", f"{label} is {ticket.state}; only a ticket being served "
                               "(called) can be transferred", label=label, state=ticket.state)
    if ticket.current_service == target.code:
        raise OperationRefused("same_service", f"{label} is already in service {target.code}",
                               label=label, service=target.code)
    if not target.enabled or not open_counters(counters_serving, closed):
        raise OperationRefused("service_closed", f"service {target.code} is closed (no open counter "
                               "serves it)", label=label, service=target.code)
