"""Store operations of the satisfaction survey (issue 13).

A mixin of ``kiosk.services.store.Store``. Privacy by design (UU 27/2022): a
response row holds no ticket id, label, name or NIK. Which tickets have
answered is kept in a separate table of ticket ids only (``survey_answered``),
used for nothing but refusing a second answer, and never read by a report.
The response also goes into the event log (the sync outbox) as a
``survey_response`` event without ticket id, label or service.

Survey box presses (one overall question, four faces) are a separate table and
event type (``survey_box``): they never mix with the nine-element index.
"""
from __future__ import annotations

from typing import Any, Optional

from kiosk.core import survey as S
from kiosk.core.errors import StoreError

_SCORE = "INTEGER NOT NULL CHECK ({} BETWEEN 1 AND 4)"

# The schema migration of the survey (appended to store.MIGRATIONS).
MIGRATION = f"""
CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    answered_at REAL NOT NULL,
    {", ".join(f"{code} {_SCORE.format(code)}" for code in S.ELEMENT_CODES)},
    {", ".join(f"{code} TEXT" for code in S.PROFILE_CODES)},
    suggestion TEXT NOT NULL DEFAULT ''
);
CREATE INDEX survey_responses_day ON survey_responses (day);
CREATE TABLE survey_answered (ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id));
CREATE TABLE survey_box (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    at REAL NOT NULL,
    score {_SCORE.format("score")}
);
CREATE INDEX survey_box_day ON survey_box (day)
"""

_RESPONSE_COLUMNS = ("day", *S.ELEMENT_CODES, *S.PROFILE_CODES, "suggestion")


class AlreadyAnswered(StoreError):
    """This ticket has answered the survey before."""


class SurveyStore:
    """Survey operations (mixed into Store: uses its connection and transactions)."""

    # Provided by Store: conn, transaction(), _event().
    conn: Any
    transaction: Any
    _event: Any

    def survey_check(self, code: S.TicketCode, today: str) -> tuple[str, Optional[int]]:
        """(reason, ticket id): reason "" and the ticket that may answer, else
        a reason of kiosk.core.survey.REFUSALS and None."""
        rows = self.conn.execute(
            "SELECT t.id, t.state, a.ticket_id IS NOT NULL FROM tickets t "
            "LEFT JOIN survey_answered a ON a.ticket_id = t.id "
            "WHERE t.day = ? AND t.prefix = ? AND t.number = ? ORDER BY t.id DESC",
            (today, code.prefix, code.number)).fetchall()
        reason = S.eligibility(code, today, tuple((state, bool(answered)) for _, state, answered in rows))
        if reason:
            return reason, None
        return "", next(tid for tid, state, answered in rows if state == "served" and not answered)

    def save_survey_response(self, ticket_id: int, response: S.Response, now: float) -> int:
        """Store one response for a served ticket, in one transaction with its
        outbox event; returns the response id. ``AlreadyAnswered`` if this
        ticket answered before; ``StoreError`` if it is not a served ticket."""
        with self.transaction():
            row = self.conn.execute("SELECT day, state FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
            if row is None or row[1] != "served":
                raise StoreError(f"ticket {ticket_id} is not a served ticket; no survey response stored")
            day = row[0]
            if self.conn.execute("SELECT 1 FROM survey_answered WHERE ticket_id = ?", (ticket_id,)).fetchone():
                raise AlreadyAnswered(f"ticket {ticket_id} has answered the survey already")
            self.conn.execute("INSERT INTO survey_answered (ticket_id) VALUES (?)", (ticket_id,))
            values = (day, *(response.answers[c] for c in S.ELEMENT_CODES),
                      *(response.profile.get(c) for c in S.PROFILE_CODES), response.suggestion)
            cur = self.conn.execute(
                f"INSERT INTO survey_responses (answered_at, {', '.join(_RESPONSE_COLUMNS)}) "
                f"VALUES (?, {', '.join('?' * len(_RESPONSE_COLUMNS))})", (now, *values))
            # No ticket id, label or service in the event either.
            self._event("survey_response", now, day=day, data=response.as_data())
        return int(cur.lastrowid)

    def record_box_rating(self, score: int, day: str, now: float) -> None:
        """Store one survey box press (1-4) and its outbox event."""
        if isinstance(score, bool) or score not in S.SCORES:
            raise ValueError(f"survey box score must be 1-4, not {score!r}")
        with self.transaction():
            self.conn.execute("INSERT INTO survey_box (day, at, score) VALUES (?, ?, ?)", (day, now, score))
            self._event("survey_box", now, day=day, data={"score": score})

    def survey_responses(self, first_day: str, last_day: str) -> list[dict]:
        """Responses of business days first_day..last_day (YYYY-MM-DD), oldest
        first: {"day", "answers", "profile", "suggestion"} (no ticket link)."""
        rows = self.conn.execute(
            f"SELECT {', '.join(_RESPONSE_COLUMNS)} FROM survey_responses WHERE day BETWEEN ? AND ? "
            "ORDER BY day, id", (first_day, last_day)).fetchall()
        n, p = len(S.ELEMENT_CODES), len(S.PROFILE_CODES)
        return [{"day": r[0], "answers": dict(zip(S.ELEMENT_CODES, r[1:1 + n])),
                 "profile": dict(zip(S.PROFILE_CODES, r[1 + n:1 + n + p])), "suggestion": r[-1]} for r in rows]

    def survey_box_counts(self, first_day: str, last_day: str) -> dict[int, int]:
        """{score: presses} of the survey box in the period."""
        rows = self.conn.execute("SELECT score, COUNT(*) FROM survey_box WHERE day BETWEEN ? AND ? GROUP BY score",
                                 (first_day, last_day)).fetchall()
        return {int(score): int(n) for score, n in rows}

    def served_count(self, first_day: str, last_day: str) -> int:
        """Tickets served in the period: the survey's population."""
        return int(self.conn.execute("SELECT COUNT(*) FROM tickets WHERE state = 'served' AND day BETWEEN ? AND ?",
                                     (first_day, last_day)).fetchone()[0])
