"""Streaming latency: a socket feed at a steady rate, 1 s batches, a windowed word count.

The same program runs on sparklet and on PySpark, side by side in one invocation::

    lines = ssc.socketTextStream("127.0.0.1", port)
    counts = (lines.flatMap(str.split).map(lambda w: (w, 1))
              .reduceByKeyAndWindow(add, sub, 10, 1))
    counts.foreachRDD(lambda rdd: rdd.count())

This script is its own driver: the parent process runs the feeder (a TCP server writing
corpus-like lines at ``--rate`` lines/s in 10 ms ticks, on a thread of its own, so feeding
shares no interpreter with either engine) and starts one driver subprocess per engine and
run, alternating engines (``--engine-driver``: sparklet with the project's python, PySpark
with bench/.venv-pyspark's). A StreamingListener in the driver records every completed
batch; after ``--warmup`` batches with data the next ``--batches`` are kept, and for each
run we take p50/p95/max of

* totalDelay      -- processing end minus batch time (what the issue's target is about),
* schedulingDelay -- processing start minus submission,
* processingDelay -- processing end minus start,
* generation      -- submission minus batch time (allocating blocks, generating jobs).

Reported figures are medians over ``--runs`` runs (3 by default). The machine is shared and
noisy: read the ratios, and never a single run.

    PYTHONPATH=$PWD/src python bench/latency.py            # both engines, 3 runs
    PYTHONPATH=$PWD/src python bench/latency.py --skip-pyspark --runs 1 --batches 20
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from operator import add, sub
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as common  # noqa: E402  (bench/ is not a package; path set just above)

PYSPARK_VERSION = "3.5.3"
PYSPARK_VENV = common.BENCH_DIR / ".venv-pyspark"
FEED_TICK_S = 0.01
DRIVER_TIMEOUT_S = 600
METRICS = ("total", "scheduling", "processing", "generation")


# --------------------------------------------------------------------------------------------
# The feeder: a TCP server writing lines at a steady rate
# --------------------------------------------------------------------------------------------


class Feeder:
    """Serves ``rate`` lines/s to whoever connects (a receiver reconnecting gets a new
    connection, fed from where the last one stopped); counts the lines it wrote."""

    def __init__(self, rate: int, pool_lines: int = 50_000):
        self.rate = rate
        self.lines = [(line + "\n").encode() for line in common.generate_lines(pool_lines)]
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="feeder")

    def start(self) -> Feeder:
        self._thread.start()
        return self

    def _serve(self) -> None:
        self.server.settimeout(0.2)
        pool = itertools.cycle(self.lines)
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                self._feed(conn, pool)

    def _feed(self, conn: socket.socket, pool) -> None:
        # The lines due by now, written every tick: a steady rate that catches up on a stall.
        start, written = time.perf_counter(), 0
        while not self._stop.is_set():
            n = int((time.perf_counter() - start) * self.rate) - written
            if n > 0:
                try:
                    conn.sendall(b"".join(itertools.islice(pool, n)))
                except OSError:
                    return
                written += n
                self.sent += n
            self._stop.wait(FEED_TICK_S)

    def stop(self) -> None:
        self._stop.set()
        self.server.close()
        self._thread.join(5)


# --------------------------------------------------------------------------------------------
# The driver (runs in a subprocess, on either engine)
# --------------------------------------------------------------------------------------------


def make_recorder(listener_base: type):
    class Recorder(listener_base):
        """Completed batches as [batch time, submission, start, end, records]."""

        def __init__(self) -> None:
            super().__init__()
            self.lock = threading.Lock()
            self.batches: list[list[int]] = []

        def onBatchCompleted(self, batchCompleted) -> None:  # noqa: N802 (Spark's name)
            info = batchCompleted.batchInfo()
            with self.lock:
                self.batches.append([info.batchTime().milliseconds(), info.submissionTime(),
                                     info.processingStartTime(), info.processingEndTime(),
                                     info.numRecords()])

        def with_data(self) -> int:
            with self.lock:
                return sum(1 for b in self.batches if b[4] > 0)

    return Recorder()


def attach_spans(sc) -> dict:
    """sparklet only (``--spans``): per batch, how many jobs, stages and tasks ran and how
    long the tasks themselves took (executor time), from the DAG scheduler's hooks."""
    from sparklet.scheduler.dag import SchedulerListener

    spans: dict[str, dict] = {}
    stage_batch: dict[int, str] = {}

    class Spans(SchedulerListener):
        def on_stage_submitted(self, stage_id, num_tasks, job_id):
            t = sc.getLocalProperty("spark.streaming.internal.batchTime")
            if t is not None:
                stage_batch[stage_id] = t
                s = spans.setdefault(t, {"stages": 0, "tasks": 0, "task_ms": 0.0,
                                         "jobs": set()})
                s["stages"] += 1
                s["jobs"].add(job_id)

        def on_task_end(self, stage_id, task, status, result):
            t = stage_batch.get(stage_id)
            if t is not None and result is not None:
                spans[t]["tasks"] += 1
                spans[t]["task_ms"] += 1000 * getattr(result, "duration", 0.0)

    sc._dag_scheduler.listeners.append(Spans())
    return spans


def process_tree_cpu() -> dict[str, float]:
    """CPU seconds (user + system) of this process and every process that names it on its
    command line or descends from it (sparklet's executors and daemons), by command."""
    me, tick = os.getpid(), os.sysconf("SC_CLK_TCK")
    procs = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        procs[int(pid)] = (int(stat[1]), (int(stat[11]) + int(stat[12])) / tick, cmd)
    out: dict[str, float] = {}
    for pid, (_, cpu, cmd) in procs.items():
        p, mine = pid, False
        while p in procs and not mine:
            mine = p == me or str(me).encode() in procs[p][2]
            p = procs[p][0]
        if mine:
            key = "driver" if pid == me else f"{pid}:" + b" ".join(cmd[1:4]).decode()[:60]
            out[key] = cpu
    return out


def run_driver(args: argparse.Namespace) -> None:
    """Build the program, run until enough batches with data completed, write the JSON."""
    if args.engine_driver == "pyspark":
        from pyspark import SparkConf, SparkContext
        from pyspark.streaming import StreamingContext
        from pyspark.streaming.listener import StreamingListener
    else:
        from sparklet import SparkConf, SparkContext
        from sparklet.streaming import StreamingContext
        from sparklet.streaming.listener import StreamingListener
    conf = (SparkConf().setMaster(args.master).setAppName("bench-latency")
            .set("spark.ui.showConsoleProgress", "false").set("spark.ui.enabled", "false")
            .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"))
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    version = sc.version
    ssc = StreamingContext(sc, 1)
    checkpoint = tempfile.mkdtemp(prefix="bench-latency-ckpt-")
    ssc.checkpoint(checkpoint)
    windows: list[int] = []
    lines = ssc.socketTextStream("127.0.0.1", args.port)
    counts = (lines.flatMap(lambda line: line.split()).map(lambda w: (w, 1))
              .reduceByKeyAndWindow(add, None if args.no_inverse else sub, args.window, 1))
    counts.foreachRDD(lambda rdd: windows.append(rdd.count()))
    spans = attach_spans(sc) if args.spans else None
    recorder = make_recorder(StreamingListener)
    ssc.addStreamingListener(recorder)
    need = args.warmup + args.batches
    started = time.time()
    ssc.start()
    cpu_before = cpu_after = None
    try:
        while recorder.with_data() < need and time.time() - started < args.max_s:
            if cpu_before is None and recorder.with_data() >= args.warmup:
                cpu_before, wall_before = process_tree_cpu(), time.time()
            time.sleep(0.1)
        if cpu_before is not None:
            cpu_after, wall_after = process_tree_cpu(), time.time()
        time.sleep(0.3)  # listener events already posted (py4j delivers them late)
    finally:
        ssc.stop(stopSparkContext=True, stopGraceFully=False)
        shutil.rmtree(checkpoint, ignore_errors=True)
    with recorder.lock:
        batches = sorted(recorder.batches)
    cpu_share = None
    if cpu_after is not None:
        # CPU per wall second of each process while the counted batches ran.
        cpu_share = {k: round((v - cpu_before.get(k, 0.0)) / (wall_after - wall_before), 3)
                     for k, v in cpu_after.items()}
    Path(args.result).write_text(json.dumps({
        "cpu_share": cpu_share,
        "engine": args.engine_driver, "version": version, "batches": batches,
        "distinct_words": windows[-1] if windows else None,
        "spans": {t: {**v, "jobs": len(v["jobs"])} for t, v in spans.items()}
        if spans is not None else None}))


# --------------------------------------------------------------------------------------------
# The parent: feeding, running, summarizing
# --------------------------------------------------------------------------------------------


def engine_kind(engine: str) -> str:
    """``pyspark``, or ``sparklet`` for sparklet and its ``--sparklet-src`` variants."""
    return "pyspark" if engine == "pyspark" else "sparklet"


def driver_command(engine: str, python: str, args, port: int, result: Path) -> list[str]:
    return [python, str(Path(__file__).resolve()), f"--engine-driver={engine_kind(engine)}",
            f"--port={port}", f"--result={result}", f"--master={args.master}",
            f"--window={args.window}", f"--warmup={args.warmup}",
            f"--batches={args.batches}", f"--max-s={args.max_s}"] + (
                ["--no-inverse"] if args.no_inverse else []) + (
                ["--spans"] if args.spans and engine_kind(engine) == "sparklet" else [])


def driver_env(engine: str, python: str, sources: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    if engine in sources:  # a variant: its own src first, whatever PYTHONPATH says
        env["PYTHONPATH"] = os.pathsep.join(p for p in (sources[engine],
                                                        env.get("PYTHONPATH")) if p)
    elif engine == "pyspark":
        env = {k: v for k, v in env.items() if k not in ("SPARK_HOME", "PYTHONPATH")}
        env.update(PYSPARK_PYTHON=python, PYSPARK_DRIVER_PYTHON=python,
                   SPARK_LOCAL_IP="127.0.0.1")
    else:
        src = str(common.REPO_ROOT / "src")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), src) if p)
    return env


def run_once(engine: str, python: str, args) -> dict[str, Any]:
    feeder = Feeder(args.rate).start()
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        result = Path(tmp) / "result.json"
        try:
            proc = subprocess.run(driver_command(engine, python, args, feeder.port, result),
                                  env=driver_env(engine, python, args.sources),
                                  capture_output=True,
                                  text=True, timeout=DRIVER_TIMEOUT_S, check=False)
        finally:
            feeder.stop()
        if proc.returncode != 0 or not result.exists():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
            raise RuntimeError(f"{engine} driver failed (exit {proc.returncode}):\n{tail}")
        data = json.loads(result.read_text())
    data["fed_lines"] = feeder.sent
    return data


def batch_stats(data: dict, args) -> dict[str, Any]:
    """p50/p95/max of each delay over the kept batches (those after the warm-up)."""
    with_data = [b for b in data["batches"] if b[4] > 0]
    kept = with_data[args.warmup:args.warmup + args.batches]
    delays = {
        "total": [end - t for t, _, _, end, _ in kept],
        "scheduling": [start - sub_ for _, sub_, start, _, _ in kept],
        "processing": [end - start for _, _, start, end, _ in kept],
        "generation": [sub_ - t for t, sub_, _, _, _ in kept],
    }
    cpu = data.get("cpu_share")
    if cpu:
        print("  CPU s per s:", cpu)
    spans = data.get("spans")
    if spans:
        for name in ("jobs", "stages", "tasks", "task_ms"):
            values = [spans[str(b[0])][name] for b in kept if str(b[0]) in spans]
            if values:
                print(f"  per batch {name}: median {statistics.median(values):g} "
                      f"max {max(values):g}")
    out: dict[str, Any] = {"batches": len(kept),
                           "records_per_batch": statistics.median([b[4] for b in kept])
                           if kept else None}
    if cpu:
        # Load-robust figures: CPU ms per second of the whole process tree, and of its
        # busiest process (for sparklet the executor running the batches' tasks). While an
        # engine keeps up, a second is a batch: the busiest process's figure is then about
        # the processing delay an idle core would give. The receiver's keeps up regardless.
        out["cpu_ms_per_batch"] = round(1000 * sum(cpu.values()), 1)
        out["busiest_process_cpu_ms"] = round(1000 * max(cpu.values()), 1)
        workers = sorted(v for k, v in cpu.items() if "sparklet.backends" in k)
        if len(workers) >= 2:
            out["receiver_cpu_ms"] = round(1000 * workers[-2], 1)
    for name, values in delays.items():
        out[name] = {"p50": common.percentile(values, 50), "p95": common.percentile(values, 95),
                     "max": max(values) if values else None}
    return out


def _median(values) -> float | None:
    """The median of the values measured (a run whose batches did not complete has none)."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def median_over_runs(runs: list[dict]) -> dict[str, Any]:
    med: dict[str, Any] = {}
    for name in METRICS:
        med[name] = {k: _median(r.get(name, {}).get(k) for r in runs)
                     for k in ("p50", "p95", "max")}
    for key in ("records_per_batch", "cpu_ms_per_batch", "busiest_process_cpu_ms",
                "receiver_cpu_ms"):
        med[key] = _median(r.get(key) for r in runs)
    return med


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def render(summary: dict[str, dict], args) -> str:
    rows = []
    for engine, s in summary.items():
        for name in METRICS:
            m = s[name]
            rows.append([engine, name, _fmt(m["p50"]), _fmt(m["p95"]), _fmt(m["max"])])
    head = (f"socketTextStream at {args.rate} lines/s, 1 s batches, reduceByKeyAndWindow("
            f"add, {'None' if args.no_inverse else 'sub'}, {args.window}, 1) on {args.master}; "
            f"{args.batches} batches after "
            f"{args.warmup} warm-up; medians of {args.runs} runs (ms)")
    lines = [head, common.format_table(["engine", "delay", "p50", "p95", "max"], rows)]
    cpu_rows = [[e, _fmt(s.get("cpu_ms_per_batch")), _fmt(s.get("busiest_process_cpu_ms")),
                 _fmt(s.get("receiver_cpu_ms"))] for e, s in summary.items()]
    lines.append("CPU ms per s = per batch while batches keep up (medians of runs; robust to "
                 "a loaded machine):")
    lines.append(common.format_table(["engine", "process tree", "busiest process",
                                      "receiver (sparklet)"], cpu_rows))
    for other in summary:
        if other != "sparklet" and "sparklet" in summary:
            sp, ot = summary["sparklet"]["total"], summary[other]["total"]
            lines.append(f"total delay p50 / p95: {other} / sparklet = "
                         f"{common.fmt_ratio(common.ratio(ot['p50'], sp['p50']))} / "
                         f"{common.fmt_ratio(common.ratio(ot['p95'], sp['p95']))}")
    if "sparklet" in summary:
        p95 = summary["sparklet"]["total"]["p95"]
        if p95 is not None:
            lines.append(f"target sparklet total delay p95 <= 40 ms: "
                         f"{'met' if p95 <= 40 else 'NOT met'} ({p95:g} ms)")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=int, default=20_000, help="lines per second fed")
    p.add_argument("--window", type=int, default=10, help="window length (s); slide 1 s")
    p.add_argument("--no-inverse", action="store_true",
                   help="reduceByKeyAndWindow without the inverse function (each window "
                        "reduced afresh from its batches)")
    p.add_argument("--warmup", type=int, default=5, help="batches with data not counted")
    p.add_argument("--batches", type=int, default=20, help="batches counted per run")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--master", default="local[2]")
    p.add_argument("--skip-pyspark", action="store_true")
    p.add_argument("--sparklet-src", action="append", default=[], metavar="NAME=DIR",
                   help="also run sparklet from another src/ (an A/B, interleaved)")
    p.add_argument("--json", help="also write the per-run figures here")
    p.add_argument("--spans", action="store_true",
                   help="sparklet: also count jobs/stages/tasks and task time per batch")
    p.add_argument("--max-s", type=float, default=180.0, help="a driver's time limit")
    # Driver mode (the parent starts these):
    p.add_argument("--engine-driver", choices=("sparklet", "pyspark"), help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.engine_driver:
        run_driver(args)
        return 0
    engines = {"sparklet": sys.executable}
    args.sources = {}
    for spec in args.sparklet_src:
        name, _, src = spec.partition("=")
        args.sources[name] = str(Path(src).resolve())
        engines[name] = sys.executable
    if not args.skip_pyspark:
        if common.java_version() is None:
            print("skipping PySpark: no working `java` on PATH")
        else:
            engines["pyspark"] = str(common.ensure_venv(
                PYSPARK_VENV, [f"pyspark=={PYSPARK_VERSION}"]))
    per_run: dict[str, list[dict]] = {e: [] for e in engines}
    for i in range(args.runs):
        for engine, python in engines.items():  # alternating: load drifts hit both alike
            data = run_once(engine, python, args)
            stats = batch_stats(data, args)
            stats["fed_lines"], stats["distinct_words"] = data["fed_lines"], \
                data["distinct_words"]
            per_run[engine].append(stats)
            t = stats["total"]
            print(f"run {i + 1} {engine}: total p50 {t['p50']} p95 {t['p95']} max {t['max']} "
                  f"ms over {stats['batches']} batches of ~{stats['records_per_batch']} lines",
                  flush=True)
            if stats["batches"] < args.batches:
                print(f"  only {stats['batches']} batches with data completed in time")
            summary = {e: median_over_runs(runs) for e, runs in per_run.items() if runs}
            if args.json:  # after every run: a long series interrupted keeps what it had
                common.write_json(args.json, {"args": vars(args), "runs": per_run,
                                              "summary": summary,
                                              "machine": common.machine_info()})
    print(render(summary, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
