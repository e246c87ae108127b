"""`ptsp-kiosk demo --headless` as a newcomer or a script runs it: a real process."""
import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kiosk(args, tmp_path, env_extra=None, **kw):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    env.pop("NOTIFY_SOCKET", None)
    env.update(env_extra or {})
    return subprocess.Popen([sys.executable, "-m", "kiosk", *args], cwd=tmp_path, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_headless_demo_runs_a_script_from_stdin_and_saves_each_new_screen(tmp_path):
    shots = tmp_path / "shots"
    p = kiosk(["demo", "--headless", "--size", "800x480", "--screenshot-dir", str(shots)], tmp_path)
    out, err = p.communicate("press A\nwait 1\npress counter 1\nwait 0.5\nquit\n", timeout=60)
    assert p.returncode == 0, err
    names = [f.name for f in sorted(shots.glob("*.png"))]
    assert names[0].endswith("home.png")
    assert any("ticket-done-A-001" in n for n in names), names
    # the database and the ticket picture live in the user's data folder
    data = tmp_path / "data" / "ptsp-kiosk"
    assert (data / "demo.db").exists()
    assert list((data / "tickets").glob("*A-001*.png"))


def test_a_bad_script_line_is_reported_and_the_run_goes_on(tmp_path):
    p = kiosk(["demo", "--headless"], tmp_path)
    out, err = p.communicate("presss A\npress Z\npress B\nwait 0.5\nquit\n", timeout=60)
    assert p.returncode == 0, err
    assert "line 1" in err and "line 2" in err
    assert "ticket B-001 (barang) printed" in err  # the line after the bad ones still ran


def test_sigterm_ends_the_kiosk_cleanly(tmp_path):
    # READY=1 comes after the first frame, when the SIGTERM handler is in place:
    # wait for it instead of sleeping, which races a slow start on a busy machine.
    name = f"ptsp-test-{os.getpid()}-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind("\0" + name)
        notify.settimeout(60)
        p = kiosk(["demo", "--headless"], tmp_path, env_extra={"NOTIFY_SOCKET": "@" + name})
        try:
            while not notify.recv(4096).decode().startswith("READY=1"):
                pass  # stdin still open: the kiosk idles
        except BaseException:
            p.kill()
            p.communicate()
            raise
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert "stopping: SIGTERM" in err


def test_run_with_a_bad_config_says_what_is_wrong(tmp_path):
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[display]\nfulscreen = true\n")
    p = kiosk(["run", "--headless", "--config", str(bad)], tmp_path)
    out, err = p.communicate("", timeout=60)
    assert p.returncode == 2
    assert "Did you mean 'fullscreen'" in err
