"""``spark.catalog``: temporary views (session and ``global_temp``), as PySpark's Catalog.

Temporary views are DuckDB views over the DataFrame's plan with Spark's column names; the
DataFrame itself is kept too, so ``spark.table`` gives back its exact Spark schema.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sparklet.errors import AnalysisException
from sparklet.sql.analysis import quote

GLOBAL_TEMP = "global_temp"


class Table(NamedTuple):
    name: str
    catalog: str | None
    namespace: list[str] | None
    description: str | None
    tableType: str
    isTemporary: bool

    @property
    def database(self) -> str | None:
        return self.namespace[0] if self.namespace else None


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


class Catalog:
    """The session's catalog."""

    def __init__(self, session: Any):
        self._session = session
        self._global: dict[str, Any] = {}

    # -- views ----------------------------------------------------------------------------
    def _create_temp_view(self, name: str, df: Any, replace: bool, is_global: bool = False
                          ) -> None:
        key = name.lower()
        views = self._global if is_global else self._session._views
        if not replace and key in views:
            shown = f"`{GLOBAL_TEMP}`.`{name}`" if is_global else f"`{name}`"
            raise AnalysisException(errorClass="TEMP_TABLE_OR_VIEW_ALREADY_EXISTS",
                                    messageParameters={"relationName": shown})
        target = quote(name)
        if is_global:
            self._session._execute(f"CREATE SCHEMA IF NOT EXISTS {GLOBAL_TEMP}")
            target = f"{GLOBAL_TEMP}.{target}"
            self._session._execute(f"CREATE OR REPLACE VIEW {target} AS {df._display_sql()}")
        else:
            self._session._execute(
                f"CREATE OR REPLACE TEMP VIEW {target} AS {df._display_sql()}")
        views[key] = df

    def _table(self, name: str) -> Any:
        from sparklet.errors.suggestions import parse_attribute_name

        parts = parse_attribute_name(name)
        if len(parts) == 1 and parts[0].lower() in self._session._views:
            return self._session._views[parts[0].lower()]._with_fresh_ids()
        if len(parts) == 2 and parts[0].lower() == GLOBAL_TEMP and parts[1].lower() in \
                self._global:
            return self._global[parts[1].lower()]._with_fresh_ids()
        sql = f"SELECT * FROM {'.'.join(quote(p) for p in parts)}"
        try:
            return self._session._frame_from_sql(sql)
        except Exception as exc:
            if "does not exist" in str(exc) or "not found" in str(exc).lower():
                raise AnalysisException(errorClass="TABLE_OR_VIEW_NOT_FOUND", messageParameters={
                    "relationName": ".".join(f"`{p}`" for p in parts)}) from None
            raise

    def dropTempView(self, viewName: str) -> bool:
        key = viewName.lower()
        if key not in self._session._views:
            return False
        del self._session._views[key]
        self._session._execute(f"DROP VIEW IF EXISTS {quote(viewName)}")
        return True

    def dropGlobalTempView(self, viewName: str) -> bool:
        key = viewName.lower()
        if key not in self._global:
            return False
        del self._global[key]
        self._session._execute(f"DROP VIEW IF EXISTS {GLOBAL_TEMP}.{quote(viewName)}")
        return True

    def tableExists(self, tableName: str, dbName: str | None = None) -> bool:
        if dbName is None and tableName.lower() in self._session._views:
            return True
        if (dbName or "").lower() == GLOBAL_TEMP:
            return tableName.lower() in self._global
        return False

    def listTables(self, dbName: str | None = None, pattern: str | None = None) -> list[Table]:
        import fnmatch

        out = []
        if dbName is not None and dbName.lower() == GLOBAL_TEMP:
            names = sorted(self._global)
            out = [Table(n, None, [GLOBAL_TEMP], None, "TEMPORARY", True) for n in names]
        else:
            out = [Table(n, None, [], None, "TEMPORARY", True)
                   for n in sorted(self._session._views)]
        if pattern is not None:
            out = [t for t in out if fnmatch.fnmatch(t.name, pattern.replace("*", "*"))]
        return out

    def listDatabases(self, pattern: str | None = None) -> list[Database]:
        return [Database("default", "spark_catalog", "default database",
                         self._session.conf.get("spark.sql.warehouse.dir"))]

    def listColumns(self, tableName: str, dbName: str | None = None) -> list[Column]:
        df = self._table(tableName if dbName is None else f"{dbName}.{tableName}")
        return [Column(f.name, None, f.dataType.simpleString(), f.nullable, False, False)
                for f in df.schema.fields]

    def currentDatabase(self) -> str:
        return "default"

    def currentCatalog(self) -> str:
        return "spark_catalog"

    def setCurrentDatabase(self, dbName: str) -> None:
        if dbName != "default":
            raise AnalysisException(errorClass="SCHEMA_NOT_FOUND", messageParameters={
                "schemaName": f"`spark_catalog`.`{dbName}`"})

    def isCached(self, tableName: str) -> bool:
        return bool(getattr(self._table(tableName), "is_cached", False))

    def cacheTable(self, tableName: str, storageLevel: Any = None) -> None:
        self._table(tableName).cache()

    def uncacheTable(self, tableName: str) -> None:
        pass

    def clearCache(self) -> None:
        pass
