"""Survey figures: the yearly report over many responses, and drawing a survey screen.

A busy PTSP serves some 50 visitors a day, about 12,500 a year; the report of a
whole year must come back at once on a Pi (target < 2 s for 20,000 responses
here), and a tap on a survey screen must show the next one without a visible
lag (each screen drawn in < 50 ms at 800x480 on this machine; a Pi 4 is about
3-4 times slower).
"""
from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from kiosk.bench import Figure
from kiosk.core import survey as S
from kiosk.core.survey_report import build

SECTION = "survey"


def _fill(store, n: int) -> None:
    """``n`` responses spread over 2025 (bulk insert: the bench measures reading, not writing)."""
    rng = random.Random(13)
    cols = ("day", "answered_at", *S.ELEMENT_CODES, *S.PROFILE_CODES, "suggestion")
    rows = []
    for i in range(n):
        day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
        rows.append((day, 1.7e9 + i, *(rng.choice((2, 3, 3, 4, 4)) for _ in S.ELEMENT_CODES),
                     *(rng.choice((*f.values(), None)) for f in S.PROFILE), "Saran" if i % 20 == 0 else ""))
    with store.transaction():
        store.conn.executemany(f"INSERT INTO survey_responses ({', '.join(cols)}) "
                               f"VALUES ({', '.join('?' * len(cols))})", rows)


def _report_seconds(n: int) -> float:
    from kiosk.services.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        try:
            _fill(store, n)
            started = time.perf_counter()
            report = build(store.survey_responses("2025-01-01", "2025-12-31"), "2025-01-01", "2025-12-31",
                           store.served_count("2025-01-01", "2025-12-31"), store.survey_box_counts("2025-01-01",
                                                                                                   "2025-12-31"))
            report.rows()
            return time.perf_counter() - started
        finally:
            store.close()


def _draw_ms(rounds: int) -> list[float]:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    from kiosk.machine.survey_flow import SurveyView
    from kiosk.machine.view import View
    from kiosk.shell.screen.draw import Fonts, Images
    from kiosk.shell.screen.survey_screens import SurveyScreen

    pygame.display.init()
    pygame.font.init()
    screen = SurveyScreen(Fonts(), Images())
    surface = pygame.Surface((800, 480))
    views = [SurveyView("question", q.code, q.question, 9) for q in S.QUESTIONS]
    views += [SurveyView("identify", keys=("A", "B", "C", "D", "E")), SurveyView("suggestion", entry="baik")]
    base = View(institution="Rutan Kelas IIB Blora")
    times = []
    for _ in range(rounds):
        for sv in views:
            started = time.perf_counter()
            screen.draw(surface, base, 0.0, survey=sv)
            times.append((time.perf_counter() - started) * 1000)
    return times


def run(quick: bool) -> list[Figure]:
    n = 2000 if quick else 20000
    seconds = _report_seconds(n)
    target = 2.0 * n / 20000
    draws = _draw_ms(2 if quick else 10)
    p95 = statistics.quantiles(draws, n=20)[-1] if len(draws) >= 20 else max(draws)
    return [
        Figure(SECTION, f"survey-report over {n:,} responses", seconds, "s", f"< {target:g} s", seconds < target),
        Figure(SECTION, "survey screen drawn at 800x480, p95", p95, "ms", "< 50 ms", p95 < 50.0),
    ]
