"""Tickets and their life, as a literal transition table (no I/O).

    issued --print ok--> waiting --call--> called --finish--> served
       \\--print failed--> void              |  \\--skip--> skipped
                                            \\--recall--> called

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
    (WAITING, "called"): CALLED,
    (WAITING, "void"): VOID,  # a technician cancels a ticket that never printed right
    (CALLED, "recalled"): CALLED,
    (CALLED, "served"): SERVED,
    (CALLED, "skipped"): SKIPPED,
}


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
