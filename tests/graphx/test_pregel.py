"""Pregel: shortest paths against Dijkstra, activeDirection and maxIterations against a
plain-Python model of GraphX's loop, and checkpointing keeping the lineage bounded."""

from __future__ import annotations

import heapq

import pytest
from graphx_helpers import sc_fixture  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparklet import SparkConf
from sparklet.graphx import Edge, EdgeDirection, EdgeTriplet, Graph

INF = float("inf")


def dijkstra(n: int, edges: list[tuple[int, int, float]], source: int) -> dict[int, float]:
    dist = {v: INF for v in range(n)}
    dist[source] = 0.0
    heap = [(0.0, source)]
    adj: dict[int, list] = {}
    for s, d, w in edges:
        adj.setdefault(s, []).append((d, w))
    while heap:
        du, u = heapq.heappop(heap)
        if du > dist[u]:
            continue
        for v, w in adj.get(u, []):
            if du + w < dist[v]:
                dist[v] = du + w
                heapq.heappush(heap, (dist[v], v))
    return dist


def sssp(graph: Graph, source: int, **kwargs) -> Graph:
    """The guide's single-source shortest paths."""
    start = graph.mapVertices(lambda vid, _: 0.0 if vid == source else INF)

    def send(t):
        if t.srcAttr + t.attr < t.dstAttr:
            return [(t.dstId, t.srcAttr + t.attr)]
        return []
    return start.pregel(INF, lambda vid, d, m: min(d, m), send, min, **kwargs)


graphs = st.integers(2, 7).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(1, 9)),
             max_size=14)))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph=graphs)
def test_single_source_shortest_paths_match_dijkstra(sc, graph):
    n, raw = graph
    edges = [(s, d, float(w)) for s, d, w in raw]
    g = Graph(sc.parallelize([(v, None) for v in range(n)], 2),
              sc.parallelize([Edge(s, d, w) for s, d, w in edges], 2))
    assert dict(sssp(g, 0).vertices.collect()) == dijkstra(n, edges, 0)


def model_pregel(attrs, edges, initial, vprog, send, merge, max_iter, direction):
    """GraphX's Pregel loop over plain dicts."""
    attrs = {v: vprog(v, a, initial) for v, a in attrs.items()}
    tests = {"Out": lambda s, d: s, "In": lambda s, d: d, "Either": lambda s, d: s or d,
             "Both": lambda s, d: s and d}

    def round_(active):
        msgs: dict = {}
        for s, d, a in edges:
            if active is not None and not tests[direction.name](s in active, d in active):
                continue
            for vid, m in send(EdgeTriplet(s, d, a, attrs[s], attrs[d])):
                msgs[vid] = merge(msgs[vid], m) if vid in msgs else m
        return msgs
    msgs, i = round_(None), 0
    while msgs and i < max_iter:
        for v, m in msgs.items():
            attrs[v] = vprog(v, attrs[v], m)
        msgs, i = round_(set(msgs)), i + 1
    return attrs


def bounded_send(t):
    out = []
    if t.srcAttr < 6:
        out.append((t.dstId, 1))
    if t.dstAttr < 3 and t.attr % 2 == 0:
        out.append((t.srcId, 2))
    return out


def add_message(vid, attr, msg):
    return attr + msg


@pytest.mark.parametrize("direction", [EdgeDirection.Out, EdgeDirection.In,
                                       EdgeDirection.Either, EdgeDirection.Both])
def test_active_direction_follows_graphx(sc, direction):
    edges = [(0, 1, 0), (1, 2, 1), (2, 0, 2), (2, 3, 4), (3, 4, 3), (4, 4, 6), (5, 3, 8),
             (1, 5, 7)]
    attrs = {v: 0 for v in range(6)}
    g = Graph(sc.parallelize(list(attrs.items()), 2),
              sc.parallelize([Edge(s, d, a) for s, d, a in edges], 2))
    got = g.pregel(0, add_message, bounded_send, lambda a, b: a + b, maxIterations=5,
                   activeDirection=direction)
    assert dict(got.vertices.collect()) == model_pregel(
        attrs, edges, 0, add_message, bounded_send, lambda a, b: a + b, 5, direction)


def test_max_iterations_stops_the_loop(sc):
    chain = Graph.fromEdges(sc.parallelize([Edge(i, i + 1, 1.0) for i in range(9)], 2), 0)
    got = dict(sssp(chain, 0, maxIterations=3).vertices.collect())
    assert got == {v: (float(v) if v <= 3 else INF) for v in range(10)}
    assert dict(sssp(chain, 0).vertices.collect()) == {v: float(v) for v in range(10)}


def lineage_size(rdd) -> int:
    """How many RDDs the lineage of ``rdd`` holds (checkpointed ones end it)."""
    seen, todo = set(), [rdd]
    while todo:
        r = todo.pop()
        if r.id() in seen:
            continue
        seen.add(r.id())
        todo.extend(dep.rdd for dep in r.dependencies())
    return len(seen)


def test_checkpoint_interval_keeps_lineage_bounded(make_context, tmp_path):
    def run(sc, length):
        chain = Graph.fromEdges(
            sc.parallelize([Edge(i, i + 1, 1.0) for i in range(length)], 2), 0)
        result = sssp(chain, 0)
        assert dict(result.vertices.collect()) == {v: float(v) for v in range(length + 1)}
        return lineage_size(result.vertices)

    sc = make_context(SparkConf().set("spark.graphx.pregel.checkpointInterval", "2"))
    sc.setCheckpointDir(str(tmp_path / "cp"))
    bounded = [run(sc, n) for n in (6, 14)]
    plain = make_context(SparkConf())
    growing = [run(plain, n) for n in (6, 14)]
    assert growing[1] > growing[0]          # without checkpoints, one more step per round
    assert bounded[1] == bounded[0]         # with them, the same however long the run
    assert bounded[1] < growing[1]


def test_the_model_tells_the_directions_apart():
    edges = [(0, 1, 0), (1, 2, 1), (2, 0, 2), (2, 3, 4), (3, 4, 3), (4, 4, 6), (5, 3, 8),
             (1, 5, 7)]
    results = [tuple(sorted(model_pregel({v: 0 for v in range(6)}, edges, 0, add_message,
                                         bounded_send, lambda a, b: a + b, 5, d).items()))
               for d in (EdgeDirection.Out, EdgeDirection.In, EdgeDirection.Either,
                         EdgeDirection.Both)]
    assert len(set(results)) == 4


def test_max_iterations_must_be_positive(sc):
    g = Graph.fromEdges(sc.parallelize([Edge(1, 2, 1.0)]), 0)
    with pytest.raises(ValueError, match="greater than 0"):
        g.pregel(0, add_message, bounded_send, lambda a, b: a + b, maxIterations=0)
