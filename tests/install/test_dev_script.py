"""`./dev`, the README's two commands: usage, and refusals with a clear message."""
import os
import subprocess

from install_helpers import ROOT

DEV = ROOT / "dev"


def run_dev(*args, env=None):
    return subprocess.run([str(DEV), *args], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **(env or {})), check=False)


def test_readme_commands_are_dev_demo_and_dev_test():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split()[:2] for line in block] == [["./dev", "demo"], ["./dev", "test"]]
    ci = (ROOT / ".ci/run").read_text()
    assert "\n./dev test\n" in ci


def test_without_a_command_it_prints_usage():
    result = run_dev()
    assert result.returncode == 2 and "./dev demo" in result.stderr and "./dev test" in result.stderr


def test_a_python_older_than_3_11_is_refused(tmp_path):
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\n[ \"$1\" = -V ] && echo 'Python 3.9.2' && exit 0\nexit 1\n")
    fake.chmod(0o755)
    result = run_dev("test", env={"PYTHON": str(fake), "PTSP_VENV": str(tmp_path / "venv")})
    assert result.returncode == 1 and "Python 3.9.2 is too old" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_a_missing_python_is_named(tmp_path):
    result = run_dev("demo", env={"PYTHON": str(tmp_path / "nope")})
    assert result.returncode == 1 and "install Python 3.11" in result.stderr
