"""Draws the display board with pygame from a ``BoardModel``.

Every text goes through ``kiosk.shell.screen.draw.Painter`` (fitted to its box
and recorded, so tests prove nothing overflows). The called number is sized in
mm from the TV's diagonal; a new call lights up its card and its counter's
tile (colour) and slides in with a pulsing frame (motion) for a few seconds,
while the other tiles and the history stay in view. The running text is
drawn on its own strip so that scrolling it redraws only that strip.
"""
from __future__ import annotations

import math
import os
from datetime import datetime
from typing import Optional

from kiosk.shell.sdl import pygame

from kiosk.board import words as W
from kiosk.board.layout import MIN_NUMBER_MM, BoardLayout, layout, px_per_mm, tile_boxes
from kiosk.board.model import BoardModel
from kiosk.shell.screen.draw import Fonts, Images, Painter

BG = (8, 22, 43)
HEADER_BG = (17, 45, 84)
CARD_BG = (13, 71, 161)
TILE_BG = (22, 54, 99)
PANEL_BG = (12, 33, 64)
TEXT = (255, 255, 255)
MUTED = (205, 215, 230)
DARK = (10, 10, 10)
HIGHLIGHT = (255, 213, 79)
HIGHLIGHT_EDGE = (255, 143, 0)
LOST_BG = (183, 28, 28)
TICKER_BG = (4, 12, 25)
TICKER_TEXT = (255, 236, 179)
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
SLIDE_IN_SECONDS = 0.6


MAX_FONTS = 48  # font sizes kept loaded; fitting text tries many sizes over a day
REPAINTER_CHANGES = 200  # feed changes after which rendered-text caches start afresh


class BoundedFonts(Fonts):
    """Fonts by path, with at most MAX_FONTS sizes kept (a board runs for months)."""

    def get(self, size: int, bold: bool = False) -> pygame.font.Font:
        font = super().get(size, bold)
        while len(self._cache) > MAX_FONTS:
            del self._cache[next(iter(self._cache))]  # the oldest size loaded
        return font


class BoardRenderer:
    """Draws boards onto ``surface``; ``painter.texts`` holds the last frame's text boxes."""

    def __init__(self, surface: pygame.Surface, font_path: str = "", fonts: Optional[Fonts] = None) -> None:
        self.surface = surface
        self.fonts = fonts or BoundedFonts(font_path)
        self.painter = Painter(surface, self.fonts)
        self.images = Images()
        self.number_size = 0  # font size of the called number in the last frame
        self.sliding = False  # the last frame caught the new number sliding in
        self.number_cap_px = 0  # its letter height in pixels
        self._cap_ratio: Optional[float] = None
        self._ticker: Optional[tuple] = None  # (text, height, surface)
        self._slides: tuple = ("", 0.0, [])  # (folder, checked at, files)
        self._painter_since = 0

    # ------------------------------------------------------------------ sizes
    def cap_ratio(self) -> float:
        """Capital letter height / font size of the bold font (about 0.73 for DejaVu)."""
        if self._cap_ratio is None:
            metrics = self.fonts.get(200, True).metrics("H")[0]
            self._cap_ratio = max(0.5, metrics[3] / 200) if metrics else 0.73
        return self._cap_ratio

    def number_font_size(self, model: BoardModel) -> int:
        """The font size whose capitals are ``number_mm`` tall (at least 40 mm) on this TV."""
        s = model.settings
        per_mm = px_per_mm(self.surface.get_size(), float(s["diagonal_inches"]))
        target = max(MIN_NUMBER_MM, float(s["number_mm"])) * per_mm
        size = math.ceil(target / self.cap_ratio())
        while self.cap_height(size) < target:  # metrics are whole pixels: never round below the mm asked for
            size += 1
        return size

    def cap_height(self, size: int) -> int:
        """Height in pixels of a capital letter of the bold font at ``size``."""
        metrics = self.fonts.get(size, True).metrics("H")[0]
        return int(metrics[3]) if metrics else round(size * self.cap_ratio())

    def layout(self, model: BoardModel) -> BoardLayout:
        counters = len((model.feed or {}).get("counters") or []) or 1
        return layout(self.surface.get_size(), counters, bool(model.settings["running_text"]))

    # ------------------------------------------------------------------ frame
    def draw(self, model: BoardModel, mono: float, wall: datetime) -> BoardLayout:
        """Draw a whole frame."""
        if model.changes - self._painter_since > REPAINTER_CHANGES:
            # Painter keeps every text it rendered (hundreds of large numbers
            # over a day); a fresh one keeps the board's memory flat.
            self.painter = Painter(self.surface, self.fonts)
            self._painter_since = model.changes
        self.painter.reset(self.surface)
        lay = self.layout(model)
        self.surface.fill(BG)
        lang = model.language
        self._header(model, lay, mono, wall, lang)
        calls = model.calls()
        self._call_card(model, lay, calls[0] if calls else None, mono, lang)
        self._tiles(model, lay, calls, mono, lang)
        self._history(model, lay, calls[1:], lang)
        self._idle(model, lay, mono, lang)
        self.draw_ticker(model, lay, mono)
        return lay

    def _header(self, model: BoardModel, lay: BoardLayout, mono: float, wall: datetime, lang: str) -> None:
        x, y, w, h = lay.header
        p = self.painter
        p.rect(lay.header, HEADER_BG)
        pad = max(6, h // 6)
        clock = f"{W.DAYS[lang][wall.weekday()]}, {wall.day} {W.MONTHS[lang][wall.month - 1]} {wall.year}  " \
                f"{wall:%H.%M}" if lang == "id" else \
                f"{W.DAYS[lang][wall.weekday()]} {wall.day} {W.MONTHS[lang][wall.month - 1]} {wall.year}  {wall:%H:%M}"
        institution = str((model.feed or {}).get("institution") or "")
        mark = self._connection_text(model, mono, lang)
        clock_w = round(w * (0.40 if lay.portrait else 0.30))
        mark_w = round(w * 0.26) if mark else 0
        p.text(institution, (x + pad, y, w - clock_w - mark_w - 3 * pad, h), TEXT, max_size=round(h * 0.5),
               min_size=10, bold=True, align="left", max_lines=2)
        if mark:
            box = pygame.Rect(x + w - clock_w - mark_w - pad, y + h // 5, mark_w, h - 2 * (h // 5))
            p.rect(box, LOST_BG, radius=box.h // 3)
            p.text(mark, box.inflate(-box.h // 2, -4), TEXT, max_size=round(h * 0.32), min_size=9, max_lines=2)
        p.text(clock, (x + w - clock_w, y, clock_w - pad, h), TEXT, max_size=round(h * 0.4), min_size=10,
               align="right", max_lines=1)

    @staticmethod
    def _connection_text(model: BoardModel, mono: float, lang: str) -> str:
        if model.feed is None:
            return W.word("connecting", lang)
        if model.lost_reason is None:
            return ""
        since = model.seconds_since_update(mono)
        return W.word("lost", lang, ago=W.ago(since, lang) if since is not None else W.word("never", lang))

    def _call_card(self, model: BoardModel, lay: BoardLayout, call: Optional[dict], mono: float, lang: str) -> None:
        p = self.painter
        card = pygame.Rect(lay.call)
        lit = model.highlighted(call["call_id"], mono) if call and isinstance(call.get("call_id"), int) else None
        radius = max(8, card.h // 20)
        p.rect(card, HIGHLIGHT if lit is not None else CARD_BG, radius=radius)
        fg = DARK if lit is not None else TEXT
        if lit is not None:  # a frame that pulses twice a second: movement catches the eye
            edge = max(4, round(card.h * 0.02 * (1.5 + math.sin(lit * 2 * math.pi * 2))))
            p.rect(card, HIGHLIGHT_EDGE, radius=radius, width=edge)
        inner = card.inflate(-card.h // 8, -card.h // 12)
        title_h, number_h = round(inner.h * 0.15), round(inner.h * 0.55)
        p.text(W.word("now_calling", lang).upper(), (inner.x, inner.y, inner.w, title_h), fg,
               max_size=title_h, min_size=10, bold=True, max_lines=1)
        number_box = pygame.Rect(inner.x, inner.y + title_h, inner.w, number_h)
        rest = pygame.Rect(inner.x, number_box.bottom, inner.w, inner.bottom - number_box.bottom)
        if call is None:
            self.number_size = 0
            self.sliding = False
            p.text(W.word("no_call", lang), number_box, fg, max_size=number_h // 3, min_size=12, max_lines=2)
            return
        size = self.number_font_size(model)
        self.sliding = lit is not None and lit < SLIDE_IN_SECONDS
        if lit is not None and self.sliding:  # the number slides in from the right
            shift = round(inner.w * (1 - lit / SLIDE_IN_SECONDS) ** 2 * 0.5)
            self.surface.set_clip(number_box)
            number_box = number_box.move(shift, 0)
        p.text(str(call.get("label", "")), number_box, fg, max_size=size, min_size=max(10, size // 3),
               bold=True, max_lines=1)
        self.surface.set_clip(None)
        self.number_size = p.texts[-1].size
        self.number_cap_px = self.cap_height(self.number_size)
        counter = model.counter_name(int(call.get("counter", 0)))
        go_h = round(rest.h * 0.62)
        p.text(W.word("go_to", lang, counter=counter), (rest.x, rest.y, rest.w, go_h), fg,
               max_size=go_h, min_size=max(12, round(go_h * 0.4)), bold=True, max_lines=2)
        service = model.service_name(str(call.get("service", "")))
        if call.get("priority"):
            service = f"{service} · {W.word('priority', lang)}"
        p.text(service, (rest.x, rest.y + go_h, rest.w, rest.h - go_h), fg, max_size=rest.h - go_h,
               min_size=10, max_lines=1)

    def _tiles(self, model: BoardModel, lay: BoardLayout, calls: list[dict], mono: float, lang: str) -> None:
        p = self.painter
        counters = (model.feed or {}).get("counters") or []
        gap = max(6, lay.size[1] // 100)
        latest: dict = {}  # counter -> its newest call (for the highlight)
        for earlier in calls:
            latest.setdefault(earlier.get("counter"), earlier)
        for info, box in zip(counters, tile_boxes(lay.tiles, len(counters), lay.columns, gap)):
            rect = pygame.Rect(box)
            call = latest.get(info.get("counter"))
            lit = None
            if call and call.get("label") == info.get("label") and isinstance(call.get("call_id"), int):
                lit = model.highlighted(call["call_id"], mono)
            p.rect(rect, HIGHLIGHT if lit is not None else TILE_BG, radius=max(6, rect.h // 10))
            fg = DARK if lit is not None else TEXT
            inner = rect.inflate(-max(8, rect.h // 8), -max(4, rect.h // 10))
            name_h = round(inner.h * 0.34)
            p.text(model.counter_name(int(info.get("counter", 0))), (inner.x, inner.y, inner.w, name_h),
                   fg if lit is not None else MUTED, max_size=name_h, min_size=max(9, round(name_h * 0.5)), bold=True,
                   max_lines=1)
            label = str(info.get("label") or "") or W.word("idle_tile", lang)
            # Well below the called number, so that stays the one thing seen first.
            cap = round(self.number_size * 0.6) if self.number_size else inner.h
            p.text(label, (inner.x, inner.y + name_h, inner.w, inner.h - name_h), fg,
                   max_size=max(10, min(inner.h - name_h, cap)), min_size=10, bold=True, max_lines=1)

    def _history(self, model: BoardModel, lay: BoardLayout, earlier: list[dict], lang: str) -> None:
        p = self.painter
        area = pygame.Rect(lay.history)
        p.rect(area, PANEL_BG, radius=max(6, area.h // 25))
        inner = area.inflate(-max(8, area.h // 20), -max(6, area.h // 25))
        rows = max(1, int(model.settings["history"]))
        title_h = round(inner.h / (rows + 1.4) * 1.1)
        p.text(W.word("history", lang), (inner.x, inner.y, inner.w, title_h), MUTED, max_size=round(title_h * 0.7),
               min_size=9, bold=True, align="left", max_lines=1)
        if not earlier:
            p.text(W.word("no_history", lang), (inner.x, inner.y + title_h, inner.w, inner.h - title_h), MUTED,
                   max_size=round(title_h * 0.6), min_size=9, max_lines=2)
            return
        row_h = (inner.h - title_h) // rows
        for i, call in enumerate(earlier[:rows]):
            y = inner.y + title_h + i * row_h
            label_w = round(inner.w * 0.36)
            p.text(str(call.get("label", "")), (inner.x, y, label_w, row_h), TEXT, max_size=round(row_h * 0.8),
                   min_size=9, bold=True, align="left", max_lines=1)
            p.text(model.counter_name(int(call.get("counter", 0))), (inner.x + label_w, y, inner.w - label_w, row_h),
                   MUTED, max_size=round(row_h * 0.7), min_size=max(9, round(row_h * 0.4)), align="right", max_lines=1)

    # ------------------------------------------------------------------ idle area
    def slide_files(self, folder: str, mono: float) -> list[str]:
        """The slideshow's images, rescanned at most every 30 s (a USB stick may change)."""
        known, checked, files = self._slides
        if folder != known or mono - checked > 30:
            try:
                files = sorted(os.path.join(folder, f) for f in os.listdir(folder)
                               if f.lower().endswith(IMAGE_TYPES) and not f.startswith("."))
            except OSError:
                files = []
            self._slides = (folder, mono, files)
        return files

    def current_slide(self, model: BoardModel, mono: float) -> Optional[pygame.Surface]:
        folder = str(model.settings.get("slideshow_dir") or "")
        files = self.slide_files(folder, mono) if folder else []
        if not files:
            return None
        seconds = max(1.0, float(model.settings["slide_seconds"]))
        start = int(mono // seconds)
        for i in range(len(files)):  # skip a broken image rather than showing nothing
            image = self.images.get(files[(start + i) % len(files)])
            if image is not None:
                return image
        return None

    def _idle(self, model: BoardModel, lay: BoardLayout, mono: float, lang: str) -> None:
        area = pygame.Rect(lay.idle)
        if area.h < 20:
            return
        p = self.painter
        slide = self.current_slide(model, mono)
        if slide is not None:
            p.rect(area, PANEL_BG, radius=max(6, area.h // 25))
            p.image(slide, area.inflate(-8, -8))
            return
        services = (model.feed or {}).get("services") or []
        p.rect(area, PANEL_BG, radius=max(6, area.h // 25))
        if not services:  # not connected yet: an empty panel, not a title over nothing
            return
        inner = area.inflate(-max(8, area.h // 20), -max(6, area.h // 25))
        rows = max(1, len(services))
        title_h = min(round(inner.h / (rows + 1.4) * 1.1), max(20, inner.h // 4))
        p.text(W.word("waiting", lang), (inner.x, inner.y, inner.w, title_h), MUTED, max_size=round(title_h * 0.7),
               min_size=9, bold=True, align="left", max_lines=1)
        row_h = (inner.h - title_h) // rows
        if row_h < 10:
            return
        for i, s in enumerate(services):
            y = inner.y + title_h + i * row_h
            name = model.service_name(str(s.get("code", "")))
            count_w = round(inner.w * 0.25)
            # A long name ends in "…" rather than shrinking out of reach of the eye.
            p.text(f"{s.get('prefix', '')} · {name}", (inner.x, y, inner.w - count_w, row_h), TEXT,
                   max_size=round(row_h * 0.65), min_size=max(9, round(row_h * 0.4)), align="left", max_lines=1)
            value = str(s.get("waiting", 0)) if s.get("open", True) else W.word("closed", lang)
            p.text(value, (inner.x + inner.w - count_w, y, count_w, row_h), TEXT if s.get("open", True) else MUTED,
                   max_size=round(row_h * 0.65), min_size=9, bold=True, align="right", max_lines=1)

    # ------------------------------------------------------------------ running text
    def draw_ticker(self, model: BoardModel, lay: BoardLayout, mono: float) -> Optional[pygame.Rect]:
        """Draw the running text strip at its position for ``mono``; returns its rect."""
        text = " ".join(str(model.settings.get("running_text") or "").split())
        x, y, w, h = lay.ticker
        if not text or h <= 0:
            return None
        rect = pygame.Rect(lay.ticker)
        if self._ticker is None or self._ticker[:2] != (text, h):
            font = self.fonts.get(max(8, round(h * 0.55)), True)
            # Rendered on its background: an opaque strip blits fast and converts cleanly.
            strip = font.render(text + "     ●     ", True, TICKER_TEXT, TICKER_BG)
            # convert() (the screen's pixel format) makes the per-frame blit cheap; needs a display.
            self._ticker = (text, h, strip.convert() if pygame.display.get_surface() else strip)
        strip = self._ticker[2]
        self.surface.fill(TICKER_BG, rect)
        span = strip.get_width()
        offset = int(mono * float(model.settings["running_speed"])) % span
        self.surface.set_clip(rect)
        ty = y + (h - strip.get_height()) // 2
        for start in range(-offset, w, span):  # repeat end to end: no gap, no jump
            self.surface.blit(strip, (start, ty))
        self.surface.set_clip(None)
        return rect
