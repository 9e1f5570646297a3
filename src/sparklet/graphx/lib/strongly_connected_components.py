"""Strongly connected components: every vertex labelled with the smallest vertex id of its
strongly connected component, as GraphX's ``lib.StronglyConnectedComponents``.

Each of the ``numIter`` outer rounds first trims, repeatedly, the vertices left with no in-
or no out-edge (each is a component on its own); then colours the rest with a forward
Pregel (a vertex's colour becomes the smallest id that reaches it); then, with a backward
Pregel from every vertex whose colour is its own id (a root), marks final the vertices that
reach their root through vertices of the same colour: those form the root's component,
whose smallest id is the root. Final vertices leave the working graph. A vertex not yet
final when the rounds run out keeps its own id, as in GraphX.
"""

from __future__ import annotations

from sparklet.graphx.edge import EdgeDirection

__all__ = ["StronglyConnectedComponents"]


def _trim(work):
    """Mark final, repeatedly, the vertices without an in- or an out-edge in ``work``;
    return the work graph without them and the ``(id, scc)`` pairs they settled."""
    settled = []
    count = work.numVertices()
    while True:
        work = (work.outerJoinVertices(work.outDegrees,
                                       lambda vid, d, deg: d if deg else (vid, True))
                .outerJoinVertices(work.inDegrees,
                                   lambda vid, d, deg: d if deg else (vid, True)))
        work.vertices.cache()
        settled.append(work.vertices.filter(lambda kv: kv[1][1]).mapValues(lambda d: d[0])
                       .cache())
        work = work.subgraph(vpred=lambda vid, d: not d[1])
        work.vertices.cache()
        work.edges.cache()
        remaining = work.numVertices()
        if remaining >= count:
            return work, settled
        count = remaining


def _colour(work):
    """Forward: each vertex's colour falls to the smallest colour among those reaching it."""
    def send(t):
        if t.srcAttr[0] < t.dstAttr[0]:
            return [(t.dstId, t.srcAttr[0])]
        return []
    return work.pregel(2 ** 63 - 1, lambda vid, s, c: (min(s[0], c), s[1]), send, min,
                       activeDirection=EdgeDirection.Out)


def _close(work):
    """Backward: roots are final, and so is a vertex with an edge to a final vertex of its
    own colour."""
    def vprog(vid, s, final_neighbour):
        return (s[0], s[1] or vid == s[0] or final_neighbour)

    def send(t):
        if t.srcAttr[0] == t.dstAttr[0] and t.dstAttr[1] and not t.srcAttr[1]:
            return [(t.srcId, True)]
        return []
    return work.pregel(False, vprog, send, lambda a, b: a or b,
                       activeDirection=EdgeDirection.In)


class StronglyConnectedComponents:
    """GraphX's ``lib.StronglyConnectedComponents``.

    >>> from sparklet import SparkContext
    >>> from sparklet.graphx import Graph
    >>> sc = SparkContext.getOrCreate()
    >>> g = Graph.fromEdgeTuples(sc.parallelize([(1, 2), (2, 1), (2, 3), (3, 4), (4, 3)]), 0)
    >>> sorted(StronglyConnectedComponents.run(g, 5).vertices.collect())
    [(1, 1), (2, 1), (3, 3), (4, 3)]
    """

    @staticmethod
    def run(graph, numIter: int):
        from sparklet.graphx.graph import Graph

        if numIter <= 0:
            raise ValueError("Number of iterations must be greater than 0, but got %s"
                             % numIter)
        work = graph.mapVertices(lambda vid, _: (vid, False))
        settled = []
        for _ in range(numIter):
            if work.numVertices() == 0:
                break
            work, done = _trim(work)
            settled.extend(done)
            if work.numVertices() == 0:
                break
            work = work.mapVertices(lambda vid, s: (vid, s[1]))
            work = _close(_colour(work))
        # The final vertices of the last backward pass are settled too.
        settled.append(work.vertices.filter(lambda kv: kv[1][1]).mapValues(lambda d: d[0]))
        sc = graph.vertices.ctx
        found = sc.union(settled) if len(settled) > 1 else settled[0]
        vertices = graph.vertices.leftJoin(found, lambda vid, _, scc: vid if scc is None
                                           else scc)
        return Graph._of(vertices, graph.edges)
