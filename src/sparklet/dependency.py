"""Partitions and dependencies: the edges of an RDD's lineage graph.

A narrow dependency means each child partition reads a few known parent partitions, so the
two are computed in one task. A shuffle dependency means every child partition reads a piece
of every parent partition: the DAG scheduler cuts a stage there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sparklet.partitioner import Partitioner
    from sparklet.rdd import RDD
    from sparklet.shuffle.aggregator import Aggregator

__all__ = ["Partition", "Dependency", "NarrowDependency", "OneToOneDependency",
           "RangeDependency", "ShuffleDependency"]


class Partition:
    """One slice of an RDD; subclasses carry what ``compute`` needs (parent splits, data)."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __getstate__(self):
        return {s: getattr(self, s) for cls in type(self).__mro__
                for s in getattr(cls, "__slots__", ()) if hasattr(self, s)}

    def __setstate__(self, state):
        for k, v in state.items():
            setattr(self, k, v)

    def __repr__(self) -> str:
        return "%s(%d)" % (type(self).__name__, self.index)


class Dependency:
    def __init__(self, rdd: RDD):
        self.rdd = rdd


class NarrowDependency(Dependency):
    """Each child partition depends on a small, known set of parent partitions."""

    def get_parents(self, partition_id: int) -> list[int]:
        raise NotImplementedError


class OneToOneDependency(NarrowDependency):
    def get_parents(self, partition_id: int) -> list[int]:
        return [partition_id]


class RangeDependency(NarrowDependency):
    """Child partitions [out_start, out_start + length) map to parent [in_start, ...)."""

    def __init__(self, rdd: RDD, in_start: int, out_start: int, length: int):
        super().__init__(rdd)
        self.in_start, self.out_start, self.length = in_start, out_start, length

    def get_parents(self, partition_id: int) -> list[int]:
        if self.out_start <= partition_id < self.out_start + self.length:
            return [partition_id - self.out_start + self.in_start]
        return []


class ListDependency(NarrowDependency):
    """An explicit child -> parents table (coalesce, cartesian)."""

    def __init__(self, rdd: RDD, parents: list[list[int]]):
        super().__init__(rdd)
        self.parents = parents

    def get_parents(self, partition_id: int) -> list[int]:
        return self.parents[partition_id]


@dataclass(eq=False)
class ShuffleDependency(Dependency):
    """The parent's records are redistributed by ``partitioner``, optionally pre-combined."""

    rdd: Any
    partitioner: Partitioner
    shuffle_id: int
    aggregator: Aggregator | None = None
    map_side_combine: bool = False
    extra: dict = field(default_factory=dict)

    def __getstate__(self):
        # A task never needs the map side's lineage: reduce tasks fetch its output by
        # shuffle id, and map tasks carry the map-side RDD separately. Leaving it out keeps
        # task binaries small and their depth bounded by the stage, not the whole job.
        state = self.__dict__.copy()
        state["rdd"] = None
        return state
