"""The survey flow as a pure machine: identify, nine questions, respondent
fields, suggestion, save; back, cancel, timeouts; nothing saved when abandoned."""
import itertools
from dataclasses import dataclass

import pytest

from kiosk.core import events as E
from kiosk.core import survey as S
from kiosk.machine.effects import WakeSync
from kiosk.machine.survey_flow import (SETTLE_SECONDS, THANKS_SECONDS, CheckSurveyTicket, RecordBoxRating,
                                       SaveSurveyResponse, SurveyFlow)


@dataclass(frozen=True)
class Settings:
    enabled: bool = True
    timeout: float = 60.0
    ask_profile: bool = True
    ask_suggestion: bool = True
    box_interval: float = 3.0


class Visitor:
    """Drives a flow; every tap comes one second after the one before."""

    def __init__(self, **settings):
        self.flow = SurveyFlow(Settings(**settings), prefixes=("A", "B"))
        self.clock = itertools.count(1.0)
        self.now = 0.0
        self.flow.start(self.now)

    def tick(self):
        self.now = float(next(self.clock))
        return self.now

    def tap(self, action, value="", source="touch"):
        return self.flow.on_input(E.SurveyInput(action, value, source), self.tick())

    def result(self, event):
        return self.flow.on_result(event, self.tick())

    def typed(self, text, source="scanner"):
        out = []
        now = self.tick()
        for ch in text:  # a scanner types a whole code within one moment
            out += self.flow.on_input(E.SurveyInput("char", ch, source), now)
        return out + self.flow.on_input(E.SurveyInput("enter", "", source), now)

    def accepted(self, ticket_id=7):
        (check,) = self.typed("A12")
        self.result(E.SurveyTicketChecked(check.code.label, "", ticket_id))
        return self

    def answer_all(self, scores):
        out = []
        for score in scores:
            out += self.tap("answer", str(score))
        return out

    @property
    def view(self):
        return self.flow.view()


def test_a_scanned_qr_becomes_a_ticket_check():
    v = Visitor()
    (effect,) = v.typed("PTSP1:20250602:A-012")
    assert effect == CheckSurveyTicket(S.TicketCode("A-012", "2025-06-02", "A", 12))
    assert v.view.step == "checking"


def test_keypad_digits_before_a_scan_do_not_spoil_it():
    v = Visitor()
    v.tap("char", "7")
    (effect,) = v.typed("PTSP1:20250602:B-003")
    assert effect.code.label == "B-003"


def test_unreadable_input_is_refused_politely_and_can_be_retried():
    v = Visitor()
    assert v.typed("HELLO") == []
    assert v.view.step == "refused" and v.view.reason == "unreadable"
    v.tap("retry")
    assert v.view.step == "identify" and v.view.entry == ""


def test_backspace_and_keypad_letters():
    v = Visitor()
    for ch in "a1x":
        v.tap("char", ch)
    v.tap("backspace")
    assert v.view.entry == "A1"
    assert v.view.keys == ("A", "B")


@pytest.mark.parametrize("reason", ["unknown", "not_served", "other_day", "already", "disabled"])
def test_a_refused_ticket_shows_why(reason):
    v = Visitor()
    v.typed("A12")
    v.result(E.SurveyTicketChecked("A-012", reason, None))
    assert v.view.step == "refused" and v.view.reason == reason and v.view.label == "A-012"


def test_questions_come_in_the_questionnaire_order_and_the_full_path_saves_once():
    v = Visitor().accepted()
    seen = []
    for i in range(9):
        assert v.view.step == "question" and v.view.position == i + 1 and v.view.total == 9
        seen.append(v.view.item)
        v.tap("answer", str(i % 4 + 1))
    # Q8 is sarana, Q9 pengaduan (the sample questionnaire), unlike the scope list.
    assert seen == ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
                    "sarana", "pengaduan"]
    for value in ("30-39", "P", None, "SWASTA"):
        assert v.view.step == "profile"
        v.tap("option", value) if value else v.tap("skip")
    assert v.view.step == "suggestion"
    for ch in "Ruang tunggu\x00 panas":
        v.tap("char", ch)
    (save,) = v.tap("done")
    assert isinstance(save, SaveSurveyResponse) and save.ticket_id == 7
    assert save.response.answers["sarana"] == 4 and save.response.answers["pengaduan"] == 1
    assert save.response.profile == {"age": "30-39", "sex": "P", "education": None, "occupation": "SWASTA"}
    assert save.response.suggestion == "Ruang tunggu panas"
    assert v.view.step == "saving"
    assert v.tap("done") == []  # a second tap saves nothing more
    assert v.result(E.SurveySaved("")) == [WakeSync()]  # the response goes upstream soon
    assert v.view.step == "thanks"
    v.flow.on_tick(v.now + THANKS_SECONDS)
    assert not v.flow.active and v.view is None


def test_a_double_tap_answers_one_question_not_two():
    v = Visitor().accepted()
    v.tap("answer", "4")
    assert v.view.position == 2
    v.flow.on_input(E.SurveyInput("answer", "4"), v.now + SETTLE_SECONDS / 2)  # the same finger again
    assert v.view.position == 2 and v.view.selected is None
    v.flow.on_input(E.SurveyInput("answer", "3"), v.now + SETTLE_SECONDS)
    assert v.view.position == 3


def test_back_returns_to_the_previous_question_with_its_answer_selected():
    v = Visitor().accepted()
    v.answer_all([3, 2])
    v.tap("back")
    assert v.view.item == "prosedur" and v.view.selected == "2"
    v.tap("back")
    v.tap("back")
    assert v.view.step == "identify"


def test_back_from_the_first_profile_field_returns_to_the_last_question():
    v = Visitor().accepted()
    v.answer_all([4] * 9)
    v.tap("back")
    assert v.view.step == "question" and v.view.item == "pengaduan" and v.view.selected == "4"


def test_an_unknown_profile_value_or_answer_is_ignored():
    v = Visitor().accepted()
    v.tap("answer", "5")
    v.tap("answer", "0")
    assert v.view.position == 1
    v.answer_all([4] * 9)
    v.tap("option", "150")
    assert v.view.item == "age"


def test_without_profile_and_suggestion_the_last_answer_saves():
    v = Visitor(ask_profile=False, ask_suggestion=False).accepted()
    v.answer_all([4] * 8)
    (save,) = v.tap("answer", "4")
    assert save.response.profile == dict.fromkeys(S.PROFILE_CODES) and save.response.suggestion == ""


def test_cancel_anywhere_abandons_and_nothing_is_saved():
    v = Visitor().accepted()
    v.answer_all([4] * 5)
    assert v.tap("cancel") == []
    assert not v.flow.active


def test_idle_timeout_goes_home_and_saves_nothing():
    v = Visitor(timeout=30.0).accepted()
    v.answer_all([4] * 9)
    assert v.flow.on_tick(v.now + 29.9) == [] and v.flow.active
    assert v.flow.on_tick(v.now + 30.0) == [] and not v.flow.active
    assert v.tap("answer", "4") == []  # a late answer after the timeout does nothing


def test_a_race_with_another_answer_ends_on_the_already_screen():
    v = Visitor(ask_profile=False, ask_suggestion=False).accepted()
    v.answer_all([4] * 9)
    v.result(E.SurveySaved("already"))
    assert v.view.step == "refused" and v.view.reason == "already"


def test_a_storage_failure_shows_the_sorry_screen_then_home():
    v = Visitor(ask_profile=False, ask_suggestion=False).accepted()
    v.answer_all([4] * 9)
    v.result(E.SurveySaved("not saved: disk full"))
    assert v.view.step == "failed"
    v.flow.on_tick(v.now + 20.0)
    assert not v.flow.active


def test_disabled_survey_never_starts():
    f = SurveyFlow(Settings(enabled=False))
    f.start(0.0)
    assert not f.active


def test_results_out_of_step_are_ignored():
    v = Visitor()
    v.result(E.SurveyTicketChecked("A-012", "", 3))
    assert v.view.step == "identify"


def test_suggestion_is_bounded():
    v = Visitor(ask_profile=False).accepted()
    v.answer_all([4] * 9)
    for _ in range(S.SUGGESTION_MAX + 50):
        v.tap("char", "x")
    assert len(v.view.entry) == S.SUGGESTION_MAX


def test_survey_box_counts_one_press_per_interval():
    f = SurveyFlow(Settings(box_interval=3.0))
    assert f.box_pressed(E.SurveyBoxPressed(4), 10.0) == [RecordBoxRating(4), WakeSync()]
    assert f.box_pressed(E.SurveyBoxPressed(1), 12.9) == []
    assert f.box_pressed(E.SurveyBoxPressed(1), 13.0) == [RecordBoxRating(1), WakeSync()]
    assert f.box_pressed(E.SurveyBoxPressed(7), 20.0) == []
