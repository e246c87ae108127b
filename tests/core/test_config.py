"""Configuration: one schema, layered TOML, every problem reported at once."""
import dataclasses
import textwrap

import pytest

from core_helpers import config_dict, run_cli
from kiosk.core import config
from kiosk.core.errors import ConfigError

GOOD = """
[device]
id = "uji-1"

[[services]]
code = "kunjungan"
prefix = "A"
name = { id = "Layanan Kunjungan" }

[[counters]]
number = 1
services = ["kunjungan"]
"""

# Six independent mistakes in one file, none of which hides another.
MANY_MISTAKES = """
[device]
institusion = "Rutan"
timezone = "Asia/Jakartaa"
language = "jv"
business_day_start = "25:00"

[[services]]
code = "kunjungan"
prefix = "A"
name = { id = "Layanan Kunjungan" }
quota = "ten"

[[services]]
code = "barang"
prefix = "B"
name = { id = "Penitipan Barang" }

[[services]]
code = "informasi"
prefix = "C"
name = { id = "Informasi" }
[services.hours]
mon = ["08:00-25:00"]

[[counters]]
number = 1
services = ["kunjungan", "barang", "informasi"]
"""


def write(tmp_path, text, name="kiosk.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(data):
    with pytest.raises(ConfigError) as info:
        config.from_dict(data)
    return info.value.problems


def problem_with(problems, path):
    """The one problem whose key path is ``path`` (after the source prefix)."""
    found = [p for p in problems if p.split(": ", 1)[1].startswith(f"{path}:")]
    assert len(found) == 1, f"expected one problem at {path}, got {problems}"
    return found[0]


# --- layering -------------------------------------------------------------

def test_given_a_file_with_few_keys_when_loaded_then_left_out_keys_keep_the_schema_defaults(tmp_path):
    cfg = config.load(write(tmp_path, GOOD))

    assert cfg.device.id == "uji-1"
    assert cfg.device.timezone == "Asia/Jakarta" == config.Device().timezone
    assert cfg.device.business_day_start == config.Device().business_day_start
    assert cfg.queue == config.Queue()
    assert cfg.printer == config.Printer()
    assert cfg.services[0].number_end == config.Service().number_end
    assert cfg.services[0].hours == config.ALWAYS_OPEN


def test_given_a_service_hours_table_when_a_weekday_is_left_out_then_that_day_is_closed():
    data = config_dict(edit=lambda d: d["services"][1].update(hours={"mon": ["08:00-11:00"]}))

    cfg = config.from_dict(data)

    assert cfg.services[1].hours.sessions(0) == [(480, 660)]
    assert cfg.services[1].hours.sessions(1) == []


def test_given_an_int_where_a_number_is_expected_when_loaded_then_it_becomes_a_float():
    cfg = config.from_dict(config_dict(edit=lambda d: d["services"][0].update(service_minutes=7)))

    assert cfg.services[0].service_minutes == 7.0
    assert isinstance(cfg.services[0].service_minutes, float)


# --- every problem at once --------------------------------------------------

def test_given_many_mistakes_when_loaded_then_every_problem_is_reported_at_once_with_its_key_path(tmp_path):
    path = write(tmp_path, MANY_MISTAKES)

    with pytest.raises(ConfigError) as info:
        config.load(path)

    problems = info.value.problems
    assert len(problems) == 6, problems
    assert all(p.startswith(f"{path}: ") for p in problems)
    assert "Did you mean 'institution'?" in problem_with(problems, "device.institusion")
    assert "Asia/Jakartaa" in problem_with(problems, "device.timezone")
    assert "'id'" in problem_with(problems, "device.language")
    assert "25:00" in problem_with(problems, "device.business_day_start")
    assert "'ten'" in problem_with(problems, "services[0].quota")
    assert "08:00-25:00" in problem_with(problems, "services[2].hours.mon")


def test_given_a_misspelt_key_when_validated_then_the_nearest_valid_key_is_suggested():
    data = config_dict(edit=lambda d: d["services"][1].update(prefx="B"))

    problem = problem_with(problems_of(data), "services[1].prefx")

    assert "unknown key 'prefx'" in problem
    assert "Did you mean 'prefix'?" in problem


def test_given_a_misspelt_weekday_when_validated_then_the_weekday_is_suggested():
    data = config_dict(edit=lambda d: d["services"][2].update(hours={"moon": ["08:00-11:00"]}))

    problem = problem_with(problems_of(data), "services[2].hours.moon")

    assert "Did you mean 'mon'?" in problem


def test_given_a_misspelt_section_when_validated_then_the_nearest_section_is_suggested():
    data = config_dict(edit=lambda d: d.update(printr={"type": "usb"}))

    assert "Did you mean 'printer'?" in problem_with(problems_of(data), "printr")


def test_given_a_key_far_from_any_valid_one_when_validated_then_the_valid_keys_are_listed():
    data = config_dict(edit=lambda d: d.update(queue={"zzz": 1}))

    problem = problem_with(problems_of(data), "queue.zzz")

    assert "priority_policy" in problem and "estimate_window" in problem


@pytest.mark.parametrize("path, edit, expected", [
    ("services[0].quota", lambda d: d["services"][0].update(quota="ten"), "must be a whole number"),
    ("services[0].quota", lambda d: d["services"][0].update(quota=True), "must be a whole number"),
    ("services[1].priority", lambda d: d["services"][1].update(priority="yes"), "must be true or false"),
    ("device.id", lambda d: d["device"].update(id=12), "must be a string"),
    ("services[0].hours.mon", lambda d: d["services"][0]["hours"].update(mon="08:00-11:00"), "must be a list"),
    ("services", lambda d: d.update(services={"code": "x"}), "must be a list of tables"),
    ("device", lambda d: d.update(device="kiosk"), "must be a table"),
])
def test_given_a_value_of_the_wrong_type_when_validated_then_its_path_and_the_expected_type_are_reported(
        path, edit, expected):
    problem = problem_with(problems_of(config_dict(edit=edit)), path)

    assert expected in problem


def test_given_a_value_outside_an_enum_when_validated_then_the_allowed_values_are_listed():
    data = config_dict(edit=lambda d: d.update(queue={"priority_policy": "fifo"}))

    problem = problem_with(problems_of(data), "queue.priority_policy")

    assert "'strict'" in problem and "'interleave'" in problem


def test_given_an_unknown_timezone_when_validated_then_it_is_reported_with_an_example():
    data = config_dict(edit=lambda d: d["device"].update(timezone="WIB"))

    problem = problem_with(problems_of(data), "device.timezone")

    assert "unknown timezone 'WIB'" in problem and "Asia/Jakarta" in problem


@pytest.mark.parametrize("session", ["8-11", "08:00-11:60", "11:00-08:00", "08:00"])
def test_given_a_malformed_session_when_validated_then_the_weekday_path_is_reported(session):
    data = config_dict(edit=lambda d: d["services"][2].update(hours={"mon": ["13:00-14:00", session]}))

    problem = problem_with(problems_of(data), "services[2].hours.mon")

    assert session in problem


def test_given_both_time_separators_when_validated_then_dot_and_colon_are_accepted():
    data = config_dict(edit=lambda d: d["services"][2].update(hours={"mon": ["08.00-11.00"]}))

    cfg = config.from_dict(data)

    assert cfg.services[2].hours.sessions(0) == [(480, 660)]


def test_given_a_duplicate_prefix_when_validated_then_both_services_are_named():
    data = config_dict(edit=lambda d: d["services"][2].update(prefix="A"))

    problem = problem_with(problems_of(data), "services[2].prefix")

    assert "'A' is already used by services[0]" in problem


def test_given_a_duplicate_service_code_when_validated_then_it_is_reported():
    data = config_dict(edit=lambda d: d["services"][2].update(code="barang"))

    problem = problem_with(problems_of(data), "services[2].code")

    assert "'barang' is already used by services[1]" in problem


def test_given_a_duplicate_counter_number_when_validated_then_it_is_reported():
    data = config_dict(edit=lambda d: d["counters"][1].update(number=1))

    problem = problem_with(problems_of(data), "counters[1].number")

    assert "already used by counters[0]" in problem


def test_given_a_counter_serving_an_unknown_service_when_validated_then_the_nearest_code_is_suggested():
    data = config_dict(edit=lambda d: d["counters"][1].update(services=["kunjungan", "informasy"]))

    problem = problem_with(problems_of(data), "counters[1].services")

    assert "unknown service 'informasy'" in problem and "Did you mean 'informasi'?" in problem


def test_given_a_service_that_no_counter_serves_when_validated_then_it_is_reported():
    data = config_dict(edit=lambda d: d["counters"][1].update(services=["kunjungan"]))

    problem = problem_with(problems_of(data), "services[2]")

    assert "no counter serves 'informasi'" in problem


def test_given_several_cross_key_mistakes_when_validated_then_all_are_reported_together():
    def edit(d):
        d["services"][1]["prefix"] = "A"
        d["counters"][0]["services"] = ["kunjungan", "barang", "nothing"]
        d["counters"][1]["services"] = ["kunjungan"]

    problems = problems_of(config_dict(edit=edit))

    problem_with(problems, "services[1].prefix")
    problem_with(problems, "counters[0].services")
    problem_with(problems, "services[2]")


def test_given_the_same_gpio_twice_when_validated_then_the_second_use_names_the_first():
    def edit(d):
        d["services"][0]["button_pin"] = 5
        d["counters"][0]["call_pin"] = 5

    problem = problem_with(problems_of(config_dict(edit=edit)), "counters[0].call_pin")

    assert "GPIO 5 is already used by services[0].button_pin" in problem


def test_given_no_services_when_a_file_is_loaded_then_it_is_refused(tmp_path):
    path = write(tmp_path, '[device]\nid = "x"\n')

    with pytest.raises(ConfigError) as info:
        config.load(path)

    assert "at least one [[services]]" in info.value.problems[0]


def test_given_a_missing_file_when_loaded_then_a_config_error_names_it(tmp_path):
    path = tmp_path / "absent.toml"

    with pytest.raises(ConfigError) as info:
        config.load(path)

    assert str(path) in info.value.problems[0] and "no such config file" in info.value.problems[0]


def test_given_a_file_that_is_not_toml_when_loaded_then_a_config_error_says_so(tmp_path):
    path = write(tmp_path, "[device\nid = 'x'\n")

    with pytest.raises(ConfigError) as info:
        config.load(path)

    assert "not valid TOML" in info.value.problems[0]


# --- which file ------------------------------------------------------------

def test_given_no_argument_when_resolving_then_the_environment_variable_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("PTSP_KIOSK_CONFIG", str(tmp_path / "env.toml"))

    assert config.resolve_path(None) == tmp_path / "env.toml"


def test_given_an_argument_and_the_environment_variable_when_resolving_then_the_argument_wins(
        tmp_path, monkeypatch):
    monkeypatch.setenv("PTSP_KIOSK_CONFIG", str(tmp_path / "env.toml"))

    assert config.resolve_path(tmp_path / "arg.toml") == tmp_path / "arg.toml"


def test_given_neither_when_resolving_then_the_system_file_is_used(monkeypatch):
    monkeypatch.delenv("PTSP_KIOSK_CONFIG", raising=False)

    assert config.resolve_path(None) == config.SYSTEM_CONFIG == config.Path("/etc/ptsp-kiosk/kiosk.toml")


def test_given_the_environment_variable_when_loading_without_a_path_then_that_file_is_loaded(
        tmp_path, monkeypatch):
    monkeypatch.setenv("PTSP_KIOSK_CONFIG", str(write(tmp_path, GOOD)))

    assert config.load().device.id == "uji-1"


# --- the command line --------------------------------------------------------

def test_given_a_bad_file_when_check_config_runs_then_it_lists_every_problem_and_exits_2(tmp_path):
    path = write(tmp_path, MANY_MISTAKES, "bad.toml")

    result = run_cli("check-config", path)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for key in ("device.institusion", "device.timezone", "device.language", "device.business_day_start",
                "services[0].quota", "services[2].hours.mon"):
        assert f"{key}:" in result.stderr, result.stderr
    assert "Did you mean 'institution'?" in result.stderr


@pytest.mark.parametrize("content", [None, "not = [valid"], ids=["missing", "invalid-toml"])
def test_given_an_unusable_file_when_check_config_runs_then_it_exits_2_without_a_traceback(tmp_path, content):
    path = tmp_path / "kiosk.toml"
    if content is not None:
        path.write_text(content)

    result = run_cli("check-config", path)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr


def test_given_a_good_file_when_check_config_runs_then_it_summarises_services_and_counters(tmp_path):
    result = run_cli("check-config", write(tmp_path, GOOD))

    assert result.returncode == 0, result.stderr
    assert "services   1" in result.stdout and "kunjungan" in result.stdout
    assert "counters   1" in result.stdout
    assert "printer    preview" in result.stdout
    assert "sync       off" in result.stdout


def test_given_only_the_environment_variable_when_check_config_runs_then_it_checks_that_file(tmp_path):
    path = write(tmp_path, GOOD)

    result = run_cli("check-config", env={"PTSP_KIOSK_CONFIG": str(path)})

    assert result.returncode == 0, result.stderr
    assert f"OK: {path}" in result.stdout


def test_given_config_option_and_a_bad_environment_file_when_a_command_runs_then_the_option_wins(tmp_path):
    good = write(tmp_path, GOOD)
    bad = write(tmp_path, MANY_MISTAKES, "bad.toml")

    result = run_cli("check-config", "--config", good, env={"PTSP_KIOSK_CONFIG": str(bad)})

    assert result.returncode == 0, result.stderr
    assert f"OK: {good}" in result.stdout


def test_given_a_loaded_config_when_code_tries_to_change_it_then_it_is_refused(tmp_path):
    cfg = config.load(write(tmp_path, GOOD))

    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.device.id = "other"
