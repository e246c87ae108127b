"""The kiosk machine delegates to the survey flow: start from home, the survey
wins the screen over a fresh call, timeouts go home, the box records apart."""
import pytest

from core_helpers import make_config
from kiosk.core import events as E
from kiosk.machine.effects import WakeSync
from kiosk.machine.survey_flow import CheckSurveyTicket, RecordBoxRating, SaveSurveyResponse
from kiosk.machine.view import choose_screen



@pytest.fixture
def cfg(tmp_path):
    """The survey enabled (the machine's ``kiosk`` fixture in conftest.py uses this config)."""
    return make_config(tmp_path / "k.db", lambda d: d.update(survey={"enabled": True, "timeout": 30.0}))


def screen(d, size=(800, 480)):
    return choose_screen(d.machine.view(d.at), size)


def test_the_home_screen_offers_the_survey_only_when_enabled(kiosk, tmp_path):
    assert kiosk.machine.view(kiosk.at).survey_offered
    plain = type(kiosk)(make_config(tmp_path / "p.db"))  # the conftest's Driver, survey off
    assert not plain.machine.view(plain.at).survey_offered
    plain.send(E.SurveyInput("start"))
    assert screen(plain) == "home"


def test_a_whole_survey_through_the_machine(kiosk):
    kiosk.send(E.SurveyInput("start"))
    assert screen(kiosk) == "survey"
    for ch in "A1":
        kiosk.send(E.SurveyInput("char", ch))
    kiosk.send(E.SurveyInput("enter"))
    (check,) = kiosk.of(CheckSurveyTicket)
    assert check.code.label == "A-001"
    kiosk.send(E.SurveyTicketChecked("A-001", "", 11))
    for action in ["answer"] * 9 + ["skip"] * 4 + ["skip"]:  # nine answers, no profile, no suggestion
        kiosk.advance(1.0)  # people take a moment per screen
        kiosk.send(E.SurveyInput(action, "4" if action == "answer" else ""))
    (save,) = kiosk.of(SaveSurveyResponse)
    assert save.ticket_id == 11
    assert WakeSync() in kiosk.send(E.SurveySaved(""))
    assert kiosk.machine.view(kiosk.at).survey.step == "thanks"
    kiosk.advance(8.0)
    assert screen(kiosk) == "home"


def test_a_scanner_on_the_home_screen_opens_the_survey_and_keeps_its_text(kiosk):
    for ch in "PTSP1:20250616:A-001":
        kiosk.send(E.SurveyInput("char", ch, "key"))
    kiosk.send(E.SurveyInput("enter", "", "key"))
    (check,) = kiosk.of(CheckSurveyTicket)
    assert (check.code.day, check.code.label) == ("2025-06-16", "A-001")


def test_a_tap_that_is_not_start_does_not_open_the_survey(kiosk):
    kiosk.send(E.SurveyInput("answer", "4"))
    kiosk.send(E.SurveyInput("char", "7", "touch"))
    assert screen(kiosk) == "home"


def test_a_call_does_not_take_the_screen_from_a_visitor_answering(kiosk):
    kiosk.send(E.SurveyInput("start"))
    kiosk.call(1)
    assert screen(kiosk) == "survey"


def test_the_idle_timeout_returns_home_and_bumps_the_view(kiosk):
    kiosk.send(E.SurveyInput("start"))
    version = kiosk.machine.version
    kiosk.advance(29.0)
    assert screen(kiosk) == "survey"
    kiosk.advance(1.0)
    assert screen(kiosk) == "home" and kiosk.machine.version > version


def test_survey_box_presses_are_recorded_apart(kiosk):
    assert kiosk.send(E.SurveyBoxPressed(3))[:2] == [RecordBoxRating(3), WakeSync()]
    assert kiosk.of(RecordBoxRating) == [RecordBoxRating(3)]
    kiosk.send(E.SurveyBoxPressed(3))  # within box_interval: one visitor, one vote
    assert kiosk.of(RecordBoxRating) == []
    assert screen(kiosk) == "home"
