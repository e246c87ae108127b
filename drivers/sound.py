"""Call announcements: a chime, then the number spoken aloud.

"Ding-dong, Nomor antrian A dua belas, silakan menuju loket dua."

- The chime is generated in code (two decaying sine tones written as a WAV in
  memory) and played with pygame.mixer: no sound file to ship or lose.
- The voice is espeak-ng (``-v id`` / ``-v en``) run as a subprocess when it
  is installed; a Pi image without it still chimes.
- Everything runs in one worker thread, in call order, so the main loop never
  waits for audio and two calls never talk over each other.

``FakeAnnouncer`` records what it would say, for tests and silent demos.
"""
import abc
import io
import logging
import math
import queue
import shutil
import struct
import subprocess
import threading
import wave

log = logging.getLogger(__name__)

SAMPLE_RATE = 22050
VOICES = {"id": "id", "en": "en"}
MAX_PENDING = 8  # calls waiting to be spoken; beyond this the oldest are dropped
SPEECH_TIMEOUT = 30.0


def chime_wav(sample_rate=SAMPLE_RATE):
    """A two-tone chime (E5 then C5, 0.45 s each, soft decay) as WAV bytes (16-bit mono)."""
    frames = bytearray()
    for freq in (659.25, 523.25):
        n = int(sample_rate * 0.45)
        for i in range(n):
            t = i / sample_rate
            envelope = math.exp(-4.0 * t) * min(1.0, i / (0.01 * sample_rate))
            # A touch of the octave makes it sound like a bell, not a test tone.
            value = envelope * (0.75 * math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t))
            frames += struct.pack("<h", int(value * 0.6 * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(bytes(frames))
    return out.getvalue()


class Announcer(abc.ABC):
    """Interface: ``announce(text, language)`` returns at once; ``close()`` stops."""

    @abc.abstractmethod
    def announce(self, text, language="id"):
        """Queue ``text`` to be chimed and spoken; must not block the caller."""

    def close(self):
        pass


class FakeAnnouncer(Announcer):
    """Records announcements in ``said`` as (text, language); plays nothing."""

    def __init__(self):
        self.said = []

    def announce(self, text, language="id"):
        self.said.append((text, language))


class SpeechAnnouncer(Announcer):
    """Chime with pygame.mixer, then espeak-ng, in a worker thread."""

    def __init__(self, voice="espeak-ng", chime=True, runner=subprocess.run):
        self._voice = shutil.which("espeak-ng") if voice == "espeak-ng" else None
        if voice == "espeak-ng" and not self._voice:
            log.info("espeak-ng is not installed: calls are chimed, not spoken (apt install espeak-ng)")
        self._chime_enabled = chime
        self._sound = None
        self._runner = runner
        self._jobs = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()

    def announce(self, text, language="id"):
        if self._jobs.qsize() >= MAX_PENDING:
            try:  # a backlog of stale calls helps nobody: drop the oldest
                self._jobs.get_nowait()
            except queue.Empty:
                pass
        self._jobs.put((text, language))

    def close(self):
        self._jobs.put(None)
        self._thread.join(timeout=2)

    def _load_chime(self):
        try:
            import pygame

            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=SAMPLE_RATE, size=-16, channels=1)
            return pygame.mixer.Sound(file=io.BytesIO(chime_wav()))
        except Exception as e:  # no sound card, no audio driver: speak without the chime
            log.warning("no chime (audio unavailable: %s)", e)
            return None

    def _run(self):
        if self._chime_enabled:
            self._sound = self._load_chime()
        while True:
            job = self._jobs.get()
            if job is None:
                return
            text, language = job
            try:
                self._say(text, language)
            except Exception:  # never let one bad call end announcements for the day
                log.exception("announcement failed: %s", text)

    def _say(self, text, language):
        if self._sound is not None:
            channel = self._sound.play()
            length = self._sound.get_length()
            threading.Event().wait(length + 0.1)
            if channel is not None:
                channel.stop()
        if self._voice:
            self._runner([self._voice, "-v", VOICES.get(language, "id"), "-s", "140", text],
                         timeout=SPEECH_TIMEOUT, check=False,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def open_announcer(display):
    """The announcer for a ``config.Display`` section: silent when announce is off."""
    if not display.announce:
        return FakeAnnouncer()
    return SpeechAnnouncer(display.voice)
