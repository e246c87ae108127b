"""Printer commands for technicians: reprint, printer-status, test-print, preview, paper-replaced.

These talk to the printer directly (no worker): a technician waits for the
answer. A serial printer is opened exclusively, so while the kiosk runs they
report that the port is busy instead of mixing bytes into a visitor's ticket.
"""
import dataclasses
import json
import sys
import time
from pathlib import Path

from kiosk import __version__

from kiosk.core import config
from kiosk.core.errors import PrinterError
from kiosk.services.printing import RollCounter

TITLE = {"id": "TES PRINTER", "en": "PRINTER TEST"}


def register(sub, common):
    p = sub.add_parser("reprint", parents=[common], help="print a ticket again, marked as a copy (SALINAN)")
    p.add_argument("ticket", help="ticket number like A-012 (today's), or #ID for a ticket id")
    p.add_argument("--day", help="business day YYYY-MM-DD of the ticket (default: today's)")
    p.set_defaults(func=reprint)

    p = sub.add_parser("printer-status", parents=[common], help="read the printer's health and the roll counter")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=printer_status)

    p = sub.add_parser("test-print", parents=[common], help="print a test page with the configuration summary")
    p.set_defaults(func=test_print)

    p = sub.add_parser("preview", parents=[common], help="render a sample ticket to a PNG file (no printing)")
    p.add_argument("service", help="service code or prefix letter")
    p.add_argument("--out", default="ticket.png", help="PNG file to write (default: ticket.png)")
    p.add_argument("--priority", action="store_true", help="a PRIORITAS ticket")
    p.add_argument("--language", choices=config.LANGUAGES, help="ticket language (default: the device's)")
    p.add_argument("--paper", type=int, choices=(58, 80), help="paper width in mm (default: the config's)")
    p.set_defaults(func=preview)

    p = sub.add_parser("paper-replaced", parents=[common], help="a new paper roll went in: reset the roll counter")
    p.set_defaults(func=paper_replaced)


def _open_printer(cfg):
    from drivers.printer import open_printer

    return open_printer(cfg.printer, device_language=cfg.device.language,
                        preview_dir_default=Path(cfg.storage.database).parent / "tickets")


def _roll(cfg, store):
    return RollCounter(cfg.printer.roll_length, cfg.printer.roll_warn, meta=store)


def _find_ticket(store, service, text, day):
    text = text.strip()
    if text.startswith("#") and text[1:].isdigit():
        return store.ticket(int(text[1:]))
    return store.find(text, day=day or service.day_clock().day)


def reprint(args):
    """Print a ticket again as a copy; a void ticket is refused (its number is never called)."""
    from kiosk.services.queue_service import QueueService
    from kiosk.services.store import Store

    cfg = config.load(args.config)
    store = Store(cfg.storage.database)
    try:
        service = QueueService(cfg, store)
        ticket = _find_ticket(store, service, args.ticket, args.day)
        if ticket.state == "void":
            print(f"error: ticket {ticket.label} ({ticket.day}) is void ({ticket.void_reason or 'no reason'}); "
                  "its number is never called, so it is not reprinted. Issue a new ticket.", file=sys.stderr)
            return 2
        content = service.content_for(ticket, copy=True)
        printer = _open_printer(cfg)
        try:
            mm = printer.print_ticket(content)
        finally:
            printer.close()
        now = time.time()
        store.reprinted(ticket.id, now)
        _roll(cfg, store).add(None)
        print(f"reprinted {ticket.label} ({ticket.day}, {ticket.state}) as a copy on {printer.describe()}, "
              f"{mm:.0f} mm of paper")
        return 0
    finally:
        store.close()


def _health_dict(health):
    return {"online": health.online, "paper": health.paper, "cover_open": health.cover_open,
            "detail": health.detail, "usable": health.usable}


def printer_status(args):
    """Exit 0 when the printer is usable (or unknown), 1 when it is known not to be."""
    from kiosk.services.store import Store

    cfg = config.load(args.config)
    printer = _open_printer(cfg)
    try:
        health = printer.status()
    finally:
        printer.close()
    roll = None
    if cfg.printer.roll_length > 0:
        store = Store(cfg.storage.database)
        try:
            counter = _roll(cfg, store)
            health = counter.apply(health)
            roll = {"roll_length_m": cfg.printer.roll_length, "tickets_since_paper": counter.tickets(),
                    "paper_replaced_at": counter.replaced_at(), "mm_per_ticket": counter.mm_per_ticket(),
                    "remaining_m": round(counter.remaining_m(), 2), "tickets_left": counter.tickets_left()}
        finally:
            store.close()
    problems = list(getattr(printer.layout, "problems", ()))
    if args.json:
        json.dump({"printer": printer.describe(), "health": _health_dict(health), "roll": roll,
                   "problems": problems}, sys.stdout, indent=2)
        print()
    else:
        online = {True: "yes", False: "NO", None: "unknown (no answer or cannot read)"}[health.online]
        cover = {True: "OPEN", False: "closed", None: "unknown"}[health.cover_open]
        print(f"printer   {printer.describe()}")
        print(f"online    {online}")
        print(f"paper     {health.paper}")
        print(f"cover     {cover}")
        print(f"detail    {health.detail}")
        if roll:
            when = (time.strftime("%Y-%m-%d %H:%M", time.localtime(roll["paper_replaced_at"]))
                    if isinstance(roll["paper_replaced_at"], (int, float)) else "never recorded")
            print(f"roll      {roll['tickets_since_paper']} tickets since paper was replaced ({when}); "
                  f"about {roll['remaining_m']:.1f} m / {roll['tickets_left']} tickets left "
                  f"of {roll['roll_length_m']} m")
        for p in problems:
            print(f"warning   {p}")
    return 0 if health.usable else 1


def _summary_lines(cfg, printer):
    p, g = cfg.printer, printer.geometry
    layout = printer.layout
    qr = "off" if layout.qr_mode == "off" else ("native" if layout.qr_native else "raster")
    lines = [
        f"Kiosk: {cfg.device.id}",
        cfg.device.institution,
        f"Printer: {printer.describe()}",
        f"Paper: {g.paper_width} mm, {g.dots} dots, {g.columns} columns",
        f"Cutter: {g.cutter or 'none (tear off)'}; QR: {qr}",
        f"Timeout: {p.timeout:g} s; status every {p.status_interval:g} s",
        f"Roll counter: {f'{p.roll_length:g} m, warn below {p.roll_warn:g} m' if p.roll_length else 'off'}",
        f"Time: {time.strftime('%Y-%m-%d %H:%M:%S')}",
        f"ptsp-kiosk {__version__}",
    ]
    return lines + [f"! {x}" for x in getattr(layout, "problems", ())]


def test_print(args):
    """Print a test page: config summary, a column ruler, a large sample number and a QR code."""
    cfg = config.load(args.config)
    printer = _open_printer(cfg)
    lang = cfg.device.language
    label = f"{cfg.services[0].prefix}-012" if cfg.services else "A-012"
    try:
        mm = printer.print_page(TITLE[lang], _summary_lines(cfg, printer), qr_data=f"PTSP:{cfg.device.id}:test",
                                sample_label=label)
        health = printer.status()
    finally:
        printer.close()
    print(f"test page sent to {printer.describe()} ({mm:.0f} mm of paper)")
    print(f"printer health afterwards: online={health.online} paper={health.paper} ({health.detail})")
    if cfg.printer.type == "preview":
        print(f"preview written: {printer.last_path}")
    return 0


def preview(args):
    """Render a sample ticket to PNG (never touches the printer or the database)."""
    from drivers.printer import make_layout, render

    from kiosk.core.ticket_content import sample_content, with_language

    cfg = config.load(args.config)
    if args.language:
        cfg = with_language(cfg, args.language)
    printer_cfg = cfg.printer if not args.paper else dataclasses.replace(cfg.printer, paper_width=args.paper)
    service = cfg.service(args.service)
    content = sample_content(cfg, service.code, time.time(), priority=args.priority)
    layout = make_layout(printer_cfg)
    data = layout.ticket(content)
    out = Path(args.out)
    try:
        if out.parent and not out.parent.exists():
            raise PrinterError(f"folder {out.parent} does not exist")
        paper = render.render_png(data, out, layout.geometry.dots, layout.geometry.dpi)
    except OSError as e:
        raise PrinterError(f"cannot write {out}: {e}") from e
    g = layout.geometry
    print(f"wrote {out}: {content.label} {content.service_name}, {g.paper_width} mm ({g.columns} columns), "
          f"{len(data)} bytes, {paper.mm:.0f} mm of paper")
    return 0  # layout problems (logo, profile) were logged as warnings


def paper_replaced(args):
    """Reset the roll counter after a new paper roll went in."""
    from kiosk.services.store import Store

    cfg = config.load(args.config)
    store = Store(cfg.storage.database)
    try:
        now = time.time()
        roll = _roll(cfg, store)
        before = roll.tickets()
        roll.replaced(now)
        store.log("paper_replaced", now, tickets_on_old_roll=before)
    finally:
        store.close()
    if cfg.printer.roll_length > 0:
        print(f"roll counter reset ({before} tickets on the old roll); new roll of {cfg.printer.roll_length:g} m, "
              f"warning below {cfg.printer.roll_warn:g} m")
    else:
        print(f"paper change recorded ({before} tickets since the last one); the roll counter is off "
              "(set printer.roll_length in metres to get a warning before the paper runs out)")
    return 0

