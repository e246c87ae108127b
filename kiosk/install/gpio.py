"""Where the installer takes lgpio (the GPIO backend of gpiozero) from.

Raspberry Pi OS has ``python3-lgpio`` in its archive; plain Debian 12 arm64
has not, but PyPI has a ready ``lgpio`` wheel for aarch64 (and a source
package for armhf). The kiosk needs one of them to read its buttons; on a
PC there is no GPIO header and the demo uses mock pins.

Standard library only: the installer runs before any dependency exists.
"""
from __future__ import annotations

import platform
from dataclasses import dataclass
from typing import Callable

APT_PACKAGE = "python3-lgpio"
PIP_EXTRA = "gpio"  # setup.py extras_require["gpio"]: PIP_REQUIREMENT with a platform marker
PIP_REQUIREMENT = "lgpio>=0.2.2"
# platform.machine() of the boards with a GPIO header that lgpio drives.
GPIO_MACHINES = ("aarch64", "arm64", "armv7l", "armv6l", "armv8l")


@dataclass(frozen=True)
class LgpioChoice:
    """``source`` is ``apt``, ``pip`` or ``none``; ``reason`` says why, for the install log."""

    source: str
    reason: str


def choose_lgpio(apt_has: Callable[[str], bool], machine: str = "", use_apt: bool = True) -> LgpioChoice:
    """Decide where lgpio comes from.

    ``apt_has(package)`` tells whether the apt archive offers a package;
    ``machine`` is ``platform.machine()`` of the target (default: this one);
    ``use_apt`` is False with ``--no-apt`` (then pip is the only way).
    """
    machine = (machine or platform.machine()).lower()
    if use_apt and apt_has(APT_PACKAGE):
        return LgpioChoice("apt", f"{APT_PACKAGE} from the apt archive")
    if machine in GPIO_MACHINES:
        why = "--no-apt" if not use_apt else f"the apt archive has no {APT_PACKAGE}"
        return LgpioChoice("pip", f"lgpio from PyPI into the venv ({why}, {machine})")
    return LgpioChoice("none", f"no GPIO header on {machine or 'this machine'}: buttons need "
                               '[buttons] pin_factory = "mock" here')
