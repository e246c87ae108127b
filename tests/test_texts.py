"""Indonesian number words, dates and the spoken call, independent of the system locale."""
from datetime import datetime

import pytest

from kiosk.core import texts

WORDS = {
    0: "nol", 1: "satu", 10: "sepuluh", 11: "sebelas", 12: "dua belas", 19: "sembilan belas",
    20: "dua puluh", 21: "dua puluh satu", 99: "sembilan puluh sembilan", 100: "seratus",
    101: "seratus satu", 111: "seratus sebelas", 123: "seratus dua puluh tiga",
    999: "sembilan ratus sembilan puluh sembilan", 1000: "seribu", 1001: "seribu satu",
    2024: "dua ribu dua puluh empat",
}


@pytest.mark.parametrize("n", sorted(WORDS))
def test_given_a_number_when_spoken_in_indonesian_then_the_words_are_right(n):
    assert texts.number_words(n) == WORDS[n]


@pytest.mark.parametrize("n", [-1, 1_000_000])
def test_given_a_number_out_of_range_when_spoken_then_it_is_refused(n):
    with pytest.raises(ValueError):
        texts.number_words(n)


def test_given_a_call_of_a_twelve_to_counter_two_when_announced_then_the_sentence_is_exact():
    assert texts.announcement("A", 12, 2) == "Nomor antrian A dua belas, silakan menuju loket dua."


def test_given_english_when_announced_then_digits_and_english_words_are_used():
    assert texts.announcement("B", 105, 3, "en") == "Number B 105, please go to counter 3."


def test_given_a_tuesday_afternoon_when_formatted_in_indonesian_then_day_and_month_are_indonesian():
    assert texts.format_datetime(datetime(2024, 4, 16, 15, 47)) == "Selasa, 16 April 2024 15:47"


@pytest.mark.parametrize("when, expected", [
    (datetime(2025, 8, 17, 9, 5), "Minggu, 17 Agustus 2025 09:05"),
    (datetime(2025, 1, 3, 0, 0), "Jumat, 3 Januari 2025 00:00"),
])
def test_given_other_dates_when_formatted_then_the_indonesian_names_follow_the_calendar(when, expected):
    assert texts.format_datetime(when) == expected


def test_given_a_time_when_formatted_then_indonesian_uses_a_dot_and_english_a_colon():
    when = datetime(2024, 4, 16, 8, 5)

    assert (texts.format_time(when, "id"), texts.format_time(when, "en")) == ("08.05", "08:05")


def test_given_counters_when_phrased_then_the_last_two_are_joined_with_atau():
    assert texts.counters_phrase([1, 2, 3]) == "Loket 1, Loket 2 atau Loket 3"
    assert texts.counters_phrase([2]) == "Loket 2"
    assert texts.counters_phrase([1, 2], "en") == "Counter 1 or Counter 2"


def test_given_a_language_without_a_text_when_asked_then_indonesian_is_the_fallback():
    assert texts.text("quota", "jv") == "Kuota hari ini habis"


def test_given_every_text_when_listed_then_each_has_indonesian_and_english():
    assert all({"id", "en"} <= set(entry) for entry in texts.TEXTS.values())
