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
  ``sqlite3``), :func:`postgres_sink` (the ``postgres`` extra, psycopg 3) and
  :func:`mysql_sink` (the ``mysql`` extra, PyMySQL; MySQL or MariaDB) build one.
* :class:`ConnectionPool` -- for outputs of your own: connections opened lazily in each
  executor process and reused across tasks and batches (docs/streaming-sinks.md).

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

import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

__all__ = ["save_text_files_atomically", "TransactionalSQLSink", "sqlite_sink",
           "postgres_sink", "mysql_sink", "mysql_connect_args", "ConnectionPool",
           "COMMITS_TABLE"]

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
    commits_ddl, marker_insert : str, optional
        the database's own ``CREATE TABLE`` of :data:`COMMITS_TABLE` and the marker INSERT
        (three parameters; affects no row when the marker exists), where the standard
        ones (``TEXT`` key, ``ON CONFLICT DO NOTHING``) do not run (MySQL).

    Use ``dstream.foreachRDD(sink)``; ``sink.write_batch(time_ms, rdd)`` does the same from
    other code.
    """

    def __init__(self, connect: Callable[[], Any], statement: str, sink_id: str,
                 row_to_params: Callable[[Any], Iterable] | None = None,
                 setup: str | list[str] | None = None, placeholder: str = "?",
                 begin: str | None = None, commits_ddl: str | None = None,
                 marker_insert: str | None = None):
        self.connect = connect
        self.statement = statement
        self.sink_id = sink_id
        self.row_to_params = row_to_params
        self.setup = [setup] if isinstance(setup, str) else list(setup or [])
        self.placeholder = placeholder
        self.begin = begin
        p = placeholder
        self.commits_ddl = commits_ddl or (
            f"CREATE TABLE IF NOT EXISTS {COMMITS_TABLE} (sink_id TEXT NOT NULL, "
            "batch_time BIGINT NOT NULL, partition_id INTEGER NOT NULL, "
            "PRIMARY KEY (sink_id, batch_time, partition_id))")
        self.marker_insert = marker_insert or (
            f"INSERT INTO {COMMITS_TABLE} (sink_id, batch_time, partition_id) "
            f"VALUES ({p}, {p}, {p}) ON CONFLICT DO NOTHING")
        self._set_up = False

    def _ensure_tables(self) -> None:
        if self._set_up:
            return
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute(self.commits_ddl)
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
        begin, marker = self.begin, self.marker_insert

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


# -- MySQL / MariaDB -------------------------------------------------------------------------

_MYSQL_SCHEMES = ("mysql", "mariadb", "mysql+pymysql")
_MYSQL_INT_ARGS = ("port", "connect_timeout", "read_timeout", "write_timeout")


def require_pymysql(what: str = "mysql_sink"):
    """Import PyMySQL, or raise an ImportError naming the extra to install."""
    try:
        import pymysql
    except ImportError as e:
        raise ImportError(f"{what} needs PyMySQL: pip install 'sparklet[mysql]'") from e
    return pymysql


def mysql_connect_args(url: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """PyMySQL's ``connect`` arguments from ``mysql://user:password@host:port/database``
    (user and password percent-decoded; query parameters such as ``?unix_socket=/path`` or
    ``?charset=utf8mb4`` become arguments too), overridden by ``kwargs``.

    >>> args = mysql_connect_args("mysql://ann:p%40ss@db.local:3307/shop", connect_timeout=5)
    >>> args["user"], args["password"], args["host"], args["port"], args["database"]
    ('ann', 'p@ss', 'db.local', 3307, 'shop')
    >>> args["connect_timeout"], args["charset"]
    (5, 'utf8mb4')
    """
    from urllib.parse import parse_qsl, unquote, urlsplit

    args: dict[str, Any] = {"charset": "utf8mb4"}
    if url:
        parts = urlsplit(url)
        if parts.scheme not in _MYSQL_SCHEMES:
            raise ValueError(f"not a MySQL URL (mysql://user:password@host:port/database): "
                             f"{url!r}")
        try:
            port = parts.port
        except ValueError as e:
            raise ValueError(f"bad port in MySQL URL {url!r}: {e}") from None
        for key, value in (("host", parts.hostname), ("port", port),
                           ("user", parts.username and unquote(parts.username)),
                           ("password", parts.password and unquote(parts.password)),
                           ("database", unquote(parts.path.lstrip("/")) or None)):
            if value is not None:
                args[key] = value
        for key, value in parse_qsl(parts.query):
            args[key] = int(value) if key in _MYSQL_INT_ARGS else value
    args.update(kwargs)
    if "host" not in args and "unix_socket" not in args:
        raise ValueError("a MySQL connection needs a host or a unix_socket "
                         "(mysql://user:password@host:port/database)")
    return args


class _MySQLConnect:
    """A picklable ``connect()`` for PyMySQL: autocommit off (each partition is one InnoDB
    transaction), and never ``CLIENT.FOUND_ROWS``, so a marker that exists already counts
    as zero affected rows."""

    def __init__(self, args: dict[str, Any]):
        self.args = args

    def __call__(self):
        pymysql = require_pymysql()
        from pymysql.constants import CLIENT

        flags = self.args.get("client_flag", 0) & ~CLIENT.FOUND_ROWS
        return pymysql.connect(**dict(self.args, autocommit=False, client_flag=flags))


_MYSQL_COMMITS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {COMMITS_TABLE} (sink_id VARCHAR(255) NOT NULL, "
    "batch_time BIGINT NOT NULL, partition_id INT NOT NULL, "
    "PRIMARY KEY (sink_id, batch_time, partition_id)) ENGINE=InnoDB")
# ON DUPLICATE KEY UPDATE of a column to itself changes nothing, so an existing marker
# reports 0 rows (INSERT IGNORE would also turn real errors, e.g. truncation, into warnings).
_MYSQL_MARKER = (f"INSERT INTO {COMMITS_TABLE} (sink_id, batch_time, partition_id) "
                 "VALUES (%s, %s, %s) ON DUPLICATE KEY UPDATE partition_id = partition_id")


def mysql_sink(url: str | None, statement: str, sink_id: str, *,
               row_to_params: Callable[[Any], Iterable] | None = None,
               setup: str | list[str] | None = None,
               **connect_args: Any) -> TransactionalSQLSink:
    """A :class:`TransactionalSQLSink` writing to MySQL or MariaDB through PyMySQL (the
    ``mysql`` extra; ``%s`` placeholders).

    ``url`` is ``mysql://user:password@host:port/database`` (or None), ``connect_args``
    any of ``pymysql.connect``'s arguments, overriding the URL's. Each partition of each
    batch is one InnoDB transaction with its commit marker in :data:`COMMITS_TABLE`
    (created ``ENGINE=InnoDB`` if missing, primary key ``(sink_id, batch_time,
    partition_id)``). The target table must be transactional too (InnoDB, MariaDB's
    default): rows written into a MyISAM table survive a rollback, so a failed partition
    would be written twice. ``setup`` DDL commits implicitly, as MySQL's DDL always does.

    ::

        sink = mysql_sink("mysql://app:secret@127.0.0.1:3306/shop",
                          "INSERT INTO counts(word, n) VALUES (%s, %s)", sink_id="counts",
                          setup="CREATE TABLE IF NOT EXISTS counts(word VARCHAR(64), n INT)")
        wordCounts.foreachRDD(sink)
    """
    require_pymysql()
    if len(sink_id) > 255:
        raise ValueError(f"sink_id is limited to 255 characters, got {len(sink_id)}")
    return TransactionalSQLSink(_MySQLConnect(mysql_connect_args(url, **connect_args)),
                                statement, sink_id, row_to_params, setup, placeholder="%s",
                                commits_ddl=_MYSQL_COMMITS_DDL, marker_insert=_MYSQL_MARKER)


# -- connection pools (the guide's "design patterns for using foreachRDD") --------------------

_pools_lock = threading.Lock()
_idle: dict[str, list[Any]] = {}  # this process's idle connections, by pool key
_opened: dict[str, int] = {}      # connections this process's pools opened, by pool key


def _forget_parent_connections() -> None:
    """In a forked child: the parent's sockets are not ours to use (nor to close)."""
    global _pools_lock
    _pools_lock = threading.Lock()
    _idle.clear()
    _opened.clear()


os.register_at_fork(after_in_child=_forget_parent_connections)


class ConnectionPool:
    """Connections to an external system made lazily in each executor process and reused
    by the tasks of every later batch there -- the guide's ``ConnectionPool`` of "design
    patterns for using foreachRDD".

    The pool object itself holds only how to connect (``connect(*args, **kwargs)``), so it
    pickles into ``foreachPartition`` closures and creating it opens nothing. The
    connections live in a registry of the process that uses them, keyed by the connection
    arguments (two pools built with the same arguments share their connections): the first
    task in an executor process opens one, :meth:`returnConnection` keeps it for the next
    task, in this batch or the next. At most ``max_idle`` idle connections are kept per key;
    more are closed. A connection that failed inside :meth:`connection` is closed, not
    reused. A forked process starts with no connections.

    Parameters
    ----------
    connect : callable
        ``connect(*args, **kwargs) -> connection``, run in the executors (picklable: a
        top-level function, a class, ``functools.partial``; a client's ``connect``).
    max_idle : int
        idle connections kept per process (an executor of ``local[N]`` runs one task at a
        time: one is enough there).
    close : callable, optional
        ``close(connection)`` for clients whose connections have no ``close()`` method.

    >>> import os, sqlite3, tempfile
    >>> from sparklet import SparkContext
    >>> sc = SparkContext.getOrCreate()
    >>> db = os.path.join(tempfile.mkdtemp(), "events.db")
    >>> sqlite3.connect(db).execute("CREATE TABLE events(e TEXT)").connection.commit()
    >>> pool = ConnectionPool(sqlite3.connect, db, check_same_thread=False)
    >>> def send_partition(records):
    ...     with pool.connection() as conn:
    ...         conn.executemany("INSERT INTO events VALUES (?)", [(r,) for r in records])
    ...         conn.commit()
    >>> sc.parallelize(["a", "b", "c"], 3).foreachPartition(send_partition)
    >>> sqlite3.connect(db).execute("SELECT count(*) FROM events").fetchone()
    (3,)
    """

    def __init__(self, connect: Callable[..., Any], *args: Any, max_idle: int = 4,
                 close: Callable[[Any], None] | None = None, **kwargs: Any):
        import hashlib

        import cloudpickle

        self.connect, self.args, self.kwargs = connect, args, kwargs
        self.max_idle = max_idle
        self._close_connection = close or (lambda conn: conn.close())
        # Computed once here, so every pickled copy in every executor has the same key.
        self.key = hashlib.sha256(cloudpickle.dumps(
            (connect, args, sorted(kwargs.items())))).hexdigest()[:24]

    def getConnection(self) -> Any:
        """An idle connection of this process, or a new one."""
        with _pools_lock:
            idle = _idle.get(self.key)
            if idle:
                return idle.pop()
            _opened[self.key] = _opened.get(self.key, 0) + 1
        return self.connect(*self.args, **self.kwargs)

    def returnConnection(self, conn: Any) -> None:
        """Give ``conn`` back for reuse by later tasks in this process."""
        with _pools_lock:
            idle = _idle.setdefault(self.key, [])
            if len(idle) < self.max_idle:
                idle.append(conn)
                return
        self._close(conn)

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        """``with pool.connection() as conn:`` -- returned to the pool on success, closed
        when the block raises (the connection may be in any state then)."""
        conn = self.getConnection()
        try:
            yield conn
        except BaseException:
            self._close(conn)
            raise
        self.returnConnection(conn)

    def opened(self) -> int:
        """How many connections this pool's key has opened in this process."""
        with _pools_lock:
            return _opened.get(self.key, 0)

    def closeAll(self) -> None:
        """Close this process's idle connections of this pool's key."""
        with _pools_lock:
            idle = _idle.pop(self.key, [])
        for conn in idle:
            self._close(conn)

    def _close(self, conn: Any) -> None:
        with contextlib.suppress(Exception):
            self._close_connection(conn)
