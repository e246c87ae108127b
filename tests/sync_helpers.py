"""Servers and helpers for the sync tests. Every server listens on 127.0.0.1."""
import dataclasses
import io
import json
import os
import re
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kiosk.core.config import Sync
from kiosk.office import receiver
from kiosk.services.sync.protocol import EVENTS_PATH

ROOT = Path(__file__).resolve().parent.parent
DEVICE = "demo-kiosk"  # the device id of config/demo.toml
DAY = "2026-04-16"
T0 = 1776300000.0  # a fixed epoch for event times


def sync_config(cfg, url, token_file, **overrides):
    """``cfg`` with sync pointed at ``url`` and short timeouts and backoffs."""
    values = dict(enabled=True, url=url, token_file=str(token_file), timeout=2.0, interval=0.05,
                  backoff_start=0.01, backoff_max=0.05, batch_size=50, heartbeat=3600.0)
    values.update(overrides)
    return dataclasses.replace(cfg, sync=Sync(**values))


def write_config(path, database, url, token_file, batch_size=50, timeout=30.0):
    """The demo config with our database and a [sync] section."""
    text = (ROOT / "config" / "demo.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^database = .*$', f'database = "{database}"', text)
    text += (f'\n[sync]\nenabled = true\nurl = "{url}"\ntoken_file = "{token_file}"\n'
             f"batch_size = {batch_size}\ntimeout = {timeout}\ninterval = 0.2\nbackoff_start = 0.05\n"
             "backoff_max = 0.2\n")
    path.write_text(text, encoding="utf-8")
    return path


def kiosk(*args, **kw):
    """``python -m kiosk ARGS`` as a child process (text pipes)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def write_token(path, token, mode=0o600):
    path.write_text(token + "\n")
    path.chmod(mode)
    return path


def fill(store, n, start=0):
    """Put ``n`` non-ticket events in the outbox (one transaction); returns their uids."""
    with store.transaction():
        for i in range(start, start + n):
            store.log("press_ignored", T0 + i, day=DAY, target="service:A", n=i)
    return [e["uid"] for e in store.events()][-n:]


def upstream(db_path, device=DEVICE):
    """uid -> number of rows the receiver holds for it."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT uid, count(*) FROM events WHERE device = ? GROUP BY uid", (device,)).fetchall()
    return dict(rows)


def upstream_rows(db_path):
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT count(*) FROM events").fetchone()[0]


def assert_exactly_once(store, receiver_db):
    """Every event of the store is upstream once, and marked sent locally."""
    local = {e["uid"] for e in store.events()}
    held = upstream(receiver_db)
    assert set(held) == local, "events lost or foreign events upstream"
    assert all(n == 1 for n in held.values()), "an event is stored twice upstream"
    assert upstream_rows(receiver_db) == len(local)
    assert store.backlog() == 0


class ReceiverThread:
    """The real receiver on a wsgiref server in a thread (port 0)."""

    def __init__(self, db_path, tokens_file=None, app=None):
        self.db_path = str(db_path)
        self.app = app or receiver.make_app(self.db_path, tokens_file)
        self.server = receiver.make_server(self.app, "127.0.0.1", 0)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = self.base + EVENTS_PATH
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def call_app(app, method, path, headers, body):
    """Call a WSGI app directly; returns (status, headers, body bytes)."""
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": headers.get("Content-Type", ""),
               "wsgi.input": io.BytesIO(body), "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "0",
               "wsgi.url_scheme": "http"}
    if headers.get("Authorization"):
        environ["HTTP_AUTHORIZATION"] = headers["Authorization"]
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), response_headers

    payload = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], payload


class FaultServer:
    """An HTTP server in front of the real receiver app that misbehaves on request.

    ``faults`` is a list consumed one per POST; when empty, requests pass through.
    Faults:
      down-500  answer 500 without storing
      500       store the batch, then answer 500
      slow      store, then answer only after ``slow_seconds`` (past the client timeout)
      hang      store, set ``stored`` and answer only when ``release`` is set
      garbage   store, then answer 200 with text that is not JSON
      badack    store, then answer 200 with JSON that is not an acknowledgement
      partial   store, then acknowledge only the first half of the uids
      reset     store, then reset the TCP connection without any answer
    """

    def __init__(self, db_path, faults=(), slow_seconds=1.0):
        self.app = receiver.make_app(str(db_path))
        self.faults = list(faults)
        self.slow_seconds = slow_seconds
        self.seen = []  # the fault applied to each POST
        self.stored = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                outer._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # resets are the point
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{EVENTS_PATH}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def _next(self):
        with self._lock:
            fault = self.faults.pop(0) if self.faults else "pass"
            self.seen.append(fault)
            return fault

    def _handle(self, h):
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        fault = self._next()
        if fault == "down-500":
            return _send(h, 500, b'{"reason": "injected failure"}')
        status, _, payload = call_app(self.app, "POST", h.path, dict(h.headers), body)
        if fault == "500":
            return _send(h, 500, b"Internal Server Error")
        if fault == "garbage":
            return _send(h, 200, b"<html><body>Proxy error</body></html>")
        if fault == "badack":
            return _send(h, 200, b'{"acknowledged": "all of them"}')
        if fault == "partial":
            answer = json.loads(payload)
            answer["acknowledged"] = answer["acknowledged"][:len(answer["acknowledged"]) // 2]
            return _send(h, status, json.dumps(answer).encode())
        if fault == "slow":
            time.sleep(self.slow_seconds)
        if fault == "hang":
            self.stored.set()
            self.release.wait(30)
        if fault == "reset":
            # SO_LINGER 0: close() sends RST instead of FIN, like a crashed proxy.
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            h.close_connection = True
            return None
        return _send(h, status, payload)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def _send(h, status, payload):
    try:
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)
    except OSError:  # the client gave up (timeout): that is what a slow server sees
        pass


def free_port():
    """A port nobody listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- fixtures (import them by name into a test module) ---------------------
import pytest  # noqa: E402

from kiosk.services.store import Store  # noqa: E402


@pytest.fixture
def kiosk_store(tmp_path):
    """The real kiosk store in a temporary folder."""
    store = Store(tmp_path / "kiosk.db")
    yield store
    store.close()


@pytest.fixture
def upstream_db(tmp_path):
    """(receiver database path, the demo kiosk's token registered in it)."""
    path = str(tmp_path / "receiver.db")
    token = receiver.ReceiverDB(path).add_token(DEVICE)
    return path, token


@pytest.fixture
def token_file(tmp_path, upstream_db):
    return write_token(tmp_path / "token", upstream_db[1])


@pytest.fixture
def real_receiver(upstream_db):
    server = ReceiverThread(upstream_db[0])
    yield server
    server.close()


@pytest.fixture
def fault_server(upstream_db):
    server = FaultServer(upstream_db[0])
    yield server
    server.close()
