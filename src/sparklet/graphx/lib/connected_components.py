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

from sparklet.graphx.lib._iter import RoundState, vertex_partitions, zip_partitions

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
    sc = graph.vertices.ctx
    nbrs = _neighbours(graph, n)
    # State per vertex: (label, label fell in the last round).
    state = RoundState(sc, graph.vertices.partitionBy(n).mapValues(lambda vid, _: (vid, True)))
    rounds = 0
    while rounds < maxIterations:
        def offer(nbrs_it, state_it):
            fell = {vid: s[0] for vid, s in state_it if s[1]}
            for vid, ns in nbrs_it:
                label = fell.get(vid)
                if label is not None:
                    for u in ns:
                        yield u, label
        offers = zip_partitions([nbrs, state.current], offer, keeps_keys=False) \
            .reduceByKey(min, n)

        def lower(state_it, offers_it):
            best = dict(offers_it)
            for vid, (label, _) in state_it:
                o = best.get(vid)
                yield (vid, (o, True)) if o is not None and o < label else (vid, (label, False))
        nxt = zip_partitions([state.current, offers], lower, keeps_keys=True)
        state.advance(nxt)
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
