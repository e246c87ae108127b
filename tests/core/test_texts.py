"""Indonesian number words, dates and the spoken call, independent of the system locale."""
import dataclasses
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


def test_given_a_call_of_a_twelve_to_counter_two_when_announced_then_the_number_is_said_twice():
    assert texts.announcement("A", 12, 2) == "Nomor antrian A dua belas. A dua belas. Silakan menuju loket dua."


def test_given_english_when_announced_then_the_letter_stands_apart_and_digits_are_used():
    assert texts.announcement("B", 105, 3, "en") == "Number, B, 105. B, 105. Please go to counter 3."


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
    nb = texts.NBSP
    assert texts.counters_phrase([1, 2, 3]) == f"Loket{nb}1, Loket{nb}2 atau Loket{nb}3"
    assert texts.counters_phrase([2]) == f"Loket{nb}2"
    assert texts.counters_phrase([1, 2], "en") == f"Counter{nb}1 or Counter{nb}2"


def test_given_a_wait_when_written_then_the_minutes_stay_with_their_number():
    assert texts.text("wait", "id", m=25).endswith(f"25{texts.NBSP}menit")
    assert texts.text("wait_short", "en").endswith(f"<{texts.NBSP}5{texts.NBSP}min")


def test_given_a_language_without_a_text_when_asked_then_indonesian_is_the_fallback():
    assert texts.text("quota", "jv") == "Kuota hari ini habis"


def test_given_every_text_when_listed_then_each_has_indonesian_and_english():
    assert all({"id", "en"} <= set(entry) for entry in texts.TEXTS.values())


def test_given_every_screen_text_when_shown_then_a_sentence_starts_with_a_capital():
    from kiosk.core import screen_texts

    for key, entry in list(screen_texts.TEXTS.items()) + list(texts.TEXTS.items()):
        for language, value in entry.items():
            first = next((ch for ch in value if ch.isalpha() or ch == "{"), "")
            fragment = key == "or" or key.startswith("help_")  # joined into other sentences
            assert first == "{" or not first.islower() or fragment, (key, language, value)


def test_given_a_counter_without_a_call_when_shown_then_it_says_no_call_yet():
    from kiosk.core import screen_texts

    assert screen_texts.text("no_call", "id") == "Belum ada panggilan"
    assert screen_texts.text("no_call", "en") == "No call yet"


def test_given_a_failed_print_when_shown_then_the_visitor_is_told_what_to_do():
    from kiosk.core import screen_texts

    assert screen_texts.text("print_failed_advice", "id") == "Silakan ambil tiket lagi atau hubungi petugas"
    assert "A-001" in screen_texts.text("ticket_void", "id", label="A-001")


def test_given_a_counter_name_when_asked_per_language_then_loket_becomes_counter_in_english():
    from kiosk.core import config

    cfg = config.load_demo()  # names its counters "Loket 1", "Loket 2", ...
    first = cfg.counters[0]
    custom = dataclasses.replace(first, name="Loket Kunjungan")
    both = dataclasses.replace(first, name="Loket Kunjungan", name_en="Visits desk")

    assert cfg.counter_name(first, "en") == "Counter 1"
    assert cfg.counter_name(first, "id") == "Loket 1"
    assert (cfg.counter_name(custom, "en"), cfg.counter_name(both, "en")) == ("Loket Kunjungan", "Visits desk")


def test_given_the_english_device_language_when_no_language_is_passed_then_it_is_used():
    from kiosk.core import config
    from kiosk.core.ticket_content import with_language

    cfg = with_language(config.load_demo(), "en")

    assert cfg.counter_name(cfg.counters[1]) == "Counter 2"


def test_given_a_footer_per_language_then_english_tickets_never_fall_back_to_indonesian():
    assert texts.footer_lines(["Terima kasih"], [], "en") == texts.FOOTER["en"]
    assert texts.footer_lines(["Terima kasih"], ["Thanks"], "en") == ("Thanks",)
    assert texts.footer_lines(["Terima kasih"], ["Thanks"], "id") == ("Terima kasih",)
