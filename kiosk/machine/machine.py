"""The kiosk's runtime as a pure machine: events and the time in, effects out.

    inputs (GPIO, touch, keys, script, LAN) -> events -> KioskMachine -> effects
                                                  on_event(e, at) / on_tick(at)
                                                  view(at) -> View   (the screen draws it)
                                                  snapshot()         (heartbeat, LAN feed)

Every piece of runtime state lives here, once: the ticket on screen, the
tickets printing, printer health, faults, the latest call per counter,
service availability and the press guard. The machine performs no I/O: it
asks for store operations, printing, sound, lights and systemd messages with
effects (``kiosk.machine.effects``), and the shell feeds the results back as
events (``TicketIssued``, ``Called``, ``StateRefreshed``...). Time comes in as
an ``Instant`` (monotonic for timers, wall clock for people), so tests drive
it with a fake clock, no sleeps and no pygame.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional

from kiosk.core import business_day
from kiosk.core import events as E
from kiosk.core.config import Config
from kiosk.machine import effects as F
from kiosk.machine import staff
from kiosk.machine import survey_flow
from kiosk.machine.faults import current_fault
from kiosk.machine.light_policy import service_lights, status_light
from kiosk.machine.press_guard import PressGuard
from kiosk.machine.view import CallView, Fault, ServiceView, TicketView, View

log = logging.getLogger(__name__)

ERROR_SECONDS = 15.0  # an unexpected error shows ERR this long, then the kiosk tries again
PRINT_FAULT_SECONDS = 30.0  # a failed print blocks tickets until the printer is healthy or this long
REFUSED_SECONDS = 4.0  # "Tutup, buka 13.00" after pressing a closed service's button
REFRESH_SECONDS = 5.0  # availability, clock and calls made by other processes
LOST_REPORT_GRACE = 10.0  # a print job unreported this long past the printer timeout is lost


@dataclass
class _Printing:
    service: str
    label: str
    priority: bool
    lines: tuple
    started: float  # monotonic


@dataclass(frozen=True)
class Snapshot:
    """What the kiosk reports about itself (heartbeat, LAN feed); immutable,
    so another thread may read it while the main loop replaces it."""

    printer: dict
    fault: Optional[str]
    fault_detail: str
    clock_problem: Optional[str]
    day: str
    last_ticket: Optional[str]
    last_call: Optional[str]
    calls: tuple  # CallInfo of the day, newest first (at most 20)
    serving: tuple  # (counter number, counter name, label or "") per counter
    services: tuple  # ServiceState per service
    printing: int = 0

    def as_dict(self) -> dict:
        """Plain JSON-ready values."""
        return {
            "printer": dict(self.printer), "fault": self.fault, "fault_detail": self.fault_detail,
            "clock_problem": self.clock_problem, "day": self.day, "last_ticket": self.last_ticket,
            "last_call": self.last_call, "printing": self.printing,
            "calls": [dict(c.__dict__) for c in self.calls],
            "serving": [{"counter": n, "name": name, "label": label} for n, name, label in self.serving],
            "services": [dict(s.__dict__) for s in self.services],
        }


def _reply(event: Any, ok: bool, message: str = "", data: Any = None) -> list:
    """A Reply effect for an event that came with a request id (the staff page)."""
    request_id = getattr(event, "request_id", "")
    return [F.Reply(request_id, ok, message, data)] if request_id else []


@dataclass
class KioskMachine:
    """The running kiosk's state and decisions. See the module docstring.

    ``demo``: the laptop demo (keyboard help, ticket preview on screen).
    """

    cfg: Config
    demo: bool = False
    language: str = ""
    help_text: str = ""  # the demo's keyboard help line
    ticket_view: Optional[TicketView] = None
    ticket_until: Optional[float] = None
    printing: dict = field(default_factory=dict)  # ticket id -> _Printing
    health: E.PrinterHealth = field(default_factory=E.PrinterHealth)
    print_fault: Optional[tuple] = None  # (code, since)
    storage_fault: Optional[Fault] = None
    config_fault: Optional[Fault] = None  # CFG-BOOT: provisioning refused the boot partition's file
    error_until: float = 0.0
    clock_problem: Optional[str] = None
    day: str = ""
    calls: dict = field(default_factory=dict)  # counter number -> CallInfo
    recent: tuple = ()  # CallInfo, newest first
    highlight: Optional[tuple] = None  # (counter number, until)
    services: dict = field(default_factory=dict)  # code -> ServiceState
    last_ticket: Optional[str] = None
    last_ticket_png: str = ""
    version: int = 0  # increases whenever the view may have changed
    _reported_fault: Any = ""
    _last_refresh: float = float("-inf")
    _lights: Optional[F.SetLights] = None
    _now: float = 0.0
    guard: PressGuard = field(init=False)

    def __post_init__(self) -> None:
        self.language = self.language or self.cfg.device.language
        b = self.cfg.buttons
        self.guard = PressGuard(b.visitor_interval, b.counter_interval, clock=lambda: self._now,
                                printing_timeout=self.cfg.printer.timeout + LOST_REPORT_GRACE)

    # ------------------------------------------------------------------ entry points
    def start(self, at: F.Instant) -> list:
        """The first effects: read the store's state (without announcing old calls)."""
        self._now = at.mono
        return [F.Refresh(seed=True)]

    def on_event(self, event: object, at: F.Instant) -> list:
        """Act on one event; returns the effects to execute, in order."""
        self._now = at.mono
        handler = self._HANDLERS.get(type(event))
        if handler is None:
            log.warning("unknown event %r ignored", event)
            return []
        if handler is not KioskMachine._ignore:
            self.version += 1  # the screen may have changed: the shell redraws
        out: list = handler(self, event, at)
        return out + self._after_change()

    def on_tick(self, at: F.Instant) -> list:
        """Timed changes: screens that expire, lost print reports, periodic refresh."""
        self._now = now = at.mono
        out: list = []
        if self.ticket_until is not None and now >= self.ticket_until:
            self.ticket_view, self.ticket_until = None, None
            if self.highlight:
                # A call that came while a visitor's number was on screen still
                # gets its moment on the screen (small panels alternate).
                half = self.cfg.display.highlight_seconds / 2
                self.highlight = (self.highlight[0], max(self.highlight[1], now + half))
            self.version += 1
        if self.highlight and now >= self.highlight[1]:
            self.highlight = None
            self.version += 1
        for ticket_id, job in list(self.printing.items()):
            # The worker reports every job; a lost report must not block the kiosk.
            if now - job.started > self.cfg.printer.timeout + LOST_REPORT_GRACE:
                out += self.on_event(E.PrintFinished(ticket_id, "no answer from the print worker",
                                                     "PRN-TMO", outcome="uncertain"), at)
        if self.print_fault and now - self.print_fault[1] > PRINT_FAULT_SECONDS:
            self.print_fault = None
            self.version += 1
        if self.error_until and now >= self.error_until:
            self.error_until = 0.0
            self.version += 1
        if now - self._last_refresh >= REFRESH_SECONDS:
            self._last_refresh = now
            out.append(F.Refresh())
        out += survey_flow.on_tick(self, at)  # survey timeouts (issue 13)
        return out + self._after_change()

    def unexpected_error(self, at: F.Instant) -> list:
        """The shell caught an exception it did not expect: ERR for a while."""
        self.error_until = at.mono + ERROR_SECONDS
        self.version += 1
        return self._after_change()

    # ------------------------------------------------------------------ visitors
    def _take_ticket(self, event: E.TakeTicket, at: F.Instant) -> list:
        try:
            code = self.cfg.service(event.service).code
        except Exception:
            log.warning("ticket for unknown service %r ignored", event.service)
            return []
        target = f"service:{code}"
        fault = self.fault()
        if fault is not None:
            return [F.LogPressIgnored(target, f"out_of_order:{fault.code}", event.source)]
        ok, why = self.guard.allow_ticket(code)
        if not ok:
            return [F.LogPressIgnored(target, why, event.source)]
        return [F.IssueTicket(code, event.priority, event.source)]

    def _ticket_issued(self, event: E.TicketIssued, at: F.Instant) -> list:
        self.guard.printing_started(event.service)
        self.printing[event.ticket_id] = _Printing(event.service, event.label, event.priority, event.lines, at.mono)
        self._show(TicketView("printing", label=event.label, service_name=self._service_name(event.service),
                              priority=event.priority), None)
        # No store re-read here: it would take the CPU from the print worker
        # before the ticket's first byte (bench e2e); the print's outcome asks
        # for one, and this service's button is held while it prints.
        return [F.PrintTicket(event.ticket_id, event.content)]  # type: ignore[arg-type]

    def _issue_refused(self, event: E.IssueWasRefused, at: F.Instant) -> list:
        self._show(TicketView("refused", service_name=self._service_name(event.service), message=event.message),
                   at.mono + REFUSED_SECONDS)
        return [F.Refresh()]

    def _print_finished(self, event: E.PrintFinished, at: F.Instant) -> list:
        job = self.printing.pop(event.ticket_id, None)
        if job is None:
            log.warning("print result for unknown ticket %s ignored", event.ticket_id)
            return []
        self.guard.printing_done(job.service)
        name = self._service_name(job.service)
        outcome = event.result
        until = at.mono + self.cfg.display.ticket_seconds
        if outcome == "printed":
            log.info("ticket %s (%s) printed%s", job.label, job.service,
                     f": {event.preview_png}" if event.preview_png else "")
            self.last_ticket = job.label
            self.last_ticket_png = event.preview_png
            self._show(TicketView("done", label=job.label, service_name=name, priority=job.priority,
                                  lines=job.lines, preview_png=event.preview_png if self.demo else ""), until)
        else:
            code = event.code or "PRN"
            log.error("ticket %s %s: %s (%s)", job.label, outcome, event.error, code)
            self.print_fault = (code, at.mono)
            # A void number never reached paper; an uncertain one may have, so it
            # stays callable and the visitor is told to ask when they hold nothing.
            self._show(TicketView("uncertain" if outcome == "uncertain" else "failed", label=job.label,
                                  service_name=name, priority=job.priority, code=code), until)
        reason = "" if outcome == "printed" else f"{event.code or 'PRN'}: {event.error or ''}".strip()
        return [F.RecordPrintOutcome(event.ticket_id, outcome, reason), F.WakeSync(), F.Refresh()]

    def _dismiss(self, event: E.Dismiss, at: F.Instant) -> list:
        if self.ticket_view is not None and self.ticket_view.phase != "printing":
            self.ticket_view, self.ticket_until = None, None
        self.highlight = None
        return []

    # ------------------------------------------------------------------ counters
    def _counter_action(self, event: E.CounterAction, at: F.Instant) -> list:
        target = f"counter:{event.counter}"
        try:
            self.cfg.counter(event.counter)
        except Exception:
            log.warning("press at unknown counter %r ignored", event.counter)
            return []
        ok, why = self.guard.allow_counter(event.counter, event.action)
        if not ok:
            return [F.LogPressIgnored(target, why, event.source)] + _reply(event, False, why)
        return [F.CounterOperation(event.counter, event.action, event.source, event.request_id)]

    def _called(self, event: E.Called, at: F.Instant) -> list:
        call = event.call
        self._remember_call(call, at)
        log.info("%s calls %s: %s", call.counter_name, call.label, call.text)
        out: list = [F.WakeSync(), F.Refresh()]
        if self.kiosk_speaks():
            out.insert(0, F.Announce(call.text, self.language))
        return out + _reply(event, True, call.label, call)

    def _nobody_waiting(self, event: E.NobodyWaiting, at: F.Instant) -> list:
        return [F.SignalCounter(event.counter, "nobody_waiting"), F.Refresh()] + _reply(event, False, "nobody_waiting")

    def _skipped(self, event: E.Skipped, at: F.Instant) -> list:
        return [F.WakeSync(), F.Refresh()] + _reply(event, True, event.label)

    def _remember_call(self, call: E.CallInfo, at: F.Instant) -> None:
        self.calls[call.counter] = call
        self.highlight = (call.counter, at.mono + self.cfg.display.highlight_seconds)

    # ------------------------------------------------------------------ state from the shell
    def _refreshed(self, event: E.StateRefreshed, at: F.Instant) -> list:
        self._last_refresh = at.mono
        self.storage_fault = None
        self.services = {s.code: s for s in event.services}
        self.clock_problem = event.clock_problem
        out: list = []
        if event.day != self.day:
            # A new business day: yesterday's numbers leave the screen.
            self.day = event.day
            self.calls.clear()
            self.highlight = None
        self.recent = tuple(event.recent_calls)
        for call in reversed(event.recent_calls):  # oldest first: the newest wins
            known = self.calls.get(call.counter)
            if known is None or call.at > known.at + 1e-6:
                # A call made elsewhere (the command line, the staff page of a
                # second process) is announced here: the kiosk has the speaker.
                self._remember_call(call, at)
                if not event.seed and self.kiosk_speaks():
                    out.append(F.Announce(call.text, self.language))
        if event.seed:
            self.highlight = None
        return out

    def _health(self, event: E.PrinterHealthChanged, at: F.Instant) -> list:
        h = event.health
        self.health = h
        if h.usable:
            self.print_fault = None
        return [F.RecordHealth({"online": h.online, "paper": h.paper, "cover_open": h.cover_open,
                                "detail": h.detail})]

    def _press_ignored(self, event: E.PressIgnored, at: F.Instant) -> list:
        return [F.LogPressIgnored(event.target, event.why, event.source)]

    def _storage_failed(self, event: E.StorageFailed, at: F.Instant) -> list:
        if self.storage_fault is None:
            log.error("storage problem: %s", event.detail)
        self.storage_fault = Fault(event.code, event.detail)
        return []

    def _effect_failed(self, event: E.EffectFailed, at: F.Instant) -> list:
        log.error("an effect failed: %s", event.detail)
        self.error_until = at.mono + ERROR_SECONDS
        return []

    def _quit(self, event: E.Quit, at: F.Instant) -> list:
        return [F.Stop(event.reason or "quit")]

    def _ignore(self, event: object, at: F.Instant) -> list:
        return []

    _HANDLERS: ClassVar[dict] = {
        E.TakeTicket: _take_ticket, E.TicketIssued: _ticket_issued, E.IssueWasRefused: _issue_refused,
        E.PrintFinished: _print_finished, E.Dismiss: _dismiss, E.CounterAction: _counter_action,
        E.Called: _called, E.NobodyWaiting: _nobody_waiting, E.Skipped: _skipped,
        E.StateRefreshed: _refreshed, E.PrinterHealthChanged: _health, E.PressIgnored: _press_ignored,
        E.StorageFailed: _storage_failed, E.EffectFailed: _effect_failed, E.Quit: _quit,
        E.SyncStatusChanged: _ignore, E.Tick: _ignore,
    }
    _HANDLERS.update(staff.HANDLERS)  # counter staff requests (issue 15)
    _HANDLERS.update(survey_flow.HANDLERS)  # the satisfaction survey (issue 13)

    # ------------------------------------------------------------------ derived
    def _show(self, view: Optional[TicketView], until: Optional[float]) -> None:
        self.ticket_view, self.ticket_until = view, until

    def _service_name(self, code: str) -> str:
        try:
            return self.cfg.service(code).display_name(self.language)
        except Exception:
            return code

    def kiosk_speaks(self) -> bool:
        """Whether calls are announced here, or only by the waiting-room board."""
        board = getattr(self.cfg, "board", None)
        return bool(self.cfg.display.announce) and getattr(board, "announce", "kiosk") != "board"

    def fault(self) -> Optional[Fault]:
        """Why the kiosk cannot issue tickets now, or None."""
        return current_fault(storage=self.storage_fault, health=self.health,
                             print_fault=self.print_fault[0] if self.print_fault else None,
                             clock_problem=self.clock_problem, unexpected_error=bool(self.error_until),
                             config=self.config_fault)

    def _after_change(self) -> list:
        """Lights and systemd follow the state: emitted only when they change."""
        out: list = []
        fault = self.fault()
        code = fault.code if fault else None
        if code != self._reported_fault:
            self._reported_fault = code
            if fault:
                log.warning("out of order: %s %s", fault.code, fault.detail or "")
                out.append(F.SystemdStatus(f"out of order: {fault.code} {fault.detail or ''}".strip()))
            else:
                out.append(F.SystemdStatus("serving"))
        usable = False if fault is not None else self.health.usable
        can = {s.code: (self.services[s.code].can_issue if s.code in self.services else False)
               for s in self.cfg.services}
        printing = {job.service for job in self.printing.values()}
        lights = F.SetLights(tuple(sorted(service_lights(can, printing, usable).items())),
                             status_light(usable, attention=fault is not None))
        if lights != self._lights:
            self._lights = lights
            out.append(lights)
        return out

    def view(self, at: F.Instant) -> View:
        """What the screen shows at this moment."""
        lang = self.language
        fault = self.fault()
        services = []
        for s in self.cfg.services:
            st = self.services.get(s.code)
            if st is None:
                services.append(ServiceView(s.code, s.prefix, s.display_name(lang), 0, False, "", False))
            else:
                services.append(ServiceView(s.code, s.prefix, s.display_name(lang), st.waiting,
                                            st.can_issue and fault is None, st.message, st.priority_ok))
        calls = []
        for c in self.cfg.counters:
            call = self.calls.get(c.number)
            if call is None:
                calls.append(CallView(c.number, self.cfg.counter_name(c, self.language)))
            else:
                calls.append(CallView(c.number, call.counter_name, call.label, self._service_name(call.service),
                                      call.priority, call.at))
        local = business_day.local_time(at.wall, self.cfg.device.timezone)
        return View(language=lang, institution=self.cfg.device.institution, address=self.cfg.device.address,
                    now=local, services=tuple(services), calls=tuple(calls),
                    newest_counter=self.highlight[0] if self.highlight else None,
                    ticket=self.ticket_view, fault=fault, help_text=self.help_text, logo=self.cfg.display.logo,
                    survey=survey_flow.view_of(self), survey_offered=self.cfg.survey.enabled)

    def snapshot(self) -> Snapshot:
        """The kiosk's state for the heartbeat and the LAN feed."""
        h = self.health
        fault = self.fault()
        newest = self.recent[0].label if self.recent else None
        serving = tuple((c.number, self.cfg.counter_name(c, self.language),
                         self.calls[c.number].label if c.number in self.calls else "") for c in self.cfg.counters)
        return Snapshot(printer={"online": h.online, "paper": h.paper, "cover_open": h.cover_open,
                                 "detail": h.detail},
                        fault=fault.code if fault else None, fault_detail=fault.detail if fault else "",
                        clock_problem=self.clock_problem, day=self.day, last_ticket=self.last_ticket,
                        last_call=newest, calls=self.recent[:20], serving=serving,
                        services=tuple(self.services[s.code] for s in self.cfg.services if s.code in self.services),
                        printing=len(self.printing))

