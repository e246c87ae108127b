"""The kiosk's LAN server: one small WSGI app on waitress.

Routes:
    GET /api/health               no token; {"ok": true} (for a technician's curl)
    GET /api/feed?since=V&wait=S  bearer token; the feed (kiosk.lan.state), long-poll
    /staff/...                    the staff page (kiosk/lan/staff.py), when enabled

One server for the feed and the staff page, so one port to open, one token
file and one thread pool. waitress has read timeouts, a bounded pool and a
connection limit, which a hand-written server would not. Long-poll (rather
than Server-Sent Events) because every reply is a complete JSON document that
any HTTP client can read, and waitress buffers streamed bodies.
"""
from __future__ import annotations

import hmac
import json
import logging
import math
import threading
from typing import Any, Callable, Iterable, Optional
from urllib.parse import parse_qs

from kiosk.core.config import Config
from kiosk.core.errors import KioskError
from kiosk.lan.state import LanState
from kiosk.services import token_file

log = logging.getLogger(__name__)

MAX_WAIT = 25.0  # longest long-poll; below waitress's channel timeout and common proxy timeouts
THREADS = 8  # long-polling boards each hold one; the staff page needs the rest
# waitress cannot tell that a board gave up a long-poll, so at most this many
# wait the full time; the others wait a second, leaving threads for the rest.
MAX_LONG_POLLS = THREADS - 3
SHORT_WAIT = 1.0
MIN_TOKEN_LENGTH = token_file.MIN_TOKEN_LENGTH

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class LanError(KioskError):
    """The LAN server cannot start (token file, address); the message says what to fix."""


def read_token(path: str, copy_from: str = "") -> str:
    """The bearer token in ``path`` (see kiosk.services.token_file); LanError with the fix."""
    try:
        return token_file.read_token(path, copy_from)
    except token_file.TokenFileError as e:
        raise LanError(str(e)) from None


def parse_listen(listen: str) -> tuple[str, int]:
    """'0.0.0.0:8090' -> ('0.0.0.0', 8090); '[::1]:8090' -> ('::1', 8090)."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


def _json(start_response: Callable, status: str, body: Any, headers: Optional[list] = None) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                            ("Content-Length", str(len(data))), ("Cache-Control", "no-store"),
                            ("X-Content-Type-Options", "nosniff")] + (headers or []))
    return [data]


class BadRequest(ValueError):
    """A query the feed cannot answer; the message goes back to the client."""


def _query(environ: dict) -> tuple[int, float]:
    try:
        q = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True, strict_parsing=False,
                     max_num_fields=8)
    except ValueError:
        raise BadRequest("too many query parameters") from None
    since_text = (q.get("since") or ["0"])[-1]
    if not (since_text.isascii() and since_text.isdigit() and len(since_text) <= 18):
        raise BadRequest("since must be a feed version: a whole number 0 or more")
    wait_text = (q.get("wait") or ["0"])[-1]
    try:
        wait = float(wait_text) if wait_text.isascii() and len(wait_text) <= 16 else math.nan
    except ValueError:
        wait = math.nan
    if not math.isfinite(wait) or wait < 0:
        raise BadRequest(f"wait must be a number of seconds from 0 to {MAX_WAIT:g}")
    return int(since_text), min(wait, MAX_WAIT)


class LanApp:
    """The WSGI application: the feed under /api, the staff page under /staff."""

    def __init__(self, state: LanState, token: str, staff_app: Optional[WsgiApp] = None) -> None:
        self.state = state
        self._token = token.encode("ascii")
        self.staff_app = staff_app
        self._polls_lock = threading.Lock()
        self._long_polls = 0  # requests now waiting in wait_newer

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path == "/staff" or path.startswith("/staff/"):
            if self.staff_app is None:
                return _json(start_response, "404 Not Found", {"error": "the staff page is not enabled"})
            inner = dict(environ)
            inner["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/staff"
            inner["PATH_INFO"] = path[len("/staff"):]
            return self.staff_app(inner, start_response)
        if path == "/api/health":
            return _json(start_response, "200 OK", {"ok": True})
        if path == "/api/feed":
            return self._feed(environ, start_response)
        return _json(start_response, "404 Not Found", {"error": "no such page; the feed is /api/feed"})

    def authorized(self, environ: dict) -> bool:
        """Whether the request carries the bearer token (compared in constant time)."""
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode("latin-1", "replace"), self._token)

    def _feed(self, environ: dict, start_response: Callable) -> list[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _json(start_response, "405 Method Not Allowed", {"error": "the feed is read-only: use GET"},
                         [("Allow", "GET, HEAD")])
        if not self.authorized(environ):
            return _json(start_response, "401 Unauthorized",
                         {"error": "a valid bearer token is required (Authorization: Bearer TOKEN)"},
                         [("WWW-Authenticate", 'Bearer realm="ptsp-kiosk"')])
        try:
            since, wait = _query(environ)
        except BadRequest as e:
            return _json(start_response, "400 Bad Request", {"error": str(e)})
        with self._polls_lock:
            if self._long_polls >= MAX_LONG_POLLS:
                wait = min(wait, SHORT_WAIT)
            self._long_polls += 1
        try:
            _, feed = self.state.wait_newer(since, wait)
        finally:
            with self._polls_lock:
                self._long_polls -= 1
        return _json(start_response, "200 OK", feed)


def load_staff_app(cfg: Config, state: LanState) -> Optional[WsgiApp]:
    """The staff page's WSGI app when ``[staff] enabled``, else None.

    Optional on purpose: the feed works while the staff page module is absent.
    """
    staff = getattr(cfg, "staff", None)
    if staff is None or not getattr(staff, "enabled", False):
        return None
    try:
        from kiosk.lan import staff as staff_page
    except ImportError as e:
        log.error("the staff page is enabled but cannot be loaded: %s", e)
        return None
    app: WsgiApp = staff_page.make_app(cfg, state)
    return app


class LanServer:
    """waitress serving ``LanApp`` in a background thread.

    ``start()`` binds (raising LanError with the reason) and returns self;
    ``stop()`` wakes long-polls, closes every connection and ends the thread.
    """

    def __init__(self, cfg: Config, state: LanState, token: Optional[str] = None,
                 staff_app: Optional[WsgiApp] = None, listen: Optional[str] = None) -> None:
        self.cfg = cfg
        self.state = state
        self.listen = listen or cfg.lan.listen
        self._token_from = "given" if token is not None else cfg.lan.token_file
        token = token if token is not None else read_token(cfg.lan.token_file)
        if staff_app is None:
            staff_app = load_staff_app(cfg, state)
        self.app = LanApp(state, token, staff_app)
        self._server: Any = None
        self._thread: Optional[threading.Thread] = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0 in tests)."""
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        host = self._server.effective_host
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"

    def start(self) -> "LanServer":
        import waitress

        host, port = parse_listen(self.listen)
        try:
            self._server = waitress.create_server(
                self.app, host=host, port=port, threads=THREADS, ident="ptsp-kiosk",
                channel_timeout=MAX_WAIT + 10, connection_limit=64, cleanup_interval=10,
                max_request_header_size=16384, max_request_body_size=1 << 20,
                expose_tracebacks=False, clear_untrusted_proxy_headers=True)
        except OSError as e:
            raise LanError(f"the LAN server cannot listen on {self.listen}: {e.strerror or e}") from None
        self._thread = threading.Thread(target=self._run, name="lan-server", daemon=True)
        self._thread.start()
        log.info("LAN feed on %s (token: %s)", self.url, self._token_from)
        return self

    def _run(self) -> None:
        from waitress import wasyncore

        server = self._server
        while not self._stopping.is_set():
            try:
                wasyncore.loop(timeout=5.0, map=server._map, count=1)
            except Exception:  # one broken connection must not end the feed for every board
                log.exception("LAN server loop error")
        server.task_dispatcher.shutdown(timeout=2)
        wasyncore.close_all(server._map, ignore_all=True)

    def stop(self) -> None:
        """Stop serving; returns when the server thread has ended (at most a few seconds)."""
        if self._thread is None:
            return
        self.state.close()
        self._stopping.set()
        try:
            self._server.pull_trigger()  # wake the loop from its poll
        except OSError:
            pass
        self._thread.join(timeout=5)
        self._thread = None
