"""Real storage faults for the tests: a tiny tmpfs that fills up, a read-only
mount, and a child process that runs as an unprivileged user. Each needs root
(and mount rights); without them the test is skipped and the injected-error
tests still cover the translation."""
import contextlib
import os
import pickle
import subprocess
import tempfile
from pathlib import Path

import pytest

NOBODY = 65534


def _mount(target, options):
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    return result.returncode == 0


@contextlib.contextmanager
def tmpfs(target, size="256k", read_only=False):
    """A tmpfs of ``size`` mounted at ``target`` (skips the test where mounting is not allowed)."""
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _mount(target, f"size={size},mode=0755"):
        pytest.skip("needs root and the right to mount a tmpfs")
    try:
        if read_only:
            remount_read_only(target)
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def remount_read_only(target):
    subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True, capture_output=True)


def fill(folder):
    """Write a file until the file system is full."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass  # ENOSPC: full
    finally:
        os.close(fd)


def as_nobody(fn):
    """Run ``fn()`` in a forked child as user nobody; returns what it returned,
    or the exception it raised (pickled back through a pipe)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to another user")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read)
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                result = fn()
            except BaseException as e:  # noqa: B036 - handed back to the parent as it is
                result = e
            os.write(write, pickle.dumps(result))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


@contextlib.contextmanager
def root_only_folder():
    """A folder owned by root, mode 755, on a path every user may walk (/tmp)."""
    with tempfile.TemporaryDirectory(prefix="ptsp-root-only-") as top:
        Path(top).chmod(0o755)
        folder = Path(top) / "data"
        folder.mkdir(mode=0o755)
        yield folder
