"""SQLite backend: one file, WAL, durable commits, writers serialised by BEGIN IMMEDIATE."""
from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from urllib.parse import quote
from typing import Any, Iterator, Sequence

from kiosk.office.db.base import Database, Params, StorageBusy, StorageError

APPLICATION_ID = 0x50545352  # "PTSR": marks the file as a receiver database

# Messages of passing trouble: answer 503 and let the kiosk retry.
_BUSY_WORDS = ("locked", "busy", "disk i/o", "database or disk is full", "unable to open")


def _use_wal(db: Any, seconds: float = 15.0) -> None:
    """Switch the file to WAL (a mode stored in the file), on every open, so
    that a file left in another mode is set right the next time. The switch
    needs a moment alone with the file and SQLite does not wait for it (it
    fails, or answers the old mode), so receivers starting together retry."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() == "wal":
                return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e).lower() and "busy" not in str(e).lower():
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("database is locked: cannot switch it to WAL")
        time.sleep(0.02)


class SQLiteDatabase(Database):
    """The receiver's SQLite file. Connections are pooled and used by one thread at a time."""

    backend = "sqlite"

    def __init__(self, path: str, pool_size: int = 16) -> None:
        super().__init__(path, pool_size)
        self.path = path
        self._check_file()

    def _check_file(self) -> None:
        """Refuse (and leave alone) a file that is not ours, before anything is written."""
        refused = StorageError(f"{self.path} is not a PTSP receiver database; choose another --db path")
        if self._foreign_at_a_look():
            raise refused
        try:
            db = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        except sqlite3.Error as e:
            raise StorageError(f"cannot open {self.path}: {e}") from None
        try:
            if self._foreign(db) or self._claim(db):
                raise refused
            _use_wal(db)
        except sqlite3.Error as e:
            raise StorageError(f"cannot use {self.path} as the receiver database: {e}") from None
        finally:
            db.close()

    def _foreign_at_a_look(self) -> bool:
        """Whether an existing file is foreign, seen through a read-only
        connection: a read-write one would, on closing, write the owner's
        leftover journal into the file that is then refused. Any trouble here
        leaves the decision (and its message) to the read-write check."""
        if not os.path.isfile(self.path):
            return False
        try:
            look = sqlite3.connect(f"file:{quote(os.path.abspath(self.path))}?mode=ro", uri=True, timeout=15)
        except sqlite3.Error:
            return False
        try:
            return self._foreign(look)
        except sqlite3.Error:
            return False
        finally:
            look.close()

    @staticmethod
    def _foreign(db: Any) -> bool:
        """Whether the file belongs to something else: another application id,
        or tables without ours (read without a lock: a foreign read-only file
        is refused as foreign, not as read-only). One statement, so both are read
        from the same moment of a file that another receiver may be setting up."""
        app_id, tables = db.execute(
            "SELECT (SELECT application_id FROM pragma_application_id()), "
            "(SELECT count(*) FROM sqlite_master WHERE type = 'table')").fetchone()
        return app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables > 0)

    def _claim(self, db: Any) -> bool:
        """Mark a new, empty file as ours; True when it turned out foreign after all.

        Checked again under the write lock: receivers starting together on a
        new file would otherwise see one another's first tables and refuse it."""
        if db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
            return False
        db.execute("BEGIN IMMEDIATE")
        if self._foreign(db):
            db.execute("ROLLBACK")
            return True
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("COMMIT")
        return False

    def _connect(self) -> Any:
        conn = sqlite3.connect(self.path, timeout=15, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA synchronous = FULL")  # acknowledged means on disk
        return conn

    def _begin(self, conn: Any) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def _commit(self, conn: Any) -> None:
        conn.execute("COMMIT")

    def _rollback(self, conn: Any) -> None:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _execute(self, conn: Any, sql: str, params: Params) -> Any:
        return conn.execute(sql, tuple(params))

    def _execute_many(self, conn: Any, sql: str, rows: Sequence[Params]) -> None:
        conn.executemany(sql, rows)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as e:
            text = str(e).lower()
            if any(word in text for word in _BUSY_WORDS):
                raise StorageBusy(f"{self.path}: {e}") from None
            raise StorageError(f"{self.path}: {e}") from None
        except sqlite3.DatabaseError as e:
            raise StorageError(f"{self.path}: {e}") from None

    def auto_id(self) -> str:
        return "INTEGER PRIMARY KEY"

    def schema_user_version(self) -> int:
        """The PRAGMA user_version (1 on files of the first receiver, before migrations)."""
        with self.read() as q:
            row = q.one("PRAGMA user_version")
        return int(row[0]) if row else 0
