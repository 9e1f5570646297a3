"""Windowed streams: the RDDs of the last ``window`` of a parent, every ``slide``.

Window boundaries follow Spark: the window ending at batch time ``t`` holds the parent's
batches in ``(t - window, t]``; a window stream yields RDDs only at ``zeroTime + k * slide``;
early windows simply hold fewer batches.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from sparklet.partitioner import Partitioner, portable_hash
from sparklet.rdd import RDD
from sparklet.rdds import CoPartitionedRDD
from sparklet.shuffle.aggregator import merge_into
from sparklet.storagelevel import StorageLevel
from sparklet.streaming.dstream import DStream
from sparklet.util import fail_on_stopiteration

__all__ = ["WindowedDStream", "ReducedWindowedDStream"]


def _union(sc, rdds: list[RDD]) -> RDD:
    from sparklet.rdds import UnionRDD

    if not rdds:
        return UnionRDD(sc, [])
    return sc.union(rdds)


class WindowedDStream(DStream):
    """All elements of the parent's batches in the window ending at each slide time."""

    def __init__(self, parent: DStream, window_ms: int, slide_ms: int):
        super().__init__(parent._ssc, [parent])
        pslide = parent._slide_ms
        if window_ms % pslide != 0:
            raise ValueError(f"The window duration of windowed DStream ({window_ms} ms) must "
                             "be a multiple of the slide duration of parent DStream "
                             f"({pslide} ms)")
        if slide_ms % pslide != 0:
            raise ValueError(f"The slide duration of windowed DStream ({slide_ms} ms) must "
                             "be a multiple of the slide duration of parent DStream "
                             f"({pslide} ms)")
        self._window = window_ms
        self._slide = slide_ms
        # The parent's RDDs are read by several windows: keep them (Spark does the same).
        parent.persist(StorageLevel.MEMORY_ONLY)

    @property
    def _slide_ms(self) -> int:
        return self._slide

    def _parent_remember_duration(self) -> int:
        return self._remember_duration + self._window  # type: ignore[operator]

    def persist(self, storageLevel: StorageLevel) -> DStream:
        # A window is a view of its parent's RDDs: persisting it means persisting those.
        self._parents[0].persist(storageLevel)
        self.is_cached = True
        return self

    def _compute(self, time_ms: int) -> RDD | None:
        parent = self._parents[0]
        rdds = parent._slice_ms(time_ms - self._window + parent._slide_ms, time_ms)
        return _union(self._sc, rdds)


_MISSING = object()


def _reduce_by_key(records, func: Callable) -> dict:
    """``reduceByKey``'s combine of one partition as a dict: keys in order of first
    appearance, each value ``func(func(v1, v2), v3)``... in record order."""
    merged: dict = {}
    merge_into(merged, records, None, func)
    return merged


def _window_of_batches(func: Callable, filter_func: Callable | None) -> Callable:
    """Partition i of a window reduced from its batches: ``union(batches).reduceByKey(func)
    .filter(filter_func)`` in one pass over the batches' partitions i."""
    def window_partition(*batches):
        pairs = iter(_reduce_by_key(itertools.chain(*batches), func).items())
        return pairs if filter_func is None else filter(filter_func, pairs)
    return window_partition


def _sliding_window(func: Callable, inv_func: Callable, filter_func: Callable | None,
                    n_old: int, n_new: int) -> Callable:
    """Partition i of a window from the previous one: what PySpark's formulation computes,
    ``previous.leftOuterJoin(old)`` through ``inv_func`` then ``union(new).reduceByKey``
    and the filter, in one pass and without the join's tagging and grouping per key.

    The same calls, values and order: the previous window's keys in its order (``inv_func``
    where the leaving batches have a value that is not None, then ``func`` with the entering
    batches' reduced value), then keys only the entering batches have, in their order; the
    filter applies only when batches entered. Keys only the leaving batches have are dropped.
    """
    def window_partition(previous, *batches):
        old = _reduce_by_key(itertools.chain(*batches[:n_old]), func)
        new = _reduce_by_key(itertools.chain(*batches[n_old:]), func)
        old_get, new_pop = old.get, new.pop
        keep = filter_func if n_new and filter_func is not None else None
        for k, v in previous:
            w = old_get(k)
            if w is not None:
                v = inv_func(v, w)
            w = new_pop(k, _MISSING)
            if w is not _MISSING:
                v = func(v, w)
            if keep is None or keep((k, v)):
                yield k, v
        pairs = iter(new.items())
        yield from (pairs if keep is None else filter(keep, pairs))
    return window_partition


class ReducedWindowedDStream(DStream):
    """``reduceByKeyAndWindow`` with an inverse function, over a per-batch reduced parent.

    As PySpark's: when the window spans at least five slides and the previous window's RDD
    exists, the new one is ``reduce(invReduce(previous, left), entered)``; otherwise the
    window is reduced from its batches. Its RDDs are persisted and, because each builds on
    the previous one, checkpointed periodically so lineage stays short.

    Every batch of the parent is hash-partitioned the same way, so a window is computed
    partition by partition from the same partitions of its inputs (one
    :class:`~sparklet.rdds.CoPartitionedRDD`: no shuffle, no per-key join, one pass).
    """

    def __init__(self, parent: DStream, func: Callable, inv_func: Callable,
                 filter_func: Callable | None, num_partitions: int, window_ms: int,
                 slide_ms: int):
        super().__init__(parent._ssc, [parent])
        pslide = parent._slide_ms
        if window_ms % pslide != 0 or slide_ms % pslide != 0:
            raise ValueError("window and slide durations must be multiples of the parent "
                             f"DStream's slide duration ({pslide} ms)")
        # Wrapped once: a StopIteration from user code fails the task instead of silently
        # ending a partition (these run inside generators and filter()).
        self.func = fail_on_stopiteration(func, 2)
        self.inv_func = fail_on_stopiteration(inv_func, 2)
        self.filter_func = None if filter_func is None else fail_on_stopiteration(filter_func, 1)
        self.num_partitions = num_partitions
        self._window = window_ms
        self._slide = slide_ms
        self._must_checkpoint = True
        self._storage_level = StorageLevel.MEMORY_ONLY

    @property
    def _slide_ms(self) -> int:
        return self._slide

    def _parent_remember_duration(self) -> int:
        return self._remember_duration + self._window  # type: ignore[operator]

    def _compute(self, time_ms: int) -> RDD | None:
        parent = self._parents[0]
        pslide = parent._slide_ms
        current_begin = time_ms - self._window
        previous_end = time_ms - self._slide
        previous_begin = current_begin - self._slide
        previous = self._get_or_compute(previous_end)
        if previous is not None and self._window >= self._slide * 5:
            old = parent._slice_ms(previous_begin + pslide, current_begin)
            new = parent._slice_ms(previous_end + pslide, time_ms)
            if not old and not new:
                return previous
            if self._co_partitioned([previous, *old, *new]):
                return CoPartitionedRDD(self._sc, [previous, *old, *new], _sliding_window(
                    self.func, self.inv_func, self.filter_func, len(old), len(new)))
            subtracted = self._inv_reduce(previous, _union(self._sc, old)) if old else previous
            return self._reduce(subtracted, _union(self._sc, new)) if new else subtracted
        current = parent._slice_ms(current_begin + pslide, time_ms)
        if not current:
            return None
        if self._co_partitioned(current):
            return CoPartitionedRDD(self._sc, current,
                                    _window_of_batches(self.func, self.filter_func))
        return self._reduce(None, _union(self._sc, current))

    def _co_partitioned(self, rdds: list[RDD]) -> bool:
        partitioner = Partitioner(self.num_partitions, portable_hash)
        return all(r.partitioner == partitioner for r in rdds)

    # PySpark's formulation, over RDDs, for inputs that are not co-partitioned (say, RDDs
    # of another partitioning recovered from a checkpoint).

    def _reduce(self, a: RDD | None, b: RDD) -> RDD:
        func, n = self.func, self.num_partitions
        b = b.reduceByKey(func, n)
        r = a.union(b).reduceByKey(func, n) if a is not None else b
        return r.filter(self.filter_func) if self.filter_func else r

    def _inv_reduce(self, a: RDD, b: RDD) -> RDD:
        inv_func = self.inv_func
        b = b.reduceByKey(self.func, self.num_partitions)
        joined = a.leftOuterJoin(b, self.num_partitions)
        return joined.mapValues(lambda kv: inv_func(kv[0], kv[1])
                                if kv[1] is not None else kv[0])
