"""Writing a print job against its deadline (issue 10, the ticket-in-hand rule).

A thread blocked in ``write()`` cannot be cancelled, and an abandoned writer
finishes its job whenever the device drains: a ticket already declared void
would come out of the printer later. So a job is written here in small
chunks, with non-blocking I/O and ``poll()``, checking the deadline between
chunks, and only while the kernel holds little of it still unsent (a FIFO's
pipe buffer or a tty's output queue is read by the printer later, so bytes
waiting there would reach the paper after the deadline). On the deadline the
writer stops, throws away what the kernel still holds where it can, and the
caller closes the device.

``PrintJob`` (kiosk.core.print_job) carries the deadline and the ``on_start`` hook: the print worker
records durably that printing started, and it is called right before the
first byte is handed to the kernel, never earlier (a job that times out
before its first byte stays void) and never after (a crash after the first
byte finds the ticket marked as started, so recovery keeps it callable).
"""
import errno
import fcntl
import os
import select
import socket
import stat
import struct
import termios
import time
from typing import Optional

from kiosk.core.errors import PrinterError, PrinterOffline
from kiosk.core.print_job import PrintJob

CHUNK = 256  # bytes per write: about a quarter second at 9600 baud
# The most of a job left in the kernel (pipe buffer, tty output queue, socket
# send queue) at any time; what is there when the deadline strikes is thrown
# away where the device allows (tty, FIFO), so this bounds late paper output.
MAX_QUEUED = 512
POLL_STEP = 0.05  # seconds between looks at a queue that drains without telling poll()


def _queued(fd: int, kind: str) -> Optional[int]:
    """Bytes the kernel still holds unsent on ``fd``, or None when it cannot tell."""
    request = {"fifo": termios.FIONREAD, "tty": termios.TIOCOUTQ, "socket": termios.TIOCOUTQ}.get(kind)
    if request is None:
        return None
    try:
        return struct.unpack("i", fcntl.ioctl(fd, request, b"\0\0\0\0"))[0]
    except OSError:
        return None


def fd_kind(fd: int) -> str:
    """"fifo", "tty", "socket", "file" (regular file) or "device" (e.g. /dev/usb/lp0)."""
    mode = os.fstat(fd).st_mode
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) and os.isatty(fd):
        return "tty"
    if stat.S_ISREG(mode):
        return "file"
    return "device"


def write_fd(fd: int, data: bytes, job: PrintJob, where: str = "printer") -> None:
    """Write ``data`` to ``fd`` (made non-blocking here) against ``job``'s deadline.

    Raises PrinterTimeout when the deadline passes (``job.started`` tells
    whether a byte went out), PrinterOffline when the device goes away. The
    caller closes the device after any error; ``discard_queued`` first drops
    what the kernel still holds.
    """
    os.set_blocking(fd, False)
    kind = fd_kind(fd)
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    view = memoryview(data)
    while view:
        left = job.left()
        if left <= 0:
            job.check(f"{where}: writing")
        queued = _queued(fd, kind)
        if queued is not None and queued > MAX_QUEUED - min(CHUNK, len(view)):
            # The printer has not yet taken what it was given: wait for it.
            time.sleep(min(POLL_STEP, max(0.0, left)))
            continue
        ready = poller.poll(max(0, int(min(left, POLL_STEP * 4) * 1000)))
        if not ready:
            continue
        if any(ev & (select.POLLERR | select.POLLHUP | select.POLLNVAL) for _, ev in ready):
            raise PrinterOffline(f"{where}: the printer side closed or failed")
        job.start()
        try:
            n = os.write(fd, view[:CHUNK])
        except (BlockingIOError, InterruptedError):
            continue
        except OSError as e:
            if e.errno in (errno.EPIPE, errno.ENXIO, errno.ENODEV, errno.EIO, errno.ECONNRESET):
                raise PrinterOffline(f"{where}: the printer went away while printing ({e.strerror})") from e
            raise PrinterError(f"{where}: write failed ({e.strerror})") from e
        job.written += n
        view = view[n:]


def discard_queued(fd: int) -> int:
    """Throw away what the kernel still holds unsent for the printer, where it
    can: a tty's output queue (tcflush) or a FIFO's pipe buffer (read back by
    us before the printer reads it). Returns the bytes dropped (0: unknown)."""
    try:
        kind = fd_kind(fd)
    except OSError:
        return 0
    if kind == "tty":
        queued = _queued(fd, kind) or 0
        try:
            termios.tcflush(fd, termios.TCOFLUSH)
        except termios.error:
            return 0
        return queued
    if kind == "fifo":
        return _drain_fifo(fd)
    if kind == "socket":
        sock = socket.socket(fileno=os.dup(fd))
        try:  # RST instead of FIN on close: the kernel drops the unsent bytes
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        finally:
            sock.close()
    return 0


def _drain_fifo(fd: int) -> int:
    # A FIFO's pipe buffer cannot be flushed by its writer, but any reader
    # may take bytes out of it: open the same pipe for reading and read what
    # the printer side has not read yet.
    try:
        reader = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return 0
    dropped = 0
    try:
        while True:
            try:
                got = os.read(reader, 65536)
            except BlockingIOError:
                break
            if not got:
                break
            dropped += len(got)
    finally:
        os.close(reader)
    return dropped
