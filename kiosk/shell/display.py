"""Opening the kiosk's screen with pygame, and how the loop should sleep on it."""
from __future__ import annotations

from kiosk.core.errors import KioskError

# SDL_WaitEventTimeout really sleeps only where the video driver can wait;
# elsewhere (dummy, KMSDRM on Raspberry Pi OS Lite) SDL polls every
# millisecond (2.3% of a core, measured), so the loop sleeps on the events
# queue instead and looks at pygame's input between naps.
SDL_WAITING_DRIVERS = ("x11", "wayland", "windows", "cocoa")


def open_display(pg, cfg, *, demo: bool, headless: bool, size=None):
    """Open the window or the full screen. Returns ``(surface, sdl_waits, poll)``:
    whether SDL can sleep in ``event.wait``, and else how often to look at
    input (30 times a second where a touch can arrive, once a second headless).
    A screen that cannot be opened is a KioskError that names the likely cause."""
    try:
        pg.display.init()
        pg.font.init()
        flags = 0
        if size:
            pass
        elif not demo and cfg.display.fullscreen:
            size, flags = (0, 0), pg.FULLSCREEN
        elif headless:
            size = (cfg.display.width, cfg.display.height)
        else:
            size, flags = (cfg.display.width, cfg.display.height), pg.RESIZABLE
        surface = pg.display.set_mode(size, flags)
    except pg.error as e:
        raise KioskError(display_advice(e)) from e
    pg.display.set_caption("PTSP Kiosk" + (" - demo" if demo else ""))
    if flags & pg.FULLSCREEN:
        pg.mouse.set_visible(False)  # visitors touch; a cursor only confuses them
    # Only the events we use: fewer wake-ups, and no motion flood from a touch panel.
    pg.event.set_blocked(None)
    pg.event.set_allowed([pg.QUIT, pg.KEYDOWN, pg.MOUSEBUTTONDOWN, pg.FINGERDOWN, pg.VIDEORESIZE,
                          pg.VIDEOEXPOSE, pg.WINDOWSIZECHANGED, pg.WINDOWEXPOSED])
    driver = pg.display.get_driver()
    return surface, driver in SDL_WAITING_DRIVERS, 1.0 if driver in ("dummy", "offscreen") else 1 / 30


def display_advice(error) -> str:
    """The message for a screen that cannot be opened, with the likely cause."""
    from kiosk.shell.display_diagnosis import diagnose

    return f"cannot open the screen ({error}). {diagnose(error)}"
