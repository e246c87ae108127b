"""The display board's unit, `install --display`, and the `display` command's refusals."""
import os
import subprocess
import sys
import time

import pytest

from board_helpers import TOKEN
from install_helpers import ROOT, SYSTEMD, make_source, need_tool, parse_unit, words
from kiosk.bench.install import exposure
from kiosk.cli import main
from kiosk.install.installer import Installer, install_display

UNIT = SYSTEMD / "ptsp-display.service"


def test_the_display_unit_is_hardened_to_an_exposure_of_at_most_4():
    need_tool("systemd-analyze")
    assert exposure(UNIT) <= 4.0


def test_the_display_unit_runs_the_board_as_the_kiosk_user_with_screen_and_sound_only():
    s = parse_unit(UNIT)["Service"]
    cmd = s["ExecStart"][0].split()
    assert cmd[:3] == ["/opt/ptsp-kiosk/venv/bin/python", "-m", "kiosk.cli.display"]
    assert cmd[cmd.index("--source") + 1] == "${PTSP_DISPLAY_SOURCE}"
    assert cmd[cmd.index("--token-file") + 1] == "${PTSP_DISPLAY_TOKEN_FILE}"
    assert s["User"] == ["ptsp-kiosk"] and s["Restart"] == ["always"]
    assert sorted(words(s["SupplementaryGroups"])) == ["audio", "input", "render", "video"]
    devices = {v.split()[0] for v in s["DeviceAllow"]}
    assert "char-drm" in devices and "char-alsa" in devices
    assert not devices & {"char-gpiochip", "char-usb", "char-ttyUSB"}  # no kiosk hardware
    # The announcement memory must survive restarts: it lives in the state directory.
    assert s["StateDirectory"] == ["ptsp-display"] and s["WorkingDirectory"] == ["%S/ptsp-display"]


def test_install_display_adds_the_unit_and_a_settings_file_it_never_overwrites(tmp_path):
    source = make_source(tmp_path / "src")
    root = tmp_path / "root"
    root.mkdir()
    installer = Installer(root, source, venv=False, apt=False, live=False, booted=False, enable=False)
    installer.run()
    install_display(installer, "http://192.168.1.20:8090")
    unit = root / "etc/systemd/system/ptsp-display.service"
    env = root / "etc/ptsp-kiosk/display.env"
    assert unit.read_bytes() == UNIT.read_bytes()
    assert "PTSP_DISPLAY_SOURCE=http://192.168.1.20:8090\n" in env.read_text()
    assert env.stat().st_mode & 0o777 == 0o640
    env.write_text("PTSP_DISPLAY_SOURCE=http://10.0.0.5:8090\n")
    again = Installer(root, source, venv=False, apt=False, live=False, booted=False, enable=False)
    again.run()
    actions = install_display(again)
    assert env.read_text() == "PTSP_DISPLAY_SOURCE=http://10.0.0.5:8090\n"
    assert any(a.status == "kept" and a.what == "etc/ptsp-kiosk/display.env" for a in actions)


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "token"
    path.write_text(TOKEN)
    path.chmod(0o600)
    return path


def test_display_refuses_a_token_file_others_can_read(token_file, capsys):
    token_file.chmod(0o644)
    assert main(["display", "--source", "http://127.0.0.1:1", "--token-file", str(token_file), "--headless"]) == 1
    assert "readable by others" in capsys.readouterr().err


def test_display_names_where_a_missing_token_comes_from(tmp_path, capsys):
    assert main(["display", "--source", "http://127.0.0.1:1", "--token-file", str(tmp_path / "none")]) == 1
    assert "copy the kiosk's [lan] token_file" in capsys.readouterr().err


@pytest.mark.parametrize("source", ["127.0.0.1:8090", "ftp://kiosk", "http://", "http://kiosk:99999"])
def test_display_refuses_a_source_that_is_not_an_http_address(source, token_file, capsys):
    assert main(["display", "--source", source, "--token-file", str(token_file)]) == 1
    assert "--source" in capsys.readouterr().err


def test_the_board_command_alone_starts_headless_and_draws(token_file, tmp_path):
    # Nothing listens on port 9: the board must still come up and show that it is connecting.
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli.display", "--source", "http://127.0.0.1:9",
                             "--token-file", str(token_file), "--headless", "--silent", "--size", "1280x720",
                             "--screenshot-dir", str(tmp_path), "--state-file", str(tmp_path / "a.json")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(200):
            if (tmp_path / "board.png").exists() or proc.poll() is not None:
                break
            time.sleep(0.05)  # the picture appears when pygame is up: poll for it
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert (tmp_path / "board.png").stat().st_size > 5000, err
    assert proc.returncode == 0, err  # SIGTERM is a clean stop
    assert "connection refused" in err  # the reason is in the journal


def test_a_screen_that_cannot_open_is_explained_and_exits_3_so_systemd_retries(token_file, tmp_path):
    env = dict(os.environ, SDL_VIDEODRIVER="nosuchdriver", SDL_AUDIODRIVER="dummy", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "kiosk.cli.display", "--source", "http://127.0.0.1:9",
                             "--token-file", str(token_file), "--silent", "--size", "1280x720",
                             "--state-file", str(tmp_path / "a.json")],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "cannot open the screen" in result.stderr and "nosuchdriver" in result.stderr
