"""Light policy: what a service button's light and the status light show."""
import pytest

from kiosk.core.events import PrinterHealth
from kiosk.machine.light_policy import BLINK, OFF, ON, service_light, service_lights, status_light


@pytest.mark.parametrize("can_issue, printing, printer_usable, expected, behaviour", [
    (True, False, True, ON, "open with quota left: lit"),
    (False, False, True, OFF, "closed or quota used up: dark"),
    (True, True, True, BLINK, "ticket printing: blinking"),
    (False, True, True, BLINK, "printing the ticket that used up the quota: still blinking"),
    (True, False, False, OFF, "printer out: dark even when open"),
    (True, True, False, OFF, "printer went out while printing: dark"),
    (True, False, None, ON, "printer state unknown: lit (it may still print)"),
])
def test_service_light(can_issue, printing, printer_usable, expected, behaviour):
    assert service_light(can_issue, printing, printer_usable) == expected, behaviour


def test_a_printer_out_of_paper_darkens_every_service_light():
    health = PrinterHealth(online=True, paper="out")

    modes = service_lights({"kunjungan": True, "barang": True}, printing=[], printer_usable=health.usable)

    assert modes == {"kunjungan": OFF, "barang": OFF}


def test_service_lights_follow_each_service():
    modes = service_lights({"kunjungan": True, "barang": False, "informasi": True},
                           printing={"informasi"}, printer_usable=True)

    assert modes == {"kunjungan": ON, "barang": OFF, "informasi": BLINK}


def test_status_light_is_on_when_ready():
    assert status_light(printer_usable=True) == ON


@pytest.mark.parametrize("printer_usable, attention", [(False, False), (True, True)])
def test_status_light_blinks_when_a_technician_is_needed(printer_usable, attention):
    assert status_light(printer_usable, attention) == BLINK
