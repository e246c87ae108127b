"""The core imports no hardware or screen library (pygame, gpiozero, escpos, serial)."""
import json
import pkgutil
import subprocess
import sys
import textwrap

import pytest

import kiosk
from core_helpers import ROOT, child_env

# Every module of the kiosk package but the app and its screen, which are the
# only places allowed to know pygame (hardware imports live in drivers/). A
# new module is covered the day it is added.
OUTSIDE_CORE = ("kiosk.shell.app", "kiosk.shell.screen", "kiosk.__main__", "kiosk.install.__main__")
CORE = sorted(m.name for m in pkgutil.walk_packages(kiosk.__path__, "kiosk.")
              if not m.name.startswith(OUTSIDE_CORE))
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
