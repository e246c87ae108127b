"""The office receiver's documented entry points (docs/SYNC_PROTOCOL.md, "Running the receiver").

- ``make_app(db, tokens=None)``: a WSGI application on a SQLite file or a
  postgresql:// URL, e.g. ``gunicorn 'kiosk.office.receiver:make_app("/var/lib/x.db")'``;
- ``application``: a module-level WSGI app configured by ``PTSP_RECEIVER_DB``
  (required) and ``PTSP_RECEIVER_TOKENS`` (optional), for uWSGI/mod_wsgi/gunicorn;
- ``ReceiverDB``: the database with its token, ingest and report functions,
  for commands and tests.

The parts live next to this module: validate (request parsing), db (backends
and migrations), ingest (exactly-once storage and daily aggregates), reports,
tokens, app (WSGI routing) and server (waitress).
"""
from __future__ import annotations

import os
import threading
from typing import Any, Mapping, Optional, Sequence, Union

from kiosk.office import ingest, reports
from kiosk.office import tokens as _tokens
from kiosk.office.app import Receiver, make_app
from kiosk.office.db import Database, StorageError, open_database
from kiosk.office.server import ReceiverServer, ServerLimits, make_server, parse_listen
from kiosk.office.tokens import ROLES, TokensFile, hash_token
from kiosk.office.validate import Event, parse_event
from kiosk.services.sync import protocol

__all__ = ["ReceiverDB", "ReceiverError", "Receiver", "make_app", "application", "make_server", "parse_listen",
           "ReceiverServer", "ServerLimits", "TokensFile", "hash_token", "ROLES", "protocol"]

ReceiverError = StorageError  # the receiver cannot start (database not ours, bad tokens file)


class ReceiverDB:
    """The office database behind one object (for commands and tests)."""

    def __init__(self, url: Union[str, os.PathLike, Database]) -> None:
        self.db = url if isinstance(url, Database) else open_database(os.fspath(url))
        self.path = self.db.display

    def add_token(self, name: str, role: str = "device", now: Optional[float] = None) -> str:
        """Create (or replace) the token of ``name``; returns the new token once."""
        return _tokens.add_token(self.db, name, role, now)

    def token_owner(self, token_sha256: str) -> Optional[tuple[str, str]]:
        return _tokens.token_owner(self.db, token_sha256)

    def store_batch(self, device: str, events: Sequence[Mapping[str, Any]],
                    heartbeat: Optional[Mapping[str, Any]] = None,
                    now: Optional[float] = None) -> tuple[list[str], int, int]:
        """Validate and store events given as protocol dicts; (acknowledged, stored, duplicates)."""
        parsed = [e if isinstance(e, Event) else parse_event(e) for e in events]
        r = ingest.store_batch(self.db, device, parsed, heartbeat, now=now)
        return r.acknowledged, r.stored, r.duplicates

    def devices(self, only: Optional[str] = None) -> list[dict[str, Any]]:
        return reports.devices(self.db, only)

    def summary(self, device: Optional[str] = None, day: Optional[str] = None, days: int = 31) -> dict:
        return reports.summary(self.db, device, day, days)

    def close(self) -> None:
        self.db.close()


_lazy_app: Optional[Receiver] = None
_lazy_lock = threading.Lock()


def application(environ: dict, start_response: Any) -> Any:
    """A module-level WSGI entry point configured by environment variables:
    ``PTSP_RECEIVER_DB`` (required: a path or postgresql:// URL) and
    ``PTSP_RECEIVER_TOKENS`` (optional)."""
    global _lazy_app
    with _lazy_lock:
        if _lazy_app is None:
            db = os.environ.get("PTSP_RECEIVER_DB")
            if not db:
                raise ReceiverError("set PTSP_RECEIVER_DB to the receiver database path or URL")
            _lazy_app = make_app(db, os.environ.get("PTSP_RECEIVER_TOKENS") or None)
    return _lazy_app(environ, start_response)
