"""bench/graphx.py runs end to end at a tiny size: the report has its tables and JSON shape,
and what each engine computed (its top PageRank vertices, its components) is checked here
again against PageRank and union-find written out in plain Python over the same R-MAT
edges. Timings are not checked: at this size they mean nothing."""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from sparklet.graphx.util.graph_generators import _rmat_edges

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench" / "graphx.py"
EDGES, VERTICES, SEED = 3000, 400, 17
TINY = ["--edges", str(EDGES), "--vertices", str(VERTICES), "--seed", str(SEED),
        "--repeat", "2", "--warmup", "0", "--nice", "0"]

pytestmark = pytest.mark.timeout(150)


def load_bench():
    """The bench as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_graphx", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def graphx_pagerank(edges, rounds=300):
    """rank(v) = 0.15 + 0.85 * sum(rank(u) / outDegree(u)) over u -> v, from 1.0 each,
    scaled to sum to the number of vertices (sinks leak rank, as in GraphX)."""
    vertices = sorted({v for e in edges for v in e})
    out = {v: 0 for v in vertices}
    for s, _ in edges:
        out[s] += 1
    rank = dict.fromkeys(vertices, 1.0)
    for _ in range(rounds):
        nxt = dict.fromkeys(vertices, 0.0)
        for s, d in edges:
            nxt[d] += rank[s] / out[s]
        rank = {v: 0.15 + 0.85 * nxt[v] for v in vertices}
    scale = len(vertices) / sum(rank.values())
    return {v: r * scale for v, r in rank.items()}


def components(edges):
    """Union-find over the edges, undirected: vertex -> smallest id of its component."""
    parent = {v: v for e in edges for v in e}

    def find(v):
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v
    for s, d in edges:
        a, b = find(s), find(d)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {v: find(v) for v in parent}


def test_tiny_run_reports_and_its_results_agree(tmp_path):
    out = tmp_path / "graphx.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.run([sys.executable, str(BENCH), *TINY, "--json", str(out)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=140)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    assert report["benchmark"] == "graphx" and report["problems"] == []
    assert set(report["engines"]) == {"networkx", "igraph", "sparklet"}
    for heading in ("sparklet/networkx", "sparklet/igraph", "agree within 0.01",
                    "agree the same partition"):
        assert heading in proc.stdout

    edges = _rmat_edges(VERTICES, EDGES, SEED)
    assert len(edges) == EDGES
    ranks = graphx_pagerank(edges)
    labels = components(edges)
    sizes = {}
    for label in labels.values():
        sizes[label] = sizes.get(label, 0) + 1
    want_top = sorted(ranks.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    for engine, result in report["engines"].items():
        assert result["vertices"] == len(ranks) and result["edges_loaded"] == EDGES
        pagerank, cc = result["workloads"]["pagerank"], result["workloads"]["cc"]
        for entry in (pagerank, cc):
            assert len(entry["times"]) == len(entry["cpu"]) == 2
            assert all(t > 0 for t in entry["times"])
        top = pagerank["summary"]["top5"]
        assert [v for v, _ in top] == [v for v, _ in want_top], engine
        for (_, got), (_, want) in zip(top, want_top, strict=True):
            assert got == pytest.approx(want, rel=0.01), engine
        assert pagerank["summary"]["sum"] == pytest.approx(len(ranks))
        assert cc["summary"] == {"components": len(sizes), "largest": max(sizes.values()),
                                 "vertices": len(labels)}
    for name in ("pagerank", "cc"):
        medians = {e: statistics.median(r["workloads"][name]["times"])
                   for e, r in report["engines"].items()}
        assert report["ratios"][name]["sparklet/networkx"] == pytest.approx(
            medians["sparklet"] / medians["networkx"])
        assert report["ratios"][name]["sparklet/igraph"] == pytest.approx(
            medians["sparklet"] / medians["igraph"])


def test_disagreeing_engines_are_problems():
    bench = load_bench()
    ref = {1: 1.5, 2: 0.5, 3: 1.0}
    lines, problems = bench.check_agreement({
        "pagerank": {"igraph": ref, "networkx": {1: 1.5, 2: 0.502, 3: 0.998},
                     "sparklet": {1: 1.54, 2: 0.48, 3: 0.98}},
        "cc": {"igraph": {1: 1, 2: 1, 3: 3}, "networkx": {1: 1, 2: 1, 3: 3},
               "sparklet": {1: 1, 2: 1, 3: 1}},
    }, 0.01)
    assert problems == [
        "pagerank: sparklet differs from igraph by 0.0267 (relative) > 0.01",
        "cc: sparklet labels 1 vertices unlike igraph",
    ]
    assert lines[0].endswith("NOT within 0.01") and "networkx within 0.002" in lines[0]
    assert lines[1].endswith("NOT the same partition")
    _, problems = bench.check_agreement({"cc": {"networkx": {1: 1}, "sparklet": {}}}, 0.01)
    assert problems == ["cc: sparklet has 0 vertices, networkx 1"]
