"""Helpers for the printer tests: sample tickets, a fake serial printer on a
socat pty pair, and a TCP printer on 127.0.0.1.

Run as a script, this file *is* the fake serial printer:
    python printer_helpers.py fake-serial DEVICE MODE LOGFILE [VANISH_AFTER]
MODE: online | near_end | out | silent | vanish. It answers DLE EOT 1/2/4 like
an ESC/POS printer and appends every byte it receives to LOGFILE.
"""
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

# ESC/POS status answers: printer (DLE EOT 1), offline cause (2), paper sensor (4).
ANSWERS = {
    "online": {1: 0x12, 2: 0x12, 4: 0x12},
    "near_end": {1: 0x12, 2: 0x12, 4: 0x1E},
    "out": {1: 0x1A, 2: 0x32, 4: 0x72},
}


def next_event(events, kind, seconds=5.0):
    """The next event of ``kind`` on the queue ``events`` (others are dropped);
    AssertionError when none comes within ``seconds``."""
    import queue

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            e = events.get(timeout=0.05)
        except queue.Empty:
            continue
        if isinstance(e, kind):
            return e
    raise AssertionError(f"no {kind.__name__} within {seconds} s")


def content(**changes):
    """A TicketContent like the demo's, with ``changes``."""
    from kiosk.core.tickets import TicketContent

    base = dict(institution="Rutan Kelas IIB Blora", address="Jl. Pemuda No. 1, Blora, Jawa Tengah",
                heading="NOMOR ANTRIAN", label="A-012", service_name="Layanan Kunjungan", priority_text="",
                issued_text="Selasa, 16 April 2024 15:47", ahead_text="Antrian di depan Anda: 4",
                wait_text="Perkiraan waktu tunggu: 20 menit",
                instruction="Silakan menunggu panggilan di Loket 1 atau Loket 2",
                footer=("Terima kasih atas kunjungan Anda", "Tiket hanya berlaku hari ini"),
                qr_data="PTSP1:20240416:A-012", ticket_id=7)
    base.update(changes)
    return TicketContent(**base)


def layout(paper=58, profile="POS-5890", qr_mode="auto", feed_lines=3):
    from drivers.printer.layout import TicketLayout, geometry_for

    return TicketLayout(geometry_for(paper, profile), qr_mode=qr_mode, feed_lines=feed_lines)


# -- serial: socat pty pair + fake printer process ------------------------------

class SerialRig:
    """socat joins two ptys: the kiosk opens ``kiosk_end``, the fake printer
    process ``printer_end``. ``start(mode)`` (re)starts both; ``stop()`` kills
    both, like pulling the cable."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.kiosk_end = str(self.folder / "ttyKIOSK")
        self.printer_end = str(self.folder / "ttyPRINTER")
        self.log = self.folder / "received.bin"
        self.socat = self.fake = None

    def start(self, mode="online", vanish_after=0):
        for link in (self.kiosk_end, self.printer_end):
            if os.path.lexists(link):
                os.unlink(link)
        self.socat = subprocess.Popen(
            ["socat", f"pty,raw,echo=0,link={self.kiosk_end}", f"pty,raw,echo=0,link={self.printer_end}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while not (os.path.exists(self.kiosk_end) and os.path.exists(self.printer_end)):
            if time.monotonic() > deadline:
                raise RuntimeError("socat did not create the pty pair")
            time.sleep(0.01)
        self.fake = subprocess.Popen([sys.executable, __file__, "fake-serial", self.printer_end, mode,
                                      str(self.log), str(vanish_after)])
        ready = Path(str(self.log) + ".ready")
        while not ready.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("fake printer did not start")
            time.sleep(0.01)
        ready.unlink()
        return self

    def received(self):
        return self.log.read_bytes() if self.log.exists() else b""

    def stop(self):
        for proc in (self.fake, self.socat):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(5)
        self.fake = self.socat = None


def socat_available():
    return shutil.which("socat") is not None


def _fake_serial(device, mode, logfile, vanish_after):
    import tty

    fd = os.open(device, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    Path(logfile + ".ready").write_text("ok")
    received = bytearray()
    scanned = 0
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            return
        if not data:
            return
        received += data
        with open(logfile, "ab") as f:
            f.write(data)
        if mode == "vanish" and len(received) >= vanish_after:
            os._exit(0)  # the printer is gone mid-ticket: no goodbye
        while True:
            i = received.find(b"\x10\x04", scanned)
            if i < 0 or i + 2 >= len(received):
                scanned = max(scanned, len(received) - 2)
                break
            n = received[i + 2]
            scanned = i + 3
            answer = ANSWERS.get("online" if mode == "vanish" else mode, {}).get(n)
            if answer is not None:
                os.write(fd, bytes([answer]))


# -- network: a TCP printer on 127.0.0.1 ------------------------------------------

class TcpPrinter:
    """A raw port-9100 printer. ``mode``: "answer" (reads, answers status),
    "stall" (accepts, never reads or answers), "drop" (closes each link at once).
    The mode can change while it runs."""

    def __init__(self, mode="answer"):
        self.mode = mode
        self.received = bytearray()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.port = self.server.getsockname()[1]
        self._stop = threading.Event()
        self._links = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.server.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except (socket.timeout, OSError):
                continue
            self._links.append(conn)
            if self.mode == "drop":
                conn.close()
                continue
            threading.Thread(target=self._link, args=(conn,), daemon=True).start()

    def _link(self, conn):
        conn.settimeout(0.05)
        while not self._stop.is_set():
            if self.mode == "stall":
                time.sleep(0.02)
                continue
            try:
                data = conn.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if not data:
                return
            self.received += data
            for n in (1, 2, 4):
                for _ in range(data.count(b"\x10\x04" + bytes([n]))):
                    conn.sendall(bytes([ANSWERS["online"][n]]))

    def close(self):
        self._stop.set()
        self.server.close()
        for c in self._links:
            try:
                c.close()
            except OSError:
                pass


if __name__ == "__main__" and sys.argv[1:2] == ["fake-serial"]:
    _fake_serial(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 0)
