"""Clock recovery: a synchronised clock overrules a log written under a wrong
clock; an unsynchronised one keeps the protective rule; a technician can
accept the clock explicitly. The sync state is injected everywhere."""
import json
import time

import pytest

from core_helpers import TUE, Clock, demo_copy, make_config, wib
from kiosk import cli
from kiosk.core import config
from kiosk.core.config import parse_hhmm
from kiosk.core import business_day as bd
from kiosk.core.report import day_report
from kiosk.services import clock_state
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

JKT, START = "Asia/Jakarta", 3 * 60
WRONG = wib(1, 10, year=2030)  # a technician typed 2030 instead of 2025
WRONG_DAY = "2030-06-01"


def test_given_a_synchronised_clock_behind_the_logs_day_when_resolved_then_the_clock_wins():
    dc = bd.resolve(wib(TUE, 9), JKT, START, last_day=WRONG_DAY, last_time=WRONG, synced=True)
    assert (dc.day, dc.now, dc.problem, dc.corrected_from) == ("2025-06-03", wib(TUE, 9), None, WRONG_DAY)


@pytest.mark.parametrize("synced", [False, None])
def test_given_an_unsynchronised_clock_behind_the_log_when_resolved_then_the_logs_day_is_kept(synced):
    dc = bd.resolve(wib(TUE, 9), JKT, START, last_day=WRONG_DAY, last_time=WRONG, synced=synced)
    assert (dc.day, dc.now, dc.problem, dc.corrected_from) == (WRONG_DAY, WRONG, "behind", None)


def test_given_a_synchronised_clock_behind_within_the_same_day_when_resolved_then_time_is_only_held():
    dc = bd.resolve(wib(TUE, 8), JKT, START, last_day="2025-06-03", last_time=wib(TUE, 10), synced=True)
    assert (dc.day, dc.problem, dc.corrected_from) == ("2025-06-03", "behind", None)


def make_queue(db, clock, synced):
    store = Store(db)
    return QueueService(make_config(db), store, clock=clock, clock_synced=lambda: synced[0])


def test_given_tickets_under_a_wrong_year_when_ntp_syncs_then_a_new_day_starts_and_numbering_restarts(tmp_path):
    db, clock, synced = tmp_path / "k.db", Clock(WRONG), [False]
    q = make_queue(db, clock, synced)
    wrong = [q.issue("barang", unprinted=True).ticket for _ in range(3)]
    clock.now = wib(TUE, 9)  # the real time; NTP has not answered yet
    assert q.issue("barang", unprinted=True).ticket.day == WRONG_DAY  # protective: the day never goes back
    synced[0] = True  # NTP synchronised
    fresh = q.issue("barang", unprinted=True).ticket
    assert (fresh.day, fresh.number) == ("2025-06-03", 1)
    events = q.store.events(types=["clock_corrected"])
    assert len(events) == 1 and events[0]["data"]["from_day"] == WRONG_DAY and events[0]["day"] == "2025-06-03"
    assert q.issue("barang", unprinted=True).ticket.number == 2
    assert len(q.store.events(types=["clock_corrected"])) == 1  # recorded once
    issued = {f.service: f.issued for f in day_report(q.cfg, q.store, WRONG_DAY)}
    assert issued["barang"] == len(wrong) + 1  # the wrong day's tickets stay in its report


def test_given_two_services_reading_the_same_corrected_clock_then_the_correction_is_recorded_once(tmp_path):
    db, clock, synced = tmp_path / "k.db", Clock(WRONG), [True]
    first = make_queue(db, clock, synced)
    first.issue("barang", unprinted=True)
    clock.now = wib(TUE, 9)
    second = make_queue(db, clock, synced)
    assert first.day_clock().day == second.day_clock().day == "2025-06-03"
    assert len(first.store.events(types=["clock_corrected"])) == 1


def test_given_a_correction_another_process_recorded_when_a_stale_reading_asks_then_it_is_not_recorded_twice(
        tmp_path):
    db, clock, synced = tmp_path / "k.db", Clock(WRONG), [True]
    q = make_queue(db, clock, synced)
    q.issue("barang", unprinted=True)
    clock.now = wib(TUE, 9)
    stale = bd.resolve(clock(), JKT, q.day_start, WRONG_DAY, WRONG, True)  # read before the other process wrote
    assert q.day_clock().day == "2025-06-03"  # the other process records the correction
    again = clock_state.correct_clock(q.store, stale, lambda last: bd.resolve(clock(), JKT, q.day_start, *last, True))
    assert again.day == "2025-06-03" and len(q.store.events(types=["clock_corrected"])) == 1


def test_given_a_kernel_that_reports_sync_when_asked_then_the_clock_counts_as_synchronised(tmp_path):
    flag = tmp_path / "none" / "synchronized"
    assert clock_state.clock_synchronized(flag, kernel=lambda: True) is True
    assert clock_state.clock_synchronized(flag, kernel=lambda: False) is None
    assert clock_state.kernel_synchronized() in (True, False, None)  # reads the real kernel, never raises


@pytest.fixture
def wrong_year_kiosk(tmp_path, monkeypatch):
    """A config whose log ran ahead to 2030 while the real clock reads now; no NTP."""
    path = demo_copy(tmp_path)
    cfg = config.load(path)
    store = Store(cfg.storage.database)
    QueueService(cfg, store, clock=Clock(time.time() + 4 * 365 * 86400)).issue("barang", unprinted=True)
    store.close()
    monkeypatch.setattr(clock_state, "clock_synchronized", lambda *a, **k: False)
    return path


def test_given_a_log_ahead_of_an_unsynced_clock_when_status_is_asked_then_it_names_the_command(
        wrong_year_kiosk, capsys):
    assert cli.main(["status", "--config", str(wrong_year_kiosk)]) == 0
    out = capsys.readouterr().out
    assert "CLOCK PROBLEM: behind" in out and "ptsp-kiosk clock accept" in out
    assert cli.main(["clock", "--json", "--config", str(wrong_year_kiosk)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["problem"] == "behind" and report["command"] == "ptsp-kiosk clock accept"


def test_given_a_technician_who_accepts_the_clock_then_the_business_day_follows_it(wrong_year_kiosk, capsys):
    cfg = config.load(wrong_year_kiosk)
    today = bd.day_of(time.time(), cfg.device.timezone, parse_hhmm(cfg.device.business_day_start))
    assert cli.main(["clock", "accept", "--config", str(wrong_year_kiosk)]) == 0
    assert "accepted" in capsys.readouterr().out
    assert cli.main(["status", "--json", "--config", str(wrong_year_kiosk)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["day"], status["clock_problem"]) == (today, "unsynced")  # no longer "behind"
    assert cli.main(["clock", "accept", "--config", str(wrong_year_kiosk)]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_given_an_unset_clock_when_accepted_then_it_is_refused(tmp_path, monkeypatch, capsys):
    path = demo_copy(tmp_path)
    from kiosk.cli import core as cli_core

    opened = cli_core.open_queue

    def open_with_unset_clock(args):
        cfg, store, queue = opened(args)
        queue.clock = lambda: 86400.0 * 3  # 1970: a Pi that never synced
        return cfg, store, queue

    monkeypatch.setattr(cli_core, "open_queue", open_with_unset_clock)
    assert cli.main(["clock", "accept", "--config", str(path)]) == 1
    assert "cannot be right" in capsys.readouterr().err
