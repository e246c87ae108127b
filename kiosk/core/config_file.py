"""Loading a config file: size, encoding and nesting limits, TOML syntax, then
the schema (kiosk.core.config) and the rules across keys; ``config.load`` and
friends are re-exported by kiosk.core.config, which callers use.

Whatever the file holds, the result is a dict or a ConfigError whose message
names the limit; never a traceback (a TOML array nested 100,000 deep makes
tomllib recurse until RecursionError), never raw bytes of the file echoed.
"""
from __future__ import annotations

import dataclasses
import os
import stat
import tomllib
from pathlib import Path
from typing import Any, Callable, Optional

from kiosk.core.config_checks import build, shown, type_hints
from kiosk.core.config_rules import cross_check
from kiosk.core.errors import ConfigError

# (cfg, refused key paths) -> problems; see from_dict.
MachineChecks = Callable[[Any, set], list]

# A full config with 26 services and every comment is about 30 KB.
MAX_FILE_BYTES = 1024 * 1024
# The deepest real key is services[i].hours.mon[j]: four levels.
MAX_DEPTH = 16


def read_document(path: Path) -> dict[str, Any]:
    """The parsed TOML document of the file at ``path``; ConfigError otherwise."""
    text = _read_text(path)
    return parse_document(text, str(path))


def parse_document(text: str, source: str = "config") -> dict[str, Any]:
    """Parse TOML ``text`` within the nesting limit; ConfigError naming ``source``."""
    if text.startswith("\ufeff"):  # a byte order mark, as Windows editors write it
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # tomllib quotes the offending character repr-style; ConfigError escapes the rest.
        raise ConfigError([f"{source}: not valid TOML: {e}"]) from None
    except RecursionError:
        raise ConfigError([f"{source}: arrays or tables are nested too deeply; "
                           f"at most {MAX_DEPTH} levels are allowed"]) from None
    except ValueError as e:
        # tomllib lets int() refuse integers of more than 4300 digits.
        raise ConfigError([f"{source}: not valid TOML: a number is far too long ({shown(str(e), 80)[1:-1]})"]) \
            from None
    depth = _depth(data)
    if depth > MAX_DEPTH:
        raise ConfigError([f"{source}: arrays or tables are nested more than {MAX_DEPTH} levels deep; "
                           f"at most {MAX_DEPTH} levels are allowed"])
    return data


def _read_text(path: Path) -> str:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such config file (see config/kiosk.example.toml)"]) from None
    except OSError as e:
        raise ConfigError([f"{path}: cannot read: {e.strerror or e}"]) from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError([f"{path}: is a folder, not a config file"])
    if stat.S_ISREG(info.st_mode) and info.st_size > MAX_FILE_BYTES:
        raise ConfigError([f"{path}: the file is {info.st_size} bytes; a config file may be at most "
                           f"{MAX_FILE_BYTES} bytes (1 MiB)"])
    try:
        # Read one byte more than allowed: a pipe or device has no size to look at.
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ConfigError([f"{path}: cannot read: {e.strerror or e}"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError([f"{path}: more than {MAX_FILE_BYTES} bytes (1 MiB); a config file may be at most that"])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise ConfigError([f"{path}: not UTF-8 text: byte {raw[e.start]:#04x} on line {line} "
                           "(save the file as UTF-8)"]) from None


def _depth(data: Any) -> int:
    """Nesting depth of parsed TOML, counted without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        if isinstance(value, dict):
            stack += [(v, level + 1) for v in value.values()]
        elif isinstance(value, list):
            stack += [(v, level + 1) for v in value]
    return deepest


def from_dict(data: dict, source: str = "config", machine_checks: Optional[MachineChecks] = None,
              require_services: bool = False) -> Any:
    """Validate a parsed TOML document and return a Config, or raise ConfigError
    listing every problem as "source: key.path: message".

    ``machine_checks(cfg, refused) -> [problem]``: the checks that need the
    machine (kiosk.services.config_probe.probe). They run even when some values
    were refused (``refused``: those key paths, left at their defaults in
    ``cfg``), so that every problem is reported at once.
    """
    from kiosk.core.config import Config  # the schema imports this module: import it when used

    problems: list[str] = []
    cfg = build(Config, data, "", problems)
    # Rules across keys run on the refused values' defaults too (so that every
    # problem shows at once); what they say about a refused key is dropped.
    refused = {p.split(": ", 1)[0] for p in problems}
    problems += [p for p in _cross_problems(cfg) if p.split(": ", 1)[0] not in refused]
    if require_services and not cfg.services and not any(p.startswith("services") for p in problems):
        problems.append("services: at least one [[services]] is needed")
    if machine_checks is not None:
        problems += machine_checks(cfg, {p.split(": ", 1)[0] for p in problems})
    if problems:
        raise ConfigError([f"{source}: {p}" for p in problems])
    return cfg


def _cross_problems(cfg: Any) -> list[str]:
    problems: list[str] = []
    cross_check(cfg, problems)
    return problems


def resolve_path(path: Optional[str | Path] = None) -> Path:
    """The config file to use: the argument, $PTSP_KIOSK_CONFIG, or /etc."""
    from kiosk.core.config import SYSTEM_CONFIG

    if path:
        return Path(path)
    env = os.environ.get("PTSP_KIOSK_CONFIG")
    return Path(env) if env else SYSTEM_CONFIG


def load(path: Optional[str | Path] = None, machine_checks: Optional[MachineChecks] = None,
         overrides: Optional[dict[str, dict[str, Any]]] = None) -> Any:
    """Load and validate the config file; ConfigError listing every problem.

    ``overrides``: {section: {key: value}} laid over the file's values before
    they are checked (the demo's --database and --language). Commands that
    start the kiosk pass ``machine_checks`` (see from_dict); they do that
    through kiosk.cli.validation.
    """
    p = resolve_path(path)
    data = read_document(p)
    for section, values in (overrides or {}).items():
        table = data.setdefault(section, {})
        if isinstance(table, dict):  # else the schema names the bad section
            table.update(values)
    return from_dict(data, str(p), machine_checks, require_services=True)


def load_demo(database: Optional[str | Path] = None, machine_checks: Optional[MachineChecks] = None,
              overrides: Optional[dict[str, dict[str, Any]]] = None) -> Any:
    """The bundled demo config, with the database moved to a writable place."""
    from kiosk.core.config import DEMO_CONFIG

    overrides = {section: dict(values) for section, values in (overrides or {}).items()}
    if database:
        overrides.setdefault("storage", {})["database"] = str(database)
    return load(DEMO_CONFIG, machine_checks, overrides)


def schema_fields(cls: Any = None, prefix: str = "") -> list[tuple[str, Any, str]]:
    """Every key of the schema as (dotted path, default, doc); for the example check."""
    if cls is None:
        from kiosk.core.config import Config as cls
    out = []
    for f in dataclasses.fields(cls):
        hint = type_hints(cls)[f.name]
        path = f"{prefix}.{f.name}" if prefix else f.name
        if dataclasses.is_dataclass(hint):
            out += schema_fields(hint, path)
        elif hint is tuple:
            out += schema_fields(f.metadata["element"], path)
        else:
            default = f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
            out.append((path, default, f.metadata.get("doc", "")))
    return out
