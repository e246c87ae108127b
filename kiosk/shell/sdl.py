"""pygame, imported the way the kiosk and the board want it.

``from kiosk.shell.sdl import pygame`` instead of ``import pygame``:

- no "Hello from the pygame community" banner on a technician's terminal;
- without setuptools' ``pkg_resources``: pygame.pkgdata tries it first, and
  importing it costs about 0.1 s, a sixth of the kiosk's start to its first
  frame. Without it pygame reads its own files (the default font) from beside
  its modules, which is all it needs. Only this import is kept from it; a
  library that imports pkg_resources later still gets it.
"""
import os
import sys

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

_keep_out = "pkg_resources" not in sys.modules
if _keep_out:
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes the import fail at once
try:
    import pygame  # noqa: E402
finally:
    if _keep_out and "pkg_resources" in sys.modules and sys.modules["pkg_resources"] is None:
        del sys.modules["pkg_resources"]

__all__ = ["pygame"]
