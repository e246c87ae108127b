"""LanState: the feed built from the machine's snapshot, versions, and the staff request channel."""
import queue
import threading
from dataclasses import dataclass

import pytest

from board_helpers import Kiosk, board_config, call
from kiosk.lan.state import MAX_CALLS, LanState, build_feed


@dataclass(frozen=True)
class Request:
    request_id: int


def test_calls_at_counters_no_longer_configured_are_left_out_and_at_most_20_are_listed():
    cfg = board_config()
    calls = [call(200, 9, "A-099")] + [call(100 - i, 1, f"A-{i:03d}") for i in range(30)]
    feed = build_feed({"calls": calls}, cfg)
    assert len(feed["calls"]) == MAX_CALLS - 1  # the first 20, less the one at counter 9
    assert all(c["counter"] == 1 for c in feed["calls"])


def test_a_snapshot_with_missing_or_odd_values_still_gives_a_complete_feed():
    feed = build_feed({"calls": [{"counter": 1, "call_id": "x", "label": "A-001"}], "serving": None}, board_config())
    assert feed["calls"][0]["call_id"] == 0 and feed["counters"][0]["label"] == ""
    assert {s["code"] for s in feed["services"]} >= {"kunjungan", "barang"}


def test_each_change_makes_a_new_version_and_wakes_a_waiting_reader():
    state = LanState(board_config())
    kiosk = Kiosk(state)
    v0, _ = state.current()
    got = {}
    t = threading.Thread(target=lambda: got.setdefault("r", state.wait_newer(v0, 10)))
    t.start()
    kiosk.call(1, "A-001")
    t.join(5)
    version, feed = got["r"]
    assert version == v0 + 1 and feed["calls"][0]["label"] == "A-001" and feed["version"] == version


def test_wait_newer_returns_the_same_version_after_its_timeout():
    state = LanState(board_config())
    v = state.publish({})
    assert state.wait_newer(v, 0.01)[0] == v


def test_submit_puts_the_event_on_the_main_loop_queue_and_returns_its_reply():
    events: queue.Queue = queue.Queue()
    state = LanState(board_config(), events=events)

    def main_loop():
        event = events.get(timeout=5)
        state.reply(event.request_id, {"ok": True, "id": event.request_id})

    t = threading.Thread(target=main_loop)
    t.start()
    assert state.submit(Request(7), timeout=5) == {"ok": True, "id": 7}
    t.join()


def test_a_reply_of_none_is_still_a_reply():
    events: queue.Queue = queue.Queue()
    state = LanState(board_config(), events=events)
    threading.Thread(target=lambda: state.reply(events.get(timeout=5).request_id, None)).start()
    assert state.submit(Request(1), timeout=5) is None


def test_submit_times_out_clearly_and_a_late_reply_is_dropped():
    state = LanState(board_config(), events=queue.Queue())
    with pytest.raises(TimeoutError, match="no answer from the kiosk"):
        state.submit(Request(3), timeout=0.05)
    state.reply(3, "late")  # nobody waits: no error, nothing kept
    assert state._replies == {}


def test_submit_without_a_main_loop_is_refused():
    with pytest.raises(RuntimeError):
        LanState(board_config()).submit(Request(1))
