"""VertexRDD and EdgeRDD: RDDs of ``(id, attr)`` and of :class:`Edge` with GraphX's extras.

Each is a one-to-one view of a parent RDD, so every RDD method (``collect``, ``map``,
``filter``, ``cache``, ``checkpoint`` ...) works on it unchanged; the methods GraphX adds
return a VertexRDD/EdgeRDD again. GraphX's index structures are not built: joins go through
sparklet's pair operations, by vertex id (or by ``(srcId, dstId)`` for edges).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from sparklet.dependency import OneToOneDependency, Partition
from sparklet.graphx.edge import Edge
from sparklet.rdd import RDD

__all__ = ["VertexRDD", "EdgeRDD"]


def _first(a, b):
    return a


def _takes_two(f: Callable) -> bool:
    """Whether ``f`` takes ``(id, attr)`` rather than ``attr`` (GraphX overloads mapValues)."""
    try:
        params = [p for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.default is p.empty]
    except (TypeError, ValueError):
        return False
    return len(params) == 2


class _ViewRDD(RDD):
    """A one-to-one view of ``prev``: same partitions, same elements, same partitioner."""

    def __init__(self, prev: RDD):
        super().__init__(prev.ctx, [OneToOneDependency(prev)])
        self.prev = prev
        self.partitioner = prev.partitioner

    def _get_partitions(self) -> list[Partition]:
        return self.prev.partitions()

    def compute(self, split, context) -> Iterator:
        return self.prev.iterator(split, context)


class VertexRDD(_ViewRDD):
    """The vertices of a graph: an RDD of ``(vertexId, attr)``, one pair per id.

    >>> from sparklet import SparkContext
    >>> sc = SparkContext.getOrCreate()
    >>> v = VertexRDD(sc.parallelize([(1, "a"), (2, "b")]))
    >>> sorted(v.mapValues(str.upper).collect())
    [(1, 'A'), (2, 'B')]
    """

    @classmethod
    def _of(cls, rdd: RDD) -> VertexRDD:
        return rdd if isinstance(rdd, VertexRDD) else cls(rdd)

    @classmethod
    def apply(cls, vertices: RDD, numPartitions: int | None = None) -> VertexRDD:
        """A VertexRDD from pairs that may repeat an id (one of the values is kept),
        hash-partitioned by id."""
        return cls(vertices.reduceByKey(_first, numPartitions))

    def filter(self, pred: Callable[[tuple], bool]) -> VertexRDD:
        """The vertices for which ``pred((id, attr))`` holds."""
        return VertexRDD(RDD.filter(self, pred))

    def mapValues(self, f: Callable) -> VertexRDD:
        """``f(attr)`` or ``f(id, attr)`` (by the function's arity) for every vertex."""
        if _takes_two(f):
            return VertexRDD(self.map(lambda kv: (kv[0], f(kv[0], kv[1])),
                                      preservesPartitioning=True))
        return VertexRDD(self.map(lambda kv: (kv[0], f(kv[1])), preservesPartitioning=True))

    def minus(self, other: RDD) -> VertexRDD:
        """The vertices of this whose id is not in ``other``."""
        return VertexRDD(self.subtractByKey(other, self.getNumPartitions()))

    def diff(self, other: RDD) -> VertexRDD:
        """For ids in both, the vertices of ``other`` whose value differs from this one's."""
        def changed(kv):
            mine, theirs = kv[1]
            return [(kv[0], b) for b in theirs for a in mine[:1] if a != b][:1]
        return VertexRDD(self.cogroup(other, self.getNumPartitions()).flatMap(
            lambda kv: changed((kv[0], (list(kv[1][0]), list(kv[1][1]))))))

    def leftJoin(self, other: RDD, f: Callable[[int, Any, Any], Any]) -> VertexRDD:
        """``f(id, attr, otherAttrOrNone)`` for every vertex of this (one value of
        ``other`` per id)."""
        table = other.reduceByKey(_first)
        return VertexRDD(self.leftOuterJoin(table, self.getNumPartitions()).map(
            lambda kv: (kv[0], f(kv[0], kv[1][0], kv[1][1])), preservesPartitioning=True))

    def innerJoin(self, other: RDD, f: Callable[[int, Any, Any], Any]) -> VertexRDD:
        """``f(id, attr, otherAttr)`` for the ids in both."""
        table = other.reduceByKey(_first)
        return VertexRDD(self.join(table, self.getNumPartitions()).map(
            lambda kv: (kv[0], f(kv[0], kv[1][0], kv[1][1])), preservesPartitioning=True))

    def aggregateUsingIndex(self, messages: RDD, reduceFunc: Callable) -> VertexRDD:
        """``messages`` reduced per id by ``reduceFunc``, keeping only ids of this RDD."""
        reduced = messages.reduceByKey(reduceFunc, self.getNumPartitions())
        index = self.mapValues(lambda _: None)
        return VertexRDD(reduced.join(index, self.getNumPartitions()).mapValues(
            lambda pair: pair[0]))

    def innerZipJoin(self, other: RDD, f: Callable) -> VertexRDD:
        return self.innerJoin(other, f)

    def leftZipJoin(self, other: RDD, f: Callable) -> VertexRDD:
        return self.leftJoin(other, f)


class EdgeRDD(_ViewRDD):
    """The edges of a graph: an RDD of :class:`Edge`.

    >>> from sparklet import SparkContext
    >>> sc = SparkContext.getOrCreate()
    >>> e = EdgeRDD(sc.parallelize([Edge(1, 2, 3)]))
    >>> e.reverse().mapValues(lambda edge: edge.attr * 2).collect()
    [Edge(2,1,6)]
    """

    @classmethod
    def _of(cls, rdd: RDD) -> EdgeRDD:
        return rdd if isinstance(rdd, EdgeRDD) else cls(rdd)

    def filter(self, pred: Callable[[Edge], bool]) -> EdgeRDD:
        return EdgeRDD(RDD.filter(self, pred))

    def mapValues(self, f: Callable[[Edge], Any]) -> EdgeRDD:
        """Each edge with attribute ``f(edge)``."""
        return EdgeRDD(self.map(lambda e: Edge(e.srcId, e.dstId, f(e)),
                                preservesPartitioning=True))

    def reverse(self) -> EdgeRDD:
        """Every edge with its direction reversed."""
        return EdgeRDD(self.map(lambda e: Edge(e.dstId, e.srcId, e.attr)))

    def innerJoin(self, other: RDD, f: Callable[[int, int, Any, Any], Any]) -> EdgeRDD:
        """Edges of this whose ``(srcId, dstId)`` is in ``other``, with attribute
        ``f(srcId, dstId, attr, otherAttr)``. As GraphX, each edge of this meets the first
        edge of ``other`` with the same endpoints (multi-edges of this are all kept)."""
        mine = self.map(lambda e: ((e.srcId, e.dstId), e.attr))
        theirs = other.map(lambda e: ((e.srcId, e.dstId), e.attr)).reduceByKey(_first)
        return EdgeRDD(mine.join(theirs, self.getNumPartitions()).map(
            lambda kv: Edge(kv[0][0], kv[0][1], f(kv[0][0], kv[0][1], kv[1][0], kv[1][1]))))
