"""PageRank, static (a fixed number of iterations) and dynamic (until ranks change by less
than ``tol``), plain or personalised to one source vertex, with GraphX's semantics.

Each edge ``u -> v`` carries weight ``1 / outDegree(u)`` (parallel edges and self-loops
count, as in GraphX), and a round computes, for every vertex::

    rank(v) = resetProb + (1 - resetProb) * sum(rank(u) * weight(u -> v))

(personalised: ``resetProb`` only at the source, ``0`` elsewhere). A vertex without
out-edges (a sink) passes its rank to nobody, so the total shrinks; as GraphX does since
Spark 2.4 (SPARK-18847), the final ranks are rescaled so they sum to the number of vertices
(personalised: to 1). At convergence this equals ``N * networkx.pagerank(G, alpha=1 -
resetProb)`` (personalised: networkx's with ``personalization={src: 1}``), which spreads a
sink's rank evenly instead: the two fixed points differ only by a constant factor.

The dynamic version is GraphX's delta-propagation Pregel: round 0 gives every vertex
``resetProb`` (personalised: the source 1, others 0), then a vertex sends the change of
its rank along its out-edges while that change exceeds ``tol``; a vertex whose rank moves
sends again in the next round, and the run ends when no vertex sends.

The loop runs on pair RDDs partitioned like the graph's vertices: a cached adjacency list
``(src, [dst, ...])`` merged partition by partition with the ranks (co-partitioned), so
only the contributions are shuffled each round.
"""

from __future__ import annotations

from operator import add
from typing import Any

from sparklet.graphx.edge import Edge
from sparklet.graphx.lib._iter import RoundState, scatter, update, vertex_partitions

__all__ = ["PageRank"]

def _check(resetProb: float, tol: float | None = None, numIter: int | None = None) -> None:
    if numIter is not None and numIter <= 0:
        raise ValueError("Number of iterations must be greater than 0, but got %s" % numIter)
    if tol is not None and tol < 0:
        raise ValueError("Tolerance must be no less than 0, but got %s" % tol)
    if not 0 <= resetProb <= 1:
        raise ValueError("Random reset probability must belong to [0, 1], but got %s"
                         % resetProb)


def _links(graph, n: int):
    """``(src, [dst, ...])`` for every vertex with out-edges, partitioned like the ranks."""
    return (graph.edges.map(lambda e: (e.srcId, e.dstId)).groupByKey(n)
            .mapValues(list).cache())


def _contributions(links, state, n: int, value):
    """Per destination, the sum of ``value(state) / outDegree(src)`` over its in-edges, for
    the sources whose ``value`` is not None."""
    return scatter(links, state, value, lambda v, dsts: v / len(dsts), add, n)


def _ranked_graph(graph, ranks, personalized: bool):
    """The result graph: normalised ranks on the vertices, ``1 / outDegree(src)`` on the
    edges (as GraphX returns)."""
    from sparklet.graphx.graph import Graph

    total, count = ranks.values().aggregate(
        (0.0, 0), lambda acc, r: (acc[0] + r, acc[1] + 1),
        lambda a, b: (a[0] + b[0], a[1] + b[1]))
    factor = (1.0 / total) if personalized else (count / total if total else 0.0)
    vertices = ranks.mapValues(lambda r: r * factor)
    n = ranks.getNumPartitions()
    degrees = graph.outDegrees
    edges = (graph.edges.map(lambda e: (e.srcId, e)).join(degrees, n)
             .map(lambda kv: Edge(kv[1][0].srcId, kv[1][0].dstId, 1.0 / kv[1][1])))
    return Graph._of(vertices, edges)


class PageRank:
    """GraphX's ``lib.PageRank``.

    >>> from sparklet import SparkContext
    >>> from sparklet.graphx import Graph
    >>> sc = SparkContext.getOrCreate()
    >>> cycle = Graph.fromEdgeTuples(sc.parallelize([(1, 2), (2, 3), (3, 1)]), 0)
    >>> sorted((v, round(r, 6)) for v, r in PageRank.run(cycle, 5).vertices.collect())
    [(1, 1.0), (2, 1.0), (3, 1.0)]
    """

    @staticmethod
    def run(graph, numIter: int, resetProb: float = 0.15):
        """Static PageRank: ``numIter`` rounds."""
        return PageRank.runWithOptions(graph, numIter, resetProb)

    @staticmethod
    def runWithOptions(graph, numIter: int, resetProb: float = 0.15,
                       srcId: Any = None):
        """Static PageRank, personalised to ``srcId`` when given."""
        _check(resetProb, numIter=numIter)
        personalized = srcId is not None
        n = vertex_partitions(graph)
        links = _links(graph, n)
        state = RoundState(graph.vertices.partitionBy(n).mapValues(
            lambda vid, _: 1.0 if (not personalized or vid == srcId) else 0.0))

        def step(vid, _old, c, reset=resetProb):
            base = reset if not personalized else (reset if vid == srcId else 0.0)
            return base + (1.0 - reset) * (c or 0.0)
        for _ in range(numIter):
            contribs = _contributions(links, state.current, n, lambda rank: rank)
            state.advance(update(state.current, contribs, step))
            state.current.count()
            state.release()
        links.unpersist()
        return _ranked_graph(graph, state.current, personalized)

    @staticmethod
    def runUntilConvergence(graph, tol: float, resetProb: float = 0.15):
        """Dynamic PageRank: until no rank changes by more than ``tol``."""
        return PageRank.runUntilConvergenceWithOptions(graph, tol, resetProb)

    @staticmethod
    def runUntilConvergenceWithOptions(graph, tol: float, resetProb: float = 0.15,
                                       srcId: Any = None):
        """Dynamic PageRank, personalised to ``srcId`` when given."""
        _check(resetProb, tol=tol)
        personalized = srcId is not None
        n = vertex_partitions(graph)
        links = _links(graph, n)

        # State per vertex: (rank, last change, received a message in the last round).
        def start(vid, _):
            if personalized:
                return (1.0, 1.0, True) if vid == srcId else (0.0, 0.0, True)
            return (resetProb, resetProb, True)
        state = RoundState(graph.vertices.partitionBy(n).mapValues(start))

        def step(vid, s, m, reset=resetProb):
            rank, delta, _ = s
            if m is None:
                return (rank, delta, False)
            change = (1.0 - reset) * m
            return (rank + change, change, True)
        while True:
            # A vertex sends the change of its rank while it received a message last round
            # and that change exceeds tol.
            msgs = _contributions(links, state.current, n,
                                  lambda s: s[1] if s[2] and s[1] > tol else None)
            nxt = state.advance(update(state.current, msgs, step))
            # One job a round: the vertices that received a message (none: converged, and
            # this last round changed nothing).
            received = nxt.filter(lambda kv: kv[1][2]).count()
            state.release()
            if received == 0:
                break
        links.unpersist()
        return _ranked_graph(graph, state.current.mapValues(lambda s: s[0]), personalized)
