"""Small helpers every layer may use: size, time and master-URL parsing, limits.

Nothing here imports another sparklet module, so the scheduler, storage, backends and
streaming layers can all depend on it without reaching up the stack.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator, Sequence

__all__ = ["BoundedFloat", "fail_on_stopiteration", "flat_map", "pipelined"]

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


def parse_mebibytes(text: str | int) -> int:
    """Spark's MiB-valued sizes (``spark.executor.memory``, ``spark.executor.pyspark.memory``):
    bare numbers are MiB, suffixed ones are converted (rounded down).

    >>> parse_mebibytes("300"), parse_mebibytes("2g"), parse_mebibytes("512m")
    (300, 2048, 512)
    """
    return parse_mebibyte_size(text) // (1 << 20)


def parse_mebibyte_size(text: str | int) -> int:
    """A MiB-valued size (``spark.executor.memory``, ``spark.driver.memory``) in bytes: a
    bare number is MiB, as in Spark.

    >>> parse_mebibyte_size("2"), parse_mebibyte_size("1k"), parse_mebibyte_size("100b")
    (2097152, 1024, 100)
    """
    if re.fullmatch(r"\s*\d+\s*", str(text)):
        return int(text) << 20
    return parse_bytes(text)


_LOCAL = re.compile(r"local(?:\[(\*|\d+)(?:\s*,\s*(\d+))?\])?$")
# Spark's test master: N executor processes of C cores and M MiB each.
_LOCAL_CLUSTER = re.compile(r"local-cluster\[\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\]$")


def parse_local_cluster_master(master: str) -> tuple[int, int, int] | None:
    """``local-cluster[N, C, M]`` -> (executors, cores each, MiB each); None for other URLs.

    >>> parse_local_cluster_master("local-cluster[2, 3, 1024]")
    (2, 3, 1024)
    >>> parse_local_cluster_master("local[2]") is None
    True
    """
    m = _LOCAL_CLUSTER.match(master.strip())
    if m is None:
        return None
    executors, cores, memory = (int(g) for g in m.groups())
    if executors < 1 or cores < 1:
        raise ValueError("Could not parse Master URL: '%s' (needs at least one executor "
                         "with one core)" % master)
    return executors, cores, memory


def parse_local_master(master: str) -> tuple[int, int]:
    """``local[N, F]`` -> (cores, max task failures); ``local[*]`` uses every core.
    ``local-cluster[N, C, M]`` has N * C cores and, being a cluster, Spark's default of 4
    task attempts.

    >>> [parse_local_master(m) for m in ("local", "local[4]", "local[2,3]")]
    [(1, 1), (4, 1), (2, 3)]
    >>> parse_local_master("local-cluster[2,3,1024]")
    (6, 4)
    """
    cluster = parse_local_cluster_master(master)
    if cluster is not None:
        return cluster[0] * cluster[1], 4
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


_STOP_MESSAGE = "Caught StopIteration thrown from user's code; failing the task"


def fail_on_stopiteration(f, nargs: int | None = None):
    """Wrap a user function so a ``StopIteration`` it raises fails the task.

    Inside ``map``, ``filter``, ``itertools.chain`` or a ``for`` loop of a generator, a
    ``StopIteration`` escaping the user's function looks like the end of the partition, and
    the rest of the partition would be dropped without a word. The wrapper turns it into a
    ``RuntimeError`` with PySpark's message, the original exception as its second argument.

    >>> def stop(x): raise StopIteration()
    >>> list(map(stop, [1, 2]))
    []
    >>> list(map(fail_on_stopiteration(stop), [1, 2]))
    Traceback (most recent call last):
        ...
    RuntimeError: ("Caught StopIteration thrown from user's code; failing the task", ...)

    ``nargs`` (1 or 2), when the caller always passes that many positional arguments, picks
    a wrapper without argument packing: it runs once per element on the hottest paths.
    """
    if getattr(f, "_sparklet_stopiteration_safe", False):
        return f

    if nargs == 1:
        def wrapper(x):
            try:
                return f(x)
            except StopIteration as exc:
                raise RuntimeError(_STOP_MESSAGE, exc) from exc
    elif nargs == 2:
        def wrapper(x, y):
            try:
                return f(x, y)
            except StopIteration as exc:
                raise RuntimeError(_STOP_MESSAGE, exc) from exc
    else:
        def wrapper(*args, **kwargs):
            try:
                return f(*args, **kwargs)
            except StopIteration as exc:
                raise RuntimeError(_STOP_MESSAGE, exc) from exc

    wrapper._sparklet_stopiteration_safe = True  # type: ignore[attr-defined]
    wrapper.__wrapped__ = f  # type: ignore[attr-defined]
    return wrapper


def flat_map(f: Callable, iterator: Iterator) -> Iterator:
    """``f`` over each element, results flattened: a step of :func:`pipelined` (flatMap)."""
    return itertools.chain.from_iterable(map(f, iterator))


def _mark_exhausted(flag: list) -> Iterator:
    # Runs only when the pipeline pulls past the source's last element: chained after the
    # source, it records that the source, not a user function, ended the iteration.
    flag.append(True)
    return
    yield  # noqa: B901 - a generator that yields nothing


def _fail_if_cut_short(flag: list, steps: Sequence[tuple[Callable, Callable]]) -> Iterator:
    if not flag:
        names = ", ".join(getattr(f, "__qualname__", repr(f)) for _, f in steps)
        exc = StopIteration()
        exc.add_note("A StopIteration raised by one of the user functions (%s) ended the "
                     "partition before its input was exhausted" % names)
        raise RuntimeError(_STOP_MESSAGE, exc) from exc
    return
    yield  # noqa: B901 - a generator that yields nothing


def pipelined(source: Iterator, steps: Sequence[tuple[Callable, Callable]]) -> Iterator:
    """Element-wise steps over ``source``, each ``(apply, f)`` giving ``apply(f, iterator)``
    (builtin ``map``, ``filter`` or :func:`flat_map`), failing the task on a ``StopIteration``
    from ``f`` as :func:`fail_on_stopiteration` does, without a wrapper frame per element.

    A ``StopIteration`` escaping ``f`` ends builtin ``map``/``filter`` as if the input were
    exhausted, and every step after it ends too. So the source is chained to a marker that
    notes its real end, and the pipeline to a check that runs when the pipeline ends: if the
    source did not end, a user function did, and the task fails with PySpark's message. Each
    user call is made on an element pulled before the marker runs, so a partition whose source
    ended is never failed; a consumer that stops early (``take``) never reaches the check.

    >>> list(pipelined(iter([1, 2, 3]), [(map, lambda x: x * 10), (filter, bool)]))
    [10, 20, 30]
    >>> def stop(x):
    ...     if x == 2: raise StopIteration()
    ...     return x
    >>> list(pipelined(iter([1, 2, 3]), [(map, stop)]))
    Traceback (most recent call last):
        ...
    RuntimeError: ("Caught StopIteration thrown from user's code; failing the task", ...)
    """
    flag: list = []
    iterator: Iterator = itertools.chain(source, _mark_exhausted(flag))
    for apply, f in steps:
        iterator = apply(f, iterator)
    return itertools.chain(iterator, _fail_if_cut_short(flag, steps))


def __getattr__(name: str):
    # PySpark keeps InheritableThread in pyspark.util; sparklet.threads needs the context,
    # so it is loaded only when asked for (this module imports no other sparklet module).
    if name in ("InheritableThread", "inheritable_thread_target"):
        from sparklet import threads

        return getattr(threads, name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
