"""The SQLite store: durable settings, migrations, foreign files left alone, unique
numbering across processes, the event log/outbox, and a full disk."""
import os
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from core_helpers import MON, ROOT, Clock, child_env, demo_copy, make_config, run_cli, steady_demo_copy, wib
from kiosk.services import store as store_module
from kiosk.core.errors import IllegalTransition, StoreError, StoreNotOurs, UnknownName
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

DAY = "2025-06-02"


@pytest.fixture
def cfg(tmp_path):
    return make_config(tmp_path / "k.db")


@pytest.fixture
def store(cfg):
    s = Store(cfg.storage.database)
    yield s
    s.close()


def waiting(store, cfg, code="barang", now=100.0, priority=False):
    ticket = store.issue(DAY, cfg.service(code), priority, now)
    return store.transition(ticket.id, "printed", now)


# --- opening ----------------------------------------------------------------------

def test_given_a_new_store_when_opened_then_wal_and_synchronous_full_are_in_effect(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_given_a_new_file_when_opened_then_migrations_create_the_schema_and_record_the_version(store):
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    assert {"tickets", "events", "meta"} <= tables
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(store_module.MIGRATIONS)
    assert store.conn.execute("PRAGMA application_id").fetchone()[0] == store_module.APPLICATION_ID


def test_given_a_folder_that_does_not_exist_when_opened_then_it_is_created(tmp_path):
    Store(tmp_path / "var" / "lib" / "k.db").close()

    assert (tmp_path / "var" / "lib" / "k.db").exists()


def test_given_a_path_below_a_plain_file_when_opened_then_a_store_error_names_it(tmp_path):
    (tmp_path / "file").write_text("x")

    with pytest.raises(StoreError) as info:
        Store(tmp_path / "file" / "k.db")

    assert str(tmp_path / "file") in str(info.value)


def test_given_a_store_with_tickets_when_reopened_then_they_are_there_and_numbering_continues(cfg, store):
    first = waiting(store, cfg)
    store.close()

    again = Store(cfg.storage.database)
    try:
        assert again.ticket(first.id) == first
        assert again.issue(DAY, cfg.service("barang"), False, 200.0).label == "B-002"
        assert again.conn.execute("PRAGMA user_version").fetchone()[0] == len(store_module.MIGRATIONS)
    finally:
        again.close()


def test_given_a_file_of_random_bytes_when_opened_then_it_is_not_ours_and_left_byte_for_byte(tmp_path):
    path = tmp_path / "k.db"
    content = os.urandom(8192)
    path.write_bytes(content)

    with pytest.raises(StoreNotOurs) as info:
        Store(path)

    assert path.read_bytes() == content
    assert "left untouched" in str(info.value)


def test_given_a_database_of_another_program_when_opened_then_it_is_not_ours_and_left_unchanged(tmp_path):
    path = tmp_path / "k.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE contacts (name TEXT)")
    other.execute("INSERT INTO contacts VALUES ('Budi')")
    other.commit()
    other.close()
    content = path.read_bytes()

    with pytest.raises(StoreNotOurs) as info:
        Store(path)

    assert path.read_bytes() == content
    assert "contacts" in str(info.value)


def test_given_a_database_from_newer_software_when_opened_then_it_is_refused_unchanged(cfg, store):
    store.conn.execute("PRAGMA user_version = 99")
    store.close()
    content = open(cfg.storage.database, "rb").read()

    with pytest.raises(StoreNotOurs) as info:
        Store(cfg.storage.database)

    assert "newer" in str(info.value)
    assert open(cfg.storage.database, "rb").read() == content



def test_given_a_file_locked_by_another_program_when_opened_then_it_is_reported_busy_not_foreign(
        tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "k.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as info:
            Store(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert not isinstance(info.value, StoreNotOurs)
    assert "busy" in str(info.value)
    Store(path).close()  # once released, the same file opens

# --- numbering ----------------------------------------------------------------------

def test_given_two_services_when_issued_then_each_has_its_own_numbering(cfg, store):
    labels = [store.issue(DAY, cfg.service(code), False, 100.0).label
              for code in ("barang", "informasi", "barang", "informasi")]

    assert labels == ["B-001", "C-001", "B-002", "C-002"]


def test_given_a_ticket_number_when_inserted_twice_for_one_day_then_the_table_refuses_it(cfg, store):
    store.issue(DAY, cfg.service("barang"), False, 100.0)

    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("INSERT INTO tickets (day, service, prefix, cycle, number, state, issued_at) "
                           "VALUES (?, 'barang', 'B', 0, 1, 'issued', 1.0)", (DAY,))


WORKER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from kiosk.core import config
    from kiosk.services.store import Store
    from kiosk.services.queue_service import QueueService
    cfg_path, go, count, now = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    cfg = config.load(cfg_path)
    store = Store(cfg.storage.database)
    queue = QueueService(cfg, store, clock=lambda: now)
    Path(f"{go}.ready.{os.getpid()}").touch()
    while not go.exists():
        time.sleep(0.005)
    for i in range(count):
        issued = queue.issue("kunjungan")
        queue.printed(issued.ticket.id)
        if i % 4 == 0:
            queue.call_next(1)
    store.close()
""")


def start_together(go, procs, timeout=30.0):
    """Touch ``go`` once every child has said it is ready, so they really race."""
    deadline = time.monotonic() + timeout
    while len(list(go.parent.glob(f"{go.name}.ready.*"))) < len(procs):
        assert time.monotonic() < deadline, "the child processes did not start"
        assert all(p.poll() is None for p in procs), [p.communicate()[1] for p in procs if p.poll() is not None]
        time.sleep(0.01)
    go.touch()


def test_given_four_processes_issuing_at_once_when_done_then_no_number_is_handed_out_twice(tmp_path):
    config_path = demo_copy(tmp_path)
    go = tmp_path / "go"
    env = child_env()
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(config_path), str(go), "25", str(wib(MON, 10))],
                              env=env, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    start_together(go, procs)
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors

    store = Store(tmp_path / "kiosk.db")
    try:
        labels = [t.label for t in store.tickets("2025-06-02")]
        calls = store.events(types=("called",))
    finally:
        store.close()
    assert sorted(labels) == [f"A-{n:03d}" for n in range(1, 101)]
    assert len({e["ticket_id"] for e in calls}) == len(calls)  # no ticket called twice


def test_given_parallel_issue_commands_when_done_then_every_label_is_different(tmp_path):
    config_path = steady_demo_copy(tmp_path)  # real clock: keep the day change away
    env = child_env()
    procs = [subprocess.Popen([sys.executable, "-m", "kiosk", "issue", "A", "--config", str(config_path)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(6)]
    results = [(p.communicate(timeout=60), p.returncode) for p in procs]
    assert [rc for _, rc in results] == [0] * 6, results

    labels = [out.split()[0] for (out, _), _ in results]
    assert sorted(labels) == [f"A-{n:03d}" for n in range(1, 7)]
    status = run_cli("status", "--json", "--config", config_path)
    assert '"kunjungan": 6' in status.stdout


# --- event log and outbox -------------------------------------------------------------

def test_given_a_ticket_life_when_it_is_lived_then_every_change_is_an_event_with_increasing_seq(cfg, store):
    ticket = waiting(store, cfg)
    store.transition(ticket.id, "called", 110.0, counter=1)
    store.transition(ticket.id, "recalled", 120.0, counter=1)
    store.transition(ticket.id, "served", 300.0, counter=1)

    events = store.events()

    # events() is in seq order, so the order of the changes is the order of their seq.
    assert [e["type"] for e in events] == ["issued", "printed", "called", "recalled", "served"]
    assert {(e["ticket_id"], e["label"], e["service"], e["day"]) for e in events} == {
        (ticket.id, "B-001", "barang", DAY)}
    assert [e["counter"] for e in events[2:]] == [1, 1, 1]


def test_given_a_void_ticket_when_the_store_is_asked_to_call_it_then_nothing_changes(cfg, store):
    ticket = store.issue(DAY, cfg.service("barang"), False, 100.0)
    store.transition(ticket.id, "void", 101.0, reason="PRN-PAPER")
    before = store.events()

    with pytest.raises(IllegalTransition):
        store.transition(ticket.id, "called", 102.0, counter=1)

    assert store.ticket(ticket.id).state == "void"
    assert store.ticket(ticket.id).void_reason == "PRN-PAPER"
    assert store.events() == before


def test_given_a_non_ticket_event_when_logged_then_it_joins_the_same_log(store):
    store.log("press_ignored", 50.0, day=DAY, target="A", why="too_fast")

    event = store.events()[-1]

    assert (event["type"], event["day"], event["data"]) == ("press_ignored", DAY, {"target": "A", "why": "too_fast"})
    assert store.last_event() == (DAY, 50.0)


def test_given_new_events_when_the_outbox_is_read_then_they_come_oldest_first_with_every_field(cfg, store):
    waiting(store, cfg)

    events = store.unsent_events(10)

    assert [e["type"] for e in events] == ["issued", "printed"]
    assert set(events[0]) == {"seq", "uid", "type", "time", "day", "ticket_id", "service", "label", "counter",
                              "data"}
    assert events[0]["data"] == {"priority": False}
    assert len({e["uid"] for e in events}) == 2
    assert store.backlog() == 2


def test_given_events_marked_sent_when_the_outbox_is_read_then_only_the_others_remain(cfg, store):
    waiting(store, cfg)
    waiting(store, cfg)
    first_two = [e["seq"] for e in store.unsent_events(2)]

    store.mark_sent(first_two, now=500.0)

    assert [e["seq"] for e in store.unsent_events(10)] == [e["seq"] for e in store.events()][2:]
    assert store.backlog() == 2


def test_given_old_sent_and_old_unsent_events_when_pruned_then_only_sent_ones_go(cfg, store):
    for _ in range(3):
        waiting(store, cfg, now=10.0)  # six events, all very old
    seqs = [e["seq"] for e in store.unsent_events(10)]
    store.mark_sent(seqs[:2], now=20.0)
    store.mark_sent(seqs[2:3], now=1000.0)

    removed = store.prune_sent(older_than=500.0)

    assert removed == 2
    assert [e["seq"] for e in store.events()] == seqs[2:]
    assert [e["seq"] for e in store.unsent_events(10)] == seqs[3:]


def test_given_a_value_when_kept_in_meta_then_it_comes_back_as_json(store):
    store.meta_set("sync.last_success", {"at": 12.5, "count": 3})
    store.meta_set("sync.last_success", {"at": 13.5, "count": 4})

    assert store.meta_get("sync.last_success") == {"at": 13.5, "count": 4}
    assert store.meta_get("missing", "none") == "none"


def test_given_a_label_when_found_then_the_newest_ticket_with_it_comes_back(cfg, store):
    ticket = waiting(store, cfg)

    assert store.find("B-001") == ticket
    assert store.find("b1", day=DAY) == ticket
    with pytest.raises(UnknownName):
        store.find("B-002")
    with pytest.raises(UnknownName):
        store.find("hello")


# --- a full disk --------------------------------------------------------------------

def test_given_a_full_disk_when_issuing_then_a_store_error_says_full_and_nothing_stored_is_lost(cfg, store):
    queue = QueueService(cfg, store, clock=Clock(wib(MON, 10)))
    for _ in range(5):
        queue.printed(queue.issue("barang").ticket.id)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    stored = []

    with pytest.raises(StoreError) as info:
        for _ in range(2000):
            stored.append(queue.issue("barang").ticket)

    assert "full" in str(info.value)
    tickets = store.tickets(DAY)
    assert [t.label for t in tickets] == [f"B-{n:03d}" for n in range(1, 6 + len(stored))]
    assert all(store.events() and t.id in {e["ticket_id"] for e in store.events()} for t in tickets)
    assert not store.conn.in_transaction


def test_given_space_freed_after_a_full_disk_when_issuing_again_then_numbering_continues(cfg, store):
    queue = QueueService(cfg, store, clock=Clock(wib(MON, 10)))
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    issued = 0
    with pytest.raises(StoreError):
        for _ in range(2000):
            queue.issue("barang")
            issued += 1

    store.conn.execute("PRAGMA max_page_count = 1000000")
    ticket = queue.issue("barang").ticket

    assert ticket.label == f"B-{issued + 1:03d}"


OPENER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from kiosk.services.store import Store
    go = Path(sys.argv[2])
    Path(f"{go}.ready.{os.getpid()}").touch()  # imported and waiting: all open nearly at once
    while not go.exists():
        time.sleep(0.002)
    Store(sys.argv[1]).close()
""")


def test_given_several_processes_opening_a_new_file_at_once_when_they_migrate_then_all_succeed(tmp_path):
    db, go = tmp_path / "k.db", tmp_path / "go"
    env = child_env()
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(db), str(go)], env=env,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    start_together(go, procs)
    errors = [p.communicate(timeout=60)[1] for p in procs]

    assert [p.returncode for p in procs] == [0] * 4, errors
    check = sqlite3.connect(db)
    assert check.execute("PRAGMA user_version").fetchone()[0] == len(store_module.MIGRATIONS)
    check.close()
