"""Drawing helpers: colours, fonts by path, and text that always fits its box.

Every piece of text is drawn through ``Painter.text``, which shrinks and wraps
it until it fits its rectangle (and cuts it with an ellipsis as a last resort),
and records both the box and the area actually used. Tests read those records
to prove that nothing overflows at any screen size.
"""
import logging
import os
import re
from collections import OrderedDict
from dataclasses import dataclass

import pygame

log = logging.getLogger(__name__)

DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu"

# High contrast on a dark background; every text/background pair below is at
# least 7:1 (WCAG AAA) except the service buttons' white on blue (8.6:1).
BG = (8, 22, 43)
HEADER_BG = (17, 45, 84)
FOOTER_BG = (4, 12, 25)
TEXT = (255, 255, 255)
MUTED = (205, 215, 230)
DARK_TEXT = (10, 10, 10)
SERVICE_BG = (13, 71, 161)
SERVICE_EDGE = (144, 202, 249)
PRIORITY_BG = (255, 193, 7)
DISABLED_BG = (52, 56, 64)
DISABLED_TEXT = (220, 220, 220)
HIGHLIGHT_BG = (255, 213, 79)
CARD_BG = (255, 255, 255)
ERROR_BG = (160, 20, 20)
PANEL_BG = (12, 33, 64)
ROW_BG = (22, 54, 99)


@dataclass(frozen=True)
class TextBox:
    """A text drawn on screen: the box it was given and the area it used."""

    text: str
    box: pygame.Rect
    used: pygame.Rect
    size: int  # font size in the end


@dataclass(frozen=True)
class Button:
    """A touch target: ``action`` is what a tap means (None when disabled)."""

    rect: pygame.Rect
    action: object
    enabled: bool = True
    name: str = ""


class Fonts:
    """Fonts loaded by path (DejaVu Sans when installed, else pygame's own)."""

    def __init__(self, path=""):
        if not pygame.font.get_init():
            pygame.font.init()
        self.regular, self.bold = self._paths(path)
        self._cache = {}

    @staticmethod
    def _paths(path):
        if path:
            if os.path.isfile(path):
                return path, path  # a configured font: synthesise bold
            log.warning("font %s not found; using the default font", path)
        regular = os.path.join(DEJAVU_DIR, "DejaVuSans.ttf")
        bold = os.path.join(DEJAVU_DIR, "DejaVuSans-Bold.ttf")
        if os.path.isfile(regular):
            return regular, bold if os.path.isfile(bold) else regular
        return None, None  # pygame's bundled font

    def get(self, size, bold=False):
        key = (size, bold)
        font = self._cache.get(key)
        if font is None:
            path = self.bold if bold else self.regular
            font = pygame.font.Font(path, size)
            if bold and path == self.regular:
                font.set_bold(True)
            self._cache[key] = font
        return font


def _wrap(font, text, width):
    """Greedy word wrap; a word wider than the line is broken by characters.

    Returns (lines, broke): ``broke`` tells that a word had to be cut.
    """
    lines = []
    broke = False
    for paragraph in text.split("\n"):
        line = ""
        # Break only at ordinary spaces: a non-breaking space keeps "Loket 2"
        # and "5 menit" on one line (str.split() would break there too).
        for word in (w for w in re.split(r"[ \t]+", paragraph) if w):
            candidate = f"{line} {word}" if line else word
            if font.size(candidate)[0] <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while font.size(word)[0] > width and len(word) > 1:
                broke = True
                cut = len(word) - 1
                while cut > 1 and font.size(word[:cut])[0] > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines, broke


def _ellipsize(font, line, width):
    if font.size(line)[0] <= width:
        return line
    while line and font.size(line + "…")[0] > width:
        line = line[:-1]
    return (line.rstrip() + "…") if line else ""


class Painter:
    """Draws onto one surface and records every text box and button."""

    def __init__(self, surface, fonts):
        self.surface = surface
        self.fonts = fonts
        self.texts = []
        self.buttons = []
        self._fit_cache = OrderedDict()

    def reset(self, surface=None):
        if surface is not None:
            self.surface = surface
        self.texts = []
        self.buttons = []

    def rect(self, rect, color, radius=0, width=0):
        pygame.draw.rect(self.surface, color, rect, width, border_radius=radius)

    def button(self, rect, action, enabled=True, name=""):
        self.buttons.append(Button(pygame.Rect(rect), action if enabled else None, enabled, name))

    def _fit(self, text, w, h, max_size, min_size, bold, max_lines):
        """(size, lines) of the largest font in [min_size, max_size] that fits."""
        def fits(size):
            font = self.fonts.get(size, bold)
            lines, broke = _wrap(font, text, w)
            # A smaller size that keeps words whole reads better than a word
            # cut in two ("Priorit-as"), so a cut word counts as not fitting.
            ok = (not broke and len(lines) <= max_lines and font.get_height() * len(lines) <= h
                  and all(font.size(line)[0] <= w for line in lines))
            return ok, lines

        max_size = max(1, min(max_size, h))
        min_size = max(1, min(min_size, max_size))
        ok, lines = fits(max_size)
        if ok:
            return max_size, lines
        lo, hi, best = min_size, max_size - 1, None
        while lo <= hi:  # largest size that fits, by bisection
            mid = (lo + hi) // 2
            ok, mid_lines = fits(mid)
            if ok:
                best, lo = (mid, mid_lines), mid + 1
            else:
                hi = mid - 1
        if best:
            return best
        # Still too long at the smallest readable size: keep the lines that fit
        # and end the last with an ellipsis rather than overflowing.
        size = min_size
        font = self.fonts.get(size, bold)
        while size > 6 and font.get_height() > h:
            size -= 1
            font = self.fonts.get(size, bold)
        rows = max(0, min(max_lines, h // max(1, font.get_height())))
        lines, _ = _wrap(font, text, w)
        kept = lines[:rows]
        if kept and len(lines) > rows:
            kept[-1] = _ellipsize(font, kept[-1] + " " + lines[rows], w)
        return size, [_ellipsize(font, line, w) for line in kept]

    def text(self, text, rect, color=TEXT, max_size=48, min_size=14, bold=False,
             align="center", valign="center", max_lines=3):
        """Draw ``text`` fitted into ``rect``; returns the used rectangle."""
        rect = pygame.Rect(rect)
        key = (text, rect.size, max_size, min_size, bold, max_lines, color)
        rendered = self._fit_cache.get(key)
        if rendered is None:
            size, lines = self._fit(text, rect.w, rect.h, max_size, min_size, bold, max_lines)
            font = self.fonts.get(size, bold)
            rendered = (size, [font.render(line, True, color) for line in lines if line])
            self._fit_cache[key] = rendered
            if len(self._fit_cache) > 600:
                self._fit_cache.popitem(last=False)
        else:
            self._fit_cache.move_to_end(key)
        size, surfaces = rendered
        total = sum(s.get_height() for s in surfaces)
        if valign == "top":
            y = rect.top
        elif valign == "bottom":
            y = rect.bottom - total
        else:
            y = rect.top + (rect.h - total) // 2
        rects = []
        for s in surfaces:
            if align == "left":
                x = rect.left
            elif align == "right":
                x = rect.right - s.get_width()
            else:
                x = rect.left + (rect.w - s.get_width()) // 2
            self.surface.blit(s, (x, y))
            rects.append(pygame.Rect(x, y, s.get_width(), s.get_height()))
            y += s.get_height()
        used = rects[0].unionall(rects[1:]) if rects else pygame.Rect(rect.center, (0, 0))
        self.texts.append(TextBox(text, rect, used, size))
        return used

    def image(self, surface, rect):
        """Blit ``surface`` scaled to fit inside ``rect`` (aspect kept), centred."""
        rect = pygame.Rect(rect)
        w, h = surface.get_size()
        if w == 0 or h == 0 or rect.w <= 0 or rect.h <= 0:
            return pygame.Rect(rect.topleft, (0, 0))
        scale = min(rect.w / w, rect.h / h)
        size = (max(1, int(w * scale)), max(1, int(h * scale)))
        key = ("img", id(surface), size)
        scaled = self._fit_cache.get(key)
        if scaled is None:
            scaled = pygame.transform.smoothscale(surface, size) if size != (w, h) else surface
            self._fit_cache[key] = scaled
        dest = scaled.get_rect(center=rect.center)
        return self.surface.blit(scaled, dest)


class Images:
    """Images loaded once per path and modification time; a bad file is logged once."""

    def __init__(self):
        self._cache = {}

    def get(self, path):
        if not path:
            return None
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        hit = self._cache.get(path)
        if hit and hit[0] == mtime:
            return hit[1]
        try:
            image = pygame.image.load(path)
            if image.get_bitsize() not in (24, 32):
                # Ticket PNGs are 1- or 8-bit; smoothscale needs 24/32-bit.
                full = pygame.Surface(image.get_size(), 0, 32)
                full.blit(image, (0, 0))
                image = full
        except (pygame.error, OSError, ValueError) as e:
            log.warning("cannot load image %s: %s", path, e)
            image = None
        self._cache[path] = (mtime, image)
        return image
