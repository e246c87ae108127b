"""Schema migrations, the same for SQLite and PostgreSQL.

Each migration is applied once, in order, in its own transaction, and recorded
in ``schema_migrations``. Type words that mean the same on both backends:
TEXT, BIGINT (64-bit; PostgreSQL's INTEGER is only 32-bit), DOUBLE PRECISION
(PostgreSQL's REAL is only 32-bit); ``{ID}`` becomes an auto-numbered primary
key. Never edit a migration that has shipped: append a new one.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Optional

from kiosk.office.db.base import Database, Query, StorageError


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str  # statements separated by ";" on their own line ends
    after: Optional[Callable[[Database, Query], None]] = None  # Python step in the same transaction


def _rebuild_aggregates(db: Database, q: Query) -> None:
    from kiosk.office.ingest import rebuild_aggregates  # late: ingest needs this package

    rebuild_aggregates(q)


MIGRATIONS: list[Migration] = [
    # 1: the first receiver's schema (files made by it carry PRAGMA user_version = 1).
    Migration(1, "events, tokens, heartbeats", """
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL DEFAULT 'device',
    created DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    device TEXT NOT NULL,
    uid TEXT NOT NULL,
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    time DOUBLE PRECISION NOT NULL,
    day TEXT NOT NULL,
    ticket_id BIGINT,
    service TEXT,
    label TEXT,
    counter BIGINT,
    data TEXT NOT NULL,
    received DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (device, uid)
);
CREATE INDEX IF NOT EXISTS events_device_day ON events (device, day);
CREATE TABLE IF NOT EXISTS device_status (
    device TEXT PRIMARY KEY,
    last_seen DOUBLE PRECISION NOT NULL,
    last_seq BIGINT,
    heartbeat TEXT,
    heartbeat_at DOUBLE PRECISION
);
CREATE TABLE IF NOT EXISTS heartbeats (
    id {ID},
    device TEXT NOT NULL,
    received DOUBLE PRECISION NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS heartbeats_device ON heartbeats (device, received)
"""),
    # 2: devices with heartbeat fields, tickets and daily aggregates kept on
    # ingest (so reading a period costs the period, not the history), users.
    Migration(2, "devices, tickets, daily aggregates, users", """
CREATE TABLE devices (
    device TEXT PRIMARY KEY,
    registered DOUBLE PRECISION,
    first_seen DOUBLE PRECISION,
    last_seen DOUBLE PRECISION,
    last_seq BIGINT,
    events BIGINT NOT NULL DEFAULT 0,
    heartbeat_at DOUBLE PRECISION,
    heartbeat TEXT,
    software TEXT,
    backlog BIGINT,
    printer_online BIGINT,
    paper TEXT,
    roll_counter BIGINT,
    cover_open BIGINT,
    clock_offset_s DOUBLE PRECISION,
    ntp_synchronized BIGINT,
    clock_problem TEXT,
    fault TEXT,
    faults TEXT,
    last_ticket TEXT,
    timezone TEXT,
    note TEXT
);
INSERT INTO devices (device, first_seen, last_seen, last_seq, heartbeat_at, heartbeat)
    SELECT device, last_seen, last_seen, last_seq, heartbeat_at, heartbeat FROM device_status;
INSERT INTO devices (device, registered)
    SELECT name, created FROM tokens WHERE role = 'device' ON CONFLICT (device) DO NOTHING;
DROP TABLE device_status;
CREATE INDEX events_type_day ON events (type, day);
CREATE TABLE tickets (
    device TEXT NOT NULL,
    day TEXT NOT NULL,
    ticket_id BIGINT NOT NULL,
    service TEXT NOT NULL,
    label TEXT,
    priority BIGINT NOT NULL DEFAULT 0,
    issued_at DOUBLE PRECISION,
    first_called_at DOUBLE PRECISION,
    last_called_at DOUBLE PRECISION,
    finished_at DOUBLE PRECISION,
    state TEXT,
    counter BIGINT,
    wait_s DOUBLE PRECISION,
    service_s DOUBLE PRECISION,
    print_state TEXT,
    PRIMARY KEY (device, day, ticket_id)
);
CREATE TABLE daily_service (
    device TEXT NOT NULL,
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    issued BIGINT NOT NULL DEFAULT 0,
    priority_issued BIGINT NOT NULL DEFAULT 0,
    printed BIGINT NOT NULL DEFAULT 0,
    called BIGINT NOT NULL DEFAULT 0,
    recalled BIGINT NOT NULL DEFAULT 0,
    served BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    void BIGINT NOT NULL DEFAULT 0,
    uncertain BIGINT NOT NULL DEFAULT 0,
    transferred BIGINT NOT NULL DEFAULT 0,
    reprinted BIGINT NOT NULL DEFAULT 0,
    waits BIGINT NOT NULL DEFAULT 0,
    wait_sum_s DOUBLE PRECISION NOT NULL DEFAULT 0,
    wait_max_s DOUBLE PRECISION NOT NULL DEFAULT 0,
    services BIGINT NOT NULL DEFAULT 0,
    service_sum_s DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (device, day, service)
);
CREATE INDEX daily_service_day ON daily_service (day);
CREATE TABLE daily_wait_hist (
    device TEXT NOT NULL,
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    minute BIGINT NOT NULL,
    tickets BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (device, day, service, minute)
);
CREATE TABLE daily_hour (
    device TEXT NOT NULL,
    day TEXT NOT NULL,
    hour BIGINT NOT NULL,
    weekday BIGINT NOT NULL,
    issued BIGINT NOT NULL DEFAULT 0,
    served BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (device, day, hour)
);
CREATE TABLE daily_counter (
    device TEXT NOT NULL,
    day TEXT NOT NULL,
    counter BIGINT NOT NULL,
    called BIGINT NOT NULL DEFAULT 0,
    served BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    service_sum_s DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (device, day, counter)
);
CREATE TABLE daily_types (
    device TEXT NOT NULL,
    day TEXT NOT NULL,
    type TEXT NOT NULL,
    events BIGINT NOT NULL DEFAULT 0,
    first_time DOUBLE PRECISION,
    last_time DOUBLE PRECISION,
    PRIMARY KEY (device, day, type)
);
CREATE INDEX daily_types_day ON daily_types (day);
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    last_login DOUBLE PRECISION
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    expires DOUBLE PRECISION NOT NULL,
    csrf TEXT NOT NULL
);
CREATE TABLE login_attempts (
    id {ID},
    key TEXT NOT NULL,
    time DOUBLE PRECISION NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts (key, time)
""", after=_rebuild_aggregates),
    # --- dashboard section: the dashboard helper appends its migrations here ---
]

LATEST = max(m.version for m in MIGRATIONS)


def _statements(db: Database, sql: str) -> list[str]:
    text = sql.replace("{ID}", db.auto_id())
    return [s.strip() for s in text.split(";\n") if s.strip()]


def migrate(db: Database, now: Callable[[], float] = time.time) -> int:
    """Bring the schema up to LATEST; returns the version now in place."""
    with db.write() as q:
        db.lock_schema(q)
        q.run("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
              "applied DOUBLE PRECISION NOT NULL)")
        # A file of the first receiver has no schema_migrations yet: migration 1 is
        # its schema written with IF NOT EXISTS, so it applies as a no-op there.
        done = {v for (v,) in q.all("SELECT version FROM schema_migrations")}
    newer = [v for v in done if v > LATEST]
    if newer:
        raise StorageError(f"{db.display} has schema version {max(newer)}, newer than this receiver "
                           f"knows ({LATEST}); update the software")
    for m in MIGRATIONS:
        if m.version in done:
            continue
        with db.write() as q:
            db.lock_schema(q)
            if q.one("SELECT 1 FROM schema_migrations WHERE version = ?", (m.version,)):
                continue  # another process did it meanwhile
            for statement in _statements(db, m.sql):
                q.run(statement)
            if m.after:
                m.after(db, q)
            q.run("INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)",
                  (m.version, m.name, now()))
            if db.backend == "sqlite":
                q.run(f"PRAGMA user_version = {int(m.version)}")
    return LATEST
