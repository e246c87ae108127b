"""The running app, headless: from a press to a printed number to a call."""
import dataclasses

from kiosk.machine.effects import Refresh
import os
import socket

import pygame
import pytest

from kiosk.core.errors import PaperOut, StoreError
from kiosk.core.events import CounterAction, Quit, TakeTicket
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store
from kiosk.core import tickets as T

from app_helpers import OK, PAPER_OUT, make_app, printer, pump, texts  # noqa: F401 (fixtures)


def button(app, name):
    return next(b for b in app.renderer.screen.buttons if b.name == name)


def touch(app, pos):
    w, h = app.surface.get_size()
    pygame.event.post(pygame.event.Event(pygame.FINGERDOWN, x=pos[0] / w, y=pos[1] / h, touch_id=1,
                                         finger_id=0, dx=0, dy=0, pressure=1))
    # SDL repeats every touch as a synthetic mouse click
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=True))


@pytest.fixture
def notify(tmp_path, monkeypatch):
    """A fake systemd NOTIFY_SOCKET; calling it returns every message sent so far."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    messages = []

    def received():
        while True:
            try:
                messages.append(sock.recv(1024).decode())
            except BlockingIOError:
                return messages

    yield received
    sock.close()


def wait_for_number(app):
    """Run the loop until the ticket screen shows a printed number."""
    pump(app, lambda: app.machine.ticket_view and app.machine.ticket_view.phase == "done")


def take_ticket_and_call(app, counter=1):
    """A visitor takes a kunjungan ticket and ``counter`` calls it."""
    app.events.put(TakeTicket("kunjungan", False, "button"))
    wait_for_number(app)
    app.events.put(CounterAction(counter, "call"))
    pump(app, lambda: app.machine.calls.get(counter) is not None)


def tickets_of(app, day=None):
    return app.store.tickets(app.service.status().day)


def test_full_flow_press_print_call_paper_out_and_back(make_app, printer):
    app = make_app()
    pump(app, lambda: app.screen_name == "home")
    # Given the printer is slow, when a visitor touches service A
    printer.stall()
    touch(app, button(app, "service:A").rect.center)
    # Then the kiosk says it is printing
    pump(app, lambda: app.machine.ticket_view is not None)
    assert app.screen_name == "ticket" and "Mencetak tiket..." in texts(app)
    # And when the printer finishes, the number is shown
    printer.release()
    wait_for_number(app)
    assert "A-001" in texts(app)
    assert len(printer.jobs) == 1
    pump(app, lambda: app.screen_name == "home")
    # When counter 1 calls, the now serving screen shows the number and it is announced
    app.events.put(CounterAction(1, "call"))
    pump(app, lambda: app.screen_name == "serving")
    assert "A-001" in texts(app)
    assert app.parts.announcer.said == [("Nomor antrian A satu. A satu. Silakan menuju loket satu.", "id")]
    # When the printer runs out of paper, the kiosk is out of order with the code
    printer.health = PAPER_OUT
    pump(app, lambda: app.screen_name == "out_of_order")
    assert "Silakan hubungi petugas" in texts(app)
    assert any("PRN-PAPER" in t for t in texts(app))
    # And a press issues nothing (another service: A's button is still in its quiet interval)
    app.events.put(TakeTicket("barang", False, "button"))
    pump(app, lambda: not app.events.qsize())
    app.step(0.02)
    assert len(tickets_of(app)) == 1
    ignored = app.store.events(types=("press_ignored",))
    assert [e["data"]["why"] for e in ignored] == ["out_of_order:PRN-PAPER"]
    # When the paper is back, the home screen comes back by itself
    printer.health = OK
    pump(app, lambda: app.screen_name == "home")
    assert button(app, "service:A").enabled


def test_a_touch_is_handled_once_although_sdl_also_sends_a_mouse_click(make_app):
    app = make_app()
    pump(app, lambda: app.screen_name == "home")
    touch(app, button(app, "service:B").rect.center)
    wait_for_number(app)
    pump(app, lambda: app.screen_name == "home")
    assert [t.label for t in tickets_of(app)] == ["B-001"]
    assert app.store.events(types=("press_ignored",)) == []  # the mouse copy never became a press


def test_a_mouse_click_takes_a_priority_ticket(make_app):
    app = make_app()
    pump(app, lambda: app.screen_name == "home")
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=button(app, "priority:A").rect.center,
                                         button=1, touch=False))
    wait_for_number(app)
    (ticket,) = tickets_of(app)
    assert ticket.priority and "PRIORITAS" in " ".join(texts(app))


def test_twenty_presses_in_a_second_give_one_ticket_and_are_logged(make_app):
    app = make_app()
    for _ in range(20):
        app.events.put(TakeTicket("kunjungan", False, "button"))
    wait_for_number(app)
    assert len(tickets_of(app)) == 1
    ignored = app.store.events(types=("press_ignored",))
    assert len(ignored) == 19


def test_a_failed_print_voids_the_ticket_and_says_so(make_app, printer):
    app = make_app()
    printer.fail_next(PaperOut("no paper"))
    app.events.put(TakeTicket("barang", False, "button"))
    pump(app, lambda: app.machine.ticket_view and app.machine.ticket_view.phase == "failed")
    joined = " | ".join(texts(app))
    assert "dibatalkan" in joined and "PRN-PAPER" in joined
    assert "Silakan ambil tiket lagi atau hubungi petugas" in joined
    (ticket,) = tickets_of(app)
    assert ticket.state == T.VOID
    # and a void number is never called
    app.events.put(CounterAction(1, "call"))
    pump(app, lambda: not app.events.qsize())
    app.step(0.02)
    assert app.machine.calls.get(1) is None


def test_a_closed_service_pressed_by_button_shows_why(make_app, demo_config):
    services = list(demo_config.services)
    services[1] = dataclasses.replace(services[1], enabled=False)
    app = make_app(cfg=dataclasses.replace(demo_config, services=tuple(services)))
    pump(app, lambda: app.screen_name == "home")
    assert not button(app, "service:B").enabled
    app.events.put(TakeTicket("barang", False, "button"))
    pump(app, lambda: app.machine.ticket_view and app.machine.ticket_view.phase == "refused")
    assert "Tutup" in " ".join(texts(app))
    assert tickets_of(app) == []


def test_an_exception_in_a_handler_shows_out_of_order_and_the_app_carries_on(make_app, monkeypatch):
    import kiosk.machine.machine

    monkeypatch.setattr(kiosk.machine.machine, "ERROR_SECONDS", 0.3)
    app = make_app()

    def broken(counter):
        raise RuntimeError("bug")

    monkeypatch.setattr(app.service, "call_next", broken)
    app.events.put(CounterAction(2, "call"))
    pump(app, lambda: app.screen_name == "out_of_order")
    assert any("ERR" in t for t in texts(app))
    pump(app, lambda: app.screen_name == "home")


def test_an_exception_while_drawing_is_shown_as_out_of_order(make_app, monkeypatch):
    from kiosk.shell.screen.screens import HomeScreen

    app = make_app()

    def broken(self, m, view, now):
        raise ValueError("layout bug")

    monkeypatch.setattr(HomeScreen, "draw_body", broken)
    app.machine.version += 1  # something changed: the screen is drawn again
    app.step(0.01)
    assert app.screen_name == "out_of_order"
    assert any("ERR" in t for t in texts(app))


def test_a_storage_error_shows_db_and_recovers(make_app, monkeypatch):
    import kiosk.machine.machine

    monkeypatch.setattr(kiosk.machine.machine, "REFRESH_SECONDS", 0.05)
    app = make_app()
    real = app.service.availability

    def failing():
        raise StoreError("disk I/O error")

    monkeypatch.setattr(app.service, "availability", failing)
    pump(app, lambda: app.screen_name == "out_of_order")
    assert any("DB" in t for t in texts(app))
    monkeypatch.setattr(app.service, "availability", real)
    pump(app, lambda: app.screen_name == "home")


def test_a_call_during_the_ticket_screen_is_still_shown_after_it(make_app):
    app = make_app()
    take_ticket_and_call(app)
    assert app.screen_name == "ticket"
    pump(app, lambda: app.screen_name != "ticket")
    assert app.screen_name == "serving"


def test_a_call_made_from_the_command_line_is_shown_and_announced(make_app, monkeypatch):
    import kiosk.machine.machine

    monkeypatch.setattr(kiosk.machine.machine, "REFRESH_SECONDS", 0.05)
    app = make_app()
    other = QueueService(app.cfg, Store(app.cfg.storage.database))
    issued = other.issue("informasi")
    other.printed(issued.ticket.id)
    other.call_next(3)
    pump(app, lambda: app.machine.calls.get(3) and app.machine.calls[3].label == "C-001")
    assert app.parts.announcer.said == [("Nomor antrian C satu. C satu. Silakan menuju loket tiga.", "id")]


def test_admin_keys_end_the_app_and_escape_does_not_in_production(make_app):
    app = make_app()
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="", scancode=0))
    app.step(0.02)
    assert app.running
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q, mod=pygame.KMOD_LCTRL | pygame.KMOD_LALT,
                                         unicode="q", scancode=0))
    app.step(0.02)
    assert not app.running and app.quit_reason == "admin keys"


def test_demo_keys_drive_the_mock_buttons_like_real_ones(make_app):
    # board=None: the real ButtonBoard on mock pins, as in `ptsp-kiosk demo`
    app = make_app(board=None, demo=True)
    assert "1-5" in app.machine.help_text
    pressed = []
    real_press = app.parts.board.press
    app.parts.board.press = lambda target: pressed.append(target) or real_press(target)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_2, mod=0, unicode="2", scancode=0))
    wait_for_number(app)
    (ticket,) = tickets_of(app)
    assert ticket.label == "B-001"
    assert pressed == ["B"]  # through the mock pin, not a shortcut around the buttons


def test_ready_is_sent_to_systemd_after_the_first_frame(make_app, notify, monkeypatch):
    monkeypatch.setenv("WATCHDOG_USEC", "100000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    app = make_app()
    pump(app, lambda: app.frames >= 1)
    app.step(0.06)
    app.step(0.06)
    messages = notify()
    assert sum(m.startswith("READY=1") for m in messages) == 1
    assert "WATCHDOG=1" in messages


def test_quit_finishes_the_ticket_that_is_printing(make_app, printer):
    app = make_app()
    printer.stall()
    app.events.put(TakeTicket("kunjungan", False, "button"))
    pump(app, lambda: app.machine.printing)
    app.events.put(Quit("test"))
    app.step(0.02)
    assert not app.running
    printer.release()
    app.stop()
    store = Store(app.cfg.storage.database)
    (ticket,) = store.tickets(store.days()[-1] if store.days() else None)
    assert ticket.state == T.WAITING


def test_the_heartbeat_snapshot_has_the_documented_printer_and_last_ticket(make_app):
    app = make_app()
    app.events.put(TakeTicket("kunjungan", False, "button"))
    wait_for_number(app)
    snap = app.sync_snapshot()
    assert snap["printer"] == {"online": True, "paper": "ok", "cover_open": False, "detail": "fake printer"}
    assert snap["last_ticket"] == "A-001"
    assert snap["fault"] is None


def test_the_heartbeat_reports_the_fault_the_screen_shows(make_app, printer):
    app = make_app()
    printer.health = PAPER_OUT
    pump(app, lambda: app.screen_name == "out_of_order")
    snap = app.sync_snapshot()
    assert snap["fault"] == "PRN-PAPER" and snap["printer"]["paper"] == "out"


def test_a_change_to_out_of_order_is_reported_to_systemd_status(make_app, printer, notify):
    app = make_app()
    pump(app, lambda: app.frames >= 1)
    printer.health = PAPER_OUT
    pump(app, lambda: app.screen_name == "out_of_order")
    app.step(0.02)
    messages = notify()
    assert any(m.startswith("STATUS=out of order: PRN-PAPER") for m in messages), messages


def test_a_new_business_day_clears_the_calls_of_the_day_before(make_app):
    app = make_app()
    take_ticket_and_call(app)
    app.machine.day = "2000-01-01"  # as if the last refresh was on an earlier day
    app.machine.calls[1] = dataclasses.replace(app.machine.calls[1], label="Z-999")
    app._execute([Refresh()])
    assert app.machine.calls.get(1) is None or app.machine.calls[1].label == "A-001"


def test_a_signal_only_leaves_a_note_and_the_loop_quits(make_app):
    import signal

    app = make_app()
    app._on_signal(signal.SIGTERM, None)
    assert app.running  # nothing happened inside the handler
    app.step(0.02)
    assert not app.running and app.quit_reason == "SIGTERM"


def test_a_refused_boot_partition_config_shows_cfg_boot(make_app, tmp_path):
    marker = tmp_path / "var/lib/ptsp-kiosk/provision-error"
    marker.parent.mkdir(parents=True)
    marker.write_text("CFG-BOOT\nservices[0].prefix: must be one letter\n")
    app = make_app(system_root=tmp_path)
    pump(app, lambda: app.screen_name == "out_of_order")
    assert any("CFG-BOOT" in t for t in texts(app))


def test_a_kiosk_with_sync_enabled_starts_its_sync_worker(make_app, demo_config, tmp_path):
    # The composition root really builds the sync worker (no fake): a config
    # with [sync] enabled must start, not fail at an import.
    token = tmp_path / "token"
    token.write_text("t" * 32)
    token.chmod(0o600)
    cfg = dataclasses.replace(demo_config, sync=dataclasses.replace(
        demo_config.sync, enabled=True, url="http://127.0.0.1:9/api/v1/events", token_file=str(token)))
    app = make_app(cfg=cfg, sync=None)
    pump(app, lambda: app.screen_name == "home")
    from kiosk.services.sync.worker import SyncWorker

    assert isinstance(app.parts.sync, SyncWorker)
