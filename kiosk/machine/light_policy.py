"""What the lights in the buttons say to visitors (pure; no hardware import).

A service button's light is the visitor's first hint: lit means "press me",
blinking means "your ticket is coming", dark means "not now" (closed, quota
used up, or the printer cannot print). The main loop computes the modes here
and hands them to ``drivers.buttons.ButtonBoard``.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional

from kiosk.core.ports import BLINK, MODES, OFF, ON  # noqa: F401  (re-exported)


def service_light(can_issue: bool, printing: bool, printer_usable: Optional[bool]) -> str:
    """Mode of one service button's light.

    ``can_issue``: the service is open now and has quota left.
    ``printing``: a ticket of this service is printing.
    ``printer_usable``: False only when printing is known to fail
    (``PrinterHealth.usable``); None (unknown) counts as usable, as a printer
    that cannot report status may still print.
    """
    if printer_usable is False:
        # A press would only lead to an error screen: keep the light dark.
        return OFF
    if printing:
        # Even when that ticket used up the quota: the visitor must see it coming.
        return BLINK
    return ON if can_issue else OFF


def service_lights(can_issue: Mapping[str, bool], printing: Iterable[str],
                   printer_usable: Optional[bool]) -> dict:
    """Modes for every service: ``can_issue`` maps service code -> bool,
    ``printing`` holds the codes with a ticket printing."""
    printing = set(printing)
    return {code: service_light(ok, code in printing, printer_usable) for code, ok in can_issue.items()}


def status_light(printer_usable: Optional[bool], attention: bool = False) -> str:
    """Mode of the kiosk's status light: on when ready, blinking when a
    technician is needed (printer out, paper near its end, clock or storage
    trouble: the caller sets ``attention``). Off only while the app is not running."""
    if printer_usable is False or attention:
        return BLINK
    return ON
