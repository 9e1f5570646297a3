"""Live dashboards of a streaming program: publish a DStream as a chart or a table of the
web UI's Dashboard tab.

:func:`publish` adds an output operation to a DStream. Each batch it takes at most
``limit`` records of the batch's RDD (``take``/``takeOrdered``: the driver never receives
the whole batch), turns them into JSON-able rows and posts a ``SparkletDashboardUpdate``
listener event to the SparkContext's listener bus. The UI's store keeps the latest rows of
every published name (and, for line charts, the last ``spark.ui.dashboard.retainedPoints``
points of every series); the Dashboard tab draws one panel per name. Three kinds:

``"bar"``
    ``(label, value)`` pairs, e.g. the top words of a windowed word count: the ``limit``
    largest values, largest first (``sort="desc"``, the default for bars).
``"line"``
    numbers (one series named after the panel: a count per batch) or ``(series, value)``
    pairs (one line per series); the x axis is the batch time.
``"table"``
    tuples, :class:`~sparklet.sql.Row` s, dicts, named tuples, dataclasses or scalars;
    the columns are inferred (``_1, _2, ...`` for tuples, ``value`` for scalars, the field
    names otherwise) unless ``columns`` names them.

Values are made JSON-able on the way (numpy scalars and arrays, ``Decimal``, dates,
times, ``bytes``, nested rows); a record that cannot be shown (say, a bar whose value is
not a number) is dropped, counted in the event's ``options["droppedRows"]`` and logged
once: a bad record never stops the stream. When nothing listens on the bus (the UI and
the event log are off) the operation still runs its job every batch (it is an output
operation like any other), logs once that nothing is shown, and posts nothing.

The event (SPEC-UI): ``{"Event": "SparkletDashboardUpdate", time, name, kind, batchTime,
columns, rows, options}`` with ``options`` = ``{title, limit, sort ("desc" | "asc" | "key"
| None), truncated (the batch had more than ``limit`` records), droppedRows (this batch),
droppedRowsTotal}``. Batch times are epoch ms; rows are lists.

>>> from sparklet import SparkContext
>>> from sparklet.streaming import StreamingContext
>>> from sparklet.streaming import dashboard
>>> from sparklet.streaming.testing import advance_batches, use_manual_clock
>>> sc = SparkContext.getOrCreate()
>>> ssc = StreamingContext(sc, 1)
>>> _ = use_manual_clock(ssc)
>>> lines = ssc.queueStream([["a rose is a rose", "is a rose"], ["b"]])
>>> counts = (lines.flatMap(str.split).map(lambda w: (w, 1))
...           .reduceByKey(lambda a, b: a + b))
>>> dashboard.publish(counts, "top words", "bar", limit=2) is counts
True
>>> _ = dashboard.publish(lines.count(), "lines per batch")  # a line chart
>>> seen = []
>>> class Listener:
...     def on_event(self, event):
...         if event["Event"] == "SparkletDashboardUpdate":
...             seen.append((event["batchTime"], event["name"], event["rows"]))
>>> listener = Listener()
>>> sc._listener_bus.add_listener(listener)  # as the UI's store listens
>>> sc._listener_bus.start()
>>> ssc.start()
>>> advance_batches(ssc, 2)
[1000, 2000]
>>> for update in sorted(seen): print(update)
(1000, 'lines per batch', [['lines per batch', 2]])
(1000, 'top words', [['a', 3], ['rose', 3]])
(2000, 'lines per batch', [['lines per batch', 1]])
(2000, 'top words', [['b', 1]])
>>> ssc.stop(stopSparkContext=False)
>>> sc._listener_bus.remove_listener(listener)

The live UI shows them at ``sc.uiWebUrl + "/#/dashboard"``; the REST API serves them at
``/api/v1/applications/{appId}/dashboard/{name}`` (see :mod:`sparklet.ui.api_dashboard`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal
from typing import Any

__all__ = ["publish", "KINDS", "EVENT"]

log = logging.getLogger("sparklet.streaming")

EVENT = "SparkletDashboardUpdate"
KINDS = ("line", "bar", "table")
_DEFAULT_SORT = "default"
_MAX_DEPTH = 16

# Names published per StreamingContext: a second publish under the same name would make
# two streams overwrite one panel, which is a mistake to report at once.
_names: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_names_lock = threading.Lock()


def publish(dstream, name: str, kind: str = "line", *, limit: int = 20,
            columns: list[str] | tuple[str, ...] | None = None, title: str | None = None,
            sort: str | Callable[[Any], Any] | None = _DEFAULT_SORT):
    """Show ``dstream`` live in the web UI's Dashboard tab as the panel ``name``.

    Parameters
    ----------
    dstream : DStream
        Any DStream (windowed, stateful, ...): the panel updates once per RDD it yields.
    name : str
        The panel's name, unique within the StreamingContext; any text (spaces, slashes,
        markup are shown as typed).
    kind : str
        ``"line"`` (default), ``"bar"`` or ``"table"``; see the module docstring.
    limit : int
        At most this many records per batch reach the driver (default 20).
    columns : list of str, optional
        Column names: two for ``"bar"`` and ``"line"`` (default ``label, value`` and
        ``series, value``); for ``"table"``, which fields to show in which order.
    title : str, optional
        Caption shown above the panel (default: ``name``).
    sort : "desc", "asc", None or a key function
        Which ``limit`` records are kept and in what order: by value, largest first
        (``"desc"``, the default for bars; ties by label) or smallest first (``"asc"``),
        the stream's own order (``None``, the default for lines and tables), or ascending
        by ``key(record)`` (``takeOrdered``) for a function.

    Returns
    -------
    DStream
        ``dstream`` itself, so calls chain (``publish(...).pprint()``); unlike
        ``foreachRDD``, which returns None.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not isinstance(name, str) or not name:
        raise ValueError("name must be a non-empty string")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive int, not {limit!r}")
    if columns is not None:
        columns = [str(c) for c in columns]
        if kind in ("bar", "line") and len(columns) != 2:
            raise ValueError(f"a {kind} chart has two columns, not {columns!r}")
    if sort == _DEFAULT_SORT:
        sort = "desc" if kind == "bar" else None
    if isinstance(sort, str):
        if sort not in ("desc", "asc"):
            raise ValueError(f"sort must be 'desc', 'asc', None or a key function, "
                             f"not {sort!r}")
        if kind == "table":
            raise ValueError("a table sorts by a key function: sort=lambda row: ...")
    elif sort is not None and not callable(sort):
        raise ValueError(f"sort must be 'desc', 'asc', None or a key function, not {sort!r}")

    from sparklet.streaming.dstream import ForEachDStream, _call_site

    ssc = dstream._ssc
    with _names_lock:
        taken = _names.setdefault(ssc, set())
        if name in taken:
            raise ValueError(f"a stream is already published as {name!r} on this "
                             "StreamingContext")
        taken.add(name)
    publisher = _Publisher(name, kind, limit, columns, title or name, sort)
    try:
        ForEachDStream(dstream, publisher, *_call_site("dashboard.publish"))
    except BaseException:  # e.g. the context already started: the name stays free
        with _names_lock:
            taken.discard(name)
        raise
    return dstream


class _Publisher:
    """The output operation's function: ``(batch time ms, rdd)`` -> one posted event.

    Pickled with the DStream graph into checkpoints, so it holds no context: the bus is
    found through the batch's RDD, which also holds after a recovery."""

    def __init__(self, name: str, kind: str, limit: int, columns: list[str] | None,
                 title: str, sort: str | Callable | None):
        self.name, self.kind, self.limit = name, kind, limit
        self.columns, self.title, self.sort = columns, title, sort
        self.dropped_total = 0
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _warn_once(self, what: str, message: str, *args: Any) -> None:
        with self._lock:
            if what in self._warned:
                return
            self._warned.add(what)
        log.warning(message, *args)

    def _records(self, rdd) -> list:
        n = self.limit + 1  # one more than shown: tells the panel the batch was cut
        sort = self.sort
        if sort is None:
            return rdd.take(n)
        if sort == "desc":
            return rdd.takeOrdered(n, key=_value_desc_key)
        if sort == "asc":
            return rdd.takeOrdered(n, key=_value_asc_key)
        return rdd.takeOrdered(n, key=_SafeKey(sort))

    def __call__(self, time_ms: int, rdd) -> None:
        records = self._records(rdd)
        truncated = len(records) > self.limit
        columns, rows, dropped, error = to_rows(self.kind, records[:self.limit],
                                                self.columns, self.name)
        if dropped:
            with self._lock:
                self.dropped_total += dropped
            self._warn_once("rows", "dashboard %r: dropped %d record(s) it cannot show as "
                            "a %s (first: %s); further drops are only counted",
                            self.name, dropped, self.kind, error)
        bus = getattr(rdd.ctx, "_listener_bus", None)
        if bus is None or not getattr(bus, "active", True):
            self._warn_once("bus", "dashboard %r: not shown, the web UI and the event "
                            "log are off (nothing listens on the listener bus)", self.name)
            return
        options = {"title": self.title, "limit": self.limit,
                   "sort": self.sort if self.sort in (None, "desc", "asc") else "key",
                   "truncated": truncated, "droppedRows": dropped,
                   "droppedRowsTotal": self.dropped_total}
        event = {"Event": EVENT, "time": int(time.time() * 1000), "name": self.name,
                 "kind": self.kind, "batchTime": int(time_ms), "columns": columns,
                 "rows": rows, "options": options}
        try:
            bus.post(event)
        except Exception as e:  # a stopping bus must not fail the batch
            self._warn_once("post", "dashboard %r: could not post an update (%s)",
                            self.name, e)


# -- record conversion (pure functions: the unit tests call them directly) ---------------

def to_rows(kind: str, records: list, columns: list[str] | None = None,
            name: str = "value") -> tuple[list[str], list[list], int, str | None]:
    """``(columns, rows, dropped, first error)`` of a batch's records for a panel.

    >>> to_rows("bar", [("spark", 3), ("rdd", 1.5), ("bad", "x")])
    (['label', 'value'], [['spark', 3], ['rdd', 1.5]], 1, "('bad', 'x'): value 'x' is not a number")
    >>> to_rows("line", [7], name="count")
    (['series', 'value'], [['count', 7]], 0, None)
    >>> to_rows("table", [{"a": 1}, {"b": b"x"}])
    (['a', 'b'], [[1, None], [None, 'x']], 0, None)
    """
    if kind == "table":
        return _table_rows(records, columns)
    out, dropped, error = [], 0, None
    for i, record in enumerate(records):
        try:
            if kind == "bar":
                label, value = _pair(record)
                out.append([_label(label), _number(value)])
            elif _is_pair(record):
                series, value = _pair(record)
                out.append([_label(series), _number(value)])
            else:
                # Bare numbers: one series named after the panel (more numbers in one
                # batch: one series per position).
                out.append([name if i == 0 else f"{name} #{i + 1}", _number(record)])
        except Exception as e:
            dropped += 1
            if error is None:
                error = f"{_short_repr(record)}: {e}"
    default = ["label", "value"] if kind == "bar" else ["series", "value"]
    return (list(columns) if columns else default), out, dropped, error


def _table_rows(records: list, columns: list[str] | None):
    shaped = []
    for record in records:
        try:
            shaped.append(_shape(record))
        except Exception:
            shaped.append(("scalar", record))
    if columns is None:
        columns = _infer_columns(shaped)
    rows, dropped, error = [], 0, None
    for (how, value), record in zip(shaped, records, strict=True):
        try:
            if how == "mapping":
                row = [jsonable(value.get(c)) for c in columns]
            elif how == "sequence":
                cells = list(value[:len(columns)])
                row = [jsonable(c) for c in cells] + [None] * (len(columns) - len(cells))
            else:
                row = [jsonable(value)] + [None] * (len(columns) - 1)
            rows.append(row)
        except Exception as e:
            dropped += 1
            if error is None:
                error = f"{_short_repr(record)}: {e}"
    return list(columns), rows, dropped, error


def _shape(record: Any) -> tuple[str, Any]:
    """("mapping", dict) | ("sequence", tuple) | ("scalar", value) of one table record."""
    if isinstance(record, Mapping):
        return "mapping", {str(k): v for k, v in record.items()}
    if isinstance(record, tuple):
        fields = getattr(record, "__fields__", None) or getattr(record, "_fields", None)
        if fields is not None and len(fields) == len(record):  # Row, namedtuple
            return "mapping", dict(zip((str(f) for f in fields), record, strict=True))
        return "sequence", record
    if isinstance(record, list):
        return "sequence", tuple(record)
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return "mapping", {f.name: getattr(record, f.name)
                           for f in dataclasses.fields(record)}
    return "scalar", record


def _infer_columns(shaped: list[tuple[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    width = 0
    for how, value in shaped:
        if how == "mapping":
            names.update(dict.fromkeys(value))
        elif how == "sequence":
            width = max(width, len(value))
    if names:
        return list(names)
    if width:
        return [f"_{i + 1}" for i in range(width)]  # Spark's names for tuple fields
    return ["value"]


def _is_pair(record: Any) -> bool:
    return isinstance(record, (tuple, list)) and len(record) == 2


def _pair(record: Any) -> tuple[Any, Any]:
    if not _is_pair(record):
        raise ValueError("not a (label, value) pair")
    return record[0], record[1]


def _number(value: Any) -> int | float:
    """A chart value: a finite int or float (numpy scalars and Decimals converted)."""
    value = _unwrap_numpy(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)):
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"value {value!r} is not finite")
        if isinstance(value, Decimal) and value == value.to_integral_value() \
                and abs(f) < 2 ** 53:
            return int(value)
        return f
    raise ValueError(f"value {_short_repr(value)} is not a number")


def _label(value: Any) -> str:
    value = jsonable(value)
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    return str(value)


def _unwrap_numpy(value: Any) -> Any:
    module = type(value).__module__
    if module == "numpy" and hasattr(value, "item"):
        return value.tolist() if hasattr(value, "shape") and value.shape else value.item()
    return value


def jsonable(value: Any, _depth: int = 0) -> Any:
    """``value`` as plain JSON data: numbers (finite floats; NaN and infinities become
    None), text, lists and string-keyed dicts.

    >>> from decimal import Decimal
    >>> from datetime import datetime
    >>> jsonable([Decimal("1.5"), datetime(2026, 1, 2, 3, 4, 5), b"\\xffok", float("nan")])
    [1.5, '2026-01-02T03:04:05', '\\\\xffok', None]
    """
    value = _unwrap_numpy(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return _number(value) if value.is_finite() else None
    if isinstance(value, (datetime, date, dt_time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "backslashreplace")
    if _depth >= _MAX_DEPTH:
        return _short_repr(value)
    if isinstance(value, tuple) and getattr(value, "__fields__", None) is not None:
        value = dict(zip(value.__fields__, value, strict=False))  # a nested Row
    if isinstance(value, Mapping):
        return {_label(k): jsonable(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, _depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [jsonable(v, _depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name), _depth + 1)
                for f in dataclasses.fields(value)}
    return str(value)


def _short_repr(value: Any, n: int = 80) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= n else text[:n - 3] + "..."


# -- sort keys (module level: they travel to the executors with the job) -----------------

def _value_desc_key(record: Any) -> tuple:
    try:
        return (0, -_number(record[1]), _label(record[0]))
    except Exception:
        return (1, 0, "")  # a record the panel cannot show: after every good one


def _value_asc_key(record: Any) -> tuple:
    try:
        return (0, _number(record[1]), _label(record[0]))
    except Exception:
        return (1, 0, "")


class _SafeKey:
    """A user's sort key that puts records it fails on last instead of failing the job."""

    def __init__(self, key: Callable[[Any], Any]):
        self.key = key

    def __call__(self, record: Any) -> tuple:
        try:
            return (0, self.key(record))
        except Exception:
            return (1, None)
