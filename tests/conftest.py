"""Shared fixtures. Everything runs headless, on mock pins, with fake printers."""
import os

# Before pygame or escpos are imported anywhere.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "config" / "demo.toml"


@pytest.fixture
def demo_config(tmp_path):
    """The demo config with its database in a temporary folder."""
    from kiosk.core import config

    return config.load_demo(database=tmp_path / "kiosk.db")

