"""A fake printer for tests and for running the kiosk without any printer.

It lays tickets out exactly like a real one (the bytes are kept) and can be
told to misbehave: fail the next jobs, stall until released, report a health.
"""
import threading

from kiosk.core.errors import PrinterOffline
from kiosk.core.events import PrinterHealth

from drivers.printer.base import TicketPrinter


class FakePrinter(TicketPrinter):
    """In-memory printer. ``jobs`` holds (name, bytes) of every job printed.

    Test verbs: ``fail_next(error, times=1)``, ``stall()`` / ``release()``,
    ``health = PrinterHealth(...)``. ``opened`` counts (re)connections, so a
    test sees that the printer was reopened after an error.
    """

    kind = "dummy"

    def __init__(self, layout, language="id"):
        super().__init__(layout, language)
        self.jobs = []
        self.health = PrinterHealth(online=True, paper="ok", cover_open=False, detail="fake printer")
        self.opened = 0
        self.closed = 0
        self._connected = False
        self._errors = []
        self._go = threading.Event()
        self._go.set()
        self.lock = threading.Lock()

    def fail_next(self, error, times=1):
        self._errors.extend([error] * times)

    def stall(self):
        """Jobs block (like a printer that stopped taking data) until release()."""
        self._go.clear()

    def release(self):
        self._go.set()

    def _send(self, data, name, job):
        if not self._connected:
            self._connected = True
            self.opened += 1
        generation = self.closed
        self._go.wait()
        if self.closed != generation:
            # Like a real link closed under a blocked write: the data is dropped.
            raise PrinterOffline("connection closed while the job was waiting")
        if self._errors:
            raise self._errors.pop(0)
        job.start()  # the bytes go out now (an exception here: nothing is printed)
        with self.lock:
            self.jobs.append((name, data))

    def status(self):
        return self.health

    def close(self):
        if self._connected:
            self._connected = False
            self.closed += 1
