"""Configuration: one typed schema, layered TOML, every problem reported at once.

The dataclasses below *are* the schema: each field carries its default and a
one-line description (``doc``). config/kiosk.example.toml documents every key
and a test keeps it in step with these classes.

Layers: the defaults here, then one TOML file chosen by ``--config PATH``, else
``$PTSP_KIOSK_CONFIG``, else /etc/ptsp-kiosk/kiosk.toml.

How to declare a field (and its range)
--------------------------------------
    timeout: float = _f(10.0, "Seconds per request.", _between(1.0, 300.0))
    port: int = _f(9100, "network: raw TCP port.", _between(1, 65535))
    mode: str = _f("auto", "auto | native | raster.", _one_of("auto", "native", "raster"))

- Every int/float field passes ``_between(low, high)`` (ends included) as its
  check: a value outside it, inf, nan or 2**63 is refused with "must be a
  number from LOW to HIGH, not X". Use float ends for float fields. A number
  without a declared range gets +-10**9 and fails tests/core/test_config_limits.py.
- Every str (and list of str, and table of str) is checked for you: no control
  characters (NUL, ESC, ...), at most 4096 characters, at most 100 items. Add
  your own check for anything stricter (a pattern, a shorter length).
- A check is any ``f(value) -> message or None``; it only sees values of the
  right type and size. Echo the value with ``shown(value)`` (escaped, cut).
- A path the kiosk needs: ``_f("", "doc", kind="file")`` ("file", "dir" or
  "writable_dir"); check-config and run then check it exists (when not empty).
- Rules across keys go into kiosk/core/config_rules.py; checks that need the
  machine (files, devices) into kiosk/services/config_probe.py.
- A tuple of tables (``[[services]]``) names its dataclass: ``_f((), "...", element=Service)``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from kiosk.core.config_checks import Between, between, one_of, parse_hhmm, parse_session, sessions, setting, shown
from kiosk.core.config_checks import time_of_day, timezone
from kiosk.core.config_rules import LANGUAGES, pin_uses
from kiosk.core.staff_pin import hash_problem

__all__ = ["Config", "load", "from_dict", "resolve_path", "load_demo", "schema_fields", "parse_hhmm",
           "parse_session", "pin_uses", "LANGUAGES", "WEEKDAYS", "shown"]

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
# BCM numbers of the 40-pin header (GPIO 0 and 1 are the HAT EEPROM pins).
VALID_PINS = range(2, 28)

# The field helpers (see "How to declare a field" above).
_f = setting
_between = between
_one_of = one_of
_time = time_of_day
_sessions = sessions
_timezone = timezone


def _pin_explained(v):
    return f"GPIO {v} does not exist on the 40-pin header (use BCM numbers 2-27)"


_pin = Between(VALID_PINS.start, VALID_PINS.stop - 1, _pin_explained)


def _qr_url(v):
    if len(v) > 200:  # a longer address makes a QR code too dense for 58 mm paper
        return f"at most 200 characters, not {len(v)}"
    if v == "" or re.fullmatch(r"https?://\S+", v):
        return None
    return f"must be an address starting with https:// (or http://), without spaces, not {shown(v)}"


_MODIFIERS = ("ctrl", "alt", "shift", "meta", "control", "strg", "option", "super", "win")
_KEY_NAMES = re.compile(r"[a-z0-9]|f([1-9]|1[0-2])|escape|delete|backspace|insert|home|end|pause|tab|space|return")


def _admin_keys(v):
    # A combination no pygame key press can match would leave no way to end the app.
    parts = [p.strip().lower() for p in v.split("+")]
    if v.strip() and (len(parts) < 2 or not all(p in _MODIFIERS for p in parts[:-1])
                      or not _KEY_NAMES.fullmatch(parts[-1])):
        return (f"must be modifiers and one key, e.g. ctrl+alt+q (modifiers: ctrl, alt, shift, meta; "
                f"key: a letter, digit, f1-f12 or escape), not {shown(v)}")
    return None


def _file_path(v):
    # ":memory:" would keep every ticket in RAM only: lost at the next restart.
    if not v.strip() or v == ":memory:" or v.endswith("/"):
        return f"must be the path of a file, e.g. /var/lib/ptsp-kiosk/kiosk.db, not {shown(v)}"
    return None


def _prefix(v):
    return None if re.fullmatch(r"[A-Z]", v) else f"must be one capital letter A-Z, not {shown(v)}"


def _usb_explained(v):
    return f"must be a USB id from 0x0000 to 0xFFFF (lsusb shows vendor:product as 0416:5011), not {v:#x}"


_usb_id = Between(0, 0xFFFF, _usb_explained)


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
    database: str = _f("/var/lib/ptsp-kiosk/kiosk.db", "Path of the SQLite database (tickets and event log).",
                       _file_path)


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
    number_start: int = _f(1, "First ticket number of the day.", _between(1, 9999))
    number_end: int = _f(999, "Last number; numbering wraps to number_start after it.", _between(1, 9999))
    quota: int = _f(0, "Tickets per business day; 0 means no limit.", _between(0, 9999))
    priority: bool = _f(True, "Whether a PRIORITAS ticket can be taken for this service.")
    service_minutes: float = _f(5.0, "Assumed minutes per visitor until there is history.",
                                _between(0.1, 480.0))
    enabled: bool = _f(True, "false closes the service (shown disabled) without removing it.")
    button_pin: Optional[int] = _f(None, "GPIO (BCM) of this service's visitor button; none if omitted.", _pin)
    led_pin: Optional[int] = _f(None, "GPIO (BCM) of the light in that button; none if omitted.", _pin)
    hours: Hours = _f(ALWAYS_OPEN, "Opening hours; see [services.hours].")

    def display_name(self, language):
        return self.name.get(language) or self.name.get("id") or self.code


def _pin_hash(v):
    # The format of kiosk.core.staff_pin.hash_pin; checked here so a pasted
    # fragment is named at start-up instead of refusing every login.
    # Parsed like a login does, so a hash that could never log in (or would cost
    # hundreds of MiB per try) is also refused here.
    return hash_problem(v)


@dataclass(frozen=True)
class Counter:
    number: int = _f(1, "Counter (loket) number, called out in announcements.", _between(1, 99))
    name: str = _f("", "Name shown on screen; default \"Loket N\".")
    name_en: str = _f("", "English name; default \"Counter N\" (or name, when it is not \"Loket N\").")
    services: list = _f([], "Codes of the services this counter serves.")
    call_pin: Optional[int] = _f(None, "GPIO (BCM) of the call button (short: call next, long: call again).", _pin)
    skip_pin: Optional[int] = _f(None, "GPIO (BCM) of an optional skip (no-show) button.", _pin)
    led_pin: Optional[int] = _f(None, "GPIO (BCM) of an optional light at the counter; it blinks when a call finds "
                                "nobody waiting (2) or the counter is closed (3).", _pin)
    pin_hash: str = _f("", "Hash of this counter's staff page PIN, made by `ptsp-kiosk hash-pin`; "
                       "empty: nobody can log in to the staff page for this counter.", _pin_hash)


@dataclass(frozen=True)
class Queue:
    priority_policy: str = _f("interleave", "strict: priority tickets always first; interleave: "
                              "one priority ticket after every priority_every normal ones.",
                              _one_of("strict", "interleave"))
    priority_every: int = _f(2, "With interleave: normal tickets called per priority ticket.", _between(1, 100))
    estimate_window: int = _f(10, "How many recent services the wait estimate averages.", _between(1, 1000))
    transfer_position: str = _f("original", "Where a ticket transferred to another service queues: original "
                                "(by the time it was first issued) or front (before everyone waiting).",
                                _one_of("original", "front"))


@dataclass(frozen=True)
class Printer:
    type: str = _f("preview", "usb | serial | network | file | preview | dummy (in memory, prints nothing).",
                   _one_of("usb", "serial", "network", "file", "preview", "dummy"))
    profile: str = _f("POS-5890", "python-escpos capability profile (e.g. POS-5890, TM-T88V, default).")
    paper_width: int = _f(58, "Paper width in mm: 58 (32 columns) or 80 (48 columns).", _one_of(58, 80))
    usb_vendor_id: int = _f(0x0416, "usb: vendor id (lsusb shows it as 0416:5011).", _usb_id)
    usb_product_id: int = _f(0x5011, "usb: product id.", _usb_id)
    serial_device: str = _f("/dev/ttyUSB0", "serial: device path.")
    baudrate: int = _f(9600, "serial: baud rate.", _one_of(9600, 19200, 38400, 57600, 115200))
    flow_control: str = _f("none", "serial: none | rtscts | xonxoff.", _one_of("none", "rtscts", "xonxoff"))
    host: str = _f("", "network: printer host name or address.")
    port: int = _f(9100, "network: raw TCP port.", _between(1, 65535))
    path: str = _f("/dev/usb/lp0", "file: device or file that ticket bytes are appended to.")
    preview_dir: str = _f("", "preview: folder for PNG tickets (default: a 'tickets' folder beside the database).")
    timeout: float = _f(10.0, "Seconds a ticket may take to print before it is given up (void).",
                        _between(1.0, 300.0))
    qr: bool = _f(True, "false: never print a QR code, whatever qr_content says.")
    qr_mode: str = _f("auto", "auto: the printer draws the QR itself where the profile has native QR, else a "
                      "compact image; native | raster force one way.", _one_of("auto", "native", "raster"))
    feed_lines: int = _f(3, "Blank lines fed after a ticket so it clears the tear bar or reaches the cutter.",
                         _between(0, 20))
    logo: str = _f("", "Path of a small logo image printed at the top (empty: none).")
    footer_en: list = _f(["Thank you for your visit", "This ticket is valid today only"],
                         "Footer lines of English tickets (device.language = \"en\").")
    qr_content: str = _f("auto", "What the QR code holds: off; ticket (PTSP1:<day>:<label>, read by the survey and "
                         "staff scanners); url (qr_url filled in); auto: ticket when survey.enabled, else off (a QR "
                         "that nothing reads only costs paper).", _one_of("auto", "off", "ticket", "url"))
    qr_url: str = _f("", "With qr_content = url: the address, {device}, {day} (YYYYMMDD) and {label} are filled in, "
                     "e.g. https://ptsp.example.go.id/antrian/{device}/{day}/{label}.", _qr_url)
    number_style: str = _f("auto", "How the big ticket number prints: image (smooth, 4-8 KB), image_half (smooth at "
                           "half resolution, 1-2 KB), text (printer font magnified, blocky); auto: image unless a "
                           "slow serial line would take over 3 s, then image_half.",
                           _one_of("auto", "image", "image_half", "text"))
    footer: list = _f(["Terima kasih atas kunjungan Anda", "Tiket hanya berlaku hari ini"],
                      "Footer lines printed at the bottom of every ticket.")
    status_interval: float = _f(5.0, "Seconds between printer status reads (usb, serial, network).",
                                _between(0.5, 3600.0))
    roll_length: float = _f(0.0, "Paper roll length in metres for the roll counter; 0 disables it.",
                            _between(0.0, 1000.0))
    roll_warn: float = _f(2.0, "Warn when fewer metres than this remain on the roll.", _between(0.0, 100.0))


@dataclass(frozen=True)
class Buttons:
    pin_factory: str = _f("", "gpiozero pin factory: lgpio, rpigpio, pigpio, native, mock; empty: automatic.",
                          _one_of("", "lgpio", "rpigpio", "pigpio", "native", "mock"))
    active_low: bool = _f(True, "Buttons connect the pin to ground (internal pull-up).")
    bounce_time: float = _f(0.05, "Seconds of contact bounce to ignore.", _between(0.0, 1.0))
    visitor_interval: float = _f(3.0, "Seconds after a ticket during which the same service button issues nothing.",
                                 _between(0.0, 60.0))
    counter_interval: float = _f(1.5, "Seconds after a call during which the same counter button calls nothing.",
                                 _between(0.0, 60.0))
    hold_time: float = _f(1.5, "Seconds a counter button is held to call the current number again.",
                         _between(0.05, 10.0))
    buzzer_pin: Optional[int] = _f(None, "GPIO (BCM) of an optional buzzer.", _pin)
    status_led_pin: Optional[int] = _f(None, "GPIO (BCM) of an optional kiosk status light.", _pin)


@dataclass(frozen=True)
class Display:
    fullscreen: bool = _f(True, "Fullscreen (run); the demo is always windowed.")
    width: int = _f(1024, "Window size when not fullscreen.", _between(320, 7680))
    height: int = _f(600, "Window size when not fullscreen.", _between(240, 4320))
    ticket_seconds: float = _f(6.0, "Seconds the 'your number' screen stays.", _between(1.0, 120.0))
    highlight_seconds: float = _f(8.0, "Seconds a new call stays highlighted.", _between(1.0, 600.0))
    font: str = _f("", "Path of a TTF font; empty: DejaVu Sans if installed, else pygame's own.")
    logo: str = _f("", "Path of a logo image for the home screen (empty: none).")
    admin_keys: str = _f("ctrl+alt+q", "Key combination that ends the app (no quit key for visitors).",
                         _admin_keys)
    announce: bool = _f(True, "Chime and spoken announcement on each call.")
    voice: str = _f("espeak-ng", "Speech program for announcements: espeak-ng or none.", _one_of("espeak-ng", "none"))
    chime: str = _f("builtin", "Chime before a call: builtin (two tones), none, or the path of a WAV file.")
    voice_speed: int = _f(150, "Speaking speed in words per minute (espeak-ng), 80-300.", _between(80, 300))
    voice_volume: int = _f(100, "Volume of chime and voice in percent, 0-100.", _between(0, 100))
    voice_pause: float = _f(0.5, "Seconds of silence between the sentences of a call (the number is said twice).",
                            _between(0.0, 3.0))
    voice_clips: str = _f("", "Folder of recorded WAV clips (words, digits, letters: nomor.wav, a.wav, dua.wav, "
                          "...; an en/ subfolder for English); used instead of espeak-ng when every word has "
                          "a clip. Empty: synthesise.", kind="dir")


@dataclass(frozen=True)
class Sync:
    enabled: bool = _f(False, "Send events upstream.")
    url: str = _f("", "Receiver endpoint, e.g. https://ptsp.example.go.id/api/v1/events.")
    token_file: str = _f("/etc/ptsp-kiosk/token", "File holding the bearer token (mode 600).")
    ca_file: str = _f("", "Custom CA bundle for the receiver's TLS certificate (empty: system CAs).")
    interval: float = _f(15.0, "Seconds between outbox checks when idle.", _between(0.1, 3600.0))
    batch_size: int = _f(200, "Events per request.", _between(1, 5000))
    timeout: float = _f(10.0, "Seconds per request.", _between(1.0, 300.0))
    backoff_start: float = _f(2.0, "Wait after the first failed attempt, in seconds; doubles per failure.",
                              _between(0.01, 3600.0))
    backoff_max: float = _f(300.0, "Longest wait between retries, in seconds.", _between(0.1, 86400.0))
    heartbeat: float = _f(300.0, "Seconds between heartbeats.", _between(10.0, 86400.0))
    retention_days: int = _f(60, "Days acknowledged events are kept locally; unsent ones are never pruned.",
                             _between(1, 3650))


@dataclass(frozen=True)
class Staff:
    """The staff page: one page per counter on the kiosk's LAN server (/staff)."""

    enabled: bool = _f(False, "Serve the staff page under /staff on the LAN server ([lan] must be enabled).")
    max_failures: int = _f(5, "Wrong PINs in a row after which a counter's login is locked.",
                           _between(1, 100))
    lockout_minutes: float = _f(10.0, "Minutes a counter's login stays locked after max_failures wrong PINs.",
                                _between(0.5, 1440.0))


def _listen(v):
    host, sep, port = v.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        return "must be HOST:PORT, e.g. 0.0.0.0:8090 (all interfaces) or 127.0.0.1:8090 (this device only)"
    return None


@dataclass(frozen=True)
class Lan:
    """The kiosk's LAN server: the read-only feed for display boards (and the staff page)."""

    enabled: bool = _f(False, "Serve the LAN feed (display boards) and, if enabled, the staff page.")
    listen: str = _f("0.0.0.0:8090", "Address and port of the LAN server, HOST:PORT.", _listen)
    token_file: str = _f("/etc/ptsp-kiosk/lan-token",
                         "File holding the feed's bearer token (mode 600, owned by the kiosk user).")


@dataclass(frozen=True)
class Board:
    """The waiting-room display board (`ptsp-kiosk display`); sent to boards in the LAN feed."""

    announce: str = _f("kiosk", "Who speaks each call: kiosk, board or both.", _one_of("kiosk", "board", "both"))
    language: str = _f("", "Board language, id or en; empty: the device language.", _one_of("", *LANGUAGES))
    diagonal_inches: float = _f(32.0, "Screen diagonal of the TV in inches (sizes the called number in mm).",
                                _between(7.0, 120.0))
    number_mm: float = _f(60.0, "Letter height of the called number in mm (at least 40 for reading at 5 m).",
                          _between(20.0, 400.0))
    running_text: str = _f("", "Running text (teks berjalan) across the bottom: hours, rules, notices.",
                           lambda v: None if len(v) <= 2000 else "must be at most 2000 characters")
    running_speed: float = _f(120.0, "Running text speed in pixels per second.",
                              _between(10.0, 1000.0))
    slideshow_dir: str = _f("", "Folder of images (PNG/JPEG) shown in the idle area; empty: none.")
    slide_seconds: float = _f(10.0, "Seconds each slideshow image stays.",
                              _between(1.0, 3600.0))
    history: int = _f(6, "How many earlier calls the board lists.", _between(0, 12))
    highlight_seconds: float = _f(8.0, "Seconds a new call stays highlighted on the board.",
                                  _between(1.0, 120.0))


@dataclass(frozen=True)
class Survey:
    """The satisfaction survey (SKM, Permenpan RB 14/2017) and the optional survey box."""

    enabled: bool = _f(False, "Offer the survey (Survei Kepuasan) on the home screen; one response per ticket "
                       "served today.")
    timeout: float = _f(60.0, "Seconds without a touch after which an unfinished survey is dropped (nothing is "
                        "saved) and the home screen returns.", _between(15.0, 600.0))
    ask_profile: bool = _f(True, "Ask the optional respondent fields (age band, sex, education, occupation).")
    ask_suggestion: bool = _f(True, "Offer an optional written suggestion with an on-screen keyboard.")
    box_pin_1: Optional[int] = _f(None, "Survey box: GPIO (BCM) of face 1 (Tidak puas); all four or none.", _pin)
    box_pin_2: Optional[int] = _f(None, "Survey box: GPIO (BCM) of face 2 (Kurang puas).", _pin)
    box_pin_3: Optional[int] = _f(None, "Survey box: GPIO (BCM) of face 3 (Puas).", _pin)
    box_pin_4: Optional[int] = _f(None, "Survey box: GPIO (BCM) of face 4 (Sangat puas).", _pin)
    box_interval: float = _f(3.0, "Seconds after a box press in which further presses count nothing.",
                             _between(0.0, 60.0))

    def box_pins(self) -> tuple:
        """(pins of faces 1-4), or () without a survey box."""
        pins = (self.box_pin_1, self.box_pin_2, self.box_pin_3, self.box_pin_4)
        return () if all(p is None for p in pins) else pins


@dataclass(frozen=True)
class Config:
    device: Device = _f(Device(), "This kiosk and its institution.")
    storage: Storage = _f(Storage(), "Where tickets and events are kept.")
    queue: Queue = _f(Queue(), "Priority policy and wait estimates.")
    services: tuple = _f((), "The services visitors can take a ticket for ([[services]]).", element=Service)
    counters: tuple = _f((), "The counters (loket) that call tickets ([[counters]]).", element=Counter)
    printer: Printer = _f(Printer(), "The ticket printer.")
    buttons: Buttons = _f(Buttons(), "Physical buttons and lights (gpiozero).")
    display: Display = _f(Display(), "The touch screen.")
    sync: Sync = _f(Sync(), "Upstream sync of events.")
    staff: Staff = _f(Staff(), "The staff page for counters without wired buttons.")
    lan: Lan = _f(Lan(), "The LAN server for display boards and the staff page.")
    board: Board = _f(Board(), "The waiting-room display board.")
    survey: Survey = _f(Survey(), "The satisfaction survey (SKM) and the optional survey box.")

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

    def counter_name(self, counter, language=None):
        """'Loket 2' / 'Counter 2', or the configured name for ``language``
        (default: the device language).

        A name that only spells the default ("Loket 2") is translated in
        English, so that an English screen never says "please go to Loket 2".
        """
        from kiosk.core import texts

        language = language or self.device.language
        default = texts.counter_name(counter.number, language)
        own = counter.name_en if language == "en" else counter.name
        if own:
            return own
        if counter.name and counter.name.split() != ["Loket", str(counter.number)]:
            return counter.name
        return default

    def counters_for(self, service_code):
        return [c for c in self.counters if service_code in c.services]


# Loading lives in config_file (kept apart so this module stays the schema).
from kiosk.core.config_file import from_dict, load, load_demo, resolve_path, schema_fields  # noqa: E402,F401
