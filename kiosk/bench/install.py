"""Figures for the appliance install: how exposed the systemd units are.

``systemd-analyze security`` scores a unit's sandboxing from 0 (locked
down) to 10 (fully exposed). On a running system it asks systemd about a
loaded unit; ``--offline=true`` reads the unit *file* instead, so the figure
is the same on a build machine, in CI and on the Pi. Target for the kiosk:
at most 4.0, with its devices (GPIO, DRM, input, sound, USB, serial) open.
"""
import re
import shutil
import subprocess
from pathlib import Path

from kiosk.bench import Figure

UNIT_DIR = Path(__file__).resolve().parents[2] / "systemd"
TARGETS = {"ptsp-kiosk.service": 4.0, "ptsp-receiver.service": 2.0, "ptsp-display.service": 4.0}
_OVERALL = re.compile(r"Overall exposure level for \S+:\s*([0-9.]+)")


class SecurityUnavailable(RuntimeError):
    """systemd-analyze is missing or cannot score the unit here."""


def exposure(unit_path) -> float:
    """The overall exposure level of a unit file (0.0-10.0), computed offline."""
    tool = shutil.which("systemd-analyze")
    if not tool:
        raise SecurityUnavailable("systemd-analyze is not installed (Debian package: systemd)")
    result = subprocess.run([tool, "security", "--offline=true", "--no-pager", str(unit_path)],
                            capture_output=True, text=True, timeout=60, check=False)
    match = _OVERALL.search(result.stdout)
    if not match:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise SecurityUnavailable(f"systemd-analyze security gave no figure for {unit_path}: "
                                  + " | ".join(tail))
    return float(match.group(1))


def run(quick):
    """One figure per unit: its exposure, with its target."""
    figures = []
    for unit, target in TARGETS.items():
        name = f"{unit.split('.')[0]} exposure (systemd-analyze)"
        try:
            value = exposure(UNIT_DIR / unit)
        except SecurityUnavailable as e:
            # No number to compare: say why instead of inventing one.
            figures.append(Figure("install", f"{name}: unavailable, {e}", float("nan"), "", f"<= {target}",
                                  None))
            continue
        figures.append(Figure("install", name, value, "/10", f"<= {target}", value <= target))
    return figures
