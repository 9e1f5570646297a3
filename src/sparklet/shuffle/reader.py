"""Reduce side of a shuffle: fetch this partition's span from every map output, merge."""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Iterator

from sparklet import serializers
from sparklet.errors import FetchFailedError
from sparklet.shuffle.aggregator import ExternalAppendOnlyMap

__all__ = ["read_shuffle"]


def fetch_batches(shuffle_id: int, reduce_id: int, locations, block_manager) -> Iterator[list]:
    """Record batches of one reduce partition, map output by map output, in map order.

    ``locations`` lists ``(map_id, executor_id, offset, length, data)`` for this partition,
    ``data`` being the span itself for a map output small enough to travel with its status
    (None otherwise); a map output whose file is gone raises FetchFailedError so the
    scheduler recomputes it. An inline output is as lost as a file once the executor that
    computed it is (its shuffle directory is removed with it): a task launched before the
    driver heard of the loss recomputes it too, rather than reading it from the task.
    """
    for map_id, executor_id, offset, length, data in locations:
        if not length:
            continue
        path = block_manager.shuffle_data_path(executor_id, shuffle_id, map_id)
        if data is not None:
            if not os.path.isdir(os.path.dirname(path)):
                raise FetchFailedError(shuffle_id, map_id)
            yield from serializers.read_batches(io.BytesIO(data), length)
            continue
        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            raise FetchFailedError(shuffle_id, map_id) from None
        with fh:
            fh.seek(offset)
            try:
                yield from serializers.read_batches(fh, length)
            except EOFError as e:
                raise FetchFailedError(shuffle_id, map_id, "corrupt map output: %s" % e) from e


def read_shuffle(dep, reduce_id: int, context, block_manager, memory_limit: int) -> Iterator:
    locations = context._shuffle_locations[dep.shuffle_id][reduce_id]
    # Flattened in C: a generator frame resumed per batch, not per record.
    records = itertools.chain.from_iterable(
        fetch_batches(dep.shuffle_id, reduce_id, locations, block_manager))
    if dep.aggregator is None:
        return records
    merged = ExternalAppendOnlyMap(dep.aggregator, memory_limit, block_manager.tmp_dir)
    if dep.map_side_combine:
        merged.merge_combiners(records)
    else:
        merged.merge_values(records)
    return merged.items()
