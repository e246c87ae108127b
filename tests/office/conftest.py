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


@pytest.fixture(params=BACKENDS)
def office_db_url(request, tmp_path):
    """A URL for a fresh, empty office database: a SQLite path or a postgresql:// URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "receiver.db")
        return
    base = request.getfixturevalue("pg_server_url")
    schema = "t_" + uuid.uuid4().hex[:12]
    url = pgcluster.with_schema(base, schema)
    yield url
    pgcluster.drop_schema(base, schema)


@pytest.fixture
def office_db(office_db_url):
    """A migrated Database on each backend."""
    from kiosk.office.db import open_database

    db = open_database(office_db_url)
    yield db
    db.close()
