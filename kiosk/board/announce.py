"""Announcements at the board: each call id spoken once, ever, in call order.

The kiosk's feed lists the latest calls with an increasing ``call_id`` (a
recall gets a new id, so it is announced again: that is its purpose). The
board remembers the last call id it announced in a small JSON file, written
atomically after each hand-off to the announcer, so neither a reconnect nor a
restart of the board repeats a call. Five counters calling within a second
arrive as five new ids (in one feed or several) and are handed to the
announcer oldest first; the announcer's own queue speaks them one after the
other.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from typing import Any, Optional, Protocol

from kiosk.board.words import split_label
from kiosk.core import texts

log = logging.getLogger(__name__)

STALE_SECONDS = 120.0  # a call older than this when the board first sees it is shown, not spoken


class Speaker(Protocol):
    """What drivers.sound's announcers provide."""

    def announce(self, text: str, language: str = "id") -> None: ...


def announcement_text(call: dict, language: str) -> str:
    """The spoken phrase for a feed call, number said twice (kiosk.core.texts)."""
    parts = split_label(str(call.get("label", "")))
    counter = int(call.get("counter", 0))
    if parts is None:  # not our label format: say what is written
        go = "Please go to counter" if language == "en" else "Silakan menuju loket"
        return f"{call.get('label', '')}. {go} {counter}."
    return texts.announcement(parts[0], parts[1], counter, language)


class AnnouncedCalls:
    """The last announced call id, kept in ``path`` across restarts.

    The file also names the kiosk (device id) the ids belong to: ids from
    another kiosk, or from a kiosk whose log was reset (ids going backwards),
    start a new count instead of silencing the board for good.
    """

    def __init__(self, path: Optional[str]) -> None:
        self.path = path
        self.device: Optional[str] = None
        self.last_id: Optional[int] = None
        self._load()

    def _load(self) -> None:
        if not self.path:
            return
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
            last = data.get("last_call_id")
            if isinstance(last, int) and not isinstance(last, bool) and last >= 0:
                self.last_id = last
                self.device = str(data.get("device") or "") or None
        except FileNotFoundError:
            pass
        except (OSError, ValueError, AttributeError) as e:
            # A damaged file must not stop the board: worst case it stays quiet
            # for calls already made, never repeats them (see CallAnnouncer).
            log.warning("announcement memory %s unreadable (%s); starting afresh", self.path, e)

    def save(self, device: Optional[str], last_id: int) -> None:
        """Remember ``last_id`` (atomically: a power cut leaves the old or the new file)."""
        self.device, self.last_id = device, last_id
        if not self.path:
            return
        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".announced-", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"device": device, "last_call_id": last_id}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as e:
            log.error("cannot save the announcement memory %s: %s (a restart may repeat a call)", self.path, e)


class CallAnnouncer:
    """Decides which feed calls to speak and hands them to the speaker in order.

    ``speak``: whether this board speaks at all (config ``[board] announce``
    is ``board`` or ``both``); when it does not, calls are still counted so
    that switching it on later does not replay the day.
    """

    def __init__(self, speaker: Speaker, memory: AnnouncedCalls, language: str = "id") -> None:
        self.speaker = speaker
        self.memory = memory
        self.language = language
        self.spoken: list[int] = []  # call ids handed to the speaker in this run (tests, bench)

    def on_feed(self, feed: dict[str, Any], speak: bool) -> list[int]:
        """Announce the feed's calls not announced before; returns their ids."""
        calls = sorted((c for c in feed.get("calls") or [] if isinstance(c.get("call_id"), int)),
                       key=lambda c: c["call_id"])
        device = feed.get("device")
        newest = calls[-1]["call_id"] if calls else None
        last = self.memory.last_id
        other_kiosk = bool(self.memory.device and device and device != self.memory.device)
        if last is not None and not other_kiosk and newest is not None and newest < last:
            # The same kiosk counts from 1 again (its database was replaced):
            # every call of the new count is new to this board, so the fresh
            # ones are spoken (the age check keeps stale ones quiet).
            log.warning("call ids restarted (kiosk %s, newest %s, remembered %s): counting afresh",
                        device, newest, last)
            last = 0
        elif last is None or other_kiosk:
            if last is not None:
                log.warning("another kiosk (%s, was %s): counting afresh", device, self.memory.device)
            # A first start: the calls already on the feed were announced by
            # somebody else (or long ago); speak only what comes from now on.
            self.memory.save(device, newest or 0)
            return []
        now = float(feed.get("now") or 0.0)
        said = []
        for call in calls:
            if call["call_id"] <= last:
                continue
            age = now - float(call.get("at") or 0.0)
            if speak and age <= STALE_SECONDS:
                self.speaker.announce(announcement_text(call, self.language), self.language)
                said.append(call["call_id"])
            elif speak:
                log.info("call %s (%s) is %.0f s old: shown, not announced", call["call_id"], call.get("label"), age)
            # Remember after each hand-off: a crash between two calls repeats none.
            self.memory.save(device, call["call_id"])
        self.spoken += said
        return said
