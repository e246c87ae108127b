"""The command line imports only the module of the command it runs."""
import argparse
import importlib
import subprocess
import sys

import pytest

from kiosk.cli import build_parser
from kiosk.cli.modules import COMMANDS, module_for


def registered(module):
    sub = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(module).register(sub, argparse.ArgumentParser(add_help=False))
    return set(sub.choices)


@pytest.mark.parametrize("module", sorted(COMMANDS))
def test_the_command_table_lists_exactly_what_each_module_registers(module):
    assert registered(module) == set(COMMANDS[module])


def test_no_command_is_claimed_by_two_modules():
    names = [n for names in COMMANDS.values() for n in names]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("argv, module", [
    (["demo", "--headless"], "kiosk.cli.app"), (["-v", "run"], "kiosk.cli.app"),
    (["status", "--json"], "kiosk.cli.core"), (["--help"], None), ([], None), (["nosuch"], None),
    (["--", "demo"], None), (["-h", "run"], None), (["--help", "status"], None), (["run", "--help"], "kiosk.cli.app"),
])
def test_the_module_is_found_from_the_first_word_that_is_not_an_option(argv, module):
    assert module_for(argv) == module


def test_a_parser_for_one_module_still_parses_its_command():
    args = build_parser("kiosk.cli.core").parse_args(["status", "--json"])
    assert args.command == "status" and callable(args.func)


def test_starting_the_kiosk_loads_neither_the_benchmarks_nor_the_installer_nor_the_office():
    probe = ("import sys; from kiosk.cli import build_parser, module_for; "
             "build_parser(module_for(['demo', '--headless'])); "
             "print(sorted(m for m in sys.modules if m.startswith(('kiosk.bench', 'kiosk.install', 'kiosk.office'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
