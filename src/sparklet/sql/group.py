"""``GroupedData``: what ``groupBy``/``rollup``/``cube`` return, as PySpark's.

>>> from sparklet.sql import SparkSession, functions as F
>>> spark = SparkSession.builder.getOrCreate()
>>> df = spark.createDataFrame([("a", 1), ("a", 2), ("b", 5)], "g STRING, v INT")
>>> df.groupBy("g").sum("v").orderBy("g").collect()
[Row(g='a', sum(v)=3), Row(g='b', sum(v)=5)]
>>> df.groupBy("g").pivot("g").count().orderBy("g").columns
['g', 'a', 'b']
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from sparklet.errors import AnalysisException
from sparklet.sql.column import Column, _literal, _to_expr
from sparklet.sql.na import _spark_string

__all__ = ["GroupedData"]

_DICT_FUNCTIONS = {"mean": "avg", "average": "avg", "std": "stddev", "stddev": "stddev",
                   "size": "count"}


class GroupedData:
    """Groups of a DataFrame, aggregated with :meth:`agg` or a shortcut."""

    def __init__(self, df: Any, keys: list[exp.Expression], kind: str,
                 pivot: tuple[exp.Expression, list[Any]] | None = None):
        self._df = df
        self._keys = keys
        self._kind = kind
        self._pivot = pivot

    def agg(self, *exprs: Any) -> Any:
        """One row per group: the keys, then the aggregates (Columns, or a dict of column
        name → aggregate function name)."""
        from sparklet.sql import functions as F

        if len(exprs) == 1 and isinstance(exprs[0], dict):
            cols = []
            for name, fn in exprs[0].items():
                fn = _DICT_FUNCTIONS.get(fn.lower(), fn.lower())
                cols.append(F.count(name) if fn == "count" else F._invoke(fn, name))
            exprs = tuple(cols)
        if not exprs:
            raise AssertionError("exprs should not be empty")  # PySpark's assert
        for e in exprs:
            if not isinstance(e, Column):
                raise AssertionError("all exprs should be Column")  # PySpark's assert
        from sparklet.sql.udf import aggregate_in_pandas, is_pandas_aggregate

        if any(is_pandas_aggregate(e._expr) for e in exprs):
            return aggregate_in_pandas(self, [e._expr for e in exprs])
        aggs = [e._expr for e in exprs]
        if self._pivot is not None:
            aggs = self._pivoted(aggs)
        df = self._df
        resolver = df._resolver()
        keys_sql = [df._gen(resolver.resolve(k.this if isinstance(k, exp.Alias) else k))
                    for k in self._keys]
        group_by = None
        if self._keys:
            joined = ", ".join(keys_sql)
            group_by = {"groupby": joined, "rollup": f"ROLLUP ({joined})",
                        "cube": f"CUBE ({joined})"}[self._kind]
        aggs = [self._with_grouping(a) for a in aggs]
        return df._project(list(self._keys) + aggs, group_by=group_by) if group_by else \
            df._project(aggs)

    def _with_grouping(self, tree: exp.Expression) -> exp.Expression:
        # grouping_id() without arguments means all grouping columns, as in Spark
        def put(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Anonymous) and node.name.lower() == "grouping_id" \
                    and not node.expressions:
                out = exp.Anonymous(this="grouping_id", expressions=[k.copy()
                                                                     for k in self._keys])
                out.meta["spark_name"] = "grouping_id()"
                return out
            return node
        return tree.transform(put)

    def _pivoted(self, aggs: list[exp.Expression]) -> list[exp.Expression]:
        pivot_col, values = self._pivot  # type: ignore[misc]
        out = []
        for value in values:
            label = "null" if value is None else _spark_string(value)
            for agg in aggs:
                inner = agg.this if isinstance(agg, exp.Alias) else agg
                cond = (exp.Is(this=pivot_col.copy(), expression=exp.Null()) if value is None
                        else exp.EQ(this=pivot_col.copy(), expression=_literal(value)))
                filtered = _pivot_cell(inner, cond)
                if len(aggs) == 1:
                    name = label
                else:
                    from sparklet.sql.naming import spark_name

                    agg_name = agg.alias if isinstance(agg, exp.Alias) else spark_name(inner)
                    name = f"{label}_{agg_name}"
                out.append(exp.Alias(this=filtered, alias=exp.Identifier(this=name,
                                                                         quoted=True)))
        return out

    def pivot(self, pivot_col: str, values: list[Any] | None = None) -> GroupedData:
        """Groups pivoted on ``pivot_col``: one output column per value (the sorted distinct
        values when not given)."""
        col = _to_expr(pivot_col)
        if values is None:
            distinct = self._df.select(Column(col)).distinct().collect()
            values = sorted((r[0] for r in distinct), key=lambda v: (v is not None, v))
        return GroupedData(self._df, self._keys, self._kind, (col, list(values)))

    def count(self) -> Any:
        from sparklet.sql import functions as F

        return self.agg(F.count("*").alias("count"))

    def _numeric(self, fn: str, cols: tuple[str, ...]) -> Any:
        from sparklet.sql import functions as F
        from sparklet.sql import types as T

        if not cols:  # every numeric column, the grouping columns too (as Spark)
            cols = tuple(a.name for a in self._df._attrs
                         if isinstance(a.dataType, T.NumericType))
        else:
            for c in cols:
                attr = self._df._resolver().lookup([c], c)[0]
                if not isinstance(attr.dataType, T.NumericType):
                    raise AnalysisException(f'"{c}" is not a numeric column. Aggregation '
                                            'function can only be applied on a numeric column.')
        return self.agg(*[F._invoke(fn, c) for c in cols])

    def sum(self, *cols: str) -> Any:
        return self._numeric("sum", cols)

    def avg(self, *cols: str) -> Any:
        return self._numeric("avg", cols)

    mean = avg

    def max(self, *cols: str) -> Any:
        return self._numeric("max", cols)

    def min(self, *cols: str) -> Any:
        return self._numeric("min", cols)

    def applyInPandas(self, func: Any, schema: Any) -> Any:
        from sparklet.sql.udf import apply_in_pandas

        return apply_in_pandas(self, func, schema)


def _pivot_cell(agg: exp.Expression, cond: exp.Expression) -> exp.Expression:
    """One pivot cell: every aggregate in ``agg`` restricted to the rows of the pivot value,
    and NULL where the group has no such row (as Spark's pivot, whose missing cells are NULL
    even for ``count``)."""
    def put(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.AggFunc) and not isinstance(node.parent, exp.Filter):
            return exp.Filter(this=node.copy(), expression=exp.Where(this=cond.copy()))
        return node
    body = agg.copy()
    body = put(body) if isinstance(body, exp.AggFunc) else body.transform(put)
    rows = exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=cond.copy()))
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=rows, expression=exp.Literal.number(0)),
                                true=exp.Null())], default=body)

