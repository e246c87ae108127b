"""What the screen shows, as plain data (no pygame here).

The app builds a ``View`` from the core's state after every change; screens
only draw a View. Tests build Views by hand to render any situation.
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional


@dataclass(frozen=True)
class ServiceView:
    """One service button."""

    code: str
    prefix: str
    name: str
    waiting: int = 0
    can_issue: bool = True
    reason: str = ""  # shown instead of the waiting count when disabled ("Tutup, buka 13.00")
    priority_ok: bool = True


@dataclass(frozen=True)
class CallView:
    """The latest call of one counter (``label`` empty: nothing called yet today)."""

    counter_number: int
    counter_name: str
    label: str = ""
    service_name: str = ""
    priority: bool = False
    at: float = 0.0


@dataclass(frozen=True)
class TicketView:
    """The ticket screen. phase: printing | done | failed | refused."""

    phase: str
    label: str = ""
    service_name: str = ""
    priority: bool = False
    lines: tuple = ()  # ahead / wait / instruction, already in the screen language
    code: str = ""  # technician code of a failure
    message: str = ""  # refusal reason
    preview_png: str = ""  # demo: the rendered ticket


@dataclass(frozen=True)
class Fault:
    """Why the kiosk is out of order: a technician code (PRN-PAPER, CLK, DB, ERR...)."""

    code: str
    detail: str = ""


@dataclass(frozen=True)
class View:
    language: str = "id"
    institution: str = ""
    address: str = ""
    now: datetime = field(default_factory=datetime.now)  # local time of the kiosk
    services: tuple = ()  # ServiceView
    calls: tuple = ()  # CallView, one per counter, in counter order
    newest_counter: Optional[int] = None  # counter whose call is highlighted now
    ticket: Optional[TicketView] = None
    fault: Optional[Fault] = None
    help_text: str = ""  # demo: keyboard help line
    logo: str = ""  # path of a logo image, "" for none
    survey: Optional[Any] = None  # kiosk.machine.survey_flow.SurveyView while a visitor answers the survey
    survey_offered: bool = False  # the home screen shows the "Survei Kepuasan" button


DISMISS = "dismiss"  # the action of a tap on a message screen


def has_side_panel(size):
    """Whether the now-serving panel fits beside the home screen (split screen).

    See kiosk/screen/screens.py for why small panels alternate instead.
    """
    w, h = size
    return (w >= h and w >= 1200) or (h > w and h >= 1000 and w >= 700)


def choose_screen(view, size):
    """Name of the screen to show for ``view`` on a surface of ``size``.

    The ticket screen wins (a visitor is waiting for their ticket, even when
    it failed); then the survey a visitor is answering (a call or a fault
    must not take it away mid-answer); then a fresh call takes the screen
    where there is no side panel; then out of order; else home.
    """
    if view.ticket is not None:
        return "ticket"
    if view.survey is not None:
        return "survey"
    if view.newest_counter is not None and not has_side_panel(size):
        return "serving"
    if view.fault is not None:
        return "out_of_order"
    return "home"
