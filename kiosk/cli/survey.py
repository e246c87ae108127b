"""Survey commands: ``survey-report --from DATE --to DATE [--csv]``."""
from __future__ import annotations

import csv
import re
import sys
from datetime import date

from kiosk.core import config
from kiosk.core.survey_report import COLUMNS, REGULATION, build, word
from kiosk.services import clock_state
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits only


def register(sub, common):
    p = sub.add_parser("survey-report", parents=[common],
                       help="the satisfaction index (IKM, Permenpan RB 14/2017) for a period")
    p.add_argument("--from", dest="first", metavar="DATE", help="first business day, YYYY-MM-DD "
                   "(default: the first day of the current month)")
    p.add_argument("--to", dest="last", metavar="DATE", help="last business day, YYYY-MM-DD (default: today)")
    p.add_argument("--csv", action="store_true", help="every figure as CSV rows")
    p.set_defaults(func=survey_report)


def _day(text, option):
    if not _DATE_RE.match(text or ""):
        raise ValueError(f"{option} {text!r} is not a date like 2025-06-02")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a real date") from None


def survey_report(args):
    try:
        first = _day(args.first, "--from") if args.first else None
        last = _day(args.last, "--to") if args.last else None
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    cfg = config.load(args.config)
    store = Store(cfg.storage.database)
    try:
        today = QueueService(cfg, store, clock_synced=clock_state.clock_synchronized).day_clock().day
        last = last or today
        first = first or last[:8] + "01"
        if first > last:
            print(f"error: --from {first} is after --to {last}", file=sys.stderr)
            return 2
        report = build(store.survey_responses(first, last), first, last, store.served_count(first, last),
                       store.survey_box_counts(first, last))
    finally:
        store.close()
    lang = cfg.device.language
    rows = report.rows(lang)
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in r.items()} for r in rows)
        return 0
    _print(cfg, report, rows, lang)
    return 0


def _cell(value):
    """A CSV cell that a spreadsheet never runs as a formula (a suggestion is visitors' text)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _print(cfg, report, rows, lang):
    title = "Survei Kepuasan Masyarakat" if lang == "id" else "Public satisfaction survey"
    print(f"{title} ({REGULATION}): {cfg.device.institution}")
    print(f"{report.first_day} .. {report.last_day}")
    print()
    print(f"{word('element', lang):<4} {'':<42} {'n':>5} {'NRR':>7} {'x1/9':>7} {'x25':>7}  cat")
    for r in (r for r in rows if r["section"] == "element"):
        print(f"{r['code']:<4} {r['name'][:42]:<42} {r['respondents']:>5} {r['nrr'] or '-':>7} "
              f"{r['nrr_weighted'] or '-':>7} {r['converted'] or '-':>7}  {r['category']} {r['performance']}")
    index = next(r for r in rows if r["section"] == "index")
    print()
    if index["converted"]:
        print(f"{index['name']}: {index['converted']}  {index['category']} ({index['performance']})")
        print(f"  {index['text']}")
    else:
        print(f"{index['name']}: {index['text']}")
    print(f"{word('respondents', lang)}: {report.result.respondents}")
    for r in (r for r in rows if r["section"] == "sample"):
        print(f"{r['name']}: {r['count']}" + (f" ({r['text']})" if r["text"] else ""))
    print()
    current = None
    for r in (r for r in rows if r["section"] == "profile"):
        field, _, option = r["name"].partition(": ")
        if field != current:
            print(field)
            current = field
        print(f"  {option:<28} {r['count']:>5}")
    suggestions = [r for r in rows if r["section"] == "suggestion"]
    print()
    print(f"{word('suggestions', lang)}: {len(suggestions)}")
    for r in suggestions:
        print(f"  {r['code']}  {r['text']}")
    box = [r for r in rows if r["section"] == "box"]
    print()
    print(word("box", lang))
    for r in box:
        print(f"  {r['name']:<28} {r['count']:>5}" + (f"  {r['text']}" if r["code"] == "satisfied" else ""))
