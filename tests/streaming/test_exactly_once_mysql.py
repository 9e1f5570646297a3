"""The transactional sink on MySQL/MariaDB (the ``mysql`` extra, PyMySQL): a rerun batch
writes nothing twice, a failed partition rolls back whole, and the crash app -- SIGKILLed
and restarted with ``getOrCreate`` -- commits every record exactly once. The server is the
``mariadb_service`` fixture's (``SPARKLET_TEST_MYSQL``, or a MariaDB it starts): skipped
with the reason printed when there is none, a failure under CI=true.
"""

from __future__ import annotations

import sys
import time

import pytest
from recovery_helpers import AppRun, expected, load_app, observed

from services import fresh_mariadb_database, require_module
from sparklet.streaming.sinks import COMMITS_TABLE, mysql_connect_args, mysql_sink

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@pytest.fixture
def mysql_db(mariadb_service):
    """A fresh database on the test server: ``(connection, url)``, both on that database;
    dropped afterwards."""
    pymysql = require_module("pymysql", "pymysql (the 'mysql' extra)")
    with fresh_mariadb_database(mariadb_service) as url:
        conn = pymysql.connect(**mysql_connect_args(url), autocommit=True)
        try:
            yield conn, url
        finally:
            conn.close()


def query(conn, sql: str) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(sql)
        return [tuple(row) for row in cur.fetchall()]


def test_mysql_sink_commits_each_partition_once(sc, mysql_db):
    conn, url = mysql_db
    sink = mysql_sink(url, "INSERT INTO t(k, v) VALUES (%s, %s)", sink_id="t",
                      setup="CREATE TABLE IF NOT EXISTS t(k VARCHAR(8), v INT)")
    rdd = sc.parallelize([("a", 1), ("b", 2), ("c", 3)], 3)
    sink.write_batch(1000, rdd)
    sink.write_batch(1000, rdd)  # the same batch again: nothing added
    sink.write_batch(2000, rdd)  # a new batch: written
    assert sorted(query(conn, "SELECT k, v FROM t")) == sorted([("a", 1), ("b", 2),
                                                                 ("c", 3)] * 2)
    assert query(conn, f"SELECT sink_id, batch_time, partition_id FROM {COMMITS_TABLE} "
                       "ORDER BY 2, 3") == [("t", b, p) for b in (1000, 2000)
                                            for p in range(3)]


def test_mysql_commit_table_is_innodb_keyed_by_sink_batch_partition(sc, mysql_db):
    conn, url = mysql_db
    mysql_sink(url, "INSERT INTO t(k) VALUES (%s)", sink_id="t",
               setup="CREATE TABLE IF NOT EXISTS t(k INT)",
               row_to_params=lambda x: (x,)).write_batch(1000, sc.parallelize([1], 1))
    assert query(conn, "SELECT engine FROM information_schema.tables WHERE "
                       f"table_schema = DATABASE() AND table_name = '{COMMITS_TABLE}'") \
        == [("InnoDB",)]
    assert query(conn, "SELECT column_name FROM information_schema.key_column_usage "
                       f"WHERE table_schema = DATABASE() AND table_name = '{COMMITS_TABLE}' "
                       "AND constraint_name = 'PRIMARY' ORDER BY ordinal_position") \
        == [("sink_id",), ("batch_time",), ("partition_id",)]


class FailAfterPartitionZero:
    """``row_to_params`` that, for partition 1's ``None`` row, first waits (bounded) until
    partition 0 has committed, so the failure is known to come after that commit."""

    def __init__(self, url: str):
        self.url = url

    def __call__(self, record):
        if record[1] is None:
            import pymysql

            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                conn = pymysql.connect(**mysql_connect_args(self.url))
                try:
                    if query(conn, f"SELECT 1 FROM {COMMITS_TABLE} WHERE partition_id = 0"):
                        break
                finally:
                    conn.close()
                time.sleep(0.05)
        return record


def test_mysql_failed_partition_rolls_back(sc, mysql_db):
    """Partition 1 fails after its marker was inserted (a NULL into a NOT NULL column):
    partition 0 stays committed, partition 1 leaves neither rows nor marker, and the
    rerun of the batch writes partition 1 whole and partition 0 not again."""
    conn, url = mysql_db
    sink = mysql_sink(url, "INSERT INTO t(p, k) VALUES (%s, %s)", sink_id="t",
                      row_to_params=FailAfterPartitionZero(url),
                      setup="CREATE TABLE IF NOT EXISTS t(p INT, k INT NOT NULL) "
                            "ENGINE=InnoDB")
    bad = sc.parallelize([(0, 1), (0, 2), (1, 3), (1, None)], 2)
    with pytest.raises(Exception, match="cannot be null"):
        sink.write_batch(1000, bad)
    assert sorted(query(conn, "SELECT p, k FROM t")) == [(0, 1), (0, 2)]
    assert query(conn, f"SELECT partition_id FROM {COMMITS_TABLE}") == [(0,)]
    sink.write_batch(1000, sc.parallelize([(0, 1), (0, 2), (1, 3), (1, 4)], 2))
    assert sorted(query(conn, "SELECT p, k FROM t")) == [(0, 1), (0, 2), (1, 3), (1, 4)]


def test_mysql_sink_as_foreach_rdd_function_keys_by_batch_time(sc, mysql_db, make_ssc):
    from sparklet.streaming.testing import advance_batches

    conn, url = mysql_db
    args = mysql_connect_args(url)
    # The URL's parts as keyword arguments (no URL) work the same.
    sink = mysql_sink(None, "INSERT INTO t(k) VALUES (%s)", sink_id="t",
                      setup="CREATE TABLE IF NOT EXISTS t(k INT)",
                      row_to_params=lambda x: (x,), **args)
    ssc = make_ssc(batch=1, start_ms=1_700_000_000_000)
    ssc.queueStream([[1, 2], [3]]).foreachRDD(sink)
    ssc.start()
    advance_batches(ssc, 2)
    assert sorted(query(conn, "SELECT k FROM t")) == [(1,), (2,), (3,)]
    times = sorted({t for (t,) in query(conn, f"SELECT batch_time FROM {COMMITS_TABLE}")})
    assert times == [1_700_000_001_000, 1_700_000_002_000]


def test_mysql_sink_exactly_once_across_crashes(tmp_path, mysql_db):
    conn, url = mysql_db
    app = load_app()
    run = AppRun(tmp_path, mysql=url)
    assert run.run("--crash", "output:4") == -9, run.logs
    assert run.run("--crash", "checkpoint:9") == -9, run.logs
    assert run.kill_after(1.4) in (-9, 0)
    assert run.run() == 0, run.logs
    want = expected(app)["occurrences"]
    assert sorted(query(conn, "SELECT word, n FROM occurrences")) == want
    assert observed(run)["occurrences"] == want
    markers = query(conn, "SELECT count(*), count(DISTINCT batch_time, partition_id) "
                          f"FROM {COMMITS_TABLE}")[0]
    assert markers[0] == markers[1] and markers[0] > 0


def test_missing_pymysql_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pymysql", None)
    with pytest.raises(ImportError, match=r"pip install 'sparklet\[mysql\]'"):
        mysql_sink("mysql://u@127.0.0.1/db", "INSERT INTO t VALUES (%s)", sink_id="t")


@pytest.mark.parametrize("url, message", [
    ("postgres://u@h/db", "not a MySQL URL"),
    ("mysql://u@h:notaport/db", "bad port"),
    ("mysql:///db", "needs a host or a unix_socket"),
])
def test_bad_connection_arguments_fail_on_the_driver(url, message):
    with pytest.raises(ValueError, match=message):
        mysql_sink(url, "INSERT INTO t VALUES (%s)", sink_id="t")


def test_url_and_keyword_arguments():
    args = mysql_connect_args("mysql://ann:p%40ss@db:3307/shop?unix_socket=/run/m.sock"
                              "&connect_timeout=3", password="other")
    assert args == {"host": "db", "port": 3307, "user": "ann", "password": "other",
                    "database": "shop", "unix_socket": "/run/m.sock", "connect_timeout": 3,
                    "charset": "utf8mb4"}


def test_example_writes_word_counts(tmp_path, mysql_db):
    """examples/streaming/mysql_sink_word_count.py --generate, for a few batches."""
    import os
    import subprocess
    from pathlib import Path

    conn, url = mysql_db
    example = Path(__file__).resolve().parents[2] / "examples" / "streaming" \
        / "mysql_sink_word_count.py"
    proc = subprocess.run([sys.executable, str(example), url, "--generate", "--rate", "200",
                           "--batch", "0.3", "--seconds", "2.5"], cwd=tmp_path,
                          env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = query(conn, "SELECT batch_time, word, n FROM word_counts")
    assert rows and all(n > 0 for _, _, n in rows)
    markers = query(conn, f"SELECT DISTINCT batch_time FROM {COMMITS_TABLE}")
    assert {t for t, _, _ in rows} <= {t for (t,) in markers}
