"""``ptsp-kiosk clock``: the clock and the business day, for technicians.

    ptsp-kiosk clock            what the clock reads, what the log says, what to do
    ptsp-kiosk clock accept     take the clock as right (a kiosk without network time)

The kiosk never lets the business day go backwards on an unsynchronised
clock (a Pi without a battery clock may boot with a stale time). When NTP
has synchronised the clock, a log that ran ahead of it (a mistyped year) is
corrected by itself. Without network time, a technician who has set the
clock checks it here and accepts it: a new business day starts from it.
"""
import json
import sys

from kiosk.core import business_day
from kiosk.core.business_day import CLOCK_BEHIND, CLOCK_INVALID, EARLIEST_PLAUSIBLE, local_time
from kiosk.services import clock_state

ACCEPT_COMMAND = "ptsp-kiosk clock accept"


def register(sub, common):
    p = sub.add_parser("clock", parents=[common],
                       help="show the clock and the business day; 'accept' takes the clock as right")
    p.add_argument("action", nargs="?", choices=("show", "accept"), default="show")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=clock_command)


def clock_state_report(cfg, store, queue):
    """What ``status`` and ``clock`` show about time: a dict (JSON-ready)."""
    reading = queue.clock()
    synced = queue.clock_synced()
    last_day, last_time = store.last_event()
    dc = queue.day_clock()
    tz = cfg.device.timezone
    advice = ""
    if dc.problem == CLOCK_BEHIND:
        advice = (f"the clock reads earlier than the log (last event {_when(last_time, tz)}); the kiosk keeps "
                  f"business day {dc.day}. If the clock is right, run: {ACCEPT_COMMAND}")
    elif dc.problem == CLOCK_INVALID:
        advice = "the clock is not set: set it (sudo timedatectl set-time 'YYYY-MM-DD HH:MM'), then check again"
    elif synced is not True:
        advice = f"no network time: if the clock reads wrong, set it, then run: {ACCEPT_COMMAND}"
    return {
        "clock": _when(reading, tz),
        "clock_epoch": reading,
        "synchronized": synced,
        "synchronized_text": clock_state.describe(synced),
        "business_day": dc.day,
        "problem": dc.problem,
        "log_last_day": last_day,
        "log_last_time": _when(last_time, tz) if last_time else None,
        "advice": advice,
        "command": ACCEPT_COMMAND if dc.problem == CLOCK_BEHIND else "",
    }


def _when(epoch, tz):
    if epoch is None:
        return "-"
    try:
        return local_time(epoch, tz).strftime("%Y-%m-%d %H:%M:%S %Z")
    except (OverflowError, OSError, ValueError):
        return f"{epoch!r} (not a time)"


def clock_command(args):
    from kiosk.cli.core import open_queue

    cfg, store, queue = open_queue(args)
    if args.action == "accept":
        return _accept(cfg, store, queue)
    report = clock_state_report(cfg, store, queue)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
        return 0
    print(f"clock          {report['clock']}")
    print(f"network time   {report['synchronized_text']}")
    print(f"business day   {report['business_day']}" + (f"  CLOCK PROBLEM: {report['problem']}"
                                                        if report["problem"] else ""))
    print(f"log ends       {report['log_last_day'] or '-'} at {report['log_last_time'] or '-'}")
    if report["advice"]:
        print(f"advice         {report['advice']}")
    return 0


def _accept(cfg, store, queue):
    reading = queue.clock()
    tz = cfg.device.timezone
    if reading < EARLIEST_PLAUSIBLE:
        print(f"refused: the clock reads {_when(reading, tz)}, which cannot be right. Set it first "
              "(sudo timedatectl set-time 'YYYY-MM-DD HH:MM'), then accept it.", file=sys.stderr)
        return 1
    previous = store.last_event()
    day = business_day.day_of(reading, tz, queue.day_start)
    before = queue.day_clock()
    if before.problem not in (CLOCK_BEHIND, CLOCK_INVALID) and before.day == day:
        print(f"nothing to do: the clock ({_when(reading, tz)}) agrees with the log, business day {day}")
        return 0
    clock_state.accept_clock(store, reading, day, previous)
    after = queue.day_clock()
    print(f"accepted: the clock reads {_when(reading, tz)}; business day {after.day} "
          f"(the log was at {previous[0] or '-'}). Numbering follows this day from now on; "
          f"tickets of {previous[0] or '-'} stay in that day's report.")
    return 0
