"""The ticket printer interface and the ESC/POS status bytes.

A printer that does not answer a status query is "unknown", never "ok":
python-escpos' own ``paper_status()`` reports paper as adequate when nothing
comes back, which is why status is read and parsed here instead.
"""
import abc
import logging

from kiosk.core.errors import PrinterError, PrinterOffline, PrinterTimeout, PaperOut
from kiosk.core.events import PrinterHealth

from drivers.printer import render
from kiosk.core.print_job import PrintJob

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
# DLE EOT n answers always have bits 1 and 4 set and bits 0 and 7 clear; any
# other byte is noise (a stale XOFF, a half-dead line) and is not believed.
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12


def status_byte_valid(b):
    return b is not None and (b & _FIXED_MASK) == _FIXED_BITS


def parse_health(online_byte, cause_byte=None, paper_byte=None):
    """PrinterHealth from the answers to DLE EOT 1 (printer), 2 (offline
    cause) and 4 (roll paper sensor); None or an invalid byte means no answer."""
    if not status_byte_valid(online_byte):
        return PrinterHealth(online=None, paper="unknown", detail="printer does not answer status queries")
    online = not online_byte & 0x08
    cover = None
    problems = []
    if status_byte_valid(cause_byte):
        cover = bool(cause_byte & 0x04)
        if cover:
            problems.append("cover open")
        if cause_byte & 0x40:
            problems.append("printer error (cutter jam or head too hot)")
    paper = "unknown"
    if status_byte_valid(paper_byte):
        if paper_byte & 0x60:
            paper = "out"
            problems.append("paper out")
        elif paper_byte & 0x0C:
            paper = "near_end"
            problems.append("paper near end")
        else:
            paper = "ok"
    detail = ", ".join(problems) or ("online" if online else "offline")
    return PrinterHealth(online=online, paper=paper, cover_open=cover, detail=detail)


def error_for_health(health):
    """The PrinterError that a known-bad health means for a job, or None."""
    if health.paper == "out":
        return PaperOut(f"printer reports no paper ({health.detail})")
    if health.cover_open:
        return PrinterOffline(f"printer cover is open ({health.detail})")
    if health.online is False:
        return PrinterOffline(f"printer is offline ({health.detail})")
    return None


class TicketPrinter(abc.ABC):
    """A ticket printer.

    An implementation must provide ``_send(data, name, job)``: deliver the
    ESC/POS bytes of one job (``name`` is a file-safe job name such as
    ``ticket-000123-A-012``), raising PrinterError subclasses only. ``job``
    (drivers.printer.deadline.PrintJob) carries the deadline, which no byte
    may pass, and ``job.start()``, to be called right before the first byte
    goes out (the kiosk records there that the ticket may be on paper). It may
    override ``status()`` (default: unknown), ``close()`` and ``describe()``.

    After any error the implementation drops its connection, so that the next
    job or status read opens it again: an unplugged and replugged printer, or
    one that was switched off and on, works again without a restart.
    """

    kind = "printer"
    can_read_status = False

    def __init__(self, layout, language="id"):
        self.layout = layout
        self.language = language

    @property
    def geometry(self):
        return self.layout.geometry

    def describe(self):
        """One line for technicians: transport, address, paper."""
        g = self.geometry
        return f"{self.kind}, {g.paper_width} mm ({g.columns} columns), profile {g.profile}"

    def paper_mm(self, data):
        """Paper in mm that ``data`` uses on this printer."""
        return render.measure(data, self.geometry.dots, self.geometry.dpi).mm

    def print_ticket(self, content, job=None):
        """Print one ticket (a kiosk.core.tickets.TicketContent); returns the paper used in mm.

        ``job``: a PrintJob (deadline, start hook); none for no deadline.
        Raises PrinterError (PrinterOffline, PrinterTimeout, PaperOut) when the
        ticket cannot be printed or its printing cannot be trusted; then
        ``job.started`` tells whether a byte of it can have reached the printer.
        """
        data = self.layout.ticket(content)
        name = f"ticket-{content.ticket_id:06d}-{_safe(content.label)}{'-copy' if content.copy_text else ''}"
        self.send(data, name, job)
        return self.paper_mm(data)

    def print_page(self, title, lines, qr_data="", sample_label=""):
        """Print a technician's page (test page); returns the paper used in mm."""
        data = self.layout.page(title, lines, qr_data=qr_data, sample_label=sample_label)
        self.send(data, "test-page")
        return self.paper_mm(data)

    def warm_next(self, content):
        """Prepare for the next ticket of ``content``'s service while the
        printer is idle (TicketLayout.warm_next); never raises."""
        try:
            self.layout.warm_next(content)
        except Exception as e:  # only a cache warm-up: the real job lays itself out again
            log.debug("warming up the next ticket: %s", e)

    def send(self, data, name="job", job=None):
        """Send raw ESC/POS bytes as one job (``job``: a PrintJob, or None)."""
        try:
            self._send(data, name, job or PrintJob())
        except PrinterError:
            self.close()
            raise

    @abc.abstractmethod
    def _send(self, data, name, job):
        """Deliver the bytes of one job; raise PrinterError subclasses only."""

    def status(self):
        """PrinterHealth as read now. Never blocks longer than a few seconds."""
        return PrinterHealth(online=None, paper="unknown", detail=f"{self.kind}: cannot read printer status")

    def close(self):  # noqa: B027 - optional: printers without a connection keep this no-op
        """Release the connection; the next job opens it again."""


def _safe(text):
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:40]


__all__ = ["TicketPrinter", "PrintJob", "parse_health", "error_for_health", "status_byte_valid",
           "PrinterError", "PrinterOffline", "PrinterTimeout", "PaperOut"]
