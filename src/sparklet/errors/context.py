"""Query contexts: where in a SQL text or in which DataFrame call an error happened."""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import Enum

__all__ = ["QueryContextType", "QueryContext", "SQLQueryContext", "DataFrameQueryContext"]


class QueryContextType(Enum):
    """The type of :class:`QueryContext`."""

    SQL = 0
    DataFrame = 1


class QueryContext(ABC):
    """Query context of a :class:`PySparkException`: where in the query the error occurred."""

    @abstractmethod
    def contextType(self) -> QueryContextType:
        """The type of this query context."""

    @abstractmethod
    def objectType(self) -> str:
        """The type of the object (e.g. ``VIEW``) holding the query; empty for the main query."""

    @abstractmethod
    def objectName(self) -> str:
        """The name of the object holding the query; empty for the main query."""

    @abstractmethod
    def startIndex(self) -> int:
        """The 0-based index in the query text where the failing fragment starts."""

    @abstractmethod
    def stopIndex(self) -> int:
        """The 0-based index in the query text where the failing fragment ends (inclusive)."""

    @abstractmethod
    def fragment(self) -> str:
        """The failing fragment of the query."""

    @abstractmethod
    def callSite(self) -> str:
        """The user code (call site of the API) that raised the error."""

    @abstractmethod
    def summary(self) -> str:
        """The block Spark appends to the error message."""


class SQLQueryContext(QueryContext):
    """A fragment ``sqlText[start:stop + 1]`` of a SQL text, shown with carets under it.

    >>> ctx = SQLQueryContext("SELECT 1 / 0 AS r", 7, 11)
    >>> ctx.fragment()
    '1 / 0'
    >>> print(ctx.summary())
    == SQL (line 1, position 8) ==
    SELECT 1 / 0 AS r
           ^^^^^
    <BLANKLINE>
    """

    def __init__(self, sqlText: str, start: int, stop: int, objectType: str = "",
                 objectName: str = ""):
        self._text = sqlText
        self._start = start
        self._stop = stop
        self._object_type = objectType
        self._object_name = objectName

    def contextType(self) -> QueryContextType:
        return QueryContextType.SQL

    def objectType(self) -> str:
        return self._object_type

    def objectName(self) -> str:
        return self._object_name

    def startIndex(self) -> int:
        return self._start

    def stopIndex(self) -> int:
        return self._stop

    def fragment(self) -> str:
        return self._text[self._start:self._stop + 1]

    def callSite(self) -> str:
        return ""

    def summary(self) -> str:
        before = self._text[:self._start]
        line = before.count("\n") + 1
        position = self._start - (before.rfind("\n") + 1) + 1
        where = f"{self._object_type} {self._object_name} " if self._object_type else ""
        out = [f"== SQL of {where.strip()} (line {line}, position {position}) =="
               if where else f"== SQL (line {line}, position {position}) =="]
        # Each line the fragment touches, then a line with carets under its part of it.
        offset = 0
        for text in self._text.split("\n"):
            end = offset + len(text)
            lo, hi = max(self._start, offset), min(self._stop, end - 1)
            if lo <= hi:
                out.append(text)
                out.append(" " * (lo - offset) + "^" * (hi - lo + 1))
            offset = end + 1
        return "\n".join(out) + "\n"


class DataFrameQueryContext(QueryContext):
    """The DataFrame API call (``fragment``, e.g. ``"cast"``) made at ``callSite``.

    >>> print(DataFrameQueryContext("__truediv__", "app.py:12").summary())
    == DataFrame ==
    "__truediv__" was called from
    app.py:12
    <BLANKLINE>
    """

    def __init__(self, fragment: str, callSite: str):
        self._fragment = fragment
        self._call_site = callSite

    def contextType(self) -> QueryContextType:
        return QueryContextType.DataFrame

    def objectType(self) -> str:
        return ""

    def objectName(self) -> str:
        return ""

    def startIndex(self) -> int:
        return -1

    def stopIndex(self) -> int:
        return -1

    def fragment(self) -> str:
        return self._fragment

    def callSite(self) -> str:
        return self._call_site

    def summary(self) -> str:
        return f'== DataFrame ==\n"{self._fragment}" was called from\n{self._call_site}\n'
