"""What the algorithms' loops share: the graph's vertex partitioning and bounded lineage.

The iterative algorithms run on pair RDDs hash-partitioned like the graph's vertices, so a
round merges the vertex state with a cached adjacency list partition by partition
(:func:`zip_partitions`: the two sides are co-partitioned, so no shuffle and no group-by)
and only the messages are shuffled. Each round's state is persisted, and
checkpointed every ``spark.graphx.pregel.checkpointInterval`` rounds (as Pregel does), so a
long run's lineage stays bounded. Without a checkpoint directory (or interval), the state
is checkpointed locally every :data:`LOCAL_CHECKPOINT_ROUNDS` rounds instead: a task ships
its RDD's whole lineage, and one that grew by a few RDDs per round for hundreds of rounds
could no longer be serialised.
"""

from __future__ import annotations

from sparklet.rdd import RDD
from sparklet.storagelevel import StorageLevel

__all__ = ["RoundState", "scatter", "update", "vertex_partitions", "zip_partitions"]

LOCAL_CHECKPOINT_ROUNDS = 20


def vertex_partitions(graph) -> int:
    return graph.vertices.getNumPartitions()


def zip_partitions(rdds: list[RDD], func, keeps_keys: bool) -> RDD:
    """Partition i is ``func(it_0, it_1, ...)`` over partition i of each of ``rdds``, which
    must share one partitioner. ``keeps_keys``: ``func`` yields pairs under the keys it was
    given (so the result keeps the partitioner); otherwise the result has none, and a
    following ``reduceByKey`` shuffles as it must."""
    from sparklet.rdds import CoPartitionedRDD

    first = rdds[0].partitioner
    if first is None or any(r.partitioner != first for r in rdds):
        raise ValueError("zip_partitions needs RDDs that share one partitioner")
    rdd = CoPartitionedRDD(rdds[0].ctx, rdds, func)
    if not keeps_keys:
        rdd.partitioner = None
    return rdd


def scatter(adjacency: RDD, state: RDD, value, share, merge, n: int) -> RDD:
    """One round's messages: every vertex of ``state`` whose ``value(s)`` is not None sends
    ``share(value, neighbours)`` to each of its neighbours in ``adjacency`` (``(id,
    [neighbour, ...])``, co-partitioned with ``state``); ``merge`` combines a vertex's
    messages (the only shuffle of the round)."""
    def send(adjacency_it, state_it):
        values = {}
        for vid, s in state_it:
            v = value(s)
            if v is not None:
                values[vid] = v
        for vid, neighbours in adjacency_it:
            v = values.get(vid)
            if v is not None:
                msg = share(v, neighbours)
                for u in neighbours:
                    yield u, msg
    return zip_partitions([adjacency, state], send, keeps_keys=False).reduceByKey(merge, n)


def update(state: RDD, msgs: RDD, f) -> RDD:
    """``f(id, s, msg or None)`` for every vertex of ``state`` (``msgs`` co-partitioned)."""
    def merge(state_it, msgs_it):
        got = dict(msgs_it)
        for vid, s in state_it:
            yield vid, f(vid, s, got.get(vid))
    return zip_partitions([state, msgs], merge, keeps_keys=True)


class RoundState:
    """The latest round's RDD of a loop: persisted, materialised by the caller's job,
    checkpointed every ``interval`` rounds, the previous round's released once the new one
    is computed."""

    def __init__(self, first: RDD):
        sc = first.ctx
        self.interval = int(sc._conf.get("spark.graphx.pregel.checkpointInterval", "-1"))
        self.checkpointing = self.interval > 0 and sc._checkpoint_dir is not None
        self.rounds = 0
        self.current = first.persist(StorageLevel.MEMORY_ONLY)
        self._previous: RDD | None = None

    def advance(self, rdd: RDD) -> RDD:
        """Make ``rdd`` the current round's state (call :meth:`release` after a job has
        computed it)."""
        self.rounds += 1
        rdd.persist(StorageLevel.MEMORY_ONLY)
        if self.checkpointing:
            if self.rounds % self.interval == 0:
                rdd.checkpoint()
        elif self.rounds % LOCAL_CHECKPOINT_ROUNDS == 0:
            rdd.localCheckpoint()
        self._previous, self.current = self.current, rdd
        return rdd

    def release(self) -> None:
        """Drop the previous round's state, which the current one no longer needs."""
        if self._previous is not None:
            self._previous.unpersist()
            self._previous = None
