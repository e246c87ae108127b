"""What the dashboard pages show, read from the devices table and the daily
aggregates (so a page costs the period shown, not the size of the history)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Optional, Sequence

from kiosk.office import reports
from kiosk.office.db import Database
from kiosk.office.ingest import zone

SILENT_AFTER_S = 15 * 60      # a kiosk syncs every few seconds and heartbeats every minute
CLOCK_OFFSET_LIMIT_S = 120    # tickets' times are wrong beyond this
MAX_PERIOD_DAYS = 366
WAITING_STATES = ("issued", "waiting")


def device_status(db: Database, now: float) -> list[dict[str, Any]]:
    """reports.devices() plus ``silence_s`` and ``flags``: a list of problem codes
    (never_reported, silent, paper_out, paper_near_end, printer_offline, cover_open,
    clock, fault), the worst first."""
    rows = reports.devices(db)
    for row in rows:
        flags = []
        last = row["last_seen"]
        row["silence_s"] = None if last is None else max(0.0, now - last)
        if last is None:
            flags.append("never_reported")
        elif row["silence_s"] > SILENT_AFTER_S:
            flags.append("silent")
        if row["paper"] == "out":
            flags.append("paper_out")
        elif row["paper"] == "near_end":
            flags.append("paper_near_end")
        if row["printer_online"] is False:
            flags.append("printer_offline")
        if row["cover_open"]:
            flags.append("cover_open")
        offset = row["clock_offset_s"]
        if row["clock_problem"] or row["ntp_synchronized"] is False or (
                offset is not None and abs(offset) > CLOCK_OFFSET_LIMIT_S):
            flags.append("clock")
        if row["fault"] or row["faults"]:
            flags.append("fault")
        row["flags"] = flags
    return rows


def local_day(timezone: Optional[str], now: float) -> str:
    """The business day at ``now`` in the kiosk's time zone."""
    return dt.datetime.fromtimestamp(now, zone(timezone)).date().isoformat()


def today(db: Database, now: float) -> list[dict[str, Any]]:
    """Per kiosk, for its own business day: waiting per service, now serving per
    counter, issued and served so far, median wait (minutes)."""
    waiting: list[tuple] = []
    serving: list[tuple] = []
    totals: list[tuple] = []
    hist: list[tuple] = []
    with db.read() as q:
        devs = q.all("SELECT device, timezone FROM devices ORDER BY device")
        day_of = {d: local_day(tz, now) for d, tz in devs}
        by_day: dict[str, list[str]] = defaultdict(list)
        for device, day in day_of.items():
            by_day[day].append(device)
        # One query per business day (usually one) on the (device, day, ...) primary
        # keys: the cost is today's rows, never a scan of the year's tickets.
        for day, group in by_day.items():
            devs_in = f"device IN ({','.join('?' * len(group))}) AND day = ?"
            key = (*group, day)
            waiting += q.all(f"SELECT device, day, service, COUNT(*) FROM tickets WHERE {devs_in} "
                             f"AND state IN (?, ?) GROUP BY device, day, service", (*key, *WAITING_STATES))
            serving += q.all(f"SELECT device, day, counter, label, service, last_called_at FROM tickets "
                             f"WHERE {devs_in} AND state = ? AND counter IS NOT NULL", (*key, "called"))
            totals += q.all(f"SELECT device, day, service, issued, served, skipped, void FROM daily_service "
                            f"WHERE {devs_in}", key)
            hist += q.all(f"SELECT device, day, minute, tickets FROM daily_wait_hist WHERE {devs_in}", key)
    out = {d: {"device": d, "day": day_of[d], "waiting": {}, "serving": {}, "services": {},
               "issued": 0, "served": 0, "median_wait_min": None} for d, _ in devs}

    def mine(device: str, day: str) -> Optional[dict[str, Any]]:
        entry = out.get(device)
        return entry if entry is not None and entry["day"] == day else None

    for device, day, service, n in waiting:
        if (e := mine(device, day)) is not None:
            e["waiting"][service] = n
    for device, day, counter, label, service, called_at in serving:
        if (e := mine(device, day)) is not None:
            best = e["serving"].get(counter)
            if best is None or (called_at or 0) > (best["called_at"] or 0):
                e["serving"][counter] = {"label": label, "service": service, "called_at": called_at}
    for device, day, service, issued, served, skipped, void in totals:
        if (e := mine(device, day)) is not None:
            e["services"][service] = {"issued": issued, "served": served, "skipped": skipped, "void": void}
            e["issued"] += issued
            e["served"] += served
    hists: dict[str, dict[int, int]] = defaultdict(dict)
    for device, day, minute, n in hist:
        if mine(device, day) is not None:
            hists[device][int(minute)] = hists[device].get(int(minute), 0) + int(n)
    for device, h in hists.items():
        out[device]["median_wait_min"] = reports.percentile(h, 0.5)
    return [out[d] for d, _ in devs]


def parse_day(text: str) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def history(db: Database, first: str, last: str, devices: Sequence[str]) -> dict[str, Any]:
    """Figures for days first..last (YYYY-MM-DD) and the given kiosks (all when empty)."""
    if not devices:
        # Name every kiosk: the aggregates' primary keys start with device, so this
        # reads the period's rows only instead of scanning the whole history.
        devices = device_names(db)
    where = "day BETWEEN ? AND ?"
    args: list[Any] = [first, last]
    if devices:
        where += f" AND device IN ({','.join('?' * len(devices))})"
        args += list(devices)
    with db.read() as q:
        hours = q.all(f"SELECT weekday, hour, SUM(issued), SUM(served) FROM daily_hour WHERE {where} "
                      f"GROUP BY weekday, hour", args)
        waits = q.all(f"SELECT day, service, minute, SUM(tickets) FROM daily_wait_hist WHERE {where} "
                      f"GROUP BY day, service, minute", args)
        counters = q.all(f"SELECT counter, SUM(called), SUM(served), SUM(skipped), SUM(service_sum_s) "
                         f"FROM daily_counter WHERE {where} GROUP BY counter ORDER BY counter", args)
        problems = q.all(f"SELECT day, SUM(issued), SUM(served), SUM(skipped), SUM(void), SUM(uncertain) "
                         f"FROM daily_service WHERE {where} GROUP BY day ORDER BY day", args)
    per_hour = [[0] * 24 for _ in range(7)]
    for weekday, hour, issued, _served in hours:
        per_hour[int(weekday)][int(hour)] += int(issued or 0)
    hist: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for day, service, minute, n in waits:
        hist[(day, service)][int(minute)] = int(n)
    wait_rows = [{"day": day, "service": service, "tickets": sum(h.values()),
                  "median_min": reports.percentile(h, 0.5), "p90_min": reports.percentile(h, 0.9)}
                 for (day, service), h in sorted(hist.items())]
    counter_rows = [{"counter": c, "called": int(called or 0), "served": int(served or 0),
                     "skipped": int(skipped or 0),
                     "avg_service_min": round(float(sum_s) / 60 / int(served), 1) if served and sum_s else None}
                    for c, called, served, skipped, sum_s in counters]
    problem_rows = [{"day": day, "issued": int(i or 0), "served": int(s or 0), "no_show": int(k or 0),
                     "void": int(v or 0), "uncertain": int(u or 0)} for day, i, s, k, v, u in problems]
    return {"hours": per_hour, "waits": wait_rows, "counters": counter_rows, "problems": problem_rows}


def device_names(db: Database) -> list[str]:
    with db.read() as q:
        return [d for (d,) in q.all("SELECT device FROM devices ORDER BY device")]


def has_surveys(db: Database) -> bool:
    with db.read() as q:
        # events has an index on (type, day): one index probe, whatever the history's size.
        return q.one("SELECT 1 FROM events WHERE type IN (?, ?) LIMIT 1",
                     ("survey_response", "survey_box")) is not None
