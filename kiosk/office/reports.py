"""Reading the office database: the JSON API's summaries and device list.

Everything comes from the daily aggregates and the devices table, so the cost
depends on the period asked for, not on the size of the history.
"""
from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, Mapping, Optional

from kiosk.office.db import Database

SUMMARY_MAX_DAYS = 366
_DEVICE_COLUMNS = ("device", "registered", "first_seen", "last_seen", "last_seq", "events", "heartbeat_at", "heartbeat",
                   "software", "backlog", "printer_online", "paper", "roll_counter", "cover_open",
                   "clock_offset_s", "ntp_synchronized", "clock_problem", "fault", "faults", "last_ticket",
                   "timezone", "note")


def percentile(hist: Mapping[int, int], q: float) -> Optional[int]:
    """The q-quantile (0 < q <= 1, nearest rank) of a {minute: tickets} histogram, in minutes."""
    total = sum(hist.values())
    if total <= 0:
        return None
    rank = max(1, -(-int(q * total * 1000) // 1000))  # ceil(q * total) without float noise
    seen = 0
    for minute in sorted(hist):
        seen += hist[minute]
        if seen >= rank:
            return minute
    return max(hist)


def _where(device: Optional[str], days: list[str]) -> tuple[str, list[Any]]:
    clause = f"day IN ({','.join('?' * len(days))})"
    args: list[Any] = list(days)
    if device:
        clause += " AND device = ?"
        args.append(device)
    return clause, args


def summary(db: Database, device: Optional[str] = None, day: Optional[str] = None,
            days: int = 31) -> dict[str, dict[str, Any]]:
    """Per device and business day: events by type, and per service the tickets
    issued/served/skipped/void/uncertain with average wait and service time and
    the median and 90th percentile wait (whole minutes).

    Without ``day``: the latest ``days`` days that have events.
    """
    with db.read() as q:
        if day:
            wanted = [day]
        else:
            sql = "SELECT DISTINCT day FROM daily_types" + (" WHERE device = ?" if device else "")
            wanted = [d for (d,) in q.all(sql + " ORDER BY day DESC LIMIT ?",
                                          (device, days) if device else (days,))]
        if not wanted:
            return {}
        clause, args = _where(device, wanted)
        types = q.all(f"SELECT device, day, type, events, first_time, last_time FROM daily_types WHERE {clause}",
                      args)
        services = q.dicts(f"SELECT * FROM daily_service WHERE {clause}", args)
        hist_rows = q.all(f"SELECT device, day, service, minute, tickets FROM daily_wait_hist WHERE {clause}", args)
    out: dict[str, dict[str, Any]] = {}
    for dev, d, type_, n, first, last in sorted(types, key=lambda r: (r[0], r[1], r[2])):
        entry = out.setdefault(dev, {}).setdefault(d, {"events": 0, "by_type": {}, "services": {},
                                                       "first_event": first, "last_event": last})
        entry["events"] += n
        entry["by_type"][type_] = n
        entry["first_event"] = min(entry["first_event"], first)
        entry["last_event"] = max(entry["last_event"], last)
    hists: dict[tuple[str, str, str], dict[int, int]] = defaultdict(dict)
    for dev, d, service, minute, n in hist_rows:
        hists[(dev, d, service)][minute] = n
    for s in sorted(services, key=lambda r: (r["device"], r["day"], r["service"])):
        entry = out.setdefault(s["device"], {}).setdefault(s["day"], {"events": 0, "by_type": {}, "services": {},
                                                                      "first_event": None, "last_event": None})
        hist = hists.get((s["device"], s["day"], s["service"]), {})
        entry["services"][s["service"]] = {
            "issued": s["issued"], "served": s["served"], "skipped": s["skipped"], "void": s["void"],
            "uncertain": s["uncertain"],
            "avg_wait_s": round(s["wait_sum_s"] / s["waits"], 1) if s["waits"] else None,
            "avg_service_s": round(s["service_sum_s"] / s["services"], 1) if s["services"] else None,
            "median_wait_min": percentile(hist, 0.5), "p90_wait_min": percentile(hist, 0.9)}
    return out


def devices(db: Database, only: Optional[str] = None) -> list[dict[str, Any]]:
    """Every device registered or seen, with its last contact (None: never), last seq,
    event count and health."""
    sql = f"SELECT {', '.join(_DEVICE_COLUMNS)} FROM devices"
    with db.read() as q:
        rows = q.dicts(sql + (" WHERE device = ?" if only else "") + " ORDER BY device", (only,) if only else ())
    for row in rows:
        row["heartbeat"] = json.loads(row["heartbeat"]) if row["heartbeat"] else None
        row["faults"] = json.loads(row["faults"]) if row["faults"] else []
        for flag in ("printer_online", "cover_open", "ntp_synchronized"):
            row[flag] = None if row[flag] is None else bool(row[flag])
    return rows
