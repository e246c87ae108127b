"""The board's picture at every size and language: nothing outside its box, the number >= 40 mm."""
import os

import pygame
import pytest

from board_helpers import SIZES, call, sample_feed
from kiosk.board import render as R
from kiosk.board.layout import px_per_mm
from kiosk.board.model import BoardModel
from kiosk.board.render import BoardRenderer
from kiosk.shell.screen.draw import Fonts

SHOTS = os.environ.get("BOARD_SHOTS", "")  # set it to a folder to keep every picture as PNG
WALL = __import__("datetime").datetime(2026, 12, 1, 9, 41)


FONTS = Fonts()  # loaded once: font files are the slow part of a picture


def render(size, model, mono=100.0, shot=None):
    surface = pygame.Surface(size)
    renderer = BoardRenderer(surface, fonts=FONTS)
    renderer.draw(model, mono, WALL)
    if shot and SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        pygame.image.save(surface, os.path.join(SHOTS, f"{shot}.png"))
    return renderer


def overflows(renderer, size):
    screen = pygame.Rect((0, 0), size)
    return [(t.text, t.box, t.used) for t in renderer.painter.texts
            if not t.box.contains(t.used) or not screen.contains(t.used)]


def model_with(feed, mono=100.0, **overrides):
    model = BoardModel(overrides=overrides)
    model.apply_feed(feed, mono - 20)  # seen 20 s ago: highlights over unless a test makes a new call
    return model


STATES = ["calls", "new_call", "lost", "connecting", "no_calls", "long_names"]


def state(name, lang):
    feed = sample_feed(lang, long=name == "long_names", running_text="Jam layanan Senin-Kamis 08.00-11.00. "
                       "Layanan ini GRATIS." if lang == "id" else "Opening hours Mon-Thu 08:00-11:00. Free service.")
    if name == "connecting":
        return BoardModel(overrides={"language": lang})
    if name == "no_calls":
        return model_with(sample_feed(lang, calls=[]))
    model = model_with(feed)
    if name == "new_call":
        newer = dict(feed, calls=[call(99, 3, "E-123", "bantuan-hukum")] + feed["calls"])
        model.apply_feed(newer, 99.0)
    if name == "lost":
        model.apply_lost("connection refused")
    return model


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", STATES)
def test_no_text_leaves_its_box_or_the_screen(size, lang, name):
    renderer = render(size, state(name, lang), shot=f"{name}-{lang}-{size[0]}x{size[1]}")
    assert overflows(renderer, size) == []
    assert renderer.painter.texts, "nothing drawn"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("number_mm", [40.0, 60.0])
def test_the_called_number_is_at_least_40_mm_tall_on_a_32_inch_tv_and_the_largest_text(size, number_mm):
    model = model_with(sample_feed(long=True, number_mm=number_mm, diagonal_inches=32.0))
    renderer = render(size, model)
    letter_mm = renderer.number_cap_px / px_per_mm(size, 32.0)
    assert letter_mm >= 40.0
    assert abs(letter_mm - number_mm) < 3  # sized from the diagonal, not left to chance
    number = next(t for t in renderer.painter.texts if t.text == "C-104")
    assert all(t.size < number.size for t in renderer.painter.texts if t is not number)


def test_a_bigger_tv_needs_fewer_pixels_for_the_same_mm():
    small = render((1920, 1080), model_with(sample_feed(diagonal_inches=32.0)))
    large = render((1920, 1080), model_with(sample_feed(diagonal_inches=55.0)))
    assert large.number_size < small.number_size


def colour_at(renderer, point):
    return tuple(renderer.surface.get_at(point))[:3]


def test_a_new_call_lights_its_card_and_tile_moves_and_hides_no_other_counter():
    feed = sample_feed()
    model = model_with(feed)
    model.apply_feed(dict(feed, calls=[call(99, 3, "E-123", "bantuan-hukum")] + feed["calls"],
                          counters=[dict(c, label="E-123") if c["counter"] == 3 else c for c in feed["counters"]]),
                     100.0)
    early = render((1920, 1080), model, mono=100.1)
    later = render((1920, 1080), model, mono=101.0)
    lay = early.layout(model)
    card = pygame.Rect(lay.call)
    assert colour_at(later, (card.centerx, card.y + card.h // 3 + 5)) in (R.HIGHLIGHT,) or \
        colour_at(later, (card.x + card.w // 2, card.bottom - card.h // 6)) == R.HIGHLIGHT
    assert pygame.image.tobytes(early.surface.subsurface(card), "RGB") != \
        pygame.image.tobytes(later.surface.subsurface(card), "RGB"), "no motion"
    shown = {t.text for t in later.painter.texts}
    assert {"A-012", "C-104", "E-123"} <= shown  # every counter's number stays in view
    done = render((1920, 1080), model, mono=100.0 + model.settings["highlight_seconds"] + 0.1)
    assert colour_at(done, (card.x + 20, card.bottom - 20)) == R.CARD_BG


def test_a_lost_feed_keeps_the_last_state_with_a_small_mark_and_the_time_since_the_update():
    model = model_with(sample_feed("id"), mono=20.0)  # last update at 0
    model.apply_lost("connection refused")
    renderer = render((1920, 1080), model, mono=75.0)
    texts = {t.text: t for t in renderer.painter.texts}
    assert "Koneksi terputus · 1 menit lalu" in texts
    assert "C-104" in texts  # the last state stays
    mark = texts["Koneksi terputus · 1 menit lalu"]
    assert mark.size < renderer.number_size / 5  # small beside the called number
    model.apply_feed(sample_feed("id"), 200.0)
    assert not any("terputus" in t.text for t in render((1920, 1080), model, mono=200.0).painter.texts)


def test_the_english_board_says_connection_lost():
    model = model_with(sample_feed("en"), mono=20.0)  # last update at 0
    model.apply_lost("timeout")
    texts = [t.text for t in render((1280, 720), model, mono=10.0).painter.texts]
    assert "Connection lost · 10 s ago" in texts and "NOW CALLING" in texts


def test_the_running_text_scrolls_in_its_strip():
    model = model_with(sample_feed(running_text="Layanan ini GRATIS, tidak dipungut biaya."))
    first = render((1280, 720), model, mono=10.0)
    lay = first.layout(model)
    strip = pygame.Rect(lay.ticker)
    before = pygame.image.tobytes(first.surface.subsurface(strip), "RGB")
    first.draw_ticker(model, lay, 10.5)
    after = pygame.image.tobytes(first.surface.subsurface(strip), "RGB")
    assert before != after
    colours = {tuple(first.surface.get_at((x, strip.centery)))[:3] for x in range(0, strip.w, 2)}
    assert R.TICKER_TEXT in colours  # text, not an empty bar
    quiet = model_with(sample_feed())  # no running text: no strip at all
    assert render((1280, 720), quiet).layout(quiet).ticker[3] == 0


def test_a_slideshow_fills_the_idle_area(tmp_path):
    image = pygame.Surface((400, 300))
    image.fill((0, 200, 120))
    pygame.image.save(image, str(tmp_path / "01.png"))
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    model = model_with(sample_feed(slideshow_dir=str(tmp_path), slide_seconds=5.0))
    renderer = render((1920, 1080), model, shot="slideshow-id-1920x1080")
    idle = pygame.Rect(renderer.layout(model).idle)
    assert colour_at(renderer, idle.center) == (0, 200, 120)
    assert overflows(renderer, (1920, 1080)) == []


def test_the_board_clock_shows_the_kiosks_time_zone_not_the_boards():
    from drivers.sound import FakeAnnouncer
    from kiosk.board.app import BoardApp

    app = BoardApp("http://127.0.0.1:9", "t" * 20, FakeAnnouncer())
    app.model.apply_feed(dict(sample_feed(), timezone="Asia/Jayapura"), 0.0)
    assert app.wall_clock().utcoffset().total_seconds() == 9 * 3600  # WIT
    app.model.apply_feed(dict(sample_feed(), timezone="Not/AZone"), 1.0)
    assert app.wall_clock().tzinfo is None  # unknown zone: the board's own clock, no crash
