"""Tell systemd how the kiosk is doing (sd_notify), without a library.

The protocol is one datagram of ``KEY=value`` lines to the AF_UNIX socket
named in ``$NOTIFY_SOCKET``; a name starting with ``@`` is an abstract socket.
Outside systemd (a laptop, the tests, a technician's shell) the variable is
unset and every call is a harmless no-op that returns False.

The app calls ``ready()`` once its screen is up, ``watchdog()`` from the main
loop at least every ``watchdog_interval()`` seconds, ``status(text)`` on
changes a technician should see in ``systemctl status``, and ``stopping()``
on the way out.
"""
import logging
import os
import socket
from typing import Optional

log = logging.getLogger(__name__)


def _address(name):
    # Abstract sockets have no file; the kernel wants a leading NUL byte.
    return "\0" + name[1:] if name.startswith("@") else name


def notify(state: str) -> bool:
    """Send ``state`` (one or more ``KEY=value`` lines) to systemd.

    Returns True when the datagram was sent, False when not under systemd
    or when sending failed (logged, never raised: a missing notification
    must not take the kiosk down).
    """
    name = os.environ.get("NOTIFY_SOCKET")
    if not name:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(state.encode("utf-8"), _address(name))
    except OSError as e:
        log.warning("sd_notify to %s failed: %s", name, e)
        return False
    return True


def ready(status_text: Optional[str] = None) -> bool:
    """The kiosk is up: systemd finishes the start (Type=notify)."""
    return notify("READY=1" + (f"\nSTATUS={_one_line(status_text)}" if status_text else ""))


def watchdog() -> bool:
    """Ping the watchdog; call it from the main loop, never from a worker thread,
    so that a hung loop really gets the kiosk restarted."""
    return notify("WATCHDOG=1")


def status(text: str) -> bool:
    """A one-line state shown by ``systemctl status ptsp-kiosk``."""
    return notify(f"STATUS={_one_line(text)}")


def stopping() -> bool:
    """The kiosk is shutting down on purpose."""
    return notify("STOPPING=1")


def extend_timeout(seconds: float) -> bool:
    """Ask for more time to start or stop (a slow first start on a Pi 3)."""
    return notify(f"EXTEND_TIMEOUT_USEC={int(seconds * 1_000_000)}")


def watchdog_interval() -> Optional[float]:
    """Seconds between two ``watchdog()`` calls, or None when no watchdog is set.

    Half of ``$WATCHDOG_USEC``, as sd_watchdog_enabled(3) advises, so one late
    loop turn does not get the kiosk killed. ``$WATCHDOG_PID``, when set, must
    be this process: a child must not feed its parent's watchdog.
    """
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec:
        return None
    pid = os.environ.get("WATCHDOG_PID")
    if pid and pid.strip() != str(os.getpid()):
        return None
    try:
        value = int(usec)
    except ValueError:
        log.warning("ignoring WATCHDOG_USEC=%r: not a number", usec)
        return None
    if value <= 0:
        return None
    return value / 1_000_000 / 2


def _one_line(text):
    # A newline would start a new KEY=value assignment inside the datagram.
    return " ".join(str(text).split())
