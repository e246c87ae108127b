"""The composition root: the only module that knows every part.

It reads the config, picks the drivers by name, starts the workers (printing,
buttons, sync, announcements), owns the Store and the QueueService on the main
thread, and runs the loop:

    pygame events (touch, mouse, keys) ─┐
    events queue (buttons, printer, sync) ─┴─> actions -> PressGuard -> core -> View -> screen

pygame owns the main thread. Worker threads and gpiozero callbacks only put
events on a ``queue.Queue``. Where SDL can really sleep (X11, Wayland) the loop
waits in ``pygame.event.wait(timeout)`` and the queue's ``put`` posts a wake-up
event; where SDL would poll every millisecond (dummy, KMSDRM) it sleeps on the
queue and looks at pygame's input between naps (see ``start``). Idle CPU stays
near 1% either way (``ptsp-kiosk bench``), and the screen is redrawn only when
something changed, or once a second for the clock.

Failsafe: any exception in a handler or a screen is logged, the screen shows
"out of order" (code ERR) and the loop carries on; it is never a dead black
screen, and the error clears by itself after ``ERROR_SECONDS``.
"""
from __future__ import annotations

import logging
import os
import queue
import signal
import threading
import time
from pathlib import Path

from kiosk.core import business_day

from kiosk.services import clock_state

from kiosk.shell import sdnotify
from kiosk.core.errors import ButtonError, IssueRefused, KioskError, StoreError
from kiosk.core.events import (CounterAction, PrinterHealth, PrinterHealthChanged, PrintFinished, PressIgnored, Quit,
                     SyncStatusChanged, TakeTicket, Tick)
from kiosk.machine.light_policy import service_lights, status_light
from kiosk.machine.press_guard import PressGuard
from kiosk.services.queue_service import QueueService, refusal_text
from kiosk.machine.view import DISMISS, CallView, Fault, ServiceView, TicketView, View
from kiosk.core.screen_texts import text as screen_text
from kiosk.services.store import Store

log = logging.getLogger(__name__)

ERROR_SECONDS = 15.0  # an unexpected error shows ERR this long, then the app tries again
PRINT_FAULT_SECONDS = 30.0  # a failed print (PRN-TMO...) blocks tickets until healthy or this long
REFUSED_SECONDS = 4.0  # "Tutup, buka 13.00" after pressing a closed service's button
REFRESH_SECONDS = 5.0  # availability, clock and calls made by other processes
SDL_WAITING_DRIVERS = ("x11", "wayland", "windows", "cocoa")


def data_dir():
    """The user's data folder for the demo: $XDG_DATA_HOME/ptsp-kiosk or ~/.local/share/ptsp-kiosk."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "ptsp-kiosk"


class WakingQueue(queue.Queue):
    """A queue.Queue whose ``put`` also wakes the pygame loop.

    Workers and gpiozero callbacks only know a queue.Queue; the loop sleeps in
    pygame.event.wait, so each put posts one wake-up event (SDL_PushEvent is
    thread-safe). At most one wake-up is pending at a time.
    """

    def __init__(self):
        super().__init__()
        self.wake_type = None  # set once pygame is up
        self._pending = threading.Event()

    def _put(self, item):
        super()._put(item)
        if self.wake_type is not None and not self._pending.is_set():
            self._pending.set()
            try:
                import pygame

                pygame.event.post(pygame.event.Event(self.wake_type))
            except Exception:  # pygame shutting down: the loop's timeout still picks it up
                self._pending.clear()

    def woken(self):
        self._pending.clear()


def parse_admin_keys(text):
    """'ctrl+alt+q' -> ({'ctrl', 'alt'}, 'q'); the last part is the key name."""
    parts = [p.strip().lower() for p in text.split("+") if p.strip()]
    if not parts:
        return None
    mods = {"control": "ctrl", "strg": "ctrl", "option": "alt", "super": "meta", "win": "meta"}
    return {mods.get(p, p) for p in parts[:-1]}, parts[-1]


class App:
    """The running kiosk. ``run()`` blocks until Quit; ``step()`` runs one turn (tests).

    Drivers may be injected (tests): ``printer`` (a TicketPrinter), ``announcer``,
    ``board`` (False: no buttons), ``sync`` (False: none).
    """

    def __init__(self, cfg, *, demo=False, headless=False, screenshot_dir=None, size=None,
                 printer=None, announcer=None, board=None, sync=None, clock=time.time,
                 monotonic=time.monotonic, script=None, install_signals=False):
        self.cfg = cfg
        self.demo = demo
        self.headless = headless
        self.screenshot_dir = Path(screenshot_dir) if screenshot_dir else None
        self.size = size
        self.language = cfg.device.language
        self.clock = clock
        self.mono = monotonic
        self.events = WakingQueue()
        self._printer = printer
        self._announcer = announcer
        self._board = board
        self._sync = sync
        self._script = script
        self._install_signals = install_signals
        self.running = False
        self.quit_reason = ""
        self._signalled = None
        self._calls_day = None
        self._fault_code = None
        self.last_ticket_label = None
        # What the screen shows, kept between turns.
        self.ticket_view = None
        self.ticket_until = None
        self.printing = {}  # ticket id -> (service code, Issued, started)
        self.printer_health = PrinterHealth()
        self.print_fault = None  # (code, since)
        self.store_fault = None  # detail while storage fails
        self.error_until = 0.0
        self.clock_problem = None
        self.calls = {}  # counter number -> CallView
        self.highlight = None  # (counter number, until)
        self.availability = {}
        self.last_ticket_png = ""
        self.screenshots = []  # paths saved with --screenshot-dir
        self.screen_name = None
        self.frames = 0
        self.last_draw_seconds = 0.0
        self._dirty = True
        self._last_second = None
        self._last_refresh = 0.0
        self._last_watchdog = 0.0
        self._last_shot_key = None
        self._stop = threading.Event()
        self._threads = []
        self._key_jobs = None
        self.first_frame_at = None
        self.store = None
        self.print_worker = None

    # ------------------------------------------------------------------ start / stop
    def start(self):
        """Open the store, the screen and every worker."""
        if self.headless:
            os.environ["SDL_VIDEODRIVER"] = "dummy"
            os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame

        self.pg = pygame
        db = Path(self.cfg.storage.database)
        db.parent.mkdir(parents=True, exist_ok=True)
        self.store = Store(str(db))
        self.service = QueueService(self.cfg, self.store, clock=self.clock,
                                    clock_synced=clock_state.clock_synchronized)
        self.guard = PressGuard.from_config(self.cfg.buttons, clock=self.mono)
        try:
            pygame.display.init()
            pygame.font.init()
            self.surface = self._open_display()
        except pygame.error as e:
            raise KioskError(
                f"cannot open the screen ({e}). Without a desktop (Raspberry Pi OS Lite) pygame needs "
                "KMSDRM: use Debian's python3-pygame in a venv made with --system-site-packages, or "
                "pygame-ce; on a laptop without a display use --headless") from e
        self.wake_event = pygame.event.custom_type()
        # How the loop sleeps. SDL_WaitEventTimeout really sleeps only where the
        # video driver can wait (X11, Wayland, Windows, macOS); elsewhere
        # (dummy, KMSDRM on Raspberry Pi OS Lite) SDL polls every millisecond,
        # measured at 2.3% of a core here. There the loop sleeps on the events
        # queue instead and looks at pygame's input between naps: 30 times a
        # second where a touch can arrive, once a second headless.
        driver = pygame.display.get_driver()
        self._sdl_waits = driver in SDL_WAITING_DRIVERS
        self._poll = 1.0 if driver in ("dummy", "offscreen") else 1 / 30
        if self._sdl_waits:
            self.events.wake_type = self.wake_event
        from kiosk.shell.screen import Renderer

        self.renderer = Renderer(self.cfg.display.font)
        self.admin_keys = parse_admin_keys(self.cfg.display.admin_keys)
        self._start_announcer()
        self._start_printer()
        self._start_board()
        self._start_sync()
        if self._install_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                # A handler must not take the queue's lock (the main thread may
                # hold it): it only leaves a note that the loop reads each turn.
                signal.signal(sig, self._on_signal)
        self._refresh(seed=True)
        self.running = True

    def _on_signal(self, signum, frame):
        self._signalled = signal.Signals(signum).name

    def _open_display(self):
        pg = self.pg
        flags = 0
        if self.size:
            size = self.size
        elif not self.demo and self.cfg.display.fullscreen:
            size, flags = (0, 0), pg.FULLSCREEN
        elif self.headless:
            size = (self.cfg.display.width, self.cfg.display.height)
        else:
            size, flags = (self.cfg.display.width, self.cfg.display.height), pg.RESIZABLE
        surface = pg.display.set_mode(size, flags)
        pg.display.set_caption("PTSP Kiosk" + (" - demo" if self.demo else ""))
        if flags & pg.FULLSCREEN:
            pg.mouse.set_visible(False)  # visitors touch; a cursor only confuses them
        # Only the events we use: fewer wake-ups, and no motion flood from a touch panel.
        pg.event.set_blocked(None)
        pg.event.set_allowed([pg.QUIT, pg.KEYDOWN, pg.MOUSEBUTTONDOWN, pg.FINGERDOWN, pg.VIDEORESIZE,
                              pg.VIDEOEXPOSE, pg.WINDOWSIZECHANGED, pg.WINDOWEXPOSED])
        return surface

    def _start_announcer(self):
        if self._announcer is None:
            from drivers.sound import open_announcer

            self._announcer = open_announcer(self.cfg.display)

    def _start_printer(self):
        from kiosk.services.printing import PrintWorker

        if self._printer is None:
            from drivers.printer import open_printer

            self._printer = open_printer(self.cfg.printer, self.language,
                                         Path(self.cfg.storage.database).parent / "tickets")
        self.print_worker = PrintWorker(self.cfg.printer, self._printer, self.events,
                                        db_path=self.cfg.storage.database)
        self.print_worker.start()

    def _start_board(self):
        if self._board is False:
            self._board = None
            return
        if self._board is None:
            from drivers.buttons import ButtonBoard

            try:
                self._board = ButtonBoard(self.cfg, self.events)
            except ButtonError as e:
                # The touch screen still works without buttons: say so, carry on.
                log.error("buttons unavailable: %s", e)
                self._board = None
        if self.demo and self._board is not None:
            self._key_jobs = queue.Queue()
            self._spawn("demo-keys", self._run_key_jobs)

    def _start_sync(self):
        if self._sync is False or not self.cfg.sync.enabled:
            self._sync = None
            return
        if self._sync is None:
            from kiosk.services.sync import SyncWorker

            self._sync = SyncWorker(self.cfg, self.cfg.storage.database, self.sync_snapshot, events=self.events)
            self._sync.start()

    def _start_script(self):
        if self._script is None:
            return
        from kiosk.shell.sim_script import run_script

        def run():
            if self._board is None:
                log.error("the press script needs the buttons (mock pins); nothing simulated")
                return
            result = run_script(self._script, self._board, self.events, stop=self._stop)
            if not result.quit and not result.stopped:
                self.events.put(Quit("end of script"))

        self._spawn("press-script", run)

    def _spawn(self, name, target):
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def stop(self):
        """Finish printing in progress, then stop every worker and close the store."""
        sdnotify.stopping()
        self.running = False
        self._stop.set()
        deadline = self.mono() + self.cfg.printer.timeout + 2
        while self.printing and self.mono() < deadline:  # never leave a ticket half issued
            try:
                event = self.events.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(event, (PrintFinished, PrinterHealthChanged)):
                self._safely(self.handle, event)
        # The outbox is durable, so the sync worker gets a short join: a
        # request in flight is simply sent again after the restart.
        for name, part, wait in (("print worker", self.print_worker, 5.0), ("sync", self._sync, 2.0)):
            if part is not None:
                try:
                    part.stop(timeout=wait)
                except Exception:
                    log.exception("stopping the %s failed", name)
        for part in (self._board, self._announcer):
            close = getattr(part, "close", None)
            if close:
                try:
                    close()
                except Exception:
                    log.exception("closing %s failed", type(part).__name__)
        if self._key_jobs is not None:
            self._key_jobs.put(None)
        if self.store is not None:
            self.store.close()
        if getattr(self, "pg", None):
            self.events.wake_type = None
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
            first = pg.event.wait(max(1, int(timeout * 1000)))
            pg_events = [first] + pg.event.get()
        else:
            try:
                pending.append(self.events.get(timeout=min(timeout, self._poll)))
            except queue.Empty:
                pass
            pg_events = pg.event.get()
        for e in pg_events:
            if e.type == self.wake_event:
                self.events.woken()
            elif e.type != pg.NOEVENT:
                self._safely(self.handle_pygame, e)
        while True:
            if pending:
                event = pending.pop()
            else:
                try:
                    event = self.events.get_nowait()
                except queue.Empty:
                    break
            self._safely(self.handle, event)
        if self._signalled:
            self.handle(Quit(self._signalled))
            self._signalled = None
        self._safely(self.on_time)
        self.draw()

    def _safely(self, fn, *args):
        """Run a handler; storage trouble becomes DB, anything else ERR, never a crash."""
        try:
            fn(*args)
        except StoreError as e:
            log.error("storage problem: %s", e)
            self.store_fault = str(e)
            self._dirty = True
        except Exception:
            log.exception("unexpected error in %s", getattr(fn, "__name__", fn))
            self.error_until = self.mono() + ERROR_SECONDS
            self._dirty = True

    # ------------------------------------------------------------------ input
    def handle_pygame(self, e):
        pg = self.pg
        if e.type == pg.QUIT:
            # The window's close button in the demo; in production SIGTERM comes
            # through our handler instead, and a visitor has no way to close it.
            if self.demo or self.headless:
                self.events.put(Quit("window closed"))
        elif e.type == pg.FINGERDOWN:
            w, h = self.surface.get_size()
            self.tap((int(e.x * w), int(e.y * h)), "touch")
        elif e.type == pg.MOUSEBUTTONDOWN:
            # SDL repeats every touch as a mouse click marked touch=True: one tap, one action.
            if e.button == 1 and not getattr(e, "touch", False):
                self.tap(e.pos, "mouse")
        elif e.type == pg.KEYDOWN:
            self.key(e)
        elif e.type in (pg.VIDEORESIZE, pg.WINDOWSIZECHANGED):
            self.surface = pg.display.get_surface()
            self._dirty = True
        elif e.type in (pg.VIDEOEXPOSE, pg.WINDOWEXPOSED):
            self._dirty = True

    def tap(self, pos, source):
        """A touch or click at ``pos``: whatever the screen drawn last says it means."""
        action = self.renderer.hit(pos)
        if action is None:
            return
        if action == DISMISS:
            if self.ticket_view is not None and self.ticket_view.phase != "printing":
                self.ticket_view, self.ticket_until = None, None
            self.highlight = None
            self._dirty = True
        elif isinstance(action, TakeTicket):
            self.handle(TakeTicket(action.service, action.priority, source))

    def key(self, e):
        pg = self.pg
        name = pg.key.name(e.key).lower()
        mods = set()
        if e.mod & pg.KMOD_CTRL:
            mods.add("ctrl")
        if e.mod & pg.KMOD_ALT:
            mods.add("alt")
        if e.mod & pg.KMOD_SHIFT:
            mods.add("shift")
        if e.mod & pg.KMOD_META or e.mod & pg.KMOD_GUI:
            mods.add("meta")
        if self.admin_keys and name == self.admin_keys[1] and mods == self.admin_keys[0]:
            self.events.put(Quit("admin keys"))
            return
        if not self.demo:
            return  # production: no keyboard for visitors
        if name == "escape":
            self.events.put(Quit("escape (demo)"))
            return
        from kiosk.shell.sim_script import key_action

        action = key_action(self.cfg, name, shift="shift" in mods)
        if action is None:
            return
        if self._key_jobs is not None:
            self._key_jobs.put(action)  # through the mock pins, like a real button
        else:
            self.handle(self._direct_action(*action))

    def _direct_action(self, verb, target):
        """Without a button board, a demo key becomes the same event a button would give."""
        if target.startswith("counter "):
            return CounterAction(int(target.split()[1]), "recall" if verb == "hold" else "call", "key")
        if target.startswith("skip "):
            return CounterAction(int(target.split()[1]), "skip", "key")
        return TakeTicket(self.cfg.service(target).code, False, "key")

    def _run_key_jobs(self):
        from kiosk.shell.sim_script import perform

        while True:
            job = self._key_jobs.get()
            if job is None:
                return
            try:
                perform(self._board, *job)
            except KioskError as e:
                log.warning("demo key: %s", e)

    # ------------------------------------------------------------------ events
    def handle(self, event):
        """Act on one event from the queue (or a tap turned into one)."""
        self._dirty = True
        if isinstance(event, TakeTicket):
            self.take_ticket(event)
        elif isinstance(event, CounterAction):
            self.counter_action(event)
        elif isinstance(event, PrintFinished):
            self.print_finished(event)
        elif isinstance(event, PrinterHealthChanged):
            self.printer_health = event.health
            self._record_health(event.health)
            if event.health.usable:
                self.print_fault = None
            self._update_lights()
        elif isinstance(event, PressIgnored):
            self.service.log_press_ignored(event.target, event.why, event.source)
        elif isinstance(event, SyncStatusChanged):
            pass  # `ptsp-kiosk status` reports sync; the visitors' screen has nothing to show
        elif isinstance(event, Quit):
            log.info("stopping: %s", event.reason or "quit")
            self.quit_reason = event.reason
            self.running = False
        elif isinstance(event, Tick):
            pass
        else:
            log.warning("unknown event %r ignored", event)

    def _report_fault(self):
        """Tell systemd and the lights when the out-of-order state changes."""
        fault = self.fault()
        code = fault.code if fault else None
        if code == self._fault_code:
            return
        self._fault_code = code
        if fault:
            log.warning("out of order: %s %s", fault.code, fault.detail or "")
            sdnotify.status(f"out of order: {fault.code} {fault.detail or ''}".strip())
        else:
            sdnotify.status("serving")
        self._update_lights()

    def _record_health(self, health):
        """Log a health change and keep the latest for ``ptsp-kiosk status``."""
        h = {"online": health.online, "paper": health.paper, "cover_open": health.cover_open,
             "detail": health.detail}
        log.info("printer health: %s", h)
        try:
            dc = self.service.day_clock()
            self.store.log("printer_health", dc.now, day=dc.day, **h)
            self.store.meta_set("printer.health", dict(h, at=dc.now))
        except StoreError as e:
            log.error("cannot record printer health: %s", e)

    def take_ticket(self, event):
        code = self.cfg.service(event.service).code
        target = f"service:{code}"
        fault = self.fault()
        if fault is not None:
            self.service.log_press_ignored(target, f"out_of_order:{fault.code}", event.source)
            return
        ok, why = self.guard.allow_ticket(code)
        if not ok:
            self.service.log_press_ignored(target, why, event.source)
            return
        name = self.cfg.service(code).display_name(self.language)
        try:
            issued = self.service.issue(code, event.priority)
        except IssueRefused as e:
            log.info("no ticket for %s: %s", code, e)
            self.ticket_view = TicketView("refused", service_name=name, message=refusal_text(e, self.language))
            self.ticket_until = self.mono() + REFUSED_SECONDS
            self._refresh()
            return
        self.guard.printing_started(code)
        self.printing[issued.ticket.id] = (code, issued, self.mono())
        self.ticket_view = TicketView("printing", label=issued.ticket.label, service_name=name,
                                      priority=issued.ticket.priority)
        self.ticket_until = None
        self.print_worker.submit(issued.ticket.id, issued.content)
        self._refresh()

    def print_finished(self, event):
        entry = self.printing.pop(event.ticket_id, None)
        if entry is None:
            log.warning("print result for unknown ticket %s ignored", event.ticket_id)
            return
        code, issued, _ = entry
        self.guard.printing_done(code)
        name = self.cfg.service(code).display_name(self.language)
        label = issued.ticket.label
        if event.error is None:
            self.service.printed(event.ticket_id)
            c = issued.content
            self.last_ticket_label = label
            self.last_ticket_png = self._preview_png()
            log.info("ticket %s (%s) printed%s", label, code,
                     f": {self.last_ticket_png}" if self.last_ticket_png else "")
            self.ticket_view = TicketView("done", label=label, service_name=name, priority=issued.ticket.priority,
                                          lines=tuple(x for x in (c.ahead_text, c.wait_text, c.instruction) if x),
                                          preview_png=self.last_ticket_png if self.demo else "")
        else:
            fault_code = event.code or "PRN"
            self.service.void(event.ticket_id, f"{fault_code}: {event.error}")
            log.error("ticket %s void: %s (%s)", label, event.error, fault_code)
            self.print_fault = (fault_code, self.mono())
            self.ticket_view = TicketView("failed", label=label, service_name=name, code=fault_code)
        self.ticket_until = self.mono() + self.cfg.display.ticket_seconds
        self._wake_sync()
        self._refresh()

    def _wake_sync(self):
        """New events are in the outbox: let the sync worker look now."""
        if self._sync is not None:
            self._sync.wake()

    def _preview_png(self):
        """The PNG the preview printer wrote for the last ticket, if any."""
        path = getattr(self._printer, "last_path", None)
        return str(path) if path else ""

    def counter_action(self, event):
        target = f"counter:{event.counter}"
        self.cfg.counter(event.counter)  # unknown counter: UnknownName, logged by _safely
        ok, why = self.guard.allow_counter(event.counter, event.action)
        if not ok:
            self.service.log_press_ignored(target, why, event.source)
            return
        if event.action == "call":
            call = self.service.call_next(event.counter)
        elif event.action == "recall":
            call = self.service.recall(event.counter)
        else:
            self.service.skip(event.counter)
            call = None
        if call is not None:
            self._show_call(call)
        self._wake_sync()
        self._refresh()

    def _show_call(self, call, announce=True):
        t = call.ticket
        try:
            service_name = self.cfg.service(t.service).display_name(self.language)
        except KioskError:
            service_name = t.service
        self.calls[call.counter_number] = CallView(call.counter_number, call.counter_name, t.label,
                                                   service_name, t.priority, call.at)
        self.highlight = (call.counter_number, self.mono() + self.cfg.display.highlight_seconds)
        log.info("%s calls %s: %s", call.counter_name, t.label, call.text)
        if announce and self.cfg.display.announce:
            self._announcer.announce(call.text, self.language)
        self._dirty = True

    # ------------------------------------------------------------------ time
    def on_time(self):
        now = self.mono()
        if self.ticket_until is not None and now >= self.ticket_until:
            self.ticket_view, self.ticket_until = None, None
            if self.highlight:
                # A call that came while a visitor's number was on screen still
                # gets its moment on the screen (small panels alternate).
                half = self.cfg.display.highlight_seconds / 2
                self.highlight = (self.highlight[0], max(self.highlight[1], now + half))
            self._dirty = True
        if self.highlight and now >= self.highlight[1]:
            self.highlight = None
            self._dirty = True
        for ticket_id, (code, issued, started) in list(self.printing.items()):
            # The worker reports every job; if a report is lost, do not wait forever.
            if now - started > self.cfg.printer.timeout + 10:
                self.handle(PrintFinished(ticket_id, "no answer from the print worker", "PRN-TMO"))
        if self.print_fault and now - self.print_fault[1] > PRINT_FAULT_SECONDS:
            self.print_fault = None
            self._dirty = True
        if self.error_until and now >= self.error_until:
            self.error_until = 0.0
            self._dirty = True
        if now - self._last_refresh >= REFRESH_SECONDS:
            self._refresh()
        second = int(self.clock())
        if second != self._last_second:
            self._last_second = second
            self._dirty = True  # the clock
        interval = sdnotify.watchdog_interval()
        if interval and now - self._last_watchdog >= interval:
            self._last_watchdog = now
            sdnotify.watchdog()

    def _refresh(self, seed=False):
        """Re-read what other processes and the passing time may change."""
        self._last_refresh = self.mono()
        try:
            self.availability = self.service.availability()
            dc = self.service.day_clock()
            self.clock_problem = dc.problem
            if dc.day != self._calls_day:
                # A new business day: yesterday's numbers leave the screen.
                self._calls_day = dc.day
                self.calls.clear()
                self.highlight = None
                self._dirty = True
            for call in self.service.recent_calls(limit=50)[::-1]:  # oldest first: newest wins
                known = self.calls.get(call.counter_number)
                if known is None or call.at > known.at + 1e-6:
                    # A call made elsewhere (the command line) is announced here: the kiosk has the speaker.
                    self._show_call(call, announce=not seed)
            if seed:
                self.highlight = None
        except StoreError as e:
            if self.store_fault is None:
                log.error("storage problem: %s", e)
            self.store_fault = str(e)
        else:
            if self.store_fault is not None:
                log.info("storage works again")
            self.store_fault = None
        self._update_lights()
        self._dirty = True

    def _update_lights(self):
        if self._board is None:
            return
        usable = False if self.fault() is not None else self.printer_health.usable
        can = {code: a.can_issue for code, a in self.availability.items()}
        printing = {code for code, _, _ in self.printing.values()}
        try:
            self._board.set_service_lights(service_lights(can, printing, usable))
            self._board.set_status_light(status_light(usable, attention=self.fault() is not None))
        except KioskError as e:
            log.warning("lights: %s", e)

    # ------------------------------------------------------------------ view
    def fault(self):
        """Why the kiosk cannot issue tickets now, or None."""
        if self.store_fault is not None:
            return Fault("DB", self.store_fault)
        h = self.printer_health
        if h.online is False:
            return Fault("PRN-OFF", h.detail)
        if h.paper == "out":
            return Fault("PRN-PAPER", h.detail)
        if h.cover_open:
            return Fault("PRN-COVER", h.detail)
        if self.print_fault is not None:
            return Fault(self.print_fault[0])
        # Only a clock the core refuses to issue with is out of order; a clock
        # that is merely unsynced or behind keeps numbering (business_day).
        if self.clock_problem == business_day.CLOCK_INVALID:
            return Fault("CLK", "the clock is not set")
        if self.error_until:
            return Fault("ERR")
        return None

    def view(self):
        """The View of this moment, for the renderer."""
        lang = self.language
        fault = self.fault()
        services = []
        for s in self.cfg.services:
            a = self.availability.get(s.code)
            if a is None:
                services.append(ServiceView(s.code, s.prefix, s.display_name(lang), 0, False, "", False))
                continue
            services.append(ServiceView(s.code, s.prefix, s.display_name(lang), a.waiting,
                                        a.can_issue and fault is None, a.message, a.priority_ok))
        calls = tuple(self.calls.get(c.number) or CallView(c.number, self.cfg.counter_name(c))
                      for c in self.cfg.counters)
        local = business_day.local_time(self.clock(), self.cfg.device.timezone)
        return View(language=lang, institution=self.cfg.device.institution, address=self.cfg.device.address,
                    now=local, services=tuple(services), calls=calls,
                    newest_counter=self.highlight[0] if self.highlight else None,
                    ticket=self.ticket_view, fault=fault, help_text=self.help_text(), logo=self.cfg.display.logo)

    def help_text(self):
        if not self.demo:
            return ""
        from kiosk.shell.sim_script import KEYMAP, key_action

        services, counters, skips = [], [], []
        for key, (kind, _) in KEYMAP.items():
            action = key_action(self.cfg, key)
            if action is None:
                continue
            {"service": services, "counter": counters, "skip": skips}[kind].append(key)
        lang = self.language
        prefixes = [self.cfg.services[KEYMAP[k][1] - 1].prefix for k in services]
        parts = []
        if services:
            parts.append(f"{services[0]}-{services[-1]}: {screen_text('help_take', lang)} "
                         f"{prefixes[0]}-{prefixes[-1]}")
        if counters:
            parts.append("/".join(k.upper() for k in counters) + ": " + screen_text("help_call", lang))
        if skips:
            parts.append("/".join(k.upper() for k in skips) + ": " + screen_text("help_skip", lang))
        parts.append("Esc: " + screen_text("help_quit", lang))
        return "Demo - " + " \u00b7 ".join(parts)

    def draw(self):
        """Redraw when something changed (or the second ticked)."""
        if not self._dirty:
            return
        self._dirty = False
        started = time.perf_counter()
        try:
            view = self.view()
            self.screen_name = self.renderer.render(self.surface, view)
        except Exception:
            log.exception("drawing the screen failed")
            self.error_until = self.mono() + ERROR_SECONDS
            view = None
            try:
                fallback = View(language=self.language, institution=self.cfg.device.institution,
                                fault=self.fault() or Fault("ERR"))
                self.screen_name = self.renderer.render(self.surface, fallback)
            except Exception:
                self.renderer.render_emergency(self.surface, self.language)
                self.screen_name = "emergency"
        self.pg.display.flip()
        self._report_fault()
        self.last_draw_seconds = time.perf_counter() - started
        self.frames += 1
        if self.frames == 1:
            self.first_frame_at = time.perf_counter()
            sdnotify.ready("showing the home screen")
            self._start_script()  # presses start once the first screen is up, as a visitor's would
        if self.screenshot_dir is not None:
            self._screenshot(view)

    def _screenshot(self, view):
        t = view.ticket if view else None
        key = (self.screen_name, t.phase if t else None, t.label if t else None,
               view.newest_counter if view else None, view.fault.code if view and view.fault else None)
        if key == self._last_shot_key:
            return
        self._last_shot_key = key
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        detail = "-".join(str(k) for k in key[1:] if k)
        name = f"{len(self.screenshots) + 1:03d}-{self.screen_name}{'-' + detail if detail else ''}.png"
        path = self.screenshot_dir / name
        self.pg.image.save(self.surface, str(path))
        self.screenshots.append(path)

    def sync_snapshot(self):
        """What the heartbeat adds (docs/SYNC_PROTOCOL.md). Called from the sync
        thread, so it reads attributes the main loop replaces whole, never the store."""
        h = self.printer_health
        try:
            fault = self.fault()
        except Exception:  # a half-updated attribute: report what is certain
            fault = None
        newest = max(list(self.calls.values()), key=lambda c: c.at or 0, default=None)
        return {"printer": {"online": h.online, "paper": h.paper, "cover_open": h.cover_open, "detail": h.detail},
                "last_ticket": self.last_ticket_label, "last_call": newest.label if newest else None,
                "fault": fault.code if fault else None, "clock_problem": self.clock_problem,
                "screen": self.screen_name}
