"""Real printers through python-escpos: usb, serial, network and file.

python-escpos writes the bytes (``_raw``); this module adds what a kiosk
needs around it: timeouts everywhere, status read with "no answer" kept as
unknown, a check after each ticket that the printer really took it, library
exceptions turned into kiosk.core.errors, and reopening after any error.
"""
import errno
import logging
import os
import socket
import time

from kiosk.core.errors import PrinterError, PrinterOffline, PrinterTimeout
from kiosk.core.events import PrinterHealth

from drivers.printer import _escpos
from drivers.printer.base import DLE_EOT, TicketPrinter, error_for_health, parse_health, status_byte_valid
from kiosk.core.print_job import PrintJob
from drivers.printer.deadline import CHUNK, discard_queued, write_fd

log = logging.getLogger(__name__)

STATUS_TIMEOUT = 1.0  # seconds a status query may take during a health poll
CONNECT_TIMEOUT = 3.0  # seconds to reach a network printer


def translate(exc, where):
    """A kiosk PrinterError for any exception a transport raised."""
    if isinstance(exc, PrinterError):
        return exc
    name = type(exc).__name__
    text = str(exc).strip().replace("\n", " ") or name
    if isinstance(exc, TimeoutError) or "Timeout" in name:  # socket, pyserial, pyusb timeouts
        return PrinterTimeout(f"{where}: printer did not take the data in time ({text})")
    if name in ("DeviceNotFoundError", "USBNotFoundError"):
        return PrinterOffline(f"{where}: printer not found, unplugged or switched off ({text})")
    if isinstance(exc, (BrokenPipeError, ConnectionError)):
        return PrinterOffline(f"{where}: connection to the printer was lost ({text})")
    return PrinterOffline(f"{where}: {name}: {text}")


class EscposPrinter(TicketPrinter):
    """A printer behind a python-escpos object.

    Subclasses provide ``_make()`` (a new, unopened escpos object) and may
    provide ``_connect(dev)``, ``_drain(dev)``, ``_read_byte(dev, timeout)``
    and ``_abort(dev)``. With ``device=`` an existing escpos object (e.g.
    ``escpos.printer.Dummy``) is used as is: tests read its ``output``.
    """

    kind = "escpos"
    per_job = False  # open and close the connection for every job

    def __init__(self, layout, language="id", timeout=10.0, device=None):
        super().__init__(layout, language)
        self.timeout = timeout
        self._given = device
        self._dev = None
        # answers: did the last status query get an answer (None: not asked yet).
        # talks: has this printer ever answered? Then silence means trouble.
        self.answers = None
        self.talks = False
        self.last_health = None  # the latest health read from the printer itself

    # -- connection ---------------------------------------------------------
    def _make(self):
        if self._given is None:  # pragma: no cover - subclasses override
            raise PrinterError("no printer device")
        return self._given

    def _connect(self, dev):
        dev.open()

    def _open(self):
        if self._dev is None:
            try:
                dev = self._make()
                self._connect(dev)
            except Exception as e:
                raise translate(e, f"{self.describe()}: cannot open") from e
            self._dev = dev
        return self._dev

    def _abort(self, dev):
        """Drop the connection after an error, discarding unsent bytes so that
        a printer that comes back does not print a ticket already voided."""
        self._close_dev(dev)

    def _close_dev(self, dev):
        try:
            dev.close()
        except Exception as e:  # closing a dead link may fail; it is gone either way
            log.debug("closing %s: %s", self.kind, e)

    def close(self):
        dev, self._dev = self._dev, None
        if dev is not None and dev is not self._given:
            self._close_dev(dev)

    def send(self, data, name="job", job=None):
        # Without a job (a technician's test page), the printer's own timeout is the deadline.
        job = job or PrintJob(deadline=time.monotonic() + self.timeout)
        try:
            self._send(data, name, job)
        except PrinterError:
            dev, self._dev = self._dev, None
            if dev is not None and dev is not self._given:
                self._abort(dev)
            raise
        finally:
            if self.per_job:
                self.close()

    def _send(self, data, name, job):
        dev = self._open()
        self._precheck(dev)
        try:
            self._write(dev, data, job, name)
        except PrinterError:
            raise
        except Exception as e:
            raise translate(e, f"{self.describe()}: sending {name}") from e
        if self.can_read_status:
            self._confirm(dev, name)

    def _write(self, dev, data, job, name):
        """Deliver ``data`` against ``job``'s deadline. This default serves an
        in-memory escpos object (``device=``), which takes everything at once;
        transports override it with a deadline-bounded writer."""
        job.start()
        dev._raw(data)
        job.written += len(data)

    def _precheck(self, dev):
        """Before the first byte: a printer that last reported paper out, cover
        open or offline is asked again, and the job fails while no byte of it
        has gone out (the ticket is then void, not uncertain)."""
        if not (self.can_read_status and self.talks and self.last_health is not None
                and error_for_health(self.last_health)):
            return
        problem = error_for_health(self._read_health(dev, STATUS_TIMEOUT))
        if problem:
            raise problem

    # -- status -------------------------------------------------------------
    def _drain(self, dev):
        """Throw away bytes that arrived unasked (late answers, XON/XOFF)."""

    def _read_byte(self, dev, timeout):  # pragma: no cover - status transports override
        return None

    def _query(self, dev, n, timeout):
        """Send DLE EOT n; the answer byte, or None when no valid byte comes in time."""
        try:
            self._drain(dev)
            dev._raw(DLE_EOT + bytes([n]))
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                b = self._read_byte(dev, left)
                if b is None or status_byte_valid(b):
                    return b
        except PrinterError:
            raise
        except Exception as e:
            raise translate(e, f"{self.describe()}: status") from e

    def _read_health(self, dev, first_timeout):
        b1 = self._query(dev, 1, first_timeout)
        self.answers = b1 is not None
        if b1 is None:
            return parse_health(None)
        self.talks = True
        self.last_health = parse_health(b1, self._query(dev, 2, STATUS_TIMEOUT), self._query(dev, 4, STATUS_TIMEOUT))
        return self.last_health

    def _confirm(self, dev, name):
        """After a ticket: does the printer still answer, with paper, online?

        Status queries are real-time commands that the printer answers once
        it has received everything sent before them, so an answer means the
        ticket arrived. A printer that has answered before and now falls
        silent has stalled or disappeared: the ticket cannot be trusted. One
        that never answered (a TX-only cable, a mute clone) is not asked again
        and its tickets go out unconfirmed.
        """
        if not self.talks and self.answers is False:
            return
        talked = self.talks
        health = self._read_health(dev, self.timeout if talked else STATUS_TIMEOUT)
        if health.online is None:
            if talked:
                raise PrinterTimeout(f"{self.describe()}: printer stopped answering while printing {name} "
                                     "(jammed, switched off or unplugged?)")
            log.info("%s does not answer status queries; tickets are sent unconfirmed", self.describe())
            return
        problem = error_for_health(health)
        if problem:
            raise problem

    def status(self):
        if not self.can_read_status:
            return super().status()
        try:
            return self._read_health(self._open(), STATUS_TIMEOUT)
        except PrinterError as e:
            self.close()
            return PrinterHealth(online=False, paper="unknown", detail=str(e))
        finally:
            if self.per_job:
                self.close()


class SerialPrinter(EscposPrinter):
    """RS-232 / USB-serial printer. The port is opened exclusively (a second
    program would interleave bytes and steal status answers) with a write
    timeout (with flow control a stalled printer blocks writes forever)."""

    kind = "serial"
    can_read_status = True

    def __init__(self, layout, device, baudrate=9600, flow_control="none", timeout=10.0, language="id"):
        super().__init__(layout, language, timeout)
        self.devfile, self.baudrate, self.flow_control = device, baudrate, flow_control

    def describe(self):
        return f"serial {self.devfile} {self.baudrate} baud ({self.flow_control}), {super().describe()}"

    def _make(self):
        return _safe_serial_class()(devfile=self.devfile, baudrate=self.baudrate, timeout=STATUS_TIMEOUT,
                                    xonxoff=self.flow_control == "xonxoff", dsrdtr=False)

    def _connect(self, dev):
        import serial

        try:
            dev.device = serial.Serial(port=self.devfile, baudrate=self.baudrate, timeout=STATUS_TIMEOUT,
                                       write_timeout=self.timeout, xonxoff=self.flow_control == "xonxoff",
                                       rtscts=self.flow_control == "rtscts", dsrdtr=False, exclusive=True)
        except serial.SerialException as e:
            if "lock" in str(e).lower():
                raise PrinterOffline(f"{self.devfile} is in use by another program "
                                     "(is the kiosk running? stop it before testing the printer)") from e
            raise PrinterOffline(f"cannot open {self.devfile}: {e}") from e

    def _drain(self, dev):
        dev.device.reset_input_buffer()

    def _write(self, dev, data, job, name):
        write_fd(dev.device.fileno(), data, job, f"{self.devfile}: sending {name}")

    def _read_byte(self, dev, timeout):
        dev.device.timeout = timeout
        got = dev.device.read(1)
        return got[0] if got else None

    def _close_dev(self, dev, discard=False):
        port = getattr(dev, "_device", None)
        dev._device = False
        if port:
            try:
                if discard:
                    port.reset_output_buffer()
                port.close()  # not escpos' close(): its flush() waits forever on a stalled printer
            except Exception as e:
                log.debug("closing %s: %s", self.devfile, e)

    def _abort(self, dev):
        self._close_dev(dev, discard=True)


_SAFE_SERIAL = []


def _safe_serial_class():
    """escpos' Serial whose close() (also run by ``__del__``) does not flush:
    pyserial's flush() waits forever for a printer that stopped taking data."""
    if not _SAFE_SERIAL:
        base = _escpos.load("escpos.printer").Serial

        class SafeSerial(base):
            def close(self):
                port, self._device = self._device, False
                if port:
                    try:
                        port.close()
                    except Exception as e:
                        log.debug("closing serial port: %s", e)

        _SAFE_SERIAL.append(SafeSerial)
    return _SAFE_SERIAL[0]


class NetworkPrinter(EscposPrinter):
    """Raw TCP (port 9100). One connection per job or status read: printers
    often accept a single client and drop idle links, and a technician's
    test-print must not be locked out while the kiosk runs."""

    kind = "network"
    can_read_status = True
    per_job = True

    def __init__(self, layout, host, port=9100, timeout=10.0, language="id"):
        super().__init__(layout, language, timeout)
        self.host, self.port = host, port

    def describe(self):
        return f"network {self.host}:{self.port}, {super().describe()}"

    def _make(self):
        if not self.host:
            raise PrinterOffline("printer.host is empty: set the printer's address")
        printer = _escpos.load("escpos.printer")
        return printer.Network(host=self.host, port=self.port, timeout=min(self.timeout, CONNECT_TIMEOUT))

    def _connect(self, dev):
        dev.open()
        dev.device.settimeout(self.timeout)

    def _write(self, dev, data, job, name):
        sock = dev.device
        try:
            write_fd(sock.fileno(), data, job, f"{self.host}:{self.port}: sending {name}")
        finally:
            sock.settimeout(self.timeout)  # write_fd made it non-blocking

    def _drain(self, dev):
        sock = dev.device
        sock.setblocking(False)
        try:
            while True:
                if sock.recv(64) == b"":
                    raise PrinterOffline(f"{self.describe()}: the printer closed the connection")
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            sock.settimeout(self.timeout)

    def _read_byte(self, dev, timeout):
        sock = dev.device
        sock.settimeout(timeout)
        try:
            got = sock.recv(1)
        except socket.timeout:
            return None
        finally:
            sock.settimeout(self.timeout)
        if not got:
            raise PrinterOffline(f"{self.describe()}: the printer closed the connection")
        return got[0]

    def _abort(self, dev):
        sock = getattr(dev, "_device", None)
        if sock:
            try:  # RST instead of FIN: the kernel drops bytes still queued for the printer
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
        self._close_dev(dev)


class FilePrinter(EscposPrinter):
    """A device node (``/dev/usb/lp0``) or any file; bytes are appended.

    It cannot read status: a missing device node means the printer is
    unplugged or off, anything else is unknown.
    """

    kind = "file"
    per_job = True

    def __init__(self, layout, path, timeout=10.0, language="id"):
        super().__init__(layout, language, timeout)
        self.path = path

    def describe(self):
        return f"file {self.path}, {super().describe()}"

    def _make(self):
        return _escpos.load("escpos.printer").File(devfile=self.path)

    def _connect(self, dev):
        # escpos' File opens with "wb", which would truncate a file. Non-blocking:
        # a FIFO or device with nobody reading fails at once (ENXIO) instead of
        # blocking the open, and writes are bounded by the job's deadline.
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o644)
        except OSError as e:
            if e.errno == errno.ENXIO:
                raise PrinterOffline(f"{self.path}: nobody is reading this device (printer off?)") from e
            raise
        dev.device = os.fdopen(fd, "ab", buffering=0)

    def _write(self, dev, data, job, name):
        write_fd(dev.device.fileno(), data, job, f"{self.path}: sending {name}")

    def _abort(self, dev):
        device = getattr(dev, "device", None)
        if device is not None:
            try:
                dropped = discard_queued(device.fileno())
                if dropped:
                    log.info("%s: %d unsent bytes of an aborted job thrown away", self.path, dropped)
            except (OSError, ValueError):
                pass
        self._close_dev(dev)

    def status(self):
        if not os.path.exists(self.path):
            return PrinterHealth(online=False, paper="unknown",
                                 detail=f"{self.path} does not exist (printer unplugged or switched off?)")
        if not os.access(self.path, os.W_OK):
            return PrinterHealth(online=False, paper="unknown",
                                 detail=f"no permission to write {self.path} (add the kiosk user to group lp)")
        return PrinterHealth(online=None, paper="unknown", detail=f"{self.path}: file printers cannot report status")


class UsbPrinter(EscposPrinter):
    """USB printer through pyusb, with a write timeout (python-escpos' default
    of 0 waits forever on a stalled printer). Needs a udev rule for access."""

    kind = "usb"
    can_read_status = True

    def __init__(self, layout, vendor_id, product_id, timeout=10.0, language="id"):
        super().__init__(layout, language, timeout)
        self.vendor_id, self.product_id = vendor_id, product_id

    def describe(self):
        return f"usb {self.vendor_id:04x}:{self.product_id:04x}, {super().describe()}"

    def _make(self):
        try:
            import usb.core  # noqa: F401
        except ImportError:
            raise PrinterError("USB printing needs the pyusb package (pip install pyusb), or use "
                               "type = \"file\" with path = \"/dev/usb/lp0\"") from None
        printer = _escpos.load("escpos.printer")
        return printer.Usb(self.vendor_id, self.product_id, timeout=int(self.timeout * 1000))

    def _drain(self, dev):
        while self._read_byte(dev, 0.01) is not None:
            pass

    def _write(self, dev, data, job, name):
        # pyusb has no non-blocking write: small chunks, each given at most the
        # time left, so nothing is handed to the printer after the deadline.
        for i in range(0, len(data), CHUNK):
            job.check(f"{self.describe()}: sending {name}")
            job.start()
            timeout_ms = max(1, int(min(job.left(), self.timeout) * 1000))
            job.written += dev.device.write(dev.out_ep, data[i:i + CHUNK], timeout_ms)

    def _read_byte(self, dev, timeout):
        import usb.core

        try:
            got = dev.device.read(dev.in_ep, 1, max(1, int(timeout * 1000)))
        except usb.core.USBTimeoutError:
            return None
        return got[0] if len(got) else None
