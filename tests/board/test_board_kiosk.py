"""The real thing: `ptsp-kiosk demo --headless` with its LAN feed on 127.0.0.1, and a board.

A press and a counter call at the kiosk reach the board, which announces the
call once; a board started again afterwards shows the call and says nothing,
until the counter calls the number again (a recall is announced).
The kiosk runs as a child process (one pygame display per process); the board
runs here, in the main thread.
"""
import os
import socket
import subprocess
import sys
import threading

from board_helpers import TOKEN, wait_for
from core_helpers import ROOT, far_day_start
from drivers.sound import FakeAnnouncer
from kiosk.board.app import BoardApp

FAST = {"backoff_start": 0.1, "backoff_max": 0.5}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_kiosk(tmp_path, port):
    token = tmp_path / "lan-token"
    token.write_text(TOKEN + "\n")
    token.chmod(0o600)
    text = (ROOT / "config" / "demo.toml").read_text()
    text = text.replace('business_day_start = "03:00"', f'business_day_start = "{far_day_start()}"')
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(text + f'\n[lan]\nenabled = true\nlisten = "127.0.0.1:{port}"\ntoken_file = "{token}"\n'
                          '\n[board]\nannounce = "board"\n')
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "kiosk", "demo", "--headless", "--config", str(cfg),
                             "--database", str(tmp_path / "kiosk.db")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


def run_board(url, memory, script):
    speaker = FakeAnnouncer()
    app = BoardApp(url, TOKEN, speaker, size=(1280, 720), state_file=str(memory), client_options=FAST)
    failure = []

    def drive():
        try:
            script(app, speaker)
        except BaseException as e:
            failure.append(e)
        finally:
            app.stop()

    t = threading.Thread(target=drive)
    t.start()
    app.run(max_seconds=40)
    t.join(10)
    if failure:
        raise failure[0]
    return speaker


def test_a_press_and_a_call_at_the_kiosk_reach_the_board_which_announces_once_even_after_a_restart(tmp_path):
    port = free_port()
    kiosk = start_kiosk(tmp_path, port)
    url = f"http://127.0.0.1:{port}"
    memory = tmp_path / "announced.json"

    def say(line):
        kiosk.stdin.write(line + "\n")
        kiosk.stdin.flush()

    try:
        def first(app, speaker):
            assert wait_for(lambda: app.model.connected and app.frames > 0, timeout=30), "no feed from the kiosk"
            say("press A")
            assert wait_for(lambda: any(s.get("waiting") for s in app.model.feed["services"]), timeout=20), \
                "the ticket never showed as waiting on the board"
            say("press counter 1")
            assert wait_for(lambda: "A-001" in app.shown_texts and speaker.said, timeout=20)

        speaker = run_board(url, memory, first)
        assert speaker.said == [("Nomor antrian A satu. A satu. Silakan menuju loket satu.", "id")]

        def again(app, speaker):
            assert wait_for(lambda: "A-001" in app.shown_texts, timeout=20)
            assert speaker.said == []  # a restarted board repeats nothing
            say("hold counter 1")  # panggil ulang: a recall is announced again
            assert wait_for(lambda: speaker.said, timeout=20)

        assert run_board(url, memory, again).said == [
            ("Nomor antrian A satu. A satu. Silakan menuju loket satu.", "id")]
    finally:
        if kiosk.poll() is None:
            say("quit")
        try:
            out, err = kiosk.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            kiosk.kill()
            out, err = kiosk.communicate()
    assert kiosk.returncode == 0, err[-2000:]
