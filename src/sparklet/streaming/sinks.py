"""Exactly-once outputs: idempotent file output and transactional SQL sinks.

After a driver crash, :meth:`StreamingContext.getOrCreate` reruns the batches that were
pending or in flight, so an output operation may run twice for the same batch. The Spark
guide's answer ("semantics of output operations") is an output that is idempotent or
transactional; this module provides both:

* :func:`save_text_files_atomically` -- what ``DStream.saveAsTextFiles`` uses: each batch is
  written into a hidden temporary directory and renamed into place, so readers never see a
  half-written batch and a rerun replaces the batch's directory instead of adding to it.
* :class:`TransactionalSQLSink` -- a ``foreachRDD`` function that writes every partition of
  every batch in one database transaction together with a commit marker keyed by
  ``(sink id, batch time, partition)``. A rerun partition finds its marker and writes
  nothing, so each row is committed exactly once. :func:`sqlite_sink` (standard library
  ``sqlite3``) and :func:`postgres_sink` (the ``postgres`` extra, psycopg 3) build one.

>>> import os, sqlite3, tempfile
>>> from sparklet import SparkContext
>>> sc = SparkContext.getOrCreate()
>>> db = os.path.join(tempfile.mkdtemp(), "out.db")
>>> sink = sqlite_sink(db, "INSERT INTO words(word, n) VALUES (?, ?)", sink_id="words",
...                    setup="CREATE TABLE IF NOT EXISTS words(word TEXT, n INTEGER)")
>>> rdd = sc.parallelize([("a", 1), ("b", 2)], 2)
>>> sink.write_batch(1000, rdd); sink.write_batch(1000, rdd)  # a rerun: no duplicates
>>> sorted(sqlite3.connect(db).execute("SELECT word, n FROM words").fetchall())
[('a', 1), ('b', 2)]
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

__all__ = ["save_text_files_atomically", "TransactionalSQLSink", "sqlite_sink",
           "postgres_sink", "COMMITS_TABLE"]

COMMITS_TABLE = "sparklet_sink_commits"


# -- files ---------------------------------------------------------------------------------


def save_text_files_atomically(rdd, path: str) -> None:
    """Save ``rdd`` as text files in directory ``path``, all or nothing: written to a hidden
    sibling (``.<name>.tmp-<id>``) and renamed; an existing ``path`` (an earlier run of the
    same batch) is replaced. Leftovers of a run killed half-way are removed first."""
    import fsspec

    fs, local = fsspec.core.url_to_fs(path)
    local = local.rstrip("/")
    parent, name = local.rsplit("/", 1) if "/" in local else (".", local)
    url_parent = path.rstrip("/").rsplit("/", 1)[0] if "/" in path.rstrip("/") else "."
    for pattern in (f"{parent}/.{name}.tmp-*", f"{parent}/.{name}.old-*"):
        for stale in fs.glob(pattern):
            fs.rm(stale, recursive=True)
    token = uuid.uuid4().hex[:12]
    tmp_url = f"{url_parent}/.{name}.tmp-{token}"
    tmp = f"{parent}/.{name}.tmp-{token}"
    rdd.saveAsTextFile(tmp_url)
    if fs.exists(local):
        old = f"{parent}/.{name}.old-{token}"
        fs.mv(local, old, recursive=True)
        fs.mv(tmp, local, recursive=True)
        fs.rm(old, recursive=True)
    else:
        fs.mv(tmp, local, recursive=True)


# -- SQL -----------------------------------------------------------------------------------


def _batch_time_ms(time: datetime | int) -> int:
    """The batch time as foreachRDD hands it over (a datetime) back in milliseconds."""
    if isinstance(time, datetime):
        return int(round(time.timestamp() * 1000))
    return int(time)


class TransactionalSQLSink:
    """A ``foreachRDD`` function writing each partition of each batch exactly once.

    Every partition runs one transaction: insert the marker ``(sink_id, batch_time,
    partition)`` into :data:`COMMITS_TABLE` (primary key, ``ON CONFLICT DO NOTHING``); if it
    was there already the partition was committed by an earlier run of the batch and the
    transaction is abandoned, otherwise the rows are written and marker and rows commit
    together. The batch time and partition index identify the same data in a rerun because
    recovery regenerates a batch from the same input positions.

    Parameters
    ----------
    connect : callable
        ``connect() -> DB-API connection``; runs in the worker processes, so it must be
        picklable (a top-level function or a ``functools.partial``).
    statement : str
        the parameterized INSERT (or UPSERT) run once per row.
    sink_id : str
        names this output in the commit table (several sinks may share a database).
    row_to_params : callable, optional
        turns a record into the statement's parameters (default: ``tuple(record)``).
    setup : str or list of str, optional
        DDL run (in its own transaction) before the first batch, e.g. ``CREATE TABLE IF NOT
        EXISTS``.
    placeholder : str
        the driver's parameter marker (``?`` for sqlite3, ``%s`` for psycopg).
    begin : str, optional
        a statement that opens the transaction (sqlite: ``BEGIN IMMEDIATE`` to take the
        write lock up front instead of failing on a lock upgrade).

    Use ``dstream.foreachRDD(sink)``; ``sink.write_batch(time_ms, rdd)`` does the same from
    other code.
    """

    def __init__(self, connect: Callable[[], Any], statement: str, sink_id: str,
                 row_to_params: Callable[[Any], Iterable] | None = None,
                 setup: str | list[str] | None = None, placeholder: str = "?",
                 begin: str | None = None):
        self.connect = connect
        self.statement = statement
        self.sink_id = sink_id
        self.row_to_params = row_to_params
        self.setup = [setup] if isinstance(setup, str) else list(setup or [])
        self.placeholder = placeholder
        self.begin = begin
        self._set_up = False

    def _ensure_tables(self) -> None:
        if self._set_up:
            return
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute(f"CREATE TABLE IF NOT EXISTS {COMMITS_TABLE} (sink_id TEXT NOT NULL, "
                        "batch_time BIGINT NOT NULL, partition_id INTEGER NOT NULL, "
                        "PRIMARY KEY (sink_id, batch_time, partition_id))")
            for ddl in self.setup:
                cur.execute(ddl)
            conn.commit()
        finally:
            conn.close()
        self._set_up = True

    def __call__(self, time: datetime | int, rdd) -> None:
        self.write_batch(_batch_time_ms(time), rdd)

    def write_batch(self, time_ms: int, rdd) -> None:
        """Write batch ``time_ms``: one transaction per partition, in the workers."""
        self._ensure_tables()
        write = self._partition_writer(time_ms)
        rdd.mapPartitionsWithIndex(write).count()

    def _partition_writer(self, time_ms: int):
        connect, statement, sink_id = self.connect, self.statement, self.sink_id
        to_params = self.row_to_params or tuple
        p, begin = self.placeholder, self.begin
        marker = (f"INSERT INTO {COMMITS_TABLE} (sink_id, batch_time, partition_id) "
                  f"VALUES ({p}, {p}, {p}) ON CONFLICT DO NOTHING")

        def write(index: int, records: Iterable) -> Iterable:
            conn = connect()
            try:
                cur = conn.cursor()
                if begin:
                    cur.execute(begin)
                cur.execute(marker, (sink_id, time_ms, index))
                if cur.rowcount == 0:  # committed by an earlier run of this batch
                    conn.rollback()
                    return [0]
                rows = [tuple(to_params(r)) for r in records]
                if rows:
                    cur.executemany(statement, rows)
                conn.commit()
                return [len(rows)]
            except BaseException:
                conn.rollback()
                raise
            finally:
                conn.close()

        return write


class _SQLiteConnect:
    """A picklable ``connect()`` for a SQLite file (autocommit off, waits for locks)."""

    def __init__(self, database: str, timeout: float):
        self.database, self.timeout = database, timeout

    def __call__(self):
        import sqlite3

        conn = sqlite3.connect(self.database, timeout=self.timeout, isolation_level=None)
        return _ExplicitTxn(conn)


class _ExplicitTxn:
    """sqlite3 in autocommit mode with an explicit BEGIN, so the marker check and the rows
    share one transaction that the sink opens itself (``BEGIN IMMEDIATE``)."""

    def __init__(self, conn):
        self._conn = conn

    def cursor(self):
        return self._conn.cursor()

    def commit(self):
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")

    def rollback(self):
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def close(self):
        self._conn.close()


def sqlite_sink(database: str, statement: str, sink_id: str, *,
                row_to_params: Callable[[Any], Iterable] | None = None,
                setup: str | list[str] | None = None,
                timeout: float = 60.0) -> TransactionalSQLSink:
    """A :class:`TransactionalSQLSink` writing to the SQLite file ``database``
    (``?`` placeholders). Partitions written at the same time queue on SQLite's write lock
    (up to ``timeout`` seconds)."""
    return TransactionalSQLSink(_SQLiteConnect(database, timeout), statement, sink_id,
                                row_to_params, setup, placeholder="?",
                                begin="BEGIN IMMEDIATE")


class _PostgresConnect:
    def __init__(self, conninfo: str):
        self.conninfo = conninfo

    def __call__(self):
        try:
            import psycopg
        except ImportError as e:  # pragma: no cover - depends on the installed extras
            raise ImportError("postgres_sink needs psycopg: pip install "
                              "'sparklet[postgres]'") from e
        return psycopg.connect(self.conninfo)


def postgres_sink(conninfo: str, statement: str, sink_id: str, *,
                  row_to_params: Callable[[Any], Iterable] | None = None,
                  setup: str | list[str] | None = None) -> TransactionalSQLSink:
    """A :class:`TransactionalSQLSink` writing to PostgreSQL through psycopg 3 (the
    ``postgres`` extra; ``%s`` placeholders). ``conninfo`` is a libpq connection string,
    e.g. ``"host=127.0.0.1 dbname=test user=postgres"``."""
    return TransactionalSQLSink(_PostgresConnect(conninfo), statement, sink_id,
                                row_to_params, setup, placeholder="%s")
