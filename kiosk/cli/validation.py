"""The one validation path of ``check-config``, ``run`` and ``demo``.

Each of them loads the config through ``load_checked`` (or ``demo_checked``):
the schema, the rules across keys and the checks that need the machine
(kiosk.services.config_probe, with the printer profile looked up in
python-escpos), all problems reported at once. So a config that passes
``check-config`` gets through the start-up of ``run``.
"""
from __future__ import annotations

from typing import Any, Optional

from kiosk.core import config
from kiosk.core.errors import ConfigError
from kiosk.services import config_probe


def printer_profile_problem(name: str) -> Optional[str]:
    """"printer.profile: ..." when python-escpos has no profile ``name``."""
    from drivers.printer import _escpos  # python-escpos is imported only when a command needs it

    try:
        _escpos.profile(name)
    except ConfigError as e:
        return e.problems[0]
    return None


def machine_checks(cfg: Any, refused: set[str]) -> list[str]:
    """Everything ``run`` relies on that the schema cannot see (see config.from_dict)."""
    return config_probe.probe(cfg, refused, profile_problem=printer_profile_problem)


def load_checked(path: Optional[str] = None, overrides: Optional[dict[str, dict[str, Any]]] = None) -> Any:
    """The config at ``path`` (else $PTSP_KIOSK_CONFIG, else /etc), fully checked."""
    return config.load(path, machine_checks=machine_checks, overrides=overrides)


def demo_checked(overrides: Optional[dict[str, dict[str, Any]]] = None) -> Any:
    """The bundled demo config with ``overrides``, fully checked."""
    return config.load_demo(machine_checks=machine_checks, overrides=overrides)
