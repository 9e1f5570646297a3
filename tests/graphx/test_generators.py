"""GraphGenerators: grid and star graphs checked exactly against plain-Python models; the
random ones (log-normal, R-MAT) checked for their invariants, reproducibility and the
statistics of their distributions."""

from __future__ import annotations

import collections
import math

import pytest
from graphx_helpers import sc_fixture  # noqa: F401

from sparklet.graphx.util import GraphGenerators


def edge_tuples(graph):
    return sorted((e.srcId, e.dstId, e.attr) for e in graph.edges.collect())


@pytest.mark.parametrize("rows,cols", [(1, 1), (1, 5), (4, 1), (3, 4)])
def test_grid_graph_is_the_row_major_grid(sc, rows, cols):
    g = GraphGenerators.gridGraph(sc, rows, cols)
    want_vertices = {r * cols + c: (r, c) for r in range(rows) for c in range(cols)}
    want_edges = []
    for r in range(rows):
        for c in range(cols):
            if r + 1 < rows:
                want_edges.append((r * cols + c, (r + 1) * cols + c, 1.0))
            if c + 1 < cols:
                want_edges.append((r * cols + c, r * cols + c + 1, 1.0))
    assert dict(g.vertices.collect()) == want_vertices
    assert g.numVertices() == rows * cols
    assert edge_tuples(g) == sorted(want_edges)
    assert g.numEdges() == rows * (cols - 1) + cols * (rows - 1)


@pytest.mark.parametrize("nverts", [1, 2, 6])
def test_star_graph_points_every_vertex_at_zero(sc, nverts):
    g = GraphGenerators.starGraph(sc, nverts)
    assert edge_tuples(g) == [(i, 0, 1) for i in range(1, nverts)]
    # Vertices come from the edges: a star of one vertex has none.
    want = {} if nverts == 1 else {i: 1 for i in range(nverts)}
    assert dict(g.vertices.collect()) == want
    assert dict(g.inDegrees.collect()) == ({} if nverts == 1 else {0: nverts - 1})


def _normal_cdf(z):
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def test_log_normal_graph_degrees_follow_the_distribution(sc):
    n, mu, sigma = 2000, 4.0, 1.3
    g = GraphGenerators.logNormalGraph(sc, n, numEParts=3, mu=mu, sigma=sigma, seed=11)
    vertices = dict(g.vertices.collect())
    edges = g.edges.collect()
    assert sorted(vertices) == list(range(n))
    out = collections.Counter(e.srcId for e in edges)
    assert all(vertices[v] == out.get(v, 0) for v in range(n))  # attribute = out-degree
    assert all(e.attr == 1 and 0 <= e.dstId < n for e in edges)
    degrees = list(vertices.values())
    assert max(degrees) < n
    # P(floor(X) < k) = P(X < k) for integer k, X log-normal truncated below n.
    top = _normal_cdf((math.log(n) - mu) / sigma)
    for k in (10, 30, 55, 150, 600):
        want = _normal_cdf((math.log(k) - mu) / sigma) / top
        got = sum(d < k for d in degrees) / n
        assert abs(got - want) <= 4 * math.sqrt(want * (1 - want) / n), (k, got, want)


def test_log_normal_graph_destinations_are_uniform(sc):
    n = 200
    g = GraphGenerators.logNormalGraph(sc, n, mu=math.log(150.5), sigma=0.0, seed=5)
    # sigma 0: every degree is floor(exp(mu)) exactly (it must be below n, or the draw
    # would be repeated for ever, as in GraphX).
    assert set(dict(g.vertices.collect()).values()) == {150}
    dst = collections.Counter(e.dstId for e in g.edges.collect())
    total = n * 150
    assert sum(dst.values()) == total and set(dst) == set(range(n))
    # Chi-squared against uniform, 199 degrees of freedom: mean 199, sd 20; 300 is > 5 sd.
    expected = total / n
    chi2 = sum((dst[v] - expected) ** 2 / expected for v in range(n))
    assert chi2 < 300, chi2


def test_log_normal_graph_is_reproducible_whatever_the_partitioning(sc):
    a = GraphGenerators.logNormalGraph(sc, 300, numEParts=1, seed=42)
    b = GraphGenerators.logNormalGraph(sc, 300, numEParts=7, seed=42)
    c = GraphGenerators.logNormalGraph(sc, 300, numEParts=2, seed=43)
    assert sorted(a.vertices.collect()) == sorted(b.vertices.collect())
    assert edge_tuples(a) == edge_tuples(b)
    assert edge_tuples(a) != edge_tuples(c)
    assert a.edges.getNumPartitions() == 1 and b.edges.getNumPartitions() == 7
    # numEParts 0: sc.defaultParallelism partitions; seed -1: a fresh graph of the same shape.
    fresh = GraphGenerators.logNormalGraph(sc, 10)
    assert fresh.edges.getNumPartitions() == sc.defaultParallelism
    assert sorted(v for v, _ in fresh.vertices.collect()) == list(range(10))


def test_rmat_graph_distinct_edges_in_the_upper_half_of_the_ids(sc):
    g = GraphGenerators.rmatGraph(sc, 1000, 3000, seed=2)  # n = 1024: ids in [512, 1024)
    edges = edge_tuples(g)
    assert len(edges) == 3000 and len({(s, d) for s, d, _ in edges}) == 3000
    assert all(512 <= s < 1024 and 512 <= d < 1024 and a == 1 for s, d, a in edges)
    out = collections.Counter(s for s, _, _ in edges)
    ends = {s for s, _, _ in edges} | {d for _, d, _ in edges}
    assert dict(g.vertices.collect()) == {v: out.get(v, 0) for v in ends}
    # The first cut: a (top left) 0.45, b (src in the upper half) 0.15, c 0.15, d 0.25.
    quadrants = collections.Counter((s >= 768, d >= 768) for s, d, _ in edges)
    for key, p in {(False, False): 0.45, (True, False): 0.15, (False, True): 0.15,
                   (True, True): 0.25}.items():
        assert abs(quadrants[key] / 3000 - p) <= 4 * math.sqrt(p * (1 - p) / 3000), quadrants
    assert edge_tuples(GraphGenerators.rmatGraph(sc, 1000, 3000, seed=2)) == edges


def test_rmat_graph_refuses_more_edges_than_cells(sc):
    # 8 vertices: the recursion covers a 4 x 4 corner, 16 possible edges.
    assert GraphGenerators.rmatGraph(sc, 5, 16, seed=1).numEdges() == 16
    with pytest.raises(ValueError, match="numEdges must be <= 16 but was 17"):
        GraphGenerators.rmatGraph(sc, 5, 17)
