"""The receiver over real HTTP (waitress on 127.0.0.1), on SQLite and PostgreSQL:
tokens, validation, deduplication, summaries, devices."""
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from kiosk.office import receiver
from kiosk.services.sync import protocol
from office_helpers import DAY, DEVICE, T, Server, batch, event, get, post
from sync_helpers import call_app


def held(db, device=DEVICE):
    """uid -> number of rows the receiver holds for it."""
    with db.read() as q:
        return dict(q.all("SELECT uid, count(*) FROM events WHERE device = ? GROUP BY uid", (device,)))


@pytest.fixture
def rdb(office_db):
    return receiver.ReceiverDB(office_db)


@pytest.fixture
def token(rdb):
    return rdb.add_token(DEVICE)


@pytest.fixture
def server(office_db):
    s = Server(office_db)
    yield s
    s.close()


def test_a_batch_is_stored_and_every_uid_acknowledged(server, office_db, token):
    r = post(server, token, batch([event(1), event(2)]))

    assert r.status_code == 200
    assert r.json()["acknowledged"] == ["uid-1", "uid-2"] and r.json()["stored"] == 2
    assert held(office_db) == {"uid-1": 1, "uid-2": 1}


def test_the_same_batch_sent_twice_is_stored_once_and_acknowledged_twice(server, office_db, token):
    body = batch([event(1), event(2), event(3)])
    post(server, token, body)

    again = post(server, token, body)

    assert again.json()["acknowledged"] == ["uid-1", "uid-2", "uid-3"]
    assert (again.json()["stored"], again.json()["duplicates"]) == (0, 3)
    assert held(office_db) == {"uid-1": 1, "uid-2": 1, "uid-3": 1}


def test_a_uid_repeated_inside_one_batch_is_stored_once(server, office_db, token):
    r = post(server, token, batch([event(1), event(1)]))

    assert r.json()["acknowledged"] == ["uid-1"] and (r.json()["stored"], r.json()["duplicates"]) == (1, 1)
    assert held(office_db) == {"uid-1": 1}


def test_two_devices_may_use_the_same_uid_without_clashing(server, office_db, rdb, token):
    other = rdb.add_token("kiosk-2")
    post(server, token, batch([event(1)]))

    r = post(server, other, batch([event(1)], device="kiosk-2"))

    assert r.json()["stored"] == 1
    assert held(office_db, "kiosk-2") == {"uid-1": 1}


@pytest.mark.parametrize("bad, reason", [(None, "missing bearer token"), ("wrong", "unknown token")])
def test_a_missing_or_unknown_token_gets_401(server, office_db, token, bad, reason):
    r = post(server, bad, batch([event(1)]))

    assert r.status_code == 401 and reason in r.json()["reason"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert held(office_db) == {}


def test_a_token_cannot_post_for_another_device(server, office_db, token):
    r = post(server, token, batch([event(1)], device="someone-else"))

    assert r.status_code == 401 and "belongs to device 'demo-kiosk'" in r.json()["reason"]
    assert held(office_db, "someone-else") == {}


@pytest.mark.parametrize("field, value, reason", [
    ("seq", "7", "events[1].seq: must be an integer"),
    ("seq", True, "events[1].seq: must be an integer"),
    ("seq", 0, "events[1].seq: must be 1 or more"),
    ("seq", 10**30, "events[1].seq: must be between"),
    ("ticket_id", 2**63, "events[1].ticket_id: must be between"),
    ("uid", "has space", "events[1].uid"),
    ("uid", "uid-2\n", "events[1].uid"),
    ("time", None, "events[1].time: must be an integer or a number"),
    ("time", 1e300, "events[1].time: must be seconds since 1970"),
    ("day", "16-04-2024", "events[1].day: must be a date"),
    ("day", "2024-99-99", "events[1].day: 2024-99-99 is not a calendar date"),
    ("day", "\u0662\u0660\u0662\u0664-\u0660\u0664-\u0661\u0666", "events[1].day: must be a date"),
    ("service", "kun\x00jungan", "events[1].service: no control characters"),
    ("data", [1], "events[1].data: must be an object"),
    ("data", {"x": "y" * 9000}, "events[1].data: larger than"),
])
def test_a_bad_field_gets_400_naming_it_and_nothing_is_stored(server, office_db, token, field, value, reason):
    r = post(server, token, batch([event(1), event(2, **{field: value})]))

    assert r.status_code == 400 and reason in r.json()["reason"]
    assert held(office_db) == {}, "half of a refused batch was stored"
    with office_db.read() as q:
        assert q.all("SELECT * FROM daily_service") == [], "a refused batch was counted"


def test_a_body_over_the_limit_gets_413(server, token):
    r = post(server, token, None, raw=b" " * (protocol.MAX_BODY_BYTES + 1))

    assert r.status_code == 413 and "over the limit" in r.json()["reason"]


def test_a_body_that_is_not_json_content_gets_415(server, token):
    assert post(server, token, batch([]), content_type="text/plain").status_code == 415


def test_unknown_paths_and_methods_get_404_and_405(server):
    import requests

    assert requests.get(server.base + "/api/nope", timeout=5).status_code == 404
    r = requests.get(server.url, timeout=5)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


def test_health_answers_without_a_token(server):
    import requests

    r = requests.get(server.base + protocol.HEALTH_PATH, timeout=5)

    assert (r.status_code, r.json()) == (200, {"status": "ok"})


def test_a_heartbeat_is_stored_per_device_with_its_health_columns(server, token):
    hb = {"software": "0.1.0", "backlog": 4, "printer": {"online": True, "paper": "near_end", "roll_counter": 812},
          "clock": {"time": T + 5, "ntp_synchronized": False}, "fault": "PRN-PAPER", "last_ticket": "A-012"}
    post(server, token, batch([], heartbeat=hb))

    r = get(server, protocol.DEVICES_PATH, token)

    (device,) = r.json()["devices"]
    assert device["device"] == DEVICE and device["heartbeat"] == hb
    assert (device["software"], device["backlog"], device["paper"], device["roll_counter"]) == \
        ("0.1.0", 4, "near_end", 812)
    assert (device["printer_online"], device["ntp_synchronized"], device["faults"]) == (True, False, ["PRN-PAPER"])
    assert device["clock_offset_s"] is not None


def test_summary_counts_tickets_and_times_per_device_day_and_service(server, token):
    events = [event(1, type="issued", time=T, ticket_id=1),
              event(2, type="called", time=T + 60, ticket_id=1, counter=1),
              event(3, type="served", time=T + 360, ticket_id=1, counter=1),
              event(4, type="issued", time=T + 10, ticket_id=2),
              event(5, type="void", time=T + 20, ticket_id=2),
              event(6, type="press_ignored", ticket_id=None, service=None, label=None)]
    post(server, token, batch(events))

    r = get(server, protocol.SUMMARY_PATH, token, day=DAY)

    day = r.json()["devices"][DEVICE][DAY]
    assert day["events"] == 6 and day["by_type"]["press_ignored"] == 1
    assert (day["first_event"], day["last_event"]) == (T, T + 360)
    assert day["services"]["kunjungan"] == {"issued": 2, "served": 1, "skipped": 0, "void": 1, "uncertain": 0,
                                            "avg_wait_s": 60.0, "avg_service_s": 300.0,
                                            "median_wait_min": 1, "p90_wait_min": 1}


@pytest.mark.parametrize("params, reason", [
    ({"day": "2024-99-99"}, "not a calendar date"),
    ({"day": "\u0662\u0660\u0662\u0664-04-16"}, "must be a date"),
    ({"days": "0"}, "days must be a whole number"),
    ({"days": "1" * 40}, "days must be a whole number"),
    ({"days": "\u0663"}, "days must be a whole number"),
    ({"device": "a b"}, "device must be"),
])
def test_bad_summary_parameters_get_400(server, rdb, params, reason):
    viewer = rdb.add_token("office", role="viewer")

    r = get(server, protocol.SUMMARY_PATH, viewer, **params)

    assert r.status_code == 400 and reason in r.json()["reason"]


def test_a_device_reads_only_its_own_summary_and_a_viewer_reads_all(server, rdb, token):
    other = rdb.add_token("kiosk-2")
    viewer = rdb.add_token("office", role="viewer")
    post(server, token, batch([event(1)]))
    post(server, other, batch([event(1)], device="kiosk-2"))

    assert get(server, protocol.SUMMARY_PATH, other, device=DEVICE).status_code == 403
    assert list(get(server, protocol.SUMMARY_PATH, other).json()["devices"]) == ["kiosk-2"]
    assert set(get(server, protocol.SUMMARY_PATH, viewer).json()["devices"]) == {DEVICE, "kiosk-2"}
    assert post(server, viewer, batch([event(2)], device="office")).status_code == 403


def test_summary_without_a_day_gives_the_latest_days(server, rdb, token):
    events = [event(n, day=f"2026-04-{n:02d}", time=T + n * 86400) for n in range(1, 6)]
    post(server, token, batch(events))

    r = get(server, protocol.SUMMARY_PATH, token, days=2)

    assert sorted(r.json()["devices"][DEVICE]) == ["2026-04-04", "2026-04-05"]


def test_tokens_file_is_read_and_reread_when_it_changes(tmp_path, office_db):
    tokens = tmp_path / "tokens"
    tokens.write_text("# device  token\nkiosk-a  secret-a\n")
    tokens.chmod(0o600)
    server = Server(office_db, tokens_file=tokens)
    try:
        ok = post(server, "secret-a", batch([event(1)], device="kiosk-a"))
        refused = post(server, "secret-b", batch([event(1)], device="kiosk-b"))
        digest = receiver.hash_token("secret-b")
        tokens.write_text(f"kiosk-a secret-a\nkiosk-b sha256:{digest} device\n")
        later = post(server, "secret-b", batch([event(1)], device="kiosk-b"))
    finally:
        server.close()
    assert (ok.status_code, refused.status_code, later.status_code) == (200, 401, 200)


def test_a_broken_tokens_file_stops_the_start_with_the_line(tmp_path, office_db):
    tokens = tmp_path / "tokens"
    tokens.write_text("kiosk-a\n")

    with pytest.raises(receiver.ReceiverError, match=r"tokens:1: expected 'DEVICE_ID TOKEN"):
        receiver.make_app(office_db, str(tokens))


def test_module_level_application_reads_its_database_from_the_environment(office_db_url, monkeypatch):
    monkeypatch.setenv("PTSP_RECEIVER_DB", office_db_url)
    monkeypatch.setattr(receiver, "_lazy_app", None)
    token = receiver.ReceiverDB(office_db_url).add_token(DEVICE)

    status, _, payload = call_app(receiver.application, "POST", protocol.EVENTS_PATH,
                                  {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
                                  json.dumps(batch([event(1)])).encode())

    assert status == 200 and json.loads(payload)["acknowledged"] == ["uid-1"]


def test_a_database_of_another_program_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")

    with pytest.raises(receiver.ReceiverError, match="not a PTSP receiver database"):
        receiver.ReceiverDB(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("invoices",)]


def test_a_database_another_program_left_mid_write_is_refused_byte_for_byte_untouched(tmp_path):
    # Its program died with committed rows still in the WAL file: a read-write
    # connection would fold them into the file on closing.
    path = tmp_path / "other.db"
    made = ("import os, sqlite3; c = sqlite3.connect(%r); c.execute('PRAGMA journal_mode = WAL'); "
            "c.execute('CREATE TABLE invoices (id)'); c.commit(); c.execute('INSERT INTO invoices VALUES (1)'); "
            "c.commit(); os._exit(0)" % str(path))
    subprocess.run([sys.executable, "-c", made], check=True)
    def data():  # the database and its WAL; the -shm index is rebuilt by any reader
        return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()
                if not p.name.endswith("-shm")}

    before = data()
    assert "other.db-wal" in before

    with pytest.raises(receiver.ReceiverError, match="not a PTSP receiver database"):
        receiver.ReceiverDB(path)
    assert data() == before


def test_receivers_starting_together_on_a_new_file_all_open_it_in_wal_mode(tmp_path):
    # Processes released together by a pipe: the switch to WAL needs the file
    # alone for a moment, and one of them used to fail or leave it unswitched.
    code = ("import os, sys; from kiosk.office.db import open_database; r = int(sys.argv[1]); os.read(r, 1); "
            "open_database(sys.argv[2]).close()")
    for round_ in range(4):
        path = tmp_path / f"new-{round_}.db"
        release, go = os.pipe()
        procs = [subprocess.Popen([sys.executable, "-c", code, str(release), str(path)], pass_fds=(release,),
                                  stderr=subprocess.PIPE, text=True) for _ in range(6)]
        time.sleep(0.5)  # all of them started and waiting
        os.close(go)
        outcomes = [(p.wait(60), p.stderr.read().strip()[-300:]) for p in procs]
        os.close(release)
        assert [o for o in outcomes if o[0] != 0] == []
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_switch_to_wal_waits_for_a_reader_of_the_file_and_gives_up_at_its_deadline(tmp_path):
    from kiosk.office.db.sqlite import _use_wal

    path = tmp_path / "new.db"
    # No busy handler: where SQLite would deadlock it answers "locked" at once
    # instead of waiting, as it did to receivers starting together.
    db = sqlite3.connect(path, isolation_level=None, timeout=0)
    db.execute("CREATE TABLE t (x)")
    reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # a read lock: SQLite will not switch now
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _use_wal(db, seconds=0.2)

    threading.Timer(0.3, lambda: reader.execute("COMMIT")).start()
    _use_wal(db, seconds=5)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_receiver_file_left_out_of_wal_mode_is_switched_back_at_the_next_start(tmp_path):
    path = tmp_path / "receiver.db"
    receiver.ReceiverDB(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = DELETE")

    receiver.ReceiverDB(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_is_not_sqlite_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the droids" * 100)

    with pytest.raises(receiver.ReceiverError, match=r"cannot (open|use) .*notes.db"):
        receiver.ReceiverDB(path)
    assert path.read_bytes() == b"these are not the droids" * 100


def test_an_unreachable_postgresql_server_is_named_in_the_error(tmp_path):
    url = f"postgresql://nobody@/nothing?host={tmp_path}&connect_timeout=2"

    with pytest.raises(receiver.ReceiverError, match=r"postgresql://nobody@/nothing"):
        receiver.ReceiverDB(url)


def test_summary_carries_the_satisfaction_index_where_surveys_exist(server, token):
    from kiosk.core import survey as S

    answers = dict(zip(S.ELEMENT_CODES, (4,) * 9))
    survey = event(7, type="survey_response", ticket_id=None, label=None, service=None,
                   data={"answers": answers, "profile": dict.fromkeys(S.PROFILE_CODES), "suggestion": ""})
    post(server, token, batch([event(1), survey]))

    r = get(server, protocol.SUMMARY_PATH, token, day=DAY)

    month = r.json()["satisfaction"][DEVICE]["2026-04"]
    assert (month["respondents"], month["index"]) == (1, "100.00")


def test_summary_without_surveys_has_an_empty_satisfaction_section(server, token):
    post(server, token, batch([event(1)]))

    assert get(server, protocol.SUMMARY_PATH, token).json()["satisfaction"] == {}
