"""One print job's deadline and start hook (issue 10, the ticket-in-hand rule).

Shared by the print worker (kiosk.services.printing), which makes it, and the
printer drivers (drivers/printer), which call ``start()`` right before the
first byte of the job goes out and stop writing at ``deadline``. Pure: the
clock is injected (``time.monotonic`` by default).
"""
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from kiosk.core.errors import PrinterTimeout


@dataclass
class PrintJob:
    """One print job's deadline (``time.monotonic()`` seconds, None: none) and
    start hook. ``started`` and ``written`` tell the worker afterwards whether
    any byte can have reached the printer."""

    deadline: Optional[float] = None
    on_start: Optional[Callable[[], None]] = None
    clock: Callable[[], float] = field(default=time.monotonic)
    started: bool = False
    written: int = 0

    def left(self) -> float:
        """Seconds until the deadline (may be negative); a large number without one."""
        return 1e9 if self.deadline is None else self.deadline - self.clock()

    def check(self, what: str = "printing") -> None:
        """PrinterTimeout once the deadline has passed."""
        if self.left() <= 0:
            raise PrinterTimeout(f"{what}: the job's deadline passed "
                                 f"({'after' if self.started else 'before'} its first byte)")

    def start(self) -> None:
        """Call right before the first byte goes out: checks the deadline and runs
        ``on_start`` once. An exception from it means: send nothing."""
        if self.started:
            return
        self.check("before the first byte")
        if self.on_start is not None:
            self.on_start()
        self.started = True

