"""Carries out the machine's effects with the store, the drivers and the workers.

Each ``run(effect)`` returns the events that report its result (a ticket
issued, a call made, the state re-read); the app feeds them back to the
machine in the same turn. A storage error becomes ``StorageFailed`` with the
store's out-of-order code; any other failure ``EffectFailed``. Nothing here
decides anything: the machine has already decided.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Callable, Optional

from kiosk.core import events as E
from kiosk.core.errors import IssueRefused, KioskError, OperationRefused, StoreError, UnknownName
from kiosk.machine import effects as F
from kiosk.services.queue_service import QueueService, refusal_text
from kiosk.services import survey_service
from kiosk.shell import sdnotify

log = logging.getLogger(__name__)


def call_info(call) -> E.CallInfo:
    """A QueueService Call as the plain values the machine keeps."""
    t = call.ticket
    return E.CallInfo(counter=call.counter_number, counter_name=call.counter_name, label=t.label,
                      service=t.service, priority=bool(t.priority), text=call.text, at=call.at,
                      call_id=int(getattr(call, "call_id", 0) or 0))


def _refused(f, e, action: str) -> E.CounterRefused:
    """A refused counter operation as the event the machine replies with."""
    # UnknownName here can only be the transfer's target service (labels and
    # counters are checked before): a service the config does not know.
    reason = "unknown_service" if isinstance(e, UnknownName) else getattr(e, "reason", "unknown")
    values = tuple(sorted((k, v) for k, v in getattr(e, "values", {}).items()
                          if isinstance(v, (str, int)) and not isinstance(v, bool)))
    return E.CounterRefused(f.counter, reason, str(e), values, action, f.request_id)


class EffectsRunner:
    """Executes effects. ``print_worker``, ``announcer``, ``board`` and ``sync``
    may be None (not started, or not configured)."""

    def __init__(self, service: QueueService, language: str, *, print_worker=None, announcer=None,
                 board=None, sync=None,
                 on_stop: Optional[Callable[[str], None]] = None, replies=None):
        self.service = service
        self.language = language
        self.print_worker = print_worker
        self.announcer = announcer
        self.board = board
        self.sync = sync
        self.on_stop = on_stop
        self.replies = replies  # hands a Reply to the LAN request waiting for it

    def run(self, effect) -> list:
        """Execute one effect; returns the events that report its result."""
        try:
            handler = getattr(self, "_" + type(effect).__name__)
        except AttributeError:
            log.error("no way to carry out %r", effect)
            return [E.EffectFailed(f"unknown effect {type(effect).__name__}")]
        try:
            return handler(effect) or []
        except StoreError as e:
            return [E.StorageFailed(str(e), getattr(e, "code", None) or "DB")]
        except Exception as e:  # a driver or worker we did not foresee: ERR, never a crash
            log.exception("carrying out %s failed", type(effect).__name__)
            return [E.EffectFailed(f"{type(effect).__name__}: {e}")]

    # -- queue operations -------------------------------------------------------------
    def _IssueTicket(self, f: F.IssueTicket) -> list:
        try:
            issued = self.service.issue(f.service, f.priority)
        except IssueRefused as e:
            log.info("no ticket for %s: %s", f.service, e)
            return [E.IssueWasRefused(f.service, refusal_text(e, self.language))]
        c = issued.content
        lines = tuple(x for x in (c.ahead_text, c.wait_text, c.instruction) if x)
        t = issued.ticket
        return [E.TicketIssued(t.id, t.label, t.service, bool(t.priority), c, lines)]

    def _CounterOperation(self, f: F.CounterOperation) -> list:
        if f.action == "skip":
            skipped = self.service.skip(f.counter)
            return [E.Skipped(f.counter, skipped.label if skipped else "", f.request_id)]
        try:
            call = self.service.recall(f.counter) if f.action == "recall" else self.service.call_next(f.counter)
        except OperationRefused as e:  # a closed counter calls nobody
            return [_refused(f, e, f.action)]
        if call is None:
            return [E.NobodyWaiting(f.counter, f.action, f.source, f.request_id)]
        return [E.Called(call_info(call), recall=f.action == "recall", source=f.source, request_id=f.request_id)]

    # -- counter staff (issue 15) -----------------------------------------------------
    def _TransferTicket(self, f: F.TransferTicket) -> list:
        try:
            moved = self.service.transfer(f.to_service, label=f.label or None, counter_number=f.counter)
        except (OperationRefused, UnknownName) as e:
            return [_refused(f, e, "transfer")]
        return [E.TicketTransferred(moved.counter, moved.ticket.label, moved.from_service, moved.to_service,
                                    moved.position, f.request_id)]

    def _CallTicket(self, f: F.CallTicket) -> list:
        try:
            call = self.service.call_ticket(f.counter, f.label)
        except (OperationRefused, UnknownName) as e:
            return [_refused(f, e, "call_ticket")]
        return [E.Called(call_info(call), recall=False, source=f.source, request_id=f.request_id)]

    def _SetCounterOpen(self, f: F.SetCounterOpen) -> list:
        change = self.service.set_counter_open(f.counter, f.open)
        return [E.CounterOpenChanged(change.counter, change.open, change.changed, change.finished, f.request_id)]

    def _ViewCounter(self, f: F.ViewCounter) -> list:
        return [E.CounterViewed(dataclasses.asdict(self.service.counter_view(f.counter)), f.request_id)]

    def _RecordPrintOutcome(self, f: F.RecordPrintOutcome) -> list:
        self.service.record_print_outcome(f.ticket_id, f.outcome, f.reason)
        return []

    def _LogPressIgnored(self, f: F.LogPressIgnored) -> list:
        self.service.log_press_ignored(f.target, f.why, f.source)
        return []

    def _RecordHealth(self, f: F.RecordHealth) -> list:
        log.info("printer health: %s", f.health)
        dc = self.service.day_clock()
        self.service.store.log("printer_health", dc.now, day=dc.day, **f.health)
        self.service.store.meta_set("printer.health", dict(f.health, at=dc.now))
        return []

    def _Refresh(self, f: F.Refresh) -> list:
        states = tuple(E.ServiceState(code, a.can_issue, a.message, a.waiting, a.priority_ok)
                       for code, a in self.service.availability().items())
        dc = self.service.day_clock()
        calls = tuple(call_info(c) for c in self.service.recent_calls(limit=50))
        return [E.StateRefreshed(states, dc.day, dc.problem, calls, seed=f.seed)]

    # -- devices and workers ----------------------------------------------------------
    def _PrintTicket(self, f: F.PrintTicket) -> list:
        if self.print_worker is None:
            return [E.PrintFinished(f.ticket_id, "no printer", "PRN-OFF", outcome="void")]
        self.print_worker.submit(f.ticket_id, f.content)
        return []

    def _Announce(self, f: F.Announce) -> list:
        if self.announcer is not None:
            self.announcer.announce(f.text, f.language)
        return []

    def _SetLights(self, f: F.SetLights) -> list:
        if self.board is not None:
            try:
                self.board.set_service_lights(dict(f.services))
                self.board.set_status_light(f.status)
            except KioskError as e:
                log.warning("lights: %s", e)
        return []

    def _SignalCounter(self, f: F.SignalCounter) -> list:
        log.info("counter %s: %s", f.counter, f.pattern)
        signal = getattr(self.board, "signal_counter", None)
        if signal is not None:
            try:
                signal(f.counter, f.pattern)
            except KioskError as e:
                log.warning("counter signal: %s", e)
        return []

    def _WakeSync(self, f: F.WakeSync) -> list:
        if self.sync is not None:
            self.sync.wake()
        return []

    def _SystemdStatus(self, f: F.SystemdStatus) -> list:
        sdnotify.status(f.text)
        return []

    def _Reply(self, f: F.Reply) -> list:
        if self.replies is not None:
            self.replies(f)
        return []

    # The satisfaction survey (issue 13): kiosk.services.survey_service carries them out.
    def _CheckSurveyTicket(self, f) -> list:
        return survey_service.run(self.service, f)

    _SaveSurveyResponse = _RecordBoxRating = _CheckSurveyTicket

    def _Stop(self, f: F.Stop) -> list:
        log.info("stopping: %s", f.reason)
        if self.on_stop is not None:
            self.on_stop(f.reason)
        return []
