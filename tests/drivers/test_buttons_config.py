"""Pin checks of the config: conflicts are reported with the rest of the config check."""
import pytest
from buttons_helpers import BASE, make_config

from kiosk.core.errors import ConfigError


def _problems(**kw):
    with pytest.raises(ConfigError) as e:
        make_config(**kw)
    return e.value.problems


def _services(**first):
    services = [dict(s) for s in BASE["services"]]
    services[0].update(first)
    return services


def test_the_base_config_has_no_pin_problem():
    assert make_config().services[0].button_pin == 5


def test_the_same_pin_twice_names_both_keys():
    problems = _problems(services=_services(led_pin=17))  # counter 1's call button is on 17

    assert problems == ["test: counters[0].call_pin: GPIO 17 is already used by services[0].led_pin"]


def test_a_button_and_its_own_light_on_one_pin_is_a_conflict():
    problems = _problems(services=_services(led_pin=5))
    assert problems == ["test: services[0].led_pin: GPIO 5 is already used by services[0].button_pin"]


@pytest.mark.parametrize("pin", [0, 1, 28, 40])
def test_a_pin_that_does_not_exist_is_refused(pin):
    problems = _problems(services=_services(button_pin=pin))
    assert problems == [f"test: services[0].button_pin: GPIO {pin} does not exist on the 40-pin header "
                        "(use BCM numbers 2-27)"]


@pytest.mark.parametrize("device", ["/dev/serial0", "/dev/ttyAMA0", "/dev/ttyS0"])
def test_the_uart_pins_are_reserved_when_the_printer_uses_the_pi_uart(device):
    problems = _problems(services=_services(button_pin=14, led_pin=15),
                         printer={"type": "serial", "serial_device": device})

    assert problems == [
        f"test: services[0].button_pin: GPIO 14 is the UART the printer uses ({device})",
        f"test: services[0].led_pin: GPIO 15 is the UART the printer uses ({device})",
    ]


def test_the_uart_pins_are_free_with_a_usb_serial_printer():
    cfg = make_config(services=_services(button_pin=14), printer={"type": "serial", "serial_device": "/dev/ttyUSB0"})
    assert cfg.services[0].button_pin == 14


def test_an_active_high_button_on_a_fixed_pull_up_pin_is_refused():
    problems = _problems(buttons={"active_low": False}, services=_services(button_pin=3))
    assert problems == ["test: services[0].button_pin: GPIO 3 has a fixed pull-up resistor, so it cannot take "
                        "a button with buttons.active_low = false; use another pin"]


def test_a_light_on_a_fixed_pull_up_pin_is_fine():
    cfg = make_config(buttons={"active_low": False, "status_led_pin": 2})
    assert cfg.buttons.status_led_pin == 2


def test_every_pin_problem_is_reported_at_once():
    problems = _problems(buttons={"buzzer_pin": 5, "status_led_pin": 14},
                         printer={"type": "serial", "serial_device": "/dev/serial0"})

    assert "test: buttons.buzzer_pin: GPIO 5 is already used by services[0].button_pin" in problems
    assert "test: buttons.status_led_pin: GPIO 14 is the UART the printer uses (/dev/serial0)" in problems


def test_a_pin_that_is_not_a_number_is_refused():
    problems = _problems(services=_services(button_pin="GPIO5"))
    assert problems == ["test: services[0].button_pin: must be a whole number, not 'GPIO5'"]
