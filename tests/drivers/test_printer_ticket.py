"""The printed ticket (issue 16): a smooth number image, words that stay together,
one style for service names, the QR code by purpose and beside the number on 80 mm,
and the bytes chosen so that a slow serial line still prints a ticket in 3 s."""
import dataclasses

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from printer_helpers import content, layout
from drivers.printer import bitmap, make_layout, render
from drivers.printer.layout import GS, NUMBER_DOTS, TICKET_SECONDS, TicketLayout, geometry_for
from drivers.printer.text import wrap
from kiosk.core import config, texts
from kiosk.core.ticket_content import qr_data, qr_purpose, sample_content, ticket_code, with_language
from kiosk.core.tickets import Ticket

NOON = 1764561600.0  # 2025-12-01 11:00 WIB


def images(data, paper=58):
    """The raster images a renderer finds in ``data``: (x, y, rows of bools)."""
    g = geometry_for(paper, "POS-5890" if paper == 58 else "TM-T20II")
    return [op[1:] for op in render.measure(data, g.dots, g.dpi).ops if op[0] == "image"]


def text_lines(data, paper=58):
    """Printed text as lines, the way the paper reads."""
    g = geometry_for(paper, "POS-5890" if paper == 58 else "TM-T20II")
    rows = {}
    for op in render.measure(data, g.dots, g.dpi).ops:
        if op[0] == "text":
            rows.setdefault(op[2], []).append((op[1], op[3]))
    return ["".join(ch for _, ch in sorted(chars)) for _, chars in sorted(rows.items())]


def reference_number(label, height):
    """The number drawn straight from the font with PIL, independently of drivers/printer/bitmap.py."""
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 200)
    box = font.getbbox(label)
    size = round(200 * height / (box[3] - box[1]))
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", size)
    box = font.getbbox(label)
    img = Image.new("L", (box[2] - box[0], box[3] - box[1]), 255)
    ImageDraw.Draw(img).text((-box[0], -box[1]), label, fill=0, font=font)
    return img.point(lambda v: 0 if v <= 128 else 255)


def rows_to_image(rows):
    img = Image.new("L", (len(rows[0]), len(rows)), 255)
    img.putdata([0 if dark else 255 for row in rows for dark in row])
    return img


def ink_box(img):
    return ImageChops.invert(img).getbbox()


def mismatch(a, b):
    """Share of dots that differ between two black-on-white pictures cropped to their ink, same size."""
    a, b = a.crop(ink_box(a)), b.crop(ink_box(b))
    b = b.resize(a.size, Image.NEAREST)
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 0 else 0)
    return diff.histogram()[255] / (a.width * a.height)


# -- the number ----------------------------------------------------------------------------
def test_the_number_is_one_smooth_image_not_magnified_printer_text():
    data = layout(58, qr_mode="off").ticket(content(qr_data=""))

    assert GS + b"!" not in data.split(b"NOMOR ANTRIAN")[1].split(b"Layanan")[0]  # no magnified text
    (x, y, rows), = images(data)
    assert abs(len(rows) - NUMBER_DOTS[58]) <= 2  # ink height: 84 dots = 10.5 mm
    assert b"A-012" not in data


@pytest.mark.parametrize("style, tolerance", [("image", 0.03), ("image_half", 0.10)])
def test_the_printed_number_matches_the_font_preview_within_a_few_dots(style, tolerance):
    lay = layout(58, qr_mode="off")
    lay.number_style = style
    data = lay.ticket(content(qr_data=""))

    (x, y, rows), = images(data)
    printed = rows_to_image(rows)
    assert mismatch(reference_number("A-012", NUMBER_DOTS[58]), printed) < tolerance


def test_half_resolution_sends_a_quarter_of_the_bytes_for_the_same_size_on_paper():
    full, half = layout(58, qr_mode="off"), layout(58, qr_mode="off")
    full.number_style, half.number_style = "image", "image_half"
    a, b = full.ticket(content(qr_data="")), half.ticket(content(qr_data=""))

    (_, _, rows_a), = images(a)
    (_, _, rows_b), = images(b)
    assert abs(len(rows_a) - len(rows_b)) <= 2 and abs(len(rows_a[0]) - len(rows_b[0])) <= 16
    assert GS + b"v0\x03" in b and len(b) < len(a) - 2000


def test_the_number_image_is_cached_per_label_and_size():
    bitmap.number_image.cache_clear()
    bitmap.number_image("B-007", 368, 84)
    bitmap.number_image("B-007", 368, 84)

    assert bitmap.number_image.cache_info().hits == 1


def test_a_four_digit_number_still_fits_the_58mm_paper():
    data = layout(58, qr_mode="off").ticket(content(label="E-1234", qr_data=""))

    (x, y, rows), = images(data)
    assert x >= 0 and x + len(rows[0]) <= 384


@pytest.mark.parametrize("baud, expected", [(9600, "image_half"), (19200, "image"), (38400, "image"),
                                            (115200, "image")])
def test_a_serial_printer_gets_the_smoothest_number_that_prints_within_three_seconds(baud, expected):
    lay = TicketLayout(geometry_for(58, "POS-5890"), qr_mode="raster", line_rate=baud / 10)

    style, data = lay.plan(content(qr_data="PTSP1:20261201:A-012"))

    assert style == expected
    assert lay.send_seconds(data) <= TICKET_SECONDS


def test_a_usb_or_network_printer_always_gets_the_full_image():
    assert layout(80).plan(content(qr_data="PTSP1:20261201:A-012"))[0] == "image"


def test_make_layout_takes_the_line_rate_from_a_serial_config_only():
    cfg = config.load_demo()
    serial = make_layout(dataclasses.replace(cfg.printer, type="serial", baudrate=9600))
    usb = make_layout(dataclasses.replace(cfg.printer, type="usb"))

    assert (serial.line_rate, usb.line_rate) == (960.0, None)


def test_text_style_is_still_available_for_printers_without_raster_support():
    lay = layout(58, qr_mode="off")
    lay.number_style = "text"

    assert b"A-012" in lay.ticket(content(qr_data=""))


# -- words that stay together ---------------------------------------------------------------
def test_loket_and_its_number_never_part_at_a_line_end_on_80mm():
    instruction = texts.text("instruction", "id", counters=texts.counters_phrase([1, 2], "id"))

    lines = wrap(instruction, 48)

    assert lines == ["Silakan menunggu panggilan di Loket 1 atau", "Loket 2"]


def test_five_minutes_stays_on_one_line_on_58mm():
    assert wrap(texts.text("wait_short", "id"), 32) == ["Perkiraan waktu tunggu:", "< 5 menit"]


def test_the_printed_ticket_has_no_line_ending_in_loket():
    cfg = config.load_demo()
    for paper, profile in ((58, "POS-5890"), (80, "TM-T20II")):
        c = dataclasses.replace(cfg, printer=dataclasses.replace(cfg.printer, paper_width=paper, profile=profile))
        data = make_layout(c.printer).ticket(sample_content(c, "A", NOON))
        assert not [line for line in text_lines(data, paper) if line.rstrip().endswith(("Loket", "<"))]


def test_a_non_breaking_space_prints_as_a_plain_space():
    data = layout(58, qr_mode="off").ticket(content(instruction="Silakan ke Loket\u00a02", qr_data=""))

    assert b"Loket 2" in data and "\u00a0".encode() not in data and b"\xa0" not in data


def test_every_service_name_prints_in_one_style_whatever_its_length():
    short = layout(58, qr_mode="off").ticket(content(service_name="Informasi", qr_data=""))
    long = layout(58, qr_mode="off").ticket(content(service_name="Layanan Integrasi (PB/CB/Asimilasi)", qr_data=""))

    def style_before(data, word):
        head = data.split(word)[0]
        return head[head.rindex(b"\x1b!"):][:3], (GS + b"!") in head[head.rindex(b"\x1b!"):]

    assert style_before(short, b"Informasi") == style_before(long, b"Layanan") == (b"\x1b!\x08", False)


# -- both languages ----------------------------------------------------------------------------
def test_an_english_ticket_is_english_from_counter_to_footer():
    cfg = with_language(config.load_demo(), "en")
    data = make_layout(cfg.printer).ticket(sample_content(cfg, "A", NOON))
    printed = " ".join(text_lines(data))

    assert "Counter 1 or Counter 2" in printed and "Thank you for your visit" in printed
    assert "Loket" not in printed and "Terima kasih" not in printed and "menit" not in printed


def test_an_indonesian_ticket_has_the_indonesian_footer_and_loket():
    cfg = config.load_demo()
    printed = " ".join(text_lines(make_layout(cfg.printer).ticket(sample_content(cfg, "A", NOON))))

    assert "Loket 1 atau Loket 2" in printed and "Tiket hanya berlaku hari ini" in printed


# -- the QR code -------------------------------------------------------------------------------
def _cfg(**printer):
    cfg = config.load_demo()
    return dataclasses.replace(cfg, printer=dataclasses.replace(cfg.printer, **printer))


TICKET = Ticket(id=5, day="2026-12-01", service="kunjungan", prefix="A", number=12, priority=False,
                state="waiting", issued_at=NOON)


def test_the_ticket_qr_is_short_upper_case_and_names_the_business_day():
    assert qr_data(_cfg(qr_content="ticket"), TICKET) == "PTSP1:20261201:A-012"
    assert ticket_code("2026-12-01", "b-003") == "PTSP1:20261201:B-003"


def test_qr_off_prints_no_code_and_saves_paper():
    on = make_layout(_cfg().printer).ticket(content(qr_data="PTSP1:20261201:A-012"))
    off = make_layout(_cfg().printer).ticket(content(qr_data=qr_data(_cfg(qr_content="off"), TICKET)))

    assert len(images(on)) == 2 and len(images(off)) == 1
    assert render.paper_mm(on) - render.paper_mm(off) > 8


def test_qr_url_fills_in_the_fields_and_leaves_stray_braces_alone():
    cfg = _cfg(qr_content="url", qr_url="https://ptsp.example.go.id/q/{device}/{day}/{label}?x={other}")

    assert qr_data(cfg, TICKET) == "https://ptsp.example.go.id/q/demo-kiosk/20261201/A-012?x={other}"


def test_qr_url_without_an_address_is_a_config_problem(tmp_path):
    from kiosk.core.errors import ConfigError

    with pytest.raises(ConfigError, match="qr_url"):
        config.from_dict({"printer": {"qr_content": "url"}})


def test_auto_follows_whether_the_survey_is_enabled():
    cfg = _cfg(qr_content="auto")
    with_survey = dataclasses.replace(cfg, survey=dataclasses.replace(cfg.survey, enabled=True))
    without = dataclasses.replace(cfg, survey=dataclasses.replace(cfg.survey, enabled=False))

    assert (qr_purpose(with_survey), qr_purpose(without)) == ("ticket", "off")
    assert qr_purpose(_cfg(qr=False, qr_content="ticket")) == "off"


def test_on_80mm_the_qr_stands_beside_the_number_in_one_image():
    data = layout(80, qr_mode="auto").ticket(content(qr_data="PTSP1:20261201:A-012"))

    (x, y, rows), = images(data, 80)
    img = rows_to_image(rows)
    # The right part of the strip holds the QR: its finder pattern's corner is black.
    qr_part = img.crop((img.width - 84, 0, img.width, img.height))
    assert ink_box(qr_part) is not None and qr_part.width == 84
    number = reference_number("A-012", NUMBER_DOTS[80])
    assert mismatch(number, img.crop((0, 0, img.width - 84 - 32, img.height))) < 0.05


def test_on_58mm_the_qr_goes_below_the_text():
    data = layout(58, qr_mode="raster").ticket(content(qr_data="PTSP1:20261201:A-012"))

    number, code = images(data)
    assert code[1] > number[1] + len(number[2])
    assert data.index(b"Loket 2") < data.index(GS + b"v0", data.index(b"Loket 2") - 200)


def test_native_qr_on_80mm_stays_below_because_the_printer_draws_it():
    data = layout(80, qr_mode="native").ticket(content(qr_data="PTSP1:20261201:A-012"))

    assert GS + b"(k" in data and len(images(data, 80)) == 2


@pytest.mark.parametrize("paper, profile, limit", [(58, "POS-5890", 75), (80, "TM-T20II", 80)])
@pytest.mark.parametrize("language", ["id", "en"])
def test_paper_per_ticket_with_qr_stays_within_the_target(paper, profile, limit, language):
    cfg = with_language(_cfg(paper_width=paper, profile=profile, qr_content="ticket"), language)
    lay = make_layout(cfg.printer)
    for service, priority in (("A", False), ("D", True)):
        data = lay.ticket(sample_content(cfg, service, NOON, priority=priority))
        assert render.paper_mm(data, lay.geometry.dots) <= limit


def test_the_preview_png_is_the_render_of_the_very_bytes_sent(tmp_path):
    from drivers.printer import FakePrinter, PreviewPrinter

    lay = layout(80)
    preview, fake = PreviewPrinter(lay, tmp_path), FakePrinter(lay)
    preview.print_ticket(content())
    fake.print_ticket(content())

    sent = render.to_image(render.measure(fake.jobs[-1][1], 576))
    saved = Image.open(preview.last_path)
    assert ImageChops.difference(sent.convert("L"), saved.convert("L")).getbbox() is None


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("label", ["", "   ", "A-0\x1b12\x00", "X" * 300, "A-012\u4e2d\u00a0", "\u202e-012"])
def test_a_strange_label_still_prints_a_ticket_within_the_paper_and_sends_no_stray_command(label):
    data = layout(58, qr_mode="off").ticket(content(label=label, qr_data=""))

    paper = render.measure(data, 384)  # the renderer refuses unknown commands and control bytes
    for x, _, rows in images(data):
        assert x >= 0 and x + len(rows[0]) <= 384
    assert paper.mm < 80


def test_a_dense_qr_goes_below_on_80mm_instead_of_squeezing_the_number():
    data = layout(80).ticket(content(qr_data="https://ptsp.example.go.id/antrian/" + "x" * 160))

    number, code = images(data, 80)
    assert abs(len(number[2]) - NUMBER_DOTS[80]) <= 2 and code[1] > number[1]
    assert all(x >= 0 and x + len(rows[0]) <= 576 for x, _, rows in (number, code))


def test_a_qr_too_dense_for_the_paper_is_left_out_and_the_ticket_still_prints(caplog):
    data = layout(58, qr_mode="raster").ticket(content(qr_data="x" * 1500))

    assert len(images(data)) == 1 and "too long" in caplog.text


def test_a_qr_url_longer_than_200_characters_is_a_config_problem():
    from kiosk.core.errors import ConfigError

    with pytest.raises(ConfigError, match="at most 200"):
        config.from_dict({"printer": {"qr_content": "url", "qr_url": "https://x.id/" + "a" * 200}})


@pytest.mark.parametrize("text, lines", [("\u00a0\u00a0", []), ("a\u00a0 \u00a0b", ["a b"]),
                                         # glued words longer than a line are split like any long word
                                         ("Loket\u00a0" + "9" * 40, ["Loket " + "9" * 26, "9" * 14])])
def test_the_wrapper_survives_odd_runs_of_non_breaking_spaces(text, lines):
    assert wrap(text, 32) == lines
