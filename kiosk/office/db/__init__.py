"""The office database: SQLite or PostgreSQL, chosen by a URL (issue 14).

    db = open_database("receiver.db")                       # SQLite file
    db = open_database("postgresql://ptsp@/ptsp_receiver")  # PostgreSQL (psycopg 3)

``open_database`` migrates the schema. Queries are written once with ``?``
placeholders (see base.Query); the API is described in docs/OFFICE.md.
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from kiosk.office.db.base import Database, Query, StorageBusy, StorageError
from kiosk.office.db.migrations import LATEST, migrate

__all__ = ["Database", "Query", "StorageBusy", "StorageError", "open_database", "is_postgres_url",
           "redact", "LATEST"]

_PG_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(url: str) -> bool:
    return str(url).lower().startswith(_PG_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if not is_postgres_url(url):
        return str(url)
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def open_database(url: str, pool_size: int = 16, migrate_schema: bool = True) -> Database:
    """A Database for ``url``: a file path (or sqlite:///path) or postgresql://...

    Raises StorageError with a message for the technician when it cannot be used.
    """
    text = str(url)
    if not text or "\x00" in text:
        raise StorageError("--db: give a file path or a postgresql:// URL")
    db: Database
    if is_postgres_url(text):
        from kiosk.office.db.postgres import PostgresDatabase

        db = PostgresDatabase(text, redact(text), pool_size)
    else:
        from kiosk.office.db.sqlite import SQLiteDatabase

        if text.lower().startswith("sqlite://"):
            text = text[len("sqlite://"):]
            if not text.startswith("/"):
                raise StorageError("sqlite URL: use sqlite:///absolute/path.db (three slashes)")
        db = SQLiteDatabase(text, pool_size)
    if migrate_schema:
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
    return db
