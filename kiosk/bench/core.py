"""Core figures: issue+call cycles through the real store vs a plain sqlite3 loop."""
import dataclasses
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from kiosk.core import config
from kiosk.bench import Figure
from kiosk.services.queue_service import QueueService
from kiosk.services.store import MIGRATIONS, Store


def _store_cycles(queue, n):
    cfg = queue.cfg
    codes = [s.code for s in cfg.services]
    issue_times = []
    start = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        issued = queue.issue(codes[i % len(codes)])
        issue_times.append(time.perf_counter() - t0)
        queue.printed(issued.ticket.id)
        queue.call_next(cfg.counters_for(issued.ticket.service)[0].number)
    elapsed = time.perf_counter() - start
    return n / elapsed, issue_times


# The same tables and indexes as the store, and a bare two-table schema: the
# first shows what the store's code costs, the second what the schema does.
BARE_SCHEMA = (
    "CREATE TABLE tickets (id INTEGER PRIMARY KEY, day TEXT, service TEXT, prefix TEXT, cycle INTEGER, "
    "number INTEGER, priority INTEGER, state TEXT, issued_at REAL, called_at REAL, finished_at REAL, "
    "counter INTEGER, UNIQUE (day, service, cycle, number));"
    "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT UNIQUE, type TEXT, time REAL, "
    "day TEXT, ticket_id INTEGER, service TEXT, label TEXT, counter INTEGER, data TEXT, sent_at REAL);")
STORE_SCHEMA = ";".join(MIGRATIONS)


def _plain_db(path, schema):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.executescript(schema)
    return conn


def _plain_cycles(conn, n):
    """The same durable writes per cycle as the store (three transactions:
    issue, printed, serve current + call), hand-written: no checks, no reads
    but the last number."""
    day = "2026-01-01"

    def event(kind, tid, service, label, counter=None):
        conn.execute("INSERT INTO events (uid, type, time, day, ticket_id, service, label, counter, data) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}')",
                     (uuid.uuid4().hex, kind, time.time(), day, tid, service, label, counter))

    previous = None
    start = time.perf_counter()
    for i in range(n):
        service = "s%d" % (i % 5)
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT MAX(number) FROM tickets WHERE day = ? AND service = ?", (day, service)).fetchone()
        number = (row[0] or 0) + 1
        label = f"A-{number:03d}"
        tid = conn.execute("INSERT INTO tickets (day, service, prefix, cycle, number, priority, state, issued_at) "
                           "VALUES (?, ?, 'A', 0, ?, 0, 'issued', ?)", (day, service, number, time.time())).lastrowid
        event("issued", tid, service, label)
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE tickets SET state = 'waiting' WHERE id = ?", (tid,))
        event("printed", tid, service, label)
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        if previous:  # calling next finishes the counter's current ticket
            conn.execute("UPDATE tickets SET state = 'served', finished_at = ? WHERE id = ?",
                         (time.time(), previous[0]))
            event("served", *previous, counter=1)
        conn.execute("UPDATE tickets SET state = 'called', called_at = ?, counter = 1 WHERE id = ?", (time.time(), tid))
        event("called", tid, service, label, counter=1)
        conn.execute("COMMIT")
        previous = (tid, service, label)
    elapsed = time.perf_counter() - start
    return n / elapsed


def run(quick=False):
    """Figures for ``ptsp-kiosk bench``."""
    n = 300 if quick else 1500
    demo = config.load(config.DEMO_CONFIG)
    # No quota, so a long run measures the store and not refusals.
    cfg = dataclasses.replace(demo, services=tuple(dataclasses.replace(s, quota=0) for s in demo.services))
    rounds = 5
    rates, same, bare, issue_times = [], [], [], []
    with tempfile.TemporaryDirectory(dir=Path.home() if Path.home().is_dir() else None) as tmp:
        # Same disk for all, and alternating rounds, so fsync costs and
        # whatever else the machine does hit every loop alike.
        store = Store(str(Path(tmp) / "store.db"))
        queue = QueueService(cfg, store)
        same_db = _plain_db(str(Path(tmp) / "same.db"), STORE_SCHEMA)
        bare_db = _plain_db(str(Path(tmp) / "bare.db"), BARE_SCHEMA)
        for _ in range(rounds):
            rate, times = _store_cycles(queue, n // rounds)
            rates.append(rate)
            issue_times += times
            same.append(_plain_cycles(same_db, n // rounds))
            bare.append(_plain_cycles(bare_db, n // rounds))
        for db in (store, same_db, bare_db):
            db.close()
    rate, plain, plain_bare = (statistics.median(x) for x in (rates, same, bare))
    ms = sorted(t * 1000 for t in issue_times)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    ratio = rate / plain
    return [
        Figure("core", "issue+call cycles/s (store)", rate, "/s"),
        Figure("core", "issue+call cycles/s (plain sqlite3, store's tables)", plain, "/s"),
        Figure("core", "store / plain ratio", ratio, "x", ">= 0.5", ratio >= 0.5),
        Figure("core", "issue+call cycles/s (plain sqlite3, bare tables)", plain_bare, "/s"),
        Figure("core", "store / bare-tables ratio", rate / plain_bare, "x"),
        Figure("core", "issue latency median", statistics.median(ms), "ms", "< 5 ms", statistics.median(ms) < 5),
        Figure("core", "issue latency p99", p99, "ms"),
    ]
