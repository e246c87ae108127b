"""sd_notify without a library: datagrams to $NOTIFY_SOCKET, watchdog period."""
import os
import socket
import tempfile
import uuid

import pytest

from kiosk.shell import sdnotify


@pytest.fixture
def systemd_socket(monkeypatch):
    """A real AF_UNIX datagram socket standing in for systemd; yields recv()."""
    # Short path: AF_UNIX addresses are limited to 108 bytes.
    folder = tempfile.mkdtemp(prefix="sdn", dir="/tmp")
    path = os.path.join(folder, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    try:
        yield lambda: sock.recv(4096).decode()
    finally:
        sock.close()
        os.unlink(path)
        os.rmdir(folder)


def test_without_systemd_every_call_is_a_no_op(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sdnotify.notify("READY=1") is False
    assert sdnotify.ready() is False
    assert sdnotify.watchdog() is False


def test_ready_reaches_the_socket(systemd_socket):
    assert sdnotify.ready() is True
    assert systemd_socket() == "READY=1"


def test_ready_can_carry_a_status_line(systemd_socket):
    sdnotify.ready("3 services open")
    assert systemd_socket() == "READY=1\nSTATUS=3 services open"


def test_watchdog_and_stopping_send_their_keys(systemd_socket):
    sdnotify.watchdog()
    sdnotify.stopping()
    assert [systemd_socket(), systemd_socket()] == ["WATCHDOG=1", "STOPPING=1"]


def test_a_status_text_cannot_inject_another_assignment(systemd_socket):
    # Given a status text with a newline (e.g. from a printer error message)
    sdnotify.status("printer offline\nREADY=1")
    # Then systemd receives one STATUS line, not a second assignment
    assert systemd_socket() == "STATUS=printer offline READY=1"


def test_extend_timeout_is_in_microseconds(systemd_socket):
    sdnotify.extend_timeout(2.5)
    assert systemd_socket() == "EXTEND_TIMEOUT_USEC=2500000"


def test_abstract_socket_when_the_name_starts_with_at(monkeypatch):
    name = f"ptsp-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sdnotify.watchdog() is True
        assert sock.recv(100) == b"WATCHDOG=1"


def test_a_socket_nobody_listens_on_is_reported_not_raised(monkeypatch, tmp_path):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))
    assert sdnotify.notify("READY=1") is False


def test_watchdog_interval_is_half_of_watchdog_usec(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert sdnotify.watchdog_interval() == 15.0


def test_no_watchdog_interval_without_watchdog_usec(monkeypatch):
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert sdnotify.watchdog_interval() is None


def test_watchdog_meant_for_another_process_is_ignored(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert sdnotify.watchdog_interval() is None


def test_watchdog_for_this_process_is_honoured(monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "8000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert sdnotify.watchdog_interval() == 4.0


@pytest.mark.parametrize("garbage", ["soon", "-5", "0", ""])
def test_garbage_watchdog_usec_means_no_watchdog(monkeypatch, garbage):
    monkeypatch.setenv("WATCHDOG_USEC", garbage)
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert sdnotify.watchdog_interval() is None
