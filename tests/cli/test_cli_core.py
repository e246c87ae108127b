"""The core command line: issue, call, recall, skip, status, report, with a temp config.

These commands run on the real clock; the demo's services are open all day,
and its business day changes 12 hours from now, so no test straddles the change.
"""
import json
import time

import pytest

from core_helpers import run_cli, steady_demo_copy
from kiosk.core import business_day
from kiosk import cli
from kiosk.core import config


@pytest.fixture
def demo(tmp_path):
    return steady_demo_copy(tmp_path)


def run(capsys, *args, config):
    """cli.main in this process; returns (status, stdout, stderr)."""
    status = cli.main([*args, "--config", str(config)])
    out = capsys.readouterr()
    return status, out.out, out.err


def status_json(capsys, config):
    code, out, _ = run(capsys, "status", "--json", config=config)
    assert code == 0
    return json.loads(out)


def test_given_the_demo_when_a_ticket_is_issued_by_prefix_then_its_label_and_service_are_printed(demo, capsys):
    code, out, _ = run(capsys, "issue", "A", config=demo)

    assert code == 0
    assert out.startswith("A-001  Layanan Kunjungan  ahead 0")


def test_given_a_priority_ticket_when_issued_then_it_is_marked_prioritas(demo, capsys):
    code, out, _ = run(capsys, "issue", "barang", "--priority", config=demo)

    assert code == 0 and "B-001" in out and "PRIORITAS" in out


def test_given_issued_tickets_when_status_is_asked_as_json_then_waiting_and_serving_are_there(demo, capsys):
    run(capsys, "issue", "A", config=demo)
    run(capsys, "issue", "A", config=demo)
    run(capsys, "issue", "C", config=demo)

    data = status_json(capsys, demo)

    assert data["waiting"] == {"kunjungan": 2, "barang": 0, "informasi": 1, "integrasi": 0, "bantuan-hukum": 0}
    assert data["serving"] == {"1": None, "2": None, "3": None}
    cfg = config.load(demo)
    assert data["day"] == business_day.day_of(time.time(), cfg.device.timezone,
                                              config.parse_hhmm(cfg.device.business_day_start))
    assert data["clock_problem"] is None and data["sync"]["backlog"] >= 6


def test_given_a_morning_at_the_counter_when_run_from_the_command_line_then_the_round_trip_holds(demo, capsys):
    run(capsys, "issue", "A", config=demo)
    run(capsys, "issue", "B", "--priority", config=demo)

    called = run(capsys, "call", "1", config=demo)
    recalled = run(capsys, "recall", "1", config=demo)
    skipped = run(capsys, "skip", "1", config=demo)
    second = run(capsys, "call", "1", config=demo)
    none_left = run(capsys, "call", "1", config=demo)

    # Interleave (every 2): the normal ticket first, then the priority one.
    assert called[:2] == (0, "A-001 -> Loket 1: Nomor antrian A satu. A satu. Silakan menuju loket satu.\n")
    assert recalled[0] == 0 and recalled[1].startswith("A-001 -> Loket 1")
    assert skipped[:2] == (0, "skipped A-001\n")
    assert second[0] == 0 and second[1].startswith("B-001 -> Loket 1")
    assert none_left[:2] == (1, "nobody is waiting for this counter\n")
    code, out, _ = run(capsys, "report", "--csv", config=demo)
    rows = {line.split(",")[0]: line.split(",") for line in out.splitlines()[1:]}
    assert rows["kunjungan"][2:6] == ["1", "0", "1", "0"]  # issued, served, skipped, void
    assert rows["barang"][2:6] == ["1", "1", "0", "0"]


def test_given_a_called_ticket_when_status_is_asked_then_the_counter_shows_it(demo, capsys):
    run(capsys, "issue", "C", config=demo)
    run(capsys, "call", "3", config=demo)

    assert status_json(capsys, demo)["serving"] == {"1": None, "2": None, "3": "C-001"}


def test_given_no_current_ticket_when_recall_or_skip_is_asked_then_it_says_so_with_status_1(demo, capsys):
    assert run(capsys, "recall", "2", config=demo)[:2] == (1, "counter 2 has no current ticket\n")
    assert run(capsys, "skip", "2", config=demo)[:2] == (1, "counter 2 has no current ticket\n")


def test_given_an_unknown_service_when_issued_then_a_clear_message_and_status_2(demo, capsys):
    code, _, err = run(capsys, "issue", "kantin", config=demo)

    assert code == 2
    assert "unknown service 'kantin'" in err and "kunjungan (A)" in err


@pytest.mark.parametrize("counter", ["9", "satu"])
def test_given_an_unknown_counter_when_called_then_a_clear_message_and_status_2(demo, capsys, counter):
    code, _, err = run(capsys, "call", counter, config=demo)

    assert code == 2
    assert f"unknown counter '{counter}'" in err and "known: 1, 2, 3" in err


def test_given_a_used_up_quota_when_issued_then_the_visitor_text_and_reason_are_shown_with_status_1(
        demo, capsys):
    demo.write_text(demo.read_text().replace("quota = 200", "quota = 1"))
    run(capsys, "issue", "A", config=demo)

    code, out, err = run(capsys, "issue", "A", config=demo)

    assert code == 1 and out == ""
    assert "Kuota hari ini habis (quota)" in err


def test_given_the_real_entry_point_when_issue_and_status_run_as_processes_then_they_agree(demo):
    issued = run_cli("issue", "E", "--config", demo)
    status = run_cli("status", "--json", "--config", demo)

    assert issued.returncode == 0 and issued.stdout.startswith("E-001"), issued.stderr
    assert json.loads(status.stdout)["waiting"]["bantuan-hukum"] == 1


def test_given_an_unknown_service_when_run_as_a_process_then_status_2_and_no_traceback(demo):
    result = run_cli("issue", "Z", "--config", demo)

    assert result.returncode == 2
    assert "unknown service 'Z'" in result.stderr and "Traceback" not in result.stderr


def test_given_a_database_that_is_not_ours_when_a_command_runs_then_it_explains_and_leaves_it(demo, tmp_path):
    (tmp_path / "kiosk.db").write_bytes(b"not a database at all" * 100)

    result = run_cli("status", "--config", demo)

    assert result.returncode == 1
    assert "left untouched" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "kiosk.db").read_bytes() == b"not a database at all" * 100
