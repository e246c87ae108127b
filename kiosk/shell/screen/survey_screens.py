"""The survey screens: identify the ticket, one question per screen with four
big face buttons, the respondent fields, the suggestion keyboard, thanks.

``SurveyScreen`` draws a ``kiosk.machine.survey_flow.SurveyView`` under the
usual header (institution and clock) of a ``View``; like every screen it
records its text boxes and buttons (``texts``/``buttons``) so tests check that
nothing overflows at any size, and ``hit(pos)`` turns a tap into the
``SurveyInput`` to feed to the machine. Sizes come from the surface only.
"""
from __future__ import annotations

import math

import pygame

from kiosk.core import survey as S
from kiosk.core.events import SurveyInput
from kiosk.core.survey_texts import text
from kiosk.shell.screen import draw as D
from kiosk.shell.screen.screens import Screen

# Faces 1 (worst) to 4 (best): red, orange, light green, green; each with
# dark features, so the face reads without colour vision too.
FACE_COLOURS = {1: (229, 57, 53), 2: (251, 140, 0), 3: (139, 195, 74), 4: (67, 160, 71)}
SELECTED_EDGE = D.HIGHLIGHT_BG
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm,.?")


def inp(action, value=""):
    return SurveyInput(action, value, "touch")


def grid(rect, n, cols, gap):
    """``n`` cells of equal size filling ``rect`` in ``cols`` columns."""
    rows = max(1, -(-n // cols))
    w = (rect.w - gap * (cols - 1)) // cols
    h = (rect.h - gap * (rows - 1)) // rows
    return [pygame.Rect(rect.left + (i % cols) * (w + gap), rect.top + (i // cols) * (h + gap), w, h)
            for i in range(n)]


def draw_face(surface, rect, score):
    """A round face in ``rect``: frown (1) to broad smile (4)."""
    r = max(4, min(rect.w, rect.h) // 2)
    cx, cy = rect.center
    ink = D.DARK_TEXT
    pygame.draw.circle(surface, FACE_COLOURS[score], (cx, cy), r)
    pygame.draw.circle(surface, ink, (cx, cy), r, max(1, r // 14))
    eye = max(2, r // 8)
    for dx in (-r // 3, r // 3):
        pygame.draw.circle(surface, ink, (cx + dx, cy - r // 4), eye)
    width = max(2, r // 10)
    mouth = pygame.Rect(0, 0, r, r // 2 if score in (2, 3) else r * 2 // 3)
    if score <= 2:  # a frown: the upper half of an ellipse, low on the face
        mouth.midtop = (cx, cy + r // 3)
        pygame.draw.arc(surface, ink, mouth, 0, math.pi, width)
    elif score == 3:  # a smile
        mouth.midbottom = (cx, cy + r * 2 // 3)
        pygame.draw.arc(surface, ink, mouth, math.pi, 2 * math.pi, width)
    else:  # a broad open smile
        mouth.midbottom = (cx, cy + r * 2 // 3)
        pygame.draw.arc(surface, ink, mouth, math.pi, 2 * math.pi, width)
        pygame.draw.line(surface, ink, (mouth.left + width, mouth.centery), (mouth.right - width, mouth.centery),
                         width)


def draw_entry_button(p, m, cell, lang):
    """The home screen's "Survei Kepuasan" button (a face and two lines) in ``cell``."""
    p.rect(cell, D.PANEL_BG, m.radius)
    p.rect(cell, D.HIGHLIGHT_BG, m.radius, width=max(2, m.gap // 3))
    p.button(cell, inp("start"), True, "survey")
    inner = cell.inflate(-2 * m.gap, -2 * m.gap)
    face = min(inner.h, int(inner.w * 0.25))
    draw_face(p.surface, pygame.Rect(inner.left, inner.centery - face // 2, face, face), 4)
    words = pygame.Rect(inner.left + face + m.gap, inner.top, inner.w - face - m.gap, inner.h)
    title_h = int(words.h * 0.6)
    p.text(text("home_button", lang), pygame.Rect(words.left, words.top, words.w, title_h), max_size=m.medium,
           min_size=12, bold=True, align="left", max_lines=2)
    p.text(text("home_hint", lang), pygame.Rect(words.left, words.top + title_h, words.w, words.h - title_h),
           D.MUTED, max_size=m.small, min_size=10, align="left", max_lines=2)


class SurveyScreen(Screen):
    """Every step of the survey (see SurveyView.step)."""

    name = "survey"

    def __init__(self, fonts, images):
        super().__init__(fonts, images)
        self.survey = None

    def draw(self, surface, view, now=0.0, survey=None):
        """Draw ``survey`` (a SurveyView; default ``view.survey``) under ``view``'s header."""
        self.survey = survey if survey is not None else getattr(view, "survey", None)
        super().draw(surface, view, now)

    def draw_body(self, m, view, now):
        sv = self.survey
        body = m.body.inflate(-2 * m.gap, -2 * m.gap)
        step = sv.step if sv is not None else "failed"
        lang = view.language
        getattr(self, f"_{step}", self._message)(m, body, sv, lang)

    # -- pieces
    def _button(self, m, rect, label, action, bg=D.SERVICE_BG, fg=D.TEXT, bold=True, name=""):
        p = self.painter
        p.rect(rect, bg, m.radius)
        p.button(rect, action, True, name or label)
        p.text(label, rect.inflate(-m.gap, -m.gap // 2), fg, max_size=m.small + 4, min_size=11, bold=bold,
               max_lines=2)

    def _nav(self, m, rect, items):
        """A row of navigation buttons [(label, action, primary)] filling ``rect``."""
        for (label, action, primary), cell in zip(items, grid(rect, len(items), len(items), m.gap)):
            self._button(m, cell, label, action, D.PRIORITY_BG if primary else D.DISABLED_BG,
                         D.DARK_TEXT if primary else D.TEXT, name=f"nav:{action.action}")

    def _heading(self, m, rect, title, sub=""):
        p = self.painter
        if sub:
            top = pygame.Rect(rect.left, rect.top, rect.w, rect.h * 2 // 5)
            p.text(sub, top, D.MUTED, max_size=m.small, min_size=11, max_lines=1)
            rect = pygame.Rect(rect.left, top.bottom, rect.w, rect.h - top.h)
        p.text(title, rect, max_size=m.medium + 4, min_size=13, bold=True, max_lines=4)

    def _split_nav(self, m, body):
        """(content, navigation row) of the body."""
        nav_h = m.touch
        content = pygame.Rect(body.left, body.top, body.w, body.h - nav_h - m.gap)
        return content, pygame.Rect(body.left, content.bottom + m.gap, body.w, nav_h)

    # -- steps
    def _identify(self, m, body, sv, lang):
        p = self.painter
        if m.portrait:
            info = pygame.Rect(body.left, body.top, body.w, int(body.h * 0.3))
            pad = pygame.Rect(body.left, info.bottom + m.gap, body.w, body.bottom - info.bottom - m.gap)
        else:
            info = pygame.Rect(body.left, body.top, int(body.w * 0.42), body.h)
            pad = pygame.Rect(info.right + m.gap, body.top, body.right - info.right - m.gap, body.h)
        # Left (or top): what to do, what was typed, cancel.
        cancel_h = m.touch if not m.portrait else 0
        parts = pygame.Rect(info.left, info.top, info.w, info.h - cancel_h - (m.gap if cancel_h else 0))
        title_h = parts.h * 2 // 5
        p.text(text("identify", lang), pygame.Rect(parts.left, parts.top, parts.w, title_h),
               max_size=m.medium, min_size=12, bold=True, max_lines=4)
        entry = pygame.Rect(parts.left, parts.top + title_h, parts.w, parts.h * 3 // 10)
        p.rect(entry, D.CARD_BG, m.radius)
        p.text(sv.entry[-24:] or text("identify_hint", lang), entry.inflate(-m.gap, -m.gap // 2),
               D.DARK_TEXT if sv.entry else D.DISABLED_BG, max_size=m.big, min_size=12, bold=bool(sv.entry),
               max_lines=1)
        p.text(text("privacy", lang), pygame.Rect(parts.left, entry.bottom, parts.w, parts.bottom - entry.bottom),
               D.MUTED, max_size=m.tiny, min_size=10, max_lines=3)
        # Keypad: the services' letters, digits, delete, OK (and cancel in portrait).
        letters = list(sv.keys)
        keys = [(k, inp("char", k)) for k in letters]
        keys += [(d, inp("char", d)) for d in "1234567890"]
        keys += [("⌫", inp("backspace")), (text("ok", lang), inp("enter"))]
        if m.portrait:
            keys.append((text("cancel", lang), inp("cancel")))
        cols = 4 if m.portrait or len(keys) <= 16 else 5
        for (label, action), cell in zip(keys, grid(pad, len(keys), cols, m.gap)):
            primary = action.action == "enter"
            letter = action.action == "char" and label.isalpha()
            self._button(m, cell, label, action, D.PRIORITY_BG if primary else
                         (D.ROW_BG if letter else D.SERVICE_BG), D.DARK_TEXT if primary else D.TEXT,
                         name=f"key:{label}")
        if cancel_h:
            self._nav(m, pygame.Rect(info.left, info.bottom - cancel_h, info.w, cancel_h),
                      [(text("cancel", lang), inp("cancel"), False)])

    def _question(self, m, body, sv, lang):
        element = S.element(sv.item)
        content, nav = self._split_nav(m, body)
        head_h = int(content.h * (0.3 if m.portrait else 0.36))
        self._heading(m, pygame.Rect(content.left, content.top, content.w, head_h), element.question_text(lang),
                      f"{text('question_of', lang, n=sv.position, total=sv.total)} · {element.label(lang)}")
        area = pygame.Rect(content.left, content.top + head_h + m.gap, content.w, content.h - head_h - m.gap)
        cols = 2 if m.portrait and area.w < 900 else 4
        labels = element.answer_labels(lang)
        for score, cell in zip(S.SCORES, grid(area, 4, cols, m.gap)):
            self._answer(m, cell, score, labels[score - 1], sv.selected == str(score))
        self._nav(m, nav, [(text("back", lang), inp("back"), False), (text("cancel", lang), inp("cancel"), False)])

    def _answer(self, m, cell, score, label, selected):
        p = self.painter
        p.rect(cell, D.ROW_BG, m.radius)
        p.rect(cell, SELECTED_EDGE if selected else FACE_COLOURS[score], m.radius, width=max(3, m.gap // 2)
               * (2 if selected else 1))
        p.button(cell, inp("answer", str(score)), True, f"answer:{score}")
        inner = cell.inflate(-2 * m.gap, -2 * m.gap)
        face_h = min(int(inner.h * 0.55), inner.w)
        draw_face(p.surface, pygame.Rect(inner.centerx - face_h // 2, inner.top, face_h, face_h), score)
        p.text(label, pygame.Rect(inner.left, inner.top + face_h, inner.w, inner.h - face_h), max_size=m.small + 2,
               min_size=10, bold=True, max_lines=3)

    def _profile(self, m, body, sv, lang):
        field = S.profile_field(sv.item)
        content, nav = self._split_nav(m, body)
        head_h = int(content.h * 0.24)
        self._heading(m, pygame.Rect(content.left, content.top, content.w, head_h), field.label(lang),
                      text("profile_of", lang, n=sv.position, total=sv.total))
        area = pygame.Rect(content.left, content.top + head_h + m.gap, content.w, content.h - head_h - m.gap)
        values = field.values()
        cols = min(len(values), 2 if m.portrait else 4)
        for value, cell in zip(values, grid(area, len(values), cols, m.gap)):
            chosen = sv.selected == value
            self._button(m, cell, field.option_label(value, lang), inp("option", value),
                         D.HIGHLIGHT_BG if chosen else D.SERVICE_BG, D.DARK_TEXT if chosen else D.TEXT,
                         name=f"option:{value}")
        self._nav(m, nav, [(text("back", lang), inp("back"), False), (text("cancel", lang), inp("cancel"), False),
                           (text("skip", lang), inp("skip"), True)])

    def _suggestion(self, m, body, sv, lang):
        p = self.painter
        nav_h = m.touch
        top_h = int(body.h * 0.26)
        top = pygame.Rect(body.left, body.top, body.w, top_h)
        if m.portrait:
            nav = pygame.Rect(body.left, body.bottom - nav_h, body.w, nav_h)
            entry = top
        else:
            nav_w = int(body.w * 0.42)
            entry = pygame.Rect(top.left, top.top, top.w - nav_w - m.gap, top.h)
            nav = pygame.Rect(entry.right + m.gap, top.top, nav_w, min(top.h, max(nav_h, top.h)))
        title_h = entry.h * 2 // 5
        p.text(text("suggestion", lang), pygame.Rect(entry.left, entry.top, entry.w, title_h), max_size=m.small + 2,
               min_size=11, bold=True, max_lines=2)
        box = pygame.Rect(entry.left, entry.top + title_h, entry.w, entry.h - title_h)
        p.rect(box, D.CARD_BG, m.radius)
        # The end of the text stays in view: the visitor sees what they type.
        shown = sv.entry[-160:] + "_"
        p.text(shown, box.inflate(-m.gap, -m.gap // 2), D.DARK_TEXT, max_size=m.small + 2, min_size=10,
               align="left", max_lines=3)
        self._nav(m, nav, [(text("back", lang), inp("back"), False), (text("skip", lang), inp("skip"), False),
                           (text("send", lang), inp("done"), True)])
        kb_top = top.bottom + m.gap
        kb_bottom = (nav.top - m.gap) if m.portrait else body.bottom
        keyboard = pygame.Rect(body.left, kb_top, body.w, kb_bottom - kb_top)
        rows = [list(r) for r in KEYBOARD_ROWS] + [["space", "⌫"]]
        row_rects = grid(keyboard, len(rows), 1, m.gap)
        for keys, row in zip(rows, row_rects):
            if keys == ["space", "⌫"]:
                space = pygame.Rect(row.left, row.top, int(row.w * 0.7), row.h)
                back = pygame.Rect(space.right + m.gap, row.top, row.right - space.right - m.gap, row.h)
                self._button(m, space, text("space", lang), inp("char", " "), name="key:space")
                self._button(m, back, "⌫", inp("backspace"), D.ROW_BG, name="key:backspace")
                continue
            for key, cell in zip(keys, grid(row, 10, 10, m.gap // 2 or 1)):
                self._button(m, cell, key, inp("char", key), D.SERVICE_BG, bold=False, name=f"key:{key}")

    def _waiting(self, m, body, heading, lang):
        p = self.painter
        p.text(heading, pygame.Rect(body.left, body.top, body.w, body.h * 2 // 3), max_size=m.big, min_size=14,
               bold=True, max_lines=2)
        p.text(text("please_wait", lang), pygame.Rect(body.left, body.top + body.h * 2 // 3, body.w, body.h // 3),
               D.MUTED, max_size=m.medium, min_size=12, max_lines=2)

    def _checking(self, m, body, sv, lang):
        self._waiting(m, body, text("checking", lang), lang)

    def _saving(self, m, body, sv, lang):
        self._waiting(m, body, text("saving", lang), lang)

    def _thanks(self, m, body, sv, lang):
        p = self.painter
        p.button(m.screen, inp("dismiss"), True, "dismiss")
        face_h = int(body.h * 0.34)
        draw_face(p.surface, pygame.Rect(body.centerx - face_h // 2, body.top, face_h, face_h), 4)
        rest = pygame.Rect(body.left, body.top + face_h + m.gap, body.w, body.h - face_h - m.gap)
        p.text(text("thanks", lang), pygame.Rect(rest.left, rest.top, rest.w, rest.h // 2), max_size=m.big,
               min_size=14, bold=True, max_lines=2)
        p.text(text("thanks_note", lang), pygame.Rect(rest.left, rest.top + rest.h // 2, rest.w, rest.h // 2),
               D.MUTED, max_size=m.medium, min_size=12, max_lines=2)

    def _refused(self, m, body, sv, lang):
        self._message(m, body, sv, lang)

    def _message(self, m, body, sv, lang):
        """A refused ticket or a failed save: what happened, what to do, two ways on."""
        p = self.painter
        key = "failed" if sv is None or sv.step == "failed" else (sv.reason or "unknown")
        label = sv.label if sv is not None and sv.label else "?"
        content, nav = self._split_nav(m, body)
        p.rect(content, D.PANEL_BG, m.radius)
        inner = content.inflate(-2 * m.gap, -2 * m.gap)
        p.text(text(key, lang, label=label), pygame.Rect(inner.left, inner.top, inner.w, inner.h * 11 // 20),
               D.HIGHLIGHT_BG, max_size=m.big, min_size=14, bold=True, max_lines=3)
        p.text(text(f"{key}_advice", lang), pygame.Rect(inner.left, inner.top + inner.h * 11 // 20, inner.w,
                                                        inner.h * 9 // 20),
               max_size=m.medium, min_size=12, max_lines=3)
        items = [(text("close", lang), inp("cancel"), False)]
        if key in ("unreadable", "unknown", "other_day"):
            items.append((text("retry", lang), inp("retry"), True))
        self._nav(m, nav, items)
