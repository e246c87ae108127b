"""``ptsp-kiosk bench``: the figures behind every speed and memory target.

Each area has a module with ``run(quick: bool) -> list[Figure]``; this module
runs them in order and prints one table (or JSON with ``--json``).
"""
import importlib
import json
import sys
from dataclasses import asdict, dataclass
from typing import Optional

SECTIONS = [
    "kiosk.bench.core",
    "kiosk.bench.app",
    "kiosk.bench.e2e",
    "kiosk.bench.buttons",
    "kiosk.bench.install",
    "kiosk.bench.sync",
    "kiosk.bench.office",
    "kiosk.bench.dashboard",
    "kiosk.bench.printer",
    "kiosk.bench.staff",
    "kiosk.bench.board",
    "kiosk.bench.voice",
    "kiosk.bench.survey",
    "kiosk.bench.powercut",
]


@dataclass
class Figure:
    """One measured figure; ``target`` is text like '>= 0.5' or '< 5 ms'."""

    section: str
    name: str
    value: float
    unit: str
    target: str = ""
    ok: Optional[bool] = None  # None: informational, no target


def _fmt(v):
    return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"


def run(sections=None, as_json=False, quick=False, out=sys.stdout):
    """Run the benchmark sections; returns 0 when every target is met."""
    figures = []
    for name in SECTIONS:
        short = name.rsplit(".", 1)[-1]
        if sections and short not in sections:
            continue
        figures += importlib.import_module(name).run(quick)
    if as_json:
        json.dump([asdict(f) for f in figures], out, indent=2)
        out.write("\n")
    else:
        width = max((len(f.name) for f in figures), default=10)
        for f in figures:
            mark = {True: "ok", False: "MISSED", None: ""}[f.ok]
            out.write(f"{f.section:8} {f.name:<{width}}  {_fmt(f.value):>12} {f.unit:<8} {f.target:<14} {mark}\n")
    return 0 if all(f.ok is not False for f in figures) else 1
