"""The one place that imports python-escpos.

``import escpos`` creates a new temporary folder on every import unless
ESCPOS_CAPABILITIES_PICKLE_DIR points at an existing folder, and it calls
``logging.basicConfig()``; importing it lazily, after the command line has
set up logging, keeps both harmless.
"""
import importlib
import os
import tempfile
from pathlib import Path

from kiosk.core.errors import ConfigError


def _pickle_dir():
    candidates = []
    if os.environ.get("CACHE_DIRECTORY"):  # systemd CacheDirectory=
        candidates.append(Path(os.environ["CACHE_DIRECTORY"].split(":")[0]) / "escpos")
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    candidates.append(Path(base) / "ptsp-kiosk" / "escpos")
    candidates.append(Path(tempfile.gettempdir()) / f"ptsp-kiosk-escpos-{os.getuid()}")
    for c in candidates:
        try:
            c.mkdir(parents=True, exist_ok=True)
            if os.access(c, os.W_OK):
                return str(c)
        except OSError:
            continue
    return tempfile.gettempdir()


def load(module="escpos.escpos"):
    """Import an escpos module with the capability cache in a fixed folder."""
    if not os.path.isdir(os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR", "")):
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = _pickle_dir()
    return importlib.import_module(module)


def profile(name):
    """The python-escpos capability profile ``name``; ConfigError with the
    closest known names when it does not exist."""
    caps = load("escpos.capabilities")
    known = caps.CAPABILITIES["profiles"]
    if name not in known:
        import difflib

        near = difflib.get_close_matches(name, list(known), n=3)
        hint = f" Did you mean {', '.join(near)}?" if near else f" Known: {', '.join(sorted(known))}."
        raise ConfigError([f"printer.profile: unknown python-escpos profile {name!r}.{hint}"])
    return caps.get_profile(name)
