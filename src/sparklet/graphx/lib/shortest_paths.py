"""Shortest paths to landmarks, as GraphX's ``lib.ShortestPaths``: each vertex gets a dict
``landmark -> hops`` of the landmarks it can reach along edge directions, and how many
edges the shortest such path has (a landmark reaches itself in 0).

A Pregel whose messages flow against the edges: a vertex offers its destination's
distances plus one to the edge's source whenever that would lower a distance there.
"""

from __future__ import annotations

__all__ = ["ShortestPaths"]


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, d in b.items():
        if k not in out or d < out[k]:
            out[k] = d
    return out


class ShortestPaths:
    """GraphX's ``lib.ShortestPaths``.

    >>> from sparklet import SparkContext
    >>> from sparklet.graphx import Graph
    >>> sc = SparkContext.getOrCreate()
    >>> g = Graph.fromEdgeTuples(sc.parallelize([(1, 2), (2, 3), (4, 1)]), 0)
    >>> sorted(ShortestPaths.run(g, [3]).vertices.collect())
    [(1, {3: 2}), (2, {3: 1}), (3, {3: 0}), (4, {3: 3})]
    """

    @staticmethod
    def run(graph, landmarks):
        marks = frozenset(landmarks)
        start = graph.mapVertices(lambda vid, _: {vid: 0} if vid in marks else {})

        def send(t):
            offer = {k: d + 1 for k, d in t.dstAttr.items()}
            if _merge(offer, t.srcAttr) != t.srcAttr:
                return [(t.srcId, offer)]
            return []
        return start.pregel({}, lambda vid, attr, msg: _merge(attr, msg), send, _merge)
