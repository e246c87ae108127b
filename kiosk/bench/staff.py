"""Staff page figures: a button on the staff page -> ticket called, on loopback.

The kiosk side is the real thing without a screen: a main-loop thread runs
the KioskMachine and executes its effects with the EffectsRunner and a
QueueService on a temporary store, and the LAN server (waitress) mounts the
staff page. ``HeadlessKiosk`` also serves the staff page tests.
"""
from __future__ import annotations

import collections
import dataclasses
import http.client
import logging
import queue
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional
from urllib.parse import urlencode

from kiosk.bench import Figure
from kiosk.core import config
from kiosk.core.staff_pin import hash_pin
from kiosk.lan.server import LanServer
from kiosk.lan.staff import StaffApp
from kiosk.lan.state import LanState
from kiosk.machine.effects import Instant
from kiosk.machine.machine import KioskMachine
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store
from kiosk.shell.effects_runner import EffectsRunner

SECTION = "staff"
TARGET_MS = 100.0
BENCH_PIN = "2468"


def staff_config(database: Path, pin_hash: str, **queue_options: str) -> config.Config:
    """The demo config with the staff page on, every counter with the same PIN."""
    cfg = config.load_demo(database)
    counters = tuple(dataclasses.replace(c, pin_hash=pin_hash) for c in cfg.counters)
    # No press guard: a bench or a test presses faster than an officer may.
    return dataclasses.replace(cfg, counters=counters, staff=dataclasses.replace(cfg.staff, enabled=True),
                               queue=dataclasses.replace(cfg.queue, **queue_options),
                               buttons=dataclasses.replace(cfg.buttons, counter_interval=0.0))


class HeadlessKiosk:
    """The kiosk's main loop in a thread (machine + effects, no screen, no
    printer) behind a LAN server with the staff page, on 127.0.0.1."""

    def __init__(self, cfg: config.Config, clock=time.time) -> None:
        self.cfg = cfg
        self.clock = clock
        self.events: queue.Queue = queue.Queue()
        self.state = LanState(cfg, events=self.events)
        self.staff = StaffApp(cfg, self.state.submit, clock=clock)
        self.server = LanServer(cfg, self.state, token="bench-token-0123456789", staff_app=self.staff,
                                listen="127.0.0.1:0")
        self._thread = threading.Thread(target=self._loop, name="kiosk-loop", daemon=True)
        self._ready = threading.Event()
        self.error: Optional[BaseException] = None

    def __enter__(self) -> "HeadlessKiosk":
        self._thread.start()
        self._ready.wait(10)
        self.server.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()
        self.events.put(None)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"{self.server.url}/staff"

    def _now(self) -> Instant:
        return Instant(time.monotonic(), self.clock())

    def _loop(self) -> None:
        store = Store(self.cfg.storage.database)  # the loop thread owns its connection
        service = QueueService(self.cfg, store, clock=self.clock)
        machine = KioskMachine(self.cfg)
        runner = EffectsRunner(service, self.cfg.device.language,
                               replies=lambda r: self.state.reply(r.request_id, r))

        def execute(effects: list) -> None:
            todo = collections.deque(effects)
            while todo:
                effect = todo.popleft()
                for result in runner.run(effect):
                    todo.extend(machine.on_event(result, self._now()))
            self.state.publish(machine.snapshot().as_dict())

        try:
            execute(machine.start(self._now()))
            self._ready.set()
            while True:
                event = self.events.get()
                if event is None:
                    break
                execute(machine.on_event(event, self._now()))
        except BaseException as e:  # a test must see it, not hang
            self.error = e
            raise
        finally:
            self._ready.set()
            store.close()


class StaffClient:
    """A minimal browser for the staff page: cookies, login, CSRF header."""

    def __init__(self, url: str) -> None:
        m = re.match(r"http://([^/:]+):(\d+)(/.*)$", url)
        assert m, url
        self.conn = http.client.HTTPConnection(m.group(1), int(m.group(2)), timeout=10)
        self.base = m.group(3)
        self.cookies: dict = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes = b"", headers: Optional[dict] = None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, self.base + path, body=body or None, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        return r.status, data

    def login(self, counter: int, pin: str) -> int:
        _, page = self.request("GET", f"/{counter}/")
        csrf = re.search(rb'name="csrf" value="([^"]+)"', page)
        status, _ = self.request("POST", f"/{counter}/login", urlencode({"pin": pin, "csrf": csrf.group(1).decode()
                                                                         if csrf else ""}).encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        if status == 303:
            _, page = self.request("GET", f"/{counter}/")
            token = re.search(rb'&quot;csrf&quot;: &quot;([^&]+)&quot;', page)
            self.csrf = token.group(1).decode() if token else ""
        return status

    def action(self, counter: int, payload: str):
        return self.request("POST", f"/{counter}/action", payload.encode(),
                            {"Content-Type": "application/json", "X-CSRF-Token": self.csrf})


def run(quick: bool) -> list:
    """Median time from a staff page button (POST action next) to the ticket called."""
    rounds = 20 if quick else 100
    quiet = [logging.getLogger(name) for name in ("kiosk.lan", "kiosk.machine", "kiosk.shell")]
    levels = [lg.level for lg in quiet]
    for lg in quiet:  # one log line per call would bury the figures
        lg.setLevel(logging.WARNING)
    try:
        times = _measure(rounds)
    finally:
        for lg, level in zip(quiet, levels):
            lg.setLevel(level)
    median = statistics.median(times)
    return [Figure(SECTION, "staff page next -> ticket called (median)", median, "ms", f"< {TARGET_MS:g} ms",
                   median < TARGET_MS),
            Figure(SECTION, "staff page next -> ticket called (max)", max(times), "ms")]


def _measure(rounds: int) -> list:
    """Milliseconds of ``rounds`` staff page "next" presses, each calling a ticket."""
    with tempfile.TemporaryDirectory() as tmp:
        cfg = staff_config(Path(tmp) / "kiosk.db", hash_pin(BENCH_PIN))
        store = Store(cfg.storage.database)
        service = QueueService(cfg, store)
        for _ in range(rounds + 1):
            service.printed(service.issue("barang").ticket.id)
        store.close()
        with HeadlessKiosk(cfg) as kiosk:
            client = StaffClient(kiosk.url)
            if client.login(1, BENCH_PIN) != 303:
                raise RuntimeError("the bench could not log in to the staff page")
            client.action(1, '{"action": "next"}')  # warm up
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                status, body = client.action(1, '{"action": "next"}')
                times.append((time.perf_counter() - start) * 1000)
                if status != 200 or b'"ok": true' not in body:
                    raise RuntimeError(f"staff action failed: {status} {body[:200]!r}")
    return times
