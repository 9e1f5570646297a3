"""Date and time functions (``date_add``, ``year``, ``to_date``, ...).

Most are thin wrappers: each builds the node Spark SQL text ``name(args)`` parses into
(:func:`sparklet.sql.functions._base._invoke`), with PySpark's conventions for its
arguments (column-or-name, or literal).

>>> from sparklet.sql import functions as F
>>> F.year("d"), F.date_add("d", 1)
(Column<'year(d)'>, Column<'date_add(d, 1)'>)
"""

from __future__ import annotations

from typing import Any  # noqa: F401 - PySpark's annotations

from sqlglot import expressions as E

from sparklet.sql.column import Column
from sparklet.sql.functions._base import (  # noqa: F401
    _c,
    _cl,
    _cn,
    _cols,
    _invoke,
    _invoke_opt,
    _node,
    _type_error,
)

__all__ = [
    "curdate",
    "current_date",
    "current_timezone",
    "current_timestamp",
    "now",
    "localtimestamp",
    "date_format",
    "year",
    "quarter",
    "month",
    "dayofweek",
    "dayofmonth",
    "day",
    "dayofyear",
    "hour",
    "minute",
    "second",
    "weekofyear",
    "weekday",
    "monthname",
    "dayname",
    "make_date",
    "date_add",
    "dateadd",
    "date_sub",
    "datediff",
    "date_diff",
    "date_from_unix_date",
    "add_months",
    "months_between",
    "to_date",
    "try_to_date",
    "unix_date",
    "unix_micros",
    "unix_millis",
    "unix_nanos",
    "unix_seconds",
    "to_timestamp",
    "try_to_timestamp",
    "trunc",
    "next_day",
    "last_day",
    "from_unixtime",
    "from_utc_timestamp",
    "to_utc_timestamp",
    "timestamp_seconds",
    "time_diff",
    "time_trunc",
    "timestamp_millis",
    "timestamp_micros",
    "timestamp_nanos",
    "time_bucket",
    "window_time",
    "to_unix_timestamp",
    "to_timestamp_ltz",
    "to_timestamp_ntz",
    "years",
    "months",
    "days",
    "hours",
    "make_dt_interval",
    "try_make_interval",
    "make_interval",
    "make_time",
    "time_from_seconds",
    "time_from_millis",
    "time_from_micros",
    "time_to_seconds",
    "time_to_millis",
    "time_to_micros",
    "make_timestamp_ltz",
    "try_make_timestamp_ltz",
    "make_ym_interval",
]


def curdate() -> Column:
    """Spark SQL ``curdate``."""
    return _invoke("curdate")


def current_date() -> Column:
    """Spark SQL ``current_date``."""
    return _invoke("current_date")


def current_timezone() -> Column:
    """Spark SQL ``current_timezone``."""
    return _invoke("current_timezone")


def current_timestamp() -> Column:
    """Spark SQL ``current_timestamp``."""
    return _invoke("current_timestamp")


def now() -> Column:
    """Spark SQL ``now``."""
    return _invoke("now")


def localtimestamp() -> Column:
    """Spark SQL ``localtimestamp``."""
    return _invoke("localtimestamp")


def date_format(date, format) -> Column:
    """Spark SQL ``date_format``."""
    return _invoke("date_format", _c(date, "date"), _cl(format))


def year(col) -> Column:
    """Spark SQL ``year``."""
    return _invoke("year", _c(col, "col"))


def quarter(col) -> Column:
    """Spark SQL ``quarter``."""
    return _invoke("quarter", _c(col, "col"))


def month(col) -> Column:
    """Spark SQL ``month``."""
    return _invoke("month", _c(col, "col"))


def dayofweek(col) -> Column:
    """Spark SQL ``dayofweek``."""
    return _invoke("dayofweek", _c(col, "col"))


def dayofmonth(col) -> Column:
    """Spark SQL ``dayofmonth``."""
    return _invoke("dayofmonth", _c(col, "col"))


def day(col) -> Column:
    """Spark SQL ``day``."""
    return _invoke("day", _c(col, "col"))


def dayofyear(col) -> Column:
    """Spark SQL ``dayofyear``."""
    return _invoke("dayofyear", _c(col, "col"))


def hour(col) -> Column:
    """Spark SQL ``hour``."""
    return _invoke("hour", _c(col, "col"))


def minute(col) -> Column:
    """Spark SQL ``minute``."""
    return _invoke("minute", _c(col, "col"))


def second(col) -> Column:
    """Spark SQL ``second``."""
    return _invoke("second", _c(col, "col"))


def weekofyear(col) -> Column:
    """Spark SQL ``weekofyear``."""
    return _invoke("weekofyear", _c(col, "col"))


def weekday(col) -> Column:
    """Spark SQL ``weekday``."""
    return _invoke("weekday", _c(col, "col"))


def monthname(col) -> Column:
    """Spark SQL ``monthname``."""
    return _invoke("monthname", _c(col, "col"))


def dayname(col) -> Column:
    """Spark SQL ``dayname``."""
    return _invoke("dayname", _c(col, "col"))


def make_date(year, month, day) -> Column:
    """Spark SQL ``make_date``."""
    return _invoke("make_date", _c(year, "year"), _c(month, "month"), _c(day, "day"))


def date_add(start, days) -> Column:
    """Spark SQL ``date_add``."""
    return _invoke("date_add", _c(start, "start"), _cn(days))


def dateadd(start, days) -> Column:
    """Spark SQL ``dateadd``."""
    return _invoke("dateadd", _c(start, "start"), _cn(days))


def date_sub(start, days) -> Column:
    """Spark SQL ``date_sub``."""
    return _invoke("date_sub", _c(start, "start"), _cn(days))


def datediff(end, start) -> Column:
    """Spark SQL ``datediff``."""
    return _invoke("datediff", _c(end, "end"), _c(start, "start"))


def date_diff(end, start) -> Column:
    """Spark SQL ``date_diff``."""
    return _invoke("date_diff", _c(end, "end"), _c(start, "start"))


def date_from_unix_date(days) -> Column:
    """Spark SQL ``date_from_unix_date``."""
    return _invoke("date_from_unix_date", _c(days, "days"))


def add_months(start, months) -> Column:
    """Spark SQL ``add_months``."""
    return _invoke("add_months", _c(start, "start"), _cn(months))


def months_between(date1, date2, roundOff=True) -> Column:
    """Spark SQL ``months_between``."""
    return _invoke("months_between", _c(date1, "date1"), _c(date2, "date2"), _cl(roundOff))


def to_date(col, format=None) -> Column:
    """Spark SQL ``to_date``."""
    return _invoke_opt("to_date", _c(col, "col"), _cl(format))


def try_to_date(col, format=None) -> Column:
    """Spark SQL ``try_to_date``."""
    return _invoke_opt("try_to_date", _c(col, "col"), _cl(format))


def unix_date(col) -> Column:
    """Spark SQL ``unix_date``."""
    return _invoke("unix_date", _c(col, "col"))


def unix_micros(col) -> Column:
    """Spark SQL ``unix_micros``."""
    return _invoke("unix_micros", _c(col, "col"))


def unix_millis(col) -> Column:
    """Spark SQL ``unix_millis``."""
    return _invoke("unix_millis", _c(col, "col"))


def unix_nanos(col) -> Column:
    """Spark SQL ``unix_nanos``."""
    return _invoke("unix_nanos", _c(col, "col"))


def unix_seconds(col) -> Column:
    """Spark SQL ``unix_seconds``."""
    return _invoke("unix_seconds", _c(col, "col"))


def to_timestamp(col, format=None) -> Column:
    """Spark SQL ``to_timestamp``."""
    return _invoke_opt("to_timestamp", _c(col, "col"), _cl(format))


def try_to_timestamp(col, format=None) -> Column:
    """Spark SQL ``try_to_timestamp``."""
    return _invoke_opt("try_to_timestamp", _c(col, "col"), _c(format, "format"))


def trunc(date, format) -> Column:
    """Spark SQL ``trunc``."""
    return _invoke("trunc", _c(date, "date"), _cl(format))


def next_day(date, dayOfWeek) -> Column:
    """Spark SQL ``next_day``."""
    return _invoke("next_day", _c(date, "date"), _cl(dayOfWeek))


def last_day(date) -> Column:
    """Spark SQL ``last_day``."""
    return _invoke("last_day", _c(date, "date"))


def from_unixtime(timestamp, format="yyyy-MM-dd HH:mm:ss") -> Column:
    """Spark SQL ``from_unixtime``."""
    return _invoke("from_unixtime", _c(timestamp, "timestamp"), _cl(format))


def from_utc_timestamp(timestamp, tz) -> Column:
    """Spark SQL ``from_utc_timestamp``."""
    return _invoke("from_utc_timestamp", _c(timestamp, "timestamp"), _cl(tz))


def to_utc_timestamp(timestamp, tz) -> Column:
    """Spark SQL ``to_utc_timestamp``."""
    return _invoke("to_utc_timestamp", _c(timestamp, "timestamp"), _cl(tz))


def timestamp_seconds(col) -> Column:
    """Spark SQL ``timestamp_seconds``."""
    return _invoke("timestamp_seconds", _c(col, "col"))


def time_diff(unit, start, end) -> Column:
    """Spark SQL ``time_diff``."""
    return _invoke("time_diff", _c(unit, "unit"), _c(start, "start"), _c(end, "end"))


def time_trunc(unit, time) -> Column:
    """Spark SQL ``time_trunc``."""
    return _invoke("time_trunc", _c(unit, "unit"), _c(time, "time"))


def timestamp_millis(col) -> Column:
    """Spark SQL ``timestamp_millis``."""
    return _invoke("timestamp_millis", _c(col, "col"))


def timestamp_micros(col) -> Column:
    """Spark SQL ``timestamp_micros``."""
    return _invoke("timestamp_micros", _c(col, "col"))


def timestamp_nanos(col) -> Column:
    """Spark SQL ``timestamp_nanos``."""
    return _invoke("timestamp_nanos", _c(col, "col"))


def time_bucket(bucket_size, ts, origin=None) -> Column:
    """Spark SQL ``time_bucket``."""
    return _invoke_opt("time_bucket", _cl(bucket_size), _c(ts, "ts"), _cl(origin))


def window_time(windowColumn) -> Column:
    """Spark SQL ``window_time``."""
    return _invoke("window_time", _c(windowColumn, "windowColumn"))


def to_unix_timestamp(timestamp, format=None) -> Column:
    """Spark SQL ``to_unix_timestamp``."""
    return _invoke_opt("to_unix_timestamp", _c(timestamp, "timestamp"), _c(format, "format"))


def to_timestamp_ltz(timestamp, format=None) -> Column:
    """Spark SQL ``to_timestamp_ltz``."""
    return _invoke_opt("to_timestamp_ltz", _c(timestamp, "timestamp"), _c(format, "format"))


def to_timestamp_ntz(timestamp, format=None) -> Column:
    """Spark SQL ``to_timestamp_ntz``."""
    return _invoke_opt("to_timestamp_ntz", _c(timestamp, "timestamp"), _c(format, "format"))


def years(col) -> Column:
    """Spark SQL ``years``."""
    return _invoke("years", _c(col, "col"))


def months(col) -> Column:
    """Spark SQL ``months``."""
    return _invoke("months", _c(col, "col"))


def days(col) -> Column:
    """Spark SQL ``days``."""
    return _invoke("days", _c(col, "col"))


def hours(col) -> Column:
    """Spark SQL ``hours``."""
    return _invoke("hours", _c(col, "col"))


def make_dt_interval(days=None, hours=None, mins=None, secs=None) -> Column:
    """Spark SQL ``make_dt_interval``."""
    return _invoke_opt(
        "make_dt_interval", _c(days, "days"), _c(hours, "hours"), _c(mins, "mins"), _c(secs, "secs")
    )


def try_make_interval(
    years=None, months=None, weeks=None, days=None, hours=None, mins=None, secs=None
) -> Column:
    """Spark SQL ``try_make_interval``."""
    return _invoke_opt(
        "try_make_interval",
        _c(years, "years"),
        _c(months, "months"),
        _c(weeks, "weeks"),
        _c(days, "days"),
        _c(hours, "hours"),
        _c(mins, "mins"),
        _c(secs, "secs"),
    )


def make_interval(
    years=None, months=None, weeks=None, days=None, hours=None, mins=None, secs=None
) -> Column:
    """Spark SQL ``make_interval``."""
    return _invoke_opt(
        "make_interval",
        _c(years, "years"),
        _c(months, "months"),
        _c(weeks, "weeks"),
        _c(days, "days"),
        _c(hours, "hours"),
        _c(mins, "mins"),
        _c(secs, "secs"),
    )


def make_time(hour, minute, second) -> Column:
    """Spark SQL ``make_time``."""
    return _invoke("make_time", _c(hour, "hour"), _c(minute, "minute"), _c(second, "second"))


def time_from_seconds(col) -> Column:
    """Spark SQL ``time_from_seconds``."""
    return _invoke("time_from_seconds", _c(col, "col"))


def time_from_millis(col) -> Column:
    """Spark SQL ``time_from_millis``."""
    return _invoke("time_from_millis", _c(col, "col"))


def time_from_micros(col) -> Column:
    """Spark SQL ``time_from_micros``."""
    return _invoke("time_from_micros", _c(col, "col"))


def time_to_seconds(col) -> Column:
    """Spark SQL ``time_to_seconds``."""
    return _invoke("time_to_seconds", _c(col, "col"))


def time_to_millis(col) -> Column:
    """Spark SQL ``time_to_millis``."""
    return _invoke("time_to_millis", _c(col, "col"))


def time_to_micros(col) -> Column:
    """Spark SQL ``time_to_micros``."""
    return _invoke("time_to_micros", _c(col, "col"))


def make_timestamp_ltz(years, months, days, hours, mins, secs, timezone=None) -> Column:
    """Spark SQL ``make_timestamp_ltz``."""
    return _invoke_opt(
        "make_timestamp_ltz",
        _c(years, "years"),
        _c(months, "months"),
        _c(days, "days"),
        _c(hours, "hours"),
        _c(mins, "mins"),
        _c(secs, "secs"),
        _c(timezone, "timezone"),
    )


def try_make_timestamp_ltz(years, months, days, hours, mins, secs, timezone=None) -> Column:
    """Spark SQL ``try_make_timestamp_ltz``."""
    return _invoke_opt(
        "try_make_timestamp_ltz",
        _c(years, "years"),
        _c(months, "months"),
        _c(days, "days"),
        _c(hours, "hours"),
        _c(mins, "mins"),
        _c(secs, "secs"),
        _c(timezone, "timezone"),
    )


def make_ym_interval(years=None, months=None) -> Column:
    """Spark SQL ``make_ym_interval``."""
    return _invoke_opt("make_ym_interval", _c(years, "years"), _c(months, "months"))


# -- hand-written ----------------------------------------------------------------------------


def _unit(unit: Any, arg_name: str) -> E.Expression:
    # a unit keyword (DAY, HOUR, ...) as Spark's parser reads it: a bare identifier
    if not isinstance(unit, str):
        raise _type_error("NOT_STR", arg_name, unit)
    return E.Var(this=unit.upper())


def extract(field, source) -> Column:
    """The ``field`` (``YEAR``, ``MONTH``, ``DAY``, ``HOUR``...) of a date or timestamp."""
    return _invoke("extract", _cl(field), _c(source, "source"))


def date_part(field, source) -> Column:
    """``extract`` as a function of a field name."""
    return _invoke("date_part", _cl(field), _c(source, "source"))


def datepart(field, source) -> Column:
    """``date_part`` under its other name."""
    return _invoke("datepart", _cl(field), _c(source, "source"))


def date_trunc(format, timestamp) -> Column:  # noqa: A002 - PySpark's parameter name
    """The timestamp truncated to the unit ``format`` (``'year'``, ``'month'``, ``'day'``...)."""
    return _invoke("date_trunc", _cl(format), _c(timestamp, "timestamp"))


def timestamp_add(unit, quantity, ts) -> Column:
    """``ts`` plus ``quantity`` of ``unit``."""
    node = _node(
        "timestampadd", [_unit(unit, "unit"), _c(quantity, "quantity")._expr, _c(ts, "ts")._expr]
    )
    return Column(node)


def timestamp_diff(unit, start, end) -> Column:
    """The number of whole ``unit`` s from ``start`` to ``end``."""
    node = _node(
        "timestampdiff", [_unit(unit, "unit"), _c(start, "start")._expr, _c(end, "end")._expr]
    )
    return Column(node)


def unix_timestamp(timestamp=None, format="yyyy-MM-dd HH:mm:ss") -> Column:  # noqa: A002
    """Seconds since the epoch of ``timestamp`` (a string parsed with ``format``), or now."""
    if timestamp is None:
        return _invoke("unix_timestamp")
    return _invoke("unix_timestamp", _c(timestamp, "timestamp"), _cl(format))


def current_time(precision=None) -> Column:
    """The current time of day."""
    return _invoke("current_time") if precision is None else _invoke("current_time", _cl(precision))


def to_time(str, format=None) -> Column:  # noqa: A002 - PySpark's parameter name
    """The string parsed as a TIME (with ``format``)."""
    return _invoke_opt("to_time", _c(str, "str"), _c(format, "format"))


def try_to_time(str, format=None) -> Column:  # noqa: A002 - PySpark's parameter name
    """``to_time``, NULL where the string does not parse."""
    return _invoke_opt("try_to_time", _c(str, "str"), _c(format, "format"))


def convert_timezone(sourceTz, targetTz, sourceTs) -> Column:
    """The local timestamp ``sourceTs`` of zone ``sourceTz`` as local time in ``targetTz``."""
    if sourceTz is None:
        return _invoke("convert_timezone", _cl(targetTz), _c(sourceTs, "sourceTs"))
    return _invoke("convert_timezone", _cl(sourceTz), _cl(targetTz), _c(sourceTs, "sourceTs"))


def _timestamp_parts(
    name: str, years, months, days, hours, mins, secs, timezone, date, time
) -> Column:
    if date is not None or time is not None:
        args = [_c(date, "date"), _c(time, "time")]
    else:
        args = [
            _c(v, n)
            for v, n in (
                (years, "years"),
                (months, "months"),
                (days, "days"),
                (hours, "hours"),
                (mins, "mins"),
                (secs, "secs"),
            )
        ]
    if timezone is not None:
        args.append(_c(timezone, "timezone"))
    return _invoke(name, *args)


def make_timestamp(
    years=None,
    months=None,
    days=None,
    hours=None,
    mins=None,
    secs=None,
    timezone=None,
    date=None,
    time=None,
) -> Column:
    """A TIMESTAMP from its fields (or from a date and a time)."""
    return _timestamp_parts(
        "make_timestamp", years, months, days, hours, mins, secs, timezone, date, time
    )


def try_make_timestamp(
    years=None,
    months=None,
    days=None,
    hours=None,
    mins=None,
    secs=None,
    timezone=None,
    date=None,
    time=None,
) -> Column:
    """``make_timestamp``, NULL for invalid fields."""
    return _timestamp_parts(
        "try_make_timestamp", years, months, days, hours, mins, secs, timezone, date, time
    )


def make_timestamp_ntz(
    years=None, months=None, days=None, hours=None, mins=None, secs=None, date=None, time=None
) -> Column:
    """A TIMESTAMP_NTZ from its fields (or from a date and a time)."""
    return _timestamp_parts(
        "make_timestamp_ntz", years, months, days, hours, mins, secs, None, date, time
    )


def try_make_timestamp_ntz(
    years=None, months=None, days=None, hours=None, mins=None, secs=None, date=None, time=None
) -> Column:
    """``make_timestamp_ntz``, NULL for invalid fields."""
    return _timestamp_parts(
        "try_make_timestamp_ntz", years, months, days, hours, mins, secs, None, date, time
    )


def window(timeColumn, windowDuration, slideDuration=None, startTime=None) -> Column:
    """Tumbling or sliding time windows (a struct of ``start``, ``end``)."""
    args = [_c(timeColumn, "timeColumn"), _cl(windowDuration)]
    if slideDuration is not None:
        args.append(_cl(slideDuration))
    if startTime is not None:
        if slideDuration is None:
            args.append(_cl(windowDuration))
        args.append(_cl(startTime))
    return _invoke("window", *args)


def session_window(timeColumn, gapDuration) -> Column:
    """Session windows closed after ``gapDuration`` without events."""
    return _invoke("session_window", _c(timeColumn, "timeColumn"), _cl(gapDuration))


__all__ += [
    "extract",
    "date_part",
    "datepart",
    "date_trunc",
    "timestamp_add",
    "timestamp_diff",
    "unix_timestamp",
    "current_time",
    "to_time",
    "try_to_time",
    "convert_timezone",
    "make_timestamp",
    "try_make_timestamp",
    "make_timestamp_ntz",
    "try_make_timestamp_ntz",
    "window",
    "session_window",
]
