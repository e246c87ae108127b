"""The receiver's one-command server: waitress, with the limits a public service needs.

waitress reads requests in one asynchronous loop and hands only complete
requests to a bounded pool of worker threads, so idle or slow clients cost a
socket, not a thread (wsgiref gave each its own thread, without any timeout):
- ``channel_timeout``: a connection silent this long is closed, even halfway
  through a request (a body that promises 500 bytes and sends 12);
- ``threads``: the worker pool; ``connection_limit``: open connections at most;
- ``max_request_header_size`` / ``max_request_body_size``: waitress answers 431/413
  itself before the application sees anything.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable

from kiosk.services.sync import protocol

log = logging.getLogger("kiosk.office.server")


@dataclass(frozen=True)
class ServerLimits:
    threads: int = 8
    connection_limit: int = 1000
    channel_timeout: float = 30.0  # seconds without a byte from the client
    max_header_bytes: int = 16 * 1024
    max_body_bytes: int = protocol.MAX_BODY_BYTES + 64 * 1024  # the app refuses over MAX_BODY_BYTES (413)
    backlog: int = 1024


class ReceiverServer:
    """A waitress server in the shape of socketserver's: ``server_address``,
    ``serve_forever()``, ``shutdown()`` (from any thread), ``server_close()``."""

    def __init__(self, app: Callable, host: str = "127.0.0.1", port: int = 8080,
                 limits: ServerLimits = ServerLimits()) -> None:
        from waitress.server import create_server

        self._server: Any = create_server(
            app, host=host, port=port, threads=limits.threads, connection_limit=limits.connection_limit,
            channel_timeout=limits.channel_timeout, cleanup_interval=min(5.0, limits.channel_timeout),
            max_request_header_size=limits.max_header_bytes, max_request_body_size=limits.max_body_bytes,
            backlog=limits.backlog, asyncore_use_poll=True, ident="ptsp-receiver", expose_tracebacks=False,
            clear_untrusted_proxy_headers=True, log_socket_errors=False)
        self.server_address = (self._server.effective_host, int(self._server.effective_port))
        self._stopped = threading.Event()
        self._closed = False

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until shutdown() (``poll_interval`` is accepted for socketserver compatibility)."""
        try:
            self._server.run()
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop serve_forever() and wait for it; safe to call from another thread."""
        if self._stopped.is_set():
            return
        # The loop owns its socket map: close everything from inside the loop.
        from waitress import wasyncore

        try:
            self._server.trigger.pull_trigger(lambda: wasyncore.close_all(self._server._map))
        except OSError:
            pass  # the loop woke up, ran the thunk and closed the trigger before our wake-up write
        self._stopped.wait(10)

    def server_close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        if not self._stopped.is_set():
            self._server.close()


def make_server(app: Callable, host: str = "127.0.0.1", port: int = 8080,
                limits: ServerLimits = ServerLimits()) -> ReceiverServer:
    """A waitress server for ``app`` (port 0: any free port)."""
    return ReceiverServer(app, host, port, limits)


def parse_listen(text: str) -> tuple[str, int]:
    """'127.0.0.1:8080' -> ('127.0.0.1', 8080); ValueError otherwise."""
    host, sep, port = text.rpartition(":")
    if not sep or not (port.isascii() and port.isdigit()) or not 0 <= int(port[:6]) <= 65535 or len(port) > 5:
        raise ValueError(f"--listen {text!r}: use HOST:PORT, e.g. 127.0.0.1:8080")
    return host.strip("[]") or "127.0.0.1", int(port)
