"""``spark.sql``: Spark SQL text parsed by sqlglot, queries run on DuckDB, commands here.

A query keeps Spark's output names: each un-aliased item of the top-level select list is
aliased with the name Spark would give it (``(a + 1)``, ``sum(v)``), and ``range(n)`` is
Spark's table function with its column ``id``.
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.spark import Spark

from sparklet.errors import ParseException
from sparklet.sql.naming import spark_name


def parse(session: Any, text: str) -> exp.Expression:
    try:
        trees = sqlglot.parse(text, read=Spark)
    except sqlglot.errors.ParseError as exc:
        raise _parse_error(text, exc) from None
    trees = [t for t in trees if t is not None]
    if len(trees) != 1:
        raise ParseException(errorClass="PARSE_SYNTAX_ERROR", messageParameters={
            "error": "';'" if len(trees) > 1 else "end of input", "hint": ""},
            command=text, line=1, startPosition=0)
    return trees[0]


def _parse_error(text: str, exc: Exception) -> ParseException:
    errors = getattr(exc, "errors", None) or [{}]
    first = errors[0]
    line = first.get("line") or 1
    col = max((first.get("col") or 1) - 1, 0)
    token = first.get("highlight") or ""
    # sqlglot's column points past the token; Spark's position is the token's start
    start = max(col - len(token) + 1, 0) if token else col
    return ParseException(errorClass="PARSE_SYNTAX_ERROR", messageParameters={
        "error": f"'{token}'" if token else "end of input", "hint": ""},
        command=text, line=line, startPosition=start)


def _spark_names(select: exp.Select) -> None:
    items = []
    for item in select.expressions:
        if isinstance(item, (exp.Alias, exp.Star)) or (
                isinstance(item, exp.Column) and isinstance(item.this, exp.Star)):
            items.append(item)
        else:
            items.append(exp.Alias(this=item, alias=exp.Identifier(this=spark_name(item),
                                                                   quoted=True)))
    select.set("expressions", items)


def _table_functions(tree: exp.Expression) -> exp.Expression:
    """``range(...)`` in FROM as Spark's: a column named ``id``."""
    def put(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous) and \
                node.this.name.lower() == "range":
            args = node.this.expressions
            alias = node.args.get("alias")
            inner = sqlglot.parse_one("SELECT range AS id FROM range(0)", read="duckdb")
            inner.args["from_"].this.this.set("expressions", [a.copy() for a in args]) \
                if "from_" in inner.args else None
            sub = exp.Subquery(this=inner, alias=alias.copy() if alias else
                               exp.TableAlias(this=exp.Identifier(this="range")))
            return sub
        return node
    return tree.transform(put)


def run(session: Any, text: str, args: Any = None) -> Any:
    from sparklet.sql.dialect import to_duckdb

    tree = parse(session, text)
    if isinstance(tree, exp.Query):
        tree = _table_functions(tree)
        if isinstance(tree, exp.Select):
            _spark_names(tree)
        sql = to_duckdb(tree, ansi=session._ansi, time_zone=session._time_zone)
        if args:
            sql = _bind_args(sql, args)
        return session._frame_from_sql(sql)
    from sparklet.sql import commands

    return commands.run(session, tree, text)


def _bind_args(sql: str, args: Any) -> str:
    raise NotImplementedError("spark.sql(args=...) parameters are not implemented yet")


def format_with_frames(session: Any, text: str, frames: dict[str, Any]) -> str:
    """``spark.sql("SELECT * FROM {df}", df=df)``: DataFrames become views, values literals."""
    from sparklet.sql.dataframe import DataFrame

    values = {}
    for key, value in frames.items():
        if isinstance(value, DataFrame):
            name = session._fresh_name("__sparklet_frame")
            value.createOrReplaceTempView(name)
            values[key] = name
        elif isinstance(value, str):
            values[key] = value
        else:
            values[key] = repr(value)
    return text.format(**values)
