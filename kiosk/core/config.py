"""Configuration: one typed schema, layered TOML, every problem reported at once.

The dataclasses below *are* the schema: each field carries its default and a
one-line description (``doc``). config/kiosk.example.toml documents every key
and a test keeps it in step with these classes.

Layers: the defaults here, then one TOML file chosen by ``--config PATH``, else
``$PTSP_KIOSK_CONFIG``, else /etc/ptsp-kiosk/kiosk.toml.
"""
from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from kiosk.core.errors import ConfigError

SYSTEM_CONFIG = Path("/etc/ptsp-kiosk/kiosk.toml")


def preset(name):
    """A file of config/ (demo.toml, kiosk.example.toml): from the source tree,
    else from the installed package (setup.py ships config/ as kiosk.presets)."""
    source = Path(__file__).resolve().parents[2] / "config" / name
    if source.exists():
        return source
    from importlib.resources import files

    return Path(str(files("kiosk.presets").joinpath(name)))


DEMO_CONFIG = preset("demo.toml")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LANGUAGES = ("id", "en")
# BCM numbers of the 40-pin header (GPIO 0 and 1 are the HAT EEPROM pins).
VALID_PINS = range(2, 28)
# The Pi's primary UART: unavailable for buttons when the printer uses it.
UART_PINS = (14, 15)
UART_DEVICES = ("/dev/serial0", "/dev/ttyAMA0", "/dev/ttyS0")
# The I2C pins carry fixed pull-ups on every Pi: buttons there must be active low.
FIXED_PULL_UP_PINS = (2, 3)
_BUTTON_KEYS = (".button_pin", ".call_pin", ".skip_pin")


def _f(default, doc, check=None, **kw):
    """A schema field: its default, its description, an optional check.

    ``check(value)`` returns an error message or None.
    """
    meta = {"doc": doc, "check": check}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta, **kw)
    return field(default=default, metadata=meta, **kw)


def _one_of(*choices):
    return lambda v: None if v in choices else f"must be one of {', '.join(map(repr, choices))}"


def _positive(v):
    return None if v > 0 else "must be greater than 0"


def _not_negative(v):
    return None if v >= 0 else "must be 0 or more"


def _pin(v):
    if v is None or v in VALID_PINS:
        return None
    return f"GPIO {v} does not exist on the 40-pin header (use BCM numbers 2-27)"


_TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_hhmm(text):
    """'08:30' or '08.30' -> minutes after midnight."""
    m = _TIME_RE.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a time like 08:30")
    return int(m.group(1)) * 60 + int(m.group(2))


def parse_session(text):
    """'08:00-11:00' -> (480, 660). An end of 24:00 means until midnight."""
    try:
        start, end = text.split("-")
        a = parse_hhmm(start)
        b = 24 * 60 if end.strip() in ("24:00", "24.00") else parse_hhmm(end)
    except ValueError:
        raise ValueError(f"{text!r} is not a session like 08:00-11:00") from None
    if b <= a:
        raise ValueError(f"session {text!r} ends before it starts")
    return a, b


def _time(v):
    try:
        parse_hhmm(v)
    except ValueError as e:
        return str(e)
    return None


def _sessions(v):
    problems = []
    for text in v:
        try:
            parse_session(text)
        except ValueError as e:
            problems.append(str(e))
    return "; ".join(problems) or None


def _timezone(v):
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(v)
    except Exception:
        return f"unknown timezone {v!r} (for example Asia/Jakarta, Asia/Makassar, Asia/Jayapura)"
    return None


def _prefix(v):
    return None if re.fullmatch(r"[A-Z]", v) else "must be one capital letter A-Z"


@dataclass(frozen=True)
class Device:
    id: str = _f("ptsp-kiosk", "Unique id of this kiosk, sent upstream with every event.",
                 lambda v: None if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", v) else
                 "use 1-64 letters, digits, dot, dash or underscore")
    institution: str = _f("Rutan Kelas IIB", "Institution name printed on tickets and shown on screen.")
    address: str = _f("", "Address line printed under the institution name (may be empty).")
    timezone: str = _f("Asia/Jakarta", "IANA timezone for opening hours and the business day.", _timezone)
    language: str = _f("id", "Language of the screen and tickets: id (Indonesian) or en.", _one_of(*LANGUAGES))
    business_day_start: str = _f("03:00", "Local time at which a new business day (numbering) starts.", _time)


@dataclass(frozen=True)
class Storage:
    database: str = _f("/var/lib/ptsp-kiosk/kiosk.db", "Path of the SQLite database (tickets and event log).")


@dataclass(frozen=True)
class Hours:
    """Opening sessions per weekday, e.g. mon = ["08:00-11:00", "13:00-14:00"].

    A weekday that is missing or empty is closed all day.
    """

    mon: list = _f([], "Monday sessions.", _sessions)
    tue: list = _f([], "Tuesday sessions.", _sessions)
    wed: list = _f([], "Wednesday sessions.", _sessions)
    thu: list = _f([], "Thursday sessions.", _sessions)
    fri: list = _f([], "Friday sessions.", _sessions)
    sat: list = _f([], "Saturday sessions.", _sessions)
    sun: list = _f([], "Sunday sessions.", _sessions)

    def sessions(self, weekday):
        """Sessions of a weekday (0 = Monday) as sorted (start, end) minutes."""
        return sorted(parse_session(s) for s in getattr(self, WEEKDAYS[weekday]))


ALWAYS_OPEN = Hours(**{d: ["00:00-24:00"] for d in WEEKDAYS})


@dataclass(frozen=True)
class Service:
    code: str = _f("", "Short id used in logs, the command line and sync (e.g. kunjungan).",
                   lambda v: None if re.fullmatch(r"[a-z0-9_-]{1,32}", v) else
                   "use 1-32 lowercase letters, digits, dash or underscore")
    prefix: str = _f("A", "Letter in front of the number on the ticket (A-012).", _prefix)
    name: dict = _f({}, "Name per language, e.g. {id = \"Layanan Kunjungan\", en = \"Visits\"}.")
    number_start: int = _f(1, "First ticket number of the day.", _positive)
    number_end: int = _f(999, "Last number; numbering wraps to number_start after it.", _positive)
    quota: int = _f(0, "Tickets per business day; 0 means no limit.", _not_negative)
    priority: bool = _f(True, "Whether a PRIORITAS ticket can be taken for this service.")
    service_minutes: float = _f(5.0, "Assumed minutes per visitor until there is history.", _positive)
    enabled: bool = _f(True, "false closes the service (shown disabled) without removing it.")
    button_pin: Optional[int] = _f(None, "GPIO (BCM) of this service's visitor button; none if omitted.", _pin)
    led_pin: Optional[int] = _f(None, "GPIO (BCM) of the light in that button; none if omitted.", _pin)
    hours: Hours = _f(ALWAYS_OPEN, "Opening hours; see [services.hours].")

    def display_name(self, language):
        return self.name.get(language) or self.name.get("id") or self.code


@dataclass(frozen=True)
class Counter:
    number: int = _f(1, "Counter (loket) number, called out in announcements.", _positive)
    name: str = _f("", "Name shown on screen; default \"Loket N\".")
    services: list = _f([], "Codes of the services this counter serves.")
    call_pin: Optional[int] = _f(None, "GPIO (BCM) of the call button (short: call next, long: call again).", _pin)
    skip_pin: Optional[int] = _f(None, "GPIO (BCM) of an optional skip (no-show) button.", _pin)


@dataclass(frozen=True)
class Queue:
    priority_policy: str = _f("interleave", "strict: priority tickets always first; interleave: "
                              "one priority ticket after every priority_every normal ones.",
                              _one_of("strict", "interleave"))
    priority_every: int = _f(2, "With interleave: normal tickets called per priority ticket.", _positive)
    estimate_window: int = _f(10, "How many recent services the wait estimate averages.", _positive)


@dataclass(frozen=True)
class Printer:
    type: str = _f("preview", "usb | serial | network | file | preview | dummy (in memory, prints nothing).",
                   _one_of("usb", "serial", "network", "file", "preview", "dummy"))
    profile: str = _f("POS-5890", "python-escpos capability profile (e.g. POS-5890, TM-T88V, default).")
    paper_width: int = _f(58, "Paper width in mm: 58 (32 columns) or 80 (48 columns).", _one_of(58, 80))
    usb_vendor_id: int = _f(0x0416, "usb: vendor id (lsusb shows it as 0416:5011).")
    usb_product_id: int = _f(0x5011, "usb: product id.")
    serial_device: str = _f("/dev/ttyUSB0", "serial: device path.")
    baudrate: int = _f(9600, "serial: baud rate.", _one_of(9600, 19200, 38400, 57600, 115200))
    flow_control: str = _f("none", "serial: none | rtscts | xonxoff.", _one_of("none", "rtscts", "xonxoff"))
    host: str = _f("", "network: printer host name or address.")
    port: int = _f(9100, "network: raw TCP port.", _positive)
    path: str = _f("/dev/usb/lp0", "file: device or file that ticket bytes are appended to.")
    preview_dir: str = _f("", "preview: folder for PNG tickets (default: a 'tickets' folder beside the database).")
    timeout: float = _f(10.0, "Seconds a ticket may take to print before it is given up (void).", _positive)
    qr: bool = _f(True, "Print a QR code with the ticket id.")
    qr_mode: str = _f("auto", "auto: the printer draws the QR itself where the profile has native QR, else a "
                      "compact image; native | raster force one way.", _one_of("auto", "native", "raster"))
    feed_lines: int = _f(3, "Blank lines fed after a ticket so it clears the tear bar or reaches the cutter.",
                         lambda v: None if 0 <= v <= 20 else "must be 0-20")
    logo: str = _f("", "Path of a small logo image printed at the top (empty: none).")
    footer: list = _f(["Terima kasih atas kunjungan Anda", "Tiket hanya berlaku hari ini"],
                      "Footer lines printed at the bottom of every ticket.")
    status_interval: float = _f(5.0, "Seconds between printer status reads (usb, serial, network).", _positive)
    roll_length: float = _f(0.0, "Paper roll length in metres for the roll counter; 0 disables it.", _not_negative)
    roll_warn: float = _f(2.0, "Warn when fewer metres than this remain on the roll.", _not_negative)


@dataclass(frozen=True)
class Buttons:
    pin_factory: str = _f("", "gpiozero pin factory: lgpio, rpigpio, pigpio, native, mock; empty: automatic.",
                          _one_of("", "lgpio", "rpigpio", "pigpio", "native", "mock"))
    active_low: bool = _f(True, "Buttons connect the pin to ground (internal pull-up).")
    bounce_time: float = _f(0.05, "Seconds of contact bounce to ignore.", _not_negative)
    visitor_interval: float = _f(3.0, "Seconds after a ticket during which the same service button issues nothing.",
                                 _not_negative)
    counter_interval: float = _f(1.5, "Seconds after a call during which the same counter button calls nothing.",
                                 _not_negative)
    hold_time: float = _f(1.5, "Seconds a counter button is held to call the current number again.", _positive)
    buzzer_pin: Optional[int] = _f(None, "GPIO (BCM) of an optional buzzer.", _pin)
    status_led_pin: Optional[int] = _f(None, "GPIO (BCM) of an optional kiosk status light.", _pin)


@dataclass(frozen=True)
class Display:
    fullscreen: bool = _f(True, "Fullscreen (run); the demo is always windowed.")
    width: int = _f(1024, "Window size when not fullscreen.", _positive)
    height: int = _f(600, "Window size when not fullscreen.", _positive)
    ticket_seconds: float = _f(6.0, "Seconds the 'your number' screen stays.", _positive)
    highlight_seconds: float = _f(8.0, "Seconds a new call stays highlighted.", _positive)
    font: str = _f("", "Path of a TTF font; empty: DejaVu Sans if installed, else pygame's own.")
    logo: str = _f("", "Path of a logo image for the home screen (empty: none).")
    admin_keys: str = _f("ctrl+alt+q", "Key combination that ends the app (no quit key for visitors).")
    announce: bool = _f(True, "Chime and spoken announcement on each call.")
    voice: str = _f("espeak-ng", "Speech program for announcements: espeak-ng or none.", _one_of("espeak-ng", "none"))


@dataclass(frozen=True)
class Sync:
    enabled: bool = _f(False, "Send events upstream.")
    url: str = _f("", "Receiver endpoint, e.g. https://ptsp.example.go.id/api/v1/events.")
    token_file: str = _f("/etc/ptsp-kiosk/token", "File holding the bearer token (mode 600).")
    ca_file: str = _f("", "Custom CA bundle for the receiver's TLS certificate (empty: system CAs).")
    interval: float = _f(15.0, "Seconds between outbox checks when idle.", _positive)
    batch_size: int = _f(200, "Events per request.", _positive)
    timeout: float = _f(10.0, "Seconds per request.", _positive)
    backoff_start: float = _f(2.0, "Wait after the first failed attempt, in seconds; doubles per failure.",
                              _positive)
    backoff_max: float = _f(300.0, "Longest wait between retries, in seconds.", _positive)
    heartbeat: float = _f(300.0, "Seconds between heartbeats.", _positive)
    retention_days: int = _f(60, "Days acknowledged events are kept locally; unsent ones are never pruned.",
                             _positive)


@dataclass(frozen=True)
class Config:
    device: Device = _f(Device(), "This kiosk and its institution.")
    storage: Storage = _f(Storage(), "Where tickets and events are kept.")
    queue: Queue = _f(Queue(), "Priority policy and wait estimates.")
    services: tuple = _f((), "The services visitors can take a ticket for ([[services]]).")
    counters: tuple = _f((), "The counters (loket) that call tickets ([[counters]]).")
    printer: Printer = _f(Printer(), "The ticket printer.")
    buttons: Buttons = _f(Buttons(), "Physical buttons and lights (gpiozero).")
    display: Display = _f(Display(), "The touch screen.")
    sync: Sync = _f(Sync(), "Upstream sync of events.")

    # Lookups used all over; kept here so callers never scan lists by hand.
    def service(self, code):
        """The service with this code (or prefix letter); UnknownName otherwise."""
        from kiosk.core.errors import UnknownName

        for s in self.services:
            if s.code == code or s.prefix == code.upper():
                return s
        known = ", ".join(f"{s.code} ({s.prefix})" for s in self.services)
        raise UnknownName(f"unknown service {code!r}; known: {known}")

    def counter(self, number):
        """The counter with this number; UnknownName otherwise."""
        from kiosk.core.errors import UnknownName

        for c in self.counters:
            if str(c.number) == str(number):
                return c
        known = ", ".join(str(c.number) for c in self.counters)
        raise UnknownName(f"unknown counter {number!r}; known: {known}")

    def counter_name(self, counter):
        return counter.name or f"Loket {counter.number}"

    def counters_for(self, service_code):
        return [c for c in self.counters if service_code in c.services]


# Element types of the list/tuple fields that hold tables or strings.
_ELEMENT_TYPES = {(Config, "services"): Service, (Config, "counters"): Counter}


def _type_name(t):
    return {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
            list: "a list", dict: "a table"}.get(t, getattr(t, "__name__", str(t)))


def _build(cls, data, path, problems):
    """Build dataclass ``cls`` from TOML ``data``, appending every problem found."""
    if not isinstance(data, dict):
        problems.append(f"{path or 'config'}: must be a table")
        return cls()
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields:
            near = difflib.get_close_matches(key, list(fields), n=1)
            hint = f". Did you mean '{near[0]}'?" if near else f" (valid: {', '.join(fields)})"
            problems.append(f"{_join(path, key)}: unknown key '{key}'{hint}")
    values = {}
    for name, f in fields.items():
        if name not in data:
            continue
        values[name] = _value(cls, name, hints[name], data[name], _join(path, name), problems, f)
    try:
        return cls(**{k: v for k, v in values.items() if v is not _BAD})
    except TypeError as e:  # pragma: no cover - guarded by the checks above
        problems.append(f"{path}: {e}")
        return cls()


_BAD = object()


def _value(owner, name, hint, raw, path, problems, f):
    origin = typing.get_origin(hint)
    if origin is typing.Union:  # Optional[int]
        hint = [a for a in typing.get_args(hint) if a is not type(None)][0]
    if dataclasses.is_dataclass(hint):
        return _build(hint, raw, path, problems)
    if hint is tuple:
        element = _ELEMENT_TYPES[(owner, name)]
        if not isinstance(raw, list):
            problems.append(f"{path}: must be a list of tables ([[{name}]])")
            return _BAD
        return tuple(_build(element, item, f"{path}[{i}]", problems) for i, item in enumerate(raw))
    ok = isinstance(raw, hint) and not (hint is int and isinstance(raw, bool))
    if hint is float and isinstance(raw, int) and not isinstance(raw, bool):
        raw, ok = float(raw), True
    if not ok:
        problems.append(f"{path}: must be {_type_name(hint)}, not {raw!r}")
        return _BAD
    if hint is list and not all(isinstance(x, str) for x in raw):
        problems.append(f"{path}: must be a list of strings")
        return _BAD
    check = f.metadata.get("check")
    message = check(raw) if check else None
    if message:
        problems.append(f"{path}: {message}")
        return _BAD
    return raw


def _join(path, key):
    return f"{path}.{key}" if path else key


def _cross_check(cfg, problems):
    """Rules that span several keys."""
    seen_codes, seen_prefixes = {}, {}
    for i, s in enumerate(cfg.services):
        p = f"services[{i}]"
        if not s.code:
            problems.append(f"{p}.code: missing")
        if s.code in seen_codes:
            problems.append(f"{p}.code: '{s.code}' is already used by services[{seen_codes[s.code]}]")
        seen_codes.setdefault(s.code, i)
        if s.prefix in seen_prefixes:
            problems.append(f"{p}.prefix: '{s.prefix}' is already used by services[{seen_prefixes[s.prefix]}]")
        seen_prefixes.setdefault(s.prefix, i)
        if not s.name.get("id"):
            problems.append(f"{p}.name: needs at least an Indonesian name (id = \"...\")")
        for lang in s.name:
            if lang not in LANGUAGES or not isinstance(s.name[lang], str):
                problems.append(f"{p}.name.{lang}: use id or en with a string")
        if s.number_end < s.number_start:
            problems.append(f"{p}.number_end: must not be below number_start ({s.number_start})")
        if s.number_end > 9999:
            problems.append(f"{p}.number_end: at most 9999 (four digits on the ticket)")
    seen_counters = {}
    for i, c in enumerate(cfg.counters):
        p = f"counters[{i}]"
        if c.number in seen_counters:
            problems.append(f"{p}.number: {c.number} is already used by counters[{seen_counters[c.number]}]")
        seen_counters.setdefault(c.number, i)
        if not c.services:
            problems.append(f"{p}.services: a counter must serve at least one service")
        for code in c.services:
            if code not in seen_codes:
                near = difflib.get_close_matches(code, list(seen_codes), n=1)
                hint = f". Did you mean '{near[0]}'?" if near else ""
                problems.append(f"{p}.services: unknown service '{code}'{hint}")
    if cfg.services and not cfg.counters:
        problems.append("counters: at least one counter is needed to call tickets")
    for i, s in enumerate(cfg.services):
        if cfg.counters and not cfg.counters_for(s.code):
            problems.append(f"services[{i}]: no counter serves '{s.code}'; its tickets would never be called")
    _check_pins(cfg, problems)
    if cfg.sync.enabled and not cfg.sync.url.startswith(("https://", "http://")):
        problems.append("sync.url: must start with https:// when sync is enabled")


def pin_uses(cfg):
    """Every configured GPIO pin as (key path, pin)."""
    uses = []
    for i, s in enumerate(cfg.services):
        uses += [(f"services[{i}].button_pin", s.button_pin), (f"services[{i}].led_pin", s.led_pin)]
    for i, c in enumerate(cfg.counters):
        uses += [(f"counters[{i}].call_pin", c.call_pin), (f"counters[{i}].skip_pin", c.skip_pin)]
    uses += [("buttons.buzzer_pin", cfg.buttons.buzzer_pin), ("buttons.status_led_pin", cfg.buttons.status_led_pin)]
    return [(path, pin) for path, pin in uses if pin is not None]


def _check_pins(cfg, problems):
    owner = {}
    uart = cfg.printer.type == "serial" and cfg.printer.serial_device in UART_DEVICES
    for path, pin in pin_uses(cfg):
        if pin in owner:
            problems.append(f"{path}: GPIO {pin} is already used by {owner[pin]}")
        else:
            owner[pin] = path
        if uart and pin in UART_PINS:
            problems.append(f"{path}: GPIO {pin} is the UART the printer uses ({cfg.printer.serial_device})")
        # GPIO 2/3 (I2C) have fixed 1k8 pull-ups: an active-high button there never reads "released".
        if not cfg.buttons.active_low and pin in FIXED_PULL_UP_PINS and path.endswith(_BUTTON_KEYS):
            problems.append(f"{path}: GPIO {pin} has a fixed pull-up resistor, so it cannot take a button "
                            "with buttons.active_low = false; use another pin")


def from_dict(data, source="config"):
    """Validate a parsed TOML document and return a Config, or raise ConfigError
    listing every problem."""
    problems = []
    cfg = _build(Config, data, "", problems)
    if not problems:
        _cross_check(cfg, problems)
    if problems:
        raise ConfigError([f"{source}: {p}" for p in problems])
    return cfg


def resolve_path(path=None):
    """The config file to use: the argument, $PTSP_KIOSK_CONFIG, or /etc."""
    if path:
        return Path(path)
    env = os.environ.get("PTSP_KIOSK_CONFIG")
    return Path(env) if env else SYSTEM_CONFIG


def load(path=None):
    """Load and validate the config file; ConfigError on any problem."""
    p = resolve_path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{p}: no such config file (see config/kiosk.example.toml)"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([f"{p}: cannot read: {e}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([f"{p}: not valid TOML: {e}"]) from None
    cfg = from_dict(data, str(p))
    if not cfg.services:
        raise ConfigError([f"{p}: services: at least one [[services]] is needed"])
    return cfg


def load_demo(database=None):
    """The bundled demo config, with the database moved to a writable place."""
    cfg = load(DEMO_CONFIG)
    if database:
        cfg = dataclasses.replace(cfg, storage=dataclasses.replace(cfg.storage, database=str(database)))
    return cfg


def schema_fields(cls=Config, prefix=""):
    """Every key of the schema as (dotted path, default, doc); for the example check."""
    out = []
    for f in dataclasses.fields(cls):
        hint = typing.get_type_hints(cls)[f.name]
        path = _join(prefix, f.name)
        if dataclasses.is_dataclass(hint):
            out += schema_fields(hint, path)
        elif hint is tuple:
            out += schema_fields(_ELEMENT_TYPES[(cls, f.name)], path)
        else:
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            out.append((path, default, f.metadata.get("doc", "")))
    return out
