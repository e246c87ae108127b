"""Counter staff operations (issue 15): transfer a ticket to another service,
call a chosen number, open and close a counter, and what a counter's staff
page shows. A mixin of ``kiosk.services.queue_service.QueueService``.

Each operation is one store transaction: the checks read the ticket and the
counters under the write lock, so when two counters call the same number at
the same moment one wins and the other is refused with nothing changed.
"""
import re
from dataclasses import dataclass
from typing import Any, Optional

from kiosk.core import rules
from kiosk.core import tickets as T
from kiosk.core.errors import OperationRefused, UnknownName

# The QR on a ticket: PTSP1:<YYYYMMDD>:<label> (see machine_api.md).
_QR_RE = re.compile(r"^PTSP1:(\d{4})(\d{2})(\d{2}):([A-Za-z]-?\d{1,4})$", re.ASCII)
_LABEL_RE = re.compile(r"^([A-Za-z])-?(\d{1,4})$", re.ASCII)


@dataclass(frozen=True)
class Transfer:
    """A ticket moved to another service's queue; it keeps its label."""

    ticket: T.Ticket
    from_service: str
    to_service: str
    position: str  # tickets.TRANSFER_ORIGINAL | TRANSFER_FRONT
    counter: Optional[int]


@dataclass(frozen=True)
class CounterChange:
    """A counter opened or closed. ``changed`` is False when it already was;
    ``finished``: the label of the ticket marked served as the counter closed."""

    counter: int
    open: bool
    changed: bool
    finished: str = ""


@dataclass(frozen=True)
class CounterView:
    """What a counter's staff page shows (plain values)."""

    counter: int
    name: str
    open: bool
    current: Optional[dict]  # {"label", "service", "called_at", "priority"} or None
    waiting: dict  # service code -> waiting, for the services this counter serves
    last_calls: list  # [{"label", "at"}], newest first, calls at this counter
    services: list  # [{"code", "prefix", "open"}] every service (transfer targets)
    day: str


def parse_label(text):
    """'A-012', 'a12' or a scanned 'PTSP1:20261201:A-012' -> (label, day or None).

    Raises UnknownName with a readable message for anything else (NUL bytes,
    huge numbers, free text).
    """
    if not isinstance(text, str) or len(text) > 40:
        raise UnknownName("not a ticket number like A-012")
    raw = text.strip()
    day = None
    qr = _QR_RE.fullmatch(raw.upper())
    if qr:
        day = f"{qr.group(1)}-{qr.group(2)}-{qr.group(3)}"
        raw = qr.group(4)
    m = _LABEL_RE.fullmatch(raw)
    if not m:
        raise UnknownName(f"{text!r} is not a ticket number like A-012")
    return T.format_label(m.group(1).upper(), int(m.group(2))), day


class CounterOperations:
    """Methods QueueService gains for counter staff."""

    # Provided by QueueService (annotations only).
    cfg: Any
    store: Any
    day_clock: Any
    _call: Any

    def closed_counters(self, day=None):
        """Numbers of the counters closed today (or on ``day``)."""
        return self.store.closed_counters(day or self.day_clock().day)

    def _find_today(self, text, day):
        try:
            label, asked_day = parse_label(text)
        except UnknownName as e:
            raise OperationRefused("bad_label", str(e)) from None
        if asked_day and asked_day != day:
            raise OperationRefused("not_today", f"{label} is a ticket of {asked_day}; only today's ({day}) "
                                   "tickets can be used", label=label, day=asked_day)
        try:
            return self.store.find(label, day=day)
        except UnknownName:
            pass
        try:
            other = self.store.find(label)
        except UnknownName:
            raise OperationRefused("unknown_ticket", f"no ticket {label} today", label=label) from None
        raise OperationRefused("not_today", f"{label} is a ticket of {other.day}; only today's ({day}) "
                               "tickets can be used", label=label, day=other.day)

    def transfer(self, to_service, label=None, counter_number=None):
        """Send a called ticket to another service's queue (it keeps its label).

        Give the ``label``, or the ``counter_number`` whose current ticket moves
        (both: the label must be that counter's). Where it queues follows
        ``[queue] transfer_position``. OperationRefused or UnknownName when it
        cannot move; nothing changes then.
        """
        target = self.cfg.service(to_service)
        counter = self.cfg.counter(counter_number) if counter_number is not None else None
        dc = self.day_clock()
        front = self.cfg.queue.transfer_position == T.TRANSFER_FRONT
        with self.store.transaction():
            if label is not None:
                ticket = self._find_today(label, dc.day)
                if counter is not None and (ticket.state != T.CALLED or ticket.counter != counter.number):
                    raise OperationRefused("not_called", f"{ticket.label} is not being served at counter "
                                           f"{counter.number}", label=ticket.label, counter=counter.number)
            elif counter is not None:
                ticket = self.store.current(dc.day, counter.number)
                if ticket is None:
                    raise OperationRefused("no_current", f"counter {counter.number} is serving nobody",
                                           counter=counter.number)
            else:
                raise ValueError("transfer needs a label or a counter")
            closed = self.store.closed_counters(dc.day)
            rules.check_transfer(ticket, dc.day, target, self.cfg.counters_for(target.code), closed)
            moved = self.store.transfer(ticket, target.code, front, dc.now, counter=ticket.counter)
        return Transfer(moved, ticket.current_service, target.code,
                        T.TRANSFER_FRONT if front else T.TRANSFER_ORIGINAL, ticket.counter)

    def call_ticket(self, counter_number, label):
        """Call a chosen number (waiting or skipped, today) at a counter; the
        counter's current ticket is served first, as with call next.

        Returns the Call; OperationRefused or UnknownName with nothing changed.
        """
        counter = self.cfg.counter(counter_number)
        dc = self.day_clock()
        with self.store.transaction():
            ticket = self._find_today(label, dc.day)
            rules.check_call_ticket(ticket, dc.day, counter, self.store.closed_counters(dc.day))
            current = self.store.current(dc.day, counter.number)
            if current is not None:
                self.store.transition(current.id, "served", dc.now, counter=counter.number, current=current)
            return self._call(ticket, counter, "called", dc.now)

    def set_counter_open(self, counter_number, is_open):
        """Open or close a counter for the rest of the business day.

        A closed counter receives no call; a service whose every counter is
        closed issues no ticket ("Loket tutup"). Closing marks the ticket the
        counter was serving as served.
        """
        counter = self.cfg.counter(counter_number)
        dc = self.day_clock()
        finished = ""
        with self.store.transaction():
            if not is_open:
                current = self.store.current(dc.day, counter.number)
                if current is not None and counter.number not in self.store.closed_counters(dc.day):
                    self.store.transition(current.id, "served", dc.now, counter=counter.number, current=current)
                    finished = current.label
            changed = self.store.set_counter_open(dc.day, counter.number, is_open, dc.now)
        return CounterChange(counter.number, bool(is_open), changed, finished)

    def counter_view(self, counter_number, last=5):
        """What the staff page of a counter shows; reads only."""
        counter = self.cfg.counter(counter_number)
        dc = self.day_clock()
        closed = self.store.closed_counters(dc.day)
        current = self.store.current(dc.day, counter.number)
        waiting = self.store.waiting_by_service(dc.day)
        calls = [{"label": t.label, "at": at}
                 for t, n, at, _ in self.store.recent_calls(dc.day, 50) if n == counter.number][:last]
        services = [{"code": s.code, "prefix": s.prefix,
                     "open": s.enabled and bool(rules.open_counters(self.cfg.counters_for(s.code), closed))}
                    for s in self.cfg.services]
        return CounterView(
            counter=counter.number, name=self.cfg.counter_name(counter), open=counter.number not in closed,
            current=None if current is None else {
                "label": current.label, "service": current.current_service, "called_at": current.called_at,
                "priority": current.priority},
            waiting={code: waiting.get(code, 0) for code in counter.services},
            last_calls=calls, services=services, day=dc.day)
