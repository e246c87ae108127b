"""The device health columns the dashboard shows, read from a kiosk's heartbeat.

The heartbeat is free-form JSON (docs/SYNC_PROTOCOL.md, "Heartbeat"): every
field is optional, and a field of the wrong type is left out (NULL), never an
error, so a newer or older kiosk still reports what it can.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Mapping, Optional

PAPER_STATES = ("ok", "near_end", "out")
_TEXT_MAX = 200
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # incl. lone surrogates
_ZONE_RE = re.compile(r"[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}", re.ASCII)


def _text(value: Any) -> Optional[str]:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = _CONTROL_RE.sub(" ", value).strip()[:_TEXT_MAX]
    return value or None


def _int(value: Any) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None


def _flag(value: Any) -> Optional[int]:
    return int(value) if isinstance(value, bool) else None


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _paper(value: Any) -> Optional[str]:
    text = _text(value)
    if text is None:
        return None
    text = text.lower().replace(" ", "_").replace("-", "_")
    return text if text in PAPER_STATES else None


def _problem(value: Any) -> Optional[str]:
    """A clock problem as text: the kiosk sends a code, a description or just true."""
    if value is None or value is False or value == "":
        return None
    if value is True:
        return "yes"
    if isinstance(value, (dict, list)):
        return _text(json.dumps(value)[:_TEXT_MAX])
    return _text(value)


def health_columns(hb: Mapping[str, Any], now: float) -> dict[str, Any]:
    """{column of ``devices``: value} from one heartbeat received at ``now``."""
    printer = _dict(hb.get("printer"))
    clock = _dict(hb.get("clock"))
    kiosk_time = clock.get("time")
    offset = None
    if isinstance(kiosk_time, (int, float)) and not isinstance(kiosk_time, bool) and math.isfinite(kiosk_time):
        offset = float(kiosk_time) - now
        if not math.isfinite(offset):
            offset = None
    fault = _text(hb.get("fault"))
    faults = hb.get("faults")
    if isinstance(faults, list):
        fault_list = [t for t in (_text(f) for f in faults[:20]) if t]
    else:
        fault_list = [fault] if fault else []
    clock_problem = hb.get("clock_problem")
    zone = hb.get("timezone")
    return {
        "software": _text(hb.get("software")),
        "backlog": _int(hb.get("backlog")),
        "printer_online": _flag(printer.get("online")),
        "paper": _paper(printer.get("paper")),
        "roll_counter": _int(printer.get("roll_counter", hb.get("roll_counter"))),
        "cover_open": _flag(printer.get("cover_open")),
        "clock_offset_s": offset,
        "ntp_synchronized": _flag(clock.get("ntp_synchronized")),
        "clock_problem": _problem(clock_problem),
        "fault": fault,
        "faults": json.dumps(fault_list),
        "last_ticket": _text(hb.get("last_ticket")),
        "timezone": zone if isinstance(zone, str) and _ZONE_RE.fullmatch(zone) and len(zone) <= 64 else None,
    }
