"""ButtonBoard on gpiozero mock pins: presses become events, lights follow the policy."""
import queue
import re
import time

import pytest
from gpiozero import LED

from buttons_helpers import FakeClock, board, drain, make_config, mock_board, no_gpio  # noqa: F401 (fixtures)
from drivers.buttons import ButtonBoard, make_pin_factory, parts
from kiosk.core.errors import ButtonError, UnknownName
from kiosk.core.events import CounterAction, PrinterHealth, TakeTicket
from kiosk.machine.light_policy import service_lights
from kiosk.machine.press_guard import TOO_SOON, PressGuard


def _wait_until(predicate, timeout=2.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.005)
    return predicate()


# -- visitor buttons --------------------------------------------------------------

def test_a_service_button_press_asks_for_a_ticket(board):
    b, events, _ = board
    b.press("A")
    assert drain(events) == [TakeTicket(service="kunjungan", source="button")]


def test_the_real_pin_edge_is_what_asks_for_a_ticket(board):
    b, events, factory = board
    factory.pin(13).drive_low()  # the visitor pushes B's button (active low)
    assert drain(events) == [TakeTicket(service="barang", source="button")]
    factory.pin(13).drive_high()
    assert drain(events) == []  # letting go asks for nothing


def test_a_service_can_be_pressed_by_code_or_lowercase_prefix(board):
    b, events, _ = board
    b.press("barang")
    b.press("b")
    assert [e.service for e in drain(events)] == ["barang", "barang"]


def test_mashing_a_service_button_gives_one_ticket_through_the_press_guard(board):
    b, events, _ = board
    clock = FakeClock()
    guard = PressGuard(3.0, 1.5, clock=clock)
    allowed = 0
    for _ in range(20):  # twenty presses in one second
        b.press("A")
        event = events.get_nowait()
        allowed += guard.allow_ticket(event.service)[0]
        clock.advance(0.05)

    assert allowed == 1
    assert guard.refused["service:kunjungan"] == 19


def test_active_high_buttons_press_on_a_rising_edge():
    cfg = make_config(buttons={"active_low": False})
    with mock_board(cfg) as (b, events, factory):
        assert factory.pin(5).state == 0  # pulled down while idle
        factory.pin(5).drive_high()
        assert drain(events) == [TakeTicket(service="kunjungan", source="button")]
        b.press("B")  # the simulation follows the configured polarity
        assert [e.service for e in drain(events)] == ["barang"]


# -- counter buttons --------------------------------------------------------------

def test_a_short_press_at_a_counter_calls_the_next_number(board):
    b, events, _ = board
    b.press("counter 1")
    assert drain(events) == [CounterAction(1, "call")]


def test_a_long_press_calls_again_and_its_release_calls_nobody(board):
    b, events, _ = board
    assert b.hold("counter 2") is True
    assert drain(events) == [CounterAction(2, "recall")]

    b.release("counter 2")
    time.sleep(0.1)  # longer than hold_time: no late second recall either
    assert drain(events) == []


def test_a_press_released_before_the_hold_time_is_a_call_not_a_recall():
    cfg = make_config(buttons={"hold_time": 1.0})
    with mock_board(cfg) as (b, events, _):
        b.hold("counter 1", wait=False)
        time.sleep(0.05)
        b.release("counter 1")
        time.sleep(1.05)  # past the hold time: the hold thread must not fire after the release
        assert drain(events) == [CounterAction(1, "call")]


def test_a_double_press_at_a_counter_calls_once_through_the_press_guard(board):
    b, events, _ = board
    clock = FakeClock()
    guard = PressGuard(3.0, 1.5, clock=clock)
    b.press("counter 1")
    clock.advance(0.2)
    b.press("counter 1")

    verdicts = [guard.allow_counter(e.counter, e.action) for e in drain(events)]
    assert verdicts == [(True, ""), (False, TOO_SOON)]


def test_the_skip_button_skips(board):
    b, events, _ = board
    b.press("skip 1")
    assert drain(events) == [CounterAction(1, "skip")]


# -- simulation targets ---------------------------------------------------------

def test_an_unknown_button_name_lists_the_known_ones(board):
    b, _, _ = board
    with pytest.raises(UnknownName, match="counter 1"):
        b.press("Z")


def test_a_counter_without_a_skip_button_says_so(board):
    b, _, _ = board
    with pytest.raises(ButtonError, match="counter 2 has no skip_pin"):
        b.press("skip 2")


def test_a_service_without_a_button_says_so(board):
    b, _, _ = board
    with pytest.raises(ButtonError, match="informasi has no button_pin"):
        b.press("C")


def test_targets_lists_every_button(board):
    b, _, _ = board
    assert b.targets() == ["A", "B", "counter 1", "skip 1", "counter 2"]


# -- lights -------------------------------------------------------------------------

def test_lights_follow_service_and_printer_state(board):
    b, _, factory = board
    b.set_service_lights(service_lights({"kunjungan": True, "barang": False}, [], printer_usable=True))
    assert (factory.pin(6).state, factory.pin(19).state) == (1, 0)

    out = PrinterHealth(online=True, paper="out")
    b.set_service_lights(service_lights({"kunjungan": True, "barang": True}, [], printer_usable=out.usable))
    assert (factory.pin(6).state, factory.pin(19).state) == (0, 0)


def test_a_printing_service_light_blinks():
    with mock_board(blink_seconds=0.01) as (b, _, factory):
        b.set_service_light("kunjungan", "blink")
        pin = factory.pin(6)
        assert _wait_until(lambda: len(pin.states) >= 5), "the light never toggled"
        assert b.service_light("A") == "blink"


def test_a_blink_set_again_every_tick_keeps_blinking():
    with mock_board(blink_seconds=0.05) as (b, _, factory):
        pin = factory.pin(6)
        b.set_service_light("A", "blink")
        deadline = time.monotonic() + 0.4
        while time.monotonic() < deadline:  # the main loop repeats the mode on every tick
            b.set_service_light("A", "blink")
            time.sleep(0.01)
        # Restarting the blink each tick would hold the light on for good.
        assert [s.state for s in pin.states].count(0) >= 3


def test_a_service_without_a_light_is_ignored(board):
    b, _, _ = board
    b.set_service_light("informasi", "on")
    assert b.service_light("informasi") is None


def test_a_light_for_an_unknown_service_is_an_error(board):
    b, _, _ = board
    with pytest.raises(UnknownName):
        b.set_service_light("kantin", "on")


def test_a_bad_light_mode_is_an_error(board):
    b, _, _ = board
    with pytest.raises(ValueError, match="on, off, blink"):
        b.set_service_light("A", "bright")


def test_the_status_light(board):
    b, _, factory = board
    b.set_status_light("on")
    assert factory.pin(4).state == 1
    assert b.status_light() == "on"


def test_beep_sounds_the_buzzer(board):
    b, _, factory = board
    b.beep(0.01)
    assert _wait_until(lambda: any(s.state for s in factory.pin(18).states))


def test_beep_without_a_buzzer_does_nothing():
    cfg = make_config(buttons={"buzzer_pin": None})
    with mock_board(cfg) as (b, _, _):
        assert not b.has_buzzer
        b.beep()  # no error


# -- closing and errors -------------------------------------------------------------------

def test_close_turns_the_lights_off_and_frees_the_pins(board):
    b, events, factory = board
    b.set_service_light("A", "on")
    b.close()
    b.close()  # twice is fine
    assert factory.pin(6).state == 0
    second = ButtonBoard(make_config(), events, factory=factory)  # same pins open again
    second.close()


def test_a_pin_in_use_names_the_config_key_and_frees_what_it_opened(board):
    first, events, factory = board
    first.close()
    cfg = make_config()
    last = parts(cfg)[-1]  # every other pin is opened before this one fails
    blocker = LED(last.pin, pin_factory=factory)
    try:
        with pytest.raises(ButtonError, match=rf"{re.escape(last.key)} \(GPIO {last.pin}.*already in use"):
            ButtonBoard(cfg, events, factory=factory)
    finally:
        blocker.close()
    ButtonBoard(cfg, events, factory=factory).close()  # the failed board kept none of its pins


def test_a_fixed_pull_up_pin_with_active_high_buttons_names_the_fix():
    # The config check refuses this; the driver still explains it if it slips through.
    import dataclasses

    cfg = make_config(buttons={"status_led_pin": None, "buzzer_pin": None})
    cfg = dataclasses.replace(cfg, buttons=dataclasses.replace(cfg.buttons, active_low=False),
                              services=(dataclasses.replace(cfg.services[0], button_pin=3),) + cfg.services[1:])
    with pytest.raises(ButtonError, match="fixed pull-up.*active_low = true"):
        with mock_board(cfg):
            pass


def test_no_gpio_gives_a_button_error_naming_the_fix(no_gpio):
    with pytest.raises(ButtonError) as e:
        make_pin_factory("")
    message = str(e.value)
    assert 'pin_factory = "mock"' in message and "GPIOZERO_PIN_FACTORY=mock" in message
    assert "python3-lgpio" in message and "'lgpio' is not installed" in message


def test_a_board_without_gpio_raises_button_error_not_bad_pin_factory(no_gpio):
    with pytest.raises(ButtonError, match="no GPIO here"):
        ButtonBoard(make_config(buttons={"pin_factory": ""}), queue.Queue())


def test_an_unknown_pin_factory_name_lists_the_known_ones():
    with pytest.raises(ButtonError, match="use one of lgpio, mock, native"):
        make_pin_factory("wiringpi")


def test_the_environment_variable_picks_the_factory(monkeypatch):
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    factory = make_pin_factory("")
    try:
        assert type(factory).__name__ == "MockFactory"
    finally:
        factory.close()


def test_a_board_makes_and_closes_its_own_factory_from_config():
    board = ButtonBoard(make_config(), queue.Queue())
    try:
        assert type(board.factory).__name__ == "MockFactory"
    finally:
        board.close()


# -- wiring list ---------------------------------------------------------------------

def test_parts_list_every_configured_pin_with_its_key():
    listed = {(p.key, p.pin) for p in parts(make_config())}
    assert listed == {
        ("services[0].button_pin", 5), ("services[0].led_pin", 6),
        ("services[1].button_pin", 13), ("services[1].led_pin", 19),
        ("counters[0].call_pin", 17), ("counters[0].skip_pin", 27), ("counters[1].call_pin", 22),
        ("buttons.status_led_pin", 4), ("buttons.buzzer_pin", 18),
    }
