"""The four screens: Home, Ticket, Now serving, Out of order.

Every size is computed from the surface the screen draws on (``get_size()``),
never from the config: the dummy driver's fullscreen is 1024x768 and real
panels range from 800x480 to 1920x1080, landscape or portrait.

Now serving: split screen or alternate? Both, by size. Where the home screen
keeps room for large touch targets next to a panel (landscape at least 1200 px
wide, or portrait at least 1000 px high) the latest calls stay visible beside
the service buttons all the time, so nobody has to wait for a number to come
round again. On smaller panels (the official 7" 800x480, 1024x600) a side panel
would shrink the buttons below 15 mm and the numbers below what is readable
from two metres, so a new call takes the whole screen for
``display.highlight_seconds`` and then the home screen comes back (a touch
brings it back at once).
"""
import abc

import pygame

from kiosk.core.events import TakeTicket
from kiosk.core.texts import format_date, format_time

from kiosk.shell.screen import draw
from kiosk.shell.screen.draw import Painter
from kiosk.machine.view import DISMISS, has_side_panel
from kiosk.core.screen_texts import fault_text, text

class Metrics:
    """Sizes derived from the surface: header, footer, gaps, touch target."""

    def __init__(self, size, with_footer):
        w, h = self.w, self.h = size
        self.portrait = h > w
        unit = min(w, h)
        self.gap = max(6, unit // 70)
        self.radius = max(6, unit // 60)
        # 15 mm is 80 px on the 7" 800x480 panel (5.3 px/mm); denser panels
        # get proportionally more (a 10" 1920x1200 is about 9 px/mm).
        self.touch = max(80, int(unit * 0.1))
        self.header_h = max(56, min(150, int(h * (0.08 if self.portrait else 0.13))))
        self.footer_h = max(26, min(48, int(h * 0.05))) if with_footer else 0
        self.screen = pygame.Rect(0, 0, w, h)
        self.header = pygame.Rect(0, 0, w, self.header_h)
        self.footer = pygame.Rect(0, h - self.footer_h, w, self.footer_h)
        self.body = pygame.Rect(0, self.header_h, w, h - self.header_h - self.footer_h)
        # Large text, readable from two metres: sizes scale with the panel.
        self.big = max(28, unit // 9)
        self.medium = max(22, unit // 16)
        self.small = max(16, unit // 28)
        self.tiny = max(14, unit // 40)


def split_body(m):
    """(main area, now-serving panel or None) of the body."""
    body = m.body.inflate(-2 * m.gap, -2 * m.gap)
    if not has_side_panel((m.w, m.h)):
        return body, None
    if m.portrait:
        panel_h = int(body.h * 0.36)
        main = pygame.Rect(body.left, body.top, body.w, body.h - panel_h - m.gap)
        return main, pygame.Rect(body.left, main.bottom + m.gap, body.w, panel_h)
    panel_w = int(body.w * 0.34)
    main = pygame.Rect(body.left, body.top, body.w - panel_w - m.gap, body.h)
    return main, pygame.Rect(main.right + m.gap, body.top, panel_w, body.h)


class Screen(abc.ABC):
    """Base: draws a View and remembers its text boxes and buttons."""

    name = "screen"

    def __init__(self, fonts, images):
        self.fonts = fonts
        self.images = images
        self.painter = None
        self.texts = []
        self.buttons = []

    def draw(self, surface, view, now=0.0):
        """Draw ``view`` on ``surface``; afterwards ``texts`` and ``buttons`` describe it."""
        if self.painter is None:
            self.painter = Painter(surface, self.fonts)
        self.painter.reset(surface)
        m = Metrics(surface.get_size(), bool(view.help_text))
        surface.fill(draw.BG)
        self.draw_header(m, view)
        self.draw_body(m, view, now)
        if view.help_text:
            self.painter.rect(m.footer, draw.FOOTER_BG)
            self.painter.text(view.help_text, m.footer.inflate(-2 * m.gap, -4), draw.MUTED,
                              max_size=m.tiny + 2, min_size=10, max_lines=1)
        self.texts = list(self.painter.texts)
        self.buttons = list(self.painter.buttons)

    def hit(self, pos):
        """The action of the enabled button at ``pos`` (pixels), or None."""
        for b in reversed(self.buttons):
            if b.enabled and b.rect.collidepoint(pos):
                return b.action
        return None

    # -- parts shared by the screens
    def draw_header(self, m, view):
        p = self.painter
        p.rect(m.header, draw.HEADER_BG)
        inner = m.header.inflate(-2 * m.gap, -m.gap)
        left = inner.left
        logo = self.images.get(view.logo)
        if logo is not None:
            used = p.image(logo, pygame.Rect(left, inner.top, inner.h, inner.h))
            left = used.right + m.gap
        clock_w = int(inner.w * (0.34 if m.portrait else 0.3))
        name_rect = pygame.Rect(left, inner.top, inner.right - clock_w - m.gap - left, inner.h)
        if view.address:
            top = pygame.Rect(name_rect.left, name_rect.top, name_rect.w, int(name_rect.h * 0.64))
            p.text(view.institution, top, max_size=m.medium, min_size=14, bold=True, align="left", max_lines=2)
            p.text(view.address, pygame.Rect(name_rect.left, top.bottom, name_rect.w, name_rect.h - top.h),
                   draw.MUTED, max_size=m.tiny, min_size=10, align="left", max_lines=1)
        else:
            p.text(view.institution, name_rect, max_size=m.medium, min_size=14, bold=True, align="left", max_lines=2)
        clock = pygame.Rect(inner.right - clock_w, inner.top, clock_w, inner.h)
        date_h = int(clock.h * 0.36)
        p.text(format_date(view.now, view.language), pygame.Rect(clock.left, clock.top, clock.w, date_h),
               draw.MUTED, max_size=m.tiny + 2, min_size=10, align="right", max_lines=1)
        # Hours and minutes: seconds ticking by only distract people who wait.
        p.text(format_time(view.now, view.language),
               pygame.Rect(clock.left, clock.top + date_h, clock.w, clock.h - date_h),
               max_size=m.medium + 8, min_size=14, bold=True, align="right", max_lines=1)

    @abc.abstractmethod
    def draw_body(self, m, view, now):
        """Draw everything between the header and the footer."""

    def main_area(self, m, view):
        """The body left to this screen, after drawing the now-serving side
        panel where the screen is large enough for one."""
        main, panel = split_body(m)
        if panel is not None:
            self.draw_serving_panel(m, view, panel)
        elif view.calls:
            # Too small for a panel: every counter's current number stays in view
            # in a strip along the bottom, smaller (a call still takes the whole
            # screen for a few seconds).
            strip_h = max(34, min(int(main.h * 0.14), m.small * 3))
            strip = pygame.Rect(main.left, main.bottom - strip_h, main.w, strip_h)
            self.draw_serving_strip(m, view, strip)
            main = pygame.Rect(main.left, main.top, main.w, main.h - strip_h - m.gap // 2)
        return main

    def draw_serving_strip(self, m, view, rect):
        """One tile per counter, "Loket 2  A-012", the newest highlighted."""
        p = self.painter
        calls = view.calls
        gap = max(2, m.gap // 2)
        tile_w = (rect.w - gap * (len(calls) - 1)) // len(calls)
        for i, call in enumerate(calls):
            tile = pygame.Rect(rect.left + i * (tile_w + gap), rect.top, tile_w, rect.h)
            newest = view.newest_counter is not None and call.counter_number == view.newest_counter
            color = draw.DARK_TEXT if newest else draw.TEXT
            p.rect(tile, draw.HIGHLIGHT_BG if newest else draw.PANEL_BG, m.radius)
            inner = tile.inflate(-gap * 2, -gap)
            name_w = int(inner.w * 0.5)
            p.text(call.counter_name, pygame.Rect(inner.left, inner.top, name_w, inner.h), color,
                   max_size=m.small, min_size=10, bold=True, align="left", max_lines=1)
            label = call.label or "–"  # an en dash: nobody called yet at this counter
            p.text(label, pygame.Rect(inner.left + name_w, inner.top, inner.w - name_w, inner.h), color,
                   max_size=m.medium, min_size=10, bold=True, align="right", max_lines=1)

    def draw_serving_panel(self, m, view, rect, title=True):
        """The latest call of every counter, the newest highlighted."""
        p = self.painter
        p.rect(rect, draw.PANEL_BG, m.radius)
        inner = rect.inflate(-2 * m.gap, -2 * m.gap)
        top = inner.top
        if title:
            title_h = max(30, min(int(inner.h * 0.14), m.medium + 14))
            p.text(text("now_serving", view.language), pygame.Rect(inner.left, top, inner.w, title_h),
                   max_size=m.medium, min_size=14, bold=True, max_lines=1)
            top += title_h + m.gap // 2
        calls = view.calls or ()
        if not calls:
            return
        row_h = min((inner.bottom - top - m.gap * (len(calls) - 1)) // len(calls), int(m.h * 0.2))
        for i, call in enumerate(calls):
            row = pygame.Rect(inner.left, top + i * (row_h + m.gap), inner.w, row_h)
            newest = view.newest_counter is not None and call.counter_number == view.newest_counter
            color = draw.DARK_TEXT if newest else draw.TEXT
            p.rect(row, draw.HIGHLIGHT_BG if newest else draw.ROW_BG, m.radius)
            cell = row.inflate(-2 * m.gap, -m.gap // 2 * 2)
            name_w = int(cell.w * 0.45)
            left = pygame.Rect(cell.left, cell.top, name_w, cell.h)
            if call.label and call.service_name and cell.h >= 60:
                p.text(call.counter_name, pygame.Rect(left.left, left.top, left.w, int(left.h * 0.6)),
                       color, max_size=m.medium, min_size=12, bold=True, align="left", max_lines=2)
                p.text(call.service_name, pygame.Rect(left.left, left.top + int(left.h * 0.6), left.w,
                                                       left.h - int(left.h * 0.6)),
                       color, max_size=m.tiny, min_size=10, align="left", max_lines=1)
            else:
                p.text(call.counter_name, left, color, max_size=m.medium, min_size=12, bold=True,
                       align="left", max_lines=1)
            label = call.label or text("no_call", view.language)
            p.text(label, pygame.Rect(left.right + m.gap, cell.top, cell.right - left.right - m.gap, cell.h),
                   color, max_size=m.big, min_size=14, bold=True, align="right", max_lines=1)


class HomeScreen(Screen):
    """One large button per service, each with a priority button beside it."""

    name = "home"

    def draw_body(self, m, view, now):
        p = self.painter
        main = self.main_area(m, view)
        lang = view.language
        prompt_h = max(30, min(int(main.h * 0.11), m.medium + 16))
        p.text(text("choose", lang), pygame.Rect(main.left, main.top, main.w, prompt_h),
               max_size=m.medium, min_size=14, bold=True, max_lines=1)
        top = main.top + prompt_h
        any_priority = any(s.priority_ok for s in view.services)
        if any_priority:
            hint_h = max(22, min(int(main.h * 0.08), int(m.small * 2.4)))  # two lines on narrow panels
            p.text(text("priority_hint", lang), pygame.Rect(main.left, top, main.w, hint_h),
                   draw.PRIORITY_BG, max_size=m.small, min_size=11, max_lines=2)
            top += hint_h
        top += m.gap
        grid = pygame.Rect(main.left, top, main.w, main.bottom - top)
        offered = getattr(view, "survey_offered", False)  # the survey's button takes one more cell (issue 13)
        cells = self.cells(m, grid, len(view.services) + (1 if offered else 0))
        for service, cell in zip(view.services, cells):
            self.draw_service(m, view, service, cell, any_priority)
        if offered and cells:
            from kiosk.shell.screen.survey_screens import draw_entry_button

            draw_entry_button(self.painter, m, cells[-1], lang)

    def cells(self, m, grid, n):
        """Rectangles for ``n`` service cells: one column if each row stays a
        comfortable touch target, else two (three when there are very many)."""
        if n == 0:
            return []
        for cols in (1, 2, 3):
            rows = -(-n // cols)
            cell_h = (grid.h - m.gap * (rows - 1)) // rows
            if cell_h >= m.touch or cols == 3:
                break
        cell_h = min(cell_h, int(m.touch * 2.2))
        cell_w = (grid.w - m.gap * (cols - 1)) // cols
        used_h = rows * cell_h + m.gap * (rows - 1)
        top = grid.top + max(0, (grid.h - used_h) // 2)
        return [pygame.Rect(grid.left + (i % cols) * (cell_w + m.gap), top + (i // cols) * (cell_h + m.gap),
                            cell_w, cell_h) for i in range(n)]

    def draw_service(self, m, view, s, cell, any_priority):
        p = self.painter
        lang = view.language
        prio_w = max(m.touch, int(cell.w * 0.27)) if any_priority else 0
        main = pygame.Rect(cell.left, cell.top, cell.w - (prio_w + m.gap if prio_w else 0), cell.h)
        enabled = s.can_issue
        bg = draw.SERVICE_BG if enabled else draw.DISABLED_BG
        fg = draw.TEXT if enabled else draw.DISABLED_TEXT
        p.rect(main, bg, m.radius)
        if enabled:
            p.rect(main, draw.SERVICE_EDGE, m.radius, width=max(2, m.gap // 3))
        p.button(main, TakeTicket(s.code, False, "touch"), enabled, f"service:{s.prefix}")
        inner = main.inflate(-2 * m.gap, -2 * m.gap)
        badge = pygame.Rect(inner.left, inner.top, min(inner.h, int(inner.w * 0.25)), inner.h)
        p.rect(badge, draw.CARD_BG if enabled else draw.DISABLED_TEXT, m.radius)
        p.text(s.prefix, badge.inflate(-4, -4), draw.DARK_TEXT, max_size=int(badge.h * 0.8), min_size=12,
               bold=True, max_lines=1)
        texts = pygame.Rect(badge.right + m.gap, inner.top, inner.right - badge.right - m.gap, inner.h)
        status_h = max(16, int(texts.h * 0.32))
        name_rect = pygame.Rect(texts.left, texts.top, texts.w, texts.h - status_h)
        p.text(s.name, name_rect, fg, max_size=m.medium, min_size=14, bold=True, align="left", max_lines=3)
        if enabled:
            status = text("waiting", lang, n=s.waiting) if s.waiting else text("waiting_none", lang)
        else:
            status = s.reason
        p.text(status, pygame.Rect(texts.left, name_rect.bottom, texts.w, status_h),
               draw.HIGHLIGHT_BG if not enabled else draw.MUTED, max_size=m.small, min_size=11,
               align="left", max_lines=1)
        if prio_w:
            prio = pygame.Rect(main.right + m.gap, cell.top, prio_w, cell.h)
            ok = enabled and s.priority_ok
            if s.priority_ok:
                p.rect(prio, draw.PRIORITY_BG if ok else draw.DISABLED_BG, m.radius)
                p.button(prio, TakeTicket(s.code, True, "touch"), ok, f"priority:{s.prefix}")
                p.text(text("priority_button", lang), prio.inflate(-m.gap, -m.gap),
                       draw.DARK_TEXT if ok else draw.DISABLED_TEXT, max_size=m.small + 2, min_size=11,
                       bold=True, max_lines=2)


class TicketScreen(Screen):
    """Printing, your number, print failed, or refused."""

    name = "ticket"

    def draw_body(self, m, view, now):
        p = self.painter
        t = view.ticket
        lang = view.language
        body = m.body.inflate(-2 * m.gap, -2 * m.gap)
        if t.phase != "printing":
            p.button(m.screen, DISMISS, True, "dismiss")
        image = self.images.get(t.preview_png) if t.phase == "done" else None
        if image is not None:
            # Demo: the ticket as printed, beside the number.
            if m.portrait:
                img_rect = pygame.Rect(body.left, body.bottom - int(body.h * 0.42), body.w, int(body.h * 0.42))
                body = pygame.Rect(body.left, body.top, body.w, body.h - img_rect.h - m.gap)
            else:
                img_rect = pygame.Rect(body.right - int(body.w * 0.3), body.top, int(body.w * 0.3), body.h)
                body = pygame.Rect(body.left, body.top, body.w - img_rect.w - m.gap, body.h)
            cap_h = max(18, m.tiny + 6)
            p.text(text("last_ticket", lang), pygame.Rect(img_rect.left, img_rect.top, img_rect.w, cap_h),
                   draw.MUTED, max_size=m.tiny, min_size=10, max_lines=1)
            p.image(image, pygame.Rect(img_rect.left, img_rect.top + cap_h, img_rect.w, img_rect.h - cap_h))
        if t.phase == "printing":
            self.stack(m, body, [
                (text("printing", lang), m.big, True, draw.TEXT, 2),
                (t.service_name, m.medium, False, draw.MUTED, 2),
                (text("printing_wait", lang), m.small, False, draw.MUTED, 1),
            ], weights=(3, 2, 1))
        elif t.phase == "done":
            head = [(text("your_number", lang), m.medium, True, draw.TEXT, 1)]
            card_h = int(body.h * 0.36)
            head_h = int(body.h * 0.12)
            p.text(head[0][0], pygame.Rect(body.left, body.top, body.w, head_h), max_size=m.medium,
                   min_size=14, bold=True, max_lines=1)
            card = pygame.Rect(0, 0, min(body.w, int(card_h * 3.2)), card_h)
            card.midtop = (body.centerx, body.top + head_h)
            p.rect(card, draw.CARD_BG, m.radius)
            p.text(t.label, card.inflate(-2 * m.gap, -m.gap), draw.DARK_TEXT, max_size=int(card_h * 0.85),
                   min_size=20, bold=True, max_lines=1)
            rest = pygame.Rect(body.left, card.bottom + m.gap, body.w, body.bottom - card.bottom - m.gap)
            name = t.service_name + (f" - {text('priority_tag', lang)}" if t.priority else "")
            items = [(name, m.medium, True, draw.PRIORITY_BG if t.priority else draw.TEXT, 2)]
            items += [(line, m.small, False, draw.MUTED, 2) for line in t.lines]
            items.append((text("take_ticket", lang), m.medium, True, draw.HIGHLIGHT_BG, 1))
            self.stack(m, rest, items)
        elif t.phase == "failed":
            p.rect(body, draw.ERROR_BG, m.radius)
            inner = body.inflate(-2 * m.gap, -2 * m.gap)
            self.stack(m, inner, [
                (text("print_failed", lang), m.big, True, draw.TEXT, 2),
                (text("print_failed_advice", lang), m.medium, True, draw.TEXT, 2),
                (text("ticket_void", lang, label=t.label) if t.label else "", m.small, False, draw.TEXT, 2),
                (text("code", lang, code=t.code or "PRN"), m.small, False, draw.TEXT, 1),
            ], weights=(3, 2, 2, 1))
        elif t.phase == "uncertain":
            p.rect(body, draw.ERROR_BG, m.radius)
            inner = body.inflate(-2 * m.gap, -2 * m.gap)
            self.stack(m, inner, [
                (text("print_uncertain", lang), m.big, True, draw.TEXT, 2),
                (text("print_uncertain_advice", lang), m.medium, True, draw.TEXT, 2),
                (text("ticket_still_valid", lang, label=t.label), m.small, False, draw.TEXT, 2),
                (text("code", lang, code=t.code or "PRN"), m.small, False, draw.TEXT, 1),
            ], weights=(3, 2, 2, 1))
        else:  # refused
            self.stack(m, body, [
                (text("refused", lang), m.medium, True, draw.TEXT, 2),
                (t.service_name, m.medium, False, draw.MUTED, 2),
                (t.message, m.big, True, draw.HIGHLIGHT_BG, 2),
                (text("tap_to_close", lang), m.small, False, draw.MUTED, 1),
            ], weights=(2, 2, 3, 1))

    def stack(self, m, rect, items, weights=None):
        """Texts one under the other, each in a band proportional to its weight."""
        items = [i for i in items if i[0]]
        weights = list(weights or [i[1] for i in items])[:len(items)]
        total = sum(weights) or 1
        y = rect.top
        for (line, size, bold, color, lines), weight in zip(items, weights):
            h = int(rect.h * weight / total)
            self.painter.text(line, pygame.Rect(rect.left, y, rect.w, h), color, max_size=size,
                              min_size=12, bold=bold, max_lines=lines)
            y += h


class ServingScreen(Screen):
    """The whole screen for the calls: the newest large, every counter below."""

    name = "serving"

    def draw_body(self, m, view, now):
        p = self.painter
        body = m.body.inflate(-2 * m.gap, -2 * m.gap)
        p.button(m.screen, DISMISS, True, "dismiss")
        newest = next((c for c in view.calls if c.counter_number == view.newest_counter and c.label), None)
        if newest is not None:
            top = pygame.Rect(body.left, body.top, body.w, int(body.h * 0.42))
            p.rect(top, draw.HIGHLIGHT_BG, m.radius)
            inner = top.inflate(-2 * m.gap, -m.gap)
            label_h = int(inner.h * 0.62)
            p.text(newest.label, pygame.Rect(inner.left, inner.top, inner.w, label_h), draw.DARK_TEXT,
                   max_size=int(label_h * 0.9), min_size=20, bold=True, max_lines=1)
            p.text(f"{text('go_to', view.language)} {newest.counter_name}",
                   pygame.Rect(inner.left, inner.top + label_h, inner.w, inner.h - label_h), draw.DARK_TEXT,
                   max_size=m.medium + 6, min_size=14, bold=True, max_lines=1)
            rest = pygame.Rect(body.left, top.bottom + m.gap, body.w, body.bottom - top.bottom - m.gap)
        else:
            rest = body
        self.draw_serving_panel(m, view, rest, title=True)


class OutOfOrderScreen(Screen):
    """Plain words for visitors, a code for technicians; no service buttons."""

    name = "out_of_order"

    def draw_body(self, m, view, now):
        p = self.painter
        main = self.main_area(m, view)
        lang = view.language
        code = view.fault.code if view.fault else "ERR"
        p.rect(main, draw.ERROR_BG, m.radius)
        inner = main.inflate(-2 * m.gap, -2 * m.gap)
        icon_h = int(inner.h * 0.22)
        self.warning_icon(pygame.Rect(inner.centerx - icon_h // 2, inner.top, icon_h, icon_h))
        rest = pygame.Rect(inner.left, inner.top + icon_h + m.gap, inner.w, inner.h - icon_h - m.gap)
        items = [
            (text("out_of_order", lang), m.medium, True, 2, 3),
            (text("contact_staff", lang), m.big, True, 2, 3),
            (text("code", lang, code=code), m.medium, True, 1, 2),
            (fault_text(code, lang), m.small, False, 2, 1),
            (text("recovers", lang), m.tiny, False, 2, 1),
        ]
        total = sum(i[4] for i in items)
        y = rest.top
        for line, size, bold, lines, weight in items:
            h = int(rest.h * weight / total)
            if line:
                p.text(line, pygame.Rect(rest.left, y, rest.w, h), draw.TEXT, max_size=size, min_size=12,
                       bold=bold, max_lines=lines)
            y += h

    def warning_icon(self, rect):
        s = self.painter.surface
        pts = [(rect.centerx, rect.top), (rect.right, rect.bottom), (rect.left, rect.bottom)]
        pygame.draw.polygon(s, draw.HIGHLIGHT_BG, pts)
        bar_w = max(3, rect.w // 10)
        pygame.draw.rect(s, draw.DARK_TEXT, (rect.centerx - bar_w // 2, rect.top + rect.h * 0.35,
                                             bar_w, rect.h * 0.35))
        pygame.draw.rect(s, draw.DARK_TEXT, (rect.centerx - bar_w // 2, rect.top + rect.h * 0.78, bar_w, bar_w))
