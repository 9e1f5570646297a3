"""Scaling: the word counts on local[2], dask-local[1] and dask-local[2], and a 10-node projection.

Two workloads, each backend in a fresh SparkContext in a subprocess of its own (one after the
other, never concurrently), ``--rounds`` times in alternating order (A B C, C B A, ...), so
that the shared machine's changing load weighs on every backend alike; every median in the
tables is over all the rounds' runs, and the overhead (dask-local[N] / local[2]) and the
speed-up (dask-local[1] -> dask-local[2]) are also given as medians of per-round ratios,
which a load that changes between rounds does not skew:

* ``rdd``    -- the RDD word count of bench/rdd_wordcount.py, ``textFile(corpus, P)`` ->
  flatMap(split) -> map((w, 1)) -> reduceByKey(add, P) -> collect, over the same deterministic
  Zipf corpus (bench/_common.py); per round one warm-up, then ``--repeat`` timed runs;
* ``stream`` -- the streaming word count of bench/streaming.py: ``queueStream`` of parallelized
  batches of corpus-like lines (generated as bench/_pyspark_streaming.py does), flatMap ->
  map -> reduceByKey(add), every batch's counts collected; lines/s = lines of the timed batches
  over the sum of their processing delays (``BatchInfo.processingDelay``, as reported to a
  ``StreamingListener``), after ``--stream-warmup`` untimed batches.

Context start-up (for dask-local[N] that includes starting the LocalCluster) is timed apart
from the jobs. Every word count (each RDD run's and each batch's) is compared with a
``collections.Counter`` of the same text made by this script; a mismatch fails the run.

Then the cost model. On every backend the child also times

* (a) per-task cost: ``parallelize(range(T), T).count()`` for a few T; the least-squares slope
  of the median job time over T is the wall time a task adds (``L``: on one slot a task's
  whole round trip, driver -> scheduler -> worker -> back); the smallest job's time less
  its tasks' share is the fixed cost of a job (``J``); the slope of the CPU seconds of the
  driver and of the Dask scheduler is the central CPU a task costs (``c``), which no number
  of workers spreads out;
* (b) per-shuffle cost: ``parallelize(range(M), M).flatMap(random-bytes records of B bytes
  in all).partitionBy(R).count()`` at a small and a large B: the fixed cost of a shuffle
  (``F`` = the small job's time minus that of a one-stage job of M + R empty tasks),
  the end-to-end shuffle rate (extra bytes over extra time) and the fetch rate of a reduce
  task (``bw``: the bytes it read from other workers over its run time, a lower bound, as
  that run time also covers reading its local blocks and unpickling);
* (c) the compute of the word count: the run times of its map and reduce tasks
  (``executorRunTime``) on dask-local[1], where every shuffle block is local.

The projection: the same word count over ``D`` = ``--scale`` times the data on ``N`` =
``--nodes`` workers of one slot each, every node as fast as one core of this machine, the
driver and the Dask scheduler as fast as here. Splits keep their size, so there are
M' = M*D map and R' = R*D reduce tasks, and the map-side-combined shuffle grows with the map
tasks, S' = S*D bytes, of which (N-1)/N cross the network::

    stage(T, t) = max(ceil(T / N) * t, T * c)          # waves of slots, or the central CPU
    time = J + stage(M', w_map + L) + F + stage(R', w_reduce + L + S'*(N-1)/N / R' / bw)

``w_map``/``w_reduce`` are the mean task run times of (c) (the median over its runs), ``L``
of (a) on dask-local[1], ``c`` of (a) on dask-local[2], ``J`` of (a) on dask-local[1], ``F``
and ``bw`` of (b) on dask-local[2]. Also shown with ``bw`` capped at a 1 Gbit/s NIC. The
same formula at N = 1 and N = 2, D = 1, is printed beside the measured dask-local runs as a
check of the model.

What the model omits: skew (tasks are taken to be equal), stragglers and failures, the
network's latency and any contention in it (a reduce task fetches at ``bw`` whatever the
others do), the driver collecting R' result partitions (taken as part of ``w_reduce``), the
scheduler's cost growing with the cluster's size (heartbeats, worker bookkeeping), reading
the input from a shared file system (here a local, page-cached file), and the Python start-up
of a cold worker. Per-task costs measured on this 2-core machine include contention between
the driver, the scheduler and the workers for the cores; on dask-local[2] that contention is
large, which is why the N = 2 check is shown.

The machine is shared and has 2 cores: quote medians and ratios, not single absolute times.

    .venv/bin/python bench/scaling.py                     # 50 MiB, ~3-4 minutes
    .venv/bin/python bench/scaling.py --quick             # small sizes, ~1 minute
    .venv/bin/python bench/scaling.py --json /tmp/scaling.json --nodes 10 --scale 10
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from operator import add
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common  # noqa: E402  (bench/ is not a package; path set just above)
import _pyspark_streaming as streaming_driver  # noqa: E402  (its batches and listener)

BACKENDS = ("local[2]", "dask-local[1]", "dask-local[2]")
REFERENCE = "local[2]"
ONE_WORKER, TWO_WORKERS = "dask-local[1]", "dask-local[2]"
CHILD_TIMEOUT_S = 1800
GBE_BYTES_PER_S = 125e6  # a 1 Gbit/s NIC, for the capped projection


@dataclass(frozen=True)
class Settings:
    """Sizes of one run; presets below, each field also settable on the command line."""

    rounds: int = 3               # each backend runs this many times, in alternating order
    mb: float = 50.0              # corpus size of the RDD word count
    partitions: int = 8           # textFile's minPartitions and reduceByKey's numPartitions
    repeat: int = 3               # timed RDD word counts per backend and round
    warmup: int = 1
    stream_lines: int = 100_000   # lines per streaming batch
    stream_batches: int = 4       # timed batches per round
    stream_warmup: int = 1        # untimed batches first
    stream_interval: float = 1.0
    stream_partitions: int = 2    # slices of each batch, as bench/streaming.py
    stream_max_s: float = 300.0
    task_sizes: tuple[int, ...] = (1, 16, 64, 256)
    probe_repeat: int = 3         # per round, as every count below
    small_repeat: int = 8         # runs of each of the two short jobs F is the difference of
    shuffle_maps: int = 4
    shuffle_reduces: int = 4
    shuffle_small_bytes: int = 64 << 10
    shuffle_large_bytes: int = 64 << 20
    shuffle_record_bytes: int = 64 << 10


PRESETS = {
    "default": Settings(),
    "quick": Settings(rounds=2, mb=10, repeat=3, stream_lines=20_000, stream_batches=3,
                      stream_interval=0.5, task_sizes=(1, 16, 64), probe_repeat=3,
                      shuffle_large_bytes=16 << 20),
    # For the test: every step runs, on inputs so small that the figures mean nothing.
    "tiny": Settings(rounds=1, mb=0.05, partitions=2, repeat=1, warmup=0, stream_lines=200,
                     stream_batches=2, stream_warmup=1, stream_interval=0.2,
                     stream_max_s=60, task_sizes=(2, 4), probe_repeat=1, small_repeat=1,
                     shuffle_maps=2, shuffle_reduces=2, shuffle_small_bytes=4 << 10,
                     shuffle_large_bytes=256 << 10, shuffle_record_bytes=4 << 10),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the defaults reproduce the published figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller sizes (about a minute)")
    p.add_argument("--tiny", action="store_true",
                   help="smoke test: every step on tiny inputs (figures meaningless)")
    p.add_argument("--backends", nargs="+", default=list(BACKENDS),
                   help="masters to run, each in a subprocess (default: %s)" % " ".join(BACKENDS))
    p.add_argument("--nodes", type=int, default=10, help="N of the projection (default 10)")
    p.add_argument("--scale", type=float, default=10.0,
                   help="data factor D of the projection (default 10)")
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    p.add_argument("--keep-counts", action="store_true",
                   help="put every backend's word counts (RDD and per batch) in the JSON")
    for f in dataclasses.fields(Settings):
        if f.name == "task_sizes":
            p.add_argument("--task-sizes", type=int, nargs="+", default=None)
        else:
            p.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=None)
    p.add_argument("--child", metavar="MASTER", help=argparse.SUPPRESS)
    p.add_argument("--settings", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    preset = PRESETS["tiny" if args.tiny else "quick" if args.quick else "default"]
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(Settings)
                 if getattr(args, f.name, None) is not None}
    if "task_sizes" in overrides:
        overrides["task_sizes"] = tuple(overrides["task_sizes"])
    args.s = dataclasses.replace(preset, **overrides)
    if len(set(args.s.task_sizes)) < 2:
        p.error("--task-sizes needs at least two different sizes (a slope is fitted)")
    if args.nodes < 1 or args.scale <= 0:
        p.error("--nodes must be >= 1 and --scale > 0")
    return args


# --------------------------------------------------------------------------------------------
# Child: one backend, one SparkContext
# --------------------------------------------------------------------------------------------


def word_count(sc, path: str, partitions: int) -> list[tuple[str, int]]:
    """The RDD job, bench/rdd_wordcount.py's with the partition counts fixed: the same tasks
    on every backend, so that 1 and 2 workers share the same work out."""
    return (
        sc.textFile(path, partitions)
        .flatMap(lambda line: line.split())
        .map(lambda word: (word, 1))
        .reduceByKey(add, partitions)
        .collect()
    )


def stream_spec(s: Settings) -> dict[str, Any]:
    """The batches, in bench/_pyspark_streaming.py's terms (its ``batch_lines`` draws them)."""
    return {"lines": s.stream_lines, "data_batches": s.stream_warmup + s.stream_batches,
            "distinct": 2, "vocab": common.VOCAB_SIZE}


class _TaskRecorder:
    """Every finished task's (kind, metrics), via the DAG scheduler's hooks, as the UI's."""

    def __init__(self, sc) -> None:
        from sparklet.scheduler.dag import SchedulerListener
        from sparklet.scheduler.task import SHUFFLE_MAP

        recorder = self

        class Hook(SchedulerListener):
            def on_task_end(self, stage_id, task, status, result):
                if status == "success" and result is not None:
                    recorder.tasks.append((task.kind == SHUFFLE_MAP, dict(result.metrics)))

        self.tasks: list[tuple[bool, dict]] = []
        sc._dag_scheduler.listeners.append(Hook())

    def take(self) -> dict[str, Any]:
        """What the tasks since the last take did, summed (and the run times listed)."""
        maps = [m for is_map, m in self.tasks if is_map]
        reduces = [m for is_map, m in self.tasks if not is_map]
        self.tasks = []
        return {
            "map_run_ms": [m["executorRunTime"] for m in maps],
            "reduce_run_ms": [m["executorRunTime"] for m in reduces],
            "shuffle_write_bytes": sum(m["shuffleWriteBytes"] for m in maps),
            "shuffle_read_bytes": sum(m["shuffleReadBytes"] for m in reduces),
            "remote_read_bytes": sum(m["shuffleRemoteBytesRead"] for m in reduces),
            "input_records": sum(m["inputRecords"] for m in maps),
        }


def role_cpu(sc) -> dict[str, float]:
    """CPU seconds used so far by the driver, the Dask scheduler and the workers (executors).

    For dask-local the LocalCluster's own process hosts the scheduler (and the nannies, which
    cost next to nothing); the worker processes are its descendants. Central costs (driver
    and scheduler) are what more workers cannot spread out, hence the split.
    """
    # Each process's CPU with what its reaped children left in its counters.
    table = {pid: (ppid, own + reaped)
             for pid, (ppid, own, reaped) in common.proc_cpu_table().items()}
    me = os.getpid()
    cluster = getattr(getattr(sc._backend, "_cluster", None), "process", None)
    out = {"driver": table.get(me, (0, 0.0))[1], "scheduler": 0.0, "workers": 0.0}
    if cluster is not None:
        out["scheduler"] = table.get(cluster.pid, (0, 0.0))[1]
        out["workers"] = sum(table[p][1] for p in common.descendants(table, cluster.pid))
    else:
        out["workers"] = sum(table[p][1] for p in common.descendants(table, me))
    return out


def timed(sc, fn, repeat: int, warmup: int) -> tuple[list[float], list[dict], Any]:
    """``fn`` ``warmup`` times, then ``repeat`` timed runs; per run its wall time and the CPU
    seconds each role spent; the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    times, cpus = [], []
    for _ in range(repeat):
        before = role_cpu(sc)
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        after = role_cpu(sc)
        cpus.append({k: after[k] - before[k] for k in after})
    return times, cpus, result


def child_rdd(sc, recorder: _TaskRecorder, s: Settings, path: str) -> dict[str, Any]:
    runs: list[dict] = []

    def job():
        recorder.take()
        result = word_count(sc, path, s.partitions)
        runs.append(recorder.take())
        return result

    times, cpus, result = timed(sc, job, s.repeat, s.warmup)
    return {"times": times, "cpu": cpus, "counts": dict(result),
            "tasks": runs[len(runs) - s.repeat:]}


def child_stream(sc, s: Settings) -> dict[str, Any]:
    """The streaming word count over queued batches; every batch's counts are kept."""
    from sparklet.streaming import StreamingContext, StreamingListener

    spec = stream_spec(s)
    total = spec["data_batches"]
    rdds = [sc.parallelize(streaming_driver.batch_lines(spec, i), s.stream_partitions)
            for i in range(total)]
    ssc = StreamingContext(sc, s.stream_interval)
    outputs: list[dict] = []
    (ssc.queueStream(rdds).flatMap(lambda line: line.split()).map(lambda w: (w, 1))
     .reduceByKey(add).foreachRDD(lambda rdd: outputs.append(dict(rdd.collect()))))
    recorder = streaming_driver.make_recorder_class(StreamingListener)()
    ssc.addStreamingListener(recorder)
    started = time.perf_counter()
    timed_out = False
    try:
        ssc.start()
        while recorder.count_completed() < total:
            if time.perf_counter() - started > s.stream_max_s:
                timed_out = True
                break
            time.sleep(0.02)
    finally:
        recorder.stopping = True
        ssc.stop(stopSparkContext=False, stopGraceFully=False)
    snap = recorder.snapshot()
    return {"batches": snap["completed"][:total], "failed": snap["failed"],
            "outputs": outputs[:total], "timed_out": timed_out}


def _payload(total_bytes: int, record_bytes: int, maps: int):
    """The map function of the shuffle probe: incompressible records, ``total_bytes`` in all."""
    per_map = max(1, total_bytes // record_bytes // maps)

    def records(i):
        return [(i * per_map + j, os.urandom(record_bytes)) for j in range(per_map)]

    return records, per_map * maps


def child_probes(sc, recorder: _TaskRecorder, s: Settings) -> dict[str, Any]:
    """(a) jobs of T empty tasks; (b) a shuffle of a small and a large payload."""
    tasks = {}
    for n in s.task_sizes:
        times, cpus, result = timed(sc, lambda n=n: sc.parallelize(range(n), n).count(),
                                    s.probe_repeat, 1)
        if result != n:
            raise AssertionError(f"parallelize(range({n}), {n}).count() gave {result}")
        tasks[str(n)] = {"times": times, "cpu": cpus}
    recorder.take()

    def shuffle_job(size: int):
        fn, records = _payload(size, s.shuffle_record_bytes, s.shuffle_maps)
        runs: list[dict] = []

        def job():
            recorder.take()
            out = (sc.parallelize(range(s.shuffle_maps), s.shuffle_maps).flatMap(fn)
                   .partitionBy(s.shuffle_reduces).count())
            runs.append(recorder.take())
            if out != records:
                raise AssertionError(f"shuffle probe counted {out} records, not {records}")
            return out

        return job, records, runs

    one_stage = s.shuffle_maps + s.shuffle_reduces
    jobs = {"one_stage": (lambda: sc.parallelize(range(one_stage), one_stage).count(), 0, []),
            "small": shuffle_job(s.shuffle_small_bytes)}
    # F is the difference of two short jobs: they alternate, many times, so that the
    # machine's load drifting during the probe weighs on both alike.
    shuffle: dict[str, dict] = {name: {"times": []} for name in jobs}
    for job, _, _ in jobs.values():
        job()   # warm-up
    for _ in range(s.small_repeat):
        for name, (job, _, _) in jobs.items():
            shuffle[name]["times"].append(common.time_call(job)[0])
    shuffle["small"].update(records=jobs["small"][1], tasks=jobs["small"][2][-1])
    job, records, runs = shuffle_job(s.shuffle_large_bytes)
    times, cpus, _ = timed(sc, job, s.probe_repeat, 1)
    shuffle["large"] = {"times": times, "cpu": cpus, "records": records, "tasks": runs[-1]}
    return {"tasks": tasks, "shuffle": shuffle}


def run_child(master: str, s: Settings, result_path: str) -> None:
    """Everything one backend measures, in this process's one SparkContext, as JSON."""
    from sparklet import SparkConf, SparkContext

    path = str(common.corpus_path(s.mb))
    conf = (SparkConf().setMaster(master).setAppName("bench-scaling")
            .set("spark.ui.enabled", "false"))
    startup_s, sc = common.time_call(lambda: SparkContext(conf=conf))
    sc.setLogLevel("ERROR")
    # Except the backend's warnings (a lost executor...): a failed child's output tail,
    # which the parent prints, then says what went wrong.
    logging.getLogger("sparklet.backends").setLevel(logging.WARNING)
    recorder = _TaskRecorder(sc)
    try:
        print(f"  [{master}] RDD word count ...", flush=True)
        rdd = child_rdd(sc, recorder, s, path)
        print(f"  [{master}] streaming word count ...", flush=True)
        stream = child_stream(sc, s)
        print(f"  [{master}] per-task and per-shuffle probes ...", flush=True)
        probes = child_probes(sc, recorder, s)
    finally:
        stop_s = common.time_call(sc.stop)[0]
    Path(result_path).write_text(json.dumps({
        "master": master, "startup_s": startup_s, "stop_s": stop_s,
        "rdd": rdd, "stream": stream, "probes": probes,
    }))


# --------------------------------------------------------------------------------------------
# Parent: run the children, check their counts, derive the figures
# --------------------------------------------------------------------------------------------


def run_backend(master: str, s: Settings) -> dict[str, Any]:
    """One backend in a subprocess: a fresh interpreter, context and (for Dask) cluster."""
    bench = str(common.BENCH_DIR)
    src = str(common.REPO_ROOT / "src")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (src, bench, os.environ.get("PYTHONPATH")) if p))
    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
        result = Path(tmp) / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", master,
               "--settings", json.dumps(dataclasses.asdict(s)), "--result", str(result)]
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=CHILD_TIMEOUT_S, check=False)
        # Progress lines only: Dask's warnings (a port in use...) are kept for a failure.
        for line in proc.stdout.splitlines():
            if line.startswith("  ["):
                print(line, flush=True)
        if proc.returncode != 0 or not result.exists():
            tail = "\n".join(proc.stdout.strip().splitlines()[-40:])
            raise RuntimeError(f"{master}: the child failed (exit {proc.returncode}):\n{tail}")
        return json.loads(result.read_text())


def expected_corpus_counts(path: Path) -> dict[str, int]:
    """The word count of the corpus in plain Python: the reference every backend must match."""
    with open(path, encoding="utf-8") as f:
        return dict(Counter(word for line in f for word in line.split()))


def expected_batch_counts(s: Settings) -> list[dict[str, int]]:
    spec = stream_spec(s)
    return [dict(Counter(w for line in streaming_driver.batch_lines(spec, i)
                         for w in line.split())) for i in range(spec["data_batches"])]


def verify(result: dict, corpus: dict[str, int], batches: list[dict[str, int]]) -> list[str]:
    """Every way a backend's output differs from the plain-Python counts (empty if none)."""
    master, errors = result["master"], []
    try:
        common.check_same_counts("Counter", corpus, f"{master} RDD", result["rdd"]["counts"])
    except common.MismatchError as exc:
        errors.append(str(exc))
    stream = result["stream"]
    if stream["timed_out"] or stream["failed"] or len(stream["outputs"]) < len(batches):
        errors.append(f"{master} stream: {len(stream['outputs'])} of {len(batches)} batches "
                      f"output, timed out: {stream['timed_out']}, failed: {stream['failed']}")
    for i, (want, got) in enumerate(zip(batches, stream["outputs"], strict=False)):
        try:
            common.check_same_counts("Counter", want, f"{master} batch {i}", got)
        except common.MismatchError as exc:
            errors.append(str(exc))
    return errors


def merge_rounds(rounds: list[dict], s: Settings) -> dict:
    """One backend's rounds as one result: every timed run of every round (medians are taken
    over all of them), the task metrics of the last round's last runs."""
    last = rounds[-1]

    def joined(get) -> list:
        return [x for r in rounds for x in get(r)]

    shuffle = {k: {**v, "times": joined(lambda r, k=k: r["probes"]["shuffle"][k]["times"]),
                   "cpu": joined(lambda r, k=k: r["probes"]["shuffle"][k].get("cpu", []))}
               for k, v in last["probes"]["shuffle"].items()}
    tasks = {n: {"times": joined(lambda r, n=n: r["probes"]["tasks"][n]["times"]),
                 "cpu": joined(lambda r, n=n: r["probes"]["tasks"][n]["cpu"])}
             for n in last["probes"]["tasks"]}
    return {
        "master": last["master"],
        "startup_s": [r["startup_s"] for r in rounds],
        "round_rdd_s": [med(r["rdd"]["times"]) for r in rounds],
        "round_stream_lps": [_lines_per_s(r["stream"]["batches"][s.stream_warmup:], s)
                             for r in rounds],
        "stop_s": [r["stop_s"] for r in rounds],
        "rdd": {"times": joined(lambda r: r["rdd"]["times"]),
                "cpu": joined(lambda r: r["rdd"]["cpu"]),
                "counts": last["rdd"]["counts"], "tasks": joined(lambda r: r["rdd"]["tasks"])},
        "stream": {"timed": joined(lambda r: r["stream"]["batches"][s.stream_warmup:]),
                   "outputs": last["stream"]["outputs"]},
        "probes": {"tasks": tasks, "shuffle": shuffle},
    }


def _lines_per_s(batches: list, s: Settings) -> float | None:
    """Lines of these batches over the sum of their processing delays."""
    proc_s = sum(b[5] for b in batches) / 1000
    return s.stream_lines * len(batches) / proc_s if proc_s else None


def paired_ratio(a: list, b: list) -> float | None:
    """The median over rounds of a[i] / b[i]: each round ran the backends back to back, so a
    change of the machine's load between rounds cancels out of each round's ratio."""
    ratios = [x / y for x, y in zip(a, b, strict=True) if x and y]
    return med(ratios) if ratios else None


def fit_line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares (intercept, slope)."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my - slope * mx, slope


def med(values: list[float]) -> float:
    return statistics.median(values)


def cpu_median(runs: list[dict], *roles: str) -> float:
    return med([sum(r[k] for k in roles) for r in runs])


def summarize_backend(r: dict, s: Settings, corpus_lines: int, corpus_bytes: int) -> dict:
    """The headline figures of one backend and its cost-model parameters."""
    rdd, stream, probes = r["rdd"], r["stream"], r["probes"]
    wc_s = med(rdd["times"])
    timed_batches = stream["timed"]
    sizes = sorted(int(n) for n in probes["tasks"])
    task_med = [med(probes["tasks"][str(n)]["times"]) for n in sizes]
    _, task_s = fit_line(sizes, task_med)
    # The intercept of that fit drowns in the noise of the largest jobs: J is read off the
    # smallest job instead, less its tasks' share.
    job_s = task_med[0] - task_s * sizes[0]
    central = [cpu_median(probes["tasks"][str(n)]["cpu"], "driver", "scheduler") for n in sizes]
    worker = [cpu_median(probes["tasks"][str(n)]["cpu"], "workers") for n in sizes]
    small, large = probes["shuffle"]["small"], probes["shuffle"]["large"]
    small_s, large_s = med(small["times"]), med(large["times"])
    written = large["tasks"]["shuffle_write_bytes"] - small["tasks"]["shuffle_write_bytes"]
    remote = large["tasks"]["remote_read_bytes"]
    reduce_run_s = sum(large["tasks"]["reduce_run_ms"]) / 1000
    one_stage = med(probes["shuffle"]["one_stage"]["times"])
    wc_runs = rdd["tasks"]  # every timed run's tasks: per-task figures are their medians
    return {
        "startup_s": med(r["startup_s"]),
        "stop_s": med(r["stop_s"]),
        "rdd_median_s": wc_s,
        "rdd_times": rdd["times"],
        "rdd_cpu_s": cpu_median(rdd["cpu"], "driver", "scheduler", "workers"),
        "rdd_lines_per_s": corpus_lines / wc_s,
        "rdd_mib_per_s": corpus_bytes / common.MIB / wc_s,
        "stream_processing_s": [b[5] / 1000 for b in timed_batches],
        "probe_times": {"tasks": {n: probes["tasks"][n]["times"] for n in probes["tasks"]},
                        **{k: v["times"] for k, v in probes["shuffle"].items()}},
        "stream_lines_per_s": _lines_per_s(timed_batches, s),
        "round_rdd_s": r["round_rdd_s"],
        "round_stream_lps": r["round_stream_lps"],
        "cost": {
            "job_s": job_s,                          # J
            "task_s": task_s,                        # L: wall per task at this many slots
            "task_central_cpu_s": fit_line(sizes, central)[1],   # c
            "task_worker_cpu_s": fit_line(sizes, worker)[1],
            "shuffle_fixed_s": small_s - one_stage,  # F: 2 stages less 1 of M + R tasks
            "shuffle_mib_per_s": (written / common.MIB / (large_s - small_s)
                                  if large_s > small_s and written > 0 else None),
            "fetch_bytes_per_s": remote / reduce_run_s if remote and reduce_run_s else None,
            "shuffle_remote_fraction": remote / large["tasks"]["shuffle_read_bytes"]
            if large["tasks"]["shuffle_read_bytes"] else 0.0,
        },
        "wordcount_tasks": {
            "maps": len(wc_runs[-1]["map_run_ms"]),
            "reduces": len(wc_runs[-1]["reduce_run_ms"]),
            "map_run_s": med([statistics.fmean(t["map_run_ms"]) for t in wc_runs]) / 1000,
            "reduce_run_s": med([statistics.fmean(t["reduce_run_ms"]) for t in wc_runs]) / 1000,
            "shuffle_bytes": wc_runs[-1]["shuffle_write_bytes"],
            "remote_bytes": wc_runs[-1]["remote_read_bytes"],
        },
    }


def model_inputs(by_master: dict[str, dict]) -> dict[str, float] | None:
    """The projection's parameters (see the module docstring), None without both dask runs."""
    one, two = by_master.get(ONE_WORKER), by_master.get(TWO_WORKERS)
    if one is None or two is None:
        return None
    wc = one["wordcount_tasks"]
    return {
        # Fits of noisy timings may come out below zero; a cost is never negative.
        "J": max(0.0, one["cost"]["job_s"]),
        "L": one["cost"]["task_s"],
        "c": max(0.0, two["cost"]["task_central_cpu_s"]),
        "F": max(0.0, two["cost"]["shuffle_fixed_s"]),
        "bw": two["cost"]["fetch_bytes_per_s"] or GBE_BYTES_PER_S,
        "w_map": wc["map_run_s"],
        "w_reduce": wc["reduce_run_s"],
        "M": wc["maps"],
        "R": wc["reduces"],
        "S": wc["shuffle_bytes"],
    }


def project(p: dict[str, float], nodes: int, scale: float, bw: float | None = None) -> dict:
    """The model's time for the word count at ``scale`` times the data on ``nodes`` slots."""
    bw = p["bw"] if bw is None else bw
    maps = max(1, round(p["M"] * scale))
    reduces = max(1, round(p["R"] * scale))
    remote = p["S"] * scale * (nodes - 1) / nodes

    def stage(tasks: int, per_task: float) -> float:
        return max(math.ceil(tasks / nodes) * per_task, tasks * p["c"])

    map_s = stage(maps, p["w_map"] + p["L"])
    fetch_s = remote / reduces / bw
    reduce_s = stage(reduces, p["w_reduce"] + p["L"] + fetch_s)
    return {"nodes": nodes, "scale": scale, "maps": maps, "reduces": reduces,
            "remote_bytes": remote, "bw": bw, "map_stage_s": map_s,
            "reduce_stage_s": reduce_s, "fetch_per_task_s": fetch_s,
            "time_s": p["J"] + map_s + p["F"] + reduce_s}


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.2f}"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def render(summary: dict[str, dict], args, corpus: dict, model: dict | None) -> str:
    s = args.s
    ref = summary.get(REFERENCE, {})
    one = summary.get(ONE_WORKER, {})
    rows, stream_rows = [], []
    for master, b in summary.items():
        dask = master.startswith("dask")
        rows.append([
            master, common.fmt_seconds(b["startup_s"]), common.fmt_seconds(b["rdd_median_s"]),
            common.fmt_seconds(min(b["rdd_times"])), common.fmt_seconds(max(b["rdd_times"])),
            _rate(b["rdd_lines_per_s"]), f"{b['rdd_mib_per_s']:.1f}",
            common.fmt_ratio(common.ratio(b["rdd_median_s"], ref.get("rdd_median_s"))),
            common.fmt_ratio(common.ratio(one.get("rdd_median_s"), b["rdd_median_s"]))
            if dask else "-",
            common.fmt_seconds(b["rdd_cpu_s"]),
            common.fmt_ratio(common.ratio(b["rdd_cpu_s"], ref.get("rdd_cpu_s"))),
        ])
        batches = b["stream_processing_s"]
        stream_rows.append([
            master, common.fmt_seconds(med(batches)), common.fmt_seconds(min(batches)),
            common.fmt_seconds(max(batches)), _rate(b["stream_lines_per_s"]),
            common.fmt_ratio(common.ratio(ref.get("stream_lines_per_s"),
                                          b["stream_lines_per_s"])),
            common.fmt_ratio(common.ratio(b["stream_lines_per_s"],
                                          one.get("stream_lines_per_s"))) if dask else "-",
        ])
    headers = ["backend", "start-up s", "RDD wc median s", "min s", "max s", "lines/s", "MiB/s",
               "time vs local[2]", "speed-up vs dask[1]", "CPU s", "CPU vs local[2]"]
    stream_headers = ["backend", "batch median s", "min s", "max s", "lines/s",
                      "time vs local[2]", "speed-up vs dask[1]"]
    m = common.machine_info()
    out = [
        "",
        f"RDD word count: {corpus['path']} ({corpus['bytes']:,} bytes, {corpus['lines']:,} "
        f"lines, {corpus['words']:,} words), textFile({s.partitions}) -> reduceByKey(add, "
        f"{s.partitions}) -> collect; median of {s.rounds} rounds x {s.repeat} runs (each round "
        f"a fresh context, {s.warmup} warm-up)",
        f"streaming word count: queueStream of {s.stream_lines:,}-line batches "
        f"({s.stream_partitions} slices), {s.stream_interval:g} s interval; lines/s over the "
        f"processing delays of {s.rounds} rounds x {s.stream_batches} batches after "
        f"{s.stream_warmup}",
        f"{m['cpus']} CPUs, Python {m['python']}, load {args.load_start:.2f} at the start, "
        f"{m['loadavg_1m']} at the end; start-up (context "
        "and, for Dask, its LocalCluster) is not in the job times; CPU s: median CPU seconds "
        "of driver + scheduler + workers per RDD job",
        "",
        common.format_table(headers, rows),
        "",
        common.format_table(stream_headers, stream_rows),
        *paired_lines(summary),
        "",
        "cost model (a) jobs of T empty tasks, T in " + ", ".join(map(str, s.task_sizes))
        + f"; (b) a shuffle of {s.shuffle_maps} maps -> {s.shuffle_reduces} reduces, "
        f"{s.shuffle_small_bytes:,} vs {s.shuffle_large_bytes:,} bytes of random records",
    ]
    rows = []
    for master, b in summary.items():
        c = b["cost"]
        rows.append([master, _ms(c["job_s"]), _ms(c["task_s"]), _ms(c["task_central_cpu_s"]),
                     _ms(c["task_worker_cpu_s"]), _ms(c["shuffle_fixed_s"]),
                     "-" if c["shuffle_mib_per_s"] is None else f"{c['shuffle_mib_per_s']:.0f}",
                     "-" if c["fetch_bytes_per_s"] is None
                     else f"{c['fetch_bytes_per_s'] / common.MIB:.0f}",
                     f"{c['shuffle_remote_fraction']:.2f}"])
    out.append(common.format_table(
        ["backend", "job ms (J)", "per task ms (L)", "central CPU ms/task (c)",
         "worker CPU ms/task", "per shuffle ms (F)", "shuffle MiB/s", "fetch MiB/s (bw)",
         "remote share"], rows))
    if model is None:
        out.append("projection: needs both dask-local[1] and dask-local[2]")
        return "\n".join(out)
    p = model["inputs"]
    out += [
        "",
        f"projection: {args.nodes} nodes x 1 slot (each as fast as one core here), "
        f"{args.scale:g}x the data; splits keep their size",
        "  stage(T, t) = max(ceil(T/N) * t, T * c)",
        "  time = J + stage(M*D, w_map + L) + F + stage(R*D, w_reduce + L + S*D*(N-1)/N "
        "/ (R*D) / bw)",
        f"  J = {_ms(p['J'])} ms, L = {_ms(p['L'])} ms (dask-local[1]); c = {_ms(p['c'])} ms, "
        f"F = {_ms(p['F'])} ms, bw = {p['bw'] / common.MIB:.0f} MiB/s (dask-local[2]);",
        f"  w_map = {_ms(p['w_map'])} ms, w_reduce = {_ms(p['w_reduce'])} ms, M = {p['M']}, "
        f"R = {p['R']}, S = {p['S']:,} bytes (the word count's tasks on dask-local[1])",
    ]
    rows = []
    for label, proj, measured in model["rows"]:
        rows.append([label, f"{proj['nodes']}", f"{proj['scale']:g}", str(proj["maps"]),
                     str(proj["reduces"]), common.fmt_seconds(proj["time_s"]),
                     _rate(corpus["lines"] * proj["scale"] / proj["time_s"]),
                     common.fmt_seconds(measured)])
    out.append(common.format_table(
        ["case", "N", "D", "map tasks", "reduce tasks", "model s", "model lines/s",
         "measured s"], rows))
    single, ten = model["rows"][2][1], model["rows"][3][1]
    out.append(
        f"  {args.nodes} nodes, {args.scale:g}x data: {common.fmt_seconds(ten['time_s'])} s "
        f"= {ten['time_s'] / one['rdd_median_s']:.2f}x dask-local[1]'s measured time for "
        f"{args.scale:g}x the work (ideal: {args.scale / args.nodes:.2f}x); lines/s "
        f"{corpus['lines'] * args.scale / ten['time_s'] / one['rdd_lines_per_s']:.1f}x "
        f"dask-local[1]'s; speed-up over the model's 1 node at {args.scale:g}x: "
        f"{single['time_s'] / ten['time_s']:.2f}x of {args.nodes}; the central CPU caps "
        f"the cluster at {1 / p['c']:,.0f} tasks/s" if p["c"] else "")
    return "\n".join(out)


def paired_lines(summary: dict[str, dict]) -> list[str]:
    """Overhead and speed-up as medians of per-round ratios (steadier under changing load)."""
    ref, one, two = (summary.get(m) for m in (REFERENCE, ONE_WORKER, TWO_WORKERS))
    if len(summary.get(REFERENCE, {}).get("round_rdd_s", [])) < 2:
        return []
    parts = []
    for label, key, inverse in (("RDD", "round_rdd_s", False),
                                ("stream", "round_stream_lps", True)):
        cells = []
        for m in (ONE_WORKER, TWO_WORKERS):
            b = summary.get(m)
            if b and ref:
                r = (paired_ratio(ref[key], b[key]) if inverse
                     else paired_ratio(b[key], ref[key]))
                cells.append(f"{m} time / local[2] = {common.fmt_ratio(r)}")
        if one and two:
            r = (paired_ratio(two[key], one[key]) if inverse
                 else paired_ratio(one[key], two[key]))
            cells.append(f"speed-up dask-local[1] -> [2] = {common.fmt_ratio(r)}")
        parts.append(f"  {label}: " + ", ".join(cells))
    return ["", "medians of per-round ratios (each round runs the backends back to back):",
            *parts]


def build_model(summary: dict[str, dict], args) -> dict | None:
    p = model_inputs(summary)
    if p is None:
        return None
    rows = [
        ("check: dask-local[1]", project(p, 1, 1), summary[ONE_WORKER]["rdd_median_s"]),
        ("check: dask-local[2]", project(p, 2, 1), summary[TWO_WORKERS]["rdd_median_s"]),
        (f"1 node, {args.scale:g}x data", project(p, 1, args.scale), None),
        (f"{args.nodes} nodes", project(p, args.nodes, args.scale), None),
        (f"{args.nodes} nodes, 1 GbE", project(p, args.nodes, args.scale,
                                               min(p["bw"], GBE_BYTES_PER_S)), None),
    ]
    return {"inputs": p, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    s = args.s
    if args.child:
        fields = json.loads(args.settings)
        fields["task_sizes"] = tuple(fields["task_sizes"])
        run_child(args.child, Settings(**fields), args.result)
        return 0
    args.load_start = os.getloadavg()[0]
    path = common.ensure_corpus(s.mb)
    counts = expected_corpus_counts(path)
    with open(path, "rb") as f:
        lines = sum(1 for _ in f)
    corpus = {"path": str(path.relative_to(common.REPO_ROOT)), "bytes": path.stat().st_size,
              "lines": lines, "words": sum(counts.values()), "distinct": len(counts)}
    batches = expected_batch_counts(s)
    rounds: dict[str, list[dict]] = {m: [] for m in args.backends}
    errors, failures = [], []
    for i in range(s.rounds):
        # Alternate the order, so that a change in the machine's load during the run does
        # not fall on one backend more than on the others.
        order = args.backends if i % 2 == 0 else args.backends[::-1]
        for master in order:
            print(f"round {i + 1}/{s.rounds}: {master} (subprocess) ...", flush=True)
            try:
                result = run_backend(master, s)
            except RuntimeError as exc:
                # A failed child is reported, and its round run once more: one failure
                # should not void the other backends' figures.
                last = str(exc).strip().splitlines()[-1]
                failures.append(f"round {i + 1}, {master}: {last}")
                print(f"  FAILED, running it again: {last}", flush=True)
                result = run_backend(master, s)
            rounds[master].append(result)
            errors += verify(rounds[master][-1], counts, batches)
    results = {m: merge_rounds(rs, s) for m, rs in rounds.items()}
    summary = {m: summarize_backend(r, s, lines, corpus["bytes"]) for m, r in results.items()}
    model = build_model(summary, args)
    print(render(summary, args, corpus, model))
    for failure in failures:
        print(f"FAILED (and run again): {failure}")
    print("counts: " + ("MISMATCH: " + "; ".join(errors) if errors else
                        "every RDD run and every batch equal to a Counter of the same text"))
    if args.json:
        payload = {
            "benchmark": "scaling", "machine": common.machine_info(),
            "loadavg_1m_start": args.load_start,
            "settings": dataclasses.asdict(s), "nodes": args.nodes, "scale": args.scale,
            "corpus": corpus, "stream_spec": stream_spec(s), "backends": summary,
            "counts_identical": not errors, "errors": errors, "failed_rounds": failures,
            "projection": None if model is None else {
                "inputs": model["inputs"],
                "rows": [{"case": label, **proj, "measured_s": measured}
                         for label, proj, measured in model["rows"]]},
        }
        if args.keep_counts:
            payload["counts"] = {m: {"rdd": r["rdd"]["counts"], "batches": r["stream"]["outputs"]}
                                 for m, r in results.items()}
        common.write_json(args.json, payload)
        print(f"results written to {args.json}")
    if errors:
        print("FAIL: " + errors[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    if "--child" not in sys.argv:
        print(f"(total {time.perf_counter() - started:.0f} s)")
    sys.exit(status)
