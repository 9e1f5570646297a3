"""How edges are placed in partitions: GraphX's four PartitionStrategy hash functions.

They reproduce GraphX's arithmetic (Scala's 64-bit ``Long`` products that wrap, ``math.abs``,
truncating ``%``, and Scala 2.12's ``Tuple2.hashCode``, MurmurHash3's product hash) so an
edge lands in the partition GraphX would put it in.
"""

from __future__ import annotations

import math

__all__ = ["PartitionStrategy"]

_MIXING_PRIME = 1125899906842597
_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF


def _long(x: int) -> int:
    x &= _MASK64
    return x - (1 << 64) if x >> 63 else x


def _int(x: int) -> int:
    x &= _MASK32
    return x - (1 << 32) if x >> 31 else x


def _abs_long(x: int) -> int:
    return x if x == -(1 << 63) else abs(x)  # Long.MinValue stays negative, as in Scala


def _abs_int(x: int) -> int:
    return x if x == -(1 << 31) else abs(x)


def _mod(a: int, n: int) -> int:
    """Scala/Java ``%``: the sign of the dividend."""
    r = abs(a) % n
    return r if a >= 0 else -r


def _rotl(x: int, r: int) -> int:
    x &= _MASK32
    return ((x << r) | (x >> (32 - r))) & _MASK32


def _mix_last(h: int, k: int) -> int:
    k = (k * 0xcc9e2d51) & _MASK32
    k = _rotl(k, 15)
    k = (k * 0x1b873593) & _MASK32
    return (h ^ k) & _MASK32


def _mix(h: int, k: int) -> int:
    h = _rotl(_mix_last(h, k), 13)
    return (h * 5 + 0xe6546b64) & _MASK32


def _finalize(h: int, length: int) -> int:
    h = (h ^ length) & _MASK32
    h ^= h >> 16
    h = (h * 0x85ebca6b) & _MASK32
    h ^= h >> 13
    h = (h * 0xc2b2ae35) & _MASK32
    h ^= h >> 16
    return _int(h)


def _long_hash(v: int) -> int:
    """Scala's ``##`` of a Long: its Int value when it fits, else Java's Long.hashCode."""
    v = _long(v)
    if -(1 << 31) <= v < (1 << 31):
        return v & _MASK32
    u = v & _MASK64
    return (u ^ (u >> 32)) & _MASK32


def tuple2_hash(a: int, b: int) -> int:
    """``(a, b).hashCode`` of two Longs in Scala 2.12 (MurmurHash3.productHash)."""
    h = 0xcafebabe
    h = _mix(h, _long_hash(a))
    h = _mix(h, _long_hash(b))
    return _finalize(h, 2)


class PartitionStrategy:
    """A rule mapping an edge ``(src, dst)`` to one of ``numParts`` partitions."""

    __slots__ = ("name",)
    EdgePartition1D: PartitionStrategy
    EdgePartition2D: PartitionStrategy
    RandomVertexCut: PartitionStrategy
    CanonicalRandomVertexCut: PartitionStrategy

    def __init__(self, name: str):
        self.name = name

    def getPartition(self, src: int, dst: int, numParts: int) -> int:
        return getattr(self, "_" + self.name)(src, dst, numParts)

    @staticmethod
    def _EdgePartition1D(src: int, dst: int, numParts: int) -> int:
        """All out-edges of a vertex together: by the source id only."""
        return _mod(_abs_long(_long(src * _MIXING_PRIME)), numParts)

    @staticmethod
    def _EdgePartition2D(src: int, dst: int, numParts: int) -> int:
        """A sqrt(N) x sqrt(N) grid: a vertex is replicated to at most 2 sqrt(N) parts."""
        ceil_sqrt = math.ceil(math.sqrt(numParts))
        src_mix = _abs_long(_long(src * _MIXING_PRIME))
        dst_mix = _abs_long(_long(dst * _MIXING_PRIME))
        if numParts == ceil_sqrt * ceil_sqrt:
            col = _mod(src_mix, ceil_sqrt)
            row = _mod(dst_mix, ceil_sqrt)
            return _mod(col * ceil_sqrt + row, numParts)
        cols = ceil_sqrt
        rows = (numParts + cols - 1) // cols
        last_col_rows = numParts - rows * (cols - 1)
        m = _mod(src_mix, numParts)
        col = abs(m) // rows * (1 if m >= 0 else -1)
        row = _mod(dst_mix, rows if col < cols - 1 else last_col_rows)
        return col * rows + row

    @staticmethod
    def _RandomVertexCut(src: int, dst: int, numParts: int) -> int:
        """By the hash of ``(src, dst)``: edges of the same direction land together."""
        return _mod(_abs_int(tuple2_hash(src, dst)), numParts)

    @staticmethod
    def _CanonicalRandomVertexCut(src: int, dst: int, numParts: int) -> int:
        """By the hash of the ordered pair: both directions of an edge land together."""
        if src < dst:
            return _mod(_abs_int(tuple2_hash(src, dst)), numParts)
        return _mod(_abs_int(tuple2_hash(dst, src)), numParts)

    @staticmethod
    def fromString(s: str) -> PartitionStrategy:
        if s not in ("EdgePartition1D", "EdgePartition2D", "RandomVertexCut",
                     "CanonicalRandomVertexCut"):
            raise ValueError("Invalid PartitionStrategy: " + s)
        return getattr(PartitionStrategy, s)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PartitionStrategy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self):
        return (getattr, (PartitionStrategy, self.name))

    def __repr__(self) -> str:
        return "PartitionStrategy.%s" % self.name


for _name in ("EdgePartition1D", "EdgePartition2D", "RandomVertexCut",
              "CanonicalRandomVertexCut"):
    setattr(PartitionStrategy, _name, PartitionStrategy(_name))
