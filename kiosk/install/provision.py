"""First-boot provisioning from the SD card's FAT boot partition.

A technician copies ``ptsp-kiosk.toml`` (and optionally ``ptsp-sync.token``)
onto the boot partition from any laptop; at boot
``ptsp-kiosk-provision.service`` runs ``ptsp-kiosk provision``, which:

- validates the config exactly as ``check-config`` does; if it is valid, installs it
  as /etc/ptsp-kiosk/kiosk.toml (atomically, root:ptsp-kiosk 0640) and renames
  the boot copy to ``ptsp-kiosk.toml.applied``; if not, keeps the old config,
  writes the problems to ``ptsp-kiosk.toml.errors.txt`` beside it and leaves the
  marker ``/var/lib/ptsp-kiosk/provision-error`` that makes the kiosk show the
  out-of-order code ``CFG-BOOT``;
- does the same for the token: installed where the config's ``[sync] token_file``
  says (mode 0600, owned by the kiosk's user), then deleted from the FAT
  partition, which anyone with the card can read;
- writes ``ptsp-kiosk-report.txt`` beside them, and logs each step to stdout
  (the journal).

Running it again with nothing on the boot partition changes nothing; it needs
no network. Standard library and the core's config schema only.
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from kiosk.core import config
from kiosk.core.errors import ConfigError

BOOT_DIRS = ("boot/firmware", "boot")  # Debian 12 / Raspberry Pi OS Bookworm, then older
CONFIG_NAME = "ptsp-kiosk.toml"
TOKEN_NAME = "ptsp-sync.token"
REPORT_NAME = "ptsp-kiosk-report.txt"
APPLIED_SUFFIX = ".applied"
ERRORS_SUFFIX = ".errors.txt"
CONFIG = Path("etc/ptsp-kiosk/kiosk.toml")
# The marker and its reader are shared with the kiosk, which shows the code.
from kiosk.services.boot_marker import FAULT_CODE, MARKER, boot_config_fault  # noqa: E402,F401
USER = "ptsp-kiosk"
MAX_CONFIG_BYTES = 256 * 1024  # a real config is a few KiB; refuse a stray big file
MAX_TOKEN_BYTES = 4096


@dataclass
class Result:
    """What one provisioning run did: ``applied`` and ``problems`` are lines for people."""

    boot_dir: Optional[Path]
    applied: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def found_anything(self) -> bool:
        return bool(self.applied or self.problems or self.notes)


def find_boot_dir(root: Path = Path("/")) -> Optional[Path]:
    """The boot partition's folder below ``root`` holding our files, else the
    first that exists (/boot/firmware on Bookworm), else None."""
    existing = [root / d for d in BOOT_DIRS if (root / d).is_dir()]
    for d in existing:
        if (d / CONFIG_NAME).exists() or (d / TOKEN_NAME).exists():
            return d
    return existing[0] if existing else None


def provision(root: Path = Path("/"), boot_dir: Optional[Path] = None,
              log: Callable[[str], None] = print, now: Optional[float] = None) -> Result:
    """Apply the config and token found on the boot partition (see the module doc)."""
    root = Path(root)
    boot = Path(boot_dir) if boot_dir else find_boot_dir(root)
    result = Result(boot)
    if boot is None or not boot.is_dir():
        log(f"no boot partition folder ({' or '.join('/' + d for d in BOOT_DIRS)}): nothing to provision")
        _clear_marker(root, log)
        return result
    config_file, token_file = boot / CONFIG_NAME, boot / TOKEN_NAME
    if config_file.exists():
        _apply_config(root, config_file, result, log)
    if token_file.exists():
        _apply_token(root, token_file, result, log)
    if not result.found_anything:
        log(f"nothing to provision in {boot} (no {CONFIG_NAME}, no {TOKEN_NAME})")
    if result.problems:
        _write_marker(root, result.problems, log)
    else:
        _clear_marker(root, log)
    if result.found_anything:
        _write_report(boot / REPORT_NAME, result, now, log)
    return result


# -- the config ------------------------------------------------------------------
def _apply_config(root: Path, source: Path, result: Result, log: Callable[[str], None]) -> None:
    errors_file = source.with_name(source.name + ERRORS_SUFFIX)
    dest = root / CONFIG
    problems, data = _read_config(source)
    tmp = None
    if not problems:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = _write_temp(dest, data, 0o640)
        try:
            config.load(tmp)  # the check-config check, on the very bytes that get installed
        except ConfigError as e:
            problems = [p.replace(str(tmp), source.name) for p in e.problems]
    if problems:
        if tmp:
            tmp.unlink(missing_ok=True)
        _write_text(errors_file, _errors_text(source.name, problems, "the kiosk keeps its previous config"))
        result.problems += [f"{source.name}: {p}" for p in problems]
        for p in problems:
            log(f"{source}: NOT applied: {p}")
        return
    assert tmp is not None
    same = dest.is_file() and dest.read_bytes() == data
    _chown(tmp, "root", USER, root, result, CONFIG_NAME)
    os.replace(tmp, dest)
    _fsync_dir(dest.parent)
    applied = source.with_name(source.name + APPLIED_SUFFIX)
    os.replace(source, applied)
    errors_file.unlink(missing_ok=True)
    _fsync_dir(source.parent)
    what = "unchanged (same as installed)" if same else "installed"
    result.applied.append(f"{source.name}: {what} as /{CONFIG}; boot copy renamed to {applied.name}")
    log(f"{source}: valid, {what} as /{CONFIG}; renamed to {applied.name}")


def _read_config(source: Path) -> tuple[list[str], bytes]:
    """(problems, normalised bytes): UTF-8 without a BOM (Windows Notepad adds one)."""
    try:
        raw = _read_limited(source, MAX_CONFIG_BYTES)
    except ValueError as e:
        return [str(e)], b""
    except OSError as e:
        return [f"cannot read it: {e.strerror or e}"], b""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        return ["it holds NUL bytes: save it as plain UTF-8 text"], b""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return [f"not UTF-8 text (byte {e.start}): save it as UTF-8"], b""
    return [], raw


# -- the token -------------------------------------------------------------------
def _apply_token(root: Path, source: Path, result: Result, log: Callable[[str], None]) -> None:
    errors_file = source.with_name(source.name + ERRORS_SUFFIX)
    problems: list[str] = []
    token = ""
    try:
        raw = _read_limited(source, MAX_TOKEN_BYTES)
        token = raw.decode("utf-8").lstrip("\ufeff").strip()
    except ValueError as e:  # UnicodeDecodeError is a ValueError too
        problems.append(str(e) if not isinstance(e, UnicodeDecodeError) else "not UTF-8 text")
    except OSError as e:
        problems.append(f"cannot read it: {e.strerror or e}")
    if not problems and not token:
        problems.append("it is empty: put the token the office gave for this kiosk in it")
    elif not problems and any(c.isspace() or not c.isprintable() for c in token):
        problems.append("it must hold one token on one line, without spaces")
    dest = root / _token_path(root).relative_to("/")
    if problems:
        _write_text(errors_file, _errors_text(source.name, problems, "the kiosk keeps its previous token"))
        result.problems += [f"{source.name}: {p}" for p in problems]
        for p in problems:
            log(f"{source}: NOT applied: {p}")
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(dest, (token + "\n").encode("utf-8"), 0o600)
    _chown(tmp, USER, USER, root, result, TOKEN_NAME)
    os.replace(tmp, dest)
    _fsync_dir(dest.parent)
    # Only now that the token is safely installed does it leave the card's FAT side.
    source.unlink()
    errors_file.unlink(missing_ok=True)
    _fsync_dir(source.parent)
    shown = "/" + str(dest.relative_to(root))
    result.applied.append(f"{source.name}: installed as {shown} (mode 600) and deleted from the boot partition")
    log(f"{source}: installed as {shown} (mode 600); deleted from the boot partition")


def _token_path(root: Path) -> Path:
    """Where the config now in force wants the token (its [sync] token_file)."""
    try:
        token_file = config.load(root / CONFIG).sync.token_file
    except ConfigError:
        token_file = ""
    path = Path(token_file or config.Sync().token_file)
    return path if path.is_absolute() else Path("/") / path


# -- marker, report, files -----------------------------------------------------------
def _write_marker(root: Path, problems: list[str], log: Callable[[str], None]) -> None:
    marker = root / MARKER
    marker.parent.mkdir(parents=True, exist_ok=True)
    text = FAULT_CODE + "\n" + "\n".join(problems) + "\n"
    tmp = _write_temp(marker, text.encode("utf-8"), 0o644)
    os.replace(tmp, marker)
    log(f"out-of-order code {FAULT_CODE} set ({marker}): fix the file(s) on the boot partition and reboot")


def _clear_marker(root: Path, log: Callable[[str], None]) -> None:
    marker = root / MARKER
    if os.path.lexists(marker):
        marker.unlink()
        log(f"out-of-order code {FAULT_CODE} cleared ({marker})")


def _write_report(path: Path, result: Result, now: Optional[float], log: Callable[[str], None]) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(now if now is not None else time.time()))
    lines = [f"PTSP kiosk provisioning, {stamp}", ""]
    lines += [f"OK       {a}" for a in result.applied]
    lines += [f"PROBLEM  {p}" for p in result.problems]
    lines += [f"NOTE     {n}" for n in result.notes]
    if result.problems:
        lines += ["", f"The kiosk shows code {FAULT_CODE}. Fix the file(s) named above (see the "
                      "*.errors.txt files) and reboot."]
    _write_text(path, "\n".join(lines) + "\n")
    log(f"report written to {path}")


def _errors_text(name: str, problems: list[str], kept: str) -> str:
    return (f"{name} was NOT applied ({kept}):\n" + "".join(f"  - {p}\n" for p in problems)
            + "Fix the file and reboot; check it first on a laptop with `ptsp-kiosk check-config FILE`.\n")


def _read_limited(path: Path, limit: int) -> bytes:
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"it is larger than {limit // 1024} KiB: not a kiosk file")
    return data


def _write_temp(dest: Path, data: bytes, mode: int) -> Path:
    """A fully written, synced temporary file beside ``dest`` (same file system, for os.replace)."""
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".ptsp-new", dir=dest.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _write_text(path: Path, text: str) -> None:
    # The FAT partition has no modes or owners: a plain, synced write is all it takes.
    tmp = _write_temp(path, text.encode("utf-8"), 0o644)
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (vfat on old kernels) refuse fsync on a directory
    finally:
        os.close(fd)


def _chown(path: Path, user: str, group: str, root: Path, result: Result, label: str) -> None:
    """Give ``path`` to user:group as named in ROOT/etc/passwd and group (not the
    build host's). Skipped, with a note, when not root or the names are unknown."""
    if os.geteuid() != 0:
        return
    uid, gid = _lookup(root / "etc/passwd", user), _lookup(root / "etc/group", group)
    if uid is None or gid is None:
        result.notes.append(f"{label}: user/group {user}:{group} unknown here, left owned by root")
        return
    os.chown(path, uid, gid)


def _lookup(database: Path, name: str) -> Optional[int]:
    try:
        for line in database.read_text(encoding="utf-8", errors="replace").splitlines():
            fields = line.split(":")
            if len(fields) > 2 and fields[0] == name:
                return int(fields[2])
    except (OSError, ValueError):
        return None
    return None
