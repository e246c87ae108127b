"""Strict parsing of what a kiosk posts (issue 11): bytes in, a Batch or a ProtocolError out.

protocol.validate_batch checks the shapes both sides share; this module adds
what a receiver must not store: integers outside SQLite's and PostgreSQL's
64-bit range, times that are not finite or not plausible, days that are not
real calendar dates in ASCII digits, identifiers that only look right (Python's
``$`` accepts a trailing newline and ``\\d`` accepts Arabic-Indic digits), control
characters in text and JSON nested deeper than any kiosk writes.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from kiosk.services.sync import protocol
from kiosk.services.sync.protocol import ProtocolError

INT64_MAX = 2**63 - 1
# Plausible times: after 1970 and before 2100. Not narrower, and not relative
# to "now": a Pi has no battery clock and may log at 1970 until NTP answers (its
# clock_problem events must still reach the office), and a kiosk whose clock ran
# ahead must not block its own outbox forever with events the receiver refuses.
TIME_MIN = 0.0  # exclusive
TIME_MAX = 4102444800.0  # 2100-01-01T00:00:00Z, exclusive
YEAR_MIN, YEAR_MAX = 1970, 2099
MAX_DEPTH = 32  # nesting of "data" and "heartbeat"
MAX_COUNTER = 9999

DEVICE_RE = re.compile(r"[A-Za-z0-9._-]{1,64}", re.ASCII)
UID_RE = re.compile(r"[A-Za-z0-9._:-]{1,64}", re.ASCII)
TYPE_RE = re.compile(r"[A-Za-z0-9._-]{1,64}", re.ASCII)
DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
# Control and bidi-override characters, and lone surrogates (JSON "\\ud800" decodes to
# one; no database can store it as UTF-8).
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@dataclass(frozen=True)
class Event:
    """One event as the receiver stores it (docs/SYNC_PROTOCOL.md, "Each event")."""

    seq: int
    uid: str
    type: str
    time: float
    day: str  # filled from the UTC date of ``time`` when the kiosk sent null
    ticket_id: Optional[int] = None
    service: Optional[str] = None
    label: Optional[str] = None
    counter: Optional[int] = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    """A request body that passed every check."""

    device: str
    sent_at: Optional[float]
    events: tuple[Event, ...]
    heartbeat: Optional[Mapping[str, Any]]


def is_device_id(text: object) -> bool:
    return isinstance(text, str) and DEVICE_RE.fullmatch(text) is not None


def parse_day(text: object, where: str = "day") -> str:
    """A real calendar date 'YYYY-MM-DD' in ASCII digits, years 1970-2099."""
    if not isinstance(text, str) or not DAY_RE.fullmatch(text):
        raise ProtocolError(f"{where}: must be a date like 2024-04-16 (ASCII digits)")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ProtocolError(f"{where}: {text} is not a calendar date") from None
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise ProtocolError(f"{where}: year {day.year} is outside {YEAR_MIN}-{YEAR_MAX}")
    return text


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as inf
        raise ProtocolError(f"number {text[:20]} is too large")
    return value


def decode(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, no number that overflows to infinity."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("body is not UTF-8") from None
    try:
        return json.loads(text, parse_float=_parse_float, parse_constant=_reject_constant)
    except ProtocolError:
        raise
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"body is not valid JSON: {str(e)[:120]}") from None


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"{name} is not allowed in JSON")


def _depth_ok(value: Any, limit: int = MAX_DEPTH) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return True


def _int(event: Mapping[str, Any], name: str, where: str, low: int, high: int) -> Optional[int]:
    value = event.get(name)
    if value is None:
        return None
    if not low <= value <= high:
        raise ProtocolError(f"{where}.{name}: must be between {low} and {high}")
    return int(value)


def _time(value: Any, where: str) -> float:
    if not TIME_MIN < value < TIME_MAX:
        raise ProtocolError(f"{where}: must be seconds since 1970 (UTC), greater than 0 and before 2100")
    return float(value)


def _text(event: Mapping[str, Any], name: str, where: str) -> Optional[str]:
    value = event.get(name)
    if value is None:
        return None
    if _CONTROL_RE.search(value) or value != value.strip() or not value:
        raise ProtocolError(f"{where}.{name}: no control characters and no surrounding spaces")
    return str(value)


def parse_event(event: Mapping[str, Any], where: str = "event") -> Event:
    """One event that protocol.validate_event accepted -> Event, or ProtocolError."""
    protocol.validate_event(event, where)
    seq = _int(event, "seq", where, 1, INT64_MAX)
    uid = event["uid"]
    if not UID_RE.fullmatch(uid):
        raise ProtocolError(f"{where}.uid: use 1-64 letters, digits, '.', '_', ':' or '-', nothing else")
    if not TYPE_RE.fullmatch(event["type"]):
        raise ProtocolError(f"{where}.type: use 1-64 letters, digits, '.', '_' or '-', nothing else")
    when = _time(event["time"], f"{where}.time")
    day = event.get("day")
    if day is None:
        day = dt.datetime.fromtimestamp(when, dt.timezone.utc).date().isoformat()
    else:
        parse_day(day, f"{where}.day")
    data = event.get("data") or {}
    if not _depth_ok(data):
        raise ProtocolError(f"{where}.data: nested deeper than {MAX_DEPTH} levels")
    return Event(seq=seq or 1, uid=uid, type=event["type"], time=when, day=day,
                 ticket_id=_int(event, "ticket_id", where, 0, INT64_MAX),
                 service=_text(event, "service", where), label=_text(event, "label", where),
                 counter=_int(event, "counter", where, 0, MAX_COUNTER), data=data)


def parse_body(body: Any) -> Batch:
    """A decoded JSON body -> Batch, or ProtocolError naming the first bad field."""
    if isinstance(body, dict) and "device" in body and isinstance(body["device"], str) \
            and not DEVICE_RE.fullmatch(body["device"]):
        raise ProtocolError("device: must be 1-64 letters, digits, '.', '_' or '-', nothing else")
    if isinstance(body, dict) and "heartbeat" in body and not _depth_ok(body["heartbeat"]):
        raise ProtocolError(f"heartbeat: nested deeper than {MAX_DEPTH} levels")
    protocol.validate_batch(body)
    sent_at = body.get("sent_at")
    if sent_at is not None:
        sent_at = _time(sent_at, "sent_at")
    events = tuple(parse_event(e, f"events[{i}]") for i, e in enumerate(body["events"]))
    return Batch(device=body["device"], sent_at=sent_at, events=events, heartbeat=body.get("heartbeat"))


def parse_batch(raw: bytes) -> Batch:
    """The request body bytes -> Batch; ProtocolError (answered 400) otherwise."""
    return parse_body(decode(raw))
