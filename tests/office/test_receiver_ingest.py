"""Exactly-once storage and the daily aggregates kept on ingest, on both backends."""
import sqlite3
import threading

import pytest

from kiosk.office import ingest, reports
from kiosk.office.db import StorageError, open_database
from kiosk.office.db.migrations import LATEST
from kiosk.office.validate import parse_event
from office_helpers import DAY, DEVICE, T, event, ticket_life


def store(db, events, heartbeat=None, device=DEVICE, now=T + 1000):
    return ingest.store_batch(db, device, [parse_event(e) for e in events], heartbeat, now=now)


def service_row(db, service="kunjungan", day=DAY, device=DEVICE):
    with db.read() as q:
        rows = q.dicts("SELECT * FROM daily_service WHERE device = ? AND day = ? AND service = ?",
                       (device, day, service))
    return rows[0] if rows else None


def table(db, sql, params=()):
    with db.read() as q:
        return sorted(q.all(sql, params))


def test_ticket_lives_fill_the_daily_service_counts_and_waits(office_db):
    events = (ticket_life(1, wait=60, spent=300) + ticket_life(2, issued=T + 10, wait=600, spent=100)
              + ticket_life(3, issued=T + 20, wait=120, outcome="skipped"))

    store(office_db, events)

    s = service_row(office_db)
    assert (s["issued"], s["printed"], s["called"], s["served"], s["skipped"]) == (3, 3, 3, 2, 1)
    assert (s["waits"], s["wait_sum_s"], s["wait_max_s"]) == (3, 780.0, 600.0)
    assert (s["services"], s["service_sum_s"]) == (2, 400.0)


def test_waits_go_into_a_histogram_of_whole_minutes_for_median_and_p90(office_db):
    events = []
    for n, wait in enumerate([30, 90, 150, 610, 36000 * 2], start=1):
        events += ticket_life(n, issued=T + n, wait=wait)[:3]

    store(office_db, events)

    hist = dict(table(office_db, "SELECT minute, tickets FROM daily_wait_hist"))
    assert hist == {0: 1, 1: 1, 2: 1, 10: 1, ingest.HIST_MAX_MINUTE: 1}
    assert (reports.percentile(hist, 0.5), reports.percentile(hist, 0.9)) == (2, ingest.HIST_MAX_MINUTE)


def test_hours_are_the_kiosks_local_hours_and_weekday_comes_from_the_day(office_db):
    store(office_db, ticket_life(1))  # T is 07:40 in Jakarta (00:40 UTC), a Thursday

    assert table(office_db, "SELECT hour, weekday, issued, served FROM daily_hour") == [(7, 3, 1, 1)]


def test_a_timezone_in_the_heartbeat_moves_later_events_to_its_hours(office_db):
    store(office_db, [], heartbeat={"timezone": "Asia/Jayapura"})  # WIT, UTC+9

    store(office_db, ticket_life(1)[:1])

    assert table(office_db, "SELECT hour, issued FROM daily_hour") == [(9, 1)]


def test_counters_get_their_calls_served_and_service_time(office_db):
    store(office_db, ticket_life(1, counter=2, spent=200) + ticket_life(2, counter=2, spent=100)
          + ticket_life(3, counter=1, outcome="skipped"))

    assert table(office_db, "SELECT counter, called, served, skipped, service_sum_s FROM daily_counter") == \
        [(1, 1, 0, 1, 0.0), (2, 2, 2, 0, 300.0)]


def test_void_and_uncertain_prints_and_other_events_are_counted_by_type(office_db):
    store(office_db, [event(1, type="issued"), event(2, type="void", ticket_id=1),
                      event(3, type="issued", ticket_id=2), event(4, type="print_uncertain", ticket_id=2),
                      event(5, type="press_ignored", ticket_id=None, service=None, label=None)])

    s = service_row(office_db)
    assert (s["issued"], s["void"], s["uncertain"]) == (2, 1, 1)
    assert table(office_db, "SELECT type, events FROM daily_types") == \
        [("issued", 2), ("press_ignored", 1), ("print_uncertain", 1), ("void", 1)]
    assert table(office_db, "SELECT ticket_id, print_state FROM tickets") == [(1, "void"), (2, "uncertain")]


def test_a_batch_sent_again_or_overlapping_changes_no_aggregate(office_db):
    events = ticket_life(1) + ticket_life(2, issued=T + 5, wait=200)
    store(office_db, events[:6])
    before_overlap = service_row(office_db)

    store(office_db, events[:6])
    assert service_row(office_db) == before_overlap
    result = store(office_db, events[4:])

    assert (result.stored, result.duplicates) == (2, 2)
    s = service_row(office_db)
    assert (s["issued"], s["called"], s["served"], s["waits"], s["wait_sum_s"]) == (2, 2, 2, 2, 260.0)
    assert table(office_db, "SELECT sum(tickets) FROM daily_wait_hist") == [(2,)]


def test_a_call_that_arrives_before_its_issue_still_gives_one_wait(office_db):
    life = ticket_life(1, wait=90)

    store(office_db, life[2:])  # called, served (the kiosk acknowledged part of a batch)
    assert service_row(office_db)["waits"] == 0
    store(office_db, life[:2])

    s = service_row(office_db)
    assert (s["issued"], s["waits"], s["wait_sum_s"]) == (1, 1, 90.0)
    assert table(office_db, "SELECT wait_s, state FROM tickets") == [(90.0, "served")]


def test_concurrent_posts_of_one_batch_are_counted_once(office_db):
    events = [e for n in range(1, 21) for e in ticket_life(n, issued=T + n)]
    errors = []

    def post():
        try:
            store(office_db, events)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    assert table(office_db, "SELECT count(*) FROM events") == [(80,)]
    s = service_row(office_db)
    assert (s["issued"], s["served"], s["waits"]) == (20, 20, 20)
    assert table(office_db, "SELECT events FROM devices") == [(80,)]


def test_devices_keep_the_highest_seq_and_the_count_of_events(office_db):
    store(office_db, [event(5), event(6)])
    store(office_db, [event(3)])

    (device,) = reports.devices(office_db)
    assert (device["last_seq"], device["events"]) == (6, 3)


def test_a_heartbeat_with_fields_of_the_wrong_type_keeps_what_it_can(office_db):
    store(office_db, [], heartbeat={"software": ["x"], "backlog": 2**70, "printer": "broken",
                                    "clock": {"time": "soon"}, "fault": "PRN\x1b[31m", "timezone": "../etc"})

    (device,) = reports.devices(office_db)
    assert (device["software"], device["backlog"], device["paper"], device["clock_offset_s"]) == \
        (None, None, None, None)
    assert device["fault"] == "PRN [31m" and device["timezone"] is None


OLD_SCHEMA = """
CREATE TABLE tokens (name TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE, role TEXT NOT NULL DEFAULT 'device',
    created REAL NOT NULL);
CREATE TABLE events (device TEXT NOT NULL, uid TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,
    time REAL NOT NULL, day TEXT NOT NULL, ticket_id INTEGER, service TEXT, label TEXT, counter INTEGER,
    data TEXT NOT NULL, received REAL NOT NULL, PRIMARY KEY (device, uid));
CREATE INDEX events_device_day ON events (device, day);
CREATE TABLE device_status (device TEXT PRIMARY KEY, last_seen REAL NOT NULL, last_seq INTEGER, heartbeat TEXT,
    heartbeat_at REAL);
CREATE TABLE heartbeats (id INTEGER PRIMARY KEY, device TEXT NOT NULL, received REAL NOT NULL, body TEXT NOT NULL);
CREATE INDEX heartbeats_device ON heartbeats (device, received);
PRAGMA application_id = 1347703634;
PRAGMA user_version = 1;
"""


def test_a_database_of_the_first_receiver_is_migrated_and_its_aggregates_built(tmp_path):
    path = tmp_path / "old.db"
    events = ticket_life(1, wait=60) + ticket_life(2, issued=T + 3, wait=180)
    with sqlite3.connect(path) as old:
        old.executescript(OLD_SCHEMA)
        old.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        [(DEVICE, e["uid"], e["seq"], e["type"], e["time"], e["day"], e["ticket_id"], e["service"],
                          e["label"], e["counter"], "{}", T + 999) for e in events])
        old.execute("INSERT INTO device_status VALUES (?, ?, ?, ?, ?)", (DEVICE, T + 999, 24, '{"backlog":0}', T))
        old.execute("INSERT INTO tokens VALUES ('demo-kiosk', 'abc', 'device', 1.0)")
    old.close()

    db = open_database(str(path))
    try:
        s = service_row(db)
        assert (s["issued"], s["served"], s["waits"], s["wait_sum_s"]) == (2, 2, 2, 240.0)
        (device,) = reports.devices(db)
        assert (device["last_seq"], device["events"], device["heartbeat"]) == (24, 8, {"backlog": 0})
        assert table(db, "SELECT name FROM tokens") == [("demo-kiosk",)]
        assert table(db, "SELECT version FROM schema_migrations") == [(v,) for v in range(1, LATEST + 1)]
    finally:
        db.close()


def test_a_database_from_a_newer_receiver_is_refused(office_db_url):
    db = open_database(office_db_url)
    with db.write() as q:
        q.run("INSERT INTO schema_migrations (version, name, applied) VALUES (?, 'future', 0)", (LATEST + 1,))
    db.close()

    with pytest.raises(StorageError, match=f"schema version {LATEST + 1}, newer than this receiver"):
        open_database(office_db_url)


def test_two_receivers_starting_together_migrate_once(office_db_url):
    opened, errors = [], []

    def start():
        try:
            opened.append(open_database(office_db_url))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert errors == []
        assert table(opened[0], "SELECT version FROM schema_migrations") == [(v,) for v in range(1, LATEST + 1)]
    finally:
        for db in opened:
            db.close()


def test_a_heartbeat_without_a_timezone_keeps_the_one_learnt_before(office_db):
    store(office_db, [], heartbeat={"timezone": "Asia/Makassar"})

    store(office_db, [], heartbeat={"software": "0.2.0"})

    (device,) = reports.devices(office_db)
    assert (device["timezone"], device["software"]) == ("Asia/Makassar", "0.2.0")


def test_a_registered_kiosk_that_never_reported_is_listed_as_never_seen(office_db):
    from kiosk.office import tokens

    tokens.add_token(office_db, "blora-2", now=T)
    tokens.add_token(office_db, "office-pc", role="viewer", now=T)
    store(office_db, [event(1)], now=T + 50)

    listed = {d["device"]: (d["registered"], d["first_seen"], d["last_seen"]) for d in reports.devices(office_db)}
    assert listed == {"blora-2": (T, None, None), DEVICE: (None, T + 50, T + 50)}


def test_portable_sql_with_a_literal_percent_works_on_both_backends(office_db):
    store(office_db, [event(1, service="kunjungan"), event(2, service="barang")])

    with office_db.read() as q:
        assert q.all("SELECT service FROM daily_service WHERE service LIKE 'kun%' AND day = ?", (DAY,)) == \
            [("kunjungan",)]
