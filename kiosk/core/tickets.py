"""Tickets and their life, as a literal transition table (no I/O).

    issued --print ok--> waiting --call--> called --finish--> served
      |  \\--print failed after its first byte (uncertain)--> waiting
       \\--print failed, no byte sent--> void       called --skip--> skipped

A void ticket never reaches ``called``; the store refuses any move that is not
in TRANSITIONS with IllegalTransition.
"""
from dataclasses import dataclass
from typing import Optional

from kiosk.core.errors import IllegalTransition

ISSUED, WAITING, VOID, CALLED, SERVED, SKIPPED = "issued", "waiting", "void", "called", "served", "skipped"
STATES = (ISSUED, WAITING, VOID, CALLED, SERVED, SKIPPED)

# (from state, verb) -> to state. The event log uses the verb as its type.
TRANSITIONS = {
    (ISSUED, "printed"): WAITING,
    (ISSUED, "void"): VOID,
    # Ticket-in-hand rule (issue 10): once its first byte may have reached the
    # printer, a ticket is never void. A failed or interrupted print leaves it
    # callable, marked uncertain (kiosk.services.store_prints).
    (ISSUED, "print_uncertain"): WAITING,
    # ``ptsp-kiosk issue`` (a script, no printer): callable at once, in the same
    # transaction as its issue, so a kiosk starting meanwhile never voids it.
    (ISSUED, "issued_unprinted"): WAITING,
    (WAITING, "called"): CALLED,
    (WAITING, "void"): VOID,  # a technician cancels a ticket that never printed right
    (CALLED, "recalled"): CALLED,
    (CALLED, "served"): SERVED,
    (CALLED, "skipped"): SKIPPED,
    # Counter staff (issue 15): a called visitor who needs another service goes
    # back to waiting in that service's queue, keeping the label; a skipped
    # visitor who comes back is called by number.
    (CALLED, "transferred"): WAITING,
    (SKIPPED, "called"): CALLED,
}

# Where a transferred ticket queues in its new service ([queue] transfer_position).
TRANSFER_ORIGINAL, TRANSFER_FRONT = "original", "front"


def queue_key(ticket):
    """Sort key of a waiting ticket in its service's queue (pure).

    A ticket transferred "to the front" goes before everyone else, in the
    order of the transfers; every other ticket (transferred "by original
    issue time" or never transferred) queues by when it was issued.
    """
    if ticket.queue_front:
        return (0, ticket.queued_at or 0.0, ticket.id)
    return (1, ticket.issued_at, ticket.id)


def next_state(state, verb):
    """The state a ticket in ``state`` moves to on ``verb``, or IllegalTransition."""
    try:
        return TRANSITIONS[(state, verb)]
    except KeyError:
        raise IllegalTransition(f"a {state} ticket cannot be {verb}") from None


@dataclass(frozen=True)
class Ticket:
    """One ticket as stored. Times are UTC epoch seconds."""

    id: int
    day: str  # business day, YYYY-MM-DD
    service: str  # service code
    prefix: str
    number: int
    priority: bool
    state: str
    issued_at: float
    called_at: Optional[float] = None
    finished_at: Optional[float] = None
    counter: Optional[int] = None
    void_reason: Optional[str] = None
    print_count: int = 0
    # After a transfer (issue 15): the service whose queue the ticket is in now
    # (None: ``service``, the service it was issued for, which keeps its number).
    queue_service: Optional[str] = None
    queue_front: bool = False
    queued_at: Optional[float] = None

    @property
    def current_service(self):
        """The service the ticket waits for or is served in now."""
        return self.queue_service or self.service

    @property
    def label(self):
        """What people read: A-012 (at least three digits)."""
        return format_label(self.prefix, self.number)


def format_label(prefix, number):
    return f"{prefix}-{number:03d}"


@dataclass(frozen=True)
class TicketContent:
    """Everything printed on a ticket, already in the device language.

    Built by the core (kiosk.core.ticket_content), laid out by drivers/printer.
    Strings may come from config: the printer driver cleans them.
    """

    institution: str
    address: str
    heading: str  # "NOMOR ANTRIAN"
    label: str  # "A-012"
    service_name: str
    priority_text: str  # "PRIORITAS" or ""
    issued_text: str  # "Selasa, 16 April 2024 15:47"
    ahead_text: str  # "Antrian di depan Anda: 4"
    wait_text: str  # "Perkiraan waktu tunggu: 20 menit"
    instruction: str  # "Silakan menunggu panggilan di Loket 1 / Loket 2"
    footer: tuple  # configured lines
    qr_data: str = ""  # empty: no QR
    copy_text: str = ""  # "SALINAN" on a reprint
    ticket_id: int = 0
