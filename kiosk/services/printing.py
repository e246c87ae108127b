"""Printing off the UI thread: the print worker and the paper roll counter.

The main loop calls ``PrintWorker.submit(ticket_id, content)``, which only
puts the job on a queue. The worker thread prints it and answers with a
``PrintFinished`` event whose ``outcome`` the main loop records
(``QueueService.record_print_outcome``). Every job has a deadline
(``printer.timeout`` from submit): a stalled printer costs one ticket, never
a frozen kiosk, and no byte of a job reaches the printer after its deadline
(drivers.printer.deadline writes in chunks against it).

The ticket-in-hand rule: right before the first byte of a ticket goes to the
printer, the worker records durably in its own store connection that printing
started (``Store.print_started``). A job that fails before that is "void" (no
byte can be on paper); one that fails or times out after it is "uncertain":
the ticket stays callable, and staff see it in ``status`` and ``report``.

Between jobs the worker reads the printer's health every
``printer.status_interval`` seconds and sends ``PrinterHealthChanged`` when
it changes. After any error the printer connection is dropped and opened
again by the next job or health read, so unplugging and replugging, or
switching the printer off and on, needs no restart.

The roll counter (printers without a paper sensor) lives in the Store's
meta table. A Store connection belongs to one thread, so the worker opens
its own connection in its own thread (``open_meta``, e.g.
``lambda: Store(cfg.storage.database)``); ``ptsp-kiosk paper-replaced``
resets the same keys from another process and the worker sees it on its
next ticket. This module imports no hardware library: the printer is
made by the caller (``drivers.printer.open_printer``).
"""
import dataclasses
import logging
import queue
import threading
import time

from kiosk.core.errors import KioskError, PrinterError, PrinterTimeout
from kiosk.core.events import PrintFinished, PrinterHealth, PrinterHealthChanged
from kiosk.core.print_job import PrintJob

log = logging.getLogger(__name__)

KEY_TICKETS = "printer.tickets_since_paper"
KEY_REPLACED = "printer.paper_replaced_at"
KEY_MM = "printer.mm_per_ticket"
STATUS_CALL_TIMEOUT = 8.0  # a health read (connect + three queries) that takes longer is a stall
MAX_STUCK = 3  # helper threads left blocked inside a dead printer before jobs fail at once
# After a job's deadline its writer stops by itself within a chunk; this long
# it is given to return before the worker gives it up as stuck.
WRITE_GRACE = 1.0
# Idle this long after a printed ticket, the worker prepares the next one
# (_warm_up, 2-3 ms): a job already queued, or one that comes right behind,
# is never held back by it; a visitor's press comes seconds later.
WARM_AFTER = 0.02

_STOP = object()


class RollCounter:
    """Paper left on the roll, counted: paper per ticket x tickets since the
    paper was replaced. For printers without a near-end sensor.

    ``meta`` is an object with ``meta_get(key, default)`` / ``meta_set(key,
    value)`` (a kiosk Store); ``open_meta`` a callable that opens one, called
    on first use in the thread that uses the counter. With neither, the count
    lives in memory only. A failing store never stops printing: the counter
    goes on in memory and the problem is logged.
    """

    def __init__(self, roll_length_m, warn_m, meta=None, open_meta=None, default_mm=80.0):
        self.roll_length_m = roll_length_m
        self.warn_m = warn_m
        self._meta = meta
        self._open_meta = open_meta
        self._memory = {}
        self.default_mm = default_mm

    @property
    def enabled(self):
        return self.roll_length_m > 0

    def _store(self):
        if self._meta is None and self._open_meta is not None:
            opener, self._open_meta = self._open_meta, None
            try:
                self._meta = opener()
            except Exception as e:
                log.warning("roll counter: cannot open the store, counting in memory: %s", e)
        return self._meta

    def _get(self, key, default):
        store = self._store()
        if store is not None:
            try:
                return store.meta_get(key, default)
            except Exception as e:
                log.warning("roll counter: cannot read %s: %s", key, e)
        return self._memory.get(key, default)

    def _set(self, key, value):
        self._memory[key] = value
        store = self._store()
        if store is not None:
            try:
                store.meta_set(key, value)
            except Exception as e:
                log.warning("roll counter: cannot save %s: %s", key, e)

    def tickets(self):
        """Tickets printed since the paper was last replaced."""
        value = self._get(KEY_TICKETS, 0)
        return value if isinstance(value, int) and value >= 0 else 0

    def mm_per_ticket(self):
        value = self._get(KEY_MM, None)
        return float(value) if isinstance(value, (int, float)) and value > 0 else self.default_mm

    def replaced_at(self):
        return self._get(KEY_REPLACED, None)

    def add(self, mm):
        """One ticket of ``mm`` paper was printed."""
        if mm and mm > 0:
            self._set(KEY_MM, round(float(mm), 1))
        self._set(KEY_TICKETS, self.tickets() + 1)

    def replaced(self, now):
        """A new roll went in at ``now`` (epoch seconds)."""
        self._set(KEY_TICKETS, 0)
        self._set(KEY_REPLACED, now)

    def remaining_m(self):
        """Metres estimated left on the roll, or None when the counter is off."""
        if not self.enabled:
            return None
        return max(0.0, self.roll_length_m - self.tickets() * self.mm_per_ticket() / 1000.0)

    def tickets_left(self):
        left = self.remaining_m()
        return None if left is None else int(left * 1000 // self.mm_per_ticket())

    def near_end(self):
        left = self.remaining_m()
        return left is not None and left < self.warn_m

    def apply(self, health):
        """``health`` with paper "near_end" when the counter says so. An
        estimate never claims "out": the sensor (or the visitor) knows better."""
        if not self.near_end() or health.paper in ("near_end", "out"):
            return health
        note = (f"roll counter: about {self.remaining_m():.1f} m ({self.tickets_left()} tickets) left; "
                "after a new roll run 'ptsp-kiosk paper-replaced'")
        detail = f"{health.detail}; {note}" if health.detail else note
        return dataclasses.replace(health, paper="near_end", detail=detail)


@dataclasses.dataclass
class _Job:
    ticket_id: int
    content: object
    deadline: float


class PrintWorker:
    """Prints tickets on its own thread.

    ``printer_cfg`` is the [printer] config section (timeout, status_interval,
    roll_length, roll_warn); ``printer`` a drivers.printer TicketPrinter, which
    reconnects by itself after ``close()``; ``events`` the main loop's
    queue.Queue. The worker opens its own Store at ``db_path`` (in its own
    thread): there it records ``print_started`` before each ticket's first
    byte, and keeps the roll counter. ``open_meta()`` may give the roll
    counter another store; ``record_start(ticket_id)`` may replace the
    recording (tests). Without a store nothing is recorded.
    """

    def __init__(self, printer_cfg, printer, events, db_path=None, open_meta=None, clock=time.monotonic,
                 record_start=None):
        self._printer = printer
        self._events = events
        self.timeout = printer_cfg.timeout
        self.status_interval = printer_cfg.status_interval
        self._db_path = db_path
        self._store = None  # opened by the worker thread on first use
        if open_meta is None and db_path:
            open_meta = self._worker_store
        self.roll = (RollCounter(printer_cfg.roll_length, printer_cfg.roll_warn, open_meta=open_meta)
                     if printer_cfg.roll_length > 0 else None)
        self._record_start = record_start or (self._store_print_started if db_path else None)
        self._clock = clock
        self._jobs = queue.Queue()
        self._stuck = []
        self._warm = None  # the content of the last printed ticket, until _warm_up
        self._thread = None
        self.health = PrinterHealth(online=None, paper="unknown", detail="not read yet")
        self._printer_health = self.health

    def _worker_store(self):
        if self._store is None:
            from kiosk.services.store import Store

            self._store = Store(self._db_path)
        return self._store

    def _store_print_started(self, ticket_id):
        store = self._worker_store()
        # Recorded times never go backwards (the clock guard's rule), even here.
        last = store.last_event()[1]
        store.print_started(ticket_id, max(time.time(), last or 0.0))

    # -- the caller's side ---------------------------------------------------
    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="print-worker", daemon=True)
            self._thread.start()
        return self

    def submit(self, ticket_id, content):
        """Queue a ticket for printing; returns at once. A PrintFinished event follows."""
        self._jobs.put(_Job(ticket_id, content, self._clock() + self.timeout))

    def pending(self):
        """Jobs waiting (not counting one being printed)."""
        return self._jobs.qsize()

    def stop(self, timeout=5.0):
        """Finish the job in hand, then end the thread and close the printer."""
        if self._thread is not None:
            self._jobs.put(_STOP)
            self._thread.join(timeout)
            self._thread = None

    # -- the worker thread ----------------------------------------------------
    def _run(self):
        next_poll = self._clock()
        while True:
            wake = next_poll if self._warm is None else min(next_poll, self._clock() + WARM_AFTER)
            try:
                item = self._jobs.get(timeout=max(0.0, wake - self._clock()))
            except queue.Empty:
                item = None
                self._warm_up()
            if item is _STOP:
                break
            try:
                if item is not None:
                    self._print(item)
                if self._clock() >= next_poll:
                    self._poll()
                    next_poll = self._clock() + self.status_interval
            except Exception:  # a bug here must not end printing for the day
                log.exception("print worker")
        _quiet_close(self._printer)

    def _call(self, fn, timeout, on_start=None):
        """Run ``fn(start)`` on a helper thread; PrinterTimeout when it does not
        return within ``timeout``. The helper is left behind, blocked in the
        dead printer, and the printer is dropped so the next call reopens it.

        ``start`` (a callable for the helper) runs ``on_start()`` on *this*
        thread, which owns the store connection, and waits for it: the helper
        sends its first byte only once that returned. Returns (value, whether
        ``on_start`` ran)."""
        self._stuck = [t for t in self._stuck if t.is_alive()]
        if len(self._stuck) >= MAX_STUCK:
            stalled = PrinterTimeout("printer stalled: earlier jobs are still blocked in it")
            stalled.print_started = False
            raise stalled
        messages = queue.Queue()
        started = []

        def start(wait):
            reply = queue.Queue(maxsize=1)
            messages.put(("start", reply))
            try:
                error = reply.get(timeout=max(0.0, wait))
            except queue.Empty:
                raise PrinterTimeout("the start of printing could not be recorded in time") from None
            if error is not None:
                raise error

        def run():
            try:
                messages.put(("done", fn(start), None))
            except BaseException as e:  # handed to the worker thread below
                messages.put(("done", None, e))

        helper = threading.Thread(target=run, name="printer-io", daemon=True)
        helper.start()
        end = self._clock() + timeout
        while True:
            try:
                message = messages.get(timeout=max(0.0, end - self._clock()))
            except queue.Empty:
                self._stuck.append(helper)
                self._discard()
                late = PrinterTimeout(f"printer did not finish within {timeout:.1f} s (stalled or jammed?)")
                late.print_started = bool(started)
                raise late from None
            if message[0] == "start":
                try:
                    if on_start is not None:
                        on_start()
                    started.append(True)
                    message[1].put(None)
                except Exception as e:  # nothing may be sent: the store could not record the start
                    log.error("cannot record the start of printing: %s", e)
                    message[1].put(PrinterError(f"cannot record the start of printing: {e}"))
                continue
            _, value, error = message
            if error is not None:
                error.print_started = bool(started)
                raise error
            return value, bool(started)

    def _warm_up(self):
        """Lay out the likely next ticket (TicketPrinter.warm_next) once no job
        came for WARM_AFTER seconds after the last one: its images are then
        cached, and a ticket pressed meanwhile never waits behind this."""
        content, self._warm = self._warm, None
        warm = getattr(self._printer, "warm_next", None)
        if content is None or warm is None:
            return
        try:
            warm(content)
        except Exception as e:  # only a cache: the real job lays itself out again
            log.debug("warming up the next ticket: %s", e)

    def _discard(self):
        """Close the printer connection so the next job or health read opens
        it again. Closing a blocked link may block too, so it runs on a side
        thread that is given two seconds."""
        closer = threading.Thread(target=_quiet_close, args=(self._printer,), name="printer-close", daemon=True)
        closer.start()
        closer.join(2.0)

    def _print(self, job):
        left = job.deadline - self._clock()
        if left <= 0:
            self._finish(job.ticket_id, PrinterTimeout("printer busy: the ticket could not start printing in time"),
                         started=False)
            return

        def run(start):
            print_job = PrintJob(deadline=job.deadline, clock=self._clock,
                                 on_start=lambda: start(job.deadline - self._clock()))
            return self._printer.print_ticket(job.content, print_job)

        record = None if self._record_start is None else (lambda: self._record_start(job.ticket_id))
        try:
            mm, _ = self._call(run, left + WRITE_GRACE, on_start=record)
        except KioskError as e:
            # Already disconnected: the printer's send() drops its link on a
            # PrinterError, and _call() does on a timeout.
            self._finish(job.ticket_id, e, getattr(e, "print_started", True))
            self._poll()  # tell the UI now, not at the next interval
            return
        except Exception as e:
            log.exception("printing ticket %s", job.ticket_id)
            self._discard()
            self._finish(job.ticket_id, PrinterError(f"unexpected printer failure: {e}"),
                         getattr(e, "print_started", True))
            return
        if self.roll is not None:
            self.roll.add(mm)
        preview = getattr(self._printer, "last_path", None)
        self._events.put(PrintFinished(job.ticket_id, outcome="printed", preview_png=str(preview or "")))
        self._publish(self._printer_health)  # the roll counter may have crossed its warning
        self._warm = job.content  # once the worker is idle a while: see _run

    def _finish(self, ticket_id, error, started):
        """Report a failed job: "uncertain" once its start was recorded (a byte
        may be on paper), else "void"."""
        code = getattr(error, "code", "PRN")
        outcome = "uncertain" if started else "void"
        log.warning("ticket %s %s: %s (%s)", ticket_id, "print uncertain" if started else "not printed", error, code)
        self._events.put(PrintFinished(ticket_id, str(error), code, outcome=outcome))

    def _poll(self):
        try:
            health, _ = self._call(lambda start: self._printer.status(), STATUS_CALL_TIMEOUT)
        except PrinterTimeout as e:
            health = PrinterHealth(online=None, paper="unknown", detail=str(e))
        except KioskError as e:
            self._discard()
            health = PrinterHealth(online=False, paper="unknown", detail=str(e))
        except Exception as e:
            log.exception("reading printer status")
            self._discard()
            health = PrinterHealth(online=None, paper="unknown", detail=f"status read failed: {e}")
        self._printer_health = health
        self._publish(health)

    def _publish(self, health):
        if self.roll is not None:
            health = self.roll.apply(health)
        if health != self.health:
            self.health = health
            self._events.put(PrinterHealthChanged(health))


def _quiet_close(printer):
    try:
        printer.close()
    except Exception as e:
        log.debug("closing printer: %s", e)
