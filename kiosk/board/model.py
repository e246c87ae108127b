"""What the board knows: the last feed, whether it is connected, what to highlight.

Pure (no pygame, no threads): the main loop hands it feeds and failures with
the monotonic time, and the renderer reads it. When the connection is lost
the last feed stays on screen; only a small mark says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from kiosk.core.config import Board

DEFAULT_SETTINGS = {
    "announce": Board.announce, "language": "id", "diagonal_inches": Board.diagonal_inches,
    "number_mm": Board.number_mm, "running_text": Board.running_text, "running_speed": Board.running_speed,
    "slideshow_dir": Board.slideshow_dir, "slide_seconds": Board.slide_seconds, "history": Board.history,
    "highlight_seconds": Board.highlight_seconds,
}


def _call_id(call: dict) -> int:
    value = call.get("call_id")
    return value if isinstance(value, int) else -1


@dataclass
class BoardModel:
    """The board's state. ``overrides``: settings given on the command line
    (they win over the kiosk's ``[board]`` section)."""

    overrides: dict = field(default_factory=dict)
    feed: Optional[dict] = None
    last_update: Optional[float] = None  # monotonic time of the last good answer
    lost_reason: Optional[str] = None
    highlights: dict = field(default_factory=dict)  # call id -> monotonic time the highlight ends
    highlight_started: dict = field(default_factory=dict)  # call id -> monotonic start (for motion)
    newest_seen: int = -1
    changes: int = 0  # increases whenever the picture may change

    @property
    def settings(self) -> dict:
        """The effective board settings: defaults < the kiosk's [board] < overrides."""
        feed_settings = (self.feed or {}).get("board") or {}
        merged = dict(DEFAULT_SETTINGS)
        merged.update({k: v for k, v in feed_settings.items() if k in DEFAULT_SETTINGS})
        merged.update({k: v for k, v in self.overrides.items() if v is not None})
        return merged

    @property
    def language(self) -> str:
        lang = self.settings.get("language")
        return lang if lang in ("id", "en") else "id"

    @property
    def connected(self) -> bool:
        return self.feed is not None and self.lost_reason is None

    def apply_feed(self, feed: dict, mono: float) -> list[int]:
        """A good answer from the kiosk; returns the ids of calls new to this board."""
        first = self.feed is None
        self.feed = feed
        self.last_update = mono
        self.lost_reason = None
        self.changes += 1
        hold = float(self.settings["highlight_seconds"])
        now = float(feed.get("now") or 0.0)
        fresh = []
        for call in self.calls():
            call_id = call.get("call_id")
            if not isinstance(call_id, int) or call_id <= self.newest_seen:
                continue
            age = max(0.0, now - float(call.get("at") or 0.0)) if first else 0.0
            if age < hold:  # at start-up only calls made moments ago light up
                self.highlights[call_id] = mono + hold - age
                self.highlight_started[call_id] = mono - age
            fresh.append(call_id)
        self.newest_seen = max([self.newest_seen] + fresh)
        return fresh

    def apply_lost(self, reason: str) -> None:
        """The feed failed: keep the last state, remember why."""
        if reason != self.lost_reason:
            self.changes += 1
        self.lost_reason = reason

    def calls(self) -> list[dict]:
        """The feed's calls, newest first."""
        calls = [c for c in (self.feed or {}).get("calls") or [] if isinstance(c, dict)]
        return sorted(calls, key=_call_id, reverse=True)

    def highlighted(self, call_id: int, mono: float) -> Optional[float]:
        """Seconds since the highlight of ``call_id`` began, or None when not highlighted."""
        until = self.highlights.get(call_id)
        if until is None or mono >= until:
            return None
        return mono - self.highlight_started.get(call_id, mono)

    def animating(self, mono: float) -> bool:
        """Whether a highlight is running (the picture moves)."""
        for call_id, until in list(self.highlights.items()):
            if mono >= until:
                del self.highlights[call_id]
                self.highlight_started.pop(call_id, None)
                self.changes += 1
        return bool(self.highlights)

    def seconds_since_update(self, mono: float) -> Optional[float]:
        return None if self.last_update is None else mono - self.last_update

    def counter_name(self, number: int) -> str:
        for c in (self.feed or {}).get("counters") or []:
            if c.get("counter") == number:
                names = c.get("name") or {}
                return str(names.get(self.language) or names.get("id") or number)
        return ("Counter " if self.language == "en" else "Loket ") + str(number)

    def service_name(self, code: str) -> str:
        for s in (self.feed or {}).get("services") or []:
            if s.get("code") == code:
                names = s.get("name") or {}
                return str(names.get(self.language) or names.get("id") or code)
        return code
