"""Store operations for the ticket-in-hand rule (issue 10): a number that may
be on paper is callable, a number that cannot be on paper is never called.

A mixin of ``kiosk.services.store.Store``. The print worker records
``print_started`` (a row in ``prints`` and an event) in one durable commit
(WAL, synchronous=FULL) *before* the first byte of the ticket goes to the
printer. From then on the ticket is never void: a failed, timed-out or
interrupted print settles it as waiting with an ``uncertain`` outcome, which
``status`` and ``report`` show to staff. A ticket still ``issued`` without a
``prints`` row has not sent a byte, so it may be voided.

After a crash or power cut, ``recover_interrupted`` settles every ticket the
last run left ``issued``: printing had started -> waiting (uncertain),
only queued -> void. Nothing stays ``issued``.
"""
from dataclasses import dataclass
from typing import Any, Optional

from kiosk.core import tickets as T
from kiosk.core.errors import IllegalTransition
from kiosk.core.tickets import Ticket

PRINTED, VOID, UNCERTAIN = "printed", "void", "uncertain"
OUTCOMES = (PRINTED, VOID, UNCERTAIN)

# void_reason / event reasons written by recovery, read by staff in `report`.
REASON_RESTART_STARTED = "RESTART: the kiosk stopped while this ticket was printing; it may be on paper"
REASON_RESTART_QUEUED = "RESTART: the kiosk stopped before this ticket started printing"


@dataclass(frozen=True)
class Recovered:
    """One ticket settled at start: ``outcome`` is "uncertain" (callable) or "void"."""

    ticket: Ticket
    outcome: str
    reason: str


@dataclass(frozen=True)
class RecoveryReport:
    """What recovery at start settled."""

    recovered: tuple = ()  # Recovered, oldest first

    @property
    def uncertain(self) -> tuple:
        """Labels made callable: they may be in a visitor's hand."""
        return tuple(r.ticket.label for r in self.recovered if r.outcome == UNCERTAIN)

    @property
    def void(self) -> tuple:
        """Labels voided: they never started printing."""
        return tuple(r.ticket.label for r in self.recovered if r.outcome == VOID)

    def summary(self) -> str:
        """One line for the log."""
        if not self.recovered:
            return "nothing to recover"
        return (f"recovered after restart: {len(self.uncertain)} callable (uncertain print: "
                f"{', '.join(self.uncertain) or '-'}), {len(self.void)} void (never printed: "
                f"{', '.join(self.void) or '-'})")


class PrintStore:
    """Methods the Store gains for print bookkeeping (see the module docstring)."""

    # Provided by Store.
    conn: Any

    def print_started(self, ticket_id: int, now: float) -> Ticket:
        """Record durably that the first byte of ``ticket_id`` is about to go to
        the printer. Raises IllegalTransition when the ticket is no longer
        ``issued`` (voided meanwhile, e.g. its job waited past its deadline) or
        printing already started: the caller must then send nothing."""
        with self.transaction():  # type: ignore[attr-defined]
            ticket = self._ticket_in_tx(ticket_id)  # type: ignore[attr-defined]
            if ticket.state != T.ISSUED:
                raise IllegalTransition(f"{ticket.label} is {ticket.state}: it must not be printed now")
            started = self.conn.execute("SELECT 1 FROM prints WHERE ticket_id = ?", (ticket_id,)).fetchone()
            if started:
                raise IllegalTransition(f"{ticket.label} already started printing once")
            self.conn.execute("INSERT INTO prints (ticket_id, started_at) VALUES (?, ?)", (ticket_id, now))
            self._event("print_started", now, ticket)  # type: ignore[attr-defined]
        return ticket

    def print_was_started(self, ticket_id: int) -> bool:
        """Whether printing of this ticket started (a byte may be on paper)."""
        return self.conn.execute("SELECT 1 FROM prints WHERE ticket_id = ?", (ticket_id,)).fetchone() is not None

    def settle_print(self, ticket_id: int, outcome: str, now: float, reason: str = "") -> Ticket:
        """Settle a ticket after its print job, by the ticket-in-hand rule.

        "printed" -> waiting. "void" -> void, but only while printing never
        started; a started one becomes uncertain instead (a byte may be on
        paper). "uncertain" -> waiting, marked uncertain; a ticket whose
        printing never started is void instead (no byte can have gone).
        A ticket already settled (by recovery, or an earlier report) is left
        as it is, except that a late "printed" clears an uncertain mark and a
        waiting ticket that never started printing may still be voided.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"print outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        with self.transaction():  # type: ignore[attr-defined]
            ticket = self._ticket_in_tx(ticket_id)  # type: ignore[attr-defined]
            row = self.conn.execute("SELECT outcome FROM prints WHERE ticket_id = ?", (ticket_id,)).fetchone()
            started = row is not None
            if ticket.state != T.ISSUED:
                if outcome == VOID and ticket.state == T.WAITING and not started:
                    # A technician cancels a waiting ticket that never went to a printer.
                    return self.transition(ticket_id, "void", now, reason=reason or None,  # type: ignore[attr-defined]
                                           current=ticket)
                if outcome == PRINTED and started and row[0] == UNCERTAIN:
                    self._finish_print(ticket_id, PRINTED, now, "")
                    self._event("print_confirmed", now, ticket)  # type: ignore[attr-defined]
                return ticket
            if outcome == VOID and started:
                outcome, reason = UNCERTAIN, reason or "printing failed after it started"
            elif outcome == UNCERTAIN and not started:
                outcome, reason = VOID, reason or "printing never started"
            verb = {PRINTED: "printed", VOID: "void", UNCERTAIN: "print_uncertain"}[outcome]
            ticket = self.transition(ticket_id, verb, now, reason=reason or None,  # type: ignore[attr-defined]
                                     current=ticket)
            if started:
                self._finish_print(ticket_id, outcome, now, reason)
        return ticket

    def _finish_print(self, ticket_id: int, outcome: str, now: float, reason: str) -> None:
        self.conn.execute("UPDATE prints SET finished_at = ?, outcome = ?, reason = ? WHERE ticket_id = ?",
                          (now, outcome, reason or None, ticket_id))

    def recover_interrupted(self, now: float) -> list:
        """Settle every ticket the last run left ``issued`` (see the module
        docstring); returns [Recovered], oldest first. One transaction: after
        it, no ticket of any day is ``issued``."""
        out = []
        with self.transaction():  # type: ignore[attr-defined]
            rows = self.conn.execute(
                "SELECT t.id, p.ticket_id IS NOT NULL FROM tickets t LEFT JOIN prints p ON p.ticket_id = t.id "
                "WHERE t.state = ? ORDER BY t.id", (T.ISSUED,)).fetchall()
            for ticket_id, started in rows:
                if started:
                    ticket = self.transition(ticket_id, "print_uncertain", now,  # type: ignore[attr-defined]
                                             reason=REASON_RESTART_STARTED)
                    self._finish_print(ticket_id, UNCERTAIN, now, REASON_RESTART_STARTED)
                    out.append(Recovered(ticket, UNCERTAIN, REASON_RESTART_STARTED))
                else:
                    ticket = self.transition(ticket_id, "void", now,  # type: ignore[attr-defined]
                                             reason=REASON_RESTART_QUEUED)
                    out.append(Recovered(ticket, VOID, REASON_RESTART_QUEUED))
        return out

    def uncertain_prints(self, day: str, open_only: bool = False) -> list:
        """[(ticket, reason)] of ``day`` whose print is uncertain (may or may not
        be in the visitor's hand), oldest first; ``open_only``: only those not
        yet called (still waiting)."""
        from kiosk.services.store import _TICKET_COLUMNS_T, _ticket

        sql = (f"SELECT {_TICKET_COLUMNS_T}, p.reason FROM tickets t JOIN prints p ON p.ticket_id = t.id "
               "WHERE t.day = ? AND p.outcome = ?")
        if open_only:
            sql += " AND t.state = 'waiting'"
        return [(_ticket(r[:-1]), r[-1] or "") for r in self.conn.execute(sql + " ORDER BY t.id", (day, UNCERTAIN))]

    def print_outcome(self, ticket_id: int) -> Optional[str]:
        """"printed" | "void" | "uncertain" | "started" (not settled) | None (never started)."""
        row = self.conn.execute("SELECT outcome FROM prints WHERE ticket_id = ?", (ticket_id,)).fetchone()
        if row is None:
            return None
        return row[0] or "started"
