"""The touch screen (the only package that imports pygame, with kiosk.shell.app).

``Renderer(font_path)`` draws a ``model.View`` with the right screen and
answers taps; each screen records the text boxes and buttons it drew
(``renderer.screen.texts`` / ``.buttons``) so tests can check that nothing
overflows at any size.
"""
import logging

from kiosk.shell.sdl import pygame  # first: pygame without its start-up costs (see there)
from kiosk.shell.screen import draw
from kiosk.shell.screen.draw import Fonts, Images
from kiosk.machine.view import View, choose_screen
from kiosk.shell.screen.screens import HomeScreen, OutOfOrderScreen, ServingScreen, TicketScreen
from kiosk.shell.screen.survey_screens import SurveyScreen
from kiosk.core.screen_texts import text

log = logging.getLogger(__name__)

SCREENS = (HomeScreen, TicketScreen, ServingScreen, OutOfOrderScreen, SurveyScreen)


class Renderer:
    """Chooses and draws the screen for a View; maps taps to actions."""

    def __init__(self, font_path=""):
        self.fonts = Fonts(font_path)
        self.images = Images()
        self.screens = {cls.name: cls(self.fonts, self.images) for cls in SCREENS}
        self.screen = None  # the screen drawn last

    def render(self, surface, view: View, now=0.0):
        """Draw ``view``; returns the name of the screen drawn."""
        name = choose_screen(view, surface.get_size())
        screen = self.screens[name]
        screen.draw(surface, view, now)
        self.screen = screen
        return name

    def hit(self, pos):
        """The action of a tap at ``pos`` on the screen drawn last."""
        return self.screen.hit(pos) if self.screen else None

    def render_emergency(self, surface, language="id", code="ERR"):
        """Last resort when a screen itself fails: plain text on red, no layout."""
        surface.fill(draw.ERROR_BG)
        w, h = surface.get_size()
        try:
            font = self.fonts.get(max(16, min(w, h) // 14), True)
        except Exception:  # even the font failed: a red screen still says "not working"
            return
        for i, line in enumerate((text("contact_staff", language), code)):
            s = font.render(line, True, draw.TEXT)
            if s.get_width() > w:
                s = pygame.transform.smoothscale(s, (w - 10, max(1, s.get_height() * (w - 10) // s.get_width())))
            surface.blit(s, s.get_rect(center=(w // 2, h // 2 + (i - 0.5) * s.get_height() * 1.4)))
        self.screen = None
