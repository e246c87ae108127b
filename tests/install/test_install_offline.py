"""The installer without a running systemd (chroot, image folder), and where lgpio comes from."""
import os
import re
from types import SimpleNamespace

import pytest

from kiosk.install import gpio, installer as install, offline
from kiosk.install.installer import InstallError, Installer
from install_helpers import ROOT, make_source, need_tool

WANTS = "etc/systemd/system/multi-user.target.wants"


@pytest.fixture
def source(tmp_path):
    return make_source(tmp_path / "src")


@pytest.fixture
def root(tmp_path):
    (tmp_path / "root").mkdir()
    return tmp_path / "root"


class Recorder:
    """Stands in for subprocess: records commands; those containing a ``fail`` text exit 1."""

    def __init__(self, fail=()):
        self.calls, self.fail = [], fail

    def __call__(self, cmd, env=None):
        self.calls.append(cmd)
        failed = any(f in " ".join(cmd) for f in self.fail)
        return SimpleNamespace(returncode=1 if failed else 0, stdout="", stderr="E: No packages found")

    def with_words(self, *words):
        return [c for c in self.calls if all(w in c for w in words)]


def action(actions, what):
    found = [a for a in actions if a.what == what]
    assert found, f"no step {what!r} in {[a.what for a in actions]}"
    return found[0]


@pytest.fixture
def chroot(monkeypatch):
    """Root in a chroot: every tool there, but no systemd running."""
    monkeypatch.setattr(install.os, "geteuid", lambda: 0)
    monkeypatch.setattr(install.shutil, "which", lambda name: f"/usr/bin/{name}")


# --- offline (chroot / image) ---------------------------------------------------------
def test_chroot_install_does_every_step_but_defers_what_needs_a_running_system(chroot, root, source):
    rec = Recorder()
    inst = Installer(root, source, live=True, booted=False, venv=False, runner=rec)
    actions = inst.run()
    assert rec.with_words("/usr/bin/systemd-sysusers") and rec.with_words("systemd-tmpfiles", "--create")
    assert not rec.with_words("daemon-reload") and not [c for c in rec.calls if "udevadm" in c[0]]
    for unit in ("ptsp-kiosk.service", "ptsp-kiosk-provision.service"):
        assert rec.with_words("/usr/bin/systemctl", f"--root={root}", "enable", unit)
        assert action(actions, f"systemctl enable {unit}").status == "done"
    assert any("udev" in d for d in inst.deferred) and any("starting" in d for d in inst.deferred)


def test_chroot_install_runs_apt_get(chroot, root, source):
    rec = Recorder()
    Installer(root, source, live=True, booted=False, venv=True, runner=rec, machine="x86_64",
              python="/usr/bin/python3").run()
    assert rec.with_words("apt-get", "install", "python3-pygame")


def test_a_failing_offline_enable_stops_with_its_message(chroot, root, source):
    rec = Recorder(fail=["enable ptsp-kiosk.service"])
    with pytest.raises(InstallError, match="systemctl enable ptsp-kiosk.service"):
        Installer(root, source, live=True, booted=False, venv=False, runner=rec).run()


def test_real_systemctl_root_enables_both_units_in_a_folder(root, source):
    need_tool("systemctl")
    first = Installer(root, source, venv=False).run()
    for unit in ("ptsp-kiosk.service", "ptsp-kiosk-provision.service"):
        link = root / WANTS / unit
        assert os.path.islink(link), sorted(p.name for p in root.rglob("*"))
        assert os.readlink(link) == f"/etc/systemd/system/{unit}"
        assert action(first, f"systemctl enable {unit}").status == "done"
    second = Installer(root, source, venv=False).run()
    assert action(second, "systemctl enable ptsp-kiosk.service").status == "unchanged"


def test_without_systemctl_the_same_symlinks_are_made(monkeypatch, root, source):
    real_which = install.shutil.which
    monkeypatch.setattr(install.shutil, "which", lambda n: None if n == "systemctl" else real_which(n))
    actions = Installer(root, source, venv=False).run()
    assert "symlinks" in action(actions, "systemctl enable ptsp-kiosk.service").detail
    for unit in ("ptsp-kiosk.service", "ptsp-kiosk-provision.service"):
        assert os.readlink(root / WANTS / unit) == f"/etc/systemd/system/{unit}"
    again = Installer(root, source, venv=False).run()
    assert action(again, "systemctl enable ptsp-kiosk-provision.service").status == "unchanged"


def test_no_enable_makes_no_links_offline(root, source):
    actions = Installer(root, source, venv=False, enable=False).run()
    assert not (root / WANTS).exists()
    assert action(actions, "systemctl enable ptsp-kiosk.service").status == "skipped"


def test_install_targets_reads_only_the_install_section():
    text = ("[Unit]\nWantedBy=wrong.target\n[Install]\n# c\nWantedBy=multi-user.target graphical.target\n"
            "RequiredBy=x.service\nAlias=y.service\n")
    assert offline.install_targets(text) == [(".wants", "multi-user.target"), (".wants", "graphical.target"),
                                             (".requires", "x.service")]


def test_a_unit_without_install_section_cannot_be_enabled_by_symlinks(tmp_path):
    (tmp_path / offline.UNIT_DIR).mkdir(parents=True)
    (tmp_path / offline.UNIT_DIR / "a.service").write_text("[Service]\nExecStart=/bin/true\n")
    with pytest.raises(ValueError, match="WantedBy"):
        offline.enable_with_symlinks(tmp_path, "a.service")
    assert not offline.is_enabled_offline(tmp_path, "a.service")


def test_systemd_booted_looks_at_run_systemd_system(tmp_path):
    assert not offline.systemd_booted(tmp_path / "missing")
    assert offline.systemd_booted(tmp_path)


def test_command_line_says_what_is_deferred_and_exits_0(root, source, capsys):
    assert install.main(["--root", str(root), "--source", str(source), "--no-venv"]) == 0
    out = capsys.readouterr().out
    assert "Offline install" in out and "deferred  udev rule" in out
    assert "ptsp-kiosk.toml" in out and "boot partition" in out


# --- lgpio ------------------------------------------------------------------------------
@pytest.mark.parametrize("machine, apt_has, use_apt, expected", [
    ("aarch64", True, True, "apt"),     # Raspberry Pi OS
    ("aarch64", False, True, "pip"),    # plain Debian 12 arm64
    ("armv7l", False, True, "pip"),     # Debian armhf
    ("aarch64", True, False, "pip"),    # --no-apt, or a venv that cannot see apt's packages
    ("x86_64", False, True, "none"),    # a PC: no GPIO header
    ("x86_64", True, True, "apt"),
])
def test_choose_lgpio(machine, apt_has, use_apt, expected):
    choice = gpio.choose_lgpio(lambda name: apt_has and name == "python3-lgpio", machine, use_apt=use_apt)
    assert choice.source == expected
    assert choice.reason


def test_debian_arm64_without_python3_lgpio_gets_lgpio_from_pypi(chroot, root, source):
    rec = Recorder(fail=["apt-cache show python3-lgpio"])
    actions = Installer(root, source, live=True, booted=True, venv=True, runner=rec, machine="aarch64",
                        python="/usr/bin/python3").run()
    assert "python3-lgpio" not in rec.with_words("apt-get", "install")[0]
    assert rec.with_words("pip", "install", gpio.PIP_REQUIREMENT)
    check = [c for c in rec.calls if c[-1:] and "import pygame" in c[-1]][0]
    assert "lgpio" in check[-1]
    assert "PyPI" in action(actions, "GPIO backend").detail
    assert "lgpio (pip)" in action(actions, "runtime check").detail


def test_raspberry_pi_os_gets_python3_lgpio_from_apt(chroot, root, source):
    rec = Recorder()
    actions = Installer(root, source, live=True, booted=True, venv=True, runner=rec, machine="aarch64",
                        python="/usr/bin/python3").run()
    assert "python3-lgpio" in rec.with_words("apt-get", "install")[0]
    assert not rec.with_words(gpio.PIP_REQUIREMENT)
    assert "apt" in action(actions, "GPIO backend").detail


def test_pygame_ce_venv_cannot_see_apt_lgpio_so_takes_it_from_pypi(chroot, root, source):
    rec = Recorder()
    Installer(root, source, live=True, booted=True, venv=True, runner=rec, machine="aarch64",
              pygame="pygame-ce", python="/usr/bin/python3").run()
    assert "python3-lgpio" not in rec.with_words("apt-get", "install")[0]
    assert rec.with_words("pip", "install", gpio.PIP_REQUIREMENT)


def test_a_pc_installs_no_lgpio(chroot, root, source):
    rec = Recorder(fail=["apt-cache show python3-lgpio"])
    actions = Installer(root, source, live=True, booted=True, venv=True, runner=rec, machine="x86_64",
                        python="/usr/bin/python3").run()
    assert not rec.with_words(gpio.PIP_REQUIREMENT)
    assert "mock" in action(actions, "GPIO backend").detail


def test_setup_py_gpio_extra_is_the_installers_requirement_for_arm_only():
    text = (ROOT / "setup.py").read_text()
    extra = re.search(r'"gpio": \[(.*?)\]', text, re.S).group(1)
    assert gpio.PIP_REQUIREMENT in extra
    for machine in ("aarch64", "armv7l"):
        assert f'platform_machine == "{machine}"' in extra
