"""Aggregator and the spilling hash map that applies it.

``ExternalAppendOnlyMap`` merges records into a dict of combiners. When the dict's estimated
size passes the memory limit (``spark.python.worker.memory``, as in PySpark) it is written
out in hash-partitioned spill files; at the end each spill partition is merged on its own,
so a group-by far bigger than memory still completes as long as one spill partition fits.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sparklet import serializers
from sparklet.partitioner import portable_hash
from sparklet.taskcontext import TaskContext

__all__ = ["Aggregator", "ExternalAppendOnlyMap", "estimate_size", "write_spill_run"]

_CHUNK = 4096          # records merged between memory checks
_SPILL_PARTITIONS = 59  # prime, so it shares no factor with typical partition counts


def identity(x):
    return x


class Aggregator:
    """The three functions of ``combineByKey``."""

    def __init__(self, createCombiner: Callable, mergeValue: Callable,
                 mergeCombiners: Callable, grows: bool = False):
        self.createCombiner = createCombiner
        self.mergeValue = mergeValue
        self.mergeCombiners = mergeCombiners
        # True when combiners keep every value (groupByKey): memory grows per record, not per key.
        self.grows = grows


def estimate_size(obj: Any, _depth: int = 0) -> int:
    """Rough deep size in bytes, sampling big containers (like Spark's SizeEstimator)."""
    size = sys.getsizeof(obj)
    if _depth >= 3:
        return size
    if isinstance(obj, dict):
        obj = [kv for kv in itertools.islice(obj.items(), 16)] * (len(obj) // 16 or 1)
    elif isinstance(obj, (set, frozenset)):
        obj = list(itertools.islice(obj, 16)) * (len(obj) // 16 or 1)
    elif not isinstance(obj, (list, tuple)):
        data = getattr(obj, "data", None)  # ResultIterable and similar wrappers
        if not isinstance(data, list):
            return size
        obj = data
    n = len(obj)
    if n:
        sample = obj if n <= 16 else [obj[i * n // 16] for i in range(16)]
        size += sum(estimate_size(x, _depth + 1) for x in sample) * n // len(sample)
    return size


def write_spill_run(buckets: list[list], spill_dir: str | None,
                    memory_bytes: int) -> tuple[str, list[tuple[int, int]], int]:
    """Write buckets one after another to a new spill file, counting the task's spill metrics.

    Returns the file's path, each bucket's (offset, length) and the bytes written.
    """
    fd, path = tempfile.mkstemp(prefix="spill-", dir=spill_dir)
    spans = []
    with os.fdopen(fd, "wb") as fh:
        for bucket in buckets:
            start = fh.tell()
            serializers.write_batches(fh, bucket)
            spans.append((start, fh.tell() - start))
        size = fh.tell()
    context = TaskContext.get()
    if context is not None:
        context._metrics["memoryBytesSpilled"] += memory_bytes
        context._metrics["diskBytesSpilled"] += size
    return path, spans, size


class ExternalAppendOnlyMap:
    """Merge (key, value) or (key, combiner) records under a memory limit, spilling to disk."""

    def __init__(self, aggregator: Aggregator, memory_limit: int, spill_dir: str | None = None):
        self.agg = aggregator
        self.memory_limit = max(1, memory_limit)
        self.spill_dir = spill_dir
        self.data: dict = {}
        self.spills: list[tuple[str, list[tuple[int, int]]]] = []  # (path, per-partition spans)
        self.spill_count = 0
        self.spilled_bytes = 0
        self._entry_size = 0.0
        self._records_at_sample = 0
        self._records = 0

    # -- merging ---------------------------------------------------------------------------

    def merge_values(self, records: Iterable[tuple]) -> None:
        """Merge raw values with createCombiner / mergeValue."""
        d = self.data
        create, merge = self.agg.createCombiner, self.agg.mergeValue
        it = iter(records)
        while True:
            chunk = list(itertools.islice(it, _CHUNK))
            if not chunk:
                return
            # try/except costs nothing when the key exists (most records, once keys repeat)
            # and saves the second lookup an ``in`` test would need.
            for k, v in chunk:
                try:
                    d[k] = merge(d[k], v)
                except KeyError:
                    if k in d:
                        raise  # the user's merge function raised it
                    d[k] = create(v)
            self._after_chunk(len(chunk))
            d = self.data

    def merge_combiners(self, records: Iterable[tuple]) -> None:
        """Merge partial combiners with mergeCombiners."""
        d = self.data
        merge = self.agg.mergeCombiners
        it = iter(records)
        while True:
            chunk = list(itertools.islice(it, _CHUNK))
            if not chunk:
                return
            for k, c in chunk:
                try:
                    d[k] = merge(d[k], c)
                except KeyError:
                    if k in d:
                        raise
                    d[k] = c
            self._after_chunk(len(chunk))
            d = self.data

    def _after_chunk(self, n: int) -> None:
        self._records += n
        if self.estimated_bytes() > self.memory_limit:
            self.spill()

    def estimated_bytes(self) -> int:
        """Estimated size of the in-memory map; re-sampled as the map doubles."""
        n = len(self.data)
        if n == 0:
            return 0
        if self._records >= 2 * self._records_at_sample or self._entry_size == 0:
            step = max(1, n // 32)
            sample = list(itertools.islice(self.data.items(), 0, None, step))[:32]
            self._entry_size = 100 + sum(estimate_size(k) + estimate_size(v)
                                         for k, v in sample) / len(sample)
            self._records_at_sample = self._records
        growth = self._records / max(1, self._records_at_sample) if self.agg.grows else 1.0
        return int(n * self._entry_size * growth)

    # -- spilling --------------------------------------------------------------------------

    @staticmethod
    def _spill_partition(key: Any) -> int:
        return (portable_hash(key) * 0x9E3779B1 >> 20) % _SPILL_PARTITIONS

    def spill(self) -> None:
        """Write the in-memory map to a hash-partitioned spill file and clear it."""
        buckets: list[list] = [[] for _ in range(_SPILL_PARTITIONS)]
        part = self._spill_partition
        for item in self.data.items():
            buckets[part(item[0])].append(item)
        path, spans, size = write_spill_run(buckets, self.spill_dir, self.estimated_bytes())
        self.spilled_bytes += size
        self.spills.append((path, spans))
        self.spill_count += 1
        self.data = {}
        self._entry_size = 0.0
        self._records_at_sample = self._records = 0

    # -- output ----------------------------------------------------------------------------

    def items(self) -> Iterator[tuple]:
        """All (key, combiner) pairs; merges spill partitions one at a time."""
        if not self.spills:
            yield from self.data.items()
            return
        self.spill()
        merge = self.agg.mergeCombiners
        try:
            for i in range(_SPILL_PARTITIONS):
                merged: dict = {}
                for path, spans in self.spills:
                    start, length = spans[i]
                    if not length:
                        continue
                    with open(path, "rb") as fh:
                        fh.seek(start)
                        for k, c in serializers.read_records(fh, length):
                            if k in merged:
                                merged[k] = merge(merged[k], c)
                            else:
                                merged[k] = c
                yield from merged.items()
        finally:
            self.cleanup()

    def cleanup(self) -> None:
        for path, _ in self.spills:
            try:
                os.remove(path)
            except OSError:
                pass
        self.spills = []
