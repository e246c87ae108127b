"""Sync figures: draining a backlog to the reference receiver on 127.0.0.1.

The receiver runs in a child process so that the kiosk's memory figure
(tracemalloc peak of this process) holds only the sync client and the store.
Memory is shown for two backlog sizes: it must depend on the batch size, not
on how many events wait.
"""
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from kiosk.core import config
from kiosk.bench import Figure
from kiosk.services.store import Store
from kiosk.office import receiver
from kiosk.services.sync.worker import sync_once

SECTION = "sync"
DRAIN_TARGET_S = 10.0
MEMORY_RATIO_TARGET = 1.5  # peak(large backlog) / peak(small backlog)

_SERVE = ("import sys\nfrom kiosk.office import receiver\n"
          "server = receiver.make_server(receiver.make_app(sys.argv[1]), '127.0.0.1', 0)\n"
          "print(server.server_address[1], flush=True)\nserver.serve_forever()\n")


class _Receiver:
    def __init__(self, db):
        root = Path(__file__).resolve().parents[2]
        env = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVE, str(db)], stdout=subprocess.PIPE,
                                     text=True, env=env)
        port = self.proc.stdout.readline().strip()
        if not port.isdigit():
            self.close()
            raise RuntimeError("the benchmark receiver did not start")
        self.url = f"http://127.0.0.1:{port}{receiver.protocol.EVENTS_PATH}"

    def close(self):
        self.proc.kill()
        self.proc.wait()


def _fill(store, n, start):
    """``n`` events shaped like ticket events (about the size of real ones)."""
    kinds = ("issued", "printed", "called", "served")
    with store.transaction():
        for i in range(n):
            store.log(kinds[i % 4], start + i, day="2026-04-16", ticket=f"A-{i % 999 + 1:03d}",
                      service="kunjungan", counter=i % 3 + 1, priority=i % 7 == 0)


def _drain(cfg, folder, n, measure_memory):
    """(seconds, peak bytes or None, events acknowledged) for a backlog of n."""
    db = folder / f"kiosk-{n}-{int(measure_memory)}.db"
    store = Store(db)
    try:
        _fill(store, n, time.time() - n)
        if measure_memory:
            tracemalloc.start()
        start = time.perf_counter()
        report = sync_once(cfg, store)
        elapsed = time.perf_counter() - start
        peak = None
        if measure_memory:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        if not report.ok:
            raise RuntimeError(f"benchmark sync failed: {report.error}")
        return elapsed, peak, report.acknowledged
    finally:
        store.close()


def run(quick):
    with tempfile.TemporaryDirectory(prefix="ptsp-bench-sync-") as tmp:
        folder = Path(tmp)
        recv_db = folder / "receiver.db"
        token = receiver.ReceiverDB(recv_db).add_token("bench-kiosk")
        token_file = folder / "token"
        token_file.write_text(token)
        token_file.chmod(0o600)
        server = _Receiver(recv_db)
        try:
            base = config.load_demo(database=folder / "unused.db")
            cfg = dataclasses.replace(
                base, device=dataclasses.replace(base.device, id="bench-kiosk"),
                sync=dataclasses.replace(base.sync, enabled=True, url=server.url, token_file=str(token_file)))
            batch = cfg.sync.batch_size
            seconds, _, sent = _drain(cfg, folder, 10_000, measure_memory=False)
            small_n, large_n = (1_000, 5_000) if quick else (2_000, 10_000)
            _, small_peak, _ = _drain(cfg, folder, small_n, measure_memory=True)
            _, large_peak, _ = _drain(cfg, folder, large_n, measure_memory=True)
        finally:
            server.close()
    ratio = large_peak / small_peak
    return [
        Figure(SECTION, "drain 10,000 events to local receiver", seconds, "s", f"< {DRAIN_TARGET_S:g} s",
               seconds < DRAIN_TARGET_S and sent == 10_000),
        Figure(SECTION, f"drain rate (batch {batch})", sent / seconds, "events/s"),
        Figure(SECTION, f"peak memory, backlog {small_n:,}", small_peak / 1024, "KiB"),
        Figure(SECTION, f"peak memory, backlog {large_n:,}", large_peak / 1024, "KiB"),
        Figure(SECTION, f"peak ratio {large_n:,}/{small_n:,} backlog", ratio, "x",
               f"< {MEMORY_RATIO_TARGET:g} (flat)", ratio < MEMORY_RATIO_TARGET),
    ]
