"""DStream: a sequence of RDDs, one per batch time, and every operation PySpark offers on it.

A DStream is a thin layer over RDDs. Each batch time ``zeroTime + k * slideDuration`` a
DStream yields (at most) one RDD, computed from its parents' RDDs for the same time. There
are few primitive kinds -- input streams (:mod:`.inputs`), transformed streams (one, two or
many parents), union, windowed (:mod:`.window`) and stateful (:mod:`.state`) streams -- and
output streams (:class:`ForEachDStream`), each of which becomes one job per batch. Every
other operation is a composition of those, written the way PySpark writes it, so results
(including quirks such as ``count()`` of an RDD without partitions being empty) agree.

>>> from sparklet import SparkContext
>>> from sparklet.streaming import StreamingContext
>>> from sparklet.streaming.testing import advance_batches, use_manual_clock
>>> sc = SparkContext.getOrCreate()
>>> ssc = StreamingContext(sc, 1)
>>> _ = use_manual_clock(ssc)
>>> numbers = ssc.queueStream([[1, 2, 3, 4], [5]])
>>> numbers.map(lambda x: (x % 2, x)).reduceByKey(lambda a, b: a + b).pprint()
>>> ssc.start()
>>> advance_batches(ssc, 1)
-------------------------------------------
Time: 1970-01-01 00:00:01
-------------------------------------------
(0, 6)
(1, 4)
<BLANKLINE>
[1000]
>>> ssc.stop(stopSparkContext=False)
"""

from __future__ import annotations

import inspect
import operator
import os
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sparklet.partitioner import Partitioner, portable_hash
from sparklet.rdd import RDD
from sparklet.resultiterable import ResultIterable
from sparklet.storagelevel import StorageLevel

if TYPE_CHECKING:
    from sparklet.streaming.context import StreamingContext

__all__ = ["DStream", "TransformedDStream"]

T = TypeVar("T")
U = TypeVar("U")

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SPARKLET_DIR = os.path.dirname(_PACKAGE_DIR)


def _to_datetime(time_ms: int) -> datetime:
    """A batch time as PySpark hands it to user functions: a naive local datetime."""
    return datetime.fromtimestamp(time_ms / 1000.0)


def _to_ms(timestamp: datetime | int | float) -> int:
    """PySpark's ``_jtime``: a datetime (local, whole seconds) or a unix time in seconds."""
    import time as _time

    if isinstance(timestamp, datetime):
        timestamp = _time.mktime(timestamp.timetuple())
    return int(timestamp * 1000)


def _num_positional(func: Callable) -> int:
    """How many positional arguments ``func`` takes (PySpark looks at co_argcount; this also
    copes with bound methods, partials and callable objects)."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return func.__code__.co_argcount  # type: ignore[attr-defined]
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in sig.parameters.values() if p.kind in kinds)


def _call_site(op: str) -> tuple[str, str]:
    """(short, long) description of the user code calling ``op``, for output-op names."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_SPARKLET_DIR):
        frame = frame.f_back
    if frame is None:
        return op, op
    code, line = frame.f_code, frame.f_lineno
    return (f"{op} at {os.path.basename(code.co_filename)}:{line}",
            f"{op} at {code.co_filename}:{line}")


class DStream(Generic[T]):
    """A Discretized Stream: a continuous sequence of RDDs of the same type.

    Built from a :class:`StreamingContext` input (``queueStream``, ``textFileStream``,
    ``socketTextStream``, ...) or by transforming other DStreams. While the context runs,
    each DStream generates one RDD per batch (or per slide, for windowed streams).
    """

    def __init__(self, ssc: StreamingContext, parents: list[DStream] | None = None,
                 check_state: bool = True):
        if check_state:
            ssc._check_can_add_stream()
        self._ssc = ssc
        self._sc = ssc._sc
        self._parents: list[DStream] = list(parents or [])
        self._id = ssc._graph._new_dstream_id()
        self._name: str | None = None
        self._generated: dict[int, RDD] = {}
        self._zero_time: int | None = None
        self._remember_duration: int | None = None
        self._storage_level = StorageLevel.NONE
        self._checkpoint_duration: int | None = None
        self._must_checkpoint = False
        self.is_cached = False
        self.is_checkpointed = False

    # -- identity --------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Reached only when normal lookup fails: name a class PySpark users know, not one of
        # sparklet's internal DStream kinds.
        public = "TransformedDStream" if isinstance(self, TransformedDStream) else "DStream"
        raise AttributeError("'%s' object has no attribute '%s'" % (public, name), name=name,
                             obj=self)

    def context(self) -> StreamingContext:
        """The StreamingContext this DStream belongs to."""
        return self._ssc

    def id(self) -> int:
        """A stable id, unique within the context, in creation order."""
        return self._id

    def name(self) -> str:
        """This stream's name: set with :meth:`setName`, else ``<Kind>-<id>``. Names key
        operator state for checkpoint recovery, so give stateful streams stable names."""
        return self._name or f"{type(self).__name__}-{self._id}"

    def setName(self, name: str) -> DStream[T]:
        """Name this stream (see :meth:`name`)."""
        self._name = name
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}[{self._id}]"

    def __getstate__(self) -> dict:
        # The graph stays picklable without its context and generated RDDs: a later
        # checkpoint/recovery step re-attaches both.
        state = self.__dict__.copy()
        for k in self._transient_attrs:
            state.pop(k, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._ssc = None  # type: ignore[assignment]
        self._sc = None
        self._generated = {}
        self._restore_transient()

    # Attributes that stay behind when the graph is pickled (context, RDDs, locks).
    _transient_attrs: tuple[str, ...] = ("_ssc", "_sc", "_generated")

    def _restore_transient(self) -> None:
        """Re-create what ``_transient_attrs`` left out (locks, caches) after unpickling."""

    def _attach(self, ssc: StreamingContext) -> None:
        """Bind this stream of a graph deserialized from a checkpoint to ``ssc``."""
        self._ssc = ssc
        self._sc = ssc._sc

    # -- the generation machinery ----------------------------------------------------------

    @property
    def _slide_ms(self) -> int:
        return self._parents[0]._slide_ms

    @property
    def _slideDuration(self) -> float:
        """The slide duration in seconds (PySpark's name)."""
        return self._slide_ms / 1000.0

    def _compute(self, time_ms: int) -> RDD | None:
        raise NotImplementedError

    def _is_time_valid(self, time_ms: int) -> bool:
        if self._zero_time is None:
            raise RuntimeError(f"{self!r} has not been initialized")
        return time_ms > self._zero_time and (time_ms - self._zero_time) % self._slide_ms == 0

    def _get_or_compute(self, time_ms: int) -> RDD | None:
        """This stream's RDD for ``time_ms``: remembered, or computed now and remembered."""
        with self._ssc._graph.lock:
            rdd = self._generated.get(time_ms)
            if rdd is not None or not self._is_time_valid(time_ms):
                return rdd
            rdd = self._compute(time_ms)
            if rdd is None:
                return None
            if not isinstance(rdd, RDD):
                raise TypeError(f"{self!r} produced {type(rdd).__name__} for time {time_ms} ms, "
                                "not an RDD")
            if (self._storage_level != StorageLevel.NONE
                    and rdd.getStorageLevel() == StorageLevel.NONE):
                rdd.persist(self._storage_level)
            if (self._checkpoint_duration
                    and (time_ms - self._zero_time) % self._checkpoint_duration == 0):
                rdd.checkpoint()
            self._generated[time_ms] = rdd
            return rdd

    def _initialize(self, zero_time: int) -> None:
        if self._zero_time is not None and self._zero_time != zero_time:
            raise RuntimeError(f"ZeroTime is already initialized to {self._zero_time} ms, "
                               f"cannot initialize it again to {zero_time} ms")
        self._zero_time = zero_time
        if self._must_checkpoint and self._checkpoint_duration is None:
            # Spark: the slide, or the first multiple of it that is at least 10 s.
            slide = self._slide_ms
            self._checkpoint_duration = slide * max(1, -(-10_000 // slide))
        min_remember = self._slide_ms
        if self._checkpoint_duration is not None and min_remember <= self._checkpoint_duration:
            min_remember = self._checkpoint_duration * 2  # keep the last checkpointed RDD
        if self._remember_duration is None or self._remember_duration < min_remember:
            self._remember_duration = min_remember
        for parent in self._parents:
            parent._initialize(zero_time)

    def _parent_remember_duration(self) -> int:
        return self._remember_duration  # type: ignore[return-value]

    def _remember(self, duration_ms: int | None) -> None:
        if duration_ms is not None and (self._remember_duration is None
                                        or duration_ms > self._remember_duration):
            self._remember_duration = duration_ms
        for parent in self._parents:
            parent._remember(self._parent_remember_duration())

    def _validate_at_start(self) -> None:
        if self._must_checkpoint and self._checkpoint_duration is None:
            raise ValueError("requirement failed: The checkpoint interval for "
                             f"{type(self).__name__} has not been set. Please use "
                             "DStream.checkpoint() to set the interval.")
        if self._checkpoint_duration is not None and self._sc.getCheckpointDir() is None:
            raise ValueError("requirement failed: The checkpoint directory has not been set. "
                             "Please set it by StreamingContext.checkpoint().")
        if self._checkpoint_duration is not None and self._checkpoint_duration < self._slide_ms:
            raise ValueError("requirement failed: The checkpoint interval for "
                             f"{type(self).__name__} has been set to "
                             f"{self._checkpoint_duration} ms which is lower than its slide "
                             f"time ({self._slide_ms} ms). Please set it to at least "
                             f"{self._slide_ms} ms.")
        for parent in self._parents:
            parent._validate_at_start()

    def _clear_metadata(self, time_ms: int) -> None:
        """Forget (and unpersist) RDDs older than the remember duration."""
        unpersist = self._sc.getConf().get("spark.streaming.unpersist", "true") == "true"
        with self._ssc._graph.lock:
            old = [t for t in self._generated if t <= time_ms - self._remember_duration]
            for t in old:
                rdd = self._generated.pop(t)
                if unpersist and rdd.getStorageLevel() != StorageLevel.NONE:
                    still_used = any(r is rdd for r in self._generated.values())
                    if not still_used:
                        rdd.unpersist()
        for parent in self._parents:
            parent._clear_metadata(time_ms)

    def _slice_ms(self, from_ms: int, to_ms: int) -> list[RDD]:
        if self._zero_time is None:
            raise RuntimeError(f"{self!r} has not been initialized")
        zero, slide = self._zero_time, self._slide_ms
        to_ms = zero + (to_ms - zero) // slide * slide
        from_ms = zero + (from_ms - zero) // slide * slide
        rdds = []
        for t in range(from_ms, to_ms + 1, slide):
            if t >= zero:
                rdd = self._get_or_compute(t)
                if rdd is not None:
                    rdds.append(rdd)
        return rdds

    # -- persistence and checkpointing -----------------------------------------------------

    def cache(self) -> DStream[T]:
        """Persist this stream's RDDs with the default storage level (MEMORY_ONLY)."""
        self.is_cached = True
        self.persist(StorageLevel.MEMORY_ONLY)
        return self

    def persist(self, storageLevel: StorageLevel) -> DStream[T]:
        """Persist every RDD this stream generates with ``storageLevel``."""
        if self._zero_time is not None:
            raise RuntimeError("Cannot change storage level of a DStream after streaming "
                               "context has started")
        self.is_cached = True
        self._storage_level = storageLevel
        return self

    def checkpoint(self, interval: int) -> DStream[T]:
        """Checkpoint this stream's RDDs every ``interval`` seconds (cutting their lineage).
        Needs ``StreamingContext.checkpoint(directory)``."""
        if self._zero_time is not None:
            raise RuntimeError("Cannot change checkpoint interval of a DStream after "
                               "streaming context has started")
        self.is_checkpointed = True
        if self._storage_level == StorageLevel.NONE:
            self._storage_level = StorageLevel.MEMORY_ONLY
        self._checkpoint_duration = int(interval * 1000)
        return self

    # -- transformations (compositions of transform, as in PySpark) ------------------------

    def count(self) -> DStream[int]:
        """Each RDD holds one element: the count of the corresponding RDD of this stream."""
        return self.mapPartitions(lambda i: [sum(1 for _ in i)]).reduce(operator.add)

    # map, flatMap and filter use the RDD's own element-wise operations: one RDD per batch
    # and operation, as PySpark's mapPartitions formulation gives, pipelined without a wrapper
    # frame per element (the StopIteration check is per partition, see util.pipelined).

    def filter(self, f: Callable[[T], bool]) -> DStream[T]:
        """Keep the elements that satisfy ``f``."""
        return self.transform(lambda rdd: rdd.filter(f))

    def flatMap(self, f: Callable[[T], Iterable[U]],
                preservesPartitioning: bool = False) -> DStream[U]:
        """Apply ``f`` to every element and flatten the results."""
        return self.transform(lambda rdd: rdd.flatMap(f, preservesPartitioning))

    def map(self, f: Callable[[T], U], preservesPartitioning: bool = False) -> DStream[U]:
        """Apply ``f`` to every element."""
        return self.transform(lambda rdd: rdd.map(f, preservesPartitioning))

    def mapPartitions(self, f: Callable[[Iterable[T]], Iterable[U]],
                      preservesPartitioning: bool = False) -> DStream[U]:
        """Apply ``f`` to every partition of every RDD."""
        return self.mapPartitionsWithIndex(lambda s, iterator: f(iterator),
                                           preservesPartitioning)

    def mapPartitionsWithIndex(self, f: Callable[[int, Iterable[T]], Iterable[U]],
                               preservesPartitioning: bool = False) -> DStream[U]:
        """Apply ``f(partitionIndex, iterator)`` to every partition of every RDD."""
        return self.transform(lambda rdd: rdd.mapPartitionsWithIndex(f, preservesPartitioning))

    def reduce(self, func: Callable[[T, T], T]) -> DStream[T]:
        """Each RDD holds one element: the reduction of the corresponding RDD."""
        return self.map(lambda x: (None, x)).reduceByKey(func, 1).map(lambda x: x[1])

    def reduceByKey(self, func: Callable, numPartitions: int | None = None) -> DStream:
        """``reduceByKey`` on every RDD."""
        if numPartitions is None:
            numPartitions = self._sc.defaultParallelism
        return self.combineByKey(lambda x: x, func, func, numPartitions)

    def combineByKey(self, createCombiner: Callable, mergeValue: Callable,
                     mergeCombiners: Callable, numPartitions: int | None = None) -> DStream:
        """``combineByKey`` on every RDD."""
        if numPartitions is None:
            numPartitions = self._sc.defaultParallelism
        return self.transform(lambda rdd: rdd.combineByKey(createCombiner, mergeValue,
                                                           mergeCombiners, numPartitions))

    def partitionBy(self, numPartitions: int,
                    partitionFunc: Callable[[Any], int] = portable_hash) -> DStream:
        """Every RDD partitioned with ``partitionFunc``."""
        return self.transform(lambda rdd: rdd.partitionBy(numPartitions, partitionFunc))

    def mapValues(self, f: Callable) -> DStream:
        """Apply ``f`` to the value of every (key, value) pair."""
        return self.map(lambda kv: (kv[0], f(kv[1])), preservesPartitioning=True)

    def flatMapValues(self, f: Callable) -> DStream:
        """Apply ``f`` to every value and flatten, keeping the keys."""
        return self.flatMap(lambda kv: ((kv[0], x) for x in f(kv[1])),
                            preservesPartitioning=True)

    def glom(self) -> DStream[list[T]]:
        """Every partition of every RDD as one list."""
        def func(iterator):
            yield list(iterator)
        return self.mapPartitions(func)

    def groupByKey(self, numPartitions: int | None = None) -> DStream:
        """``groupByKey`` on every RDD."""
        if numPartitions is None:
            numPartitions = self._sc.defaultParallelism
        return self.transform(lambda rdd: rdd.groupByKey(numPartitions))

    def countByValue(self) -> DStream:
        """Every RDD's distinct elements with their counts."""
        return self.map(lambda x: (x, 1)).reduceByKey(lambda x, y: x + y)

    def repartition(self, numPartitions: int) -> DStream[T]:
        """Every RDD repartitioned into ``numPartitions``."""
        return self.transform(lambda rdd: rdd.repartition(numPartitions))

    def transform(self, func: Callable) -> DStream:
        """A stream whose RDDs are ``func(rdd)`` or ``func(time, rdd)`` of this one's
        (``time`` is a datetime). ``func`` may return None for "no RDD this batch"."""
        if _num_positional(func) == 1:
            oldfunc = func

            def func(_, rdd):
                return oldfunc(rdd)

        if _num_positional(func) != 2:
            raise AssertionError("func should take one or two arguments")
        return TransformedDStream(self, func)

    def transformWith(self, func: Callable, other: DStream,
                      keepSerializer: bool = False) -> DStream:
        """A stream whose RDDs are ``func(rdd_a, rdd_b)`` or ``func(time, rdd_a, rdd_b)`` of
        this stream's and ``other``'s RDDs (a missing RDD is passed as an empty one)."""
        if _num_positional(func) == 2:
            oldfunc = func

            def func(_, a, b):
                return oldfunc(a, b)

        if _num_positional(func) != 3:
            raise AssertionError("func should take two or three arguments")
        return Transformed2DStream(self, other, func)

    def union(self, other: DStream) -> DStream:
        """Elements of this stream and ``other`` (same slide duration) batch by batch."""
        if self._slide_ms != other._slide_ms:
            raise ValueError("the two DStream should have same slide duration")
        return self.transformWith(lambda a, b: a.union(b), other, True)

    def cogroup(self, other: DStream, numPartitions: int | None = None) -> DStream:
        """``cogroup`` of this stream's and ``other``'s RDDs, batch by batch."""
        if numPartitions is None:
            numPartitions = self._sc.defaultParallelism
        return self.transformWith(lambda a, b: a.cogroup(b, numPartitions), other)

    def join(self, other: DStream, numPartitions: int | None = None) -> DStream:
        """``join`` of this stream's and ``other``'s RDDs, batch by batch."""
        if numPartitions is None:
            numPartitions = self._sc.defaultParallelism
        return self.transformWith(lambda a, b: a.join(b, numPartitions), other)

    def leftOuterJoin(self, other: DStream, numPartitions: int | None = None) -> DStream:
        """``leftOuterJoin`` of this stream's and ``other``'s RDDs, batch by batch."""
        if numPartitions is None:
            numPartitions = self._sc.defaultParallelism
        return self.transformWith(lambda a, b: a.leftOuterJoin(b, numPartitions), other)

    def rightOuterJoin(self, other: DStream, numPartitions: int | None = None) -> DStream:
        """``rightOuterJoin`` of this stream's and ``other``'s RDDs, batch by batch."""
        if numPartitions is None:
            numPartitions = self._sc.defaultParallelism
        return self.transformWith(lambda a, b: a.rightOuterJoin(b, numPartitions), other)

    def fullOuterJoin(self, other: DStream, numPartitions: int | None = None) -> DStream:
        """``fullOuterJoin`` of this stream's and ``other``'s RDDs, batch by batch."""
        if numPartitions is None:
            numPartitions = self._sc.defaultParallelism
        return self.transformWith(lambda a, b: a.fullOuterJoin(b, numPartitions), other)

    def slice(self, begin: datetime | int, end: datetime | int) -> list[RDD[T]]:
        """The RDDs from ``begin`` to ``end`` (both included; datetimes or unix seconds)."""
        return self._slice_ms(_to_ms(begin), _to_ms(end))

    # -- windows ---------------------------------------------------------------------------

    def _validate_window_param(self, window: float, slide: float | None) -> None:
        duration = self._slide_ms
        if int(window * 1000) % duration != 0:
            raise ValueError("windowDuration must be multiple of the parent dstream's slide "
                             f"(batch) duration ({duration} ms)")
        if slide and int(slide * 1000) % duration != 0:
            raise ValueError("slideDuration must be multiple of the parent dstream's slide "
                             f"(batch) duration ({duration} ms)")

    def window(self, windowDuration: int, slideDuration: int | None = None) -> DStream[T]:
        """Every RDD holds the elements of the last ``windowDuration`` seconds, produced
        every ``slideDuration`` seconds (default: this stream's slide)."""
        from sparklet.streaming.window import WindowedDStream

        self._validate_window_param(windowDuration, slideDuration)
        slide = self._slide_ms if slideDuration is None else int(slideDuration * 1000)
        return WindowedDStream(self, int(windowDuration * 1000), slide)

    def reduceByWindow(self, reduceFunc: Callable, invReduceFunc: Callable | None,
                       windowDuration: int, slideDuration: int) -> DStream[T]:
        """One element per window: the reduction of the window's elements (incremental,
        when ``invReduceFunc`` is given and the window is long enough to gain from it)."""
        keyed = self.map(lambda x: (1, x))
        reduced = keyed.reduceByKeyAndWindow(reduceFunc, invReduceFunc, windowDuration,
                                             slideDuration, 1)
        return reduced.map(lambda kv: kv[1])

    def countByWindow(self, windowDuration: int, slideDuration: int) -> DStream[int]:
        """One element per window: how many elements the window holds."""
        return self.map(lambda x: 1).reduceByWindow(operator.add, operator.sub,
                                                    windowDuration, slideDuration)

    def countByValueAndWindow(self, windowDuration: int, slideDuration: int,
                              numPartitions: int | None = None) -> DStream:
        """The distinct elements of each window with their counts."""
        keyed = self.map(lambda x: (x, 1))
        counted = keyed.reduceByKeyAndWindow(operator.add, operator.sub, windowDuration,
                                             slideDuration, numPartitions)
        return counted.filter(lambda kv: kv[1] > 0)

    def groupByKeyAndWindow(self, windowDuration: int, slideDuration: int,
                            numPartitions: int | None = None) -> DStream:
        """``groupByKey`` over a sliding window."""
        ls = self.mapValues(lambda x: [x])
        grouped = ls.reduceByKeyAndWindow(lambda a, b: a.extend(b) or a,
                                          lambda a, b: a[len(b):], windowDuration,
                                          slideDuration, numPartitions)
        return grouped.mapValues(ResultIterable)

    def reduceByKeyAndWindow(self, func: Callable, invFunc: Callable | None,
                             windowDuration: int, slideDuration: int | None = None,
                             numPartitions: int | None = None,
                             filterFunc: Callable | None = None) -> DStream:
        """``reduceByKey`` over a sliding window.

        With ``invFunc`` (the inverse of ``func``) and a window of at least five slides, a
        window's result is the previous window's, minus the batches that left it (through
        ``invFunc``), plus the batches that entered it; keys then stay with their "zero"
        value unless ``filterFunc`` drops them. Otherwise each window is reduced afresh.
        Needs ``StreamingContext.checkpoint`` when ``invFunc`` is given.
        """
        from sparklet.streaming.window import ReducedWindowedDStream

        self._validate_window_param(windowDuration, slideDuration)
        if numPartitions is None:
            numPartitions = self._sc.defaultParallelism
        reduced = self.reduceByKey(func, numPartitions)
        if not invFunc:
            return reduced.window(windowDuration, slideDuration).reduceByKey(
                func, numPartitions)
        slide = self._slide_ms if slideDuration is None else int(slideDuration * 1000)
        return ReducedWindowedDStream(reduced, func, invFunc, filterFunc, numPartitions,
                                      int(windowDuration * 1000), slide)

    # -- state -----------------------------------------------------------------------------

    def updateStateByKey(self, updateFunc: Callable, numPartitions: int | None = None,
                         initialRDD: RDD | Iterable | None = None) -> DStream:
        """A state stream: every batch, ``updateFunc(newValues, oldState)`` for every key
        that has state or new values (``newValues`` is ``[]`` for keys without new values,
        ``oldState`` None for new keys); returning None removes the key. Needs
        ``StreamingContext.checkpoint``."""
        from sparklet.streaming.state import StateDStream

        if numPartitions is None:
            numPartitions = self._sc.defaultParallelism
        if initialRDD is not None and not isinstance(initialRDD, RDD):
            initialRDD = self._sc.parallelize(initialRDD)

        partitioner = Partitioner(numPartitions, portable_hash)

        def update_partition(old_state: dict, new_records, in_place: bool) -> dict:
            # Same calls and output order as a cogroup of state and batch: keys with state
            # first, in state order, then new keys in order of first appearance. The old
            # map is the previous batch's state: read only, unless the state stream handed
            # it over to be updated in place (see sparklet.streaming.state).
            grouped: dict = {}
            for k, v in new_records:
                values = grouped.get(k)
                if values is None:
                    grouped[k] = [v]
                else:
                    values.append(v)
            pop = grouped.pop
            if not in_place:
                state: dict = {}
                for k, s in old_state.items():
                    r = updateFunc(pop(k, []), s)
                    if r is not None:
                        state[k] = r
                for k, values in grouped.items():
                    r = updateFunc(values, None)
                    if r is not None:
                        state[k] = r
                return state
            # Every user call first, then the writes: a call that raises leaves the map as
            # it was, so a retried task finds the previous state intact.
            results = [updateFunc(pop(k, []), s) for k, s in old_state.items()]
            added = [(k, r) for k, r in ((k, updateFunc(vs, None)) for k, vs in grouped.items())
                     if r is not None]
            removed = []
            for (k, s), r in zip(old_state.items(), results, strict=True):
                if r is None:
                    removed.append(k)
                elif r is not s:
                    old_state[k] = r  # an existing key: the map does not change size
            for k in removed:
                del old_state[k]
            old_state.update(added)
            return old_state

        def reduce_func(t, a, b):
            if a is not None:
                # Merge each partition's state map with the batch's records for it, without
                # cogroup's group-by. State not yet partitioned like the stream (an initial
                # RDD) is partitioned first; its first value of a key is the key's state, as
                # in the cogroup formulation.
                from sparklet.streaming.state import UpdateStateRDD

                if a.partitioner != partitioner:
                    a = a.partitionBy(numPartitions)
                return UpdateStateRDD(a, b.partitionBy(numPartitions), update_partition)
            g = b.groupByKey(numPartitions).mapValues(lambda vs: (list(vs), None))
            state = g.mapValues(lambda vs_s: updateFunc(vs_s[0], vs_s[1]))
            return state.filter(lambda k_v: k_v[1] is not None)

        return StateDStream(self, reduce_func, initialRDD)

    def mapWithState(self, spec) -> DStream:
        """Spark's ``mapWithState`` (absent from PySpark): see :class:`StateSpec`. The
        result's ``stateSnapshots()`` is the stream of all (key, state) pairs."""
        from sparklet.streaming.state import MapWithStateDStream

        return MapWithStateDStream(self, spec)

    # -- output operations -----------------------------------------------------------------

    def foreachRDD(self, func: Callable) -> None:
        """Run ``func(rdd)`` or ``func(time, rdd)`` on every RDD (one job per batch, in the
        job scheduler's thread; ``time`` is a datetime)."""
        if _num_positional(func) == 1:
            old_func = func

            def func(_, rdd):
                return old_func(rdd)

        ForEachDStream(self, lambda t, rdd: func(_to_datetime(t), rdd),
                       *_call_site("foreachRDD"))

    def pprint(self, num: int = 10) -> None:
        """Print the first ``num`` elements of every RDD, under a ``Time:`` header."""
        def take_and_print(t, rdd):
            taken = rdd.take(num + 1)
            # One write per batch so concurrent output cannot interleave lines.
            lines = ["-" * 43, f"Time: {_to_datetime(t)}", "-" * 43]
            lines.extend(str(record) for record in taken[:num])
            if len(taken) > num:
                lines.append("...")
            lines.append("")
            print("\n".join(lines))

        ForEachDStream(self, take_and_print, *_call_site("pprint"))

    def saveAsTextFiles(self, prefix: str, suffix: str | None = None) -> None:
        """Save every RDD as text files in the directory ``prefix-TIME_IN_MS[.suffix]``,
        each batch atomically (see :mod:`sparklet.streaming.sinks`)."""
        from sparklet.streaming.sinks import save_text_files_atomically

        def save(t, rdd):
            # Atomic (temporary directory, then rename), and a batch rerun after recovery
            # replaces its directory: exactly-once output, where PySpark would fail or mix.
            save_text_files_atomically(rdd, _rdd_to_file_name(prefix, suffix, t))

        ForEachDStream(self, save, *_call_site("saveAsTextFiles"))


def _rebind_rdd(rdd: RDD, sc) -> RDD:
    """An RDD deserialized with a graph (an initial state, a default) re-bound to the
    recovered SparkContext, its lineage with fresh ids so cached blocks cannot collide."""
    todo, seen = [rdd], set()
    while todo:
        r = todo.pop()
        if id(r) in seen:
            continue
        seen.add(id(r))
        r.ctx = sc
        r._id = sc._new_rdd_id()
        r._creation_site = "recovered from a checkpoint"
        todo.extend(dep.rdd for dep in r._deps)
        if r._checkpoint_rdd is not None:
            todo.append(r._checkpoint_rdd)
    return rdd


def _rdd_to_file_name(prefix: str, suffix: str | None, time_ms: int) -> str:
    """``prefix-TIME_IN_MS[.suffix]``.

    >>> _rdd_to_file_name("spark", None, 12345678910)
    'spark-12345678910'
    >>> _rdd_to_file_name("spark", "tmp", 12345678910)
    'spark-12345678910.tmp'
    """
    if suffix is None:
        return f"{prefix}-{time_ms}"
    return f"{prefix}-{time_ms}.{suffix}"


class TransformedDStream(DStream):
    """RDDs computed by ``func(time, rdd)`` from one parent's. Chains of these fold into one
    function (as in PySpark) unless the parent is cached or checkpointed."""

    def __init__(self, prev: DStream, func: Callable):
        # PySpark creates these lazily on the JVM side: building one after start is only an
        # error once an output operation uses it, which ForEachDStream checks.
        super().__init__(prev._ssc, [prev], check_state=False)
        if type(prev) is TransformedDStream and not prev.is_cached and not prev.is_checkpointed:
            prev_func = prev.func

            def folded(t, rdd):
                inner = prev_func(t, rdd)
                return None if inner is None else func(t, inner)

            self.func: Callable = folded
            self.prev: DStream = prev.prev
            self._parents = [prev.prev]
        else:
            self.prev = prev
            self.func = func

    def _compute(self, time_ms: int) -> RDD | None:
        rdd = self.prev._get_or_compute(time_ms)
        if rdd is None:
            return None
        return self.func(_to_datetime(time_ms), rdd)


class Transformed2DStream(DStream):
    """RDDs computed by ``func(time, rdd_a, rdd_b)`` from two parents' (``transformWith``);
    a parent without an RDD for the time contributes an empty one."""

    def __init__(self, a: DStream, b: DStream, func: Callable):
        super().__init__(a._ssc, [a, b])
        self.func = func

    def _compute(self, time_ms: int) -> RDD | None:
        a, b = self._parents
        rdd_a = a._get_or_compute(time_ms)
        rdd_b = b._get_or_compute(time_ms)
        rdd_a = rdd_a if rdd_a is not None else self._sc.emptyRDD()
        rdd_b = rdd_b if rdd_b is not None else self._sc.emptyRDD()
        return self.func(_to_datetime(time_ms), rdd_a, rdd_b)


def _require_same_slide(parents: list[DStream]) -> None:
    if len({p._ssc for p in parents}) > 1:
        raise ValueError("requirement failed: Some of the DStreams have different contexts")
    if len({p._slide_ms for p in parents}) > 1:
        raise ValueError("requirement failed: Some of the DStreams have different slide "
                         "durations")


class MultiTransformedDStream(DStream):
    """``StreamingContext.transform``: ``func(rdds)`` over several parents' RDDs."""

    def __init__(self, parents: list[DStream], func: Callable):
        _require_same_slide(parents)
        super().__init__(parents[0]._ssc, parents)
        self.func = func

    def _compute(self, time_ms: int) -> RDD | None:
        from sparklet.errors import SparkException

        rdds = []
        for parent in self._parents:
            rdd = parent._get_or_compute(time_ms)
            if rdd is None:
                raise SparkException(f"Couldn't generate RDD from parent at time {time_ms} ms")
            rdds.append(rdd)
        result = self.func(_to_datetime(time_ms), *rdds)
        if result is None:
            raise SparkException("Transform function must not return null. Return "
                                 "SparkContext.emptyRDD() instead to represent no element "
                                 "as the result of transformation.")
        return result


class UnionDStream(DStream):
    """``StreamingContext.union``: every parent's RDD for the time, one after the other."""

    def __init__(self, parents: list[DStream]):
        _require_same_slide(parents)
        super().__init__(parents[0]._ssc, parents)

    def _compute(self, time_ms: int) -> RDD | None:
        from sparklet.errors import SparkException

        rdds = []
        for parent in self._parents:
            rdd = parent._get_or_compute(time_ms)
            if rdd is None:
                raise SparkException("Could not generate RDD from a parent for unifying at "
                                     f"time {time_ms} ms")
            rdds.append(rdd)
        return self._sc.union(rdds) if rdds else None


class ForEachDStream(DStream):
    """An output operation: one job per batch that runs ``func(time_ms, rdd)``."""

    def __init__(self, parent: DStream, func: Callable[[int, RDD], None], op_name: str,
                 description: str):
        super().__init__(parent._ssc, [parent])
        self.func = func
        self.op_name = op_name
        self.description = description
        self._output_id = self._ssc._graph.add_output_stream(self)

    def _compute(self, time_ms: int) -> RDD | None:
        return None

    def _generate_job(self, time_ms: int):
        from sparklet.streaming.scheduler import Job

        rdd = self._parents[0]._get_or_compute(time_ms)
        if rdd is None:
            return None
        func = self.func
        return Job(time_ms, self._output_id, self.op_name, self.description,
                   lambda: func(time_ms, rdd))

