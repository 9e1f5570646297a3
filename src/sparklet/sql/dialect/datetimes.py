"""Date and time functions of Spark 4 on DuckDB (rules of the Spark-on-DuckDB dialect).

Spark's ``timestamp`` is an instant shown in the session time zone: DuckDB's
``TIMESTAMP WITH TIME ZONE`` with DuckDB's ``TimeZone`` setting as the session time zone, so
``CAST(tz AS TIMESTAMP)`` is the wall-clock time in the session time zone and ``STRFTIME`` of
a ``TIMESTAMPTZ`` renders in it. The rules give Spark's values and types: the fields
(``year`` ... ``second``) are ``int``, ``date_add``/``add_months``/``trunc`` are ``date``,
``to_timestamp``/``make_timestamp``/``from_utc_timestamp`` are ``timestamp``, ``months_between``
follows Spark's 31-day rule, Spark's datetime patterns (``yyyy-MM-dd HH:mm:ss.SSS``, ``EEE``,
``MMM``, ``a``, quoted text) become DuckDB ``strftime``/``strptime`` formats, and with ANSI
mode on a string that does not parse raises Spark's error (``CAST_INVALID_INPUT`` for
``to_date(s)``, ``CANNOT_PARSE_TIMESTAMP`` for a pattern) instead of giving NULL.

For the ANSI helper's cast rules: :func:`datetime_to_string_sql` (a ``date``/``timestamp`` as
Spark's string), :func:`string_to_date_sql` / :func:`string_to_timestamp_sql` (Spark's
string → date/timestamp cast), :func:`datetime_arithmetic_sql` (``date + interval``, ...).
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.dialects.spark import Spark
from sqlglot.time import format_time

from sparklet.sql.dialect.strings import (
    default_sql,
    int_sql,
    is_type,
    lit,
    spark_error,
    spark_type,
    string_value,
)

_TS = (exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ)
_NTZ = (exp.DType.TIMESTAMP, exp.DType.TIMESTAMPNTZ, exp.DType.DATETIME)
_STRINGS = (exp.DType.VARCHAR, exp.DType.TEXT, exp.DType.CHAR, exp.DType.NCHAR,
            exp.DType.NVARCHAR)

# ---------------------------------------------------------------------------------------------
# Spark datetime patterns → DuckDB strftime / strptime

_SPARK = Spark()


def spark_pattern(e: exp.Expression | None) -> str | None:
    """The Spark datetime pattern of a format argument (a string literal), else None.

    sqlglot's Spark parser rewrites most patterns to Python's ``%`` codes; they are mapped
    back so that one translation (below) handles every function.
    """
    text = string_value(e)
    if text is None:
        return None
    if "%" in text:
        return format_time(text, _SPARK.INVERSE_TIME_MAPPING, _SPARK.INVERSE_TIME_TRIE)
    return text


def _tokens(pattern: str) -> list[tuple[str, str]]:
    """(letter run | 'lit', text) pieces of a Spark pattern; quoted text is literal."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "'":
            if pattern[i + 1:i + 2] == "'":
                out.append(("lit", "'"))
                i += 2
                continue
            j = pattern.find("'", i + 1)
            j = len(pattern) if j < 0 else j
            text = pattern[i + 1:j]
            while pattern[j + 1:j + 2] == "'":  # '' inside quotes
                k = pattern.find("'", j + 2)
                k = len(pattern) if k < 0 else k
                text += "'" + pattern[j + 2:k]
                j = k
            out.append(("lit", text))
            i = j + 1
        elif c.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == c:
                j += 1
            out.append((c, pattern[i:j]))
            i = j
        else:
            out.append(("lit", c))
            i += 1
    return out


def _code(letter: str, run: str, parse: bool) -> str | None:
    """The strftime/strptime code of one letter run, None where SQL is needed instead."""
    n = len(run)
    pad = "" if parse else "-"
    if letter == "y":
        return "%y" if n == 2 else "%Y"
    if letter == "Y":  # the week-based year
        return "%Y" if parse else ("%y" if n == 2 else "%G")
    if letter in "ML":
        return {1: f"%{pad}m", 2: "%m", 3: "%b"}.get(n, "%B")
    if letter == "d":
        return f"%{pad}d" if n == 1 else "%d"
    if letter == "D":
        return "%j" if n == 3 or parse else f"%{pad}j"
    if letter in "Hk":
        return f"%{pad}H" if n == 1 else "%H"
    if letter in "hK":
        return f"%{pad}I" if n == 1 else "%I"
    if letter == "m":
        return f"%{pad}M" if n == 1 else "%M"
    if letter == "s":
        return f"%{pad}S" if n == 1 else "%S"
    if letter == "S":
        if parse:
            return "%g" if n == 3 else ("%f" if n <= 6 else "%n")
        return {3: "%g", 6: "%f", 9: "%n"}.get(n)
    if letter == "a":
        return "%p"
    if letter in "Ee":
        return "%A" if n >= 4 else "%a"
    if letter == "u":
        return "%u"
    if letter == "z":
        return "%Z"
    if letter in "ZXxO":
        return "%z" if parse else None
    if letter == "G":
        return "AD"
    return None


def strptime_format(pattern: str) -> str:
    """A Spark pattern as a DuckDB strptime format."""
    out = []
    for kind, text in _tokens(pattern):
        if kind == "lit":
            out.append(text.replace("%", "%%"))
        else:
            code = _code(kind, text, parse=True)
            out.append(code if code is not None else text)
    return "".join(out)


def _offset_sql(value_sql: str, letter: str, n: int) -> str:
    """The session time zone's offset at ``value_sql`` as Java prints it (X, x, Z, O)."""
    off = f"EXTRACT(timezone FROM CAST({value_sql} AS TIMESTAMPTZ))"
    sign = f"CASE WHEN {off} < 0 THEN '-' ELSE '+' END"
    hh = f"LPAD(CAST(ABS({off}) // 3600 AS VARCHAR), 2, '0')"
    mm = f"LPAD(CAST(ABS({off}) % 3600 // 60 AS VARCHAR), 2, '0')"
    if letter == "O":
        return (f"(CASE WHEN {off} = 0 THEN 'GMT' ELSE 'GMT' || {sign} || "
                f"CAST(ABS({off}) // 3600 AS VARCHAR) END)")
    if letter == "Z" and n == 4:
        return f"(CASE WHEN {off} = 0 THEN 'GMT' ELSE 'GMT' || {sign} || {hh} || ':' || {mm} END)"
    if letter == "Z":
        letter, n = ("X", 3) if n == 5 else ("x", 2)
    if n == 1:
        text = f"{sign} || {hh} || CASE WHEN {mm} = '00' THEN '' ELSE {mm} END"
    elif n == 2 or n == 4:
        text = f"{sign} || {hh} || {mm}"
    else:
        text = f"{sign} || {hh} || ':' || {mm}"
    if letter == "X":
        return f"(CASE WHEN {off} = 0 THEN 'Z' ELSE {text} END)"
    return f"({text})"


def format_sql(value_sql: str, pattern: str) -> str:
    """``value_sql`` (a DATE/TIMESTAMP/TIMESTAMPTZ) formatted with a Spark pattern."""
    pieces: list[str] = []
    fmt: list[str] = []

    def flush():
        if fmt:
            pieces.append(f"STRFTIME({value_sql}, {lit(''.join(fmt))})")
            fmt.clear()

    for kind, text in _tokens(pattern):
        if kind == "lit":
            fmt.append(text.replace("%", "%%"))
            continue
        code = _code(kind, text, parse=False)
        if code is not None:
            fmt.append(code)
            continue
        flush()
        n = len(text)
        if kind in "ZXxO":
            pieces.append(_offset_sql(value_sql, kind, n))
        elif kind == "S":  # a fraction of n digits, truncated
            pieces.append(f"RPAD(LEFT(STRFTIME({value_sql}, '%n'), {n}), {n}, '0')")
        elif kind in "Qq":
            q = f"CAST(QUARTER({value_sql}) AS VARCHAR)"
            pieces.append(q if n <= 2 and n == 1 else (f"LPAD({q}, 2, '0')" if n == 2 else
                                                      f"'Q' || {q}"))
        else:
            pieces.append(lit(text))
    flush()
    if not pieces:
        return "''"
    return pieces[0] if len(pieces) == 1 else "(" + " || ".join(pieces) + ")"


# ---------------------------------------------------------------------------------------------
# values as Spark's date / timestamp


def _is_string(e: exp.Expression) -> bool:
    t = spark_type(e)
    return t is None or t.is_type(*_STRINGS)


def string_to_date_sql(gen, s_sql: str) -> str:
    """Spark's string → date cast (``yyyy``, ``yyyy-[m]m``, ``yyyy-[m]m-[d]d[ T...]``,
    surrounding spaces); NULL where Spark would fail (ANSI off) — see :func:`_checked`."""
    t = f"TRIM(CAST({s_sql} AS VARCHAR))"
    norm = (f"CASE WHEN REGEXP_MATCHES({t}, '^[0-9]{{4}}$') THEN {t} || '-01-01' "
            f"WHEN REGEXP_MATCHES({t}, '^[0-9]{{4}}-[0-9]{{1,2}}$') THEN {t} || '-01' "
            f"WHEN REGEXP_MATCHES({t}, '^[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}([ T].*)?$') "
            f"THEN REGEXP_REPLACE({t}, '[ T].*$', '') END")
    return f"TRY_CAST({norm} AS DATE)"


def string_to_timestamp_sql(gen, s_sql: str) -> str:
    """Spark's string → timestamp cast (in the session time zone); NULL where it fails."""
    t = f"TRIM(CAST({s_sql} AS VARCHAR))"
    norm = (f"CASE WHEN REGEXP_MATCHES({t}, '^[0-9]{{4}}(-[0-9]{{1,2}})?$') THEN "
            f"CAST({string_to_date_sql(gen, t)} AS VARCHAR) ELSE {t} END")
    return f"TRY_CAST({norm} AS TIMESTAMPTZ)"


def _cast_invalid(s_sql: str, target: str) -> str:
    return spark_error("CAST_INVALID_INPUT", (
        f"'The value ''' || CAST({s_sql} AS VARCHAR) || ''' of the type \"STRING\" cannot be "
        f"cast to \"{target}\" because it is malformed. Correct the value as per the syntax, "
        "or change its target type. Use `try_cast` to tolerate malformed input and return "
        "NULL instead. SQLSTATE: 22018'"))


def _cannot_parse(s_sql: str, func: str) -> str:
    return spark_error("CANNOT_PARSE_TIMESTAMP", (
        f"'Text ''' || CAST({s_sql} AS VARCHAR) || ''' could not be parsed. Use `{func}` to "
        "tolerate invalid input string and return NULL instead. SQLSTATE: 22007'"))


def _checked(gen, s_sql: str, value_sql: str, error_sql: str, safe: bool = False) -> str:
    """``value_sql`` (NULL on a bad ``s_sql``), raising ``error_sql`` instead under ANSI."""
    if safe or not gen.ansi:
        return value_sql
    return (f"(CASE WHEN {s_sql} IS NOT NULL AND {value_sql} IS NULL THEN {error_sql} "
            f"ELSE {value_sql} END)")


def date_sql(gen, e: exp.Expression, safe: bool = False) -> str:
    """``e`` as Spark's date: a date as it is, a timestamp's date in the session time zone,
    a string by Spark's cast (raising CAST_INVALID_INPUT under ANSI)."""
    if isinstance(e, (exp.TsOrDsToDate, exp.TimeStrToTime)) and not e.args.get("format"):
        e = e.this
    t = spark_type(e)
    if t is not None and t.is_type(exp.DType.DATE):
        return gen.sql(e)
    if t is not None and not t.is_type(*_STRINGS, exp.DType.NULL):
        return f"CAST({gen.sql(e)} AS DATE)"
    s = gen.sql(e)
    return _checked(gen, s, string_to_date_sql(gen, s), _cast_invalid(s, "DATE"), safe)


def timestamp_sql(gen, e: exp.Expression, safe: bool = False) -> str:
    """``e`` as Spark's timestamp (DuckDB TIMESTAMPTZ; a date or a TIMESTAMP_NTZ is read in
    the session time zone, a string by Spark's cast)."""
    if isinstance(e, exp.TimeStrToTime) or (
            isinstance(e, exp.Cast) and e.to.is_type(exp.DType.TIMESTAMP)
            and not isinstance(e, exp.TryCast)):
        e = e.this
    t = spark_type(e)
    if t is not None and t.is_type(*_TS):
        return gen.sql(e)
    if t is not None and not t.is_type(*_STRINGS, exp.DType.NULL):
        return f"CAST({gen.sql(e)} AS TIMESTAMPTZ)"
    s = gen.sql(e)
    return _checked(gen, s, string_to_timestamp_sql(gen, s), _cast_invalid(s, "TIMESTAMP"),
                    safe)


def to_timestamp_sql(gen, e: exp.Expression) -> str:
    """Spark's ``to_timestamp(x)`` / ``timestamp(x)`` / ``CAST(x AS TIMESTAMP)`` (TIMESTAMPTZ).

    sqlglot parses ``to_timestamp(x)`` and ``timestamp(x)`` as ``Cast(x, DType.TIMESTAMP)``
    (``TIMESTAMP_NTZ`` is ``DType.TIMESTAMPNTZ``), so the ANSI helper's cast rule may call
    this for a ``Cast`` to ``DType.TIMESTAMP``."""
    return timestamp_sql(gen, e)


def _wall_sql(gen, e: exp.Expression) -> str:
    """The wall-clock TIMESTAMP of ``e`` in the session time zone (a date at midnight)."""
    t = spark_type(e)
    if t is not None and t.is_type(*_NTZ):
        return gen.sql(e)
    if t is not None and t.is_type(exp.DType.DATE):
        return f"CAST({gen.sql(e)} AS TIMESTAMP)"
    return f"CAST({timestamp_sql(gen, e)} AS TIMESTAMP)"


def _formattable(gen, e: exp.Expression) -> str:
    if isinstance(e, exp.TimeStrToTime):
        e = e.this
    t = spark_type(e)
    if t is not None and t.is_type(exp.DType.DATE, *_TS, *_NTZ):
        return gen.sql(e)
    return timestamp_sql(gen, e)


def datetime_to_string_sql(gen, expr_sql: str, spark_type: str) -> str:
    """Spark's ``CAST(x AS STRING)`` of a date or timestamp given as DuckDB SQL.

    ``spark_type`` is Spark's simple type name (``date``, ``timestamp``, ``timestamp_ntz``).
    A timestamp prints in the session time zone with no offset and its fraction of a second
    without trailing zeros (``2024-01-05 07:08:09``, ``2024-01-05 07:08:09.12``)."""
    if spark_type == "date":
        return f"STRFTIME({expr_sql}, '%Y-%m-%d')"
    frac = f"STRFTIME({expr_sql}, '%f')"
    return (f"(STRFTIME({expr_sql}, '%Y-%m-%d %H:%M:%S') || CASE WHEN {frac} = '000000' "
            f"THEN '' ELSE '.' || RTRIM({frac}, '0') END)")


_DATE_UNITS = {"YEAR", "YEARS", "MONTH", "MONTHS", "WEEK", "WEEKS", "DAY", "DAYS", "QUARTER"}


def datetime_arithmetic_sql(gen, e: exp.Expression) -> str | None:
    """Spark's ``date ± interval`` and ``date - date`` for an ``exp.Add``/``exp.Sub``, or
    None when ``e`` is not date arithmetic (the caller's own rule applies).

    ``DATE + INTERVAL 1 MONTH`` is a ``date`` in Spark (DuckDB: a TIMESTAMP), a date plus an
    interval with hours or less a ``timestamp``, and ``DATE - DATE`` an interval of days
    (DuckDB: a BIGINT). Meant for the ANSI helper's arithmetic rule."""
    if not isinstance(e, (exp.Add, exp.Sub)):
        return None
    left, right = e.this, e.expression
    if isinstance(e, exp.Add) and isinstance(left, exp.Interval):
        left, right = right, left
    op = "+" if isinstance(e, exp.Add) else "-"
    if isinstance(right, exp.Interval) and is_type(left, exp.DType.DATE):
        unit = right.args.get("unit")
        name = unit.name.upper() if isinstance(unit, exp.Var) else None
        d, i = gen.sql(left), gen.sql(right)
        if name in _DATE_UNITS:
            return f"CAST({d} {op} {i} AS DATE)"
        return f"(CAST({d} AS TIMESTAMPTZ) {op} {i})"
    if (isinstance(e, exp.Sub) and is_type(left, exp.DType.DATE)
            and is_type(right, exp.DType.DATE)):
        return f"TO_DAYS(CAST({gen.sql(left)} - {gen.sql(right)} AS INTEGER))"
    return None


# ---------------------------------------------------------------------------------------------
# parsing and formatting functions


def _parse(gen, e: exp.Expression, s: exp.Expression, fmt: exp.Expression | None,
           func: str, safe: bool) -> str:
    """A string parsed as Spark's timestamp (TIMESTAMPTZ), with a pattern or by the cast."""
    if fmt is None:
        return timestamp_sql(gen, s, safe=safe)
    pattern = spark_pattern(fmt)
    ss = gen.sql(s)
    if pattern is None:  # a pattern known only at run time: DuckDB's codes as they come
        value = f"CAST(TRY_STRPTIME({ss}, {gen.sql(fmt)}) AS TIMESTAMPTZ)"
    else:
        value = f"CAST(TRY_STRPTIME({ss}, {lit(strptime_format(pattern))}) AS TIMESTAMPTZ)"
    return _checked(gen, ss, value, _cannot_parse(ss, func), safe)


def _to_date(gen, e: exp.TsOrDsToDate) -> str:
    fmt = e.args.get("format")
    if fmt is None:
        return date_sql(gen, e.this)
    return f"CAST({_parse(gen, e, e.this, fmt, 'try_to_date', False)} AS DATE)"


def _try_to_date(gen, e: exp.Anonymous) -> str:
    s, *fmt = e.expressions
    if not fmt:
        return date_sql(gen, s, safe=True)
    return f"CAST({_parse(gen, e, s, fmt[0], 'try_to_date', True)} AS DATE)"


def _to_timestamp(gen, e: exp.StrToTime) -> str:
    return _parse(gen, e, e.this, e.args.get("format"), "try_to_timestamp",
                  bool(e.args.get("safe")))


def _try_to_timestamp(gen, e: exp.Anonymous) -> str:
    s, *fmt = e.expressions
    return _parse(gen, e, s, fmt[0] if fmt else None, "try_to_timestamp", True)


def _to_timestamp_ntz(gen, e: exp.Anonymous) -> str:
    s, *fmt = e.expressions
    if is_type(s, *_TS, exp.DType.DATE):
        return _wall_sql(gen, s)
    if fmt:
        ss = gen.sql(s)
        pattern = spark_pattern(fmt[0])
        f = lit(strptime_format(pattern)) if pattern is not None else gen.sql(fmt[0])
        value = f"CAST(TRY_STRPTIME({ss}, {f}) AS TIMESTAMP)"
        return _checked(gen, ss, value, _cannot_parse(ss, "try_to_timestamp"))
    ss = gen.sql(s)
    return _checked(gen, ss, f"TRY_CAST({ss} AS TIMESTAMP)", _cast_invalid(ss, "TIMESTAMP_NTZ"))


def _to_timestamp_ltz(gen, e: exp.Anonymous) -> str:
    s, *fmt = e.expressions
    return _parse(gen, e, s, fmt[0] if fmt else None, "try_to_timestamp", False)


def _date_format(gen, e: exp.TimeToStr) -> str:
    pattern = spark_pattern(e.args.get("format"))
    value = _formattable(gen, e.this)
    if pattern is None:
        return f"STRFTIME({value}, {gen.sql(e.args['format'])})"
    return format_sql(value, pattern)


def _from_unixtime(gen, e: exp.UnixToStr) -> str:
    fmt = e.args.get("format")
    pattern = spark_pattern(fmt) if fmt is not None else "yyyy-MM-dd HH:mm:ss"
    n = e.this
    secs = gen.sql(n) if is_type(n, *exp.DataType.INTEGER_TYPES) else \
        f"CAST(TRUNC({gen.sql(n)}) AS BIGINT)"  # Spark's cast to bigint truncates
    value = f"TO_TIMESTAMP({secs})"
    if pattern is None:
        return f"STRFTIME({value}, {gen.sql(fmt)})"
    return format_sql(value, pattern)


def _epoch_seconds(ts_sql: str) -> str:
    return f"CAST(FLOOR(EPOCH({ts_sql})) AS BIGINT)"


def _unix_timestamp(gen, e: exp.StrToUnix) -> str:
    s = e.this
    if s is None or isinstance(s, exp.CurrentTimestamp):
        return _epoch_seconds("CURRENT_TIMESTAMP")
    if not _is_string(s):
        return _epoch_seconds(timestamp_sql(gen, s))
    fmt = e.args.get("format") or exp.Literal.string("yyyy-MM-dd HH:mm:ss")
    return _epoch_seconds(_parse(gen, e, s, fmt, "try_to_timestamp", False))


# ---------------------------------------------------------------------------------------------
# arithmetic on dates


def _date_add(gen, e: exp.TsOrDsAdd) -> str:
    n = gen.sql(e.expression)
    return f"({date_sql(gen, e.this)} + CAST({n} AS INTEGER))"


def _add_months(gen, e: exp.AddMonths) -> str:
    return (f"CAST({date_sql(gen, e.this)} + TO_MONTHS(CAST({gen.sql(e.expression)} "
            f"AS INTEGER)) AS DATE)")


_UNITS = {"YEAR": "year", "QUARTER": "quarter", "MONTH": "month", "WEEK": "week",
          "DAY": "day", "DAYOFYEAR": "day", "HOUR": "hour", "MINUTE": "minute",
          "SECOND": "second", "MILLISECOND": "millisecond", "MICROSECOND": "microsecond"}


def _unit(e: exp.Expression) -> str | None:
    unit = e.args.get("unit")
    if unit is None:
        return None
    name = unit.name.upper()
    return _UNITS.get(name[:-1] if name.endswith("S") and name[:-1] in _UNITS else name)


def _unwrapped(e: exp.Expression) -> exp.Expression:
    if isinstance(e, exp.TsOrDsToDate) and not e.args.get("format"):
        return e.this
    return e


def _timestampdiff(gen, e: exp.Expression) -> str:
    # Spark counts whole units from start to end (ChronoUnit.between): DuckDB's DATE_SUB
    # (DATE_DIFF counts the unit boundaries crossed instead)
    unit = _unit(e) or "day"
    end_e, start_e = _unwrapped(e.this), _unwrapped(e.expression)
    if unit in ("year", "quarter", "month"):
        # whole months of the wall clocks: one less when the end's day and time in its
        # month come before the start's (DuckDB's DATE_SUB clamps to the month's end)
        a, b = _wall_sql(gen, end_e), _wall_sql(gen, start_e)
        months = f"((YEAR({a}) - YEAR({b})) * 12 + MONTH({a}) - MONTH({b}))"

        def rest(w):
            return f"(EPOCH({w}) - EPOCH(DATE_TRUNC('month', {w})))"
        whole = (f"({months} - CASE WHEN {months} > 0 AND {rest(a)} < {rest(b)} THEN 1 "
                 f"WHEN {months} < 0 AND {rest(a)} > {rest(b)} THEN -1 ELSE 0 END)")
        per = {"year": 12, "quarter": 3, "month": 1}[unit]
        return f"CAST(TRUNC({whole} / {per}) AS BIGINT)" if per > 1 else f"CAST({whole} AS BIGINT)"
    end, start = timestamp_sql(gen, end_e), timestamp_sql(gen, start_e)
    return f"DATE_SUB('{unit}', {start}, {end})"


def _datediff(gen, e: exp.DateDiff) -> str:
    unit = e.args.get("unit")
    if unit is not None and unit.name.upper() not in ("DAY", "DAYS"):
        return _timestampdiff(gen, e)  # datediff(unit, start, end) = timestampdiff
    return int_sql(f"({date_sql(gen, e.this)} - {date_sql(gen, e.expression)})")


def _timestampadd(gen, e: exp.TimestampAdd) -> str:
    unit = _unit(e) or "day"
    n = f"CAST({gen.sql(e.expression)} AS BIGINT)"
    step = {"year": f"TO_YEARS(CAST({n} AS INTEGER))",
            "quarter": f"TO_MONTHS(CAST({n} * 3 AS INTEGER))",
            "month": f"TO_MONTHS(CAST({n} AS INTEGER))", "week": f"TO_DAYS({n} * 7)",
            "day": f"TO_DAYS({n})", "hour": f"TO_HOURS({n})", "minute": f"TO_MINUTES({n})",
            "second": f"TO_SECONDS({n})", "millisecond": f"TO_MILLISECONDS({n})",
            "microsecond": f"TO_MICROSECONDS({n})"}[unit]
    if is_type(e.this, exp.DType.TIMESTAMPNTZ) or (
            isinstance(e.this, exp.Column) and is_type(e.this, *_NTZ)):
        return f"({gen.sql(e.this)} + {step})"  # a TIMESTAMP_NTZ stays one
    return f"({timestamp_sql(gen, e.this)} + {step})"


def _months_between(gen, e: exp.MonthsBetween) -> str:
    a, b = _wall_sql(gen, e.this), _wall_sql(gen, e.expression)

    def secs(w):  # seconds since the start of the month
        return f"(EPOCH({w}) - EPOCH(DATE_TRUNC('month', {w})))"

    months = (f"((YEAR({a}) - YEAR({b})) * 12 + MONTH({a}) - MONTH({b}))")
    # Spark: whole months when both days are the same day of the month or both the last
    # day of their months; otherwise the difference of the times in the month over 31 days
    whole = (f"DAY({a}) = DAY({b}) OR (DAY({a}) = DAY(LAST_DAY({a})) "
             f"AND DAY({b}) = DAY(LAST_DAY({b})))")
    value = (f"CASE WHEN {whole} THEN CAST({months} AS DOUBLE) ELSE "
             f"{months} + ({secs(a)} - {secs(b)}) / 2678400.0 END")
    roundoff = e.args.get("roundoff")
    if isinstance(roundoff, exp.Boolean) and not roundoff.this:
        return f"CAST({value} AS DOUBLE)"
    if roundoff is not None and not isinstance(roundoff, exp.Boolean):
        r = gen.sql(roundoff)
        return f"CAST(CASE WHEN {r} THEN ROUND({value}, 8) ELSE {value} END AS DOUBLE)"
    return f"CAST(ROUND({value}, 8) AS DOUBLE)"


_TRUNC_DATE = {"YEAR": "year", "YYYY": "year", "YY": "year", "QUARTER": "quarter",
               "MONTH": "month", "MM": "month", "MON": "month", "WEEK": "week"}
_TRUNC_TS = {**_TRUNC_DATE, "DAY": "day", "DD": "day", "HOUR": "hour", "MINUTE": "minute",
             "SECOND": "second", "MILLISECOND": "millisecond", "MICROSECOND": "microsecond"}


def _unit_case(gen, unit: exp.Expression, units: dict, fn) -> str:
    name = unit.name if isinstance(unit, (exp.Var, exp.Column, exp.Identifier)) else \
        string_value(unit)
    if name is not None:
        u = units.get(name.upper())
        return fn(u) if u is not None else "NULL"
    us = gen.sql(unit)  # a unit known only at run time
    whens = " ".join(f"WHEN {lit(k)} THEN {fn(v)}" for k, v in units.items())
    return f"CASE UPPER({us}) {whens} END"


def _trunc(gen, e: exp.DateTrunc) -> str:
    d = date_sql(gen, e.this)
    out = _unit_case(gen, e.args["unit"], _TRUNC_DATE,
                     lambda u: f"CAST(DATE_TRUNC('{u}', {d}) AS DATE)")
    return out if out != "NULL" else "CAST(NULL AS DATE)"


def _date_trunc(gen, e: exp.TimestampTrunc) -> str:
    t = timestamp_sql(gen, e.this)
    out = _unit_case(gen, e.args["unit"], _TRUNC_TS, lambda u: f"DATE_TRUNC('{u}', {t})")
    return out if out != "NULL" else "CAST(NULL AS TIMESTAMPTZ)"


# ---------------------------------------------------------------------------------------------
# fields: Spark's int


def _date_field(fn: str, plus: int = 0):
    def rule(gen, e):
        sql = f"{fn}({date_sql(gen, e.this)})"
        return int_sql(f"{sql} + {plus}" if plus else sql)
    return rule


def _time_field(fn: str):
    def rule(gen, e):
        arg = e.this
        if is_type(arg, *_NTZ):
            return int_sql(f"{fn}({gen.sql(arg)})")
        return int_sql(f"{fn}({timestamp_sql(gen, arg)})")
    return rule


_FIELDS = {
    "YEAR": "year", "Y": "year", "YEARS": "year", "YR": "year", "YRS": "year",
    "YEAROFWEEK": "isoyear", "QUARTER": "quarter", "QTR": "quarter",
    "MONTH": "month", "MON": "month", "MONS": "month", "MONTHS": "month",
    "WEEK": "week", "W": "week", "WEEKS": "week",
    "DAY": "day", "D": "day", "DAYS": "day", "DAYOFWEEK": "dow", "DOW": "dow",
    "DAYOFWEEK_ISO": "isodow", "DOW_ISO": "isodow", "DOY": "doy",
    "HOUR": "hour", "H": "hour", "HOURS": "hour", "HR": "hour", "HRS": "hour",
    "MINUTE": "minute", "M": "minute", "MIN": "minute", "MINS": "minute", "MINUTES": "minute",
    "SECOND": "second", "S": "second", "SEC": "second", "SECONDS": "second",
    "SECS": "second",
}
_DATE_PARTS = ("year", "isoyear", "quarter", "month", "week", "day", "dow", "isodow", "doy")


def _field_sql(gen, field: str, source: exp.Expression) -> str | None:
    f = _FIELDS.get(field.upper())
    if f is None or is_type(source, exp.DType.INTERVAL):
        return None
    if f in _DATE_PARTS and not is_type(source, *_TS, *_NTZ):
        v = date_sql(gen, source)
    elif is_type(source, *_NTZ, exp.DType.DATE):
        v = gen.sql(source)
    else:
        v = timestamp_sql(gen, source)
    if f == "second":  # Spark: decimal(8,6) seconds with the fraction
        return f"CAST(CAST(MICROSECOND({v}) AS DECIMAL(10, 0)) / 1000000 AS DECIMAL(8, 6))"
    if f == "dow":
        return int_sql(f"DAYOFWEEK({v}) + 1")
    return int_sql(f"DATE_PART('{f}', {v})")


def _extract(gen, e: exp.Extract) -> str:
    out = _field_sql(gen, e.this.name, e.expression)
    return out if out is not None else default_sql(gen, e)


def _date_part(gen, e: exp.Anonymous) -> str:
    field, source = e.expressions[:2]
    name = string_value(field)
    out = _field_sql(gen, name, source) if name is not None else None
    return out if out is not None else gen.function_fallback_sql(e)


# ---------------------------------------------------------------------------------------------
# construction, epochs and time zones


def _current_timezone(gen, e: exp.Expression) -> str:
    return lit(gen.time_zone)


def _make_date(gen, e: exp.Anonymous) -> str:
    y, m, d = (f"CAST({gen.sql(a)} AS BIGINT)" for a in e.expressions[:3])
    value = f"TRY(MAKE_DATE({y}, {m}, {d}))"
    if not gen.ansi:
        return value
    # Spark 4 (ANSI): java.time's complaint about the first field out of range
    tail = ('. If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error. '
            'SQLSTATE: 22023')
    month = f"UPPER(STRFTIME(MAKE_DATE(2000, {m}, 1), '%B'))"
    why = (f"CASE WHEN {m} NOT BETWEEN 1 AND 12 THEN 'Invalid value for MonthOfYear (valid "
           f"values 1 - 12): ' || CAST({m} AS VARCHAR) WHEN {d} NOT BETWEEN 1 AND 31 THEN "
           f"'Invalid value for DayOfMonth (valid values 1 - 28/31): ' || CAST({d} AS VARCHAR) "
           f"ELSE 'Invalid date ''' || {month} || ' ' || CAST({d} AS VARCHAR) || '''' END")
    bad = spark_error("DATETIME_FIELD_OUT_OF_BOUNDS", f"{why} || {lit(tail)}")
    return (f"(CASE WHEN {value} IS NULL AND {y} IS NOT NULL AND {m} IS NOT NULL AND "
            f"{d} IS NOT NULL THEN {bad} ELSE {value} END)")


def _make_timestamp(gen, e: exp.TimestampFromParts) -> str:
    parts = [gen.sql(e.args[k]) for k in ("year", "month", "day", "hour", "min")]
    sec = f"CAST({gen.sql(e.args['sec'])} AS DOUBLE)"
    wall = f"MAKE_TIMESTAMP({', '.join(f'CAST({p} AS BIGINT)' for p in parts)}, {sec})"
    if not gen.ansi:
        wall = f"TRY({wall})"
    # sqlglot files Spark's 7th argument (the time zone) under "nano"
    zone = e.args.get("zone") or e.args.get("nano")
    if zone is not None:
        return f"TIMEZONE({gen.sql(zone)}, {wall})"
    return f"CAST({wall} AS TIMESTAMPTZ)"


def _make_timestamp_ntz(gen, e: exp.Anonymous) -> str:
    args = [f"CAST({gen.sql(a)} AS BIGINT)" for a in e.expressions[:5]]
    sql = f"MAKE_TIMESTAMP({', '.join(args)}, CAST({gen.sql(e.expressions[5])} AS DOUBLE))"
    return sql if gen.ansi else f"TRY({sql})"


def _from_epoch(unit: str):
    def rule(gen, e: exp.Anonymous) -> str:
        n = gen.sql(e.expressions[0])
        if unit == "seconds":
            return f"TO_TIMESTAMP(CAST({n} AS DOUBLE))"
        us = f"CAST({n} AS BIGINT)" + (" * 1000" if unit == "millis" else "")
        return f"TIMEZONE('UTC', MAKE_TIMESTAMP({us}))"
    return rule


def _unix_seconds(gen, e: exp.Expression) -> str:
    return _epoch_seconds(timestamp_sql(gen, e.this))


def _unix_millis(gen, e: exp.Expression) -> str:
    return f"EPOCH_MS({timestamp_sql(gen, e.this)})"


def _unix_micros(gen, e: exp.Expression) -> str:
    return f"EPOCH_US({timestamp_sql(gen, e.this)})"


def _unix_date(gen, e: exp.UnixDate) -> str:
    return int_sql(f"({date_sql(gen, e.this)} - DATE '1970-01-01')")


def _date_from_unix_date(gen, e: exp.DateFromUnixDate) -> str:
    return f"(DATE '1970-01-01' + CAST({gen.sql(e.this)} AS INTEGER))"


def _from_utc_timestamp(gen, e: exp.AtTimeZone) -> str:
    if not isinstance(e.this, exp.Cast):  # built by sqlglot itself, not Spark's function
        return default_sql(gen, e)
    t = timestamp_sql(gen, e.this.this)
    # the wall clock of t in zone, read as UTC
    return f"TIMEZONE('UTC', TIMEZONE({gen.sql(e.args['zone'])}, {t}))"


def _to_utc_timestamp(gen, e: exp.FromTimeZone) -> str:
    inner = e.this.this if isinstance(e.this, exp.Cast) else e.this
    t = timestamp_sql(gen, inner)
    # the wall clock of t in UTC, read in zone
    return f"TIMEZONE({gen.sql(e.args['zone'])}, TIMEZONE('UTC', {t}))"


def _convert_timezone(gen, e: exp.ConvertTimezone) -> str:
    # convert_timezone([source,] target, ts_ntz): a wall clock from one zone to another
    src = e.args.get("source_tz")
    src_sql = gen.sql(src) if src is not None else lit(gen.time_zone)
    ts = e.args["timestamp"]
    wall = gen.sql(ts) if is_type(ts, *_NTZ) else _wall_sql(gen, ts)
    return f"TIMEZONE({gen.sql(e.args['target_tz'])}, TIMEZONE({src_sql}, {wall}))"


_DURATION = re.compile(r"^\s*(?:interval\s+)?(\d+)\s*([a-z]+)\s*$", re.I)
_MICROS = {"microsecond": 1, "millisecond": 1000, "second": 10**6, "minute": 60 * 10**6,
           "hour": 3600 * 10**6, "day": 86400 * 10**6, "week": 7 * 86400 * 10**6}


def _duration_micros(text: str | None) -> int | None:
    m = _DURATION.match(text or "")
    if not m:
        return None
    unit = m.group(2).lower().rstrip("s")
    unit = {"ms": "millisecond", "us": "microsecond", "sec": "second", "min": "minute"}.get(
        unit, unit)
    per = _MICROS.get(unit)
    return None if per is None else int(m.group(1)) * per


def _window(gen, e: exp.Anonymous) -> str:
    ts, *rest = e.expressions
    width = _duration_micros(string_value(rest[0])) if rest else None
    slide = _duration_micros(string_value(rest[1])) if len(rest) > 1 else width
    start = _duration_micros(string_value(rest[2])) if len(rest) > 2 else 0
    if width is None or slide != width or start is None:
        return gen.function_fallback_sql(e)  # sliding windows: not supported here
    us = f"EPOCH_US({timestamp_sql(gen, ts)})"
    # tumbling windows aligned on the epoch (plus startTime), as Spark's
    begin = f"({us} - ((({us} - {start}) % {width}) + {width}) % {width})"
    return (f"STRUCT_PACK(\"start\" := TIMEZONE('UTC', MAKE_TIMESTAMP({begin})), "
            f"\"end\" := TIMEZONE('UTC', MAKE_TIMESTAMP({begin} + {width})))")


def _last_day(gen, e: exp.LastDay) -> str:
    return f"LAST_DAY({date_sql(gen, e.this)})"


_DAYS = {1: ("MO", "MON", "MONDAY"), 2: ("TU", "TUE", "TUESDAY"),
         3: ("WE", "WED", "WEDNESDAY"), 4: ("TH", "THU", "THURSDAY"),
         5: ("FR", "FRI", "FRIDAY"), 6: ("SA", "SAT", "SATURDAY"), 7: ("SU", "SUN", "SUNDAY")}


def _next_day(gen, e: exp.NextDay) -> str:
    d = date_sql(gen, e.this)
    name = gen.sql(e.expression)
    u = f"UPPER(TRIM({name}))"
    whens = " ".join(f"WHEN {u} IN ({', '.join(map(lit, names))}) THEN {n}"
                     for n, names in _DAYS.items())
    target = f"(CASE {whens} END)"
    if gen.ansi:
        bad = spark_error("ILLEGAL_DAY_OF_WEEK", (
            f"'Illegal input for day of week: ' || {name} || '. SQLSTATE: 22009'"))
        target = (f"(CASE WHEN {name} IS NOT NULL AND {target} IS NULL THEN {bad} "
                  f"ELSE {target} END)")
    # the first date after d that falls on the target day of the week
    return f"({d} + CAST(({target} - ISODOW({d}) + 6) % 7 + 1 AS INTEGER))"


def _dayname(gen, e: exp.Dayname) -> str:
    return f"STRFTIME({date_sql(gen, e.this)}, '%a')"  # Spark 4: 'Fri'


def _monthname(gen, e: exp.Monthname) -> str:
    return f"STRFTIME({date_sql(gen, e.this)}, '%b')"  # Spark 4: 'Jan'


def _try_make_timestamp(gen, e: exp.Anonymous) -> str:
    keys = ("year", "month", "day", "hour", "min", "sec", "zone")
    node = exp.TimestampFromParts(**dict(zip(keys, e.expressions, strict=False)))
    return f"TRY({_make_timestamp(gen, node)})"


def _make_timestamp_ltz(gen, e: exp.Anonymous) -> str:
    keys = ("year", "month", "day", "hour", "min", "sec", "zone")
    return _make_timestamp(gen, exp.TimestampFromParts(**dict(zip(keys, e.expressions,
                                                                  strict=False))))


def _make_dt_interval(gen, e: exp.Anonymous) -> str:
    args = [gen.sql(a) for a in e.expressions] + ["0"] * (4 - len(e.expressions))
    d, h, m, sec = args[:4]
    return (f"(TO_DAYS(CAST({d} AS BIGINT)) + TO_HOURS(CAST({h} AS BIGINT)) + "
            f"TO_MINUTES(CAST({m} AS BIGINT)) + "
            f"TO_MICROSECONDS(CAST(ROUND(CAST({sec} AS DECIMAL(18, 6)) * 1000000) AS BIGINT)))")


def _weekday(gen, e: exp.Anonymous) -> str:
    return int_sql(f"ISODOW({date_sql(gen, e.expressions[0])}) - 1")


TRANSFORMS: dict = {
    exp.CurrentTimezone: _current_timezone,
    exp.TsOrDsToDate: _to_date,
    exp.StrToTime: _to_timestamp,
    exp.TimeToStr: _date_format,
    exp.UnixToStr: _from_unixtime,
    exp.StrToUnix: _unix_timestamp,
    exp.TsOrDsAdd: _date_add,
    exp.AddMonths: _add_months,
    exp.DateDiff: _datediff,
    exp.MonthsBetween: _months_between,
    exp.DateTrunc: _trunc,
    exp.TimestampTrunc: _date_trunc,
    exp.Year: _date_field("YEAR"),
    exp.Month: _date_field("MONTH"),
    exp.DayOfMonth: _date_field("DAYOFMONTH"),
    exp.DayOfWeek: _date_field("DAYOFWEEK", 1),
    exp.DayOfYear: _date_field("DAYOFYEAR"),
    exp.WeekOfYear: _date_field("WEEKOFYEAR"),
    exp.Quarter: _date_field("QUARTER"),
    exp.Hour: _time_field("HOUR"),
    exp.Minute: _time_field("MINUTE"),
    exp.Second: _time_field("SECOND"),
    exp.Extract: _extract,
    exp.Day: _date_field("DAYOFMONTH"),
    exp.Dayname: _dayname,
    exp.Monthname: _monthname,
    exp.TimestampAdd: _timestampadd,
    exp.TimestampDiff: _timestampdiff,
    exp.LastDay: _last_day,
    exp.NextDay: _next_day,
    exp.TimestampFromParts: _make_timestamp,
    exp.UnixSeconds: _unix_seconds,
    exp.UnixMillis: _unix_millis,
    exp.UnixMicros: _unix_micros,
    exp.UnixDate: _unix_date,
    exp.DateFromUnixDate: _date_from_unix_date,
    exp.AtTimeZone: _from_utc_timestamp,
    exp.FromTimeZone: _to_utc_timestamp,
    exp.ConvertTimezone: _convert_timezone,
}

FUNCTIONS: dict = {
    "current_timezone": _current_timezone,
    "try_to_timestamp": _try_to_timestamp,
    "try_to_date": _try_to_date,
    "to_timestamp_ntz": _to_timestamp_ntz,
    "to_timestamp_ltz": _to_timestamp_ltz,
    "date_part": _date_part,
    "datepart": _date_part,
    "make_date": _make_date,
    "make_timestamp_ntz": _make_timestamp_ntz,
    "timestamp_seconds": _from_epoch("seconds"),
    "timestamp_millis": _from_epoch("millis"),
    "timestamp_micros": _from_epoch("micros"),
    "window": _window,
    "weekday": _weekday,
    "try_make_timestamp": _try_make_timestamp,
    "make_timestamp_ltz": _make_timestamp_ltz,
    "make_dt_interval": _make_dt_interval,
}
