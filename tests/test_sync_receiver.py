"""The reference receiver over real HTTP on 127.0.0.1: tokens, validation,
deduplication, summaries."""
import json
import sqlite3

import pytest
import requests

from kiosk.services.sync import protocol

from kiosk.office import receiver
from sync_helpers import DAY, DEVICE, ReceiverThread, call_app, real_receiver, upstream, upstream_db  # noqa: F401

T = 1776300000.0


def event(n, **over):
    seq = n
    e = {"seq": seq, "uid": f"uid-{seq}", "type": "issued", "time": T + seq, "day": DAY, "ticket_id": seq,
         "service": "kunjungan", "label": f"A-{seq:03d}", "counter": None, "data": {"priority": False}}
    e.update(over)
    return e


def batch(events, device=DEVICE, **extra):
    body = {"protocol": 1, "device": device, "sent_at": T + 100, "events": events}
    body.update(extra)
    return body


def post(server, token, body, raw=None, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(server.url, data=data, headers=headers, timeout=5)


def get(server, path, token, **params):
    return requests.get(server.base + path, params=params, headers={"Authorization": f"Bearer {token}"},
                        timeout=5)


def test_a_batch_is_stored_and_every_uid_acknowledged(real_receiver, upstream_db):
    r = post(real_receiver, upstream_db[1], batch([event(1), event(2)]))

    assert r.status_code == 200
    assert r.json()["acknowledged"] == ["uid-1", "uid-2"] and r.json()["stored"] == 2
    assert upstream(upstream_db[0]) == {"uid-1": 1, "uid-2": 1}


def test_the_same_batch_sent_twice_is_stored_once_and_acknowledged_twice(real_receiver, upstream_db):
    body = batch([event(1), event(2), event(3)])
    post(real_receiver, upstream_db[1], body)

    again = post(real_receiver, upstream_db[1], body)

    assert again.json()["acknowledged"] == ["uid-1", "uid-2", "uid-3"]
    assert (again.json()["stored"], again.json()["duplicates"]) == (0, 3)
    assert upstream(upstream_db[0]) == {"uid-1": 1, "uid-2": 1, "uid-3": 1}


def test_two_devices_may_use_the_same_uid_without_clashing(real_receiver, upstream_db):
    other = receiver.ReceiverDB(upstream_db[0]).add_token("kiosk-2")
    post(real_receiver, upstream_db[1], batch([event(1)]))

    r = post(real_receiver, other, batch([event(1)], device="kiosk-2"))

    assert r.json()["stored"] == 1
    assert upstream(upstream_db[0], "kiosk-2") == {"uid-1": 1}


@pytest.mark.parametrize("token, reason", [(None, "missing bearer token"), ("wrong", "unknown token")])
def test_a_missing_or_unknown_token_gets_401(real_receiver, upstream_db, token, reason):
    r = post(real_receiver, token, batch([event(1)]))

    assert r.status_code == 401 and reason in r.json()["reason"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert upstream(upstream_db[0]) == {}


def test_a_token_cannot_post_for_another_device(real_receiver, upstream_db):
    r = post(real_receiver, upstream_db[1], batch([event(1)], device="someone-else"))

    assert r.status_code == 401 and "belongs to device 'demo-kiosk'" in r.json()["reason"]
    assert upstream(upstream_db[0], "someone-else") == {}


@pytest.mark.parametrize("raw, reason", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b'[1, 2]', "must be a JSON object"),
    (b'{"protocol": 2, "device": "demo-kiosk", "events": []}', "version 2 is not supported"),
    (b'{"protocol": 1, "device": "demo-kiosk"}', "events: missing"),
    (b'{"protocol": 1, "device": "demo kiosk", "events": []}', "device:"),
])
def test_a_malformed_body_gets_400_with_the_reason(real_receiver, upstream_db, raw, reason):
    r = post(real_receiver, upstream_db[1], None, raw=raw)

    assert r.status_code == 400 and reason in r.json()["reason"]


@pytest.mark.parametrize("field, value, reason", [
    ("seq", "7", "events[1].seq: must be an integer"),
    ("seq", True, "events[1].seq: must be an integer"),
    ("seq", 0, "events[1].seq: must be 1 or more"),
    ("uid", "has space", "events[1].uid"),
    ("time", None, "events[1].time: must be an integer or a number"),
    ("day", "16-04-2024", "events[1].day: must be a date"),
    ("data", [1], "events[1].data: must be an object"),
    ("data", {"x": "y" * 9000}, "events[1].data: larger than"),
])
def test_a_field_of_the_wrong_type_gets_400_naming_it_and_nothing_is_stored(real_receiver, upstream_db, field,
                                                                            value, reason):
    r = post(real_receiver, upstream_db[1], batch([event(1), event(2, **{field: value})]))

    assert r.status_code == 400 and reason in r.json()["reason"]
    assert upstream(upstream_db[0]) == {}, "half of a refused batch was stored"


def test_nan_is_not_json_and_is_refused(real_receiver, upstream_db):
    raw = json.dumps(batch([event(1)])).replace(f"{T + 1}", "NaN").encode()

    r = post(real_receiver, upstream_db[1], None, raw=raw)

    assert r.status_code == 400 and "NaN" in r.json()["reason"]


def test_a_body_over_the_limit_gets_413(real_receiver, upstream_db):
    raw = b" " * (protocol.MAX_BODY_BYTES + 1)

    r = post(real_receiver, upstream_db[1], None, raw=raw)

    assert r.status_code == 413 and "over the limit" in r.json()["reason"]


def test_a_body_that_is_not_json_content_gets_415(real_receiver, upstream_db):
    r = post(real_receiver, upstream_db[1], batch([]), content_type="text/plain")

    assert r.status_code == 415


def test_unknown_paths_and_methods_get_404_and_405(real_receiver):
    assert requests.get(real_receiver.base + "/nope", timeout=5).status_code == 404
    r = requests.get(real_receiver.url, timeout=5)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


def test_a_heartbeat_is_stored_per_device(real_receiver, upstream_db):
    post(real_receiver, upstream_db[1], batch([], heartbeat={"software": "0.1.0", "backlog": 4}))

    r = get(real_receiver, protocol.DEVICES_PATH, upstream_db[1])

    (device,) = r.json()["devices"]
    assert device["device"] == DEVICE and device["heartbeat"] == {"software": "0.1.0", "backlog": 4}


def test_summary_counts_tickets_and_times_per_device_day_and_service(real_receiver, upstream_db):
    events = [event(1, type="issued", time=T, ticket_id=1),
              event(2, type="called", time=T + 60, ticket_id=1, counter=1),
              event(3, type="served", time=T + 360, ticket_id=1, counter=1),
              event(4, type="issued", time=T + 10, ticket_id=2),
              event(5, type="void", time=T + 20, ticket_id=2),
              event(6, type="press_ignored", ticket_id=None, service=None, label=None)]
    post(real_receiver, upstream_db[1], batch(events))

    r = get(real_receiver, protocol.SUMMARY_PATH, upstream_db[1], day=DAY)

    day = r.json()["devices"][DEVICE][DAY]
    assert day["events"] == 6 and day["by_type"]["press_ignored"] == 1
    assert day["services"]["kunjungan"] == {"issued": 2, "served": 1, "skipped": 0, "void": 1,
                                            "avg_wait_s": 60.0, "avg_service_s": 300.0}


def test_a_device_reads_only_its_own_summary_and_a_viewer_reads_all(real_receiver, upstream_db):
    db = receiver.ReceiverDB(upstream_db[0])
    other = db.add_token("kiosk-2")
    viewer = db.add_token("office", role="viewer")
    post(real_receiver, upstream_db[1], batch([event(1)]))
    post(real_receiver, other, batch([event(1)], device="kiosk-2"))

    assert get(real_receiver, protocol.SUMMARY_PATH, other, device=DEVICE).status_code == 403
    assert list(get(real_receiver, protocol.SUMMARY_PATH, other).json()["devices"]) == ["kiosk-2"]
    assert set(get(real_receiver, protocol.SUMMARY_PATH, viewer).json()["devices"]) == {DEVICE, "kiosk-2"}
    assert post(real_receiver, viewer, batch([event(2)], device="office")).status_code == 403


def test_tokens_file_is_read_and_reread_when_it_changes(tmp_path):
    tokens = tmp_path / "tokens"
    tokens.write_text("# device  token\nkiosk-a  secret-a\n")
    tokens.chmod(0o600)
    server = ReceiverThread(tmp_path / "r.db", tokens_file=tokens)
    try:
        ok = post(server, "secret-a", batch([event(1)], device="kiosk-a"))
        refused = post(server, "secret-b", batch([event(1)], device="kiosk-b"))
        digest = receiver.hash_token("secret-b")
        tokens.write_text(f"kiosk-a secret-a\nkiosk-b sha256:{digest} device\n")
        later = post(server, "secret-b", batch([event(1)], device="kiosk-b"))
    finally:
        server.close()
    assert (ok.status_code, refused.status_code, later.status_code) == (200, 401, 200)


def test_a_broken_tokens_file_stops_the_start_with_the_line(tmp_path):
    tokens = tmp_path / "tokens"
    tokens.write_text("kiosk-a\n")

    with pytest.raises(receiver.ReceiverError, match=r"tokens:1: expected 'DEVICE_ID TOKEN"):
        receiver.make_app(str(tmp_path / "r.db"), str(tokens))


def test_a_database_of_another_program_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")

    with pytest.raises(receiver.ReceiverError, match="not a PTSP receiver database"):
        receiver.ReceiverDB(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("invoices",)]


def test_module_level_application_reads_its_database_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PTSP_RECEIVER_DB", str(tmp_path / "env.db"))
    monkeypatch.setattr(receiver, "_lazy_app", None)
    token = receiver.ReceiverDB(tmp_path / "env.db").add_token(DEVICE)

    status, _, payload = call_app(receiver.application, "POST", protocol.EVENTS_PATH,
                                  {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
                                  json.dumps(batch([event(1)])).encode())

    assert status == 200 and json.loads(payload)["acknowledged"] == ["uid-1"]


def test_a_file_that_is_not_sqlite_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the droids" * 100)

    with pytest.raises(receiver.ReceiverError, match=r"cannot (open|use) .*notes.db"):
        receiver.ReceiverDB(path)
    assert path.read_bytes() == b"these are not the droids" * 100
