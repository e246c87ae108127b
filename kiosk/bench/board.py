"""Display board figures: call -> picture latency over the LAN feed, idle CPU, memory.

- Latency: the kiosk's LAN server (waitress, 127.0.0.1) in this process, a
  board (SDL dummy driver) in the main thread; each call is published and
  timed until the board has flipped a picture showing it. Median of 50.
- Idle CPU and RSS: ``ptsp-kiosk display --headless`` in a child process at
  1920x1080 with running text, showing a few calls; CPU time over a quiet
  stretch from /proc, resident memory from /proc/PID/status.
"""
from __future__ import annotations

import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from kiosk.bench import Figure
from kiosk.bench.proc import cpu_seconds, rss_mb
from kiosk.core import config

SECTION = "board"
LATENCY_TARGET_MS = 300.0
CPU_TARGET_PCT = 2.0
RSS_TARGET_MB = 100.0
TOKEN = "bench-token-0123456789abcdef"
RUNNING_TEXT = ("Jam layanan: Senin-Kamis 08.00-11.00 dan 13.00-14.00, Jumat-Sabtu 08.30-11.00. "
                "Layanan ini GRATIS, tidak dipungut biaya.")


def _kiosk():
    from kiosk.lan.server import LanServer
    from kiosk.lan.state import LanState

    cfg = config.load_demo()
    cfg = dataclasses.replace(cfg, board=dataclasses.replace(cfg.board, announce="board", running_text=RUNNING_TEXT))
    state = LanState(cfg)
    server = LanServer(cfg, state, token=TOKEN, listen="127.0.0.1:0").start()
    return state, server


def _snapshot(calls):
    return {"day": "2026-12-01", "calls": list(reversed(calls[-20:])),
            "serving": [{"counter": c["counter"], "label": c["label"]} for c in calls[-3:]],
            "services": [{"code": "kunjungan", "can_issue": True, "waiting": 7}]}


def _call(n):
    return {"call_id": n, "counter": n % 3 + 1, "label": f"A-{n % 999 + 1:03d}", "service": "kunjungan",
            "priority": False, "at": time.time(), "text": ""}


def latency_ms(calls_to_make, folder):
    """Median and worst milliseconds from publish to a flipped picture showing the call."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from drivers.sound import FakeAnnouncer
    from kiosk.board.app import BoardApp

    state, server = _kiosk()
    calls: list = []
    shown = {}
    published = {}
    seen = threading.Event()

    def on_frame(model, mono):
        newest = model.calls()[0]["call_id"] if model.calls() else None
        if newest in published and newest not in shown:
            shown[newest] = time.perf_counter()
            seen.set()

    app = BoardApp(server.url, TOKEN, FakeAnnouncer(), size=(1920, 1080), on_frame=on_frame,
                   state_file=str(Path(folder) / "announced.json"))

    def kiosk():
        try:
            time.sleep(0.5)  # the board connects
            for n in range(1, calls_to_make + 1):
                seen.clear()
                calls.append(_call(n))
                published[n] = time.perf_counter()
                state.publish(_snapshot(calls))
                seen.wait(5)
                time.sleep(0.02)
        finally:
            app.stop()

    t = threading.Thread(target=kiosk)
    t.start()
    app.run(max_seconds=60)
    t.join()
    server.stop()
    times = [(shown[n] - published[n]) * 1000 for n in published if n in shown]
    missed = len(published) - len(times)
    return (statistics.median(times) if times else float("inf")), (max(times) if times else float("inf")), missed


def idle_figures(seconds, folder):
    """(CPU %, RSS MB) of a headless board process sitting idle with running text."""
    state, server = _kiosk()
    # Calls made a minute ago: their highlight is over, so this is the board at rest.
    calls = [dict(_call(n), at=time.time() - 60) for n in range(1, 6)]
    state.publish(_snapshot(calls))
    token_file = Path(folder) / "token"
    token_file.write_text(TOKEN)
    os.chmod(token_file, 0o600)
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1",
               PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    shots = Path(folder) / "shots"
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli.display", "--headless", "--silent",
                             "--source", server.url, "--token-file", str(token_file), "--size", "1920x1080",
                             "--screenshot-dir", str(shots), "--state-file", str(Path(folder) / "a.json")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (shots / "board.png").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise RuntimeError(f"the board process ended with status {proc.returncode}")
        time.sleep(1.0)  # settle: fonts loaded, first pictures drawn
        before, t0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(seconds)
        after, t1 = cpu_seconds(proc.pid), time.monotonic()
        cpu = (after - before) / (t1 - t0) * 100
        rss = rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        server.stop()
    return cpu, rss


def run(quick=False):
    figures = []
    with tempfile.TemporaryDirectory() as folder:
        median, worst, missed = latency_ms(15 if quick else 50, folder)
        figures.append(Figure(SECTION, f"call -> board shows it, median of {15 if quick else 50}", median, "ms",
                              f"< {LATENCY_TARGET_MS:g} ms", median < LATENCY_TARGET_MS and not missed))
        figures.append(Figure(SECTION, "call -> board shows it, worst", worst, "ms"))
        cpu, rss = idle_figures(3 if quick else 10, folder)
        figures.append(Figure(SECTION, "idle CPU (1920x1080, running text)", cpu, "%", f"< {CPU_TARGET_PCT:g} %",
                              cpu < CPU_TARGET_PCT))
        figures.append(Figure(SECTION, "resident memory", rss, "MB", f"< {RSS_TARGET_MB:g} MB", rss < RSS_TARGET_MB))
    return figures
