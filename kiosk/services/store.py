"""The ticket store: tickets, the event log (also the sync outbox) and meta.

SQLite through sqlite-utils, in WAL mode with synchronous=FULL so a commit
survives a power cut on an SD card. A connection belongs to one thread:
every thread that needs the store opens its own ``Store(path)``. Two processes
(the kiosk and a technician's ``ptsp-kiosk issue``) can write at once: numbers
are taken inside one IMMEDIATE transaction and the table refuses duplicates.
"""
import json
import sqlite3
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from kiosk.core import tickets as T
from kiosk.core.errors import IssueRefused, StoreNotOurs, UnknownName
from kiosk.core.rules import next_number
from kiosk.core.tickets import Ticket
from kiosk.services.store_counters import CounterStore
from kiosk.services.store_prints import PrintStore
from kiosk.services import store_errors, store_survey

# 'PTSP' in ASCII: marks a database as ours, so we never write into a
# database of another program that happens to sit at the configured path.
APPLICATION_ID = 0x50545350
BUSY_TIMEOUT_MS = 5000

MIGRATIONS = [
    # 1: the first schema.
    """
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL,
        service TEXT NOT NULL,
        prefix TEXT NOT NULL,
        cycle INTEGER NOT NULL DEFAULT 0,
        number INTEGER NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        issued_at REAL NOT NULL,
        called_at REAL,
        finished_at REAL,
        counter INTEGER,
        void_reason TEXT,
        print_count INTEGER NOT NULL DEFAULT 0,
        UNIQUE (day, service, cycle, number)
    );
    CREATE INDEX tickets_day_state ON tickets (day, state);
    CREATE INDEX tickets_served ON tickets (service, finished_at) WHERE state = 'served';
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        time REAL NOT NULL,
        day TEXT,
        ticket_id INTEGER,
        service TEXT,
        label TEXT,
        counter INTEGER,
        data TEXT NOT NULL DEFAULT '{}',
        sent_at REAL
    );
    CREATE INDEX events_unsent ON events (seq) WHERE sent_at IS NULL;
    CREATE INDEX events_sent_at ON events (sent_at) WHERE sent_at IS NOT NULL;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: the calls of a counter in order, for the priority policy (times may tie
    # while the clock guard holds time still, sequence numbers never do).
    """
    CREATE INDEX events_day_counter ON events (day, counter, seq);
    """,
    # 3 (issue 15): a transferred ticket keeps its service (and so its number)
    # but waits in another service's queue, by issue time or at the front.
    """
    ALTER TABLE tickets ADD COLUMN queue_service TEXT;
    ALTER TABLE tickets ADD COLUMN queue_front INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN queued_at REAL;
    """,
    # 4 (issue 10): one row per print job of a ticket, written before its first
    # byte goes to the printer (ticket-in-hand rule, kiosk.services.store_prints).
    """
    CREATE TABLE prints (
        ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
        started_at REAL NOT NULL,
        finished_at REAL,
        outcome TEXT,
        reason TEXT
    );
    """,
    # 5 (issue 13): survey responses, which tickets answered, survey box presses.
    store_survey.MIGRATION,
    # 6 (issue 15): service times of tickets served after a transfer, by the
    # service where they were served (recent_service_seconds).
    """
    CREATE INDEX tickets_queue_served ON tickets (queue_service, finished_at)
        WHERE state = 'served' AND queue_service IS NOT NULL;
    """,
]

_TICKET_COLUMNS = ("id, day, service, prefix, number, priority, state, issued_at, called_at, "
                   "finished_at, counter, void_reason, print_count, queue_service, queue_front, queued_at")
_TICKET_COLUMNS_T = ", ".join(f"t.{c.strip()}" for c in _TICKET_COLUMNS.split(","))  # in joins


def _ticket(row):
    return Ticket(id=row[0], day=row[1], service=row[2], prefix=row[3], number=row[4],
                  priority=bool(row[5]), state=row[6], issued_at=row[7], called_at=row[8],
                  finished_at=row[9], counter=row[10], void_reason=row[11], print_count=row[12],
                  queue_service=row[13], queue_front=bool(row[14]), queued_at=row[15])


class Store(CounterStore, PrintStore, store_survey.SurveyStore):
    """One connection to the kiosk database (use it from one thread only)."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so the
            # write lock is taken before numbers are read.
            conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except (OSError, sqlite3.Error) as e:
            raise store_errors.translate(e, self.path) from None
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        try:
            self._check_ours()
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._set_wal()
            conn.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except sqlite3.DatabaseError as e:
            conn.close()
            if isinstance(e, sqlite3.OperationalError):
                # Locked, read-only, full: a problem of use, not of the file's content.
                raise self._error(e) from None
            raise StoreNotOurs(
                f"{self.path} is damaged or not a kiosk database ({e}); it was left untouched. "
                f"Move it aside and start again, or restore a backup.") from None

    def _set_wal(self):
        # Switching a new file to WAL needs a moment alone with it and SQLite
        # does not wait for that: when another process opens the same new
        # file at once, try again for up to the busy timeout.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _check_ours(self):
        # One read transaction, so the id and the tables are seen at the same
        # moment even while another process is creating the schema.
        self.conn.execute("BEGIN")
        try:
            app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
            tables = [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")
        if app_id == APPLICATION_ID:
            return
        if app_id != 0 or tables:
            self.conn.close()
            raise StoreNotOurs(
                f"{self.path} is a database of another program (application id {app_id:#x}, "
                f"tables {', '.join(tables) or 'none'}); it was left untouched. "
                f"Point [storage] database to another file.")

    def _migrate(self):
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreNotOurs(f"schema version {version} is newer than this software knows")
        while version < len(MIGRATIONS):
            with self.transaction():
                # Read again under the write lock: a second process opening the
                # same new file may have applied this migration meanwhile.
                version = self.conn.execute("PRAGMA user_version").fetchone()[0]
                if version >= len(MIGRATIONS):
                    break
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version = {version + 1}")
                version += 1

    def close(self):
        self.conn.close()

    @contextmanager
    def transaction(self):
        """An IMMEDIATE transaction; library errors become StoreError.

        Nested use joins the outer transaction, so an operation made of several
        store calls (call next = serve current + call another) is atomic.
        """
        if self.conn.in_transaction:
            yield
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise self._error(e) from None
        try:
            yield
        except sqlite3.IntegrityError:
            self._rollback()
            raise
        except sqlite3.Error as e:
            self._rollback()
            raise self._error(e) from None
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as e:
                self._rollback()
                raise self._error(e) from None

    def _rollback(self):
        # SQLite rolls back by itself on SQLITE_FULL, IOERR, BUSY and NOMEM; a
        # second ROLLBACK would then raise and hide the real error.
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def _error(self, e):
        # Full, read-only, permission denied...: each its own class and out-of-order code.
        return store_errors.translate(e, self.path)

    # --- tickets -----------------------------------------------------------

    def issue(self, day, service, priority, now):
        """Store a new ticket for ``service`` (a config.Service) in state issued.

        The number follows the last one of the day for that service and wraps
        within the service's range. A number that is still in use after a wrap
        is refused with ``IssueRefused('range_full')``.
        """
        with self.transaction():
            row = self.conn.execute(
                "SELECT cycle, number FROM tickets WHERE day = ? AND service = ? "
                "ORDER BY cycle DESC, number DESC LIMIT 1", (day, service.code)).fetchone()
            step, number = next_number(row[1] if row else None, service.number_start, service.number_end)
            cycle = (row[0] if row else 0) + step
            # Only after a wrap can a number still be in use today.
            busy = cycle > 0 and self.conn.execute(
                "SELECT 1 FROM tickets WHERE day = ? AND service = ? AND number = ? "
                "AND state IN ('issued', 'waiting', 'called')", (day, service.code, number)).fetchone()
            if busy:
                raise IssueRefused("range_full", T.format_label(service.prefix, number))
            cur = self.conn.execute(
                "INSERT INTO tickets (day, service, prefix, cycle, number, priority, state, issued_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (day, service.code, service.prefix, cycle, number, int(priority), T.ISSUED, now))
            ticket = Ticket(id=cur.lastrowid, day=day, service=service.code, prefix=service.prefix,
                            number=number, priority=bool(priority), state=T.ISSUED, issued_at=now)
            self._event("issued", now, ticket, data={"priority": bool(priority)})
        return ticket

    def transition(self, ticket_id, verb, now, counter=None, reason=None, current=None):
        """Move a ticket by ``verb`` (see tickets.TRANSITIONS) and log it.

        ``current``: the ticket as the caller read it inside its own open
        transaction (so it cannot be stale); saves reading it again.
        """
        if current is not None and not self.conn.in_transaction:
            current = None
        with self.transaction():
            ticket = current or self._ticket_in_tx(ticket_id)
            state = T.next_state(ticket.state, verb)
            sets, args = ["state = ?"], [state]
            if verb == "printed":
                sets.append("print_count = print_count + 1")
            if verb in ("called", "recalled"):
                sets += ["called_at = COALESCE(called_at, ?)", "counter = ?"]
                args += [now, counter]
            if verb == "called":  # a skipped visitor called back is no longer finished
                sets.append("finished_at = NULL")
            if verb in ("served", "skipped"):
                sets.append("finished_at = ?")
                args.append(now)
            if verb == "void":
                sets.append("void_reason = ?")
                args.append(reason or "")
            ticket = _ticket(self.conn.execute(
                f"UPDATE tickets SET {', '.join(sets)} WHERE id = ? RETURNING {_TICKET_COLUMNS}",
                (*args, ticket_id)).fetchone())
            data = {"reason": reason} if reason else {}
            self._event(verb, now, ticket, counter=counter, data=data)
        return ticket

    def reprinted(self, ticket_id, now):
        """Count a reprint (a copy) in the ticket and the log."""
        with self.transaction():
            self.conn.execute("UPDATE tickets SET print_count = print_count + 1 WHERE id = ?", (ticket_id,))
            ticket = self._ticket_in_tx(ticket_id)
            self._event("reprinted", now, ticket)
        return ticket

    def _ticket_in_tx(self, ticket_id):
        row = self.conn.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise UnknownName(f"no ticket with id {ticket_id}")
        return _ticket(row)

    def ticket(self, ticket_id):
        """The ticket with this id; UnknownName otherwise."""
        return self._ticket_in_tx(ticket_id)

    def find(self, label, day=None):
        """The newest ticket with this label ('A-012' or 'A12'), on ``day`` if given."""
        text = label.strip().upper().replace("-", "")
        if len(text) < 2 or not text[0].isalpha() or not text[1:].isdigit():
            raise UnknownName(f"{label!r} is not a ticket number like A-012")
        sql = f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE prefix = ? AND number = ?"
        args = [text[0], int(text[1:])]
        if day:
            sql += " AND day = ?"
            args.append(day)
        row = self.conn.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        if row is None:
            raise UnknownName(f"no ticket {label}" + (f" on {day}" if day else ""))
        return _ticket(row)

    def tickets(self, day, states=None, services=None, counter=None):
        """Tickets of a business day, oldest first, filtered by state/service/counter."""
        sql, args = f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE day = ?", [day]
        if states:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args += list(states)
        if services:  # the service a ticket waits for now (after a transfer: its new one)
            sql += f" AND COALESCE(queue_service, service) IN ({','.join('?' * len(services))})"
            args += list(services)
        if counter is not None:
            sql += " AND counter = ?"
            args.append(counter)
        return [_ticket(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    def current(self, day, counter):
        """The ticket now called at ``counter`` (state called), or None."""
        row = self.conn.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE day = ? AND counter = ? AND state = 'called' "
            "ORDER BY called_at DESC, id DESC LIMIT 1", (day, counter)).fetchone()
        return _ticket(row) if row else None

    def recent_calls(self, day, limit):
        """[(ticket, counter, time)] of the latest call (called or recalled) of
        each ticket called on ``day``, newest first, at most ``limit``."""
        rows = self.conn.execute(
            f"SELECT {_TICKET_COLUMNS_T}, e.counter, e.time, e.seq FROM events e JOIN tickets t ON t.id = e.ticket_id "
            "WHERE e.seq IN (SELECT MAX(seq) FROM events WHERE day = ? AND type IN ('called', 'recalled') "
            "GROUP BY ticket_id) ORDER BY e.seq DESC LIMIT ?", (day, limit))
        return [(_ticket(r), r[-3], r[-2], r[-1]) for r in rows]

    def latest_seq(self, ticket_id):
        """The sequence number of the ticket's latest event (a call's id for displays)."""
        row = self.conn.execute("SELECT MAX(seq) FROM events WHERE ticket_id = ?", (ticket_id,)).fetchone()
        return int(row[0] or 0)

    def normal_streak(self, day, counter, limit):
        """How many normal tickets ``counter`` called in a row since its last
        priority ticket today (at most ``limit``)."""
        rows = self.conn.execute(
            "SELECT t.priority FROM events e JOIN tickets t ON t.id = e.ticket_id "
            "WHERE e.day = ? AND e.counter = ? AND e.type = 'called' "
            "ORDER BY e.seq DESC LIMIT ?", (day, counter, limit)).fetchall()
        streak = 0
        for (priority,) in rows:
            if priority:
                break
            streak += 1
        return streak

    def counts_for_issue(self, day, service):
        """(tickets that count against the quota (not void), tickets still to be
        called (issued or waiting)) for a service today, in one query. The
        quota counts the tickets issued for the service; the second figure
        those waiting in its queue now, transfers included."""
        row = self.conn.execute(
            "SELECT COALESCE(SUM(service = ? AND state != 'void'), 0), "
            "COALESCE(SUM(COALESCE(queue_service, service) = ? AND state IN ('issued', 'waiting')), 0) "
            "FROM tickets WHERE day = ? AND (service = ? OR queue_service = ?)",
            (service, service, day, service, service)).fetchone()
        return row[0], row[1]

    def count_by_state(self, day):
        """{service: {state: count}} for a day."""
        out = {}
        for service, state, n in self.conn.execute(
                "SELECT service, state, COUNT(*) FROM tickets WHERE day = ? GROUP BY service, state", (day,)):
            out.setdefault(service, {})[state] = n
        return out

    def recent_service_seconds(self, service, limit):
        """Durations (called -> served) of the last ``limit`` tickets served in
        ``service`` (a transferred ticket counts where it was served)."""
        # Two index-backed halves (tickets_served, tickets_queue_served), newest first.
        rows = self.conn.execute(
            "SELECT d FROM (SELECT * FROM (SELECT finished_at - called_at AS d, finished_at FROM tickets "
            "WHERE service = ? AND queue_service IS NULL AND state = 'served' AND finished_at IS NOT NULL "
            "AND called_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?) "
            "UNION ALL SELECT * FROM (SELECT finished_at - called_at, finished_at FROM tickets "
            "WHERE queue_service = ? AND state = 'served' AND finished_at IS NOT NULL AND called_at IS NOT NULL "
            "ORDER BY finished_at DESC LIMIT ?)) ORDER BY finished_at DESC LIMIT ?",
            (service, limit, service, limit, limit)).fetchall()
        return [r[0] for r in rows if r[0] is not None and r[0] >= 0]

    def days(self):
        return [r[0] for r in self.conn.execute("SELECT DISTINCT day FROM tickets ORDER BY day")]

    # --- event log and outbox ---------------------------------------------

    def _event(self, type_, now, ticket=None, day=None, counter=None, data=None):
        self.conn.execute(
            "INSERT INTO events (uid, type, time, day, ticket_id, service, label, counter, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, type_, now, ticket.day if ticket else day,
             # A ticket's events name the service it is in then (after a transfer: its new one).
             ticket.id if ticket else None, ticket.current_service if ticket else None,
             ticket.label if ticket else None,
             counter if counter is not None else (ticket.counter if ticket else None),
             json.dumps(data or {}, sort_keys=True)))

    def log(self, type_, now, day=None, **data):
        """Record a non-ticket event (press_ignored, printer_health, clock_problem...)."""
        with self.transaction():
            self._event(type_, now, day=day, data=data)

    def last_event(self):
        """(day, time) of the newest event, or (None, None) on a new database.

        The guard keeps recorded times monotonic, so the newest event by
        sequence also carries the latest time.
        """
        row = self.conn.execute(
            "SELECT day, time FROM events WHERE day IS NOT NULL ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (None, None)

    def unsent_events(self, limit):
        """Up to ``limit`` events not yet acknowledged upstream, oldest first."""
        rows = self.db.query(
            "SELECT seq, uid, type, time, day, ticket_id, service, label, counter, data FROM events "
            "WHERE sent_at IS NULL ORDER BY seq LIMIT ?", (limit,))
        return [dict(r, data=json.loads(r["data"])) for r in rows]

    def mark_sent(self, seqs, now):
        """Mark events acknowledged by the server."""
        seqs = list(seqs)
        with self.transaction():
            for i in range(0, len(seqs), 500):
                chunk = seqs[i:i + 500]
                self.conn.execute(
                    f"UPDATE events SET sent_at = ? WHERE sent_at IS NULL AND seq IN ({','.join('?' * len(chunk))})",
                    (now, *chunk))

    def prune_sent(self, older_than):
        """Delete acknowledged events sent before ``older_than``; unsent events stay."""
        with self.transaction():
            cur = self.conn.execute("DELETE FROM events WHERE sent_at IS NOT NULL AND sent_at < ?", (older_than,))
        return cur.rowcount

    def backlog(self):
        """Number of events not yet acknowledged upstream."""
        return self.conn.execute("SELECT COUNT(*) FROM events WHERE sent_at IS NULL").fetchone()[0]

    def events(self, day=None, types=None):
        """Events (as dicts) for reports and tests, oldest first."""
        sql, args = "SELECT seq, uid, type, time, day, ticket_id, service, label, counter, data, sent_at " \
                    "FROM events WHERE 1 = 1", []
        if day:
            sql += " AND day = ?"
            args.append(day)
        if types:
            sql += f" AND type IN ({','.join('?' * len(types))})"
            args += list(types)
        return [dict(r, data=json.loads(r["data"])) for r in self.db.query(sql + " ORDER BY seq", args)]

    # --- meta --------------------------------------------------------------

    def meta_get(self, key, default=None):
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def meta_set(self, key, value):
        with self.transaction():
            self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                              (key, json.dumps(value)))
