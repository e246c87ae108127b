"""The upstream sync protocol, shared by the kiosk (client) and the receiver.

One JSON body per request (see docs/SYNC_PROTOCOL.md for the full text)::

    {"protocol": 1, "device": "blora-1", "sent_at": 1714000000.0,
     "events": [{"seq": 17, "uid": "...", "type": "issued", "time": 1714000000.0,
                 "day": "2024-04-16", "ticket_id": 3, "service": "kunjungan",
                 "label": "A-003", "counter": null, "data": {}}],
     "heartbeat": {...}}            # optional

The receiver answers ``{"protocol": 1, "acknowledged": [uid, ...], ...}``: every
uid it now holds (newly stored or already there). The kiosk marks sent only the
events whose uid is in that list, so delivery is idempotent end to end.

This module is pure: standard library only, no I/O, so a receiver can be run
without the kiosk's dependencies.
"""
import json
import math
import re

from kiosk.core.errors import KioskError

PROTOCOL_VERSION = 1
EVENTS_PATH = "/api/v1/events"
SUMMARY_PATH = "/api/v1/summary"
DEVICES_PATH = "/api/v1/devices"
HEALTH_PATH = "/healthz"

# Limits. The kiosk keeps below them by itself (it splits batches), so a
# receiver only meets them when a client is broken or hostile.
MAX_BODY_BYTES = 1024 * 1024  # one request body
MAX_BATCH_EVENTS = 1000  # events in one request
MAX_EVENT_DATA_BYTES = 8 * 1024  # the encoded "data" object of one event
MAX_HEARTBEAT_BYTES = 16 * 1024  # the encoded "heartbeat" object

DEVICE_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
UID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
TYPE_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Event fields: name -> (allowed JSON types, required). bool is excluded from
# int/float on purpose (in Python, True is an int).
_NULL = type(None)
EVENT_FIELDS = {
    "seq": ((int,), True),
    "uid": ((str,), True),
    "type": ((str,), True),
    "time": ((int, float), True),
    "day": ((str, _NULL), False),
    "ticket_id": ((int, _NULL), False),
    "service": ((str, _NULL), False),
    "label": ((str, _NULL), False),
    "counter": ((int, _NULL), False),
    "data": ((dict,), False),
}
_SHORT_TEXT = 64  # service, label


class ProtocolError(KioskError, ValueError):
    """A body or an answer that does not follow the protocol.

    ``reason`` is a short human-readable text, sent back to clients in 400
    answers and shown to technicians on the kiosk.
    """

    def __init__(self, reason):
        self.reason = reason
        super().__init__(reason)


def _reject_constant(name):
    # json.loads accepts NaN and Infinity by default; they are not JSON.
    raise ProtocolError(f"{name} is not allowed in JSON")


def decode(raw):
    """Bytes -> a JSON value; ProtocolError for anything that is not strict JSON."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("body is not UTF-8") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ProtocolError:
        raise
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"body is not valid JSON: {e}") from None


def encode(value):
    """A JSON value -> compact UTF-8 bytes (ASCII only, no NaN)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False, sort_keys=False).encode("ascii")


def _type_label(types):
    names = {int: "an integer", float: "a number", str: "a string", dict: "an object", _NULL: "null"}
    return " or ".join(dict.fromkeys(names[t] for t in types))


def _is(value, types):
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, float) and float in types:
        return math.isfinite(value)
    return isinstance(value, types)


def event_from_outbox(row):
    """A row of ``Store.unsent_events()`` -> the event as sent on the wire."""
    event = {}
    for name in EVENT_FIELDS:
        value = row.get(name)
        if name == "time" and value is not None:
            value = float(value)
        if name == "data" and value is None:
            value = {}
        event[name] = value
    return event


def validate_event(event, where="event"):
    """Check one event; returns it, or raises ProtocolError naming the field."""
    if not isinstance(event, dict):
        raise ProtocolError(f"{where}: must be an object")
    for name, (types, required) in EVENT_FIELDS.items():
        if name not in event:
            if required:
                raise ProtocolError(f"{where}.{name}: missing")
            continue
        value = event[name]
        if not _is(value, types):
            raise ProtocolError(f"{where}.{name}: must be {_type_label(types)}, not {json.dumps(value)[:40]}")
    if event["seq"] < 1:
        raise ProtocolError(f"{where}.seq: must be 1 or more")
    if not UID_RE.match(event["uid"]):
        raise ProtocolError(f"{where}.uid: use 1-64 letters, digits, '.', '_', ':' or '-'")
    if not TYPE_RE.match(event["type"]):
        raise ProtocolError(f"{where}.type: use 1-64 letters, digits, '.', '_' or '-'")
    if event["time"] <= 0:
        raise ProtocolError(f"{where}.time: must be seconds since 1970 (UTC), greater than 0")
    day = event.get("day")
    if day is not None and not DAY_RE.match(day):
        raise ProtocolError(f"{where}.day: must be a date like 2024-04-16")
    for name in ("service", "label"):
        value = event.get(name)
        if value is not None and len(value) > _SHORT_TEXT:
            raise ProtocolError(f"{where}.{name}: longer than {_SHORT_TEXT} characters")
    if "data" in event and len(encode(event["data"])) > MAX_EVENT_DATA_BYTES:
        raise ProtocolError(f"{where}.data: larger than {MAX_EVENT_DATA_BYTES} bytes")
    return event


def validate_batch(body):
    """Check a decoded request body; returns it, or raises ProtocolError.

    Unknown top-level or event keys are ignored so that a newer kiosk can add
    optional fields without breaking an older receiver; anything that changes
    the meaning of a field gets a new protocol version.
    """
    if not isinstance(body, dict):
        raise ProtocolError("body must be a JSON object")
    version = body.get("protocol")
    if not _is(version, (int,)):
        raise ProtocolError("protocol: missing or not an integer")
    if version != PROTOCOL_VERSION:
        raise ProtocolError(f"protocol: version {version} is not supported (this receiver speaks {PROTOCOL_VERSION})")
    device = body.get("device")
    if not isinstance(device, str) or not DEVICE_RE.match(device):
        raise ProtocolError("device: must be 1-64 letters, digits, '.', '_' or '-'")
    if "sent_at" in body and not _is(body["sent_at"], (int, float)):
        raise ProtocolError("sent_at: must be a number")
    events = body.get("events")
    if not isinstance(events, list):
        raise ProtocolError("events: missing or not a list")
    if len(events) > MAX_BATCH_EVENTS:
        raise ProtocolError(f"events: more than {MAX_BATCH_EVENTS} in one request")
    for i, event in enumerate(events):
        validate_event(event, f"events[{i}]")
    if "heartbeat" in body:
        heartbeat = body["heartbeat"]
        if not isinstance(heartbeat, dict):
            raise ProtocolError("heartbeat: must be an object")
        if len(encode(heartbeat)) > MAX_HEARTBEAT_BYTES:
            raise ProtocolError(f"heartbeat: larger than {MAX_HEARTBEAT_BYTES} bytes")
    return body


def build_batch(device, events, sent_at, heartbeat=None):
    """The request body the kiosk sends."""
    body = {"protocol": PROTOCOL_VERSION, "device": device, "sent_at": float(sent_at), "events": events}
    if heartbeat is not None:
        body["heartbeat"] = heartbeat
    return body


def build_ack(device, acknowledged, stored, duplicates):
    """The receiver's answer to an accepted batch."""
    return {"protocol": PROTOCOL_VERSION, "device": device, "acknowledged": list(acknowledged),
            "stored": stored, "duplicates": duplicates}


def parse_ack(answer, sent_uids):
    """The set of sent uids that the receiver acknowledged.

    ``answer`` is the decoded JSON of a 200 answer. Raises ProtocolError when
    it is not an acknowledgement at all; uids the kiosk did not send in this
    request are ignored (never trusted to mark anything).
    """
    if not isinstance(answer, dict):
        raise ProtocolError("answer is not a JSON object")
    acked = answer.get("acknowledged")
    if not isinstance(acked, list) or not all(isinstance(u, str) for u in acked):
        raise ProtocolError("answer has no 'acknowledged' list of uids")
    return set(acked) & set(sent_uids)


# -- optional event types of the satisfaction survey (issue 13) ------------------------
# New optional types; the protocol version stays 1 (a receiver that does not
# know them stores them like any other event). No ticket id, label or service:
# a response is never linked to a ticket outside the kiosk.
SURVEY_RESPONSE = "survey_response"  # data: {"answers": {element: 1-4}, "profile": {...}, "suggestion": str}
SURVEY_BOX = "survey_box"  # data: {"score": 1-4}, the survey box's one overall question
SURVEY_EVENT_TYPES = (SURVEY_RESPONSE, SURVEY_BOX)


def check_survey_event(event, where="event"):
    """For a survey event (see SURVEY_EVENT_TYPES), check its data against
    kiosk.core.survey; returns the event, or raises ProtocolError. Other
    events pass unchanged."""
    from kiosk.core import survey

    type_ = event.get("type")
    if type_ not in SURVEY_EVENT_TYPES:
        return event
    data = event.get("data")
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}.data: a {type_} event needs a data object")
    for name in ("ticket_id", "label"):
        if event.get(name) is not None:
            raise ProtocolError(f"{where}.{name}: a {type_} event never names its ticket")
    if type_ == SURVEY_BOX:
        score = data.get("score")
        if isinstance(score, bool) or score not in survey.SCORES:
            raise ProtocolError(f"{where}.data.score: must be 1, 2, 3 or 4")
        return event
    answers, profile, suggestion = data.get("answers"), data.get("profile", {}), data.get("suggestion", "")
    if not isinstance(answers, dict) or not isinstance(profile, dict) or not isinstance(suggestion, str):
        raise ProtocolError(f"{where}.data: needs answers (object), profile (object), suggestion (string)")
    try:
        survey.check_response(answers, profile, suggestion)
    except ValueError as e:
        raise ProtocolError(f"{where}.data.{e}") from None
    if len(suggestion) > survey.SUGGESTION_MAX:
        raise ProtocolError(f"{where}.data.suggestion: longer than {survey.SUGGESTION_MAX} characters")
    return event


# -- optional event types of the counter staff operations (issue 15) -----------------
# Also new and optional; protocol version 1. ``counter`` names the counter.
TRANSFERRED = "transferred"  # a ticket event; data: {"from": service, "to": service, "position": "original"|"front"}
COUNTER_OPENED = "counter_opened"  # no ticket; the counter calls again
COUNTER_CLOSED = "counter_closed"  # no ticket; the counter receives no call for the rest of the day
NOBODY_WAITING = "nobody_waiting"  # no ticket; a call at that counter found nobody
COUNTER_EVENT_TYPES = (TRANSFERRED, COUNTER_OPENED, COUNTER_CLOSED, NOBODY_WAITING)
