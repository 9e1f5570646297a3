"""GraphX algorithms: sparklet.graphx vs networkx vs python-igraph, on the same R-MAT graph.

Two workloads, each written the way its library's user writes it:

* ``pagerank`` -- PageRank to convergence, resetProb 0.15 (damping 0.85): sparklet's
  ``graph.pageRank(tol)`` (GraphX's dynamic PageRank: a vertex sends the change of its
  rank while that change exceeds ``tol``); ``networkx.pagerank(G, alpha=0.85,
  tol=tol / N**2)`` (power iteration until the summed change of the ranks, on networkx's
  scale where they sum to 1, is below ``N * tol / N**2``: on GraphX's scale, where they sum
  to N, below ``tol`` in total, at least as strict as GraphX's ``tol`` per vertex; networkx's
  ``tol / N``, the same bound in total, left single ranks 16% off at 10^6 edges); igraph's
  ``Graph.pagerank`` (PRPACK, solved to machine precision);
* ``cc`` -- weakly connected components: ``graph.connectedComponents()`` (label
  propagation with Pregel), ``networkx.weakly_connected_components``,
  ``igraph.Graph.connected_components(mode="weak")``.

Engines, each in a driver subprocess of its own (this script with ``--engine-driver``), one
after the other, at the same ``--nice`` level: networkx and igraph (single-threaded client
libraries, the whole graph in one process) and sparklet ``local[N]``.

Data: ``--edges`` (default 10^6) distinct edges drawn with R-MAT from a fixed ``--seed``
(``GraphGenerators.rmatGraph``; the reference libraries build their graphs from the very
same edge list), over ``--vertices`` requested vertices (default edges / 8, rounded up to a
power of two n; R-MAT then uses the ids n/2 .. n-1 as in GraphX). Building the graph
("load": generate, and for sparklet cache and count it) is timed apart; each workload runs
``--warmup`` times untimed, then ``--repeat`` timed times, medians reported, with the CPU
seconds of each driver's process tree (sparklet's executors included).

Agreement, checked in this process: the same vertex set everywhere; PageRank scaled to sum
to N on every engine (GraphX's own scale; networkx and igraph sum to 1, and spread a sink's
rank over all vertices where GraphX lets it leak and rescales, a difference of a constant
factor only) within ``--rank-tolerance`` (relative, on ranks of at least 1: absolute
below) of the most exact engine (igraph, else networkx); connected components the same
partition (labelled by the smallest id of a component everywhere). A failed check, or an
engine that failed, makes the script exit non-zero after printing the tables.

    PYTHONPATH=$PWD/src .venv/bin/python bench/graphx.py                    # 10^6 edges
    PYTHONPATH=$PWD/src .venv/bin/python bench/graphx.py --edges 100000 --repeat 1
    PYTHONPATH=$PWD/src .venv/bin/python bench/graphx.py --workloads cc --json /tmp/g.json

Results (2026-12-04, 10^6 edges over 65,439 vertices (ids 65,536 .. 131,071), seed
20240611, PageRank tol 1e-4, median of 3 after 1 warm-up, sparklet local[2] with 4
partitions, nice 10; a 2-CPU machine, load average 0.5-1.7 during the run; networkx 3.6.1,
python-igraph 1.0.0)::

    PYTHONPATH=$PWD/src .venv/bin/python bench/graphx.py --json /tmp/gx_bench4.json

    workload       networkx s  igraph s  sparklet s  sparklet/networkx  sparklet/igraph
    -------------  ----------  --------  ----------  -----------------  ---------------
    pagerank            2.933     0.121        18.9              6.44x          156.16x
    cc                  0.528     0.008       3.631              6.87x          448.00x
    load                3.586     1.831       5.741              1.60x            3.14x
    context start           -         -       0.079                  -                -

CPU seconds (sparklet's executors included): PageRank 2.93 / 0.21 / 35.2, connected
components 0.53 / 0.01 / 6.77. The results agree: every engine's ranks within 0.00056
(relative) of igraph's (networkx within 2.9e-05), the top vertex 65,536 at 13.24 on
GraphX's scale; one weakly connected component on all three. History of sparklet's
PageRank on this command: 53.9 s (two jobs a round, load 3.3-4.8), 37.9 s (one job a
round), 18.9 s (rounds merge co-partitioned state and adjacency partition by partition);
connected components 6.3 s, 4.2 s, 3.6 s. One run in between gave 5.7 s for connected
components (3.6 s when rerun alone): the machine is shared, quote ratios of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common  # noqa: E402  (bench/ is not a package; path set just above)

DRIVER_TIMEOUT_S = 3600
ENGINES = ("networkx", "igraph", "sparklet")
LABELS = {"networkx": "networkx", "igraph": "igraph", "sparklet": "sparklet"}
WORKLOADS = ("pagerank", "cc")
RESET_PROB = 0.15
REFERENCE_ORDER = ("igraph", "networkx", "sparklet")  # most exact PageRank first


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the defaults are the figures' settings."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--edges", "--size", type=int, default=1_000_000,
                   help="distinct R-MAT edges (default 10^6)")
    p.add_argument("--vertices", type=int, default=None,
                   help="requested vertices (default edges / 8; R-MAT rounds it up to a "
                        "power of two n and uses the ids n/2 .. n-1)")
    p.add_argument("--tol", type=float, default=1e-4,
                   help="PageRank tolerance, per vertex on ranks summing to N (default 1e-4, "
                        "the guide's)")
    p.add_argument("--rank-tolerance", type=float, default=0.01,
                   help="largest relative rank difference allowed between engines "
                        "(default 0.01)")
    p.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    p.add_argument("--seed", type=int, default=common.DEFAULT_SEED, help="R-MAT seed")
    p.add_argument("--repeat", type=int, default=3, help="timed runs (default 3)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    p.add_argument("--cores", type=int, default=2, help="sparklet's local[N] (default 2)")
    p.add_argument("--partitions", type=int, default=None,
                   help="sparklet's partitions (spark.default.parallelism; default 2 per core)")
    p.add_argument("--nice", type=int, default=10,
                   help="niceness of every engine's driver, the same for all (default 10)")
    for engine in ENGINES:
        p.add_argument(f"--skip-{engine}", action="store_true", help=f"do not run {engine}")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    # Internal: run one engine in this process and write its results to --out.
    p.add_argument("--engine-driver", choices=ENGINES, help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.vertices is None:
        args.vertices = max(2, args.edges // 8)
    if args.partitions is None:
        args.partitions = 2 * args.cores
    if min(args.edges, args.repeat, args.cores, args.partitions) < 1 or args.warmup < 0 \
            or args.vertices < 2 or args.tol <= 0 or args.rank_tolerance <= 0:
        p.error("--edges, --repeat, --cores and --partitions must be >= 1, --warmup >= 0, "
                "--vertices >= 2, the tolerances > 0")
    return args


# --------------------------------------------------------------------------------------------
# The engines
# --------------------------------------------------------------------------------------------


def rmat_edges(args: argparse.Namespace) -> list[tuple[int, int]]:
    """The benchmark's edges: exactly those ``GraphGenerators.rmatGraph`` builds its graph of."""
    from sparklet.graphx.util.graph_generators import _rmat_edges

    return _rmat_edges(args.vertices, args.edges, args.seed)


def _timed(runs: dict[str, Any], args: argparse.Namespace, out: dict[str, Any]) -> None:
    """Time every workload of ``args.workloads``; keep the last run's result."""
    for name in args.workloads:
        cpu: list[float] = []
        try:
            times, result = common.time_repeats(runs[name], args.repeat, args.warmup, cpu=cpu)
        except Exception as exc:  # one workload failing still reports the others
            out["workloads"][name] = {"error": f"{type(exc).__name__}: {exc}",
                                      "traceback": traceback.format_exc()}
            print(f"  {out['engine']} {name}: {exc}", flush=True)
            continue
        out["workloads"][name] = {"times": times, "cpu": cpu,
                                  "result": {str(k): v for k, v in result.items()}}
        print(f"  {out['engine']} {name}: median "
              f"{common.fmt_seconds(common.summarize(times)['median'])} s", flush=True)


def _components(groups) -> dict[int, int]:
    """Vertex -> the smallest id of its component (GraphX's labels)."""
    labels = {}
    for members in groups:
        low = min(members)
        for v in members:
            labels[v] = low
    return labels


def run_networkx(args: argparse.Namespace) -> dict[str, Any]:
    import networkx as nx

    out: dict[str, Any] = {"engine": "networkx", "version": nx.__version__,
                           "startup_s": None, "workloads": {}}

    def load():
        g = nx.DiGraph()
        g.add_edges_from(rmat_edges(args))
        return g
    out["load_s"], g = common.time_call(load)
    n = g.number_of_nodes()
    out["vertices"], out["edges_loaded"] = n, g.number_of_edges()
    runs = {
        "pagerank": lambda: nx.pagerank(g, alpha=1 - RESET_PROB, tol=args.tol / n ** 2,
                                        max_iter=100_000),
        "cc": lambda: _components(nx.weakly_connected_components(g)),
    }
    _timed(runs, args, out)
    return out


def run_igraph(args: argparse.Namespace) -> dict[str, Any]:
    import igraph as ig

    out: dict[str, Any] = {"engine": "igraph", "version": ig.__version__,
                           "startup_s": None, "workloads": {}}

    def load():
        edges = rmat_edges(args)
        ids = sorted({v for e in edges for v in e})  # igraph's vertices are 0 .. n-1
        index = {v: i for i, v in enumerate(ids)}
        return ids, ig.Graph(n=len(ids), edges=[(index[s], index[d]) for s, d in edges],
                             directed=True)
    out["load_s"], (ids, g) = common.time_call(load)
    out["vertices"], out["edges_loaded"] = g.vcount(), g.ecount()

    def cc():
        groups: dict[int, list[int]] = {}
        for i, c in enumerate(g.connected_components(mode="weak").membership):
            groups.setdefault(c, []).append(ids[i])
        return _components(groups.values())
    runs = {
        "pagerank": lambda: dict(zip(ids, g.pagerank(damping=1 - RESET_PROB, directed=True),
                                     strict=True)),
        "cc": cc,
    }
    _timed(runs, args, out)
    return out


def run_sparklet(args: argparse.Namespace) -> dict[str, Any]:
    import sparklet
    from sparklet import SparkConf, SparkContext
    from sparklet.graphx.util import GraphGenerators

    out: dict[str, Any] = {"engine": "sparklet", "version": sparklet.__version__,
                           "workloads": {}}
    conf = (SparkConf().setMaster(f"local[{args.cores}]").setAppName("bench-graphx")
            .set("spark.default.parallelism", str(args.partitions)))
    out["startup_s"], sc = common.time_call(lambda: SparkContext(conf=conf))
    try:
        def load():
            g = GraphGenerators.rmatGraph(sc, args.vertices, args.edges, args.seed).cache()
            return g, g.numVertices(), g.numEdges()
        out["load_s"], (g, out["vertices"], out["edges_loaded"]) = common.time_call(load)
        runs = {
            "pagerank": lambda: dict(g.pageRank(args.tol, RESET_PROB).vertices.collect()),
            "cc": lambda: dict(g.connectedComponents().vertices.collect()),
        }
        _timed(runs, args, out)
    finally:
        sc.stop()
    return out


def run_driver(args: argparse.Namespace) -> None:
    """Run every workload on one engine; write the results as JSON to ``--out``."""
    if args.nice:
        os.nice(args.nice)
    run = {"networkx": run_networkx, "igraph": run_igraph, "sparklet": run_sparklet}
    Path(args.out).write_text(json.dumps(run[args.engine_driver](args)))


# --------------------------------------------------------------------------------------------
# The parent: drivers, checks, report
# --------------------------------------------------------------------------------------------


def driver_command(engine: str, out: Path, args: argparse.Namespace) -> list[str]:
    """This script, as one engine's driver, with the parent's settings."""
    return [sys.executable, str(Path(__file__).resolve()), "--engine-driver", engine,
            "--out", str(out), "--edges", str(args.edges), "--vertices", str(args.vertices),
            "--tol", repr(args.tol), "--seed", str(args.seed), "--repeat", str(args.repeat),
            "--warmup", str(args.warmup), "--cores", str(args.cores),
            "--partitions", str(args.partitions), "--nice", str(args.nice),
            "--workloads", *args.workloads]


def run_engine(engine: str, args: argparse.Namespace) -> dict:
    """One engine's driver subprocess; its JSON, or {"failed": reason}."""
    env = dict(os.environ)
    src = str(common.REPO_ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="bench-graphx-") as tmp:
        result = Path(tmp) / "result.json"
        return common.run_engine_driver(engine, driver_command(engine, result, args), env,
                                        result, DRIVER_TIMEOUT_S)


def _entry(results: dict[str, dict], engine: str, name: str) -> dict[str, Any]:
    return results.get(engine, {}).get("workloads", {}).get(name, {})


def _median(entry: dict | None, key: str = "times") -> float | None:
    if not entry or not entry.get(key):
        return None
    return common.summarize(entry[key])["median"]


def _outputs(results: dict[str, dict], name: str) -> dict[str, dict[int, float]]:
    """Engine -> its result of workload ``name`` with int vertex ids (JSON made them str);
    PageRank scaled to sum to the number of vertices."""
    out = {}
    for engine in ENGINES:
        result = _entry(results, engine, name).get("result")
        if result is None:
            continue
        values = {int(k): v for k, v in result.items()}
        if name == "pagerank":
            total = sum(values.values())
            scale = len(values) / total if total else 1.0
            values = {k: v * scale for k, v in values.items()}
        out[engine] = values
    return out


def check_agreement(outputs: dict[str, dict[str, dict[int, float]]],
                    rank_tolerance: float) -> tuple[list[str], list[str]]:
    """(one line per workload saying how the engines agree, the problems found).

    ``outputs``: workload -> engine -> vertex -> value (ranks already on one scale)."""
    lines, problems = [], []
    for name, by_engine in outputs.items():
        reference = next((e for e in REFERENCE_ORDER if e in by_engine), None)
        if reference is None:
            continue
        ref = by_engine[reference]
        parts, ok = [], True
        for engine, values in by_engine.items():
            if engine == reference:
                continue
            if set(values) != set(ref):
                ok = False
                problems.append(f"{name}: {LABELS[engine]} has {len(values)} vertices, "
                                f"{LABELS[reference]} {len(ref)}")
                continue
            if name == "pagerank":
                worst = max(abs(values[v] - ref[v]) / max(1.0, abs(ref[v])) for v in ref)
                parts.append(f"{LABELS[engine]} within {worst:.2g} of {LABELS[reference]}")
                if worst > rank_tolerance:
                    ok = False
                    problems.append(f"{name}: {LABELS[engine]} differs from "
                                    f"{LABELS[reference]} by {worst:.3g} (relative) > "
                                    f"{rank_tolerance:g}")
            else:
                wrong = sum(values[v] != ref[v] for v in ref)
                parts.append(f"{LABELS[engine]} {len(set(values.values()))} components")
                if wrong:
                    ok = False
                    problems.append(f"{name}: {LABELS[engine]} labels {wrong} vertices "
                                    f"unlike {LABELS[reference]}")
        if name == "pagerank":
            top = max(ref, key=ref.get)
            head = f"pagerank ({len(ref)} vertices, top {top} at {ref[top]:.4g}): "
            bound = f"within {rank_tolerance:g}"
        else:
            head = f"cc ({LABELS[reference]} {len(set(ref.values()))} components): "
            bound = "the same partition"
        lines.append(head + ", ".join(parts) + (f" -- agree {bound}" if ok
                                                 else f" -- NOT {bound}"))
    return lines, problems


def summary(name: str, values: dict[int, float]) -> dict[str, Any]:
    """What the JSON keeps of a result (the whole of it is 10^5 values an engine)."""
    if name == "pagerank":
        top = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        return {"top5": top, "sum": sum(values.values()), "vertices": len(values)}
    sizes: dict[float, int] = {}
    for label in values.values():
        sizes[label] = sizes.get(label, 0) + 1
    return {"components": len(sizes), "largest": max(sizes.values(), default=0),
            "vertices": len(values)}


SHOWN = ("networkx", "igraph", "sparklet")  # column order


def _ratio_cells(m: dict[str, float | None]) -> list[str]:
    """sparklet/networkx and sparklet/igraph (above 1: sparklet slower)."""
    return [common.fmt_ratio(common.ratio(m["sparklet"], m["networkx"])),
            common.fmt_ratio(common.ratio(m["sparklet"], m["igraph"]))]


def report(results: dict[str, dict], args: argparse.Namespace, key: str = "times") -> str:
    """Per workload each engine's median (wall ``times`` or ``cpu`` seconds) and the
    ratios; for wall time also the load (build the graph) and context start."""
    rows = []
    for name in args.workloads:
        m = {e: _median(_entry(results, e, name), key) for e in SHOWN}
        rows.append([name, *(common.fmt_seconds(m[e]) for e in SHOWN), *_ratio_cells(m)])
    if key == "times":
        for label, field in (("load", "load_s"), ("context start", "startup_s")):
            m = {e: results.get(e, {}).get(field) for e in SHOWN}
            rows.append([label, *(common.fmt_seconds(m[e]) for e in SHOWN), *_ratio_cells(m)])
    unit = "s" if key == "times" else "CPU s"
    headers = ["workload", f"networkx {unit}", f"igraph {unit}", f"sparklet {unit}",
               "sparklet/networkx", "sparklet/igraph"]
    return common.format_table(headers, rows)


def ratios(results: dict[str, dict], args: argparse.Namespace) -> dict[str, dict]:
    """Workload -> the ratios of median times (wall and CPU), None if not measured."""
    out = {}
    for name in args.workloads:
        wall = {e: _median(_entry(results, e, name)) for e in SHOWN}
        cpu = {e: _median(_entry(results, e, name), "cpu") for e in SHOWN}
        out[name] = {
            "sparklet/networkx": common.ratio(wall["sparklet"], wall["networkx"]),
            "sparklet/igraph": common.ratio(wall["sparklet"], wall["igraph"]),
            "cpu sparklet/networkx": common.ratio(cpu["sparklet"], cpu["networkx"]),
            "cpu sparklet/igraph": common.ratio(cpu["sparklet"], cpu["igraph"]),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.engine_driver:
        run_driver(args)
        return 0
    started = time.perf_counter()
    machine = common.machine_info()
    print(f"GraphX algorithms on an R-MAT graph of {args.edges:,} edges ({args.vertices:,} "
          f"vertices requested, seed {args.seed}; PageRank tol {args.tol:g}), median of "
          f"{args.repeat} after {args.warmup} warm-up, sparklet local[{args.cores}] with "
          f"{args.partitions} partitions, nice {args.nice}; {machine['cpus']} CPUs, load "
          f"{machine['loadavg_1m']}", flush=True)
    results: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    for engine in ENGINES:
        if getattr(args, f"skip_{engine}"):
            skipped[engine] = f"--skip-{engine} given"
            continue
        print(f"{LABELS[engine]} ...", flush=True)
        results[engine] = run_engine(engine, args)
        if "failed" in results[engine]:
            print(f"{LABELS[engine]} failed: {results[engine]['failed']}", flush=True)
    outputs = {name: _outputs(results, name) for name in args.workloads}
    agreement, problems = check_agreement(outputs, args.rank_tolerance)
    print()
    print(report(results, args))
    print()
    print(report(results, args, "cpu"))
    print("(medians of the algorithm only, collecting its result included; load = build "
          "the graph from the R-MAT edges, for sparklet also cache and count it; CPU s: the "
          "driver's whole process tree)")
    for engine, why in skipped.items():
        print(f"{LABELS[engine]} skipped: {why}")
    for name in args.workloads:
        for engine in ENGINES:
            entry = _entry(results, engine, name)
            if "error" in entry:
                problems.append(f"{name} failed on {LABELS[engine]}: "
                                f"{entry['error'].splitlines()[0][:300]}")
    sizes = {e: (r.get("vertices"), r.get("edges_loaded")) for e, r in results.items()
             if "vertices" in r}
    if len(set(sizes.values())) > 1:
        problems.append(f"the engines loaded different graphs: {sizes}")
    for line in agreement:
        print(line)
    loads = {e: r["loadavg_1m"] for e, r in results.items() if "loadavg_1m" in r}
    print("load average (1 min) before/after each engine: "
          + ", ".join(f"{e} {a}/{b}" for e, (a, b) in loads.items()))
    problems += [f"{LABELS[e]} failed: {r['failed']}" for e, r in results.items()
                 if "failed" in r]
    if args.json:
        common.write_json(args.json, {
            "benchmark": "graphx", "settings": {
                k: v for k, v in vars(args).items()
                if k not in ("engine_driver", "out", "json")},
            "machine": machine, "skipped": skipped, "agreement": agreement,
            "problems": problems, "ratios": ratios(results, args),
            "engines": {e: {k: v for k, v in r.items() if k != "workloads"} | {
                "workloads": {w: {k: v for k, v in entry.items()
                                  if k not in ("traceback", "result")}
                              | ({"summary": summary(w, outputs[w][e])}
                                 if e in outputs.get(w, {}) else {})
                              for w, entry in r.get("workloads", {}).items()}}
                for e, r in results.items()}})
        print(f"results written to {args.json}")
    if problems:
        print("\nFAILED: " + "\n        ".join(problems), file=sys.stderr)
        return 1
    print(f"the engines agree (total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
