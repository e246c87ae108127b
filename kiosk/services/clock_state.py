"""Whether the system clock has been synchronised since boot.

A Raspberry Pi has no battery clock: after a power cut it boots with the time
fake-hwclock saved at shutdown, which may be hours or days old, until NTP
answers. The business-day rule (kiosk.core.business_day) must not start a new day
from such a clock, and ``status`` shows this state to technicians.

systemd-timesyncd creates /run/systemd/timesync/synchronized once it has
synchronised; its directory /run/systemd/timesync exists while timesyncd runs.
"""
from pathlib import Path
from typing import Optional

TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")


def clock_synchronized(path=TIMESYNC_FLAG) -> Optional[bool]:
    """True once NTP has synchronised the clock, False before that, None when
    this system does not run systemd-timesyncd (no way to tell: for example
    chrony, a laptop, a container)."""
    path = Path(path)
    try:
        if path.exists():
            return True
        if path.parent.is_dir():
            return False
    except OSError:  # an unreadable /run: we cannot tell
        return None
    return None


def describe(synced: Optional[bool]) -> str:
    """A short English line for technicians (``status``, the heartbeat)."""
    if synced is True:
        return "synchronised (NTP)"
    if synced is False:
        return "NOT synchronised yet: no new business day is started from this clock"
    return "unknown (systemd-timesyncd not running)"
