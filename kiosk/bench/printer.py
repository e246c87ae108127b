"""Printer figures: what each case prints, its bytes, its time on the line, its paper.

A serial line sends 10 bits per byte, so at 9,600 baud a ticket of 2,880
bytes takes 3 s: the layout picks the smoothest number style that fits
(drivers/printer/layout.py, TicketLayout.plan). USB and network printers
take the full-resolution number image; their bytes are shown too.
python-escpos' default ``qr()`` is shown next to ours for the same data.
"""
import dataclasses
import time

from kiosk.bench import Figure

SECTION = "printer"
NOON = 1764561600.0  # 2025-12-01 11:00 WIB
QR_DATA = "PTSP1:20251201:A-012"
PAPER_LIMIT = {58: 75, 80: 80}  # mm per ticket with QR (issue 16)
SECONDS_LIMIT = 3.0


def _config(paper, profile, transport, baud, qr_content="ticket", language="id"):
    from kiosk.core import config
    from kiosk.core.ticket_content import with_language

    cfg = config.load_demo()
    printer = dataclasses.replace(cfg.printer, paper_width=paper, profile=profile, type=transport, baudrate=baud,
                                  qr_content=qr_content)
    return with_language(dataclasses.replace(cfg, printer=printer), language)


def _build_ms(layout, content, runs):
    layout.plan(content)
    start = time.perf_counter()
    for _ in range(runs):
        layout.plan(content)
    return (time.perf_counter() - start) / runs * 1000


def run(quick=False):
    from drivers.printer import _escpos, make_layout
    from drivers.printer.layout import geometry_for
    from drivers.printer.render import measure
    from kiosk.core.config import Printer
    from kiosk.core.ticket_content import sample_content

    runs = 5 if quick else 50
    baud = Printer().baudrate  # the configured default
    figures, worst = [], 0.0
    for paper, profile in ((58, "POS-5890"), (80, "TM-T20II")):
        for qr in ("ticket", "off"):
            for transport in ("serial", "usb"):
                cfg = _config(paper, profile, transport, baud, qr)
                layout = make_layout(cfg.printer)
                content = sample_content(cfg, "A", NOON)
                style, data = layout.plan(content)
                line = f"serial {baud} baud" if transport == "serial" else "usb/network"
                name = f"{paper} mm, QR {'on' if qr == 'ticket' else 'off'}, {line} -> number {style}"
                figures.append(Figure(SECTION, f"{name}: bytes", len(data), "bytes"))
                if transport == "serial":
                    seconds = layout.send_seconds(data)
                    figures.append(Figure(SECTION, f"{name}: time on the line", seconds, "s",
                                          f"<= {SECONDS_LIMIT:g} s", seconds <= SECONDS_LIMIT))
                else:
                    worst = max(worst, _build_ms(layout, content, runs))
                if qr == "ticket" and transport == "usb":
                    for label, priority, service in (("typical ticket", False, "A"),
                                                     ("PRIORITAS, long service name", True, "D")):
                        for language in ("id", "en"):
                            c = _config(paper, profile, transport, baud, qr, language)
                            raw = layout.ticket(sample_content(c, service, NOON, priority=priority))
                            mm = measure(raw, layout.geometry.dots, layout.geometry.dpi).mm
                            figures.append(Figure(SECTION, f"{paper} mm with QR, {label} ({language}): paper", mm,
                                                  "mm", f"<= {PAPER_LIMIT[paper]}", mm <= PAPER_LIMIT[paper]))
    figures.append(Figure(SECTION, "build ticket bytes (slowest case, number image cached)", worst, "ms",
                          "< 20 ms", worst < 20))

    # python-escpos' own qr() for the same data, as a reference.
    printer = _escpos.load("escpos.printer")
    for width, profile in ((58, "POS-5890"), (80, "TM-T20II")):
        dummy = printer.Dummy(profile=profile)
        dummy.set(align="center")
        dummy.qr(QR_DATA, center=True)
        g = geometry_for(width, profile)
        figures.append(Figure(SECTION, f"python-escpos qr() alone, {width} mm", len(dummy.output), "bytes"))
        figures.append(Figure(SECTION, f"python-escpos qr() alone, {width} mm: paper",
                              measure(dummy.output, g.dots, g.dpi).mm, "mm"))
    return figures
