"""The transactional sink on PostgreSQL (the ``postgres`` extra): the crash app writes its
mapWithState records to PostgreSQL and SQLite while it is SIGKILLed and restarted; every
record is committed exactly once to both. Needs the server on 127.0.0.1:5432 (trust auth,
database ``test``): skipped with the reason printed when it is unreachable, a failure
under CI=true.
"""

from __future__ import annotations

import uuid

import pytest
from recovery_helpers import PG_CONNINFO, AppRun, expected, load_app, observed, require_service

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def _connect_or_none(conninfo: str):
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed (pip install 'sparklet[postgres]')"
    try:
        return psycopg.connect(conninfo, autocommit=True), None
    except Exception as e:
        return None, f"PostgreSQL at 127.0.0.1:5432 is unreachable: {e}"


@pytest.fixture
def pg_schema():
    conn, reason = _connect_or_none(PG_CONNINFO)
    require_service(conn is not None, reason or "")
    schema = f"sparklet_test_{uuid.uuid4().hex[:10]}"
    conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield conn, schema
    finally:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
        conn.close()


def test_postgres_sink_exactly_once_across_crashes(tmp_path, pg_schema):
    conn, schema = pg_schema
    app = load_app()
    run = AppRun(tmp_path, pg=f"{PG_CONNINFO} options='-c search_path={schema}'")
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
