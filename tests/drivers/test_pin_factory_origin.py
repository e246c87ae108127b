"""`diag-buttons` names the pin factory in use, where its library comes from and why."""
import importlib.util
from types import SimpleNamespace

import pytest

from drivers.buttons import describe_pin_factory


class LGPIOFactory:  # named like gpiozero's, which is all factory_name looks at
    pass


class MockFactory:
    pass


@pytest.fixture
def lgpio_at(monkeypatch):
    def place(path):
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name: SimpleNamespace(origin=path) if name == "lgpio" else None)
    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    return place


def test_lgpio_from_apt_is_named_so(lgpio_at):
    lgpio_at("/usr/lib/python3/dist-packages/lgpio.py")
    text = describe_pin_factory(LGPIOFactory())
    assert text.startswith("lgpio (lgpio from Debian package (apt): /usr/lib/python3/dist-packages/lgpio.py)")
    assert "chosen automatically" in text


def test_lgpio_from_the_venv_is_named_so(lgpio_at):
    lgpio_at("/opt/ptsp-kiosk/venv/lib/python3.11/site-packages/lgpio.py")
    assert "lgpio from the venv (pip)" in describe_pin_factory(LGPIOFactory(), "lgpio")
    assert "set by [buttons] pin_factory = 'lgpio'" in describe_pin_factory(LGPIOFactory(), "lgpio")


def test_environment_choice_is_named(monkeypatch):
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    assert describe_pin_factory(MockFactory()) == "mock; set by GPIOZERO_PIN_FACTORY=mock"
