"""The kiosk's LAN server (display boards, staff page) as the shell sees it:
started when ``[lan] enabled``, fed the machine's snapshot after every turn,
handed the machine's replies to staff requests, stopped at the end."""
from __future__ import annotations

import logging
from typing import Optional

log = logging.getLogger(__name__)


class LanLink:
    """Owns the LanState and the LanServer of a running kiosk."""

    def __init__(self, cfg, events, *, server_factory=None):
        from kiosk.lan.server import LanServer
        from kiosk.lan.state import LanState

        self.state = LanState(cfg, events=events)
        self.server = (server_factory or LanServer)(cfg, self.state).start()

    def publish(self, snapshot) -> None:
        """After a turn: the board's feed follows the machine (cheap when unchanged)."""
        self.state.publish(snapshot.as_dict())

    def reply(self, reply) -> None:
        """The machine answered a staff request: wake the HTTP thread waiting for it."""
        self.state.reply(reply.request_id, reply)

    def stop(self) -> None:
        self.server.stop()


def start_lan(cfg, events) -> Optional[LanLink]:
    """The LAN link if the config enables it, else None. A server that cannot
    start (port in use, token file missing) is a KioskError with the reason."""
    lan = getattr(cfg, "lan", None)
    if lan is None or not lan.enabled:
        return None
    return LanLink(cfg, events)
