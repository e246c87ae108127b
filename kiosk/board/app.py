"""The display board's main loop: feed in, picture and voice out.

    feed thread (long-poll, backoff) -> queue -> main loop -> BoardModel -> BoardRenderer
                                                           `-> CallAnnouncer -> announcer thread

The main loop owns pygame. It redraws the whole picture only when something
changed (a feed, a highlight in motion, the minute on the clock, the "lost"
timer) and otherwise only the running-text strip, and sleeps in
an event the feed thread sets, between frames, which keeps an idle board near 1 % CPU.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from datetime import datetime
from typing import Any, Callable, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.shell.sdl import pygame

from kiosk.board.announce import AnnouncedCalls, CallAnnouncer, Speaker
from kiosk.board.feed import FeedClient
from kiosk.board.model import BoardModel
from kiosk.board.render import BoardRenderer
from kiosk.core.errors import KioskError

log = logging.getLogger(__name__)

TICKER_FPS = 25  # smooth enough for text, and leaves the CPU idle
MOTION_FPS = 15  # a full picture per frame: keep it light for a Pi


class ScreenUnavailable(KioskError):
    """pygame could not open the screen (driver, /dev/dri, permissions, busy, no TV)."""


def default_state_file() -> str:
    """Where the board remembers the last call it announced."""
    state = os.environ.get("STATE_DIRECTORY")  # systemd's StateDirectory=
    if state:
        return os.path.join(state.split(":")[0], "announced.json")
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "ptsp-kiosk", "board-announced.json")


class BoardApp:
    """A display board reading ``source`` (the kiosk's LAN address) with ``token``.

    ``speaker``: an announcer (drivers.sound); ``on_frame(model, mono)`` is
    called after each full picture (tests and the bench watch it).
    """

    def __init__(self, source: str, token: str, speaker: Speaker, *, size: Optional[tuple[int, int]] = None,
                 fullscreen: bool = False, screenshot_dir: Optional[str] = None,
                 overrides: Optional[dict] = None, state_file: Optional[str] = None, font: str = "",
                 on_frame: Optional[Callable[[BoardModel, float], None]] = None,
                 clock: Callable[[], float] = time.monotonic, client_options: Optional[dict] = None) -> None:
        self.source = source
        self.model = BoardModel(overrides=dict(overrides or {}))
        self.inbox: queue.Queue = queue.Queue()
        self._wakeup = threading.Event()
        self.client = FeedClient(source, token, on_feed=self._feed_arrived, on_lost=self._feed_lost,
                                 **(client_options or {}))
        self.announcer = CallAnnouncer(speaker, AnnouncedCalls(state_file), self.model.language)
        self.size = size
        self.fullscreen = fullscreen
        self.screenshot_dir = screenshot_dir
        self.font = font
        self.on_frame = on_frame
        self.clock = clock
        self.running = False
        self.frames = 0
        self.renderer: Optional[BoardRenderer] = None
        self._shot_changes = -1
        self.shown_texts: frozenset = frozenset()  # the texts of the last full picture

    # ------------------------------------------------------------------ from the feed thread
    def _feed_arrived(self, feed: dict) -> None:
        self.inbox.put(("feed", feed))
        self._wake()

    def _feed_lost(self, reason: str) -> None:
        self.inbox.put(("lost", reason))
        self._wake()

    def _wake(self) -> None:
        self._wakeup.set()

    # ------------------------------------------------------------------ main loop
    def stop(self) -> None:
        """Ask the loop to end (signal handlers, tests)."""
        self.running = False
        self._wake()

    def open_screen(self) -> pygame.Surface:
        """The window or fullscreen surface; ScreenUnavailable names the cause and the fix."""
        try:
            return self._open_screen()
        except pygame.error as e:
            from kiosk.shell.display_diagnosis import diagnose

            raise ScreenUnavailable(diagnose(e)) from None

    def _open_screen(self) -> pygame.Surface:
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption("PTSP — papan antrian")
        pygame.mouse.set_visible(False)
        if self.fullscreen and not self.size:
            return pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        return pygame.display.set_mode(self.size or (1920, 1080), pygame.FULLSCREEN if self.fullscreen else 0)

    def run(self, max_seconds: Optional[float] = None) -> int:
        """Show the board until ``stop()`` (or ``max_seconds``); returns the exit status."""
        surface = self.open_screen()
        self.renderer = BoardRenderer(surface, self.font)
        self.running = True
        self.client.start()
        started = self.clock()
        drawn_key: Any = None
        try:
            while self.running:
                self._drain()
                mono = self.clock()
                if max_seconds is not None and mono - started >= max_seconds:
                    break
                moving = self.model.animating(mono)
                key = self._picture_key(mono)
                if moving or key != drawn_key:
                    self._draw(mono)
                    drawn_key = key
                else:
                    rect = self.renderer.draw_ticker(self.model, self.renderer.layout(self.model), mono)
                    if rect is not None:
                        pygame.display.update(rect)
                self._wait(1.0 / MOTION_FPS if moving else self._idle_timeout(mono))
        finally:
            self.client.stop()
            pygame.display.quit()
        return 0

    def wall_clock(self) -> datetime:
        """The time to show: the kiosk's time zone (a board Pi is often left on UTC)."""
        zone = str((self.model.feed or {}).get("timezone") or "")
        if zone:
            try:
                return datetime.now(ZoneInfo(zone))
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return datetime.now()

    def _picture_key(self, mono: float) -> tuple:
        """Changes in this value need a full redraw: feed, lost timer (per second), clock (per minute), slide."""
        s = self.model.settings
        lost_tick = int(self.model.seconds_since_update(mono) or 0) if self.model.lost_reason else 0
        slide = int(mono // max(1.0, float(s["slide_seconds"]))) if s.get("slideshow_dir") else 0
        return (self.model.changes, lost_tick, self.wall_clock().strftime("%Y%m%d%H%M"), slide)

    def _idle_timeout(self, mono: float) -> float:
        if self.model.settings.get("running_text"):
            return 1.0 / TICKER_FPS
        return 1.0 - (mono % 1.0)  # wake on the next second (clock, lost timer)

    def _wait(self, seconds: float) -> None:
        # Not pygame.event.wait(timeout): with the dummy and KMSDRM drivers SDL
        # polls every millisecond inside it (several % CPU on an idle board).
        # The feed thread and stop() set this event instead, so a call still
        # wakes the loop at once; keys are read after each wait.
        self._wakeup.wait(seconds)
        self._wakeup.clear()
        for e in pygame.event.get():
            if e.type == pygame.QUIT:
                self.running = False
            elif e.type == pygame.KEYDOWN and e.key == pygame.K_q and \
                    (e.mod & pygame.KMOD_CTRL) and (e.mod & pygame.KMOD_ALT):
                self.running = False  # the kiosk's admin keys; a TV has no keyboard anyway
            elif e.type == pygame.KEYDOWN and e.key == pygame.K_ESCAPE and not self.fullscreen:
                self.running = False

    def _drain(self) -> None:
        while True:
            try:
                kind, value = self.inbox.get_nowait()
            except queue.Empty:
                return
            mono = self.clock()
            if kind == "feed":
                self.model.apply_feed(value, mono)
                self.announcer.language = self.model.language
                speak = self.model.settings.get("announce") in ("board", "both")
                self.announcer.on_feed(value, speak)
            else:
                self.model.apply_lost(value)

    def _draw(self, mono: float) -> None:
        assert self.renderer is not None
        self.renderer.draw(self.model, mono, self.wall_clock())
        pygame.display.flip()
        # Replaced whole after each picture: other threads (tests, bench) read it safely.
        self.shown_texts = frozenset(t.text for t in self.renderer.painter.texts)
        self.frames += 1
        # A picture is saved once per change, after the new number has slid into place.
        if self.screenshot_dir and self.model.changes != self._shot_changes and not self.renderer.sliding:
            self._shot_changes = self.model.changes
            self.save_screenshot()
        if self.on_frame is not None:
            self.on_frame(self.model, mono)

    def save_screenshot(self) -> Optional[str]:
        """Save the current picture as board.png in the screenshot folder (atomically)."""
        if not self.screenshot_dir or self.renderer is None:
            return None
        os.makedirs(self.screenshot_dir, exist_ok=True)
        path = os.path.join(self.screenshot_dir, "board.png")
        tmp = os.path.join(self.screenshot_dir, ".board.tmp.png")
        pygame.image.save(self.renderer.surface, tmp)
        os.replace(tmp, path)
        return path
