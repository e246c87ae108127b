"""Where each part of the board goes, and how big the called number is in mm.

Plain arithmetic on the screen size (no pygame), so the layout is tested
directly: the called number's letter height follows from the TV's diagonal
(pixels per mm), never from a fixed pixel size, because the same 1920x1080
picture is 40 mm tall letters on a 32" TV and 60 mm on a 50" one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MIN_NUMBER_MM = 40.0  # readable from about 5 m
Rect = tuple[int, int, int, int]  # x, y, w, h


def px_per_mm(size: tuple[int, int], diagonal_inches: float) -> float:
    """Pixels per millimetre of a screen of ``size`` pixels and this diagonal."""
    w, h = size
    return math.hypot(w, h) / (diagonal_inches * 25.4)


@dataclass(frozen=True)
class BoardLayout:
    """The boxes of one board picture (pygame-style x, y, w, h tuples)."""

    size: tuple[int, int]
    header: Rect
    call: Rect  # the called number's card
    tiles: Rect  # one tile per counter
    history: Rect
    idle: Rect  # slideshow or waiting per service
    ticker: Rect  # running text
    columns: int  # tile columns
    portrait: bool


def layout(size: tuple[int, int], counters: int, ticker: bool = True) -> BoardLayout:
    """Split the screen: header, call card, counter tiles, history, idle area, ticker."""
    w, h = size
    portrait = h > w
    pad = max(6, round(min(w, h) * 0.015))
    header_h = round(h * (0.055 if portrait else 0.085))
    ticker_h = round(h * (0.045 if portrait else 0.075)) if ticker else 0
    top = header_h + pad
    bottom = h - ticker_h - pad
    body = bottom - top
    counters = max(1, counters)
    if portrait:
        columns = 2 if counters > 2 else 1
        call_h = round(body * 0.30)
        tiles_h = round(body * 0.27)
        history_h = round(body * 0.22)
        inner = w - 2 * pad
        call = (pad, top, inner, call_h)
        tiles = (pad, top + call_h + pad, inner, tiles_h - pad)
        history = (pad, tiles[1] + tiles[3] + pad, inner, history_h - pad)
        y = history[1] + history[3] + pad
        idle = (pad, y, inner, max(0, bottom - y))
    else:
        columns = 2 if counters > 3 else 1
        left_w = round(w * 0.55)
        right_x = left_w + pad
        right_w = w - right_x - pad
        call_h = round(body * 0.58)
        call = (pad, top, left_w - pad, call_h)
        idle = (pad, top + call_h + pad, left_w - pad, body - call_h - pad)
        tiles_h = round(body * 0.56)
        tiles = (right_x, top, right_w, tiles_h)
        history = (right_x, top + tiles_h + pad, right_w, body - tiles_h - pad)
    return BoardLayout(size, (0, 0, w, header_h), call, tiles, history, idle,
                       (0, h - ticker_h, w, ticker_h), columns, portrait)


def tile_boxes(area: Rect, count: int, columns: int, gap: int) -> list[Rect]:
    """``count`` equal tiles filling ``area`` row by row."""
    if count <= 0:
        return []
    x, y, w, h = area
    columns = max(1, min(columns, count))
    rows = math.ceil(count / columns)
    tw = (w - gap * (columns - 1)) // columns
    th = (h - gap * (rows - 1)) // rows
    return [(x + (i % columns) * (tw + gap), y + (i // columns) * (th + gap), tw, th) for i in range(count)]
