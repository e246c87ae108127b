"""Rate limiting of presses: one ticket per visitor, one call per press.

Visitors mash buttons, buttons bounce and staff double-press. Hardware gives
no protection worth trusting (gpiozero's mock pins do not even simulate
bounce), so the main loop asks this guard before acting on any ``TakeTicket``
or ``CounterAction``, whatever its source (button, touch, key or script).
Refused presses are counted here and logged by the caller; they never change
the queue.

Pure Python: no hardware import, and the clock is injected so tests need no
sleeps.
"""
from __future__ import annotations

import collections
import time

# Refusal reasons; the same words as ``kiosk.core.events.PressIgnored.why``.
PRINTING = "printing"
TOO_SOON = "too_soon"

COUNTER_ACTIONS = ("call", "recall", "skip")
# Call and skip both move the queue on to the next visitor, so they share one
# timer: a call followed by an accidental skip within the interval would make
# the visitor just called lose their turn before they could stand up.
_ADVANCING = ("call", "skip")


class PressGuard:
    """Decides whether a press is acted on.

    ``visitor_interval``: seconds after a ticket for a service (counted from the
    accepted press, and again from the end of its printing) during which the
    same service issues nothing. ``counter_interval``: seconds after a call or
    skip at a counter during which that counter cannot call or skip again
    (and after a recall, during which it cannot recall again).
    ``printing_timeout``: a printing mark older than this is treated as lost
    (the worker reports every job, but a lost report must never lock a
    service button for the rest of the day). Used by the main loop only, so
    it holds no lock.
    """

    def __init__(self, visitor_interval, counter_interval, clock=time.monotonic,
                 printing_timeout=120.0):
        if visitor_interval < 0 or counter_interval < 0:
            raise ValueError("intervals must be 0 or more")
        self.visitor_interval = float(visitor_interval)
        self.counter_interval = float(counter_interval)
        self.printing_timeout = float(printing_timeout)
        self._clock = clock
        self._last_ticket = {}  # service -> time of the last accepted press / print end
        self._printing = {}  # service -> time printing started
        self._last_counter = {}  # (counter, "advance" | "recall") -> time
        # Refused presses per target ("service:kunjungan", "counter:2"), for logs and diag.
        self.refused: collections.Counter = collections.Counter()

    @classmethod
    def from_config(cls, buttons, clock=time.monotonic):
        """A guard with the intervals of a ``config.Buttons`` section."""
        return cls(buttons.visitor_interval, buttons.counter_interval, clock=clock)

    # -- visitors ---------------------------------------------------------
    def allow_ticket(self, service):
        """``(True, "")`` if a ticket for ``service`` (its code) may be issued now,
        else ``(False, why)`` with why ``"printing"`` or ``"too_soon"``.

        An accepted press starts the interval at once, so a burst of presses
        arriving before the ticket is even issued still gives one ticket.
        """
        now = self._clock()
        if self.is_printing(service, now):
            return self._refuse(f"service:{service}", PRINTING)
        last = self._last_ticket.get(service)
        if last is not None and now - last < self.visitor_interval:
            return self._refuse(f"service:{service}", TOO_SOON)
        self._last_ticket[service] = now
        return True, ""

    def printing_started(self, service):
        """A ticket for ``service`` started printing: its button issues nothing until done."""
        now = self._clock()
        self._printing[service] = now
        self._last_ticket[service] = max(self._last_ticket.get(service, now), now)

    def printing_done(self, service):
        """Printing for ``service`` ended (printed or failed). The visitor interval
        restarts now: the visitor who just got the ticket may still be pressing."""
        now = self._clock()
        self._printing.pop(service, None)
        self._last_ticket[service] = now

    def is_printing(self, service, now=None):
        """Whether a ticket for ``service`` is printing (and the mark is not stale)."""
        started = self._printing.get(service)
        if started is None:
            return False
        now = self._clock() if now is None else now
        if now - started > self.printing_timeout:
            del self._printing[service]
            return False
        return True

    # -- counters ---------------------------------------------------------
    def allow_counter(self, counter, action):
        """``(True, "")`` if ``action`` (call | recall | skip) at ``counter`` may be
        acted on now, else ``(False, "too_soon")``. A double press never calls
        (or skips) two visitors."""
        if action not in COUNTER_ACTIONS:
            raise ValueError(f"unknown counter action {action!r}; use one of {', '.join(COUNTER_ACTIONS)}")
        now = self._clock()
        key = (str(counter), "advance" if action in _ADVANCING else "recall")
        last = self._last_counter.get(key)
        if last is not None and now - last < self.counter_interval:
            return self._refuse(f"counter:{counter}", TOO_SOON)
        self._last_counter[key] = now
        return True, ""

    def _refuse(self, target, why):
        self.refused[target] += 1
        return False, why
