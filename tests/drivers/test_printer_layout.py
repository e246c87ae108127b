"""Ticket layout, text cleaning, exact bytes, file and preview transports."""
import os

import pytest

from printer_helpers import content, layout

from drivers.printer import render
from drivers.printer.text import clean, wrap
from kiosk.core.errors import ConfigError, PrinterOffline


def printed_lines(data, paper=58):
    """The text lines as they come out on paper (from the ESC/POS interpreter)."""
    dots = 384 if paper == 58 else 576
    rows = {}
    for op in render.measure(data, dots).ops:
        if op[0] == "text":
            rows.setdefault(op[2] if op[4].height == 1 else ("big", op[2]), []).append(op)
    lines = []
    for ops in rows.values():
        lines.append(("".join(o[3] for o in ops), min(o[1] for o in ops),
                      max(o[1] + o[4].cell()[0] for o in ops)))
    return lines


# -- exact bytes ----------------------------------------------------------------

def test_ticket_bytes_reach_an_escpos_dummy_unchanged():
    from drivers.printer import EscposPrinter
    from drivers.printer._escpos import load

    dummy = load("escpos.printer").Dummy()
    lay = layout(58, qr_mode="raster")
    printer = EscposPrinter(lay, device=dummy)
    printer.print_ticket(content())
    assert dummy.output == lay.ticket(content())


def test_ticket_starts_with_init_and_the_number_is_an_image_after_the_heading():
    data = layout(58).ticket(content(label="A-012"))
    assert data.startswith(b"\x1b@\x1b3\x19")  # init, line spacing 25 dots
    # the heading, a small feed, then the number as a GS v 0 raster image
    assert b"NOMOR ANTRIAN\n\x1bJ\x04\x1dv0\x00" in data


def test_as_text_the_number_is_six_times_on_58mm_and_eight_times_on_80mm():
    small, large = layout(58), layout(80, "TM-T20II")
    small.number_style = large.number_style = "text"
    assert b"NOMOR ANTRIAN\n\x1d!\x55A-012\n" in small.ticket(content(label="A-012"))
    assert b"NOMOR ANTRIAN\n\x1d!\x77A-012\n" in large.ticket(content(label="A-012"))


def test_no_code_page_switch_is_ever_sent():
    data = layout(58).ticket(content(service_name="Layanan Kunjungan \u00e9\u00e8"))
    assert b"\x1bt" not in data


# -- cleaning -----------------------------------------------------------------------

def test_control_bytes_from_config_become_spaces():
    assert clean("Loket\x1bd\x05 1\x1dV\x00\r\n2") == "Loket d 1 V 2"


def test_a_service_name_cannot_inject_a_cut_or_feed_command():
    evil = content(service_name="Kunjungan\x1dV\x00\x1bd\xff", footer=("ok\x10\x04\x01",))
    data = layout(58).ticket(evil)  # POS-5890 has no cutter: no GS V at all
    assert b"\x1dV" not in data
    assert b"\x1bd\xff" not in data
    assert b"\x10\x04" not in data


def test_non_ascii_is_transliterated():
    assert clean("Caf\u00e9 \u201cBlora\u201d \u2013 Stra\u00dfe\u2026") == 'Cafe "Blora" - Strasse...'


def test_unknown_scripts_show_a_question_mark_not_nothing():
    assert clean("Loket \u05d0") == "Loket ?"


def test_cleaned_ticket_is_pure_ascii_text():
    data = layout(58).ticket(content(institution="R\u00fctan \u2605 Blora"))
    assert b"Rutan ? Blora" in data


# -- wrapping -------------------------------------------------------------------------

@pytest.mark.parametrize("paper,profile,columns", [(58, "POS-5890", 32), (80, "TM-T20II", 48)])
def test_long_names_wrap_on_word_boundaries_within_the_paper(paper, profile, columns):
    name = "Layanan Integrasi Pembebasan Bersyarat Cuti Bersyarat dan Asimilasi Warga Binaan"
    data = layout(paper, profile).ticket(content(service_name=name))
    dots = 384 if paper == 58 else 576
    texts = [t for t, _, _ in printed_lines(data, paper)]
    for _, left, right in printed_lines(data, paper):
        assert 0 <= left and right <= dots
    words = set(name.split())
    printed_words = {w for t in texts for w in t.split()}
    assert words <= printed_words  # no word was cut in two
    assert all(len(line) <= columns for line in wrap(name, columns))


def test_wrap_splits_a_word_longer_than_a_line():
    assert wrap("x" * 40, 32) == ["x" * 32, "x" * 8]


# -- QR, cut, logo ---------------------------------------------------------------------

def test_native_qr_where_the_profile_has_it():
    data = layout(80, "TM-T20II", qr_mode="native").ticket(content())
    assert b"\x1d(k" in data and data.count(b"\x1dv0") == 1  # the number only


def test_compact_raster_qr_elsewhere_and_within_budget():
    with_qr, without = layout(58, "POS-5890").ticket(content()), layout(58, "POS-5890").ticket(content(qr_data=""))
    assert b"\x1d(k" not in with_qr and with_qr.count(b"\x1dv0") == 2
    assert len(with_qr) - len(without) <= 800


def test_no_qr_when_the_ticket_has_no_qr_data():
    data = layout(58).ticket(content(qr_data=""))
    assert data.count(b"\x1dv0") == 1 and b"\x1d(k" not in data


def test_cut_only_where_the_profile_has_a_cutter():
    assert layout(80, "TM-T20II").ticket(content()).endswith(b"\x1dV\x01")
    assert b"\x1dV" not in layout(58, "POS-5890").ticket(content())


def test_58mm_ticket_fits_75mm_of_paper_even_with_priority():
    data = layout(58).ticket(content(priority_text="PRIORITAS"))
    assert render.measure(data, 384).mm <= 75


def test_copy_is_marked(tmp_path):
    data = layout(58).ticket(content(copy_text="SALINAN"))
    assert b" SALINAN \n" in data
    assert b"\x1dB\x01" in data  # printed white on black


def test_logo_is_printed_above_the_ticket(tmp_path):
    from PIL import Image

    from drivers.printer import make_layout
    from kiosk.core.config import Printer

    logo = tmp_path / "logo.png"
    Image.new("L", (400, 100), 0).save(logo)
    lay = make_layout(Printer(logo=str(logo)))
    data = lay.ticket(content(qr_data=""))
    assert data.index(b"\x1dv0") < data.index(b"Rutan")
    assert lay.problems == ()


def test_unreadable_logo_is_reported_and_tickets_still_print(tmp_path):
    from drivers.printer import make_layout
    from kiosk.core.config import Printer

    bad = tmp_path / "logo.png"
    bad.write_text("not an image")
    lay = make_layout(Printer(logo=str(bad)))
    assert "printer.logo" in lay.problems[0]
    assert lay.ticket(content()).count(b"\x1dv0") == 2  # number and QR


def test_unknown_profile_is_a_config_error_with_a_suggestion():
    from drivers.printer.layout import geometry_for

    with pytest.raises(ConfigError, match="POS-5890"):
        geometry_for(58, "POS-589")


# -- status bytes ------------------------------------------------------------------------

def test_status_bytes_are_parsed_and_garbage_is_unknown():
    from drivers.printer.base import parse_health

    assert parse_health(0x12, 0x12, 0x12).paper == "ok"
    assert parse_health(0x12, 0x12, 0x1E).paper == "near_end"
    out = parse_health(0x1A, 0x32, 0x72)
    assert (out.online, out.paper, out.usable) == (False, "out", False)
    assert parse_health(0x12, 0x16, 0x12).cover_open is True
    silent = parse_health(None)
    assert silent.online is None and silent.paper == "unknown" and silent.usable
    assert parse_health(0xFF, 0x12, 0x12).online is None  # not a status byte: not believed


# -- file and preview transports ---------------------------------------------------------

def test_file_transport_appends_ticket_bytes(tmp_path):
    from drivers.printer import FilePrinter

    target = tmp_path / "lp0"
    target.write_bytes(b"before")
    lay = layout(58)
    printer = FilePrinter(lay, str(target))
    printer.print_ticket(content(label="A-001"))
    printer.print_ticket(content(label="A-002"))
    assert target.read_bytes() == b"before" + lay.ticket(content(label="A-001")) + lay.ticket(content(label="A-002"))


def test_file_transport_to_a_missing_device_is_offline(tmp_path):
    from drivers.printer import FilePrinter

    printer = FilePrinter(layout(58), str(tmp_path / "no" / "lp0"))
    with pytest.raises(PrinterOffline):
        printer.print_ticket(content())
    assert printer.status().online is False


def test_file_transport_cannot_read_status_so_health_is_unknown(tmp_path):
    from drivers.printer import FilePrinter

    target = tmp_path / "lp0"
    target.write_bytes(b"")
    health = FilePrinter(layout(58), str(target)).status()
    assert health.online is None and health.paper == "unknown"


def test_preview_writes_a_png_of_the_ticket(tmp_path):
    from PIL import Image

    from drivers.printer import PreviewPrinter

    printer = PreviewPrinter(layout(58), tmp_path / "tickets")
    mm = printer.print_ticket(content(ticket_id=42, label="B-003"))
    path = tmp_path / "tickets" / "ticket-000042-B-003.png"
    assert printer.last_path == path
    with Image.open(path) as img:
        assert img.width == 384 + 32
        # the big number makes the upper half of the ticket dark somewhere
        assert img.convert("L").getextrema()[0] == 0
    assert 40 < mm <= 90


def test_preview_keeps_only_the_newest_files(tmp_path):
    from drivers.printer import PreviewPrinter

    printer = PreviewPrinter(layout(58, qr_mode="off"), tmp_path, keep=2)
    for i in range(4):
        printer.print_ticket(content(ticket_id=i, label=f"A-00{i}"))
        os.utime(printer.last_path, (1000 + i, 1000 + i))
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["ticket-000002-A-002.png", "ticket-000003-A-003.png"]


def test_preview_into_an_unwritable_place_is_a_printer_error(tmp_path):
    from drivers.printer import PreviewPrinter

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PrinterOffline):
        PreviewPrinter(layout(58), blocker / "tickets").print_ticket(content())


@pytest.mark.parametrize("label, expected", [
    ("A-009", "A-010"), ("B-099", "B-100"), ("A-999", "A-1000"), ("12", "13"), ("PRI-2-007", "PRI-2-008"),
    ("ABC", None), ("", None),
])
def test_the_next_label_guess_adds_one_to_the_last_number_keeping_its_padding(label, expected):
    from drivers.printer.layout import next_label

    assert next_label(label) == expected


def test_warming_up_lays_out_the_next_number_so_its_images_are_cached():
    from drivers.printer import bitmap
    from drivers.printer.layout import qr_matrix

    lay = layout(80)
    bitmap.number_image.cache_clear()
    qr_matrix.cache_clear()
    assert lay.warm_next(content(label="A-046", qr_data="PTSP1:20240416:A-046")) == "A-047"
    images, codes = bitmap.number_image.cache_info(), qr_matrix.cache_info()

    data = lay.ticket(content(label="A-047", qr_data="PTSP1:20240416:A-047"))

    assert bitmap.number_image.cache_info().hits > images.hits
    assert bitmap.number_image.cache_info().misses == images.misses
    assert qr_matrix.cache_info().misses == codes.misses
    assert b"A-047" not in data  # the number is an image: nothing of the warm-up's text leaks out
