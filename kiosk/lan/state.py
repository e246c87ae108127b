"""The bridge between the kiosk's main loop and the LAN server's HTTP threads.

The main loop calls ``LanState.publish(snapshot.as_dict())`` after each change;
HTTP threads wait for a newer feed with ``wait_newer`` (long-poll) and send
staff requests to the main loop with ``submit`` (the answer comes back through
``reply``). Nothing here touches the store or the screen: the feed is built
from the machine's snapshot and the config alone.

The public feed (docs/CONTRACTS.md, "LAN feed") is what a display board reads:
calls newest first with an increasing ``call_id``, now serving per counter,
waiting per service, open or closed services, the clock state and the
``[board]`` settings.
"""
from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable, Optional

from kiosk.core.config import Config

MAX_CALLS = 20  # calls in the feed: enough for a board to catch up after a short gap
_PENDING = object()  # a submitted request whose reply has not come yet


def board_settings(cfg: Config) -> dict:
    """The ``[board]`` section as boards receive it (language resolved)."""
    b = cfg.board
    return {
        "announce": b.announce,
        "language": b.language or cfg.device.language,
        "diagonal_inches": b.diagonal_inches,
        "number_mm": b.number_mm,
        "running_text": b.running_text,
        "running_speed": b.running_speed,
        "slideshow_dir": b.slideshow_dir,
        "slide_seconds": b.slide_seconds,
        "history": b.history,
        "highlight_seconds": b.highlight_seconds,
    }


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def build_feed(snapshot: dict, cfg: Config) -> dict:
    """The public feed for a machine snapshot (``Snapshot.as_dict()``).

    Names come from the config in both languages so a board can show either.
    Calls at counters or of services no longer configured are left out.
    """
    counters = {c.number: c for c in cfg.counters}
    services = {s.code: s for s in cfg.services}
    calls = []
    for call in list(snapshot.get("calls") or [])[:MAX_CALLS]:
        number = _int(call.get("counter"))
        service = services.get(call.get("service", ""))
        if number not in counters:
            continue
        calls.append({
            "call_id": _int(call.get("call_id")),
            "label": str(call.get("label", "")),
            "counter": number,
            "service": service.code if service else str(call.get("service", "")),
            "priority": bool(call.get("priority", False)),
            "at": float(call.get("at") or 0.0),
        })
    serving_by_counter = {_int(s.get("counter")): str(s.get("label") or "") for s in snapshot.get("serving") or []}
    state_by_service = {str(s.get("code")): s for s in snapshot.get("services") or []}
    return {
        "device": cfg.device.id,
        "institution": cfg.device.institution,
        "timezone": cfg.device.timezone,  # the board's own clock may be set to another zone
        "day": str(snapshot.get("day") or ""),
        "clock_problem": snapshot.get("clock_problem"),
        "calls": calls,
        "counters": [
            {"counter": c.number,
             "name": {lang: cfg.counter_name(c, lang) for lang in ("id", "en")},
             "label": serving_by_counter.get(c.number, "")}
            for c in cfg.counters],
        "services": [
            {"code": s.code, "prefix": s.prefix, "name": {lang: s.display_name(lang) for lang in ("id", "en")},
             "open": bool(state_by_service.get(s.code, {}).get("can_issue", s.enabled)),
             "message": str(state_by_service.get(s.code, {}).get("message", "")),
             "waiting": _int(state_by_service.get(s.code, {}).get("waiting"))}
            for s in cfg.services],
        "board": board_settings(cfg),
    }


class LanState:
    """Thread-safe holder of the current feed, plus the staff request channel.

    ``events``: the main loop's event queue (for ``submit``); None when no
    staff page is served. ``clock`` gives epoch seconds (injected in tests).
    """

    def __init__(self, cfg: Config, events: Optional[queue.Queue] = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.cfg = cfg
        self.events = events
        self.clock = clock
        self._cond = threading.Condition()
        self._version = 0
        self._feed: dict = build_feed({}, cfg)
        self._published_at = 0.0
        self._closed = False
        self._replies: dict = {}  # request id -> reply, or _PENDING while waiting

    # ------------------------------------------------------------------ the feed
    def publish(self, snapshot: dict) -> int:
        """Main loop: offer the machine's snapshot; returns the feed version.

        Cheap when nothing changed (no new version, nobody woken), so the shell
        may call it after every turn of its loop.
        """
        feed = build_feed(snapshot, self.cfg)
        with self._cond:
            if feed != self._feed or self._version == 0:
                self._feed = feed
                self._version += 1
                self._published_at = self.clock()
                self._cond.notify_all()
            return self._version

    def current(self) -> tuple[int, dict]:
        """(version, feed) now."""
        with self._cond:
            return self._version, self._with_version()

    def wait_newer(self, version: int, timeout: float) -> tuple[int, dict]:
        """HTTP threads: wait until the feed version differs from ``version``
        (or ``timeout`` seconds pass, or the server stops), then return it.

        "Differs", not "is greater": after a kiosk restart the versions begin
        again at 1, and a board holding version 900 must not wait for 901.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while self._version == version and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return self._version, self._with_version()

    def _with_version(self) -> dict:
        # The feed dict is replaced whole, never changed: a shallow copy is safe.
        return {**self._feed, "version": self._version, "published_at": self._published_at,
                "now": self.clock()}

    def close(self) -> None:
        """Wake every waiting HTTP thread (the server is stopping)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # ------------------------------------------------------------------ staff requests
    def submit(self, event: Any, timeout: float = 5.0) -> Any:
        """HTTP threads: put ``event`` (with a ``request_id``) on the main loop's
        queue and wait for its reply. Raises TimeoutError when the main loop
        does not answer in time, RuntimeError when there is no main loop."""
        if self.events is None:
            raise RuntimeError("this LAN server has no main loop to send requests to")
        request_id = event.request_id
        with self._cond:
            self._replies[request_id] = _PENDING
        self.events.put(event)
        deadline = time.monotonic() + timeout
        with self._cond:
            try:
                while self._replies.get(request_id) is _PENDING:
                    left = deadline - time.monotonic()
                    if left <= 0 or self._closed:
                        raise TimeoutError(f"no answer from the kiosk within {timeout:g} s")
                    self._cond.wait(left)
                return self._replies[request_id]
            finally:
                self._replies.pop(request_id, None)

    def reply(self, request_id: Any, answer: Any) -> None:
        """Main loop: hand the answer of a submitted request to its HTTP thread.
        An answer nobody waits for any more (timed out) is dropped."""
        with self._cond:
            if request_id in self._replies:
                self._replies[request_id] = answer
                self._cond.notify_all()
