"""The satisfaction survey on the touch screen, as a pure sub-machine.

    home --start--> identify --enter--> checking --ok--> question 1..9 --> profile 1..4
        --> suggestion --> saving --> thanks --> home
                  (refused: the ticket may not answer; failed: could not save)

The kiosk machine delegates to ``SurveyFlow`` while ``active`` is true: it feeds
``SurveyInput`` events from touch, keys and a USB barcode scanner (which types
the ticket's QR content ``PTSP1:<YYYYMMDD>:<label>`` followed by Enter), and the
results ``SurveyTicketChecked`` / ``SurveySaved`` of the effects below, which
the shell executes with kiosk.services.survey_store. Time comes in as monotonic
seconds. Nothing is saved until the visitor reaches the end: an abandoned or
timed-out survey leaves no trace.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from kiosk.core import events as E
from kiosk.core import survey as S
from kiosk.machine import effects as F

THANKS_SECONDS = 8.0  # the thank-you screen, then home
REFUSED_SECONDS = 20.0  # a refusal stays this long unless the visitor taps
ENTRY_MAX = 40  # characters on the identify screen (the QR content is 20)
# A second tap this soon after a new question appeared is the same finger
# (a double tap, a shaky hand), not an answer to the question it just revealed.
SETTLE_SECONDS = 0.5
_SETTLING = ("answer", "option", "skip", "done", "back", "retry")


# -- effects (the shell executes them and feeds back the result event) ----------------
@dataclass(frozen=True)
class CheckSurveyTicket:
    """May this ticket answer (served on the current business day, not yet
    answered)? Result: ``SurveyTicketChecked``."""

    code: S.TicketCode


@dataclass(frozen=True)
class SaveSurveyResponse:
    """Store the response (one per ticket; the link is kept only to refuse a
    second answer) and put it in the sync outbox. Result: ``SurveySaved``."""

    ticket_id: int
    response: S.Response


@dataclass(frozen=True)
class RecordBoxRating:
    """Store one survey box press (score 1-4), apart from the questionnaire."""

    score: int


# -- what the screen shows ---------------------------------------------------------
@dataclass(frozen=True)
class SurveyView:
    """The survey screen as plain data; kiosk/shell/screen/survey_screens.py draws it.

    ``step``: identify | checking | refused | question | profile | suggestion |
    saving | thanks | failed. ``item``: the element code (question) or the
    respondent field code (profile). ``position``/``total``: "3 of 9".
    ``selected``: the answer given before (after going back). ``entry``: typed
    text (identify, suggestion). ``keys``: the prefix letters for the keypad.
    ``reason``: why a ticket was refused (kiosk.core.survey.REFUSALS).
    """

    step: str
    item: str = ""
    position: int = 0
    total: int = 0
    selected: Optional[str] = None
    entry: str = ""
    keys: tuple = ()
    reason: str = ""
    label: str = ""


@dataclass
class SurveyFlow:
    """One visitor's pass through the survey. See the module docstring.

    ``settings``: ``kiosk.core.config.Survey`` (enabled, timeout, ask_profile,
    ask_suggestion, box_interval); ``prefixes``: the services' prefix letters.
    """

    settings: Any
    prefixes: tuple = ()
    settle: float = SETTLE_SECONDS  # see SETTLE_SECONDS
    step: str = ""  # "" while inactive
    version: int = 0  # increases whenever the view may have changed
    _entry: str = ""
    _label: str = ""
    _ticket_id: Optional[int] = None
    _index: int = 0  # question or profile field
    _answers: dict = field(default_factory=dict)
    _profile: dict = field(default_factory=dict)
    _reason: str = ""
    _last_input: float = 0.0
    _shown_at: float = float("-inf")  # when the current screen (step, question) appeared
    _until: Optional[float] = None  # a timed screen (thanks, refused) ends then
    _box_last: float = float("-inf")

    @property
    def active(self) -> bool:
        return self.step != ""

    # ------------------------------------------------------------------ entry points
    def start(self, now: float) -> list:
        """The visitor tapped "Survei Kepuasan" on the home screen."""
        if not self.settings.enabled:
            return []
        self._reset()
        self._goto("identify", now)
        return []

    def on_input(self, event: E.SurveyInput, now: float) -> list:
        """A tap, a key or a scanner character while the survey is on screen."""
        if not self.active:
            return []
        self._last_input = now
        self.version += 1
        if event.action in _SETTLING and event.source == "touch" and now - self._shown_at < self.settle:
            return []
        before = (self.step, self._index)
        handler = getattr(self, f"_on_{self.step}", None)
        out = handler(event, now) if handler else []
        if (self.step, self._index) != before:
            self._shown_at = now
        return out

    def on_result(self, event: object, now: float) -> list:
        """``SurveyTicketChecked`` or ``SurveySaved`` from the shell."""
        self.version += 1
        if isinstance(event, E.SurveyTicketChecked) and self.step == "checking":
            if event.reason or event.ticket_id is None:
                self._refuse(event.reason or "unknown", now)
            else:
                self._ticket_id = event.ticket_id
                self._label = event.label
                self._index = 0
                self._goto("question", now)
        elif isinstance(event, E.SurveySaved) and self.step == "saving":
            if not event.reason:
                self._goto("thanks", now, until=now + THANKS_SECONDS)
                return [F.WakeSync()]  # the response is in the outbox: send it soon
            elif event.reason == "already":
                self._refuse("already", now)
            else:
                self._goto("failed", now, until=now + REFUSED_SECONDS)
        return []

    def on_tick(self, now: float) -> list:
        """Timed screens and the idle timeout: back home, nothing saved."""
        if not self.active:
            return []
        if self._until is not None and now >= self._until:
            self.end()
        elif self.step not in ("thanks", "saving") and now - self._last_input >= self.settings.timeout:
            self.end()
        return []

    def end(self) -> None:
        """Leave the survey (home screen); every answer given is forgotten."""
        self._reset()
        self.version += 1

    def box_pressed(self, event: E.SurveyBoxPressed, now: float) -> list:
        """A survey box button: one rating per ``box_interval`` seconds."""
        if not 1 <= event.score <= 4 or now - self._box_last < self.settings.box_interval:
            return []
        self._box_last = now
        return [RecordBoxRating(event.score), F.WakeSync()]

    def view(self) -> Optional[SurveyView]:
        """What the screen shows, or None when the survey is not active."""
        if not self.active:
            return None
        keys = tuple(self.prefixes)
        if self.step == "question":
            item = S.QUESTIONS[self._index]
            selected = self._answers.get(item.code)
            return SurveyView("question", item.code, self._index + 1, len(S.QUESTIONS),
                              None if selected is None else str(selected), label=self._label)
        if self.step == "profile":
            f = S.PROFILE[self._index]
            return SurveyView("profile", f.code, self._index + 1, len(S.PROFILE), self._profile.get(f.code),
                              label=self._label)
        return SurveyView(self.step, entry=self._entry, keys=keys, reason=self._reason, label=self._label)

    # ------------------------------------------------------------------ steps
    def _on_identify(self, event: E.SurveyInput, now: float) -> list:
        a = event.action
        if a == "char":
            if len(self._entry) < ENTRY_MAX and len(event.value) == 1 and event.value.isprintable():
                self._entry += event.value.upper()
        elif a == "backspace":
            self._entry = self._entry[:-1]
        elif a == "enter":
            text = self._entry
            # A scan after a few keypad taps: the scanner's text is what counts.
            if "PTSP1:" in text:
                text = text[text.rindex("PTSP1:"):]
            code = S.parse_ticket_code(text)
            if code is None:
                self._refuse("unreadable", now)
                return []
            self._label = code.label
            self._goto("checking", now)
            return [CheckSurveyTicket(code)]
        elif a in ("cancel", "back"):
            self.end()
        return []

    def _on_refused(self, event: E.SurveyInput, now: float) -> list:
        if event.action == "retry":
            self._entry, self._reason, self._label = "", "", ""
            self._goto("identify", now)
        elif event.action in ("cancel", "back", "dismiss"):
            self.end()
        return []

    _on_failed = _on_refused

    def _on_question(self, event: E.SurveyInput, now: float) -> list:
        a = event.action
        if a == "answer" and event.value in ("1", "2", "3", "4"):
            self._answers[S.QUESTIONS[self._index].code] = int(event.value)
            if self._index + 1 < len(S.QUESTIONS):
                self._index += 1
            else:
                return self._after_questions(now)
        elif a == "back":
            if self._index > 0:
                self._index -= 1
            else:
                self._entry = ""
                self._goto("identify", now)
        elif a == "cancel":
            self.end()
        return []

    def _after_questions(self, now: float) -> list:
        if self.settings.ask_profile:
            self._index = 0
            self._goto("profile", now)
            return []
        return self._after_profile(now)

    def _on_profile(self, event: E.SurveyInput, now: float) -> list:
        a = event.action
        f = S.PROFILE[self._index]
        if a in ("option", "skip"):
            if a == "option" and event.value not in f.values():
                return []
            self._profile[f.code] = event.value if a == "option" else None
            if self._index + 1 < len(S.PROFILE):
                self._index += 1
            else:
                return self._after_profile(now)
        elif a == "back":
            if self._index > 0:
                self._index -= 1
            else:
                self._index = len(S.QUESTIONS) - 1
                self._goto("question", now)
        elif a == "cancel":
            self.end()
        return []

    def _after_profile(self, now: float) -> list:
        if self.settings.ask_suggestion:
            self._entry = ""
            self._goto("suggestion", now)
            return []
        return self._save(now, "")

    def _on_suggestion(self, event: E.SurveyInput, now: float) -> list:
        a = event.action
        if a == "char":
            if len(self._entry) < S.SUGGESTION_MAX and len(event.value) == 1 and event.value.isprintable():
                self._entry += event.value
        elif a == "backspace":
            self._entry = self._entry[:-1]
        elif a in ("done", "enter"):
            return self._save(now, self._entry)
        elif a == "skip":
            return self._save(now, "")
        elif a == "back":
            if self.settings.ask_profile:
                self._index = len(S.PROFILE) - 1
                self._goto("profile", now)
            else:
                self._index = len(S.QUESTIONS) - 1
                self._goto("question", now)
        elif a == "cancel":
            self.end()
        return []

    def _save(self, now: float, suggestion: str) -> list:
        profile = {code: self._profile.get(code) for code in S.PROFILE_CODES}
        response = S.check_response(self._answers, profile, suggestion)
        ticket_id = self._ticket_id
        assert ticket_id is not None  # set when the ticket was accepted
        self._goto("saving", now)
        return [SaveSurveyResponse(ticket_id, response)]

    def _on_thanks(self, event: E.SurveyInput, now: float) -> list:
        if event.action in ("dismiss", "cancel", "back"):
            self.end()
        return []

    # ------------------------------------------------------------------ helpers
    def _goto(self, step: str, now: float, until: Optional[float] = None) -> None:
        self.step = step
        self._last_input = now
        self._shown_at = now
        self._until = until
        self.version += 1

    def _refuse(self, reason: str, now: float) -> None:
        self._reason = reason
        self._goto("refused", now, until=now + REFUSED_SECONDS)

    def _reset(self) -> None:
        self.step = ""
        self._entry = ""
        self._label = ""
        self._ticket_id = None
        self._index = 0
        self._answers = {}
        self._profile = {}
        self._reason = ""
        self._until = None


# -- wiring into the kiosk machine (kiosk.machine.machine._HANDLERS.update(HANDLERS)) --
def flow_of(machine: Any) -> SurveyFlow:
    """The machine's survey flow, made on first use from its config."""
    flow = machine.__dict__.get("survey")
    if flow is None:
        flow = SurveyFlow(machine.cfg.survey, tuple(s.prefix for s in machine.cfg.services))
        machine.survey = flow
    return flow


def handle_input(machine: Any, event: E.SurveyInput, at: Any) -> list:
    """A survey input. "start" (the home screen's button) opens the survey; so
    does a scanner typing on the home screen, which then goes on as typed."""
    flow = flow_of(machine)
    if not flow.active:
        if event.action == "start" or (event.action == "char" and event.source != "touch"):
            flow.start(at.mono)
        if event.action != "char" or not flow.active:
            return []
    return flow.on_input(event, at.mono)


def handle_result(machine: Any, event: object, at: Any) -> list:
    return flow_of(machine).on_result(event, at.mono)


def handle_box(machine: Any, event: E.SurveyBoxPressed, at: Any) -> list:
    return flow_of(machine).box_pressed(event, at.mono)


def on_tick(machine: Any, at: Any) -> list:
    """Timed survey screens and the idle timeout (call from KioskMachine.on_tick)."""
    flow = flow_of(machine)
    before = flow.version
    out = flow.on_tick(at.mono)
    if flow.version != before:
        machine.version += 1
    return out


def view_of(machine: Any) -> Optional[SurveyView]:
    """The survey's view model for KioskMachine.view(), or None."""
    flow = machine.__dict__.get("survey")
    return flow.view() if flow is not None else None


HANDLERS = {E.SurveyInput: handle_input, E.SurveyTicketChecked: handle_result, E.SurveySaved: handle_result,
            E.SurveyBoxPressed: handle_box}
