"""Ticket life as a literal transition table; a void ticket is never called."""
import pytest

from kiosk.core import tickets as T
from kiosk.core.errors import IllegalTransition, KioskError

ALLOWED = {
    ("issued", "printed"): "waiting",
    ("issued", "void"): "void",
    # Ticket-in-hand rule (issue 10): a started print that failed stays callable;
    # a scripted ticket (no printer) is callable at once.
    ("issued", "print_uncertain"): "waiting",
    ("issued", "issued_unprinted"): "waiting",
    ("waiting", "called"): "called",
    ("waiting", "void"): "void",
    ("called", "recalled"): "called",
    ("called", "served"): "served",
    ("called", "skipped"): "skipped",
    # Counter staff (issue 15): transfer to another service, call back a no-show.
    ("called", "transferred"): "waiting",
    ("skipped", "called"): "called",
}
VERBS = sorted({verb for _, verb in ALLOWED})


@pytest.mark.parametrize("state, verb", sorted(ALLOWED))
def test_given_an_allowed_move_when_applied_then_the_ticket_reaches_its_next_state(state, verb):
    assert T.next_state(state, verb) == ALLOWED[(state, verb)]


@pytest.mark.parametrize("state, verb", [(s, v) for s in T.STATES for v in VERBS if (s, v) not in ALLOWED])
def test_given_a_move_not_in_the_table_when_applied_then_it_is_an_illegal_transition(state, verb):
    with pytest.raises(IllegalTransition) as info:
        T.next_state(state, verb)

    assert state in str(info.value) and verb in str(info.value)


def test_given_the_table_when_read_then_it_holds_exactly_the_ticket_life():
    assert T.TRANSITIONS == ALLOWED


@pytest.mark.parametrize("verb", ["called", "recalled"])
def test_given_a_void_ticket_when_it_is_called_then_it_is_refused(verb):
    with pytest.raises(IllegalTransition):
        T.next_state(T.VOID, verb)


@pytest.mark.parametrize("state", [T.SERVED, T.SKIPPED, T.VOID])
def test_given_a_finished_ticket_when_any_verb_is_applied_then_it_stays_finished(state):
    # A skipped visitor may only be called back by number (issue 15).
    for verb in [v for v in VERBS if (state, v) != (T.SKIPPED, "called")]:
        with pytest.raises(IllegalTransition):
            T.next_state(state, verb)


def test_given_an_illegal_transition_when_caught_then_it_is_a_kiosk_error_and_a_value_error():
    assert issubclass(IllegalTransition, KioskError) and issubclass(IllegalTransition, ValueError)


def test_given_a_ticket_when_labelled_then_prefix_and_padded_number_are_shown():
    ticket = T.Ticket(id=1, day="2025-06-02", service="kunjungan", prefix="A", number=12, priority=False,
                      state=T.WAITING, issued_at=0.0)

    assert ticket.label == "A-012"
