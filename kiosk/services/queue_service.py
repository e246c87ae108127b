"""The queue operations the app and the command line use: rules + store.

Each operation is one store transaction, so the kiosk and a technician's
command in a second process never hand out a number twice or call the same
ticket at two counters.
"""
import time
from dataclasses import dataclass, field
from typing import Optional

from kiosk.core import business_day

from kiosk.core import rules

from kiosk.core import texts
from kiosk.core import tickets as T
from kiosk.core.config import parse_hhmm
from kiosk.core.errors import IssueRefused, UnknownName
from kiosk.core.ticket_content import build_content
from kiosk.core.tickets import Ticket, TicketContent
from kiosk.services.queue_counters import CounterOperations
from kiosk.services.clock_state import correct_clock
from kiosk.services.store_prints import RecoveryReport


@dataclass(frozen=True)
class Issued:
    """A ticket just stored (state issued) and what to print on it."""

    ticket: Ticket
    content: TicketContent
    ahead: int
    wait_minutes: int


@dataclass(frozen=True)
class Call:
    """A ticket called (or called again) to a counter."""

    ticket: Ticket
    counter_number: int
    counter_name: str
    text: str  # the announcement
    at: float
    call_id: int = 0  # the call's event sequence number: increases with every call and recall


@dataclass(frozen=True)
class Availability:
    """Whether a service can issue now, and what to show when not."""

    can_issue: bool
    reason: Optional[str]  # IssueRefused.reason
    detail: str
    message: str  # for visitors, in the device language ("Tutup, buka 13.00")
    waiting: int
    priority_ok: bool


@dataclass(frozen=True)
class Status:
    day: str
    waiting: dict  # service code -> tickets waiting
    serving: list  # one (counter number, Call or None) per counter
    clock_problem: Optional[str]
    counts: dict = field(default_factory=dict)  # service -> {state: n}


class QueueService(CounterOperations):
    """Queue operations on one Store; use it from the thread that owns the store.

    The counter staff operations (transfer, call a chosen number, open and
    close a counter) come from kiosk.services.queue_counters."""

    def __init__(self, cfg, store, clock=time.time, clock_synced=None):
        """``clock()`` returns UTC epoch seconds; ``clock_synced()`` returns
        True/False/None (see kiosk.services.clock_state)."""
        self.cfg = cfg
        self.store = store
        self.clock = clock
        self.clock_synced = clock_synced or (lambda: None)
        self.day_start = parse_hhmm(cfg.device.business_day_start)
        self._logged_problem = None

    # --- time --------------------------------------------------------------

    def day_clock(self):
        """The guarded time and business day; logs a clock problem once per kind."""
        last_day, last_time = self.store.last_event()
        synced = self.clock_synced()
        dc = business_day.resolve(self.clock(), self.cfg.device.timezone, self.day_start,
                                  last_day, last_time, synced)
        if dc.corrected_from is not None:
            dc = correct_clock(self.store, dc, lambda last: business_day.resolve(
                self.clock(), self.cfg.device.timezone, self.day_start, *last, synced))
        if dc.problem != self._logged_problem:
            self._logged_problem = dc.problem
            if dc.problem in (business_day.CLOCK_BEHIND, business_day.CLOCK_INVALID):
                self.store.log("clock_problem", dc.now, day=dc.day, problem=dc.problem, clock=self.clock())
        return dc

    def _local(self, dc):
        return business_day.local_time(dc.now, self.cfg.device.timezone)

    # --- issuing -----------------------------------------------------------

    def _check(self, service, dc, priority, issued_today):
        if dc.problem == business_day.CLOCK_INVALID:
            raise IssueRefused("clock", "the clock is not set")
        local = self._local(dc)
        rules.check_issue(service, local.weekday(), local.hour * 60 + local.minute, issued_today, priority)
        # Open hours, but every counter of the service closed: promise nothing.
        rules.check_counters_open(service, self.cfg.counters_for(service.code), self.store.closed_counters(dc.day))

    def _wait(self, service, ahead):
        recent = self.store.recent_service_seconds(service.code, self.cfg.queue.estimate_window)
        return rules.estimate_wait_minutes(ahead, recent, service.service_minutes,
                                           len(self.cfg.counters_for(service.code)))

    def issue(self, service_code, priority=False, unprinted=False):
        """Store a ticket for a service and return it with its content.

        ``unprinted``: a ticket from a script (``ptsp-kiosk issue``), which no
        printer will print: it is callable at once (state waiting, event
        ``issued_unprinted``), in the same transaction, so it is never left
        ``issued`` for recovery at start to void.

        Raises IssueRefused (closed, outside_hours, quota, no_priority,
        range_full, clock) or UnknownName.
        """
        service = self.cfg.service(service_code)
        dc = self.day_clock()
        with self.store.transaction():
            # Everyone of the service not yet called is ahead, printing or waiting.
            issued_today, ahead = self.store.counts_for_issue(dc.day, service.code)
            self._check(service, dc, priority, issued_today)
            wait = self._wait(service, ahead)
            ticket = self.store.issue(dc.day, service, priority, dc.now)
            if unprinted:
                ticket = self.store.transition(ticket.id, "issued_unprinted", dc.now, current=ticket)
        return Issued(ticket, build_content(self.cfg, ticket, ahead, wait), ahead, wait)

    def content_for(self, ticket, copy=False):
        """What to print for an existing ticket (a reprint): the people ahead of
        it now, and the wait they mean; nobody is ahead of a ticket already called."""
        ahead = 0
        if ticket.state in (T.ISSUED, T.WAITING):
            unfinished = self.store.tickets(ticket.day, states=(T.ISSUED, T.WAITING), services=[ticket.service])
            ahead = sum(1 for t in unfinished if t.id < ticket.id)
        wait = self._wait(self.cfg.service(ticket.service), ahead)
        return build_content(self.cfg, ticket, ahead, wait, copy=copy)

    # --- print outcomes (ticket-in-hand rule, kiosk.services.store_prints) --------

    def printed(self, ticket_id):
        """The ticket came out of the printer: it now waits to be called."""
        return self.store.settle_print(ticket_id, "printed", self.day_clock().now)

    def void(self, ticket_id, reason):
        """Printing failed before any byte went out: the number is never called.
        A ticket whose printing had started becomes uncertain instead."""
        return self.store.settle_print(ticket_id, "void", self.day_clock().now, reason)

    def uncertain(self, ticket_id, reason):
        """Printing failed or timed out after it started: callable, marked uncertain."""
        return self.store.settle_print(ticket_id, "uncertain", self.day_clock().now, reason)

    def record_print_outcome(self, ticket_id, outcome, reason=""):
        """Settle a ticket by the print worker's outcome: printed | void | uncertain."""
        return self.store.settle_print(ticket_id, outcome, self.day_clock().now, reason)

    def recover_interrupted(self):
        """Once, when the kiosk starts: settle what the last run left ``issued``
        (printing started -> waiting, uncertain; only queued -> void)."""
        return RecoveryReport(tuple(self.store.recover_interrupted(self.day_clock().now)))

    def availability(self):
        """{service code: Availability} for the home screen and lights."""
        dc = self.day_clock()
        lang = self.cfg.device.language
        counts = self.store.count_by_state(dc.day)
        in_queue = self.store.waiting_by_service(dc.day)  # transfers count where they wait
        out = {}
        for service in self.cfg.services:
            states = counts.get(service.code, {})
            waiting = in_queue.get(service.code, 0)
            # The quota counts what counts_for_issue() counts: every ticket but void ones.
            issued_today = sum(n for state, n in states.items() if state != T.VOID)
            try:
                self._check(service, dc, False, issued_today)
            except IssueRefused as e:
                out[service.code] = Availability(False, e.reason, e.detail, refusal_text(e, lang),
                                                 waiting, False)
            else:
                out[service.code] = Availability(True, None, "", "", waiting, service.priority)
        return out

    # --- calling -----------------------------------------------------------

    def _call(self, ticket, counter, verb, now):
        # Always called inside the caller's transaction, where ``ticket`` was read.
        ticket = self.store.transition(ticket.id, verb, now, counter=counter.number, current=ticket)
        return self._as_call(ticket, counter, now, self.store.latest_seq(ticket.id))

    def _as_call(self, ticket, counter, at, call_id=0):
        text = texts.announcement(ticket.prefix, ticket.number, counter.number, self.cfg.device.language)
        return Call(ticket, counter.number, self.cfg.counter_name(counter), text, at, call_id)

    def call_next(self, counter_number):
        """Finish the counter's current ticket (served) and call the next one.

        Returns the Call, or None when nobody waits for this counter (logged
        as ``nobody_waiting``). OperationRefused("counter_closed") when the
        counter is closed: a closed counter never receives a call.
        """
        counter = self.cfg.counter(counter_number)
        dc = self.day_clock()
        q = self.cfg.queue
        with self.store.transaction():
            rules.check_counter_open(counter, self.store.closed_counters(dc.day))  # OperationRefused
            current = self.store.current(dc.day, counter.number)
            if current is not None:
                self.store.transition(current.id, "served", dc.now, counter=counter.number, current=current)
            # Transfers to the front first, then by original issue time.
            waiting = rules.queue_order(self.store.tickets(dc.day, states=(T.WAITING,), services=counter.services))
            streak = self.store.normal_streak(dc.day, counter.number, q.priority_every)
            chosen = rules.choose_next(waiting, q.priority_policy, q.priority_every, streak)
            if chosen is None:
                self.store.log_nobody_waiting(dc.day, counter.number, dc.now)
                return None
            return self._call(chosen, counter, "called", dc.now)

    def recall(self, counter_number):
        """Call the counter's current ticket again (panggil ulang), or None."""
        counter = self.cfg.counter(counter_number)
        dc = self.day_clock()
        with self.store.transaction():
            current = self.store.current(dc.day, counter.number)
            return self._call(current, counter, "recalled", dc.now) if current else None

    def skip(self, counter_number):
        """The counter's current visitor did not come (lewati); returns that ticket or None."""
        counter = self.cfg.counter(counter_number)
        dc = self.day_clock()
        with self.store.transaction():
            current = self.store.current(dc.day, counter.number)
            if current is None:
                return None
            return self.store.transition(current.id, "skipped", dc.now, counter=counter.number)

    # --- looking -----------------------------------------------------------

    def status(self):
        """Waiting per service and now serving per counter."""
        dc = self.day_clock()
        counts = self.store.count_by_state(dc.day)
        in_queue = self.store.waiting_by_service(dc.day)  # transfers count where they wait
        waiting = {s.code: in_queue.get(s.code, 0) for s in self.cfg.services}
        serving = []
        for counter in self.cfg.counters:
            current = self.store.current(dc.day, counter.number)
            serving.append((counter.number, self._as_call(current, counter, current.called_at) if current else None))
        return Status(dc.day, waiting, serving, dc.problem, counts)

    def recent_calls(self, limit=10):
        """The latest ``limit`` calls (newest first) of the business day, one
        per ticket, less those at counters no longer configured."""
        calls = []
        for ticket, counter_number, at, call_id in self.store.recent_calls(self.day_clock().day, limit):
            try:
                counter = self.cfg.counter(counter_number)
            except UnknownName:  # a counter removed from the config since: nothing to show
                continue
            calls.append(self._as_call(ticket, counter, at, call_id))
        return calls

    def log_press_ignored(self, target, why, source):
        """Count a swallowed press (button mashing) in the log."""
        dc = self.day_clock()
        self.store.log("press_ignored", dc.now, day=dc.day, target=target, why=why, source=source)


def refusal_text(refused, language):
    """What a visitor reads when a service cannot issue."""
    if refused.reason == "outside_hours":
        when = refused.detail
        if " " in when:  # "mon 08.00": another day
            day, hhmm = when.split(" ")
            from kiosk.core.config import WEEKDAYS

            when = f"{texts.DAYS[language][WEEKDAYS.index(day)]} {hhmm}"
        return texts.text("outside_hours", language, when=when)
    if refused.reason in texts.TEXTS:
        return texts.text(refused.reason, language)
    return texts.text("closed", language)
