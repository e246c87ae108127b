"""config/kiosk.example.toml stays in step with the schema; config/demo.toml is a ready demo."""
import re
import tomllib

from core_helpers import ROOT
from kiosk.core import config

EXAMPLE = ROOT / "config" / "kiosk.example.toml"
DEMO = ROOT / "config" / "demo.toml"

_HEADER = re.compile(r"^\[\[?\s*([A-Za-z0-9_.]+)\s*\]\]?\s*$")
_KEY = re.compile(r"^(#\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*=")


def example_keys(text):
    """Every key written in an example file: {dotted path: (commented, comment text above)}.

    Sections come from [table] and [[array]] headers, so services.hours.mon
    and printer.timeout are told apart from sync.timeout.
    """
    keys, section, comment = {}, "", []
    for line in text.splitlines():
        stripped = line.strip()
        header = _HEADER.match(stripped)
        key = _KEY.match(stripped)
        if header:
            section, comment = header.group(1), []
        elif key:
            path = f"{section}.{key.group(2)}" if section else key.group(2)
            keys.setdefault(path, (bool(key.group(1)), " ".join(comment)))
            comment = []
        elif stripped.startswith("#"):
            comment.append(stripped.lstrip("#").strip())
        else:
            comment = []
    return keys


def drift(text):
    """What differs between an example file and the schema, as readable lines."""
    written = example_keys(text)
    problems = []
    for path, default, doc in config.schema_fields():
        if path not in written:
            problems.append(f"{path}: missing from the example")
            continue
        commented, comment = written[path]
        if commented and default is not None:
            problems.append(f"{path}: has a default ({default!r}), so write it as a key, not a comment")
        if not comment:
            problems.append(f"{path}: needs a comment line above it")
        elif " ".join(doc.split()) not in comment:
            problems.append(f"{path}: the comment above should say {doc!r}")
    schema = {path for path, _, _ in config.schema_fields()}
    problems += [f"{path}: not a key of the schema" for path in written if path not in schema]
    return problems


def test_given_the_example_when_loaded_then_it_parses_and_validates():
    cfg = config.load(EXAMPLE)

    assert cfg.services and cfg.counters


def test_given_the_schema_when_compared_with_the_example_then_every_key_is_there_documented_and_nothing_else():
    assert drift(EXAMPLE.read_text(encoding="utf-8")) == []


def test_given_an_example_missing_a_key_when_compared_then_the_check_names_that_key():
    # Guards the guard: a key added to the schema but not to the example must fail.
    text = EXAMPLE.read_text(encoding="utf-8")
    without = re.sub(r"(?m)^hold_time = .*\n", "", text)
    assert without != text

    assert "buttons.hold_time: missing from the example" in drift(without)


def test_given_an_example_with_a_key_the_schema_lacks_when_compared_then_the_check_names_it():
    text = EXAMPLE.read_text(encoding="utf-8").replace("[storage]\n", "[storage]\n# Old key.\n# backup = true\n")

    assert "storage.backup: not a key of the schema" in drift(text)


def test_given_an_example_key_without_its_comment_when_compared_then_the_check_says_so():
    text = EXAMPLE.read_text(encoding="utf-8")
    doc = dict((p, d) for p, _, d in config.schema_fields())["queue.priority_policy"]
    without = text.replace(f"# {doc}\n", "")
    assert without != text

    assert "queue.priority_policy: needs a comment line above it" in drift(without)


def test_given_the_single_tables_of_the_example_when_read_then_their_values_are_the_schema_defaults():
    # The example promises "keys you leave out keep the default shown here".
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    defaults = {path: default for path, default, _ in config.schema_fields()}
    for section in ("device", "storage", "queue", "printer", "buttons", "display", "sync"):
        for key, value in data[section].items():
            assert value == defaults[f"{section}.{key}"], f"{section}.{key}"


def test_given_the_demo_config_when_loaded_then_it_has_five_services_and_three_counters():
    cfg = config.load(DEMO)

    assert len(cfg.services) == 5
    assert [s.prefix for s in cfg.services] == ["A", "B", "C", "D", "E"]
    assert len(cfg.counters) == 3
    assert all(cfg.counters_for(s.code) for s in cfg.services)


def test_given_the_demo_fixture_when_used_then_the_database_is_moved_out_of_the_shared_place(demo_config, tmp_path):
    assert demo_config.storage.database == str(tmp_path / "kiosk.db")
