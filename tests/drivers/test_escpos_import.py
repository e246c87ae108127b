"""python-escpos imported by several processes at once on a cold cache."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_processes_importing_escpos_together_on_a_new_cache_all_succeed_and_leave_no_temporary_folders(tmp_path):
    cache, temp = tmp_path / "cache", tmp_path / "temp"
    cache.mkdir()
    temp.mkdir()
    env = dict(os.environ, ESCPOS_CAPABILITIES_PICKLE_DIR=str(cache), TMPDIR=str(temp),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = "from drivers.printer import _escpos; print(_escpos.profile('default').profile_data['name'])"
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    results = [(p.wait(60), *p.communicate()) for p in procs]
    assert [(rc, err.strip()[-200:]) for rc, out, err in results if rc != 0] == []
    assert all(out.strip() for rc, out, err in results)
    assert [n for n in os.listdir(cache) if n.startswith("tmp")] == []
    assert os.listdir(temp) == []
