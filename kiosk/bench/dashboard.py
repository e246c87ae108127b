"""Dashboard figures (issue 14): one year of data for 50 kiosks (about 5 million
events), written straight into the daily aggregates as ingest would have left
them, then the devices page and a one-month, one-kiosk history page fetched over
HTTP on 127.0.0.1 (waitress in a thread), p95 of repeated requests.

SQLite always; PostgreSQL too when a server is at hand (PTSP_BENCH_PG_URL or a
throwaway cluster from Debian's postgresql). ``--quick``: 5 kiosks, 60 days.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Optional

import requests

from kiosk.bench import Figure
from kiosk.office import pgcluster, receiver
from kiosk.office.app import Receiver
from kiosk.office.dashboard import auth
from kiosk.office.db import Database, open_database
from kiosk.office.server import ServerLimits

SECTION = "dashboard"
DEVICES_P95_MS = 200.0
HISTORY_P95_MS = 500.0
SERVICES = ("kunjungan", "barang", "informasi")
COUNTERS = (1, 2, 3)
FIRST_DAY = dt.date(2025, 4, 1)
# Per kiosk and working day ~350 events: ~78 tickets x ~4.5 events each.
TICKETS_PER_DAY = 78
EVENTS_PER_TICKET = 4.5
PASSWORD = "bench-password"


def _days(count: int) -> Iterator[dt.date]:
    for i in range(count):
        yield FIRST_DAY + dt.timedelta(days=i)


def fill(db: Database, kiosks: int, days: int, now: float, seed: int = 14) -> int:
    """Write ``days`` days of aggregates for ``kiosks`` kiosks; returns the events they stand for."""
    rng = random.Random(seed)
    events = 0
    with db.write() as q:
        q.many("INSERT INTO devices (device, first_seen, last_seen, events, software, backlog, printer_online, "
               "paper, roll_counter, ntp_synchronized, clock_offset_s, faults, timezone) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [(f"kiosk-{k:02d}", now - days * 86400, now - (7200 if k % 10 == 0 else 20), 0, "1.4.0",
                 k % 3, 1, "out" if k % 17 == 0 else "ok", 1000 + k, 1, 0.2, "[]", "Asia/Jakarta")
                for k in range(kiosks)])
    for k in range(kiosks):
        device = f"kiosk-{k:02d}"
        service_rows, hist_rows, hour_rows, counter_rows, type_rows = [], [], [], [], []
        for day in _days(days):
            weekday = day.weekday()
            if weekday == 6:
                continue  # closed on Sunday
            d = day.isoformat()
            tickets = TICKETS_PER_DAY // (2 if weekday == 5 else 1) + rng.randint(-10, 10)
            events += int(tickets * EVENTS_PER_TICKET)
            split = [tickets // 2, tickets // 3, tickets - tickets // 2 - tickets // 3]
            for service, n in zip(SERVICES, split):
                served = n - n // 12
                service_rows.append((device, d, service, n, n // 10, n, n, n // 20, served, n // 12, n // 40,
                                     n // 60, 0, 0, n, n * 600.0, 3600.0, served, served * 420.0))
                minutes: dict[int, int] = {}
                for _ in range(n):
                    m = min(600, int(rng.expovariate(1 / 10)))
                    minutes[m] = minutes.get(m, 0) + 1
                hist_rows += [(device, d, service, m, c) for m, c in minutes.items()]
            for hour in range(8, 16):
                hour_rows.append((device, d, hour, weekday, tickets // 8, tickets // 8 - 1))
            for counter in COUNTERS:
                counter_rows.append((device, d, counter, tickets // 3, tickets // 3 - 2, 2, (tickets // 3) * 420.0))
            start = dt.datetime.combine(day, dt.time(8)).timestamp()
            for type_, n in (("issued", tickets), ("printed", tickets), ("called", tickets),
                             ("served", tickets - 5), ("printer_health", 480)):
                type_rows.append((device, d, type_, n, start, start + 8 * 3600))
        with db.write() as q:
            q.many("INSERT INTO daily_service (device, day, service, issued, priority_issued, printed, called, "
                   "recalled, served, skipped, void, uncertain, transferred, reprinted, waits, wait_sum_s, "
                   "wait_max_s, services, service_sum_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?, ?)", service_rows)
            q.many("INSERT INTO daily_wait_hist (device, day, service, minute, tickets) VALUES (?, ?, ?, ?, ?)",
                   hist_rows)
            q.many("INSERT INTO daily_hour (device, day, hour, weekday, issued, served) VALUES (?, ?, ?, ?, ?, ?)",
                   hour_rows)
            q.many("INSERT INTO daily_counter (device, day, counter, called, served, skipped, service_sum_s) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", counter_rows)
            q.many("INSERT INTO daily_types (device, day, type, events, first_time, last_time) "
                   "VALUES (?, ?, ?, ?, ?, ?)", type_rows)
    auth.add_user(db, "bench", PASSWORD, "viewer", now)
    return events


def _p95_ms(session: requests.Session, url: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        r = session.get(url, timeout=60)
        times.append((time.perf_counter() - start) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"dashboard bench: {url} answered {r.status_code}")
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def measure(db: Database, kiosks: int, days: int, rounds: int, label: str) -> list[Figure]:
    now = dt.datetime.combine(FIRST_DAY + dt.timedelta(days=days), dt.time(10)).timestamp()
    start = time.perf_counter()
    events = fill(db, kiosks, days, now)
    filled = time.perf_counter() - start
    app = Receiver(db, clock=lambda: now)
    server = receiver.make_server(app, "127.0.0.1", 0, ServerLimits(threads=4))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        s = requests.Session()
        csrf = re.search(r'name="csrf" value="([^"]+)"', s.get(base + "/login", timeout=30).text)
        assert csrf is not None
        s.post(base + "/login", data={"csrf": csrf.group(1), "user": "bench", "password": PASSWORD}, timeout=30)
        month_first = FIRST_DAY + dt.timedelta(days=days - 31)
        history = (f"{base}/history?from={month_first.isoformat()}&to="
                   f"{(month_first + dt.timedelta(days=30)).isoformat()}&device=kiosk-01")
        devices_ms = _p95_ms(s, base + "/devices", rounds)
        history_ms = _p95_ms(s, history, rounds)
        today_ms = _p95_ms(s, base + "/today", rounds)
        all_ms = _p95_ms(s, history.split("&device=")[0], max(2, rounds // 4))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    return [
        Figure(SECTION, f"{label}: events represented ({kiosks} kiosks, {days} days)", events, "events"),
        Figure(SECTION, f"{label}: aggregates written", filled, "s"),
        Figure(SECTION, f"{label}: devices page p95", devices_ms, "ms", f"< {DEVICES_P95_MS:g} ms",
               devices_ms < DEVICES_P95_MS),
        Figure(SECTION, f"{label}: history 1 month 1 kiosk p95", history_ms, "ms", f"< {HISTORY_P95_MS:g} ms",
               history_ms < HISTORY_P95_MS),
        Figure(SECTION, f"{label}: today page p95", today_ms, "ms"),
        Figure(SECTION, f"{label}: history 1 month all {kiosks} kiosks p95", all_ms, "ms"),
    ]


def _postgres(stack: list[Any]) -> Optional[str]:
    import os
    url = os.environ.get("PTSP_BENCH_PG_URL")
    if url:
        return url
    if not pgcluster.available():
        return None
    cluster = pgcluster.TempCluster()
    stack.append(cluster)
    cluster.start()
    return cluster.url


def run(quick: bool) -> list[Figure]:
    kiosks, days, rounds = (5, 60, 20) if quick else (50, 365, 40)
    figures = []
    with tempfile.TemporaryDirectory(prefix="ptsp-bench-dashboard-") as tmp:
        db = open_database(str(Path(tmp) / "dashboard.db"))
        try:
            figures += measure(db, kiosks, days, rounds, "sqlite")
        finally:
            db.close()
    stack: list[Any] = []
    try:
        url = _postgres(stack)
        if url:
            schema = f"bench_dashboard_{int(time.time())}"
            db = open_database(pgcluster.with_schema(url, schema))
            try:
                figures += measure(db, kiosks, days, rounds, "postgresql")
            finally:
                db.close()
                pgcluster.drop_schema(url, schema)
    finally:
        for cluster in stack:
            cluster.stop()
    return figures
