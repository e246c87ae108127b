"""`ptsp-kiosk install`: into a temporary root, twice; what it creates, what it keeps."""
import os
import sys
from types import SimpleNamespace

import pytest

from kiosk.install import installer as install
from kiosk.install.installer import InstallError, Installer, create_venv, requirements_without_pygame
from install_helpers import ROOT, make_source, need_tool, run

EXPECTED_FILES = {
    "etc/systemd/system/ptsp-kiosk.service": 0o644,
    "etc/systemd/system/ptsp-receiver.service": 0o644,
    "etc/udev/rules.d/60-ptsp-kiosk-printer.rules": 0o644,
    "etc/sysusers.d/ptsp-kiosk.conf": 0o644,
    "etc/tmpfiles.d/ptsp-kiosk.conf": 0o644,
    "etc/ptsp-kiosk/kiosk.toml": 0o640,
    "usr/local/bin/ptsp-kiosk": 0o755,
}


@pytest.fixture
def source(tmp_path):
    return make_source(tmp_path / "src")


@pytest.fixture
def root(tmp_path):
    (tmp_path / "root").mkdir()
    return tmp_path / "root"


def install_into(root, source, **kw):
    kw.setdefault("venv", False)
    return Installer(root, source, **kw).run()


def status_of(actions, what):
    found = [a.status for a in actions if a.what == what]
    assert found, f"no step {what!r} in {[a.what for a in actions]}"
    return found[0]


def tree(root):
    """Every file below root with its bytes and mode."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mode & 0o777)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_first_install_creates_units_rule_config_and_wrapper(root, source):
    actions = install_into(root, source)
    for path, mode in EXPECTED_FILES.items():
        assert (root / path).is_file(), path
        assert (root / path).stat().st_mode & 0o777 == mode, path
        assert status_of(actions, path) == "created"
    assert (root / "etc/systemd/system/ptsp-kiosk.service").read_bytes() == \
        (source / "systemd/ptsp-kiosk.service").read_bytes()
    assert (root / "etc/ptsp-kiosk/kiosk.toml").read_bytes() == \
        (source / "config/kiosk.example.toml").read_bytes()


def test_second_install_changes_nothing(root, source):
    install_into(root, source)
    before = tree(root)
    actions = install_into(root, source)
    assert tree(root) == before
    assert {a.status for a in actions} <= {"unchanged", "kept", "skipped"}, [str(a) for a in actions]


def test_a_technicians_config_survives_every_install(root, source):
    config = root / "etc/ptsp-kiosk/kiosk.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[device]\nid = "blora-1"\n')
    for _ in range(2):
        actions = install_into(root, source)
        assert status_of(actions, "etc/ptsp-kiosk/kiosk.toml") == "kept"
    assert config.read_text() == '[device]\nid = "blora-1"\n'


def test_even_an_empty_config_is_kept(root, source):
    # An empty file is still the technician's (maybe mid-edit): never replace it.
    config = root / "etc/ptsp-kiosk/kiosk.toml"
    config.parent.mkdir(parents=True)
    config.touch()
    install_into(root, source)
    assert config.read_bytes() == b""


def test_a_changed_unit_is_brought_back_and_reported_updated(root, source):
    install_into(root, source)
    unit = root / "etc/systemd/system/ptsp-kiosk.service"
    unit.write_text("[Service]\nExecStart=/bin/false\n")
    actions = install_into(root, source)
    assert status_of(actions, "etc/systemd/system/ptsp-kiosk.service") == "updated"
    assert unit.read_bytes() == (source / "systemd/ptsp-kiosk.service").read_bytes()


def test_no_temporary_files_are_left_behind(root, source):
    install_into(root, source)
    install_into(root, source)
    assert not [p for p in root.rglob("*.ptsp-new")]


def test_the_user_and_groups_are_written_into_the_root(root, source):
    need_tool("systemd-sysusers")
    first = install_into(root, source)
    second = install_into(root, source)
    what = [a.what for a in first if a.what.startswith("system user")][0]
    assert status_of(first, what) == "created"
    assert status_of(second, what) == "unchanged"
    passwd = (root / "etc/passwd").read_text()
    assert [line.split(":")[0] for line in passwd.splitlines()] == ["ptsp-kiosk"]
    group = (root / "etc/group").read_text()
    for g in install.GROUPS:
        assert f"\n{g}:" in "\n" + group and "ptsp-kiosk" in group.split(f"{g}:", 1)[1].split("\n")[0]


def test_system_commands_are_skipped_under_a_prefix(root, source):
    calls = []
    actions = install_into(root, source, runner=lambda cmd, env=None: calls.append(cmd) or
                           SimpleNamespace(returncode=0, stdout="", stderr=""))
    assert not [c for c in calls if os.path.basename(c[0]) in ("udevadm", "apt-get", "systemd-tmpfiles")]
    # systemctl only ever with --root: never the build host's own systemd.
    assert all(f"--root={root}" in c for c in calls if os.path.basename(c[0]) == "systemctl")
    assert status_of(actions, "systemctl daemon-reload") == "skipped"


def test_missing_source_files_are_named(root, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InstallError, match="ptsp-kiosk.service"):
        install_into(root, tmp_path / "empty")
    assert not list(root.iterdir())  # nothing half-installed


def test_receiver_role_installs_no_kiosk_config_or_user(root, source):
    actions = install_into(root, source, role="receiver")
    assert (root / "etc/systemd/system/ptsp-receiver.service").is_file()
    assert not (root / "etc/ptsp-kiosk/kiosk.toml").exists()
    assert not (root / "etc/passwd").exists()
    assert status_of(actions, "systemctl enable ptsp-receiver.service") == "done"
    assert not (root / "etc/systemd/system/multi-user.target.wants/ptsp-kiosk.service").exists()
    assert not (root / "etc/systemd/system/ptsp-kiosk-provision.service").exists()


# --- on the running system (commands recorded, not run) ------------------------
class Recorder:
    """Stands in for subprocess: records commands, fails the ones asked to."""

    def __init__(self, fail=(), stdout=""):
        self.calls, self.fail, self.stdout = [], fail, stdout

    def __call__(self, cmd, env=None):
        self.calls.append(cmd)
        joined = " ".join(cmd)
        if any(f in joined for f in self.fail):
            return SimpleNamespace(returncode=1, stdout="", stderr="Failed to enable unit: boom")
        return SimpleNamespace(returncode=0, stdout=self.stdout, stderr="")

    def index(self, *words):
        for i, cmd in enumerate(self.calls):
            if all(w in cmd for w in words):
                return i
        raise AssertionError(f"no command with {words} in {self.calls}")


@pytest.fixture
def live(monkeypatch):
    """Pretend to be root on a systemd machine with every tool present."""
    monkeypatch.setattr(install.os, "geteuid", lambda: 0)
    monkeypatch.setattr(install.shutil, "which", lambda name: f"/usr/bin/{name}")


def test_on_the_system_the_service_is_enabled_after_units_are_loaded(live, root, source):
    rec = Recorder()
    actions = install_into(root, source, live=True, booted=True, runner=rec)
    assert rec.index("systemctl", "daemon-reload") < rec.index("systemctl", "enable", "ptsp-kiosk.service")
    assert rec.index("udevadm", "control", "--reload") < rec.index("udevadm", "trigger")
    users = rec.calls[rec.index("/usr/bin/systemd-sysusers")]
    assert not [a for a in users if a.startswith("--root")]
    assert rec.index("/usr/bin/systemd-sysusers") < rec.index("systemd-tmpfiles", "--create")
    assert status_of(actions, "systemctl enable ptsp-kiosk.service") == "done"


def test_no_enable_leaves_the_service_disabled(live, root, source):
    rec = Recorder()
    actions = install_into(root, source, live=True, booted=True, runner=rec, enable=False)
    assert not [c for c in rec.calls if "enable" in c]
    assert status_of(actions, "systemctl enable ptsp-kiosk.service") == "skipped"


def test_a_failing_command_stops_with_its_message(live, root, source):
    rec = Recorder(fail=["systemctl enable"])
    with pytest.raises(InstallError, match=r"systemctl enable.*boom"):
        install_into(root, source, live=True, booted=True, runner=rec)


def test_not_root_on_the_system_is_refused_with_advice(monkeypatch, root, source):
    monkeypatch.setattr(install.os, "geteuid", lambda: 1000)
    with pytest.raises(InstallError, match="sudo"):
        install_into(root, source, live=True, runner=Recorder())


def test_system_pygame_keeps_the_pip_pygame_out_of_the_venv(live, root, source):
    # The dependency listing of the venv reports pygame among the others.
    rec = Recorder(stdout="gpiozero>=2.0\npygame>=2.5\nrequests>=2.28\npytest>=7; extra == \"test\"\n")
    install_into(root, source, live=True, booted=True, runner=rec, venv=True, python="/usr/bin/python3")
    venv = rec.calls[rec.index("/usr/bin/python3", "-m", "venv")]
    assert "--system-site-packages" in venv
    assert "--no-deps" in rec.calls[rec.index("pip", "install", str(source))]
    assert "--no-build-isolation" in rec.calls[rec.index("pip", "install", str(source))]
    deps = rec.calls[rec.index("pip", "install", "gpiozero>=2.0")]
    assert "requests>=2.28" in deps and not [d for d in deps if d.startswith("pygame")]
    apt = rec.calls[rec.index("apt-get", "install")]
    assert "python3-pygame" in apt


def test_requirements_without_pygame_drops_pygame_and_extras():
    reqs = ["gpiozero>=2.0", "pygame>=2.5", "Pygame (>=2)", "pytest>=7; extra == 'test'", "requests>=2.28"]
    assert requirements_without_pygame(reqs) == ["gpiozero>=2.0", "requests>=2.28"]


def test_create_venv_sees_the_system_site_packages(tmp_path):
    venv = tmp_path / "venv"
    create_venv(venv, sys.executable, system_site_packages=True, pip=False)
    assert "include-system-site-packages = true" in (venv / "pyvenv.cfg").read_text()
    assert run([str(venv / "bin/python"), "-c", "import sys; print(sys.prefix)"]).stdout.strip() == str(venv)


def test_create_venv_failure_is_an_install_error(tmp_path):
    with pytest.raises(InstallError, match="virtual environment"):
        create_venv(tmp_path / "v", str(tmp_path / "no-python"), system_site_packages=True,
                    runner=lambda cmd: SimpleNamespace(returncode=1, stdout="", stderr="not found"))


# --- entry points -----------------------------------------------------------------
def test_python_m_kiosk_install_needs_only_the_standard_library():
    code = ("import sys, kiosk.install.installer; "
            "print([m for m in sys.modules if m.split('.')[0] in "
            "('pygame', 'gpiozero', 'escpos', 'serial', 'sqlite_utils', 'requests')])")
    result = run([sys.executable, "-c", code], cwd=ROOT)
    assert result.stdout.strip() == "[]", result.stderr


def test_command_line_prints_each_step(root, source, capsys):
    assert install.main(["--root", str(root), "--source", str(source), "--no-venv"]) == 0
    out = capsys.readouterr().out
    assert "created   etc/systemd/system/ptsp-kiosk.service" in out
    assert "kept" not in out
    assert install.main(["--root", str(root), "--source", str(source), "--no-venv"]) == 0
    assert "kept      etc/ptsp-kiosk/kiosk.toml" in capsys.readouterr().out


def test_command_line_reports_a_bad_source_without_traceback(root, tmp_path, capsys):
    assert install.main(["--root", str(root), "--source", str(tmp_path), "--no-venv"]) == 1
    assert capsys.readouterr().err.startswith("error: ")


def test_wrapper_is_valid_shell_and_drops_to_the_kiosk_user(root, source):
    install_into(root, source)
    wrapper = root / "usr/local/bin/ptsp-kiosk"
    assert run(["sh", "-n", str(wrapper)]).returncode == 0
    assert "runuser -u ptsp-kiosk" in wrapper.read_text()


@pytest.mark.parametrize("command, as_root", [("install", True), ("provision", True), ("status", False)])
def test_wrapper_keeps_root_only_for_commands_that_write_etc(root, source, tmp_path, command, as_root):
    install_into(root, source)
    text = (root / "usr/local/bin/ptsp-kiosk").read_text()
    # Run the wrapper as "root" with stand-ins for id, runuser and the venv's ptsp-kiosk.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text("#!/bin/sh\n[ \"$1\" = -u ] && [ -z \"$2\" ] && echo 0; exit 0\n")
    (bin_dir / "runuser").write_text("#!/bin/sh\necho dropped\n")
    venv = tmp_path / "venv/bin"
    venv.mkdir(parents=True)
    (venv / "ptsp-kiosk").write_text("#!/bin/sh\necho as-root\n")
    for f in (*bin_dir.iterdir(), venv / "ptsp-kiosk"):
        f.chmod(0o755)
    script = tmp_path / "wrapper"
    script.write_text(text.replace("VENV=/opt/ptsp-kiosk/venv", f"VENV={tmp_path / 'venv'}"))
    result = run(["sh", str(script), command], env=dict(os.environ, PATH=f"{bin_dir}:/usr/bin:/bin"))
    assert result.stdout.strip() == ("as-root" if as_root else "dropped"), result.stderr


def test_install_sh_runs_the_installer(root, source):
    script = ROOT / "systemd/install.sh"
    result = run(["sh", str(script), "--root", str(root), "--source", str(source), "--no-venv"],
                 env=dict(os.environ, PATH=os.path.dirname(sys.executable) + ":" + os.environ["PATH"]))
    assert result.returncode == 0, result.stderr
    assert (root / "etc/systemd/system/ptsp-kiosk.service").is_file()
