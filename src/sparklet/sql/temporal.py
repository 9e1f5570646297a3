"""Spark's time-of-day and interval types: ``TimeType`` (``datetime.time``), the ANSI
day-time (``datetime.timedelta``) and year-month intervals, and ``CalendarIntervalType``."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from sparklet.sql.types import AtomicType, DataType, DataTypeSingleton, DatetimeType


class TimeType(DatetimeType):
    """Time of day (``datetime.time``) with ``precision`` fractional digits, nanoseconds
    internally.

    >>> TimeType(), TimeType(3).simpleString()
    (TimeType(6), 'time(3)')
    >>> TimeType().toInternal(datetime.time(0, 0, 1, 5))
    1000005000
    """

    def __init__(self, precision: int = 6):
        self.precision = precision

    def needConversion(self) -> bool:
        return True

    def toInternal(self, t: datetime.time | None) -> int | None:
        if t is not None:
            seconds = t.hour * 3600 + t.minute * 60 + t.second
            return seconds * 1_000_000_000 + t.microsecond * 1_000
        return None

    def fromInternal(self, nano: int | None) -> datetime.time | None:
        if nano is not None:
            seconds, rest = divmod(nano, 1_000_000_000)
            hours, seconds = divmod(seconds, 3600)
            minutes, seconds = divmod(seconds, 60)
            return datetime.time(hours, minutes, seconds, rest // 1_000)
        return None

    def simpleString(self) -> str:
        return "time(%d)" % self.precision

    jsonValue = simpleString  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "TimeType(%d)" % self.precision

    def _tree_name(self) -> str:
        return self.simpleString()


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


class CalendarIntervalType(DataType, metaclass=DataTypeSingleton):
    """Months, days and microseconds; like PySpark it has no Python value conversion."""

    @classmethod
    def typeName(cls) -> str:
        return "interval"

    def needConversion(self) -> bool:
        return True

    def toInternal(self, obj: Any) -> Any:
        raise NotImplementedError(
            "[NOT_IMPLEMENTED] CalendarIntervalType.toInternal is not implemented."
        )

    def fromInternal(self, obj: Any) -> Any:
        raise NotImplementedError(
            "[NOT_IMPLEMENTED] CalendarIntervalType.fromInternal is not implemented."
        )
