"""``spark.read`` and ``df.write``: PySpark's DataFrameReader and DataFrameWriter over
:mod:`sparklet.sql.io` (Spark's file layout and formats on Arrow and DuckDB).

The reader turns paths into a DuckDB relation with Spark's schema and hands it to the
session as a DataFrame; the writer collects the DataFrame as Arrow and writes Spark's
directory layout. Options are Spark's (case-insensitive strings); the session time zone is
the default ``timeZone`` for the text formats' timestamps.
"""

from __future__ import annotations

from typing import Any

from sparklet.errors import PySparkTypeError
from sparklet.sql import io
from sparklet.sql import types as T
from sparklet.sql.io.layout import normalize_save_mode
from sparklet.sql.io.options import option_string

__all__ = ["DataFrameReader", "DataFrameWriter"]


def _paths(path: Any) -> list[str]:
    if isinstance(path, str):
        return [path]
    if isinstance(path, (list, tuple)) and all(isinstance(p, str) for p in path):
        return list(path)
    raise _type_error("NOT_STR_OR_LIST_OF_RDD", "path", "a str, list or RDD", path)


def _type_error(condition: str, arg: str, wanted: str, got: Any) -> PySparkTypeError:
    params = {"arg_name": arg, "arg_type": type(got).__name__}
    return PySparkTypeError(
        message=f"Argument `{arg}` should be {wanted}, got {params['arg_type']}.",
        errorClass=condition, messageParameters=params)


def _set(options: dict[str, Any], **named: Any) -> dict[str, Any]:
    """``options`` plus the named ones that were given (PySpark skips ``None``)."""
    out = dict(options)
    out.update({k: v for k, v in named.items() if v is not None})
    return out


def _named(arguments: dict[str, Any], *skip: str) -> dict[str, Any]:
    """A format method's keyword options that were given (its ``locals()`` at entry)."""
    return {k: v for k, v in arguments.items()
            if k != "self" and k not in skip and v is not None}


def _conf(session: Any, key: str, default: str | None = None) -> str | None:
    conf = getattr(session, "conf", None)
    try:
        return conf.get(key, default) if conf is not None else default
    except Exception:  # noqa: BLE001 - a RuntimeConfig without the key
        return default


def _default_source(session: Any) -> str:
    return _conf(session, "spark.sql.sources.default", "parquet") or "parquet"


class _OptionsBuilder:
    """``format``/``option``/``options``, shared by the reader and the writer."""

    _format: str | None
    _options: dict[str, Any]

    def format(self, source: str) -> Any:  # noqa: A003 - PySpark's name
        """The data source: ``parquet``, ``json``, ``csv``, ``text``, ``orc``."""
        self._format = source
        return self

    def option(self, key: str, value: Any) -> Any:
        """One option for the data source (see the format methods for the known ones)."""
        self._options[key] = option_string(value)
        return self

    def options(self, **options: Any) -> Any:
        """Several options at once."""
        for k, v in options.items():
            self.option(k, v)
        return self

    def _path(self, path: Any) -> Any:
        """``path``, else the ``path`` option; Spark's error when neither is given."""
        if path is None:
            path = next((v for k, v in self._options.items() if k.lower() == "path"), None)
            if path is None:
                from sparklet.errors import AnalysisException

                raise AnalysisException(message="'path' is not specified")
        return path


class DataFrameReader(_OptionsBuilder):
    """Loads a DataFrame from files (``spark.read``)."""

    def __init__(self, spark: Any):
        self._spark = spark
        self._format: str | None = None
        self._schema: T.StructType | None = None
        self._options: dict[str, Any] = {}

    def schema(self, schema: T.StructType | str) -> DataFrameReader:
        """The schema to read with (a StructType or a DDL string), instead of inferring it."""
        if isinstance(schema, str):
            parsed = T._parse_datatype_string(schema)
            schema = parsed if isinstance(parsed, T.StructType) else T.StructType(
                [T.StructField("value", parsed)])
        elif not isinstance(schema, T.StructType):
            raise _type_error("NOT_STR_OR_STRUCT", "schema", "a str or struct type", schema)
        self._schema = schema
        return self

    def load(self, path: str | list[str] | None = None, format: str | None = None,  # noqa: A002
             schema: T.StructType | str | None = None, **options: Any) -> Any:
        """Read ``path`` (a file, a directory, a glob, or a list of them)."""
        if format is not None:
            self.format(format)
        if schema is not None:
            self.schema(schema)
        self.options(**options)
        path = self._path(path)
        fmt = (self._format or _default_source(self._spark)).lower()
        opts = dict(self._options)
        if not any(k.lower() == "timezone" for k in opts):
            opts["timeZone"] = getattr(self._spark, "_time_zone", None) or "UTC"
        return self._load(_paths(path), fmt, opts)

    def _load(self, paths: list[str], fmt: str, opts: dict[str, Any]) -> Any:
        session = self._spark
        registered: list = []
        with session._lock:
            try:
                sql, schema = io.read(session._con, paths, fmt, self._schema, opts, registered)
            except Exception as exc:
                raise _translated(exc) from None
        sources = tuple(_holder(session, name, table) for name, table in registered)
        if sources:
            return session._frame_from_sql(sql, schema, sources)
        return session._frame_from_sql(sql, schema)

    def parquet(self, *paths: str, **options: Any) -> Any:
        """Parquet files (``mergeSchema``, ``pathGlobFilter``, ``recursiveFileLookup``)."""
        self.options(**options)
        return self.format("parquet").load(list(paths))

    def orc(self, path: str | list[str], mergeSchema: bool | None = None,
            pathGlobFilter: str | None = None, recursiveFileLookup: bool | None = None,
            modifiedBefore: Any = None, modifiedAfter: Any = None) -> Any:
        """ORC files."""
        self.options(**_named(locals(), "path"))
        return self.format("orc").load(path)

    def json(self, path: Any, schema: T.StructType | str | None = None,
             primitivesAsString: bool | None = None, prefersDecimal: bool | None = None,
             allowComments: bool | None = None, allowUnquotedFieldNames: bool | None = None,
             allowSingleQuotes: bool | None = None, allowNumericLeadingZero: bool | None = None,
             allowBackslashEscapingAnyCharacter: bool | None = None, mode: str | None = None,
             columnNameOfCorruptRecord: str | None = None, dateFormat: str | None = None,
             timestampFormat: str | None = None, multiLine: bool | None = None,
             allowUnquotedControlChars: bool | None = None, lineSep: str | None = None,
             samplingRatio: Any = None, dropFieldIfAllNull: bool | None = None,
             encoding: str | None = None, locale: str | None = None,
             pathGlobFilter: str | None = None, recursiveFileLookup: bool | None = None,
             modifiedBefore: Any = None, modifiedAfter: Any = None,
             allowNonNumericNumbers: bool | None = None) -> Any:
        """JSON lines (or whole JSON documents with ``multiLine``); ``path`` may also be an
        RDD or list of JSON strings."""
        named = _named(locals(), "path", "schema")
        if schema is not None:
            self.schema(schema)
        self.options(**named)
        if not isinstance(path, (str, list, tuple)) and hasattr(path, "collect"):
            path = _json_strings_file(path.collect())  # an RDD of JSON strings
        elif isinstance(path, (list, tuple)) and path and not all(
                isinstance(p, str) for p in path):
            raise _type_error("NOT_STR_OR_LIST_OF_RDD", "path", "a str, list or RDD", path)
        return self.format("json").load(path)

    def csv(self, path: str | list[str], schema: T.StructType | str | None = None,
            sep: str | None = None, encoding: str | None = None, quote: str | None = None,
            escape: str | None = None, comment: str | None = None, header: Any = None,
            inferSchema: Any = None, ignoreLeadingWhiteSpace: Any = None,
            ignoreTrailingWhiteSpace: Any = None, nullValue: str | None = None,
            nanValue: str | None = None, positiveInf: str | None = None,
            negativeInf: str | None = None, dateFormat: str | None = None,
            timestampFormat: str | None = None, maxColumns: Any = None,
            maxCharsPerColumn: Any = None, maxMalformedLogPerPartition: Any = None,
            mode: str | None = None, columnNameOfCorruptRecord: str | None = None,
            multiLine: Any = None, charToEscapeQuoteEscaping: str | None = None,
            samplingRatio: Any = None, enforceSchema: Any = None, emptyValue: str | None = None,
            locale: str | None = None, lineSep: str | None = None,
            pathGlobFilter: str | None = None, recursiveFileLookup: Any = None,
            modifiedBefore: Any = None, modifiedAfter: Any = None,
            unescapedQuoteHandling: str | None = None) -> Any:
        """CSV files: ``header``, ``inferSchema``, ``sep``, ``quote``, ``escape``,
        ``nullValue``, ``dateFormat``/``timestampFormat``, ``mode``, ..."""
        named = _named(locals(), "path", "schema")
        if schema is not None:
            self.schema(schema)
        self.options(**named)
        return self.format("csv").load(path)

    def text(self, paths: str | list[str], wholetext: bool = False,
             lineSep: str | None = None, pathGlobFilter: str | None = None,
             recursiveFileLookup: bool | None = None, modifiedBefore: Any = None,
             modifiedAfter: Any = None) -> Any:
        """Text files: one ``value`` string per line (or per file with ``wholetext``)."""
        self.options(**_named(locals(), "paths"))
        return self.format("text").load(paths)

    def table(self, tableName: str) -> Any:
        """The table or view ``tableName`` (as ``spark.table``)."""
        return self._spark.table(tableName)


class DataFrameWriter(_OptionsBuilder):
    """Saves a DataFrame to files (``df.write``)."""

    def __init__(self, df: Any):
        self._df = df
        self._spark = df._session if hasattr(df, "_session") else getattr(df, "sparkSession",
                                                                             None)
        self._mode: str | None = None
        self._format: str | None = None
        self._options: dict[str, Any] = {}
        self._partition_by: list[str] | None = None

    def mode(self, saveMode: str | None) -> DataFrameWriter:
        """``append``, ``overwrite``, ``ignore``, ``error`` / ``errorifexists`` (default)."""
        if saveMode is not None:
            normalize_save_mode(saveMode)  # an unknown mode fails here, as in Spark
            self._mode = saveMode
        return self

    def partitionBy(self, *cols: str | list[str]) -> DataFrameWriter:
        """Write one ``col=value`` directory per distinct value of ``cols``."""
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        self._partition_by = list(cols)  # type: ignore[arg-type]
        return self

    def bucketBy(self, numBuckets: int, col: str, *cols: str) -> DataFrameWriter:
        raise NotImplementedError("bucketBy is not supported by sparklet's file sources")

    def sortBy(self, col: str, *cols: str) -> DataFrameWriter:
        raise NotImplementedError("sortBy is not supported by sparklet's file sources")

    def save(self, path: str | None = None, format: str | None = None,  # noqa: A002
             mode: str | None = None, partitionBy: str | list[str] | None = None,
             **options: Any) -> None:
        """Write the DataFrame to directory ``path`` in Spark's layout."""
        self.mode(mode)
        if format is not None:
            self.format(format)
        if partitionBy is not None:
            self.partitionBy(partitionBy)
        self.options(**options)
        path = self._path(path)
        fmt = (self._format or _default_source(self._spark)).lower()
        if fmt == "noop":  # Spark's benchmark sink: run the query, keep nothing
            self._df._to_arrow()
            return
        opts = dict(self._options)
        if not any(k.lower() == "timezone" for k in opts):
            opts["timeZone"] = getattr(self._spark, "_time_zone", None) or "UTC"
        if not any(k.lower() == "partitionoverwritemode" for k in opts):
            conf = _conf(self._spark, "spark.sql.sources.partitionOverwriteMode")
            if conf:
                opts["partitionOverwriteMode"] = conf
        io.write(self._df._to_arrow(), self._df.schema, path, fmt,
                 self._mode or "errorifexists", self._partition_by, opts)

    def insertInto(self, tableName: str, overwrite: bool | None = None) -> None:
        """Append (or with ``overwrite``, replace) the rows of a catalog table, by position."""
        catalog = self._spark.catalog
        insert = getattr(catalog, "_insert_into", None)
        if insert is None:
            raise NotImplementedError("insertInto needs sparklet's persistent catalog")
        overwrite = bool(overwrite) or (self._mode or "").lower() == "overwrite"
        insert(self._df, tableName, overwrite)

    def saveAsTable(self, name: str, format: str | None = None,  # noqa: A002
                    mode: str | None = None, partitionBy: str | list[str] | None = None,
                    **options: Any) -> None:
        """Save the DataFrame as catalog table ``name``."""
        self.mode(mode)
        if partitionBy is not None:
            self.partitionBy(partitionBy)
        self.options(**options)
        catalog = self._spark.catalog
        save = getattr(catalog, "_save_as_table", None)
        if save is None:
            raise NotImplementedError("saveAsTable needs sparklet's persistent catalog")
        save(self._df, name, format or self._format, self._mode, self._partition_by,
             dict(self._options))

    def parquet(self, path: str, mode: str | None = None,
                partitionBy: str | list[str] | None = None,
                compression: str | None = None) -> None:
        """Parquet files (snappy unless ``compression``)."""
        self.mode(mode)
        if partitionBy is not None:
            self.partitionBy(partitionBy)
        self.options(**_set({}, compression=compression))
        self.format("parquet").save(path)

    def orc(self, path: str, mode: str | None = None,
            partitionBy: str | list[str] | None = None, compression: str | None = None) -> None:
        """ORC files (zstd unless ``compression``)."""
        self.mode(mode)
        if partitionBy is not None:
            self.partitionBy(partitionBy)
        self.options(**_set({}, compression=compression))
        self.format("orc").save(path)

    def json(self, path: str, mode: str | None = None, compression: str | None = None,
             dateFormat: str | None = None, timestampFormat: str | None = None,
             lineSep: str | None = None, encoding: str | None = None,
             ignoreNullFields: bool | None = None) -> None:
        """JSON lines."""
        self.mode(mode)
        self.options(**_named(locals(), "path", "mode"))
        self.format("json").save(path)

    def text(self, path: str, compression: str | None = None,
             lineSep: str | None = None) -> None:
        """Text: the DataFrame's single string column, a line per row."""
        self.options(**_named(locals(), "path"))
        self.format("text").save(path)

    def csv(self, path: str, mode: str | None = None, compression: str | None = None,
            sep: str | None = None, quote: str | None = None, escape: str | None = None,
            header: Any = None, nullValue: str | None = None, escapeQuotes: Any = None,
            quoteAll: Any = None, dateFormat: str | None = None,
            timestampFormat: str | None = None, ignoreLeadingWhiteSpace: Any = None,
            ignoreTrailingWhiteSpace: Any = None, charToEscapeQuoteEscaping: str | None = None,
            encoding: str | None = None, emptyValue: str | None = None,
            lineSep: str | None = None) -> None:
        """CSV files (``header``, ``sep``, ``quote``, ``escape``, ``nullValue``, ...)."""
        self.mode(mode)
        self.options(**_named(locals(), "path", "mode"))
        self.format("csv").save(path)


def _holder(session: Any, name: str, table: Any) -> Any:
    """What keeps a registered Arrow table alive as long as a DataFrame reads it."""
    try:
        from sparklet.sql.session import _Registered

        return _Registered(session, name, table)
    except ImportError:  # pragma: no cover - an older session module
        return table


def _translated(exc: Exception) -> Exception:
    try:
        import duckdb
    except ImportError:  # pragma: no cover
        return exc
    if isinstance(exc, duckdb.Error):
        try:
            from sparklet.sql.session import _translate

            return _translate(exc)
        except ImportError:  # pragma: no cover
            return exc
    return exc


def _json_strings_file(values: list[Any]) -> str:
    """JSON documents given as strings (an RDD's), written to a scratch file to read."""
    import os
    import tempfile

    from sparklet.sql.io.files import scratch_directory

    fd, path = tempfile.mkstemp(prefix="json-rdd-", suffix=".json", dir=scratch_directory())
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for v in values:
            f.write(str(v).replace("\r", " ").replace("\n", " ") + "\n")
    return path
