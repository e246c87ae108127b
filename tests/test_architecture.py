"""The core and the machine import no hardware or screen library (pygame, gpiozero, escpos, serial),
and the layers keep to the import rules of .importlinter."""
import json
import pkgutil
import shutil
import subprocess
import sys
import textwrap

import pytest

import kiosk
from core_helpers import ROOT, child_env

# Every module of the domain core and the runtime machine: neither may know
# pygame or any hardware library. A new module is covered the day it is added.
# (The layer rules between all packages are import-linter's job: .importlinter.)
PURE = ("kiosk.core.", "kiosk.machine.")
CORE = sorted(m.name for m in pkgutil.walk_packages(kiosk.__path__, "kiosk.") if m.name.startswith(PURE))
FORBIDDEN = ["pygame", "gpiozero", "escpos", "serial"]

# Runs in a fresh interpreter: a finder first in sys.meta_path refuses the
# forbidden packages and remembers who asked, then each core module is imported.
PROBE = textwrap.dedent("""
    import importlib, json, sys, traceback
    FORBIDDEN = set(sys.argv[1].split(","))
    attempts = []

    class Refuse:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in FORBIDDEN:
                attempts.append(name)
                raise ImportError(f"{name} is not available to the core")
            return None

    sys.meta_path.insert(0, Refuse())
    for name in FORBIDDEN:
        sys.modules.pop(name, None)
    results = {}
    for module in sys.argv[2].split(","):
        before = len(attempts)
        try:
            importlib.import_module(module)
            error = None
        except BaseException:
            error = traceback.format_exc(limit=3)
        results[module] = {"error": error, "attempts": attempts[before:]}
    print(json.dumps(results))
""")


@pytest.fixture(scope="module")
def probe():
    env = child_env()
    result = subprocess.run([sys.executable, "-c", PROBE, ",".join(FORBIDDEN), ",".join(CORE)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("module", CORE)
def test_given_hardware_libraries_unimportable_when_a_core_module_is_imported_then_it_succeeds(probe, module):
    assert probe[module]["error"] is None, probe[module]["error"]


@pytest.mark.parametrize("module", CORE)
def test_given_a_core_module_when_imported_then_it_does_not_even_try_a_hardware_library(probe, module):
    assert probe[module]["attempts"] == []


def test_given_the_probe_when_a_forbidden_library_is_imported_then_it_is_refused():
    # Guards the guard: the finder must really make these libraries unimportable.
    env = child_env()
    result = subprocess.run([sys.executable, "-c", PROBE, "json", "json,kiosk.core.texts"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)

    data = json.loads(result.stdout)
    assert data["json"]["error"] is not None and data["json"]["attempts"] == ["json"]
    assert data["kiosk.core.texts"]["error"] is None


def test_the_layers_keep_their_import_rules():
    # import-linter reads .importlinter; imports made inside functions count too.
    lint = shutil.which("lint-imports")
    if lint is None:
        pytest.skip("import-linter is not installed (pip install -e '.[lint]')")
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]


def test_the_core_list_is_not_empty():
    # Guards the guard: a renamed package must not leave the probe with nothing to check.
    assert any(m.startswith("kiosk.core.") for m in CORE) and any(m.startswith("kiosk.machine.") for m in CORE)
