"""The one place that imports python-escpos.

Three traps of ``escpos.capabilities``, all at import time:

- it calls ``logging.basicConfig()``: imported lazily, after the command line
  has set up logging, that does nothing;
- it caches its printer database in a pickle in ESCPOS_CAPABILITIES_PICKLE_DIR
  (a fixed folder here), and it truncates that file before writing it again:
  a second process importing it at that moment fails with "EOFError: Ran
  out of input" (the kiosk and ``check-config`` on a first boot, parallel
  tests on a new machine). The import is therefore done under a file lock;
- it calls ``mkdtemp()`` for the default of that variable even when the
  variable is set, which left an empty /tmp/tmpXXXXXXXX behind on every
  start. That folder is made inside the cache folder and removed again.
"""
import contextlib
import fcntl
import importlib
import os
import sys
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
    if "escpos.capabilities" in sys.modules:
        return importlib.import_module(module)
    if not os.path.isdir(os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR", "")):
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = _pickle_dir()
    folder = os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]
    # Only in a folder of our own: in the system's temporary folder a new empty
    # tmp* folder may be another program's.
    own = os.path.realpath(folder) != os.path.realpath(tempfile.gettempdir())
    with _locked(os.path.join(folder, ".import.lock")):
        before = set(os.listdir(folder))
        saved = tempfile.tempdir
        if own:
            tempfile.tempdir = folder  # escpos's unused mkdtemp() lands here
        try:
            importlib.import_module("escpos.capabilities")
        finally:
            tempfile.tempdir = saved
        for name in set(os.listdir(folder)) - before if own else ():
            if name.startswith("tmp"):
                with contextlib.suppress(OSError):  # only if empty: never anything of someone else's
                    os.rmdir(os.path.join(folder, name))
    return importlib.import_module(module)


@contextlib.contextmanager
def _locked(path):
    """An exclusive flock on ``path`` (without one, where the folder is read-only)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


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
