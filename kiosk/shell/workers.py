"""The kiosk's devices and worker threads, started and stopped in one place.

Picks each driver by the config unless one is injected (tests and benches):
the printer and its worker thread, the announcer, the buttons, the sync
worker and the LAN server. Each part only puts events on the shell's queue.
"""
from __future__ import annotations

import logging
from pathlib import Path

from kiosk.core.errors import ButtonError
from kiosk.shell.lan_link import start_lan

log = logging.getLogger(__name__)


class Workers:
    """``printer``, ``announcer``, ``board`` (False: no buttons) and ``sync``
    (False: none) may be given; None means "open what the config says"."""

    def __init__(self, cfg, events, *, printer=None, announcer=None, board=None, sync=None):
        self.cfg = cfg
        self.events = events
        self.printer, self.announcer, self.board, self.sync = printer, announcer, board, sync
        self.print_worker = None
        self.lan = None

    def start(self, status_provider) -> None:
        """Open the devices and start the threads. ``status_provider`` gives
        the heartbeat's snapshot (called from the sync thread)."""
        from kiosk.services.printing import PrintWorker

        cfg = self.cfg
        if self.announcer is None:
            from drivers.sound import open_announcer

            self.announcer = open_announcer(cfg.display)
        if self.printer is None:
            from drivers.printer import open_printer

            self.printer = open_printer(cfg.printer, cfg.device.language,
                                        Path(cfg.storage.database).parent / "tickets")
        self.print_worker = PrintWorker(cfg.printer, self.printer, self.events, db_path=cfg.storage.database)
        self.print_worker.start()
        if self.board is False:
            self.board = None
        elif self.board is None:
            from drivers.buttons import ButtonBoard

            try:
                self.board = ButtonBoard(cfg, self.events)
            except ButtonError as e:
                # The touch screen still works without buttons: say so, carry on.
                log.error("buttons unavailable: %s", e)
                self.board = None
        if self.sync is False or not cfg.sync.enabled:
            self.sync = None
        elif self.sync is None:
            from kiosk.services.sync.worker import SyncWorker

            self.sync = SyncWorker(cfg, cfg.storage.database, status_provider, events=self.events)
            self.sync.start()
        self.lan = start_lan(cfg, self.events)

    def preview_png(self) -> str:
        """The PNG the preview printer wrote for the last ticket ("" for real printers)."""
        path = getattr(self.printer, "last_path", None)
        return str(path) if path else ""

    def stop(self) -> None:
        """Stop the threads (the print worker finishes its job first) and close the devices."""
        # The outbox is durable, so the sync worker gets a short join.
        for name, part, wait in (("print worker", self.print_worker, 5.0), ("sync", self.sync, 2.0)):
            if part is not None:
                try:
                    part.stop(timeout=wait)
                except Exception:
                    log.exception("stopping the %s failed", name)
        for part, verb in ((self.lan, "stop"), (self.board, "close"), (self.announcer, "close")):
            close = getattr(part, verb, None)
            if close:
                try:
                    close()
                except Exception:
                    log.exception("closing %s failed", type(part).__name__)
