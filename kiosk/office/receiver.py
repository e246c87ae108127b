"""Reference receiver: the office side of the sync protocol, as a WSGI application.

Standard library only (wsgiref, sqlite3), so an office can run it with one
command (``ptsp-kiosk receiver --listen 127.0.0.1:8080 --db PATH``) or under any
WSGI server behind a TLS reverse proxy (docs/SYNC_PROTOCOL.md, "Running the
receiver").

- ``POST /api/v1/events``: a batch from one kiosk (see protocol.py). Events are
  stored once per (device, uid); the answer lists every uid of the batch the
  receiver now holds. An optional heartbeat is stored per device.
- ``GET /api/v1/summary?day=YYYY-MM-DD&device=ID``: counts per device and day.
- ``GET /api/v1/devices``: every device with its last contact and heartbeat.
- ``GET /healthz``: "ok" for load balancers.

Tokens. A device sends ``Authorization: Bearer <token>``. Tokens live in the
receiver database (only their SHA-256 is kept; ``ptsp-kiosk receiver-add-device``
creates one) and/or in a tokens file given with ``--tokens``, one per line::

    # device-id   token-or-sha256:HEX   [role]
    blora-1       4f9c...               device
    office-pc     sha256:9a1b...        viewer

A ``device`` token may post events for its own device id and read its own
summary; a ``viewer`` token may read every summary but post nothing. The file
is re-read when it changes, so devices can be added without a restart.
"""
import hashlib
import hmac
import json
import logging
import os
import secrets
import socketserver
import sqlite3
import stat
import threading
import time
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from kiosk.core.errors import KioskError
from kiosk.services.sync import protocol
from kiosk.services.sync.protocol import ProtocolError

log = logging.getLogger("kiosk.office.receiver")

APPLICATION_ID = 0x50545352  # "PTSR": marks the file as a receiver database
SCHEMA_VERSION = 1
ROLES = ("device", "viewer")
SUMMARY_MAX_DAYS = 366

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT PRIMARY KEY,            -- device id (or viewer name)
    token_sha256 TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL DEFAULT 'device',
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    device TEXT NOT NULL,
    uid TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    time REAL NOT NULL,
    day TEXT NOT NULL,
    ticket_id INTEGER,
    service TEXT,
    label TEXT,
    counter INTEGER,
    data TEXT NOT NULL,
    received REAL NOT NULL,
    PRIMARY KEY (device, uid)
);
CREATE INDEX IF NOT EXISTS events_device_day ON events (device, day);
CREATE TABLE IF NOT EXISTS device_status (
    device TEXT PRIMARY KEY,
    last_seen REAL NOT NULL,
    last_seq INTEGER,
    heartbeat TEXT,
    heartbeat_at REAL
);
CREATE TABLE IF NOT EXISTS heartbeats (
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    received REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS heartbeats_device ON heartbeats (device, received);
"""


class ReceiverError(KioskError, RuntimeError):
    """The receiver cannot start (database not ours, bad tokens file)."""


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ReceiverDB:
    """The receiver's SQLite file. One short-lived connection per request, so
    any number of server threads or processes can share it (WAL)."""

    def __init__(self, path):
        self.path = str(path)
        try:
            with self.connect() as db:
                app_id = db.execute("PRAGMA application_id").fetchone()[0]
                tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
                if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
                    raise ReceiverError(f"{self.path} is not a PTSP receiver database; choose another --db path")
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise ReceiverError(f"{self.path} has schema {version}, newer than this receiver knows")
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as e:
            raise ReceiverError(f"cannot use {self.path} as the receiver database: {e}") from None

    def connect(self):
        try:
            db = sqlite3.connect(self.path, timeout=15, isolation_level=None)
            db.execute("PRAGMA synchronous = FULL")  # acknowledged means on disk
            return _Closing(db)
        except sqlite3.DatabaseError as e:
            raise ReceiverError(f"cannot open {self.path}: {e}") from None

    # -- tokens -------------------------------------------------------------
    def add_token(self, name, role="device", now=None):
        """Create (or replace) the token of ``name``; returns the new token once."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        if not protocol.DEVICE_RE.match(name):
            raise ValueError("a device id uses 1-64 letters, digits, '.', '_' or '-'")
        token = secrets.token_urlsafe(32)
        with self.connect() as db:
            db.execute("INSERT OR REPLACE INTO tokens (name, token_sha256, role, created) VALUES (?, ?, ?, ?)",
                       (name, hash_token(token), role, now or time.time()))
        return token

    def token_owner(self, token_sha256):
        with self.connect() as db:
            row = db.execute("SELECT name, role FROM tokens WHERE token_sha256 = ?", (token_sha256,)).fetchone()
        return tuple(row) if row else None

    # -- events -------------------------------------------------------------
    def store_batch(self, device, events, heartbeat=None, now=None):
        """Store a validated batch in one transaction.

        Returns (acknowledged uids, newly stored, duplicates). Only after the
        commit does the caller answer, so an acknowledged event is on disk.
        """
        now = now or time.time()
        rows = [(device, e["uid"], e["seq"], e["type"], float(e["time"]),
                 e.get("day") or time.strftime("%Y-%m-%d", time.gmtime(e["time"])),
                 e.get("ticket_id"), e.get("service"), e.get("label"), e.get("counter"),
                 json.dumps(e.get("data") or {}, separators=(",", ":")), now) for e in events]
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                before = db.total_changes
                db.executemany("INSERT OR IGNORE INTO events (device, uid, seq, type, time, day, ticket_id, "
                               "service, label, counter, data, received) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
                stored = db.total_changes - before
                last_seq = max((e["seq"] for e in events), default=None)
                hb = json.dumps(heartbeat, separators=(",", ":")) if heartbeat is not None else None
                db.execute(
                    "INSERT INTO device_status (device, last_seen, last_seq, heartbeat, heartbeat_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET last_seen = excluded.last_seen, "
                    "last_seq = max(coalesce(last_seq, 0), coalesce(excluded.last_seq, 0)), "
                    "heartbeat = coalesce(excluded.heartbeat, heartbeat), "
                    "heartbeat_at = coalesce(excluded.heartbeat_at, heartbeat_at)",
                    (device, now, last_seq, hb, now if hb else None))
                if hb:
                    db.execute("INSERT INTO heartbeats (device, received, body) VALUES (?, ?, ?)", (device, now, hb))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        uids = list(dict.fromkeys(e["uid"] for e in events))
        return uids, stored, len(rows) - stored

    # -- reading ------------------------------------------------------------
    def devices(self, only=None):
        """Every device seen, with its last contact, last seq and last heartbeat."""
        sql = ("SELECT s.device, s.last_seen, s.last_seq, s.heartbeat, s.heartbeat_at, "
               "(SELECT count(*) FROM events e WHERE e.device = s.device) FROM device_status s")
        args = ()
        if only:
            sql += " WHERE s.device = ?"
            args = (only,)
        with self.connect() as db:
            rows = db.execute(sql + " ORDER BY s.device", args).fetchall()
        return [{"device": d, "last_seen": seen, "last_seq": seq, "events": count,
                 "heartbeat_at": hb_at, "heartbeat": json.loads(hb) if hb else None}
                for d, seen, seq, hb, hb_at, count in rows]

    def summary(self, device=None, day=None, days=31):
        """Per device and business day: counts by type, and per service the
        tickets issued/served/skipped/void with average wait and service time.

        Without ``day``: the latest ``days`` days that have events.
        """
        where, args = [], []
        if device:
            where.append("device = ?")
            args.append(device)
        if day:
            where.append("day = ?")
            args.append(day)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self.connect() as db:
            wanted = db.execute(f"SELECT DISTINCT device, day FROM events {clause} ORDER BY day DESC, device",
                                args).fetchall()
            if not day:
                keep_days = sorted({d for _, d in wanted}, reverse=True)[:days]
                wanted = [(dev, d) for dev, d in wanted if d in keep_days]
            out = {}
            for dev, d in wanted:
                out.setdefault(dev, {})[d] = self._day_summary(db, dev, d)
        return out

    @staticmethod
    def _day_summary(db, device, day):
        by_type = dict(db.execute("SELECT type, count(*) FROM events WHERE device = ? AND day = ? GROUP BY type",
                                  (device, day)).fetchall())
        services = {}
        times = {}
        for ticket_id, service, type_, t in db.execute(
                "SELECT ticket_id, service, type, time FROM events WHERE device = ? AND day = ? "
                "AND ticket_id IS NOT NULL ORDER BY time, seq", (device, day)):
            times.setdefault((service, ticket_id), []).append((type_, t))
        for (service, _), history in times.items():
            s = services.setdefault(service or "-", {"issued": 0, "served": 0, "skipped": 0, "void": 0,
                                                     "_wait": [], "_service": []})
            issued = next((t for ty, t in history if ty == "issued"), None)
            called = [t for ty, t in history if ty == "called"]
            served = next((t for ty, t in history if ty == "served"), None)
            for ty, _ in history:
                if ty in ("issued", "served", "skipped", "void"):
                    s[ty] += 1
            if issued is not None and called:
                s["_wait"].append(called[0] - issued)
            if called and served is not None:
                s["_service"].append(served - called[-1])
        for s in services.values():
            w, sv = s.pop("_wait"), s.pop("_service")
            s["avg_wait_s"] = round(sum(w) / len(w), 1) if w else None
            s["avg_service_s"] = round(sum(sv) / len(sv), 1) if sv else None
        first, last = db.execute("SELECT min(time), max(time) FROM events WHERE device = ? AND day = ?",
                                 (device, day)).fetchone()
        return {"events": sum(by_type.values()), "by_type": by_type, "services": services,
                "first_event": first, "last_event": last}


class _Closing:
    """``with db.connect() as db:`` that also closes (sqlite3's own context
    manager only commits)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        return self.db

    def __exit__(self, *exc):
        self.db.close()


class TokensFile:
    """The optional tokens file, re-read whenever its modification time changes."""

    def __init__(self, path):
        self.path = str(path)
        self._lock = threading.Lock()
        self._stamp = None
        self._entries = {}
        self.lookup("")  # read it now: a bad file stops the start, not the first request

    def _load(self):
        st = os.stat(self.path)
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("tokens file %s can be read by other users; chmod 600 it", self.path)
        entries = {}
        with open(self.path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                parts = line.split("#", 1)[0].split()
                if not parts:
                    continue
                if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ROLES):
                    raise ReceiverError(f"{self.path}:{n}: expected 'DEVICE_ID TOKEN [device|viewer]'")
                name, token = parts[0], parts[1]
                if not protocol.DEVICE_RE.match(name):
                    raise ReceiverError(f"{self.path}:{n}: bad device id {name!r}")
                digest = token[7:].lower() if token.startswith("sha256:") else hash_token(token)
                entries[digest] = (name, parts[2] if len(parts) == 3 else "device")
        return entries, (st.st_mtime_ns, st.st_size)

    def lookup(self, digest):
        with self._lock:
            try:
                st = os.stat(self.path)
            except OSError as e:
                raise ReceiverError(f"tokens file {self.path}: {e.strerror}") from None
            if (st.st_mtime_ns, st.st_size) != self._stamp:
                self._entries, self._stamp = self._load()
            return self._entries.get(digest)


class _HTTPError(Exception):
    def __init__(self, status, reason, headers=()):
        self.status, self.reason, self.headers = status, reason, list(headers)


_STATUS = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized", 403: "403 Forbidden",
           404: "404 Not Found", 405: "405 Method Not Allowed", 411: "411 Length Required",
           413: "413 Payload Too Large", 415: "415 Unsupported Media Type",
           503: "503 Service Unavailable"}


class Receiver:
    """The WSGI application. ``make_app()`` builds one."""

    def __init__(self, db, tokens_file=None, max_body=protocol.MAX_BODY_BYTES, clock=time.time):
        self.db = db if isinstance(db, ReceiverDB) else ReceiverDB(db)
        self.tokens_file = TokensFile(tokens_file) if tokens_file else None
        self.max_body = max_body
        self.clock = clock

    def __call__(self, environ, start_response):
        try:
            status, payload, headers = self._route(environ)
        except _HTTPError as e:
            status, payload, headers = e.status, {"error": _STATUS[e.status][4:], "reason": e.reason}, e.headers
        except sqlite3.OperationalError as e:  # locked, disk full: the kiosk retries later
            log.error("database problem: %s", e)
            status, payload, headers = 503, {"error": "Service Unavailable", "reason": "storage busy"}, \
                [("Retry-After", "5")]
        except ReceiverError as e:
            log.error("%s", e)
            status, payload, headers = 503, {"error": "Service Unavailable", "reason": str(e)}, []
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        start_response(_STATUS[status], [("Content-Type", "application/json"),
                                         ("Content-Length", str(len(body))),
                                         ("Cache-Control", "no-store"), *headers])
        return [body]

    def _route(self, environ):
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        routes = {protocol.EVENTS_PATH: ("POST", self._post_events),
                  protocol.SUMMARY_PATH: ("GET", self._get_summary),
                  protocol.DEVICES_PATH: ("GET", self._get_devices),
                  protocol.HEALTH_PATH: ("GET", lambda env: (200, {"status": "ok"}, []))}
        if path not in routes:
            raise _HTTPError(404, f"no such endpoint {path}; events go to POST {protocol.EVENTS_PATH}")
        allowed, handler = routes[path]
        if method != allowed:
            raise _HTTPError(405, f"use {allowed} for {path}", [("Allow", allowed)])
        return handler(environ)

    def _who(self, environ):
        """(name, role) of the bearer token, or 401."""
        auth = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = auth.partition(" ")
        challenge = [("WWW-Authenticate", 'Bearer realm="ptsp"')]
        if scheme.lower() != "bearer" or not token.strip():
            raise _HTTPError(401, "missing bearer token (Authorization: Bearer <token>)", challenge)
        digest = hash_token(token.strip())
        owner = self.tokens_file.lookup(digest) if self.tokens_file else None
        owner = owner or self.db.token_owner(digest)
        if not owner:
            raise _HTTPError(401, "unknown token", challenge)
        return owner

    def _read_body(self, environ):
        length = environ.get("CONTENT_LENGTH") or ""
        if not length.strip():
            raise _HTTPError(411, "Content-Length is required")
        try:
            size = int(length)
        except ValueError:
            raise _HTTPError(400, "bad Content-Length") from None
        if size > self.max_body:
            raise _HTTPError(413, f"body of {size} bytes is over the limit of {self.max_body} bytes; "
                                  "send smaller batches")
        raw = environ["wsgi.input"].read(size)
        if len(raw) != size:
            raise _HTTPError(400, "body shorter than Content-Length")
        return raw

    def _post_events(self, environ):
        name, role = self._who(environ)
        if role != "device":
            raise _HTTPError(403, f"token of {name!r} may read summaries but not post events")
        ctype = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise _HTTPError(415, "Content-Type must be application/json")
        raw = self._read_body(environ)
        try:
            body = protocol.validate_batch(protocol.decode(raw))
        except ProtocolError as e:
            raise _HTTPError(400, e.reason) from None
        if not hmac.compare_digest(body["device"], name):
            raise _HTTPError(401, f"this token belongs to device {name!r}, not {body['device']!r}")
        acked, stored, duplicates = self.db.store_batch(name, body["events"], body.get("heartbeat"),
                                                        now=self.clock())
        if body["events"]:
            log.info("%s: %d events stored, %d duplicates", name, stored, duplicates)
        return 200, protocol.build_ack(name, acked, stored, duplicates), []

    def _query(self, environ):
        q = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=False)
        return {k: v[-1] for k, v in q.items()}

    def _reader(self, environ, device):
        name, role = self._who(environ)
        if role == "viewer":
            return device
        if device and device != name:
            raise _HTTPError(403, f"token of {name!r} may only read its own summary")
        return name

    def _get_summary(self, environ):
        q = self._query(environ)
        device = self._reader(environ, q.get("device"))
        day = q.get("day")
        if day and not protocol.DAY_RE.match(day):
            raise _HTTPError(400, "day must be a date like 2024-04-16")
        try:
            days = int(q.get("days", 31))
        except ValueError:
            raise _HTTPError(400, "days must be a whole number") from None
        if not 1 <= days <= SUMMARY_MAX_DAYS:
            raise _HTTPError(400, f"days must be between 1 and {SUMMARY_MAX_DAYS}")
        return 200, {"protocol": protocol.PROTOCOL_VERSION, "generated_at": self.clock(),
                     "devices": self.db.summary(device, day, days)}, []

    def _get_devices(self, environ):
        device = self._reader(environ, self._query(environ).get("device"))
        return 200, {"protocol": protocol.PROTOCOL_VERSION, "generated_at": self.clock(),
                     "devices": self.db.devices(device)}, []


def make_app(db, tokens=None, max_body=protocol.MAX_BODY_BYTES):
    """A WSGI application storing into SQLite file ``db``; ``tokens``: optional
    tokens file. For gunicorn: ``'kiosk.office.receiver:make_app("/var/lib/x.db")'``."""
    return Receiver(db, tokens, max_body)


_lazy_app = None
_lazy_lock = threading.Lock()


def application(environ, start_response):
    """A module-level WSGI entry point configured by environment variables:
    ``PTSP_RECEIVER_DB`` (required) and ``PTSP_RECEIVER_TOKENS`` (optional)."""
    global _lazy_app
    with _lazy_lock:
        if _lazy_app is None:
            db = os.environ.get("PTSP_RECEIVER_DB")
            if not db:
                raise ReceiverError("set PTSP_RECEIVER_DB to the receiver database path")
            _lazy_app = make_app(db, os.environ.get("PTSP_RECEIVER_TOKENS") or None)
    return _lazy_app(environ, start_response)


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per request, so a slow kiosk blocks no one."""

    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    """Request lines go to logging (debug) instead of stderr."""

    def log_message(self, fmt, *args):
        log.debug("%s %s", self.address_string(), fmt % args)


def make_server(app, host="127.0.0.1", port=8080):
    """A threaded wsgiref server for ``app`` (port 0: any free port)."""
    from wsgiref.simple_server import make_server as _make

    return _make(host, port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)


def parse_listen(text):
    """'127.0.0.1:8080' -> ('127.0.0.1', 8080); ValueError otherwise."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--listen {text!r}: use HOST:PORT, e.g. 127.0.0.1:8080")
    return host.strip("[]") or "127.0.0.1", int(port)
