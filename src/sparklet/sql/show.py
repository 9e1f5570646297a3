"""The text of ``DataFrame.show()`` and Spark's value-to-string rules, as PySpark 4 prints them.

PySpark's ``show()`` asks the JVM for ``Dataset.showString``: every column is turned into a
string by ``ToPrettyString`` (``CAST(... AS STRING)`` but for ``NULL`` in place of nulls and
binary in hex), each cell's meta characters are escaped (``\\n`` prints as two characters), a
cell longer than ``truncate`` is cut, and the cells are padded to the widest cell of the
column, counting an East Asian wide character as two (``Utils.stringHalfWidth``). Lengths are
those of Java strings (UTF-16 code units), so a character outside the BMP counts two.

:func:`show_string` returns what ``showString`` returns; ``show()`` prints it with
``print()``, which adds the final newline. A table therefore ends with ``+---+\\n`` (and print
makes that a blank line) while the footers ``only showing top N rows`` and ``(0 rows)`` have no
newline of their own, as in Spark 4.

>>> from sparklet.sql.types import IntegerType, StringType, StructField, StructType
>>> schema = StructType([StructField("id", IntegerType()), StructField("name", StringType())])
>>> print(show_string(schema, [(1, "Alice"), (2, None)], n=1, has_more=True))
+---+-----+
| id| name|
+---+-----+
|  1|Alice|
+---+-----+
only showing top 1 row
>>> value_to_string([1.0, None, 1e20], ArrayType(DoubleType()))
'[1.0, NULL, 1.0E20]'
"""

from __future__ import annotations

import datetime
import decimal
import math
import struct
from typing import Any

from sparklet.errors import PySparkTypeError
from sparklet.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    CalendarIntervalType,
    DataType,
    DateType,
    DayTimeIntervalType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegralType,
    MapType,
    NullType,
    StructType,
    TimestampNTZType,
    TimestampType,
    TimeType,
    YearMonthIntervalType,
    _escape_meta,
)

__all__ = ["show_string", "value_to_string", "java_double_string", "java_float_string"]

# showString's floor on a column's width (and on the vertical layout's two columns).
_MIN_COL_WIDTH = 3

# Utils.fullWidthRegex: the BMP ranges Spark counts as two half widths.
_FULL_WIDTH = (
    (0x1100, 0x115F), (0x2E80, 0xA4CF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF),
    (0xFE10, 0xFE19), (0xFE30, 0xFE6F), (0xFF00, 0xFF60), (0xFFE0, 0xFFE6),
)  # fmt: skip


# --------------------------------------------------------------------------- showString


def show_string(
    schema: StructType,
    rows: list,
    n: int = 20,
    truncate: bool | int = True,
    vertical: bool = False,
    has_more: bool = False,
    *,
    time_zone: str | None = None,
) -> str:
    """The text ``df.show(n, truncate, vertical)`` prints, without print's final newline.

    ``rows`` are the first rows of the DataFrame as ``collect()`` returns them (``Row``s or
    tuples of Python values); rows past ``n`` are dropped and count as ``has_more``.
    ``has_more`` says the DataFrame has more than ``n`` rows (the "only showing top N rows"
    footer). ``truncate`` is PySpark's: ``True`` is 20, ``False``/0 (or a negative number)
    shows whole cells left-aligned, a positive ``N`` cuts a cell longer than ``N`` to its
    first ``N - 3`` characters and ``...`` (to its first ``N`` when ``N < 4``) and
    right-aligns. ``time_zone`` converts time-zone-aware TimestampType values (naive ones are
    taken as already in the session time zone).

    The arguments are checked as PySpark's ``DataFrame.show`` checks them (``NOT_INT`` for
    ``n``, ``NOT_BOOL`` for ``vertical`` and for a ``truncate`` that ``int()`` refuses).
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise _type_error("NOT_INT", "n", n)
    if not isinstance(vertical, bool):
        raise _type_error("NOT_BOOL", "vertical", vertical)
    if isinstance(truncate, bool) and truncate:
        width = 20
    else:
        try:
            width = int(truncate)
        except ValueError:
            raise _type_error("NOT_BOOL", "truncate", truncate) from None

    num_rows = max(n, 0)
    rows = list(rows)
    has_more = has_more or len(rows) > num_rows
    fields = list(schema.fields)
    header = [_escape_meta(f.name) for f in fields]
    data = [
        [
            _truncate_cell(_escape_meta(value_to_string(v, f.dataType, time_zone=time_zone)),
                           width)
            for v, f in zip(_values(row, schema), fields, strict=False)
        ]
        for row in rows[:num_rows]
    ]  # fmt: skip

    out: list[str] = []
    if not vertical:
        widths = [_MIN_COL_WIDTH] * len(fields)
        for line in [header, *data]:
            for i, cell in enumerate(line):
                widths[i] = max(widths[i], _half_width(cell))
        sep = "+" + "+".join("-" * w for w in widths) + "+\n"

        def render(line: list[str]) -> str:
            # Spark pads by Java length, so the padding is width - half width spaces.
            if width > 0:
                cells = [" " * (w - _half_width(c)) + c for c, w in zip(line, widths, strict=True)]
            else:
                cells = [c + " " * (w - _half_width(c)) for c, w in zip(line, widths, strict=True)]
            return "|" + "|".join(cells) + "|\n"

        out.append(sep)
        out.append(render(header))
        out.append(sep)
        out.extend(render(line) for line in data)
        out.append(sep)
    else:
        name_width = max([_MIN_COL_WIDTH, *(_half_width(h) for h in header)])
        data_width = max([_MIN_COL_WIDTH, *(_half_width(c) for line in data for c in line)])
        for i, line in enumerate(data):
            # Spark's rightPad never cuts a longer record title.
            title = "-RECORD %d" % i
            out.append(title + "-" * (name_width + data_width + 5 - len(title)) + "\n")
            for name, cell in zip(header, line, strict=True):
                name_pad = " " * (name_width - _half_width(name))
                cell_pad = " " * (data_width - _half_width(cell))
                out.append(f" {name}{name_pad} | {cell}{cell_pad} \n")

    if vertical and not data:
        out.append("(0 rows)")
    elif has_more:
        out.append("only showing top %d %s" % (num_rows, "row" if num_rows == 1 else "rows"))
    return "".join(out)


def _type_error(condition: str, name: str, value: Any) -> PySparkTypeError:
    # PySpark's own (Python-side) conditions; sparklet's registry has only the JVM ones.
    kind = "an int" if condition == "NOT_INT" else "a bool"
    return PySparkTypeError(
        "Argument `%s` should be %s, got %s." % (name, kind, type(value).__name__),
        errorClass=condition,
        messageParameters={"arg_name": name, "arg_type": type(value).__name__},
    )


def _values(row: Any, schema: StructType) -> list:
    # A row is a Row/tuple (by position) or, leniently, a dict keyed by field name.
    if isinstance(row, dict):
        return [row.get(name) for name in schema.names]
    return list(row)


def _java_length(s: str) -> int:
    """Java's ``String.length()``: UTF-16 code units."""
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


def _half_width(s: str) -> int:
    """Spark's ``Utils.stringHalfWidth``: Java length plus one per full-width character."""
    wide = 0
    for c in s:
        o = ord(c)
        if o >= 0x1100 and any(lo <= o <= hi for lo, hi in _FULL_WIDTH):
            wide += 1
    return _java_length(s) + wide


def _java_prefix(s: str, units: int) -> str:
    """Java's ``s.substring(0, units)``, counted in UTF-16 code units.

    A cut through a surrogate pair leaves Java a lone surrogate, which reaches Python (through
    the UTF-8 py4j uses) as ``?``; that is what is kept here.
    """
    out: list[str] = []
    used = 0
    for c in s:
        size = 2 if ord(c) > 0xFFFF else 1
        if used + size > units:
            if used < units:
                out.append("?")
            break
        out.append(c)
        used += size
    return "".join(out)


def _truncate_cell(cell: str, truncate: int) -> str:
    if truncate > 0 and _java_length(cell) > truncate:
        # Spark shows no ellipsis when the width is under 4 characters.
        if truncate < 4:
            return _java_prefix(cell, truncate)
        return _java_prefix(cell, truncate - 3) + "..."
    return cell


# --------------------------------------------------------------------------- values


def value_to_string(
    value: Any,
    dataType: DataType,
    *,
    pretty: bool = True,
    time_zone: str | None = None,
) -> str | None:
    """A value's text as Spark writes it in ``show()`` (``pretty``) or ``CAST(v AS STRING)``.

    ``pretty`` is Spark's ``ToPrettyString``: nulls, top-level and nested, are ``NULL`` and
    binary is ``[61 62 00]``. With ``pretty=False`` it is ``CAST(... AS STRING)`` in ANSI mode:
    a top-level null gives ``None``, nested nulls are ``null``, binary is its bytes read as
    UTF-8. Both print decimals plainly, doubles as Java 17 does (``1.0E20``, ``NaN``), dates and
    timestamps as ``2024-01-05 07:08:09.005``, arrays ``[1, 2]``, maps ``{a -> 1}``, structs
    ``{1, z}``, ANSI intervals ``INTERVAL '3' DAY``.

    >>> from sparklet.sql.types import IntegerType, StringType
    >>> value_to_string({"a": 1, "b": None}, MapType(StringType(), IntegerType()))
    '{a -> 1, b -> NULL}'
    >>> value_to_string([None, b"a"], ArrayType(BinaryType()), pretty=False)
    '[null, a]'
    """
    if value is None:
        return "NULL" if pretty else None
    return _to_string(value, dataType, "NULL" if pretty else "null", pretty, time_zone)


def _to_string(v: Any, dt: DataType, null: str, pretty: bool, tz: str | None) -> str:
    # `v` is not None here; nested nulls are written as `null`.
    if isinstance(dt, ArrayType):
        et = dt.elementType
        items = [null if x is None else _to_string(x, et, null, pretty, tz) for x in v]
        return "[" + ", ".join(items) + "]"
    if isinstance(dt, MapType):
        pairs = v.items() if isinstance(v, dict) else v
        kt, vt = dt.keyType, dt.valueType
        return "{" + ", ".join(
            _to_string(k, kt, null, pretty, tz) + " -> "
            + (null if x is None else _to_string(x, vt, null, pretty, tz))
            for k, x in pairs
        ) + "}"  # fmt: skip
    if isinstance(dt, StructType):
        values = _values(v, dt)
        return "{" + ", ".join(
            null if x is None else _to_string(x, f.dataType, null, pretty, tz)
            for x, f in zip(values, dt.fields, strict=False)
        ) + "}"  # fmt: skip
    if isinstance(dt, BooleanType):
        return "true" if v else "false"
    if isinstance(dt, IntegralType):
        return str(int(v))
    if isinstance(dt, DoubleType):
        return java_double_string(float(v))
    if isinstance(dt, FloatType):
        return java_float_string(float(v))
    if isinstance(dt, DecimalType):
        return _plain_decimal(v, dt.scale)
    if isinstance(dt, BinaryType):
        data = bytes(v)
        if pretty:
            return "[" + " ".join("%02X" % b for b in data) + "]"
        return data.decode("utf-8", errors="replace")
    if isinstance(dt, (TimestampType, TimestampNTZType)):
        return _timestamp(v, tz if isinstance(dt, TimestampType) else None)
    if isinstance(dt, DateType):
        return "%04d-%02d-%02d" % (v.year, v.month, v.day)
    if isinstance(dt, TimeType):
        return _clock(v.hour, v.minute, v.second, v.microsecond)
    if isinstance(dt, DayTimeIntervalType):
        return _day_time_interval(v, dt.startField, dt.endField)
    if isinstance(dt, YearMonthIntervalType):
        return _year_month_interval(v, dt.startField, dt.endField)
    if isinstance(dt, CalendarIntervalType):
        return _calendar_interval(v)
    if isinstance(dt, NullType):
        return null
    if isinstance(v, str):
        return v
    return str(v)


def java_double_string(x: float) -> str:
    """Java's ``Double.toString`` as Java 17 (the JVM the reference PySpark ran on) prints it.

    ``1.0``, ``0.001``, ``1.0E7``, ``1.5E-4``, ``NaN``, ``Infinity``. Java 17's algorithm
    (``FloatingDecimal``, unchanged from Java 1.4 to 18) is not always the shortest: integers
    over 2^53 keep digits below their precision (``-1.61304845894623136E17``) and 1e23 prints
    ``9.999999999999999E22``; Java 19+ prints the shortest decimal instead.

    >>> [java_double_string(v) for v in (1.0, 1e7, 1.5e-4, 123456789.125, -0.0, 5e-324, 1e23)]
    ['1.0', '1.0E7', '1.5E-4', '1.23456789125E8', '-0.0', '4.9E-324', '9.999999999999999E22']
    """
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    negative = bits >> 63 == 1
    fraction, exponent = bits & ((1 << 52) - 1), (bits >> 52) & 0x7FF
    if exponent == 0x7FF:
        return "NaN" if fraction else ("-Infinity" if negative else "Infinity")
    if exponent == 0 and fraction == 0:
        return "-0.0" if negative else "0.0"
    if exponent == 0:
        # A subnormal: normalised, with fewer significant bits.
        shift = 53 - fraction.bit_length()
        fraction, bin_exp, significant = fraction << shift, 1 - shift - 1023, fraction.bit_length()
    else:
        fraction, bin_exp, significant = fraction | (1 << 52), exponent - 1023, 53
    digits, dec_exponent = _floating_decimal(bin_exp, fraction, significant)
    return ("-" if negative else "") + _java_chars(digits, dec_exponent)


def java_float_string(x: float) -> str:
    """Java 17's ``Float.toString`` of ``x`` read as a 32-bit float: ``0.1`` for ``0.1f``.

    >>> java_float_string(0.10000000149011612), java_float_string(3.0), java_float_string(1e10)
    ('0.1', '3.0', '1.0E10')
    """
    try:
        bits = struct.unpack("<I", struct.pack("<f", x))[0]
    except OverflowError:  # beyond the float range: Java's (float) cast gives the infinity
        bits = 0xFF800000 if x < 0 else 0x7F800000
    negative = bits >> 31 == 1
    fraction, exponent = bits & ((1 << 23) - 1), (bits >> 23) & 0xFF
    if exponent == 0xFF:
        return "NaN" if fraction else ("-Infinity" if negative else "Infinity")
    if exponent == 0 and fraction == 0:
        return "-0.0" if negative else "0.0"
    if exponent == 0:
        shift = 24 - fraction.bit_length()
        fraction, bin_exp, significant = fraction << shift, 1 - shift - 127, fraction.bit_length()
    else:
        fraction, bin_exp, significant = fraction | (1 << 23), exponent - 127, 24
    # Java runs floats through the double routine, the bits placed as a double's.
    digits, dec_exponent = _floating_decimal(bin_exp, fraction << 29, significant)
    return ("-" if negative else "") + _java_chars(digits, dec_exponent)


# ceil(log2(5^i)) as Java's FloatingDecimal approximates it, to choose int, long or big
# arithmetic (the choice shows: int and long arithmetic may overflow in its digit loop).
_N_5_BITS = (0, 3, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28, 31, 33, 35, 38, 40, 42, 45, 47,
             49, 52, 54, 56, 59, 61)  # fmt: skip


def _wrap(v: int, width: int) -> int:
    """``v`` as Java's ``int`` (width 32) or ``long`` (64) holds it after overflow."""
    v &= (1 << width) - 1
    return v - (1 << width) if v >> (width - 1) else v


def _jquot(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _floating_decimal(bin_exp: int, fract: int, significant: int) -> tuple[list[int], int]:
    """The digits and decimal exponent Java 17 finds for ``fract * 2^(bin_exp - 52)``.

    ``fract`` has its top bit at 2^52; ``significant`` is the precision of the value's type
    (53 or 24, less for subnormals). The value is ``0.d1d2... * 10^exponent``.
    """
    tail_zeros = (fract & -fract).bit_length() - 1
    fract_bits = 53 - tail_zeros
    tiny_bits = max(0, fract_bits - bin_exp - 1)
    if -21 <= bin_exp <= 62 and tiny_bits == 0:
        # A whole number below 2^63: its decimal digits, rounded half up at the first digit
        # the type's precision cannot tell (Java's "insignificant digits").
        value = fract << (bin_exp - 52) if bin_exp >= 52 else fract >> (52 - bin_exp)
        insignificant = 0
        if bin_exp > significant:
            p2 = bin_exp - significant - 1
            insignificant = len(str(1 << p2)) - 1 if 1 < p2 < 64 else 0
        exponent = insignificant
        if insignificant:
            pow10 = 10**insignificant
            value, residue = divmod(value, pow10)
            if residue >= pow10 >> 1:
                value += 1
        text = str(value)
        stripped = text.rstrip("0")
        return [int(c) for c in stripped], exponent + len(text)

    dec_exp = _estimate_dec_exp(fract, bin_exp)
    b5 = max(0, -dec_exp)
    b2 = b5 + tiny_bits + bin_exp
    s5 = max(0, dec_exp)
    s2 = s5 + tiny_bits
    m5, m2 = b5, b2 - significant
    fract >>= tail_zeros
    b2 -= fract_bits - 1
    common = min(b2, s2)
    b2, s2, m2 = b2 - common, s2 - common, m2 - common
    if fract_bits == 1:
        # A power of two: the gap below is half the gap above; Java halves its margin.
        m2 -= 1
    if m2 < 0:
        b2, s2, m2 = b2 - m2, s2 - m2, 0
    b_bits = fract_bits + b2 + (_N_5_BITS[b5] if b5 < len(_N_5_BITS) else b5 * 3)
    ten_s_bits = s2 + 1 + (_N_5_BITS[s5 + 1] if s5 + 1 < len(_N_5_BITS) else (s5 + 1) * 3)
    if b_bits < 64 and ten_s_bits < 64:
        width = 32 if b_bits < 32 and ten_s_bits < 32 else 64
    else:
        width = 0  # arbitrary precision

    def w(v: int) -> int:
        return _wrap(v, width) if width else v

    b = w(w(w(fract) * 5**b5) << b2) if width == 32 else w(w(fract * 5**b5) << b2)
    s = w(5**s5 << s2)
    m = w(5**m5 << m2)
    tens = w(s * 10)

    def step(first: bool) -> tuple[int, bool, bool]:
        nonlocal b, m
        q = _jquot(b, s)
        b = w(10 * (b - q * s))
        m = w(m * 10)
        if width and not first and m <= 0:
            return q, True, True  # Java's guard for an overflowed margin
        if width:
            return q, b < m, w(b + m) > tens
        return q, b < m, b + m >= tens

    digits: list[int] = []
    q, low, high = step(True)
    if q == 0 and not high:
        dec_exp -= 1  # the estimate was one too high
    else:
        digits.append(q)
    if dec_exp < -3 or dec_exp >= 8:
        low = high = False  # scientific notation: Java wants a second digit
    while not low and not high:
        q, low, high = step(False)
        digits.append(q)
    exponent = dec_exp + 1
    if high:
        if low:
            diff = w((b << 1) - tens) if width else (b << 1) - tens
            round_up = diff > 0 or (diff == 0 and digits[-1] % 2 == 1)
        else:
            round_up = True
        if round_up:
            i = len(digits) - 1
            while digits[i] == 9 and i > 0:
                digits[i] = 0
                i -= 1
            if digits[i] == 9:
                digits[0] = 1  # carried out of the first digit: the zeros stay
                exponent += 1
            else:
                digits[i] += 1
    return digits, exponent


def _estimate_dec_exp(fract: int, bin_exp: int) -> int:
    # Java's floor(log10(v)) estimate, in the same double arithmetic.
    d2 = struct.unpack("<d", struct.pack("<Q", (1023 << 52) | (fract & ((1 << 52) - 1))))[0]
    d = (d2 - 1.5) * 0.289529654 + 0.176091259 + bin_exp * 0.301029995663981
    return math.floor(d)


def _java_chars(digits: list[int], exponent: int) -> str:
    """Java's layout of ``0.d1d2... * 10^exponent``: plain from 10^-3 up to 10^7."""
    text = "".join(map(str, digits))
    if 0 < exponent < 8:
        whole = text[:exponent]
        if len(whole) < exponent:
            return whole + "0" * (exponent - len(whole)) + ".0"
        return whole + "." + (text[exponent:] or "0")
    if -3 < exponent <= 0:
        return "0." + "0" * -exponent + text
    power = -exponent + 1 if exponent <= 0 else exponent - 1
    return text[0] + "." + (text[1:] or "0") + "E" + ("-" if exponent <= 0 else "") + str(power)


def _plain_decimal(v: Any, scale: int) -> str:
    # Spark's Decimal keeps the type's scale (1.5 in DECIMAL(10,2) is 1.50) and has no -0.
    d = v if isinstance(v, decimal.Decimal) else decimal.Decimal(str(v))
    if d.is_finite() and d.as_tuple().exponent != -scale:
        ctx = decimal.Context(prec=max(60, len(d.as_tuple().digits) + scale + 2))
        d = d.quantize(decimal.Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP,
                       context=ctx)  # fmt: skip
    if d.is_zero():
        d = abs(d)
    return format(d, "f")


def _clock(hour: int, minute: int, second: int, micros: int) -> str:
    # Spark's fraction formatter drops the fraction's trailing zeros (and a zero fraction).
    text = "%02d:%02d:%02d" % (hour, minute, second)
    if micros:
        text += ("." + "%06d" % micros).rstrip("0")
    return text


def _timestamp(v: Any, tz: str | None) -> str:
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None and tz is not None:
            from zoneinfo import ZoneInfo

            v = v.astimezone(ZoneInfo(tz))
        date = "%04d-%02d-%02d" % (v.year, v.month, v.day)
        return date + " " + _clock(v.hour, v.minute, v.second, v.microsecond)
    if isinstance(v, datetime.date):
        return "%04d-%02d-%02d 00:00:00" % (v.year, v.month, v.day)
    return str(v)


def _micros(v: Any) -> int:
    # A timedelta (PySpark's value), a number of microseconds, or an Arrow month-day-nano
    # interval (its months are 0 for a day-time interval).
    if isinstance(v, datetime.timedelta):
        return (v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds
    if hasattr(v, "nanoseconds"):
        return v.days * 86_400_000_000 + _java_div(v.nanoseconds, 1000)
    return int(v)


def _seconds_text(micros: int) -> str:
    # BigDecimal.valueOf(micros, 6).stripTrailingZeros.toPlainString, with a leading 0 < 10 s.
    whole, frac = divmod(micros, 1_000_000)
    text = str(whole) + ("." + "%06d" % frac).rstrip("0") if frac else str(whole)
    return ("0" + text) if micros < 10_000_000 else text


def _day_time_interval(v: Any, start: int, end: int) -> str:
    """``IntervalUtils.toDayTimeIntervalString`` in ANSI style: ``INTERVAL '3 04:05' DAY TO
    MINUTE``; the leading field is not bounded (``INTERVAL '76' HOUR``)."""
    names = ("DAY", "HOUR", "MINUTE", "SECOND")
    micros = _micros(v)
    sign, rest = ("-", -micros) if micros < 0 else ("", micros)
    per = (86_400_000_000, 3_600_000_000, 60_000_000)
    if start == 3:
        text = _seconds_text(rest)
    else:
        lead, rest = divmod(rest, per[start])
        text = str(lead) if start == 0 else "%02d" % lead
    if start < 1 <= end:
        hours, rest = divmod(rest, per[1])
        text += " %02d" % hours
    if start < 2 <= end:
        minutes, rest = divmod(rest, per[2])
        text += ":%02d" % minutes
    if start < 3 <= end:
        text += ":" + _seconds_text(rest)
    qualifier = names[start] if start == end else "%s TO %s" % (names[start], names[end])
    return "INTERVAL '%s%s' %s" % (sign, text, qualifier)


def _year_month_interval(v: Any, start: int, end: int) -> str:
    """``IntervalUtils.toYearMonthIntervalString`` in ANSI style, of a number of months."""
    months = int(v.months if hasattr(v, "months") else v)
    sign, total = ("-", -months) if months < 0 else ("", months)
    if start == end == 0:
        return "INTERVAL '%s%d' YEAR" % (sign, total // 12)
    if start == end == 1:
        return "INTERVAL '%d' MONTH" % months
    return "INTERVAL '%s%d-%d' YEAR TO MONTH" % (sign, total // 12, total % 12)


def _calendar_interval(v: Any) -> str:
    """``CalendarInterval.toString``: ``1 years 2 months 3 days 4 hours 5.5 seconds``.

    The value is a (months, days, microseconds) tuple or an object with ``months``, ``days``
    and ``microseconds`` (or ``nanoseconds``, as Arrow's month-day-nano intervals).
    """
    if hasattr(v, "nanoseconds"):
        months, days, micros = v.months, v.days, _java_div(v.nanoseconds, 1000)
    elif isinstance(v, tuple):
        months, days, micros = v
    else:
        months, days, micros = v.months, v.days, v.microseconds
    if months == 0 and days == 0 and micros == 0:
        return "0 seconds"
    parts: list[str] = []

    def unit(value: int, name: str) -> None:
        if value != 0:
            parts.append("%d %s" % (value, name))

    if months != 0:
        unit(_java_div(months, 12), "years")
        unit(months - 12 * _java_div(months, 12), "months")
    unit(days, "days")
    if micros != 0:
        hours = _java_div(micros, 3_600_000_000)
        rest = micros - hours * 3_600_000_000
        minutes = _java_div(rest, 60_000_000)
        rest -= minutes * 60_000_000
        unit(hours, "hours")
        unit(minutes, "minutes")
        if rest != 0:
            secs = decimal.Decimal(rest).scaleb(-6).normalize()
            parts.append(format(secs, "f") + " seconds")
    return " ".join(parts)


def _java_div(a: int, b: int) -> int:
    """Java's integer ``/``: the quotient truncated toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q
