"""The power-cut harness (issue 10): SIGKILL the running kiosk at random
moments during a stream of presses, with a slow printer, start it again, and
check after every cut that every number in a visitor's hand gets called.

It drives the kiosk only across the process boundary, as systemd and a
visitor would: ``ptsp-kiosk run --headless`` with button presses on stdin,
systemd's notify socket (READY=1) to know the kiosk has started, SIGKILL for
the power cut, and the SQLite file and the printer's output for the checks.
The printer is a FIFO that the harness drains at about 1 KB/s, like a
9,600-baud serial printer; the harness keeps reading across restarts, as
the paper keeps what reached it.

After every restart (once the kiosk is ready, before the next press):
  - PRAGMA integrity_check is "ok";
  - no number is handed out twice (day, service, cycle, number);
  - no ticket is left ``issued`` (recovery at start settled them all);
  - every ticket whose label reached the printer is callable or was called;
  - no void ticket's bytes reached the printer (its label never appears, and
    there are never more jobs on paper than tickets whose printing started).

``python3 -m kiosk.bench.powercut --cuts 20`` runs it alone; ``ptsp-kiosk
bench`` runs it as the "powercut" section.
"""
import argparse
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from kiosk.bench import Figure

INIT = b"\x1b@"  # every ticket job starts with ESC @
# No word boundary before: the label follows a size command (ESC ! 0x30 is "0").
LABEL = re.compile(rb"([A-Z])-(\d{3,})(?!\d)")
SERVICES = "ABCDE"  # the demo's service prefixes
READY_TIMEOUT = 30.0
CALLABLE = ("waiting", "called", "served", "skipped")


@dataclass
class CutReport:
    """What the harness found; the four figures the issue names come first."""

    cuts: int = 0
    tickets: int = 0
    stranded: int = 0  # tickets still issued after a restart (must be 0)
    void_printed: int = 0  # void tickets whose bytes reached the printer (must be 0)
    printed_not_callable: int = 0  # labels on paper whose ticket is not callable (must be 0)
    duplicates: int = 0
    integrity_failures: int = 0
    uncertain: int = 0
    void: int = 0
    presses: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.stranded or self.void_printed or self.printed_not_callable or self.duplicates
                    or self.integrity_failures or self.problems)


class SlowPrinter:
    """The printer end of the FIFO: reads ``rate`` bytes a second for the whole run."""

    def __init__(self, path: Path, rate: int):
        os.mkfifo(path)
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.piece = max(1, rate // 50)
        self.paper = bytearray()
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slow-printer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            try:
                data = os.read(self.fd, self.piece)
            except BlockingIOError:
                continue
            if data:
                with self.lock:
                    self.paper += data

    def output(self) -> bytes:
        with self.lock:
            return bytes(self.paper)

    def drain(self, quiet: float = 0.5, limit: float = 30.0) -> None:
        """Wait until nothing more has come for ``quiet`` seconds."""
        end = time.monotonic() + limit
        size, since = len(self.output()), time.monotonic()
        while time.monotonic() < end:
            time.sleep(0.05)
            now = len(self.output())
            if now != size:
                size, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        os.close(self.fd)


def write_config(folder: Path, fifo: Path, timeout: float) -> Path:
    """The demo configuration, printing to ``fifo``: the number as text (so the
    label is readable in the byte stream) and a raster QR (about 0.9 KB a
    ticket, near a second at 1 KB/s, so a burst of presses outruns the
    printer and jobs time out, queued or mid-ticket), no quota and a business
    day that does not change during the run."""
    from kiosk.core.config import DEMO_CONFIG

    text = Path(DEMO_CONFIG).read_text(encoding="utf-8")
    replacements = [
        ('database = "/tmp/ptsp-kiosk-demo.db"', f'database = "{folder / "kiosk.db"}"'),
        ('type = "preview"', f'type = "file"\npath = "{fifo}"\ntimeout = {timeout}\nnumber_style = "text"\n'
                             'qr_content = "ticket"\nqr_mode = "raster"'),
        ("[survey]\nenabled = true", "[survey]\nenabled = false"),
    ]
    for old, new in replacements:
        if old not in text:
            raise RuntimeError(f"demo.toml changed: cannot find {old!r} for the power-cut config")
        text = text.replace(old, new)
    text = re.sub(r"quota = \d+", "quota = 0", text)
    hour = (time.localtime().tm_hour + 12) % 24  # the business day cannot change while we run
    text = re.sub(r'business_day_start = "\d\d:\d\d"', f'business_day_start = "{hour:02d}:00"', text)
    path = folder / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Kiosk:
    """One run of ``ptsp-kiosk run --headless``, presses on its stdin."""

    def __init__(self, config: Path, folder: Path, run: int):
        self.notify_path = folder / f"notify-{run}.sock"
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(self.notify_path))
        env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", GPIOZERO_PIN_FACTORY="mock",
                   NOTIFY_SOCKET=str(self.notify_path), PYGAME_HIDE_SUPPORT_PROMPT="1")
        env.pop("WATCHDOG_USEC", None)
        # Bytecode cached across the restarts, as on a kiosk: only the first start compiles.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        self.log = open(folder / f"kiosk-{run}.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--headless", "--config", str(config)],
                                     stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            self.notify.settimeout(max(0.01, min(0.2, end - time.monotonic())))
            try:
                message = self.notify.recv(4096)
            except socket.timeout:
                continue
            if b"READY=1" in message.split(b"\n"):
                return True
        return False

    def press(self, target: str) -> bool:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(f"press {target}\n".encode())
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def cut(self) -> None:
        """The power cut: SIGKILL, no chance to clean up."""
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)
        self.close()

    def close(self) -> None:
        for closing in (self.proc.stdin, self.log, self.notify):
            try:
                if closing is not None:
                    closing.close()
            except OSError:
                pass
        self.notify_path.unlink(missing_ok=True)


def check(db: Path, paper: bytes, report: CutReport, after_restart: bool) -> None:
    """The checks listed in the module docstring, against the database and the paper."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            report.integrity_failures += 1
        report.duplicates = conn.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM tickets GROUP BY day, service, cycle, number "
            "HAVING COUNT(*) > 1)").fetchone()[0]
        if after_restart:
            report.stranded += conn.execute("SELECT COUNT(*) FROM tickets WHERE state = 'issued'").fetchone()[0]
        states = {}
        for prefix, number, state in conn.execute("SELECT prefix, number, state FROM tickets"):
            states[(prefix, number)] = state
        started = conn.execute("SELECT COUNT(*) FROM prints").fetchone()[0]
        report.tickets = len(states)
        report.void = sum(1 for s in states.values() if s == "void")
        report.uncertain = conn.execute("SELECT COUNT(*) FROM prints WHERE outcome = 'uncertain'").fetchone()[0]
    finally:
        conn.close()
    void_printed = not_callable = 0
    for prefix, number in {(m.group(1).decode(), int(m.group(2))) for m in LABEL.finditer(paper)}:
        state = states.get((prefix, number))
        if state is None:  # not a ticket of ours: bytes of a raster image that look like a label
            continue
        if state == "void":
            void_printed += 1
        elif state not in CALLABLE and not (state == "issued" and not after_restart):
            not_callable += 1
    # A job start on paper without a recorded start would be a void ticket
    # whose first bytes (before its label) went out.
    void_printed += max(0, paper.count(INIT) - started)
    report.void_printed = void_printed
    report.printed_not_callable = not_callable


def run_cuts(cuts: int, seed: Optional[int] = None, rate: int = 1000, timeout: float = 1.5,
             run_seconds: tuple = (0.3, 2.5), gap_seconds: tuple = (0.02, 0.25), folder: Optional[Path] = None,
             log=None) -> CutReport:
    """Run ``cuts`` power cuts; returns the CutReport (see ``CutReport.ok``)."""
    rng = random.Random(seed)
    report = CutReport()
    started_at = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ptsp-powercut-") as tmp:
        where = Path(folder or tmp)
        where.mkdir(parents=True, exist_ok=True)
        fifo = where / "printer.fifo"
        printer = SlowPrinter(fifo, rate)
        config = write_config(where, fifo, timeout)
        db = where / "kiosk.db"
        try:
            for run in range(cuts + 1):
                kiosk = Kiosk(config, where, run)
                if not kiosk.wait_ready():
                    kiosk.cut()
                    report.problems.append(f"run {run}: the kiosk did not start (see {where}/kiosk-{run}.log)")
                    break
                if db.exists():
                    check(db, printer.output(), report, after_restart=run > 0)
                if run == cuts:  # the last start only shows that recovery left nothing behind
                    kiosk.cut()
                    break
                end = time.monotonic() + rng.uniform(*run_seconds)
                while time.monotonic() < end:
                    if kiosk.press(rng.choice(SERVICES)):
                        report.presses += 1
                    time.sleep(rng.uniform(*gap_seconds))
                kiosk.cut()
                report.cuts += 1
                if log:
                    log(f"cut {report.cuts}: {report.tickets} tickets, {report.stranded} stranded, "
                        f"{report.void_printed} void on paper")
            printer.drain()  # what was in the pipe at the last cut reaches the paper now
            if db.exists():
                check(db, printer.output(), report, after_restart=True)
        finally:
            printer.close()
    report.seconds = time.monotonic() - started_at
    return report


def run(quick: bool) -> list:
    """The bench section: >= 100 cuts (``--quick``: 12)."""
    report = run_cuts(12 if quick else 100, seed=10)
    figures = [
        Figure("powercut", "power cuts (SIGKILL during presses)", report.cuts, "cuts", ">= 100" if not quick else "",
               None if quick else report.cuts >= 100),
        Figure("powercut", "tickets issued across the cuts", report.tickets, "tickets"),
        Figure("powercut", "  of them uncertain print (callable)", report.uncertain, "tickets"),
        Figure("powercut", "  of them void", report.void, "tickets"),
        Figure("powercut", "stranded after restart (issued)", report.stranded, "tickets", "= 0", report.stranded == 0),
        Figure("powercut", "void tickets that reached the printer", report.void_printed, "tickets", "= 0",
               report.void_printed == 0),
        Figure("powercut", "printed tickets not callable", report.printed_not_callable, "tickets", "= 0",
               report.printed_not_callable == 0),
        Figure("powercut", "integrity or duplicate failures", report.integrity_failures + report.duplicates, "",
               "= 0", report.integrity_failures + report.duplicates == 0),
        Figure("powercut", "harness run time", report.seconds, "s"),
    ]
    if report.problems:
        figures.append(Figure("powercut", "runs that failed to start", len(report.problems), "", "= 0", False))
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cuts", type=int, default=20)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--rate", type=int, default=1000, help="printer drain in bytes per second")
    parser.add_argument("--keep", metavar="DIR", help="run in DIR and keep the database, logs and paper")
    args = parser.parse_args(argv)
    report = run_cuts(args.cuts, seed=args.seed, rate=args.rate, folder=Path(args.keep) if args.keep else None,
                      log=print)
    print(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
