"""Helpers for the appliance-install tests (units, udev rule, installer)."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEMD = ROOT / "systemd"
UNITS = sorted(SYSTEMD.glob("*.service"))


def parse_unit(path):
    """A unit file as {section: {key: [values...]}}; systemd allows repeated keys."""
    sections, current = {}, None
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def words(values):
    """All space-separated words of a list of setting values."""
    return [w for v in values for w in v.split()]


def need_tool(name):
    """Skip the test, saying why, when a system tool is missing."""
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed (Debian package: systemd)")
    return path


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False, **kw)


def make_source(dest):
    """A minimal ptsp-kiosk source tree: the real systemd/ files and docs, setup.py,
    and the real example config when the lead has written it (else a stand-in)."""
    shutil.copytree(SYSTEMD, dest / "systemd")
    shutil.copy(ROOT / "setup.py", dest / "setup.py")
    (dest / "config").mkdir()
    example = ROOT / "config" / "kiosk.example.toml"
    if example.is_file():
        shutil.copy(example, dest / "config" / "kiosk.example.toml")
    else:
        (dest / "config" / "kiosk.example.toml").write_text("# example config stand-in\n")
    for doc in ("docs/TECHNICIAN.md",):
        if (ROOT / doc).is_file():
            (dest / doc).parent.mkdir(exist_ok=True)
            shutil.copy(ROOT / doc, dest / doc)
    return dest
