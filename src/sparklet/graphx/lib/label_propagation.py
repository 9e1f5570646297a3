"""Label propagation community detection, as GraphX's ``lib.LabelPropagation``.

Every vertex starts with its own id as label; in each of ``maxSteps`` synchronous rounds it
takes the label most frequent among its neighbours (edges in both directions count, one
message per edge). GraphX breaks a tie between equally frequent labels by hash-map order;
sparklet takes the smallest of them, so a run is reproducible. Synchronous propagation may
oscillate (on a bipartite graph, say) rather than converge: the result is the labels after
``maxSteps`` rounds.
"""

from __future__ import annotations

__all__ = ["LabelPropagation"]


def _add_counts(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, c in b.items():
        out[k] = out.get(k, 0) + c
    return out


def _most_frequent(vid, label, counts: dict):
    if not counts:
        return label
    best = max(counts.values())
    return min(k for k, c in counts.items() if c == best)


class LabelPropagation:
    """GraphX's ``lib.LabelPropagation``.

    >>> from sparklet import SparkContext
    >>> from sparklet.graphx import Graph
    >>> sc = SparkContext.getOrCreate()
    >>> clique = [(a, b) for a in range(4) for b in range(4) if a < b]
    >>> g = Graph.fromEdgeTuples(sc.parallelize(clique), 0)
    >>> sorted(LabelPropagation.run(g, 5).vertices.collect())
    [(0, 0), (1, 0), (2, 0), (3, 0)]
    """

    @staticmethod
    def run(graph, maxSteps: int):
        if maxSteps <= 0:
            raise ValueError("Maximum of steps must be greater than 0, but got %s" % maxSteps)
        start = graph.mapVertices(lambda vid, _: vid)

        def send(t):
            return [(t.srcId, {t.dstAttr: 1}), (t.dstId, {t.srcAttr: 1})]
        return start.pregel({}, _most_frequent, send, _add_counts, maxIterations=maxSteps)
