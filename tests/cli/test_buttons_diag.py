"""``ptsp-kiosk diag-buttons`` on mock pins, driven by a script on stdin; and the bench."""
import argparse
import io
import sys

import pytest
from buttons_helpers import TOML, no_gpio  # noqa: F401 (fixture)

from kiosk.bench import buttons as bench_buttons
from kiosk.cli import buttons as diag


def run_diag(monkeypatch, tmp_path, script, *extra, toml=TOML):
    """Run the command as the CLI would; returns its exit status."""
    path = tmp_path / "kiosk.toml"
    path.write_text(toml)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config")
    parser = argparse.ArgumentParser()
    diag.register(parser.add_subparsers(), common)
    args = parser.parse_args(["diag-buttons", "--config", str(path), "--light-seconds", "0", "--seconds", "10",
                              *extra])
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    return args.func(args)


def test_diag_lists_each_button_with_its_pin(monkeypatch, tmp_path, capsys):
    run_diag(monkeypatch, tmp_path, "")
    out = capsys.readouterr().out
    assert "Pin factory: mock" in out
    assert "GPIO  5  A Layanan Kunjungan" in out and "services[0].button_pin" in out
    assert "GPIO 17  Loket 1: call (hold: call again)" in out
    assert "GPIO  4  status light" in out


def test_diag_lights_each_light_in_turn(monkeypatch, tmp_path, capsys):
    from drivers.buttons import ButtonBoard

    lit = []
    real_service, real_status = ButtonBoard.set_service_light, ButtonBoard.set_status_light
    monkeypatch.setattr(ButtonBoard, "set_service_light",
                        lambda self, s, mode: lit.append((s, mode)) or real_service(self, s, mode))
    monkeypatch.setattr(ButtonBoard, "set_status_light",
                        lambda self, mode: lit.append(("status", mode)) or real_status(self, mode))
    run_diag(monkeypatch, tmp_path, "")
    out = capsys.readouterr().out
    assert out.index("on: light A Layanan Kunjungan (GPIO 6)") < out.index("on: status light (GPIO 4)")
    assert lit == [("kunjungan", "on"), ("kunjungan", "off"), ("status", "on"), ("status", "off")]


def test_diag_prints_the_name_of_each_button_pressed(monkeypatch, tmp_path, capsys):
    status = run_diag(monkeypatch, tmp_path, "press A\nhold counter 1\npress counter 1\n")
    out = capsys.readouterr().out

    assert status == 0
    assert "pressed: A Layanan Kunjungan (GPIO 5)" in out
    assert "pressed: Loket 1: call again (held) (GPIO 17)" in out
    assert "pressed: Loket 1: call (GPIO 17)" in out
    not_pressed = out.split("Not pressed:")[1]
    assert "GPIO 13  B Penitipan Barang" in not_pressed and "GPIO 27  Loket 1: skip" in not_pressed
    assert "GPIO  5" not in not_pressed


def test_diag_says_when_every_button_was_pressed(monkeypatch, tmp_path, capsys):
    status = run_diag(monkeypatch, tmp_path, "press A\npress B\npress counter 1\npress skip 1\n")
    assert status == 0
    assert "Every button was pressed." in capsys.readouterr().out


def test_diag_reports_bad_script_lines_and_carries_on(monkeypatch, tmp_path, capsys):
    status = run_diag(monkeypatch, tmp_path, "press Q\npress B\n")
    captured = capsys.readouterr()

    assert status == 2
    assert "line 1: unknown button 'Q'" in captured.err
    assert "pressed: B Penitipan Barang (GPIO 13)" in captured.out


def test_diag_without_any_pin_says_what_to_configure(monkeypatch, tmp_path, capsys):
    toml = '[[services]]\ncode = "a"\nprefix = "A"\nname = { id = "A" }\n[[counters]]\nnumber = 1\nservices = ["a"]\n'
    status = run_diag(monkeypatch, tmp_path, "", toml=toml)
    assert status == 1
    assert "No buttons or lights configured" in capsys.readouterr().out


def test_diag_without_gpio_fails_with_the_fix(no_gpio, monkeypatch, tmp_path):
    from kiosk.core.errors import ButtonError

    with pytest.raises(ButtonError, match='no GPIO here.*pin_factory = "mock"'):
        run_diag(monkeypatch, tmp_path, "", toml=TOML.replace('pin_factory = "mock"\n', ""))


def test_bench_measures_every_press_without_losing_one():
    figures = bench_buttons.run(quick=True)
    names = [f.name for f in figures]
    assert names == ["service button edge -> handled: median", "service button edge -> handled: p99",
                     "counter call release -> handled: median", "counter call release -> handled: p99"]
    assert all(f.value > 0 for f in figures)
