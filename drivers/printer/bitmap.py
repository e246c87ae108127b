"""Bitmaps for the ticket: the big number in a smooth font, the QR code, and
both side by side, as ESC/POS raster data (GS v 0).

Printer text magnified 6x or 8x repeats the pixels of a 12x24 font and looks
blocky; the number is therefore drawn from a TrueType font (DejaVu Sans Bold,
the screen's font) and sent as an image. An image costs bytes: about 3 KB at
full resolution, a quarter of that at half resolution (each bit printed as
2x2 dots, GS v 0 mode 3), which a 9,600-baud serial line still sends in time.
"""
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts")
NUMBER_FONT = "DejaVuSans-Bold.ttf"
# Grey levels at or below this print black (the thermal head has no grey).
THRESHOLD = 128


@lru_cache(maxsize=4)
def _font(size):
    from PIL import ImageFont

    for folder in FONT_DIRS:
        try:
            return ImageFont.truetype(f"{folder}/{NUMBER_FONT}", size)
        except OSError:
            continue
    # Pillow's built-in font scales too (Pillow >= 10.1): a Pi without DejaVu still prints.
    return ImageFont.load_default(size)


@lru_cache(maxsize=64)
def number_image(label: str, max_width: int, height: int) -> "Image.Image":
    """The ticket number ``label`` as a 1-bit image (PIL mode "1", set = white).

    The ink is ``height`` dots tall (capital letters and digits), or smaller
    when that would be wider than ``max_width`` dots. Cached per label and
    size: a kiosk prints the same sizes all day.
    """
    from PIL import Image, ImageDraw

    label = label.strip()
    if not label:
        return Image.new("1", (1, 1), 1)
    size = height * 4 // 3  # cap height of DejaVu Sans is about 0.73 em
    for _ in range(3):  # converge on the size whose ink is ``height`` tall and fits the width
        box = _font(size).getbbox(label)
        ink_w, ink_h = box[2] - box[0], box[3] - box[1]
        scale = min(height / max(1, ink_h), max_width / max(1, ink_w))
        # Clamped: a label of dots or dashes only has almost no ink height to scale by.
        new = max(8, min(2 * height, int(size * scale)))
        if new == size:
            break
        size = new
    font = _font(size)
    box = font.getbbox(label)
    gray = Image.new("L", (max(1, box[2] - box[0]), max(1, box[3] - box[1])), 255)
    ImageDraw.Draw(gray).text((-box[0], -box[1]), label, fill=0, font=font)
    if gray.width > max_width:  # even the smallest font is too wide (a label no config should make)
        gray = gray.resize((max_width, max(1, gray.height * max_width // gray.width)))
    return gray.point(lambda v: 255 if v > THRESHOLD else 0).convert("1")


def qr_image(matrix: list, scale: int) -> "Image.Image":
    """A QR matrix (rows of bools, no quiet zone) as a 1-bit image, ``scale`` dots per module."""
    from PIL import Image

    n = len(matrix)
    img = Image.new("1", (n, n), 1)
    img.putdata([0 if dark else 1 for row in matrix for dark in row])
    return img.resize((n * scale, n * scale), Image.Resampling.NEAREST)


def side_by_side(left: "Image.Image", right: "Image.Image", gap: int) -> "Image.Image":
    """``left`` and ``right`` on one white strip with ``gap`` dots between,
    both centred vertically. The strip is only as wide as the pair: the
    printer centres it, and white margins would cost bytes."""
    from PIL import Image

    height = max(left.height, right.height)
    strip = Image.new("1", (left.width + gap + right.width, height), 1)
    strip.paste(left, (0, (height - left.height) // 2))
    strip.paste(right, (left.width + gap, (height - right.height) // 2))
    return strip


def raster(img: "Image.Image") -> tuple[int, int, bytes]:
    """A 1-bit image as GS v 0 data: (width_bytes, rows, bytes), set bit = black.

    Rows are padded to whole bytes with white; nothing is padded to the paper
    width, because the printer places the image by the current alignment.
    """
    from PIL import Image, ImageOps

    width_bytes = (img.width + 7) // 8
    black = ImageOps.invert(img.convert("L")).convert("1")  # PIL: set bit = white
    if img.width % 8:
        padded = Image.new("1", (width_bytes * 8, img.height), 0)
        padded.paste(black, (0, 0))
        black = padded
    return width_bytes, img.height, black.tobytes()
