"""Hostile values in every key of the schema: each is refused with a message that
names its key, or, if accepted, the kiosk starts with it, issues a ticket and
calls it. New keys are covered the day they are added to the schema."""
import dataclasses
import math
import tomllib
import typing

import pytest

from config_corpus_helpers import GOOD, start_like_run, steady
from kiosk.cli import validation
from kiosk.core import config
from kiosk.core.config_checks import declared_range, shown
from kiosk.core.errors import ConfigError
from kiosk.core.tickets import format_label

HOSTILE = {
    "inf": math.inf, "-inf": -math.inf, "nan": math.nan, "2**63": 2**63, "-2**63": -(2**63), "1e20": 10**20,
    "1e300": 1e300, "-1": -1, "0": 0, "true": True, "text 10": "10", "NUL": "a\x00b", "ESC": "\x1b[31mred",
    "empty": "", "5000 chars": "x" * 5000, "list": ["a"], "table": {"a": "b"}, "nested": [[["a"]]],
    "arabic-indic": "\u0668:3\u0660",
}
# The values tried on a key of each type: its own kind of trouble, and one or two of another type.
NUMBERS = ("inf", "-inf", "nan", "2**63", "-2**63", "1e20", "1e300", "-1", "0", "true", "text 10")
TEXTS = ("NUL", "ESC", "empty", "5000 chars", "arabic-indic", "text 10", "0", "list", "nested")
TRIED = {int: NUMBERS, float: NUMBERS, str: TEXTS, bool: ("0", "text 10"),
         list: ("NUL", "ESC", "5000 chars", "list", "nested", "table", "empty"),
         dict: ("table", "list", "NUL", "ESC", "nested")}


def first_label(cfg):
    service = cfg.service("barang")
    return format_label(service.prefix, service.number_start)


def base_data(tmp_path):
    data = tomllib.loads(steady((GOOD / "base.toml").read_text(encoding="utf-8")))
    data["storage"]["database"] = str(tmp_path / "kiosk.db")
    return data


def leaf_keys():
    """(section, key, type) of every leaf of the schema; for [[services]] and
    [[counters]] the first table's keys (("services", 0), key, type)."""
    out = []
    for f in dataclasses.fields(config.Config):
        hint = typing.get_type_hints(config.Config)[f.name]
        cls = f.metadata["element"] if hint is tuple else hint
        for leaf in dataclasses.fields(cls):
            leaf_type = typing.get_type_hints(cls)[leaf.name]
            if dataclasses.is_dataclass(leaf_type):
                continue  # services.hours: its weekdays are strings, covered by the corpus
            leaf_type = int if leaf_type == typing.Optional[int] else leaf_type
            out.append(((f.name, 0) if hint is tuple else f.name, leaf.name, leaf_type))
    return out


def put(data, where, key, value):
    """A copy of ``data`` with one key set (only the tables on the way are copied)."""
    data = dict(data)
    if isinstance(where, tuple):
        tables = data[where[0]] = [dict(t) for t in data[where[0]]]
        tables[where[1]][key] = value
    else:
        data[where] = {**data.get(where, {}), key: value}
    return data


def key_path(where, key):
    return f"{where[0]}[{where[1]}].{key}" if isinstance(where, tuple) else f"{where}.{key}"


def check(data):
    return config.from_dict(data, "mutation", validation.machine_checks, require_services=True)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    # Relative paths in mutated keys ("10" as the database) land here, not in the source tree.
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """{hostile value name: [(where, key)] accepted}, after checking that each
    refusal names its key."""
    tmp = tmp_path_factory.mktemp("mutations")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp)
        return _verdicts(base_data(tmp))


def _verdicts(data):
    accepted = {name: [] for name in HOSTILE}
    unnamed = []
    for where, key, leaf_type in leaf_keys():
        for name in TRIED[leaf_type]:
            value = HOSTILE[name]
            try:
                check(put(data, where, key, value))
            except ConfigError as e:
                # Named: the key, or (a renamed service code) the value where it is missing.
                if not any(key_path(where, key) in p or shown(value) in p for p in e.problems):
                    unnamed.append((key_path(where, key), name, e.problems))
            else:
                accepted[name].append((where, key))
    assert unnamed == [], "refusals that do not name the key"
    return accepted


def test_numbers_out_of_range_and_control_characters_are_refused_in_every_key(verdicts):
    assert len(leaf_keys()) > 100  # the whole schema is tried, not a few keys
    for name in ("inf", "-inf", "nan", "2**63", "-2**63", "1e20", "1e300", "NUL", "ESC", "5000 chars", "nested"):
        assert verdicts[name] == [], name


def packed(verdicts):
    """The accepted (key, value) pairs packed into as few configs as possible:
    each key takes one accepted value per config (starting the kiosk is the slow part)."""
    packs = []
    for name, keys in verdicts.items():
        for where, key in keys:
            pack = next((p for p in packs if (where, key) not in p), None)
            if pack is None:
                pack = {}
                packs.append(pack)
            pack[(where, key)] = name
    return packs


def test_every_hostile_value_that_passes_the_checks_starts_the_kiosk(verdicts, tmp_path):
    packs = packed(verdicts)
    assert sum(len(p) for p in packs) == sum(len(keys) for keys in verdicts.values())

    for i, pack in enumerate(packs):
        folder = tmp_path / str(i)
        folder.mkdir()
        data = base_data(folder)
        for (where, key), name in pack.items():
            data = put(data, where, key, HOSTILE[name])

        cfg = check(data)  # the accepted values together still pass

        assert start_like_run(cfg, folder) == first_label(cfg), pack


def ranged(data, end):
    """``data`` with every number that declares a range set to its low or high end (GPIO pins excepted:
    they must differ from each other)."""
    def fields(cls):
        return [f for f in dataclasses.fields(cls) if declared_range(f) and declared_range(f) is not config._pin]

    for f in dataclasses.fields(config.Config):
        hint = typing.get_type_hints(config.Config)[f.name]
        if hint is tuple:
            for table in data.get(f.name, []):
                table.update({g.name: getattr(declared_range(g), end) for g in fields(f.metadata["element"])})
        elif dataclasses.is_dataclass(hint):
            data.setdefault(f.name, {}).update({g.name: getattr(declared_range(g), end) for g in fields(hint)})
    return data


@pytest.mark.parametrize("end", ["low", "high"])
def test_every_number_at_either_end_of_its_range_starts_the_kiosk(end, tmp_path):
    data = ranged(base_data(tmp_path), end)
    data["display"]["fullscreen"] = False  # so the window really is 320x240 or 7680x4320
    data["counters"][0]["number"] = 1

    cfg = check(data)

    assert start_like_run(cfg, tmp_path) == first_label(cfg)
