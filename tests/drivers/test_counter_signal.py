"""A counter's light and the buzzer tell the officer "nobody waiting" (2
blinks and beeps) and "counter closed" (3), on gpiozero mock pins."""
import copy
import time

import pytest

from buttons_helpers import BASE, make_config, mock_board
from kiosk.core.errors import ConfigError


def with_counter_light(pin=23):
    counters = copy.deepcopy(BASE["counters"])
    counters[0]["led_pin"] = pin
    return make_config(counters=counters)


def rising_edges(pin):
    states = [s.state for s in pin.states]
    return sum(1 for before, after in zip(states, states[1:]) if after and not before)


def settle(pin, edges, timeout=3.0):
    # The pattern runs in gpiozero's background thread: wait for its end (off).
    deadline = time.monotonic() + timeout
    while (rising_edges(pin) < edges or pin.state) and time.monotonic() < deadline:
        time.sleep(0.01)
    return rising_edges(pin)


@pytest.mark.parametrize("pattern, times", [("nobody_waiting", 2), ("counter_closed", 3)])
def test_given_a_wired_counter_when_signalled_then_its_light_blinks_and_the_buzzer_beeps_n_times(pattern, times):
    with mock_board(with_counter_light()) as (board, _, factory):
        board.signal_counter(1, pattern)

        assert settle(factory.pin(23), times) == times
        assert settle(factory.pin(18), times) == times  # the kiosk's buzzer
        assert not factory.pin(23).state  # the light ends off


def test_given_a_counter_without_a_light_when_signalled_then_only_the_buzzer_sounds():
    with mock_board(with_counter_light()) as (board, _, factory):
        board.signal_counter(2, "nobody_waiting")

        assert board.counter_light(2) is None
        assert settle(factory.pin(18), 2) == 2
        assert rising_edges(factory.pin(23)) == 0


def test_given_a_counter_light_on_a_pin_in_use_when_configured_then_the_key_is_named():
    with pytest.raises(ConfigError, match=r"GPIO 18 is already used by counters\[0\]\.led_pin"):
        with_counter_light(18)
