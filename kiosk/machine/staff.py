"""Counter staff requests in the runtime machine (issue 15): transfer, call a
chosen number, open and close a counter, the staff page's view.

Pure like the rest of the machine: each handler turns an event into effects
executed by the shell with QueueService (kiosk.services.queue_counters), and
turns their results into a Reply for the staff page that waits for it. Calls
made here come back as ``Called`` and so are announced and shown exactly like
a button's.
"""
from __future__ import annotations

from typing import Any

from kiosk.core import events as E
from kiosk.core.errors import UnknownName
from kiosk.machine import effects as F


def _reply(event: Any, ok: bool, message: str = "", data: Any = None) -> list:
    request_id = getattr(event, "request_id", "")
    return [F.Reply(request_id, ok, message, data)] if request_id else []


def _known_counter(machine: Any, event: Any) -> bool:
    try:
        machine.cfg.counter(event.counter)
    except UnknownName:
        return False
    return True


def _unknown(event: Any) -> list:
    return _reply(event, False, "unknown_counter", {"counter": event.counter})


def transfer_request(machine: Any, event: E.TransferRequest, at: F.Instant) -> list:
    if not _known_counter(machine, event):
        return _unknown(event)
    return [F.TransferTicket(event.counter, event.to_service, event.label, event.request_id)]


def call_ticket_request(machine: Any, event: E.CallTicketRequest, at: F.Instant) -> list:
    if not _known_counter(machine, event):
        return _unknown(event)
    return [F.CallTicket(event.counter, event.label, event.source, event.request_id)]


def counter_open_request(machine: Any, event: E.CounterOpenRequest, at: F.Instant) -> list:
    if not _known_counter(machine, event):
        return _unknown(event)
    return [F.SetCounterOpen(event.counter, bool(event.open), event.request_id)]


def counter_view_request(machine: Any, event: E.CounterViewRequest, at: F.Instant) -> list:
    if not _known_counter(machine, event):
        return _unknown(event)
    return [F.ViewCounter(event.counter, event.request_id)]


def ticket_transferred(machine: Any, event: E.TicketTransferred, at: F.Instant) -> list:
    data = {"label": event.label, "from": event.from_service, "to": event.to_service,
            "position": event.position}
    return [F.WakeSync(), F.Refresh()] + _reply(event, True, "transferred", data)


def counter_open_changed(machine: Any, event: E.CounterOpenChanged, at: F.Instant) -> list:
    data = {"counter": event.counter, "open": event.open, "changed": event.changed, "finished": event.finished}
    # Availability follows at once: the last counter of a service closing closes it on the kiosk.
    return [F.WakeSync(), F.Refresh()] + _reply(event, True, "opened" if event.open else "closed", data)


def counter_refused(machine: Any, event: E.CounterRefused, at: F.Instant) -> list:
    out: list = []
    if event.reason == "counter_closed":
        # A button pressed at a closed counter says so (buzzer/LED where wired).
        out.append(F.SignalCounter(event.counter, "counter_closed"))
    return out + _reply(event, False, event.reason, dict(event.values, message=event.message))


def counter_viewed(machine: Any, event: E.CounterViewed, at: F.Instant) -> list:
    return _reply(event, True, "", event.view)


HANDLERS = {
    E.TransferRequest: transfer_request,
    E.CallTicketRequest: call_ticket_request,
    E.CounterOpenRequest: counter_open_request,
    E.CounterViewRequest: counter_view_request,
    E.TicketTransferred: ticket_transferred,
    E.CounterOpenChanged: counter_open_changed,
    E.CounterRefused: counter_refused,
    E.CounterViewed: counter_viewed,
}
