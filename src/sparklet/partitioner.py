"""Partitioners: which reduce partition a key goes to.

Hash partitioning uses PySpark's ``portable_hash``: stable for ``None`` and tuples across
processes, and for strings as long as every worker runs with the same ``PYTHONHASHSEED``
(sparklet starts its workers with ``PYTHONHASHSEED=0``, as Spark does).
"""

from __future__ import annotations

import bisect
import sys
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["portable_hash", "Partitioner", "HashPartitioner", "RangePartitioner"]


def portable_hash(x: Hashable) -> int:
    """Hash that does not depend on object identity, for None and tuples containing None.

    >>> portable_hash(None)
    0
    >>> portable_hash((None, 1)) & 0xffffffff
    219750521
    """
    if x is None:
        return 0
    if isinstance(x, tuple):
        h = 0x345678
        for item in x:
            h ^= portable_hash(item)
            h *= 1000003
            h &= sys.maxsize
        h ^= len(x)
        return -2 if h == -1 else int(h)
    return hash(x)


class Partitioner:
    """Maps a key to a partition: ``partitionFunc(key) % numPartitions``.

    >>> p = Partitioner(3, portable_hash)
    >>> p(4), p(5), p == Partitioner(3, portable_hash)
    (1, 2, True)
    """

    def __init__(self, numPartitions: int, partitionFunc: Callable[[Any], int]):
        self.numPartitions = numPartitions
        self.partitionFunc = partitionFunc

    def __eq__(self, other: Any) -> bool:
        return (
            isinstance(other, Partitioner)
            and self.numPartitions == other.numPartitions
            and self.partitionFunc == other.partitionFunc
        )

    def __hash__(self) -> int:
        return hash((self.numPartitions, self.partitionFunc))

    def __call__(self, k: Any) -> int:
        return self.partitionFunc(k) % self.numPartitions

    def __repr__(self) -> str:
        return "%s(%d)" % (type(self).__name__, self.numPartitions)


class HashPartitioner(Partitioner):
    """The default partitioner: ``portable_hash(key) % numPartitions``."""

    def __init__(self, numPartitions: int):
        super().__init__(numPartitions, portable_hash)


class RangePartitioner(Partitioner):
    """Keys split at sampled bounds, so each partition holds a contiguous key range.

    >>> rp = RangePartitioner([10, 20], ascending=True)
    >>> [rp(k) for k in (5, 10, 15, 25)]
    [0, 0, 1, 2]
    """

    def __init__(self, bounds: list, ascending: bool = True,
                 keyfunc: Callable[[Any], Any] = lambda x: x):
        self.bounds = bounds
        self.ascending = ascending
        self.keyfunc = keyfunc
        super().__init__(len(bounds) + 1, self._index)

    def _index(self, k: Any) -> int:
        p = bisect.bisect_left(self.bounds, self.keyfunc(k))
        return p if self.ascending else len(self.bounds) - p

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, RangePartitioner) and self.bounds == other.bounds
                and self.ascending == other.ascending and self.keyfunc == other.keyfunc)

    def __hash__(self) -> int:
        return hash((len(self.bounds), self.ascending))
