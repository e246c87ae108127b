"""The kiosk's virtual environment: making it and listing what goes into it.

Standard library only (the installer runs before any dependency exists).
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Callable, Optional

from kiosk.core.errors import KioskError


class InstallError(KioskError, RuntimeError):
    """The installation cannot go on; the message says what to do."""


# Printed by the venv's Python: the requirements of the installed package.
LIST_REQUIREMENTS = (
    "import importlib.metadata as m\n"
    "print('\\n'.join(m.requires('ptsp-kiosk') or []))\n"
)


def requirements_without_pygame(requirements):
    """The run-time requirements minus pygame (which comes from Debian's
    python3-pygame or pygame-ce) and minus extras such as ``test``."""
    keep = []
    for req in requirements:
        req = req.strip()
        if not req or "extra ==" in req:
            continue
        name = re.split(r"[<>=!~ ;\[(]", req, maxsplit=1)[0].strip().lower()
        if name != "pygame":
            keep.append(req)
    return keep


def create_venv(path: Path, python: str, *, system_site_packages: bool, pip: bool = True,
                runner: Optional[Callable] = None):
    """Create a virtual environment at ``path`` with interpreter ``python``.

    ``system_site_packages`` lets it see Debian's python3-pygame (KMSDRM) and
    python3-lgpio. Raises InstallError with the tool's message on failure.
    """
    cmd = [python, "-m", "venv"]
    if system_site_packages:
        cmd.append("--system-site-packages")
    if not pip:
        cmd.append("--without-pip")
    cmd.append(str(path))
    result = (runner or run)(cmd)
    if result.returncode != 0:
        hint = " (on Debian: apt-get install python3-venv)" if "ensurepip" in (result.stderr or "") else ""
        raise InstallError(f"cannot create the virtual environment {path}: {tail(result)}{hint}")


def run(cmd, env=None):
    """Run a command, capturing its output (the installer's default runner)."""
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)


def tail(result, lines=3):
    """The last lines of a command's output, for an error message."""
    text = ((result.stderr or "") + (result.stdout or "")).strip().splitlines()
    return " | ".join(text[-lines:]) or "no output"
