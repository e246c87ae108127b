"""Screens: every state at every size fits, taps map to the right actions."""
import pygame
import pytest

from kiosk.core.events import TakeTicket
from kiosk.shell.screen import Renderer
from kiosk.machine.view import DISMISS, Fault, choose_screen, has_side_panel

from screen_helpers import ALL_SIZES, SIZES, states, view

MIN_TOUCH = 80  # 15 mm on the 7" 800x480 panel (5.3 px/mm)


@pytest.fixture(scope="module")
def renderer():
    pygame.display.init()
    pygame.font.init()
    return Renderer()


def render(renderer, v, size):
    surface = pygame.Surface(size)
    name = renderer.render(surface, v)
    return surface, name, renderer.screen


def overflows(screen, size):
    bounds = pygame.Rect((0, 0), size)
    return [(t.text, t.box, t.used) for t in screen.texts
            if not t.box.contains(t.used) or not bounds.contains(t.used)]


@pytest.mark.parametrize("size", SIZES + [(1280, 800), (480, 800), (600, 1024), (1080, 1920)])
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("state", list(states()))
def test_no_text_overflows_its_box_or_the_screen(renderer, size, lang, state):
    # Given long service names, a long institution name and a long counter name
    surface, name, screen = render(renderer, states(lang)[state], size)
    # Then every text stayed inside its rectangle and inside the screen
    assert screen.texts, "the screen drew no text at all"
    assert overflows(screen, size) == []


@pytest.mark.parametrize("size", ALL_SIZES)
def test_every_button_is_a_touch_target_of_at_least_15_mm_inside_the_screen(renderer, size):
    surface, name, screen = render(renderer, states()["home"], size)
    bounds = pygame.Rect((0, 0), size)
    assert len(screen.buttons) >= 5
    for b in screen.buttons:
        assert bounds.contains(b.rect), b
        assert min(b.rect.size) >= MIN_TOUCH, (b.name, b.rect)


@pytest.mark.parametrize("size", ALL_SIZES)
def test_buttons_do_not_overlap(renderer, size):
    surface, name, screen = render(renderer, states()["home"], size)
    rects = [b.rect for b in screen.buttons]
    for i, r in enumerate(rects):
        assert r.collidelist(rects[i + 1:]) == -1, (r, rects)


def test_home_taps_map_to_the_service_and_priority_tickets(renderer):
    surface, name, screen = render(renderer, view(), (1024, 600))
    by_name = {b.name: b for b in screen.buttons}
    assert renderer.hit(by_name["service:A"].rect.center) == TakeTicket("kunjungan", False, "touch")
    assert renderer.hit(by_name["priority:A"].rect.center) == TakeTicket("kunjungan", True, "touch")


def test_a_service_that_cannot_issue_is_disabled_and_shows_its_reason(renderer):
    surface, name, screen = render(renderer, view(), (1024, 600))
    d = next(b for b in screen.buttons if b.name == "service:D")
    assert not d.enabled
    assert renderer.hit(d.rect.center) is None
    assert "Tutup, buka 13.00" in [t.text for t in screen.texts]
    assert "Kuota hari ini habis" in [t.text for t in screen.texts]


def test_a_service_without_priority_has_no_priority_button(renderer):
    surface, name, screen = render(renderer, view(), (1024, 600))
    names = {b.name for b in screen.buttons}
    assert "service:C" in names and "priority:C" not in names
    assert "priority:A" in names


def test_out_of_order_has_no_service_buttons_and_shows_the_code(renderer):
    surface, name, screen = render(renderer, states()["out_of_order"], (800, 480))
    assert name == "out_of_order"
    assert not any(isinstance(b.action, TakeTicket) for b in screen.buttons)
    texts = [t.text for t in screen.texts]
    assert "Silakan hubungi petugas" in texts
    assert any("PRN-PAPER" in t for t in texts)


def test_ticket_screen_shows_the_number_and_a_tap_dismisses_it(renderer):
    surface, name, screen = render(renderer, states()["done"], (800, 480))
    assert name == "ticket"
    assert "A-012" in [t.text for t in screen.texts]
    assert renderer.hit((400, 240)) == DISMISS


def test_printing_cannot_be_dismissed(renderer):
    surface, name, screen = render(renderer, states()["printing"], (800, 480))
    assert "Mencetak tiket..." in [t.text for t in screen.texts]
    assert renderer.hit((400, 240)) is None


def test_print_failure_tells_the_visitor_what_to_do_and_keeps_the_number_for_staff(renderer):
    surface, name, screen = render(renderer, states()["failed"], (1024, 600))
    texts = " | ".join(t.text for t in screen.texts)
    assert "Silakan ambil tiket lagi atau hubungi petugas" in texts and "PRN-PAPER" in texts
    assert "Untuk petugas: nomor" in texts and "tidak berlaku" not in texts


def test_english_screens_speak_english(renderer):
    surface, name, screen = render(renderer, states("en")["home"], (1024, 600))
    texts = [t.text for t in screen.texts]
    assert "Please choose a service" in texts
    assert "Tuesday, 16 April 2024" in texts


def test_newest_call_is_highlighted_in_the_now_serving_panel(renderer):
    v = view(newest_counter=2)
    surface, name, screen = render(renderer, v, (1920, 1080))
    assert name == "home"  # split screen: the panel sits beside the buttons
    label = next(t for t in screen.texts if t.text == "C-104")
    assert surface.get_at(label.box.topleft)[:3] == (255, 213, 79)  # HIGHLIGHT_BG behind it
    other = next(t for t in screen.texts if t.text == "A-012")
    assert surface.get_at(other.box.topleft)[:3] != (255, 213, 79)


def test_small_screens_alternate_large_screens_split():
    v = view(newest_counter=1)
    assert choose_screen(v, (800, 480)) == "serving"
    assert choose_screen(v, (1024, 600)) == "serving"
    assert choose_screen(v, (1920, 1080)) == "home"
    assert has_side_panel((1080, 1920)) and not has_side_panel((480, 800))


def test_the_ticket_screen_wins_over_out_of_order_and_calls():
    v = view(newest_counter=1, fault=Fault("PRN-OFF"), ticket=states()["failed"].ticket)
    assert choose_screen(v, (800, 480)) == "ticket"
    assert choose_screen(view(fault=Fault("DB")), (800, 480)) == "out_of_order"


def test_text_too_long_for_any_size_is_cut_not_overflowing(renderer):
    long = "Sangat " * 200
    v = view(services=(view().services[0].__class__("x", "X", long),))
    surface, name, screen = render(renderer, v, (800, 480))
    box = next(t for t in screen.texts if t.text == long)
    assert box.box.contains(box.used)


def test_emergency_screen_draws_without_any_layout(renderer):
    surface = pygame.Surface((800, 480))
    renderer.render_emergency(surface)
    assert surface.get_at((5, 5))[:3] == (160, 20, 20)


@pytest.mark.parametrize("size", ALL_SIZES)
def test_the_home_screen_always_shows_what_every_counter_serves(renderer, size):
    # Given calls at counters 1 and 2 (none at 3), on every size, even a 7" panel without a side panel
    surface, name, screen = render(renderer, states()["home"], size)
    drawn = [t.text for t in screen.texts]
    assert name == "home"
    assert "A-012" in drawn and "C-104" in drawn
    assert any(t.startswith("Loket 3") for t in drawn)


def test_an_uncertain_print_tells_the_visitor_to_ask_and_keeps_the_number(renderer):
    surface, name, screen = render(renderer, states()["uncertain"], (800, 480))
    joined = " | ".join(t.text for t in screen.texts)
    assert "hubungi petugas" in joined and "A-012 tetap berlaku" in joined and "PRN-TMO" in joined


def test_the_screen_never_breaks_a_line_at_a_non_breaking_space(renderer):
    from kiosk.shell.screen.draw import _wrap

    font = pygame.font.Font(None, 24)
    width = font.size("Silakan menunggu di Loket\u00a02")[0] - 5
    lines, _ = _wrap(font, "Silakan menunggu di Loket\u00a02", width)
    assert "Loket\u00a02" in lines[-1]
    assert lines == ["Silakan menunggu di", "Loket\u00a02"]
