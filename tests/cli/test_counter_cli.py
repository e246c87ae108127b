"""Counter staff on the command line (transfer, call --ticket, counter open|close,
hash-pin), the PIN hash and the config keys of issue 15."""
import io
import sys

import pytest

from core_helpers import config_dict, demo_copy
from kiosk import cli
from kiosk.core import config
from kiosk.core.errors import ConfigError
from kiosk.core.staff_pin import hash_pin, verify_pin
from kiosk.lan.staff_auth import business_day_end


@pytest.fixture
def demo(tmp_path, monkeypatch):
    path = demo_copy(tmp_path)
    monkeypatch.setenv("PTSP_KIOSK_CONFIG", str(path))
    return path


def run(capsys, *args):
    status = cli.main(list(args))
    out = capsys.readouterr()
    return status, out.out.replace("\xa0", " "), out.err  # counter names keep "Loket 1" on one line


def test_given_a_called_ticket_when_transferred_on_the_command_line_then_the_other_counter_calls_it(demo, capsys):
    run(capsys, "issue", "informasi")
    run(capsys, "call", "3")

    status, out, _ = run(capsys, "transfer", "C-001", "--to", "barang")

    assert status == 0 and out.strip() == "C-001: informasi -> barang, waiting by its original issue time"
    status, out, _ = run(capsys, "call", "1")
    assert status == 0 and out.startswith("C-001 -> Loket 1")


def test_given_bad_transfers_when_asked_then_status_and_message_say_why(demo, capsys):
    run(capsys, "issue", "informasi")

    unknown = run(capsys, "transfer", "C-001", "--to", "kantin")
    waiting = run(capsys, "transfer", "C-001", "--to", "barang")

    assert unknown[0] == 2 and "unknown service 'kantin'" in unknown[2]
    assert waiting[0] == 1 and "only a ticket being served (called) can be transferred" in waiting[2]


def test_given_a_skipped_visitor_when_called_by_number_then_the_counter_gets_them_back(demo, capsys):
    run(capsys, "issue", "barang")
    run(capsys, "call", "1")
    run(capsys, "skip", "1")

    status, out, _ = run(capsys, "call", "1", "--ticket", "b1")

    assert status == 0 and out.startswith("B-001 -> Loket 1")
    again = run(capsys, "call", "2", "--ticket", "B-001")
    assert again[0] == 1 and "already being served at counter 1" in again[2]


def test_given_a_closed_counter_when_it_calls_then_it_is_refused_and_status_shows_it(demo, capsys):
    run(capsys, "issue", "barang")

    closed = run(capsys, "counter", "1", "close")
    twice = run(capsys, "counter", "1", "close")
    call = run(capsys, "call", "1")
    status = run(capsys, "status")

    assert closed[:2] == (0, "counter 1 is now closed\n")
    assert twice[:2] == (0, "counter 1 was already closed\n")
    assert call[0] == 1 and "counter 1 is closed; open it first" in call[2]
    assert "Loket 1: -  (closed: ptsp-kiosk counter 1 open)" in status[1]
    assert run(capsys, "counter", "1", "open")[1] == "counter 1 is now open\n"
    assert run(capsys, "call", "1")[0] == 0


def test_given_a_pin_on_stdin_when_hashed_then_the_line_verifies_and_a_bad_pin_is_refused(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("482913\n"))
    status, out, _ = run(capsys, "hash-pin", "--stdin")

    assert status == 0 and out.startswith('pin_hash = "scrypt$16384$8$1$')
    line = out.strip().split('"')[1]
    assert verify_pin("482913", line) and not verify_pin("482914", line)
    monkeypatch.setattr(sys, "stdin", io.StringIO("12ab\n"))
    assert run(capsys, "hash-pin", "--stdin")[:1] == (2,)


@pytest.mark.parametrize("stored", ["", "scrypt$16384$8$1$AAAA", "bcrypt$1$2$3$AAAA$BBBB", "scrypt$3$8$1$AA==$BB==",
                                    "scrypt$1099511627776$8$1$AA==$BB==", "scrypt$16384$8$1$@@$BB==",
                                    "scrypt$16384$999$1$AA==$BB=="])
def test_given_a_malformed_hash_when_a_pin_is_checked_then_it_fails_without_an_error(stored):
    assert verify_pin("1234", stored) is False


@pytest.mark.parametrize("pin", [None, 1234, "1234\x00", "1234\n", "١٢٣٤", "x" * 10_000])
def test_given_odd_pins_when_checked_then_they_never_match_or_raise(pin):
    assert verify_pin(pin, hash_pin("1234", n=2 ** 10)) is False


def test_given_config_keys_of_issue_15_when_bad_then_every_problem_is_named():
    def edit(data):
        data["counters"][0]["pin_hash"] = "1234"
        data["queue"] = {"transfer_position": "back"}
        data["staff"] = {"max_failures": 0, "lockout_minutes": float("inf")}

    with pytest.raises(ConfigError) as info:
        config.from_dict(config_dict(edit=edit))

    text = "\n".join(info.value.problems)
    assert "counters[0].pin_hash: is not a PIN hash" in text
    assert "queue.transfer_position: must be one of 'original', 'front'" in text
    assert "staff.max_failures" in text and "staff.lockout_minutes" in text


def test_given_times_of_day_when_the_session_end_is_computed_then_it_is_the_next_day_start():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    wib = ZoneInfo("Asia/Jakarta")

    def at(*args):
        return datetime(*args, tzinfo=wib).timestamp()

    assert business_day_end(at(2026, 12, 1, 10, 0), "Asia/Jakarta", "03:00") == at(2026, 12, 2, 3, 0)
    assert business_day_end(at(2026, 12, 1, 2, 59), "Asia/Jakarta", "03:00") == at(2026, 12, 1, 3, 0)
    assert business_day_end(at(2026, 12, 1, 3, 0), "Asia/Jakarta", "03:00") == at(2026, 12, 2, 3, 0)
