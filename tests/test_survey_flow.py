"""The survey flow as a pure machine: identify, nine questions, respondent
fields, suggestion, save; back, cancel, timeouts; nothing saved when abandoned."""
from dataclasses import dataclass

import pytest

from kiosk.core import events as E
from kiosk.core import survey as S
from kiosk.machine.survey_flow import (THANKS_SECONDS, CheckSurveyTicket, RecordBoxRating, SaveSurveyResponse,
                                       SurveyFlow)


@dataclass(frozen=True)
class Settings:
    enabled: bool = True
    timeout: float = 60.0
    ask_profile: bool = True
    ask_suggestion: bool = True
    box_interval: float = 3.0


def flow(**kw):
    f = SurveyFlow(Settings(**kw), prefixes=("A", "B"))
    f.start(0.0)
    return f


def typed(f, text, now=1.0, source="scanner"):
    out = []
    for ch in text:
        out += f.on_input(E.SurveyInput("char", ch, source), now)
    return out + f.on_input(E.SurveyInput("enter", "", source), now)


def accepted(f, now=2.0, ticket_id=7):
    (check,) = typed(f, "A12", now)
    f.on_result(E.SurveyTicketChecked(check.code.label, "", ticket_id), now)
    return f


def answer_all(f, scores, now=3.0):
    for score in scores:
        f.on_input(E.SurveyInput("answer", str(score)), now)


def test_a_scanned_qr_becomes_a_ticket_check():
    f = flow()
    (effect,) = typed(f, "PTSP1:20250602:A-012")
    assert effect == CheckSurveyTicket(S.TicketCode("A-012", "2025-06-02", "A", 12))
    assert f.view().step == "checking"


def test_keypad_digits_after_a_scan_do_not_spoil_it():
    f = flow()
    f.on_input(E.SurveyInput("char", "7"), 1.0)
    (effect,) = typed(f, "PTSP1:20250602:B-003")
    assert effect.code.label == "B-003"


def test_unreadable_input_is_refused_politely_and_can_be_retried():
    f = flow()
    assert typed(f, "HELLO") == []
    assert f.view().step == "refused" and f.view().reason == "unreadable"
    f.on_input(E.SurveyInput("retry"), 2.0)
    assert f.view().step == "identify" and f.view().entry == ""


def test_backspace_and_keypad_letters():
    f = flow()
    for ch in "a1x":
        f.on_input(E.SurveyInput("char", ch), 1.0)
    f.on_input(E.SurveyInput("backspace"), 1.0)
    assert f.view().entry == "A1"
    assert f.view().keys == ("A", "B")


@pytest.mark.parametrize("reason", ["unknown", "not_served", "other_day", "already"])
def test_a_refused_ticket_shows_why(reason):
    f = flow()
    typed(f, "A12")
    f.on_result(E.SurveyTicketChecked("A-012", reason, None), 2.0)
    assert f.view().step == "refused" and f.view().reason == reason


def test_questions_come_in_the_questionnaire_order_and_the_full_path_saves_once():
    f = accepted(flow())
    seen = []
    for i in range(9):
        v = f.view()
        assert v.step == "question" and v.position == i + 1 and v.total == 9
        seen.append(v.item)
        f.on_input(E.SurveyInput("answer", str(i % 4 + 1)), 3.0)
    # Q8 is sarana, Q9 pengaduan (the sample questionnaire), unlike the scope list.
    assert seen == ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
                    "sarana", "pengaduan"]
    for value in ("30-39", "P", None, "SWASTA"):
        assert f.view().step == "profile"
        f.on_input(E.SurveyInput("option", value) if value else E.SurveyInput("skip"), 4.0)
    assert f.view().step == "suggestion"
    for ch in "Ruang tunggu\x00 panas":
        f.on_input(E.SurveyInput("char", ch, "touch"), 5.0)
    (save,) = f.on_input(E.SurveyInput("done"), 5.0)
    assert isinstance(save, SaveSurveyResponse) and save.ticket_id == 7
    assert save.response.answers["sarana"] == 4 and save.response.answers["pengaduan"] == 1
    assert save.response.profile == {"age": "30-39", "sex": "P", "education": None, "occupation": "SWASTA"}
    assert save.response.suggestion == "Ruang tunggu panas"
    assert f.view().step == "saving"
    assert f.on_input(E.SurveyInput("done"), 5.1) == []  # a second tap saves nothing more
    f.on_result(E.SurveySaved(""), 5.2)
    assert f.view().step == "thanks"
    f.on_tick(5.2 + THANKS_SECONDS)
    assert not f.active and f.view() is None


def test_back_returns_to_the_previous_question_with_its_answer_selected():
    f = accepted(flow())
    answer_all(f, [3, 2])
    f.on_input(E.SurveyInput("back"), 3.0)
    assert f.view().item == "prosedur" and f.view().selected == "2"
    f.on_input(E.SurveyInput("back"), 3.0)
    f.on_input(E.SurveyInput("back"), 3.0)
    assert f.view().step == "identify"


def test_back_from_the_first_profile_field_returns_to_the_last_question():
    f = accepted(flow())
    answer_all(f, [4] * 9)
    f.on_input(E.SurveyInput("back"), 4.0)
    assert f.view().step == "question" and f.view().item == "pengaduan" and f.view().selected == "4"


def test_an_unknown_profile_value_or_answer_is_ignored():
    f = accepted(flow())
    f.on_input(E.SurveyInput("answer", "5"), 3.0)
    f.on_input(E.SurveyInput("answer", "0"), 3.0)
    assert f.view().position == 1
    answer_all(f, [4] * 9)
    f.on_input(E.SurveyInput("option", "150"), 4.0)
    assert f.view().item == "age"


def test_without_profile_and_suggestion_the_last_answer_saves():
    f = accepted(flow(ask_profile=False, ask_suggestion=False))
    answer_all(f, [4] * 8)
    (save,) = f.on_input(E.SurveyInput("answer", "4"), 3.0)
    assert save.response.profile == dict.fromkeys(S.PROFILE_CODES) and save.response.suggestion == ""


def test_cancel_anywhere_abandons_and_nothing_is_saved():
    f = accepted(flow())
    answer_all(f, [4] * 5)
    assert f.on_input(E.SurveyInput("cancel"), 3.0) == []
    assert not f.active


def test_idle_timeout_goes_home_and_saves_nothing():
    f = accepted(flow(timeout=30.0), now=2.0)
    answer_all(f, [4] * 9, now=3.0)
    assert f.on_tick(32.9) == [] and f.active
    assert f.on_tick(33.0) == [] and not f.active
    # A late answer after the timeout does nothing.
    assert f.on_input(E.SurveyInput("answer", "4"), 34.0) == []


def test_a_race_with_another_answer_ends_on_the_already_screen():
    f = accepted(flow(ask_profile=False, ask_suggestion=False))
    answer_all(f, [4] * 9)
    f.on_result(E.SurveySaved("already"), 4.0)
    assert f.view().step == "refused" and f.view().reason == "already"


def test_a_storage_failure_shows_the_sorry_screen_then_home():
    f = accepted(flow(ask_profile=False, ask_suggestion=False))
    answer_all(f, [4] * 9)
    f.on_result(E.SurveySaved("not saved: disk full"), 4.0)
    assert f.view().step == "failed"
    f.on_tick(4.0 + 20.0)
    assert not f.active


def test_disabled_survey_never_starts():
    f = SurveyFlow(Settings(enabled=False))
    f.start(0.0)
    assert not f.active


def test_results_out_of_step_are_ignored():
    f = flow()
    f.on_result(E.SurveyTicketChecked("A-012", "", 3), 1.0)
    assert f.view().step == "identify"


def test_suggestion_is_bounded():
    f = accepted(flow(ask_profile=False))
    answer_all(f, [4] * 9)
    for _ in range(S.SUGGESTION_MAX + 50):
        f.on_input(E.SurveyInput("char", "x"), 4.0)
    assert len(f.view().entry) == S.SUGGESTION_MAX


def test_survey_box_counts_one_press_per_interval():
    f = SurveyFlow(Settings(box_interval=3.0))
    assert f.box_pressed(E.SurveyBoxPressed(4), 10.0) == [RecordBoxRating(4)]
    assert f.box_pressed(E.SurveyBoxPressed(1), 12.9) == []
    assert f.box_pressed(E.SurveyBoxPressed(1), 13.0) == [RecordBoxRating(1)]
    assert f.box_pressed(E.SurveyBoxPressed(7), 20.0) == []
