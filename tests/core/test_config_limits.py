"""The generic limits every config value obeys: declared ranges, plain text,
escaped echoes, nesting and file limits, sessions, and all problems at once."""
import dataclasses
import math
import typing

import pytest

from core_helpers import config_dict
from kiosk.core import config, config_file
from kiosk.core.config_checks import Between, control_character, declares_values, shown, type_hints
from kiosk.core.errors import ConfigError


def problems(edit):
    with pytest.raises(ConfigError) as raised:
        config.from_dict(config_dict(edit=edit), "test")
    return raised.value.problems


def numeric_fields(cls=config.Config, prefix=""):
    for f in dataclasses.fields(cls):
        hint = type_hints(cls)[f.name]
        path = f"{prefix}.{f.name}" if prefix else f.name
        if dataclasses.is_dataclass(hint):
            yield from numeric_fields(hint, path)
        elif hint is tuple:
            yield from numeric_fields(f.metadata["element"], path)
        elif hint in (int, float, typing.Optional[int], typing.Optional[float]):
            yield path, f


def test_every_number_of_the_schema_declares_its_range_next_to_it():
    # How: _f(default, doc, _between(low, high)) or _one_of(...); see the note atop kiosk/core/config.py.
    undeclared = [path for path, f in numeric_fields() if not declares_values(f)]

    assert undeclared == []
    assert len(list(numeric_fields())) > 30


def test_every_float_field_declares_float_ends_so_the_message_says_a_number():
    whole = [path for path, f in numeric_fields() if type_hints_of(path) is float
             and isinstance(f.metadata["check"], Between) and not isinstance(f.metadata["check"].high, float)]

    assert whole == []


def type_hints_of(path):
    cls = config.Config
    for part in path.split("."):
        f = {f.name: f for f in dataclasses.fields(cls)}[part]
        hint = type_hints(cls)[part]
        cls = f.metadata["element"] if hint is tuple else hint
    return cls


@pytest.mark.parametrize("value, shown_as", [(math.inf, "inf"), (-math.inf, "-inf"), (math.nan, "nan"),
                                             (2**63, "9223372036854775808"), (-1, "-1"), (10**100, "a number of")])
def test_a_number_out_of_range_names_the_key_the_range_and_the_value(value, shown_as):
    found = problems(lambda d: d.setdefault("printer", {}).update(timeout=value))

    assert len(found) == 1
    assert found[0].startswith("test: printer.timeout: must be a number from 1 to 300, not ")
    assert shown_as in found[0]


def test_a_whole_number_field_says_whole_number():
    found = problems(lambda d: d.setdefault("printer", {}).update(port=70000))

    assert found == ["test: printer.port: must be a whole number from 1 to 65535, not 70000"]


@pytest.mark.parametrize("port", [1, 65535])
def test_the_ends_of_a_range_are_allowed(port):
    data = config_dict(edit=lambda d: d.setdefault("printer", {}).update(port=port))

    assert config.from_dict(data).printer.port == port


def test_an_int_for_a_float_key_becomes_a_float_and_a_huge_one_no_overflow():
    data = config_dict(edit=lambda d: d["services"][0].update(service_minutes=7))
    assert config.from_dict(data).services[0].service_minutes == 7.0

    found = problems(lambda d: d["services"][0].update(service_minutes=10**400))
    assert "a number of 401 digits" in found[0]


@pytest.mark.parametrize("text", ["a\x00b", "a\x1bb", "a\x7fb", "a\x85b", "a\nb", "a\tb", "a\u202eb", "a\u2028b"])
def test_control_characters_in_any_text_are_refused_and_shown_escaped(text):
    found = problems(lambda d: d["device"].update(institution=text))

    assert len(found) == 1 and found[0].startswith("test: device.institution: must be plain text")
    assert found[0].isprintable()
    assert ascii(text[1])[1:-1] in found[0]


@pytest.mark.parametrize("text", ["Rutan Kelas IIB Blora", "Lembaga Pemasyarakatan Perempuan", "é ü ñ", "ꦫꦸꦠꦤ꧀"])
def test_printable_text_in_any_script_is_accepted(text):
    assert control_character(text) is None
    assert config.from_dict(config_dict(edit=lambda d: d["device"].update(institution=text))).device.institution == text


def test_text_longer_than_the_limit_is_refused_with_the_limit():
    found = problems(lambda d: d["device"].update(address="x" * 4097))

    assert found == ["test: device.address: must be at most 4096 characters long, not 4097"]


def test_the_database_path_is_checked_even_without_the_machine_checks():
    # issue, status and report load the config without probing the machine.
    found = problems(lambda d: d.update(storage={"database": ""}))

    assert found == ["test: storage.database: must be the path of a file, e.g. /var/lib/ptsp-kiosk/kiosk.db, "
                     "not ''"]


def test_text_inside_lists_and_tables_is_checked_too():
    found = problems(lambda d: (d.setdefault("printer", {}).update(footer=["ok", "\x1b[5m"]),
                                d["services"][0]["name"].update(en="\x00")))

    assert any(p.startswith("test: printer.footer: item 2 must be plain text") for p in found)
    assert any(p.startswith("test: services[0].name: key 'en': must be plain text") for p in found)


def test_shown_escapes_and_cuts_what_it_echoes():
    assert shown("\x1b[31mred") == "'\\x1b[31mred'"
    assert shown("x" * 100).endswith("...") and len(shown("x" * 100)) == 60
    assert shown(10**80) == "a number of 81 digits"
    assert shown(["\x00"]) == "['\\x00']"


def test_a_config_error_never_carries_a_raw_control_character():
    error = ConfigError(["file: key: bad \x1b[2J value \x00"])

    assert error.problems == ["file: key: bad \\x1b[2J value \\x00"]


@pytest.mark.parametrize("sessions, fragment", [
    (["08:00-11:00", "10:59-12:00"], "'08:00-11:00' and '10:59-12:00' overlap"),
    (["13:00-14:00", "08:00-11:00", "08:00-11:00"], "'08:00-11:00' is listed twice"),
    (["08:00-12:00", "09:00-10:00"], "overlap"),
])
def test_sessions_that_overlap_or_repeat_within_a_day_are_refused(sessions, fragment):
    found = problems(lambda d: d["services"][0]["hours"].update(mon=sessions))

    assert any(p.startswith("test: services[0].hours.mon: ") and fragment in p for p in found), found


def test_sessions_that_touch_are_fine():
    data = config_dict(edit=lambda d: d["services"][0]["hours"].update(mon=["08:00-11:00", "11:00-12:00"]))

    assert config.from_dict(data).services[0].hours.sessions(0) == [(480, 660), (660, 720)]


def test_a_service_twice_in_one_counter_is_refused():
    found = problems(lambda d: d["counters"][0].update(services=["kunjungan", "barang", "kunjungan"]))

    assert found == ["test: counters[0].services: 'kunjungan' is listed twice; list each service once per counter"]


def test_value_problems_and_rules_across_keys_are_reported_together():
    def edit(d):
        d.setdefault("printer", {})["port"] = 0
        d["counters"][0]["services"] = ["kunjungan", "nope"]

    found = problems(edit)

    assert any("printer.port" in p for p in found)
    assert any("counters[0].services: unknown service 'nope'" in p for p in found)


def test_a_rule_about_a_refused_value_is_not_reported_twice():
    # A refused number_end is left at its default; "below number_start" would be about a value nobody wrote.
    found = problems(lambda d: d["services"][0].update(number_start=500, number_end=math.inf))

    assert [p for p in found if "number_end" in p] == [
        "test: services[0].number_end: must be a whole number, not inf"]


def test_machine_checks_run_even_when_values_are_refused_and_are_told_which():
    seen = {}

    def machine(cfg, refused):
        seen["refused"] = refused
        return ["storage.database: the machine says no"]

    with pytest.raises(ConfigError) as raised:
        config.from_dict(config_dict(edit=lambda d: d["device"].update(institution="\x00")), "t", machine)

    assert seen["refused"] == {"device.institution"}
    assert raised.value.problems[-1] == "t: storage.database: the machine says no"


# --- the file ---------------------------------------------------------------------------

def test_nesting_up_to_the_limit_parses_and_beyond_it_is_a_message():
    depth_ok = "x = " + "[" * (config_file.MAX_DEPTH - 2) + "1" + "]" * (config_file.MAX_DEPTH - 2)
    too_deep = "x = " + "[" * config_file.MAX_DEPTH + "]" * config_file.MAX_DEPTH

    assert "x" in config_file.parse_document(depth_ok)
    with pytest.raises(ConfigError, match="nested more than 16 levels deep; at most 16 levels are allowed"):
        config_file.parse_document(too_deep)


def test_a_byte_order_mark_from_a_windows_editor_is_accepted():
    assert config_file.parse_document("\ufeff[device]\nid = \"a\"\n") == {"device": {"id": "a"}}


def test_an_integer_too_long_for_python_is_a_message():
    with pytest.raises(ConfigError, match="a number is far too long"):
        config_file.parse_document("x = " + "9" * 5000)


def test_the_demo_overrides_are_checked_like_the_file(tmp_path):
    with pytest.raises(ConfigError, match="storage.database: must be the path of a file"):
        config.load_demo(overrides={"storage": {"database": ""}})


def test_the_example_config_states_every_declared_range_above_its_key():
    from test_example_config import EXAMPLE, example_keys

    written = example_keys(EXAMPLE.read_text(encoding="utf-8"))

    def shown_end(x):
        return f"{x:g}" if isinstance(x, float) else str(x)

    missing = [path for path, f in numeric_fields() if isinstance(f.metadata["check"], Between)
               and f"Range: {shown_end(f.metadata['check'].low)} to {shown_end(f.metadata['check'].high)}."
               not in written.get(path, (False, ""))[1]]
    assert missing == []
