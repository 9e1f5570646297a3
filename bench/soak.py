"""Soak test: a receiver stream with a window, state and cache at 0.1 s batches, for a while.

A streaming job must run for weeks; this runs one for ``--minutes`` (default 30) on the
system clock and, every ``--report-seconds`` (default 60), prints what a leak or a stall
would show: the driver's open fds and threads, the number of processes in the driver's tree,
driver and worker RSS, the size and file count of the application's local dir
(``spark.local.dir``: shuffle files, cached blocks, broadcasts, received-block spills) and of
the checkpoint dir, and the batches completed so far. At the end every figure is judged
*flat after warm-up*: the samples after the first ``--warmup-minutes`` are cut in thirds,
and the mean of the last third may exceed the mean of the first third by no more than a
tolerance (relative plus an absolute slack per figure; see ``TOLERANCES``). Batches must
keep completing: the last third's rate may not fall below half the first third's.
Exit status 1 if anything is not flat, so the soak can gate a release.

Usage: ``.venv/bin/python bench/soak.py [--minutes 30] [--report-seconds 60]``.
The machine is shared and noisy: read trends, not absolute values.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from sparklet import SparkConf, SparkContext  # noqa: E402
from sparklet.streaming import StreamingContext, StreamingListener  # noqa: E402
from sparklet.streaming.receiver import Receiver  # noqa: E402

# figure -> (relative tolerance, absolute slack): last third <= first * (1 + rel) + abs.
TOLERANCES = {
    "fds": (0.10, 4),
    "threads": (0.10, 4),
    "processes": (0.0, 1),
    "driver_rss_mb": (0.10, 8.0),
    "worker_rss_mb": (0.15, 16.0),
    "local_mb": (0.25, 2.0),
    "local_files": (0.25, 20),
    "checkpoint_mb": (0.25, 2.0),
    "checkpoint_files": (0.25, 20),
}


class Ticker(Receiver):
    """Stores a small record every few milliseconds: keys 0..99, paced so the soak does not
    saturate a shared 2-core machine."""

    def onStart(self):
        threading.Thread(target=self._run, daemon=True, name="soak-ticker").start()

    def onStop(self):
        pass

    def _run(self):
        n = 0
        while not self.isStopped():
            try:
                self.store("k%d" % (n % 100))
            except RuntimeError:  # stopped between the check and the store
                return
            n += 1
            time.sleep(0.002)


class BatchCounter(StreamingListener):
    def __init__(self):
        self.completed = 0

    def onBatchCompleted(self, batchCompleted):
        self.completed += 1


# -- what the kernel says (Linux /proc; no extra dependency) -------------------------------

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(name))
    return tree


def descendants(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        for c in tree.get(p, ()):
            out.append(c)
            todo.append(c)
    return out


def rss_mb(pid: int) -> float:
    try:
        with open("/proc/%d/status" % pid) as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def num_threads(pid: int) -> int:
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def dir_usage(path: str) -> tuple[float, int]:
    size = files = 0
    for root, _, names in os.walk(path):
        for n in names:
            try:
                size += os.lstat(os.path.join(root, n)).st_size
                files += 1
            except OSError:
                pass  # removed while we looked
    return size / 2**20, files


def sample(sc, checkpoint_dir: str, counter: BatchCounter) -> dict:
    pid = os.getpid()
    kids = descendants(pid)
    local_mb, local_files = dir_usage(sc._local_dir)
    cp_mb, cp_files = dir_usage(checkpoint_dir)
    return {"batches": counter.completed, "fds": len(os.listdir("/proc/self/fd")),
            "threads": num_threads(pid), "processes": 1 + len(kids),
            "driver_rss_mb": rss_mb(pid), "worker_rss_mb": sum(rss_mb(k) for k in kids),
            "local_mb": local_mb, "local_files": local_files, "checkpoint_mb": cp_mb,
            "checkpoint_files": cp_files}


# -- judging -------------------------------------------------------------------------------

def judge(samples: list[dict], warmup: int) -> list[tuple[str, float, float, bool]]:
    """(figure, first third mean, last third mean, flat?) for each figure."""
    steady = samples[warmup:]
    third = max(1, len(steady) // 3)
    first, last = steady[:third], steady[-third:]
    verdicts = []
    for name, (rel, slack) in TOLERANCES.items():
        a = statistics.mean(s[name] for s in first)
        b = statistics.mean(s[name] for s in last)
        verdicts.append((name, a, b, b <= a * (1 + rel) + slack))
    # Batches: a rate per sample interval, which must not collapse (a stall is rate 0).
    rates = [s1["batches"] - s0["batches"] for s0, s1 in zip(samples[warmup - 1:],
                                                            samples[warmup:], strict=False)]
    r_third = max(1, len(rates) // 3)
    ra, rb = statistics.mean(rates[:r_third]), statistics.mean(rates[-r_third:])
    verdicts.append(("batches_per_interval", ra, rb, rb >= 0.5 * ra and rates[-1] > 0))
    return verdicts


def build(ssc: StreamingContext) -> None:
    pairs = ssc.receiverStream(Ticker()).map(lambda w: (w, 1)).cache()
    pairs.window(1.0, 0.1).count().foreachRDD(lambda rdd: rdd.collect())
    pairs.reduceByKey(lambda a, b: a + b).foreachRDD(lambda rdd: rdd.count())

    def update(new, old):
        return sum(new) + (old or 0)

    pairs.updateStateByKey(update).foreachRDD(lambda rdd: rdd.count())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--report-seconds", type=float, default=60.0)
    parser.add_argument("--warmup-minutes", type=float, default=1.0)
    parser.add_argument("--batch-seconds", type=float, default=0.1)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="sparklet-soak-")
    checkpoint_dir = os.path.join(scratch, "checkpoint")
    conf = (SparkConf().setMaster(args.master).setAppName("soak")
            .set("spark.local.dir", os.path.join(scratch, "local"))
            .set("spark.ui.showConsoleProgress", "false"))
    sc = SparkContext(conf=conf)
    ssc = StreamingContext(sc, args.batch_seconds)
    ssc.checkpoint(checkpoint_dir)
    counter = BatchCounter()
    ssc.addStreamingListener(counter)
    build(ssc)
    ssc.start()

    header = ("min", "batches", "fds", "thr", "procs", "drv MB", "wrk MB", "local MB",
              "local #", "ckpt MB", "ckpt #")
    print(("%5s %8s %5s %5s %5s %8s %8s %8s %8s %8s %8s") % header, flush=True)
    samples: list[dict] = []
    start = time.monotonic()
    end = start + args.minutes * 60
    next_report = start + args.report_seconds
    try:
        while time.monotonic() < end:
            time.sleep(max(0.0, min(next_report, end) - time.monotonic()))
            next_report += args.report_seconds
            s = sample(sc, checkpoint_dir, counter)
            samples.append(s)
            print("%5.1f %8d %5d %5d %5d %8.1f %8.1f %8.2f %8d %8.2f %8d" % (
                (time.monotonic() - start) / 60, s["batches"], s["fds"], s["threads"],
                s["processes"], s["driver_rss_mb"], s["worker_rss_mb"], s["local_mb"],
                s["local_files"], s["checkpoint_mb"], s["checkpoint_files"]), flush=True)
    finally:
        stop_started = time.monotonic()
        ssc.stop(stopSparkContext=True, stopGraceFully=False)
        stop_seconds = time.monotonic() - stop_started
        shutil.rmtree(scratch, ignore_errors=True)

    warmup = max(1, round(args.warmup_minutes * 60 / args.report_seconds))
    if len(samples) < warmup + 3:
        print("too few samples after warm-up to judge (need %d, got %d): run longer"
              % (warmup + 3, len(samples)))
        return 1
    print("\nstop took %.1f s; after %d warm-up sample(s): first third -> last third"
          % (stop_seconds, warmup))
    ok = True
    for name, a, b, flat in judge(samples, warmup):
        ok &= flat
        print("  %-22s %10.2f -> %10.2f  %s" % (name, a, b, "flat" if flat else "GROWING"
                                                 if name != "batches_per_interval" else "STALLED"))
    print("all flat" if ok else "NOT FLAT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
