"""Size and duration strings as Spark parses them (``JavaUtils.byteStringAs`` /
``timeStringAs``): an integer with an optional unit suffix, case-insensitive, surrounding
blanks ignored. A bare number is in the unit of the key that reads it (bytes for most
sizes, MiB for ``spark.executor.memory``, milliseconds or seconds for durations).

Sizes: ``b``, ``k``/``kb``, ``m``/``mb``, ``g``/``gb``, ``t``/``tb``, ``p``/``pb``, binary
multiples (1k = 1024 bytes). Fractions are refused (``1.5g``: write ``1536m``).

Durations: ``us``, ``ms``, ``s``, ``m``/``min``, ``h``, ``d``; a leading minus is accepted
as Spark accepts it. Converting to a coarser unit truncates, as Java's ``TimeUnit`` does
(``1500ms`` is 1 second).

>>> byte_string_as_bytes("2g"), byte_string_as_kb("500k"), byte_string_as("1g", "m")
(2147483648, 500, 1024)
>>> time_string_as_ms("5s"), time_string_as_seconds("1min"), time_string_as("100", "ms")
(5000, 60, 100)
>>> byte_string_as_bytes("1.5g")
Traceback (most recent call last):
...
ValueError: Size must be specified as bytes (b), kibibytes (k), ... E.g. 50b, 100k, or 250m.
Fractional values are not supported. Input was: 1.5
"""

from __future__ import annotations

import re

__all__ = ["BYTE_UNITS", "TIME_UNITS", "byte_string_as", "byte_string_as_bytes",
           "byte_string_as_kb", "byte_string_as_mb", "byte_string_as_gb", "time_string_as",
           "time_string_as_ms", "time_string_as_seconds", "time_string_as_float_seconds"]

# Multipliers in bytes / microseconds; the finest unit Spark parses is the base of each.
BYTE_UNITS = {"b": 1, "k": 1 << 10, "kb": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
              "g": 1 << 30, "gb": 1 << 30, "t": 1 << 40, "tb": 1 << 40,
              "p": 1 << 50, "pb": 1 << 50}
TIME_UNITS = {"us": 1, "ms": 1_000, "s": 1_000_000, "m": 60_000_000, "min": 60_000_000,
              "h": 3_600_000_000, "d": 86_400_000_000}

_BYTES = re.compile(r"([0-9]+)([a-z]+)?")
_FRACTION = re.compile(r"([0-9]+\.[0-9]+)([a-z]+)?")
_TIME = re.compile(r"(-?[0-9]+)([a-z]+)?")

_BYTE_ERROR = ("Size must be specified as bytes (b), kibibytes (k), mebibytes (m), gibibytes "
               "(g), tebibytes (t), or pebibytes(p). E.g. 50b, 100k, or 250m.")
_TIME_ERROR = ("Time must be specified as seconds (s), milliseconds (ms), microseconds (us), "
               "minutes (m or min), hour (h), or day (d). E.g. 50s, 100ms, or 250us.")


def _unit(table: dict[str, int], unit: str) -> int:
    try:
        return table[unit.lower()]
    except KeyError:
        raise ValueError("Unknown unit %r (one of %s)" % (unit, ", ".join(table))) from None


def _truncating_div(value: int, divisor: int) -> int:
    # Java's integer division (and TimeUnit.convert) truncates towards zero.
    quotient = abs(value) // divisor
    return quotient if value >= 0 else -quotient


def byte_string_as(text: str | int, unit: str = "b") -> int:
    """A size string in ``unit`` (a key of :data:`BYTE_UNITS`); a bare number is in ``unit``.

    >>> byte_string_as("1m", "k"), byte_string_as("1500b", "k"), byte_string_as(" 10 ", "m")
    (1024, 1, 10)
    """
    target = _unit(BYTE_UNITS, unit)
    lower = str(text).lower().strip()
    m = _BYTES.fullmatch(lower)
    if m is not None:
        suffix = m.group(2)
        if suffix is not None and suffix not in BYTE_UNITS:
            raise ValueError('%s\nInvalid suffix: "%s"' % (_BYTE_ERROR, suffix))
        source = BYTE_UNITS[suffix] if suffix is not None else target
        return int(m.group(1)) * source // target
    fraction = _FRACTION.fullmatch(lower)
    if fraction is not None:
        raise ValueError("%s\nFractional values are not supported. Input was: %s"
                         % (_BYTE_ERROR, fraction.group(1)))
    raise ValueError("%s\nFailed to parse byte string: %s" % (_BYTE_ERROR, text))


def byte_string_as_bytes(text: str | int) -> int:
    """``'512m'`` -> 536870912; a bare number is bytes."""
    return byte_string_as(text, "b")


def byte_string_as_kb(text: str | int) -> int:
    """A size in KiB; a bare number is KiB."""
    return byte_string_as(text, "k")


def byte_string_as_mb(text: str | int) -> int:
    """A size in MiB; a bare number is MiB (``spark.executor.memory``'s convention)."""
    return byte_string_as(text, "m")


def byte_string_as_gb(text: str | int) -> int:
    """A size in GiB; a bare number is GiB."""
    return byte_string_as(text, "g")


def _time_us(text: str | int, unit: str) -> int:
    default = _unit(TIME_UNITS, unit)
    lower = str(text).lower().strip()
    m = _TIME.fullmatch(lower)
    if m is None:
        raise ValueError("%s\nFailed to parse time string: %s" % (_TIME_ERROR, text))
    suffix = m.group(2)
    if suffix is not None and suffix not in TIME_UNITS:
        raise ValueError('%s\nInvalid suffix: "%s"' % (_TIME_ERROR, suffix))
    return int(m.group(1)) * (TIME_UNITS[suffix] if suffix is not None else default)


def time_string_as(text: str | int, unit: str = "ms") -> int:
    """A duration string in ``unit`` (a key of :data:`TIME_UNITS`), truncated; a bare number
    is in ``unit``.

    >>> time_string_as("2h", "min"), time_string_as("1d", "s"), time_string_as("-1", "s")
    (120, 86400, -1)
    """
    return _truncating_div(_time_us(text, unit), _unit(TIME_UNITS, unit))


def time_string_as_ms(text: str | int) -> int:
    """``'5s'`` -> 5000; a bare number is milliseconds."""
    return time_string_as(text, "ms")


def time_string_as_seconds(text: str | int) -> int:
    """``'2min'`` -> 120 (truncated, as Spark's); a bare number is seconds."""
    return time_string_as(text, "s")


def time_string_as_float_seconds(text: str | int, unit: str = "s") -> float:
    """Seconds without truncation (``'100ms'`` -> 0.1), for sparklet's float-second waits;
    a bare number is in ``unit``.

    >>> time_string_as_float_seconds("100ms"), time_string_as_float_seconds("250", "ms")
    (0.1, 0.25)
    """
    return _time_us(text, unit) / TIME_UNITS["s"]
