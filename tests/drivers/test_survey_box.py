"""The survey box: four GPIO face buttons become SurveyBoxPressed(1..4);
config needs all four pins or none, and they may not clash with other pins."""
import copy

import pytest

from buttons_helpers import BASE, drain, mock_board
from kiosk.core import config
from kiosk.core.errors import ButtonError, ConfigError
from kiosk.core.events import SurveyBoxPressed

BOX = {"box_pin_1": 12, "box_pin_2": 16, "box_pin_3": 20, "box_pin_4": 21}


def with_survey(survey):
    data = copy.deepcopy(BASE)
    data["survey"] = survey
    return config.from_dict(data, "test")


def test_each_face_button_puts_its_score_on_the_queue():
    with mock_board(with_survey(BOX)) as (board, events, factory):
        for n in (4, 1, 3, 2):
            board.press(f"survey {n}")
        assert drain(events) == [SurveyBoxPressed(4), SurveyBoxPressed(1), SurveyBoxPressed(3), SurveyBoxPressed(2)]
        assert {"survey 1", "survey 4"} <= set(board.targets())


def test_a_real_pin_edge_on_face_2_is_score_2():
    with mock_board(with_survey(BOX)) as (board, events, factory):
        pin = factory.pin(16)
        pin.drive_low()
        pin.drive_high()
        assert drain(events) == [SurveyBoxPressed(2)]


def test_without_a_box_there_is_no_survey_button():
    with mock_board(with_survey({})) as (board, events, factory):
        with pytest.raises(ButtonError, match="survey box is not configured"):
            board.press("survey 1")


def test_the_box_needs_all_four_pins():
    with pytest.raises(ConfigError, match="survey.box_pin_3: the survey box needs all four"):
        with_survey({"box_pin_1": 12, "box_pin_2": 16, "box_pin_4": 21})


def test_a_box_pin_already_used_is_refused():
    with pytest.raises(ConfigError, match="survey.box_pin_1: GPIO 5 is already used"):
        with_survey({**BOX, "box_pin_1": 5})


@pytest.mark.parametrize("value", [0, 28, 2 ** 63, -1])
def test_a_box_pin_off_the_header_is_refused(value):
    with pytest.raises(ConfigError, match="survey.box_pin_1"):
        with_survey({**BOX, "box_pin_1": value})


@pytest.mark.parametrize("key, value", [("timeout", 1e400), ("timeout", 5.0), ("timeout", 10 ** 30),
                                        ("box_interval", -1.0), ("enabled", "yes")])
def test_survey_settings_out_of_range_are_refused(key, value):
    with pytest.raises(ConfigError, match=f"survey.{key}"):
        with_survey({key: value})
