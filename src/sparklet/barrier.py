"""RDDBarrier: ``rdd.barrier()``, the entry to barrier execution mode.

The RDD it returns runs as a barrier stage: all its tasks start together (or the job fails
when the cluster has fewer slots than tasks), a failed task fails the whole stage attempt,
and the tasks can synchronise with :class:`~sparklet.taskcontext.BarrierTaskContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["RDDBarrier"]


class RDDBarrier:
    """Wraps an RDD in a barrier stage; made by :meth:`RDD.barrier`.

    >>> from sparklet import BarrierTaskContext
    >>> rdd = sc.parallelize(range(6), 2).barrier().mapPartitions(
    ...     lambda it: [BarrierTaskContext.get().allGather(str(sum(it)))])
    >>> rdd.collect()
    [['3', '12'], ['3', '12']]
    """

    def __init__(self, rdd):
        self.rdd = rdd

    def mapPartitions(self, f: Callable[[Iterable[Any]], Iterable[Any]],
                      preservesPartitioning: bool = False):
        """An RDD applying ``f`` to each partition, with all tasks in one barrier stage."""
        return self.mapPartitionsWithIndex(lambda _, it: f(it), preservesPartitioning)

    def mapPartitionsWithIndex(self, f: Callable[[int, Iterable[Any]], Iterable[Any]],
                               preservesPartitioning: bool = False):
        """Like :meth:`mapPartitions`, with the partition index as ``f``'s first argument."""
        rdd = self.rdd.mapPartitionsWithIndex(f, preservesPartitioning)
        rdd._is_from_barrier = True
        return rdd
