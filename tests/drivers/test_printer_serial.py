"""Serial printers through a socat pty pair with a fake printer process on the other end."""
import time

import pytest

from printer_helpers import SerialRig, content, layout, socat_available

from kiosk.core.errors import PaperOut, PrinterError

pytestmark = pytest.mark.skipif(not socat_available(), reason="socat is not installed (apt-get install socat)")


@pytest.fixture
def rig(tmp_path):
    r = SerialRig(tmp_path)
    yield r
    r.stop()


def serial_printer(rig, timeout=2.0):
    from drivers.printer import SerialPrinter

    return SerialPrinter(layout(58, qr_mode="raster"), rig.kiosk_end, 9600, "none", timeout)


def wait_for(predicate, seconds=3.0):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


def test_online_printer_reports_ok_and_receives_the_ticket(rig):
    rig.start("online")
    printer = serial_printer(rig)
    health = printer.status()
    assert (health.online, health.paper, health.cover_open) == (True, "ok", False)
    printer.print_ticket(content())
    ticket = layout(58, qr_mode="raster").ticket(content())
    assert wait_for(lambda: ticket in rig.received())
    printer.close()


def test_near_end_is_reported(rig):
    rig.start("near_end")
    printer = serial_printer(rig)
    health = printer.status()
    assert health.paper == "near_end" and health.usable
    printer.close()


def test_out_of_paper_is_reported_and_the_ticket_fails(rig):
    rig.start("out")
    printer = serial_printer(rig)
    health = printer.status()
    assert (health.online, health.paper, health.usable) == (False, "out", False)
    with pytest.raises(PaperOut):
        printer.print_ticket(content())
    printer.close()


def test_silent_printer_is_unknown_never_ok(rig):
    rig.start("silent")
    printer = serial_printer(rig)
    health = printer.status()
    assert health.online is None and health.paper == "unknown"
    printer.close()


def test_printer_that_disappears_mid_ticket_fails_the_ticket(rig):
    rig.start("vanish", vanish_after=200)
    printer = serial_printer(rig, timeout=1.5)
    assert printer.status().online is True  # it answered: from now on silence means trouble
    start = time.monotonic()
    with pytest.raises(PrinterError):
        printer.print_ticket(content())
    assert time.monotonic() - start < 5
    printer.close()


def test_printing_resumes_after_the_cable_is_pulled_and_plugged_back(rig):
    rig.start("online")
    printer = serial_printer(rig)
    assert printer.status().online is True
    rig.stop()  # unplugged
    assert printer.status().online is False
    with pytest.raises(PrinterError):
        printer.print_ticket(content())
    rig.start("online")  # plugged back in, same device path
    assert printer.status().online is True
    printer.print_ticket(content(label="A-013", service_name="Penitipan Barang"))
    assert wait_for(lambda: b"Penitipan Barang" in rig.received())  # the number itself is an image
    printer.close()


def test_a_second_program_cannot_open_the_port_while_the_kiosk_holds_it(rig):
    rig.start("online")
    kiosk, technician = serial_printer(rig), serial_printer(rig)
    assert kiosk.status().online is True
    health = technician.status()
    assert health.online is False and "in use" in health.detail
    kiosk.close()
