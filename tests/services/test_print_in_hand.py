"""The ticket-in-hand rule: a number that may be on paper is callable, one that
cannot be on paper is never called; recovery at start leaves nothing issued."""
import queue
import threading
import time

import pytest

from core_helpers import Clock, make_config, wib
from printer_helpers import content, layout, next_event

from kiosk.core.config import Printer
from kiosk.core.errors import IllegalTransition, PrinterOffline
from kiosk.core.events import PrintFinished
from kiosk.services import store_prints
from kiosk.services.printing import PrintWorker
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store


@pytest.fixture
def db(tmp_path):
    return tmp_path / "kiosk.db"


@pytest.fixture
def queue_service(db):
    store = Store(db)
    yield QueueService(make_config(db), store, clock=Clock(wib(2, 10)))
    store.close()


def issue(q, service="barang"):
    return q.issue(service).ticket


def state_of(q, ticket):
    return q.store.ticket(ticket.id).state


# --- the store's rules --------------------------------------------------------------
def test_given_a_started_print_when_it_fails_as_void_then_the_ticket_stays_callable_marked_uncertain(queue_service):
    q = queue_service
    t = issue(q)
    q.store.print_started(t.id, wib(2, 10))
    settled = q.void(t.id, "PRN-OFF: unplugged")
    assert settled.state == "waiting"
    assert q.store.print_outcome(t.id) == "uncertain"
    assert [x.label for x, _ in q.store.uncertain_prints(t.day)] == [t.label]
    assert q.call_next(1).ticket.label == t.label


def test_given_a_print_that_never_started_when_reported_uncertain_then_it_is_void(queue_service):
    q = queue_service
    t = issue(q)
    assert q.uncertain(t.id, "no answer from the print worker").state == "void"
    assert q.call_next(1) is None


def test_given_a_started_print_when_printed_then_waiting_and_not_uncertain(queue_service):
    q = queue_service
    t = issue(q)
    q.store.print_started(t.id, wib(2, 10))
    assert q.record_print_outcome(t.id, "printed").state == "waiting"
    assert q.store.print_outcome(t.id) == "printed" and q.store.uncertain_prints(t.day) == []


def test_given_a_void_ticket_when_the_worker_tries_to_start_printing_then_it_is_refused(queue_service):
    q = queue_service
    t = issue(q)
    q.void(t.id, "PRN-TMO: job waited past its deadline")
    with pytest.raises(IllegalTransition):
        q.store.print_started(t.id, wib(2, 10))
    assert q.store.print_outcome(t.id) is None


def test_given_an_uncertain_ticket_when_the_late_report_says_printed_then_the_mark_is_cleared(queue_service):
    q = queue_service
    t = issue(q)
    q.store.print_started(t.id, wib(2, 10))
    q.uncertain(t.id, "lost report")
    q.printed(t.id)
    assert q.store.print_outcome(t.id) == "printed"
    assert [e["type"] for e in q.store.events(types=["print_confirmed"])] == ["print_confirmed"]


def test_given_an_unknown_outcome_when_recorded_then_it_is_refused(queue_service):
    t = issue(queue_service)
    with pytest.raises(ValueError):
        queue_service.record_print_outcome(t.id, "maybe")


def test_given_a_scripted_ticket_when_issued_then_it_is_callable_at_once_and_recovery_leaves_it(queue_service):
    q = queue_service
    t = q.issue("barang", unprinted=True).ticket
    assert t.state == "waiting"
    assert q.recover_interrupted().recovered == ()
    assert [e["type"] for e in q.store.events()] == ["issued", "issued_unprinted"]


# --- recovery at start ---------------------------------------------------------------
def test_given_a_cut_mid_print_and_a_queued_ticket_when_recovered_then_nothing_stays_issued(queue_service):
    q = queue_service
    printing, queued, done = issue(q), issue(q), issue(q)
    q.store.print_started(printing.id, wib(2, 10))
    q.store.print_started(done.id, wib(2, 10))
    q.printed(done.id)
    report = q.recover_interrupted()
    assert report.uncertain == (printing.label,) and report.void == (queued.label,)
    assert state_of(q, printing) == "waiting" and state_of(q, queued) == "void"
    assert q.store.ticket(queued.id).void_reason == store_prints.REASON_RESTART_QUEUED
    assert q.store.tickets(printing.day, states=("issued",)) == []
    types = [(e["type"], e["label"]) for e in q.store.events(types=["print_uncertain", "void"])]
    assert types == [("print_uncertain", printing.label), ("void", queued.label)]
    assert "1 callable" in report.summary() and "1 void" in report.summary()
    assert q.recover_interrupted().summary() == "nothing to recover"


def test_given_recovered_tickets_when_counters_call_then_only_the_started_one_is_called(queue_service):
    q = queue_service
    printing, _never_started = issue(q), issue(q)
    q.store.print_started(printing.id, wib(2, 10))
    q.recover_interrupted()
    assert q.call_next(1).ticket.label == printing.label
    assert q.call_next(1) is None


# --- the print worker records the start in its own store connection ------------------
def next_finished(events, seconds=5.0):
    return next_event(events, PrintFinished, seconds)


@pytest.fixture
def fake():
    from drivers.printer import FakePrinter

    return FakePrinter(layout(58))


def run_worker(db, fake, timeout=2.0, **kw):
    events = queue.Queue()
    worker = PrintWorker(Printer(timeout=timeout, status_interval=60), fake, events, db_path=db, **kw).start()
    return worker, events


def print_one(db, fake, ticket_id, **kw):
    """Print one ticket on a worker of its own; its PrintFinished."""
    worker, events = run_worker(db, fake, **kw)
    try:
        worker.submit(ticket_id, content(ticket_id=ticket_id))
        return next_finished(events)
    finally:
        worker.stop(2)


def test_given_a_printed_ticket_when_the_worker_prints_then_the_start_was_recorded_before_the_bytes(db, fake):
    q = QueueService(make_config(db), Store(db), clock=Clock(wib(2, 10)))
    t = issue(q)
    seen = []
    original = fake._send

    def spy(data, name, job):
        inner = job.on_start

        def start_and_look():
            inner()
            seen.append(Store(db).print_outcome(t.id))  # another connection: it is committed
        job.on_start = start_and_look
        return original(data, name, job)

    fake._send = spy
    finished = print_one(db, fake, t.id)
    assert finished.outcome == "printed"
    assert seen == ["started"]  # durable before the first byte went to the printer
    assert len(fake.jobs) == 1


def test_given_a_printer_that_fails_after_the_start_when_printing_then_the_outcome_is_uncertain(db, fake):
    q = QueueService(make_config(db), Store(db), clock=Clock(wib(2, 10)))
    t = issue(q)
    original = fake._send

    def fail_after_start(data, name, job):
        job.start()
        raise PrinterOffline("cable pulled mid-ticket")

    fake._send = fail_after_start
    try:
        finished = print_one(db, fake, t.id)
    finally:
        fake._send = original
    assert (finished.outcome, finished.code) == ("uncertain", "PRN-OFF")
    assert q.record_print_outcome(t.id, finished.outcome, finished.error).state == "waiting"


def test_given_a_printer_that_cannot_be_opened_when_printing_then_the_outcome_is_void(db, fake):
    q = QueueService(make_config(db), Store(db), clock=Clock(wib(2, 10)))
    t = issue(q)
    fake.fail_next(PrinterOffline("not found"))
    finished = print_one(db, fake, t.id)
    assert finished.outcome == "void"
    assert Store(db).print_outcome(t.id) is None


def test_given_a_store_that_cannot_record_the_start_when_printing_then_nothing_is_printed(db, fake):
    def broken(ticket_id):
        raise OSError("disk I/O error")

    finished = print_one(db, fake, 5, record_start=broken)
    assert finished.outcome == "void" and "cannot record" in finished.error
    assert fake.jobs == []


def test_given_a_stalled_printer_when_the_job_times_out_after_its_start_then_nothing_prints_later(db, fake):
    started = threading.Event()
    original = fake._send

    def stall_after_start(data, name, job):
        job.start()
        started.set()
        fake._go.wait()
        job.check("fake")  # a deadline-aware writer stops here
        return original(data, name, job)

    fake.stall()
    fake._send = stall_after_start
    worker, events = run_worker(db, fake, timeout=0.3, record_start=lambda ticket_id: None)
    try:
        worker.submit(9, content(ticket_id=9))
        finished = next_finished(events)
        assert started.is_set()
        assert finished.outcome == "uncertain" and finished.code == "PRN-TMO"
        fake.release()
        time.sleep(0.2)  # the released writer may run now: it must have given up
        assert fake.jobs == []
    finally:
        worker.stop(2)


# --- staff see uncertain prints in `status` and `report` ------------------------------
def test_given_an_uncertain_print_when_staff_ask_status_and_report_then_they_see_it(tmp_path, capsys):
    import json

    from core_helpers import demo_copy
    from kiosk import cli
    from kiosk.core import config

    path = demo_copy(tmp_path)
    cfg = config.load(path)
    store = Store(cfg.storage.database)
    q = QueueService(cfg, store)
    t = q.issue("barang").ticket
    store.print_started(t.id, q.day_clock().now)
    q.uncertain(t.id, "PRN-TMO: printer did not finish")
    store.close()
    assert cli.main(["status", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "uncertain prints (1)" in out and f"  {t.label}  waiting" in out and "PRN-TMO" in out
    assert cli.main(["status", "--json", "--config", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["uncertain_prints"] == [
        {"label": t.label, "state": "waiting", "reason": "PRN-TMO: printer did not finish"}]
    assert cli.main(["report", "--config", str(path)]) == 0
    assert f"  {t.label}  waiting" in capsys.readouterr().out


def test_given_waiting_tickets_when_voided_then_only_the_one_never_sent_to_a_printer_is_void(queue_service):
    q = queue_service
    scripted, started = q.issue("barang", unprinted=True).ticket, issue(q)
    q.store.print_started(started.id, wib(2, 10))
    q.uncertain(started.id, "PRN-TMO")
    assert q.void(scripted.id, "cancelled by the technician").state == "void"
    assert q.void(started.id, "late report").state == "waiting"  # it may be on paper: stays callable
