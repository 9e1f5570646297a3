"""Window functions (``row_number``, ``rank``, ``lag``, ...).

Most are thin wrappers: each builds the node Spark SQL text ``name(args)`` parses into
(:func:`sparklet.sql.functions._base._invoke`), with PySpark's conventions for its
arguments (column-or-name, or literal).

>>> from sparklet.sql import Window, functions as F
>>> F.lag("v", 2, 0).over(Window.partitionBy("g").orderBy("k"))  # doctest: +ELLIPSIS
Column<'lag(v, 2, 0) OVER (PARTITION BY g ORDER BY k ASC NULLS FIRST ROWS BETWEEN -2 ...'>
"""

from __future__ import annotations

from typing import Any  # noqa: F401 - PySpark's annotations

from sqlglot import expressions as E

from sparklet.sql.column import Column
from sparklet.sql.functions._base import _c, _cl, _cn, _cols, _invoke, _invoke_opt  # noqa: F401

__all__ = ["row_number", "dense_rank", "rank", "counter_diff", "cume_dist", "percent_rank"]


def row_number() -> Column:
    """Spark SQL ``row_number``."""
    return _invoke("row_number")


def dense_rank() -> Column:
    """Spark SQL ``dense_rank``."""
    return _invoke("dense_rank")


def rank() -> Column:
    """Spark SQL ``rank``."""
    return _invoke("rank")


def counter_diff(value, startTime=None) -> Column:
    """Spark SQL ``counter_diff``."""
    return _invoke_opt("counter_diff", _c(value, "value"), _c(startTime, "startTime"))


def cume_dist() -> Column:
    """Spark SQL ``cume_dist``."""
    return _invoke("cume_dist")


def percent_rank() -> Column:
    """Spark SQL ``percent_rank``."""
    return _invoke("percent_rank")


def lag(col, offset=1, default=None) -> Column:
    """The value ``offset`` rows before the current row in the window (``default`` when
    there is none)."""
    return _invoke(
        "lag",
        _c(col, "col"),
        _cl(offset),
        _cl(default) if default is not None else Column(E.Null()),
    )


def lead(col, offset=1, default=None) -> Column:
    """The value ``offset`` rows after the current row in the window (``default`` when
    there is none)."""
    return _invoke(
        "lead",
        _c(col, "col"),
        _cl(offset),
        _cl(default) if default is not None else Column(E.Null()),
    )


def ntile(n) -> Column:
    """The bucket number (1 to ``n``) of the row in its ordered window partition."""
    return _invoke("ntile", _cl(int(n)))


def nth_value(col, offset, ignoreNulls=False) -> Column:
    """The value of the ``offset``-th row of the window frame (NULL when there is none)."""
    node = _invoke("nth_value", _c(col, "col"), _cl(offset))._expr
    if ignoreNulls:
        return Column(E.IgnoreNulls(this=node))
    return Column(node)


__all__ += ["lag", "lead", "ntile", "nth_value"]
