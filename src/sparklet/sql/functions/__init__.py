"""``sparklet.sql.functions``: PySpark's built-in functions, as ``pyspark.sql.functions``.

Each function builds the sqlglot node that Spark SQL text ``name(args)`` parses into
(:func:`_invoke`), so ``F.upper(c)`` and ``spark.sql("SELECT upper(c)")`` meet the same
dialect rules and get the same result and name.

>>> from sparklet.sql import functions as F
>>> F.sum("v"), F.count("*"), F.upper(F.col("name")), F.lit(1) + 1
(Column<'sum(v)'>, Column<'count(1)'>, Column<'upper(name)'>, Column<'(1 + 1)'>)
"""

from __future__ import annotations

import functools
from typing import Any

import sqlglot
from sqlglot import expressions as E
from sqlglot.dialects.spark import Spark

from sparklet.sql.column import Column, _literal, _to_expr

__all__ = ["col", "column", "lit", "expr", "when", "coalesce", "broadcast"]


@functools.lru_cache(maxsize=4096)
def _template(name: str, nargs: int) -> E.Expression:
    text = f"{name}({', '.join(f'__sparklet_arg{i}' for i in range(nargs))})"
    return sqlglot.parse_one(text, read=Spark)


def _invoke(name: str, *args: Any, names: bool = True) -> Column:
    """Spark function ``name`` applied to ``args`` (Columns, column names, or literals).

    The node is the one Spark's SQL parser builds for ``name(args)``.
    """
    trees = [_to_expr(a, names=names) for a in args]
    node = _template(name, len(trees)).copy()

    def put(n: E.Expression) -> E.Expression:
        if isinstance(n, E.Column) and n.name.startswith("__sparklet_arg") and not n.table:
            return trees[int(n.name[len("__sparklet_arg"):])]
        return n
    node = node.transform(put, copy=False)
    node.meta["spark_fn"] = name
    return Column(node)


def _lit_args(name: str, *args: Any) -> Column:
    """A function whose arguments are all literals (never column names)."""
    return _invoke(name, *args, names=False)


def col(col: str) -> Column:
    """The column named ``col`` (``"*"``, ``"a.b"`` for a struct field, back-quotes for dots)."""
    from sparklet.sql.column import _column_ref

    return Column(_column_ref(col))


column = col


def lit(col: Any) -> Column:
    """A literal column (a Column passes through)."""
    if isinstance(col, Column):
        return col
    return Column(_literal(col))


def expr(str: str) -> Column:  # noqa: A002 - PySpark's parameter name
    """A Spark SQL expression parsed from text."""
    from sparklet.sql.dialect import parse_expression

    return Column(parse_expression(str))


def when(condition: Column, value: Any) -> Column:
    """``CASE WHEN condition THEN value``; chain ``.when``/``.otherwise``."""
    return Column(E.Case(ifs=[E.If(this=condition._expr, true=_literal(value))]))


def coalesce(*cols: Any) -> Column:
    return _invoke("coalesce", *cols)


def broadcast(df: Any) -> Any:
    """A join hint; DuckDB picks its own join strategy, so the DataFrame is returned as is."""
    return df


def _one(name: str):
    def fn(col: Any) -> Column:
        return _invoke(name, col)
    fn.__name__ = name
    fn.__doc__ = f"Spark's ``{name}`` of a column (or column name)."
    return fn


# aggregates and simple one-column functions; the long tail lives in the modules beside
for _name in ("sum", "avg", "min", "max", "first", "last", "collect_list", "collect_set",
              "stddev", "variance", "upper", "lower", "length", "trim", "ltrim", "rtrim",
              "abs", "sqrt", "exp", "log10", "floor", "ceil", "explode", "explode_outer",
              "posexplode", "size", "isnan", "year", "month", "dayofmonth", "hour", "minute",
              "second", "to_date", "initcap", "reverse", "sum_distinct", "bool_and",
              "bool_or"):
    globals()[_name] = _one(_name)
    __all__.append(_name)
mean = globals()["avg"]
__all__.append("mean")


def count(col: Any) -> Column:
    """``count(col)``; ``count("*")`` counts rows (named ``count(1)``)."""
    if isinstance(col, str) and col == "*":
        return Column(E.Count(this=E.Star()))
    return _invoke("count", col)


def countDistinct(col: Any, *cols: Any) -> Column:
    node = E.Count(this=E.Distinct(expressions=[_to_expr(c) for c in (col, *cols)]))
    return Column(node)


count_distinct = countDistinct


def isnull(col: Any) -> Column:
    return Column(_to_expr(col)).isNull()


def isnotnull(col: Any) -> Column:
    return Column(_to_expr(col)).isNotNull()


def concat(*cols: Any) -> Column:
    return _invoke("concat", *cols)


def concat_ws(sep: str, *cols: Any) -> Column:
    return _invoke("concat_ws", lit(sep), *cols)


def substring(str: Any, pos: int, len: int) -> Column:  # noqa: A002
    return _invoke("substring", str, lit(pos), lit(len))


def round(col: Any, scale: int = 0) -> Column:  # noqa: A001
    return _invoke("round", col, lit(scale))


def split(str: Any, pattern: str, limit: int = -1) -> Column:  # noqa: A002
    return _invoke("split", str, lit(pattern), lit(limit))


def array(*cols: Any) -> Column:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = tuple(cols[0])
    return _invoke("array", *cols)


def struct(*cols: Any) -> Column:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = tuple(cols[0])
    return _invoke("struct", *cols)


def row_number() -> Column:
    return _invoke("row_number")


def rank() -> Column:
    return _invoke("rank")


def dense_rank() -> Column:
    return _invoke("dense_rank")


def lag(col: Any, offset: int = 1, default: Any = None) -> Column:
    return _invoke("lag", col, lit(offset), lit(default))


def lead(col: Any, offset: int = 1, default: Any = None) -> Column:
    return _invoke("lead", col, lit(offset), lit(default))


def current_date() -> Column:
    return _invoke("current_date")


def current_timestamp() -> Column:
    return _invoke("current_timestamp")


def date_format(date: Any, format: str) -> Column:  # noqa: A002
    return _invoke("date_format", date, lit(format))


def window(timeColumn: Any, windowDuration: str, slideDuration: str | None = None,
           startTime: str | None = None) -> Column:
    raise NotImplementedError("window() time windows are not implemented yet")


__all__ += ["count", "countDistinct", "count_distinct", "isnull", "isnotnull", "concat",
            "concat_ws", "substring", "round", "split", "array", "struct", "row_number",
            "rank", "dense_rank", "lag", "lead", "current_date", "current_timestamp",
            "date_format"]


# Python UDFs (sparklet.sql.udf)
from sparklet.sql.udf import pandas_udf, udf  # noqa: E402

__all__ += ["udf", "pandas_udf"]
