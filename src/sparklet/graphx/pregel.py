"""Pregel: GraphX's bulk-synchronous message-passing loop, on sparklet RDDs.

Round 0 runs ``vprog(id, attr, initialMsg)`` on every vertex and ``sendMsg`` over every
triplet. Each later round runs ``vprog`` on the vertices that received a message, then
``sendMsg`` over the triplets with an endpoint among those vertices as ``activeDirection``
asks (Out: the source received one; In: the destination; Either: one of them; Both: both),
merging messages per vertex with ``mergeMsg``. The loop stops when no message is sent or
after ``maxIterations`` rounds. Every ``spark.graphx.pregel.checkpointInterval`` rounds
(default -1: never) the graph and the messages are checkpointed when a checkpoint directory
is set, so the lineage of a long run stays bounded; the previous round's graph is unpersisted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sparklet.graphx.edge import EdgeDirection, EdgeTriplet, TripletFields
from sparklet.storagelevel import StorageLevel

__all__ = ["Pregel"]

_ACTIVENESS = {"Out": "src", "In": "dst", "Either": "either", "Both": "both"}


def _triplet_sender(sendMsg: Callable[[EdgeTriplet], Iterable[tuple[int, Any]]]) -> Callable:
    def send(ctx):
        out = ctx._out
        for msg in sendMsg(ctx.toEdgeTriplet()):
            out.append(msg)
    return send


class _Checkpointer:
    """GraphX's PeriodicCheckpointer in small: persist each new dataset, checkpoint every
    ``interval``-th one (when a checkpoint directory is set)."""

    def __init__(self, sc, interval: int):
        self.interval = interval
        self.enabled = interval > 0 and sc._checkpoint_dir is not None
        self.updates = 0

    def update(self, *rdds) -> None:
        self.updates += 1
        for rdd in rdds:
            if rdd.getStorageLevel() == StorageLevel.NONE:
                rdd.persist(StorageLevel.MEMORY_ONLY)
        if self.enabled and self.updates % self.interval == 0:
            for rdd in rdds:
                rdd.checkpoint()


class Pregel:
    """``Pregel.apply(graph, initialMsg, vprog, sendMsg, mergeMsg, maxIterations,
    activeDirection)``: GraphX's curried ``Pregel(graph, initialMsg, maxIterations,
    activeDirection)(vprog, sendMsg, mergeMsg)`` as one call.

    >>> from sparklet import SparkContext
    >>> from sparklet.graphx import Edge, Graph
    >>> sc = SparkContext.getOrCreate()
    >>> g = Graph.fromEdges(sc.parallelize([Edge(1, 2, 1.0), Edge(2, 3, 2.0)]), 0)
    >>> start = g.mapVertices(lambda vid, _: 0.0 if vid == 1 else float("inf"))
    >>> sssp = Pregel.apply(start, float("inf"), lambda vid, d, m: min(d, m),
    ...     lambda t: [(t.dstId, t.srcAttr + t.attr)] if t.srcAttr + t.attr < t.dstAttr
    ...     else [], min)
    >>> sorted(sssp.vertices.collect())
    [(1, 0.0), (2, 1.0), (3, 3.0)]
    """

    @staticmethod
    def apply(graph, initialMsg: Any, vprog: Callable[[int, Any, Any], Any],
              sendMsg: Callable[[EdgeTriplet], Iterable[tuple[int, Any]]],
              mergeMsg: Callable[[Any, Any], Any], maxIterations: int = 2 ** 31 - 1,
              activeDirection: EdgeDirection = EdgeDirection.Either):
        if maxIterations <= 0:
            raise ValueError("Maximum number of iterations must be greater than 0, but got "
                             "%s" % maxIterations)
        sc = graph.vertices.ctx
        interval = int(sc._conf.get("spark.graphx.pregel.checkpointInterval", "-1"))
        graphs = _Checkpointer(sc, interval)
        messages_cp = _Checkpointer(sc, interval)
        send = _triplet_sender(sendMsg)
        activeness = _ACTIVENESS[activeDirection.name]

        g = graph.mapVertices(lambda vid, attr: vprog(vid, attr, initialMsg))
        graphs.update(g.vertices, g.edges)
        messages = g._aggregate(send, mergeMsg, TripletFields.All)
        messages_cp.update(messages)
        active = messages.count()
        i = 0
        while active > 0 and i < maxIterations:
            prev = g
            g = g.joinVertices(messages, vprog)
            graphs.update(g.vertices, g.edges)
            old = messages
            messages = g._aggregate(send, mergeMsg, TripletFields.All, old, activeness)
            messages_cp.update(messages)
            active = messages.count()  # materialises g, messages (and their checkpoints)
            old.unpersist()
            prev.unpersistVertices()
            if prev.edges is not g.edges:
                prev.edges.unpersist()
            i += 1
        messages.unpersist()
        return g
