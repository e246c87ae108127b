"""Core figures: issue+call cycles through the real store vs a plain sqlite3 loop."""
import dataclasses
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from . import config
from .bench import Figure
from .queue_service import QueueService
from .store import Store


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


def _plain_db(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.executescript(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, day TEXT, service TEXT, number INTEGER, state TEXT, "
        "issued_at REAL, called_at REAL, counter INTEGER, UNIQUE (day, service, number));"
        "CREATE TABLE e (seq INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT UNIQUE, type TEXT, time REAL, "
        "ticket_id INTEGER, data TEXT, sent_at REAL);")
    return conn


def _plain_cycles(conn, n):
    """The same durable writes per cycle (three transactions: issue, printed,
    serve current + call), hand-written, with no checks and no reads."""

    def event(kind, tid):
        conn.execute("INSERT INTO e (uid, type, time, ticket_id, data) VALUES (?, ?, ?, ?, '{}')",
                     (uuid.uuid4().hex, kind, time.time(), tid))

    previous = None
    start = time.perf_counter()
    for i in range(n):
        service = "s%d" % (i % 5)
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT MAX(number) FROM t WHERE day = '2026-01-01' AND service = ?",
                           (service,)).fetchone()
        tid = conn.execute("INSERT INTO t (day, service, number, state, issued_at) VALUES (?, ?, ?, 'issued', ?)",
                           ("2026-01-01", service, (row[0] or 0) + 1, time.time())).lastrowid
        event("issued", tid)
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE t SET state = 'waiting' WHERE id = ?", (tid,))
        event("printed", tid)
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        if previous:  # calling next finishes the counter's current ticket
            conn.execute("UPDATE t SET state = 'served' WHERE id = ?", (previous,))
            event("served", previous)
        conn.execute("UPDATE t SET state = 'called', called_at = ?, counter = 1 WHERE id = ?", (time.time(), tid))
        event("called", tid)
        conn.execute("COMMIT")
        previous = tid
    elapsed = time.perf_counter() - start
    return n / elapsed


def run(quick=False):
    """Figures for ``ptsp-kiosk bench``."""
    n = 300 if quick else 1500
    demo = config.load(config.DEMO_CONFIG)
    # No quota, so a long run measures the store and not refusals.
    cfg = dataclasses.replace(demo, services=tuple(dataclasses.replace(s, quota=0) for s in demo.services))
    rounds = 5
    rates, plains, issue_times = [], [], []
    with tempfile.TemporaryDirectory(dir=Path.home() if Path.home().is_dir() else None) as tmp:
        # Same disk for both, and alternating rounds, so fsync costs and
        # whatever else the machine does hit both loops alike.
        store = Store(str(Path(tmp) / "store.db"))
        queue = QueueService(cfg, store)
        conn = _plain_db(str(Path(tmp) / "plain.db"))
        for _ in range(rounds):
            rate, times = _store_cycles(queue, n // rounds)
            rates.append(rate)
            issue_times += times
            plains.append(_plain_cycles(conn, n // rounds))
        store.close()
        conn.close()
    rate, plain = statistics.median(rates), statistics.median(plains)
    ms = sorted(t * 1000 for t in issue_times)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    ratio = rate / plain
    return [
        Figure("core", "issue+call cycles/s (store)", rate, "/s"),
        Figure("core", "issue+call cycles/s (plain sqlite3)", plain, "/s"),
        Figure("core", "store / plain ratio", ratio, "x", ">= 0.5", ratio >= 0.5),
        Figure("core", "issue latency median", statistics.median(ms), "ms", "< 5 ms", statistics.median(ms) < 5),
        Figure("core", "issue latency p99", p99, "ms"),
    ]
