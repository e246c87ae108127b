"""The board's feed client: long-polls the kiosk, reconnects with backoff.

A worker thread asks ``GET /api/feed?since=V&wait=25`` in a loop. Each answer
goes to ``on_feed(feed)`` (the board's main loop picks it up); each failure
goes to ``on_lost(reason)`` and to the journal, once per distinct reason, so a
technician reading ``journalctl -u ptsp-display`` sees why the board shows
"koneksi terputus" (refused, timed out, token rejected, ...). Waits between
attempts double from 1 s to 30 s, with jitter so that several boards do not
knock on a restarted kiosk at the same instant.
"""
from __future__ import annotations

import errno
import http.client
import json
import logging
import random
import socket
import ssl
import threading
import time
from typing import Callable, Optional
from urllib.parse import urlencode, urlsplit

log = logging.getLogger(__name__)

LONG_POLL = 25.0  # seconds the kiosk may hold a request (kiosk.lan.server.MAX_WAIT)
BACKOFF_START = 1.0
BACKOFF_MAX = 30.0
CONNECT_TIMEOUT = 5.0
MAX_FEED_BYTES = 1 << 20  # a feed is a few KB; anything bigger is not our kiosk
MAX_TEXT = 300  # characters of a name or label in the feed ([board] running_text has its own limit)


class FeedError(Exception):
    """Why the feed could not be read, in words for the journal."""


def describe(error: BaseException) -> str:
    """A short, technician-readable reason for a failed request."""
    if isinstance(error, FeedError):
        return str(error)
    if isinstance(error, ConnectionRefusedError):
        return "connection refused: the kiosk is not serving the feed ([lan] enabled? kiosk running?)"
    if isinstance(error, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
                          http.client.RemoteDisconnected, http.client.IncompleteRead)):
        return "the kiosk closed the connection (restarting or stopping?)"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "the kiosk did not answer in time (timed out): is it on and on the same network?"
    if isinstance(error, socket.gaierror):
        return "unknown host name in --source"
    if isinstance(error, OSError) and error.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "no route to the kiosk (network cable, Wi-Fi or address)"
    if isinstance(error, ssl.SSLError):
        return f"TLS problem: {error}"
    return f"{type(error).__name__}: {str(error)[:200]}"


def _is_int(value: object, low: int = 0, high: int = 2 ** 63 - 1) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _is_number(value: object, low: float = -1e12, high: float = 1e12) -> bool:
    # Also refuses NaN (every comparison with it is false) and infinities.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high


def _is_names(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


_BOARD_TYPES = {"announce": str, "language": str, "running_text": str, "slideshow_dir": str}
_BOARD_RANGES = {"diagonal_inches": (1, 1000), "number_mm": (1, 2000), "running_speed": (0, 10000),
                 "slide_seconds": (0.1, 86400), "history": (0, 50), "highlight_seconds": (0, 3600)}


def _clip_texts(obj: dict) -> dict:
    """Cut every text of a JSON object to MAX_TEXT characters (running text: 2000,
    its config limit). The kiosk's config allows names of 4096 characters, and
    fitting one into its box took the renderer 30 s per picture (a frozen board);
    no box on a TV shows more than a few dozen characters anyway."""
    return {k: (v[:2000 if k == "running_text" else MAX_TEXT] if isinstance(v, str) else v) for k, v in obj.items()}


def feed_problem(feed: dict) -> Optional[str]:
    """Why ``feed`` does not have the shape of the kiosk's feed, or None.

    The board's model, voice and renderer trust these types and ranges, so a
    wrong answer (another server at --source, a damaged proxy) is refused here
    as a lost feed instead of ending the board's main loop.
    """
    texts = [feed.get("institution"), feed.get("timezone"), feed.get("day")]
    texts += [v for part in ("calls", "counters", "services") if isinstance(feed.get(part), list)
              for item in feed[part] if isinstance(item, dict) for v in item.values()]
    texts += [n for part in ("counters", "services") if isinstance(feed.get(part), list)
              for item in feed[part] if isinstance(item, dict) and isinstance(item.get("name"), dict)
              for n in item["name"].values()]
    if isinstance(feed.get("board"), dict):
        texts += [v for k, v in feed["board"].items() if k != "running_text"]
        running_text = feed["board"].get("running_text")
        if isinstance(running_text, str) and "\x00" in running_text:
            return "board.running_text"
    if any(isinstance(t, str) and "\x00" in t for t in texts):
        return "a NUL character in a text"  # pygame cannot draw it
    for key in ("now", "published_at"):
        if key in feed and not _is_number(feed[key], 0.0):
            return f"{key} is not a time"
    calls = feed.get("calls", [])
    if not isinstance(calls, list) or not all(
            isinstance(c, dict) and _is_int(c.get("call_id")) and _is_int(c.get("counter"), 0, 9999)
            and isinstance(c.get("label", ""), str) and isinstance(c.get("service", ""), str)
            and _is_number(c.get("at", 0.0), 0.0) for c in calls):
        return "calls"
    counters = feed.get("counters", [])
    if not isinstance(counters, list) or not all(
            isinstance(c, dict) and _is_int(c.get("counter"), 0, 9999) and _is_names(c.get("name", {}))
            and isinstance(c.get("label", ""), str) for c in counters):
        return "counters"
    services = feed.get("services", [])
    if not isinstance(services, list) or not all(
            isinstance(s, dict) and isinstance(s.get("code", ""), str) and _is_names(s.get("name", {}))
            and isinstance(s.get("prefix", ""), str) and isinstance(s.get("message", ""), str)
            and _is_int(s.get("waiting", 0), 0) for s in services):
        return "services"
    board = feed.get("board", {})
    if not isinstance(board, dict):
        return "board"
    for key, kind in _BOARD_TYPES.items():
        if key in board and not isinstance(board[key], kind):
            return f"board.{key}"
    for key, (low, high) in _BOARD_RANGES.items():
        if key in board and not _is_number(board[key], low, high):
            return f"board.{key}"
    return None


class FeedClient:
    """Reads the kiosk's feed in a daemon thread until ``stop()``.

    ``on_feed(feed)`` and ``on_lost(reason)`` are called from the worker
    thread; they must only hand the value over (a queue), never draw.
    The standard library's http.client keeps the board small (no requests).
    """

    def __init__(self, source: str, token: str, on_feed: Callable[[dict], None],
                 on_lost: Callable[[str], None], wait: float = LONG_POLL,
                 backoff_start: float = BACKOFF_START, backoff_max: float = BACKOFF_MAX) -> None:
        parsed = urlsplit(source)
        self.https = parsed.scheme == "https"
        self.host = parsed.hostname or ""
        self.port = parsed.port or (443 if self.https else 80)
        self.path = parsed.path.rstrip("/") + "/api/feed"
        self.url = f"{parsed.scheme}://{parsed.netloc}{self.path}"
        self._headers = {"Authorization": f"Bearer {token}", "User-Agent": "ptsp-display",
                         "Accept": "application/json"}
        self.on_feed = on_feed
        self.on_lost = on_lost
        self.wait = wait
        self.backoff_start = backoff_start
        self.backoff_max = backoff_max
        self.version = 0
        self.failures = 0
        self._conn: Optional[http.client.HTTPConnection] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._last_reason: Optional[str] = None
        self._lost_since: Optional[float] = None

    def start(self) -> "FeedClient":
        self._thread = threading.Thread(target=self._run, name="board-feed", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the worker; an open long-poll is abandoned (the thread is a daemon)."""
        self._stop.set()
        conn = self._conn
        if conn is not None and conn.sock is not None:
            try:  # wakes a thread blocked in the long-poll's read
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            # A thread blocked in a long-poll cannot be interrupted; it ends on
            # its own when the answer or the read timeout comes, and drops it.
            self._thread.join(timeout=0.2)

    def _connection(self, wait: float) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            self._conn = cls(self.host, self.port, timeout=CONNECT_TIMEOUT)
            self._conn.connect()
        if self._conn.sock is not None:
            self._conn.sock.settimeout(wait + 10)  # the long-poll, plus the network's share
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def fetch(self, wait: float) -> dict:
        """One request: the feed newer than ``self.version`` (waiting up to ``wait`` s)."""
        query = urlencode({"since": self.version, "wait": f"{wait:g}"})
        for attempt in (1, 2):
            reused = self._conn is not None
            try:
                conn = self._connection(wait)
                conn.request("GET", f"{self.path}?{query}", headers=self._headers)
                response = conn.getresponse()
                body = response.read(MAX_FEED_BYTES + 1)
                status = response.status
                if response.will_close:
                    self._drop()
                break
            except (OSError, http.client.HTTPException) as e:
                self._drop()
                # A kept-alive connection the kiosk closed meanwhile is no loss of
                # the feed: ask once more on a fresh one before saying so.
                stale = isinstance(e, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError))
                if attempt == 1 and reused and stale and not self._stop.is_set():
                    continue
                raise FeedError(describe(e)) from e
        if status == 401:
            raise FeedError("the kiosk refused the token (401): copy the kiosk's [lan] token file "
                            "to the board's --token-file")
        if status != 200:
            raise FeedError(f"the kiosk answered HTTP {status} at {self.url}")
        if len(body) > MAX_FEED_BYTES:
            self._drop()
            raise FeedError("the answer is far too large for a feed: is --source a PTSP kiosk?")
        try:
            feed = json.loads(body, object_hook=_clip_texts)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
            raise FeedError("the answer is not JSON: is --source the kiosk's LAN address and port?") from None
        if not isinstance(feed, dict) or not isinstance(feed.get("version"), int):
            raise FeedError("the answer is not a PTSP feed (no version)")
        problem = feed_problem(feed)
        if problem:
            raise FeedError(f"the answer is not a PTSP feed ({problem})")
        return feed

    def _run(self) -> None:
        delay = self.backoff_start
        wait = 0.0  # the first request returns at once: show the state without delay
        while not self._stop.is_set():
            try:
                feed = self.fetch(wait)
            except FeedError as e:
                if self._stop.is_set():
                    return
                self._failed(str(e))
                pause = delay * random.uniform(0.8, 1.2)
                delay = min(self.backoff_max, delay * 2)
                self._stop.wait(pause)
                wait = 0.0
                continue
            if self._lost_since is not None:
                log.info("feed back after %.0f s (%s)", time.monotonic() - self._lost_since, self.url)
                self._lost_since = None
            self._last_reason = None
            self.failures = 0
            delay = self.backoff_start
            if self._stop.is_set():
                return
            self.version = feed["version"]
            wait = self.wait
            self.on_feed(feed)

    def _failed(self, reason: str) -> None:
        self.failures += 1
        if self._lost_since is None:
            self._lost_since = time.monotonic()
        if reason != self._last_reason:
            log.warning("feed %s lost: %s; retrying with backoff", self.url, reason)
            self._last_reason = reason
        self.on_lost(reason)
