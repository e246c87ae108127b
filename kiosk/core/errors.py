"""One error root for the whole project.

Drivers translate library exceptions (escpos, serial, gpiozero, requests,
sqlite3) into these at their edge, so the rest of the code catches our
errors only. Each class also inherits the closest builtin, as gpiozero does,
so generic handlers (``except OSError``) still work.
"""


class KioskError(Exception):
    """Root of every error the kiosk raises on purpose."""


class ConfigError(KioskError, ValueError):
    """The configuration is invalid. ``problems`` lists every problem found."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class StoreError(KioskError, RuntimeError):
    """The ticket store cannot be used (locked, disk full, unreadable)."""


class StoreNotOurs(StoreError):
    """The database file is corrupt or belongs to another program.

    It is never overwritten or deleted: a technician must look at it.
    """


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
