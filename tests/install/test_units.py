"""The systemd units, the udev rule and the sysusers/tmpfiles files."""
import fnmatch
import os
import re
import shutil
from pathlib import Path

import pytest

from kiosk.install import installer as install
from kiosk.bench.install import TARGETS, exposure
from install_helpers import SYSTEMD, UNITS, need_tool, parse_unit, run, words

KIOSK = SYSTEMD / "ptsp-kiosk.service"
RECEIVER = SYSTEMD / "ptsp-receiver.service"
HOST_UNITS = Path("/lib/systemd/system")


@pytest.fixture(scope="module")
def verify_root(tmp_path_factory):
    """A root with the system's own units (targets our units depend on) and a
    stand-in for the venv's ptsp-kiosk, which `verify` insists exists."""
    need_tool("systemd-analyze")
    if not HOST_UNITS.is_dir():
        pytest.skip(f"{HOST_UNITS} is missing: systemd is not installed as the system manager")
    root = tmp_path_factory.mktemp("verify-root")
    shutil.copytree(HOST_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    exe = root / "opt/ptsp-kiosk/venv/bin/ptsp-kiosk"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    python = exe.parent / "python"  # ptsp-display.service runs `python -m kiosk.cli.display`
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    (root / "etc/systemd/system").mkdir(parents=True)
    return root


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_systemd_analyze_verify_accepts_the_unit_without_a_warning(verify_root, unit):
    dest = verify_root / "etc/systemd/system" / unit.name
    shutil.copy(unit, dest)
    result = run(["systemd-analyze", "verify", "--man=no", f"--root={verify_root}", str(dest)])
    # Unknown keys or bad values are only warnings (exit 0): any output counts.
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr


def test_verify_catches_a_broken_unit(verify_root):
    # Guards the test above: a misspelt key must show up.
    bad = verify_root / "etc/systemd/system/broken.service"
    bad.write_text(KIOSK.read_text().replace("WatchdogSec=", "WatchdogSecs="))
    result = run(["systemd-analyze", "verify", "--man=no", f"--root={verify_root}", str(bad)])
    assert "WatchdogSecs" in result.stdout + result.stderr


@pytest.mark.parametrize("unit", [KIOSK, RECEIVER], ids=lambda p: p.name)
def test_exposure_meets_its_target(unit):
    need_tool("systemd-analyze")
    assert exposure(unit) <= TARGETS[unit.name]


def test_an_unhardened_unit_scores_worse(tmp_path):
    # Guards the figure: stripping the hardening must raise the exposure.
    need_tool("systemd-analyze")
    lines = KIOSK.read_text().split("# --- Hardening")[0] + "\n[Install]\nWantedBy=multi-user.target\n"
    bare = tmp_path / "bare.service"
    bare.write_text(lines)
    assert exposure(bare) > 4.0 > exposure(KIOSK)


def test_kiosk_unit_is_a_notify_service_with_a_watchdog_that_always_restarts():
    s = parse_unit(KIOSK)["Service"]
    assert s["Type"] == ["notify"]
    assert float(s["WatchdogSec"][0]) > 0
    assert s["Restart"] == ["always"]
    assert s["ExecStart"] == ["/opt/ptsp-kiosk/venv/bin/ptsp-kiosk run"]


def test_kiosk_runs_as_its_own_user_with_the_device_groups():
    s = parse_unit(KIOSK)["Service"]
    assert s["User"] == [install.USER]
    assert sorted(words(s["SupplementaryGroups"])) == sorted(install.GROUPS)


def test_kiosk_directories_and_environment_agree():
    s = parse_unit(KIOSK)["Service"]
    env = dict(w.split("=", 1) for w in words(s["Environment"]))
    assert s["StateDirectory"] == s["CacheDirectory"] == s["RuntimeDirectory"] == ["ptsp-kiosk"]
    assert env["SDL_VIDEODRIVER"] == "kmsdrm"
    # lgpio and escpos write where the unit gives them a writable directory.
    assert env["LG_WD"] == "%t/" + s["RuntimeDirectory"][0]
    assert env["ESCPOS_CAPABILITIES_PICKLE_DIR"] == "%C/" + s["CacheDirectory"][0]
    assert env["PTSP_KIOSK_CONFIG"] == "/etc/" + install.CONFIG.relative_to("etc").as_posix()


# Device groups (as in /proc/devices on a Pi) the kiosk opens.
KIOSK_DEVICES = ["gpiochip", "gpiomem", "rpi-gpiomem0", "drm", "input", "alsa", "usb",
                 "usb_device", "ttyUSB", "ttyACM", "ttyAMA", "ttyS"]


@pytest.mark.parametrize("device", KIOSK_DEVICES)
def test_kiosk_unit_allows_every_device_the_hardware_needs(device):
    s = parse_unit(KIOSK)["Service"]
    assert "PrivateDevices" not in s and "PrivateUsers" not in s
    patterns = [v.split()[0] for v in s.get("DeviceAllow", [])]
    policy = s.get("DevicePolicy", ["auto"])[0]
    if policy == "auto" and not patterns and "ProtectClock" not in s:
        return  # no allow list at all: every device is reachable
    assert any(fnmatch.fnmatchcase(f"char-{device}", p) for p in patterns), patterns
    assert any(fnmatch.fnmatchcase(f"char-{device}", p) and "w" in v.split()[1]
               for v in s["DeviceAllow"] for p in [v.split()[0]])


def test_receiver_unit_serves_localhost_with_its_database_in_its_state_directory():
    s = parse_unit(RECEIVER)["Service"]
    cmd = s["ExecStart"][0].split()
    assert cmd[:2] == ["/opt/ptsp-kiosk/venv/bin/ptsp-kiosk", "receiver"]
    assert cmd[cmd.index("--listen") + 1] == "127.0.0.1:8080"
    db = cmd[cmd.index("--db") + 1]
    assert db == "/var/lib/ptsp-receiver/receiver.db"
    assert db.startswith("/var/lib/" + s["StateDirectory"][0] + "/")
    assert s["DynamicUser"] == ["yes"] and s["PrivateDevices"] == ["yes"]


def test_sysusers_groups_are_the_units_groups():
    lines = [line.split() for line in (SYSTEMD / "ptsp-kiosk.sysusers").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    members = sorted(parts[2] for parts in lines if parts[0] == "m" and parts[1] == install.USER)
    assert members == sorted(words(parse_unit(KIOSK)["Service"]["SupplementaryGroups"]))


def test_sysusers_file_creates_the_user_in_its_groups(tmp_path):
    tool = need_tool("systemd-sysusers")
    (tmp_path / "etc").mkdir()
    result = run([tool, f"--root={tmp_path}", str(SYSTEMD / "ptsp-kiosk.sysusers")])
    assert result.returncode == 0, result.stderr
    passwd = (tmp_path / "etc/passwd").read_text()
    assert re.search(rf"^{install.USER}:x:\d+:\d+:.*:/var/lib/ptsp-kiosk:/usr/sbin/nologin$", passwd, re.M)
    groups = {line.split(":")[0]: line.split(":")[3].split(",")
              for line in (tmp_path / "etc/group").read_text().splitlines()}
    assert all(install.USER in groups[g] for g in install.GROUPS)


@pytest.mark.skipif(os.geteuid() != 0, reason="systemd-tmpfiles changes owners: needs root")
def test_tmpfiles_make_the_directories_with_private_modes(tmp_path):
    tool = need_tool("systemd-tmpfiles")
    (tmp_path / "etc/ptsp-kiosk").mkdir(parents=True)
    users = run([need_tool("systemd-sysusers"), f"--root={tmp_path}", str(SYSTEMD / "ptsp-kiosk.sysusers")])
    assert users.returncode == 0, users.stderr
    (tmp_path / "etc/ptsp-kiosk/token").write_text("secret")
    (tmp_path / "etc/ptsp-kiosk/token").chmod(0o644)
    result = run([tool, "--create", f"--root={tmp_path}", str(SYSTEMD / "ptsp-kiosk.tmpfiles")])
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var/lib/ptsp-kiosk").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "etc/ptsp-kiosk").stat().st_mode & 0o777 == 0o750
    # A token a technician copied with a readable mode is made private again.
    assert (tmp_path / "etc/ptsp-kiosk/token").stat().st_mode & 0o777 == 0o600


# --- udev rule ------------------------------------------------------------------
RULE = SYSTEMD / "60-ptsp-kiosk-printer.rules"
_TOKEN = re.compile(r'\s*([A-Z_]+(?:\{[^}]+\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)')
MATCH_KEYS = {"SUBSYSTEM", "KERNEL", "ACTION", "DRIVER"}


def rules():
    """Each active rule as a list of (key, operator, value); raises on bad syntax."""
    out = []
    for n, line in enumerate(RULE.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tokens, pos = [], 0
        while pos < len(line):
            m = _TOKEN.match(line, pos)
            assert m, f"{RULE.name}:{n}: cannot parse from column {pos}: {line[pos:]!r}"
            tokens.append(m.groups()[:3])
            pos = m.end()
        out.append(tokens)
    return out


def applies(rule, device):
    """Whether a rule's match keys all match a device (a dict of key -> value)."""
    for key, op, value in rule:
        if op in ("==", "!="):
            hit = fnmatch.fnmatchcase(device.get(key, ""), value)
            if hit != (op == "=="):
                return False
    return True


def assignments(rule):
    return {key: value for key, op, value in rule if op in ("=", ":=")}


PRINTER = {"SUBSYSTEM": "usb", "ENV{DEVTYPE}": "usb_device", "ENV{ID_USB_INTERFACES}": ":070102:"}
KEYBOARD = {"SUBSYSTEM": "usb", "ENV{DEVTYPE}": "usb_device", "ENV{ID_USB_INTERFACES}": ":030101:030102:"}
USBLP = {"SUBSYSTEM": "usbmisc", "KERNEL": "lp0"}


def test_udev_rule_parses():
    assert rules()


@pytest.mark.parametrize("device", [PRINTER, USBLP], ids=["libusb node", "usblp node"])
def test_udev_rule_gives_printers_to_lp(device):
    hits = [assignments(r) for r in rules() if applies(r, device)]
    assert {"GROUP": "lp", "MODE": "0660"} in hits


def test_udev_rule_leaves_other_usb_devices_alone():
    assert not [r for r in rules() if applies(r, KEYBOARD)]


def test_install_script_is_valid_shell():
    result = run(["sh", "-n", str(SYSTEMD / "install.sh")])
    assert result.returncode == 0, result.stderr
    assert os.access(SYSTEMD / "install.sh", os.X_OK)
