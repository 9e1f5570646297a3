"""``read``: files in one of Spark's formats as a DuckDB relation with Spark's schema."""

from __future__ import annotations

import fnmatch
import os

from sparklet.errors import AnalysisException
from sparklet.sql import types as T
from sparklet.sql.io import columnar, csvfmt, jsonfmt, layout, textfmt
from sparklet.sql.io import values as V
from sparklet.sql.io.options import Options, check_format


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def session_zone(con, opts: Options):
    """The time zone values without an offset are read in: the ``timeZone`` option, else
    the connection's (the session's) ``TimeZone`` setting."""
    name = opts.get("timeZone")
    if name is None:
        name = con.sql("SELECT current_setting('TimeZone')").fetchall()[0][0]
    return V.zone(name)


class _Recording:
    """A connection that notes the Arrow tables registered on it (for their owner to
    unregister once no DataFrame reads them)."""

    def __init__(self, con, registered: list):
        self._con = con
        self._registered = registered

    def register(self, name: str, table) -> None:
        self._con.register(name, table)
        self._registered.append((name, table))

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def read(con, paths: list[str], format: str, schema: T.StructType | None,
         options: dict, registered: list | None = None) -> tuple[str, T.StructType]:
    """A DuckDB relation text over the files at ``paths`` and its Spark schema (the
    relation's columns, in order), with Spark's reading semantics for ``format``: schema
    inference or the user's ``schema``, partition columns from ``key=value`` directories
    (last), parse modes. Arrow tables the relation needs are registered on ``con`` (and,
    given a ``registered`` list, noted in it as ``(name, table)``)."""
    from sparklet.sql.typemap import to_duckdb_type

    fmt = check_format(format)
    opts = Options(options)
    if registered is not None:
        con = _Recording(con, registered)
    if isinstance(paths, str):
        paths = [paths]
    files = layout.list_input_files(list(paths))
    if "pathGlobFilter" in opts:  # a glob on the file names only, as Spark's filter
        pattern = opts.get("pathGlobFilter")
        files = [(b, f) for b, f in files if fnmatch.fnmatchcase(os.path.basename(f), pattern)]
    if opts.bool("recursiveFileLookup", False):  # every file, no partition discovery
        files = [(os.path.dirname(f), f) for _, f in files]
    elif "basePath" in opts:  # partition columns are the k=v directories below basePath
        base = layout.local_path(opts.get("basePath"))
        files = [(base, f) for _, f in files]
    partitioning = layout.discover_partitions(
        files, infer_types=opts.bool("inferPartitionTypes", True), user_schema=schema)
    part_fields = partitioning.schema.fields
    part_lower = {f.name.lower() for f in part_fields}
    data_user = None
    if schema is not None:
        data_user = T.StructType([f for f in schema.fields if f.name.lower() not in part_lower])
    groups = [g for _, g in partitioning.groups] or [[]]
    group_values = [v for v, _ in partitioning.groups] or [()]
    if fmt == "parquet":
        relations, data_schema = columnar.read_parquet(con, groups, data_user, opts)
    elif fmt == "orc":
        relations, data_schema = columnar.read_orc(con, groups, data_user, opts)
    elif fmt == "json":
        relations, data_schema = jsonfmt.read_json(con, groups, data_user, opts,
                                                   session_zone(con, opts))
    elif fmt == "csv":
        relations, data_schema = csvfmt.read_csv(con, groups, data_user, opts)
    elif fmt == "text":
        relations, data_schema = textfmt.read_text_files(con, groups, data_user, opts)
    else:  # pragma: no cover - check_format refused the others
        raise AssertionError(fmt)
    # A partition column also stored in the files keeps the files' position, with the
    # directory's value and type (Spark's mergeDataAndPartitionSchema); the others go last.
    part_index = {f.name.lower(): i for i, f in enumerate(part_fields)}
    layout_: list[tuple[str, int]] = []  # ("data", field index) / ("part", partition index)
    for i, f in enumerate(data_schema.fields):
        key = f.name.lower()
        layout_.append(("part", part_index[key]) if key in part_index else ("data", i))
    placed = {i for kind, i in layout_ if kind == "part"}
    layout_ += [("part", i) for i in range(len(part_fields)) if i not in placed]
    result = T.StructType([
        T.StructField((data_schema.fields[i] if kind == "data" else part_fields[i]).name,
                      (data_schema.fields[i] if kind == "data" else part_fields[i]).dataType,
                      True) for kind, i in layout_])
    if not result.fields and fmt in ("json", "csv"):
        # Spark gives JSON and CSV input without a single field an empty schema (no rows to
        # read either); DuckDB has no relation without columns, so one stands in for it
        return "SELECT 1 WHERE false", result
    if not result.fields:
        raise AnalysisException(
            message=f"Unable to infer schema for {fmt.upper()}. It must be specified manually.",
            errorClass="UNABLE_TO_INFER_SCHEMA", messageParameters={"format": fmt.upper()})
    selects = []
    for relation, values in zip(relations, group_values, strict=False):
        cols = [f"t.{_quote(data_schema.fields[i].name)}" if kind == "data" else
                f"{layout.partition_value_sql(values[i], part_fields[i].dataType)} AS "
                f"{_quote(part_fields[i].name)}" for kind, i in layout_]
        selects.append(f"SELECT {', '.join(cols)} FROM ({relation}) AS t")
    if not partitioning.groups:
        cols = ", ".join(f"CAST(NULL AS {to_duckdb_type(f.dataType)}) AS {_quote(f.name)}"
                         for f in result.fields)
        return f"SELECT {cols} WHERE false", result
    return " UNION ALL ".join(selects), result
