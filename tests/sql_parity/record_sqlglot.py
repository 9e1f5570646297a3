"""The SQL-text cases of ``cases.py`` through sqlglot (Spark -> DuckDB) and DuckDB alone.

A baseline for the architecture choice: how much of the Spark SQL *text* semantics a plain
transpile gets right without SQLFrame. Only one-statement cases (``sql1("...")`` or
``spark.sql("...")``) run; rows are compared, types are not (DuckDB's type names differ).

    /work/venv-sqlframe/bin/python record_sqlglot.py   # needs duckdb, sqlglot, pyarrow

Writes ``sqlglot_results.json`` and prints the per-area summary of ``compare.py``; with
``--ansi``, through a generator subclass with two ANSI rules, ``sqlglot_ansi_results.json``.
"""

from __future__ import annotations

import ast
import os
import sys
import time


class _Row(tuple):
    """A Row with PySpark's repr, enough to compare collected values."""

    def __new__(cls, names, values):
        row = super().__new__(cls, values)
        row.names = names
        return row

    def __repr__(self):
        return "Row(" + ", ".join(f"{n}={v!r}" for n, v in zip(self.names, self, strict=True)) + ")"


def _convert(value, dtype: str):
    if isinstance(value, dict) and dtype.upper().startswith("STRUCT"):
        return _Row(list(value), [_convert(v, "") for v in value.values()])
    if isinstance(value, list):
        inner = dtype[:-2] if dtype.endswith("[]") else ""
        return [_convert(v, inner) for v in value]
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)
    return value


class _TranspiledDataFrame:
    def __init__(self, con, sql):
        self.rel = con.sql(sql)

    def collect(self):
        names, types = self.rel.columns, [str(t) for t in self.rel.types]
        return [_Row(names, [_convert(v, t) for v, t in zip(row, types, strict=True)])
                for row in self.rel.fetchall()]

    @property
    def dtypes(self):
        raise NotImplementedError("types are not compared for the plain transpile")


def ansi_dialect():
    """sqlglot's DuckDB dialect with two of Spark 4's ANSI rules, to measure how far a
    generator subclass goes: sqlglot reads Spark's ``CAST`` as a non-raising cast (Spark 3)
    and ``/`` as NULL on a zero divisor; ANSI raises for both."""
    from sqlglot.dialects.duckdb import DuckDB

    class SparkAnsiOnDuckDB(DuckDB):
        class Generator(DuckDB.Generator):
            def trycast_sql(self, expression):
                if expression.args.get("safe"):  # an explicit try_cast
                    return super().trycast_sql(expression)
                return self.cast_sql(expression)

            def div_sql(self, expression):
                left, right = self.sql(expression, "this"), self.sql(expression, "expression")
                return (f"CASE WHEN {right} = 0 THEN error('[DIVIDE_BY_ZERO] Division by zero.')"
                        f" ELSE {left} / {right} END")

    return SparkAnsiOnDuckDB


class _Session:
    def __init__(self, dialect="duckdb"):
        import duckdb

        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.dialect = dialect

    def sql(self, query):
        import sqlglot

        (duck,) = sqlglot.transpile(query, read="spark", write=self.dialect)
        return _TranspiledDataFrame(self.con, duck)


def _single_statement(code: str) -> bool:
    tree = ast.parse(code)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return False
    call = tree.body[0].value
    return (isinstance(call, ast.Call) and not call.keywords and len(call.args) == 1
            and isinstance(call.args[0], ast.Constant)
            and ast.unparse(call.func) in ("sql1", "spark.sql"))


def main() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    import compare
    import runner
    from cases import CASES

    ansi = "--ansi" in sys.argv
    ids = [c["id"] for c in CASES if _single_statement(c["code"])]
    session = _Session(ansi_dialect() if ansi else "duckdb")
    ns = {"spark": session, "F": None, "T": None, "Row": None, "Window": None}
    results = runner.run_all(ns, only=ids)
    results = {k: v for k, v in results.items() if k in set(ids)}
    out = "sqlglot_ansi_results.json" if ansi else "sqlglot_results.json"
    runner.write(out, {"engine": "sqlglot+duckdb" + (" (ANSI generator)" if ansi else "")},
                 results)
    print(compare.summary_markdown(compare.compare_files("pyspark_results.json", out)))


if __name__ == "__main__":
    main()
