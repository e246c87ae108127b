"""A small ESC/POS interpreter: what a byte stream looks like on paper.

The preview printer renders the very bytes a real printer would get, so a
technician sees the real layout, and the paper used per ticket (for the roll
counter and the benchmark) is measured rather than guessed. It understands
the commands drivers.printer.layout writes, python-escpos' raster images and
the common text commands; anything else is reported, not silently skipped.
"""
from dataclasses import dataclass, field

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
FONT_A, FONT_B = (12, 24), (9, 17)
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts")


class RenderError(ValueError):
    """The byte stream holds a command the preview does not know."""


@dataclass
class _Style:
    font_b: bool = False
    bold: bool = False
    width: int = 1
    height: int = 1
    invert: bool = False
    underline: bool = False

    def cell(self):
        w, h = FONT_B if self.font_b else FONT_A
        return w * self.width, h * self.height


@dataclass
class Paper:
    """The result: drawing operations and the paper length in dots."""

    width: int
    dpi: int
    height: int = 0
    ops: list = field(default_factory=list)  # ("text", x, y, char, style) | ("image", x, y, rows) | ("cut", y)
    cuts: int = 0

    @property
    def mm(self):
        return self.height * 25.4 / self.dpi


class Interpreter:
    def __init__(self, width, dpi=203):
        self.paper = Paper(width, dpi)
        self.default_spacing = round(dpi / 6)  # ESC 2: 1/6 inch
        self.qr = {"size": 3, "data": b""}
        self._reset()

    def _reset(self):
        self.style = _Style()
        self.align = 0
        self.spacing = self.default_spacing
        self.line = []  # (char, style copy)
        self.line_width = 0

    # -- the print buffer ------------------------------------------------
    def _put(self, ch):
        w, _ = self.style.cell()
        if self.line_width + w > self.paper.width:
            self._print_line()
        self.line.append((ch, _Style(**vars(self.style))))
        self.line_width += w

    def _x(self, width):
        return {0: 0, 1: (self.paper.width - width) // 2, 2: self.paper.width - width}[self.align]

    def _print_line(self, feed=True):
        """LF: print the buffer; feed the larger of line spacing and the tallest character."""
        tallest = max((s.cell()[1] for _, s in self.line), default=0)
        y = self.paper.height
        x = self._x(self.line_width)
        for ch, s in self.line:
            cw, chh = s.cell()
            # Characters of one line share their baseline at the bottom.
            self.paper.ops.append(("text", x, y + tallest - chh, ch, s))
            x += cw
        if feed:
            self.paper.height += max(self.spacing, tallest)
        else:
            self.paper.height += tallest
        self.line, self.line_width = [], 0

    def _flush(self):
        if self.line:
            self._print_line(feed=False)

    def _image(self, width, rows):
        """Place a bitmap (list of lists of bools) at the start of a line."""
        self._flush()
        self.paper.ops.append(("image", self._x(width), self.paper.height, rows))
        self.paper.height += len(rows)

    # -- commands ----------------------------------------------------------
    def feed(self, data):
        """Interpret ``data``; returns the Paper so far."""
        i, n = 0, len(data)

        def need(count):
            if i + count > n:
                raise RenderError(f"command cut short at byte {i}")
            return data[i:i + count]

        while i < n:
            b = data[i]
            if b == LF:
                self._print_line()
                i += 1
            elif b == 0x0D:  # CR: ignored by most printers when LF follows
                i += 1
            elif b == ESC:
                cmd = need(2)[1]
                i += 2
                if cmd == ord("@"):
                    self._flush()
                    self._reset()
                elif cmd == ord("a"):
                    self.align = need(1)[0] % 48
                    i += 1
                elif cmd == ord("!"):
                    m = need(1)[0]
                    i += 1
                    self.style.font_b, self.style.bold = bool(m & 1), bool(m & 8)
                    self.style.height, self.style.width = (2 if m & 16 else 1), (2 if m & 32 else 1)
                    self.style.underline = bool(m & 128)
                elif cmd == ord("E"):
                    self.style.bold = bool(need(1)[0] & 1)
                    i += 1
                elif cmd == ord("M"):
                    self.style.font_b = bool(need(1)[0] % 48 == 1)
                    i += 1
                elif cmd == ord("-"):
                    self.style.underline = bool(need(1)[0] % 48)
                    i += 1
                elif cmd in (ord("t"), ord("R"), ord("G"), ord("V"), ord("{"), ord("c"), ord("p")):
                    # code page, character set, double strike, rotation, upside down: no effect on size
                    i += 1 if cmd != ord("p") else 3
                    if cmd == ord("c"):
                        i += 1
                elif cmd == ord("2"):
                    self.spacing = self.default_spacing
                elif cmd == ord("3"):
                    self.spacing = need(1)[0]
                    i += 1
                elif cmd == ord("J"):
                    self._flush()
                    self.paper.height += need(1)[0]
                    i += 1
                elif cmd == ord("d"):
                    self._flush()
                    self.paper.height += need(1)[0] * self.spacing
                    i += 1
                else:
                    raise RenderError(f"unknown command ESC {chr(cmd)!r} at byte {i - 2}")
            elif b == GS:
                cmd = need(2)[1]
                i += 2
                if cmd == ord("!"):
                    m = need(1)[0]
                    i += 1
                    self.style.width, self.style.height = (m >> 4) + 1, (m & 15) + 1
                elif cmd == ord("B"):
                    self.style.invert = bool(need(1)[0] & 1)
                    i += 1
                elif cmd == ord("b"):
                    i += 1  # smoothing
                elif cmd == ord("V"):
                    m = need(1)[0]
                    i += 1
                    self._flush()
                    if m in (65, 66):
                        self.paper.height += need(1)[0]
                        i += 1
                    self.paper.ops.append(("cut", self.paper.height))
                    self.paper.cuts += 1
                elif cmd == ord("v"):
                    head = need(6)
                    m, xb, yd = head[1] % 48, int.from_bytes(head[2:4], "little"), int.from_bytes(head[4:6], "little")
                    i += 6
                    body = need(xb * yd)
                    i += xb * yd
                    self._image(*_raster_rows(body, xb, yd, m))
                elif cmd == ord("(") and need(1)[0] == ord("k"):
                    length = int.from_bytes(need(3)[1:3], "little")
                    i += 3
                    body = need(length)
                    i += length
                    self._two_d(body)
                else:
                    raise RenderError(f"unknown command GS {chr(cmd)!r} at byte {i - 2}")
            elif b == DLE:
                i += 3  # DLE EOT n: real-time status query, prints nothing
            elif b < 0x20 or b == 0x7F:
                raise RenderError(f"control byte 0x{b:02x} at byte {i}")
            else:
                self._put(chr(b) if b < 0x80 else "?")
                i += 1
        return self.paper

    def _two_d(self, body):
        cn, fn = body[0], body[1]
        if cn != ord("1"):
            return  # PDF417 and others: not used by the kiosk
        if fn == 67:
            self.qr["size"] = body[2]
        elif fn == 80:
            self.qr["data"] = body[3:]
        elif fn == 81:
            import qrcode

            code = qrcode.QRCode(box_size=1, border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
            code.add_data(self.qr["data"])
            code.make(fit=True)
            s = self.qr["size"]
            rows = [[dark for dark in row for _ in range(s)] for row in code.get_matrix() for _ in range(s)]
            self._image(len(rows[0]), rows)

    def finish(self):
        self._flush()
        return self.paper


def _raster_rows(body, width_bytes, rows, density):
    sx, sy = (2 if density & 1 else 1), (2 if density & 2 else 1)
    out = []
    for r in range(rows):
        line = body[r * width_bytes:(r + 1) * width_bytes]
        bits = [bool(byte >> (7 - k) & 1) for byte in line for k in range(8)]
        bits = [b for b in bits for _ in range(sx)]
        out.extend([bits] * sy)
    return width_bytes * 8 * sx, out


def measure(data, width=384, dpi=203):
    """Interpret ``data`` to the end: a Paper with drawing ops and its length."""
    it = Interpreter(width, dpi)
    it.feed(data)
    return it.finish()


def paper_mm(data, width=384, dpi=203):
    """Length of paper in mm that ``data`` uses."""
    return measure(data, width, dpi).mm


_FONTS = {}


def _font(bold, size):
    from PIL import ImageFont

    key = (bold, size)
    if key not in _FONTS:
        name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
        font = None
        for d in FONT_DIRS:
            try:
                font = ImageFont.truetype(f"{d}/{name}", size)
                break
            except OSError:
                continue
        _FONTS[key] = font or ImageFont.load_default(size)
    return _FONTS[key]


def _glyph(ch, style):
    """A 1-bit glyph image of one character cell, as a thermal head would print it."""
    from PIL import Image, ImageDraw

    base_w, base_h = FONT_B if style.font_b else FONT_A
    size = {24: 20, 17: 15}[base_h]
    cell = Image.new("L", (base_w * style.height, base_h * style.height), 0)
    draw = ImageDraw.Draw(cell)
    draw.text((0, 0), ch, fill=255, font=_font(style.bold, size * style.height))
    if style.underline:
        draw.rectangle((0, cell.height - style.height, cell.width, cell.height), fill=255)
    if style.width != style.height:
        cell = cell.resize((base_w * style.width, cell.height))
    glyph = cell.point(lambda v: 255 if v > 110 else 0)
    if style.invert:
        glyph = glyph.point(lambda v: 255 - v)
    return glyph


def to_image(paper, margin=16):
    """A PIL image of the printed paper: white roll, black print, with a thin
    margin and dashed lines where the paper is cut."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (paper.width + 2 * margin, max(paper.height, 1) + 2 * margin), 255)
    draw = ImageDraw.Draw(img)
    cache = {}
    for op in paper.ops:
        if op[0] == "text":
            _, x, y, ch, s = op
            key = (ch, s.font_b, s.bold, s.width, s.height, s.invert, s.underline)
            if key not in cache:
                cache[key] = _glyph(ch, s)
            glyph = cache[key]
            img.paste(0, (x + margin, y + margin), glyph)
        elif op[0] == "image":
            _, x, y, rows = op
            bits = Image.new("1", (len(rows[0]), len(rows)), 0)
            bits.putdata([1 if b else 0 for row in rows for b in row])
            img.paste(0, (x + margin, y + margin), bits.convert("L").point(lambda v: 255 if v else 0))
        elif op[0] == "cut":
            y = op[1] + margin
            for x in range(0, img.width, 12):
                draw.line((x, y, x + 6, y), fill=128)
    return img


def render_png(data, path, width=384, dpi=203):
    """Render ``data`` and save a PNG at ``path``; returns the Paper."""
    paper = measure(data, width, dpi)
    to_image(paper).save(path, format="PNG", optimize=True)
    return paper
