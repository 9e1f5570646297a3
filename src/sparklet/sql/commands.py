"""The statements of ``spark.sql`` that are not queries: SET, SHOW, DESCRIBE, views, DDL."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from sparklet.sql import types as T


def _result(session: Any, rows: list[tuple], schema: T.StructType) -> Any:
    return session.createDataFrame(rows, schema)


def run(session: Any, tree: exp.Expression, text: str) -> Any:
    if isinstance(tree, exp.Set):
        return _set(session, tree)
    if isinstance(tree, exp.Create) and tree.kind == "VIEW":
        props = tree.args.get("properties")
        temporary = props is not None and any(isinstance(p, exp.TemporaryProperty)
                                              for p in props.expressions)
        name = tree.this.name if isinstance(tree.this, exp.Table) else tree.this.this.name
        df = session.sql(tree.expression.sql(dialect="spark"))
        if temporary:
            session.catalog._create_temp_view(name, df, replace=bool(tree.args.get("replace")))
            return _empty(session)
    if isinstance(tree, exp.Drop) and tree.kind == "VIEW":
        name = tree.this.name
        if not session.catalog.dropTempView(name) and not tree.args.get("exists"):
            from sparklet.errors import AnalysisException

            raise AnalysisException(errorClass="TABLE_OR_VIEW_NOT_FOUND", messageParameters={
                "relationName": f"`{name}`"})
        return _empty(session)
    if isinstance(tree, exp.Show) and tree.name.upper() == "TABLES":
        rows = [("", t.name, True) for t in session.catalog.listTables()]
        return _result(session, rows, T.StructType([
            T.StructField("namespace", T.StringType(), False),
            T.StructField("tableName", T.StringType(), False),
            T.StructField("isTemporary", T.BooleanType(), False)]))
    raise NotImplementedError(f"spark.sql: this statement is not supported yet: {text!r}")


def _empty(session: Any) -> Any:
    return session._frame_from_sql("SELECT 1 WHERE FALSE", T.StructType([]))


def _set(session: Any, tree: exp.Set) -> Any:
    item = tree.expressions[0] if tree.expressions else None
    if item is None:
        rows = sorted(session.conf.getAll().items())
    else:
        eq = item.this
        if isinstance(eq, exp.EQ):
            key = eq.this.sql(dialect="spark").replace(" ", "")
            value = eq.expression.name if isinstance(eq.expression, (exp.Literal, exp.Column)) \
                else eq.expression.sql(dialect="spark")
            session.conf.set(key, value)
            rows = [(key, value)]
        else:
            key = eq.sql(dialect="spark").replace(" ", "")
            rows = [(key, session.conf.get(key, "<undefined>"))]
    return _result(session, rows, T.StructType([T.StructField("key", T.StringType(), False),
                                               T.StructField("value", T.StringType(), True)]))
