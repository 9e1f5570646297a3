"""Graph operators, VertexRDD/EdgeRDD methods and builders on small hand-checked graphs."""

from __future__ import annotations

import collections

import pytest
from graphx_helpers import RELATIONSHIPS, USERS, property_graph_fixture, sc_fixture  # noqa: F401

from sparklet.graphx import (
    Edge,
    EdgeDirection,
    EdgeRDD,
    EdgeTriplet,
    Graph,
    GraphLoader,
    PartitionStrategy,
    TripletFields,
    VertexRDD,
)

DEFAULT = ("John Doe", "Missing")
ALL_EDGES = RELATIONSHIPS + [(4, 0, "student"), (5, 0, "colleague")]
ALL_VERTICES = dict(USERS, **{})
ALL_VERTICES.update({4: DEFAULT, 0: DEFAULT})


def edge_tuples(rdd):
    return sorted((e.srcId, e.dstId, e.attr) for e in rdd.collect())


def test_vertices_edges_and_missing_vertices_get_the_default(property_graph):
    g = property_graph
    assert isinstance(g.vertices, VertexRDD) and isinstance(g.edges, EdgeRDD)
    assert dict(g.vertices.collect()) == ALL_VERTICES
    assert edge_tuples(g.edges) == sorted(ALL_EDGES)
    assert g.numVertices() == 6 and g.numEdges() == 6
    # VertexRDD/EdgeRDD are RDDs: the RDD API works on them.
    assert g.vertices.filter(lambda kv: kv[1][1] == "prof").count() == 2
    assert g.edges.filter(lambda e: e.srcId > e.dstId).count() == 3
    assert sorted(g.vertices.map(lambda kv: kv[0]).collect()) == sorted(ALL_VERTICES)


def test_triplets_as_in_the_guide(property_graph):
    got = sorted(t.srcAttr[0] + " is the " + t.attr + " of " + t.dstAttr[0]
                 for t in property_graph.triplets.collect())
    want = sorted(ALL_VERTICES[s][0] + " is the " + a + " of " + ALL_VERTICES[d][0]
                  for s, d, a in ALL_EDGES)
    assert got == want
    assert all(isinstance(t, EdgeTriplet) for t in property_graph.triplets.collect())


def test_duplicate_vertex_ids_keep_one_attribute(sc):
    g = Graph(sc.parallelize([(1, "a"), (1, "b"), (2, "c")]), sc.parallelize([Edge(1, 2, 0)]))
    got = dict(g.vertices.collect())
    assert g.numVertices() == 2 and got[1] in ("a", "b") and got[2] == "c"


def test_degrees(property_graph):
    ins = collections.Counter(d for _, d, _ in ALL_EDGES)
    outs = collections.Counter(s for s, _, _ in ALL_EDGES)
    assert dict(property_graph.inDegrees.collect()) == dict(ins)
    assert dict(property_graph.outDegrees.collect()) == dict(outs)
    assert dict(property_graph.degrees.collect()) == dict(ins + outs)


def test_self_loop_counts_twice_in_degrees(sc):
    g = Graph.fromEdges(sc.parallelize([Edge(1, 1, 0), Edge(1, 2, 0)]), 0)
    assert dict(g.degrees.collect()) == {1: 3, 2: 1}


def test_from_edges_and_edge_tuples(sc):
    pairs = [(1, 2), (1, 2), (2, 3), (3, 1), (1, 2)]
    g = Graph.fromEdgeTuples(sc.parallelize(pairs, 2), "d")
    assert dict(g.vertices.collect()) == {1: "d", 2: "d", 3: "d"}
    assert edge_tuples(g.edges) == sorted((s, d, 1) for s, d in pairs)
    unique = Graph.fromEdgeTuples(sc.parallelize(pairs, 2), "d",
                                  uniqueEdges=PartitionStrategy.RandomVertexCut)
    assert edge_tuples(unique.edges) == sorted(
        (s, d, n) for (s, d), n in collections.Counter(pairs).items())
    g2 = Graph.fromEdges(sc.parallelize([Edge(5, 6, "x")]), 0)
    assert sorted(g2.vertices.collect()) == [(5, 0), (6, 0)]


def test_edge_list_file(sc, tmp_path):
    path = tmp_path / "edges.txt"
    path.write_text("# a comment\n1 2\n3\t1\n\n# another\n2 2\n4 3 extra\n")
    g = GraphLoader.edgeListFile(sc, str(path))
    assert edge_tuples(g.edges) == [(1, 2, 1), (2, 2, 1), (3, 1, 1), (4, 3, 1)]
    assert dict(g.vertices.collect()) == {1: 1, 2: 1, 3: 1, 4: 1}
    canon = GraphLoader.edgeListFile(sc, str(path), canonicalOrientation=True,
                                     numEdgePartitions=3)
    assert edge_tuples(canon.edges) == [(1, 2, 1), (1, 3, 1), (2, 2, 1), (3, 4, 1)]


def test_map_vertices_edges_triplets(property_graph):
    g = property_graph.mapVertices(lambda vid, attr: (vid, attr[0].upper()))
    assert dict(g.vertices.collect()) == {v: (v, a[0].upper()) for v, a in ALL_VERTICES.items()}
    e = property_graph.mapEdges(lambda edge: len(edge.attr) + edge.srcId)
    assert edge_tuples(e.edges) == sorted((s, d, len(a) + s) for s, d, a in ALL_EDGES)
    t = property_graph.mapTriplets(lambda tr: tr.srcAttr[0] + "/" + tr.dstAttr[0])
    assert edge_tuples(t.edges) == sorted(
        (s, d, ALL_VERTICES[s][0] + "/" + ALL_VERTICES[d][0]) for s, d, _ in ALL_EDGES)
    t2 = property_graph.mapTriplets(lambda tr: (tr.srcAttr, tr.dstAttr), TripletFields.Src)
    assert edge_tuples(t2.edges) == sorted((s, d, (ALL_VERTICES[s], None))
                                           for s, d, _ in ALL_EDGES)


def test_reverse(property_graph):
    assert edge_tuples(property_graph.reverse().edges) == sorted(
        (d, s, a) for s, d, a in ALL_EDGES)
    assert dict(property_graph.reverse().vertices.collect()) == ALL_VERTICES


def test_subgraph_drops_missing_users_as_in_the_guide(property_graph):
    valid = property_graph.subgraph(vpred=lambda vid, attr: attr[1] != "Missing")
    assert dict(valid.vertices.collect()) == dict(USERS)
    assert edge_tuples(valid.edges) == sorted(RELATIONSHIPS)
    only_pi = property_graph.subgraph(epred=lambda t: t.attr in ("pi", "advisor"))
    assert edge_tuples(only_pi.edges) == [(5, 3, "advisor"), (5, 7, "pi")]
    assert only_pi.numVertices() == 6
    both = property_graph.subgraph(lambda t: t.srcId == 5, lambda vid, a: vid != 7)
    assert edge_tuples(both.edges) == [(5, 0, "colleague"), (5, 3, "advisor")]


def test_mask(property_graph):
    valid = property_graph.subgraph(vpred=lambda vid, attr: attr[1] != "Missing")
    cc_like = property_graph.mapVertices(lambda vid, attr: vid).mapEdges(lambda e: 0)
    masked = cc_like.mask(valid)
    assert dict(masked.vertices.collect()) == {v: v for v, _ in USERS}
    assert edge_tuples(masked.edges) == sorted((s, d, 0) for s, d, _ in RELATIONSHIPS)


def test_group_edges(sc):
    edges = [Edge(1, 2, 1), Edge(1, 2, 5), Edge(2, 1, 7), Edge(1, 2, 10)]
    g = Graph.fromEdges(sc.parallelize(edges, 3), 0)
    merged = g.partitionBy(PartitionStrategy.EdgePartition2D).groupEdges(lambda a, b: a + b)
    assert edge_tuples(merged.edges) == [(1, 2, 16), (2, 1, 7)]


def test_join_and_outer_join_vertices(property_graph, sc):
    table = sc.parallelize([(3, 10), (5, 20), (99, 1)])
    joined = property_graph.joinVertices(table, lambda vid, attr, u: (attr[0], u))
    want = dict(ALL_VERTICES)
    want.update({3: ("rxin", 10), 5: ("franklin", 20)})
    assert dict(joined.vertices.collect()) == want
    outer = property_graph.outerJoinVertices(property_graph.outDegrees,
                                             lambda vid, attr, d: d or 0)
    outs = collections.Counter(s for s, _, _ in ALL_EDGES)
    assert dict(outer.vertices.collect()) == {v: outs.get(v, 0) for v in ALL_VERTICES}
    assert edge_tuples(outer.edges) == sorted(ALL_EDGES)


@pytest.mark.parametrize("fields", [TripletFields.All, TripletFields.Src, TripletFields.Dst,
                                    TripletFields.EdgeOnly, TripletFields.None_])
def test_aggregate_messages_with_each_triplet_fields(property_graph, fields):
    def send(ctx):
        ctx.sendToDst([(ctx.srcId, ctx.srcAttr, ctx.attr, ctx.dstAttr)])
        ctx.sendToSrc([("out", ctx.dstId)])
    got = dict(property_graph.aggregateMessages(send, lambda a, b: a + b, fields).collect())
    want: dict = collections.defaultdict(list)
    for s, d, a in ALL_EDGES:
        want[d].append((s, ALL_VERTICES[s] if fields.useSrc else None,
                        a if fields.useEdge else None,
                        ALL_VERTICES[d] if fields.useDst else None))
        want[s].append(("out", d))
    assert {k: sorted(v, key=repr) for k, v in got.items()} == {
        k: sorted(v, key=repr) for k, v in want.items()}


def test_aggregate_messages_oldest_follower_as_in_the_guide(sc):
    ages = {i: 20 + (i * 7) % 30 for i in range(10)}
    edges = [(i, (i * 3 + 1) % 10) for i in range(10)] + [(i, (i + 5) % 10) for i in range(10)]
    g = Graph(sc.parallelize(list(ages.items())),
              sc.parallelize([Edge(s, d, 0) for s, d in edges]))

    def send(ctx):
        if ctx.srcAttr > ctx.dstAttr:
            ctx.sendToDst((1, ctx.srcAttr))
    older = g.aggregateMessages(send, lambda a, b: (a[0] + b[0], a[1] + b[1]),
                                TripletFields.All)
    want: dict = {}
    for s, d in edges:
        if ages[s] > ages[d]:
            c, t = want.get(d, (0, 0))
            want[d] = (c + 1, t + ages[s])
    assert dict(older.collect()) == want


@pytest.mark.parametrize("direction", [EdgeDirection.In, EdgeDirection.Out,
                                       EdgeDirection.Either])
def test_collect_neighbors(property_graph, direction):
    want: dict = {v: [] for v in ALL_VERTICES}
    for s, d, _ in ALL_EDGES:
        if direction in (EdgeDirection.Out, EdgeDirection.Either):
            want[s].append(d)
        if direction in (EdgeDirection.In, EdgeDirection.Either):
            want[d].append(s)
    ids = dict(property_graph.collectNeighborIds(direction).collect())
    assert {k: sorted(v) for k, v in ids.items()} == {k: sorted(v) for k, v in want.items()}
    nbrs = dict(property_graph.collectNeighbors(direction).collect())
    assert {k: sorted(v) for k, v in nbrs.items()} == {
        k: sorted((n, ALL_VERTICES[n]) for n in v) for k, v in want.items()}


def test_collect_neighbors_refuses_both(property_graph):
    with pytest.raises(ValueError, match="Both"):
        property_graph.collectNeighborIds(EdgeDirection.Both)


@pytest.mark.parametrize("strategy", [PartitionStrategy.EdgePartition1D,
                                      PartitionStrategy.EdgePartition2D,
                                      PartitionStrategy.RandomVertexCut,
                                      PartitionStrategy.CanonicalRandomVertexCut])
def test_partition_by_places_each_edge_where_the_strategy_says(sc, strategy):
    pairs = [(s, d) for s in range(8) for d in range(8) if (s * d) % 3 == 1] + [(7, 2), (2, 7)]
    g = Graph.fromEdgeTuples(sc.parallelize(pairs, 2), 0)
    for n in (3, 4):
        parts = g.partitionBy(strategy, n).edges.glom().collect()
        assert len(parts) == n
        assert sorted((e.srcId, e.dstId) for p in parts for e in p) == sorted(pairs)
        for i, p in enumerate(parts):
            assert all(strategy.getPartition(e.srcId, e.dstId, n) % n == i for e in p)
    if strategy == PartitionStrategy.CanonicalRandomVertexCut:
        assert strategy.getPartition(7, 2, 5) == strategy.getPartition(2, 7, 5)
    if strategy == PartitionStrategy.EdgePartition1D:
        assert len({strategy.getPartition(3, d, 7) for d in range(20)}) == 1


def test_edge_partition_2d_bounds_replication():
    # A vertex's edges (as source or destination) touch at most 2 * ceil(sqrt(N)) parts.
    for n in (4, 9, 7):
        for v in range(30):
            parts = {PartitionStrategy.EdgePartition2D.getPartition(v, d, n) for d in range(200)}
            parts |= {PartitionStrategy.EdgePartition2D.getPartition(s, v, n)
                      for s in range(200)}
            assert len(parts) <= 2 * 3 and all(0 <= p < n for p in parts)


def test_vertex_rdd_methods(sc):
    a = VertexRDD(sc.parallelize([(1, 1), (2, 2), (3, 3), (4, 4)], 2))
    b = sc.parallelize([(2, 2), (3, 30), (5, 50)])
    assert sorted(a.filter(lambda kv: kv[1] % 2 == 0).collect()) == [(2, 2), (4, 4)]
    assert isinstance(a.filter(lambda kv: True), VertexRDD)
    assert sorted(a.mapValues(lambda x: x * 10).collect()) == [(1, 10), (2, 20), (3, 30),
                                                                (4, 40)]
    assert sorted(a.mapValues(lambda vid, x: vid + x).collect()) == [(1, 2), (2, 4), (3, 6),
                                                                      (4, 8)]
    assert sorted(a.diff(b).collect()) == [(3, 30)]
    assert sorted(a.minus(b).collect()) == [(1, 1), (4, 4)]
    assert sorted(a.leftJoin(b, lambda vid, x, y: (x, y)).collect()) == [
        (1, (1, None)), (2, (2, 2)), (3, (3, 30)), (4, (4, None))]
    assert sorted(a.innerJoin(b, lambda vid, x, y: x + y).collect()) == [(2, 4), (3, 33)]
    msgs = sc.parallelize([(1, 5), (1, 6), (5, 100), (3, 1)])
    assert sorted(a.aggregateUsingIndex(msgs, lambda x, y: x + y).collect()) == [(1, 11),
                                                                                  (3, 1)]


def test_edge_rdd_methods(sc):
    e = EdgeRDD(sc.parallelize([Edge(1, 2, 1), Edge(2, 3, 2), Edge(1, 2, 3)], 2))
    assert edge_tuples(e.mapValues(lambda edge: edge.attr * 2)) == [(1, 2, 2), (1, 2, 6),
                                                                     (2, 3, 4)]
    assert edge_tuples(e.reverse()) == [(2, 1, 1), (2, 1, 3), (3, 2, 2)]
    other = sc.parallelize([Edge(1, 2, "x"), Edge(3, 2, "y")])
    assert edge_tuples(e.innerJoin(other, lambda s, d, a, b: (a, b))) == [
        (1, 2, (1, "x")), (1, 2, (3, "x"))]


def test_graph_persist_and_checkpoint(sc, tmp_path, property_graph):
    sc.setCheckpointDir(str(tmp_path / "cp"))
    g = property_graph.mapVertices(lambda vid, a: vid).cache()
    g.checkpoint()
    assert g.numVertices() == 6 and g.numEdges() == 6
    assert g.isCheckpointed() and len(g.getCheckpointFiles()) == 2
    assert dict(g.vertices.collect()) == {v: v for v in ALL_VERTICES}
    g.unpersist()


# (src, dst, numParts, EdgePartition1D, EdgePartition2D) as computed by GraphX's formulas
# in Java's 64-bit arithmetic (jshell), products that overflow included.
JVM_PLACEMENTS = [(2, 123456789, 10, 4, 4), (7, 1, 3, 1, 1), (123456789, 7, 9, 4, 4),
                  (1099511627776, 2, 10, 2, 2), (9007199254740993, -5, 7, 5, 5),
                  (-5, 9007199254740993, 16, 9, 7)]


@pytest.mark.parametrize("src,dst,n,one_d,two_d", JVM_PLACEMENTS)
def test_edge_partition_hashes_match_the_jvm(src, dst, n, one_d, two_d):
    assert PartitionStrategy.EdgePartition1D.getPartition(src, dst, n) == one_d
    assert PartitionStrategy.EdgePartition2D.getPartition(src, dst, n) == two_d
