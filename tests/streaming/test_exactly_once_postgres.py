"""The transactional sink on PostgreSQL (the ``postgres`` extra): the crash app writes its
mapWithState records to PostgreSQL and SQLite while it is SIGKILLed and restarted; every
record is committed exactly once to both. The server is the ``postgres_service`` fixture's
(``SPARKLET_TEST_POSTGRES``, or one it starts): skipped with the reason printed when there is
none, a failure under CI=true.
"""

from __future__ import annotations

import uuid

import pytest
from recovery_helpers import AppRun, expected, load_app, observed

from services import require_module

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@pytest.fixture
def pg_schema(postgres_service):
    """A fresh schema on the test server: ``(connection, schema, conninfo)``, the conninfo
    putting the schema first on the search path."""
    psycopg = require_module("psycopg", "psycopg (the 'postgres' extra)")
    conn = psycopg.connect(postgres_service.url, autocommit=True)
    schema = f"sparklet_test_{uuid.uuid4().hex[:10]}"
    conn.execute(f"CREATE SCHEMA {schema}")
    conninfo = psycopg.conninfo.make_conninfo(postgres_service.url,
                                              options=f"-c search_path={schema}")
    try:
        yield conn, schema, conninfo
    finally:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
        conn.close()


def test_postgres_sink_exactly_once_across_crashes(tmp_path, pg_schema):
    conn, schema, conninfo = pg_schema
    app = load_app()
    run = AppRun(tmp_path, pg=conninfo)
    assert run.run("--crash", "output:4") == -9, run.logs
    assert run.run("--crash", "checkpoint:9") == -9, run.logs
    assert run.kill_after(1.4) in (-9, 0)
    assert run.run() == 0, run.logs
    want = expected(app)["occurrences"]
    rows = conn.execute(f"SELECT word, n FROM {schema}.occurrences").fetchall()
    assert sorted(rows) == want
    assert observed(run)["occurrences"] == want
    markers = conn.execute(f"SELECT count(*), count(DISTINCT (batch_time, partition_id)) "
                           f"FROM {schema}.sparklet_sink_commits").fetchone()
    assert markers[0] == markers[1] and markers[0] > 0
