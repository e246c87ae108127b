"""``ptsp-kiosk receiver`` and ``receiver-add-device`` with a SQLite path or a postgresql:// URL."""
import json
import signal

import pytest
import requests

from kiosk.cli import main
from kiosk.office import receiver
from office_helpers import DEVICE, batch, event
from sync_helpers import kiosk


def test_receiver_add_device_stores_a_token_on_either_backend(office_db_url, capsys):
    code = main(["receiver-add-device", "blora-2", "--db", office_db_url])

    token = capsys.readouterr().out.strip()
    assert code == 0
    rdb = receiver.ReceiverDB(office_db_url)
    try:
        assert rdb.token_owner(receiver.hash_token(token)) == ("blora-2", "device")
    finally:
        rdb.close()


def test_receiver_runs_on_waitress_serves_kiosks_and_stops_on_sigterm(office_db_url):
    rdb = receiver.ReceiverDB(office_db_url)
    token = rdb.add_token(DEVICE)
    rdb.close()
    proc = kiosk("receiver", "--listen", "127.0.0.1:0", "--db", office_db_url, "--threads", "2")
    try:
        first_line = proc.stdout.readline()
        assert "receiver listening on" in first_line, proc.stderr.read() if proc.poll() is not None else first_line
        url = first_line.split()[3]
        r = requests.post(url, data=json.dumps(batch([event(1)])), timeout=10,
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert r.status_code == 200 and r.json()["stored"] == 1
        assert r.headers["Server"] == "ptsp-receiver"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err


def test_a_password_in_the_url_is_never_printed(tmp_path, capsys):
    url = f"postgresql://ptsp:s3cret@/nothing?host={tmp_path}&connect_timeout=2"

    code = main(["receiver", "--listen", "127.0.0.1:0", "--db", url])

    err = capsys.readouterr().err
    assert code == 1 and "s3cret" not in err and "ptsp:***@" in err


def test_a_database_that_is_not_the_receivers_stops_the_start_with_the_reason(tmp_path, capsys):
    path = tmp_path / "notes.db"
    path.write_bytes(b"not a database" * 100)

    code = main(["receiver", "--listen", "127.0.0.1:0", "--db", str(path)])

    assert code == 1 and "notes.db" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--threads", "0"], ["--threads", "1e3"], ["--timeout", "99999"],
                                  ["--timeout", "\u0663\u0660"]])
def test_out_of_range_server_settings_are_refused(tmp_path, capsys, args):
    with pytest.raises(SystemExit) as exit_:
        main(["receiver", "--db", str(tmp_path / "r.db"), *args])

    assert exit_.value.code == 2 and "whole number" in capsys.readouterr().err


def test_a_path_with_control_characters_is_echoed_escaped(tmp_path, capsys):
    folder = tmp_path / "no\x1b[2Jsuch"

    code = main(["receiver", "--listen", "127.0.0.1:0", "--db", str(folder / "r.db")])

    err = capsys.readouterr().err
    assert code == 1 and "\x1b" not in err and "\\x1b[2J" in err
