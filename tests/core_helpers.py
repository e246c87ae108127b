"""Helpers for the core tests: configs built in code, Jakarta wall-clock times,
a clock the test sets by hand, and running the command line in a subprocess."""
import copy
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.core import config

ROOT = Path(__file__).resolve().parent.parent
JAKARTA = ZoneInfo("Asia/Jakarta")

# Weekdays of June 2025: 2 June is a Monday, 6 June a Friday.
MON, TUE, FRI, SAT, SUN = 2, 3, 6, 7, 8

OFFICE_HOURS = {
    "mon": ["08:00-11:00", "13:00-14:00"],
    "tue": ["08:00-11:00", "13:00-14:00"],
    "wed": ["08:00-11:00", "13:00-14:00"],
    "thu": ["08:00-11:00", "13:00-14:00"],
    "fri": ["08:30-11:00"],
    "sat": ["08:30-11:00"],
    "sun": [],
}


def wib(day, hour=0, minute=0, second=0, month=6, year=2025):
    """UTC epoch of a Jakarta wall-clock time (default month: June 2025)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=JAKARTA).timestamp()


class Clock:
    """A clock the test moves by hand; QueueService calls it for 'now'."""

    def __init__(self, now):
        self.now = float(now)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


BASE = {
    "device": {"id": "test-kiosk", "institution": "Rutan Uji"},
    "services": [
        {"code": "kunjungan", "prefix": "A", "name": {"id": "Layanan Kunjungan", "en": "Visits"},
         "hours": OFFICE_HOURS},
        {"code": "barang", "prefix": "B", "name": {"id": "Penitipan Barang"}},
        {"code": "informasi", "prefix": "C", "name": {"id": "Informasi & Pengaduan"}},
    ],
    "counters": [
        {"number": 1, "services": ["kunjungan", "barang"]},
        {"number": 2, "services": ["kunjungan", "informasi"]},
    ],
}


def config_dict(database=None, edit=None):
    """A fresh copy of BASE (open all day except kunjungan), optionally edited in place."""
    data = copy.deepcopy(BASE)
    if database is not None:
        data["storage"] = {"database": str(database)}
    if edit:
        edit(data)
    return data


def make_config(database, edit=None):
    return config.from_dict(config_dict(database, edit))


def demo_copy(tmp_path):
    """config/demo.toml with its database moved into tmp_path; returns the file path."""
    text = (ROOT / "config" / "demo.toml").read_text(encoding="utf-8")
    db = tmp_path / "kiosk.db"
    text = text.replace('database = "/tmp/ptsp-kiosk-demo.db"', f'database = "{db}"')
    assert str(db) in text, "demo.toml no longer names its database as expected"
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def far_day_start():
    """A business-day start 12 hours from now (Jakarta), "HH:00": a test on the
    real clock never straddles the day change (the demo is open all day)."""
    return (datetime.now(JAKARTA) + timedelta(hours=12)).strftime("%H:00")


def steady_demo_copy(tmp_path):
    """``demo_copy`` whose business day does not change while a real-clock test runs."""
    path = demo_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    line = 'business_day_start = "03:00"'
    assert line in text, "demo.toml no longer sets business_day_start as expected"
    path.write_text(text.replace(line, f'business_day_start = "{far_day_start()}"'), encoding="utf-8")
    return path


def child_env(**extra):
    """Environment for a child Python that imports kiosk from this tree."""
    env = dict(os.environ)
    env.pop("PTSP_KIOSK_CONFIG", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def run_cli(*args, env=None, timeout=60):
    """``python -m kiosk ARGS`` in a subprocess, from the source tree."""
    return subprocess.run([sys.executable, "-m", "kiosk", *map(str, args)], cwd=ROOT, env=child_env(**(env or {})),
                          capture_output=True, text=True, timeout=timeout)
