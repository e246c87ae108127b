"""Announcements: the chime is made in code, the voice is espeak-ng, off the main loop."""
import io
import threading
import wave

import drivers.sound as sound
from drivers.sound import FakeAnnouncer, SpeechAnnouncer, chime_wav, open_announcer
from kiosk.core.config import Display


def test_the_chime_is_a_valid_audible_wav_of_about_a_second():
    with wave.open(io.BytesIO(chime_wav())) as w:
        seconds = w.getnframes() / w.getframerate()
        frames = w.readframes(w.getnframes())
    assert 0.5 < seconds < 1.5
    samples = [int.from_bytes(frames[i:i + 2], "little", signed=True) for i in range(0, len(frames), 2)]
    assert max(abs(s) for s in samples) > 10000  # loud enough to hear in a lobby
    assert max(abs(s) for s in samples) < 32767  # and never clipped


def test_the_call_is_spoken_with_the_indonesian_voice(monkeypatch):
    monkeypatch.setattr(sound.shutil, "which", lambda name: "/usr/bin/espeak-ng")
    spoken = []
    done = threading.Event()

    def runner(argv, **kw):
        spoken.append(argv)
        done.set()

    a = SpeechAnnouncer("espeak-ng", chime=False, runner=runner)
    a.announce("Nomor antrian A dua belas, silakan menuju loket dua.", "id")
    assert done.wait(5)
    a.close()
    assert spoken == [["/usr/bin/espeak-ng", "-v", "id", "-s", "140",
                       "Nomor antrian A dua belas, silakan menuju loket dua."]]


def test_a_failing_speech_program_does_not_stop_later_announcements(monkeypatch):
    monkeypatch.setattr(sound.shutil, "which", lambda name: "/usr/bin/espeak-ng")
    calls = []
    second = threading.Event()

    def runner(argv, **kw):
        calls.append(argv[-1])
        if len(calls) == 1:
            raise OSError("espeak-ng crashed")
        second.set()

    a = SpeechAnnouncer("espeak-ng", chime=False, runner=runner)
    a.announce("one")
    a.announce("two")
    assert second.wait(5)
    a.close()
    assert calls == ["one", "two"]


def test_without_espeak_ng_nothing_is_run(monkeypatch):
    monkeypatch.setattr(sound.shutil, "which", lambda name: None)
    ran = []
    a = SpeechAnnouncer("espeak-ng", chime=False, runner=lambda argv, **kw: ran.append(argv))
    a.announce("Nomor antrian A satu")
    a.close()
    assert ran == []


def test_announcements_switched_off_in_config_make_no_sound():
    a = open_announcer(Display(announce=False))
    assert isinstance(a, FakeAnnouncer)
