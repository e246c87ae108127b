"""The receiver as a WSGI application: routing, tokens, answers (docs/SYNC_PROTOCOL.md).

- ``POST /api/v1/events``: a batch from one kiosk, stored once per (device, uid);
  the answer lists every uid of the batch the receiver now holds.
- ``GET /api/v1/summary?day=YYYY-MM-DD&device=ID&days=N``: counts per device and day.
- ``GET /api/v1/devices``: every device with its last contact and health.
- ``GET /healthz``: ``{"status": "ok"}`` for monitors, without a token and
  without touching the database (so it answers even when storage is busy).
- anything else: the web dashboard (kiosk.office.dashboard), when installed.

Every malformed request is answered 4xx with a reason; 503 means the storage
is busy or unreachable (the kiosk retries), 500 only a bug in this code.
"""
from __future__ import annotations

import hmac
import importlib
import json
import logging
import time
from typing import Any, Callable, Iterable, Optional, Union
from urllib.parse import parse_qs

from kiosk.office import ikm, ingest, reports, tokens
from kiosk.office.db import Database, StorageBusy, StorageError, open_database
from kiosk.office.validate import is_device_id, parse_batch, parse_day
from kiosk.services.sync import protocol
from kiosk.services.sync.protocol import ProtocolError

log = logging.getLogger("kiosk.office.receiver")

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
_STATUS = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized", 403: "403 Forbidden",
           404: "404 Not Found", 405: "405 Method Not Allowed", 411: "411 Length Required",
           413: "413 Payload Too Large", 415: "415 Unsupported Media Type", 500: "500 Internal Server Error",
           503: "503 Service Unavailable"}
_MAX_QUERY = 2048
_API_PATHS = (protocol.EVENTS_PATH, protocol.SUMMARY_PATH, protocol.DEVICES_PATH, protocol.HEALTH_PATH)


class HTTPError(Exception):
    """An answer other than 200, with a reason for the technician."""

    def __init__(self, status: int, reason: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, list(headers)


def _load_dashboard(db: Database, clock: Callable[[], float]) -> Optional[WSGIApp]:
    """The dashboard's WSGI app, or None while kiosk.office.dashboard is not installed."""
    try:
        dashboard = importlib.import_module("kiosk.office.dashboard")
    except ModuleNotFoundError as e:
        if e.name not in ("kiosk.office.dashboard",):
            log.exception("the dashboard cannot be loaded; the API keeps working")
        return None
    factory = getattr(dashboard, "make_dashboard", None)
    return factory(db, clock) if factory else None


class Receiver:
    """The WSGI application; ``make_app()`` builds one."""

    def __init__(self, db: Union[str, Database], tokens_file: Optional[str] = None,
                 max_body: int = protocol.MAX_BODY_BYTES, clock: Callable[[], float] = time.time,
                 dashboard: bool = True) -> None:
        self.db = db if isinstance(db, Database) else open_database(str(db))
        self.tokens_file = tokens.TokensFile(tokens_file) if tokens_file else None
        self.max_body = max_body
        self.clock = clock
        self.dashboard = _load_dashboard(self.db, clock) if dashboard else None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if self.dashboard is not None and path not in _API_PATHS and not path.startswith("/api/"):
            return self.dashboard(environ, start_response)
        try:
            status, payload, headers = self._route(environ, path)
        except HTTPError as e:
            status, payload, headers = e.status, {"error": _STATUS[e.status][4:], "reason": e.reason}, e.headers
        except StorageBusy as e:  # locked, disk full, connection lost: the kiosk retries later
            log.error("storage busy: %s", e)
            status, payload, headers = 503, {"error": "Service Unavailable", "reason": "storage busy"}, \
                [("Retry-After", "5")]
        except StorageError as e:  # the details (paths, server names) go to the log, not to clients
            log.error("storage unavailable: %s", e)
            status, payload, headers = 503, {"error": "Service Unavailable", "reason": "storage unavailable"}, \
                [("Retry-After", "30")]
        except Exception:  # a bug: log it whole, tell the client nothing internal
            log.exception("unexpected error on %s %s", environ.get("REQUEST_METHOD"), path)
            status, payload, headers = 500, {"error": "Internal Server Error", "reason": "see the receiver log"}, []
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        start_response(_STATUS[status], [("Content-Type", "application/json"),
                                         ("Content-Length", str(len(body))),
                                         ("Cache-Control", "no-store"),
                                         ("X-Content-Type-Options", "nosniff"), *headers])
        return [body]

    def _route(self, environ: dict, path: str) -> tuple[int, Any, list]:
        method = environ.get("REQUEST_METHOD", "GET")
        routes = {protocol.EVENTS_PATH: ("POST", self._post_events),
                  protocol.SUMMARY_PATH: ("GET", self._get_summary),
                  protocol.DEVICES_PATH: ("GET", self._get_devices),
                  protocol.HEALTH_PATH: ("GET", lambda env: (200, {"status": "ok"}, []))}
        if path not in routes:
            shown = path.encode("latin-1", "replace").decode("ascii", "replace")[:80]
            raise HTTPError(404, f"no such endpoint {shown!r}; events go to POST {protocol.EVENTS_PATH}")
        allowed, handler = routes[path]
        if method != allowed:
            raise HTTPError(405, f"use {allowed} for {path}", [("Allow", allowed)])
        return handler(environ)

    # -- who is asking ---------------------------------------------------------
    def _who(self, environ: dict) -> tokens.Owner:
        """(name, role) of the bearer token, or 401."""
        auth = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = auth.partition(" ")
        challenge = [("WWW-Authenticate", 'Bearer realm="ptsp"')]
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise HTTPError(401, "missing bearer token (Authorization: Bearer <token>)", challenge)
        if len(token) > 512:
            raise HTTPError(401, "unknown token", challenge)
        digest = tokens.hash_token(token)
        owner = self.tokens_file.lookup(digest) if self.tokens_file else None
        owner = owner or tokens.token_owner(self.db, digest)
        if not owner:
            raise HTTPError(401, "unknown token", challenge)
        return owner

    def _reader(self, environ: dict, device: Optional[str]) -> Optional[str]:
        name, role = self._who(environ)
        if role == "viewer":
            return device
        if device and device != name:
            raise HTTPError(403, f"token of {name!r} may only read its own summary")
        return name

    # -- the request -------------------------------------------------------------
    def _read_body(self, environ: dict) -> bytes:
        length = (environ.get("CONTENT_LENGTH") or "").strip()
        if not length:
            raise HTTPError(411, "Content-Length is required")
        if not (length.isascii() and length.isdigit()) or len(length) > 12:
            raise HTTPError(400, "Content-Length must be a whole number of bytes")
        size = int(length)
        if size > self.max_body:
            raise HTTPError(413, f"body of {size} bytes is over the limit of {self.max_body} bytes; "
                                 "send smaller batches")
        raw = environ["wsgi.input"].read(size) if size else b""
        if len(raw) != size:
            raise HTTPError(400, "body shorter than Content-Length")
        return raw

    def _query(self, environ: dict) -> dict[str, str]:
        text = environ.get("QUERY_STRING", "")
        if len(text) > _MAX_QUERY:
            raise HTTPError(400, f"query string longer than {_MAX_QUERY} characters")
        try:
            q = parse_qs(text, keep_blank_values=False, strict_parsing=False, max_num_fields=20,
                         errors="strict")
        except (ValueError, UnicodeDecodeError):
            raise HTTPError(400, "query string is not valid (UTF-8, at most 20 fields)") from None
        return {k: v[-1] for k, v in q.items()}

    def _post_events(self, environ: dict) -> tuple[int, Any, list]:
        name, role = self._who(environ)
        if role != "device":
            raise HTTPError(403, f"token of {name!r} may read summaries but not post events")
        ctype = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise HTTPError(415, "Content-Type must be application/json")
        raw = self._read_body(environ)
        try:
            batch = parse_batch(raw)
        except ProtocolError as e:
            raise HTTPError(400, e.reason) from None
        if not hmac.compare_digest(batch.device.encode(), name.encode()):
            raise HTTPError(401, f"this token belongs to device {name!r}, not {batch.device!r}")
        result = ingest.store_batch(self.db, name, batch.events, batch.heartbeat, now=self.clock())
        if batch.events:
            log.info("%s: %d events stored, %d duplicates", name, result.stored, result.duplicates)
        return 200, protocol.build_ack(name, result.acknowledged, result.stored, result.duplicates), []

    def _get_summary(self, environ: dict) -> tuple[int, Any, list]:
        q = self._query(environ)
        device = self._device_param(q)
        device = self._reader(environ, device)
        day = q.get("day")
        if day is not None:
            try:
                parse_day(day)
            except ProtocolError as e:
                raise HTTPError(400, e.reason) from None
        days_text = q.get("days", "31")
        if not (days_text.isascii() and days_text.isdigit() and len(days_text) <= 6
                and 1 <= int(days_text) <= reports.SUMMARY_MAX_DAYS):
            raise HTTPError(400, f"days must be a whole number from 1 to {reports.SUMMARY_MAX_DAYS}")
        devices = reports.summary(self.db, device, day, int(days_text))
        days = sorted({d for per_day in devices.values() for d in per_day})
        satisfaction = ikm.summary_section(self.db, days[0], days[-1], device) if days else {}
        return 200, {"protocol": protocol.PROTOCOL_VERSION, "generated_at": self.clock(),
                     "devices": devices, "satisfaction": satisfaction}, []

    def _get_devices(self, environ: dict) -> tuple[int, Any, list]:
        device = self._reader(environ, self._device_param(self._query(environ)))
        return 200, {"protocol": protocol.PROTOCOL_VERSION, "generated_at": self.clock(),
                     "devices": reports.devices(self.db, device)}, []

    @staticmethod
    def _device_param(q: dict[str, str]) -> Optional[str]:
        device = q.get("device")
        if device is not None and not is_device_id(device):
            raise HTTPError(400, "device must be 1-64 letters, digits, '.', '_' or '-'")
        return device


def make_app(db: Union[str, Database], tokens: Optional[str] = None,
             max_body: int = protocol.MAX_BODY_BYTES, dashboard: bool = True) -> Receiver:
    """A WSGI application on ``db`` (a SQLite path, a postgresql:// URL or a Database);
    ``tokens``: an optional tokens file. For gunicorn:
    ``'kiosk.office.receiver:make_app("/var/lib/ptsp-receiver/receiver.db")'``."""
    return Receiver(db, tokens, max_body, dashboard=dashboard)
