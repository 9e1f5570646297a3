"""Spark SQL semantics on DuckDB: a sqlglot dialect that reads Spark SQL and writes DuckDB SQL.

sqlglot's own Spark → DuckDB translation models Spark 3 with ANSI mode off (``CAST`` becomes
``TRY_CAST``, ``a / b`` becomes ``a / NULLIF(b, 0)``) and DuckDB's result types. This dialect
is sqlglot's DuckDB generator with Spark 4's rules layered on top, one module per family of
expressions; each module contributes

- ``TRANSFORMS``: ``{sqlglot expression class: fn(generator, expression) -> str}``, and
- ``FUNCTIONS``: ``{lower-case function name: fn(generator, expression) -> str}`` for the Spark
  functions sqlglot parses as ``exp.Anonymous`` (it has no node of its own for them).

Two modules may not claim the same key: the assembly below refuses it at import.

The session's settings reach the rules through the dialect instance:
``generator.dialect.settings["ansi"]`` (``spark.sql.ansi.enabled``) and
``generator.dialect.settings["time_zone"]`` (``spark.sql.session.timeZone``).

>>> to_duckdb(parse("SELECT 1 + 1 AS two"))
'SELECT 1 + 1 AS two'
"""

from __future__ import annotations

from collections.abc import Callable

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.dialects.spark import Spark

from sparklet.sql.dialect import (
    aggregates,
    ansi,
    arrays,
    datetimes,
    jsonfuncs,
    numeric,
    strings,
    windows,
)

Transform = Callable[..., str]

_MODULES = (ansi, numeric, strings, datetimes, arrays, jsonfuncs, aggregates, windows)


def _merge(attribute: str) -> dict:
    merged: dict = {}
    for module in _MODULES:
        for key, fn in getattr(module, attribute, {}).items():
            if key in merged:
                raise RuntimeError(
                    f"dialect: {key!r} is claimed by two modules ({module.__name__})")
            merged[key] = fn
    return merged


TRANSFORMS: dict[type[exp.Expression], Transform] = _merge("TRANSFORMS")
FUNCTIONS: dict[str, Transform] = _merge("FUNCTIONS")


class SparkOnDuckDB(DuckDB):
    """DuckDB SQL that behaves as Spark SQL (settings: ``ansi``, ``time_zone``)."""

    SUPPORTED_SETTINGS = DuckDB.SUPPORTED_SETTINGS | {"ansi", "time_zone"}

    class Generator(DuckDB.Generator):
        TRANSFORMS = {**DuckDB.Generator.TRANSFORMS, **TRANSFORMS}

        def anonymous_sql(self, expression: exp.Anonymous) -> str:
            fn = FUNCTIONS.get(expression.name.lower())
            if fn is not None:
                return fn(self, expression)
            return super().anonymous_sql(expression)

        @property
        def ansi(self) -> bool:
            return bool(self.dialect.settings.get("ansi", True))

        @property
        def time_zone(self) -> str:
            return str(self.dialect.settings.get("time_zone", "UTC"))


_STATEMENT_STARTS = frozenset("""SELECT WITH FROM VALUES TABLE CREATE INSERT DROP SET SHOW
DESCRIBE DESC EXPLAIN USE CACHE UNCACHE REFRESH ALTER TRUNCATE RESET ANALYZE MSCK DELETE UPDATE
MERGE ADD LIST CLEAR REPLACE LOAD COMMENT""".split())


def parse_error(text: str, exc: Exception, statement: bool = False) -> Exception:
    """Spark's ``ParseException`` for a sqlglot parse error of ``text``: at the offending
    token's start, or "end of input" when the text stopped early."""
    from sparklet.errors import ParseException

    errors = getattr(exc, "errors", None) or [{}]
    first = errors[0]
    line = first.get("line") or 1
    token = first.get("highlight") or ""
    end_col = first.get("col") or 0  # sqlglot: 1-based column of the token's last character
    lines = text.split("\n")
    words = text.split()
    if statement and words and words[0].upper() not in _STATEMENT_STARTS \
            and not words[0].startswith("("):
        # not a statement at all: Spark's parser stops at the first word
        return ParseException(errorClass="PARSE_SYNTAX_ERROR", messageParameters={
            "error": f"'{words[0]}'", "hint": ""}, command=text, line=1,
            startPosition=len(text) - len(text.lstrip()))
    at_end = line >= len(lines) and end_col >= len(lines[-1].rstrip())
    if at_end and not first.get("description", "").startswith("Invalid expression"):
        return ParseException(errorClass="PARSE_SYNTAX_ERROR", messageParameters={
            "error": "end of input", "hint": ""}, command=text, line=len(lines),
            startPosition=len(lines[-1]))
    return ParseException(errorClass="PARSE_SYNTAX_ERROR", messageParameters={
        "error": f"'{token}'", "hint": ""}, command=text, line=line,
        startPosition=max(end_col - len(token), 0))


def parse(sql: str) -> exp.Expression:
    """One Spark SQL statement as a sqlglot tree (Spark's dialect)."""
    try:
        return sqlglot.parse_one(sql, read=Spark)
    except sqlglot.errors.ParseError as exc:
        raise parse_error(sql, exc, statement=True) from None


def parse_expression(sql: str) -> exp.Expression:
    """A Spark SQL expression (``selectExpr``, ``expr``, ``filter("...")``)."""
    try:
        return sqlglot.parse_one(sql, read=Spark)
    except sqlglot.errors.ParseError as exc:
        raise parse_error(sql, exc) from None


def to_duckdb(expression: exp.Expression, *, ansi: bool = True, time_zone: str = "UTC") -> str:
    """DuckDB SQL for a Spark SQL tree, with Spark 4 semantics (ANSI on) or Spark 3's."""
    dialect = SparkOnDuckDB(ansi=ansi, time_zone=time_zone)
    return dialect.generate(expression)
