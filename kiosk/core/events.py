"""Events that drive the main loop.

Hardware callbacks, the touch screen, the keyboard, timers and worker threads
all turn what happened into one of these and put it on the app's
``queue.Queue``. Only the main loop acts on them; nothing here imports
hardware or pygame.
"""
from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class TakeTicket:
    """A visitor asked for a ticket (button, touch or key)."""

    service: str
    priority: bool = False
    source: str = "touch"  # touch | button | key | script


@dataclass(frozen=True)
class CounterAction:
    """Counter staff pressed their button. ``action``: call | recall | skip."""

    counter: int
    action: str = "call"
    source: str = "button"


@dataclass(frozen=True)
class PressIgnored:
    """A press that was swallowed by rate limiting (logged, not acted on)."""

    target: str  # "service:A" or "counter:2"
    why: str  # "printing" | "too_soon"
    source: str = "button"


@dataclass(frozen=True)
class PrintFinished:
    """The printer worker finished a job. ``error`` is None on success."""

    ticket_id: int
    error: Optional[str] = None
    code: Optional[str] = None


@dataclass(frozen=True)
class PrinterHealth:
    """The printer's state as last read.

    online: True, False or None (unknown: no answer or cannot read status).
    paper: "ok" | "near_end" | "out" | "unknown".
    """

    online: Optional[bool] = None
    paper: str = "unknown"
    cover_open: Optional[bool] = None
    detail: str = ""

    @property
    def usable(self):
        """False only when we know printing will fail."""
        return self.online is not False and self.paper != "out" and not self.cover_open


@dataclass(frozen=True)
class PrinterHealthChanged:
    health: PrinterHealth


@dataclass(frozen=True)
class SyncStatusChanged:
    """The sync worker's view: backlog size and last success (epoch seconds)."""

    backlog: int
    last_success: Optional[float] = None
    error: Optional[str] = None


@dataclass(frozen=True)
class Quit:
    """End the app cleanly (admin combination, SIGTERM, end of a script)."""

    reason: str = ""


@dataclass(frozen=True)
class Tick:
    """Sent once a second for the clock and timed screen changes."""

    now: float = field(default=0.0)
