"""Core commands: check-config, issue, call, recall, skip, status, report, bench."""
import csv
import json
import sys
from datetime import date

from kiosk import bench

from kiosk.cli.clock import clock_state_report
from kiosk.services import clock_state

from kiosk.cli import validation
from kiosk.core import config
from kiosk.core.errors import IssueRefused
from kiosk.services.queue_service import QueueService, refusal_text
from kiosk.core.report import as_rows, day_report
from kiosk.services.store import Store


def register(sub, common):
    p = sub.add_parser("check-config", parents=[common], help="validate a config file and summarise it")
    p.add_argument("path", nargs="?", help="config file (default: --config or the usual places)")
    p.set_defaults(func=check_config)

    p = sub.add_parser("issue", parents=[common], help="issue a ticket (no printing)")
    p.add_argument("service", help="service code or prefix letter")
    p.add_argument("--priority", action="store_true", help="a PRIORITAS ticket")
    p.set_defaults(func=issue)

    for name, helptext in (("call", "call the next ticket to a counter"),
                           ("recall", "call a counter's current ticket again"),
                           ("skip", "mark a counter's current ticket as not showing up")):
        p = sub.add_parser(name, parents=[common], help=helptext)
        p.add_argument("counter", help="counter number")
        if name == "call":
            p.add_argument("--ticket", metavar="LABEL",
                           help="call this number (waiting or skipped, today) instead of the next")
        p.set_defaults(func=counter_command, action=name)

    p = sub.add_parser("status", parents=[common], help="waiting per service, now serving per counter")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=status)

    p = sub.add_parser("report", parents=[common], help="figures per service for a business day")
    p.add_argument("--day", help="YYYY-MM-DD (default: the current business day)")
    p.add_argument("--csv", action="store_true")
    p.set_defaults(func=report)

    p = sub.add_parser("bench", help="measure speed and memory against the targets")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="shorter runs (less precise)")
    p.add_argument("--only", action="append", metavar="SECTION", help="run only this section (repeatable)")
    p.set_defaults(func=lambda a: bench.run(a.only, a.json, a.quick))


def open_queue(args):
    """Config, store and queue service for a command."""
    cfg = config.load(args.config)
    store = Store(cfg.storage.database)
    return cfg, store, QueueService(cfg, store, clock_synced=clock_state.clock_synchronized)


def check_config(args):
    # The same checks as `run` makes at start-up (files, folders, printer profile).
    cfg = validation.load_checked(args.path or args.config)
    # The path came from the command line: echoed escaped like every config text.
    print(f"OK: {config.shown(str(config.resolve_path(args.path or args.config)), 4096)[1:-1]}")
    print(f"device     {cfg.device.id} - {cfg.device.institution} ({cfg.device.timezone}, "
          f"language {cfg.device.language}, day starts {cfg.device.business_day_start})")
    print(f"storage    {cfg.storage.database}")
    print(f"services   {len(cfg.services)}")
    for s in cfg.services:
        quota = f"quota {s.quota}" if s.quota else "no quota"
        print(f"  {s.prefix}  {s.code:<16} {s.display_name(cfg.device.language)} "
              f"({s.number_start}-{s.number_end}, {quota}{', priority' if s.priority else ''})")
    print(f"counters   {len(cfg.counters)}")
    for c in cfg.counters:
        print(f"  {c.number}  {cfg.counter_name(c):<10} serves {', '.join(c.services)}")
    p = cfg.printer
    where = {"usb": f"{p.usb_vendor_id:04x}:{p.usb_product_id:04x}", "serial": f"{p.serial_device} @ {p.baudrate}",
             "network": f"{p.host}:{p.port}", "file": p.path, "preview": p.preview_dir or "(beside the database)",
             "dummy": "(in memory, prints nothing)"}
    print(f"printer    {p.type} {where[p.type]}, profile {p.profile}, {p.paper_width} mm")
    priority = (cfg.queue.priority_policy if cfg.queue.priority_policy == "strict"
                else f"interleave (1 priority after {cfg.queue.priority_every} normal)")
    print(f"priority   {priority}")
    print(f"sync       {'on -> ' + cfg.sync.url if cfg.sync.enabled else 'off'}")
    return 0


def issue(args):
    cfg, store, queue = open_queue(args)
    try:
        # No printer on this path: the ticket is callable at once (issued_unprinted).
        issued = queue.issue(args.service, priority=args.priority, unprinted=True)
    except IssueRefused as e:
        print(f"refused: {refusal_text(e, cfg.device.language)} ({e.reason})", file=sys.stderr)
        return 1
    print(f"{issued.ticket.label}  {issued.content.service_name}"
          f"{'  PRIORITAS' if issued.ticket.priority else ''}  ahead {issued.ahead}, ~{issued.wait_minutes} min")
    return 0


def counter_command(args):
    if getattr(args, "ticket", None):
        from kiosk.cli.counter import call_ticket

        return call_ticket(args)
    cfg, store, queue = open_queue(args)
    action = args.action
    if action == "skip":
        ticket = queue.skip(args.counter)
        print(f"skipped {ticket.label}" if ticket else f"counter {args.counter} has no current ticket")
        return 0 if ticket else 1
    call = queue.call_next(args.counter) if action == "call" else queue.recall(args.counter)
    if call is None:
        print("nobody is waiting for this counter" if action == "call"
              else f"counter {args.counter} has no current ticket")
        return 1
    print(f"{call.ticket.label} -> {call.counter_name}: {call.text}")
    return 0


def status(args):
    cfg, store, queue = open_queue(args)
    st = queue.status()
    synced = clock_state.clock_synchronized()
    data = {
        "day": st.day,
        "clock_problem": st.clock_problem,
        "clock_synchronized": synced,
        "waiting": st.waiting,
        "serving": {str(n): (c.ticket.label if c else None) for n, c in st.serving},
        "closed_counters": sorted(queue.closed_counters(st.day)),
        "printer": store.meta_get("printer.health"),
        "sync": _sync_status(cfg, store),
        "clock": clock_state_report(cfg, store, queue),
        "uncertain_prints": [{"label": t.label, "state": t.state, "reason": reason}
                             for t, reason in store.uncertain_prints(st.day)],
    }
    if args.json:
        json.dump(data, sys.stdout, indent=2)
        print()
        return 0
    print(f"business day {st.day}" + (f"  CLOCK PROBLEM: {st.clock_problem}" if st.clock_problem else ""))
    print(f"clock: {data['clock']['clock']}, {clock_state.describe(synced)}")
    if data["clock"]["advice"]:
        print(f"  {data['clock']['advice']}")
    print("waiting:")
    for s in cfg.services:
        print(f"  {s.prefix} {s.code:<16} {st.waiting[s.code]}")
    print("now serving:")
    for n, call in st.serving:
        closed = "  (closed: ptsp-kiosk counter {} open)".format(n) if n in data["closed_counters"] else ""
        print(f"  Loket {n}: {call.ticket.label if call else '-'}{closed}")
    if data["printer"]:
        print(f"printer: {data['printer']}")
    _print_uncertain(data["uncertain_prints"])
    sync = data["sync"]
    print(f"sync: {'off' if not cfg.sync.enabled else 'on'}, backlog {sync['backlog']}, "
          f"last success {sync.get('last_success_text') or 'never'}")
    return 0


def _print_uncertain(items):
    """Tickets whose print is uncertain: callable, but the visitor may hold no paper."""
    if not items:
        return
    print(f"uncertain prints ({len(items)}): the printer failed after these started; they stay callable. "
          "A visitor without a ticket who names one of these numbers is genuine:")
    for item in items:
        print(f"  {item['label']}  {item['state']:<8} {item['reason']}")


def _sync_status(cfg, store):
    from kiosk.services.sync import sync_status

    return sync_status(store, cfg.device.timezone)


def report(args):
    if args.day:
        try:
            date.fromisoformat(args.day)
        except ValueError:
            print(f"error: --day {args.day!r} is not a date like 2025-06-02", file=sys.stderr)
            return 2
    cfg, store, queue = open_queue(args)
    day = args.day or queue.day_clock().day
    rows = as_rows(day_report(cfg, store, day))
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        return 0
    print(f"business day {day}")
    print(f"{'service':<16} {'issued':>6} {'served':>6} {'skipped':>7} {'void':>4} {'waiting':>7} "
          f"{'med wait':>8} {'mean wait':>9} {'mean svc':>8}")
    for r in rows:
        def m(v):
            return "-" if v is None else f"{v:.1f}"
        print(f"{r['service']:<16} {r['issued']:>6} {r['served']:>6} {r['skipped']:>7} {r['void']:>4} "
              f"{r['waiting']:>7} {m(r['median_wait_min']):>8} {m(r['mean_wait_min']):>9} "
              f"{m(r['mean_service_min']):>8}")
    print("(times in minutes)")
    _print_uncertain([{"label": t.label, "state": t.state, "reason": reason}
                      for t, reason in store.uncertain_prints(day)])
    paths = sorted({path for r in rows for path in r["transfers"].split("; ") if path})
    if paths:
        print("transfers (ticket: services on its way):")
        for path in paths:
            print(f"  {path}")
    return 0
