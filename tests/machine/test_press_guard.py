"""PressGuard: mashing, printing and double presses, on a fake clock (no sleeps)."""
import subprocess
import sys

import pytest
from buttons_helpers import FakeClock, make_config
from hypothesis import given
from hypothesis import strategies as st

from kiosk.machine.press_guard import PRINTING, TOO_SOON, PressGuard


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def guard(clock):
    return PressGuard(visitor_interval=3.0, counter_interval=1.5, clock=clock)


# -- visitors -----------------------------------------------------------------

def test_first_press_for_a_service_gives_a_ticket(guard):
    assert guard.allow_ticket("kunjungan") == (True, "")


def test_twenty_presses_in_one_second_give_one_ticket(guard, clock):
    results = []
    for _ in range(20):
        results.append(guard.allow_ticket("kunjungan"))
        clock.advance(0.05)

    assert [ok for ok, _ in results].count(True) == 1
    assert results[0] == (True, "")
    assert all(r == (False, TOO_SOON) for r in results[1:])
    assert guard.refused["service:kunjungan"] == 19


def test_a_press_after_the_interval_gives_a_new_ticket(guard, clock):
    guard.allow_ticket("kunjungan")
    clock.advance(2.9)
    assert guard.allow_ticket("kunjungan") == (False, TOO_SOON)
    clock.advance(0.2)  # 3.1 s after the ticket
    assert guard.allow_ticket("kunjungan") == (True, "")


def test_presses_while_the_ticket_prints_are_refused_as_printing(guard, clock):
    guard.allow_ticket("kunjungan")
    guard.printing_started("kunjungan")
    clock.advance(10.0)  # a slow printer: far beyond the visitor interval

    assert guard.allow_ticket("kunjungan") == (False, PRINTING)


def test_the_interval_restarts_when_printing_ends(guard, clock):
    guard.allow_ticket("kunjungan")
    guard.printing_started("kunjungan")
    clock.advance(5.0)
    guard.printing_done("kunjungan")

    clock.advance(2.0)
    assert guard.allow_ticket("kunjungan") == (False, TOO_SOON)
    clock.advance(1.5)
    assert guard.allow_ticket("kunjungan") == (True, "")


def test_a_lost_printing_report_does_not_lock_the_button_forever(clock):
    guard = PressGuard(3.0, 1.5, clock=clock, printing_timeout=60.0)
    guard.printing_started("kunjungan")
    clock.advance(61.0)

    assert not guard.is_printing("kunjungan")
    assert guard.allow_ticket("kunjungan") == (True, "")


def test_services_are_guarded_separately(guard):
    guard.allow_ticket("kunjungan")
    guard.printing_started("kunjungan")

    assert guard.allow_ticket("barang") == (True, "")


def test_zero_interval_lets_every_press_through_when_not_printing(clock):
    guard = PressGuard(0.0, 0.0, clock=clock)
    assert all(guard.allow_ticket("kunjungan")[0] for _ in range(5))


@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=60))
def test_accepted_tickets_are_always_at_least_the_interval_apart(offsets):
    clock = FakeClock(0.0)
    guard = PressGuard(3.0, 1.5, clock=clock)
    accepted = []
    for t in sorted(offsets):
        clock.now = t
        if guard.allow_ticket("kunjungan")[0]:
            accepted.append(t)

    assert accepted[0] == min(offsets)  # the first press is never lost
    assert all(b - a >= 3.0 for a, b in zip(accepted, accepted[1:]))


# -- counters -----------------------------------------------------------------

def test_a_double_press_at_a_counter_calls_once(guard, clock):
    first = guard.allow_counter(1, "call")
    clock.advance(0.3)
    second = guard.allow_counter(1, "call")

    assert first == (True, "")
    assert second == (False, TOO_SOON)
    assert guard.refused["counter:1"] == 1


def test_a_counter_calls_again_after_the_interval(guard, clock):
    guard.allow_counter(1, "call")
    clock.advance(1.6)
    assert guard.allow_counter(1, "call") == (True, "")


def test_counters_are_guarded_separately(guard):
    guard.allow_counter(1, "call")
    assert guard.allow_counter(2, "call") == (True, "")


def test_a_skip_right_after_a_call_is_refused_so_the_called_visitor_keeps_their_turn(guard, clock):
    guard.allow_counter(1, "call")
    clock.advance(0.5)
    assert guard.allow_counter(1, "skip") == (False, TOO_SOON)


def test_a_recall_right_after_a_call_is_allowed(guard, clock):
    guard.allow_counter(1, "call")
    clock.advance(0.5)
    assert guard.allow_counter(1, "recall") == (True, "")


def test_a_double_recall_announces_once(guard, clock):
    guard.allow_counter(1, "recall")
    clock.advance(0.2)
    assert guard.allow_counter(1, "recall") == (False, TOO_SOON)


def test_an_unknown_counter_action_is_a_clear_error(guard):
    with pytest.raises(ValueError, match="call, recall, skip"):
        guard.allow_counter(1, "serve")


def test_negative_intervals_are_refused():
    with pytest.raises(ValueError):
        PressGuard(-1, 1)


def test_from_config_takes_the_intervals_of_the_buttons_section(clock):
    guard = PressGuard.from_config(make_config(buttons={"visitor_interval": 5.0, "counter_interval": 0.5}).buttons,
                                   clock=clock)
    guard.allow_ticket("kunjungan")
    guard.allow_counter(1, "call")
    clock.advance(0.6)

    assert guard.allow_counter(1, "call")[0] is True
    assert guard.allow_ticket("kunjungan") == (False, TOO_SOON)
    clock.advance(2.9)  # 3.5 s: past the 3 s default, still inside the configured 5 s
    assert guard.allow_ticket("kunjungan") == (False, TOO_SOON)


# -- architecture ---------------------------------------------------------------

def test_pure_modules_import_without_hardware_libraries():
    code = (
        "import sys\n"
        "for name in ('gpiozero', 'pygame', 'escpos', 'serial'):\n"
        "    sys.modules[name] = None\n"
        "import kiosk.machine.press_guard, kiosk.machine.light_policy, kiosk.shell.sim_script\n"
        "import kiosk.cli.buttons, kiosk.bench.buttons\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
