"""Bearer-token files (the kiosk's LAN feed, a display board): one checker,
used by the LAN server when it starts and by ``check-config`` before it."""
from __future__ import annotations

import os
import stat
from typing import Optional

from kiosk.core.errors import KioskError

MIN_TOKEN_LENGTH = 16


class TokenFileError(KioskError):
    """A token file that is missing, unreadable, readable by others or not a token."""


def read_token(path: str, copy_from: str = "") -> str:
    """The bearer token in ``path``; refuses a file others can read.

    ``copy_from``: where a board gets the token (the kiosk's file), named in
    the message instead of how to make a new one. Raises LanError with the fix.
    """
    make = f"head -c 32 /dev/urandom | base64 > {path} && chmod 600 {path}"
    if copy_from:
        make = f"copy {copy_from} here, then chmod 600 {path}"
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise TokenFileError(f"token file {path} does not exist; {'' if copy_from else 'create it: '}{make}") from None
    except OSError as e:
        raise TokenFileError(f"cannot read token file {path}: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise TokenFileError(f"token file {path} is not a regular file")
    if st.st_mode & 0o077:
        raise TokenFileError(f"token file {path} is readable by others (mode {stat.S_IMODE(st.st_mode):o}); "
                       f"run: chmod 600 {path}")
    try:
        with open(path, "rb") as f:
            raw = f.read(4096)
    except OSError as e:
        raise TokenFileError(f"cannot read token file {path}: {e.strerror}") from None
    try:
        token = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise TokenFileError(f"token file {path} must hold printable ASCII text; create a new one: {make}") from None
    if len(token) < MIN_TOKEN_LENGTH or not token.isprintable() or any(c.isspace() for c in token):
        raise TokenFileError(f"token file {path} must hold one word of at least {MIN_TOKEN_LENGTH} printable "
                       f"characters; create a new one: {make}")
    return token


def token_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot serve as a token file, or None (for check-config)."""
    try:
        read_token(path)
    except TokenFileError as e:
        return str(e)
    return None
