"""Exactly-once outputs without crashing anything: saveAsTextFiles replaces a rerun batch
atomically, and the transactional SQL sink commits each (batch, partition) once.

The same guarantees under SIGKILL are in test_recovery.py (SQLite) and
test_exactly_once_postgres.py.
"""

from __future__ import annotations

import sqlite3

import pytest

from sparklet.streaming.sinks import (
    COMMITS_TABLE,
    save_text_files_atomically,
    sqlite_sink,
)


def test_rerun_batch_replaces_its_directory(sc, tmp_path):
    out = tmp_path / "counts-1000"
    save_text_files_atomically(sc.parallelize(["a", "b"], 2), str(out))
    save_text_files_atomically(sc.parallelize(["a", "b"], 2), str(out))  # a rerun
    assert sorted(sc.textFile(str(out)).collect()) == ["a", "b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counts-1000"]


def test_leftovers_of_a_killed_write_are_removed(sc, tmp_path):
    stale_tmp = tmp_path / ".counts-2000.tmp-deadbeef"
    stale_tmp.mkdir()
    (stale_tmp / "part-00000").write_text("half a batch\n")
    stale_old = tmp_path / ".counts-2000.old-deadbeef"
    stale_old.mkdir()
    save_text_files_atomically(sc.parallelize(["x"], 1), str(tmp_path / "counts-2000"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counts-2000"]
    assert sc.textFile(str(tmp_path / "counts-2000")).collect() == ["x"]


def test_sql_sink_commits_each_partition_once(sc, tmp_path):
    db = str(tmp_path / "sink.db")
    sink = sqlite_sink(db, "INSERT INTO t(k, v) VALUES (?, ?)", sink_id="t",
                       setup="CREATE TABLE IF NOT EXISTS t(k TEXT, v INTEGER)")
    rdd = sc.parallelize([("a", 1), ("b", 2), ("c", 3)], 3)
    sink.write_batch(1000, rdd)
    sink.write_batch(1000, rdd)  # the same batch again: nothing added
    sink.write_batch(2000, rdd)  # a new batch: written
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT k, v FROM t").fetchall()
        markers = conn.execute(f"SELECT batch_time, partition_id FROM {COMMITS_TABLE}"
                               " ORDER BY 1, 2").fetchall()
    assert sorted(rows) == sorted([("a", 1), ("b", 2), ("c", 3)] * 2)
    assert markers == [(1000, 0), (1000, 1), (1000, 2), (2000, 0), (2000, 1), (2000, 2)]


def test_sql_sink_failure_rolls_back_the_partition(sc, tmp_path):
    """A partition that fails half-way leaves neither rows nor its marker, so the rerun
    writes it whole."""
    db = str(tmp_path / "sink.db")
    sink = sqlite_sink(db, "INSERT INTO t(k) VALUES (?)", sink_id="t",
                       setup="CREATE TABLE IF NOT EXISTS t(k INTEGER NOT NULL)")
    with pytest.raises(Exception, match="NOT NULL"):
        sink.write_batch(1000, sc.parallelize([(1,), (None,)], 1))
    sink.write_batch(1000, sc.parallelize([(1,), (2,)], 1))
    with sqlite3.connect(db) as conn:
        assert sorted(conn.execute("SELECT k FROM t").fetchall()) == [(1,), (2,)]


def test_sink_as_foreach_rdd_function_keys_by_batch_time(sc, tmp_path, make_ssc):
    from sparklet.streaming.testing import advance_batches

    db = str(tmp_path / "sink.db")
    sink = sqlite_sink(db, "INSERT INTO t(k) VALUES (?)", sink_id="t",
                       setup="CREATE TABLE IF NOT EXISTS t(k INTEGER)",
                       row_to_params=lambda x: (x,))
    ssc = make_ssc(batch=1, start_ms=1_700_000_000_000)
    ssc.queueStream([[1, 2], [3]]).foreachRDD(sink)
    ssc.start()
    advance_batches(ssc, 2)
    with sqlite3.connect(db) as conn:
        times = sorted({t for (t,) in conn.execute(f"SELECT batch_time FROM {COMMITS_TABLE}")})
        assert sorted(conn.execute("SELECT k FROM t").fetchall()) == [(1,), (2,), (3,)]
    assert times == [1_700_000_001_000, 1_700_000_002_000]
