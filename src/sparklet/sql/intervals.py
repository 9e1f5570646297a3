"""Spark's ANSI interval types: day-time (``datetime.timedelta``) and year-month."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from sparklet.sql.types import AtomicType


class AnsiIntervalType(AtomicType):
    """The interval types of the ANSI SQL standard."""

    _fields: ClassVar[dict[int, str]] = {}

    def __init__(self, startField: int | None = None, endField: int | None = None):
        if startField is None and endField is None:
            startField, endField = min(self._fields), max(self._fields)
        elif endField is None:
            endField = startField
        if startField not in self._fields or endField not in self._fields:
            raise RuntimeError(
                "[INVALID_INTERVAL_CASTING] Interval %s to %s is invalid." % (startField, endField)
            )
        self.startField = startField
        self.endField = endField

    def simpleString(self) -> str:
        start, end = self._fields[self.startField], self._fields[self.endField]
        return "interval %s" % start if start == end else "interval %s to %s" % (start, end)

    jsonValue = simpleString  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "%s(%d, %d)" % (type(self).__name__, self.startField, self.endField)

    def _tree_name(self) -> str:
        return self.simpleString()


class DayTimeIntervalType(AnsiIntervalType):
    """Day-time interval (``datetime.timedelta``), microseconds internally.

    >>> DayTimeIntervalType(), DayTimeIntervalType(1).simpleString()
    (DayTimeIntervalType(0, 3), 'interval hour')
    >>> DayTimeIntervalType().toInternal(datetime.timedelta(days=1, microseconds=2))
    86400000002
    """

    DAY, HOUR, MINUTE, SECOND = 0, 1, 2, 3
    _fields: ClassVar[dict[int, str]] = {0: "day", 1: "hour", 2: "minute", 3: "second"}

    def needConversion(self) -> bool:
        return True

    def toInternal(self, dt: datetime.timedelta | None) -> int | None:
        if dt is not None:
            return (dt.days * 86400 + dt.seconds) * 1_000_000 + dt.microseconds
        return None

    def fromInternal(self, micros: int | None) -> datetime.timedelta | None:
        if micros is not None:
            return datetime.timedelta(microseconds=micros)
        return None


class YearMonthIntervalType(AnsiIntervalType):
    """Year-month interval; like PySpark it has no Python value conversion.

    >>> YearMonthIntervalType(), YearMonthIntervalType(1).simpleString()
    (YearMonthIntervalType(0, 1), 'interval month')
    """

    YEAR, MONTH = 0, 1
    _fields: ClassVar[dict[int, str]] = {0: "year", 1: "month"}

    def needConversion(self) -> bool:
        return True

    def toInternal(self, obj: Any) -> Any:
        raise NotImplementedError(
            "[NOT_IMPLEMENTED] YearMonthIntervalType.toInternal is not implemented."
        )

    def fromInternal(self, obj: Any) -> Any:
        raise NotImplementedError(
            "[NOT_IMPLEMENTED] YearMonthIntervalType.fromInternal is not implemented."
        )
