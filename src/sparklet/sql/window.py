"""``Window`` and ``WindowSpec``: the frames of window functions, as PySpark's.

>>> from sparklet.sql import functions as F
>>> w = Window.partitionBy("g").orderBy("k")
>>> F.row_number().over(w)  # doctest: +NORMALIZE_WHITESPACE
Column<'row_number() OVER (PARTITION BY g ORDER BY k ASC NULLS FIRST ROWS BETWEEN UNBOUNDED
PRECEDING AND CURRENT ROW)'>
"""

from __future__ import annotations

import sys
from typing import Any

from sqlglot import exp

from sparklet.sql.column import _literal, _to_expr

__all__ = ["Window", "WindowSpec"]

class WindowSpec:
    """Partitioning, ordering and frame of a window (immutable; each call copies)."""

    def __init__(self, partition: list[exp.Expression] | None = None,
                 order: list[exp.Expression] | None = None,
                 frame: tuple[str, Any, Any] | None = None):
        self._partition = partition or []
        self._order = order or []
        self._frame = frame

    def partitionBy(self, *cols: Any) -> WindowSpec:
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        return WindowSpec([_to_expr(c) for c in cols], self._order, self._frame)

    def orderBy(self, *cols: Any) -> WindowSpec:
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        order = []
        for c in cols:
            tree = _to_expr(c)
            if not isinstance(tree, exp.Ordered):  # Spark's default: ascending, NULLs first
                tree = exp.Ordered(this=tree, desc=False, nulls_first=True)
            order.append(tree)
        return WindowSpec(self._partition, order, self._frame)

    def rowsBetween(self, start: int, end: int) -> WindowSpec:
        return WindowSpec(self._partition, self._order, ("ROWS", start, end))

    def rangeBetween(self, start: int, end: int) -> WindowSpec:
        return WindowSpec(self._partition, self._order, ("RANGE", start, end))

    def _apply(self, fn: exp.Expression) -> exp.Window:
        args: dict[str, Any] = {"this": fn}
        if self._partition:
            args["partition_by"] = [p.copy() for p in self._partition]
        if self._order:
            args["order"] = exp.Order(expressions=[o.copy() for o in self._order])
        if self._frame is not None:
            kind, start, end = self._frame
            s_value, s_side = _bound(start)
            e_value, e_side = _bound(end)
            args["spec"] = exp.WindowSpec(kind=kind, start=s_value, start_side=s_side,
                                          end=e_value, end_side=e_side)
        return exp.Window(**args)


def _bound(value: int) -> tuple[Any, str | None]:
    if value <= Window._PRECEDING_THRESHOLD:
        return "UNBOUNDED", "PRECEDING"
    if value >= Window._FOLLOWING_THRESHOLD:
        return "UNBOUNDED", "FOLLOWING"
    if value == 0:
        return "CURRENT ROW", None
    if value < 0:
        return _literal(-value), "PRECEDING"
    return _literal(value), "FOLLOWING"


class Window:
    """Builders of :class:`WindowSpec`; ``Window.unboundedPreceding`` etc. as PySpark."""

    _JAVA_MIN_LONG = -(1 << 63)
    _JAVA_MAX_LONG = (1 << 63) - 1
    _PRECEDING_THRESHOLD = max(-sys.maxsize, _JAVA_MIN_LONG)
    _FOLLOWING_THRESHOLD = min(sys.maxsize, _JAVA_MAX_LONG)
    unboundedPreceding: int = _JAVA_MIN_LONG
    unboundedFollowing: int = _JAVA_MAX_LONG
    currentRow: int = 0

    @staticmethod
    def partitionBy(*cols: Any) -> WindowSpec:
        return WindowSpec().partitionBy(*cols)

    @staticmethod
    def orderBy(*cols: Any) -> WindowSpec:
        return WindowSpec().orderBy(*cols)

    @staticmethod
    def rowsBetween(start: int, end: int) -> WindowSpec:
        return WindowSpec().rowsBetween(start, end)

    @staticmethod
    def rangeBetween(start: int, end: int) -> WindowSpec:
        return WindowSpec().rangeBetween(start, end)
