"""Fixtures for the drivers: a button board on gpiozero's mock pins (tests/buttons_helpers.py);
printers are faked over a pty, a FIFO or loopback TCP (tests/printer_helpers.py)."""
from buttons_helpers import board, no_gpio  # noqa: F401  (fixtures)
