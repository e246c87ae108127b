"""Why the kiosk is out of order: one policy, used by the screen, the lights,
systemd's status line and the heartbeat alike (pure)."""
from __future__ import annotations

from typing import Optional

from kiosk.core import business_day
from kiosk.core.events import PrinterHealth
from kiosk.machine.view import Fault


def current_fault(*, storage: Optional[Fault], health: PrinterHealth, print_fault: Optional[str],
                  clock_problem: Optional[str], unexpected_error: bool,
                  config: Optional[Fault] = None) -> Optional[Fault]:
    """The fault to show, most actionable first, or None when the kiosk can serve.

    Storage comes first (nothing can be issued without it), then a config
    file on the boot partition that provisioning refused, then what the
    printer says about itself, then a failed print, then a clock the core
    refuses to number with. A clock that is merely unsynchronised or behind
    keeps numbering (see ``business_day``) and is no fault.
    """
    if storage is not None:
        return storage
    if config is not None:  # the boot partition's config was refused (CFG-BOOT)
        return config
    if health.online is False:
        return Fault("PRN-OFF", health.detail)
    if health.paper == "out":
        return Fault("PRN-PAPER", health.detail)
    if health.cover_open:
        return Fault("PRN-COVER", health.detail)
    if print_fault is not None:
        return Fault(print_fault)
    if clock_problem == business_day.CLOCK_INVALID:
        return Fault("CLK", "the clock is not set")
    if unexpected_error:
        return Fault("ERR")
    return None
