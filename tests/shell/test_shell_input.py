"""The shell's input side: admin keys, demo keys, taps and the loop's wake-up."""
import queue

import pytest

from kiosk.core.events import CounterAction, Dismiss, Quit, TakeTicket
from kiosk.machine.view import DISMISS
from kiosk.shell.app import WakingQueue
from kiosk.shell.input import DemoKeys, PygameInput, is_admin_combination, parse_admin_keys


def test_admin_keys_need_exactly_their_modifiers():
    admin = parse_admin_keys("Ctrl+Alt+Q")
    assert is_admin_combination(admin, "q", {"ctrl", "alt"})
    assert not is_admin_combination(admin, "q", set())  # a visitor's plain q
    assert not is_admin_combination(admin, "q", {"ctrl"})
    assert not is_admin_combination(admin, "q", {"ctrl", "alt", "shift"})
    assert parse_admin_keys("") is None


class _Renderer:
    def __init__(self, action):
        self.action = action

    def hit(self, pos):
        return self.action


def _input(action=None, demo=False, demo_keys=None):
    events = queue.Queue()
    return PygameInput(None, _Renderer(action), events, admin_keys="ctrl+alt+q", demo=demo, closable=False,
                       demo_keys=demo_keys), events


def drain(events):
    out = []
    while not events.empty():
        out.append(events.get_nowait())
    return out


def test_in_production_only_the_admin_combination_quits():
    inp, events = _input()
    inp.key("q", set())
    inp.key("escape", set())
    assert drain(events) == []
    inp.key("q", {"ctrl", "alt"})
    assert drain(events) == [Quit("admin keys")]


@pytest.mark.parametrize("action, expected", [
    (DISMISS, Dismiss()),
    (TakeTicket("barang", True, "x"), TakeTicket("barang", True, "touch")),
    (None, None),
])
def test_a_tap_becomes_the_event_of_what_was_drawn_there(action, expected):
    inp, events = _input(action)
    inp.tap((10, 10), "touch")
    assert drain(events) == ([expected] if expected else [])


def test_demo_keys_without_buttons_give_the_events_a_button_would(demo_config):
    events = queue.Queue()
    keys = DemoKeys(demo_config, None, events)
    keys.press("1", shift=False)
    keys.press("q", shift=True)
    keys.press("a", shift=False)
    assert drain(events) == [TakeTicket(demo_config.services[0].code, False, "key"),
                             CounterAction(1, "recall", "key"), CounterAction(1, "skip", "key")]


def test_a_put_wakes_a_loop_sleeping_in_sdl_once_until_it_has_woken():
    posted = []
    q = WakingQueue(post=lambda: posted.append(1))
    q.put("a")
    q.put("b")
    assert posted == [1]  # one wake-up pending at a time
    q.woken()
    q.put("c")
    assert posted == [1, 1]


def test_without_sdl_waiting_a_put_posts_nothing():
    q = WakingQueue()
    q.put("a")
    assert q.get_nowait() == "a"
