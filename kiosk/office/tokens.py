"""Kiosk and viewer tokens: in the office database (only their SHA-256) and/or a tokens file.

A ``device`` token may post events for its own device id and read its own
summary; a ``viewer`` token may read every summary but post nothing.
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
import stat
import threading
import time
from typing import Optional

from kiosk.office.db import Database, StorageError
from kiosk.office.validate import is_device_id

log = logging.getLogger("kiosk.office.tokens")

ROLES = ("device", "viewer")
Owner = tuple[str, str]  # (name, role)


class TokensError(StorageError):
    """The tokens file cannot be read or has a bad line."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def add_token(db: Database, name: str, role: str = "device", now: Optional[float] = None) -> str:
    """Create (or replace) the token of ``name``; returns the new token (shown once)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if not is_device_id(name):
        raise ValueError("a device id uses 1-64 letters, digits, '.', '_' or '-'")
    token = secrets.token_urlsafe(32)
    now = time.time() if now is None else now
    with db.write() as q:
        q.run("INSERT INTO tokens (name, token_sha256, role, created) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (name) DO UPDATE SET token_sha256 = excluded.token_sha256, role = excluded.role, "
              "created = excluded.created", (name, hash_token(token), role, now))
        if role == "device":
            # Listed from now on, so a kiosk that never reports shows up as silent.
            q.run("INSERT INTO devices (device, registered) VALUES (?, ?) ON CONFLICT (device) DO NOTHING",
                  (name, now))
    return token


def delete_token(db: Database, name: str) -> bool:
    """Revoke the token of ``name``; False when there was none."""
    with db.write() as q:
        return q.run("DELETE FROM tokens WHERE name = ?", (name,)) > 0


def token_owner(db: Database, token_sha256: str) -> Optional[Owner]:
    with db.read() as q:
        row = q.one("SELECT name, role FROM tokens WHERE token_sha256 = ?", (token_sha256,))
    return (row[0], row[1]) if row else None


class TokensFile:
    """The optional tokens file, re-read whenever its modification time or size changes::

        # device-id   token-or-sha256:HEX   [role]
        blora-1       4f9c...               device
        office-pc     sha256:9a1b...        viewer
    """

    def __init__(self, path: str) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._stamp: Optional[tuple[int, int]] = None
        self._entries: dict[str, Owner] = {}
        self.lookup("")  # read it now: a bad file stops the start, not the first request

    def _load(self) -> tuple[dict[str, Owner], tuple[int, int]]:
        st = os.stat(self.path)
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("tokens file %s can be read by other users; chmod 600 it", self.path)
        entries = {}
        try:
            with open(self.path, encoding="utf-8") as f:
                lines = f.read(1024 * 1024).splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise TokensError(f"tokens file {self.path}: {e}") from None
        for n, line in enumerate(lines, 1):
            parts = line.split("#", 1)[0].split()
            if not parts:
                continue
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ROLES):
                raise TokensError(f"{self.path}:{n}: expected 'DEVICE_ID TOKEN [device|viewer]'")
            name, token = parts[0], parts[1]
            if not is_device_id(name):
                raise TokensError(f"{self.path}:{n}: bad device id {name!r}")
            digest = token[7:].lower() if token.startswith("sha256:") else hash_token(token)
            entries[digest] = (name, parts[2] if len(parts) == 3 else "device")
        return entries, (st.st_mtime_ns, st.st_size)

    def lookup(self, digest: str) -> Optional[Owner]:
        with self._lock:
            try:
                st = os.stat(self.path)
            except OSError as e:
                raise TokensError(f"tokens file {self.path}: {e.strerror}") from None
            if (st.st_mtime_ns, st.st_size) != self._stamp:
                self._entries, self._stamp = self._load()
            return self._entries.get(digest)
