"""The concrete RDDs of a lineage graph: how each kind finds its partitions and computes one.

User code never builds these directly; RDD methods do. Each partition object carries what
its task needs (a data slice, the parent splits it reads), so a task ships one partition,
not the whole RDD's data.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Callable, Iterator
from typing import Any

from sparklet import serializers
from sparklet.dependency import (
    ListDependency,
    OneToOneDependency,
    Partition,
    RangeDependency,
    ShuffleDependency,
)
from sparklet.io import _local_path
from sparklet.rdd import RDD
from sparklet.storagelevel import StorageLevel
from sparklet.util import pipelined

__all__ = ["ParallelCollectionRDD", "MapPartitionsRDD", "UnionRDD",
           "PartitionerAwareUnionRDD", "CoPartitionedRDD", "CoalescedRDD", "CartesianRDD",
           "ZippedPartitionsRDD", "ShuffledRDD", "CheckpointRDD", "SplitRDD"]


class _DataPartition(Partition):
    __slots__ = ("data",)

    def __init__(self, index: int, data):
        super().__init__(index)
        self.data = data


class _ParentsPartition(Partition):
    """A partition computed from one or more parent partitions (by position)."""

    __slots__ = ("parents",)

    def __init__(self, index: int, parents: list):
        super().__init__(index)
        self.parents = parents


class ParallelCollectionRDD(RDD):
    """A local collection cut into slices (``parallelize``, ``range``)."""

    def __init__(self, ctx, slices: list):
        super().__init__(ctx, [])
        self._slices = slices

    def _get_partitions(self) -> list[Partition]:
        return [_DataPartition(i, s) for i, s in enumerate(self._slices)]

    def compute(self, split, context) -> Iterator:
        data = split.data
        if context is None:
            return iter(data)
        if isinstance(data, serializers.PickledSlice):  # counted a batch at a time
            from sparklet.taskcontext import count_input_batches

            return itertools.chain.from_iterable(
                count_input_batches(data.iter_batches(), context))
        try:
            context._metrics["inputRecords"] += len(data)  # a list or a range
        except TypeError:  # a slice that cannot tell its length: not counted
            pass
        return iter(data)

    def _transient(self) -> tuple[str, ...]:
        return (*super()._transient(), "_slices")


class SplitRDD(RDD):
    """Partitions described by opaque, picklable splits and read by a function (files).

    ``splits`` may be a function returning them: it runs when the partitions are first
    needed (the first action), so a missing input fails the action, not the call that
    created the RDD, as Hadoop input formats do in Spark.
    """

    def __init__(self, ctx, splits: list | Callable[[], list], reader: Callable[[Any], Iterator],
                 name: str):
        super().__init__(ctx, [])
        self._splits = splits
        self._reader = reader
        self._kind = name

    def _get_partitions(self) -> list[Partition]:
        splits = self._splits() if callable(self._splits) else self._splits
        return [_DataPartition(i, s) for i, s in enumerate(splits)]

    def compute(self, split, context) -> Iterator:
        return self._reader(split.data)

    def _transient(self) -> tuple[str, ...]:
        return (*super()._transient(), "_splits")

    def _class_name(self) -> str:
        return self._kind


def _run_steps(steps: tuple, index: int, iterator: Iterator) -> Iterator:
    return pipelined(iterator, steps)


class MapPartitionsRDD(RDD):
    """``f(partition_index, iterator)`` over each parent partition (map, filter, ...).

    An element-wise transformation (map, flatMap, filter and the key-value ones built on
    them) is also described by ``steps``, ``(apply, user_function)`` pairs for
    :func:`~sparklet.util.pipelined`. Computing a partition then runs the steps of this RDD
    and of the unbroken run of such parents (neither persisted nor checkpointed) as one
    pipeline of builtin iterators over the raw user functions, PySpark's PipelinedRDD at
    execution time: the lineage keeps one RDD per transformation, ids and debug strings stay
    as they were, and each element costs the user calls and no sparklet frame.
    """

    _lazy_id = True  # see RDD._lazy_id

    def __init__(self, prev: RDD, f: Callable[[int, Iterator], Iterator] | None,
                 preservesPartitioning: bool = False,
                 steps: tuple[tuple[Callable, Callable], ...] | None = None):
        super().__init__(prev.ctx, [OneToOneDependency(prev)])
        self.prev = prev
        self.steps = steps
        self.func = f if steps is None else functools.partial(_run_steps, steps)
        self.preservesPartitioning = preservesPartitioning
        if preservesPartitioning:
            self.partitioner = prev.partitioner

    def _get_partitions(self) -> list[Partition]:
        return self.prev.partitions()

    def compute(self, split, context) -> Iterator:
        steps = self.steps
        if steps is None:
            return self.func(split.index, self.prev.iterator(split, context))
        source = self.prev
        while (type(source) is MapPartitionsRDD and source.steps is not None
               and source._storage_level == StorageLevel.NONE
               and source._checkpoint_rdd is None):
            steps = source.steps + steps
            source = source.prev
        return pipelined(source.iterator(split, context), steps)


class UnionRDD(RDD):
    """Partitions of all parents, one after the other."""

    def __init__(self, ctx, rdds: list[RDD]):
        deps, pos = [], 0
        for r in rdds:
            n = r.getNumPartitions()
            deps.append(RangeDependency(r, 0, pos, n))
            pos += n
        super().__init__(ctx, deps)
        self.rdds = rdds

    def _get_partitions(self) -> list[Partition]:
        parts = []
        for i, r in enumerate(self.rdds):
            for split in r.partitions():
                parts.append(_ParentsPartition(len(parts), [(i, split)]))
        return parts

    def compute(self, split, context) -> Iterator:
        (i, parent_split), = split.parents
        return self.rdds[i].iterator(parent_split, context)


class PartitionerAwareUnionRDD(RDD):
    """Union of RDDs sharing one partitioner: partition i is every parent's partition i."""

    def __init__(self, ctx, rdds: list[RDD]):
        super().__init__(ctx, [OneToOneDependency(r) for r in rdds])
        self.rdds = rdds
        self.partitioner = rdds[0].partitioner

    def _get_partitions(self) -> list[Partition]:
        per_parent = [r.partitions() for r in self.rdds]
        return [_ParentsPartition(i, [p[i] for p in per_parent])
                for i in range(len(per_parent[0]))]

    def compute(self, split, context) -> Iterator:
        return itertools.chain.from_iterable(
            r.iterator(s, context) for r, s in zip(self.rdds, split.parents, strict=True))


class CoPartitionedRDD(RDD):
    """Partition i is ``func(it_0, it_1, ...)`` over partition i of each parent, all of which
    share one partitioner (Spark's zipPartitions): a per-key merge of co-partitioned data
    without a shuffle or a group-by."""

    def __init__(self, ctx, rdds: list[RDD], func: Callable[..., Iterator]):
        super().__init__(ctx, [OneToOneDependency(r) for r in rdds])
        self.rdds = rdds
        self.func = func
        self.partitioner = rdds[0].partitioner

    def _get_partitions(self) -> list[Partition]:
        return PartitionerAwareUnionRDD._get_partitions(self)  # type: ignore[arg-type]

    def compute(self, split, context) -> Iterator:
        return self.func(*(r.iterator(s, context)
                           for r, s in zip(self.rdds, split.parents, strict=True)))


class CoalescedRDD(RDD):
    """Fewer partitions without a shuffle: each reads a contiguous group of parents."""

    def __init__(self, prev: RDD, num_partitions: int):
        n = prev.getNumPartitions()
        groups = [list(range(i * n // num_partitions, (i + 1) * n // num_partitions))
                  for i in range(num_partitions)] if num_partitions < n else [[i] for i in
                                                                                range(n)]
        super().__init__(prev.ctx, [ListDependency(prev, groups)])
        self.prev = prev
        self.groups = groups

    def _get_partitions(self) -> list[Partition]:
        parents = self.prev.partitions()
        return [_ParentsPartition(i, [parents[j] for j in g]) for i, g in enumerate(self.groups)]

    def compute(self, split, context) -> Iterator:
        return itertools.chain.from_iterable(
            self.prev.iterator(s, context) for s in split.parents)


class CartesianRDD(RDD):
    def __init__(self, a: RDD, b: RDD):
        na, nb = a.getNumPartitions(), b.getNumPartitions()
        super().__init__(a.ctx, [ListDependency(a, [[i // nb] for i in range(na * nb)]),
                                 ListDependency(b, [[i % nb] for i in range(na * nb)])])
        self.a, self.b = a, b

    def _get_partitions(self) -> list[Partition]:
        pb = self.b.partitions()
        return [_ParentsPartition(len(pb) * i + j, [sa, sb])
                for i, sa in enumerate(self.a.partitions()) for j, sb in enumerate(pb)]

    def compute(self, split, context) -> Iterator:
        sa, sb = split.parents
        right = list(self.b.iterator(sb, context))
        for x in self.a.iterator(sa, context):
            for y in right:
                yield (x, y)


class ZippedPartitionsRDD(RDD):
    """Pairs the i-th elements of two RDDs' i-th partitions (``zip``)."""

    def __init__(self, a: RDD, b: RDD):
        if a.getNumPartitions() != b.getNumPartitions():
            raise ValueError("Can only zip with RDD which has the same number of partitions")
        super().__init__(a.ctx, [OneToOneDependency(a), OneToOneDependency(b)])
        self.a, self.b = a, b

    def _get_partitions(self) -> list[Partition]:
        return [_ParentsPartition(i, [sa, sb]) for i, (sa, sb) in
                enumerate(zip(self.a.partitions(), self.b.partitions(), strict=True))]

    def compute(self, split, context) -> Iterator:
        sa, sb = split.parents
        left, right = self.a.iterator(sa, context), self.b.iterator(sb, context)
        sentinel = object()
        for x, y in itertools.zip_longest(left, right, fillvalue=sentinel):
            if x is sentinel or y is sentinel:
                raise ValueError("Can only zip RDDs with same number of elements in each "
                                 "partition")
            yield (x, y)


class ShuffledRDD(RDD):
    """The reduce side of a shuffle: partition i holds every record whose key maps to i."""

    def __init__(self, prev: RDD, partitioner, aggregator=None, map_side_combine=False):
        dep = ShuffleDependency(prev, partitioner, prev.ctx._new_shuffle_id(), aggregator,
                                map_side_combine)
        super().__init__(prev.ctx, [dep])
        self.dep = dep
        self.partitioner = partitioner
        prev.ctx._register_shuffle(dep)

    def _get_partitions(self) -> list[Partition]:
        return [Partition(i) for i in range(self.partitioner.numPartitions)]

    def compute(self, split, context) -> Iterator:
        from sparklet.env import SparkEnv
        from sparklet.scheduler.task import _memory_limit
        from sparklet.shuffle.reader import read_shuffle

        env = SparkEnv.get()
        return read_shuffle(self.dep, split.index, context, env.block_manager,
                            _memory_limit(env))

    def _preferred_executor(self, index: int) -> str | None:
        """Where the reduce task for ``index`` should run (see BlockManagerMaster): on a
        cluster, the executor holding the most of its map output bytes, as Spark's reduce
        locality; local executors read every map output from a shared disk alike."""
        if self.ctx._backend.shares_driver_disk or self.dep is None:  # or checkpointed
            return None
        return self.ctx._map_output_tracker.preferred_reduce_executor(self.dep.shuffle_id,
                                                                      index)


class CheckpointRDD(RDD):
    """Partitions read back from files written by ``checkpoint``/``localCheckpoint``."""

    def __init__(self, ctx, path: str, num_partitions: int, partitioner=None):
        super().__init__(ctx, [])
        self.path = path
        self.num_partitions = num_partitions
        self.partitioner = partitioner

    def _get_partitions(self) -> list[Partition]:
        return [Partition(i) for i in range(self.num_partitions)]

    def compute(self, split, context) -> Iterator:
        return read_checkpoint_partition(self.path, split.index)


def checkpoint_file(path: str, index: int) -> str:
    return "%s/part-%05d" % (path.rstrip("/"), index)


def write_checkpoint_partition(path: str, index: int, records) -> None:
    """Write one partition atomically: a retried task replaces, never appends."""
    target = checkpoint_file(path, index)
    local = _local_path(target)
    if local is not None:  # plain files: an executor need not import fsspec (~17 MB RSS)
        tmp = "%s.tmp-%d" % (local, os.getpid())
        with open(tmp, "wb") as fh:
            serializers.write_batches(fh, records)
        os.replace(tmp, local)
        return
    import fsspec

    tmp = "%s.tmp-%d" % (target, os.getpid())
    with fsspec.open(tmp, "wb") as fh:
        serializers.write_batches(fh, records)
    fs, _, (tmp_path,) = fsspec.get_fs_token_paths(tmp)
    fs.mv(tmp_path, fs._strip_protocol(target))


def read_checkpoint_partition(path: str, index: int) -> Iterator:
    target = checkpoint_file(path, index)
    local = _local_path(target)
    try:
        if local is not None:
            fh = open(local, "rb")
        else:
            import fsspec

            fh = fsspec.open(target, "rb").open()
    except FileNotFoundError:
        raise RuntimeError("Checkpoint file %s is missing: the checkpoint directory was "
                           "removed or is not shared with this executor" % target) from None
    with fh:
        yield from serializers.read_records(fh)
