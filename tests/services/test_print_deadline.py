"""A writer past its deadline stops: with a printer that blocks (a FIFO whose
reader is slow or stopped), no byte of a job reaches it after the deadline,
and nothing at all of a job that never started (a void ticket)."""
import os
import queue
import threading
import time

import pytest

from printer_helpers import content, layout

from kiosk.core.config import Printer
from kiosk.core.errors import PrinterOffline, PrinterTimeout
from kiosk.core.events import PrintFinished
from kiosk.core.print_job import PrintJob
from kiosk.services.printing import PrintWorker
from drivers.printer import FilePrinter
from drivers.printer.deadline import MAX_QUEUED, write_fd

INIT = b"\x1b@"  # every ticket starts with ESC @


class SlowReader:
    """The printer end of a FIFO: reads ``rate`` bytes a second while running,
    noting when each piece arrived; ``pause()`` stops it like a jammed printer."""

    def __init__(self, path, rate=2000):
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.rate = rate
        self.got = []  # (monotonic time, bytes)
        self.running = threading.Event()
        self.running.set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        piece = max(1, self.rate // 50)
        while not self._stop.wait(0.02):
            if not self.running.is_set():
                continue
            try:
                data = os.read(self.fd, piece)
            except BlockingIOError:
                continue
            if data:
                self.got.append((time.monotonic(), data))

    def pause(self):
        self.running.clear()

    def resume(self):
        self.running.set()

    def data(self):
        return b"".join(d for _, d in self.got)

    def close(self):
        self._stop.set()
        self._thread.join(2)
        os.close(self.fd)


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "printer.fifo"
    os.mkfifo(path)
    return path


def test_given_a_fifo_nobody_reads_when_a_ticket_prints_then_it_fails_at_once_before_any_byte(fifo):
    printer = FilePrinter(layout(58), str(fifo), timeout=5)
    job = PrintJob(deadline=time.monotonic() + 5)
    failures = []

    def attempt():
        try:
            printer.print_ticket(content(), job)
        except PrinterOffline as e:
            failures.append(str(e))

    attempt_thread = threading.Thread(target=attempt, daemon=True)
    attempt_thread.start()
    attempt_thread.join(3)  # a blocking open() would never return
    assert not attempt_thread.is_alive() and "nobody is reading" in failures[0]
    assert not job.started  # a void ticket: no byte can be on paper


def test_given_a_jammed_printer_when_the_deadline_passes_then_what_the_kernel_holds_is_thrown_away(fifo):
    reader = SlowReader(fifo)
    reader.pause()
    printer = FilePrinter(layout(58), str(fifo), timeout=5)
    job = PrintJob(deadline=time.monotonic() + 0.3)
    try:
        with pytest.raises(PrinterTimeout):
            printer.print_ticket(content(), job)
        assert job.started and 0 < job.written <= MAX_QUEUED  # never more than a little in the pipe
        reader.resume()  # the printer comes back: nothing of the failed job is left for it
        time.sleep(0.2)
        assert reader.data() == b""
    finally:
        reader.close()


def test_given_a_slow_printer_when_the_deadline_passes_mid_ticket_then_no_byte_arrives_after_it(fifo):
    reader = SlowReader(fifo, rate=1000)
    printer = FilePrinter(layout(58), str(fifo), timeout=5)
    job = PrintJob(deadline=time.monotonic() + 1.0)
    try:
        with pytest.raises(PrinterTimeout):
            printer.print_ticket(content(), job)  # ~4.6 KB at 1 KB/s cannot make it in 1 s
        time.sleep(0.3)
        late = [t for t, _ in reader.got if t > job.deadline + 0.05]  # one read in flight at most
        assert reader.data() and late == []
    finally:
        reader.close()


def test_given_a_fifo_that_drains_when_a_ticket_prints_then_every_byte_arrives_in_order(fifo):
    reader = SlowReader(fifo, rate=50000)
    printer = FilePrinter(layout(58), str(fifo), timeout=5)
    job = PrintJob(deadline=time.monotonic() + 5)
    expected = printer.layout.ticket(content())
    try:
        printer.print_ticket(content(), job)
        deadline = time.monotonic() + 3
        while len(reader.data()) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert reader.data() == expected and job.written == len(expected)
    finally:
        reader.close()


def test_given_a_blocked_pipe_when_the_deadline_passes_before_any_byte_then_the_job_never_started(tmp_path):
    read_end, write_end = os.pipe()
    os.write(write_end, b"x" * 4096)  # an earlier job still in the pipe: more than MAX_QUEUED
    job = PrintJob(deadline=time.monotonic() + 0.2)
    try:
        with pytest.raises(PrinterTimeout, match="before its first byte"):
            write_fd(write_end, b"ticket", job)
        assert not job.started and job.written == 0
    finally:
        os.close(read_end)
        os.close(write_end)


def test_given_a_stalled_fifo_printer_when_two_tickets_queue_then_the_void_one_never_reaches_it(fifo):
    reader = SlowReader(fifo, rate=1000)
    reader.pause()
    events = queue.Queue()
    printer = FilePrinter(layout(58), str(fifo), timeout=0.5)
    worker = PrintWorker(Printer(type="file", path=str(fifo), timeout=0.5, status_interval=60), printer, events,
                         record_start=lambda ticket_id: None).start()
    try:
        worker.submit(1, content(ticket_id=1))
        worker.submit(2, content(ticket_id=2, label="A-013"))
        results = {}
        deadline = time.monotonic() + 5
        while len(results) < 2 and time.monotonic() < deadline:
            try:
                e = events.get(timeout=0.05)
            except queue.Empty:
                continue
            if isinstance(e, PrintFinished):
                results[e.ticket_id] = e.outcome
        assert results == {1: "uncertain", 2: "void"}
        reader.resume()  # the device drains later, as in the field report
        time.sleep(0.3)
        assert reader.data().count(INIT) == 0  # the aborted job's queued bytes were thrown away too
    finally:
        worker.stop(2)
        reader.close()
