"""Survey screens: every step at every size and language fits (no text
overflows its box or the screen), buttons are touch targets, taps map to the
flow's inputs, and a scanner's key events identify a ticket."""
import os

import pygame
import pytest

from kiosk.core import survey as S
from kiosk.core.events import SurveyInput, SurveyTicketChecked
from kiosk.machine.survey_flow import CheckSurveyTicket, SurveyFlow, SurveyView
from kiosk.shell.screen.draw import Fonts, Images
from kiosk.shell.screen.survey_keys import survey_input_from_key
from kiosk.shell.screen.survey_screens import SurveyScreen

from screen_helpers import ALL_SIZES, view

SHOTS = os.environ.get("SURVEY_SHOTS", "")  # a folder: save every screen as PNG to look at
MIN_TOUCH = 80  # 15 mm on the 7" panel
MIN_KEY = 40  # the suggestion keyboard: 10 keys across a 480 px portrait panel


def states():
    keys = ("A", "B", "C", "D", "E")
    out = {
        "identify": SurveyView("identify", keys=keys),
        "identify_typed": SurveyView("identify", entry="PTSP1:20250602:A-012", keys=keys),
        "checking": SurveyView("checking", label="A-012"),
        "profile_age": SurveyView("profile", "age", 1, 4, "30-39"),
        "profile_education": SurveyView("profile", "education", 3, 4),
        "profile_occupation": SurveyView("profile", "occupation", 4, 4),
        "suggestion": SurveyView("suggestion", entry="Ruang tunggu sangat panas, mohon ditambah kipas angin " * 3),
        "suggestion_one_word": SurveyView("suggestion", entry="x" * S.SUGGESTION_MAX),
        "identify_full": SurveyView("identify", entry="W" * 40, keys=keys),
        "saving": SurveyView("saving"),
        "thanks": SurveyView("thanks"),
        "failed": SurveyView("failed"),
    }
    for i, q in enumerate(S.QUESTIONS):
        out[f"q{i + 1}_{q.code}"] = SurveyView("question", q.code, i + 1, 9, "3" if i == 6 else None, label="A-012")
    for reason in S.REFUSALS:
        out[f"refused_{reason}"] = SurveyView("refused", reason=reason, label="A-012")
    return out


@pytest.fixture(scope="module")
def screen():
    pygame.display.init()
    pygame.font.init()
    return SurveyScreen(Fonts(), Images())


def render(screen, sv, size, lang="id"):
    surface = pygame.Surface(size)
    screen.draw(surface, view(lang, help_text=""), 0.0, survey=sv)
    return surface


@pytest.mark.parametrize("size", ALL_SIZES)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_survey_screen_fits_at_every_size_and_language(screen, size, lang):
    bounds = pygame.Rect((0, 0), size)
    for name, sv in states().items():
        surface = render(screen, sv, size, lang)
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            pygame.image.save(surface, os.path.join(SHOTS, f"{name}_{lang}_{size[0]}x{size[1]}.png"))
        bad = [(t.text, t.box, t.used) for t in screen.texts if not t.box.contains(t.used) or
               not bounds.contains(t.used)]
        assert bad == [], name
        assert screen.texts, name
        for b in screen.buttons:
            assert bounds.contains(b.rect), (name, b.name)
            least = MIN_KEY if name.startswith("suggestion") and b.name.startswith("key:") else MIN_TOUCH
            assert min(b.rect.size) >= least, (name, b.name, b.rect)
        rects = [b.rect for b in screen.buttons if b.name != "dismiss"]
        for i, r in enumerate(rects):
            assert r.collidelist(rects[i + 1:]) == -1, (name, r)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_questions_and_answers_are_drawn_in_full_at_a_readable_size(screen, lang):
    for q in S.QUESTIONS:
        render(screen, SurveyView("question", q.code, q.question, 9), (800, 480), lang)
        drawn = {t.text: t.size for t in screen.texts}
        assert drawn[q.question_text(lang)] >= 16, q.code
        for label in q.answer_labels(lang):
            assert drawn[label] >= 12, (q.code, label)


def test_a_question_screen_has_four_answers_back_and_cancel(screen):
    render(screen, SurveyView("question", "biaya", 4, 9), (1024, 600))
    by_name = {b.name: b.action for b in screen.buttons}
    assert [by_name[f"answer:{n}"] for n in (1, 2, 3, 4)] == [SurveyInput("answer", str(n)) for n in (1, 2, 3, 4)]
    assert by_name["nav:back"] == SurveyInput("back") and by_name["nav:cancel"] == SurveyInput("cancel")
    texts = [t.text for t in screen.texts]
    assert "Sangat mahal" in texts and "Gratis" in texts
    assert screen.hit(next(b.rect.center for b in screen.buttons if b.name == "answer:4")) == SurveyInput("answer", "4")


def test_the_selected_answer_is_outlined(screen):
    surface = render(screen, SurveyView("question", "waktu", 3, 9, "2"), (1024, 600))
    chosen = next(b.rect for b in screen.buttons if b.name == "answer:2")
    other = next(b.rect for b in screen.buttons if b.name == "answer:3")
    assert surface.get_at((chosen.centerx, chosen.top + 1))[:3] == (255, 213, 79)
    assert surface.get_at((other.centerx, other.top + 1))[:3] != (255, 213, 79)


def test_refusal_screens_say_why_in_plain_words(screen):
    render(screen, SurveyView("refused", reason="already", label="A-012"), (800, 480))
    texts = " | ".join(t.text for t in screen.texts)
    assert "Tiket A-012 sudah mengisi survei" in texts and "satu kali" in texts
    render(screen, SurveyView("refused", reason="not_served", label="B-003"), (800, 480), "en")
    texts = " | ".join(t.text for t in screen.texts)
    assert "Ticket B-003 has not been served yet" in texts


def test_simulated_scanner_key_events_identify_a_ticket():
    pygame.display.init()
    flow = SurveyFlow(type("S", (), {"enabled": True, "timeout": 60.0, "ask_profile": True,
                                     "ask_suggestion": True, "box_interval": 3.0})(), ("A", "B"))
    flow.start(0.0)
    effects = []
    # A USB scanner is a keyboard: one KEYDOWN per character (with Shift for
    # capitals and ':'), then Return.
    for ch in "PTSP1:20250602:A-012":
        key = pygame.key.key_code(ch.lower()) if ch.isalnum() else (pygame.K_MINUS if ch == "-" else
                                                                      pygame.K_SEMICOLON)
        mod = pygame.KMOD_SHIFT if ch.isupper() or ch == ":" else 0
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=ch))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="\r"))
    for event in pygame.event.get(pygame.KEYDOWN):
        survey_input = survey_input_from_key(event)
        assert survey_input is not None
        effects += flow.on_input(survey_input, 1.0)
    assert effects == [CheckSurveyTicket(S.TicketCode("A-012", "2025-06-02", "A", 12))]
    flow.on_result(SurveyTicketChecked("A-012", "", 5), 1.5)
    assert flow.view().step == "question"


def test_keys_that_mean_nothing_to_the_survey_are_ignored():
    pygame.display.init()
    assert survey_input_from_key(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_LSHIFT, mod=0, unicode="")) is None
    assert survey_input_from_key(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_BACKSPACE, mod=0,
                                                    unicode="\b")) == SurveyInput("backspace", "", "key")
    assert survey_input_from_key(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0,
                                                    unicode="\x1b")) == SurveyInput("cancel", "", "key")
    assert survey_input_from_key(pygame.event.Event(pygame.KEYUP, key=pygame.K_a, mod=0)) is None


@pytest.mark.parametrize("size", ALL_SIZES)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_home_screen_with_the_survey_button_fits(size, lang):
    from kiosk.shell.screen import Renderer

    pygame.display.init()
    renderer = Renderer()
    surface = pygame.Surface(size)
    assert renderer.render(surface, view(lang, survey_offered=True)) == "home"
    screen = renderer.screen
    bounds = pygame.Rect((0, 0), size)
    assert [t for t in screen.texts if not t.box.contains(t.used) or not bounds.contains(t.used)] == []
    entry = next(b for b in screen.buttons if b.name == "survey")
    assert entry.action == SurveyInput("start") and min(entry.rect.size) >= MIN_TOUCH
    rects = [b.rect for b in screen.buttons]
    for i, r in enumerate(rects):
        assert r.collidelist(rects[i + 1:]) == -1
    if SHOTS:
        pygame.image.save(surface, os.path.join(SHOTS, f"home_{lang}_{size[0]}x{size[1]}.png"))


def test_a_view_with_a_survey_chooses_the_survey_screen_over_a_call_but_not_over_a_ticket():
    from kiosk.machine.view import choose_screen

    from screen_helpers import ticket

    assert choose_screen(view(survey=SurveyView("identify"), newest_counter=1), (800, 480)) == "survey"
    assert choose_screen(view(survey=SurveyView("identify"), ticket=ticket("done")), (800, 480)) == "ticket"
    assert choose_screen(view(survey_offered=True), (800, 480)) == "home"
