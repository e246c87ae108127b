"""Why pygame could not open the screen, and what fixes it.

Called by the shell when ``pygame.display`` fails (``diagnose(error)``), and
usable from the command line (``sdl_video_drivers()`` is what the arm64 CI
lane checks for KMSDRM). It tells apart, in this order:

1. ``driver-missing``: this pygame's SDL was built without the requested video
   driver (the pip wheel of pygame has no KMSDRM);
2. ``no-dri``: KMSDRM needs /dev/dri/card*, which exists only with the KMS
   overlay (``dtoverlay=vc4-kms-v3d`` in config.txt);
3. ``permission``: the device exists but this user may not open it (groups
   video and render);
4. ``busy``: another program (a desktop, a second kiosk) holds the display;
5. ``unknown``: none of these; the SDL message is all there is.

Reads only /dev, /proc and the loaded SDL library; never changes anything.
"""
from __future__ import annotations

import ctypes
import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

# Programs that take the DRM master (the screen) for themselves.
DISPLAY_HOLDERS = ("Xorg", "X", "Xwayland", "labwc", "wayfire", "weston", "sway", "mutter", "kwin_wayland",
                   "lightdm", "gdm", "gdm3", "sddm", "cage", "kmscube", "plymouthd")
KMS_OVERLAY = "dtoverlay=vc4-kms-v3d"


@dataclass(frozen=True)
class Diagnosis:
    """``cause`` is one of the keys above; ``message`` names it and its fix."""

    cause: str
    message: str


def sdl_video_drivers() -> Optional[list[str]]:
    """The video drivers compiled into the SDL that pygame loaded, in lower case
    (SDL 2.26 says ``KMSDRM``, 2.28 ``kmsdrm``), e.g. ``['kmsdrm', 'x11', 'dummy']``;
    None when it cannot be told."""
    try:
        import pygame  # noqa: F401  (loads its SDL into this process)
    except ImportError:
        return None
    library = _loaded_sdl_library()
    if library is None:
        return None
    try:
        sdl = ctypes.CDLL(library)
        sdl.SDL_GetVideoDriver.restype = ctypes.c_char_p
        sdl.SDL_GetVideoDriver.argtypes = [ctypes.c_int]
        count = sdl.SDL_GetNumVideoDrivers()
        return [sdl.SDL_GetVideoDriver(i).decode("ascii", "replace").lower() for i in range(count)]
    except (OSError, AttributeError):
        return None


def _loaded_sdl_library(maps: Path = Path("/proc/self/maps")) -> Optional[str]:
    try:
        text = maps.read_text()
    except OSError:
        return None
    found = re.findall(r"(/\S*/libSDL2-2[.\-]\S*)", text)
    return found[0] if found else None


def diagnose(error: object, *, env: Optional[Mapping[str, str]] = None,
             drivers: Optional[Sequence[str]] = None, dev: Path = Path("/dev"), proc: Path = Path("/proc"),
             can_open: Optional[Callable[[Path], Optional[int]]] = None) -> str:
    """The cause and its fix, as one message for the log and the console."""
    return diagnose_display(error, env=env, drivers=drivers, dev=dev, proc=proc, can_open=can_open).message


def diagnose_display(error: object, *, env: Optional[Mapping[str, str]] = None,
                     drivers: Optional[Sequence[str]] = None, dev: Path = Path("/dev"),
                     proc: Path = Path("/proc"),
                     can_open: Optional[Callable[[Path], Optional[int]]] = None) -> Diagnosis:
    """Work out why the screen did not open (see the module doc).

    ``error``: pygame's error or its text; ``env``: the environment (SDL_VIDEODRIVER);
    ``drivers``: SDL's compiled-in video drivers (default: asked from the loaded
    SDL); ``dev``/``proc``: where to look; ``can_open(path)``: None when the
    device opens read-write, else the errno (default: really opening it).
    """
    env = os.environ if env is None else env
    text = str(error)
    wanted = [d.strip().lower() for d in env.get("SDL_VIDEODRIVER", "").split(",") if d.strip()]
    if drivers is None:
        drivers = sdl_video_drivers()
    if wanted and drivers is not None:
        missing = [d for d in wanted if d not in [x.lower() for x in drivers]]
        if len(missing) == len(wanted):
            return Diagnosis("driver-missing", _driver_missing(missing[0], list(drivers)))
    if wanted and "kmsdrm" not in wanted:
        return Diagnosis("unknown", f"SDL_VIDEODRIVER={','.join(wanted)}: {_generic(text)}")
    if not wanted:
        if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
            return Diagnosis("unknown", f"on the desktop ({env.get('WAYLAND_DISPLAY') or env.get('DISPLAY')}): "
                                        + _generic(text))
        if drivers is not None and "kmsdrm" not in [x.lower() for x in drivers]:
            return Diagnosis("driver-missing", "no desktop (DISPLAY and WAYLAND_DISPLAY are unset) and "
                                               + _driver_missing("kmsdrm", list(drivers)))

    cards = sorted(p for p in (dev / "dri").glob("card*")) if (dev / "dri").is_dir() else []
    if not cards:
        return Diagnosis("no-dri", (
            f"no {dev / 'dri'}/card* device: the kernel's KMS display driver is not loaded. On a Raspberry Pi "
            f"put `{KMS_OVERLAY}` in /boot/firmware/config.txt (under [all]) and reboot; check with "
            f"`ls /dev/dri`. Without a screen at all, run with --headless."))
    opener = can_open or _can_open
    refused = [(card, err) for card in cards if (err := opener(card)) is not None]
    denied = [card for card, err in refused if err in (errno.EACCES, errno.EPERM)]
    if denied and len(denied) == len(refused) == len(cards):
        user = _user_name()
        return Diagnosis("permission", (
            f"permission denied on {', '.join(map(str, denied))}: user {user} may not use the screen. "
            f"Add it to the video and render groups (`sudo usermod -aG video,render {user}`, then log in "
            f"again); the ptsp-kiosk service gets them from SupplementaryGroups= in its unit."))
    holders = _display_holders(proc, cards)
    if holders or _says_busy(text, refused):
        who = ", ".join(holders) if holders else "another program"
        return Diagnosis("busy", (
            f"the display is busy: {who} holds it. Stop it (`sudo systemctl disable --now lightdm`, or "
            f"raspi-config > System Options > Boot > Console), or stop a second kiosk "
            f"(`sudo systemctl stop ptsp-kiosk`) before running one by hand."))
    return Diagnosis("unknown", _generic(text))


def _driver_missing(driver: str, drivers: list[str]) -> str:
    origin = _pygame_origin()
    if driver == "kmsdrm":
        fix = ("use Debian's python3-pygame (`sudo ptsp-kiosk install --pygame system`) or pygame-ce "
               "(`--pygame pygame-ce`); the pip wheel of pygame has no KMSDRM")
        if "dist-packages" in origin:
            fix = "this is already a Debian pygame; try pygame-ce (`sudo ptsp-kiosk install --pygame pygame-ce`)"
    else:
        fix = f"set SDL_VIDEODRIVER to one of {', '.join(drivers)}, or unset it"
    return (f"this pygame's SDL has no {driver!r} video driver (it has {', '.join(drivers) or 'none'}; "
            f"pygame from {origin}): {fix}.")


def _pygame_origin() -> str:
    try:
        import pygame

        return f"{os.path.dirname(pygame.__file__)}, SDL {'.'.join(map(str, pygame.get_sdl_version()))}"
    except (ImportError, AttributeError):
        return "an unknown place"


def _can_open(path: Path) -> Optional[int]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return e.errno
    os.close(fd)
    return None


def _display_holders(proc: Path, cards: list[Path]) -> list[str]:
    """Other processes that have a DRM card open, or are known display servers."""
    me = os.getpid()
    card_names = {str(c) for c in cards}
    found = []
    try:
        pids = [p for p in proc.iterdir() if p.name.isdigit() and int(p.name) != me]
    except OSError:
        return []
    for pid in pids:
        try:
            name = (pid / "comm").read_text().strip()
        except OSError:
            continue
        holds = name in DISPLAY_HOLDERS
        if not holds:
            try:
                holds = any(os.readlink(fd) in card_names for fd in (pid / "fd").iterdir())
            except OSError:
                holds = False  # another user's process: its fds are not ours to read
        if holds:
            found.append(f"{name} (pid {pid.name})")
    return sorted(found)


def _says_busy(text: str, refused: list[tuple[Path, int]]) -> bool:
    return "busy" in text.lower() or any(err == errno.EBUSY for _, err in refused)


def _user_name() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return str(os.geteuid())


def _generic(text: str) -> str:
    return (f"SDL said: {text or 'nothing'}. Check in order: the video driver (SDL_VIDEODRIVER), "
            f"`ls -l /dev/dri` (the KMS overlay), the video/render groups, and whether another program "
            f"holds the screen; on a machine without a screen use --headless.")
