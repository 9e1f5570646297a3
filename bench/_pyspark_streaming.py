"""PySpark side of bench/streaming.py, and the streaming jobs both sides run.

Run as a script (by bench/streaming.py, with bench/.venv-pyspark's python) it starts PySpark
``local[N]``, runs the phases of a JSON plan and writes one JSON result:

    python _pyspark_streaming.py --plan plan.json --result result.json --master local[2]

The sparklet side does not copy this code, it imports this module and calls ``run_plan`` with
sparklet's classes: the DStream programs, the listener that records ``BatchInfo`` and the way a
phase is started, waited on and stopped are then textually the same on both sides, so any
difference in the figures comes from the engines. The module therefore depends only on the
standard library and bench/_common.py; PySpark is imported in ``main()`` only.

A plan is a list of phases; each phase runs one workload in a fresh StreamingContext (on one
shared SparkContext) over batches fed by ``queueStream``:

* ``check``  -- small batches, every output collected, so results can be compared;
* ``tiny``   -- many 10-line batches: per-batch processing time (latency);
* ``large``  -- a few large batches: processing time and sustained lines/s;
* ``sweep``  -- tiny batches on a real clock for a fixed time at one batch interval: does the
  scheduling delay stay bounded?

Every phase returns the ``BatchInfo`` of each completed batch, as recorded by a
``StreamingListener`` (times in ms, as Spark reports them).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from operator import add, sub
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common  # noqa: E402  (bench/ is not a package; path set just above)

WORKLOADS = ("wordcount", "window", "state")
PARTITIONS = 2  # every input RDD is parallelized into this many slices on both sides
POLL_S = 0.02


# --------------------------------------------------------------------------------------------
# Input batches: the same lines on both sides
# --------------------------------------------------------------------------------------------


def batch_lines(spec: dict[str, Any], index: int) -> list[str]:
    """The lines of batch ``index`` of a phase; deterministic, so both drivers agree.

    Only ``spec["distinct"]`` different batches are drawn (index modulo that): generating a
    200k-line batch takes about a second, and identical content does not make a batch cheaper
    to process, as every batch is a new RDD.
    """
    if index >= spec["data_batches"]:
        return []  # trailing empty batches let windows slide past the data
    seed = common.DEFAULT_SEED + 1000 * spec["lines"] + index % spec["distinct"]
    return common.generate_lines(spec["lines"], seed, spec["vocab"])


def state_keys(vocab_size: int) -> list[str]:
    """Every key of the stateful workload's key space (its vocabulary)."""
    return list(common.vocabulary(vocab_size))


# --------------------------------------------------------------------------------------------
# The streaming jobs
# --------------------------------------------------------------------------------------------


def build_workload(ssc, spec: dict[str, Any], rdds: list, sink) -> None:
    """Define one workload's DStream program on ``ssc`` with ``sink`` as its output operation.

    * ``wordcount``: per-batch word count (``reduceByKey``).
    * ``window``: word counts over the last ``window_batches`` batches, sliding by one batch,
      with an inverse function. Both engines (like Spark) use the inverse only when the window
      spans at least 5 slides; below that, each window is reduced from its batches.
    * ``state``: running word counts in ``updateStateByKey``, its state seeded with every key
      of the vocabulary (``initialRDD``), so each batch updates the whole key space.
    """
    interval = spec["interval"]
    pairs = ssc.queueStream(rdds).flatMap(lambda line: line.split()).map(lambda w: (w, 1))
    workload = spec["workload"]
    if workload == "wordcount":
        out = pairs.reduceByKey(add)
    elif workload == "window":
        out = pairs.reduceByKeyAndWindow(
            add,
            sub,
            spec["window_batches"] * interval,
            interval,
            filterFunc=lambda kv: kv[1] > 0,
        )
    elif workload == "state":
        initial = ssc.sparkContext.parallelize(
            [(k, 0) for k in state_keys(spec["vocab"])], PARTITIONS
        )
        out = pairs.updateStateByKey(lambda new, old: sum(new) + (old or 0), initialRDD=initial)
    else:
        raise ValueError(f"unknown workload {workload!r}")
    out.foreachRDD(sink)


def timing_sink(workload: str):
    """The output operation of a timed phase: run the whole batch, ship little to the driver.

    Word counts are collected (a few thousand pairs at most, as ``pprint``-style use would);
    the 100k-key state is counted instead, since collecting it every batch would measure the
    driver link rather than the state update. The sink must return None: PySpark takes any
    other value returned by a ``foreachRDD`` function for an RDD and fails the batch.
    """
    action = "count" if workload == "state" else "collect"

    def sink(t, rdd) -> None:
        getattr(rdd, action)()

    return sink


def canonical(rdd) -> list:
    """A batch's output in a comparable form: [number of keys, sorted non-zero (key, value)].

    Zero values are filtered out on the executors (but counted) so the 100k seeded state keys
    do not have to travel to the driver and through JSON every batch: they are the same on
    both sides or the key count differs.
    """
    nonzero = rdd.filter(lambda kv: kv[1] != 0).collect()
    return [rdd.count(), sorted([k, v] for k, v in nonzero)]


# --------------------------------------------------------------------------------------------
# Recording BatchInfo
# --------------------------------------------------------------------------------------------


def make_recorder_class(listener_base: type) -> type:
    """A StreamingListener subclass of ``listener_base`` (the engine's own) recording batches.

    PySpark calls it from py4j callback threads, sparklet from its listener-bus thread, so
    the recorded data is guarded by a lock.
    """

    class BatchRecorder(listener_base):
        def __init__(self) -> None:
            super().__init__()
            self.lock = threading.Lock()
            self.submitted: dict[int, int] = {}
            self.completed: dict[int, list[int]] = {}
            self.failed: dict[int, str] = {}
            self.stopping = False  # failures after this are the stop interrupting a job

        def onBatchSubmitted(self, batchSubmitted) -> None:  # noqa: N802 (Spark's name)
            info = batchSubmitted.batchInfo()
            with self.lock:
                self.submitted[info.batchTime().milliseconds()] = info.submissionTime()

        def onBatchCompleted(self, batchCompleted) -> None:  # noqa: N802 (Spark's name)
            info = batchCompleted.batchInfo()
            record = [
                info.batchTime().milliseconds(),
                info.submissionTime(),
                info.processingStartTime(),
                info.processingEndTime(),
                info.schedulingDelay(),
                info.processingDelay(),
            ]
            with self.lock:
                self.completed[record[0]] = record

        def onOutputOperationCompleted(self, outputOperationCompleted) -> None:  # noqa: N802
            # A failed job still completes its batch; without this its (short) processing
            # time would pass for a fast batch.
            info = outputOperationCompleted.outputOperationInfo()
            reason = info.failureReason()
            if reason and not self.stopping:
                with self.lock:
                    self.failed[info.batchTime().milliseconds()] = reason.strip()[:2000]

        def snapshot(self) -> dict[str, list]:
            with self.lock:
                return {
                    "completed": [self.completed[t] for t in sorted(self.completed)],
                    "submitted": sorted([t, s] for t, s in self.submitted.items()),
                    "failed": sorted([t, r] for t, r in self.failed.items()),
                }

        def count_completed(self) -> int:
            with self.lock:
                return len(self.completed)

    return BatchRecorder


# --------------------------------------------------------------------------------------------
# Running phases
# --------------------------------------------------------------------------------------------


def run_phase(engine: dict[str, Any], spec: dict[str, Any], log=print) -> dict[str, Any]:
    """Run one phase in a fresh StreamingContext and return what was recorded.

    The input RDDs are built before ``start()`` so that parallelizing them is not timed. The
    phase ends when every batch has completed (``check``, ``tiny``, ``large``; or after
    ``max_s`` seconds) or at its deadline (``sweep``); then the context is stopped without
    waiting for the batches still queued, keeping the SparkContext for the next phase.
    """
    sc = engine["sc"]
    total = spec["data_batches"] + spec.get("trailing_batches", 0)
    rdds = [sc.parallelize(batch_lines(spec, i), PARTITIONS) for i in range(total)]
    ssc = engine["StreamingContext"](sc, spec["interval"])
    checkpoint_dir = None
    if spec["workload"] in ("window", "state"):
        checkpoint_dir = tempfile.mkdtemp(prefix="bench-streaming-ckpt-")
        ssc.checkpoint(checkpoint_dir)
    results: list = []
    if spec["kind"] == "check":
        build_workload(ssc, spec, rdds, lambda t, rdd: results.append(canonical(rdd)))
    else:
        build_workload(ssc, spec, rdds, timing_sink(spec["workload"]))
    recorder = make_recorder_class(engine["StreamingListener"])()
    ssc.addStreamingListener(recorder)
    try:
        started = time.time()
        ssc.start()
        deadline_ms, timed_out = _wait_for_phase(spec, recorder, total, started)
        time.sleep(0.3)  # let listener events already posted arrive (py4j delivers them late)
    finally:
        recorder.stopping = True
        ssc.stop(stopSparkContext=False, stopGraceFully=False)
        if checkpoint_dir:
            shutil.rmtree(checkpoint_dir, ignore_errors=True)
    out = recorder.snapshot()
    out.update(
        started_ms=int(started * 1000),
        deadline_ms=deadline_ms,
        timed_out=timed_out,
        # Batches after the last data batch may complete before the stop: not part of the check.
        results=results[:total] if spec["kind"] == "check" else None,
    )
    failed = f", {len(out['failed'])} FAILED" if out["failed"] else ""
    log(
        f"    {spec['name']}: {len(out['completed'])} batches{failed} "
        f"in {time.time() - started:.1f} s"
    )
    return out


def _wait_for_phase(spec, recorder, total: int, started: float) -> tuple[int, bool]:
    """Block until the phase is over; return (its end in epoch ms, whether ``max_s`` hit).

    A sweep lasts exactly ``duration_s``. Other phases wait for all ``total`` batches;
    batches complete in order (one job at a time), so a count is enough.
    """
    if spec["kind"] == "sweep":
        time.sleep(max(0.0, started + spec["duration_s"] - time.time()))
        return int(time.time() * 1000), False
    while recorder.count_completed() < total:
        if time.time() - started > spec["max_s"]:
            return int(time.time() * 1000), True
        time.sleep(POLL_S)
    return int(time.time() * 1000), False


def run_plan(engine: dict[str, Any], plan: list[dict[str, Any]], log=print) -> list[dict]:
    """Run every phase of the plan in order; the result list matches the plan."""
    return [run_phase(engine, spec, log) for spec in plan]


# --------------------------------------------------------------------------------------------
# PySpark entry point
# --------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    """Command line: the parent benchmark passes everything explicitly."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plan", required=True, help="JSON list of phases to run")
    p.add_argument("--result", required=True, help="where to write the JSON result")
    p.add_argument("--master", default="local[2]")
    return p.parse_args()


def start_pyspark(master: str):
    """A quiet, loopback-only PySpark context, as in the RDD benchmark's driver."""
    from pyspark import SparkConf, SparkContext

    conf = (
        SparkConf()
        .setMaster(master)
        .setAppName("sparklet-bench-streaming")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
    )
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    return sc


def main() -> None:
    """Start PySpark, run the plan, stop, write {version, startup_s, phases} as JSON."""
    args = parse_args()
    plan = json.loads(Path(args.plan).read_text())
    t0 = time.perf_counter()
    sc = start_pyspark(args.master)
    from pyspark.streaming import StreamingContext
    from pyspark.streaming.listener import StreamingListener

    startup_s = time.perf_counter() - t0
    engine = {
        "sc": sc,
        "StreamingContext": StreamingContext,
        "StreamingListener": StreamingListener,
    }
    version = sc.version
    try:
        phases = run_plan(engine, plan, log=lambda msg: print(msg, flush=True))
    finally:
        sc.stop()
    payload = {"version": version, "startup_s": startup_s, "phases": phases}
    Path(args.result).write_text(json.dumps(payload))


if __name__ == "__main__":
    main()
