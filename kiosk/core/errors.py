"""One error root for the whole project.

Drivers translate library exceptions (escpos, serial, gpiozero, requests,
sqlite3) into these at their edge, so the rest of the code catches our
errors only. Each class also inherits the closest builtin, as gpiozero does,
so generic handlers (``except OSError``) still work.
"""


class KioskError(Exception):
    """Root of every error the kiosk raises on purpose."""


def _escaped(text):
    # Problems may quote config text: a terminal must never receive its raw
    # control characters (ESC sequences), so they are written as \x1b etc.
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in str(text))


class ConfigError(KioskError, ValueError):
    """The configuration is invalid. ``problems`` lists every problem found,
    each one line of printable text ("source: key.path: message")."""

    def __init__(self, problems):
        self.problems = [_escaped(p) for p in problems]
        super().__init__("\n".join(self.problems))


class StoreError(KioskError, RuntimeError):
    """The ticket store cannot be used. ``code`` is the out-of-order code
    shown on screen and in TECHNICIAN.md; subclasses name the cause."""

    code = "DB"


class StoreFull(StoreError):
    """The file system holding the database is full (SQLITE_FULL, ENOSPC)."""

    code = "DB-FULL"


class StoreReadOnly(StoreError):
    """The database or its file system is read-only (mounted ro, SD card locked or failing)."""

    code = "DB-RO"


class StorePermission(StoreError):
    """The kiosk's user may not write the database file or its folder."""

    code = "DB-PERM"


class StoreBusy(StoreError):
    """Another process holds the database lock longer than the busy timeout."""

    code = "DB-BUSY"


class StoreIOError(StoreError):
    """The storage device fails to read or write (disk I/O error: a worn SD card)."""

    code = "DB-IO"


class StoreNotOurs(StoreError):
    """The database file is corrupt or belongs to another program.

    It is never overwritten or deleted: a technician must look at it.
    """

    code = "DB-BAD"


class IllegalTransition(KioskError, ValueError):
    """A ticket was asked to move to a state its current state does not allow."""


class IssueRefused(KioskError):
    """A ticket cannot be issued now. ``reason`` is a machine code
    (``closed``, ``outside_hours``, ``quota``, ``no_priority``, ``unknown_service``,
    ``range_full``), ``detail`` human-readable context such as the next opening time."""

    def __init__(self, reason, detail=""):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class UnknownName(KioskError, LookupError):
    """A service code or counter number that the configuration does not know."""


class PrinterError(KioskError, OSError):
    """Printing failed. ``code`` is a short code shown to technicians."""

    code = "PRN"


class PrinterOffline(PrinterError):
    """The printer is unplugged, powered off or unreachable."""

    code = "PRN-OFF"


class PrinterTimeout(PrinterError):
    """The printer did not accept the data in time (stalled, paper jam)."""

    code = "PRN-TMO"


class PaperOut(PrinterError):
    """The printer reports no paper."""

    code = "PRN-PAPER"


class ButtonError(KioskError, RuntimeError):
    """GPIO buttons or lights cannot be set up (no pin factory, pin in use)."""


class SyncError(KioskError, OSError):
    """Upstream sync failed for this attempt; events stay in the outbox."""


class OperationRefused(KioskError):
    """A counter operation was refused and nothing changed (issue 15).

    ``reason`` is a machine code (``counter_closed``, ``not_today``, ``void``,
    ``being_served``, ``already_served``, ``not_printed``, ``not_served_here``,
    ``not_called``, ``service_closed``, ``same_service``, ``unknown_ticket``,
    ``unknown_service``, ``bad_label``, ``no_current``); the message says what happened in words a technician
    or an officer understands (English, for the command line and the log);
    ``values`` (label, counter, service, day...) let a screen say it in the
    device language (kiosk.core.counter_texts).
    """

    def __init__(self, reason, message, **values):
        self.reason = reason
        self.values = values
        super().__init__(message)
