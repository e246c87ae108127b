"""The corpus of bad configs (tests/data/bad_configs): each is refused by
``ptsp-kiosk check-config`` with status 2 and a message naming its key and the
allowed values, never a traceback or a raw control character; and every
config that passes check-config starts the kiosk (tests/data/good_configs)."""
import subprocess
import sys

import pytest

from config_corpus_helpers import BAD, EXPECTED, GOOD, cli, in_tmp, raw_controls, start_like_run, steady  # noqa: F401
from core_helpers import ROOT, child_env
from kiosk.cli import validation

CASES = sorted(EXPECTED)


def test_every_case_file_has_its_expectation_and_every_expectation_its_file():
    files = {p.stem for p in BAD.glob("*.toml")} - {"expected"}

    assert files == set(EXPECTED)


@pytest.mark.parametrize("case", CASES)
def test_a_bad_config_is_refused_by_check_config_with_status_2_and_its_message(case, capsys, in_tmp):
    status, out, err = cli(capsys, "check-config", BAD / f"{case}.toml")

    assert status == 2, out + err
    assert err.startswith("Configuration problems:\n"), err
    for fragment in EXPECTED[case]["expect"]:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert "Traceback" not in err
    assert raw_controls(out + err) == []


@pytest.mark.parametrize("case", ["nul_in_institution", "port_70000", "database_dev_null", "database_is_a_folder",
                                  "unknown_printer_profile", "font_missing", "sessions_overlap"])
def test_a_bad_config_is_refused_by_run_before_anything_starts(case, capsys, in_tmp, monkeypatch):
    # `run` takes the same path as check-config: no window, no database made.
    monkeypatch.setattr("kiosk.cli.app._start", lambda *a, **kw: pytest.fail("run started with a bad config"))

    status, out, err = cli(capsys, "run", "--headless", "--config", BAD / f"{case}.toml")

    assert status == 2
    assert all(fragment in err for fragment in EXPECTED[case]["expect"])
    assert not (in_tmp / "kiosk.db").exists()


@pytest.mark.parametrize("case", ["esc_in_service_name", "nesting_100000_deep"])
def test_the_real_entry_point_writes_no_raw_control_byte_and_no_traceback(case, tmp_path):
    result = subprocess.run([sys.executable, "-m", "kiosk", "check-config", str(BAD / f"{case}.toml")], cwd=tmp_path,
                            env=child_env(), capture_output=True, timeout=60)

    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert not any(b < 0x20 and b != 0x0A for b in result.stdout + result.stderr), result.stderr
    assert EXPECTED[case]["expect"][0].encode() in result.stderr


def test_a_file_over_one_mib_is_refused_before_it_is_parsed(capsys, tmp_path):
    big = tmp_path / "big.toml"
    big.write_text((GOOD / "base.toml").read_text() + "# " + "x" * (1024 * 1024) + "\n")

    status, _, err = cli(capsys, "check-config", big)

    assert status == 2
    assert "a config file may be at most 1048576 bytes (1 MiB)" in err


def test_an_endless_device_is_read_no_further_than_the_limit(capsys):
    status, _, err = cli(capsys, "check-config", "/dev/zero")

    assert status == 2
    assert "more than 1048576 bytes" in err


def test_a_folder_given_as_the_config_file_is_named(capsys, tmp_path):
    status, _, err = cli(capsys, "check-config", tmp_path)

    assert status == 2 and "is a folder, not a config file" in err


# --- the good side: what passes check-config starts --------------------------------

GOOD_FILES = sorted(p.name for p in GOOD.glob("*.toml"))


@pytest.mark.parametrize("name", GOOD_FILES)
def test_a_good_config_passes_check_config_and_starts_the_kiosk(name, capsys, in_tmp):
    path = in_tmp / name
    path.write_text(steady((GOOD / name).read_text(encoding="utf-8")), encoding="utf-8")

    status, out, err = cli(capsys, "check-config", path)
    assert (status, err) == (0, "")
    assert out.startswith("OK: ")

    assert start_like_run(validation.load_checked(str(path)), in_tmp) == "B-001"


def test_the_example_and_demo_configs_pass_the_machine_checks(tmp_path):
    database = str(tmp_path / "kiosk.db")

    for name in ("kiosk.example.toml", "demo.toml"):
        validation.load_checked(str(ROOT / "config" / name), {"storage": {"database": database}})
