"""Partitioners: which reduce partition a key goes to.

Hash partitioning uses PySpark's ``portable_hash``: stable for ``None`` and tuples across
processes, and for strings as long as every worker runs with the same ``PYTHONHASHSEED``
(sparklet starts its workers with ``PYTHONHASHSEED=0``, as Spark does).
"""

from __future__ import annotations

import bisect
import itertools
import operator
import sys
from collections.abc import Callable, Collection, Hashable, Iterator
from typing import Any

__all__ = ["portable_hash", "Partitioner", "HashPartitioner", "RangePartitioner"]


_M64 = (1 << 64) - 1
_FINALISATION = ((0, 0xFF), (0, 0), (0, 0))  # SipHash's three closing rounds


def _seed0_hash(data: bytes) -> int:
    """CPython's (3.11+) hash of ``data`` under PYTHONHASHSEED=0: SipHash-1-3, zero key.

    Written out with local variables only (no helper calls, no closure cells): it runs for
    every new string key a driver with a random seed partitions (the threads backend).
    """
    n = len(data)
    if not n:
        return 0
    m64 = _M64
    v0, v1 = 0x736F6D6570736575, 0x646F72616E646F6D
    v2, v3 = 0x6C7967656E657261, 0x7465646279746573
    end = n - n % 8
    # One SipRound per message word m (v3 ^= m before it, v0 ^= m after), then three
    # finalisation rounds, the first after v2 ^= 0xFF: one loop over (m, v2 mask) pairs.
    rounds = [(int.from_bytes(data[i:i + 8], "little"), 0) for i in range(0, end, 8)]
    rounds.append((((n & 0xFF) << 56) | int.from_bytes(data[end:], "little"), 0))
    rounds += _FINALISATION
    for m, f in rounds:
        v2 ^= f
        v3 ^= m
        v0 = (v0 + v1) & m64
        v1 = ((v1 << 13) | (v1 >> 51)) & m64 ^ v0
        v0 = ((v0 << 32) | (v0 >> 32)) & m64
        v2 = (v2 + v3) & m64
        v3 = ((v3 << 16) | (v3 >> 48)) & m64 ^ v2
        v0 = (v0 + v3) & m64
        v3 = ((v3 << 21) | (v3 >> 43)) & m64 ^ v0
        v2 = (v2 + v1) & m64
        v1 = ((v1 << 17) | (v1 >> 47)) & m64 ^ v2
        v2 = ((v2 << 32) | (v2 >> 32)) & m64
        v0 ^= m
    h = v0 ^ v1 ^ v2 ^ v3
    h = h - (1 << 64) if h >> 63 else h
    return -2 if h == -1 else h


def _str_data(s: str) -> bytes:
    """The bytes CPython hashes for ``s``: its compact 1-, 2- or 4-byte representation."""
    if s.isascii():  # a flag test, no scan
        return s.encode("ascii")
    widest = max(map(ord, s))
    if widest < 0x100:
        return s.encode("latin-1")
    if widest < 0x10000:
        return s.encode("utf-16-le", "surrogatepass")
    return s.encode("utf-32-le")


# Workers run with PYTHONHASHSEED=0 (as PySpark's do). A driver with another seed computes
# string hashes the workers' way, so e.g. ``partitioner(key)`` on the driver names the
# partition the shuffle put the key in, and gives PySpark's values.
_DRIVER_SEED_ZERO = hash("sparklet") == _seed0_hash(b"sparklet")


# Word-like keys repeat: each map task of a word count partitions the same few thousand
# words, so a driver with a random seed keeps their SipHash values. Bounded (cleared when
# full) so a stream of distinct keys cannot grow it without limit; short keys only, so it
# never holds big strings alive.
_SEED0_MEMO: dict[str | bytes, int] = {}
_SEED0_MEMO_ENTRIES = 1 << 16
_SEED0_MEMO_KEY_LENGTH = 256


def _seed0_hash_memo(x: str | bytes) -> int:
    h = _SEED0_MEMO.get(x)
    if h is None:
        h = _seed0_hash(_str_data(x) if type(x) is str else x)
        if len(x) <= _SEED0_MEMO_KEY_LENGTH:
            if len(_SEED0_MEMO) >= _SEED0_MEMO_ENTRIES:
                _SEED0_MEMO.clear()
            _SEED0_MEMO[x] = h
    return h


# Key types whose portable_hash is the builtin hash in this process (seed-independent ones,
# and str/bytes when this process runs with seed 0): ``partition_ids`` buckets them with no
# Python call per key. None (0, but hash(None) is identity-based) and tuples go the full way.
_HASHED_AS_IS = frozenset({int, float, bool} | ({str, bytes} if _DRIVER_SEED_ZERO else set()))


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
    if not _DRIVER_SEED_ZERO and (type(x) is str or type(x) is bytes):
        return _seed0_hash_memo(x)
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


def partition_ids(partitioner: Partitioner, keys: Collection) -> Iterator[int]:
    """The partition of each of ``keys`` (a list or dict view, read twice), in order: the
    same numbers as ``map(partitioner, keys)``.

    With the default ``portable_hash`` and keys all of plain types (str, int, float, bytes,
    bool in a seed-0 process) the builtin ``hash`` runs in C for every key.

    >>> list(partition_ids(HashPartitioner(3), [4, 5, None, ("a", None)]))
    [1, 2, 0, 1]
    """
    if type(partitioner).__call__ is not Partitioner.__call__:
        return map(partitioner, keys)
    func = partitioner.partitionFunc
    if func is portable_hash and set(map(type, keys)) <= _HASHED_AS_IS:
        func = hash
    return map(operator.mod, map(func, keys), itertools.repeat(partitioner.numPartitions))


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
