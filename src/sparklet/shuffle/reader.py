"""Reduce side of a shuffle: fetch this partition's span from every map output, merge.

The task's shuffle read metrics are counted per map output (blocks and bytes, local when
the output is this executor's, remote otherwise, as Spark counts them) and per batch
(records): nothing runs per record.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Iterator

from sparklet import serializers
from sparklet.errors import FetchFailedError
from sparklet.shuffle.aggregator import ExternalAppendOnlyMap

__all__ = ["read_shuffle"]

_READ_METRICS = ("shuffleReadBytes", "shuffleReadRecords", "shuffleLocalBlocksFetched",
                 "shuffleRemoteBlocksFetched", "shuffleLocalBytesRead", "shuffleRemoteBytesRead")


def fetch_batches(shuffle_id: int, reduce_id: int, locations, block_manager,
                  metrics: dict | None = None) -> Iterator[list]:
    """Record batches of one reduce partition, map output by map output, in map order.

    ``locations`` lists ``(map_id, executor_id, offset, length, data)`` for this partition,
    ``data`` being the span itself for a map output small enough to travel with its status
    (None otherwise); a map output whose file is gone raises FetchFailedError so the
    scheduler recomputes it. An inline output is as lost as a file once the executor that
    computed it is (its shuffle directory is removed with it): a task launched before the
    driver heard of the loss recomputes it too, rather than reading it from the task.

    With ``metrics`` (the task's), each map output read and each batch count in its
    shuffle read metrics.
    """
    if metrics is None:
        metrics = {}
    for key in _READ_METRICS:
        metrics.setdefault(key, 0)
    here = block_manager.executor_id
    remote = None if getattr(block_manager, "shared_disk", True) else _RemoteSpans(
        shuffle_id, reduce_id, locations, block_manager)
    for map_id, executor_id, offset, length, data in locations:
        if not length:
            continue
        if remote is not None and executor_id != here:
            span = remote.take(executor_id, map_id)
            _count_block(metrics, False, length)
            for batch in serializers.read_batches(io.BytesIO(span), length):
                metrics["shuffleReadRecords"] += len(batch)
                yield batch
            continue
        path = block_manager.shuffle_data_path(executor_id, shuffle_id, map_id)
        if data is not None:
            if not os.path.isdir(os.path.dirname(path)):
                raise FetchFailedError(shuffle_id, map_id)
            _count_block(metrics, executor_id == here, length)
            for batch in serializers.read_batches(io.BytesIO(data), length):
                metrics["shuffleReadRecords"] += len(batch)
                yield batch
            continue
        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            raise FetchFailedError(shuffle_id, map_id, "map output %d of shuffle %d is gone "
                                   "from executor %s (%s)" % (map_id, shuffle_id,
                                                              executor_id, path)) from None
        _count_block(metrics, executor_id == here, length)
        with fh:
            fh.seek(offset)
            try:
                for batch in serializers.read_batches(fh, length):
                    metrics["shuffleReadRecords"] += len(batch)
                    yield batch
            except EOFError as e:
                raise FetchFailedError(shuffle_id, map_id, "corrupt map output: %s" % e) from e


class _RemoteSpans:
    """A reduce task's spans of the map outputs other executors hold, when they cannot be
    read from a shared disk: fetched from each executor in one request, the first time one
    of its outputs is needed, through the block manager's transport."""

    def __init__(self, shuffle_id: int, reduce_id: int, locations, block_manager):
        self.shuffle_id = shuffle_id
        self.block_manager = block_manager
        self._wanted: dict[str, list[tuple]] = {}
        for map_id, executor_id, offset, length, _ in locations:
            if length and executor_id != block_manager.executor_id:
                self._wanted.setdefault(executor_id, []).append(
                    (shuffle_id, map_id, offset, length))
        self._fetched: dict[tuple[str, int], bytes | None] = {}

    def take(self, executor_id: str, map_id: int) -> bytes:
        key = (executor_id, map_id)
        if key not in self._fetched:
            requests = self._wanted.pop(executor_id, [])
            spans = self.block_manager.fetch_remote_spans(executor_id, requests)
            if spans is None:
                raise FetchFailedError(self.shuffle_id, map_id,
                                       "executor %s, holding map output %d of shuffle %d, "
                                       "could not be reached" % (executor_id, map_id,
                                                                 self.shuffle_id))
            for (_, m, _, _), span in zip(requests, spans, strict=True):
                self._fetched[(executor_id, m)] = span
        span = self._fetched.pop(key, None)
        if span is None:
            raise FetchFailedError(self.shuffle_id, map_id,
                                   "executor %s no longer has map output %d of shuffle %d"
                                   % (executor_id, map_id, self.shuffle_id))
        return span


def _count_block(metrics: dict, local: bool, length: int) -> None:
    """One non-empty map output read: a local block if this executor wrote it."""
    if local:
        metrics["shuffleLocalBlocksFetched"] += 1
        metrics["shuffleLocalBytesRead"] += length
    else:
        metrics["shuffleRemoteBlocksFetched"] += 1
        metrics["shuffleRemoteBytesRead"] += length
    metrics["shuffleReadBytes"] += length


def read_shuffle(dep, reduce_id: int, context, block_manager, memory_limit: int) -> Iterator:
    locations = context._shuffle_locations[dep.shuffle_id][reduce_id]
    # Flattened in C: a generator frame resumed per batch, not per record.
    metrics = context._metrics if context is not None else None
    records = itertools.chain.from_iterable(
        fetch_batches(dep.shuffle_id, reduce_id, locations, block_manager, metrics))
    if dep.aggregator is None:
        return records
    merged = ExternalAppendOnlyMap(dep.aggregator, memory_limit, block_manager.tmp_dir)
    if dep.map_side_combine:
        merged.merge_combiners(records)
    else:
        merged.merge_values(records)
    if metrics is not None:
        metrics["peakExecutionMemory"] += merged.peak_bytes
    return merged.items()
