"""Invariants of the queue over random sequences of presses (hypothesis).

The model below remembers only what a bystander would see (which tickets were
issued, printed, voided, called where) and checks every call against the
rules: no number twice in a day and service, a void ticket never called, strict
priority never passes a waiting priority ticket, N:1 interleave holds.
"""
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core_helpers import MON, Clock, make_config, wib
from kiosk.core.errors import IssueRefused
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SERVICES = ("kunjungan", "barang", "informasi")
SERVES = {1: {"kunjungan", "barang"}, 2: {"kunjungan", "informasi"}, 3: {"barang"}}


def configure(tmp, policy, every, number_end=999):
    def edit(d):
        d["queue"] = {"priority_policy": policy, "priority_every": every}
        d["services"][0].pop("hours")  # open all day: hours are not under test here
        for s in d["services"]:
            s["number_end"] = number_end
        d["counters"].append({"number": 3, "services": ["barang"]})
    return make_config(Path(tmp) / "k.db", edit)


class Bystander:
    """Runs operations on a QueueService and checks each call against the rules."""

    def __init__(self, queue, policy, every):
        self.queue, self.policy, self.every = queue, policy, every
        self.unprinted, self.waiting = [], []  # tickets, oldest first
        self.void = set()
        self.streak = {n: 0 for n in SERVES}  # normal calls since the last priority call
        self.calls = {n: [] for n in SERVES}  # (priority, both kinds were waiting)

    def issue(self, service, priority):
        try:
            ticket = self.queue.issue(service, priority=priority).ticket
        except IssueRefused as e:
            assert e.reason == "range_full"
            return
        self.unprinted.append(ticket)

    def print_(self, k):
        if self.unprinted:
            ticket = self.unprinted.pop(k % len(self.unprinted))
            self.waiting.append(self.queue.printed(ticket.id))
            self.waiting.sort(key=lambda t: t.id)

    def void_(self, k):
        pool = self.unprinted + self.waiting
        if pool:
            ticket = pool[k % len(pool)]
            self.queue.void(ticket.id, "PRN-PAPER")
            self.void.add(ticket.id)
            self.unprinted = [t for t in self.unprinted if t.id != ticket.id]
            self.waiting = [t for t in self.waiting if t.id != ticket.id]

    def call(self, counter):
        mine = [t for t in self.waiting if t.service in SERVES[counter]]
        priority = [t for t in mine if t.priority]
        normal = [t for t in mine if not t.priority]
        call = self.queue.call_next(counter)
        if not mine:
            assert call is None
            return
        ticket = call.ticket
        assert ticket.id not in self.void, "a void ticket was called"
        if self.policy == "strict" and priority:
            assert ticket.priority, "strict: a normal ticket went before a waiting priority one"
        if self.policy == "interleave" and priority and normal:
            expected = self.streak[counter] >= self.every
            assert ticket.priority == expected, f"interleave: streak {self.streak[counter]}, every {self.every}"
        oldest = (priority if ticket.priority else normal)[0]
        assert ticket.id == oldest.id, "not the oldest ticket of its kind"
        self.streak[counter] = 0 if ticket.priority else self.streak[counter] + 1
        self.calls[counter].append((ticket.priority, bool(priority and normal)))
        self.waiting = [t for t in self.waiting if t.id != ticket.id]

    def skip(self, counter):
        self.queue.skip(counter)

    def recall(self, counter):
        call = self.queue.recall(counter)
        if call is not None:
            assert call.ticket.state == "called" and call.ticket.id not in self.void


OPERATIONS = st.one_of(
    st.tuples(st.just("issue"), st.sampled_from(SERVICES), st.booleans()),
    st.tuples(st.just("print"), st.integers(0, 20)),
    st.tuples(st.just("print"), st.integers(0, 20)),
    st.tuples(st.just("void"), st.integers(0, 20)),
    st.tuples(st.just("call"), st.sampled_from(sorted(SERVES))),
    st.tuples(st.just("call"), st.sampled_from(sorted(SERVES))),
    st.tuples(st.just("skip"), st.sampled_from(sorted(SERVES))),
    st.tuples(st.just("recall"), st.sampled_from(sorted(SERVES))),
)
# Seconds between presses; 0 often, as when the clock guard holds time still.
STEPS = st.lists(st.tuples(OPERATIONS, st.sampled_from([0, 0, 1, 7, 60])), max_size=80)


def play(policy, every, steps, number_end=999):
    with tempfile.TemporaryDirectory() as tmp:
        cfg = configure(tmp, policy, every, number_end)
        store = Store(cfg.storage.database)
        try:
            clock = Clock(wib(MON, 9))
            who = Bystander(QueueService(cfg, store, clock=clock), policy, every)
            for (name, *args), seconds in steps:
                getattr(who, {"print": "print_", "void": "void_"}.get(name, name))(*args)
                clock.advance(seconds)
            return who, store.tickets("2025-06-02"), store.events()
        finally:
            store.close()


@SETTINGS
@given(policy=st.sampled_from(["strict", "interleave"]), every=st.integers(1, 3), steps=STEPS)
def test_given_random_presses_when_played_then_every_call_follows_the_rules_and_numbers_are_unique(
        policy, every, steps):
    who, tickets, events = play(policy, every, steps)

    numbers = [(t.service, t.number) for t in tickets]
    assert len(numbers) == len(set(numbers)), "a number was handed out twice"
    void = {t.id for t in tickets if t.state == "void"}
    assert void == who.void
    assert not [e for e in events if e["type"] in ("called", "recalled") and e["ticket_id"] in void]
    assert all(t.called_at is None for t in tickets if t.state == "void")


@SETTINGS
@given(steps=STEPS)
def test_given_a_tiny_number_range_when_it_wraps_then_no_two_live_tickets_share_a_number(steps):
    _, tickets, _ = play("interleave", 2, steps, number_end=3)

    assert all(1 <= t.number <= 3 for t in tickets)
    live = [(t.service, t.number) for t in tickets if t.state in ("issued", "waiting", "called")]
    assert len(live) == len(set(live))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(every=st.integers(1, 4), kinds=st.lists(st.booleans(), min_size=30, max_size=60),
       ticks=st.sampled_from([0, 5]))
def test_given_a_long_run_with_both_kinds_waiting_when_interleaving_then_n_normal_calls_separate_priority_calls(
        every, kinds, ticks):
    steps = [(("issue", "barang", p), ticks) for p in kinds] + [(("print", 0), ticks) for _ in kinds]
    steps += [(("call", 1), ticks) for _ in kinds]

    who, _, _ = play("interleave", every, steps)

    # Between two priority calls made while both kinds waited: exactly `every` normal calls.
    priority_at = [i for i, (p, both) in enumerate(who.calls[1]) if p and both]
    for a, b in zip(priority_at, priority_at[1:]):
        if all(both for _, both in who.calls[1][a:b + 1]):
            assert b - a - 1 == every, [p for p, _ in who.calls[1]]
    assert len(who.calls[1]) == len(kinds)
