"""``spark.catalog``: temporary views, ``global_temp`` views, databases and persistent tables.

Temporary views are DuckDB views over the DataFrame's plan with Spark's column names; the
DataFrame itself is kept too, so ``spark.table`` gives back its exact Spark schema.

Persistent tables live in ``spark.sql.warehouse.dir`` (read once, when the catalog starts;
default ``spark-warehouse`` under the working directory), laid out as Spark lays them out: a
managed table of database ``default`` is the directory ``<warehouse>/<table>``, one of
database ``db`` is ``<warehouse>/db.db/<table>``, holding parquet part files (under
``col=value`` directories when partitioned). What Spark keeps in its metastore (databases,
tables, their Spark schemas as JSON, formats, partition columns, locations, options) is one
JSON file, ``<warehouse>/_sparklet_catalog.json``, so a new SparkSession on the same
warehouse sees the same tables.

Why a JSON file and not a DuckDB database file: DuckDB holds an exclusive lock on a database
file for as long as a connection has it open, so a second process (a second ``spark-submit``,
a test's subprocess) could not open a session on the same warehouse while the first lives.
The JSON file is read again whenever it changed on disk (its modification time and size), is
written whole to a temporary file and renamed over the old one (readers never see half a
file), and updates take a ``flock`` on the warehouse directory, so two sessions adding tables
at once do not lose each other's. A leading ``_`` keeps Spark's and Hadoop's file listing
(and ours) from taking the file for data.

The warehouse directory and the file appear with the first table or database; when the last
one is dropped the file goes (and the directory, if this session made it), so a program that
only queries, or cleans up after itself, leaves nothing in its working directory.

Reading a table is a DuckDB ``read_parquet('<dir>/**/*.parquet')`` (Hive partitioning for
partitioned tables, partition values cast to the Spark types of the schema) inlined into the
query; no DuckDB object stands for a persistent table, so a table written by another session
is seen at once. ``cacheTable`` copies a view's or table's rows into a DuckDB temporary table
and reads from it until ``uncacheTable``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import json
import os
import re
import shutil
import time
import uuid
from typing import Any, NamedTuple

from sparklet.errors import AnalysisException
from sparklet.sql import types as T
from sparklet.sql.analysis import quote

GLOBAL_TEMP = "global_temp"
DEFAULT_DB = "default"
SPARK_CATALOG = "spark_catalog"
CATALOG_FILE = "_sparklet_catalog.json"
_FILE_FORMATS = ("parquet", "json", "csv", "orc", "text", "avro")


class Table(NamedTuple):
    name: str
    catalog: str | None
    namespace: list[str] | None
    description: str | None
    tableType: str
    isTemporary: bool

    @property
    def database(self) -> str | None:
        if self.namespace is not None and len(self.namespace) == 1:
            return self.namespace[0]
        return None


class Database(NamedTuple):
    name: str
    catalog: str | None
    description: str | None
    locationUri: str


class Column(NamedTuple):
    name: str
    description: str | None
    dataType: str
    nullable: bool
    isPartition: bool
    isBucket: bool
    isCluster: bool = False


class Function(NamedTuple):
    name: str
    catalog: str | None
    namespace: list[str] | None
    description: str | None
    className: str
    isTemporary: bool


class CatalogMetadata(NamedTuple):
    name: str
    description: str | None


def _error(condition: str, **params: str) -> AnalysisException:
    return AnalysisException(errorClass=condition, messageParameters=params)


def _raw_error(condition: str, text: str, sqlstate: str) -> AnalysisException:
    """An error whose condition is not in PySpark's (Python-side) condition table: Spark's
    message text is given whole."""
    prefix = f"[{condition}] "
    text = text[len(prefix):] if text.startswith(prefix) else text
    return AnalysisException(f"{text} SQLSTATE: {sqlstate}", errorClass=condition,
                             messageParameters={})


def _uri(path: str) -> str:
    return "file:" + os.path.abspath(path)


def _strip_uri(path: str) -> str:
    return path[5:] if path.startswith("file:") else path


def _backticked(*parts: str) -> str:
    return ".".join("`" + p.replace("`", "``") + "`" for p in parts)


def _like(names: list[str], pattern: str | None) -> list[str]:
    """Spark's SHOW ... LIKE / listTables pattern: ``*`` any text, ``|`` alternatives, case
    ignored."""
    if pattern is None:
        return names
    alts = [p.strip().lower() for p in pattern.split("|")]
    return [n for n in names if any(fnmatch.fnmatchcase(n.lower(), a)
                                    if "*" in a else n.lower() == a for a in alts)]


def data_files(location: str, fmt: str = "parquet") -> list[str]:
    """The data files under a table's directory (Hadoop's hidden ``_``/``.`` names skipped)."""
    if os.path.isfile(location):
        return [location]
    out = []
    for path in sorted(glob.glob(os.path.join(glob.escape(location), "**", "*"),
                                 recursive=True)):
        rel = os.path.relpath(path, location)
        if any(part.startswith(("_", ".")) for part in rel.split(os.sep)):
            continue
        if os.path.isfile(path) and not path.endswith(".crc"):
            out.append(path)
    return out


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class _Store:
    """The warehouse's catalog file: databases and tables, re-read when it changed."""

    def __init__(self, warehouse: str):
        self.warehouse = warehouse
        self.path = os.path.join(warehouse, CATALOG_FILE)
        self._stamp: Any = None
        self._created = False
        self._data: dict = {"version": 1, "databases": {}, "tables": {}}

    def data(self) -> dict:
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            if stamp is None:
                self._data = {"version": 1, "databases": {}, "tables": {}}
            else:
                with open(self.path, encoding="utf-8") as f:
                    self._data = json.load(f)
            self._stamp = stamp
        return self._data

    @contextlib.contextmanager
    def update(self):
        """Yield the current data to change in place; written back atomically, under a lock
        shared with other sessions on the same warehouse."""
        if not os.path.isdir(self.warehouse):
            os.makedirs(self.warehouse, exist_ok=True)
            self._created = True
        fd = os.open(self.warehouse, os.O_RDONLY)
        try:
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX)
            except (ImportError, OSError):  # pragma: no cover - no flock: one writer assumed
                pass
            self._stamp = ...  # read it again under the lock
            data = self.data()
            yield data
            if not data["databases"] and not data["tables"]:
                # nothing left to remember: leave no file behind
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self.path)
                if self._created:  # a warehouse this session made, now empty: gone too
                    with contextlib.suppress(OSError):
                        os.rmdir(self.warehouse)
            else:
                tmp = f"{self.path}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
                with open(tmp, "w", encoding="utf-8") as f:
                    json.dump(data, f, indent=1, sort_keys=True)
                os.replace(tmp, self.path)
            self._stamp = ...
        finally:
            os.close(fd)


class Catalog:
    """The session's catalog (PySpark's ``spark.catalog``)."""

    def __init__(self, session: Any):
        self._session = session
        self._global: dict[str, Any] = {}
        self._current_db = DEFAULT_DB
        warehouse = _strip_uri(session.conf.get("spark.sql.warehouse.dir", "spark-warehouse"))
        self._warehouse = os.path.abspath(warehouse)
        self._store = _Store(self._warehouse)
        # cached relations: ("temp"|"global"|"table", key) -> (DuckDB temp table, original)
        self._cache: dict[tuple[str, str], tuple[str, Any]] = {}

    # -- names ----------------------------------------------------------------------------
    def _split(self, name: str) -> list[str]:
        from sparklet.errors.suggestions import parse_attribute_name

        parts = parse_attribute_name(name)
        if len(parts) == 3 and parts[0].lower() == SPARK_CATALOG:
            parts = parts[1:]
        return parts

    def _qualify(self, parts: list[str]) -> tuple[str, str]:
        """(database, table) of a persistent name, both lower case as Spark stores them."""
        if len(parts) == 1:
            return self._current_db, parts[0].lower()
        if len(parts) == 2:
            return parts[0].lower(), parts[1].lower()
        raise _raw_error("REQUIRES_SINGLE_PART_NAMESPACE",
                         f"[REQUIRES_SINGLE_PART_NAMESPACE] {SPARK_CATALOG} requires a single-"
                         f"part namespace, but got {_backticked(*parts[:-1])}.", "42K05")

    def _search_path(self) -> str:
        return f"[`system`.`builtin`, `system`.`session`, `{SPARK_CATALOG}`.`{self._current_db}`]"

    def _not_found(self, parts: list[str], line: int | None = None,
                   pos: int | None = None) -> AnalysisException:
        return AnalysisException(errorClass="TABLE_OR_VIEW_NOT_FOUND", messageParameters={
            "relationName": _backticked(*parts), "searchPath": self._search_path()},
            line=line, startPosition=pos)

    def _lookup(self, parts: list[str]) -> tuple[str, Any] | None:
        """What a relation name means: ("temp", name), ("global", name) or ("table", meta)."""
        if len(parts) == 1 and parts[0].lower() in self._session._views:
            return "temp", parts[0].lower()
        if len(parts) == 2 and parts[0].lower() == GLOBAL_TEMP:
            key = parts[1].lower()
            return ("global", key) if key in self._global else None
        if len(parts) > 2:
            return None
        db, name = self._qualify(parts)
        meta = self._store.data()["tables"].get(f"{db}.{name}")
        return ("table", meta) if meta is not None else None

    def _table_meta(self, parts: list[str]) -> dict | None:
        found = self._lookup(parts)
        return found[1] if found and found[0] == "table" else None

    # -- views ----------------------------------------------------------------------------
    def _create_temp_view(self, name: str, df: Any, replace: bool, is_global: bool = False
                          ) -> None:
        key = name.lower()
        views = self._global if is_global else self._session._views
        if not replace and key in views:
            shown = f"`{GLOBAL_TEMP}`.`{name}`" if is_global else f"`{name}`"
            raise AnalysisException(errorClass="TEMP_TABLE_OR_VIEW_ALREADY_EXISTS",
                                    messageParameters={"relationName": shown})
        self._drop_cache(("global" if is_global else "temp", key))
        self._define_view(name, df, is_global)
        views[key] = df

    def _define_view(self, name: str, df: Any, is_global: bool) -> None:
        target = quote(name)
        if is_global:
            self._session._execute(f"CREATE SCHEMA IF NOT EXISTS {GLOBAL_TEMP}")
            target = f"{GLOBAL_TEMP}.{target}"
            self._session._execute(f"CREATE OR REPLACE VIEW {target} AS {df._display_sql()}")
        else:
            self._session._execute(
                f"CREATE OR REPLACE TEMP VIEW {target} AS {df._display_sql()}")

    def _table(self, name: str) -> Any:
        """``spark.table(name)``: a temporary view's DataFrame or a persistent table's."""
        parts = self._split(name)
        found = self._lookup(parts)
        if found is None:
            raise self._not_found(parts)
        kind, what = found
        if kind == "temp":
            return self._session._views[what]._with_fresh_ids()
        if kind == "global":
            return self._global[what]._with_fresh_ids()
        return self._table_frame(what)

    def _table_frame(self, meta: dict) -> Any:
        if meta["type"] == "VIEW":
            return self._session.sql(meta["viewText"])
        sql, schema = self._relation(meta)
        return self._session._frame_from_sql(sql, schema)

    def _schema(self, meta: dict) -> T.StructType:
        return T.StructType.fromJson(json.loads(meta["schema"]))

    def _relation(self, meta: dict) -> tuple[str, T.StructType]:
        """DuckDB SQL reading a persistent table, columns in the table's order with Spark's
        names, and the table's Spark schema."""
        from sparklet.sql.typemap import to_duckdb_type

        schema = self._schema(meta)
        cached = self._cache.get(("table", f"{meta['database']}.{meta['name']}"))
        if cached is not None:
            cols = ", ".join(quote(f.name) for f in schema.fields)
            return f"SELECT {cols} FROM {quote(cached[0])}", schema
        location = meta["location"]
        fmt = meta.get("provider", "parquet").lower()
        files = data_files(location) if os.path.exists(location) else []
        if not files:
            items = ", ".join(f"CAST(NULL AS {to_duckdb_type(f.dataType)}) AS {quote(f.name)}"
                              for f in schema.fields)
            return f"SELECT {items} WHERE FALSE", schema
        parts = [p.lower() for p in meta.get("partitionColumns", [])]
        if fmt != "parquet":
            # other formats: the IO helper's reader, with the table's schema
            sql, _ = self._io_read([location], fmt, schema, meta.get("options", {}))
            cols = ", ".join(quote(f.name) for f in schema.fields)
            return f"SELECT {cols} FROM ({sql}) AS _r", schema
        source = self._read_parquet(location, parts)
        present = None
        if meta.get("evolved"):  # ADD COLUMNS: older files lack the new columns
            names, _ = self._session._bind(f"SELECT * FROM {source}")
            present = {n.lower() for n in names}
        items = []
        for f in schema.fields:
            if f.name.lower() in parts:
                items.append(f"CAST({quote(f.name)} AS {to_duckdb_type(f.dataType)}) AS "
                             f"{quote(f.name)}")
            elif present is not None and f.name.lower() not in present:
                items.append(f"CAST(NULL AS {to_duckdb_type(f.dataType)}) AS {quote(f.name)}")
            else:
                items.append(quote(f.name))
        return f"SELECT {', '.join(items)} FROM {source}", schema

    def _read_parquet(self, location: str, parts: list[str]) -> str:
        """DuckDB's read_parquet over a table's files (Hive partition values as text, cast
        to the schema's types by the caller)."""
        if os.path.isfile(location):
            pattern = location
        else:
            pattern = os.path.join(location, "**", "*.parquet")
        hive_types = ""
        if parts:
            hive_types = ", hive_types = {" + ", ".join(
                f"{_sql_str(p)}: 'VARCHAR'" for p in parts) + "}"
        return (f"read_parquet({_sql_str(pattern)}, hive_partitioning = "
                f"{str(bool(parts)).lower()}, union_by_name = true{hive_types})")

    def _io_read(self, paths: list[str], fmt: str, schema: T.StructType | None,
                 options: dict) -> tuple[str, T.StructType]:
        from sparklet.sql.io import read

        with self._session._lock:
            return read(self._session._con, paths, fmt, schema, dict(options))

    def dropTempView(self, viewName: str) -> bool:
        """Drop a temporary view; whether it existed."""
        key = viewName.lower()
        if key not in self._session._views:
            return False
        self._drop_cache(("temp", key))
        del self._session._views[key]
        self._session._execute(f"DROP VIEW IF EXISTS {quote(viewName)}")
        return True

    def dropGlobalTempView(self, viewName: str) -> bool:
        """Drop a global temporary view; whether it existed."""
        key = viewName.lower()
        if key not in self._global:
            return False
        self._drop_cache(("global", key))
        del self._global[key]
        self._session._execute(f"DROP VIEW IF EXISTS {GLOBAL_TEMP}.{quote(viewName)}")
        return True

    # -- existence, listing ----------------------------------------------------------------
    def tableExists(self, tableName: str, dbName: str | None = None) -> bool:
        """Whether a table or view exists (``dbName`` or a qualified ``tableName``)."""
        parts = self._split(tableName) if dbName is None else [dbName, tableName]
        return self._lookup(parts) is not None

    def databaseExists(self, dbName: str) -> bool:
        name = dbName.lower()
        if name.startswith(SPARK_CATALOG + "."):
            name = name[len(SPARK_CATALOG) + 1:]
        return name == DEFAULT_DB or name in self._store.data()["databases"]

    def _check_db(self, dbName: str) -> str:
        name = dbName.lower()
        if not self.databaseExists(name):
            raise _error("SCHEMA_NOT_FOUND", schemaName=_backticked(SPARK_CATALOG, dbName))
        return name.split(".")[-1]

    def _persistent_tables(self, db: str) -> list[dict]:
        tables = self._store.data()["tables"].values()
        return sorted((t for t in tables if t["database"] == db), key=lambda t: t["name"])

    def _table_entry(self, meta: dict) -> Table:
        return Table(meta["name"], SPARK_CATALOG, [meta["database"]], meta.get("comment"),
                     meta["type"], False)

    def listTables(self, dbName: str | None = None, pattern: str | None = None) -> list[Table]:
        """The tables and views of the current database (or ``dbName``), then the temporary
        views; ``global_temp`` lists the global temporary views."""
        out = []
        if dbName is not None and dbName.lower() == GLOBAL_TEMP:
            out += [Table(n, None, [GLOBAL_TEMP], None, "TEMPORARY", True)
                    for n in _like(sorted(self._global), pattern)]
        else:
            db = self._current_db if dbName is None else self._check_db(dbName)
            metas = {m["name"]: m for m in self._persistent_tables(db)}
            out += [self._table_entry(metas[n]) for n in _like(list(metas), pattern)]
        out += [Table(n, None, [], None, "TEMPORARY", True)
                for n in _like(sorted(k for k in self._session._views
                                      if not k.startswith("__sparklet")), pattern)]
        return out

    def _database_entry(self, name: str) -> Database:
        if name == DEFAULT_DB:
            return Database(DEFAULT_DB, SPARK_CATALOG, "default database", _uri(self._warehouse))
        meta = self._store.data()["databases"][name]
        return Database(name, SPARK_CATALOG, meta.get("comment") or "",
                        _uri(meta["location"]))

    def listDatabases(self, pattern: str | None = None) -> list[Database]:
        """The databases (``default`` and those made by CREATE DATABASE)."""
        names = sorted({DEFAULT_DB, *self._store.data()["databases"]})
        return [self._database_entry(n) for n in _like(names, pattern)]

    def getDatabase(self, dbName: str) -> Database:
        return self._database_entry(self._check_db(dbName))

    def getTable(self, tableName: str) -> Table:
        parts = self._split(tableName)
        found = self._lookup(parts)
        if found is None:
            raise self._not_found(parts)
        kind, what = found
        if kind == "temp":
            return Table(what, None, [], None, "TEMPORARY", True)
        if kind == "global":
            return Table(what, None, [GLOBAL_TEMP], None, "TEMPORARY", True)
        return self._table_entry(what)

    def listColumns(self, tableName: str, dbName: str | None = None) -> list[Column]:
        """The columns of a table or view (partition columns flagged)."""
        parts = self._split(tableName) if dbName is None else [dbName, tableName]
        meta = self._table_meta(parts)
        if meta is not None and meta["type"] != "VIEW":
            schema = self._schema(meta)
            partition = {p.lower() for p in meta.get("partitionColumns", [])}
        else:
            schema = self._table(".".join(_backticked(p) for p in parts)).schema
            partition = set()
        return [Column(f.name, (f.metadata or {}).get("comment"), f.dataType.simpleString(),
                       f.nullable, f.name.lower() in partition, False, False)
                for f in schema.fields]

    def listCatalogs(self, pattern: str | None = None) -> list[CatalogMetadata]:
        return [CatalogMetadata(SPARK_CATALOG, None)] if _like([SPARK_CATALOG], pattern) else []

    def listFunctions(self, dbName: str | None = None, pattern: str | None = None
                      ) -> list[Function]:
        """Spark's built-in functions that sparklet knows, and the session's UDFs."""
        out = [Function(n, None, None, None, cls, True) for n, cls in _udfs(self._session)]
        out += [Function(n, None, None, None, "org.apache.spark.sql.catalyst.expressions."
                         + n.title().replace("_", ""), True) for n in builtin_functions()]
        out.sort(key=lambda f: f.name)
        keep = set(_like([f.name for f in out], pattern))
        return [f for f in out if f.name in keep]

    def getFunction(self, functionName: str) -> Function:
        """The built-in function or UDF ``functionName`` (UNRESOLVED_ROUTINE when none)."""
        name = functionName.lower()
        for f in self.listFunctions():
            if f.name == name:
                return f
        raise _error("UNRESOLVED_ROUTINE", routineName=f"`{functionName}`",
                     searchPath=self._search_path())

    def registerFunction(self, name: str, f: Any, returnType: Any = None) -> Any:
        """Deprecated in PySpark (use ``spark.udf.register``), which it calls."""
        import warnings

        warnings.warn("Deprecated in 2.3.0. Use spark.udf.register instead.", FutureWarning,
                      stacklevel=2)
        return self._session.udf.register(name, f, returnType)

    def functionExists(self, functionName: str, dbName: str | None = None) -> bool:
        name = functionName.lower()
        return name in builtin_functions() or any(n == name for n, _ in _udfs(self._session))

    def currentDatabase(self) -> str:
        return self._current_db

    def currentCatalog(self) -> str:
        return SPARK_CATALOG

    def setCurrentCatalog(self, catalogName: str) -> None:
        if catalogName.lower() != SPARK_CATALOG:
            raise _raw_error("CATALOG_NOT_FOUND", f"[CATALOG_NOT_FOUND] The catalog "
                             f"`{catalogName}` not found. Consider to set the SQL config "
                             f"`spark.sql.catalog.{catalogName}` to a catalog plugin.", "42P08")

    def setCurrentDatabase(self, dbName: str) -> None:
        self._current_db = self._check_db(dbName)

    # -- databases --------------------------------------------------------------------------
    def _create_database(self, name: str, if_not_exists: bool, comment: str | None = None,
                         location: str | None = None) -> None:
        key = name.lower()
        if self.databaseExists(key):
            if if_not_exists:
                return
            raise _raw_error("SCHEMA_ALREADY_EXISTS", f"[SCHEMA_ALREADY_EXISTS] Cannot create "
                             f"schema `{key}` because it already exists.\nChoose a different "
                             "name, drop the existing schema, or add the IF NOT EXISTS clause "
                             "to tolerate pre-existing schema.", "42P06")
        path = os.path.abspath(_strip_uri(location)) if location else \
            os.path.join(self._warehouse, f"{key}.db")
        with self._store.update() as data:
            data["databases"][key] = {"name": key, "location": path, "comment": comment,
                                      "createTime": int(time.time() * 1000)}
        os.makedirs(path, exist_ok=True)

    def _drop_database(self, name: str, if_exists: bool, cascade: bool) -> None:
        key = name.lower()
        if key == DEFAULT_DB:
            raise _raw_error("UNSUPPORTED_FEATURE.DROP_DATABASE",
                             "[UNSUPPORTED_FEATURE.DROP_DATABASE] The feature is not supported: "
                             "Drop the default database `spark_catalog`.`default`.", "0A000")
        if not self.databaseExists(key):
            if if_exists:
                return
            raise _error("SCHEMA_NOT_FOUND", schemaName=_backticked(SPARK_CATALOG, name))
        tables = self._persistent_tables(key)
        if tables and not cascade:
            raise _raw_error("SCHEMA_NOT_EMPTY", f"[SCHEMA_NOT_EMPTY] Cannot drop a schema "
                             f"`{key}` because it contains objects.\nUse DROP SCHEMA ... "
                             "CASCADE to drop the schema and all its objects.", "2BP01")
        for meta in tables:
            self._drop_table([key, meta["name"]], True)
        with self._store.update() as data:
            meta = data["databases"].pop(key)
        with contextlib.suppress(OSError):
            os.rmdir(meta["location"])
        if self._current_db == key:
            self._current_db = DEFAULT_DB

    # -- tables ---------------------------------------------------------------------------
    def _location_for(self, db: str, name: str) -> str:
        if db == DEFAULT_DB:
            return os.path.join(self._warehouse, name)
        return os.path.join(self._store.data()["databases"][db]["location"], name)

    def _new_table(self, parts: list[str], schema: T.StructType, provider: str = "parquet",
                   partition_by: list[str] | None = None, location: str | None = None,
                   options: dict | None = None, comment: str | None = None,
                   if_not_exists: bool = False, replace: bool = False,
                   view_text: str | None = None) -> dict | None:
        """Record a new table (or persistent view); None when IF NOT EXISTS found one."""
        db, name = self._qualify(parts)
        if db != GLOBAL_TEMP:
            self._check_db(db)
        existing = self._store.data()["tables"].get(f"{db}.{name}")
        if existing is not None:
            if if_not_exists:
                return None
            if not replace:
                raise _error("TABLE_OR_VIEW_ALREADY_EXISTS",
                             relationName=_backticked(SPARK_CATALOG, db, name))
            self._drop_table([db, name], True)
        partition_by = list(partition_by or [])
        names = {f.name.lower(): f for f in schema.fields}
        for p in partition_by:
            if p.lower() not in names:
                raise _raw_error("COLUMN_NOT_DEFINED_IN_TABLE",
                                 f"[COLUMN_NOT_DEFINED_IN_TABLE] partition column `{p}` is not "
                                 f"defined in table {_backticked(SPARK_CATALOG, db, name)}, "
                                 f"defined table columns are: "
                                 f"{', '.join('`' + f.name + '`' for f in schema.fields)}.",
                                 "42703")
        # Spark keeps the partition columns last, in PARTITIONED BY's order
        lower = [p.lower() for p in partition_by]
        fields = [f for f in schema.fields if f.name.lower() not in lower] + \
            [names[p] for p in lower]
        schema = T.StructType(fields)
        external = location is not None
        path = os.path.abspath(_strip_uri(location)) if external else \
            self._location_for(db, name)
        if view_text is None and not external and os.path.exists(path) and data_files(path):
            raise _raw_error("LOCATION_ALREADY_EXISTS",
                             f"[LOCATION_ALREADY_EXISTS] Cannot name the managed table as "
                             f"{_backticked(SPARK_CATALOG, db, name)}, as its associated "
                             f"location '{_uri(path)}' already exists. Please pick a different "
                             "table name, or remove the existing location first.", "42710")
        meta = {"name": name, "database": db,
                "type": "VIEW" if view_text is not None else
                ("EXTERNAL" if external else "MANAGED"),
                "provider": provider.lower(), "schema": schema.json(),
                "partitionColumns": [names[p].name for p in lower], "location": path,
                "options": {k: str(v) for k, v in (options or {}).items() if k != "path"},
                "comment": comment, "createTime": int(time.time() * 1000)}
        if view_text is not None:
            meta["viewText"] = view_text
            meta["location"] = None
        with self._store.update() as data:
            data["tables"][f"{db}.{name}"] = meta
        if view_text is None:
            os.makedirs(path, exist_ok=True)
        return meta

    def _drop_table(self, parts: list[str], if_exists: bool, view: bool = False) -> None:
        if len(parts) == 1 and view and self.dropTempView(parts[0]):
            return
        if len(parts) == 2 and parts[0].lower() == GLOBAL_TEMP:
            if self.dropGlobalTempView(parts[1]) or if_exists:
                return
            raise self._not_found(parts)
        if len(parts) == 1 and not view and self.dropTempView(parts[0]):
            return  # DROP TABLE drops a temporary view of that name too, as Spark
        meta = self._table_meta(parts)
        if meta is None:
            if if_exists:
                return
            raise self._not_found(parts)
        key = f"{meta['database']}.{meta['name']}"
        self._drop_cache(("table", key))
        with self._store.update() as data:
            data["tables"].pop(key, None)
        if meta["type"] == "MANAGED":
            shutil.rmtree(meta["location"], ignore_errors=True)

    def createTable(self, tableName: str, path: str | None = None, source: str | None = None,
                    schema: T.StructType | None = None, description: str | None = None,
                    **options: Any) -> Any:
        """Create a table (external when ``path`` is given) and return it as a DataFrame."""
        path = path or options.pop("path", None)
        provider = source or self._session.conf.get("spark.sql.sources.default", "parquet")
        if schema is None:
            if path is None:
                raise _raw_error("UNSUPPORTED_FEATURE", "[UNSUPPORTED_FEATURE] The feature is "
                                 "not supported: a table without a schema needs a path.", "0A000")
            schema = self._infer_schema(path, provider, options)
        elif isinstance(schema, str):
            schema = T._parse_datatype_string(schema)
        meta = self._new_table(self._split(tableName), schema, provider, None, path, options,
                               description)
        return self._table_frame(meta)

    createExternalTable = createTable

    def _infer_schema(self, path: str, provider: str, options: dict) -> T.StructType:
        local = _strip_uri(path)
        if not os.path.exists(local):
            raise _error("PATH_NOT_FOUND", path=_uri(local))
        _, schema = self._io_read([local], provider, None, options)
        return schema

    # -- writing ----------------------------------------------------------------------------
    def _save_as_table(self, df: Any, name: str, format: str | None = None,  # noqa: A002
                       mode: str | None = None, partition_by: list[str] | None = None,
                       options: dict | None = None) -> None:
        """``df.write.saveAsTable(name)`` with Spark's save modes (``error``/``errorifexists``
        by default, ``append``, ``overwrite``, ``ignore``)."""
        mode = (mode or "errorifexists").lower()
        options = dict(options or {})
        parts = self._split(name)
        meta = self._table_meta(parts)
        if meta is not None:
            if mode in ("error", "errorifexists", "default"):
                db, tbl = self._qualify(parts)
                raise _error("TABLE_OR_VIEW_ALREADY_EXISTS",
                             relationName=_backticked(SPARK_CATALOG, db, tbl))
            if mode == "ignore":
                return
            if mode == "append":
                self._append_by_name(df, meta)
                return
            # overwrite: the table is replaced, schema and all
            self._drop_table(parts, False)
        elif mode not in ("error", "errorifexists", "default", "ignore", "append", "overwrite"):
            raise _error("INVALID_SAVE_MODE", mode=f'"{mode}"')
        schema = T.StructType([T.StructField(f.name, f.dataType, True, f.metadata)
                               for f in df.schema.fields])
        provider = format or self._session.conf.get("spark.sql.sources.default", "parquet")
        meta = self._new_table(parts, schema, provider, partition_by, options.get("path"),
                               options)
        # the table puts its partition columns last: write the data's columns by name
        self._append_by_name(df, meta)

    def _append_by_name(self, df: Any, meta: dict) -> None:
        schema = self._schema(meta)
        by_name = {f.name.lower(): f.name for f in df.schema.fields}
        missing = [f.name for f in schema.fields if f.name.lower() not in by_name]
        if missing or len(by_name) != len(schema.fields):
            raise self._arity_error(meta, len(df.schema.fields), len(schema.fields))
        self._write(meta, df.select(*[by_name[f.name.lower()] for f in schema.fields]), False)

    def _arity_error(self, meta: dict, got: int, want: int) -> AnalysisException:
        kind = "NOT_ENOUGH_DATA_COLUMNS" if got < want else "TOO_MANY_DATA_COLUMNS"
        return _raw_error(f"INSERT_COLUMN_ARITY_MISMATCH.{kind}",
                          f"[INSERT_COLUMN_ARITY_MISMATCH.{kind}] Cannot write to "
                          f"{_backticked(SPARK_CATALOG, meta['database'], meta['name'])}, "
                          f"the reason is {'not enough' if got < want else 'too many'} data "
                          f"columns:\nTable columns: "
                          f"{', '.join('`' + f.name + '`' for f in self._schema(meta).fields)}"
                          f".\nData columns: {got} columns.", "21S01")

    def _insert_into(self, df: Any, name: str, overwrite: bool = False,
                     static: dict[str, Any] | None = None) -> None:
        """``df.write.insertInto(name)`` / ``INSERT INTO|OVERWRITE``: columns by position;
        ``static`` holds the values of a ``PARTITION (col = value)`` clause."""
        parts = self._split(name)
        found = self._lookup(parts)
        if found is None:
            raise self._not_found(parts)
        if found[0] != "table" or found[1]["type"] == "VIEW":
            raise _raw_error("UNSUPPORTED_INSERT.NOT_ALLOWED",
                             f"[UNSUPPORTED_INSERT.NOT_ALLOWED] Can't insert into the target. "
                             f"The target {_backticked(*parts)} does not allow insertion.",
                             "42809")
        meta = found[1]
        schema = self._schema(meta)
        static = {k.lower(): v for k, v in (static or {}).items()}
        targets = [f for f in schema.fields if f.name.lower() not in static]
        if len(df.columns) != len(targets):
            raise self._arity_error(meta, len(df.columns) + len(static), len(schema.fields))
        from sparklet.sql import functions as F

        # by position: select by index, not by (possibly repeated) name
        data = df.toDF(*[f"_c{i}" for i in range(len(df.columns))])
        index = {f.name.lower(): f"_c{i}" for i, f in enumerate(targets)}
        cols = [F.lit(static[f.name.lower()]).alias(f.name) if f.name.lower() in static
                else data[index[f.name.lower()]].alias(f.name) for f in schema.fields]
        self._write(meta, data.select(*cols), overwrite, static if overwrite else None)

    def _write(self, meta: dict, df: Any, overwrite: bool,
               static: dict[str, Any] | None = None) -> None:
        """Write ``df`` (the table's columns, by position) into the table's directory."""
        from sparklet.sql.typemap import to_duckdb_type

        schema = self._schema(meta)
        items = ", ".join(f"CAST({quote(a.phys)} AS {to_duckdb_type(f.dataType)}) AS "
                          f"{quote(f.name)}" for a, f in zip(df._attrs, schema.fields,
                                                              strict=True))
        cast = self._session._frame_from_sql(f"SELECT {items} FROM ({df._sql}) AS _w", schema)
        table = cast._to_arrow()
        location = meta["location"]
        if overwrite:
            self._drop_cache(("table", f"{meta['database']}.{meta['name']}"))
            _remove_data(location, meta.get("partitionColumns", []), static)
        if table.num_rows:
            _write_files(table, schema, location, meta.get("provider", "parquet"),
                         meta.get("partitionColumns", []), meta.get("options", {}))
        self._refresh_cache(meta)

    def _truncate(self, parts: list[str]) -> None:
        meta = self._table_meta(parts)
        if meta is None:
            raise self._not_found(parts)
        self._drop_cache(("table", f"{meta['database']}.{meta['name']}"))
        _remove_data(meta["location"], meta.get("partitionColumns", []), None)

    def _rename(self, parts: list[str], new_parts: list[str]) -> None:
        if len(parts) == 1 and parts[0].lower() in self._session._views:
            df = self._session._views[parts[0].lower()]
            self.dropTempView(parts[0])
            self._create_temp_view(new_parts[-1], df, replace=False)
            return
        meta = self._table_meta(parts)
        if meta is None:
            raise self._not_found(parts)
        db = meta["database"]
        new_db, new_name = self._qualify(new_parts if len(new_parts) == 2 else [db, new_parts[0]])
        if f"{new_db}.{new_name}" in self._store.data()["tables"]:
            raise _error("TABLE_OR_VIEW_ALREADY_EXISTS",
                         relationName=_backticked(SPARK_CATALOG, new_db, new_name))
        self._drop_cache(("table", f"{db}.{meta['name']}"))
        new = dict(meta, name=new_name, database=new_db)
        if meta["type"] == "MANAGED":
            new["location"] = self._location_for(new_db, new_name)
            os.rename(meta["location"], new["location"])
        with self._store.update() as data:
            data["tables"].pop(f"{db}.{meta['name']}", None)
            data["tables"][f"{new_db}.{new_name}"] = new

    def _add_columns(self, parts: list[str], fields: list[T.StructField]) -> None:
        meta = self._table_meta(parts)
        if meta is None:
            raise self._not_found(parts)
        schema = self._schema(meta)
        have = {f.name.lower() for f in schema.fields}
        for f in fields:
            if f.name.lower() in have:
                raise _raw_error("FIELD_ALREADY_EXISTS", f"[FIELD_ALREADY_EXISTS] Cannot add "
                                 f"column, because `{f.name}` already exists in "
                                 f"{schema.simpleString()}.", "42710")
        n_part = len(meta.get("partitionColumns", []))
        data_fields = schema.fields[:len(schema.fields) - n_part]
        part_fields = schema.fields[len(schema.fields) - n_part:]
        new = T.StructType(data_fields + list(fields) + part_fields)
        with self._store.update() as data:
            data["tables"][f"{meta['database']}.{meta['name']}"] = dict(
                meta, schema=new.json(), evolved=True)

    def _set_properties(self, parts: list[str], properties: dict[str, str]) -> None:
        """ALTER TABLE ... SET TBLPROPERTIES / CREATE TABLE ... TBLPROPERTIES."""
        meta = self._table_meta(parts)
        if meta is None:
            raise self._not_found(parts)
        key = f"{meta['database']}.{meta['name']}"
        with self._store.update() as data:
            entry = data["tables"][key]
            entry["properties"] = {**entry.get("properties", {}), **properties}

    # -- caching --------------------------------------------------------------------------
    def _cache_key(self, tableName: str) -> tuple[tuple[str, str], Any]:
        parts = self._split(tableName)
        found = self._lookup(parts)
        if found is None:
            raise self._not_found(parts)
        kind, what = found
        if kind == "table":
            return ("table", f"{what['database']}.{what['name']}"), what
        return (kind, what), what

    def isCached(self, tableName: str) -> bool:
        """Whether the view's or table's rows are cached."""
        key, what = self._cache_key(tableName)
        if key in self._cache:
            return True
        if key[0] == "temp":
            return bool(getattr(self._session._views[what], "is_cached", False))
        return False

    def cacheTable(self, tableName: str, storageLevel: Any = None) -> None:
        """Copy the rows into a DuckDB temporary table that queries read until uncached."""
        key, what = self._cache_key(tableName)
        if key in self._cache:
            return
        df = self._table(tableName)
        name = self._session._fresh_name("__sparklet_cache")
        self._session._execute(f"CREATE TEMP TABLE {quote(name)} AS {df._display_sql()}")
        if key[0] == "table":
            self._cache[key] = (name, None)
            return
        views = self._session._views if key[0] == "temp" else self._global
        original = views[what]
        cols = ", ".join(quote(f.name) for f in df.schema.fields)
        cached = self._session._frame_from_sql(f"SELECT {cols} FROM {quote(name)}", df.schema)
        self._cache[key] = (name, original)
        views[what] = cached
        self._define_view(what, cached, key[0] == "global")

    def uncacheTable(self, tableName: str) -> None:
        key, _ = self._cache_key(tableName)
        self._uncache(key)

    def _uncache(self, key: tuple[str, str]) -> None:
        entry = self._cache.pop(key, None)
        if entry is None:
            return
        name, original = entry
        if original is not None:
            views = self._session._views if key[0] == "temp" else self._global
            views[key[1]] = original
            self._define_view(key[1], original, key[0] == "global")
        self._session._execute(f"DROP TABLE IF EXISTS {quote(name)}")

    def _drop_cache(self, key: tuple[str, str]) -> None:
        entry = self._cache.pop(key, None)
        if entry is not None:
            self._session._execute(f"DROP TABLE IF EXISTS {quote(entry[0])}")

    def _refresh_cache(self, meta: dict) -> None:
        """A cached table that was written to is cached again (Spark re-caches it lazily)."""
        key = ("table", f"{meta['database']}.{meta['name']}")
        if key in self._cache:
            self._drop_cache(key)
            self.cacheTable(f"{meta['database']}.{meta['name']}")

    def clearCache(self) -> None:
        for key in list(self._cache):
            self._uncache(key)

    def refreshTable(self, tableName: str) -> None:
        """Tables are listed afresh at each read; a cached table is cached again."""
        key, what = self._cache_key(tableName)
        if key[0] == "table":
            self._refresh_cache(what)

    def recoverPartitions(self, tableName: str) -> None:
        """Partition directories are found at each read (nothing to record)."""
        parts = self._split(tableName)
        if self._table_meta(parts) is None:
            raise self._not_found(parts)

    def refreshByPath(self, path: str) -> None:
        pass

    def _partitions(self, parts: list[str]) -> list[str]:
        meta = self._table_meta(parts)
        if meta is None:
            raise self._not_found(parts)
        cols = meta.get("partitionColumns", [])
        if not cols:
            raise _raw_error("INVALID_PARTITION_OPERATION.PARTITION_SCHEMA_IS_EMPTY",
                             "[INVALID_PARTITION_OPERATION.PARTITION_SCHEMA_IS_EMPTY] The "
                             "partition command is invalid. Table "
                             f"{_backticked(SPARK_CATALOG, meta['database'], meta['name'])} "
                             "is not partitioned.", "42601")
        out = set()
        for f in data_files(meta["location"]):
            rel = os.path.relpath(os.path.dirname(f), meta["location"])
            out.add(rel.replace(os.sep, "/"))
        return sorted(out)


def _remove_data(location: str, partition_cols: list[str], static: dict | None) -> None:
    """Delete a table's data files (only those of the ``static`` partition when given)."""
    if not os.path.isdir(location):
        return
    if static:
        from urllib.parse import quote as url_quote

        sub = location
        for col in partition_cols:
            if col.lower() not in static:
                break
            value = static[col.lower()]
            text = "__HIVE_DEFAULT_PARTITION__" if value is None else str(value)
            sub = os.path.join(sub, f"{col}={url_quote(text, safe=' ')}")
        shutil.rmtree(sub, ignore_errors=True)
        return
    for entry in os.listdir(location):
        if entry.startswith(("_", ".")):
            continue
        path = os.path.join(location, entry)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)


def _write_files(table: Any, schema: T.StructType, location: str, fmt: str,
                 partition_by: list[str], options: dict) -> None:
    """Add part files holding ``table`` to a table's directory (``sparklet.sql.io.write`` in
    append mode: Spark's file names, ``col=value`` directories)."""
    from sparklet.sql.io import write

    write(table, schema, location, fmt, "append", partition_by or None, options)


def _udfs(session: Any) -> list[tuple[str, str]]:
    """The session's registered UDFs (whatever registry the UDF module keeps)."""
    registry = getattr(session, "_udfs", None) or getattr(session, "_functions", None) or {}
    return [(str(n).lower(), "org.apache.spark.sql.execution.python.UserDefinedPythonFunction")
            for n in registry]


_NOT_SQL = {"col", "column", "lit", "expr", "broadcast", "udf", "udtf", "pandas_udf",
            "call_function", "call_udf", "asc", "desc", "asc_nulls_first", "asc_nulls_last",
            "desc_nulls_first", "desc_nulls_last", "struct", "window", "session_window",
            "mean", "monotonically_increasing_id", "spark_partition_id", "input_file_name"}
_ALWAYS = {"abs", "upper", "lower", "count", "sum", "avg", "min", "max", "coalesce", "concat",
           "substring", "length", "trim", "round", "if", "when", "cast", "struct", "array",
           "map", "explode", "mean", "monotonically_increasing_id", "spark_partition_id",
           "current_date", "current_timestamp", "date_add", "to_date", "nvl", "ifnull",
           "nullif", "rand", "split", "regexp_replace", "row_number", "rank", "dense_rank",
           "lead", "lag", "first", "last", "collect_list", "collect_set", "stddev", "variance"}


def builtin_functions() -> list[str]:
    """Names of Spark's built-in SQL functions that sparklet provides (those of
    ``sparklet.sql.functions`` that are SQL functions too, and a core set)."""
    from sparklet.sql import functions as F

    names = {n.lower() for n in getattr(F, "__all__", []) if re.fullmatch(r"[a-z_0-9]+", n)}
    return sorted((names - _NOT_SQL) | _ALWAYS)
