"""Keys (a keyboard, or a USB barcode scanner acting as one) as survey inputs.

Most barcode scanners are USB keyboards: a scan arrives as one KEYDOWN per
character, then Return. pygame already applies the keyboard layout and Shift
(``event.unicode``), so a scanned ``PTSP1:20250602:A-012`` arrives as exactly
these characters. The survey flow collects them and reads the code on Enter.
"""
from __future__ import annotations

from typing import Optional

import pygame

from kiosk.core.events import SurveyInput

_ENTER = (pygame.K_RETURN, pygame.K_KP_ENTER)


def survey_input_from_key(event) -> Optional[SurveyInput]:
    """The SurveyInput of a pygame KEYDOWN event, or None for keys the survey ignores."""
    if event.type != pygame.KEYDOWN:
        return None
    if event.key in _ENTER:
        return SurveyInput("enter", "", "key")
    if event.key == pygame.K_BACKSPACE:
        return SurveyInput("backspace", "", "key")
    if event.key == pygame.K_ESCAPE:
        return SurveyInput("cancel", "", "key")
    ch = getattr(event, "unicode", "")
    if len(ch) == 1 and ch.isprintable():
        return SurveyInput("char", ch, "key")
    return None
