"""The announcer: calls rendered and played off the caller's thread, in order, cached,
with the chime, speed, volume, pause and recorded clips as configured. No sound card:
a fake player records the WAV bytes, a fake runner stands in for espeak-ng."""
import array
import io
import threading
import wave

import pytest

from drivers import voice
import drivers.sound as sound
from drivers.sound import FakeAnnouncer, Player, SpeechAnnouncer, open_announcer
from drivers.voice import CallAudio, ClipVoice, VoiceSettings, sentences, wav_seconds
from kiosk.core.config import Display

RATE = voice.SAMPLE_RATE


def tone_wav(seconds, level=8000, rate=RATE, channels=1, lead=0.0):
    """A square-ish tone with ``lead`` seconds of silence before and after."""
    quiet = [0] * int(lead * rate) * channels
    body = [level if (i // 20) % 2 else -level for i in range(int(seconds * rate)) for _ in range(channels)]
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(array.array("h", quiet + body + quiet).tobytes())
    return out.getvalue()


class FakeEspeak:
    """Answers ``espeak-ng --stdout`` with a tone whose length grows with the text."""

    def __init__(self, fail_on=()):
        self.argv = []
        self.fail_on = fail_on

    def __call__(self, argv, **kw):
        self.argv.append(argv)
        text = argv[-1]

        class Done:
            returncode = 1 if text in self.fail_on else 0
            stdout = b"" if text in self.fail_on else tone_wav(0.01 * len(text), lead=0.3)
            stderr = b"bad voice" if text in self.fail_on else b""
        return Done()


class RecordingPlayer(Player):
    def __init__(self, expect=1):
        self.played = []
        self.done = threading.Event()
        self.expect = expect

    def play(self, wav):
        self.played.append(wav)
        if len(self.played) >= self.expect:
            self.done.set()


def audio(runner=None, which=lambda name: "/usr/bin/espeak-ng", **settings):
    return CallAudio(VoiceSettings(**settings), runner=runner or FakeEspeak(), which=which)


def samples(wav):
    with wave.open(io.BytesIO(wav)) as w:
        return array.array("h", w.readframes(w.getnframes()))


def test_the_builtin_chime_is_audible_short_and_never_clipped():
    chime = voice.chime_samples()

    assert 0.6 <= len(chime) / RATE <= 0.9
    assert 10000 < max(abs(s) for s in chime) < 32767


def test_a_call_is_cut_into_sentences_each_spoken_with_the_language_voice_and_speed():
    runner = FakeEspeak()
    audio(runner, speed=130).render("Nomor antrian A dua belas. A dua belas. Silakan menuju loket dua.", "id")

    assert [a[-1] for a in runner.argv] == ["Nomor antrian A dua belas.", "A dua belas.", "Silakan menuju loket dua."]
    assert runner.argv[0][:6] == ["/usr/bin/espeak-ng", "-v", "id", "-s", "130", "--stdout"]


def test_sentences_are_joined_by_the_configured_pause_after_trimmed_silence():
    short = wav_seconds(audio(chime="none", pause=0.2).render("Aa. Bb.", "id"))
    long = wav_seconds(audio(chime="none", pause=1.2).render("Aa. Bb.", "id"))

    assert long - short == pytest.approx(1.0, abs=0.01)
    # Each tone is 0.03 s (3 characters) inside 0.3 s of silence on each side; only tones and pause remain.
    assert short == pytest.approx(0.03 + 0.2 + 0.03, abs=0.005)


def test_the_chime_comes_first_and_can_be_none_builtin_or_a_wav_file(tmp_path):
    (tmp_path / "bell.wav").write_bytes(tone_wav(1.5, rate=44100, channels=2))
    none = wav_seconds(audio(chime="none").render("Aa.", "id"))
    builtin = wav_seconds(audio(chime="builtin").render("Aa.", "id"))
    own = wav_seconds(audio(chime=str(tmp_path / "bell.wav")).render("Aa.", "id"))

    assert builtin - none == pytest.approx(0.8 + voice.CHIME_GAP, abs=0.01)
    assert own - none == pytest.approx(1.5 + voice.CHIME_GAP, abs=0.01)


def test_an_unreadable_chime_file_falls_back_to_the_builtin_chime(tmp_path):
    (tmp_path / "bell.wav").write_bytes(b"RIFF nonsense")

    a = audio(chime=str(tmp_path / "bell.wav"))

    assert a.chime == voice.chime_samples()


def test_volume_scales_every_sample():
    loud = samples(audio(chime="builtin", volume=100).render("Aa.", "id"))
    soft = samples(audio(chime="builtin", volume=25).render("Aa.", "id"))

    assert max(soft) == pytest.approx(max(loud) * 0.25, abs=2)


def test_each_call_text_is_rendered_once_and_a_recall_is_replayed_from_the_cache():
    runner = FakeEspeak()
    a = audio(runner)
    first = a.render("A dua belas.", "id")
    again = a.render("A dua belas.", "id")
    english = a.render("A dua belas.", "en")

    assert first == again and english
    assert [argv[2] for argv in runner.argv] == ["id", "en"]  # one synthesis per text and language


def test_a_failing_synthesiser_leaves_the_chime_and_the_other_sentences():
    runner = FakeEspeak(fail_on={"Bb."})
    wav = audio(runner, chime="none", pause=0.0).render("Aa. Bb. Cc.", "id")

    assert wav_seconds(wav) == pytest.approx(0.03 + 0.03, abs=0.005)


def test_without_espeak_ng_a_call_is_chimed_only():
    wav = audio(which=lambda name: None).render("Nomor antrian A satu.", "id")

    assert wav_seconds(wav) == pytest.approx(0.8, abs=0.01)


def make_clips(folder, words, language=None):
    target = folder / language if language else folder
    target.mkdir(parents=True, exist_ok=True)
    for word in words:
        (target / f"{word}.wav").write_bytes(tone_wav(0.1, lead=0.2))


def test_recorded_clips_are_assembled_word_by_word_instead_of_synthesis(tmp_path):
    make_clips(tmp_path, ["nomor", "antrian", "a", "dua", "belas", "silakan", "menuju", "loket"])
    runner = FakeEspeak()
    a = audio(runner, clips=str(tmp_path), chime="none", pause=0.5)

    wav = a.render("Nomor antrian A 12. Silakan menuju loket dua.", "id")

    assert runner.argv == []  # nothing synthesised
    # 5 words + 4 words, 0.1 s each after trimming, one pause.
    assert wav_seconds(wav) == pytest.approx(9 * 0.1 + 0.5, abs=0.01)


def test_english_clips_come_from_the_en_folder_and_numbers_are_said_as_words(tmp_path):
    make_clips(tmp_path, ["number", "a", "twelve", "please", "go", "to", "counter", "two"], "en")

    assert ClipVoice(tmp_path).words("Number, A, 12.", "en") == ["number", None, "a", None, "twelve"]
    assert ClipVoice(tmp_path).missing("Number, A, 12. Please go to counter 2.", "en") == []


def test_a_missing_clip_makes_the_call_synthesised_and_names_the_word(tmp_path, caplog):
    make_clips(tmp_path, ["nomor", "antrian", "a"])
    runner = FakeEspeak()
    audio(runner, clips=str(tmp_path)).render("Nomor antrian A dua.", "id")

    assert len(runner.argv) == 1
    assert "dua" in caplog.text


def test_the_sentence_splitter_keeps_commas_inside_a_sentence():
    assert sentences("Number, A, 12. A, 12. Please go to counter 2.") == [
        "Number, A, 12.", "A, 12.", "Please go to counter 2."]


def test_the_announcer_plays_calls_in_order_off_the_callers_thread():
    player = RecordingPlayer(expect=2)
    a = SpeechAnnouncer(audio=audio(chime="none"), player=player)
    caller = threading.current_thread()
    a.announce("Aa.", "id")
    a.announce("Bbbbbbbbbbbbbbbbb.", "id")

    assert player.done.wait(5)
    a.close()
    assert wav_seconds(player.played[0]) < wav_seconds(player.played[1])
    assert a._thread is not caller


def test_one_failing_call_does_not_stop_the_next():
    class Flaky(RecordingPlayer):
        def play(self, wav):
            if not self.played and not getattr(self, "failed", False):
                self.failed = True
                raise OSError("sound card gone")
            super().play(wav)

    player = Flaky()
    a = SpeechAnnouncer(audio=audio(chime="none"), player=player)
    a.announce("One.")
    a.announce("Two.")

    assert player.done.wait(5)
    a.close()
    assert len(player.played) == 1


def test_announcements_switched_off_in_config_make_no_sound():
    assert isinstance(open_announcer(Display(announce=False)), FakeAnnouncer)


def test_voice_settings_come_from_the_display_section():
    s = VoiceSettings.from_display(Display(chime="none", voice_speed=120, voice_volume=70, voice_pause=0.8,
                                           voice_clips="/srv/clips"))

    assert (s.chime, s.speed, s.volume, s.pause, s.clips) == ("none", 120, 70, 0.8, "/srv/clips")


def test_open_announcer_plays_through_the_sound_card_driver(monkeypatch):
    # SDL's dummy audio driver (conftest) stands in for the sound card.
    played = threading.Event()
    real_play = sound.PygamePlayer.play
    monkeypatch.setattr(sound.PygamePlayer, "play", lambda self, wav: (real_play(self, wav), played.set()))
    a = open_announcer(Display(chime="builtin", voice="none", voice_volume=10))
    a.announce("Nomor antrian A satu.", "id")

    assert played.wait(10)
    a.close()


def test_with_chime_and_voice_off_nothing_is_played():
    player = RecordingPlayer()
    a = SpeechAnnouncer(audio=audio(chime="none", which=lambda name: None), player=player)
    a.announce("Aa.")
    a.close()

    assert player.played == []


def test_control_characters_never_reach_the_speech_program():
    runner = FakeEspeak()
    audio(runner).render("Nomor\x00 antrian\x1b[2J A satu.", "id")

    assert runner.argv and all(ch >= " " for argv in runner.argv for ch in argv[-1])
