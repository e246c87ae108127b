"""Ticket printers: ESC/POS over usb, serial, network or a file; PNG previews; a fake.

    printer = open_printer(cfg.printer, device_language=cfg.device.language)
    mm = printer.print_ticket(content)   # PrinterError subclasses on failure
    health = printer.status()            # PrinterHealth; "unknown" when no answer
    printer.close()

Opening does not touch the hardware: the connection is made by the first job
or status read, and made again after any error.
"""
import logging
from pathlib import Path

from kiosk.core.errors import PrinterError

from drivers.printer.base import TicketPrinter
from drivers.printer.fake import FakePrinter
from drivers.printer.layout import Geometry, TicketLayout, geometry_for, load_logo
from drivers.printer.preview import PreviewPrinter
from drivers.printer.transports import EscposPrinter, FilePrinter, NetworkPrinter, SerialPrinter, UsbPrinter

log = logging.getLogger(__name__)

__all__ = ["TicketPrinter", "open_printer", "make_layout", "FakePrinter", "PreviewPrinter", "EscposPrinter",
           "SerialPrinter", "NetworkPrinter", "FilePrinter", "UsbPrinter", "Geometry", "TicketLayout",
           "geometry_for", "preview_folder"]


def make_layout(printer_cfg, qr_mode=None):
    """The TicketLayout for a [printer] config section.

    A logo that cannot be read is left out with a warning: a bad image must
    not stop the kiosk from issuing tickets. ``layout.problems`` lists it.
    """
    geometry = geometry_for(printer_cfg.paper_width, printer_cfg.profile)
    problems = list(geometry.warnings)
    logo = None
    if printer_cfg.logo:
        try:
            logo = load_logo(printer_cfg.logo, geometry.dots // 2)
        except Exception as e:  # Pillow raises many kinds (OSError, UnidentifiedImageError, ...)
            problems.append(f"printer.logo: cannot use {printer_cfg.logo}: {e}")
    mode = qr_mode or (printer_cfg.qr_mode if printer_cfg.qr else "off")
    # A serial line sends 10 bits per byte (8N1); other transports are fast enough for any ticket.
    line_rate = printer_cfg.baudrate / 10 if printer_cfg.type == "serial" else None
    layout = TicketLayout(geometry, qr_mode=mode, logo=logo, feed_lines=printer_cfg.feed_lines,
                          number_style=printer_cfg.number_style, line_rate=line_rate)
    layout.problems = tuple(problems)
    for p in problems:
        log.warning("%s", p)
    return layout


def preview_folder(printer_cfg, preview_dir_default=None):
    """Where preview PNGs go: printer.preview_dir, else the given default
    (the app passes a 'tickets' folder beside the database)."""
    if printer_cfg.preview_dir:
        return Path(printer_cfg.preview_dir)
    if preview_dir_default:
        return Path(preview_dir_default)
    return Path.cwd() / "tickets"


def open_printer(printer_cfg, device_language="id", preview_dir_default=None):
    """The TicketPrinter for a [printer] config section (kiosk.core.config.Printer).

    Raises ConfigError for an unknown profile; never touches the device.
    """
    layout = make_layout(printer_cfg)
    t, lang = printer_cfg.type, device_language
    if t == "usb":
        return UsbPrinter(layout, printer_cfg.usb_vendor_id, printer_cfg.usb_product_id, printer_cfg.timeout, lang)
    if t == "serial":
        return SerialPrinter(layout, printer_cfg.serial_device, printer_cfg.baudrate, printer_cfg.flow_control,
                             printer_cfg.timeout, lang)
    if t == "network":
        return NetworkPrinter(layout, printer_cfg.host, printer_cfg.port, printer_cfg.timeout, lang)
    if t == "file":
        return FilePrinter(layout, printer_cfg.path, printer_cfg.timeout, lang)
    if t == "preview":
        return PreviewPrinter(layout, preview_folder(printer_cfg, preview_dir_default), lang)
    if t == "dummy":
        return FakePrinter(layout, lang)
    raise PrinterError(f"unknown printer type {t!r}")
