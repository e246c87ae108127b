"""Office-side fixtures: every receiver test runs on SQLite and on PostgreSQL.

PostgreSQL: PTSP_TEST_PG_URL if set (a server the CI started), else a throwaway
cluster from Debian's binaries, started once per test session. Each test gets
its own schema. Without PostgreSQL the postgresql cases are skipped, except
under CI (CI set), where a missing server fails the run.
"""
import os
import uuid

import pytest

from kiosk.office import pgcluster

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_server_url():
    """The base URL of a PostgreSQL server for this session (or skip/fail)."""
    url = os.environ.get("PTSP_TEST_PG_URL")
    if url:
        yield url
        return
    if not pgcluster.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed, and CI must run the PostgreSQL tests")
        pytest.skip("PostgreSQL not installed (set PTSP_TEST_PG_URL or apt-get install postgresql)")
    cluster = pgcluster.TempCluster()
    try:
        cluster.start()
    except Exception as e:  # noqa: BLE001 - reported as the reason
        cluster.stop()
        if os.environ.get("CI"):
            pytest.fail(f"cannot start PostgreSQL: {e}")
        pytest.skip(f"cannot start PostgreSQL: {e}")
    yield cluster.url
    cluster.stop()


def _fresh_url(request, folder):
    """(url, cleanup) of a fresh, empty database on the backend of request.param."""
    if request.param == "sqlite":
        return str(folder / "receiver.db"), lambda: None
    base = request.getfixturevalue("pg_server_url")
    schema = "t_" + uuid.uuid4().hex[:12]
    return pgcluster.with_schema(base, schema), lambda: pgcluster.drop_schema(base, schema)


@pytest.fixture(params=BACKENDS)
def office_db_url(request, tmp_path):
    """A URL for a fresh, empty office database: a SQLite path or a postgresql:// URL."""
    url, cleanup = _fresh_url(request, tmp_path)
    yield url
    cleanup()


@pytest.fixture(scope="module", params=BACKENDS)
def shared_office_db(request, tmp_path_factory):
    """One migrated Database per backend for a whole module (tests that store nothing)."""
    from kiosk.office.db import open_database

    url, cleanup = _fresh_url(request, tmp_path_factory.mktemp("office"))
    db = open_database(url)
    yield db
    db.close()
    cleanup()


@pytest.fixture(scope="session")
def _pg_reused_url(pg_server_url):
    """One migrated PostgreSQL schema for the session; office_db empties it per test
    (TRUNCATE is ten times faster than creating and migrating a schema)."""
    from kiosk.office.db import open_database

    schema = "reused_" + uuid.uuid4().hex[:8]
    url = pgcluster.with_schema(pg_server_url, schema)
    open_database(url).close()
    yield url
    pgcluster.drop_schema(pg_server_url, schema)


@pytest.fixture(params=BACKENDS)
def office_db(request, tmp_path):
    """A migrated, empty Database on each backend."""
    from kiosk.office.db import open_database

    if request.param == "sqlite":
        db = open_database(str(tmp_path / "receiver.db"))
    else:
        db = open_database(request.getfixturevalue("_pg_reused_url"))
        with db.write() as q:
            tables = [t for (t,) in q.all("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                      if t != "schema_migrations"]
            q.run(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
    yield db
    db.close()
