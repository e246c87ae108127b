"""The business day (hari layanan) and the clock guard. Pure: no I/O.

Ticket numbers restart each business day. A Raspberry Pi has no battery clock,
so after a power cut it may boot with a stale time until NTP syncs. The rule:
the day never moves backwards and recorded times never go backwards either.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

# A clock before this is surely wrong (a Pi that never synced boots near 1970
# or at the image build date); nothing the kiosk prints could be trusted.
EARLIEST_PLAUSIBLE = datetime(2025, 1, 1).timestamp()
# Clock jitter (NTP slews, two processes) below this is not a clock problem.
BACKWARDS_TOLERANCE = 5.0

CLOCK_OK, CLOCK_UNSYNCED, CLOCK_BEHIND, CLOCK_INVALID = None, "unsynced", "behind", "invalid"


@dataclass(frozen=True)
class DayClock:
    """Where we are in time, after the guard.

    ``now``: the time to record (never earlier than the last recorded event).
    ``day``: the business day as YYYY-MM-DD.
    ``problem``: None, "unsynced" (no NTP sync yet: the day is only kept, never
    started), "behind" (the clock reads earlier than the last event) or "invalid"
    (the clock is years off and there is no history to lean on).
    """

    now: float
    day: str
    problem: Optional[str] = None
    # Set when an NTP-synchronised clock overrules a log that ran ahead of it:
    # the (wrong, later) business day being left. The caller records the
    # correction (a ``clock_corrected`` event), after which the log agrees.
    corrected_from: Optional[str] = None


def day_of(now, timezone, day_start_minutes):
    """The business day that contains UTC epoch ``now``.

    Before ``day_start_minutes`` after local midnight it is still the previous
    day, so late work after midnight keeps its numbering.
    """
    local = datetime.fromtimestamp(now, ZoneInfo(timezone))
    return (local - timedelta(minutes=day_start_minutes)).date().isoformat()


def local_time(now, timezone):
    """UTC epoch -> aware local datetime."""
    return datetime.fromtimestamp(now, ZoneInfo(timezone))


def resolve(now, timezone, day_start_minutes, last_day=None, last_time=None, synced=None):
    """Apply the clock guard.

    ``last_day``/``last_time``: business day and time of the last recorded
    event (None on a new device). ``synced``: True/False when the system
    tells whether NTP has synced, None when unknown.

    A synchronised clock that reads an earlier business day than the log wins
    (the log was written under a wrong clock, e.g. a mistyped year): a new
    business day starts, with ``corrected_from`` naming the day left behind.
    Any other clock behind the log keeps the log's day (protective).
    """
    if last_time is not None and last_time < EARLIEST_PLAUSIBLE:
        # History recorded while the clock was unset (a clock_problem event
        # from 1970) is nothing to lean on: judge the clock as on a new device.
        last_day = last_time = None
    if (synced is True and last_day is not None and now >= EARLIEST_PLAUSIBLE
            and day_of(now, timezone, day_start_minutes) < last_day):
        return DayClock(now=now, day=day_of(now, timezone, day_start_minutes), problem=CLOCK_OK,
                        corrected_from=last_day)
    if last_time is not None and now < last_time - BACKWARDS_TOLERANCE:
        # Keep the last day and keep time monotonic for the log and statistics.
        return DayClock(now=last_time, day=last_day, problem=CLOCK_BEHIND)
    if last_time is not None and now < last_time:
        now = last_time
    if now < EARLIEST_PLAUSIBLE:
        if last_day is not None:
            return DayClock(now=max(now, last_time or now), day=last_day, problem=CLOCK_BEHIND)
        return DayClock(now=now, day=day_of(now, timezone, day_start_minutes), problem=CLOCK_INVALID)
    day = day_of(now, timezone, day_start_minutes)
    if last_day is not None and day < last_day:
        return DayClock(now=now, day=last_day, problem=CLOCK_BEHIND)
    # An unsynced clock can only be stale (restored from the last shutdown), so
    # it may still read yesterday: a later day than the last one is certainly real.
    problem = CLOCK_UNSYNCED if synced is False else CLOCK_OK
    return DayClock(now=now, day=day, problem=problem)
