"""Office receiver figures (issues 11 and 14), all on 127.0.0.1, bounded in count and time.

- new connections per second while 100 idle connections stay open (target >= 500/s);
- health check p99 while 100 slow clients trickle one byte a second (target < 100 ms);
- events ingested per second from 20 concurrent kiosks (SQLite), and from 50 kiosks
  on SQLite and on PostgreSQL (a throwaway cluster, or PTSP_BENCH_PG_URL).

The receiver runs in a child process under waitress (``ptsp-kiosk receiver``'s
server), so the clients here do not share its interpreter lock.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

import requests

from kiosk.bench import Figure
from kiosk.office import pgcluster
from kiosk.office.receiver import ReceiverDB
from kiosk.services.sync import protocol

SECTION = "office"
CONNECT_TARGET = 500.0  # new connections per second
HEALTH_P99_TARGET_MS = 100.0
DAY_START = 1776300000.0  # 2026-04-16 07:40 WIB

_SERVE = """import logging, sys
from kiosk.office import receiver
logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" is the point of the bench
app = receiver.make_app(sys.argv[1])
server = receiver.make_server(app, "127.0.0.1", 0, receiver.ServerLimits(threads=8, channel_timeout=60))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


class _Server:
    """The receiver in a child process; ``port`` once it listens."""

    def __init__(self, db: str) -> None:
        root = Path(__file__).resolve().parents[2]
        env = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVE, db], stdout=subprocess.PIPE, text=True,
                                     env=env)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.isdigit():
            self.close()
            raise RuntimeError("the benchmark receiver did not start")
        self.port = int(line)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _health(port: int) -> float:
    """One health check on a new connection; seconds it took."""
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        while s.recv(4096):
            pass
    return time.perf_counter() - start


def _connections_per_second(port: int, quick: bool) -> float:
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(100)]
    try:
        n = 300 if quick else 1000
        start = time.perf_counter()
        for _ in range(n):
            _health(port)
        return n / (time.perf_counter() - start)
    finally:
        for s in idle:
            s.close()


def _health_p99_with_tricklers(port: int, quick: bool) -> float:
    """p99 (ms) of health checks while 100 clients each send one header byte a second."""
    stop = threading.Event()
    slow = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(100)]
    request = b"POST /api/v1/events HTTP/1.1\r\nHost: bench\r\nX-Slow: " + b"a" * 1000

    def trickle() -> None:
        i = 0
        while not stop.wait(1.0):
            for s in slow:
                try:
                    s.send(request[i % len(request):i % len(request) + 1])
                except OSError:
                    pass
            i += 1

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    times = []
    try:
        deadline = time.monotonic() + (2.5 if quick else 5.0)
        while time.monotonic() < deadline:
            times.append(_health(port))
            time.sleep(0.01)  # pacing: the point is latency under the trickle, not throughput
    finally:
        stop.set()
        thread.join(5)
        for s in slow:
            s.close()
    times.sort()
    return times[min(len(times) - 1, int(len(times) * 0.99))] * 1000


def _kiosk_bodies(device: str, n_events: int, batch_size: int = 200) -> list[bytes]:
    """Encoded batches of ticket lives (issued, printed, called, served), like a kiosk sends."""
    kinds = ("issued", "printed", "called", "served")
    events = []
    for i in range(n_events):
        ticket = i // 4 + 1
        t = DAY_START + ticket * 90 + (i % 4) * 60
        events.append({"seq": i + 1, "uid": f"{device}-{i + 1}", "type": kinds[i % 4], "time": t,
                       "day": "2026-04-16", "ticket_id": ticket, "service": ("kunjungan", "barang")[ticket % 2],
                       "label": f"A-{ticket % 999 + 1:03d}", "counter": ticket % 3 + 1 if i % 4 >= 2 else None,
                       "data": {"priority": False} if i % 4 == 0 else {}})
    return [json.dumps(protocol.build_batch(device, events[i:i + batch_size], DAY_START)).encode()
            for i in range(0, n_events, batch_size)]


def _ingest_rate(db: str, kiosks: int, events_each: int) -> float:
    """Events per second stored by the receiver from ``kiosks`` posting at once."""
    rdb = ReceiverDB(db)
    try:
        tokens = {f"bench-{k:02d}": rdb.add_token(f"bench-{k:02d}") for k in range(kiosks)}
    finally:
        rdb.close()
    bodies = {device: _kiosk_bodies(device, events_each) for device in tokens}
    server = _Server(db)
    failures: list[str] = []
    go = threading.Event()

    def kiosk(device: str) -> None:
        with requests.Session() as http:
            headers = {"Authorization": f"Bearer {tokens[device]}", "Content-Type": "application/json"}
            go.wait()
            for body in bodies[device]:
                r = http.post(f"http://127.0.0.1:{server.port}{protocol.EVENTS_PATH}", data=body,
                              headers=headers, timeout=60)
                if r.status_code != 200:
                    failures.append(f"{device}: {r.status_code} {r.text[:100]}")
                    return

    threads = [threading.Thread(target=kiosk, args=(d,)) for d in tokens]
    try:
        for t in threads:
            t.start()
        start = time.perf_counter()
        go.set()
        for t in threads:
            t.join(600)
        elapsed = time.perf_counter() - start
    finally:
        server.close()
    if failures:
        raise RuntimeError(f"benchmark ingest failed: {failures[0]}")
    return kiosks * events_each / elapsed


def _postgres_url(stack: list) -> Optional[str]:
    url = os.environ.get("PTSP_BENCH_PG_URL")
    if url:
        return url
    if not pgcluster.available():
        return None
    cluster = pgcluster.TempCluster(durable=True)  # fsync on: a fair comparison with SQLite FULL
    stack.append(cluster)
    cluster.start()
    return cluster.url


def run(quick: bool) -> list[Figure]:
    figures = []
    per_kiosk = 200 if quick else 2000
    with tempfile.TemporaryDirectory(prefix="ptsp-bench-office-") as tmp:
        server = _Server(str(Path(tmp) / "net.db"))
        try:
            rate = _connections_per_second(server.port, quick)
            p99 = _health_p99_with_tricklers(server.port, quick)
        finally:
            server.close()
        figures += [
            Figure(SECTION, "new connections, 100 idle open", rate, "conn/s", f">= {CONNECT_TARGET:g}/s",
                   rate >= CONNECT_TARGET),
            Figure(SECTION, "health p99, 100 slow clients trickling", p99, "ms", f"< {HEALTH_P99_TARGET_MS:g} ms",
                   p99 < HEALTH_P99_TARGET_MS),
        ]
        for kiosks in (20, 50):
            rate = _ingest_rate(str(Path(tmp) / f"ingest-{kiosks}.db"), kiosks, per_kiosk)
            figures.append(Figure(SECTION, f"ingest, {kiosks} kiosks at once, SQLite", rate, "events/s"))
        clusters: list = []
        try:
            url = _postgres_url(clusters)
            if url is None:
                figures.append(Figure(SECTION, "ingest, 50 kiosks, PostgreSQL: not installed", 0, "-"))
            else:
                rate = _ingest_rate(url, 50, per_kiosk)
                figures.append(Figure(SECTION, "ingest, 50 kiosks at once, PostgreSQL", rate, "events/s"))
        finally:
            for cluster in clusters:
                cluster.stop()
    return figures
