"""The whole path: the kiosk's feed on 127.0.0.1 -> a headless board -> picture and voice.

The board runs in the test's main thread (it owns pygame); a driver thread
plays the kiosk and stops the board when it has seen what it waited for.
"""
import logging
import threading

import pytest

from board_helpers import TOKEN, Kiosk, board_config, wait_for
from drivers.sound import FakeAnnouncer
from kiosk.board.app import BoardApp
from kiosk.lan.server import LanServer
from kiosk.lan.state import LanState

FAST = {"backoff_start": 0.05, "backoff_max": 0.2}


@pytest.fixture
def kiosk():
    cfg = board_config(announce="board")
    state = LanState(cfg)
    server = LanServer(cfg, state, token=TOKEN, listen="127.0.0.1:0").start()
    k = Kiosk(state)
    k.server, k.cfg = server, cfg
    k.call(1, "A-001")  # a call made before any board started
    yield k
    k.server.stop()


def run_board(kiosk, state_file, script, speaker=None, shots=None):
    """Run a board until ``script(app, speaker)`` (in a thread) returns; re-raise its failure."""
    speaker = speaker or FakeAnnouncer()
    app = BoardApp(kiosk.server.url, TOKEN, speaker, size=(1280, 720), state_file=str(state_file),
                   screenshot_dir=shots, client_options=FAST)
    failure = []

    def drive():
        try:
            assert wait_for(lambda: app.model.feed is not None and app.frames > 0), "the board never connected"
            script(app, speaker)
        except BaseException as e:  # handed to the test's thread
            failure.append(e)
        finally:
            app.stop()

    t = threading.Thread(target=drive)
    t.start()
    app.run(max_seconds=20)
    t.join(10)
    if failure:
        raise failure[0]
    return app, speaker


def shown(app, label):
    return label in app.shown_texts


def test_a_call_reaches_the_board_is_announced_once_and_a_restart_does_not_repeat_it(kiosk, tmp_path):
    memory = tmp_path / "announced.json"

    def first_run(app, speaker):
        assert speaker.said == []  # A-001 was called before the board existed
        kiosk.call(2, "A-012")
        assert wait_for(lambda: shown(app, "A-012") and speaker.said), "the call never reached the board"
        # The picture is saved once the new call has slid in, which a busy machine takes longer to do.
        assert wait_for(lambda: (tmp_path / "shots" / "board.png").exists()), "no screenshot after the call"

    app, speaker = run_board(kiosk, memory, first_run, shots=str(tmp_path / "shots"))
    assert speaker.said == [("Nomor antrian A dua belas. A dua belas. Silakan menuju loket dua.", "id")]
    assert (tmp_path / "shots" / "board.png").stat().st_size > 10_000

    def second_run(app, speaker):
        assert wait_for(lambda: shown(app, "A-012"))
        kiosk.call(2, "A-012")  # panggil ulang: a recall is announced again
        assert wait_for(lambda: len(speaker.said) == 1)

    _, again = run_board(kiosk, memory, second_run)
    assert again.said == [("Nomor antrian A dua belas. A dua belas. Silakan menuju loket dua.", "id")]


def test_five_counters_calling_within_a_second_are_five_announcements_in_order(kiosk, tmp_path):
    def script(app, speaker):
        for n, label in enumerate(["A-002", "B-001", "C-001", "A-003", "E-001"], start=1):
            kiosk.call(n if n <= 3 else n - 3, label)
        assert wait_for(lambda: len(speaker.said) == 5)

    _, speaker = run_board(kiosk, tmp_path / "m.json", script)
    assert [text.split(".")[0] for text, _ in speaker.said] == [
        "Nomor antrian A dua", "Nomor antrian B satu", "Nomor antrian C satu", "Nomor antrian A tiga",
        "Nomor antrian E satu"]


def test_a_lost_kiosk_shows_the_mark_logs_why_and_reconnects_without_repeating(kiosk, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="kiosk.board.feed")

    def script(app, speaker):
        kiosk.call(1, "B-007")
        assert wait_for(lambda: len(speaker.said) == 1)
        port = kiosk.server.port
        kiosk.server.stop()
        assert wait_for(lambda: app.model.lost_reason is not None), "the board did not notice"
        assert wait_for(lambda: any("terputus" in t for t in app.shown_texts))
        assert shown(app, "B-007")  # the last state stays on screen
        kiosk.state = LanState(kiosk.cfg)  # the kiosk restarts: versions begin again
        kiosk.server = LanServer(kiosk.cfg, kiosk.state, token=TOKEN, listen=f"127.0.0.1:{port}").start()
        kiosk.state.publish(kiosk.snapshot())
        assert wait_for(lambda: app.model.lost_reason is None, timeout=20), "no reconnect"
        kiosk.call(2, "C-002")
        assert wait_for(lambda: len(speaker.said) == 2)

    _, speaker = run_board(kiosk, tmp_path / "m.json", script)
    assert [t.split(".")[0] for t, _ in speaker.said] == ["Nomor antrian B tujuh", "Nomor antrian C dua"]
    reasons = [r.getMessage() for r in caplog.records if "lost" in r.getMessage()]
    assert reasons and ("connection refused" in reasons[0] or "closed the connection" in reasons[0])
    assert len(reasons) == len(set(reasons)), "the same reason was logged again and again"
    assert any("feed back after" in r.getMessage() for r in caplog.records)


def test_a_wrong_token_is_a_clear_reason_in_the_journal(kiosk, caplog):
    caplog.set_level(logging.WARNING, logger="kiosk.board.feed")
    lost = threading.Event()
    from kiosk.board.feed import FeedClient

    client = FeedClient(kiosk.server.url, "wrong-token-0123456789", on_feed=lambda f: None,
                        on_lost=lambda reason: lost.set(), **FAST).start()
    try:
        assert lost.wait(15)
    finally:
        client.stop()
    assert "refused the token (401)" in caplog.records[0].getMessage()
