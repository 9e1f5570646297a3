"""Helpers for tests of streaming programs: drive a manual clock batch by batch.

Tests advance time, they never sleep for batches: set ``spark.streaming.clock`` to
``org.apache.spark.util.ManualClock`` (or ``manual``) or call :func:`use_manual_clock` before
creating input streams, start the context, then call :func:`advance_batches`, which moves the
clock one batch interval at a time and returns once each of those batches was processed and
its listener events delivered.

>>> from sparklet import SparkContext
>>> from sparklet.streaming import StreamingContext
>>> sc = SparkContext.getOrCreate()
>>> ssc = StreamingContext(sc, 1)
>>> use_manual_clock(ssc).get_time_millis()
0
>>> seen = []
>>> ssc.queueStream([[1, 2], [3]]).foreachRDD(lambda t, rdd: seen.append((t, rdd.collect())))
>>> ssc.start()
>>> advance_batches(ssc, 2)
[1000, 2000]
>>> [(t.second, xs) for t, xs in seen]
[(1, [1, 2]), (2, [3])]
>>> ssc.stop(stopSparkContext=False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparklet.streaming.clock import ManualClock

if TYPE_CHECKING:
    from sparklet.streaming.context import StreamingContext

__all__ = ["use_manual_clock", "manual_clock", "advance_batches", "wait_for_batch",
           "run_batches"]


def use_manual_clock(ssc: StreamingContext, start_ms: int = 0) -> ManualClock:
    """Run a not yet started context on a manual clock reading ``start_ms``; create file
    streams after this call (they read the clock when created)."""
    if ssc.getState() != "INITIALIZED":
        raise RuntimeError("use_manual_clock needs a context that has not started")
    ssc._clock = ManualClock(start_ms)
    return ssc._clock


def manual_clock(ssc: StreamingContext) -> ManualClock:
    """The context's manual clock (fails if it runs on the system clock)."""
    clock = ssc._clock
    if not isinstance(clock, ManualClock):
        raise TypeError("set spark.streaming.clock to org.apache.spark.util.ManualClock "
                        "(or 'manual') to drive time from a test")
    return clock


def wait_for_batch(ssc: StreamingContext, time_ms: int, timeout: float = 60.0) -> None:
    """Block until every batch up to ``time_ms`` was processed (or needed no jobs), and the
    listener events posted so far were delivered."""
    if not ssc._scheduler.wait_for_batch(time_ms, timeout):
        raise TimeoutError(f"batch {time_ms} ms not processed within {timeout} s")
    ssc._listener_bus.wait_until_empty(timeout)
    live_bus = getattr(ssc._sc, "_listener_bus", None)  # the UI's and event log's
    if live_bus is not None:
        live_bus.wait_until_empty(timeout)


def advance_batches(ssc: StreamingContext, n: int = 1, timeout: float = 60.0) -> list[int]:
    """Advance the manual clock by ``n`` batch intervals, one at a time, waiting after each
    until that batch completed. Returns the batch times (ms) that came due."""
    clock = manual_clock(ssc)
    graph = ssc._graph
    step = graph.batch_duration
    times = []
    for _ in range(n):
        clock.advance(step)
        now = clock.get_time_millis()
        zero = graph.zero_time
        if zero is None:
            raise RuntimeError("start the StreamingContext before advancing batches")
        due = zero + (now - zero) // step * step
        if due > zero:
            wait_for_batch(ssc, due, timeout)
            times.append(due)
    return times


def run_batches(ssc: StreamingContext, n: int, timeout: float = 60.0) -> list[int]:
    """Start ``ssc`` (if needed) and run ``n`` batches on its manual clock."""
    if ssc.getState() == "INITIALIZED":
        ssc.start()
    return advance_batches(ssc, n, timeout)
