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

import logging
import random
import threading
import time
from typing import Callable, Optional

import requests

log = logging.getLogger(__name__)

LONG_POLL = 25.0  # seconds the kiosk may hold a request (kiosk.lan.server.MAX_WAIT)
BACKOFF_START = 1.0
BACKOFF_MAX = 30.0
CONNECT_TIMEOUT = 5.0
MAX_FEED_BYTES = 1 << 20  # a feed is a few KB; anything bigger is not our kiosk


class FeedError(Exception):
    """Why the feed could not be read, in words for the journal."""


def describe(error: BaseException) -> str:
    """A short, technician-readable reason for a failed request."""
    if isinstance(error, FeedError):
        return str(error)
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "the kiosk did not answer (connect timed out): is it on and on the same network?"
    if isinstance(error, requests.exceptions.ReadTimeout):
        return "the kiosk stopped answering (read timed out)"
    if isinstance(error, requests.exceptions.ConnectionError):
        text = str(error)
        if "Connection refused" in text:
            return "connection refused: the kiosk is not serving the feed ([lan] enabled? kiosk running?)"
        if "Name or service not known" in text or "nodename nor servname" in text:
            return "unknown host name in --source"
        if "No route to host" in text or "Network is unreachable" in text:
            return "no route to the kiosk (network cable, Wi-Fi or address)"
        return f"connection failed: {text[:200]}"
    return f"{type(error).__name__}: {str(error)[:200]}"


class FeedClient:
    """Reads the kiosk's feed in a daemon thread until ``stop()``.

    ``on_feed(feed)`` and ``on_lost(reason)`` are called from the worker
    thread; they must only hand the value over (a queue), never draw.
    """

    def __init__(self, source: str, token: str, on_feed: Callable[[dict], None],
                 on_lost: Callable[[str], None], wait: float = LONG_POLL,
                 backoff_start: float = BACKOFF_START, backoff_max: float = BACKOFF_MAX,
                 session: Optional[requests.Session] = None) -> None:
        self.url = source.rstrip("/") + "/api/feed"
        self._headers = {"Authorization": f"Bearer {token}", "User-Agent": "ptsp-display"}
        self.on_feed = on_feed
        self.on_lost = on_lost
        self.wait = wait
        self.backoff_start = backoff_start
        self.backoff_max = backoff_max
        self.session = session or requests.Session()
        self.version = 0
        self.failures = 0
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
        self.session.close()
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def fetch(self, wait: float) -> dict:
        """One request: the feed newer than ``self.version`` (waiting up to ``wait`` s)."""
        try:
            response = self.session.get(self.url, params={"since": self.version, "wait": f"{wait:g}"},
                                        headers=self._headers, timeout=(CONNECT_TIMEOUT, wait + 10),
                                        stream=True)
        except requests.RequestException as e:
            raise FeedError(describe(e)) from e
        with response:
            if response.status_code == 401:
                raise FeedError("the kiosk refused the token (401): copy the kiosk's [lan] token file "
                                "to the board's --token-file")
            if response.status_code != 200:
                raise FeedError(f"the kiosk answered HTTP {response.status_code} at {self.url}")
            try:
                body = response.raw.read(MAX_FEED_BYTES + 1, decode_content=True)
            except requests.RequestException as e:
                raise FeedError(describe(e)) from e
            except Exception as e:  # urllib3 read errors: timeouts, resets mid-body
                raise FeedError(f"the answer was cut short: {type(e).__name__}") from e
        if len(body) > MAX_FEED_BYTES:
            raise FeedError("the answer is far too large for a feed: is --source a PTSP kiosk?")
        try:
            import json

            feed = json.loads(body)
        except ValueError:
            raise FeedError("the answer is not JSON: is --source the kiosk's LAN address and port?") from None
        if not isinstance(feed, dict) or not isinstance(feed.get("version"), int):
            raise FeedError("the answer is not a PTSP feed (no version)")
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
