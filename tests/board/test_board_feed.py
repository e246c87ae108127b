"""The board's feed client: backoff that doubles to a ceiling and starts again after success."""
import threading

from kiosk.board.feed import FeedClient, FeedError


class ScriptedClient(FeedClient):
    """fetch() follows a script of feeds and failures; waits are recorded, not slept."""

    def __init__(self, script):
        self.seen, self.lost, self.pauses = [], [], []
        super().__init__("http://127.0.0.1:9", "t" * 20, on_feed=self.seen.append, on_lost=self.lost.append,
                         backoff_start=1.0, backoff_max=8.0)
        self.script = list(script)
        self.waits = []
        client = self

        class Clock(threading.Event):
            def wait(self, timeout=None):  # the pause between attempts
                client.pauses.append(timeout)
                return self.is_set()

        self._stop = Clock()

    def fetch(self, wait):
        self.waits.append(wait)
        if not self.script:
            self._stop.set()
            raise FeedError("end of script")
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def test_failures_back_off_doubling_to_the_ceiling_with_jitter_and_reset_after_success():
    refused = FeedError("connection refused")
    client = ScriptedClient([refused] * 5 + [{"version": 4}] + [refused])
    client._run()
    first_five = client.pauses[:5]
    for pause, nominal in zip(first_five, [1, 2, 4, 8, 8]):
        assert nominal * 0.8 <= pause <= nominal * 1.2
    assert 0.8 <= client.pauses[5] <= 1.2  # a success starts the backoff again
    assert client.seen == [{"version": 4}] and client.version == 4
    assert client.waits[:6] == [0.0] * 6 and client.waits[6] == client.wait  # long-poll only once connected
    assert client.lost[:5] == ["connection refused"] * 5


# ---------------------------------------------------------------- hostile feed servers (h_hostile)
import json as _json  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

import pytest  # noqa: E402

from board_helpers import sample_feed  # noqa: E402
from kiosk.board.announce import AnnouncedCalls, CallAnnouncer  # noqa: E402
from kiosk.board.model import BoardModel  # noqa: E402

GARBAGE_FEEDS = [
    {"version": 1, "calls": "abc"},
    {"version": 1, "calls": [1, 2]},
    {"version": 1, "calls": {"a": 1}},
    {"version": 1, "calls": [{"call_id": 5, "counter": "x", "at": "y", "label": None}]},
    {"version": 1, "calls": [{"call_id": 5, "counter": 1, "label": "A-001", "at": 1.0}], "now": "z"},
    {"version": 1, "calls": [{"call_id": 5, "counter": 2 ** 70, "label": "A-001", "at": 1.0}]},
    {"version": 1, "calls": [{"call_id": True, "counter": 1, "label": "A-001", "at": 1.0}]},
    {"version": 1, "board": "x"},
    {"version": 1, "board": {"highlight_seconds": "x"}},
    {"version": 1, "board": {"history": 10 ** 9}},
    {"version": 1, "counters": "x"},
    {"version": 1, "counters": [1]},
    {"version": 1, "services": [None]},
    {"version": 1, "services": [{"code": "a", "name": "x"}]},
]


class _Garbage(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def garbage_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("feed", GARBAGE_FEEDS, ids=range(len(GARBAGE_FEEDS)))
def test_a_feed_of_the_wrong_shape_is_a_lost_feed_not_a_crash(garbage_server, feed):
    """A server at --source answering JSON of the wrong shape must not reach the
    board's model (it used to raise in the main loop and end the board)."""
    _Garbage.body = _json.dumps(feed).encode()
    client = FeedClient(f"http://127.0.0.1:{garbage_server.server_address[1]}", "t" * 20,
                        on_feed=lambda f: None, on_lost=lambda r: None)
    try:
        with pytest.raises(FeedError, match="not a PTSP feed"):
            client.fetch(0.0)
    finally:
        client._drop()


def test_a_real_feed_passes_the_shape_check_and_draws_in_the_model(garbage_server):
    feed = sample_feed()
    _Garbage.body = _json.dumps(feed).encode()
    client = FeedClient(f"http://127.0.0.1:{garbage_server.server_address[1]}", "t" * 20,
                        on_feed=lambda f: None, on_lost=lambda r: None)
    try:
        got = client.fetch(0.0)
    finally:
        client._drop()
    model = BoardModel()
    assert model.apply_feed(got, 0.0) == [15, 14, 12, 10]
    memory = AnnouncedCalls(None)
    memory.last_id = 0
    CallAnnouncer(type("S", (), {"announce": lambda self, t, lang="id": None})(), memory).on_feed(got, True)


@pytest.mark.parametrize("body", [
    b'{"version": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",  # RecursionError used to kill the feed thread
    _json.dumps({"version": 1, "institution": "Rutan\x00Blora"}).encode(),  # pygame refuses NUL: the board died
    _json.dumps({"version": 1, "calls": [{"call_id": 1, "counter": 1, "label": "A\x00", "at": 1.0}]}).encode(),
], ids=["deep-nesting", "nul-institution", "nul-label"])
def test_deep_nesting_and_nul_bytes_are_a_lost_feed(garbage_server, body):
    _Garbage.body = body
    client = FeedClient(f"http://127.0.0.1:{garbage_server.server_address[1]}", "t" * 20,
                        on_feed=lambda f: None, on_lost=lambda r: None)
    try:
        with pytest.raises(FeedError, match="not (JSON|a PTSP feed)"):
            client.fetch(0.0)
    finally:
        client._drop()


def test_texts_of_thousands_of_characters_are_cut_before_they_reach_the_renderer(garbage_server):
    """The config allows an institution of 4096 characters; fitting 2000 into its
    box took the renderer 30 s per picture (a frozen board)."""
    from kiosk.board.feed import MAX_TEXT

    feed = sample_feed(running_text="r" * 2000)
    feed["institution"] = "W" * 5000
    feed["calls"][0]["label"] = "9" * 3000
    _Garbage.body = _json.dumps(feed).encode()
    client = FeedClient(f"http://127.0.0.1:{garbage_server.server_address[1]}", "t" * 20,
                        on_feed=lambda f: None, on_lost=lambda r: None)
    try:
        got = client.fetch(0.0)
    finally:
        client._drop()
    assert got["institution"] == "W" * MAX_TEXT and got["calls"][0]["label"] == "9" * MAX_TEXT
    assert got["board"]["running_text"] == "r" * 2000 and got["calls"][1] == feed["calls"][1]
