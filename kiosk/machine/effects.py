"""What the runtime machine asks the shell to do, as plain values.

The machine (``kiosk.machine.machine.KioskMachine``) never performs I/O. It
returns a list of these; the app shell executes each one with the store,
the drivers and the workers, and turns every result back into an event
(``kiosk.core.events``) that it feeds to the machine in the same turn.

An effect whose execution fails with a storage error comes back as
``StorageFailed``; any other failure as ``EffectFailed``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from kiosk.core.tickets import TicketContent


@dataclass(frozen=True)
class Instant:
    """One reading of both clocks: ``mono`` for timers (never jumps), ``wall``
    (epoch seconds) for what people read and what the store records."""

    mono: float
    wall: float


# -- queue operations (QueueService) ---------------------------------------------------
@dataclass(frozen=True)
class IssueTicket:
    """Store a new ticket; result: ``TicketIssued`` or ``IssueWasRefused``."""

    service: str
    priority: bool
    source: str


@dataclass(frozen=True)
class CounterOperation:
    """call | recall | skip at a counter; result: ``Called``, ``NobodyWaiting`` or ``Skipped``."""

    counter: int
    action: str
    source: str = "button"
    request_id: str = ""  # answered with a Reply (the LAN staff page)


@dataclass(frozen=True)
class RecordPrintOutcome:
    """Settle a ticket after its print job: printed | void | uncertain."""

    ticket_id: int
    outcome: str
    reason: str = ""


@dataclass(frozen=True)
class LogPressIgnored:
    """Count a swallowed press in the event log."""

    target: str
    why: str
    source: str


@dataclass(frozen=True)
class RecordHealth:
    """Log a printer health change and keep it for ``ptsp-kiosk status``."""

    health: dict


@dataclass(frozen=True)
class Refresh:
    """Re-read what other processes and passing time change (availability,
    business day, recent calls); result: ``StateRefreshed``."""

    seed: bool = False


# -- devices and workers ---------------------------------------------------------------
@dataclass(frozen=True)
class PrintTicket:
    """Hand a ticket to the print worker (off the main loop)."""

    ticket_id: int
    content: TicketContent


@dataclass(frozen=True)
class Announce:
    """Chime and say a call (the announcer queues it off the main loop)."""

    text: str
    language: str


@dataclass(frozen=True)
class SetLights:
    """Service button lights (code -> on|off|blink) and the status light."""

    services: tuple  # ((code, mode), ...)
    status: str


@dataclass(frozen=True)
class SignalCounter:
    """A short buzzer/LED pattern at a counter (nobody waiting, counter closed)."""

    counter: int
    pattern: str


@dataclass(frozen=True)
class WakeSync:
    """New events are in the outbox: let the sync worker look now."""


@dataclass(frozen=True)
class SystemdStatus:
    """A one-line STATUS= for systemd (out-of-order changes)."""

    text: str


@dataclass(frozen=True)
class Reply:
    """The answer to a request that carried a ``request_id`` (the LAN staff page)."""

    request_id: str
    ok: bool
    message: str = ""
    data: Optional[Any] = None


@dataclass(frozen=True)
class Stop:
    """Leave the loop (admin keys, signal, end of a script)."""

    reason: str


# -- counter staff (issue 15), executed with QueueService (kiosk.services.queue_counters)
@dataclass(frozen=True)
class TransferTicket:
    """``QueueService.transfer``; result: ``TicketTransferred`` or ``CounterRefused``."""

    counter: int
    to_service: str
    label: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class CallTicket:
    """``QueueService.call_ticket``; result: ``Called`` or ``CounterRefused``."""

    counter: int
    label: str
    source: str = "staff"
    request_id: str = ""


@dataclass(frozen=True)
class SetCounterOpen:
    """``QueueService.set_counter_open``; result: ``CounterOpenChanged`` or ``CounterRefused``."""

    counter: int
    open: bool
    request_id: str = ""


@dataclass(frozen=True)
class ViewCounter:
    """``QueueService.counter_view`` (reads only); result: ``CounterViewed``."""

    counter: int
    request_id: str = ""
