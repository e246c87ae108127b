"""The audio of a call: chime, then each sentence spoken, as one WAV.

A call text such as "Nomor antrian A dua belas. A dua belas. Silakan menuju
loket dua." is cut into sentences; each is spoken by espeak-ng, or assembled
from a site's recorded clips (a folder of WAV files: nomor.wav, antrian.wav,
a.wav, dua.wav, belas.wav, ...), trimmed of its leading and trailing silence,
and joined with a configurable pause, after the chime. ``CallAudio`` renders
each distinct text once and keeps it: a recall plays the cached audio.

Everything here is plain computation on 16-bit mono samples (the array
module), so it runs in the announcer's worker thread and in tests alike.
"""
import array
import io
import logging
import math
import re
import shutil
import subprocess
import sys
import threading
import wave
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from kiosk.core.texts import spoken_number

log = logging.getLogger(__name__)

SAMPLE_RATE = 22050
VOICES = {"id": "id", "en": "en"}
SPEECH_TIMEOUT = 30.0
CHIME_GAP = 0.2  # seconds between the chime and the first word
COMMA_PAUSE = 0.2  # seconds for a comma inside an assembled (clip) sentence
SILENCE_LEVEL = 400  # samples quieter than this (of 32767) at the ends count as silence
CACHE_SIZE = 64  # distinct call texts kept; a day has a few hundred calls, recalls repeat recent ones
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class VoiceError(Exception):
    """A call could not be rendered (no synthesiser answer, a clip missing or unreadable)."""


@dataclass(frozen=True)
class VoiceSettings:
    """How calls sound; built from the [display] config section by ``from_display``."""

    voice: str = "espeak-ng"  # espeak-ng | none
    chime: str = "builtin"  # builtin | none | path of a WAV file
    speed: int = 150  # words per minute
    volume: int = 100  # percent
    pause: float = 0.5  # seconds between sentences
    clips: str = ""  # folder of recorded clips; empty: synthesise

    @classmethod
    def from_display(cls, display) -> "VoiceSettings":
        return cls(voice=display.voice, chime=display.chime, speed=display.voice_speed,
                   volume=display.voice_volume, pause=display.voice_pause, clips=display.voice_clips)


def sentences(text: str) -> list[str]:
    """The sentences of a call text: 'A. B.' -> ['A.', 'B.']; empty parts dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


# -- samples -----------------------------------------------------------------
def silence(seconds: float) -> array.array:
    return array.array("h", bytes(2 * int(seconds * SAMPLE_RATE)))


def chime_samples() -> array.array:
    """A two-tone chime (E5 then C5, 0.4 s each, soft decay)."""
    out = array.array("h")
    for freq in (659.25, 523.25):
        n = int(SAMPLE_RATE * 0.4)
        for i in range(n):
            t = i / SAMPLE_RATE
            envelope = math.exp(-4.5 * t) * min(1.0, i / (0.01 * SAMPLE_RATE))
            # A touch of the octave makes it sound like a bell, not a test tone.
            value = envelope * (0.75 * math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t))
            out.append(int(value * 0.6 * 32767))
    return out


def read_wav(data: bytes) -> array.array:
    """WAV bytes -> 16-bit mono samples at SAMPLE_RATE (any channel count, 8/16-bit, any rate)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as e:
        raise VoiceError(f"not a PCM WAV file: {e}") from None
    if width == 1:  # unsigned 8-bit
        samples = array.array("h", ((b - 128) << 8 for b in frames))
    elif width == 2:
        samples = array.array("h")
        samples.frombytes(frames[: len(frames) // 2 * 2])
        if sys.byteorder == "big":
            samples.byteswap()
    else:
        raise VoiceError(f"{8 * width}-bit WAV is not supported (use 16-bit PCM)")
    if channels > 1:
        samples = array.array("h", (sum(samples[i:i + channels]) // channels
                                    for i in range(0, len(samples) - channels + 1, channels)))
    return _resample(samples, rate)


def _resample(samples: array.array, rate: int) -> array.array:
    if rate == SAMPLE_RATE or not samples:
        return samples
    n = int(len(samples) * SAMPLE_RATE / rate)
    step = rate / SAMPLE_RATE
    last = len(samples) - 1
    # Linear interpolation: plenty for speech and chimes through a lobby speaker.
    out = array.array("h", bytes(2 * n))
    for i in range(n):
        pos = i * step
        j = int(pos)
        k = min(j + 1, last)
        frac = pos - j
        out[i] = int(samples[j] * (1 - frac) + samples[k] * frac)
    return out


def trim(samples: array.array) -> array.array:
    """Leading and trailing silence removed (espeak-ng pads every sentence)."""
    start, end = 0, len(samples)
    while start < end and abs(samples[start]) < SILENCE_LEVEL:
        start += 1
    while end > start and abs(samples[end - 1]) < SILENCE_LEVEL:
        end -= 1
    return samples[start:end]


def to_wav(samples: array.array, volume: int = 100) -> bytes:
    """16-bit mono samples -> WAV bytes, scaled to ``volume`` percent."""
    if volume != 100:
        factor = max(0, min(100, volume)) / 100
        samples = array.array("h", (int(v * factor) for v in samples))
    if sys.byteorder == "big":
        samples = array.array("h", samples)
        samples.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.tobytes())
    return out.getvalue()


def wav_seconds(data: bytes) -> float:
    """Duration of WAV bytes in seconds."""
    with wave.open(io.BytesIO(data), "rb") as w:
        return w.getnframes() / w.getframerate()


# -- voices ------------------------------------------------------------------
class EspeakVoice:
    """Speaks a sentence with espeak-ng into samples (``--stdout``, no sound card needed)."""

    def __init__(self, program: str, speed: int = 150, runner: Callable = subprocess.run):
        self.program = program
        self.speed = speed
        self._runner = runner

    def sentence(self, text: str, language: str) -> array.array:
        """The samples of one sentence, trimmed; VoiceError when espeak-ng fails."""
        try:
            done = self._runner([self.program, "-v", VOICES.get(language, "id"), "-s", str(self.speed), "--stdout",
                                 "--", text], timeout=SPEECH_TIMEOUT, check=False, capture_output=True)
        except (OSError, subprocess.SubprocessError) as e:
            raise VoiceError(f"espeak-ng failed: {e}") from None
        if done.returncode != 0 or not done.stdout:
            raise VoiceError(f"espeak-ng failed (status {done.returncode}): "
                             f"{done.stderr.decode(errors='replace').strip()[:200]}")
        return trim(read_wav(done.stdout))


class ClipVoice:
    """Assembles a sentence from recorded clips: one WAV file per word.

    Looked up as ``<folder>/<language>/<word>.wav``, then ``<folder>/<word>.wav``;
    numbers are said as words ("12" -> dua.wav, belas.wav), a single letter
    uses its own clip (a.wav). A missing clip raises VoiceError naming it, so
    the announcer can fall back to synthesis and the technician can add it.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._clips: dict[tuple[str, str], array.array] = {}
        self._lock = threading.Lock()

    def words(self, text: str, language: str) -> list[Optional[str]]:
        """The clip names of ``text``, with None where a comma pauses."""
        out: list[Optional[str]] = []
        for token in re.findall(r"[A-Za-z]+|\d+|,", text):
            if token == ",":
                out.append(None)
            elif token.isdigit():
                out += re.split(r"[\s-]+", spoken_number(int(token), language))
            else:
                out.append(token.lower())
        return out

    def missing(self, text: str, language: str) -> list[str]:
        """Words of ``text`` that have no clip."""
        return sorted({w for w in self.words(text, language) if w and self._path(w, language) is None})

    def _path(self, word, language):
        for candidate in (self.folder / language / f"{word}.wav", self.folder / f"{word}.wav"):
            if candidate.is_file():
                return candidate
        return None

    def _clip(self, word, language):
        with self._lock:
            key = (word, language)
            if key not in self._clips:
                path = self._path(word, language)
                if path is None:
                    raise VoiceError(f"no clip for {word!r} in {self.folder}")
                try:
                    self._clips[key] = trim(read_wav(path.read_bytes()))
                except (OSError, VoiceError) as e:
                    raise VoiceError(f"clip {path}: {e}") from None
            return self._clips[key]

    def sentence(self, text: str, language: str) -> array.array:
        """The clips of the words of ``text`` one after another; VoiceError for a missing clip."""
        out = array.array("h")
        for word in self.words(text, language):
            out += silence(COMMA_PAUSE) if word is None else self._clip(word, language)
        return out


class CallAudio:
    """Renders call texts to WAV bytes (chime, sentences, pauses) and caches them.

    Clips are used when a folder is configured and has every word of the
    text; otherwise espeak-ng; with neither, the call is chimed only. Safe to
    call from several threads; meant to run off the main loop.
    """

    def __init__(self, settings: VoiceSettings = VoiceSettings(), runner: Callable = subprocess.run,
                 which: Callable = shutil.which):
        self.settings = settings
        program = which("espeak-ng") if settings.voice == "espeak-ng" else None
        if settings.voice == "espeak-ng" and not program:
            log.info("espeak-ng is not installed: calls are chimed, not spoken (apt install espeak-ng)")
        self.speech = EspeakVoice(program, settings.speed, runner) if program else None
        self.clips = ClipVoice(settings.clips) if settings.clips else None
        if self.clips is not None and not self.clips.folder.is_dir():
            log.warning("display.voice_clips: %s is not a folder; calls are synthesised", self.clips.folder)
        self.chime = self._load_chime(settings.chime)
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _load_chime(chime):
        if chime == "none":
            return array.array("h")
        if chime in ("builtin", ""):
            return chime_samples()
        try:
            return read_wav(Path(chime).read_bytes())
        except (OSError, VoiceError) as e:
            # A bad chime file must not silence the calls: the built-in chime stands in.
            log.warning("display.chime: cannot use %s (%s); using the built-in chime", chime, e)
            return chime_samples()

    def voice_for(self, text: str, language: str):
        """The voice that will speak ``text``: ClipVoice, EspeakVoice or None."""
        if self.clips is not None:
            missing = self.clips.missing(text, language)
            if not missing:
                return self.clips
            log.warning("no recorded clip for %s in %s: synthesising this call", ", ".join(missing),
                        self.clips.folder)
        return self.speech

    def render(self, text: str, language: str = "id") -> bytes:
        """WAV bytes of the whole call; the same (text, language) is rendered once."""
        # Control characters (a NUL cannot even be passed to a program) are never spoken.
        text = _CONTROL.sub(" ", text)
        key = (text, language)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        wav = self._render(text, language)
        with self._lock:
            self._cache[key] = wav
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return wav

    def _render(self, text, language):
        out = array.array("h", self.chime)
        voice = self.voice_for(text, language)
        if voice is not None:
            parts = [samples for samples in (self._sentence(voice, part, language) for part in sentences(text))
                     if samples is not None]
            if parts and len(out):
                out += silence(CHIME_GAP)
            for i, samples in enumerate(parts):
                if i:
                    out += silence(self.settings.pause)
                out += samples
        return to_wav(out, self.settings.volume)

    def _sentence(self, voice, text, language):
        # An unreadable clip falls back to synthesis for its sentence: a call is never left unsaid.
        for candidate in dict.fromkeys((voice, self.speech)):
            if candidate is None:
                continue
            try:
                return candidate.sentence(text, language)
            except VoiceError as e:
                log.warning("cannot speak %r: %s", text, e)
        return None
