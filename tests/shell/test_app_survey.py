"""The running app, headless: a served visitor taps "Survei Kepuasan", scans
the ticket's QR with a USB scanner (key events), answers by touch, and one
response lands in the store and the sync outbox. Screens saved as PNG when
SURVEY_SHOTS names a folder."""
import os
import time

import pygame

from kiosk.core.events import CounterAction, TakeTicket

from app_helpers import make_app, printer, pump, texts  # noqa: F401 (fixtures)
from test_app import button, touch

SHOTS = os.environ.get("SURVEY_SHOTS", "")


def shot(app, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        pygame.image.save(app.surface, os.path.join(SHOTS, f"app_{name}.png"))


def scan(text):
    """A keyboard-wedge scanner: one KEYDOWN per character, then Return."""
    for ch in text:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_a, mod=0, unicode=ch, scancode=0))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="\r", scancode=0))


def serve_one(app):
    app.events.put(TakeTicket("kunjungan", False, "button"))
    pump(app, lambda: app.machine.ticket_view and app.machine.ticket_view.phase == "done")
    label = app.machine.ticket_view.label
    app.events.put(CounterAction(1, "call"))
    pump(app, lambda: app.machine.calls.get(1) is not None)
    # The visitor is served (a second press would wait for the press guard).
    ticket = app.store.find(label, app.machine.day)
    app.store.transition(ticket.id, "served", time.time(), counter=1)
    return label


def test_a_served_visitor_answers_the_survey_end_to_end(make_app):
    app = make_app(size=(1024, 600))
    label = serve_one(app)
    pump(app, lambda: app.screen_name == "home" and any(b.name == "survey" for b in app.renderer.screen.buttons))
    shot(app, "home")
    touch(app, button(app, "survey").rect.center)
    pump(app, lambda: app.screen_name == "survey")
    app.machine.survey.settle = 0.0  # taps come 20 ms apart here; people need a moment
    scan(f"PTSP1:{app.machine.day.replace('-', '')}:{label}")
    pump(app, lambda: app.machine.survey.step == "question")
    shot(app, "question1")
    for score in (4, 3, 3, 2, 4, 4, 4, 3, 3):
        touch(app, button(app, f"answer:{score}").rect.center)
        app.step(0.02)
    pump(app, lambda: app.machine.survey.step == "profile")
    touch(app, button(app, "option:40-49").rect.center)
    app.step(0.02)
    for _ in range(3):
        touch(app, button(app, "nav:skip").rect.center)
        app.step(0.02)
    pump(app, lambda: app.machine.survey.step == "suggestion")
    for key in ("key:b", "key:a", "key:i", "key:k"):
        touch(app, button(app, key).rect.center)
        app.step(0.02)
    shot(app, "suggestion")
    touch(app, button(app, "nav:done").rect.center)
    pump(app, lambda: app.machine.survey.step == "thanks")
    shot(app, "thanks")
    (row,) = app.store.survey_responses(app.machine.day, app.machine.day)
    assert row["answers"]["biaya"] == 2 and row["profile"]["age"] == "40-49" and row["suggestion"] == "baik"
    assert [e["type"] for e in app.store.unsent_events(1000)].count("survey_response") == 1
    # The same ticket again: politely refused.
    touch(app, app.surface.get_rect().center)
    pump(app, lambda: app.screen_name == "home")
    touch(app, button(app, "survey").rect.center)
    pump(app, lambda: app.screen_name == "survey")
    scan(label)
    pump(app, lambda: app.machine.survey.step == "refused")
    shot(app, "already")
    assert f"Tiket {label} sudah mengisi survei" in texts(app)
    assert len(app.store.survey_responses(app.machine.day, app.machine.day)) == 1
