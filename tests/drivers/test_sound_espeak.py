"""The spoken call with the real espeak-ng (installed by .ci/run): the phrase per
language, what espeak actually pronounces (``espeak-ng -x`` phonemes), and a
call rendered to WAV whose duration is measured with the wave module."""
import shutil
import subprocess

import pytest

from drivers.voice import CallAudio, VoiceSettings, wav_seconds
from kiosk.core import texts

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt install espeak-ng)")


def phonemes(text, language):
    done = subprocess.run([ESPEAK, "-q", "-x", "-v", language, "--", text], capture_output=True, text=True,
                          timeout=30, check=True)
    return done.stdout.split()


def test_the_indonesian_call_says_the_number_twice_in_words():
    assert texts.announcement("A", 12, 2, "id") == "Nomor antrian A dua belas. A dua belas. Silakan menuju loket dua."


def test_the_english_call_sets_the_letter_apart_and_says_the_number_twice():
    assert texts.announcement("A", 12, 2, "en") == "Number, A, 12. A, 12. Please go to counter 2."


@pytest.mark.parametrize("n, words", [(12, "twelve"), (105, "one hundred five"), (40, "forty"),
                                      (2024, "two thousand twenty-four")])
def test_english_number_words_for_recorded_clips(n, words):
    assert texts.spoken_number(n, "en") == words


@needs_espeak
def test_english_reads_the_letter_a_as_a_letter_not_as_the_article():
    said = phonemes(texts.announcement("A", 12, 2, "en"), "en")

    assert said[:3] == ["n'Vmb3", "'eI", "tw'Elv"]
    assert "a#" not in said and "@" not in said[:4]  # the article would be "a#" / schwa
    assert said.count("tw'Elv") == 2  # the number twice


@needs_espeak
def test_the_old_english_phrase_really_did_read_a_as_the_article():
    # Guards the guard: without the commas espeak says "uh twelve".
    assert "a#" in phonemes("Number A 12, please go to counter 2.", "en")


@needs_espeak
def test_indonesian_says_the_letter_and_dua_belas_twice():
    said = phonemes(texts.announcement("B", 12, 2, "id"), "id")

    assert said[:3] == ["n'omOR", "antR2'ian", "b'e"]
    assert " ".join(said).count("d'ua b'Elas") == 2
    assert said[-2:] == ["l'ok@t", "d'ua"]


@needs_espeak
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_call_renders_to_a_wav_within_seven_seconds_at_the_default_speed(language):
    audio = CallAudio(VoiceSettings())
    wav = audio.render(texts.announcement("A", 12, 2, language), language)

    seconds = wav_seconds(wav)
    assert 3.0 < seconds <= 7.0, seconds  # chime + number twice + counter, with pauses
    assert audio.render(texts.announcement("A", 12, 2, language), language) is wav  # cached
