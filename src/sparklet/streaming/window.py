"""Windowed streams: the RDDs of the last ``window`` of a parent, every ``slide``.

Window boundaries follow Spark: the window ending at batch time ``t`` holds the parent's
batches in ``(t - window, t]``; a window stream yields RDDs only at ``zeroTime + k * slide``;
early windows simply hold fewer batches.
"""

from __future__ import annotations

from collections.abc import Callable

from sparklet.rdd import RDD
from sparklet.storagelevel import StorageLevel
from sparklet.streaming.dstream import DStream, _to_datetime

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


class ReducedWindowedDStream(DStream):
    """``reduceByKeyAndWindow`` with an inverse function, over a per-batch reduced parent.

    As PySpark's: when the window spans at least five slides and the previous window's RDD
    exists, the new one is ``reduce(invReduce(previous, left), entered)``; otherwise the
    window is reduced from its batches. Its RDDs are persisted and, because each builds on
    the previous one, checkpointed periodically so lineage stays short.
    """

    def __init__(self, parent: DStream, reduce_func: Callable, inv_reduce_func: Callable,
                 window_ms: int, slide_ms: int):
        super().__init__(parent._ssc, [parent])
        pslide = parent._slide_ms
        if window_ms % pslide != 0 or slide_ms % pslide != 0:
            raise ValueError("window and slide durations must be multiples of the parent "
                             f"DStream's slide duration ({pslide} ms)")
        self.reduce_func = reduce_func
        self.inv_reduce_func = inv_reduce_func
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
        t = _to_datetime(time_ms)
        current_begin = time_ms - self._window
        previous_end = time_ms - self._slide
        previous_begin = current_begin - self._slide
        previous = self._get_or_compute(previous_end)
        if previous is not None and self._window >= self._slide * 5:
            old = parent._slice_ms(previous_begin + pslide, current_begin)
            subtracted = (self.inv_reduce_func(t, previous, _union(self._sc, old))
                          if old else previous)
            new = parent._slice_ms(previous_end + pslide, time_ms)
            return self.reduce_func(t, subtracted, _union(self._sc, new)) if new else subtracted
        current = parent._slice_ms(current_begin + pslide, time_ms)
        if current:
            return self.reduce_func(t, None, _union(self._sc, current))
        return None
