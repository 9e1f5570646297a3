"""The GraphX guide's examples (examples/graphx/*.py) run as scripts, from another working
directory (each finds its data beside itself), and print the values worked out by hand
here: the guide's property graph, the PageRank, connected components and triangle counts of
followers.txt, and, for the random graphs, a plain-Python model (networkx for SSSP) over
the same seeded GraphGenerators graph."""

from __future__ import annotations

import ast
import collections
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from graphx_helpers import sc_fixture  # noqa: F401

from sparklet.graphx.util import GraphGenerators

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "graphx"

pytestmark = pytest.mark.timeout(150)

USERNAMES = {1: "BarackObama", 2: "ladygaga", 3: "jeresig", 4: "justinbieber",
             6: "matei_zaharia", 7: "odersky"}  # anonsys (8) follows and is followed by no one

# PageRank of followers.txt (resetProb 0.15, no vertex without out-edges, so the ranks of the
# fixed point sum to N = 6), solved by hand. {1, 2, 4}: 4 has no follower, r4 = 0.15;
# r1 = 0.15 + 0.85 (r2 + r4) and r2 = 0.15 + 0.85 r1 give r1 = 0.405 / 0.2775.
# {3, 6, 7}: 3 gets half of 6 and 7, 7 all of 3 and half of 6, 6 half of 7; the three sum
# to 3, so r3 = 1, r6 + r7 = 2 and r6 = 0.15 + 0.85 r7 / 2 give r7 = 1.85 / 1.425.
R1 = 0.405 / 0.2775
R7 = 1.85 / 1.425
RANKS = {1: R1, 2: 0.15 + 0.85 * R1, 3: 1.0, 4: 0.15, 6: 2.0 - R7, 7: R7}


def run(script: str, *args: str, cwd: Path) -> list[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=140)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.splitlines()


def pairs(lines: list[str]) -> dict:
    """``(key, value)`` lines as a dict (``inf`` read as a float)."""
    out = {}
    for line in lines:
        key, value = ast.literal_eval(line.replace("inf)", "'inf')"))
        out[key] = float(value) if value == "inf" else value
    return out


def test_the_data_is_the_guides():
    users = [line.split(",") for line in (EXAMPLES / "users.txt").read_text().splitlines()]
    assert {int(u[0]): u[1] for u in users} == {**USERNAMES, 8: "anonsys"}
    assert [len(u) for u in users] == [3, 3, 3, 3, 3, 3, 2]
    edges = [tuple(map(int, line.split()))
             for line in (EXAMPLES / "followers.txt").read_text().splitlines()]
    assert len(edges) == 8 and {v for e in edges for v in e} == set(USERNAMES)


def test_property_graph(tmp_path):
    assert run("property_graph.py", cwd=tmp_path) == [
        "postdocs: 1",  # jgonzal
        "edges with srcId > dstId: 1",  # 5 -> 3
        "franklin is the advisor of rxin",
        "franklin is the pi of jgonzal",
        "istoica is the colleague of franklin",
        "rxin is the collab of jgonzal",
        "max in-degree: (7, 2)",  # from 3 and 5
        "max out-degree: (5, 2)",  # to 3 and 7
        "max degree: (5, 3)",  # 5 -> 3, 2 -> 5, 5 -> 7
    ]


def test_aggregate_messages_averages_the_older_followers(sc, tmp_path):
    got = pairs(run("aggregate_messages.py", "--seed", "7", cwd=tmp_path))
    edges = GraphGenerators.logNormalGraph(sc, 100, seed=7).edges.collect()
    older = collections.defaultdict(list)
    for e in edges:
        if e.srcId > e.dstId:  # age is the id
            older[e.dstId].append(e.srcId)
    assert older and len(edges) > 100
    assert set(got) == set(older)
    for vid, ages in older.items():
        assert got[vid] == pytest.approx(sum(ages) / len(ages))


def test_sssp_is_the_breadth_first_distance(sc, tmp_path):
    got = pairs(run("sssp_pregel.py", "--seed", "3", cwd=tmp_path))
    g = nx.DiGraph()
    g.add_nodes_from(range(100))
    g.add_edges_from((e.srcId, e.dstId)
                     for e in GraphGenerators.logNormalGraph(sc, 100, seed=3).edges.collect())
    hops = nx.single_source_shortest_path_length(g, 42)
    assert got == {v: float(hops.get(v, float("inf"))) for v in range(100)}
    assert got[42] == 0.0


def test_pagerank_of_the_followers(tmp_path):
    got = pairs(run("pagerank_example.py", cwd=tmp_path))
    assert set(got) == set(USERNAMES.values())
    for vid, name in USERNAMES.items():
        assert got[name] == pytest.approx(RANKS[vid], abs=0.01), name
    assert sum(got.values()) == pytest.approx(6.0)


def test_connected_components_of_the_followers(tmp_path):
    got = pairs(run("connected_components_example.py", cwd=tmp_path))
    # 1 <-> 2 <- 4 and 3 <-> 7 <-> 6 -> 3: two components, labelled by their smallest id.
    assert got == {"BarackObama": 1, "ladygaga": 1, "justinbieber": 1,
                   "jeresig": 3, "matei_zaharia": 3, "odersky": 3}


def test_triangle_counts_of_the_followers(tmp_path):
    got = pairs(run("triangle_counting_example.py", cwd=tmp_path))
    # Undirected and deduplicated, the only triangle is 3 - 6 - 7.
    assert got == {"BarackObama": 0, "ladygaga": 0, "justinbieber": 0,
                   "jeresig": 1, "matei_zaharia": 1, "odersky": 1}


def test_comprehensive_example_prints_the_top_five(tmp_path):
    rows = [ast.literal_eval(line) for line in run("comprehensive_example.py", cwd=tmp_path)]
    # Every user of the graph has a username and a name, so the subgraph is the whole graph;
    # justinbieber (0.15) is the one left out of the top five.
    assert [vid for vid, _ in rows] == [1, 2, 7, 3, 6]
    full = {1: "Barack Obama", 2: "Goddess of Love", 3: "John Resig", 6: "Matei Zaharia",
            7: "Martin Odersky"}
    for vid, (rank, attrs) in rows:
        assert attrs == [USERNAMES[vid], full[vid]]
        assert rank == pytest.approx(RANKS[vid], abs=0.02)
