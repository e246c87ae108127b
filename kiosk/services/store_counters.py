"""Store operations for counter staff (issue 15): transfers, open and closed
counters, "nobody waiting". A mixin of ``kiosk.services.store.Store``: every
method runs on the Store's connection and inside its IMMEDIATE transaction,
so two processes never act on the same ticket or counter at once.
"""
import json
from typing import Any

from kiosk.core import tickets as T
from kiosk.core.errors import IllegalTransition

# meta key of the closed counters: {"day": "YYYY-MM-DD", "closed": [2, 3]}.
# Kept per business day: every counter opens again on a new day.
CLOSED_KEY = "counters.closed"


class CounterStore:
    """Methods the Store gains for counter staff (see the module docstring)."""

    # Provided by Store (annotations only: the Store's own attributes are used).
    conn: Any
    transaction: Any
    meta_get: Any
    meta_set: Any
    _event: Any
    _ticket_in_tx: Any

    def closed_counters(self, day):
        """Numbers of the counters closed on business day ``day``."""
        value = self.meta_get(CLOSED_KEY) or {}
        if value.get("day") != day:
            return frozenset()
        return frozenset(int(n) for n in value.get("closed", []))

    def set_counter_open(self, day, counter, is_open, now):
        """Open or close ``counter`` (a number) for the rest of ``day`` and log
        ``counter_opened`` / ``counter_closed``. Returns False when it already
        was so (nothing logged)."""
        with self.transaction():
            closed = set(self.closed_counters(day))
            if (counter not in closed) == bool(is_open):
                return False
            if is_open:
                closed.discard(counter)
            else:
                closed.add(counter)
            self.meta_set(CLOSED_KEY, {"day": day, "closed": sorted(closed)})
            self._event("counter_opened" if is_open else "counter_closed", now, day=day, counter=counter)
        return True

    def transfer(self, ticket, to_service, front, now, counter=None):
        """Move the called ``ticket`` (read in the caller's transaction) back to
        waiting, in the queue of ``to_service``; it keeps its label and number.

        ``front``: queue before everyone waiting (in order of transfer) rather
        than by original issue time. Logs ``transferred`` with the path.
        """
        with self.transaction():
            state = T.next_state(ticket.state, "transferred")
            # called_at starts again: the service time (and the wait estimates
            # built on it) is that of the service where the visitor is served.
            row = self.conn.execute(
                "UPDATE tickets SET state = ?, queue_service = ?, queue_front = ?, queued_at = ?, called_at = NULL "
                "WHERE id = ? AND state = ? RETURNING id",
                (state, to_service, int(bool(front)), now, ticket.id, ticket.state)).fetchone()
            if row is None:  # pragma: no cover - the caller read it in this transaction
                raise IllegalTransition(f"{ticket.label} changed meanwhile")
            moved = self._ticket_in_tx(ticket.id)
            self._event("transferred", now, moved, counter=counter,
                        data={"from": ticket.current_service, "to": to_service,
                              "position": T.TRANSFER_FRONT if front else T.TRANSFER_ORIGINAL})
        return moved

    def waiting_by_service(self, day):
        """{service code: tickets waiting} by the queue they wait in now."""
        rows = self.conn.execute(
            "SELECT COALESCE(queue_service, service), COUNT(*) FROM tickets "
            "WHERE day = ? AND state = 'waiting' GROUP BY 1", (day,))
        return {service: n for service, n in rows}

    def log_nobody_waiting(self, day, counter, now):
        """A call at ``counter`` found nobody: the officer's sign, in the log."""
        with self.transaction():
            self._event("nobody_waiting", now, day=day, counter=counter)

    def transfers(self, day):
        """{ticket id: [service, service, ...]} the path of every ticket
        transferred on ``day``, from the service it was issued for. Where the
        log was pruned (sent and older than the retention) the ticket still
        tells where it started and where it ended."""
        paths: dict[int, list] = {}
        for ticket_id, data in self.conn.execute(
                "SELECT ticket_id, data FROM events WHERE day = ? AND type = 'transferred' ORDER BY seq", (day,)):
            moved = json.loads(data)
            path = paths.setdefault(ticket_id, [moved.get("from")])
            path.append(moved.get("to"))
        for ticket_id, service, queue_service in self.conn.execute(
                "SELECT id, service, queue_service FROM tickets WHERE day = ? AND queue_service IS NOT NULL", (day,)):
            paths.setdefault(ticket_id, [service, queue_service])
        return paths
