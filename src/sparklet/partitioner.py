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


_M64 = (1 << 64) - 1


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & _M64


def _seed0_hash(data: bytes) -> int:
    """CPython's (3.11+) hash of ``data`` under PYTHONHASHSEED=0: SipHash-1-3, zero key."""
    if not data:
        return 0
    v0, v1 = 0x736F6D6570736575, 0x646F72616E646F6D
    v2, v3 = 0x6C7967656E657261, 0x7465646279746573

    def rounds(n: int) -> None:
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & _M64
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _M64
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _M64
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _M64
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)

    n = len(data)
    end = n - n % 8
    for i in range(0, end, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v3 ^= m
        rounds(1)
        v0 ^= m
    b = ((n & 0xFF) << 56) | int.from_bytes(data[end:], "little")
    v3 ^= b
    rounds(1)
    v0 ^= b
    v2 ^= 0xFF
    rounds(3)
    h = v0 ^ v1 ^ v2 ^ v3
    h = h - (1 << 64) if h >> 63 else h
    return -2 if h == -1 else h


def _str_data(s: str) -> bytes:
    """The bytes CPython hashes for ``s``: its compact 1-, 2- or 4-byte representation."""
    widest = max(map(ord, s), default=0)
    if widest < 0x100:
        return s.encode("latin-1")
    if widest < 0x10000:
        return s.encode("utf-16-le", "surrogatepass")
    return s.encode("utf-32-le")


# Workers run with PYTHONHASHSEED=0 (as PySpark's do). A driver with another seed computes
# string hashes the workers' way, so e.g. ``partitioner(key)`` on the driver names the
# partition the shuffle put the key in, and gives PySpark's values.
_DRIVER_SEED_ZERO = hash("sparklet") == _seed0_hash(b"sparklet")


def portable_hash(x: Hashable) -> int:
    """Hash that does not depend on object identity, for None and tuples containing None.

    Strings and bytes hash as under ``PYTHONHASHSEED=0`` in every process.

    >>> portable_hash(None)
    0
    >>> portable_hash((None, 1)) & 0xffffffff
    219750521
    >>> portable_hash("a"), portable_hash(("a", None))
    (4644417185603328019, 102774922575124033)
    """
    if x is None:
        return 0
    if not _DRIVER_SEED_ZERO:
        if type(x) is str:
            return _seed0_hash(_str_data(x))
        if type(x) is bytes:
            return _seed0_hash(x)
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
