"""GraphX's algorithms against networkx on random graphs (hypothesis), and against
hand-checked values and plain-Python models where networkx has no counterpart."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest
from graphx_helpers import sc_fixture  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparklet.graphx import Edge, Graph
from sparklet.graphx.lib import (
    LabelPropagation,
    PageRank,
    ShortestPaths,
    SVDPlusPlus,
)

SETTINGS = settings(max_examples=6, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

# A random directed multigraph: n vertices (all present), edges with repeats and self-loops.
graphs = st.integers(1, 8).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=18)))


def build(sc, n, pairs) -> Graph:
    return Graph(sc.parallelize([(v, None) for v in range(n)], 2),
                 sc.parallelize([Edge(s, d, 1) for s, d in pairs], 2), None)


def nx_multi(n, pairs) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(pairs)
    return g


def smallest_id_labels(components) -> dict:
    return {v: min(c) for c in components for v in c}


# -- PageRank ---------------------------------------------------------------------------

@SETTINGS
@given(graph=graphs)
def test_dynamic_pagerank_is_n_times_networkx(sc, graph):
    n, pairs = graph
    ranks = dict(build(sc, n, pairs).pageRank(1e-10).vertices.collect())
    expected = nx.pagerank(nx_multi(n, pairs), alpha=0.85, tol=1e-13, max_iter=10_000)
    assert set(ranks) == set(expected)
    for v, r in ranks.items():
        assert r == pytest.approx(n * expected[v], rel=1e-5, abs=1e-7)
    assert sum(ranks.values()) == pytest.approx(n)


@SETTINGS
@given(graph=graphs, source=st.integers(0, 7))
def test_personalized_pagerank_matches_networkx(sc, graph, source):
    n, pairs = graph
    src = source % n
    ranks = dict(build(sc, n, pairs).personalizedPageRank(src, 1e-10).vertices.collect())
    expected = nx.pagerank(nx_multi(n, pairs), alpha=0.85, personalization={src: 1.0},
                           tol=1e-13, max_iter=10_000)
    for v, r in ranks.items():
        assert r == pytest.approx(expected[v], rel=1e-5, abs=1e-8)


def model_static_pagerank(n, pairs, iters, reset, src=None):
    """GraphX's static rounds in plain Python, then its normalisation."""
    out = {v: 0 for v in range(n)}
    for s, _ in pairs:
        out[s] += 1
    ranks = {v: 1.0 if src is None or v == src else 0.0 for v in range(n)}
    for _ in range(iters):
        got = {v: 0.0 for v in range(n)}
        for s, d in pairs:
            got[d] += ranks[s] / out[s]
        ranks = {v: (reset if src is None or v == src else 0.0) + (1 - reset) * got[v]
                 for v in range(n)}
    total = sum(ranks.values())
    scale = 1 / total if src is not None else n / total
    return {v: r * scale for v, r in ranks.items()}


@SETTINGS
@given(graph=graphs, iters=st.integers(1, 4))
def test_static_pagerank_matches_a_model_of_graphx_rounds(sc, graph, iters):
    n, pairs = graph
    g = build(sc, n, pairs)
    ranks = dict(g.staticPageRank(iters, 0.2).vertices.collect())
    expected = model_static_pagerank(n, pairs, iters, 0.2)
    assert ranks == pytest.approx(expected, rel=1e-9)
    personal = dict(g.staticPersonalizedPageRank(0, iters, 0.2).vertices.collect())
    assert personal == pytest.approx(model_static_pagerank(n, pairs, iters, 0.2, src=0),
                                     rel=1e-9, abs=1e-12)


def test_pagerank_edges_carry_the_inverse_out_degree(sc):
    g = Graph.fromEdgeTuples(sc.parallelize([(1, 2), (1, 3), (1, 3), (2, 1)]), 0)
    weights = sorted((e.srcId, e.dstId, e.attr) for e in g.staticPageRank(2).edges.collect())
    assert weights == [(1, 2, 1 / 3), (1, 3, 1 / 3), (1, 3, 1 / 3), (2, 1, 1.0)]


def test_pagerank_rejects_bad_arguments(sc):
    g = Graph.fromEdgeTuples(sc.parallelize([(1, 2)]), 0)
    with pytest.raises(ValueError, match="Number of iterations must be greater than 0"):
        g.staticPageRank(0)
    with pytest.raises(ValueError, match="Tolerance must be no less than 0"):
        g.pageRank(-1.0)
    with pytest.raises(ValueError, match=r"Random reset probability must belong to \[0, 1\]"):
        PageRank.run(g, 3, 1.5)


# -- components -------------------------------------------------------------------------

@SETTINGS
@given(graph=graphs)
def test_connected_components_match_networkx(sc, graph):
    n, pairs = graph
    labels = dict(build(sc, n, pairs).connectedComponents().vertices.collect())
    expected = smallest_id_labels(nx.weakly_connected_components(nx_multi(n, pairs)))
    assert labels == expected


def test_connected_components_stop_after_max_iterations(sc):
    # A path 0-1-2-3-4: label 0 travels one hop per round.
    g = Graph.fromEdgeTuples(sc.parallelize([(i, i + 1) for i in range(4)]), 0)
    assert dict(g.connectedComponents(2).vertices.collect()) == {0: 0, 1: 0, 2: 0, 3: 1, 4: 2}
    with pytest.raises(ValueError, match="greater than 0"):
        g.connectedComponents(0)


@SETTINGS
@given(graph=graphs)
def test_strongly_connected_components_match_networkx(sc, graph):
    n, pairs = graph
    labels = dict(build(sc, n, pairs).stronglyConnectedComponents(n + 2).vertices.collect())
    expected = smallest_id_labels(nx.strongly_connected_components(nx_multi(n, pairs)))
    assert labels == expected


def test_strongly_connected_components_of_the_graphx_suite_shape(sc):
    # Three 3-cycles chained by one-way edges, plus a lone vertex.
    pairs = [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (6, 7), (7, 8), (8, 6),
             (0, 3), (3, 6)]
    g = Graph(sc.parallelize([(v, None) for v in range(10)]), sc.parallelize(
        [Edge(s, d, 1) for s, d in pairs]))
    labels = dict(g.stronglyConnectedComponents(10).vertices.collect())
    assert labels == {0: 0, 1: 0, 2: 0, 3: 3, 4: 3, 5: 3, 6: 6, 7: 6, 8: 6, 9: 9}


# -- triangles --------------------------------------------------------------------------

@SETTINGS
@given(graph=graphs)
def test_triangle_count_matches_networkx(sc, graph):
    n, pairs = graph
    counts = dict(build(sc, n, pairs).triangleCount().vertices.collect())
    simple = nx.Graph()
    simple.add_nodes_from(range(n))
    simple.add_edges_from((s, d) for s, d in pairs if s != d)
    assert counts == nx.triangles(simple)


# -- shortest paths ---------------------------------------------------------------------

@SETTINGS
@given(graph=graphs, marks=st.sets(st.integers(0, 7), min_size=1, max_size=3))
def test_shortest_paths_match_networkx(sc, graph, marks):
    n, pairs = graph
    landmarks = sorted({m % n for m in marks})
    got = dict(ShortestPaths.run(build(sc, n, pairs), landmarks).vertices.collect())
    g = nx_multi(n, pairs)
    expected = {v: {} for v in range(n)}
    for mark in landmarks:
        # hops from every vertex to the landmark, along edge direction
        for v, d in dict(nx.single_target_shortest_path_length(g, mark)).items():
            expected[v][mark] = d
    assert got == expected


# -- label propagation ------------------------------------------------------------------

def test_label_propagation_finds_disjoint_cliques(sc):
    # Cliques of 4 and 5 vertices, one per component: each settles on its smallest id.
    cliques = [range(0, 4), range(10, 15)]
    pairs = [(a, b) for c in cliques for a in c for b in c if a < b]
    g = Graph.fromEdgeTuples(sc.parallelize(pairs, 2), 0)
    labels = dict(LabelPropagation.run(g, 5).vertices.collect())
    expected = smallest_id_labels(nx.connected_components(nx.Graph(pairs)))
    assert labels == expected


def model_label_propagation(n, pairs, steps):
    labels = {v: v for v in range(n)}
    for _ in range(steps):
        counts = {v: {} for v in range(n)}
        for s, d in pairs:
            counts[s][labels[d]] = counts[s].get(labels[d], 0) + 1
            counts[d][labels[s]] = counts[d].get(labels[s], 0) + 1
        labels = {v: labels[v] if not c else
                  min(k for k, x in c.items() if x == max(c.values()))
                  for v, c in counts.items()}
    return labels


@SETTINGS
@given(graph=graphs, steps=st.integers(1, 4))
def test_label_propagation_matches_a_model_of_synchronous_rounds(sc, graph, steps):
    n, pairs = graph
    labels = dict(LabelPropagation.run(build(sc, n, pairs), steps).vertices.collect())
    assert labels == model_label_propagation(n, pairs, steps)


# -- SVD++ ------------------------------------------------------------------------------

def model_svdpp(ratings, conf, init):
    """GraphX's SVD++ rounds with numpy (step messages summed), from the same start."""
    mean = sum(r for _, _, r in ratings) / len(ratings)
    ids = {u for u, _, _ in ratings} | {i for _, i, _ in ratings}
    count = {v: sum(1 for u, i, _ in ratings if v in (u, i)) for v in ids}
    rated = {v: sum(r for u, i, r in ratings if v in (u, i)) for v in ids}
    v1 = {v: np.array(init[0]) for v in ids}
    v2 = {v: np.array(init[1]) for v in ids}
    bias = {v: rated[v] / count[v] - mean for v in ids}
    norm = {v: count[v] ** -0.5 for v in ids}

    def pred(u, i):
        return min(max(mean + bias[u] + bias[i] + v1[i] @ v2[u], conf.minVal), conf.maxVal)

    g1, g2, g6, g7 = conf.gamma1, conf.gamma2, conf.gamma6, conf.gamma7
    for _ in range(conf.maxIters):
        users = {u for u, _, _ in ratings}
        v2.update({u: v1[u] + norm[u] * sum(v2[i] for uu, i, _ in ratings if uu == u)
                   for u in users})
        d1 = {v: np.zeros(conf.rank) for v in ids}
        d2 = {v: np.zeros(conf.rank) for v in ids}
        db = dict.fromkeys(ids, 0.0)
        for u, i, r in ratings:
            err = r - pred(u, i)
            y_step = (err * norm[u] * v1[i] - g7 * v2[i]) * g2
            d1[u] += (err * v1[i] - g7 * v1[u]) * g2
            d1[i] += (err * v2[u] - g7 * v1[i]) * g2
            d2[u] += y_step
            d2[i] += y_step
            db[u] += (err - g6 * bias[u]) * g1
            db[i] += (err - g6 * bias[i]) * g1
        v1 = {v: v1[v] + d1[v] for v in ids}
        v2 = {v: v2[v] + d2[v] for v in ids}
        bias = {v: bias[v] + db[v] for v in ids}
    for i in {i for _, i, _ in ratings}:
        norm[i] = sum((r - pred(u, ii)) ** 2 for u, ii, r in ratings if ii == i)
    return {v: (v1[v], v2[v], bias[v], norm[v]) for v in ids}, mean


def test_svdpp_matches_a_model_of_its_rounds(sc):
    rng = random.Random(7)
    ratings = sorted({(u, 100 + i, float(rng.randint(1, 5)))
                      for u in range(6) for i in range(5) if rng.random() < 0.6})
    conf = SVDPlusPlus.Conf(3, 4, 1.0, 5.0, 0.007, 0.007, 0.005, 0.015)
    graph, mean = SVDPlusPlus.run(
        sc.parallelize([Edge(u, i, r) for u, i, r in ratings], 2), conf, seed=3)
    init_rng = random.Random(3)
    init = ([init_rng.random() for _ in range(3)], [init_rng.random() for _ in range(3)])
    expected, expected_mean = model_svdpp(ratings, conf, init)
    assert mean == pytest.approx(expected_mean)
    got = dict(graph.vertices.collect())
    assert set(got) == set(expected)
    for v, (a, b, bias, norm) in got.items():
        ea, eb, ebias, enorm = expected[v]
        assert a == pytest.approx(ea, rel=1e-9) and b == pytest.approx(eb, rel=1e-9)
        assert bias == pytest.approx(ebias, rel=1e-9, abs=1e-12)
        assert norm == pytest.approx(enorm, rel=1e-9)


def test_svdpp_lowers_the_training_error(sc):
    rng = random.Random(11)
    ratings = [Edge(u, 1000 + i, float(1 + (u * i) % 5)) for u in range(12) for i in range(8)
               if rng.random() < 0.7]
    rdd = sc.parallelize(ratings, 2)

    def rmse(iters):
        conf = SVDPlusPlus.Conf(4, iters, 0.0, 5.0, 0.007, 0.007, 0.005, 0.015)
        graph, _ = SVDPlusPlus.run(rdd, conf, seed=5)
        items = [vd[3] for vid, vd in graph.vertices.collect() if vid >= 1000]
        return (sum(items) / len(ratings)) ** 0.5
    assert rmse(30) < rmse(1)


def test_svdpp_rejects_bad_conf(sc):
    rdd = sc.parallelize([Edge(1, 2, 3.0)])
    with pytest.raises(ValueError, match="Maximum of iterations"):
        SVDPlusPlus.run(rdd, SVDPlusPlus.Conf(2, 0, 0.0, 5.0, 0.1, 0.1, 0.1, 0.1))
    with pytest.raises(ValueError, match="MaxVal must be greater than MinVal"):
        SVDPlusPlus.run(rdd, SVDPlusPlus.Conf(2, 1, 5.0, 5.0, 0.1, 0.1, 0.1, 0.1))
