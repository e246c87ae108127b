"""SQLite and file system errors of the store, named for the technician.

``translate(error, path)`` turns an ``sqlite3.Error`` or ``OSError`` into the
StoreError subclass that says what to do, each with its out-of-order code
(docs/TECHNICIAN.md): storage full (DB-FULL), read-only (DB-RO), permission
denied (DB-PERM), busy (DB-BUSY), a failing card (DB-IO), anything else (DB).
SQLite's result codes decide, not its English messages; the message is the
fallback for errors that carry no code.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path

from kiosk.core.errors import StoreBusy, StoreError, StoreFull, StoreIOError, StorePermission, StoreReadOnly

# Primary result codes (the low byte of an extended code), from sqlite3.h.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 10, 13, 14


def translate(error: BaseException, path: str | Path) -> StoreError:
    """The StoreError for ``error`` raised while using the database at ``path``."""
    path = Path(path)
    detail = str(error)
    kind = _kind(error)
    if kind == "io" and not _read_only_fs(path) and _nearly_full(path):
        # SQLite says "disk I/O error" when the WAL index cannot grow on a full card.
        kind = "full"
    if kind == "full":
        return StoreFull(f"storage is full: cannot write {path} ({detail}). Free space on the SD card "
                         f"(old logs, backups) or move storage.database to a larger disk. [{StoreFull.code}]")
    if kind in ("readonly", "cantopen"):
        # SQLite opens read-only, or not at all, where it may not write: say which of the two it is.
        kind = "ro_fs" if _read_only_fs(path) else ("perm" if _denied(path) else kind)
    if kind == "ro_fs" or kind == "readonly":
        return StoreReadOnly(f"storage is read-only: cannot write {path} ({detail}). The file system is mounted "
                             f"read-only or the SD card is failing; check `mount` and `dmesg`. [{StoreReadOnly.code}]")
    if kind == "perm":
        return StorePermission(f"permission denied: the kiosk's user may not write {path} or its folder "
                               f"({detail}). Give the folder to the kiosk user (chown ptsp-kiosk). "
                               f"[{StorePermission.code}]")
    if kind == "busy":
        return StoreBusy(f"database busy: {path} is locked by another program ({detail}). [{StoreBusy.code}]")
    if kind == "io":
        return StoreIOError(f"storage I/O error on {path} ({detail}); the SD card may be failing: check `dmesg` "
                            f"and replace the card. [{StoreIOError.code}]")
    return StoreError(f"database error: {path} ({detail}). [{StoreError.code}]")


def _kind(error: BaseException) -> str:
    if isinstance(error, OSError):
        return {errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EROFS: "ro_fs", errno.EACCES: "perm",
                errno.EPERM: "perm", errno.EIO: "io"}.get(error.errno or 0, "other")
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return {SQLITE_FULL: "full", SQLITE_READONLY: "readonly", SQLITE_PERM: "perm", SQLITE_BUSY: "busy",
                SQLITE_LOCKED: "busy", SQLITE_IOERR: "io", SQLITE_CANTOPEN: "cantopen"}.get(code & 0xFF, "other")
    text = str(error).lower()
    for words, kind in ((("disk is full", "database or disk is full"), "full"),
                        (("readonly", "read-only"), "readonly"), (("locked", "busy"), "busy"),
                        (("disk i/o",), "io"), (("unable to open",), "cantopen")):
        if any(w in text for w in words):
            return kind
    return "other"


def _existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(_existing(path)).f_flag & os.ST_RDONLY)
    except OSError:
        return False


# Below this, a write that fails is taken for a full card (kiosk.services.config_probe.MIN_FREE_BYTES).
NEARLY_FULL_BYTES = 1024 * 1024


def _nearly_full(path: Path) -> bool:
    try:
        st = os.statvfs(_existing(path))
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < NEARLY_FULL_BYTES


def _denied(path: Path) -> bool:
    """Whether the file or its folder refuses writing to this user."""
    target = path if path.exists() else _existing(path.parent)
    folder = target if target.is_dir() else target.parent
    return not os.access(target, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK)
