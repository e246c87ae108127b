"""Builders and a real server for the office tests (everything on 127.0.0.1)."""
import json
import socket
import threading

import requests

from kiosk.office import receiver
from kiosk.office.server import ServerLimits
from kiosk.services.sync import protocol

DEVICE = "demo-kiosk"
DAY = "2026-04-16"
T = 1776300000.0  # 2026-04-16 07:40 WIB


def event(n, **over):
    """A ticket event with seq/uid n (override any field)."""
    e = {"seq": n, "uid": f"uid-{n}", "type": "issued", "time": T + n, "day": DAY, "ticket_id": n,
         "service": "kunjungan", "label": f"A-{n:03d}", "counter": None, "data": {"priority": False}}
    e.update(over)
    return e


def batch(events, device=DEVICE, **extra):
    body = {"protocol": 1, "device": device, "sent_at": T + 100, "events": events}
    body.update(extra)
    return body


def ticket_life(n, service="kunjungan", issued=T, wait=60.0, spent=300.0, counter=1, outcome="served"):
    """Events of one ticket: issued, printed, called after ``wait``, then served/skipped after ``spent``."""
    base = n * 10
    common = {"ticket_id": n, "service": service, "label": f"A-{n:03d}"}
    return [event(base + 1, type="issued", time=issued, **common),
            event(base + 2, type="printed", time=issued + 1, **common),
            event(base + 3, type="called", time=issued + wait, counter=counter, **common),
            event(base + 4, type=outcome, time=issued + wait + spent, counter=counter, **common)]


class Server:
    """The receiver app on a real waitress server in a thread (port 0)."""

    def __init__(self, db, tokens_file=None, limits=ServerLimits(threads=4), app=None):
        self.app = app or receiver.make_app(db, tokens_file)
        self.server = receiver.make_server(self.app, "127.0.0.1", 0, limits)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = self.base + protocol.EVENTS_PATH
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)

    def raw(self, data, read_timeout=10.0):
        """Send raw bytes on a new connection; returns everything answered until close."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout) as s:
            s.sendall(data)
            chunks = []
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                        break
            except ConnectionResetError:
                pass
        return b"".join(chunks)


def _complete(answer):
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_of(answer):
    """The status code of a raw HTTP answer (0 when there was none)."""
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def post(server, token, body, raw=None, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(server.url, data=data, headers=headers, timeout=10)


def get(server, path, token, **params):
    return requests.get(server.base + path, params=params, headers={"Authorization": f"Bearer {token}"},
                        timeout=10)
