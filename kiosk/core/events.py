"""Events that drive the main loop.

Hardware callbacks, the touch screen, the keyboard, timers and worker threads
all turn what happened into one of these and put it on the app's
``queue.Queue``. Only the main loop acts on them; nothing here imports
hardware or pygame.
"""
from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class TakeTicket:
    """A visitor asked for a ticket (button, touch or key)."""

    service: str
    priority: bool = False
    source: str = "touch"  # touch | button | key | script


@dataclass(frozen=True)
class CounterAction:
    """Counter staff pressed their button. ``action``: call | recall | skip."""

    counter: int
    action: str = "call"
    source: str = "button"
    request_id: str = ""  # set by the LAN staff page, which waits for the Reply


@dataclass(frozen=True)
class PressIgnored:
    """A press that was swallowed by rate limiting (logged, not acted on)."""

    target: str  # "service:A" or "counter:2"
    why: str  # "printing" | "too_soon"
    source: str = "button"


@dataclass(frozen=True)
class PrintFinished:
    """The printer worker finished a job.

    ``outcome``: "printed"; "void" (no byte of it can have reached the printer);
    "uncertain" (bytes may be on paper: the ticket stays callable). When left
    None it follows ``error``: no error is "printed", an error is "void".
    ``preview_png``: the demo's rendered ticket, if any.
    """

    ticket_id: int
    error: Optional[str] = None
    code: Optional[str] = None
    outcome: Optional[str] = None
    preview_png: str = ""

    @property
    def result(self) -> str:
        """The outcome, with the default applied."""
        if self.outcome is not None:
            return self.outcome
        return "printed" if self.error is None else "void"


@dataclass(frozen=True)
class PrinterHealth:
    """The printer's state as last read.

    online: True, False or None (unknown: no answer or cannot read status).
    paper: "ok" | "near_end" | "out" | "unknown".
    """

    online: Optional[bool] = None
    paper: str = "unknown"
    cover_open: Optional[bool] = None
    detail: str = ""

    @property
    def usable(self):
        """False only when we know printing will fail."""
        return self.online is not False and self.paper != "out" and not self.cover_open


@dataclass(frozen=True)
class PrinterHealthChanged:
    health: PrinterHealth


@dataclass(frozen=True)
class SyncStatusChanged:
    """The sync worker's view: backlog size and last success (epoch seconds)."""

    backlog: int
    last_success: Optional[float] = None
    error: Optional[str] = None


@dataclass(frozen=True)
class Quit:
    """End the app cleanly (admin combination, SIGTERM, end of a script)."""

    reason: str = ""


@dataclass(frozen=True)
class Tick:
    """Sent once a second for the clock and timed screen changes."""

    now: float = field(default=0.0)


# -- results of the machine's effects, fed back by the shell ------------------------
@dataclass(frozen=True)
class TicketIssued:
    """The store issued a ticket (state issued); the content is what to print."""

    ticket_id: int
    label: str
    service: str
    priority: bool
    content: object  # kiosk.core.tickets.TicketContent
    lines: tuple = ()  # ahead / wait / instruction in the screen language


@dataclass(frozen=True)
class IssueWasRefused:
    """No ticket: the service is closed, its quota is used up, or the clock forbids."""

    service: str
    message: str


@dataclass(frozen=True)
class CallInfo:
    """A ticket called (or called again) to a counter, as plain values.

    ``call_id`` increases with every call of the business day (the event log's
    sequence number), so a display can tell a new call from one it has shown.
    """

    counter: int
    counter_name: str
    label: str
    service: str
    priority: bool
    text: str  # the announcement
    at: float  # epoch seconds
    call_id: int = 0


@dataclass(frozen=True)
class Called:
    """Result of a call or recall: who was called where."""

    call: CallInfo
    recall: bool = False
    source: str = "button"
    request_id: str = ""


@dataclass(frozen=True)
class NobodyWaiting:
    """A call (or recall) found nobody to call at this counter."""

    counter: int
    action: str = "call"
    source: str = "button"
    request_id: str = ""


@dataclass(frozen=True)
class Skipped:
    """A no-show at a counter; ``label`` is empty when nobody was being served."""

    counter: int
    label: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class ServiceState:
    """Whether a service can issue now and what visitors read when it cannot."""

    code: str
    can_issue: bool
    message: str = ""
    waiting: int = 0
    priority_ok: bool = True


@dataclass(frozen=True)
class StateRefreshed:
    """What the store says now: per service state, the business day, the
    clock's problem (if any) and the day's latest calls (newest first)."""

    services: tuple  # ServiceState
    day: str
    clock_problem: Optional[str] = None
    recent_calls: tuple = ()  # CallInfo, newest first
    seed: bool = False


@dataclass(frozen=True)
class StorageFailed:
    """A store operation failed. ``code``: DB, or a storage code such as DB-FULL."""

    detail: str
    code: str = "DB"


@dataclass(frozen=True)
class EffectFailed:
    """An effect failed unexpectedly (a bug or a driver we did not foresee)."""

    detail: str


@dataclass(frozen=True)
class Dismiss:
    """A tap on a message screen: back to the home screen."""


# -- the satisfaction survey (issue 13; kiosk.machine.survey_flow decides) -----------
@dataclass(frozen=True)
class SurveyInput:
    """A visitor's input on the survey screens (touch, keys or a barcode scanner).

    ``action``: start | char (``value`` one typed character) | backspace | enter |
    answer (``value`` "1".."4") | option (``value`` a respondent field value) |
    skip | back | cancel | done | retry | dismiss.
    """

    action: str
    value: str = ""
    source: str = "touch"  # touch | key | scanner


@dataclass(frozen=True)
class SurveyTicketChecked:
    """Result of checking a ticket for the survey: ``reason`` "" means it may
    answer (``ticket_id`` set), else one of kiosk.core.survey.REFUSALS."""

    label: str
    reason: str = ""
    ticket_id: Optional[int] = None


@dataclass(frozen=True)
class SurveySaved:
    """Result of saving a response: ``reason`` "" when stored, "already" when
    this ticket answered meanwhile, else a short technical text."""

    reason: str = ""


@dataclass(frozen=True)
class SurveyBoxPressed:
    """A face button of the survey box: ``score`` 1 (worst) to 4 (best)."""

    score: int


# -- counter staff (issue 15): requests from the staff page and their results ------
# Call next / recall / skip from the staff page are CounterAction(counter, action,
# "staff", request_id). The requests below carry a request_id too: the staff page
# waits for the machine's Reply(request_id, ok, message, data).
@dataclass(frozen=True)
class TransferRequest:
    """Send a called ticket to another service's queue. ``label`` empty: the
    ticket the counter is serving now."""

    counter: int
    to_service: str
    label: str = ""
    source: str = "staff"
    request_id: str = ""


@dataclass(frozen=True)
class CallTicketRequest:
    """Call a chosen number (waiting or skipped, today) at a counter."""

    counter: int
    label: str
    source: str = "staff"
    request_id: str = ""


@dataclass(frozen=True)
class CounterOpenRequest:
    """Open (``open`` True) or close a counter for the rest of the business day."""

    counter: int
    open: bool
    source: str = "staff"
    request_id: str = ""


@dataclass(frozen=True)
class CounterViewRequest:
    """What a counter's staff page shows (reads only)."""

    counter: int
    request_id: str = ""


@dataclass(frozen=True)
class TicketTransferred:
    """Result of a transfer: the ticket waits in ``to_service`` with its label."""

    counter: Optional[int]
    label: str
    from_service: str
    to_service: str
    position: str  # original | front
    request_id: str = ""


@dataclass(frozen=True)
class CounterOpenChanged:
    """Result of opening or closing a counter. ``changed`` False: it already
    was; ``finished``: the label marked served as the counter closed."""

    counter: int
    open: bool
    changed: bool = True
    finished: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class CounterRefused:
    """A counter operation was refused, nothing changed. ``reason``: the code of
    kiosk.core.errors.OperationRefused (or ``unknown``), ``values`` its details
    as ((key, value), ...) so the staff page can word it in its language."""

    counter: int
    reason: str
    message: str
    values: tuple = ()
    action: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class CounterViewed:
    """Result of CounterViewRequest: ``view`` is
    kiosk.services.queue_counters.CounterView as a plain dict."""

    view: dict
    request_id: str = ""
