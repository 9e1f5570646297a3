"""Graphs on streams: a graph built from each batch's edges, and one grown from all the
edges seen so far, analysed per batch inside ``foreachRDD`` (on a manual clock)."""

from __future__ import annotations

import networkx as nx
import pytest
from graphx_helpers import sc_fixture  # noqa: F401

from sparklet.graphx import Graph
from sparklet.streaming import StreamingContext
from sparklet.streaming.testing import advance_batches, use_manual_clock

BATCHES = [[(1, 2), (2, 3), (7, 8)], [(3, 1), (4, 5)], [(5, 6), (6, 4), (8, 9), (2, 4)]]


@pytest.fixture
def ssc(sc):
    context = StreamingContext(sc, 1)
    use_manual_clock(context)
    yield context
    context.stop(stopSparkContext=False)


def components(pairs) -> dict:
    return {v: min(c) for c in nx.connected_components(nx.Graph(pairs)) for v in c}


def test_a_graph_per_batch(sc, ssc):
    labels: list[dict] = []

    def analyse(rdd):
        graph = Graph.fromEdgeTuples(rdd, 0)
        labels.append(dict(graph.connectedComponents().vertices.collect()))
    ssc.queueStream([sc.parallelize(b, 2) for b in BATCHES]).foreachRDD(analyse)
    ssc.start()
    advance_batches(ssc, len(BATCHES))
    assert labels == [components(b) for b in BATCHES]


def test_a_graph_grown_batch_by_batch(sc, ssc, tmp_path):
    ssc.checkpoint(str(tmp_path / "cp"))
    ranks: list[dict] = []

    def keep_all(new, old):
        return (old or 0) + sum(new)

    # Every edge seen so far, as state keyed by (src, dst): its multiplicity.
    seen = (ssc.queueStream([sc.parallelize(b, 2) for b in BATCHES])
            .map(lambda p: (p, 1)).updateStateByKey(keep_all))

    def analyse(rdd):
        edges = rdd.flatMap(lambda kv: [kv[0]] * kv[1])
        ranks.append(dict(Graph.fromEdgeTuples(edges, 0).pageRank(1e-9).vertices.collect()))
    seen.foreachRDD(analyse)
    ssc.start()
    advance_batches(ssc, len(BATCHES))
    so_far: list = []
    for batch, got in zip(BATCHES, ranks, strict=True):
        so_far += batch
        graph = nx.MultiDiGraph(so_far)
        expected = nx.pagerank(graph, alpha=0.85, tol=1e-12)
        n = graph.number_of_nodes()
        assert got == pytest.approx({v: n * r for v, r in expected.items()}, rel=1e-5)
