"""Connected components: every vertex labelled with the smallest vertex id of its (weakly)
connected component, as GraphX's ``lib.ConnectedComponents``.

GraphX runs it as a Pregel: each vertex starts with its own id, and along every edge whose
endpoints disagree the smaller label is sent to the other end, until no label changes (or
``maxIterations`` rounds). Here the same rounds run on pair RDDs: a vertex whose label fell
in the last round sends it to its neighbours (a cached undirected adjacency list
co-partitioned with the labels, merged with them partition by partition), and only the
messages that lower a label count, so a
round here is a superstep there and ``maxIterations`` cuts the run at the same point.
"""

from __future__ import annotations

from sparklet.graphx.lib._iter import RoundState, scatter, update, vertex_partitions

__all__ = ["ConnectedComponents"]


def _neighbours(graph, n: int):
    """``(id, [neighbour, ...])``: both directions of every edge, self-loops dropped."""
    def both(e):
        if e.srcId != e.dstId:
            yield e.srcId, e.dstId
            yield e.dstId, e.srcId
    return graph.edges.flatMap(both).groupByKey(n).mapValues(lambda ns: list(set(ns))).cache()


def label_components(graph, maxIterations: int):
    """``(id, smallest id reached)`` pairs after at most ``maxIterations`` rounds."""
    n = vertex_partitions(graph)
    nbrs = _neighbours(graph, n)
    # State per vertex: (label, label fell in the last round).
    state = RoundState(graph.vertices.partitionBy(n).mapValues(lambda vid, _: (vid, True)))

    def lower(vid, s, offer):
        label = s[0]
        return (offer, True) if offer is not None and offer < label else (label, False)
    rounds = 0
    while rounds < maxIterations:
        offers = scatter(nbrs, state.current, lambda s: s[0] if s[1] else None,
                         lambda label, _: label, min, n)
        nxt = state.advance(update(state.current, offers, lower))
        changed = nxt.filter(lambda kv: kv[1][1]).count()
        state.release()
        if changed == 0:
            break
        rounds += 1
    nbrs.unpersist()
    return state.current.mapValues(lambda s: s[0])


class ConnectedComponents:
    """GraphX's ``lib.ConnectedComponents``.

    >>> from sparklet import SparkContext
    >>> from sparklet.graphx import Graph
    >>> sc = SparkContext.getOrCreate()
    >>> g = Graph.fromEdgeTuples(sc.parallelize([(1, 2), (3, 2), (7, 8)]), 0)
    >>> sorted(ConnectedComponents.run(g).vertices.collect())
    [(1, 1), (2, 1), (3, 1), (7, 7), (8, 7)]
    """

    @staticmethod
    def run(graph, maxIterations: int | None = None):
        """The graph with each vertex's attribute replaced by its component's smallest id."""
        from sparklet.graphx.graph import Graph

        if maxIterations is None:
            maxIterations = 2 ** 31 - 1
        if maxIterations <= 0:
            raise ValueError("Maximum of iterations must be greater than 0, but got %s"
                             % maxIterations)
        return Graph._of(label_components(graph, maxIterations), graph.edges)
