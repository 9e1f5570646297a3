"""GraphGenerators: GraphX's generators of synthetic graphs, on sparklet RDDs.

Grid and star graphs have a fixed shape. ``logNormalGraph`` draws every vertex's out-degree
from a log-normal distribution (the Pregel paper's defaults) and points each of its edges at a
uniformly drawn vertex; ``rmatGraph`` draws distinct edges with the recursive R-MAT model.
Random draws use Python's :class:`random.Random`, not Java's, so a seeded graph is not the
one GraphX builds from the same seed, but it has the same distribution and is the same graph
on every run and every partitioning.
"""

from __future__ import annotations

import math
import random

from sparklet.graphx.edge import Edge
from sparklet.graphx.graph import Graph

__all__ = ["GraphGenerators"]


def _round_half_up(x: float) -> int:
    """Scala's ``math.round`` (Python's ``round`` rounds half to even)."""
    return math.floor(x + 0.5)


def _sample_log_normal(mu: float, sigma: float, maxVal: int, seed: int = -1) -> int:
    """``floor(exp(mu + sigma * Z))`` for a standard normal ``Z``, drawn again until it is
    below ``maxVal`` (so a vertex never has more out-edges than the graph has vertices)."""
    rand = random.Random() if seed == -1 else random.Random(seed)
    x = float(maxVal)
    while x >= maxVal:
        x = math.exp(mu + sigma * rand.normalvariate(0.0, 1.0))
    return math.floor(x)


# R-MAT's quadrant probabilities (a: top left, b: top right, c: bottom left, d: the rest).
_RMAT_a, _RMAT_b, _RMAT_c, _RMAT_d = 0.45, 0.15, 0.15, 0.25


def _log2(x: float) -> float:
    # GraphX's own formula (log x / log 2), so the vertex count rounds as it does there.
    return math.log(x) / math.log(2.0)


def _rmat_edges(requestedNumVertices: int, numEdges: int,
                seed: int | None = None) -> list[tuple[int, int]]:
    """R-MAT's ``(src, dst)`` pairs for :meth:`GraphGenerators.rmatGraph`, in the order
    drawn (benchmarks build their reference graphs from the same list)."""
    num_vertices = _round_half_up(2.0 ** math.ceil(_log2(requestedNumVertices)))
    upper = int(2.0 ** (2 * (_log2(num_vertices) - 1)))
    if upper < numEdges:
        raise ValueError("numEdges must be <= %d but was %d" % (upper, numEdges))
    rand = random.Random(seed)
    draw = rand.random
    a, ab, abc = _RMAT_a, _RMAT_a + _RMAT_b, _RMAT_a + _RMAT_b + _RMAT_c
    start = _round_half_up(num_vertices / 2.0)
    sides = []  # the quadrant sides at each level, the same for every edge
    t = start
    while t > 1:
        t = _round_half_up(t / 2.0)
        sides.append(t)
    edges: dict[tuple[int, int], None] = {}  # a set that keeps the order of drawing
    while len(edges) < numEdges:
        x = y = start
        for half in sides:
            r = draw()
            if r < a:
                continue
            if r < ab:
                x += half
            elif r < abc:
                y += half
            else:
                x += half
                y += half
        edges[(x, y)] = None
    return list(edges)


class GraphGenerators:
    """Generators of synthetic graphs (GraphX's ``org.apache.spark.graphx.util``).

    >>> from sparklet import SparkContext
    >>> sc = SparkContext.getOrCreate()
    >>> grid = GraphGenerators.gridGraph(sc, 2, 3)
    >>> sorted(grid.vertices.collect())
    [(0, (0, 0)), (1, (0, 1)), (2, (0, 2)), (3, (1, 0)), (4, (1, 1)), (5, (1, 2))]
    >>> sorted((e.srcId, e.dstId, e.attr) for e in grid.edges.collect())[:3]
    [(0, 1, 1.0), (0, 3, 1.0), (1, 2, 1.0)]
    >>> g = GraphGenerators.logNormalGraph(sc, 50, seed=7)
    >>> g.numVertices(), g.numEdges() == sum(d for _, d in g.vertices.collect())
    (50, True)
    """

    RMATa = _RMAT_a
    RMATb = _RMAT_b
    RMATc = _RMAT_c
    RMATd = _RMAT_d

    @staticmethod
    def logNormalGraph(sc, numVertices: int, numEParts: int = 0, mu: float = 4.0,
                       sigma: float = 1.3, seed: int = -1) -> Graph:
        """A graph of ``numVertices`` vertices (ids ``0 .. numVertices-1``) whose out-degrees
        are log-normal: ``floor(exp(mu + sigma * Z))``, redrawn while not below
        ``numVertices``. Each vertex's attribute is its out-degree; each of its out-edges
        (attribute 1) goes to a uniformly drawn vertex, so self-loops and repeated edges
        occur. ``numEParts`` partitions (0: ``sc.defaultParallelism``); ``seed`` -1 draws a
        fresh graph, any other value always the same one.

        >>> from sparklet import SparkContext
        >>> sc = SparkContext.getOrCreate()
        >>> a = GraphGenerators.logNormalGraph(sc, 20, numEParts=2, seed=3)
        >>> b = GraphGenerators.logNormalGraph(sc, 20, numEParts=5, seed=3)
        >>> sorted(a.edges.collect()) == sorted(b.edges.collect())
        True
        """
        parts = numEParts if numEParts != 0 else sc.defaultParallelism
        seeder = random.Random() if seed == -1 else random.Random(seed)
        # One seed for the degrees, one for the edges, each mixed with the vertex id: a
        # vertex's degree and edges do not depend on which partition draws them, and the
        # vertices, computed once for themselves and once for their edges, agree.
        seed1, seed2 = seeder.getrandbits(32), seeder.getrandbits(32)
        n = numVertices

        vertices = sc.parallelize(range(n), parts).map(
            lambda src: (src, _sample_log_normal(mu, sigma, n, seed1 ^ src)))
        edges = vertices.flatMap(
            lambda kv: GraphGenerators.generateRandomEdges(kv[0], kv[1], n, seed2 ^ kv[0]))
        return Graph(vertices, edges, 0)

    @staticmethod
    def generateRandomEdges(src: int, numEdges: int, maxVertexId: int,
                            seed: int = -1) -> list[Edge]:
        """``numEdges`` edges ``src -> d`` (attribute 1), ``d`` uniform in
        ``[0, maxVertexId)``.

        >>> es = GraphGenerators.generateRandomEdges(4, 3, 10, seed=1)
        >>> len(es), {e.srcId for e in es}, all(0 <= e.dstId < 10 for e in es)
        (3, {4}, True)
        """
        rand = random.Random() if seed == -1 else random.Random(seed)
        return [Edge(src, rand.randrange(maxVertexId), 1) for _ in range(numEdges)]

    @staticmethod
    def rmatGraph(sc, requestedNumVertices: int, numEdges: int,
                  seed: int | None = None) -> Graph:
        """``numEdges`` distinct edges (attribute 1) drawn with R-MAT (Chakrabarti et al.,
        2004): the adjacency matrix of ``2**ceil(log2(requestedNumVertices))`` vertices is cut
        into quadrants recursively, one picked at each level with probabilities ``RMATa``,
        ``RMATb``, ``RMATc``, ``RMATd``, down to one cell. As GraphX, the recursion starts
        from the quadrant at ``(n/2, n/2)`` of side ``n/2``, so the ids lie in ``[n/2, n)``
        and at most ``(n/2)**2`` edges are possible (more is a ValueError). Each vertex's
        attribute is its out-degree (0 for a vertex with in-edges only). The edges are drawn
        in the driver. ``seed`` (not in GraphX, whose R-MAT is never seeded) makes the
        graph reproducible.

        >>> from sparklet import SparkContext
        >>> sc = SparkContext.getOrCreate()
        >>> g = GraphGenerators.rmatGraph(sc, 100, 300, seed=5)
        >>> g.numEdges(), all(64 <= v < 128 for v, _ in g.vertices.collect())
        (300, True)
        """
        edges = _rmat_edges(requestedNumVertices, numEdges, seed)
        rdd = sc.parallelize([Edge(s, d, 1) for s, d in edges])
        out_degrees = rdd.map(lambda e: (e.srcId, 1)).reduceByKey(lambda p, q: p + q)
        return Graph(out_degrees, rdd, 0)

    @staticmethod
    def gridGraph(sc, rows: int, cols: int) -> Graph:
        """The ``rows`` x ``cols`` grid: vertex ``row * cols + col`` with attribute
        ``(row, col)``, an edge (attribute 1.0) to its neighbour in the next row and in the
        next column.

        >>> from sparklet import SparkContext
        >>> sc = SparkContext.getOrCreate()
        >>> GraphGenerators.gridGraph(sc, 3, 4).numEdges()  # 3*3 across + 2*4 down
        17
        """
        def cells(r):
            return [(r * cols + c, (r, c)) for c in range(cols)]

        def links(kv):
            vid, (r, c) = kv
            out = []
            if r + 1 < rows:
                out.append(Edge(vid, vid + cols, 1.0))
            if c + 1 < cols:
                out.append(Edge(vid, vid + 1, 1.0))
            return out
        vertices = sc.parallelize(range(rows)).flatMap(cells)
        return Graph(vertices, vertices.flatMap(links))

    @staticmethod
    def starGraph(sc, nverts: int) -> Graph:
        """The star of ``nverts`` vertices: an edge ``i -> 0`` for every ``i`` in
        ``1 .. nverts-1``; vertices and edges have attribute 1 (with ``nverts`` 1 there is
        no edge, hence no vertex).

        >>> from sparklet import SparkContext
        >>> sc = SparkContext.getOrCreate()
        >>> sorted(GraphGenerators.starGraph(sc, 4).inDegrees.collect())
        [(0, 3)]
        """
        return Graph.fromEdgeTuples(sc.parallelize(range(1, nverts)).map(lambda v: (v, 0)), 1)
