"""Values as Spark's file formats print them: Java's number strings and datetime patterns.

Spark's JSON and CSV writers print a ``double`` with Java's ``Double.toString`` (``1.0``,
``1.0E20``, ``NaN``), a ``float`` with ``Float.toString`` (``0.1``, not the double it
widens to), a decimal with ``BigDecimal.toString`` (Python's ``str(Decimal)`` follows the
same rule), and dates and timestamps through a ``DateTimeFormatter`` pattern in the session
time zone (``yyyy-MM-dd'T'HH:mm:ss.SSSXXX``).
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import struct
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_DATE_FORMAT = "yyyy-MM-dd"
DEFAULT_TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
DEFAULT_TIMESTAMP_NTZ_FORMAT = "yyyy-MM-dd'T'HH:mm:ss[.SSS]"


def _java_digits(digits: str, exponent: int, negative: bool) -> str:
    """Java's layout of a shortest decimal ``0.digits × 10^exponent``."""
    sign = "-" if negative else ""
    # value = int(digits) * 10 ** (exponent - len(digits)); scientific exponent:
    sci = exponent - 1
    if -3 <= sci < 7:
        if exponent <= 0:
            text = "0." + "0" * (-exponent) + digits
        elif exponent >= len(digits):
            text = digits + "0" * (exponent - len(digits)) + ".0"
        else:
            text = digits[:exponent] + "." + digits[exponent:]
        return sign + text
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{sci}"


def _shortest(value: float, fmt_digits: int, same) -> tuple[str, int]:
    """The fewest significant digits (and decimal exponent) that read back as ``value``."""
    for precision in range(1, fmt_digits + 1):
        text = f"{value:.{precision - 1}e}"
        if same(float(text)):
            break
    mantissa, _, exp = text.partition("e")
    digits = mantissa.replace(".", "").replace("-", "").rstrip("0") or "0"
    return digits, int(exp) + 1


def _repr_digits(value: float) -> tuple[str, int]:
    """The shortest round-trip digits of a positive float (Python's repr is shortest too)
    and the decimal exponent, as ``0.digits × 10^exponent``."""
    text = repr(value)
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    exponent = len(whole) + (int(exp) if exp else 0)
    if whole == "0":  # 0.00123: the leading zeros of the fraction move the point
        stripped = frac.lstrip("0")
        exponent = -(len(frac) - len(stripped)) + (int(exp) if exp else 0)
    return digits.rstrip("0") or "0", exponent


def java_double(value: float) -> str:
    """``Double.toString(value)``: ``1.0``, ``2.5``, ``1.0E20``, ``1.0E-5``, ``NaN``."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    digits, exponent = _repr_digits(abs(value))
    return _java_digits(digits, exponent, value < 0)


def _to_float32(v: float) -> float:
    return struct.unpack("f", struct.pack("f", v))[0]


def java_float(value: float) -> str:
    """``Float.toString(value)`` of a float32 value held in a Python float (``0.1``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    target = _to_float32(abs(value))
    digits, exponent = _shortest(target, 9, lambda v: _to_float32(v) == target)
    return _java_digits(digits, exponent, value < 0)


def java_decimal(value: decimal.Decimal) -> str:
    """``BigDecimal.toString``: plain unless the exponent is positive or very negative."""
    return str(value)


# ---------------------------------------------------------------- datetime patterns

_TOKEN = re.compile(r"'(?:[^']|'')*'|\[|\]|([A-Za-z])\1*|.", re.S)


@lru_cache(maxsize=64)
def _tokens(pattern: str) -> tuple[tuple[str, str], ...]:
    """A pattern as (kind, text) tokens: ("L", literal), ("F", letters), ("[", ""), ("]", "")."""
    out = []
    for m in _TOKEN.finditer(pattern):
        text = m.group(0)
        if text.startswith("'"):
            out.append(("L", "'" if text == "''" else text[1:-1].replace("''", "'")))
        elif text in "[]":
            out.append((text, ""))
        elif text[0].isalpha():
            out.append(("F", text))
        else:
            out.append(("L", text))
    return tuple(out)


def _offset(dt: datetime.datetime, letters: str) -> str:
    off = dt.utcoffset()
    if off is None:
        return ""
    seconds = int(off.total_seconds())
    kind = letters[0]
    if seconds == 0 and kind in "XZ" and not (kind == "Z" and len(letters) < 5):
        return "Z"
    if seconds == 0 and kind == "Z":
        return "+0000"
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    if len(letters) == 1 and kind in "Xx":
        return f"{sign}{hours:02d}" + (f"{minutes:02d}" if minutes else "")
    if kind == "Z" or len(letters) in (2, 4):
        return f"{sign}{hours:02d}{minutes:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _field(value: datetime.date, letters: str) -> str:
    kind, n = letters[0], len(letters)
    is_time = isinstance(value, datetime.datetime)
    if kind in "yu":
        return f"{value.year % 100:02d}" if n == 2 else f"{value.year:0{n}d}"
    if kind in "ML":
        if n >= 4:
            return _MONTHS[value.month - 1]
        if n == 3:
            return _MONTHS[value.month - 1][:3]
        return f"{value.month:0{n}d}"
    if kind == "d":
        return f"{value.day:0{n}d}"
    if kind == "D":
        return f"{value.timetuple().tm_yday:0{n}d}"
    if kind == "E":
        day = _DAYS[value.weekday()]
        return day if n >= 4 else day[:3]
    if not is_time:
        raise ValueError(f"pattern letter {kind!r} needs a time")
    if kind == "H":
        return f"{value.hour:0{n}d}"
    if kind == "h":
        return f"{(value.hour % 12) or 12:0{n}d}"
    if kind == "K":
        return f"{value.hour % 12:0{n}d}"
    if kind == "k":
        return f"{value.hour or 24:0{n}d}"
    if kind == "m":
        return f"{value.minute:0{n}d}"
    if kind == "s":
        return f"{value.second:0{n}d}"
    if kind == "S":
        return f"{value.microsecond:06d}{'0' * 3}"[:n]
    if kind == "a":
        return "AM" if value.hour < 12 else "PM"
    if kind in "XxZ":
        return _offset(value, letters)
    if kind in "VzO":
        return str(value.tzinfo)
    raise ValueError(f"unsupported datetime pattern letter {kind!r}")


def _default_timestamp(v: datetime.datetime) -> str:
    return (f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:"
            f"{v.second:02d}.{v.microsecond // 1000:03d}{_offset(v, 'XXX')}")


def _default_ntz(v: datetime.datetime) -> str:
    return (f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:"
            f"{v.second:02d}.{v.microsecond // 1000:03d}")


def _default_date(v: datetime.date) -> str:
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"


_FAST = {DEFAULT_TIMESTAMP_FORMAT: _default_timestamp,
         DEFAULT_TIMESTAMP_NTZ_FORMAT: _default_ntz, DEFAULT_DATE_FORMAT: _default_date}


def format_datetime(value: datetime.date, pattern: str) -> str:
    """Format a date or (aware, already in the output zone) datetime with a Spark pattern."""
    fast = _FAST.get(pattern)
    if fast is not None and (isinstance(value, datetime.datetime)
                             or pattern == DEFAULT_DATE_FORMAT):
        return fast(value)
    return "".join(text if kind == "L" else _field(value, text)
                   for kind, text in _tokens(pattern) if kind in "LF")


def zone(name: str | None) -> datetime.tzinfo:
    """A session time zone id as a tzinfo (``UTC``, ``America/Los_Angeles``, ``+01:00``)."""
    if not name or name.upper() in ("UTC", "Z", "GMT", "ETC/UTC"):
        return datetime.UTC
    m = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?", name)
    if m:
        delta = datetime.timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
        return datetime.timezone(delta if m.group(1) == "+" else -delta)
    return ZoneInfo(name)


# strptime conversions (DuckDB's and Python's share these directives)
_STRPTIME = {"yyyy": "%Y", "yy": "%y", "y": "%Y", "uuuu": "%Y", "MM": "%m", "M": "%-m",
             "MMM": "%b", "MMMM": "%B", "dd": "%d", "d": "%-d", "HH": "%H", "H": "%-H",
             "hh": "%I", "h": "%-I", "mm": "%M", "m": "%-M", "ss": "%S", "s": "%-S",
             "a": "%p", "E": "%a", "EEE": "%a", "EEEE": "%A", "XXX": "%z", "XX": "%z",
             "X": "%z", "Z": "%z", "xxx": "%z", "xx": "%z", "DDD": "%j"}


def strptime_formats(pattern: str, python: bool = False) -> list[str]:
    """``strptime`` formats for a Spark pattern, one per choice of its ``[optional]``
    sections (longest first); ``python`` drops the ``%-`` non-padded forms Python lacks."""
    variants = [""]
    stack: list[list[str]] = []
    for kind, text in _tokens(pattern):
        if kind == "[":
            stack.append(variants)
            variants = list(variants)
            continue
        if kind == "]":
            outer = stack.pop() if stack else variants
            variants = variants + [v for v in outer if v not in variants]
            continue
        if kind == "L":
            piece = text.replace("%", "%%")
        elif text[0] == "S":
            piece = "%f" if python or len(text) != 3 else "%g"
        elif text in _STRPTIME:
            piece = _STRPTIME[text]
        else:
            raise ValueError(f"unsupported datetime pattern {text!r}")
        if python:
            piece = piece.replace("%-", "%")
        variants = [v + piece for v in variants]
    return variants
