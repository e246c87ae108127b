"""pygame is imported without setuptools' pkg_resources (a sixth of the start-up)."""
import os
import subprocess
import sys


def run(code, tmp_path=None, stdin=""):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    if tmp_path is not None:
        env["XDG_DATA_HOME"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_demo_start_and_the_board_load_pygame_without_pkg_resources(tmp_path):
    out = run("import sys; from kiosk.cli import main; rc = main(['demo', '--headless']); "
              "import kiosk.board.app; print(rc, 'pygame' in sys.modules, 'pkg_resources' in sys.modules)",
              tmp_path, stdin="quit\n")
    assert out[-3:] == ["0", "True", "False"]


def test_pygame_still_finds_its_own_files_and_later_imports_of_pkg_resources_work():
    out = run("import kiosk.shell.sdl; import pygame.pkgdata as d; "
              "print(len(d.getResource('freesansbold.ttf', 'pygame').read()) > 0); "
              "import pkg_resources; print(pkg_resources.__name__)")
    assert out == ["True", "pkg_resources"]
