"""Checks of single config values, and building the schema's dataclasses from TOML.

Every value read from a config file passes ``build``: its type, then the
generic limits that hold for every field of that type (no control characters
in text, finite numbers inside the field's declared range, bounded lists), then
the field's own check. So a field added to the schema is checked the day it is
added. Messages name the allowed values and echo the given value escaped
(``shown``), never raw: config text may hold terminal escape sequences.
"""
from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import re
import typing
from dataclasses import field
from typing import Any, Callable, Optional

Check = Callable[[Any], Optional[str]]

# Limits for values whose field declares none: far beyond any sensible
# setting, small enough that no arithmetic on them overflows.
NUMBER_LIMIT = 10**9
TEXT_LIMIT = 4096
ITEMS_LIMIT = 100

# The C0 and C1 control characters (Unicode category Cc: NUL, ESC, newline...),
# and what breaks or reorders a line as they do: the Unicode line/paragraph
# separators, the bidirectional overrides and isolates, lone surrogates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def shown(value: Any, limit: int = 60) -> str:
    """A value as it may be echoed to a terminal: repr-style escaped, cut to ``limit``."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"a number of {len(str(abs(value)))} digits"
    text = ascii(value) if isinstance(value, str) else repr(value)  # repr escapes the strings inside lists
    return text if len(text) <= limit else text[:limit - 3] + "..."


def control_character(text: str) -> Optional[tuple[int, str]]:
    """(position, character) of the first control character in ``text``, or None."""
    m = _CONTROL.search(text)
    return (m.start(), m.group()) if m else None


def text_problem(text: str, limit: int = TEXT_LIMIT) -> Optional[str]:
    """Why ``text`` cannot be shown or printed, or None."""
    bad = control_character(text)
    if bad:
        return (f"must be plain text without control characters; found {shown(bad[1])} at position {bad[0] + 1} "
                f"in {shown(text)}")
    if len(text) > limit:
        return f"must be at most {limit} characters long, not {len(text)}"
    return None


class Between:
    """A number check that declares the field's range (both ends included).

    ``explain(value)``, when given, words the refusal for values of a
    sensible size (e.g. "GPIO 40 does not exist ..."); absurd values always
    get the plain range message.
    """

    def __init__(self, low: float, high: float, explain: Optional[Callable[[Any], str]] = None):
        self.low, self.high, self.explain = low, high, explain

    def __call__(self, value: Any) -> Optional[str]:
        if self.low <= value <= self.high:  # false for nan and inf
            return None
        if self.explain and abs(value) <= NUMBER_LIMIT:
            return self.explain(value)
        return self.message(value)

    def message(self, value: Any) -> str:
        kind = "a number" if isinstance(self.low, float) or isinstance(self.high, float) else "a whole number"
        return f"must be {kind} from {_num(self.low)} to {_num(self.high)}, not {shown(value)}"

    def __repr__(self) -> str:
        return f"Between({self.low!r}, {self.high!r})"


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def between(low: float, high: float, explain: Optional[Callable[[Any], str]] = None) -> Between:
    """Declare a number field's range: ``_f(10.0, "doc", between(1.0, 300.0))``.

    Use float ends for float fields (the message then says "a number").
    """
    return Between(low, high, explain)


class OneOf:
    """A check that declares the only allowed values (also a range, for numbers)."""

    def __init__(self, *choices: Any):
        self.choices = choices

    def __call__(self, value: Any) -> Optional[str]:
        if value in self.choices and type(value) in {type(c) for c in self.choices}:
            return None
        return f"must be one of {', '.join(map(repr, self.choices))}, not {shown(value)}"


def one_of(*choices: Any) -> OneOf:
    """Declare a field's allowed values: ``_f("auto", "doc", one_of("auto", "native"))``."""
    return OneOf(*choices)


def declared_range(f: dataclasses.Field) -> Optional[Between]:
    """The Between a schema field declares as its check, if any."""
    check = f.metadata.get("check")
    return check if isinstance(check, Between) else None


def declares_values(f: dataclasses.Field) -> bool:
    """Whether a field's check declares its allowed values (a range or a list)."""
    return isinstance(f.metadata.get("check"), (Between, OneOf))


def setting(default: Any, doc: str, check: Optional[Check] = None, *, element: Optional[type] = None,
            kind: Optional[str] = None, **kw: Any) -> Any:
    """A schema field: its default, its one-line description, an optional check.

    ``check(value)`` returns an error message or None; for numbers pass
    ``between(low, high)``. ``element``: the dataclass of each table of a
    tuple field (``[[services]]`` -> Service). ``kind``: "file", "dir" or
    "writable_dir" for a path the machine must have (kiosk.services.config_probe).
    """
    if kind not in (None, "file", "dir", "writable_dir"):
        raise ValueError(f"kind must be 'file', 'dir' or 'writable_dir', not {kind!r}")
    meta = {"doc": doc, "check": check, "element": element, "kind": kind}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta, **kw)
    return field(default=default, metadata=meta, **kw)


# --- times and sessions ------------------------------------------------------

_TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_hhmm(text: str) -> int:
    """'08:30' or '08.30' -> minutes after midnight."""
    m = _TIME_RE.match(text.strip()) if text.isascii() else None
    if not m:
        raise ValueError(f"{shown(text)} is not a time like 08:30")
    return int(m.group(1)) * 60 + int(m.group(2))


def parse_session(text: str) -> tuple[int, int]:
    """'08:00-11:00' -> (480, 660). An end of 24:00 means until midnight."""
    try:
        start, end = text.split("-")
        a = parse_hhmm(start)
        b = 24 * 60 if end.strip() in ("24:00", "24.00") else parse_hhmm(end)
    except ValueError:
        raise ValueError(f"{shown(text)} is not a session like 08:00-11:00") from None
    if b <= a:
        raise ValueError(f"session {shown(text)} ends before it starts")
    return a, b


def time_of_day(v: str) -> Optional[str]:
    try:
        parse_hhmm(v)
    except ValueError as e:
        return str(e)
    return None


def sessions(v: list) -> Optional[str]:
    """A weekday's sessions: each well formed, none repeated or overlapping another."""
    problems, parsed = [], []
    for text in v:
        try:
            parsed.append((parse_session(text), text))
        except ValueError as e:
            problems.append(str(e))
    parsed.sort()
    for (a, first), (b, second) in zip(parsed, parsed[1:]):
        if a == b:
            problems.append(f"session {shown(first)} is listed twice")
        elif b[0] < a[1]:
            problems.append(f"sessions {shown(first)} and {shown(second)} overlap; "
                            "sessions of a day must not overlap (one may start when another ends)")
    return "; ".join(problems) or None


def timezone(v: str) -> Optional[str]:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(v)
    except Exception:  # ValueError, ZoneInfoNotFoundError, IsADirectoryError... all mean "not a zone"
        return f"unknown timezone {shown(v)} (for example Asia/Jakarta, Asia/Makassar, Asia/Jayapura)"
    return None


# --- building dataclasses from TOML ------------------------------------------

_BAD = object()


def _type_name(t: Any) -> str:
    return {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
            list: "a list", dict: "a table"}.get(t, getattr(t, "__name__", str(t)))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@functools.lru_cache(maxsize=None)
def type_hints(cls: Any) -> dict[str, Any]:
    """The resolved annotations of a schema class (resolving them is slow: once per class)."""
    return typing.get_type_hints(cls)


@functools.lru_cache(maxsize=None)
def _schema(cls: Any) -> dict[str, tuple[dataclasses.Field, Any]]:
    """{name: (field, type)} of a schema class, Optional[X] read as X."""
    out = {}
    for f in dataclasses.fields(cls):
        hint = type_hints(cls)[f.name]
        if typing.get_origin(hint) is typing.Union:  # Optional[int]
            hint = [a for a in typing.get_args(hint) if a is not type(None)][0]
        out[f.name] = (f, hint)
    return out


def build(cls: Any, data: Any, path: str, problems: list[str]) -> Any:
    """Build dataclass ``cls`` from TOML ``data``, appending every problem found
    as "key.path: message". A bad value leaves the field at its default."""
    if not isinstance(data, dict):
        problems.append(f"{path or 'config'}: must be a table, not {shown(data)}")
        return cls()
    fields = _schema(cls)
    for key in data:
        if key not in fields:
            near = difflib.get_close_matches(key, list(fields), n=1)
            hint = f". Did you mean '{near[0]}'?" if near else f" (valid: {', '.join(fields)})"
            problems.append(f"{_join(path, shown(key)[1:-1])}: unknown key {shown(key)}{hint}")
    values = {}
    for name, (f, hint) in fields.items():
        if name in data:
            values[name] = _value(hint, data[name], _join(path, name), problems, f)
    return cls(**{k: v for k, v in values.items() if v is not _BAD})


def _value(hint: Any, raw: Any, path: str, problems: list[str], f: dataclasses.Field) -> Any:
    if dataclasses.is_dataclass(hint):
        return build(hint, raw, path, problems)
    if hint is tuple:
        element = f.metadata.get("element")
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            problems.append(f"{path}: must be a list of tables ([[{path.rsplit('.', 1)[-1]}]])")
            return _BAD
        if len(raw) > ITEMS_LIMIT:
            problems.append(f"{path}: at most {ITEMS_LIMIT} tables, not {len(raw)}")
            return _BAD
        return tuple(build(element, item, f"{path}[{i}]", problems) for i, item in enumerate(raw))
    check = f.metadata.get("check")
    message = _generic_problem(hint, raw, declared_range(f))
    if message is None:
        if hint is float and not isinstance(raw, float):
            raw = float(raw)  # an int within the range: no overflow
        if check and not isinstance(check, Between):
            message = check(raw)
    if message:
        problems.append(f"{path}: {message}")
        return _BAD
    return raw


def _generic_problem(hint: Any, raw: Any, declared: Optional[Between]) -> Optional[str]:
    """The limits every value of a type obeys: numbers within the field's
    declared range (else within NUMBER_LIMIT), plain text, bounded lists."""
    is_int = isinstance(raw, int) and not isinstance(raw, bool)
    if not (isinstance(raw, hint) and not (hint is int and isinstance(raw, bool))) and not (hint is float and is_int):
        return f"must be {_type_name(hint)}, not {shown(raw)}"
    if hint in (int, float):
        if declared is not None:
            return declared(raw)
        if (isinstance(raw, float) and not math.isfinite(raw)) or abs(raw) > NUMBER_LIMIT:
            return f"must be a finite number from {-NUMBER_LIMIT} to {NUMBER_LIMIT}, not {shown(raw)}"
        return None
    if hint is str:
        return text_problem(raw)
    if hint is list:
        if len(raw) > ITEMS_LIMIT:
            return f"must list at most {ITEMS_LIMIT} items, not {len(raw)}"
        for i, item in enumerate(raw):
            if not isinstance(item, str):
                return f"must be a list of strings; item {i + 1} is {shown(item)}"
            problem = text_problem(item)
            if problem:
                return f"item {i + 1} {problem}"
    if hint is dict:
        if len(raw) > ITEMS_LIMIT:
            return f"must have at most {ITEMS_LIMIT} keys, not {len(raw)}"
        for key, item in raw.items():
            for text in (key, item) if isinstance(item, str) else (key,):
                problem = text_problem(text)
                if problem:
                    return f"key {shown(key)}: {problem}"
    return None
