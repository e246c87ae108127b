"""The command line of sync: ``sync --once``, ``receiver``, ``receiver-add-device``."""
import json
import signal

import requests

from kiosk.cli import main
from kiosk.services.sync import protocol
from kiosk.office import receiver
from sync_helpers import (  # noqa: F401  (fixtures)
    DEVICE, assert_exactly_once, fill, free_port, kiosk, kiosk_store, real_receiver, token_file, upstream_db,
    write_config)


def test_sync_once_sends_everything_and_exits_0(tmp_path, kiosk_store, real_receiver, token_file, upstream_db,
                                                 capsys):
    cfg = write_config(tmp_path / "k.toml", kiosk_store.path, real_receiver.url, token_file, batch_size=10)
    fill(kiosk_store, 25)

    code = main(["sync", "--once", "--config", str(cfg)])

    out = capsys.readouterr().out
    assert code == 0
    assert "pending before: 25, sent: 25 events in 3 request(s), pending now: 0" in out
    assert_exactly_once(kiosk_store, upstream_db[0])


def test_sync_once_with_the_receiver_down_exits_1_with_the_reason(tmp_path, kiosk_store, token_file, capsys):
    url = f"http://127.0.0.1:{free_port()}/api/v1/events"
    cfg = write_config(tmp_path / "k.toml", kiosk_store.path, url, token_file, timeout=1.0)
    fill(kiosk_store, 4)

    code = main(["sync", "--once", "--config", str(cfg)])

    captured = capsys.readouterr()
    assert code == 1
    assert "pending now: 4" in captured.out
    assert "error: cannot reach 127.0.0.1" in captured.err


def test_sync_once_without_a_receiver_url_says_what_to_set(tmp_path, kiosk_store, token_file, capsys):
    cfg = write_config(tmp_path / "k.toml", kiosk_store.path, "", token_file)
    cfg.write_text(cfg.read_text().replace("enabled = true", "enabled = false"))

    code = main(["sync", "--once", "--config", str(cfg)])

    assert code == 1 and "set [sync] url" in capsys.readouterr().err


def test_receiver_add_device_prints_a_token_the_receiver_accepts(tmp_path, capsys):
    db = tmp_path / "r.db"

    code = main(["receiver-add-device", "blora-2", "--db", str(db)])

    token = capsys.readouterr().out.strip()
    assert code == 0 and len(token) >= 40
    assert receiver.ReceiverDB(db).token_owner(receiver.hash_token(token)) == ("blora-2", "device")


def test_receiver_add_device_refuses_a_bad_device_id(tmp_path, capsys):
    code = main(["receiver-add-device", "bad id!", "--db", str(tmp_path / "r.db")])

    assert code == 2 and "device id" in capsys.readouterr().err


def test_receiver_refuses_a_listen_address_without_port(tmp_path, capsys):
    code = main(["receiver", "--listen", "127.0.0.1", "--db", str(tmp_path / "r.db")])

    assert code == 2 and "HOST:PORT" in capsys.readouterr().err


def test_receiver_command_serves_kiosks_and_stops_on_sigterm(tmp_path):
    db = tmp_path / "r.db"
    token = receiver.ReceiverDB(db).add_token(DEVICE)
    proc = kiosk("receiver", "--listen", "127.0.0.1:0", "--db", str(db))
    try:
        first_line = proc.stdout.readline()
        url = first_line.split()[3]  # "receiver listening on http://127.0.0.1:PORT/api/v1/events ..."
        body = {"protocol": 1, "device": DEVICE, "events": [
            {"seq": 1, "uid": "u1", "type": "issued", "time": 1776300000.0, "day": "2026-04-16", "data": {}}]}
        r = requests.post(url, data=json.dumps(body), timeout=5,
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert url.endswith(protocol.EVENTS_PATH)
    assert r.status_code == 200 and r.json()["acknowledged"] == ["u1"]
    assert proc.returncode == 0
