"""Window functions with Spark's types and analysis errors.

- ``row_number``, ``rank``, ``dense_rank``, ``ntile`` are ``int`` in Spark (DuckDB:
  ``BIGINT``); ``percent_rank``/``cume_dist`` ``double``.
- Ranking and offset functions need an ordered window: Spark's analyzer refuses
  ``rank() OVER (PARTITION BY g)`` with WINDOW_FUNCTION_FRAME_NOT_ORDERED, and any
  ``DISTINCT`` aggregate in a window with DISTINCT_WINDOW_FUNCTION_UNSUPPORTED. The
  generator runs while the DataFrame is built, so the error surfaces at the call, as in
  PySpark.
- An aggregate over a window gets the same result type as in a GROUP BY: the aggregate's
  builder (``dialect/aggregates.py``) is given the `` OVER (...)`` text.
- ``first``/``last``/``any_value``/``nth_value`` with ``ignorenulls`` become DuckDB's
  ``FIRST_VALUE(x IGNORE NULLS)`` etc.
- Ascending window ORDER BY puts NULLs first, descending last (sqlglot's Spark parser
  records that on each ``Ordered``, and the DataFrame API's ``Window.orderBy`` too).

>>> from sparklet.sql.dialect import parse_expression, to_duckdb
>>> to_duckdb(parse_expression("rank() OVER (PARTITION BY g ORDER BY v)"))
'CAST(RANK() OVER (PARTITION BY g ORDER BY v NULLS FIRST) AS INTEGER)'
"""

from __future__ import annotations

from sqlglot import exp

from sparklet.errors import AnalysisException
from sparklet.sql.dialect import aggregates

_NEEDS_ORDER = {exp.RowNumber: "row_number", exp.Rank: "rank", exp.DenseRank: "dense_rank",
                exp.PercentRank: "percent_rank", exp.CumeDist: "cume_dist",
                exp.Ntile: "ntile", exp.Lag: "lag", exp.Lead: "lead"}
_INT_RESULT = (exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile)
_DOUBLE_RESULT = (exp.PercentRank, exp.CumeDist)
_IGNORE_NULLS_NAMES = {exp.First: "FIRST_VALUE", exp.FirstValue: "FIRST_VALUE",
                       exp.AnyValue: "FIRST_VALUE", exp.Last: "LAST_VALUE",
                       exp.LastValue: "LAST_VALUE"}
_PLACEHOLDER = "__SPARKLET_WINDOW_FN"


def _check(e: exp.Window) -> None:
    fn = e.this
    name = _NEEDS_ORDER.get(type(fn))
    if name is None and isinstance(fn, exp.Anonymous) and fn.name.lower() in (
            "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile"):
        name = fn.name.lower()
    order = e.args.get("order")
    if name is not None and (order is None or not order.expressions):
        raise AnalysisException(errorClass="WINDOW_FUNCTION_FRAME_NOT_ORDERED",
                                messageParameters={"wf_name": name,
                                                   "wf_expr": f"{name.upper()}()"})
    if fn.find(exp.Distinct) is not None and not isinstance(fn, exp.Window):
        from sparklet.sql.naming import spark_name

        raise AnalysisException(errorClass="DISTINCT_WINDOW_FUNCTION_UNSUPPORTED",
                                messageParameters={"windowExpr": f'"{spark_name(e)}"'})


def _over(gen, e: exp.Window) -> str:
    """The `` OVER (...)`` text of the window (sqlglot's DuckDB generator writes it)."""
    shell = e.copy()
    shell.set("this", exp.Anonymous(this=_PLACEHOLDER))
    text = gen.window_sql(shell)
    return text[text.index(_PLACEHOLDER) + len(_PLACEHOLDER) + 2:]


def _window(gen, e: exp.Window) -> str:
    _check(e)
    fn = e.this
    if isinstance(fn, exp.IgnoreNulls):
        inner = fn.this
        name = _IGNORE_NULLS_NAMES.get(type(inner))
        if name is not None:
            return f"{name}({gen.sql(inner, 'this')} IGNORE NULLS){_over(gen, e)}"
        if isinstance(inner, exp.NthValue):
            return (f"NTH_VALUE({gen.sql(inner, 'this')}, {gen.sql(inner, 'offset')} "
                    f"IGNORE NULLS){_over(gen, e)}")
        return gen.window_sql(e)
    if isinstance(fn, (exp.First, exp.Last)):
        # in a window, first/last are the frame's first/last value, NULLs included
        name = "FIRST_VALUE" if isinstance(fn, exp.First) else "LAST_VALUE"
        return f"{name}({gen.sql(fn, 'this')}){_over(gen, e)}"
    build = aggregates.builder(gen, fn)
    if build is not None:
        return build(_over(gen, e))
    text = gen.window_sql(e)
    if isinstance(fn, _INT_RESULT) or (isinstance(fn, exp.Anonymous) and fn.name.lower() in (
            "row_number", "rank", "dense_rank", "ntile")):
        return f"CAST({text} AS INTEGER)"
    if isinstance(fn, _DOUBLE_RESULT):
        return f"CAST({text} AS DOUBLE)"
    return text


TRANSFORMS = {exp.Window: _window}
FUNCTIONS: dict = {}
