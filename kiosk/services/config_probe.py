"""Config checks that need the machine: can the database live where the config
says, do the font, logo and token files exist, does the printer profile exist.

``probe(cfg, refused)`` returns problems as "key.path: message", like the
schema's checks, and ``check-config``, ``run`` and ``demo`` all call it
(through kiosk.cli.validation), so a config that passes ``check-config`` starts.
It never creates or changes anything: it only looks.

Fields may declare a path kind in the schema (``_f("", "doc", kind="file")``):
"file" (an existing readable file), "dir" (an existing readable folder) or
"writable_dir" (a folder that exists or can be made, and can be written); the
probe checks every such field whose value is not empty.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from kiosk.core.config_checks import shown, type_hints
from kiosk.services.token_file import token_problem

# SQLite needs room for the journal and a page or two; below this, the first
# ticket of the day already fails with "database or disk is full".
MIN_FREE_BYTES = 1024 * 1024
APPLICATION_ID = 0x50545350  # kiosk.services.store.APPLICATION_ID ('PTSP')
SQLITE_MAGIC = b"SQLite format 3\x00"
# Kernel file systems: nothing there is storage.
VIRTUAL_ROOTS = ("/proc", "/sys", "/dev")
# TrueType, OpenType (CFF), TrueType collection, Apple TrueType.
FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"ttcf", b"true")

ProfileCheck = Callable[[str], Optional[str]]


def probe(cfg: Any, refused: frozenset[str] | set[str] = frozenset(),
          profile_problem: Optional[ProfileCheck] = None) -> list[str]:
    """Every machine problem of ``cfg``; keys in ``refused`` (already reported
    as bad values, so left at their defaults in ``cfg``) are not looked at."""
    problems: list[str] = []

    def add(key: str, message: Optional[str]) -> None:
        if message and key not in refused:
            problems.append(f"{key}: {message}")

    add("storage.database", database_problem(cfg.storage.database))
    if cfg.printer.type == "preview" and "storage.database" not in refused:
        folder = cfg.printer.preview_dir or str(Path(cfg.storage.database).parent / "tickets")
        add("printer.preview_dir", writable_dir_problem(folder))
    if profile_problem is not None and "printer.profile" not in refused:
        problem = profile_problem(cfg.printer.profile)
        if problem:
            problems.append(problem if problem.startswith("printer.profile") else f"printer.profile: {problem}")
    if cfg.display.font:
        add("display.font", font_problem(cfg.display.font))
    if getattr(cfg.display, "chime", "builtin") not in ("builtin", "none"):
        add("display.chime", readable_file_problem(cfg.display.chime))
    for key in ("display.logo", "printer.logo"):
        section, name = key.split(".")
        value = getattr(getattr(cfg, section), name)
        if value:
            add(key, readable_file_problem(value))
    lan = getattr(cfg, "lan", None)
    if lan is not None and lan.enabled:
        add("lan.token_file", token_problem(lan.token_file))
    if cfg.sync.enabled:
        add("sync.token_file", readable_file_problem(cfg.sync.token_file))
        if cfg.sync.ca_file:
            add("sync.ca_file", readable_file_problem(cfg.sync.ca_file))
    for key, kind, value in declared_paths(cfg):
        if value:
            add(key, PATH_KINDS[kind](value))
    return problems


def declared_paths(cfg: Any, prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """(key path, kind, value) of every schema field that declares ``kind``."""
    cls: Any = type(cfg)
    for name, nested, kind in _plan(cls):
        value = getattr(cfg, name)
        key = f"{prefix}.{name}" if prefix else name
        if nested == "table":
            yield from declared_paths(value, key)
        elif nested == "tables":
            for i, item in enumerate(value):
                yield from declared_paths(item, f"{key}[{i}]")
        else:
            yield key, kind, value


@functools.lru_cache(maxsize=None)
def _plan(cls: Any) -> tuple[tuple[str, str, str], ...]:
    """(name, "table" | "tables" | "", kind) of the fields of ``cls`` worth visiting."""
    hints = type_hints(cls)
    plan = []
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            plan.append((f.name, "table", ""))
        elif hints[f.name] is tuple:
            plan.append((f.name, "tables", ""))
        elif f.metadata.get("kind"):
            plan.append((f.name, "", f.metadata["kind"]))
    return tuple(plan)


# --- the database ---------------------------------------------------------------

def database_problem(database: str) -> Optional[str]:
    """Why the kiosk could not keep its SQLite database at ``database``, or None."""
    if database in ("", ":memory:"):
        return f"must be the path of a file, e.g. /var/lib/ptsp-kiosk/kiosk.db, not {shown(database)}"
    path = Path(database).absolute()
    virtual = _virtual_root(path)
    if virtual:
        return f"{shown(database)} is on the kernel's {virtual} file system, which is no storage; " \
               "use a file on the SD card such as /var/lib/ptsp-kiosk/kiosk.db"
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return writable_dir_problem(str(path.parent), what="the database folder")
    except PermissionError:
        return f"the kiosk's {_user()} may not reach {shown(database)} (permission denied on a folder on the way)"
    except OSError as e:
        return f"cannot look at {shown(database)}: {e.strerror}"
    if stat.S_ISDIR(info.st_mode):
        return f"{shown(database)} is a folder; give the path of a file in it, e.g. {shown(str(path / 'kiosk.db'))}"
    if not stat.S_ISREG(info.st_mode):
        return f"{shown(database)} is not a regular file (a device, pipe or socket); give the path of a file"
    return (_writable_problem(path, "the database") or writable_dir_problem(str(path.parent), "the database folder")
            or _ours_problem(path))


def _virtual_root(path: Path) -> Optional[str]:
    for candidate in (path, path.resolve()):
        for root in VIRTUAL_ROOTS:
            if candidate == Path(root) or Path(root) in candidate.parents:
                return root
    return None


def _ours_problem(path: Path) -> Optional[str]:
    """Whether an existing file is an SQLite database of the kiosk (or empty)."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError as e:
        return f"cannot read {shown(str(path))}: {e.strerror}"
    if not header:
        return None  # an empty file becomes a new database
    if not header.startswith(SQLITE_MAGIC) or len(header) < 100:
        return f"{shown(str(path))} is not an SQLite database; it is left untouched: move it aside or " \
               "point storage.database to another file"
    app_id = int.from_bytes(header[68:72], "big")
    if app_id != APPLICATION_ID:
        # In WAL mode the newest header may still be in the -wal file (a power
        # cut before the first checkpoint): ask SQLite, which reads both.
        app_id = _application_id(path, app_id)
    if app_id == APPLICATION_ID:
        return None
    tables = _tables(path)
    if app_id == 0 and not tables:
        return None
    return (f"{shown(str(path))} is a database of another program (application id {app_id:#x}, tables "
            f"{shown(', '.join(tables) or 'none')}); it is left untouched: point storage.database to another file")


def _application_id(path: Path, default: int) -> int:
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return int(conn.execute("PRAGMA application_id").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return default


def _tables(path: Path) -> list[str]:
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        finally:
            conn.close()
    except sqlite3.Error:
        return []  # unreadable now (locked, WAL without -shm access): the store says more at start


# --- files and folders --------------------------------------------------------------

def _user() -> str:
    try:
        import pwd

        return f"user {pwd.getpwuid(os.geteuid()).pw_name} (uid {os.geteuid()})"
    except (ImportError, KeyError):
        return f"uid {os.geteuid()}"


def _read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _writable_problem(path: Path, what: str) -> Optional[str]:
    if os.access(path, os.W_OK):
        return None
    if _read_only_fs(path):
        return f"{what} {shown(str(path))} is on a read-only file system (storage is read-only)"
    return f"{what} {shown(str(path))} is not writable by the kiosk's {_user()} (permission denied)"


def writable_dir_problem(folder: str, what: str = "the folder") -> Optional[str]:
    """Why ``folder`` cannot be made (if missing) and written, or None."""
    path = Path(folder).absolute()
    existing = path
    while not existing.exists():
        if existing.is_symlink():  # a dangling link: mkdir would fail
            return f"{what} {shown(str(path))} cannot be made: {shown(str(existing))} is a broken link"
        existing = existing.parent
    if not existing.is_dir():
        return f"{what} {shown(str(path))} cannot be made: {shown(str(existing))} is a file, not a folder"
    if _read_only_fs(existing):
        return f"{what} {shown(str(path))} is on a read-only file system (storage is read-only)"
    if not os.access(existing, os.W_OK | os.X_OK):
        verb = "written" if existing == path else f"made (in {shown(str(existing))})"
        return f"{what} {shown(str(path))} cannot be {verb} by the kiosk's {_user()} (permission denied)"
    try:
        st = os.statvfs(existing)
    except OSError:
        return None
    free = st.f_bavail * st.f_frsize
    if free < MIN_FREE_BYTES:
        return (f"storage is full: only {free // 1024} KiB free for {what} {shown(str(path))}; at least "
                f"{MIN_FREE_BYTES // 1024} KiB are needed (free space on the SD card)")
    return None


def readable_file_problem(value: str) -> Optional[str]:
    """Why ``value`` is not a readable regular file, or None."""
    path = Path(value)
    if not path.exists():
        return f"{shown(value)} does not exist"
    if not path.is_file():
        return f"{shown(value)} is not a regular file"
    if not os.access(path, os.R_OK):
        return f"{shown(value)} is not readable by the kiosk's {_user()} (permission denied)"
    return None


def readable_dir_problem(value: str) -> Optional[str]:
    path = Path(value)
    if not path.is_dir():
        return f"{shown(value)} is not an existing folder"
    if not os.access(path, os.R_OK | os.X_OK):
        return f"{shown(value)} is not readable by the kiosk's {_user()} (permission denied)"
    return None


def font_problem(value: str) -> Optional[str]:
    """Why ``value`` is not a usable TrueType/OpenType font file, or None."""
    problem = readable_file_problem(value)
    if problem:
        return f"{problem}; give the path of a .ttf or .otf font, e.g. /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    with open(value, "rb") as f:
        magic = f.read(4)
    if magic not in FONT_MAGIC:
        return f"{shown(value)} is not a TrueType or OpenType font (.ttf, .otf)"
    return None


PATH_KINDS: dict[str, Callable[[str], Optional[str]]] = {
    "file": readable_file_problem,
    "dir": readable_dir_problem,
    "writable_dir": writable_dir_problem,
}
