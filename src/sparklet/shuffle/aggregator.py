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
from sparklet.util import _STOP_MESSAGE

__all__ = ["Aggregator", "ExternalAppendOnlyMap", "estimate_size", "merge_into", "write_spill_run"]

_CHUNK = 4096          # records merged between memory checks
# A chunk whose share of new keys was under 1/_HITS_FIRST_BELOW is followed by one merged
# hits-first (try/except: one dict lookup less per known key); otherwise by one testing keys
# with ``in`` (a raise per new key costs ~8x the lookup it saves). The break-even measured
# (callgrind, CPython 3.11) is ~11% new keys.
_HITS_FIRST_BELOW = 10
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


# Types that hold no other objects: their size is getsizeof's, with no checks to run.
_FLAT_TYPES = frozenset((str, int, float, bytes, bool, type(None)))


def estimate_size(obj: Any, _depth: int = 0) -> int:
    """Rough deep size in bytes, sampling big containers (like Spark's SizeEstimator)."""
    size = sys.getsizeof(obj)
    if _depth >= 3 or type(obj) in _FLAT_TYPES:
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


def _total_size(objs: list) -> int:
    """``sum(map(estimate_size, objs))``, with no Python call per object when all are flat
    (a tiny map task's whole sample often is)."""
    if _FLAT_TYPES.issuperset(map(type, objs)):
        return sum(map(sys.getsizeof, objs))
    return sum(map(estimate_size, objs))


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


def _user_stop(exc: StopIteration) -> RuntimeError:
    return RuntimeError(_STOP_MESSAGE, exc)


# In a plain function's ``for`` loop a StopIteration raised by the body can only come from
# the user's functions (the iterator's own ends the loop), so the merge loops turn it into
# PySpark's task failure once, around the loop, instead of wrapping every call in a frame.

def merge_into(d: dict, records: Iterable[tuple], create: Callable | None,
               merge: Callable) -> None:
    """Merge ``(key, value)`` records into the dict ``d``: ``create(value)`` (the value itself
    when ``create`` is None) for a new key, ``merge(d[key], value)`` for a known one.

    Each key is tested with ``in``, which is cheap when many keys are new.

    >>> d = {"a": 1}
    >>> merge_into(d, [("a", 2), ("b", 5)], None, lambda x, y: x + y)
    >>> d
    {'a': 3, 'b': 5}
    """
    try:
        for k, v in records:
            if k in d:
                d[k] = merge(d[k], v)
            elif create is None:
                d[k] = v
            else:
                d[k] = create(v)
    except StopIteration as exc:
        raise _user_stop(exc) from exc


def _merge_hits_first(d: dict, records: Iterable[tuple], create: Callable | None,
                      merge: Callable) -> None:
    """Merge ``records`` into ``d`` with one lookup per known key and a raise per new one."""
    try:
        for k, v in records:
            try:
                d[k] = merge(d[k], v)
                continue
            except KeyError:
                if k in d:
                    raise  # the user's merge function raised it
            # Outside the handler, so an error in createCombiner is not chained to a KeyError.
            d[k] = v if create is None else create(v)
    except StopIteration as exc:
        raise _user_stop(exc) from exc


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
        self.peak_bytes = 0  # the largest size estimate seen (the task's peakExecutionMemory)
        self._entry_size = 0.0
        self._records_at_sample = 0
        self._records = 0

    # -- merging ---------------------------------------------------------------------------

    def merge_values(self, records: Iterable[tuple]) -> None:
        """Merge raw values with createCombiner / mergeValue."""
        create = self.agg.createCombiner
        # reduceByKey's combiner is the value itself: store it without a call per new key.
        self._merge(records, None if create is identity else create, self.agg.mergeValue)

    def merge_combiners(self, records: Iterable[tuple]) -> None:
        """Merge partial combiners with mergeCombiners."""
        self._merge(records, None, self.agg.mergeCombiners)

    def _merge(self, records: Iterable[tuple], create: Callable | None, merge: Callable) -> None:
        # Records stream through lazy chunks: materialising them (list(islice(...))) costs
        # an allocation per record and keeps thousands of tuples alive for the cyclic GC to
        # walk. ``for head in it`` is the exhaustion check, so nothing is counted per record.
        it = iter(records)
        hits_first = False  # the first chunk finds an empty map: every key is new
        for head in it:
            d = self.data
            before = len(d)
            chunk = itertools.chain((head,), itertools.islice(it, _CHUNK - 1))
            (_merge_hits_first if hits_first else merge_into)(d, chunk, create, merge)
            hits_first = (len(d) - before) * _HITS_FIRST_BELOW < _CHUNK
            # The last chunk may be short: counting it as full only makes a spill check
            # at the very end more cautious.
            self._after_chunk(_CHUNK)

    def _after_chunk(self, n: int) -> None:
        self._records += n
        estimate = self.estimated_bytes()
        if estimate > self.peak_bytes:
            self.peak_bytes = estimate
        if estimate > self.memory_limit:
            self.spill()

    def estimated_bytes(self) -> int:
        """Estimated size of the in-memory map; re-sampled as the map doubles."""
        n = len(self.data)
        if n == 0:
            return 0
        if self._records >= 2 * self._records_at_sample or self._entry_size == 0:
            step = max(1, n // 32)
            keys = list(itertools.islice(self.data, 0, None, step))[:32]
            values = list(map(self.data.__getitem__, keys))
            self._entry_size = 100 + (_total_size(keys) + _total_size(values)) / len(keys)
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
                        batches = serializers.read_batches(fh, length)
                        merge_into(merged, itertools.chain.from_iterable(batches),
                                       None, merge)
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
