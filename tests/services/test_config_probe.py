"""The checks that need the machine: the database path, free space, folders,
files, fonts and the printer profile, as check-config and run see them."""
import dataclasses
import sqlite3

import pytest

from config_corpus_helpers import cli
from kiosk.cli import validation
from kiosk.services import config_probe
from kiosk.services.config_probe import database_problem, font_problem, writable_dir_problem
from kiosk.services.store import Store
from store_fault_helpers import as_nobody, fill, remount_read_only, root_only_folder, tmpfs

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def test_a_new_database_in_a_folder_that_can_be_made_is_fine(tmp_path):
    assert database_problem(str(tmp_path / "new" / "folders" / "kiosk.db")) is None


def test_an_existing_kiosk_database_and_an_empty_file_are_fine(tmp_path):
    Store(tmp_path / "kiosk.db").close()
    (tmp_path / "empty.db").touch()

    assert database_problem(str(tmp_path / "kiosk.db")) is None
    assert database_problem(str(tmp_path / "empty.db")) is None


@pytest.mark.parametrize("database, fragment", [
    ("", "must be the path of a file"),
    (":memory:", "must be the path of a file"),
    ("/dev/null", "on the kernel's /dev file system"),
    ("/proc/self/kiosk.db", "on the kernel's /proc file system"),
    ("/sys/kiosk.db", "on the kernel's /sys file system"),
    ("/etc/hostname/kiosk.db", "'/etc/hostname' is a file, not a folder"),
])
def test_a_database_path_that_cannot_hold_a_database_is_named(database, fragment):
    assert fragment in database_problem(database)


def test_a_folder_or_a_pipe_as_the_database_is_named(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe")

    assert "is a folder; give the path of a file in it" in database_problem(str(tmp_path))
    assert "is not a regular file" in database_problem(str(tmp_path / "pipe"))


def test_another_programs_database_or_a_text_file_is_left_alone(tmp_path):
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE invoices (id)")
    other.commit()
    other.close()
    (tmp_path / "notes.db").write_text("not a database at all, but long enough to have a header " * 3)

    assert "a database of another program" in database_problem(str(tmp_path / "other.db"))
    assert "'invoices'" in database_problem(str(tmp_path / "other.db"))
    assert "is not an SQLite database" in database_problem(str(tmp_path / "notes.db"))


def test_a_full_file_system_is_storage_full(tmp_path):
    with tmpfs(tmp_path / "card", size="64k") as card:
        fill(card)
        problem = database_problem(str(card / "kiosk.db"))

    assert problem.startswith("storage is full: only 0 KiB free for the database folder")


def test_a_read_only_file_system_is_named(tmp_path):
    with tmpfs(tmp_path / "card", read_only=True) as card:
        assert "is on a read-only file system" in database_problem(str(card / "kiosk.db"))
        assert "is on a read-only file system" in writable_dir_problem(str(card / "tickets"))


def test_a_folder_the_kiosk_user_cannot_write_is_permission_denied(tmp_path):
    with root_only_folder() as folder:
        problem = as_nobody(lambda: database_problem(str(folder / "kiosk.db")))

    assert "cannot be written by the kiosk's user nobody (uid 65534) (permission denied)" in problem


def test_fonts_are_checked_by_their_first_bytes(tmp_path):
    (tmp_path / "fake.ttf").write_text("hello")

    if config_probe.Path(DEJAVU).exists():
        assert font_problem(DEJAVU) is None
    assert "is not a TrueType or OpenType font" in font_problem(str(tmp_path / "fake.ttf"))
    assert "does not exist" in font_problem(str(tmp_path / "none.ttf"))


def test_the_printer_profile_is_looked_up_in_python_escpos():
    assert validation.printer_profile_problem("POS-5890") is None
    assert validation.printer_profile_problem("TM-T88V") is None
    assert "unknown python-escpos profile 'POS-58'" in validation.printer_profile_problem("POS-58")


def test_a_refused_key_is_not_probed_again(demo_config):
    cfg = dataclasses.replace(demo_config, storage=dataclasses.replace(demo_config.storage, database="/dev/null"))

    assert [p for p in config_probe.probe(cfg, {"storage.database"}) if "storage" in p] == []
    assert config_probe.probe(cfg)[0].startswith("storage.database: '/dev/null'")


def test_a_schema_field_that_declares_a_path_kind_is_probed(demo_config):
    display = dataclasses.replace(demo_config.display, voice_clips="/nonexistent/clips", chime="/nonexistent.wav")
    cfg = dataclasses.replace(demo_config, display=display)

    found = config_probe.probe(cfg)

    assert "display.voice_clips: '/nonexistent/clips' is not an existing folder" in found
    assert "display.chime: '/nonexistent.wav' does not exist" in found


def test_a_field_that_declares_a_path_kind_is_found():
    @dataclasses.dataclass(frozen=True)
    class Section:
        clips: str = dataclasses.field(default="", metadata={"kind": "dir"})
        sound: str = dataclasses.field(default="", metadata={"kind": "file"})

    @dataclasses.dataclass(frozen=True)
    class Cfg:
        voice: Section = Section(clips="/nonexistent/clips", sound="")

    found = [(key, kind, config_probe.PATH_KINDS[kind](value)) for key, kind, value in
             config_probe.declared_paths(Cfg()) if value]

    assert found == [("voice.clips", "dir", "'/nonexistent/clips' is not an existing folder")]


def test_the_demo_database_option_is_checked_before_the_demo_starts(capsys, monkeypatch):
    monkeypatch.setattr("kiosk.cli.app._start", lambda *a, **kw: pytest.fail("the demo started"))
    status, _, err = cli(capsys, "demo", "--headless", "--database", "/dev/null")

    assert status == 2
    assert "storage.database: '/dev/null' is on the kernel's /dev file system" in err


def test_check_config_and_run_check_the_same_things(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("kiosk.cli.app._start", lambda *a, **kw: pytest.fail("run started"))
    config = tmp_path / "kiosk.toml"
    data = config_probe.Path(__file__).parent.parent / "data"
    config.write_text((data / "bad_configs" / "font_missing.toml").read_text())

    check = cli(capsys, "check-config", config)
    run = cli(capsys, "run", "--headless", "--config", config)

    assert check[0] == run[0] == 2
    assert check[2] == run[2]


def test_remounting_read_only_helper_guards_itself(tmp_path):
    # The read-only tests mean something only if the helper really makes the mount read-only.
    with tmpfs(tmp_path / "card") as card:
        remount_read_only(card)
        with pytest.raises(OSError):
            (card / "x").write_text("x")


@pytest.mark.parametrize("mode, content, fragment", [
    (None, None, "does not exist"),
    (0o644, "x" * 32, "readable by others"),
    (0o600, "short", "at least 16"),
])
def test_a_lan_token_file_that_cannot_serve_is_named_by_check_config_and_run(
        capsys, tmp_path, monkeypatch, mode, content, fragment):
    # The LAN server refuses these at start; check-config must say so first.
    monkeypatch.setattr("kiosk.cli.app._start", lambda *a, **kw: pytest.fail("run started"))
    token = tmp_path / "lan-token"
    if content is not None:
        token.write_text(content)
        token.chmod(mode)
    base = (config_probe.Path(__file__).parent.parent / "data" / "good_configs")
    good = sorted(base.glob("*.toml"))[0].read_text()
    config = tmp_path / "kiosk.toml"
    config.write_text(good + f'\n[lan]\nenabled = true\nlisten = "127.0.0.1:0"\ntoken_file = "{token}"\n')

    check = cli(capsys, "check-config", config)
    run = cli(capsys, "run", "--headless", "--config", config)

    assert check[0] == run[0] == 2
    assert "lan.token_file" in check[2] and fragment in check[2]
