"""The small interfaces (ports) the kiosk needs from hardware.

Drivers (``drivers/``) implement these and depend only on the core: these
ports, ``kiosk.core.errors`` and ``kiosk.core.events``. The app shell is the
only place that picks an implementation; tests and the demo use the fakes.
Each method raises a ``kiosk.core.errors.KioskError`` subclass on failure,
never a library's own exception.
"""
from __future__ import annotations

from typing import Mapping, Protocol

from kiosk.core.events import PrinterHealth
from kiosk.core.tickets import TicketContent

# Light modes shared by the light policy (machine) and the button driver.
ON = "on"
OFF = "off"
BLINK = "blink"
MODES = (ON, OFF, BLINK)


class TicketPrinterPort(Protocol):
    """A thermal ticket printer (drivers.printer.TicketPrinter)."""

    def print_ticket(self, content: TicketContent) -> float:
        """Print one ticket; returns the paper used in mm. Raises PrinterError."""
        ...

    def status(self) -> PrinterHealth:
        """The printer's health; "no answer" is unknown (None), never ok."""
        ...

    def close(self) -> None:
        """Release the device; safe to call twice."""
        ...

    def warm_next(self, content: TicketContent) -> None:
        """Lay out, without printing, the ticket likely to follow ``content``
        (number + 1), so its images are cached; never raises."""
        ...


class AnnouncerPort(Protocol):
    """Chime and speech (drivers.sound). ``announce`` returns at once: the
    sound is made off the caller's thread, calls in the order given."""

    def announce(self, text: str, language: str = "id") -> None: ...

    def close(self) -> None: ...


class ButtonBoardPort(Protocol):
    """The buttons and their lights (drivers.buttons.ButtonBoard). Presses
    become events on the queue given to the board; these are its outputs."""

    def set_service_lights(self, modes: Mapping[str, str]) -> None: ...

    def set_status_light(self, mode: str) -> None: ...

    def beep(self, seconds: float = 0.1, times: int = 1) -> None: ...

    def close(self) -> None: ...
