"""Config rules that span several keys: unique codes, counters and their
services, GPIO pins shared or reserved, keys that need each other.

They run on a Config whose single values already passed kiosk.core.config_checks.
"""
from __future__ import annotations

import difflib
from typing import Any

from kiosk.core.config_checks import shown

LANGUAGES = ("id", "en")
# The Pi's primary UART: unavailable for buttons when the printer uses it.
UART_PINS = (14, 15)
UART_DEVICES = ("/dev/serial0", "/dev/ttyAMA0", "/dev/ttyS0")
# The I2C pins carry fixed pull-ups on every Pi: buttons there must be active low.
FIXED_PULL_UP_PINS = (2, 3)
_BUTTON_KEYS = (".button_pin", ".call_pin", ".skip_pin")


def cross_check(cfg: Any, problems: list[str]) -> None:
    """Append a "key.path: message" for every rule across keys that ``cfg`` breaks."""
    seen_codes = _check_services(cfg, problems)
    _check_counters(cfg, seen_codes, problems)
    _check_pins(cfg, problems)
    if cfg.printer.qr_content == "url" and not cfg.printer.qr_url:
        problems.append("printer.qr_url: needed when printer.qr_content = \"url\"")
    if cfg.sync.enabled and not cfg.sync.url.startswith(("https://", "http://")):
        problems.append("sync.url: must start with https:// when sync is enabled")
    if cfg.sync.backoff_start > cfg.sync.backoff_max:
        problems.append(f"sync.backoff_start: must not be above sync.backoff_max ({cfg.sync.backoff_max:g})")
    survey = getattr(cfg, "survey", None)
    if survey is not None and survey.box_pins() and None in survey.box_pins():
        missing = [f"survey.box_pin_{n}" for n, pin in enumerate(survey.box_pins(), 1) if pin is None]
        problems.append(f"{missing[0]}: the survey box needs all four face buttons (missing: {', '.join(missing)})")


def _check_services(cfg: Any, problems: list[str]) -> dict[str, int]:
    seen_codes: dict[str, int] = {}
    seen_prefixes: dict[str, int] = {}
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
                problems.append(f"{p}.name.{shown(lang)[1:-1]}: use id or en with a string")
        if s.number_end < s.number_start:
            problems.append(f"{p}.number_end: must not be below number_start ({s.number_start})")
    return seen_codes


def _check_counters(cfg: Any, seen_codes: dict[str, int], problems: list[str]) -> None:
    seen_counters: dict[int, int] = {}
    for i, c in enumerate(cfg.counters):
        p = f"counters[{i}]"
        if c.number in seen_counters:
            problems.append(f"{p}.number: {c.number} is already used by counters[{seen_counters[c.number]}]")
        seen_counters.setdefault(c.number, i)
        if not c.services:
            problems.append(f"{p}.services: a counter must serve at least one service")
        listed: set[str] = set()
        for code in c.services:
            if code in listed:
                problems.append(f"{p}.services: {shown(code)} is listed twice; list each service once per counter")
            listed.add(code)
            if code not in seen_codes:
                near = difflib.get_close_matches(code, list(seen_codes), n=1)
                hint = f". Did you mean '{near[0]}'?" if near else ""
                problems.append(f"{p}.services: unknown service {shown(code)}{hint}")
    if cfg.services and not cfg.counters:
        problems.append("counters: at least one counter is needed to call tickets")
    for i, s in enumerate(cfg.services):
        if cfg.counters and not cfg.counters_for(s.code):
            problems.append(f"services[{i}]: no counter serves '{s.code}'; its tickets would never be called")


def pin_uses(cfg: Any) -> list[tuple[str, int]]:
    """Every configured GPIO pin as (key path, pin)."""
    uses = []
    for i, s in enumerate(cfg.services):
        uses += [(f"services[{i}].button_pin", s.button_pin), (f"services[{i}].led_pin", s.led_pin)]
    for i, c in enumerate(cfg.counters):
        uses += [(f"counters[{i}].call_pin", c.call_pin), (f"counters[{i}].skip_pin", c.skip_pin),
                 (f"counters[{i}].led_pin", c.led_pin)]
    uses += [("buttons.buzzer_pin", cfg.buttons.buzzer_pin), ("buttons.status_led_pin", cfg.buttons.status_led_pin)]
    survey = getattr(cfg, "survey", None)
    if survey is not None:
        uses += [(f"survey.box_pin_{n}", getattr(survey, f"box_pin_{n}")) for n in range(1, 5)]
    return [(path, pin) for path, pin in uses if pin is not None]


def _check_pins(cfg: Any, problems: list[str]) -> None:
    owner: dict[int, str] = {}
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
