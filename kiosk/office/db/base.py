"""The office database, whatever the backend: pooled connections, portable queries.

SQL is written once with ``?`` placeholders and the portable subset listed in
/work/briefs/office_db.md (ON CONFLICT, RETURNING, COALESCE, CASE); a backend
translates placeholders and turns its own exceptions into the two below, so the
receiver and the dashboard never see sqlite3 or psycopg errors.
"""
from __future__ import annotations

import abc
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

from kiosk.core.errors import KioskError

Params = Sequence[Any]


class StorageError(KioskError, RuntimeError):
    """The office database cannot be used (not ours, newer schema, unreachable)."""


class StorageBusy(StorageError):
    """A passing problem (locked, connection lost, disk full): answer 503, retry later."""


class Query:
    """One connection lent by the pool; the SQL is portable (``?`` placeholders)."""

    def __init__(self, database: "Database", conn: Any) -> None:
        self._db = database
        self._conn = conn

    def all(self, sql: str, params: Params = ()) -> list[tuple]:
        """Every row as a tuple."""
        with self._db._errors():
            cur = self._db._execute(self._conn, sql, params)
            return [tuple(r) for r in cur.fetchall()]

    def one(self, sql: str, params: Params = ()) -> tuple | None:
        """The first row, or None."""
        with self._db._errors():
            row = self._db._execute(self._conn, sql, params).fetchone()
            return tuple(row) if row is not None else None

    def dicts(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Every row as {column name: value}."""
        with self._db._errors():
            cur = self._db._execute(self._conn, sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def run(self, sql: str, params: Params = ()) -> int:
        """A statement without rows to read; returns the row count."""
        with self._db._errors():
            return int(self._db._execute(self._conn, sql, params).rowcount)

    def many(self, sql: str, rows: Sequence[Params]) -> None:
        """One statement for many parameter rows (no RETURNING)."""
        if rows:
            with self._db._errors():
                self._db._execute_many(self._conn, sql, rows)


class Database(abc.ABC):
    """Base class of the backends. A backend must provide ``_connect``,
    ``_begin``/``_commit``/``_rollback``, ``_execute``/``_execute_many``,
    ``_errors`` (a context manager mapping its exceptions to StorageError /
    StorageBusy) and ``_usable(conn)``; ``backend`` names it."""

    backend = "?"

    def __init__(self, display: str, pool_size: int = 16) -> None:
        self.display = display  # the URL without a password, for messages
        self._pool: list[Any] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._closed = False

    # -- the pool -------------------------------------------------------------
    @contextmanager
    def _lend(self) -> Iterator[Any]:
        if not self._slots.acquire(timeout=30):
            raise StorageBusy(f"{self.display}: every database connection is in use")
        conn = None
        try:
            with self._lock:
                conn = self._pool.pop() if self._pool else None
            if conn is None:
                with self._errors():
                    conn = self._connect()
            ok = False
            try:
                yield conn
                ok = True
            finally:
                if ok and self._usable(conn) and not self._closed:
                    with self._lock:
                        self._pool.append(conn)
                else:
                    self._discard(conn)
        finally:
            self._slots.release()

    def _discard(self, conn: Any) -> None:
        try:
            conn.close()
        except Exception:  # closing a broken connection may fail too; it is gone either way
            pass

    @contextmanager
    def read(self) -> Iterator[Query]:
        """A connection for reading (autocommit: each statement sees committed data)."""
        with self._lend() as conn:
            yield Query(self, conn)

    @contextmanager
    def write(self) -> Iterator[Query]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        with self._lend() as conn:
            with self._errors():
                self._begin(conn)
            try:
                yield Query(self, conn)
            except BaseException:
                self._rollback(conn)
                raise
            with self._errors():
                self._commit(conn)

    def close(self) -> None:
        """Close every pooled connection (connections lent out close when returned)."""
        self._closed = True
        with self._lock:
            pool, self._pool = self._pool, []
        for conn in pool:
            self._discard(conn)

    # -- what a backend provides ---------------------------------------------
    @abc.abstractmethod
    def _connect(self) -> Any:
        """Provided by each backend."""

    @abc.abstractmethod
    def _begin(self, conn: Any) -> None:
        """Provided by each backend."""

    @abc.abstractmethod
    def _commit(self, conn: Any) -> None:
        """Provided by each backend."""

    @abc.abstractmethod
    def _rollback(self, conn: Any) -> None:
        """Provided by each backend."""

    @abc.abstractmethod
    def _execute(self, conn: Any, sql: str, params: Params) -> Any:
        """Provided by each backend."""

    @abc.abstractmethod
    def _execute_many(self, conn: Any, sql: str, rows: Sequence[Params]) -> None:
        """Provided by each backend."""

    @abc.abstractmethod
    def _errors(self) -> Any:
        """Provided by each backend."""

    def _usable(self, conn: Any) -> bool:
        return True

    @abc.abstractmethod
    def auto_id(self) -> str:
        """The column type of an auto-numbered primary key (for migrations)."""

    def lock_schema(self, q: Query) -> None:  # noqa: B027  (SQLite's write lock already does it)
        """Inside a write(): keep other processes from migrating at the same time."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.display}>"
