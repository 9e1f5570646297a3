"""Small helpers every layer may use: size, time and master-URL parsing, limits.

Nothing here imports another sparklet module, so the scheduler, storage, backends and
streaming layers can all depend on it without reaching up the stack.
"""

from __future__ import annotations

import os
import re

__all__ = ["BoundedFloat"]

# Deep lineages (long streaming state chains between checkpoints) pickle recursively; the
# driver and every worker raise the interpreter's limit to this.
DEEP_RECURSION_LIMIT = 20_000


class BoundedFloat(float):
    """A float from an approximate job, with its confidence and bounds.

    >>> BoundedFloat(100.0, 0.95, 95.0, 105.0)
    100.0
    """

    confidence: float
    low: float
    high: float

    def __new__(cls, mean: float, confidence: float, low: float, high: float) -> BoundedFloat:
        obj = float.__new__(cls, mean)
        obj.confidence, obj.low, obj.high = confidence, low, high
        return obj


_SIZE_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
               "g": 1 << 30, "gb": 1 << 30, "t": 1 << 40, "tb": 1 << 40}
_TIME_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "": 1.0, "m": 60.0, "min": 60.0,
               "h": 3600.0, "d": 86400.0}


def parse_bytes(text: str | int) -> int:
    """``'512m'`` -> 536870912, Spark's size-string convention (bare numbers are bytes).

    >>> parse_bytes("512m"), parse_bytes("1g"), parse_bytes("100")
    (536870912, 1073741824, 100)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(text))
    if m is None or m.group(2).lower() not in _SIZE_UNITS:
        raise ValueError("Invalid size string: %r (expected e.g. 512m, 2g)" % (text,))
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])


def parse_seconds(text: str | float) -> float:
    """``'200ms'`` -> 0.2; bare numbers are seconds.

    >>> parse_seconds("200ms"), parse_seconds("3s"), parse_seconds("2min")
    (0.2, 3.0, 120.0)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(text))
    if m is None or m.group(2).lower() not in _TIME_UNITS:
        raise ValueError("Invalid time string: %r (expected e.g. 200ms, 3s)" % (text,))
    return float(m.group(1)) * _TIME_UNITS[m.group(2).lower()]


_LOCAL = re.compile(r"local(?:\[(\*|\d+)(?:\s*,\s*(\d+))?\])?$")


def parse_local_master(master: str) -> tuple[int, int]:
    """``local[N, F]`` -> (cores, max task failures); ``local[*]`` uses every core.

    >>> [parse_local_master(m) for m in ("local", "local[4]", "local[2,3]")]
    [(1, 1), (4, 1), (2, 3)]
    """
    m = _LOCAL.match(master.strip())
    if m is None:
        if master.startswith("dask"):
            return os.cpu_count() or 1, 4
        raise ValueError("Could not parse Master URL: '%s'" % master)
    cores_text, failures = m.group(1), m.group(2)
    if cores_text is None:
        cores = 1
    elif cores_text == "*":
        cores = os.cpu_count() or 1
    else:
        cores = int(cores_text)
    if cores < 1:
        raise ValueError("Asked to run locally with %d threads" % cores)
    return cores, int(failures) if failures else 1


def __getattr__(name: str):
    # PySpark keeps InheritableThread in pyspark.util; sparklet.threads needs the context,
    # so it is loaded only when asked for (this module imports no other sparklet module).
    if name in ("InheritableThread", "inheritable_thread_target"):
        from sparklet import threads

        return getattr(threads, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
