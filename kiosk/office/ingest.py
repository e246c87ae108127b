"""Storing a batch exactly once, with the daily aggregates kept on ingest (issues 11, 14).

One transaction per batch:
1. the device row is upserted first, which on PostgreSQL locks it: two requests
   of one kiosk (a resend racing a slow answer) are folded one after the other;
   on SQLite ``BEGIN IMMEDIATE`` already serialises writers;
2. the events not yet held for (device, uid) are inserted;
3. only those new events are folded into ``tickets`` and the ``daily_*`` tables,
   so a batch sent twice is counted once;
4. the heartbeat, if any, updates the device's health columns.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.office.db import Database, Query
from kiosk.office.heartbeat import health_columns
from kiosk.office.validate import Event

DEFAULT_TIMEZONE = "Asia/Jakarta"
HIST_MAX_MINUTE = 600  # waits of 10 hours or more share the last bucket
_CHUNK = 400  # parameters per IN (...) list

# Ticket verbs -> the state they leave the ticket in (kiosk/core/tickets.py).
_STATE_AFTER = {"issued": "issued", "printed": "waiting", "called": "called", "recalled": "called",
                "served": "served", "skipped": "skipped", "void": "void", "transferred": "waiting"}
_UNCERTAIN = ("print_uncertain", "uncertain")
_SERVICE_COUNTS = ("issued", "priority_issued", "printed", "called", "recalled", "served", "skipped", "void",
                   "uncertain", "transferred", "reprinted", "waits", "wait_sum_s", "services", "service_sum_s")
_TICKET_COLUMNS = ("service", "label", "priority", "issued_at", "first_called_at", "last_called_at",
                   "finished_at", "state", "counter", "wait_s", "service_s", "print_state")


@dataclass(frozen=True)
class IngestResult:
    acknowledged: list[str]  # every uid of the batch now held (stored now or before)
    stored: int
    duplicates: int


@lru_cache(maxsize=64)
def zone(name: Optional[str]) -> ZoneInfo:
    """The ZoneInfo for ``name``; the default zone for a missing or unknown one."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class _Fold:
    """Folds new events into ticket rows and aggregate deltas, then writes them."""

    def __init__(self, q: Query, device: str, timezone: Optional[str]) -> None:
        self.q, self.device, self.tz = q, device, zone(timezone)
        self.tickets: dict[tuple[str, int], dict[str, Any]] = {}
        self.changed: set[tuple[str, int]] = set()
        self.service: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.wait_max: dict[tuple[str, str], float] = defaultdict(float)
        self.hist: dict[tuple[str, str, int], int] = defaultdict(int)
        self.hour: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
        self.counter: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0])
        self.types: dict[tuple[str, str], list[float]] = {}

    def load_tickets(self, events: Sequence[Event]) -> None:
        by_day: dict[str, set[int]] = defaultdict(set)
        for e in events:
            if e.ticket_id is not None:
                by_day[e.day].add(e.ticket_id)
        for day, ids in by_day.items():
            for part in _chunks(sorted(ids)):
                rows = self.q.all(f"SELECT ticket_id, {', '.join(_TICKET_COLUMNS)} FROM tickets "
                                  f"WHERE device = ? AND day = ? AND ticket_id IN ({_marks(len(part))})",
                                  (self.device, day, *part))
                for ticket_id, *values in rows:
                    self.tickets[(day, ticket_id)] = dict(zip(_TICKET_COLUMNS, values), known=True)

    def add(self, e: Event) -> None:
        stats = self.types.get((e.day, e.type))
        if stats is None:
            self.types[(e.day, e.type)] = [1, e.time, e.time]
        else:
            stats[0] += 1
            stats[1], stats[2] = min(stats[1], e.time), max(stats[2], e.time)
        if e.ticket_id is not None:
            self._ticket_event(e, e.ticket_id)

    def _ticket_event(self, e: Event, ticket_id: int) -> None:
        key = (e.day, ticket_id)
        t = self.tickets.get(key)
        if t is None:
            t = dict.fromkeys(_TICKET_COLUMNS)
            t.update(service=e.service or "-", label=e.label, priority=0, known=False)
            self.tickets[key] = t
        self.changed.add(key)
        t["label"] = t["label"] or e.label
        service = e.service or t["service"]
        counts = self.service[(e.day, service)]
        verb = e.type
        known = [t[c] for c in ("issued_at", "first_called_at", "last_called_at", "finished_at") if t[c] is not None]
        if verb in _STATE_AFTER and (not known or e.time >= max(known)):  # a late-arriving older event keeps it
            t["state"] = _STATE_AFTER[verb]
        if verb == "issued":
            t["issued_at"] = e.time if t["issued_at"] is None else min(t["issued_at"], e.time)
            t["priority"] = int(bool(e.data.get("priority")))
            counts["issued"] += 1
            counts["priority_issued"] += t["priority"]
            self._hour(e)[0] += 1
        elif verb == "printed":
            t["print_state"] = t["print_state"] or "printed"
            counts["printed"] += 1
        elif verb in _UNCERTAIN:
            t["print_state"] = "uncertain"
            counts["uncertain"] += 1
        elif verb == "void":
            t["print_state"] = t["print_state"] or "void"
            counts["void"] += 1
        elif verb in ("called", "recalled"):
            if verb == "called":
                t["first_called_at"] = e.time if t["first_called_at"] is None else min(t["first_called_at"], e.time)
            t["last_called_at"] = e.time if t["last_called_at"] is None else max(t["last_called_at"], e.time)
            t["counter"] = e.counter if e.counter is not None else t["counter"]
            counts[verb] += 1
            if verb == "called" and t["counter"] is not None:
                self.counter[(e.day, t["counter"])][0] += 1
        elif verb in ("served", "skipped"):
            t["finished_at"] = e.time
            counts[verb] += 1
            counter = e.counter if e.counter is not None else t["counter"]
            if counter is not None:
                self.counter[(e.day, counter)][1 if verb == "served" else 2] += 1
            if verb == "served":
                self._hour(e)[1] += 1
        elif verb in ("transferred", "reprinted"):
            counts[verb] += 1
        self._derive(e.day, t, served_now=verb == "served", counter=e.counter)

    def _derive(self, day: str, t: dict[str, Any], served_now: bool, counter: Optional[int]) -> None:
        """Waits and service times, counted once: when both of their ends are first known."""
        if t["wait_s"] is None and t["issued_at"] is not None and t["first_called_at"] is not None:
            wait = max(0.0, t["first_called_at"] - t["issued_at"])
            t["wait_s"] = wait
            key = (day, t["service"])
            self.service[key]["waits"] += 1
            self.service[key]["wait_sum_s"] += wait
            self.wait_max[key] = max(self.wait_max[key], wait)
            self.hist[(day, t["service"], min(int(wait // 60), HIST_MAX_MINUTE))] += 1
        if served_now and t["service_s"] is None and t["last_called_at"] is not None:
            spent = max(0.0, t["finished_at"] - t["last_called_at"])
            t["service_s"] = spent
            key = (day, t["service"])
            self.service[key]["services"] += 1
            self.service[key]["service_sum_s"] += spent
            counter = counter if counter is not None else t["counter"]
            if counter is not None:
                self.counter[(day, counter)][3] += spent

    def _hour(self, e: Event) -> list[int]:
        local = dt.datetime.fromtimestamp(e.time, self.tz)
        return self.hour[(e.day, local.hour)]

    def write(self) -> None:
        q, device = self.q, self.device
        rows: list[tuple[Any, ...]] = []
        for (day, ticket_id) in self.changed:
            t = self.tickets[(day, ticket_id)]
            rows.append((device, day, ticket_id, *(t[c] for c in _TICKET_COLUMNS)))
        sets = ", ".join(f"{c} = excluded.{c}" for c in _TICKET_COLUMNS)
        q.many(f"INSERT INTO tickets (device, day, ticket_id, {', '.join(_TICKET_COLUMNS)}) "
               f"VALUES ({_marks(3 + len(_TICKET_COLUMNS))}) "
               f"ON CONFLICT (device, day, ticket_id) DO UPDATE SET {sets}", sorted(rows, key=lambda r: (r[1], r[2])))
        adds = ", ".join(f"{c} = daily_service.{c} + excluded.{c}" for c in _SERVICE_COUNTS)
        q.many(f"INSERT INTO daily_service (device, day, service, {', '.join(_SERVICE_COUNTS)}, wait_max_s) "
               f"VALUES ({_marks(4 + len(_SERVICE_COUNTS))}) ON CONFLICT (device, day, service) DO UPDATE SET "
               f"{adds}, wait_max_s = CASE WHEN excluded.wait_max_s > daily_service.wait_max_s "
               "THEN excluded.wait_max_s ELSE daily_service.wait_max_s END",
               [(device, day, service, *(_number(c, counts.get(c, 0)) for c in _SERVICE_COUNTS),
                 self.wait_max[(day, service)]) for (day, service), counts in sorted(self.service.items())])
        q.many("INSERT INTO daily_wait_hist (device, day, service, minute, tickets) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (device, day, service, minute) DO UPDATE SET tickets = daily_wait_hist.tickets + "
               "excluded.tickets", [(device, *key, n) for key, n in sorted(self.hist.items())])
        q.many("INSERT INTO daily_hour (device, day, hour, weekday, issued, served) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (device, day, hour) DO UPDATE SET issued = daily_hour.issued + excluded.issued, "
               "served = daily_hour.served + excluded.served",
               [(device, day, hour, dt.date.fromisoformat(day).weekday(), n[0], n[1])
                for (day, hour), n in sorted(self.hour.items())])
        q.many("INSERT INTO daily_counter (device, day, counter, called, served, skipped, service_sum_s) "
               "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device, day, counter) DO UPDATE SET "
               "called = daily_counter.called + excluded.called, served = daily_counter.served + excluded.served, "
               "skipped = daily_counter.skipped + excluded.skipped, "
               "service_sum_s = daily_counter.service_sum_s + excluded.service_sum_s",
               [(device, day, counter, int(n[0]), int(n[1]), int(n[2]), n[3])
                for (day, counter), n in sorted(self.counter.items())])
        q.many("INSERT INTO daily_types (device, day, type, events, first_time, last_time) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (device, day, type) DO UPDATE SET events = daily_types.events + excluded.events, "
               "first_time = CASE WHEN excluded.first_time < daily_types.first_time THEN excluded.first_time "
               "ELSE daily_types.first_time END, "
               "last_time = CASE WHEN excluded.last_time > daily_types.last_time THEN excluded.last_time "
               "ELSE daily_types.last_time END",
               [(device, day, type_, int(s[0]), s[1], s[2]) for (day, type_), s in sorted(self.types.items())])


def _number(column: str, value: float) -> float | int:
    """Seconds stay floats; counts go to BIGINT columns as ints (PostgreSQL is strict)."""
    return float(value) if column.endswith("_s") else int(value)


def _event_row(device: str, e: Event, now: float) -> tuple:
    data = json.dumps(dict(e.data), separators=(",", ":"))  # ASCII escapes: no NUL reaches the database
    return (device, e.uid, e.seq, e.type, e.time, e.day, e.ticket_id, e.service, e.label, e.counter, data, now)


def store_batch(db: Database, device: str, events: Sequence[Event],
                heartbeat: Optional[Mapping[str, Any]] = None, now: Optional[float] = None) -> IngestResult:
    """Store a validated batch of ``device`` in one transaction; see the module docstring.

    Returns only after the commit, so an acknowledged event is on disk.
    """
    now = time.time() if now is None else now
    unique = list({e.uid: e for e in reversed(events)}.values())[::-1]  # first of each uid, in order
    with db.write() as q:
        q.run("INSERT INTO devices (device, first_seen, last_seen) VALUES (?, ?, ?) "
              "ON CONFLICT (device) DO UPDATE SET last_seen = excluded.last_seen, "
              "first_seen = COALESCE(devices.first_seen, excluded.first_seen)", (device, now, now))
        (timezone,) = q.one("SELECT timezone FROM devices WHERE device = ?", (device,)) or (None,)
        held: set[str] = set()
        for part in _chunks([e.uid for e in unique]):
            held.update(u for (u,) in q.all(f"SELECT uid FROM events WHERE device = ? AND uid IN "
                                            f"({_marks(len(part))})", (device, *part)))
        new = [e for e in unique if e.uid not in held]
        q.many("INSERT INTO events (device, uid, seq, type, time, day, ticket_id, service, label, counter, data, "
               "received) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (device, uid) DO NOTHING",
               [_event_row(device, e, now) for e in new])
        fold = _Fold(q, device, timezone)
        fold.load_tickets(new)
        for e in new:
            fold.add(e)
        fold.write()
        last_seq = max((e.seq for e in events), default=None)
        q.run("UPDATE devices SET events = events + ?, last_seq = CASE WHEN last_seq IS NULL OR last_seq < ? "
              "THEN ? ELSE last_seq END WHERE device = ?", (len(new), last_seq or 0, last_seq, device))
        if heartbeat is not None:
            _store_heartbeat(q, device, heartbeat, now)
    return IngestResult([e.uid for e in unique], len(new), len(events) - len(new))


def _store_heartbeat(q: Query, device: str, heartbeat: Mapping[str, Any], now: float) -> None:
    body = json.dumps(heartbeat, separators=(",", ":"))
    columns = health_columns(heartbeat, now)
    if columns["timezone"] is None:
        del columns["timezone"]  # keep the zone learnt from an earlier heartbeat
    sets = ", ".join(f"{c} = ?" for c in columns)
    q.run(f"UPDATE devices SET heartbeat = ?, heartbeat_at = ?, {sets} WHERE device = ?",
          (body, now, *columns.values(), device))
    q.run("INSERT INTO heartbeats (device, received, body) VALUES (?, ?, ?)", (device, now, body))


def rebuild_aggregates(q: Query) -> None:
    """Fold every stored event again (migration from the first receiver's schema)."""
    for table in ("tickets", "daily_service", "daily_wait_hist", "daily_hour", "daily_counter", "daily_types"):
        q.run(f"DELETE FROM {table}")
    for (device,) in q.all("SELECT DISTINCT device FROM events ORDER BY device"):
        q.run("INSERT INTO devices (device, first_seen, last_seen) SELECT ?, min(received), max(received) "
              "FROM events WHERE device = ? ON CONFLICT (device) DO UPDATE SET "
              "first_seen = COALESCE(devices.first_seen, excluded.first_seen), "
              "last_seen = COALESCE(devices.last_seen, excluded.last_seen)", (device, device))
        rows = q.dicts("SELECT seq, uid, type, time, day, ticket_id, service, label, counter, data FROM events "
                       "WHERE device = ? ORDER BY seq, time", (device,))
        fold = _Fold(q, device, None)
        for row in rows:
            row["data"] = json.loads(row["data"] or "{}")
            fold.add(Event(**row))
        fold.write()
        q.run("UPDATE devices SET events = ? WHERE device = ?", (len(rows), device))
