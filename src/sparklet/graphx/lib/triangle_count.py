"""Triangle counting: per vertex, the number of triangles through it, as GraphX's
``lib.TriangleCount``.

The graph is read as undirected and simple: self-loops are dropped and edges between the
same two vertices (either direction, any multiplicity) count once, which is what GraphX's
``run`` does by canonicalising the edges first. Every vertex gets its neighbour set; each
edge ``u - v`` contributes ``|N(u) & N(v)|`` to both ends, and every triangle through a
vertex is so counted twice (once per incident edge), hence the final halving.
"""

from __future__ import annotations

from operator import add

from sparklet.graphx.lib._iter import vertex_partitions

__all__ = ["TriangleCount"]


class TriangleCount:
    """GraphX's ``lib.TriangleCount``.

    >>> from sparklet import SparkContext
    >>> from sparklet.graphx import Graph
    >>> sc = SparkContext.getOrCreate()
    >>> g = Graph.fromEdgeTuples(sc.parallelize([(1, 2), (2, 3), (3, 1), (3, 4)]), 0)
    >>> sorted(TriangleCount.run(g).vertices.collect())
    [(1, 1), (2, 1), (3, 1), (4, 0)]
    """

    @staticmethod
    def run(graph):
        """Count triangles after canonicalising the edges (any orientation accepted)."""
        return TriangleCount._count(graph)

    @staticmethod
    def runPreCanonicalized(graph):
        """GraphX's entry point for a graph whose edges already point from the smaller id
        to the larger, without duplicates. The count here does not rely on that (it
        canonicalises anyway), so any graph gives :meth:`run`'s answer."""
        return TriangleCount._count(graph)

    @staticmethod
    def _count(graph):
        from sparklet.graphx.graph import Graph

        n = vertex_partitions(graph)

        def canonical(e):
            if e.srcId != e.dstId:
                yield (min(e.srcId, e.dstId), max(e.srcId, e.dstId))
        pairs = graph.edges.flatMap(canonical).distinct(n).cache()
        nbr_sets = (pairs.flatMap(lambda p: (p, (p[1], p[0]))).groupByKey(n)
                    .mapValues(frozenset))
        with_src = pairs.join(nbr_sets, n).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))

        def shared(kv):
            dst, ((src, src_set), dst_set) = kv
            c = len(src_set & dst_set)
            if c:
                yield src, c
                yield dst, c
        counts = with_src.join(nbr_sets, n).flatMap(shared).reduceByKey(add, n)
        vertices = graph.vertices.leftJoin(counts, lambda vid, _, c: (c or 0) // 2)
        return Graph._of(vertices, graph.edges)
