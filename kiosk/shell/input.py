"""Input of the app shell: pygame events, demo keys and admin keys become
kiosk events (``kiosk.core.events``); nothing here changes state.

Touch, mouse, keys and GPIO become the same events early, so the machine
never knows where a press came from except by its ``source`` word.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Optional

from kiosk.core.errors import KioskError
from kiosk.core.events import CounterAction, Dismiss, Quit, TakeTicket
from kiosk.machine.view import DISMISS
from kiosk.shell.sim_script import KEYMAP, key_action, perform

log = logging.getLogger(__name__)

_MOD_ALIASES = {"control": "ctrl", "strg": "ctrl", "option": "alt", "super": "meta", "win": "meta"}


def parse_admin_keys(text: str) -> Optional[tuple]:
    """'ctrl+alt+q' -> ({'ctrl', 'alt'}, 'q'); the last part is the key name."""
    parts = [p.strip().lower() for p in text.split("+") if p.strip()]
    if not parts:
        return None
    return {_MOD_ALIASES.get(p, p) for p in parts[:-1]}, parts[-1]


def is_admin_combination(admin: Optional[tuple], name: str, mods: set) -> bool:
    """Whether a key press is exactly the admin combination: the same key
    with exactly the same modifiers (a plain 'q' from a visitor is not)."""
    return admin is not None and name == admin[1] and mods == admin[0]


def help_line(cfg, language: str) -> str:
    """The demo's keyboard help: which keys take tickets, call and skip."""
    from kiosk.core.screen_texts import text

    services: list = []
    counters: list = []
    skips: list = []
    for key, (kind, _) in KEYMAP.items():
        if key_action(cfg, key) is None:
            continue
        {"service": services, "counter": counters, "skip": skips}[kind].append(key)
    prefixes = [cfg.services[KEYMAP[k][1] - 1].prefix for k in services]
    parts = []
    if services:
        parts.append(f"{services[0]}-{services[-1]}: {text('help_take', language)} {prefixes[0]}-{prefixes[-1]}")
    if counters:
        parts.append("/".join(k.upper() for k in counters) + ": " + text("help_call", language))
    if skips:
        parts.append("/".join(k.upper() for k in skips) + ": " + text("help_skip", language))
    parts.append("Esc: " + text("help_quit", language))
    return "Demo - " + " \u00b7 ".join(parts)


class DemoKeys:
    """Demo keys go through the mock pins, like a real button, on a thread of
    their own (a hold waits for the hold time). Without buttons they become
    the events a button would give, directly."""

    def __init__(self, cfg, board, events):
        self.cfg = cfg
        self.board = board
        self.events = events
        self._jobs: Optional[queue.Queue] = None
        if board is not None:
            self._jobs = queue.Queue()
            threading.Thread(target=self._run, name="demo-keys", daemon=True).start()

    def press(self, name: str, shift: bool) -> None:
        """A key of the demo window."""
        action = key_action(self.cfg, name, shift=shift)
        if action is None:
            return
        if self._jobs is not None:
            self._jobs.put(action)
        else:
            self.events.put(self.direct_event(*action))

    def direct_event(self, verb: str, target: str):
        """Without a button board, a demo key becomes the same event a button would give."""
        if target.startswith("counter "):
            return CounterAction(int(target.split()[1]), "recall" if verb == "hold" else "call", "key")
        if target.startswith("skip "):
            return CounterAction(int(target.split()[1]), "skip", "key")
        return TakeTicket(self.cfg.service(target).code, False, "key")

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.put(None)

    def _run(self) -> None:
        assert self._jobs is not None
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                perform(self.board, *job)
            except KioskError as e:
                log.warning("demo key: %s", e)


class PygameInput:
    """Turns pygame events into kiosk events put on ``events``."""

    def __init__(self, pg, renderer, events, *, admin_keys: str, demo: bool, closable: bool,
                 demo_keys: Optional[DemoKeys]):
        self.pg = pg
        self.renderer = renderer
        self.events = events
        self.admin = parse_admin_keys(admin_keys)
        self.demo = demo
        self.closable = closable
        self.demo_keys = demo_keys

    def handle(self, e, surface) -> bool:
        """One pygame event; returns True when the screen must be redrawn
        (a resize or an expose) without any kiosk event."""
        pg = self.pg
        if e.type == pg.QUIT:
            # The window's close button in the demo; in production SIGTERM comes
            # through the signal handler, and a visitor has no way to close it.
            if self.closable:
                self.events.put(Quit("window closed"))
        elif e.type == pg.FINGERDOWN:
            w, h = surface.get_size()
            self.tap((int(e.x * w), int(e.y * h)), "touch")
        elif e.type == pg.MOUSEBUTTONDOWN:
            # SDL repeats every touch as a mouse click marked touch=True: one tap, one action.
            if e.button == 1 and not getattr(e, "touch", False):
                self.tap(e.pos, "mouse")
        elif e.type == pg.KEYDOWN:
            if not self.survey_key(e):
                self.key(pg.key.name(e.key).lower(), self.modifiers(e.mod))
        elif e.type in (pg.VIDEORESIZE, pg.WINDOWSIZECHANGED, pg.VIDEOEXPOSE, pg.WINDOWEXPOSED):
            return True
        return False

    def survey_key(self, e) -> bool:
        """Keys typed into the survey (a USB barcode scanner is a keyboard, issue
        13): taken while the survey screen is shown, and outside the demo on the
        home screen when it offers the survey, where a scan opens the survey.
        Returns True when the key was taken."""
        screen = getattr(self.renderer, "screen", None)
        name = getattr(screen, "name", "")
        at_home = (name == "home" and not self.demo and screen is not None
                   and any(b.name == "survey" for b in screen.buttons))
        if name != "survey" and not at_home:
            return False
        if is_admin_combination(self.admin, self.pg.key.name(e.key).lower(), self.modifiers(e.mod)):
            return False
        from kiosk.shell.screen.survey_keys import survey_input_from_key

        survey_input = survey_input_from_key(e)
        if survey_input is None or (at_home and survey_input.action != "char"):
            return name == "survey"  # the survey screen swallows other keys
        self.events.put(survey_input)
        return True

    def modifiers(self, mod: int) -> set:
        pg = self.pg
        names = {"ctrl": pg.KMOD_CTRL, "alt": pg.KMOD_ALT, "shift": pg.KMOD_SHIFT,
                 "meta": pg.KMOD_META | pg.KMOD_GUI}
        return {name for name, mask in names.items() if mod & mask}

    def tap(self, pos, source: str) -> None:
        """A touch or click: whatever the screen drawn last says it means."""
        action = self.renderer.hit(pos)
        if action is None:
            return
        if action == DISMISS:
            self.events.put(Dismiss())
        elif isinstance(action, TakeTicket):
            self.events.put(TakeTicket(action.service, action.priority, source))
        else:  # screens that answer with a ready event (the survey, for one)
            self.events.put(action)

    def key(self, name: str, mods: set) -> None:
        if is_admin_combination(self.admin, name, mods):
            self.events.put(Quit("admin keys"))
            return
        if not self.demo:
            return  # production: no keyboard for visitors
        if name == "escape":
            self.events.put(Quit("escape (demo)"))
        elif self.demo_keys is not None:
            self.demo_keys.press(name, "shift" in mods)
