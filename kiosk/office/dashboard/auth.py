"""Dashboard people: users with scrypt-hashed passwords, expiring sessions, CSRF
tokens and login rate limiting. Everything lives in the office database
(tables users, sessions, login_attempts of migration 2)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional

from kiosk.office.db import Database

ROLES = ("admin", "viewer")
SESSION_SECONDS = 8 * 3600          # a working day; then log in again
RATE_WINDOW_S = 15 * 60
MAX_FAILURES_PER_USER = 5           # per window
MAX_FAILURES_PER_ADDRESS = 20       # per window, all user names together
MAX_NAME = 64
MAX_PASSWORD = 1024                 # scrypt cost does not depend on it, but keep bodies small
MIN_PASSWORD = 8
# scrypt n=2^14, r=8, p=1: ~16 MiB and ~50 ms on a Raspberry Pi-class CPU (OWASP minimum).
_N, _R, _P = 1 << 14, 8, 1


class UserError(ValueError):
    """A user name, role or password that cannot be used (message for the person)."""


@dataclass(frozen=True)
class Session:
    user: str
    role: str
    csrf: str
    expires: float


def hash_password(password: str) -> str:
    """'scrypt$n$r$p$salt$hash' (base64) for ``password``."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(key).decode()}"


def check_password(password: str, stored: str) -> bool:
    """True when ``password`` matches a hash_password() value (constant-time compare)."""
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(key)
        got = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=base64.b64decode(salt),
                             n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def check_name(name: str) -> str:
    if not (1 <= len(name) <= MAX_NAME) or not all(c.isascii() and (c.isalnum() or c in "._-@") for c in name):
        raise UserError("a user name uses 1-64 letters, digits, '.', '_', '-' or '@'")
    return name


def add_user(db: Database, name: str, password: str, role: str, now: float) -> None:
    """Create the user, or set a new password and role for an existing one."""
    check_name(name)
    if role not in ROLES:
        raise UserError(f"role must be one of: {', '.join(ROLES)}")
    if not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD) or "\x00" in password:
        raise UserError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    with db.write() as q:
        q.run("INSERT INTO users (name, password_hash, role, created, disabled) VALUES (?, ?, ?, ?, 0) "
              "ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, "
              "disabled = 0", (name, hash_password(password), role, now))
        # A new password ends the sessions made with the old one.
        q.run("DELETE FROM sessions WHERE user_name = ?", (name,))


def set_disabled(db: Database, name: str, disabled: bool) -> bool:
    with db.write() as q:
        n = q.run("UPDATE users SET disabled = ? WHERE name = ?", (1 if disabled else 0, name))
        if disabled:
            q.run("DELETE FROM sessions WHERE user_name = ?", (name,))
    return n > 0


def list_users(db: Database) -> list[dict]:
    with db.read() as q:
        return q.dicts("SELECT name, role, created, disabled, last_login FROM users ORDER BY name")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()


def rate_limited(db: Database, user: str, address: str, now: float) -> bool:
    """True while the user name or the client address has too many recent failures."""
    since = now - RATE_WINDOW_S
    with db.read() as q:
        per_user = q.one("SELECT COUNT(*) FROM login_attempts WHERE key = ? AND time > ?", ("u:" + user, since))
        per_addr = q.one("SELECT COUNT(*) FROM login_attempts WHERE key = ? AND time > ?", ("a:" + address, since))
    return (per_user or (0,))[0] >= MAX_FAILURES_PER_USER or (per_addr or (0,))[0] >= MAX_FAILURES_PER_ADDRESS


def login(db: Database, name: str, password: str, address: str, now: float) -> Optional[tuple[str, Session]]:
    """(cookie value, Session) for a right name and password, else None (the failure is
    recorded for rate limiting). Call rate_limited() first."""
    with db.read() as q:
        row = q.one("SELECT password_hash, role, disabled FROM users WHERE name = ?", (name,))
    # Hash even for an unknown user so the answer time does not tell which names exist.
    ok = check_password(password, row[0] if row else _DUMMY_HASH) and row is not None and not row[2]
    with db.write() as q:
        if not ok:
            q.run("INSERT INTO login_attempts (key, time) VALUES (?, ?)", ("u:" + name, now))
            q.run("INSERT INTO login_attempts (key, time) VALUES (?, ?)", ("a:" + address, now))
            q.run("DELETE FROM login_attempts WHERE time < ?", (now - RATE_WINDOW_S,))
            return None
        assert row is not None
        cookie = secrets.token_urlsafe(32)
        session = Session(name, row[1], secrets.token_urlsafe(24), now + SESSION_SECONDS)
        q.run("INSERT INTO sessions (id, user_name, created, expires, csrf) VALUES (?, ?, ?, ?, ?)",
              (_digest(cookie), name, now, session.expires, session.csrf))
        q.run("UPDATE users SET last_login = ? WHERE name = ?", (now, name))
        q.run("DELETE FROM sessions WHERE expires < ?", (now,))
        q.run("DELETE FROM login_attempts WHERE key = ?", ("u:" + name,))
    return cookie, session


def session_for(db: Database, cookie: str, now: float) -> Optional[Session]:
    """The live session of a cookie value, or None (unknown, expired or user disabled)."""
    if not cookie or len(cookie) > 100:
        return None
    with db.read() as q:
        row = q.one("SELECT s.user_name, u.role, s.csrf, s.expires, u.disabled FROM sessions s "
                    "JOIN users u ON u.name = s.user_name WHERE s.id = ?", (_digest(cookie),))
    if row is None or row[3] <= now or row[4]:
        return None
    return Session(row[0], row[1], row[2], row[3])


def logout(db: Database, cookie: str) -> None:
    with db.write() as q:
        q.run("DELETE FROM sessions WHERE id = ?", (_digest(cookie),))


def same_token(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
