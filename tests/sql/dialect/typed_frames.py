"""Runs a Spark SQL SELECT over a typed in-memory table the way a DataFrame plan will.

A DataFrame's column references are ``exp.Column`` nodes with quoted identifiers and a
``.type`` (the DuckDB type); rules may rely on it. ``run_typed`` builds such a tree from Spark
SQL text over a table given as a DDL schema and rows (registered as an Arrow table), so that
the DataFrame-API cases of the parity table (``F.explode``, ``getItem``, ``F.transform``, ...)
can be checked against PySpark's recorded answers before the DataFrame layer exists.
"""

from __future__ import annotations

import itertools

from sqlglot import exp

from sparklet.sql.conversion import row_converter, to_arrow_table
from sparklet.sql.dialect import parse, to_duckdb
from sparklet.sql.typemap import from_duckdb_type, to_duckdb_type
from sparklet.sql.types import StructField, StructType, _parse_datatype_string

from .harness import _translate, connection

_names = itertools.count(1)


def _typed(name: str, schema: StructType) -> exp.Column:
    col = exp.Column(this=exp.Identifier(this=name, quoted=True))
    col.type = exp.DataType.build(to_duckdb_type(schema[name].dataType), dialect="duckdb")
    return col


def run_typed(select_sql: str, ddl: str, rows: list[tuple], ansi: bool = True,
              typed: bool = True) -> dict:
    """Observe ``select_sql`` (``SELECT ... FROM t ...``) with ``t`` a table of schema ``ddl``
    holding ``rows``, its column references typed as a DataFrame plan types them (``typed``;
    False: left as ``spark.sql`` text leaves them, names only)."""
    schema = _parse_datatype_string(ddl)
    table = f"typed_{next(_names)}"
    con = connection()
    con.register(table, to_arrow_table(rows, schema))
    names = set(schema.names) if typed else set()
    tree = parse(select_sql)
    for t in tree.find_all(exp.Table):
        if t.name == "t":
            t.set("this", exp.to_identifier(table))
    for col in list(tree.find_all(exp.Column)):
        if col.table in names:  # s.i: field i of struct column s
            col.replace(exp.Dot(this=_typed(col.table, schema), expression=col.this))
        elif not col.table and col.name in names:
            col.replace(_typed(col.name, schema))
    sql = None
    try:
        sql = to_duckdb(tree, ansi=ansi)
        rel = con.sql(sql)
        out = StructType([StructField(n, from_duckdb_type(t))
                          for n, t in zip(rel.columns, rel.types, strict=True)])
        to_row = row_converter(out)
        got = [repr(to_row(r)) for r in rel.fetchall()]
    except Exception as exc:  # noqa: BLE001 - the exception is the observation
        exc = _translate(exc)
        cond = getattr(exc, "getCondition", lambda: None)()
        return {"error": {"type": type(exc).__name__, "condition": cond, "message": str(exc)},
                "sql": sql}
    finally:
        con.unregister(table)
    return {"rows": got, "dtypes": [[f.name, f.dataType.simpleString()] for f in out],
            "sql": sql}
