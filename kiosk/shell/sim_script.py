"""Simulated button presses for demos and scripted runs.

A line script (headless mode reads it from stdin) and the demo window's keys
both drive the *mock pins* of a ``drivers.buttons.ButtonBoard``, so a
simulated press goes through exactly the code a real button does: pin edge,
gpiozero callback, event on the queue, PressGuard, core.

Script lines::

    # a comment (also after a command)
    press A              a service by prefix or code (press kunjungan)
    press counter 1      counter 1's call button (short press: call next)
    hold counter 2       long press: call the current number again
    press skip 1         counter 1's skip (no-show) button
    release counter 2    let go of a button (after a hold that is still down)
    wait 1.5             pause, in seconds
    quit                 end the run (puts kiosk.core.events.Quit on the queue)

A bad line is reported with its line number and skipped; the run goes on.
This module imports no hardware library: it only calls the board's verbs.
"""
from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass, field

from kiosk.core.errors import KioskError
from kiosk.core.events import Quit

log = logging.getLogger(__name__)

VERBS = ("press", "hold", "release", "wait", "quit")
MAX_WAIT = 3600.0  # a longer wait is a typo (ms instead of s), not a plan

# Keys of the demo window -> (kind, position). Position counts in config order
# (the 1st service, the 2nd counter), so the map suits any configuration.
# Shift + a counter key holds it (call again). pygame key names.
KEYMAP = {
    **{str(n): ("service", n) for n in range(1, 10)},
    "q": ("counter", 1), "w": ("counter", 2), "e": ("counter", 3), "r": ("counter", 4), "t": ("counter", 5),
    "a": ("skip", 1), "s": ("skip", 2), "d": ("skip", 3), "f": ("skip", 4), "g": ("skip", 5),
}


class ScriptLineError(KioskError, ValueError):
    """A script line that cannot be understood."""


@dataclass
class ScriptResult:
    """What a script run did: presses performed, problems (with line numbers),
    whether it ended on ``quit`` or was stopped from outside."""

    actions: int = 0
    problems: list = field(default_factory=list)
    quit: bool = False
    stopped: bool = False


def parse_line(text):
    """``(verb, argument)`` for a script line, or None for a blank or comment line.

    The argument is the target text for press/hold/release, seconds (float)
    for wait, "" for quit. Raises ScriptLineError saying what is wrong.
    """
    line = text.split("#", 1)[0].strip()
    if not line:
        return None
    verb, _, arg = line.partition(" ")
    verb, arg = verb.lower(), " ".join(arg.split())
    if verb not in VERBS:
        raise ScriptLineError(f"unknown command {verb!r} (use {', '.join(VERBS)})")
    if verb == "quit":
        if arg:
            raise ScriptLineError("quit takes nothing after it")
        return verb, ""
    if verb == "wait":
        try:
            seconds = float(arg)
        except ValueError:
            raise ScriptLineError(f"wait needs seconds, like 'wait 1.5', not {arg!r}") from None
        if not math.isfinite(seconds) or seconds < 0 or seconds > MAX_WAIT:
            raise ScriptLineError(f"wait must be between 0 and {MAX_WAIT:g} seconds, not {arg}")
        return verb, seconds
    if not arg:
        raise ScriptLineError(f"{verb} needs a button, like '{verb} A', '{verb} counter 1' or '{verb} skip 1'")
    return verb, arg


def perform(board, verb, target):
    """Do one button action on ``board``: a short press, a whole long press
    (down, wait until the hold is recognised, up), or a release. Blocks for a
    hold (up to hold_time): the demo window runs it off the UI thread."""
    if verb == "press":
        board.press(target)
    elif verb == "hold":
        recognised = board.hold(target)
        board.release(target)
        if not recognised:
            raise ScriptLineError(f"the hold of {target!r} was not recognised in time")
    elif verb == "release":
        board.release(target)
    else:
        raise ValueError(f"not a button action: {verb!r}")


def run_script(lines, board, events=None, stop=None, report=None):
    """Run script ``lines`` (any iterable of str, e.g. ``sys.stdin``) against ``board``.

    ``events``: the app's queue, which gets ``Quit("script")`` on a quit line.
    ``stop``: a ``threading.Event`` that ends the run early (and cuts a wait short).
    ``report(message)``: called for each bad line (default: logged as a warning).
    Never raises for a bad line; returns a ScriptResult.
    """
    stop = stop or threading.Event()
    report = report or log.warning
    result = ScriptResult()
    for number, text in enumerate(lines, 1):
        if stop.is_set():
            result.stopped = True
            break
        try:
            parsed = parse_line(text)
            if parsed is None:
                continue
            verb, arg = parsed
            if verb == "quit":
                result.quit = True
                if events is not None:
                    events.put(Quit("script"))
                break
            if verb == "wait":
                if stop.wait(arg):
                    result.stopped = True
                    break
                continue
            perform(board, verb, arg)
            result.actions += 1
        except KioskError as e:  # bad line, unknown button, no mock pins: say so, go on
            message = f"line {number}: {e} (in: {text.strip()!r})"
            result.problems.append(message)
            report(message)
    return result


def key_action(cfg, key, shift=False):
    """What a key of the demo window does: ``(verb, target)`` for ``perform``,
    e.g. ("press", "A") or ("hold", "counter 2"), or None if the key is not
    mapped or that button is not configured with a pin."""
    key = str(key).lower().strip("[]")  # pygame names keypad keys "[1]"
    if key not in KEYMAP:
        return None
    kind, position = KEYMAP[key]
    if kind == "service":
        if position > len(cfg.services) or cfg.services[position - 1].button_pin is None:
            return None
        return "press", cfg.services[position - 1].prefix
    if position > len(cfg.counters):
        return None
    counter = cfg.counters[position - 1]
    if kind == "skip":
        return None if counter.skip_pin is None else ("press", f"skip {counter.number}")
    if counter.call_pin is None:
        return None
    return ("hold" if shift else "press"), f"counter {counter.number}"

