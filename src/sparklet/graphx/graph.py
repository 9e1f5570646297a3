"""Graph: a property graph of vertex and edge RDDs, GraphX's operators, and GraphLoader.

The graph keeps ``vertices`` (a :class:`VertexRDD` of ``(id, attr)``, one pair per id,
hash-partitioned by id) and ``edges`` (an :class:`EdgeRDD`). Triplets are built by joining
the edges with the vertex attributes they need: on ``srcId``, then on ``dstId``, skipping a
side :class:`TripletFields` says is unused. GraphX's routing tables and edge-partition
indexes are an optimisation not built here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sparklet.graphx.edge import Edge, EdgeContext, EdgeDirection, EdgeTriplet, TripletFields
from sparklet.graphx.lib.graphops import GraphAlgorithms
from sparklet.graphx.partition import PartitionStrategy
from sparklet.graphx.rdds import EdgeRDD, VertexRDD
from sparklet.rdd import RDD
from sparklet.storagelevel import StorageLevel

__all__ = ["Graph", "GraphLoader"]


def _first(a, b):
    return a


def _endpoints(e: Edge):
    return ((e.srcId, None), (e.dstId, None))


def _triplet_rows(vertices: RDD, edges: RDD, fields: TripletFields,
                  active: RDD | None = None, activeness: str | None = None) -> RDD:
    """``(edge, srcAttr, dstAttr)`` for every edge (attributes ``None`` where ``fields``
    does not use them). With ``active`` (an RDD keyed by vertex id), keep only the edges
    whose endpoints are active as ``activeness`` ("src", "dst", "either", "both") asks."""
    # Triplets keep the edges' partition count (GraphX computes them per edge partition).
    n = edges.getNumPartitions()
    need_src = fields.useSrc or active is not None
    need_dst = fields.useDst or active is not None
    if active is not None:
        flags = active.map(lambda kv: (kv[0], True))
        side = vertices.leftOuterJoin(flags, vertices.getNumPartitions()).mapValues(
            lambda p: (p[0], p[1] is True))
    else:
        side = vertices.mapValues(lambda a: (a, True))
    rows = edges.map(lambda e: (e, (None, True), (None, True)))
    if need_src:
        rows = (edges.map(lambda e: (e.srcId, e)).join(side, n)
                .map(lambda kv: (kv[1][0], kv[1][1], (None, True))))
    if need_dst:
        rows = (rows.map(lambda r: (r[0].dstId, (r[0], r[1]))).join(side, n)
                .map(lambda kv: (kv[1][0][0], kv[1][0][1], kv[1][1])))
    if active is not None:
        test = {"src": lambda s, d: s, "dst": lambda s, d: d, "either": lambda s, d: s or d,
                "both": lambda s, d: s and d}[activeness or "either"]
        rows = rows.filter(lambda r: test(r[1][1], r[2][1]))
    use_src, use_dst = fields.useSrc, fields.useDst
    return rows.map(lambda r: (r[0], r[1][0] if use_src else None,
                               r[2][0] if use_dst else None))


def _send_all(send_msg: Callable, use_edge: bool) -> Callable:
    def send(rows):
        out: list = []
        for e, sa, da in rows:
            send_msg(EdgeContext(e.srcId, e.dstId, sa, da, e.attr if use_edge else None, out))
            if out:
                yield from out
                out.clear()
    return send


class Graph(GraphAlgorithms):
    """A directed multigraph with an attribute on every vertex and edge.

    >>> from sparklet import SparkContext
    >>> sc = SparkContext.getOrCreate()
    >>> users = sc.parallelize([(3, ("rxin", "student")), (7, ("jgonzal", "postdoc"))])
    >>> rels = sc.parallelize([Edge(3, 7, "collab")])
    >>> g = Graph(users, rels, ("John Doe", "Missing"))
    >>> g.numVertices(), g.numEdges()
    (2, 1)
    >>> [t.srcAttr[0] + " is the " + t.attr + " of " + t.dstAttr[0] for t in g.triplets.collect()]
    ['rxin is the collab of jgonzal']
    """

    def __init__(self, vertices: RDD, edges: RDD, defaultVertexAttr: Any = None,
                 edgeStorageLevel: StorageLevel | None = None,
                 vertexStorageLevel: StorageLevel | None = None, _ready: bool = False):
        if _ready:
            self._vertices = VertexRDD._of(vertices)
            self._edges = EdgeRDD._of(edges)
            return
        # Every id an edge names gets a vertex (defaultVertexAttr when vertices lacks it);
        # a repeated id keeps one of its attributes, as GraphX.
        default = defaultVertexAttr
        ends = edges.flatMap(_endpoints)

        def pick(kv):
            mine, _ = kv[1]
            for a in mine:
                return (kv[0], a)
            return (kv[0], default)
        n = max(vertices.getNumPartitions(), edges.getNumPartitions())
        self._vertices = VertexRDD(vertices.cogroup(ends, n).map(pick, preservesPartitioning=True))
        self._edges = EdgeRDD._of(edges)
        if vertexStorageLevel is not None:
            self._vertices.persist(vertexStorageLevel)
        if edgeStorageLevel is not None:
            self._edges.persist(edgeStorageLevel)

    @classmethod
    def _of(cls, vertices: RDD, edges: RDD) -> Graph:
        """A graph from vertices already complete and unique (no join to fill them)."""
        return cls(vertices, edges, _ready=True)

    # -- constructors ----------------------------------------------------------------------

    @classmethod
    def apply(cls, vertices: RDD, edges: RDD, defaultVertexAttr: Any = None) -> Graph:
        return cls(vertices, edges, defaultVertexAttr)

    @classmethod
    def fromEdges(cls, edges: RDD, defaultValue: Any, edgeStorageLevel=None,
                  vertexStorageLevel=None) -> Graph:
        """The graph of ``edges``; every vertex they name has ``defaultValue``."""
        vertices = (edges.flatMap(_endpoints).reduceByKey(_first, edges.getNumPartitions())
                    .mapValues(lambda _: defaultValue))
        return cls._of(vertices, edges)

    @classmethod
    def fromEdgeTuples(cls, rawEdges: RDD, defaultValue: Any,
                       uniqueEdges: PartitionStrategy | None = None, edgeStorageLevel=None,
                       vertexStorageLevel=None) -> Graph:
        """The graph of ``(src, dst)`` pairs, each edge with attribute 1. With
        ``uniqueEdges`` (a PartitionStrategy), duplicate edges are merged into one whose
        attribute is their count, after partitioning by that strategy."""
        edges = rawEdges.map(lambda p: Edge(p[0], p[1], 1))
        graph = cls.fromEdges(edges, defaultValue)
        if uniqueEdges is not None:
            graph = graph.partitionBy(uniqueEdges).groupEdges(lambda a, b: a + b)
        return graph

    # -- properties ------------------------------------------------------------------------

    @property
    def vertices(self) -> VertexRDD:
        return self._vertices

    @property
    def edges(self) -> EdgeRDD:
        return self._edges

    @property
    def triplets(self) -> RDD:
        """Every edge with both endpoints' attributes, as :class:`EdgeTriplet`."""
        return _triplet_rows(self._vertices, self._edges, TripletFields.All).map(
            lambda r: EdgeTriplet(r[0].srcId, r[0].dstId, r[0].attr, r[1], r[2]))

    def _degrees(self, ends: Callable) -> VertexRDD:
        return VertexRDD(self._edges.flatMap(ends).reduceByKey(lambda a, b: a + b))

    @property
    def inDegrees(self) -> VertexRDD:
        """``(id, in-degree)`` for the vertices with at least one in-edge."""
        return self._degrees(lambda e: ((e.dstId, 1),))

    @property
    def outDegrees(self) -> VertexRDD:
        """``(id, out-degree)`` for the vertices with at least one out-edge."""
        return self._degrees(lambda e: ((e.srcId, 1),))

    @property
    def degrees(self) -> VertexRDD:
        """``(id, degree)`` for the vertices with at least one edge (a self-loop counts 2)."""
        return self._degrees(lambda e: ((e.srcId, 1), (e.dstId, 1)))

    def numVertices(self) -> int:
        return self._vertices.count()

    def numEdges(self) -> int:
        return self._edges.count()

    # -- persistence -----------------------------------------------------------------------

    def persist(self, newLevel: StorageLevel = StorageLevel.MEMORY_ONLY) -> Graph:
        self._vertices.persist(newLevel)
        self._edges.persist(newLevel)
        return self

    def cache(self) -> Graph:
        return self.persist(StorageLevel.MEMORY_ONLY)

    def unpersist(self, blocking: bool = False) -> Graph:
        self._vertices.unpersist(blocking)
        self._edges.unpersist(blocking)
        return self

    def unpersistVertices(self, blocking: bool = False) -> Graph:
        self._vertices.unpersist(blocking)
        return self

    def checkpoint(self) -> None:
        """Checkpoint vertices and edges with the next job that computes them."""
        self._vertices.checkpoint()
        self._edges.checkpoint()

    def isCheckpointed(self) -> bool:
        return self._vertices.isCheckpointed() and self._edges.isCheckpointed()

    def getCheckpointFiles(self) -> list[str]:
        return [f for f in (self._vertices.getCheckpointFile(),
                            self._edges.getCheckpointFile()) if f]

    # -- structure and attribute operators -------------------------------------------------

    def partitionBy(self, partitionStrategy: PartitionStrategy,
                    numPartitions: int | None = None) -> Graph:
        """The same graph with edges placed by ``partitionStrategy``."""
        n = numPartitions or self._edges.getNumPartitions()
        place = partitionStrategy.getPartition
        edges = (self._edges.map(lambda e: ((e.srcId, e.dstId), e))
                 .partitionBy(n, lambda k: place(k[0], k[1], n)).values())
        return Graph._of(self._vertices, edges)

    def mapVertices(self, f: Callable[[int, Any], Any]) -> Graph:
        """Each vertex attribute replaced by ``f(id, attr)``."""
        return Graph._of(self._vertices.mapValues(lambda vid, a: f(vid, a)), self._edges)

    def mapEdges(self, f: Callable[[Edge], Any]) -> Graph:
        """Each edge attribute replaced by ``f(edge)``."""
        return Graph._of(self._vertices, self._edges.mapValues(f))

    def mapTriplets(self, f: Callable[[EdgeTriplet], Any],
                    tripletFields: TripletFields = TripletFields.All) -> Graph:
        """Each edge attribute replaced by ``f(triplet)``."""
        rows = _triplet_rows(self._vertices, self._edges, tripletFields)
        edges = rows.map(lambda r: Edge(r[0].srcId, r[0].dstId, f(
            EdgeTriplet(r[0].srcId, r[0].dstId, r[0].attr, r[1], r[2]))))
        return Graph._of(self._vertices, edges)

    def reverse(self) -> Graph:
        """Every edge reversed."""
        return Graph._of(self._vertices, self._edges.reverse())

    def subgraph(self, epred: Callable[[EdgeTriplet], bool] | None = None,
                 vpred: Callable[[int, Any], bool] | None = None) -> Graph:
        """The vertices satisfying ``vpred(id, attr)`` and the edges satisfying
        ``epred(triplet)`` whose both endpoints remain."""
        vertices = self._vertices
        if vpred is not None:
            vertices = vertices.filter(lambda kv: vpred(kv[0], kv[1]))
        if epred is None and vpred is None:
            return Graph._of(vertices, self._edges)
        rows = _triplet_rows(vertices, self._edges, TripletFields.All)  # drops lost endpoints
        if epred is not None:
            rows = rows.filter(lambda r: epred(
                EdgeTriplet(r[0].srcId, r[0].dstId, r[0].attr, r[1], r[2])))
        return Graph._of(vertices, rows.map(lambda r: r[0]))

    def mask(self, other: Graph) -> Graph:
        """The vertices and edges also in ``other`` (edges matched by endpoints), with this
        graph's attributes."""
        vertices = self._vertices.innerJoin(other.vertices, lambda vid, a, b: a)
        edges = self._edges.innerJoin(other.edges, lambda s, d, a, b: a)
        return Graph._of(vertices, edges)

    def groupEdges(self, merge: Callable[[Any, Any], Any]) -> Graph:
        """Edges with the same endpoints merged into one, attributes combined by ``merge``."""
        edges = (self._edges.map(lambda e: ((e.srcId, e.dstId), e.attr))
                 .reduceByKey(merge).map(lambda kv: Edge(kv[0][0], kv[0][1], kv[1])))
        return Graph._of(self._vertices, edges)

    def outerJoinVertices(self, other: RDD, mapFunc: Callable[[int, Any, Any], Any]) -> Graph:
        """Each vertex attribute replaced by ``mapFunc(id, attr, otherAttrOrNone)``."""
        return Graph._of(self._vertices.leftJoin(other, mapFunc), self._edges)

    def joinVertices(self, table: RDD, mapFunc: Callable[[int, Any, Any], Any]) -> Graph:
        """``mapFunc(id, attr, u)`` for the vertices in ``table``; the others keep theirs."""
        # ``None`` in the table means "no value" only if the table never holds None values:
        # tag the table's values so a real None is still passed to mapFunc.
        tagged = table.mapValues(lambda u: (u,))
        return Graph._of(self._vertices.leftJoin(
            tagged, lambda vid, a, t: a if t is None else mapFunc(vid, a, t[0])), self._edges)

    # -- neighbourhood aggregation ---------------------------------------------------------

    def aggregateMessages(self, sendMsg: Callable[[EdgeContext], None],
                          mergeMsg: Callable[[Any, Any], Any],
                          tripletFields: TripletFields = TripletFields.All) -> VertexRDD:
        """Messages ``sendMsg(ctx)`` sends along each edge, merged per vertex by
        ``mergeMsg``: a VertexRDD of the vertices that received any."""
        return self._aggregate(sendMsg, mergeMsg, tripletFields)

    def _aggregate(self, sendMsg, mergeMsg, fields: TripletFields, active: RDD | None = None,
                   activeness: str | None = None) -> VertexRDD:
        rows = _triplet_rows(self._vertices, self._edges, fields, active, activeness)
        return VertexRDD(rows.mapPartitions(_send_all(sendMsg, fields.useEdge))
                         .reduceByKey(mergeMsg, self._vertices.getNumPartitions()))

    def collectNeighborIds(self, edgeDirection: EdgeDirection) -> VertexRDD:
        """Per vertex, the list of its neighbours' ids along ``edgeDirection`` (In, Out or
        Either; empty for a vertex with none)."""
        if edgeDirection == EdgeDirection.Both:
            raise ValueError("collectNeighborIds does not support EdgeDirection.Both. Use "
                             "EdgeDirection.Either instead.")
        sends = {
            EdgeDirection.In: lambda e: ((e.dstId, [e.srcId]),),
            EdgeDirection.Out: lambda e: ((e.srcId, [e.dstId]),),
            EdgeDirection.Either: lambda e: ((e.srcId, [e.dstId]), (e.dstId, [e.srcId])),
        }[edgeDirection]
        nbrs = self._edges.flatMap(sends).reduceByKey(lambda a, b: a + b)
        return self._vertices.leftJoin(nbrs, lambda vid, a, ids: ids or [])

    def collectNeighbors(self, edgeDirection: EdgeDirection) -> VertexRDD:
        """Per vertex, the list of ``(neighbourId, neighbourAttr)`` along ``edgeDirection``."""
        if edgeDirection == EdgeDirection.Both:
            raise ValueError("collectNeighbors does not support EdgeDirection.Both. Use "
                             "EdgeDirection.Either instead.")

        def send(ctx):
            if edgeDirection in (EdgeDirection.Out, EdgeDirection.Either):
                ctx.sendToSrc([(ctx.dstId, ctx.dstAttr)])
            if edgeDirection in (EdgeDirection.In, EdgeDirection.Either):
                ctx.sendToDst([(ctx.srcId, ctx.srcAttr)])
        fields = {EdgeDirection.Out: TripletFields.Dst, EdgeDirection.In: TripletFields.Src,
                  EdgeDirection.Either: TripletFields.All}[edgeDirection]
        nbrs = self.aggregateMessages(send, lambda a, b: a + b, fields)
        return self._vertices.leftJoin(nbrs, lambda vid, a, ns: ns or [])

    def collectEdges(self, edgeDirection: EdgeDirection) -> VertexRDD:
        """Per vertex with any, the list of its edges along ``edgeDirection``."""
        sends = {
            EdgeDirection.In: lambda e: ((e.dstId, [e]),),
            EdgeDirection.Out: lambda e: ((e.srcId, [e]),),
            EdgeDirection.Either: lambda e: ((e.srcId, [e]), (e.dstId, [e])),
        }
        if edgeDirection not in sends:
            raise ValueError("collectEdges does not support EdgeDirection.Both. Use "
                             "EdgeDirection.Either instead.")
        return VertexRDD(self._edges.flatMap(sends[edgeDirection])
                         .reduceByKey(lambda a, b: a + b))

    def removeSelfEdges(self) -> Graph:
        return Graph._of(self._vertices, self._edges.filter(lambda e: e.srcId != e.dstId))

    def convertToCanonicalEdges(self, mergeFunc: Callable[[Any, Any], Any] = _first) -> Graph:
        """Every edge pointed from the smaller to the larger id, duplicates merged."""
        edges = self._edges.map(lambda e: Edge(e.srcId, e.dstId, e.attr) if e.srcId < e.dstId
                                else Edge(e.dstId, e.srcId, e.attr))
        return Graph._of(self._vertices, edges).groupEdges(mergeFunc)

    def filter(self, preprocess: Callable[[Graph], Graph],
               epred: Callable[[EdgeTriplet], bool] | None = None,
               vpred: Callable[[int, Any], bool] | None = None) -> Graph:
        """This graph masked by ``preprocess(self).subgraph(epred, vpred)``."""
        return self.mask(preprocess(self).subgraph(epred, vpred))

    def pregel(self, initialMsg: Any, vprog: Callable[[int, Any, Any], Any],
               sendMsg: Callable[[EdgeTriplet], Iterable[tuple[int, Any]]],
               mergeMsg: Callable[[Any, Any], Any], maxIterations: int = 2 ** 31 - 1,
               activeDirection: EdgeDirection = EdgeDirection.Either) -> Graph:
        """GraphX's Pregel (see :class:`~sparklet.graphx.pregel.Pregel`)."""
        from sparklet.graphx.pregel import Pregel

        return Pregel.apply(self, initialMsg, vprog, sendMsg, mergeMsg, maxIterations,
                            activeDirection)


class GraphLoader:
    """Graphs from files."""

    @staticmethod
    def edgeListFile(sc, path: str, canonicalOrientation: bool = False,
                     numEdgePartitions: int = -1, edgeStorageLevel=None,
                     vertexStorageLevel=None) -> Graph:
        """The graph of a file of ``srcId dstId`` lines (whitespace-separated; lines starting
        with ``#`` are comments). Edges and vertices get attribute 1; with
        ``canonicalOrientation`` every edge points from the smaller id to the larger."""
        lines = sc.textFile(path, numEdgePartitions) if numEdgePartitions > 0 else \
            sc.textFile(path)

        def parse(it):
            for line in it:
                if not line or line.startswith("#"):
                    continue
                parts = line.split()
                if len(parts) < 2:
                    continue  # GraphX warns and skips a line without two ids
                src, dst = int(parts[0]), int(parts[1])
                if canonicalOrientation and src > dst:
                    src, dst = dst, src
                yield Edge(src, dst, 1)
        return Graph.fromEdges(lines.mapPartitions(parse), 1)
