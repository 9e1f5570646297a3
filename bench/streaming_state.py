"""Stateful streaming with 10^6 keys of state: per-batch processing time and memory.

Two workloads over ``queueStream`` batches of ``--touched`` (key, 1) records each, drawn from
a key space of ``--keys`` keys (``"k<i>"``), the state seeded with every key (an initial
state RDD generated on the executors, ``sc.range(keys).map(...)``, so the driver never holds
the key space):

* ``update`` -- ``updateStateByKey`` keeping a running count (PySpark's API: its function is
  called for every key of the state each batch, so a batch costs in proportion to the state);
  output: ``count()`` of the state RDD, as bench/streaming.py's state workload;
* ``mapwithstate`` -- ``mapWithState`` (Spark's Scala API; PySpark has none) keeping the same
  running count and emitting ``(key, count)`` per record; output: ``count()`` of the emitted
  records. It should cost in proportion to the keys a batch touches.

Each (engine, workload) runs in a fresh process (memory figures are per run): sparklet
``local[N]`` with the checkout's src/ (or ``--src``), PySpark 3.5.3 ``local[N]`` in
bench/.venv-pyspark (built on first use, see bench/rdd_wordcount.py) for ``update`` only.
Reported per run: processing time of each batch (``BatchInfo.processingDelay`` from a
``StreamingListener``), median / p95 / max over the batches after the warm-up ones, and the
memory of the process tree (driver and every descendant: sparklet's daemon and workers, or
PySpark's JVM and Python workers) sampled every 0.1 s while the timed batches run: RSS summed
over the processes, and PSS (from /proc/<pid>/smaps_rollup; forked workers share pages, which
RSS counts once per process), also per level of the tree at the sample of median RSS
(sparklet: driver, daemon, workers). The last batch's output is checked against a plain-Python
model (exit 1 on a mismatch). The machine is shared: quote medians and ratios.

    python bench/streaming_state.py                          # both workloads + PySpark
    python bench/streaming_state.py --skip-pyspark --keys 100000
    python bench/streaming_state.py --src /other/checkout/src --skip-pyspark   # A/B
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common  # noqa: E402  (bench/ is not a package; path set just above)

PYSPARK_VERSION = "3.5.3"
PYSPARK_VENV = common.BENCH_DIR / ".venv-pyspark"
PARTITIONS = 2
SAMPLE_S = 0.1
TIMEOUT_S = 1800


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keys", type=int, default=1_000_000, help="keys of state (10^6)")
    p.add_argument("--touched", type=int, default=1000, help="records (keys) per batch")
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2, help="untimed batches first (2)")
    p.add_argument("--batches", type=int, default=12, help="timed batches (12)")
    p.add_argument("--pyspark-batches", type=int, default=3, help="timed PySpark batches (3)")
    p.add_argument("--interval", type=float, default=1.0, help="batch interval in s (1.0)")
    p.add_argument("--src", help="run sparklet from this src/ directory (A/B comparisons)")
    p.add_argument("--workloads", default="update,mapwithstate")
    p.add_argument("--skip-pyspark", action="store_true")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    # Internal: one run in this process.
    p.add_argument("--run", help=argparse.SUPPRESS)
    p.add_argument("--engine", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# --------------------------------------------------------------------------------------------
# The workload (engine-agnostic: M is the engine's namespace)
# --------------------------------------------------------------------------------------------


def batch_records(index: int, keys: int, touched: int) -> list[tuple[str, int]]:
    """Batch ``index``: ``touched`` distinct keys of the key space, each with value 1."""
    rng = random.Random(common.DEFAULT_SEED + index)
    return [("k%d" % i, 1) for i in rng.sample(range(keys), touched)]


def running_count(key, value, state):
    """The mapWithState function: add ``value`` to the key's count and emit the new count."""
    total = (state.getOption() or 0) + value
    state.update(total)
    return (key, total)


def model(batches: int, keys: int, touched: int) -> dict[str, int]:
    """The non-zero counts after ``batches`` batches (plain Python)."""
    counts: dict[str, int] = {}
    for i in range(batches):
        for k, v in batch_records(i, keys, touched):
            counts[k] = counts.get(k, 0) + v
    return counts


def make_recorder(listener_base: type):
    class Recorder(listener_base):
        def __init__(self) -> None:
            super().__init__()
            self.lock = threading.Lock()
            self.delays: dict[int, int] = {}

        def onBatchCompleted(self, batchCompleted) -> None:  # noqa: N802 (Spark's name)
            info = batchCompleted.batchInfo()
            with self.lock:
                self.delays[info.batchTime().milliseconds()] = info.processingDelay()

    return Recorder()


def process_tree_memory(root: int) -> dict[str, Any]:
    """RSS and PSS (bytes) summed over ``root`` and all its descendants, and per level of
    the tree (``levels``: [rss, pss, processes] of the root, its children, grandchildren:
    for sparklet the driver, the daemon, the workers)."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(name))
    todo, levels = [(root, 0)], []
    while todo:
        pid, depth = todo.pop()
        todo.extend((child, depth + 1) for child in children.get(pid, ()))
        rss = pss = 0
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss = int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss = int(line.split()[1]) * 1024
        except OSError:
            continue
        while len(levels) <= depth:
            levels.append([0, 0, 0])
        levels[depth][0] += rss
        levels[depth][1] += pss
        levels[depth][2] += 1
    return {"rss": sum(lv[0] for lv in levels), "pss": sum(lv[1] for lv in levels),
            "processes": sum(lv[2] for lv in levels), "levels": levels}


def run_one(M: dict[str, Any], workload: str, cfg: dict[str, Any]) -> dict[str, Any]:
    """Run one workload on an engine in this process; return timings, memory, check."""
    sc = M["sc"]
    keys, touched = cfg["keys"], cfg["touched"]
    total = cfg["warmup"] + cfg["batches"]
    rdds = [sc.parallelize(batch_records(i, keys, touched), PARTITIONS) for i in range(total)]
    ssc = M["StreamingContext"](sc, cfg["interval"])
    checkpoint_dir = tempfile.mkdtemp(prefix="bench-state-ckpt-")
    ssc.checkpoint(checkpoint_dir)
    initial = sc.range(keys, numSlices=PARTITIONS).map(lambda i: ("k%d" % i, 0))
    pairs = ssc.queueStream(rdds)
    last: dict[str, Any] = {"n": 0}

    def sink(rdd) -> None:
        last["n"] += 1
        if last["n"] == total:
            last["count"] = rdd.count()
            last["nonzero"] = rdd.filter(lambda kv: kv[1] != 0).collect()
        else:
            rdd.count()

    if workload == "update":
        out = pairs.updateStateByKey(lambda new, old: sum(new) + (old or 0), PARTITIONS,
                                     initial)
    else:
        spec = M["StateSpec"].function(running_count).initialState(initial)
        out = pairs.mapWithState(spec.numPartitions(PARTITIONS))
    out.foreachRDD(sink)
    recorder = make_recorder(M["StreamingListener"])
    ssc.addStreamingListener(recorder)
    samples: list[dict[str, int]] = []
    started = time.time()
    ssc.start()
    try:
        while True:
            with recorder.lock:
                done = len(recorder.delays)
            if done >= total or time.time() - started > TIMEOUT_S:
                break
            if done >= cfg["warmup"]:
                samples.append(process_tree_memory(os.getpid()))
            time.sleep(SAMPLE_S)
        time.sleep(0.3)  # late listener events (py4j)
        final = process_tree_memory(os.getpid())
    finally:
        ssc.stop(stopSparkContext=False, stopGraceFully=False)
    delays = [recorder.delays[t] for t in sorted(recorder.delays)]
    expected = model(total, keys, touched)
    if workload == "update":
        ok = last.get("count") == keys and sorted(map(tuple, last.get("nonzero", []))) == \
            sorted(expected.items())
    else:
        emitted = dict(last.get("nonzero", []))
        ok = emitted == {k: expected[k] for k, _ in batch_records(total - 1, keys, touched)}
    return {"delays_ms": delays, "timed_ms": delays[cfg["warmup"]:total], "memory": samples,
            "final_memory": final, "ok": ok}


def engine_sparklet(cores: int) -> dict[str, Any]:
    import sparklet
    from sparklet.streaming import StateSpec, StreamingContext, StreamingListener

    conf = sparklet.SparkConf().setMaster(f"local[{cores}]").setAppName("bench-state")
    return {"sc": sparklet.SparkContext(conf=conf), "StreamingContext": StreamingContext,
            "StreamingListener": StreamingListener, "StateSpec": StateSpec,
            "module": os.path.dirname(sparklet.__file__)}


def engine_pyspark(cores: int) -> dict[str, Any]:
    sys.path.insert(0, str(common.BENCH_DIR))
    import _pyspark_streaming as driver
    from pyspark.streaming import StreamingContext
    from pyspark.streaming.listener import StreamingListener

    sc = driver.start_pyspark(f"local[{cores}]")
    return {"sc": sc, "StreamingContext": StreamingContext,
            "StreamingListener": StreamingListener, "module": sc.version}


def child_main(args: argparse.Namespace) -> None:
    cfg = json.loads(args.run)
    M = engine_sparklet(cfg["cores"]) if args.engine == "sparklet" else \
        engine_pyspark(cfg["cores"])
    try:
        out = run_one(M, cfg["workload"], cfg)
    finally:
        M["sc"].stop()
    out["module"] = M["module"]
    Path(args.result).write_text(json.dumps(out))


# --------------------------------------------------------------------------------------------
# The parent: one fresh process per run
# --------------------------------------------------------------------------------------------


def spawn(engine: str, cfg: dict[str, Any], python: str, env: dict[str, str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-state-") as tmp:
        result = Path(tmp) / "result.json"
        cmd = [python, str(Path(__file__).resolve()), "--run", json.dumps(cfg),
               "--engine", engine, "--result", str(result)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT_S, check=False)
        if proc.returncode != 0 or not result.exists():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
            raise RuntimeError(f"{engine} run failed (exit {proc.returncode}):\n{tail}")
        return json.loads(result.read_text())


def summarize(name: str, out: dict) -> dict[str, Any]:
    timed = out["timed_ms"]
    mem = out["memory"] or [out["final_memory"]]
    mib = 1 << 20
    return {
        "run": name,
        "batches": len(timed),
        "median_ms": statistics.median(timed) if timed else None,
        "p95_ms": common.percentile(timed, 95),
        "max_ms": max(timed) if timed else None,
        "rss_median_mib": statistics.median(m["rss"] for m in mem) / mib,
        "rss_max_mib": max(m["rss"] for m in mem) / mib,
        "pss_median_mib": statistics.median(m["pss"] for m in mem) / mib,
        "pss_max_mib": max(m["pss"] for m in mem) / mib,
        "processes": mem[-1]["processes"],
        # Per level of the process tree, at the sample of median total RSS.
        "levels": sorted(mem, key=lambda m: m["rss"])[len(mem) // 2].get("levels", []),
        "ok": out["ok"],
        "module": out["module"],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.run:
        child_main(args)
        return 0
    base = {"keys": args.keys, "touched": args.touched, "cores": args.cores,
            "warmup": args.warmup, "batches": args.batches, "interval": args.interval}
    src = args.src or str(common.REPO_ROOT / "src")
    env = dict(os.environ, PYTHONPATH=src)
    runs = []
    for workload in args.workloads.split(","):
        cfg = dict(base, workload=workload)
        print(f"sparklet {workload} ({src}) ...", flush=True)
        runs.append(summarize(f"sparklet {workload}", spawn("sparklet", cfg, sys.executable,
                                                             env)))
    if not args.skip_pyspark and "update" in args.workloads:
        python = common.ensure_venv(PYSPARK_VENV, [f"pyspark=={PYSPARK_VERSION}"])
        penv = {k: v for k, v in os.environ.items() if k not in ("SPARK_HOME", "PYTHONPATH")}
        penv.update(PYSPARK_PYTHON=str(python), PYSPARK_DRIVER_PYTHON=str(python),
                    SPARK_LOCAL_IP="127.0.0.1")
        cfg = dict(base, workload="update", batches=args.pyspark_batches, warmup=1)
        print("pyspark update ...", flush=True)
        runs.append(summarize("pyspark update", spawn("pyspark", cfg, str(python), penv)))
    headers = ["run", "batches", "median ms", "p95 ms", "max ms", "RSS MiB (med/max)",
               "PSS MiB (med/max)", "procs", "ok"]
    mib = 1 << 20
    rows = [[r["run"], r["batches"], f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}",
             f"{r['max_ms']:.1f}", f"{r['rss_median_mib']:.0f}/{r['rss_max_mib']:.0f}",
             f"{r['pss_median_mib']:.0f}/{r['pss_max_mib']:.0f}", r["processes"],
             "yes" if r["ok"] else "NO"] for r in runs]
    print(f"\n{args.keys:,} keys of state, {args.touched:,} records per batch, "
          f"{args.interval:g} s batches, local[{args.cores}]")
    print(common.format_table(headers, rows))
    print("\nRSS/PSS MiB per level of the process tree (the sample of median RSS; sparklet: "
          "driver, daemon, workers)")
    for r in runs:
        print(f"  {r['run']}: " + ", ".join(
            f"{n} proc {rss / mib:.0f}/{pss / mib:.0f}" for rss, pss, n in r["levels"]))
    if args.json:
        common.write_json(args.json, {"settings": base, "machine": common.machine_info(),
                                      "runs": runs})
    return 0 if all(r["ok"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
