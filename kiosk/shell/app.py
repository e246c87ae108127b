"""The app shell: the composition root and the only module that knows every part.

It reads the config, picks the drivers, starts the workers, and runs the loop:

    pygame input ─┐                                        ┌─> EffectsRunner (store, printer
    events queue ─┴─> KioskMachine.on_event(e, at) ─> effects ┤    worker, sound, lights, sync)
    (buttons, printer, sync, LAN)   on_tick(at)            └─> results are events again
                                    view(at) ─> Renderer ─> screen

The machine (kiosk/machine) decides; this shell only turns input into events,
executes effects, times the loop and draws. pygame owns the main thread;
workers and gpiozero callbacks only put events on a ``queue.Queue``.

Where SDL can really sleep (X11, Wayland) the loop waits in
``pygame.event.wait`` and the queue's ``put`` posts a wake-up event; where SDL
would poll every millisecond (dummy, KMSDRM) it sleeps on the queue and looks
at pygame's input between naps. Idle CPU stays near 1% either way.

Failsafe: an exception in a turn or while drawing is logged, the screen shows
"out of order" (ERR) for a while, and the loop carries on.
"""
from __future__ import annotations

import collections
import logging
import os
import queue
import signal
import sys
import threading
import time
from pathlib import Path

from kiosk.core.events import PrintFinished, PrinterHealthChanged, Quit
from kiosk.machine.effects import Instant, Refresh, Stop
from kiosk.machine.machine import KioskMachine
from kiosk.machine.view import Fault, View
from kiosk.services import clock_state
from kiosk.services.boot_marker import boot_config_fault
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store
from kiosk.shell import sdnotify
from kiosk.shell.display import open_display
from kiosk.shell.effects_runner import EffectsRunner
from kiosk.shell.input import DemoKeys, PygameInput, help_line
from kiosk.shell.workers import Workers
from kiosk.shell.screenshots import Screenshots

log = logging.getLogger(__name__)

def data_dir():
    """The user's data folder for the demo: $XDG_DATA_HOME/ptsp-kiosk or ~/.local/share/ptsp-kiosk."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "ptsp-kiosk"


class WakingQueue(queue.Queue):
    """A queue.Queue whose ``put`` also wakes a loop sleeping in pygame.event.wait
    (SDL_PushEvent is thread-safe). At most one wake-up is pending at a time."""

    def __init__(self, post=None):
        super().__init__()
        self.post = post  # set once pygame is up, where SDL can wait
        self._pending = threading.Event()

    def _put(self, item):
        super()._put(item)
        if self.post is not None and not self._pending.is_set():
            self._pending.set()
            try:
                self.post()
            except Exception:  # pygame shutting down: the loop's timeout still picks it up
                self._pending.clear()

    def woken(self):
        self._pending.clear()


class App:
    """The running kiosk. ``run()`` blocks until Quit; ``step()`` runs one turn (tests).

    Drivers may be injected (tests): ``printer`` (a TicketPrinter), ``announcer``,
    ``board`` (False: no buttons), ``sync`` (False: none).
    """

    machine: KioskMachine  # exists from start() on

    def __init__(self, cfg, *, demo=False, headless=False, screenshot_dir=None, size=None,
                 printer=None, announcer=None, board=None, sync=None, clock=time.time,
                 monotonic=time.monotonic, script=None, install_signals=False, system_root="/"):
        self.cfg = cfg
        self.demo, self.headless, self.size = demo, headless, size
        self.language = cfg.device.language
        self.clock, self.mono = clock, monotonic
        self.events = WakingQueue()
        self.parts = Workers(cfg, self.events, printer=printer, announcer=announcer, board=board, sync=sync)
        self._script = script
        self._system_root = Path(system_root)  # where provisioning leaves its marks (tests: a temp dir)
        self._install_signals = install_signals
        self.screenshots = Screenshots(screenshot_dir)
        self.running = False
        self.quit_reason = ""
        self._signalled = None
        self._stop = threading.Event()
        self._drawn = None  # (machine version, minute) of the last frame
        self._last_watchdog = 0.0
        self.store = None
        self.demo_keys = None
        self.screen_name = None
        self.frames = 0
        self.first_frame_at = None
        self.last_draw_seconds = 0.0
        self.snapshot = None  # the machine's latest Snapshot, for other threads

    def now(self) -> Instant:
        return Instant(self.mono(), self.clock())

    # ------------------------------------------------------------------ start / stop
    def start(self):
        """Open the store, the screen and every worker."""
        if self.headless:
            os.environ["SDL_VIDEODRIVER"] = "dummy"
            os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        from kiosk.shell.sdl import pygame

        self.pg = pygame
        # The print worker must not wait behind a frame being drawn: hand the
        # GIL over every millisecond instead of every 5 (a press reaches the
        # printer in under 10 ms; see `ptsp-kiosk bench --only e2e`).
        sys.setswitchinterval(0.001)
        self.store = Store(str(self.cfg.storage.database))  # creates the folder; names storage errors
        self.service = QueueService(self.cfg, self.store, clock=self.clock,
                                    clock_synced=clock_state.clock_synchronized)
        # Settle what a power cut left half done, before the first press.
        recovered = self.service.recover_interrupted()
        if recovered.recovered:
            log.warning("after an interruption: callable again (uncertain print) %s; void %s",
                        ", ".join(recovered.uncertain) or "none", ", ".join(recovered.void) or "none")
        self.surface, self._sdl_waits, self._poll = open_display(pygame, self.cfg, demo=self.demo,
                                                                 headless=self.headless, size=self.size)
        self.wake_event = pygame.event.custom_type()
        if self._sdl_waits:
            self.events.post = lambda: pygame.event.post(pygame.event.Event(self.wake_event))
        from kiosk.shell.screen import Renderer

        self.renderer = Renderer(self.cfg.display.font)
        self.parts.start(self.sync_snapshot)
        self.machine = KioskMachine(self.cfg, demo=self.demo,
                                    help_text=help_line(self.cfg, self.language) if self.demo else "")
        refused = boot_config_fault(self._system_root)  # first-boot provisioning refused the boot partition's config
        if refused is not None:
            log.error("the config on the boot partition was refused (%s): %s", *refused)
            self.machine.config_fault = Fault(*refused)
        self.demo_keys = DemoKeys(self.cfg, self.parts.board, self.events) if self.demo else None
        self.input = PygameInput(pygame, self.renderer, self.events, admin_keys=self.cfg.display.admin_keys,
                                 demo=self.demo, closable=self.demo or self.headless, demo_keys=self.demo_keys)
        parts = self.parts
        self.runner = EffectsRunner(self.service, self.language, print_worker=parts.print_worker,
                                    announcer=parts.announcer, board=parts.board, sync=parts.sync,
                                    on_stop=self._on_stop, replies=parts.lan.reply if parts.lan else None)
        if self._install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                # A handler must not take the queue's lock (the main thread may
                # hold it): it only leaves a note that the loop reads each turn.
                signal.signal(sig, self._on_signal)
        self.running = True
        self._execute(self.machine.start(self.now()))

    def _on_signal(self, signum, frame):
        self._signalled = signal.Signals(signum).name

    def _on_stop(self, reason):
        self.quit_reason = reason
        self.running = False

    def _start_script(self):
        if self._script is None:
            return
        from kiosk.shell.sim_script import run_script

        def run():
            if self.parts.board is None:
                log.error("the press script needs the buttons (mock pins); nothing simulated")
                return
            result = run_script(self._script, self.parts.board, self.events, stop=self._stop)
            if not result.quit and not result.stopped:
                self.events.put(Quit("end of script"))

        threading.Thread(target=run, name="press-script", daemon=True).start()

    def stop(self):
        """Finish printing in progress, then stop every worker and close the store."""
        sdnotify.stopping()
        self.running = False
        self._stop.set()
        if getattr(self, "machine", None) is not None:
            deadline = self.mono() + self.cfg.printer.timeout + 2
            while self.machine.printing and self.mono() < deadline:  # never leave a ticket half issued
                try:
                    event = self.events.get(timeout=0.1)
                except queue.Empty:
                    continue
                if isinstance(event, (PrintFinished, PrinterHealthChanged)):
                    self._feed(event)
        self.parts.stop()
        if self.demo_keys is not None:
            self.demo_keys.close()
        if self.store is not None:
            self.store.close()
        if getattr(self, "pg", None):
            self.events.post = None
            self.pg.display.quit()
        self.store = None

    # ------------------------------------------------------------------ loop
    def run(self):
        """Run until Quit (admin keys, signal, end of a script); returns 0."""
        try:
            self.start()
            while self.running:
                self.step()
        finally:
            self.stop()
        return 0

    def step(self, timeout=None):
        """One turn: wait for input or a wake-up (at most until the next second),
        handle everything pending, redraw if needed."""
        pg = self.pg
        if timeout is None:
            timeout = max(0.01, 1.0 - (self.clock() % 1.0))
        pending = []
        if self._sdl_waits:
            pg_events = [pg.event.wait(max(1, int(timeout * 1000)))] + pg.event.get()
        else:
            try:
                pending.append(self.events.get(timeout=min(timeout, self._poll)))
            except queue.Empty:
                pass
            pg_events = pg.event.get()
        redraw = False
        for e in pg_events:
            if e.type == self.wake_event:
                self.events.woken()
            elif e.type != pg.NOEVENT:
                redraw |= self.input.handle(e, self.surface)
        if redraw:
            self.surface = pg.display.get_surface()
            self._drawn = None
        while True:
            if pending:
                event = pending.pop()
            else:
                try:
                    event = self.events.get_nowait()
                except queue.Empty:
                    break
            self._feed(event)
        if self._signalled:
            self._feed(Quit(self._signalled))
            self._signalled = None
        self._guarded(self.machine.on_tick)
        self._watchdog()
        self.draw()

    def _feed(self, event):
        """Give one event to the machine and carry out what it asks, results included."""
        if isinstance(event, PrintFinished) and event.result == "printed" and not event.preview_png:
            path = self.parts.preview_png()  # the demo's ticket picture
            if path:
                event = PrintFinished(event.ticket_id, event.error, event.code, event.outcome, path)
        self._guarded(lambda at: self.machine.on_event(event, at))

    def _guarded(self, decide):
        """Run a machine entry point and its effects; a bug becomes ERR, never a crash."""
        try:
            self._execute(decide(self.now()))
        except Exception:
            log.exception("unexpected error in the kiosk's turn")
            self._execute(self.machine.unexpected_error(self.now()))

    def _execute(self, effects):
        # Re-reading the store (Refresh) is done once, after everything else the
        # turn asked for: several changes need one read, and a ticket's first
        # byte does not wait behind it for the GIL.
        todo = collections.deque(effects)
        refresh = None
        while todo or refresh is not None:
            if todo:
                effect = todo.popleft()
                if isinstance(effect, Refresh):
                    refresh = Refresh(seed=effect.seed or (refresh is not None and refresh.seed))
                    continue
            else:
                effect, refresh = refresh, None
            if isinstance(effect, Stop):
                self.runner.run(effect)
                continue
            for result in self.runner.run(effect):
                todo.extend(self.machine.on_event(result, self.now()))
        self.snapshot = self.machine.snapshot()
        if self.parts.lan is not None:
            self.parts.lan.publish(self.snapshot)

    def _watchdog(self):
        interval = sdnotify.watchdog_interval()
        now = self.mono()
        if interval and now - self._last_watchdog >= interval:
            self._last_watchdog = now
            sdnotify.watchdog()

    # ------------------------------------------------------------------ view
    def view(self):
        """The View of this moment, for the renderer."""
        return self.machine.view(self.now())

    def draw(self):
        """Redraw when the machine's state changed, or the minute turned (the clock)."""
        key = (self.machine.version, int(self.clock() // 60))
        if key == self._drawn:
            return
        self._drawn = key
        started = time.perf_counter()
        view = None
        try:
            view = self.view()
            self.screen_name = self.renderer.render(self.surface, view)
        except Exception:
            log.exception("drawing the screen failed")
            self._execute(self.machine.unexpected_error(self.now()))
            self._drawn = (self.machine.version, key[1])
            try:
                fallback = View(language=self.language, institution=self.cfg.device.institution,
                                fault=self.machine.fault() or Fault("ERR"))
                self.screen_name = self.renderer.render(self.surface, fallback)
            except Exception:
                self.renderer.render_emergency(self.surface, self.language)
                self.screen_name = "emergency"
        self.pg.display.flip()
        self.last_draw_seconds = time.perf_counter() - started
        self.frames += 1
        if self.frames == 1:
            self.first_frame_at = time.perf_counter()
            sdnotify.ready("showing the home screen")
            self._start_script()  # presses start once the first screen is up, as a visitor's would
        self.screenshots.take(self.pg, self.surface, self.screen_name, view)

    def sync_snapshot(self):
        """What the heartbeat adds (docs/SYNC_PROTOCOL.md). Called from the sync
        thread: it reads the latest immutable Snapshot, never the machine or the store."""
        snap = self.snapshot
        if snap is None:
            return {}
        return {"printer": dict(snap.printer), "last_ticket": snap.last_ticket, "last_call": snap.last_call,
                "fault": snap.fault, "clock_problem": snap.clock_problem, "screen": self.screen_name}
