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
