"""``sparklet.sql.functions``: PySpark's built-in functions, as ``pyspark.sql.functions``.

Each function builds the sqlglot node that Spark SQL text ``name(args)`` parses into
(:func:`_invoke`), so ``F.upper(c)`` and ``spark.sql("SELECT upper(c)")`` meet the same
dialect rules and get the same result and name. The functions live in modules by family
(``aggregate``, ``window``, ``math``, ``string``, ``datetime``, ``collection``, ``misc``);
all are re-exported here. Arguments follow PySpark's conventions: a ``ColumnOrName``
parameter takes a Column or a column name (anything else raises ``PySparkTypeError``
NOT_COLUMN_OR_STR), a literal parameter (``substring(str, pos, len)``'s ``pos``,
``concat_ws``'s ``sep``) takes a Python value.

>>> from sparklet.sql import functions as F
>>> F.sum("v"), F.count("*"), F.upper(F.col("name")), F.lit(1) + 1
(Column<'sum(v)'>, Column<'count(1)'>, Column<'upper(name)'>, Column<'+(1, 1)'>)
"""

from __future__ import annotations

from typing import Any

from sqlglot import expressions as E

from sparklet.sql.column import Column, _literal
from sparklet.sql.functions import aggregate as _aggregate
from sparklet.sql.functions import collection as _collection
from sparklet.sql.functions import datetime as _datetime
from sparklet.sql.functions import math as _math
from sparklet.sql.functions import misc as _misc
from sparklet.sql.functions import string as _string
from sparklet.sql.functions import window as _window
from sparklet.sql.functions._base import (  # noqa: F401 - the shared builders
    _c,
    _invoke,
    _invoke_opt,
    _template,
    _type_error,
)
from sparklet.sql.functions.aggregate import *  # noqa: F403
from sparklet.sql.functions.collection import *  # noqa: F403
from sparklet.sql.functions.datetime import *  # noqa: F403
from sparklet.sql.functions.math import *  # noqa: F403
from sparklet.sql.functions.misc import *  # noqa: F403
from sparklet.sql.functions.string import *  # noqa: F403
from sparklet.sql.functions.window import *  # noqa: F403

# Python UDFs (sparklet.sql.udf)
from sparklet.sql.udf import pandas_udf, udf  # noqa: E402, F401

__all__ = ["col", "column", "lit", "expr", "when", "broadcast"]
for _module in (_aggregate, _collection, _datetime, _math, _misc, _string, _window):
    __all__ += list(_module.__all__)
__all__ += ["udf", "pandas_udf"]


def col(col: str) -> Column:
    """The column named ``col`` (``"*"``, ``"a.b"`` for a struct field, back-quotes for dots)."""
    from sparklet.sql.column import _column_ref

    if not isinstance(col, str):
        raise _type_error("NOT_STR", "col", col)
    return Column(_column_ref(col))


column = col


def lit(col: Any) -> Column:
    """A literal column (a Column passes through; a list becomes an array)."""
    if isinstance(col, Column):
        return col
    return Column(_literal(col))


def expr(str: str) -> Column:  # noqa: A002 - PySpark's parameter name
    """A Spark SQL expression parsed from text."""
    from sparklet.sql.dialect import parse_expression

    return Column(parse_expression(str))


def when(condition: Column, value: Any) -> Column:
    """``CASE WHEN condition THEN value``; chain ``.when``/``.otherwise``."""
    if not isinstance(condition, Column):
        raise _type_error("NOT_COLUMN", "condition", condition)
    return Column(E.Case(ifs=[E.If(this=condition._expr, true=_literal(value))]))


def broadcast(df: Any) -> Any:
    """A join hint; DuckDB picks its own join strategy, so the DataFrame is returned as is."""
    return df
