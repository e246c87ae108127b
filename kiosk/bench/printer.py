"""Printer figures: bytes and paper per ticket, and the time to build the bytes.

At 9600 baud a serial printer takes about 1 ms per byte, so the byte count is
the printing time; python-escpos' default ``qr()`` (a raster padded to the
full paper width) is shown next to ours for the same QR data.
"""
import time

from kiosk.bench import Figure
from kiosk.core.tickets import TicketContent

SECTION = "printer"
QR_DATA = "PTSP:demo-kiosk:2024-04-16:A-012:123"


def sample(qr_data=QR_DATA, priority=""):
    """A typical ticket of the demo configuration."""
    return TicketContent(
        institution="Rutan Kelas IIB Blora", address="Jl. Pemuda No. 1, Blora, Jawa Tengah",
        heading="NOMOR ANTRIAN", label="A-012", service_name="Layanan Kunjungan", priority_text=priority,
        issued_text="Selasa, 16 April 2024 15:47", ahead_text="Antrian di depan Anda: 4",
        wait_text="Perkiraan waktu tunggu: 24 menit", instruction="Silakan menunggu panggilan di Loket 1 atau Loket 2",
        footer=("Terima kasih atas kunjungan Anda", "Tiket hanya berlaku hari ini"), qr_data=qr_data, ticket_id=123)


def _build_ms(layout, content, runs):
    layout.ticket(content)
    start = time.perf_counter()
    for _ in range(runs):
        layout.ticket(content)
    return (time.perf_counter() - start) / runs * 1000


def run(quick=False):
    from drivers.printer import _escpos
    from drivers.printer.layout import TicketLayout, geometry_for
    from drivers.printer.render import measure

    runs = 20 if quick else 200
    figures = []
    cases = [("58 mm raster QR", 58, "POS-5890", "raster", QR_DATA, 1800, 90),
             ("58 mm no QR", 58, "POS-5890", "off", "", 500, 90),
             ("80 mm native QR", 80, "TM-T20II", "native", QR_DATA, 500, None)]
    worst = 0.0
    for name, width, profile, mode, data, max_bytes, max_mm in cases:
        g = geometry_for(width, profile)
        layout = TicketLayout(g, qr_mode=mode)
        content = sample(data)
        raw = layout.ticket(content)
        mm = measure(raw, g.dots, g.dpi).mm
        figures.append(Figure(SECTION, f"{name}: bytes per ticket", len(raw), "bytes", f"<= {max_bytes:,}",
                              len(raw) <= max_bytes))
        figures.append(Figure(SECTION, f"{name}: paper per ticket", mm, "mm", f"<= {max_mm}" if max_mm else "",
                              (mm <= max_mm) if max_mm else None))
        if width == 58:
            tall = measure(layout.ticket(sample(data, priority="PRIORITAS")), g.dots, g.dpi).mm
            figures.append(Figure(SECTION, f"{name}: paper, PRIORITAS ticket", tall, "mm",
                                  f"<= {max_mm}", tall <= max_mm))
        worst = max(worst, _build_ms(layout, content, runs))
    figures.append(Figure(SECTION, "build ticket bytes (slowest case)", worst, "ms", "< 5 ms", worst < 5))

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
