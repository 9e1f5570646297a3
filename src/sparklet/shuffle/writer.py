"""Map side of a shuffle: bucket records by reduce partition into one file per map task.

With map-side combine the records are first merged per key (spilling if needed), so only
one combiner per key and map task is written. Without it, buckets that grow past the
memory limit are flushed to spill runs. The final file holds each reduce partition's
bytes contiguously; the (offset, length) of every reduce partition goes back to the
driver in the task's MapStatus, and reducers read exactly their span.

A map output of at most ``INLINE_MAX_BYTES`` (a streaming batch of a few records) is not
written to a file: its bytes travel in the MapStatus, and the driver hands each reducer
its span in the task. Creating, renaming, opening and removing a file cost a tiny map
task more than all its records, and those bytes would reach the driver anyway as spans.
The output still belongs to the executor that computed it: when that executor is lost,
the driver forgets it and recomputes it, as for a file.

The task's shuffle write metrics come from what the writer has at hand: the records it
buckets (counted per chunk), the spans' bytes, the time spent serializing and writing, and
the peak size estimate of its combine map or buckets.
"""

from __future__ import annotations

import io
import itertools
import operator
import os
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

from sparklet import serializers
from sparklet.partitioner import partition_ids
from sparklet.shuffle.aggregator import ExternalAppendOnlyMap, estimate_size, write_spill_run
from sparklet.taskcontext import TaskContext

__all__ = ["MapStatus", "write_shuffle_output"]

_CHUNK = 4096
INLINE_MAX_BYTES = 16 * 1024   # larger map outputs go to a file
_INLINE_MAX_RECORDS = 1024     # more records are not even tried in memory first


@dataclass(frozen=True)
class MapStatus:
    """Where one map task's output lives and the byte span of each reduce partition.

    ``data`` holds the output itself when it was too small for a file (see the module
    docstring); ``spans`` index into it as they would into the file.
    """

    executor_id: str
    map_id: int
    spans: tuple[tuple[int, int], ...]
    data: bytes | None = None

    def size(self) -> int:
        return sum(length for _, length in self.spans)

    def inline_span(self, reduce_id: int) -> bytes | None:
        """The bytes of one reduce partition, when they travel with the status."""
        if self.data is None:
            return None
        offset, length = self.spans[reduce_id]
        return self.data[offset:offset + length]


_key = operator.itemgetter(0)


def _bucket(items: Iterable, keys: Collection, partitioner, buckets: list[list]) -> None:
    """Append each of ``items`` to the bucket of its key (``keys``, in the same order)."""
    # deque(maxlen=0) drains the map in C: no bytecode runs per record.
    deque(map(list.append, map(buckets.__getitem__, partition_ids(partitioner, keys)), items),
          maxlen=0)


def write_shuffle_output(records: Iterable[Any], dep, map_id: int, block_manager,
                         memory_limit: int, inline_max: int | None = None) -> MapStatus:
    """Write one map task's output; ``inline_max`` (default ``INLINE_MAX_BYTES``, set by
    ``spark.sparklet.shuffle.inlineMaxBytes``) is the largest kept in the MapStatus."""
    counts = _Counts()
    status = _write_output(records, dep, map_id, block_manager, memory_limit, inline_max,
                           counts)
    context = TaskContext.get()
    if context is not None:
        metrics = context._metrics
        metrics["shuffleWriteRecords"] += counts.records
        metrics["shuffleWriteBytes"] += status.size()
        metrics["shuffleWriteTime"] += counts.write_ns
        metrics["peakExecutionMemory"] += counts.peak_bytes
    return status


class _Counts:
    """What one map task's writer counted, for its shuffle write metrics."""

    __slots__ = ("records", "write_ns", "peak_bytes")

    def __init__(self) -> None:
        self.records = 0      # records bucketed (after map-side combine)
        self.write_ns = 0     # serializing and writing the output
        self.peak_bytes = 0   # the largest size estimate of the combine map or buckets


def _write_output(records: Iterable[Any], dep, map_id: int, block_manager, memory_limit: int,
                  inline_max: int | None, counts: _Counts) -> MapStatus:
    if inline_max is None:
        inline_max = INLINE_MAX_BYTES
    n = dep.partitioner.numPartitions
    get_partition = dep.partitioner
    spill_runs: list[tuple[str, list[tuple[int, int]]]] = []
    buckets: list[list] = [[] for _ in range(n)]
    memory = None

    if dep.aggregator is not None and dep.map_side_combine:
        combined = ExternalAppendOnlyMap(dep.aggregator, memory_limit, block_manager.tmp_dir)
        combined.merge_values(records)
        counts.peak_bytes = combined.peak_bytes
        if not combined.spills:
            _bucket(combined.data.items(), combined.data.keys(), get_partition, buckets)
            counts.records = len(combined.data)
        else:
            items = combined.items()
            while chunk := list(itertools.islice(items, _CHUNK)):
                _bucket(chunk, list(map(_key, chunk)), get_partition, buckets)
                counts.records += len(chunk)
    else:
        # Every record ends up held in a bucket anyway, so listing a chunk first costs no
        # extra live objects; it lets the keys be partitioned in one pass.
        it = iter(records)
        record_size = 0
        held = 0
        while chunk := list(itertools.islice(it, _CHUNK)):
            _bucket(chunk, list(map(_key, chunk)), get_partition, buckets)
            held += len(chunk)
            counts.records += len(chunk)
            if not record_size:
                record_size = 64 + sum(estimate_size(x) for x in chunk[:16]) // min(16, len(chunk))
            counts.peak_bytes = max(counts.peak_bytes, held * record_size)
            if held * record_size > memory_limit:
                path, spans, _ = write_spill_run(buckets, block_manager.tmp_dir,
                                                 held * record_size)
                spill_runs.append((path, spans))
                buckets = [[] for _ in range(n)]
                held = 0

    started = time.perf_counter_ns()
    if inline_max > 0 and not spill_runs and counts.records <= _INLINE_MAX_RECORDS:
        memory = io.BytesIO()
        spans = _write_partitions(memory, buckets, spill_runs)
        data = memory.getvalue()
        if len(data) <= inline_max:
            counts.write_ns = time.perf_counter_ns() - started
            return MapStatus(block_manager.executor_id, map_id, spans, data)
    final = block_manager.shuffle_data_path(block_manager.executor_id, dep.shuffle_id, map_id)
    if memory is not None:  # formed in memory already, too big to travel: write it as is
        _write_file(final, lambda out: out.write(data))
        counts.write_ns = time.perf_counter_ns() - started
        return MapStatus(block_manager.executor_id, map_id, spans)
    try:
        spans = _write_file(final, lambda out: _write_partitions(out, buckets, spill_runs))
    finally:
        for path, _ in spill_runs:
            os.remove(path)
    counts.write_ns = time.perf_counter_ns() - started
    return MapStatus(block_manager.executor_id, map_id, spans)


def _write_partitions(out: BinaryIO, buckets: list[list], spill_runs: list) -> tuple:
    """Write each reduce partition's bytes (its spans of the spill runs, then its bucket)
    one after another; returns the (offset, length) of each."""
    spans = []
    for r, bucket in enumerate(buckets):
        start = out.tell()
        for path, run_spans in spill_runs:
            offset, length = run_spans[r]
            if length:
                with open(path, "rb") as fh:
                    fh.seek(offset)
                    out.write(fh.read(length))
        if bucket:
            serializers.write_batches(out, bucket)
        spans.append((start, out.tell() - start))
    return tuple(spans)


def _write_file(final: str, write: Callable[[BinaryIO], Any]) -> Any:
    """``write(file)`` under a temporary name, then renamed to ``final``, so a reducer never
    sees half an output; returns what ``write`` returned."""
    tmp = "%s.tmp-%d" % (final, os.getpid())
    try:
        with open(tmp, "wb") as out:
            result = write(out)
        os.replace(tmp, final)
        return result
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
