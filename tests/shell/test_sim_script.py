"""The press script and the demo keys drive the board's mock pins."""
import threading
import time

import pytest
from buttons_helpers import board, drain, make_config  # noqa: F401 (fixture)

from kiosk.core.events import CounterAction, Quit, TakeTicket
from kiosk.shell.sim_script import KEYMAP, ScriptLineError, key_action, parse_line, perform, run_script


# -- parsing --------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("press A", ("press", "A")),
    ("press kunjungan", ("press", "kunjungan")),
    ("  PRESS   counter   1  ", ("press", "counter 1")),
    ("hold counter 2   # call again", ("hold", "counter 2")),
    ("press skip 1", ("press", "skip 1")),
    ("release counter 2", ("release", "counter 2")),
    ("wait 1.5", ("wait", 1.5)),
    ("quit", ("quit", "")),
    ("", None),
    ("# a comment", None),
])
def test_script_lines_are_understood(line, expected):
    assert parse_line(line) == expected


@pytest.mark.parametrize("line, message", [
    ("prss A", "unknown command 'prss' (use press, hold, release, wait, quit)"),
    ("press", "press needs a button"),
    ("wait soon", "wait needs seconds, like 'wait 1.5', not 'soon'"),
    ("wait -1", "wait must be between 0 and 3600 seconds"),
    ("wait nan", "wait must be between"),
    ("wait 5000", "wait must be between"),
    ("quit now", "quit takes nothing after it"),
])
def test_bad_script_lines_say_what_is_wrong(line, message):
    with pytest.raises(ScriptLineError) as e:
        parse_line(line)
    assert message in str(e.value)


# -- running ----------------------------------------------------------------------

def test_a_script_presses_the_buttons_in_order(board):
    b, events, _ = board
    result = run_script(["press A", "press kunjungan", "press counter 1", "hold counter 2", "press skip 1"], b)

    assert drain(events) == [
        TakeTicket("kunjungan", source="button"), TakeTicket("kunjungan", source="button"),
        CounterAction(1, "call"), CounterAction(2, "recall"), CounterAction(1, "skip"),
    ]
    assert result.actions == 5 and result.problems == []


def test_bad_lines_are_reported_with_their_number_and_the_run_goes_on(board):
    b, events, _ = board
    reported = []
    result = run_script(["press A", "prss B", "press Z", "press skip 2", "press B"], b, report=reported.append)

    assert [e.service for e in drain(events)] == ["kunjungan", "barang"]
    assert len(result.problems) == 3
    assert result.problems[0].startswith("line 2: unknown command 'prss'")
    assert result.problems[1].startswith("line 3: unknown button 'Z'; known: A, B, counter 1")
    assert result.problems[2].startswith("line 4: counter 2 has no skip_pin")
    assert reported == result.problems


def test_quit_ends_the_run_and_asks_the_app_to_quit(board):
    b, events, _ = board
    app_events = []

    class Sink:
        put = app_events.append

    result = run_script(["press A", "quit", "press B"], b, events=Sink())

    assert result.quit
    assert app_events == [Quit("script")]
    assert [e.service for e in drain(events)] == ["kunjungan"]  # nothing after quit


def test_wait_pauses_the_script(board):
    b, _, _ = board
    started = time.monotonic()
    run_script(["wait 0.05", "press A"], b)
    assert time.monotonic() - started >= 0.05


def test_stopping_cuts_a_wait_short(board):
    b, events, _ = board
    stop = threading.Event()
    threading.Timer(0.05, stop.set).start()
    started = time.monotonic()

    result = run_script(["wait 30", "press A"], b, stop=stop)

    assert result.stopped
    assert time.monotonic() - started < 5
    assert drain(events) == []


def test_a_script_reads_stdin_like_lines(board, tmp_path):
    b, events, _ = board
    path = tmp_path / "presses.txt"
    path.write_text("# morning rush\npress A\n\npress B\n")
    with path.open() as f:
        run_script(f, b)
    assert [e.service for e in drain(events)] == ["kunjungan", "barang"]


# -- demo keys --------------------------------------------------------------------

@pytest.mark.parametrize("key, shift, expected", [
    ("1", False, ("press", "A")),
    ("2", False, ("press", "B")),
    ("[1]", False, ("press", "A")),
    ("q", False, ("press", "counter 1")),
    ("q", True, ("hold", "counter 1")),
    ("w", True, ("hold", "counter 2")),
    ("a", False, ("press", "skip 1")),
])
def test_demo_keys_map_to_buttons(key, shift, expected):
    assert key_action(make_config(), key, shift) == expected


@pytest.mark.parametrize("key", [
    "3",  # the third service has no button
    "4",  # there is no fourth service
    "s",  # counter 2 has no skip button
    "e",  # there is no third counter
    "z",  # not mapped
])
def test_keys_without_a_configured_button_do_nothing(key):
    assert key_action(make_config(), key) is None


def test_every_mapped_key_drives_a_real_press(board):
    b, events, _ = board
    cfg = make_config()
    done = 0
    for key in KEYMAP:
        for shift in (False, True):
            action = key_action(cfg, key, shift)
            if action:
                perform(b, *action)
                done += 1
    assert len(drain(events)) == done == 10  # 1, 2, q, w, a; each with and without shift
