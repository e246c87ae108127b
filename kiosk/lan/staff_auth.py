"""Logins of the staff page: PIN check with lockout, sessions that end with the
business day, CSRF tokens. In memory: a kiosk restart logs everybody out,
which is what a lost phone or a shift change wants anyway.
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Optional
from zoneinfo import ZoneInfo

from kiosk.core.config import Config, parse_hhmm
from kiosk.core.staff_pin import verify_pin

MAX_SESSIONS = 200  # phones and tablets of a few counters; a flood must not grow memory


def business_day_end(now: float, timezone: str, day_start: str) -> float:
    """Epoch seconds at which the business day containing ``now`` ends (the
    next ``day_start`` local time)."""
    start = parse_hhmm(day_start)
    local = datetime.fromtimestamp(now, ZoneInfo(timezone))
    boundary = local.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0)
    if boundary <= local:
        boundary += timedelta(days=1)  # wall-clock arithmetic: the same local time tomorrow
    return boundary.timestamp()


@dataclass
class Session:
    counter: int
    csrf: str
    expires: float


@dataclass
class LoginResult:
    """``token`` set on success; otherwise ``locked_until`` (epoch) or the
    number of tries ``left`` before the lockout."""

    token: str = ""
    locked_until: float = 0.0
    left: int = 0


class StaffAuth:
    """PIN logins per counter, with a lockout after ``[staff] max_failures``
    wrong PINs in a row. Thread-safe: waitress serves requests in a pool."""

    def __init__(self, cfg: Config, clock: Callable[[], float] = time.time) -> None:
        self.cfg = cfg
        self.clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._failures: dict[int, int] = {}
        self._locked_until: dict[int, float] = {}

    def can_log_in(self, counter: int) -> bool:
        """Whether the counter has a PIN set (else its page offers no login)."""
        try:
            return bool(self.cfg.counter(counter).pin_hash)
        except LookupError:
            return False

    def locked_until(self, counter: int) -> float:
        """Epoch seconds until which the counter's login is locked, or 0."""
        with self._lock:
            until = self._locked_until.get(counter, 0.0)
            return until if until > self.clock() else 0.0

    def login(self, counter: int, pin: str) -> LoginResult:
        """Check ``pin`` for ``counter``; a wrong one counts towards the lockout.

        While locked, even the right PIN is refused without being checked, so
        guessing gains nothing from the lockout's end being near.
        """
        now = self.clock()
        staff = self.cfg.staff
        with self._lock:
            until = self._locked_until.get(counter, 0.0)
            if until > now:
                return LoginResult(locked_until=until)
        try:
            stored = self.cfg.counter(counter).pin_hash
        except LookupError:
            stored = ""
        ok = verify_pin(pin, stored)  # slow (scrypt): outside the lock
        with self._lock:
            if self._locked_until.get(counter, 0.0) > now:  # locked meanwhile by parallel guesses
                return LoginResult(locked_until=self._locked_until[counter])
            if not ok:
                failures = self._failures.get(counter, 0) + 1
                if failures >= staff.max_failures:
                    self._failures[counter] = 0
                    self._locked_until[counter] = now + staff.lockout_minutes * 60
                    return LoginResult(locked_until=self._locked_until[counter])
                self._failures[counter] = failures
                return LoginResult(left=staff.max_failures - failures)
            self._failures.pop(counter, None)
            self._prune(now)
            token = secrets.token_urlsafe(32)
            end = business_day_end(now, self.cfg.device.timezone, self.cfg.device.business_day_start)
            self._sessions[token] = Session(counter, secrets.token_urlsafe(32), end)
            return LoginResult(token=token)

    def session(self, token: Optional[str], counter: int) -> Optional[Session]:
        """The live session for ``token`` at ``counter``, or None (unknown,
        expired at the end of the business day, or another counter's)."""
        if not token:
            return None
        with self._lock:
            s = self._sessions.get(token)
            if s is None:
                return None
            if s.expires <= self.clock():
                del self._sessions[token]
                return None
            return s if s.counter == counter else None

    def logout(self, token: Optional[str]) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    def _prune(self, now: float) -> None:
        for token in [t for t, s in self._sessions.items() if s.expires <= now]:
            del self._sessions[token]
        while len(self._sessions) >= MAX_SESSIONS:  # the oldest login goes first
            del self._sessions[next(iter(self._sessions))]


def same_token(given: Optional[str], expected: str) -> bool:
    """CSRF token comparison in constant time; a missing token never matches."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))
