"""Network printers through a TCP server on 127.0.0.1 that answers, stalls or drops."""
import socket
import time

import pytest

from printer_helpers import TcpPrinter, content, layout

from kiosk.core.errors import PrinterError, PrinterOffline, PrinterTimeout


@pytest.fixture
def server():
    s = TcpPrinter("answer")
    yield s
    s.close()


def network_printer(port, timeout=1.0):
    from drivers.printer import NetworkPrinter

    return NetworkPrinter(layout(80, "TM-T20II"), "127.0.0.1", port, timeout)


def test_answering_printer_gets_the_exact_ticket_bytes(server):
    printer = network_printer(server.port)
    assert printer.status().online is True
    printer.print_ticket(content())
    ticket = layout(80, "TM-T20II").ticket(content())
    deadline = time.monotonic() + 2
    while ticket not in bytes(server.received) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ticket in bytes(server.received)


def test_printer_that_stalls_after_answering_fails_the_ticket_within_the_timeout(server):
    printer = network_printer(server.port, timeout=0.8)
    assert printer.status().online is True
    server.mode = "stall"
    start = time.monotonic()
    with pytest.raises(PrinterTimeout):
        printer.print_ticket(content())
    assert time.monotonic() - start < 3


def test_a_stalled_printer_whose_buffer_fills_times_out_on_send(server):
    server.mode = "stall"
    printer = network_printer(server.port, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(PrinterTimeout):
        printer.send(b"x" * 20_000_000, "big")  # far more than the socket buffers hold
    assert time.monotonic() - start < 5


def test_printer_that_drops_the_link_fails_the_ticket(server):
    printer = network_printer(server.port)
    assert printer.status().online is True
    server.mode = "drop"
    with pytest.raises(PrinterError):
        printer.print_ticket(content())


def test_nobody_listening_is_offline():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens on this port now
    printer = network_printer(port)
    assert printer.status().online is False
    with pytest.raises(PrinterOffline):
        printer.print_ticket(content())


def test_empty_host_is_a_clear_error():
    from drivers.printer import NetworkPrinter

    health = NetworkPrinter(layout(58), "", 9100).status()
    assert health.online is False and "printer.host" in health.detail
