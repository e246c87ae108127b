"""First-boot provisioning from the boot partition: `ptsp-kiosk provision`."""
import os
import stat

import pytest

from kiosk.cli import main as cli_main
from kiosk.install import provision as prov
from install_helpers import ROOT

EXAMPLE = (ROOT / "config" / "kiosk.example.toml").read_text(encoding="utf-8")
OLD_CONFIG = EXAMPLE.replace('id = "ptsp-kiosk"', 'id = "old-kiosk"', 1)
NEW_CONFIG = EXAMPLE.replace('id = "ptsp-kiosk"', 'id = "rutan-blora-1"', 1)


@pytest.fixture
def system(tmp_path):
    """A root with an installed (old) config, the kiosk's user and an empty boot partition."""
    root = tmp_path / "root"
    (root / "etc/ptsp-kiosk").mkdir(parents=True)
    (root / "etc/ptsp-kiosk/kiosk.toml").write_text(OLD_CONFIG)
    (root / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\n"
                                     "ptsp-kiosk:x:990:990::/var/lib/ptsp-kiosk:/usr/sbin/nologin\n")
    (root / "etc/group").write_text("root:x:0:\nptsp-kiosk:x:990:\n")
    (root / "boot/firmware").mkdir(parents=True)
    return root


def boot(root):
    return root / "boot/firmware"


def installed(root):
    return (root / "etc/ptsp-kiosk/kiosk.toml").read_text()


def run(root, lines=None):
    return prov.provision(root, log=(lines.append if lines is not None else lambda line: None), now=0)


def test_valid_config_is_installed_renamed_and_reported(system):
    assert NEW_CONFIG != OLD_CONFIG
    (boot(system) / "ptsp-kiosk.toml").write_text(NEW_CONFIG)
    log = []
    result = run(system, log)
    assert not result.problems
    assert installed(system) == NEW_CONFIG
    assert not (boot(system) / "ptsp-kiosk.toml").exists()
    assert (boot(system) / "ptsp-kiosk.toml.applied").read_text() == NEW_CONFIG
    report = (boot(system) / "ptsp-kiosk-report.txt").read_text()
    assert "OK" in report and "/etc/ptsp-kiosk/kiosk.toml" in report
    assert any("installed as /etc/ptsp-kiosk/kiosk.toml" in line for line in log)
    st = (system / "etc/ptsp-kiosk/kiosk.toml").stat()
    assert stat.S_IMODE(st.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (0, 990)
    assert not list(system.rglob("*.ptsp-new"))


def test_invalid_config_keeps_the_old_one_and_sets_cfg_boot(system):
    bad = NEW_CONFIG.replace('timezone = "Asia/Jakarta"', 'timezone = "Mars/Olympus"', 1)
    assert bad != NEW_CONFIG
    (boot(system) / "ptsp-kiosk.toml").write_text(bad)
    result = run(system)
    assert installed(system) == OLD_CONFIG
    assert (boot(system) / "ptsp-kiosk.toml").read_text() == bad  # left for the technician to fix
    errors = (boot(system) / "ptsp-kiosk.toml.errors.txt").read_text()
    assert "Mars/Olympus" in errors and "NOT applied" in errors
    assert "ptsp-new" not in errors  # names the technician's file, not our temporary one
    assert result.problems
    assert prov.boot_config_fault(system)[0] == "CFG-BOOT"
    assert "Mars/Olympus" in prov.boot_config_fault(system)[1]
    assert "CFG-BOOT" in (boot(system) / "ptsp-kiosk-report.txt").read_text()
    assert not list(system.rglob("*.ptsp-new"))


def test_fixing_the_file_applies_it_and_clears_the_fault(system):
    (boot(system) / "ptsp-kiosk.toml").write_text("not = [valid toml")
    run(system)
    assert prov.boot_config_fault(system)
    (boot(system) / "ptsp-kiosk.toml").write_text(NEW_CONFIG)
    run(system)
    assert prov.boot_config_fault(system) is None
    assert installed(system) == NEW_CONFIG
    assert not (boot(system) / "ptsp-kiosk.toml.errors.txt").exists()


def test_removing_the_bad_file_clears_the_fault(system):
    (boot(system) / "ptsp-kiosk.toml").write_text("x = 1\n")
    run(system)
    assert prov.boot_config_fault(system)
    (boot(system) / "ptsp-kiosk.toml").unlink()
    run(system)
    assert prov.boot_config_fault(system) is None
    assert installed(system) == OLD_CONFIG


@pytest.mark.parametrize("content, says", [
    (b"\x00" * 10, "NUL"),
    (b"\xff\xfe[device]\n", "UTF-8"),
    (b"a" * (prov.MAX_CONFIG_BYTES + 1), "larger than"),
    (b"", "services"),
    (b"[device]\nid = 1e400\n", ""),
    (b"[" * 100000, ""),
])
def test_hostile_config_files_are_refused_with_a_message(system, content, says):
    (boot(system) / "ptsp-kiosk.toml").write_bytes(content)
    result = run(system)
    assert result.problems and says in " ".join(result.problems)
    assert installed(system) == OLD_CONFIG


def test_a_windows_notepad_bom_and_crlf_are_accepted(system):
    (boot(system) / "ptsp-kiosk.toml").write_bytes(b"\xef\xbb\xbf" + NEW_CONFIG.replace("\n", "\r\n").encode())
    assert not run(system).problems
    assert installed(system).startswith(NEW_CONFIG.replace("\n", "\r\n")[:20])
    assert not installed(system).startswith("\ufeff")


def test_token_is_installed_600_for_the_kiosk_user_and_removed_from_fat(system):
    (boot(system) / "ptsp-sync.token").write_text("\ufeffs3cret-token-123\r\n")
    result = run(system)
    token = system / "etc/ptsp-kiosk/token"
    assert token.read_text() == "s3cret-token-123\n"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    if os.geteuid() == 0:
        assert token.stat().st_uid == 990
    assert not (boot(system) / "ptsp-sync.token").exists()
    assert "s3cret" not in (boot(system) / "ptsp-kiosk-report.txt").read_text()
    assert not result.problems


def test_token_goes_where_the_new_config_says(system):
    moved = NEW_CONFIG.replace('token_file = "/etc/ptsp-kiosk/token"', 'token_file = "/var/lib/ptsp-kiosk/tok"')
    assert moved != NEW_CONFIG
    (boot(system) / "ptsp-kiosk.toml").write_text(moved)
    (boot(system) / "ptsp-sync.token").write_text("abc")
    assert not run(system).problems
    assert (system / "var/lib/ptsp-kiosk/tok").read_text() == "abc\n"
    assert not (system / "etc/ptsp-kiosk/token").exists()


@pytest.mark.parametrize("content", [b"", b"two words", b"a\nb", b"\xff\xfe"])
def test_a_bad_token_is_not_installed_and_sets_cfg_boot(system, content):
    (system / "etc/ptsp-kiosk/token").write_text("old\n")
    (boot(system) / "ptsp-sync.token").write_bytes(content)
    result = run(system)
    assert result.problems
    assert (system / "etc/ptsp-kiosk/token").read_text() == "old\n"
    assert (boot(system) / "ptsp-sync.token.errors.txt").is_file()
    assert prov.boot_config_fault(system)[0] == "CFG-BOOT"


def test_nothing_on_the_boot_partition_changes_nothing(system):
    before = sorted(p.relative_to(system) for p in system.rglob("*"))
    log = []
    result = run(system, log)
    assert not result.found_anything and not result.problems
    assert sorted(p.relative_to(system) for p in system.rglob("*")) == before
    assert any("nothing to provision" in line for line in log)


def test_rerun_after_success_changes_nothing(system):
    (boot(system) / "ptsp-kiosk.toml").write_text(NEW_CONFIG)
    run(system)
    snapshot = {p: p.read_bytes() for p in system.rglob("*") if p.is_file()}
    run(system)
    assert {p: p.read_bytes() for p in system.rglob("*") if p.is_file()} == snapshot


def test_find_boot_dir_prefers_the_one_holding_our_files(tmp_path):
    (tmp_path / "boot/firmware").mkdir(parents=True)
    assert prov.find_boot_dir(tmp_path) == tmp_path / "boot/firmware"
    (tmp_path / "boot/ptsp-kiosk.toml").write_text("")
    assert prov.find_boot_dir(tmp_path) == tmp_path / "boot"
    assert prov.find_boot_dir(tmp_path / "nothing") is None


def test_command_exits_1_on_problems_and_0_otherwise(system, capsys):
    args = ["provision", "--root", str(system), "--boot-dir", str(boot(system))]
    assert cli_main(args) == 0
    (boot(system) / "ptsp-kiosk.toml").write_text("broken = [")
    assert cli_main(args) == 1
    assert "NOT applied" in capsys.readouterr().out
    (boot(system) / "ptsp-kiosk.toml").write_text(NEW_CONFIG)
    assert cli_main(args) == 0
    assert installed(system) == NEW_CONFIG


def test_the_unit_runs_the_command_before_the_kiosk():
    unit = (ROOT / "systemd/ptsp-kiosk-provision.service").read_text()
    assert "ExecStart=/opt/ptsp-kiosk/venv/bin/ptsp-kiosk provision" in unit
    assert "Before=ptsp-kiosk.service" in unit and "RequiresMountsFor=/boot/firmware" in unit
    assert "PrivateNetwork=yes" in unit  # takes no network


def test_the_screen_has_words_for_cfg_boot_in_both_languages():
    from kiosk.core.screen_texts import fault_text

    assert "SD" in fault_text(prov.FAULT_CODE, "id") and "SD" in fault_text(prov.FAULT_CODE, "en")
