"""Daily figures per service, from tickets with known times."""
import csv
import io

import pytest

from core_helpers import MON, Clock, demo_copy, make_config, wib
from kiosk import cli
from kiosk.core import config
from kiosk.services.queue_service import QueueService
from kiosk.core.report import as_rows, day_report
from kiosk.services.store import Store

DAY = "2025-06-02"
T0 = wib(MON, 10)


def play_barang_morning(queue, clock):
    """B-001..B-003 wait, B-004 fails to print; then counter 1 works through them.

    waits: B-001 4 min, B-002 8 min, B-003 11 min; service: B-001 5 min,
    B-003 6 min; B-002 does not show up.
    """
    for i in range(3):
        clock.now = T0 + 60 * i
        queue.printed(queue.issue("barang").ticket.id)
    clock.now = T0 + 180
    queue.void(queue.issue("barang").ticket.id, "PRN-PAPER")
    for at, action in ((240, "call"), (540, "call"), (720, "skip"), (780, "call"), (1140, "call")):
        clock.now = T0 + at
        queue.skip(1) if action == "skip" else queue.call_next(1)


@pytest.fixture
def figures(tmp_path):
    cfg = make_config(tmp_path / "k.db")
    store = Store(cfg.storage.database)
    clock = Clock(T0)
    queue = QueueService(cfg, store, clock=clock)
    play_barang_morning(queue, clock)
    queue.printed(queue.issue("informasi").ticket.id)
    yield {f.service: f for f in day_report(cfg, store, DAY)}
    store.close()


def test_given_a_morning_of_one_service_when_reported_then_the_counts_are_right(figures):
    b = figures["barang"]

    assert (b.issued, b.served, b.skipped, b.void, b.waiting) == (4, 2, 1, 1, 0)


def test_given_known_call_times_when_reported_then_median_and_mean_wait_are_in_minutes(figures):
    b = figures["barang"]

    assert (b.median_wait_min, b.mean_wait_min) == (8.0, 7.7)  # 4, 8, 11 minutes


def test_given_known_service_times_when_reported_then_only_served_tickets_count(figures):
    assert figures["barang"].mean_service_min == 5.5  # 5 and 6 minutes; the skipped one has none


def test_given_a_service_with_one_waiting_ticket_when_reported_then_times_are_empty(figures):
    c = figures["informasi"]

    assert (c.issued, c.waiting, c.median_wait_min, c.mean_wait_min, c.mean_service_min) == (1, 1, None, None, None)


def test_given_every_configured_service_when_reported_then_each_has_a_row_even_without_tickets(figures):
    assert list(figures) == ["kunjungan", "barang", "informasi"]
    assert figures["kunjungan"].issued == 0


def test_given_another_day_when_reported_then_its_tickets_are_not_counted(tmp_path):
    cfg = make_config(tmp_path / "k.db")
    store = Store(cfg.storage.database)
    queue = QueueService(cfg, store, clock=Clock(T0))
    queue.issue("barang")

    assert [f.issued for f in day_report(cfg, store, "2025-06-03")] == [0, 0, 0]
    store.close()


# --- the command line --------------------------------------------------------------

@pytest.fixture
def demo_file(tmp_path):
    """The demo config in tmp_path, with the barang morning already played."""
    path = demo_copy(tmp_path)
    cfg = config.load(path)
    store = Store(cfg.storage.database)
    clock = Clock(T0)
    play_barang_morning(QueueService(cfg, store, clock=clock), clock)
    store.close()
    return path


def test_given_a_played_day_when_reported_as_csv_then_the_header_and_figures_come_out(demo_file, capsys):
    status = cli.main(["report", "--day", DAY, "--csv", "--config", str(demo_file)])

    out = capsys.readouterr().out
    assert status == 0
    assert out.splitlines()[0] == ("service,name,issued,served,skipped,void,waiting,"
                                   "median_wait_min,mean_wait_min,mean_service_min,transferred_in,transferred_out,transfers")
    rows = {r["service"]: r for r in csv.DictReader(io.StringIO(out))}
    assert len(rows) == 5
    assert rows["barang"] == {"service": "barang", "name": "Penitipan Barang", "issued": "4", "served": "2",
                              "skipped": "1", "void": "1", "waiting": "0", "median_wait_min": "8.0",
                              "mean_wait_min": "7.7", "mean_service_min": "5.5",
                              "transferred_in": "0", "transferred_out": "0", "transfers": ""}


def test_given_a_played_day_when_reported_as_a_table_then_each_service_has_a_line(demo_file, capsys):
    status = cli.main(["report", "--day", DAY, "--config", str(demo_file)])

    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith(f"business day {DAY}")
    barang = next(line for line in out.splitlines() if line.startswith("barang"))
    assert barang.split() == ["barang", "4", "2", "1", "1", "0", "8.0", "7.7", "5.5"]
    assert "(times in minutes)" in out


def test_given_a_day_that_is_not_a_date_when_reported_then_it_says_so_and_exits_2(demo_file, capsys):
    status = cli.main(["report", "--day", "2025-13-40", "--config", str(demo_file)])

    assert status == 2
    assert "2025-13-40" in capsys.readouterr().err


def test_given_figures_when_turned_into_rows_then_every_field_is_a_column(figures):
    rows = as_rows(figures.values())

    assert rows[1]["service"] == "barang" and rows[1]["served"] == 2
