"""The print worker: off the UI thread, with timeouts, health events, reopen, roll counter."""
import queue
import time

import pytest

from printer_helpers import content, layout, next_event

from kiosk.core.config import Printer
from kiosk.core.errors import PrinterOffline
from kiosk.core.events import PrinterHealth, PrinterHealthChanged, PrintFinished
from kiosk.services.printing import KEY_TICKETS, WARM_AFTER, PrintWorker, RollCounter


class MetaDict:
    """Stands in for Store.meta_get/meta_set."""

    def __init__(self):
        self.data = {}

    def meta_get(self, key, default=None):
        return self.data.get(key, default)

    def meta_set(self, key, value):
        self.data[key] = value


@pytest.fixture
def fake():
    from drivers.printer import FakePrinter

    return FakePrinter(layout(58))


@pytest.fixture
def events():
    return queue.Queue()


@pytest.fixture
def worker(fake, events):
    made = []

    def make(**cfg):
        w = PrintWorker(Printer(**{"timeout": 0.5, "status_interval": 0.2, **cfg}), fake, events)
        made.append(w)
        return w.start()

    yield make
    fake.release()
    for w in made:
        w.stop(2)


def next_of(events, kind, seconds=3.0):
    return next_event(events, kind, seconds)


def test_a_printed_ticket_is_reported_finished(worker, fake, events):
    worker().submit(7, content())
    assert next_of(events, PrintFinished) == PrintFinished(7, None, None, outcome="printed")
    assert fake.jobs[0][0] == "ticket-000007-A-012"


def test_when_idle_after_a_ticket_the_worker_prepares_the_next_number_but_never_before_a_waiting_job(
        worker, fake, events, monkeypatch):
    from kiosk.services import printing

    monkeypatch.setattr(printing, "WARM_AFTER", 1.0)  # a margin for a busy machine between the two submits
    warmed = []
    monkeypatch.setattr(fake.layout, "warm_next", lambda c: warmed.append(c.label))
    w = worker(status_interval=60.0)
    w.submit(7, content(label="A-046"))
    assert next_of(events, PrintFinished).result == "printed"
    w.submit(8, content(label="A-047", ticket_id=8))  # pressed at once: nothing is warmed in between
    assert next_of(events, PrintFinished).result == "printed"
    deadline = time.monotonic() + 3
    while not warmed and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    assert warmed == ["A-047"]


def test_a_warm_up_that_fails_is_only_logged_and_printing_goes_on(worker, fake, events, monkeypatch):
    def broken(c):
        raise RuntimeError("a layout bug")

    monkeypatch.setattr(fake, "warm_next", broken)
    w = worker(status_interval=60.0)
    w.submit(7, content(label="A-046"))
    assert next_of(events, PrintFinished).result == "printed"
    time.sleep(WARM_AFTER * 2)
    w.submit(8, content(label="A-047", ticket_id=8))
    assert next_of(events, PrintFinished).result == "printed"


def test_submit_never_blocks_even_with_a_stalled_printer(worker, fake, events):
    fake.stall()
    w = worker()
    start = time.monotonic()
    for i in range(5):
        w.submit(i, content(ticket_id=i))
    # Not a speed target: a submit that waited for the stalled printer would
    # take at least the 0.5 s print timeout; this bound only tells the two apart.
    assert time.monotonic() - start < 0.4
    first = next_of(events, PrintFinished)
    assert (first.ticket_id, first.code) == (0, "PRN-TMO")


def test_jobs_that_waited_past_their_deadline_are_not_printed_late(worker, fake, events):
    fake.stall()
    w = worker()
    w.submit(1, content(ticket_id=1))
    w.submit(2, content(ticket_id=2))
    results = [next_of(events, PrintFinished) for _ in range(2)]
    fake.release()
    assert [(r.code, r.outcome) for r in results] == [("PRN-TMO", "void"), ("PRN-TMO", "void")]
    assert "could not start printing in time" in results[1].error  # never sent to the printer
    time.sleep(0.2)
    assert fake.jobs == []  # nothing came out after the visitors were told it failed


def test_printing_resumes_after_a_stall_without_restart(worker, fake, events):
    fake.stall()
    w = worker()
    w.submit(1, content(ticket_id=1))
    assert next_of(events, PrintFinished).code == "PRN-TMO"
    fake.release()
    w.submit(2, content(ticket_id=2, label="A-013"))
    assert next_of(events, PrintFinished) == PrintFinished(2, None, None, outcome="printed")


def test_after_an_error_the_printer_is_reopened_for_the_next_ticket(worker, fake, events):
    fake.fail_next(PrinterOffline("unplugged"))
    w = worker()
    w.submit(1, content(ticket_id=1))
    failed = next_of(events, PrintFinished)
    assert (failed.error, failed.code) == ("unplugged", "PRN-OFF")
    w.submit(2, content(ticket_id=2))
    assert next_of(events, PrintFinished).error is None
    assert fake.closed >= 1 and fake.opened == 2


def test_health_changes_become_events(worker, fake, events):
    worker()
    assert next_of(events, PrinterHealthChanged).health.paper == "ok"
    fake.health = PrinterHealth(online=False, paper="out", detail="paper out")
    assert next_of(events, PrinterHealthChanged).health.paper == "out"


def test_unchanged_health_sends_no_event(worker, fake, events):
    worker()
    next_of(events, PrinterHealthChanged)
    with pytest.raises(AssertionError):
        next_of(events, PrinterHealthChanged, seconds=0.6)


def test_roll_counter_warns_before_the_roll_runs_out(fake, events):
    meta = MetaDict()
    w = PrintWorker(Printer(timeout=2, status_interval=30, roll_length=0.45, roll_warn=0.3), fake, events,
                    open_meta=lambda: meta).start()
    try:
        health = next_of(events, PrinterHealthChanged).health
        assert health.paper == "ok"
        for i in range(3):  # 60-75 mm each: 0.45 m - 3 tickets < 0.3 m
            w.submit(i, content(ticket_id=i))
        health = next_of(events, PrinterHealthChanged, seconds=5).health
        assert health.paper == "near_end" and "paper-replaced" in health.detail
        assert health.usable  # an estimate never stops the kiosk
        assert meta.data[KEY_TICKETS] == 3
    finally:
        w.stop(2)


def test_roll_counter_reset_when_paper_replaced():
    meta = MetaDict()
    roll = RollCounter(10.0, 2.0, meta=meta)
    for _ in range(3):
        roll.add(80.0)
    assert roll.tickets() == 3
    roll.replaced(1_700_000_000.0)
    assert roll.tickets() == 0 and roll.replaced_at() == 1_700_000_000.0
    assert roll.remaining_m() == pytest.approx(10.0)


def test_roll_counter_keeps_counting_when_the_store_fails():
    class Broken:
        def meta_get(self, key, default=None):
            raise OSError("disk I/O error")

        meta_set = meta_get

    roll = RollCounter(10.0, 2.0, meta=Broken())
    roll.add(100.0)
    roll.add(100.0)
    assert roll.tickets() == 2
