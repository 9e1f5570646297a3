"""``read``: files in one of Spark's formats as a DuckDB relation with Spark's schema."""

from __future__ import annotations

from sparklet.errors import AnalysisException
from sparklet.sql import types as T
from sparklet.sql.io import columnar, csvfmt, jsonfmt, layout, textfmt
from sparklet.sql.io import values as V
from sparklet.sql.io.options import Options


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def session_zone(con, opts: Options):
    """The time zone values without an offset are read in: the ``timeZone`` option, else
    the connection's (the session's) ``TimeZone`` setting."""
    name = opts.get("timeZone")
    if name is None:
        name = con.sql("SELECT current_setting('TimeZone')").fetchall()[0][0]
    return V.zone(name)


def read(con, paths: list[str], format: str, schema: T.StructType | None,
         options: dict) -> tuple[str, T.StructType]:
    """A DuckDB relation text over the files at ``paths`` and its Spark schema (the
    relation's columns, in order), with Spark's reading semantics for ``format``: schema
    inference or the user's ``schema``, partition columns from ``key=value`` directories
    (last), parse modes. Arrow tables the relation needs are registered on ``con``."""
    from sparklet.sql.typemap import to_duckdb_type

    fmt = format.lower()
    opts = Options(options)
    if isinstance(paths, str):
        paths = [paths]
    files = layout.list_input_files(list(paths))
    if fmt == "text" and schema is None:
        pass
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
    else:
        raise AnalysisException(message=f"Failed to find the data source: {format}.")
    data_fields = [f for f in data_schema.fields if f.name.lower() not in part_lower]
    result = T.StructType([T.StructField(f.name, f.dataType, True)
                           for f in data_fields + list(part_fields)])
    if not result.fields:
        raise AnalysisException(
            message=f"Unable to infer schema for {fmt.upper()}. It must be specified manually.",
            errorClass="UNABLE_TO_INFER_SCHEMA", messageParameters={"format": fmt.upper()})
    selects = []
    for relation, values in zip(relations, group_values, strict=False):
        cols = [f"t.{_quote(f.name)}" for f in data_fields]
        cols += [f"{layout.partition_value_sql(v, f.dataType)} AS {_quote(f.name)}"
                 for v, f in zip(values, part_fields, strict=False)]
        selects.append(f"SELECT {', '.join(cols)} FROM ({relation}) AS t")
    if not partitioning.groups:
        cols = ", ".join(f"CAST(NULL AS {to_duckdb_type(f.dataType)}) AS {_quote(f.name)}"
                         for f in result.fields)
        return f"SELECT {cols} WHERE false", result
    return " UNION ALL ".join(selects), result
