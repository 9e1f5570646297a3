"""Runs the parity table's single-statement SQL cases through the dialect and DuckDB alone.

A case whose whole program is ``sql1("<expr>")`` or ``spark.sql("<query>")`` needs no
DataFrame: its query goes through ``sparklet.sql.dialect.to_duckdb`` and DuckDB, and the
result is observed as ``tests/sql_parity/runner.py`` observes a DataFrame (the reprs of the
rows, the dtypes, or the exception's class), so that ``compare.verdict`` can judge it against
what PySpark 4.3 recorded.
"""

from __future__ import annotations

import ast
import json
import os
import re

import duckdb

from sparklet.sql.conversion import row_converter
from sparklet.sql.dialect import parse, to_duckdb
from sparklet.sql.typemap import from_duckdb_type
from sparklet.sql.types import StructField, StructType

HERE = os.path.dirname(__file__)
RESULTS = os.path.join(HERE, "..", "..", "sql_parity", "pyspark_results.json")

_SQL1 = re.compile(r"sql1\((.*)\)\s*$", re.S)
_SQL = re.compile(r"spark\.sql\((.*)\)\s*$", re.S)


def query_of(code: str) -> str | None:
    """The SQL text of a single-statement case, or None for any other program."""
    code = code.strip()
    if "\n" in code:
        return None
    for pattern, prefix in ((_SQL1, "SELECT "), (_SQL, "")):
        m = pattern.fullmatch(code)
        if m:
            try:
                text = ast.literal_eval(m.group(1))
            except (ValueError, SyntaxError):
                return None
            if not isinstance(text, str):
                return None
            return prefix + text + (" AS r" if prefix else "")
    return None


def sql_cases(*areas: str) -> dict[str, dict]:
    """The recorded single-statement cases of ``areas`` (all areas if none), by id."""
    with open(RESULTS) as f:
        cases = json.load(f)["cases"]
    out = {}
    for cid, case in sorted(cases.items()):
        if areas and case["area"] not in areas:
            continue
        query = query_of(case["code"])
        if query is not None:
            out[cid] = dict(case, query=query)
    return out


_con: duckdb.DuckDBPyConnection | None = None


def connection() -> duckdb.DuckDBPyConnection:
    global _con
    if _con is None:
        _con = duckdb.connect()
        _con.execute("SET TimeZone = 'UTC'")
    return _con


def _translate(exc: Exception) -> Exception:
    try:
        from sparklet.sql.execution_errors import translate
    except ImportError:
        return exc
    return translate(exc)


def run_sql(query: str, ansi: bool = True) -> dict:
    """Observe ``query`` as the parity runner observes a DataFrame."""
    try:
        sql = to_duckdb(parse(query), ansi=ansi, time_zone="UTC")
        rel = connection().sql(sql)
        schema = StructType([StructField(n, from_duckdb_type(t))
                             for n, t in zip(rel.columns, rel.types, strict=True)])
        to_row = row_converter(schema)
        rows = [repr(to_row(r)) for r in rel.fetchall()]
    except Exception as exc:  # noqa: BLE001 - the exception is the observation
        exc = _translate(exc)
        cond = getattr(exc, "getCondition", lambda: None)()
        return {"error": {"type": type(exc).__name__, "condition": cond, "message": str(exc)},
                "sql": locals().get("sql")}
    return {"rows": rows, "dtypes": [[f.name, f.dataType.simpleString()] for f in schema],
            "stdout": "", "sql": sql}
