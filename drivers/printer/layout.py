"""Ticket layout: TicketContent -> ESC/POS bytes for 58 mm and 80 mm paper.

The bytes are written here directly instead of through python-escpos' text
helpers: those switch code pages on their own (``ESC t``) and pad raster
images to the full paper width, which costs kilobytes per ticket at 9600
baud. Only commands that cheap 58 mm clones understand are used: ESC @, ESC a,
ESC !, GS !, GS B, ESC 3, ESC J, ESC d and GS v 0; GS ( k (native QR) and GS V
(cut) only where the profile says the printer has them.

The big number is an image in a smooth font (drivers/printer/bitmap.py). How it
is sent depends on the line: at full resolution where the ticket goes out in
TICKET_SECONDS, else at half resolution (2x2 dots per bit, a quarter of the
bytes), else as magnified printer text. On 80 mm paper the QR code stands
beside the number, in the same image, instead of taking paper below.
"""
import dataclasses
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from drivers.printer import bitmap
from drivers.printer.text import clean, wrap

log = logging.getLogger(__name__)
ESC, GS = b"\x1b", b"\x1d"
INIT = ESC + b"@"
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
# ESC ! bits: font B, emphasized (bold).
MODE_FONT_B, MODE_BOLD = 0x01, 0x08
# Line spacing in dots: the 24-dot font A (17-dot font B) plus a small gap, so
# a ticket stays short. Taller characters make their line taller by themselves.
LINE_SPACING, LINE_SPACING_B = 25, 20
QR_QUIET_DOTS = 6  # white space above and below a QR code
# The longest a ticket may take to reach the printer (9,600 baud: ~960 bytes/s).
TICKET_SECONDS = 3.0
# Ink height of the big number in dots (203 dpi: 84 dots = 10.5 mm), per paper width.
NUMBER_DOTS = {58: 84, 80: 112}
# Dots per QR module beside the number (even, so half resolution keeps it exact) and the gap.
QR_BESIDE_SCALE, QR_BESIDE_GAP = 4, 32
NUMBER_STYLES = ("image", "image_half", "text")
# Dots per QR module below the text: 3 (0.375 mm) still reads with any 2D scanner
# and keeps a 58 mm ticket within 75 mm of paper.
QR_SCALE = {58: 3, 80: 4}

# Paper geometry when the profile does not know better: dots, font A columns, dpi.
_PAPER = {58: (384, 32, 203), 80: (576, 48, 203)}


@dataclass(frozen=True)
class Geometry:
    """What the printer can do on this paper, from paper_width and the profile."""

    paper_width: int = 58
    dots: int = 384  # printable width in dots
    columns: int = 32  # font A (12 dots) characters per line
    columns_b: int = 42  # font B (9 dots) characters per line
    dpi: int = 203
    cutter: str = ""  # "part", "full" or "" (no cutter: tear off)
    native_qr: bool = False
    profile: str = ""
    warnings: tuple = field(default=())

    def mm(self, dots):
        """Length in mm of ``dots`` printer dots."""
        return dots * 25.4 / self.dpi


def geometry_for(paper_width, profile_name):
    """Geometry for ``paper_width`` (58 or 80) and a python-escpos profile.

    The paper width decides: a technician who puts 80 mm paper in and keeps
    the default 58 mm profile still gets 80 mm tickets (and a warning). Where
    the profile's own width fits the paper (e.g. TM-T88V: 512 dots at 180 dpi,
    42 columns), the profile's figures are used.
    """
    from drivers.printer import _escpos

    prof = _escpos.profile(profile_name)
    dots, columns, dpi = _PAPER[paper_width]
    warnings = []
    media = prof.profile_data.get("media", {})
    try:
        p_dots = int(media["width"]["pixels"])
        p_dpi = int(media.get("dpi", dpi))
    except (KeyError, TypeError, ValueError):
        p_dots = None
    if p_dots:
        if (p_dots > 450) == (paper_width == 80):
            dots, dpi = p_dots, p_dpi
            try:
                columns = int(prof.profile_data["fonts"]["0"]["columns"])
            except (KeyError, TypeError, ValueError):
                columns = dots // 12
        else:
            warnings.append(f"profile {profile_name} is made for {'80' if p_dots > 450 else '58'} mm paper "
                            f"but paper_width is {paper_width}; using {dots} dots")
    columns = min(columns, dots // 12)
    return Geometry(paper_width=paper_width, dots=dots, columns=columns, columns_b=dots // 9, dpi=dpi,
                    cutter="part" if prof.supports("paperPartCut") else "full" if prof.supports("paperFullCut") else "",
                    native_qr=bool(prof.supports("qrCode")), profile=profile_name, warnings=tuple(warnings))


class _Writer:
    """Collects ESC/POS bytes and sends a style command only when it changes."""

    def __init__(self):
        self.parts = [INIT, ESC + b"3" + bytes([LINE_SPACING])]
        self.mode, self.size, self.align_name, self.inverted = 0, 0, "left", False
        self.spacing = LINE_SPACING

    def style(self, bold=False, font_b=False, width=1, height=1, invert=False):
        mode = (MODE_BOLD if bold else 0) | (MODE_FONT_B if font_b else 0)
        size = ((width - 1) << 4) | (height - 1)
        if mode != self.mode:
            # ESC ! also resets the character size to 1x on Epson-like printers.
            self.parts.append(ESC + b"!" + bytes([mode]))
            self.mode, self.size = mode, 0
        if size != self.size:
            self.parts.append(GS + b"!" + bytes([size]))
            self.size = size
        spacing = LINE_SPACING_B if font_b else LINE_SPACING
        if spacing != self.spacing:
            self.parts.append(ESC + b"3" + bytes([spacing]))
            self.spacing = spacing
        if invert != self.inverted:
            self.parts.append(GS + b"B" + (b"\x01" if invert else b"\x00"))
            self.inverted = invert

    def align(self, name):
        if name != self.align_name:
            self.parts.append(ALIGN[name])
            self.align_name = name

    def line(self, text=""):
        # clean() already made it ASCII; encode strictly so a slip shows up in tests.
        self.parts.append(text.encode("ascii") + b"\n")

    def feed_dots(self, dots):
        while dots > 0:
            self.parts.append(ESC + b"J" + bytes([min(dots, 255)]))
            dots -= 255

    def raster(self, width_bytes, rows, data, mode=0):
        """GS v 0 raster image, placed by the current alignment. ``mode`` 3
        prints each bit as 2x2 dots (a quarter of the bytes for the same size)."""
        self.parts.append(GS + b"v0" + bytes([mode]) + width_bytes.to_bytes(2, "little")
                          + rows.to_bytes(2, "little") + data)

    def bytes(self):
        return b"".join(self.parts)


_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def next_label(label):
    """``label`` with its last number one higher, zero padding kept
    ("A-009" -> "A-010"), or None without a number. A guess for caching:
    the numbering rules (ranges, wrapping) live in the core."""
    match = _LAST_NUMBER.search(label)
    if match is None:
        return None
    digits = match.group(1)
    return label[:match.start()] + str(int(digits) + 1).zfill(len(digits)) + label[match.end():]


@lru_cache(maxsize=32)
def qr_matrix(data):
    """QR modules (rows of bools), no quiet zone, error correction L; cached
    (a ticket's layout asks several times; callers must not change it).

    The mask pattern is fixed: letting the qrcode library score all eight
    masks costs ~10 ms in pure Python for no practical gain on paper.
    """
    import qrcode
    from qrcode.constants import ERROR_CORRECT_L

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_L, box_size=1, border=0, mask_pattern=2)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


def qr_raster(data, max_bytes=1350, max_scale=4, min_scale=3):
    """A compact QR raster: (width_bytes, rows, bytes).

    Each module becomes ``scale`` dots square, the largest scale in
    [min_scale, max_scale] whose bitmap fits ``max_bytes``. Not padded to the
    paper width: the printer centres it (ESC a 1), so only the code is sent.
    """
    matrix = qr_matrix(data)
    n = len(matrix)
    scale = max_scale
    while scale > min_scale and ((n * scale + 7) // 8) * n * scale > max_bytes:
        scale -= 1
    width = n * scale
    width_bytes = (width + 7) // 8
    pad = width_bytes * 8 - width
    block = (1 << scale) - 1
    rows = []
    for row in matrix:
        bits = 0
        for dark in row:
            bits = (bits << scale) | (block if dark else 0)
        line = (bits << pad).to_bytes(width_bytes, "big")
        rows.extend([line] * scale)
    return width_bytes, n * scale, b"".join(rows)


def native_qr(data, module_dots):
    """GS ( k commands that make the printer draw the QR code itself (model 2, EC M)."""
    payload = data.encode("utf-8")

    def fn(code, body):
        return GS + b"(k" + (len(body) + 2).to_bytes(2, "little") + b"1" + bytes([code]) + body

    return (fn(65, b"2\x00") + fn(67, bytes([module_dots])) + fn(69, b"1")
            + fn(80, b"0" + payload) + fn(81, b"0"))


def load_logo(path, max_width, max_height=96):
    """A logo file as a 1-bit raster (width_bytes, rows, bytes), scaled to fit."""
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img.load()
        if img.mode in ("RGBA", "LA", "P"):
            img = img.convert("RGBA")
            white = Image.new("RGBA", img.size, "white")
            img = Image.alpha_composite(white, img)
        gray = img.convert("L")
    gray.thumbnail((max_width, max_height))
    # In a 1-bit PIL image a set bit is white; ESC/POS wants set = black.
    bw = ImageOps.invert(gray).convert("1")
    width_bytes = (bw.width + 7) // 8
    if bw.width % 8:
        padded = Image.new("1", (width_bytes * 8, bw.height), 0)
        padded.paste(bw, (0, 0))
        bw = padded
    return width_bytes, bw.height, bw.tobytes()


class TicketLayout:
    """Lays out tickets and test pages for one printer.

    ``qr_mode``: "auto" (native where the profile has it, else raster),
    "native", "raster", or "off". ``logo``: a raster from load_logo() or None.
    ``feed_lines``: blank lines after the last text so it clears the tear bar
    or reaches the cutter. ``number_style``: "auto" or one of NUMBER_STYLES.
    ``line_rate``: bytes per second the printer line carries (a serial port:
    baud / 10), None for a fast one (USB, network, file).
    """

    def __init__(self, geometry, qr_mode="auto", logo=None, feed_lines=3, number_style="auto", line_rate=None):
        self.geometry = geometry
        self.qr_mode = qr_mode
        self.logo = logo
        self.feed_lines = feed_lines
        self.number_style = number_style
        self.line_rate = line_rate

    def send_seconds(self, data):
        """Seconds the bytes ``data`` take on the printer line (0 for a fast line)."""
        return len(data) / self.line_rate if self.line_rate else 0.0

    def plan(self, content):
        """(number style, ESC/POS bytes) for one ticket.

        With number_style "auto", the smoothest style whose ticket reaches
        the printer within TICKET_SECONDS: a visitor waits for the paper.
        """
        if self.number_style in NUMBER_STYLES:
            return self.number_style, self._ticket(content, self.number_style)
        for style in ("image", "image_half"):
            data = self._ticket(content, style)
            if self.send_seconds(data) <= TICKET_SECONDS:
                return style, data
        return "text", self._ticket(content, "text")

    def _qr_beside(self, qr_data):
        # Native QR is drawn by the printer itself, in its own place: it cannot stand beside.
        if not (self.geometry.paper_width == 80 and qr_data and self.qr_mode not in ("off", "native")):
            return False
        # A dense code (a long URL) would squeeze the number: it goes below instead.
        return len(qr_matrix(qr_data)) * QR_BESIDE_SCALE <= self.geometry.dots // 3

    def _number(self, w, label, style, qr_data):
        """The big number (and on 80 mm the QR code beside it); True when the QR was placed."""
        g = self.geometry
        if style == "text":
            size = self._label_size(label)
            w.style(bold=True, width=size, height=size)
            w.line(label[: max(1, g.columns // size)])
            return False
        half = 2 if style == "image_half" else 1
        height = NUMBER_DOTS[g.paper_width] // half
        beside = self._qr_beside(qr_data)
        if beside:
            code = bitmap.qr_image(qr_matrix(qr_data), QR_BESIDE_SCALE // half)
            room = g.dots // half - code.width - QR_BESIDE_GAP // half
            img = bitmap.side_by_side(bitmap.number_image(label, room, height), code, QR_BESIDE_GAP // half)
        else:
            img = bitmap.number_image(label, (g.dots - 16) // half, height)
        w.feed_dots(4)
        w.raster(*bitmap.raster(img), mode=3 if half == 2 else 0)
        w.feed_dots(6)
        return beside

    @property
    def qr_native(self):
        return self.qr_mode == "native" or (self.qr_mode == "auto" and self.geometry.native_qr)

    def _lines(self, w, text, columns=None, pad=False, **style):
        w.style(**style)
        columns = columns or self.geometry.columns
        for line in wrap(text, columns - 2 if pad else columns):
            # A space each side keeps white-on-black words off the edge of their box.
            w.line(f" {line} " if pad else line)

    def _label_size(self, label):
        # As large as fits on one line, at most 8x (the ESC/POS limit) and
        # 6x on 58 mm so the ticket stays within 90 mm of paper.
        limit = 8 if self.geometry.paper_width == 80 else 6
        return max(1, min(limit, self.geometry.columns // max(1, len(label))))

    def _qr(self, w, data):
        if not data or self.qr_mode == "off":
            return
        scale = QR_SCALE[self.geometry.paper_width]
        if len(qr_matrix(data)) * scale > self.geometry.dots:
            log.warning("QR data of %d characters is too long for %d mm paper: printed without QR",
                        len(data), self.geometry.paper_width)
            return
        w.align("center")
        w.feed_dots(QR_QUIET_DOTS)
        if self.qr_native:
            w.parts.append(native_qr(data, QR_SCALE[self.geometry.paper_width]))
            w.line()
        else:
            w.raster(*qr_raster(data, max_scale=QR_SCALE[self.geometry.paper_width]))
            w.feed_dots(QR_QUIET_DOTS)

    def _end(self, w):
        w.style()
        w.align("left")
        w.parts.append(ESC + b"d" + bytes([self.feed_lines]))
        # A partial cut leaves the ticket hanging until the visitor takes it,
        # instead of dropping it on the floor.
        if self.geometry.cutter == "part":
            w.parts.append(GS + b"V\x01")
        elif self.geometry.cutter == "full":
            w.parts.append(GS + b"V\x00")

    def ticket(self, content):
        """ESC/POS bytes for one ticket (a TicketContent)."""
        return self.plan(content)[1]

    def warm_next(self, content):
        """Lay out, and throw away, the ticket the same service most likely
        prints next (its number plus one), so that the images it needs (the
        big number, the QR code) are cached when it is pressed: its first
        byte then goes out about 2 ms sooner. A wrong guess costs only this
        call. Returns the guessed label, or None when there is none."""
        label = next_label(content.label)
        if label is None:
            return None
        head, found, tail = content.qr_data.rpartition(content.label)
        qr_data = head + label + tail if found else content.qr_data
        self.ticket(dataclasses.replace(content, label=label, qr_data=qr_data, copy_text=""))
        return label

    def _ticket(self, content, style):
        g, w = self.geometry, _Writer()
        w.align("center")
        if self.logo:
            w.raster(*self.logo)
            w.feed_dots(8)
        self._lines(w, content.institution, bold=True)
        self._lines(w, content.address, g.columns_b, font_b=True)
        w.feed_dots(6)
        if content.copy_text:
            self._lines(w, content.copy_text, pad=True, bold=True, invert=True)
        self._lines(w, content.heading, bold=True)
        qr_placed = self._number(w, clean(content.label), style, content.qr_data)
        # One style for every service name, short or long: bold, wrapped at word boundaries.
        self._lines(w, content.service_name, bold=True)
        if clean(content.priority_text):
            big = 2 if (len(clean(content.priority_text)) + 2) * 2 <= g.columns else 1
            self._lines(w, content.priority_text, g.columns // big, pad=True, bold=True, width=big, height=big,
                        invert=True)
        w.feed_dots(6)
        for text in (content.issued_text, content.ahead_text, content.wait_text):
            self._lines(w, text)
        w.feed_dots(6)
        self._lines(w, content.instruction, bold=True)
        qr_below = not qr_placed and bool(content.qr_data) and self.qr_mode != "off"
        if qr_below:
            self._qr(w, content.qr_data)
        elif content.footer:  # the QR's quiet zone already separates the footer
            w.feed_dots(6)
        for text in content.footer:
            self._lines(w, text, g.columns_b, font_b=True)
        self._end(w)
        return w.bytes()

    def page(self, title, lines, qr_data="", sample_label=""):
        """A technician's page: a title, left-aligned ``lines``, a ruler that
        shows the column count, an optional large sample number and QR code."""
        g, w = self.geometry, _Writer()
        w.align("center")
        self._lines(w, title, bold=True, height=2)
        w.align("left")
        w.style()
        w.line("".join(str((i + 1) % 10) for i in range(g.columns)))
        for text in lines:
            self._lines(w, text)
        if sample_label:
            w.align("center")
            # The number as tickets print it on this line (a full image is about 4-8 KB).
            style = self.number_style if self.number_style in NUMBER_STYLES else \
                "image" if self.send_seconds(bytes(4 * g.dots)) <= TICKET_SECONDS else "image_half"
            self._number(w, clean(sample_label), style, "")
        self._qr(w, qr_data)
        self._end(w)
        return w.bytes()
