"""The power-cut harness: the kiosk SIGKILLed during presses with a slow FIFO
printer, restarted, checked after every cut; and the checks themselves."""
import pytest

from core_helpers import Clock, make_config, wib

from kiosk.bench import powercut
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store


def test_given_power_cuts_during_presses_when_restarted_then_every_number_on_paper_is_callable(tmp_path):
    report = powercut.run_cuts(10, seed=7, run_seconds=(0.3, 0.8), folder=tmp_path)
    assert report.problems == []
    assert report.cuts == 10 and report.tickets > 0 and report.presses > 0
    assert (report.stranded, report.void_printed, report.printed_not_callable) == (0, 0, 0)
    assert (report.integrity_failures, report.duplicates) == (0, 0)
    assert report.ok


@pytest.fixture
def played(tmp_path):
    """A store with a void ticket (A-001), a printed one (A-002), a stranded one (A-003)."""
    db = tmp_path / "kiosk.db"
    store = Store(db)
    q = QueueService(make_config(db), store, clock=Clock(wib(2, 10)))
    void, printed, stranded = (q.issue("barang").ticket for _ in range(3))
    q.void(void.id, "PRN-OFF")
    store.print_started(printed.id, wib(2, 10))
    q.printed(printed.id)
    store.close()
    return db, void, printed, stranded


def paper(*labels):
    return b"".join(powercut.INIT + b"\x1b!\x30" + label.encode() + b"\n" for label in labels)


def test_given_clean_paper_when_checked_then_nothing_is_found_but_the_stranded_ticket(played):
    db, void, printed, stranded = played
    report = powercut.CutReport()
    powercut.check(db, paper(printed.label), report, after_restart=True)
    assert (report.void_printed, report.printed_not_callable, report.stranded) == (0, 0, 1)
    assert report.tickets == 3 and report.void == 1 and not report.ok


def test_given_a_void_tickets_label_on_paper_when_checked_then_it_is_counted(played):
    db, void, printed, stranded = played
    report = powercut.CutReport()
    powercut.check(db, paper(printed.label, void.label), report, after_restart=False)
    assert report.void_printed >= 1 and not report.ok


def test_given_a_job_start_without_a_recorded_start_when_checked_then_it_counts_as_void_on_paper(played):
    db, void, printed, stranded = played
    report = powercut.CutReport()
    powercut.check(db, paper(printed.label) + powercut.INIT + b"\x1ba\x01Rutan", report, after_restart=False)
    assert report.void_printed == 1


def test_given_a_stranded_ticket_on_paper_after_restart_when_checked_then_it_is_not_callable(played):
    db, void, printed, stranded = played
    report = powercut.CutReport()
    powercut.check(db, paper(printed.label, stranded.label), report, after_restart=True)
    assert report.printed_not_callable == 1
