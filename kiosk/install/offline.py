"""Installing without a running systemd: in a chroot, a container or a folder
that becomes an SD-card image.

``systemctl enable`` needs no running systemd when given ``--root``; where
systemctl itself is missing, ``enable_with_symlinks`` makes the same links
from the unit's ``[Install]`` section. Standard library only.
"""
from __future__ import annotations

import os
from pathlib import Path

UNIT_DIR = Path("etc/systemd/system")


def systemd_booted(run_dir: Path = Path("/run/systemd/system")) -> bool:
    """True when this machine was booted with systemd (what sd_booted(3) checks).

    False in a chroot, in most containers and on a build host's image folder.
    """
    return run_dir.is_dir()


def install_targets(unit_text: str) -> list[tuple[str, str]]:
    """The ``(directory suffix, target)`` pairs of a unit's ``[Install]`` section:
    ``WantedBy=a.target`` gives ``(".wants", "a.target")``, ``RequiredBy=`` ``.requires``."""
    pairs: list[tuple[str, str]] = []
    section = ""
    for raw in unit_text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if section != "Install" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        suffix = {"WantedBy": ".wants", "RequiredBy": ".requires"}.get(key.strip())
        if suffix:
            pairs += [(suffix, target) for target in value.split()]
    return pairs


def enable_with_symlinks(root: Path, unit: str) -> list[Path]:
    """Enable ``unit`` (installed in ROOT/etc/systemd/system) below ``root`` the
    way ``systemctl --root`` does; returns the links (already correct ones too).

    Raises ValueError when the unit has no ``[Install]`` target.
    """
    unit_file = root / UNIT_DIR / unit
    targets = install_targets(unit_file.read_text(encoding="utf-8"))
    if not targets:
        raise ValueError(f"{unit} has no WantedBy= or RequiredBy= in [Install]")
    links = []
    # The link points at the path the booted system sees, not at the build folder.
    points_to = "/" + str(UNIT_DIR / unit)
    for suffix, target in targets:
        link = root / UNIT_DIR / (target + suffix) / unit
        link.parent.mkdir(parents=True, exist_ok=True)
        if os.path.islink(link) and os.readlink(link) == points_to:
            links.append(link)
            continue
        tmp = link.with_name(f".{unit}.ptsp-new")
        if os.path.lexists(tmp):
            tmp.unlink()
        os.symlink(points_to, tmp)
        os.replace(tmp, link)
        links.append(link)
    return links


def is_enabled_offline(root: Path, unit: str) -> bool:
    """True when every ``[Install]`` link of ``unit`` exists below ``root``."""
    unit_file = root / UNIT_DIR / unit
    if not unit_file.is_file():
        return False
    targets = install_targets(unit_file.read_text(encoding="utf-8"))
    return bool(targets) and all(os.path.islink(root / UNIT_DIR / (t + s) / unit) for s, t in targets)
