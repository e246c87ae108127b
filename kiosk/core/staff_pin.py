"""Counter PINs for the staff page, stored hashed in the config (hashlib.scrypt).

The config holds one line per counter, ``scrypt$N$r$p$salt$hash`` (base64),
made by ``ptsp-kiosk hash-pin``. A PIN is short, so the hash is slow on
purpose and the staff page locks a counter out after repeated failures.
"""
import base64
import hashlib
import hmac
import re
import secrets

# 2**14 x 8 uses 16 MiB and takes about 0.1 s on a Raspberry Pi 4: slow enough
# to make guessing from a stolen config costly, quick enough for a login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
PIN_RE = re.compile(r"[0-9]{4,12}", re.ASCII)  # used with fullmatch: no trailing newline
_MAX_N = 2 ** 20  # a hand-edited hash must not make a login take minutes


def check_pin_text(pin):
    """None when ``pin`` is an acceptable PIN (4-12 digits), else why not."""
    if not isinstance(pin, str) or not PIN_RE.fullmatch(pin):
        return "a PIN is 4 to 12 digits (0-9)"
    return None


def _b64(data):
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin, salt=None, n=SCRYPT_N):
    """The config line for ``pin``; ValueError when it is not 4-12 digits.
    ``n``: scrypt's cost (a power of two); tests use a small one to stay quick."""
    problem = check_pin_text(pin)
    if problem:
        raise ValueError(problem)
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


_MAX_MEMORY = 64 * 1024 * 1024  # 4x the default; eight parallel logins must not exhaust a Pi's RAM


def _parse(stored):
    """(n, r, p, salt, expected) of a config line, or a str saying why it is unusable."""
    parts = stored.split("$") if isinstance(stored, str) else []
    if len(parts) != 6 or parts[0] != "scrypt":
        return "is not a PIN hash; make one with `ptsp-kiosk hash-pin` and paste the whole line"
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return "is not a PIN hash; make one with `ptsp-kiosk hash-pin` and paste the whole line"
    if not (2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 4 and expected):
        return "has scrypt parameters this kiosk does not accept; make a new one with `ptsp-kiosk hash-pin`"
    if 128 * n * r > _MAX_MEMORY:  # scrypt needs 128*n*r bytes per login
        return "needs more than 64 MiB per login; make a new one with `ptsp-kiosk hash-pin`"
    return n, r, p, salt, expected


def hash_problem(stored):
    """None when ``stored`` is empty or a usable config line, else why not (for the config check)."""
    if stored == "":
        return None
    parsed = _parse(stored)
    return parsed if isinstance(parsed, str) else None


def verify_pin(pin, stored):
    """Whether ``pin`` matches the config line ``stored``. False for an empty,
    malformed or too costly line (that counter cannot log in), never an exception."""
    # Only a well-formed PIN is hashed: HMAC pads keys with zero bytes, so
    # "1234\x00" would otherwise match the hash of "1234".
    if check_pin_text(pin) is not None or not stored:
        return False
    parsed = _parse(stored)
    if isinstance(parsed, str):
        return False
    n, r, p, salt, expected = parsed
    try:
        digest = hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p,
                                dklen=len(expected), maxmem=256 * r * n + 1024 * 1024)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(digest, expected)
