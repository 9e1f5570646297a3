"""``ConnectionPool``: connections opened lazily in the executor processes, never on the
driver, and reused by the tasks of later batches in the same process."""

from __future__ import annotations

import os
import sqlite3

from sparklet.streaming.sinks import ConnectionPool


class RecordingConnect:
    """``connect(db)`` that appends the opening process's PID to ``log`` (one line per
    connection opened), then opens a SQLite connection usable from any thread."""

    def __init__(self, log: str):
        self.log = log

    def __call__(self, db: str):
        with open(self.log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return sqlite3.connect(db, timeout=30, check_same_thread=False)


def opened_by(log: str) -> list[int]:
    if not os.path.exists(log):
        return []
    with open(log) as fh:
        return [int(line) for line in fh]


def test_pool_opens_once_per_executor_and_reuses_across_batches(sc, tmp_path, make_ssc):
    from sparklet.streaming.testing import advance_batches

    db, log = str(tmp_path / "out.db"), str(tmp_path / "opened.log")
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t(batch INTEGER, pid INTEGER, x INTEGER)")
    pool = ConnectionPool(RecordingConnect(log), db)

    def send_batch(time, rdd):
        batch = round(time.timestamp())

        def send_partition(records):
            with pool.connection() as conn, conn:
                conn.executemany("INSERT INTO t VALUES (?, ?, ?)",
                                 [(batch, os.getpid(), x) for x in records])

        rdd.foreachPartition(send_partition)

    batches = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]
    ssc = make_ssc(batch=1)
    ssc.queueStream([sc.parallelize(b, 2) for b in batches]).foreachRDD(send_batch)
    assert opened_by(log) == []  # building the stream opens nothing
    ssc.start()
    advance_batches(ssc, len(batches))

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT batch, pid, x FROM t").fetchall()
    assert sorted(x for _, _, x in rows) == list(range(1, 17))
    writers = {pid for _, pid, _ in rows}
    opened = opened_by(log)
    executors = set(sc._backend.executor_pids().values())
    assert os.getpid() not in opened and pool.opened() == 0  # never on the driver
    assert set(opened) <= executors and set(opened) == writers
    # One connection per executor process, for 8 partitions over 4 batches.
    assert sorted(opened) == sorted(set(opened))
    batches_per_writer = {pid: {b for b, p, _ in rows if p == pid} for pid in writers}
    assert any(len(bs) > 1 for bs in batches_per_writer.values())  # reused across batches


def test_a_failed_block_closes_its_connection(tmp_path):
    log = str(tmp_path / "opened.log")
    pool = ConnectionPool(RecordingConnect(log), str(tmp_path / "x.db"))
    try:
        with pool.connection() as conn:
            conn.execute("SELECT 1")
        with pool.connection() as again:
            assert again is conn  # returned, then reused
            raise RuntimeError("broken")
    except RuntimeError:
        pass
    with pool.connection() as fresh:
        assert fresh is not conn
    assert len(opened_by(log)) == 2 and pool.opened() == 2
    same_args = ConnectionPool(RecordingConnect(log), str(tmp_path / "x.db"))
    assert same_args.key == pool.key and same_args.getConnection() is fresh
    pool.closeAll()
