"""Whether the system clock has been synchronised since boot.

A Raspberry Pi has no battery clock: after a power cut it boots with the time
fake-hwclock saved at shutdown, which may be hours or days old, until NTP
answers. The business-day rule (kiosk.core.business_day) must not start a new day
from such a clock, and ``status`` shows this state to technicians.

systemd-timesyncd creates /run/systemd/timesync/synchronized once it has
synchronised; its directory /run/systemd/timesync exists while timesyncd runs.
"""
import ctypes
import ctypes.util
import functools
from pathlib import Path
from typing import Callable, Optional

TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")
TIME_ERROR = 5  # adjtimex() result: the clock is not synchronised
STA_UNSYNC = 0x0040


class _Timex(ctypes.Structure):
    # struct timex of <sys/timex.h> (Linux, LP64 and ILP32 alike: longs are C longs)
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long), ("status", ctypes.c_int),
                ("constant", ctypes.c_long), ("precision", ctypes.c_long), ("tolerance", ctypes.c_long),
                ("time_sec", ctypes.c_long), ("time_usec", ctypes.c_long), ("tick", ctypes.c_long),
                ("ppsfreq", ctypes.c_long), ("jitter", ctypes.c_long), ("shift", ctypes.c_int),
                ("stabil", ctypes.c_long), ("jitcnt", ctypes.c_long), ("calcnt", ctypes.c_long),
                ("errcnt", ctypes.c_long), ("stbcnt", ctypes.c_long), ("tai", ctypes.c_int),
                ("padding", ctypes.c_char * 64)]


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL:
    # Looked up once: find_library runs ldconfig (or a compiler) in a child
    # process, and the clock is asked on every ticket (it cost ~3 ms a press).
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def kernel_synchronized() -> Optional[bool]:
    """The kernel's own view (adjtimex, read only): True when an NTP client
    (timesyncd, chrony, ntpd) keeps the clock disciplined, False when it says
    unsynchronised, None when it cannot be asked (not Linux)."""
    try:
        libc = _libc()
        timex = _Timex()  # modes = 0: only read
        state = libc.adjtimex(ctypes.byref(timex))
    except (OSError, AttributeError):
        return None
    if state < 0:
        return None
    return state != TIME_ERROR and not timex.status & STA_UNSYNC


def clock_synchronized(path=TIMESYNC_FLAG, kernel: Callable[[], Optional[bool]] = kernel_synchronized
                       ) -> Optional[bool]:
    """True once NTP has synchronised the clock (timesyncd's flag file, or the
    kernel's adjtimex state), False while timesyncd runs without having
    synchronised, None when this system gives no way to tell (for example a
    laptop or container without an NTP client: the kernel then reports
    "unsynchronised" whatever the clock reads, so that alone proves nothing)."""
    path = Path(path)
    try:
        if path.exists():
            return True
    except OSError:  # an unreadable /run: ask the kernel
        pass
    if kernel() is True:
        return True
    try:
        if path.parent.is_dir():
            return False
    except OSError:
        return None
    return None


def correct_clock(store, dc, resolve_again):
    """Record that a synchronised clock overruled a log that ran ahead of it
    (``dc.corrected_from`` set by kiosk.core.business_day.resolve).

    Inside one write transaction the log is read again, so two processes do
    not both record the same correction; ``resolve_again((last_day,
    last_time))`` gives the DayClock for it. The ``clock_corrected`` event is
    then the newest in the log, so later readings agree with the clock; the
    wrong day's tickets stay where they are, in that day's report."""
    with store.transaction():
        last = store.last_event()
        again = resolve_again(last)
        if again.corrected_from is None:
            return again
        store.log("clock_corrected", again.now, day=again.day, from_day=again.corrected_from,
                  from_time=last[1], to_day=again.day)
    return again


def accept_clock(store, now, day, previous):
    """A technician accepts the clock as it reads now (``ptsp-kiosk clock
    accept``, for a kiosk without network time): the event becomes the newest
    in the log, so the business day follows the clock from here on.
    ``previous``: (day, time) of the log before."""
    store.log("clock_accepted", now, day=day, from_day=previous[0], from_time=previous[1])


def describe(synced: Optional[bool]) -> str:
    """A short English line for technicians (``status``, the heartbeat)."""
    if synced is True:
        return "synchronised (NTP)"
    if synced is False:
        return "NOT synchronised yet: no new business day is started from this clock"
    return "unknown (systemd-timesyncd not running)"
