"""Call announcements: a chime, then the call spoken, the number said twice.

"Ding-dong. Nomor antrian A dua belas. A dua belas. Silakan menuju loket dua."

- drivers/voice.py renders a call text into one WAV (chime, sentences from
  espeak-ng or from recorded clips, pauses between sentences) and caches it:
  each distinct call is rendered once, a recall replays it.
- Rendering and playing run in one worker thread, in call order, so the main
  loop never waits for audio and two calls never talk over each other.
- Playing goes through pygame.mixer, or ``aplay`` where the mixer cannot open
  (no SDL audio); with neither, calls are logged, not heard.

``announce(text, language)`` is the whole interface (the kiosk machine's
Announce effect and the display board use it). ``FakeAnnouncer`` records what
it would say, for tests and silent demos.
"""
import abc
import io
import logging
import queue
import shutil
import subprocess
import tempfile
import threading
from typing import Optional

from drivers.voice import CallAudio, VoiceSettings, wav_seconds

log = logging.getLogger(__name__)

MAX_PENDING = 8  # calls waiting to be spoken; beyond this the oldest are dropped
PLAY_MARGIN = 0.1  # seconds added to a sound's length before the next one starts


class Announcer(abc.ABC):
    """Interface: ``announce(text, language)`` returns at once; ``close()`` stops."""

    @abc.abstractmethod
    def announce(self, text: str, language: str = "id") -> None:
        """Queue ``text`` to be chimed and spoken; must not block the caller."""

    def close(self):  # noqa: B027 - optional: an announcer without a thread has nothing to stop
        """Stop announcing; calls still queued are dropped."""


class FakeAnnouncer(Announcer):
    """Records announcements in ``said`` as (text, language); plays nothing."""

    def __init__(self):
        self.said = []

    def announce(self, text, language="id"):
        self.said.append((text, language))


class Player(abc.ABC):
    """Plays WAV bytes to the end before returning (called in the announcer's thread)."""

    @abc.abstractmethod
    def play(self, wav: bytes) -> None:
        """Play ``wav`` (bytes of a 16-bit mono WAV file) and return when it has finished."""


class PygamePlayer(Player):
    """pygame.mixer, opened lazily in the announcer's thread."""

    def __init__(self, sample_rate=22050):
        import pygame

        if not pygame.mixer.get_init():
            pygame.mixer.init(frequency=sample_rate, size=-16, channels=1)
        self._pygame = pygame

    def play(self, wav):
        sound = self._pygame.mixer.Sound(file=io.BytesIO(wav))
        channel = sound.play()
        threading.Event().wait(sound.get_length() + PLAY_MARGIN)
        if channel is not None:
            channel.stop()


class AplayPlayer(Player):
    """ALSA's aplay, for a system where SDL has no audio."""

    def __init__(self, program, runner=subprocess.run):
        self.program = program
        self._runner = runner

    def play(self, wav):
        with tempfile.NamedTemporaryFile(suffix=".wav") as f:
            f.write(wav)
            f.flush()
            self._runner([self.program, "-q", f.name], timeout=wav_seconds(wav) + 10, check=False,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def default_player() -> Optional[Player]:
    """pygame.mixer if it opens, else aplay if installed, else None (silent)."""
    try:
        return PygamePlayer()
    except Exception as e:  # pygame raises its own error kinds for a missing sound card
        program = shutil.which("aplay")
        if program:
            log.info("pygame audio unavailable (%s): playing calls with aplay", e)
            return AplayPlayer(program)
        log.warning("no audio output (%s): calls are shown, not heard", e)
        return None


class SpeechAnnouncer(Announcer):
    """Renders each call (cached) and plays it, in a worker thread.

    ``audio`` (a voice.CallAudio) and ``player`` may be injected; by default
    they are made from ``settings`` inside the worker thread, so that neither
    espeak-ng nor the sound card is touched by the caller.
    """

    def __init__(self, settings: VoiceSettings = VoiceSettings(), audio: Optional[CallAudio] = None,
                 player: Optional[Player] = None):
        self.settings = settings
        self.audio = audio
        self._player = player
        self._jobs: queue.Queue[Optional[tuple[str, str]]] = queue.Queue()
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

    def _run(self):
        try:
            if self.audio is None:
                self.audio = CallAudio(self.settings)
            if self._player is None:
                self._player = default_player()
        except Exception:
            log.exception("announcer cannot start: calls are shown, not heard")
            return
        while True:
            job = self._jobs.get()
            if job is None:
                return
            text, language = job
            try:
                wav = self.audio.render(text, language)
                if self._player is not None and wav_seconds(wav) > 0:  # chime and voice both off: silence
                    self._player.play(wav)
            except Exception:  # never let one bad call end announcements for the day
                log.exception("announcement failed: %s", text)


def open_announcer(display) -> Announcer:
    """The announcer for a ``config.Display`` section: silent when announce is off."""
    if not display.announce:
        return FakeAnnouncer()
    return SpeechAnnouncer(VoiceSettings.from_display(display))
