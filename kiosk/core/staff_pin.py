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


def verify_pin(pin, stored):
    """Whether ``pin`` matches the config line ``stored``. False for an empty
    or malformed line (that counter cannot log in), never an exception."""
    # Only a well-formed PIN is hashed: HMAC pads keys with zero bytes, so
    # "1234\x00" would otherwise match the hash of "1234".
    if check_pin_text(pin) is not None or not stored:
        return False
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return False
    if not (2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 4 and expected):
        return False
    try:
        digest = hashlib.scrypt(pin.encode("ascii"), salt=salt, n=n, r=r, p=p,
                                dklen=len(expected), maxmem=256 * r * n + 1024 * 1024)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(digest, expected)
