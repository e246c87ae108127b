"""``ptsp-kiosk install``: turn a fresh Raspberry Pi OS into a kiosk appliance.

Safe to run twice (an update is the same command): every step looks at what
is already there first. Each step reports one of

- ``created`` / ``updated`` / ``unchanged``: a file we own (units, udev rule...),
- ``kept``: the technician's config, which is never overwritten,
- ``done``: a system command that is idempotent by itself (sysusers, enable),
- ``skipped``: not done here, with the reason.

Three ways to run:

- on a booted system (``/`` with a running systemd): every step;
- offline, in a chroot or container of an image being built (``/`` without a
  running systemd): every step, but units are enabled with
  ``systemctl --root`` (or the same symlinks) and what needs the running
  system (daemon-reload, udev reload, starting) is deferred to first boot;
- with ``--root PREFIX`` (tests, image folders): files go below PREFIX, the
  user and groups into PREFIX/etc (``systemd-sysusers --root``), units are
  enabled below PREFIX; apt-get and tmpfiles are skipped and reported.

lgpio (GPIO) comes from apt's python3-lgpio where the archive has it
(Raspberry Pi OS), else from PyPI into the venv on arm64/armhf
(``kiosk.install.gpio``); the log says which.

This module imports only the standard library, so a fresh Pi runs it with the
system Python before any dependency is installed:
``sudo python3 -m kiosk.install`` (what systemd/install.sh does).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from kiosk.core.errors import KioskError
from kiosk.install import gpio, offline
from kiosk.install.pyenv import (LIST_REQUIREMENTS, InstallError, create_venv,
                                 requirements_without_pygame)
from kiosk.install.pyenv import run as _run
from kiosk.install.pyenv import tail as _tail
from kiosk.install.wrapper import WRAPPER_TEXT

__all__ = ["Action", "InstallError", "Installer", "create_venv", "requirements_without_pygame",
           "add_arguments", "run_from_args", "main"]

USER = "ptsp-kiosk"
GROUPS = ("gpio", "lp", "video", "input", "audio", "render", "dialout")
KIOSK_UNIT = "ptsp-kiosk.service"
RECEIVER_UNIT = "ptsp-receiver.service"
PROVISION_UNIT = "ptsp-kiosk-provision.service"
UDEV_RULE = "60-ptsp-kiosk-printer.rules"
APP_DIR = Path("opt/ptsp-kiosk")
VENV_DIR = APP_DIR / "venv"
CONFIG = Path("etc/ptsp-kiosk/kiosk.toml")
WRAPPER = Path("usr/local/bin/ptsp-kiosk")

# source path (relative to the checkout) -> (installed path below the root, mode)
KIOSK_FILES = {
    "systemd/ptsp-kiosk.sysusers": ("etc/sysusers.d/ptsp-kiosk.conf", 0o644),
    "systemd/ptsp-kiosk.tmpfiles": ("etc/tmpfiles.d/ptsp-kiosk.conf", 0o644),
    f"systemd/{KIOSK_UNIT}": (f"etc/systemd/system/{KIOSK_UNIT}", 0o644),
    f"systemd/{RECEIVER_UNIT}": (f"etc/systemd/system/{RECEIVER_UNIT}", 0o644),
    f"systemd/{PROVISION_UNIT}": (f"etc/systemd/system/{PROVISION_UNIT}", 0o644),
    f"systemd/{UDEV_RULE}": (f"etc/udev/rules.d/{UDEV_RULE}", 0o644),
}
RECEIVER_FILES = {k: v for k, v in KIOSK_FILES.items() if k.endswith((KIOSK_UNIT, RECEIVER_UNIT))}
DOCS = ("docs/TECHNICIAN.md", "docs/SYNC_PROTOCOL.md", "README.md")
EXAMPLE_CONFIG = "config/kiosk.example.toml"

# Debian packages for the kiosk. python3-pygame brings an SDL with KMSDRM (the
# pip wheel has none, see PITFALLS.md). python3-lgpio is added where the archive
# has it (kiosk.install.gpio).
APT_PACKAGES = {
    "system": ["python3-venv", "python3-pip", "python3-pygame", "espeak-ng", "fonts-dejavu-core"],
    "pygame-ce": ["python3-venv", "python3-pip", "espeak-ng", "fonts-dejavu-core"],
    "pip": ["python3-venv", "python3-pip"],
}
PYGAME_CHOICES = tuple(APT_PACKAGES)
# Imports the app needs at run time; checked in the venv after installing.
RUNTIME_IMPORTS = "import pygame, gpiozero, escpos, serial, sqlite_utils, requests"



@dataclass
class Action:
    """One step of the installation and what became of it."""

    status: str  # created | updated | unchanged | kept | done | skipped
    what: str
    detail: str = ""

    def __str__(self):
        return f"{self.status:<9} {self.what}" + (f"  ({self.detail})" if self.detail else "")


def default_source() -> Optional[Path]:
    """The checkout this module runs from, when it has the systemd/ folder."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "systemd" / KIOSK_UNIT).is_file() else None


def default_python() -> str:
    """Debian's Python for the venv: its site-packages hold python3-pygame."""
    return "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable


class Installer:
    """Installs the kiosk (``role="kiosk"``) or the office receiver
    (``role="receiver"``) below ``root``.

    ``live`` (default: root is ``/``) runs the commands that change the system
    (apt-get, sysusers, tmpfiles); ``booted`` (default: live and systemd is
    running) also those that need a running systemd and udev, else they are
    deferred to first boot (``self.deferred``); ``machine`` is the target's
    ``platform.machine()`` for the lgpio choice; ``runner`` runs a command list
    and returns a CompletedProcess-like object (tests pass a recorder).
    """

    def __init__(self, root="/", source=None, *, role="kiosk", enable=True, venv=True, apt=True,
                 pygame=None, python=None, live=None, booted=None, machine="",
                 runner: Optional[Callable] = None, report: Callable[[Action], None] = lambda a: None):
        if role not in ("kiosk", "receiver"):
            raise InstallError(f"unknown role {role!r} (kiosk or receiver)")
        self.root = Path(root)
        self.live = (self.root.resolve() == Path("/")) if live is None else live
        self.booted = (self.live and offline.systemd_booted()) if booted is None else booted
        self.machine = machine
        source = Path(source) if source else default_source()
        if source is None:
            raise InstallError("cannot find the source (the ptsp-kiosk checkout with systemd/); "
                               "pass --source DIR")
        self.source = source.resolve()
        self.role = role
        self.enable = enable
        self.venv = venv
        self.apt = apt
        self.pygame = pygame or ("system" if role == "kiosk" else "pip")
        if self.pygame not in PYGAME_CHOICES:
            raise InstallError(f"unknown pygame choice {self.pygame!r} ({', '.join(PYGAME_CHOICES)})")
        self.python = python or default_python()
        self.runner = runner or _run
        self.report = report
        self.actions: list[Action] = []
        self.deferred: list[str] = []  # what first boot does instead (offline installs)
        self.lgpio = gpio.LgpioChoice("none", "not decided yet")

    # -- the plan --------------------------------------------------------------
    def run(self) -> list[Action]:
        """Do every step; returns what was done. Raises InstallError on the
        first step that fails, after reporting the steps before it."""
        self._check_source()
        if self.live and hasattr(os, "geteuid") and os.geteuid() != 0:
            raise InstallError("installing into the system needs root: run it with sudo "
                               "(or pass --root PREFIX to install into a folder)")
        kiosk = self.role == "kiosk"
        self._choose_lgpio()
        self._apt()
        for src, (dest, mode) in (KIOSK_FILES if kiosk else RECEIVER_FILES).items():
            self._install_file(self.source / src, self.root / dest, mode)
        if kiosk:
            self._install_config()
        self._install_text(WRAPPER_TEXT, self.root / WRAPPER, 0o755)
        for doc in DOCS:
            if (self.source / doc).is_file():
                self._install_file(self.source / doc, self.root / APP_DIR / doc, 0o644)
        if kiosk:
            self._sysusers()
            self._tmpfiles()
        self._make_venv()
        if kiosk:
            self._udev_reload()
        self._systemd([KIOSK_UNIT, PROVISION_UNIT] if kiosk else [RECEIVER_UNIT])
        return self.actions

    # -- steps -----------------------------------------------------------------
    def _check_source(self):
        needed = list(KIOSK_FILES if self.role == "kiosk" else RECEIVER_FILES)
        if self.role == "kiosk":
            needed.append(EXAMPLE_CONFIG)
        if self.venv:
            needed.append("setup.py")
        missing = [p for p in needed if not (self.source / p).is_file()]
        if missing:
            raise InstallError(f"{self.source} is not a complete ptsp-kiosk source: missing "
                               f"{', '.join(missing)}")

    def _apt_usable(self):
        return self.venv and self.apt and self.live and bool(shutil.which("apt-get"))

    def _choose_lgpio(self):
        if self.role != "kiosk" or not self.venv:
            self.lgpio = gpio.LgpioChoice("none", "no kiosk venv")
            return
        # Only a venv with the system site packages sees Debian's python3-lgpio.
        use_apt = self._apt_usable() and self.pygame == "system"
        self.lgpio = gpio.choose_lgpio(self._apt_knows, self.machine, use_apt=use_apt)
        self._add("done", "GPIO backend", self.lgpio.reason)

    def _apt(self):
        what = "Debian packages"
        if not self.venv:
            return self._add("skipped", what, "no virtual environment requested")
        if not self.apt:
            return self._add("skipped", what, "--no-apt")
        if not self.live:
            return self._add("skipped", what, f"not on the running system (root {self.root})")
        if not shutil.which("apt-get"):
            return self._add("skipped", what, "no apt-get on this system")
        packages = [p for p in APT_PACKAGES[self.pygame] if self._apt_knows(p)]
        if self.lgpio.source == "apt":
            packages.append(gpio.APT_PACKAGE)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        self._command(["apt-get", "install", "-y", "--no-install-recommends", *packages],
                      f"{what}: {' '.join(packages)}", env=env,
                      hint="check the network, or install them by hand and use --no-apt")

    def _apt_knows(self, package):
        # python3-lgpio is in Raspberry Pi OS, not in every Debian: leave out what apt lacks.
        result = self.runner(["apt-cache", "show", package])
        return result.returncode == 0

    def _install_file(self, src: Path, dest: Path, mode: int):
        self._install_bytes(src.read_bytes(), dest, mode, str(dest.relative_to(self.root)))

    def _install_text(self, text: str, dest: Path, mode: int):
        self._install_bytes(text.encode("utf-8"), dest, mode, str(dest.relative_to(self.root)))

    def _install_bytes(self, data: bytes, dest: Path, mode: int, what: str):
        if dest.is_file() and not dest.is_symlink() and dest.read_bytes() == data:
            os.chmod(dest, mode)
            return self._add("unchanged", what)
        existed = os.path.lexists(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.ptsp-new")
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            # Atomic: a power cut mid-update leaves the old unit or the new one.
            os.replace(tmp, dest)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise InstallError(f"cannot write {dest}: {e}") from None
        self._add("updated" if existed else "created", what)

    def _install_config(self):
        dest = self.root / CONFIG
        what = str(CONFIG)
        if os.path.lexists(dest):
            return self._add("kept", what, "existing config is never overwritten")
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(dest.parent, 0o750)
        data = (self.source / EXAMPLE_CONFIG).read_bytes()
        try:
            # O_EXCL: even a file appearing meanwhile is not overwritten.
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:
            return self._add("kept", what, "existing config is never overwritten")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        self._add("created", what, f"from {EXAMPLE_CONFIG}: edit it, then `ptsp-kiosk check-config`")

    def _sysusers(self):
        what = f"system user {USER} (groups {' '.join(GROUPS)})"
        conf = self.root / KIOSK_FILES["systemd/ptsp-kiosk.sysusers"][0]
        tool = shutil.which("systemd-sysusers")
        if not tool:
            if self.live:
                raise InstallError("systemd-sysusers is missing: install the systemd package")
            return self._add("skipped", what, "systemd-sysusers is not installed")
        cmd = [tool, str(conf)] if self.live else [tool, f"--root={self.root}", str(conf)]
        before = _accounts(self.root)
        if self.live:
            self._command(cmd, what, quiet=True)
        else:
            # Into a folder this is a convenience, not a requirement: report, go on.
            result = self.runner(cmd)
            if result.returncode != 0:
                return self._add("skipped", what, f"systemd-sysusers --root failed: {_tail(result)}")
        after = _accounts(self.root)
        status = "unchanged" if after == before else ("created" if not before[0] else "updated")
        self._add(status, what, f"{self.root / 'etc/passwd'}, {self.root / 'etc/group'}")

    def _tmpfiles(self):
        what = "directories and permissions (tmpfiles)"
        if not self.live:
            self.deferred.append("directories and permissions: systemd-tmpfiles-setup at every boot")
            return self._add("skipped", what, f"not on the running system (root {self.root})")
        conf = self.root / KIOSK_FILES["systemd/ptsp-kiosk.tmpfiles"][0]
        self._command(["systemd-tmpfiles", "--create", str(conf)], what)

    def _make_venv(self):
        venv = self.root / VENV_DIR
        what = f"virtual environment {VENV_DIR}"
        if not self.venv:
            return self._add("skipped", what, "--no-venv")
        existed = (venv / "bin" / "python").exists()
        # Running venv again over an existing one keeps its packages and only
        # refreshes pyvenv.cfg, so a changed --pygame choice takes effect.
        create_venv(venv, self.python, system_site_packages=(self.pygame == "system"),
                    runner=self.runner)
        self._add("updated" if existed else "created", what,
                  f"{self.python}, system site packages: {'yes' if self.pygame == 'system' else 'no'}")
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
        if self.pygame == "pip":
            self._command([*pip, "--upgrade", str(self.source)], "ptsp-kiosk and its dependencies")
        else:
            if self.pygame == "pygame-ce":
                self._command([*pip, "--upgrade", "pygame-ce"], "pygame-ce (KMSDRM wheel)")
            # Our package without deps (its pygame>= would pull the wheel without
            # KMSDRM over Debian's), then every other dependency.
            # With the system site packages, Debian's setuptools and wheel (python3-pip
            # depends on them) build our package: no build environment fetched from PyPI.
            isolation = ["--no-build-isolation"] if self.pygame == "system" else []
            self._command([*pip, "--force-reinstall", "--no-deps", *isolation, str(self.source)], "ptsp-kiosk")
            result = self._command([str(venv / "bin" / "python"), "-c", LIST_REQUIREMENTS],
                                   "dependency list", quiet=True)
            reqs = requirements_without_pygame(result.stdout.splitlines())
            if reqs:
                self._command([*pip, *reqs], "dependencies: " + ", ".join(reqs))
        if self.lgpio.source == "pip":
            self._command([*pip, gpio.PIP_REQUIREMENT], f"GPIO backend: {gpio.PIP_REQUIREMENT} from PyPI",
                          hint="the kiosk's buttons need it; check the network and run the installer again")
        imports = RUNTIME_IMPORTS + (", lgpio" if self.lgpio.source != "none" else "")
        result = self._command([str(venv / "bin" / "python"), "-c", imports + "; print(pygame.version.ver)"],
                               "runtime check", env=dict(os.environ, PYGAME_HIDE_SUPPORT_PROMPT="1"),
                               quiet=True, hint="a library is missing from the virtual environment")
        gpio_note = f", lgpio ({self.lgpio.source})" if self.lgpio.source != "none" else ""
        self._add("done", "runtime check", f"all imports work, pygame {result.stdout.strip()}{gpio_note}")

    def _udev_reload(self):
        what = "udev rules reloaded, USB printers re-checked"
        if not self.booted:
            self.deferred.append("udev rule for USB printers: udev reads it at boot")
            return self._add("skipped", what, "no running system: udev reads the rule at boot")
        if not shutil.which("udevadm"):
            return self._add("skipped", what, "no udevadm (not a udev system)")
        self._command(["udevadm", "control", "--reload"], "udev rules reloaded", quiet=True)
        self._command(["udevadm", "trigger", "--subsystem-match=usb", "--subsystem-match=usbmisc"],
                      what)

    def _systemd(self, units):
        if self.booted:
            self._command(["systemctl", "daemon-reload"], "systemctl daemon-reload")
        else:
            self._add("skipped", "systemctl daemon-reload", "no running systemd: it reads the units at boot")
        for unit in units:
            what = f"systemctl enable {unit}"
            if not self.enable:
                self._add("skipped", what, "--no-enable")
            elif self.booted:
                self._command(["systemctl", "enable", unit], what,
                              detail="starts at boot; start now with `systemctl restart " + unit.split(".")[0] + "`")
            else:
                self._enable_offline(unit, what)
        if not self.booted and self.enable:
            self.deferred.append(f"starting {', '.join(units)}: at first boot")

    def _enable_offline(self, unit, what):
        was_enabled = offline.is_enabled_offline(self.root, unit)
        tool = shutil.which("systemctl")
        if tool:
            # Needs no running systemd: it only makes the [Install] symlinks below the root.
            self._command([tool, f"--root={self.root}", "enable", unit], what, quiet=True)
            how = f"systemctl --root={self.root}"
        else:
            try:
                offline.enable_with_symlinks(self.root, unit)
            except (OSError, ValueError) as e:
                raise InstallError(f"{what}: cannot make its symlinks: {e}") from None
            how = "symlinks from its [Install] section (no systemctl here)"
        self._add("unchanged" if was_enabled else "done", what, f"offline, with {how}; starts at first boot")

    # -- helpers ---------------------------------------------------------------
    def _add(self, status, what, detail=""):
        action = Action(status, what, detail)
        self.actions.append(action)
        self.report(action)

    def _command(self, cmd, what, *, env=None, hint="", quiet=False, detail=""):
        try:
            result = self.runner(cmd, env=env) if env else self.runner(cmd)
        except OSError as e:
            raise InstallError(f"{what}: cannot run {cmd[0]}: {e}") from None
        if result.returncode != 0:
            message = f"{what} failed: `{' '.join(cmd)}` exited with {result.returncode}: {_tail(result)}"
            raise InstallError(message + (f"; {hint}" if hint else ""))
        if not quiet:
            self._add("done", what, detail)
        return result


def _accounts(root):
    """The user and group databases below ``root``, to tell whether sysusers changed them."""
    def read(name):
        try:
            return (root / "etc" / name).read_bytes()
        except FileNotFoundError:
            return b""
    return read("passwd"), read("group")


def add_arguments(parser: argparse.ArgumentParser):
    """The options of ``ptsp-kiosk install`` (shared with ``python -m kiosk.install``)."""
    parser.add_argument("--root", default="/", metavar="PREFIX",
                        help="install below this folder instead of / (system commands are skipped)")
    parser.add_argument("--source", metavar="DIR",
                        help="the ptsp-kiosk checkout to install from (default: the one running)")
    parser.add_argument("--role", choices=("kiosk", "receiver"), default="kiosk",
                        help="kiosk (default) or receiver (the office server)")
    parser.add_argument("--no-enable", dest="enable", action="store_false",
                        help="do not enable the service at boot")
    parser.add_argument("--no-venv", dest="venv", action="store_false",
                        help="do not create or update /opt/ptsp-kiosk/venv")
    parser.add_argument("--no-apt", dest="apt", action="store_false",
                        help="do not apt-get install the Debian packages")
    parser.add_argument("--pygame", choices=PYGAME_CHOICES, default=None,
                        help="where pygame comes from: system (Debian python3-pygame, KMSDRM; "
                             "kiosk default), pygame-ce (wheel with KMSDRM), pip (desktop only; "
                             "receiver default)")
    parser.add_argument("--python", metavar="PATH", help="interpreter for the venv (default /usr/bin/python3)")


def run_from_args(args, out=None) -> int:
    """Run the installer from parsed arguments, printing each step."""
    out = out or sys.stdout

    def report(action):
        print(action, file=out, flush=True)

    installer = Installer(args.root, args.source, role=args.role, enable=args.enable, venv=args.venv,
                          apt=args.apt, pygame=args.pygame, python=args.python, report=report)
    installer.run()
    if installer.deferred:
        print("Offline install (no running systemd): done except what first boot does:", file=out)
        for item in installer.deferred:
            print(f"  deferred  {item}", file=out)
        if args.role == "kiosk":
            print("Put ptsp-kiosk.toml (and ptsp-sync.token) on the boot partition: the first boot "
                  "applies them (ptsp-kiosk-provision.service).", file=out)
        return 0
    print("Installed. Next: edit /etc/ptsp-kiosk/kiosk.toml, then `sudo ptsp-kiosk check-config`, "
          "`sudo ptsp-kiosk test-print`, `sudo systemctl restart ptsp-kiosk` (docs/TECHNICIAN.md)."
          if args.role == "kiosk" else
          "Installed. Next: see docs/TECHNICIAN.md, 'The office receiver'.", file=out)
    return 0


def install_display(installer: "Installer", source_url: str = "http://127.0.0.1:8090",
                    token_file: str = "/etc/ptsp-kiosk/lan-token") -> list[Action]:
    """``ptsp-kiosk install --display``: the waiting-room board's unit, after ``installer.run()``.

    Installs systemd/ptsp-display.service and /etc/ptsp-kiosk/display.env (the
    feed's address and token file; kept when it exists, like kiosk.toml) and
    enables the unit. The board runs as the kiosk's user, so on the kiosk's own
    Pi it reads the kiosk's 0600 token file as it is.
    """
    unit = "ptsp-display.service"
    installer._install_file(installer.source / "systemd" / unit, installer.root / "etc/systemd/system" / unit, 0o644)
    env = installer.root / "etc/ptsp-kiosk/display.env"
    if env.exists():
        installer._add("kept", str(env.relative_to(installer.root)), "your board settings stay as they are")
    else:
        installer._install_text(
            "# The display board (ptsp-display.service): the kiosk's LAN feed and its token file.\n"
            "# On another machine than the kiosk: the kiosk's address, and a copy of its token (chmod 600).\n"
            f"PTSP_DISPLAY_SOURCE={source_url}\nPTSP_DISPLAY_TOKEN_FILE={token_file}\n"
            "# More options, e.g. --language en --diagonal 43 --silent\nPTSP_DISPLAY_OPTIONS=\n", env, 0o640)
    installer._systemd([unit])
    return installer.actions


def main(argv=None) -> int:
    """``python3 -m kiosk.install``: the installer before any dependency exists."""
    parser = argparse.ArgumentParser(prog="python3 -m kiosk.install", description=__doc__.split("\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_from_args(args)
    except KioskError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
