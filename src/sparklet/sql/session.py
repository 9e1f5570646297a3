"""``SparkSession``: the entry point of Spark SQL, as ``pyspark.sql.SparkSession``.

A session is one in-process DuckDB database: DataFrames are plans that become one DuckDB
statement per action, temporary views are DuckDB views, and Arrow carries data in and out.
The ``SparkContext`` (sparklet's process-pool engine) starts only when something asks for
it (``spark.sparkContext``, ``df.rdd``, ``createDataFrame(rdd)``), so a SQL-only program
starts in milliseconds.

>>> spark = SparkSession.builder.appName("doc").getOrCreate()
>>> spark.sql("SELECT 1 + 1 AS two").collect()
[Row(two=2)]
>>> spark.range(3).collect()
[Row(id=0), Row(id=1), Row(id=2)]
"""

from __future__ import annotations

import itertools
import threading
import weakref
from typing import Any

from sparklet.errors import (
    PySparkValueError,
    SparkNoSuchElementException,
)
from sparklet.sql import types as T

__all__ = ["SparkSession", "RuntimeConfig"]


def _require_duckdb() -> Any:
    try:
        import duckdb
        import pyarrow  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            f"sparklet.sql needs the 'sql' extra: pip install 'sparklet[sql]' ({exc.name} is "
            "missing)") from exc
    return duckdb


# Spark SQL settings with the defaults PySpark 4 reports
_DEFAULTS = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.shuffle.partitions": "200",
    "spark.sql.caseSensitive": "false",
    "spark.sql.warehouse.dir": "spark-warehouse",
    "spark.sql.execution.arrow.pyspark.enabled": "false",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.adaptive.enabled": "true",
}


# Settings of the engine (not spark.sql.*) that the session applies to DuckDB: the memory
# DuckDB may use before it spills (lowest precedence first) and where it spills
_MEMORY_KEYS = ("spark.executor.memory", "spark.driver.memory", "spark.sql.sparklet.memoryLimit")
_ENGINE_KEYS = (*_MEMORY_KEYS, "spark.local.dir")


def _to_duckdb_memory(value: str, bare_unit: str = "B") -> str:
    """Spark's ``4g`` / ``512m`` memory strings as DuckDB's ``4GiB`` / ``512MiB``; a bare
    number is in ``bare_unit`` (MiB for the driver's and executors' memory, as in Spark)."""
    text = value.strip().lower()
    units = {"k": "KiB", "m": "MiB", "g": "GiB", "t": "TiB"}
    for suffix, unit in units.items():
        if text.endswith(suffix + "b"):
            text = text[:-1]
        if text.endswith(suffix):
            return text[:-1] + unit
    return text + bare_unit if text.isdigit() else value


class RuntimeConfig:
    """``spark.conf``: the session's settings; some are applied to DuckDB at once."""

    def __init__(self, session: SparkSession, initial: dict[str, str]):
        self._session = session
        self._conf: dict[str, str] = {}
        for key, value in initial.items():
            self.set(key, value)

    def set(self, key: str, value: Any) -> None:
        if isinstance(value, bool):
            value = "true" if value else "false"
        value = str(value)
        self._conf[key] = value
        self._session._apply_conf(key, value)

    def get(self, key: str, default: Any = ...) -> str | None:
        if key in self._conf:
            return self._conf[key]
        if default is not ...:
            return default
        if key in _DEFAULTS:
            return _DEFAULTS[key]
        if key == "spark.sql.session.timeZone":
            return self._session._time_zone
        raise SparkNoSuchElementException(errorClass="SQL_CONF_NOT_FOUND",
                                          messageParameters={"sqlConf": f'"{key}"'})

    def unset(self, key: str) -> None:
        self._conf.pop(key, None)
        if key in _DEFAULTS:
            self._session._apply_conf(key, _DEFAULTS[key])

    def getAll(self) -> dict[str, str]:
        return {**_DEFAULTS, **self._conf}

    def isModifiable(self, key: str) -> bool:
        return key.startswith("spark.sql.")


class SparkSession:
    """The entry point to Spark SQL: DataFrames, SQL, temporary views, the catalog."""

    _active: SparkSession | None = None
    _lock_class = threading.RLock
    _ids = itertools.count(1)

    class Builder:
        """``SparkSession.builder``: settings, then :meth:`getOrCreate`."""

        def __init__(self) -> None:
            self._options: dict[str, str] = {}

        def config(self, key: str | None = None, value: Any = None, conf: Any = None,
                   *, map: dict | None = None) -> SparkSession.Builder:  # noqa: A002
            if conf is not None:
                for k, v in conf.getAll():
                    self._options[k] = str(v)
            if key is not None:
                self._options[key] = ("true" if value is True else "false" if value is False
                                      else str(value))
            for k, v in (map or {}).items():
                self._options[k] = str(v)
            return self

        def master(self, master: str) -> SparkSession.Builder:
            return self.config("spark.master", master)

        def appName(self, name: str) -> SparkSession.Builder:
            return self.config("spark.app.name", name)

        def remote(self, url: str) -> SparkSession.Builder:
            raise PySparkValueError(errorClass="UNSUPPORTED_OPERATION",
                                    messageParameters={"operation": "Spark Connect"})

        def enableHiveSupport(self) -> SparkSession.Builder:
            # persistent tables live in spark.sql.warehouse.dir without a Hive server
            return self.config("spark.sql.catalogImplementation", "hive")

        def getOrCreate(self) -> SparkSession:
            with _builder_lock:
                session = SparkSession._active
                if session is None or session._stopped:
                    session = SparkSession(options=self._options)
                else:
                    for k, v in self._options.items():
                        if k.startswith("spark.sql.") or k in ("spark.app.name",) or \
                                k in _ENGINE_KEYS:
                            session.conf.set(k, v)
                return session

        def create(self) -> SparkSession:
            return SparkSession(options=self._options)

    builder: Builder  # set below, as a fresh Builder per access

    def __init__(self, sparkContext: Any = None, options: dict[str, str] | None = None):
        duckdb = _require_duckdb()
        self._lock = SparkSession._lock_class()
        self._con = duckdb.connect(":memory:")
        self._time_zone = self._con.sql("SELECT current_setting('TimeZone')").fetchall()[0][0]
        self._ansi = True
        self._stopped = False
        self._sc = sparkContext
        self._options = dict(options or {})
        self._names = itertools.count(1)
        self._views: dict[str, Any] = {}  # temp view name (lower case) -> DataFrame
        self._unregistered: list[str] = []  # Arrow tables to unregister (see _unregister)
        self._memory_rank = -1
        self.conf = RuntimeConfig(self, {k: v for k, v in self._options.items()
                                         if k.startswith("spark.sql.") or k in _ENGINE_KEYS})
        SparkSession._active = self
        _patch_rdd()

    # -- settings -------------------------------------------------------------------------
    def _apply_conf(self, key: str, value: str) -> None:
        if key == "spark.sql.ansi.enabled":
            self._ansi = value.strip().lower() == "true"
        elif key == "spark.sql.session.timeZone":
            with self._lock:
                self._con.execute("SET TimeZone = ?", [value])
            self._time_zone = value
        elif key in _MEMORY_KEYS:
            # DuckDB runs in the driver: its own setting wins over the driver's memory, which
            # wins over the executors', whatever order they were set in
            rank = _MEMORY_KEYS.index(key)
            if rank >= self._memory_rank:
                with self._lock:
                    limit = _to_duckdb_memory(value, "B" if key.startswith("spark.sql.") else "MiB")
                    self._con.execute(f"SET memory_limit = '{limit}'")
                self._memory_rank = rank
        elif key == "spark.local.dir" or key == "spark.sql.sparklet.tempDirectory":
            # Spark takes a comma-separated list of scratch directories; DuckDB spills to one
            with self._lock:
                self._con.execute("SET temp_directory = ?", [value.split(",")[0].strip()])

    # -- the engine underneath ------------------------------------------------------------
    @property
    def sparkContext(self) -> Any:
        """The SparkContext (started on first use with the builder's settings)."""
        if self._sc is None:
            from sparklet.conf import SparkConf
            from sparklet.context import SparkContext

            if SparkContext._active_spark_context is not None:
                self._sc = SparkContext._active_spark_context
            else:
                conf = SparkConf()
                for k, v in self._options.items():
                    conf.set(k, v)
                if not conf.contains("spark.master"):
                    conf.setMaster("local[*]")
                if not conf.contains("spark.app.name"):
                    conf.setAppName("sparklet-sql")
                self._sc = SparkContext.getOrCreate(conf)
        return self._sc

    @property
    def version(self) -> str:
        import sparklet

        return getattr(sparklet, "__version__", "4.0.0")

    def _fresh_name(self, prefix: str = "__sparklet_src") -> str:
        return f"{prefix}_{next(self._names)}"

    def _execute(self, sql: str, params: list | None = None) -> Any:
        """Run ``sql`` on DuckDB under the session's lock; DuckDB errors become Spark's."""
        with self._lock:
            try:
                return self._con.execute(sql, params) if params else self._con.sql(sql)
            except Exception as exc:
                raise _translate(exc, sql) from None

    def _fetchall(self, sql: str) -> list[tuple]:
        """The rows of ``sql``, run under the lock (errors as Spark's)."""
        with self._lock:
            try:
                return self._con.execute(sql).fetchall()
            except Exception as exc:
                raise _translate(exc, sql) from None

    def _arrow(self, sql: str) -> Any:
        """The result of ``sql`` as a ``pyarrow.Table``."""
        with self._lock:
            try:
                result = self._con.sql(sql)
                # DuckDB 1.x: .arrow() is a Table; 2.x has to_arrow_table() (.arrow() a reader)
                fetch = getattr(result, "to_arrow_table", None) or result.arrow
                table = fetch()
                return table.read_all() if hasattr(table, "read_all") else table
            except Exception as exc:
                raise _translate(exc, sql) from None

    def _bind(self, sql: str) -> tuple[list[str], list[Any]]:
        """Column names and DuckDB types of a query, bound without running it."""
        with self._lock:
            try:
                rel = self._con.sql(sql)
                return rel.columns, rel.types
            except Exception as exc:
                raise _translate(exc, sql) from None

    def _frame_from_sql(self, sql: str, schema: T.StructType | None = None,
                        sources: tuple = ()) -> Any:
        """A DataFrame over the DuckDB relation ``sql`` (its columns, in order)."""
        from sparklet.sql.dataframe import DataFrame

        return DataFrame._from_relation(self, sql, schema, sources)

    def _register_arrow(self, table: Any, schema: T.StructType) -> Any:
        """A DataFrame over an Arrow table registered on this session's DuckDB."""
        name = self._fresh_name()
        with self._lock:
            _drop_unregistered(self)
            self._con.register(name, table)
        holder = _Registered(self, name, table)
        cols = ", ".join(_quote(n) for n in table.column_names)
        return self._frame_from_sql(f"SELECT {cols} FROM {_quote(name)}", schema, (holder,))

    # -- creating DataFrames --------------------------------------------------------------
    def range(self, start: int, end: int | None = None, step: int = 1,
              numPartitions: int | None = None) -> Any:
        """A DataFrame of one ``bigint`` column ``id``: ``start``, ``start + step``, …"""
        if end is None:
            start, end = 0, start
        if step == 0:
            raise ValueError("range(): step must not be 0")
        schema = T.StructType([T.StructField("id", T.LongType(), False)])
        df = self._frame_from_sql(
            f"SELECT range AS id FROM range({int(start)}, {int(end)}, {int(step)})", schema)
        if numPartitions is not None:
            df = df.repartition(numPartitions)
        return df

    def createDataFrame(self, data: Any, schema: Any = None, samplingRatio: float | None = None,
                        verifySchema: bool = True) -> Any:
        """A DataFrame from a list (of tuples, Rows, dicts or values), an RDD, a pandas
        DataFrame or an Arrow table; ``schema`` is a StructType, a DDL string, a DataType,
        or a list of column names."""
        from sparklet.sql import create

        return create.create_dataframe(self, data, schema, samplingRatio, verifySchema)

    def sql(self, sqlQuery: str, args: dict | list | None = None, **kwargs: Any) -> Any:
        """The result of a Spark SQL statement as a DataFrame."""
        from sparklet.sql import sqlparse

        if kwargs:
            sqlQuery = sqlparse.format_with_frames(self, sqlQuery, kwargs)
        return sqlparse.run(self, sqlQuery, args)

    def table(self, tableName: str) -> Any:
        """The temporary view or table ``tableName`` as a DataFrame."""
        return self.catalog._table(tableName)

    @property
    def catalog(self) -> Any:
        from sparklet.sql.catalog import Catalog

        if "_catalog" not in self.__dict__:
            self.__dict__["_catalog"] = Catalog(self)
        return self.__dict__["_catalog"]

    @property
    def read(self) -> Any:
        from sparklet.sql.readwriter import DataFrameReader

        return DataFrameReader(self)

    @property
    def udf(self) -> Any:
        from sparklet.sql.udf import UDFRegistration

        return UDFRegistration(self)

    def newSession(self) -> SparkSession:
        return SparkSession(self._sc, self._options)

    def getActiveSession(self) -> SparkSession | None:
        return SparkSession._active

    def stop(self) -> None:
        """Close the session's DuckDB database (and stop the SparkContext if it started)."""
        if self._stopped:
            return
        self._stopped = True
        with self._lock:
            self._con.close()
        if SparkSession._active is self:
            SparkSession._active = None
        if self._sc is not None:
            self._sc.stop()

    def __enter__(self) -> SparkSession:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class _Classproperty:
    def __get__(self, instance: Any, owner: type) -> SparkSession.Builder:
        return SparkSession.Builder()


SparkSession.builder = _Classproperty()  # type: ignore[assignment]
SparkSession.getActiveSession = classmethod(  # type: ignore[method-assign]
    lambda cls: cls._active)
SparkSession.active = classmethod(lambda cls: cls._active)  # type: ignore[attr-defined]
_builder_lock = threading.Lock()


def _patch_rdd() -> None:
    """``rdd.toDF()``, as PySpark adds it to RDD when a session starts."""
    from sparklet.rdd import RDD

    if getattr(RDD, "toDF", None) is not None:
        return

    def toDF(self: Any, schema: Any = None, sampleRatio: float | None = None) -> Any:
        session = SparkSession._active or SparkSession.builder.getOrCreate()
        return session.createDataFrame(self, schema, sampleRatio)

    RDD.toDF = toDF  # type: ignore[attr-defined]


class _Registered:
    """An Arrow table registered on the session's DuckDB, unregistered when no DataFrame
    (nor temporary view) refers to it any more."""

    __slots__ = ("name", "table", "__weakref__")

    def __init__(self, session: SparkSession, name: str, table: Any):
        self.name = name
        self.table = table
        weakref.finalize(self, _unregister, weakref.ref(session), name)


def _unregister(session_ref: Any, name: str) -> None:
    # A finalizer runs wherever the garbage collector happens to run: possibly inside a
    # Python UDF that DuckDB is calling, on one of its threads, mid-query. Calling DuckDB
    # there interrupts the running query (or waits for the lock its caller holds), so the
    # name is only queued; the next registration drops the queued tables.
    session = session_ref()
    if session is None or session._stopped:
        return
    session._unregistered.append(name)


def _drop_unregistered(session: SparkSession) -> None:
    """Unregister the Arrow tables no DataFrame refers to any more (caller holds the lock)."""
    while session._unregistered:
        name = session._unregistered.pop()
        try:
            session._con.unregister(name)
        except Exception:  # noqa: BLE001 - the database may be closing
            pass


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _translate(exc: Exception, sql: str | None = None) -> Exception:
    from sparklet.sql.udf import python_exception_of

    failed = python_exception_of(str(exc))
    if failed is not None:
        return failed
    try:
        from sparklet.sql.execution_errors import translate
    except ImportError:
        return exc
    return translate(exc, sql)
