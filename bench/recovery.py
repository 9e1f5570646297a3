"""Recovery time after a driver crash, with 10^5 keys of updateStateByKey state.

Each run starts a streaming app (this file, ``--app``) whose first batch creates 10^5
keys of state, lets it checkpoint that state and run a few more batches, SIGKILLs the
driver, restarts it at once through ``StreamingContext.getOrCreate`` and times:

* ``first batch``: crash to the first batch completed by the restarted app (a batch
  rerun from the checkpoint: the process start, reading the checkpoint, reloading the state
  RDD and recomputing from it are all inside);
* ``first new batch``: crash to the first completed batch whose time is later than the crash
  (the rescheduled down-time batches are behind it).

Every run also checks the state after recovery (the sum of all counts) against the input.
Usage: ``.venv/bin/python bench/recovery.py [--runs 3] [--keys 100000]``; prints the median.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def app(args) -> int:
    """The benchmarked application: prints ``done <batch_ms> <wall_s> <state_sum>``."""
    from sparklet import SparkConf, SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.listener import StreamingListener

    keys = args.keys

    def setup():
        sc = SparkContext.getOrCreate(SparkConf().setMaster("local[2]").setAppName("rec"))
        ssc = StreamingContext(sc, args.batch)
        first = sc.parallelize(range(keys), 4).map(lambda i: (f"k{i}", 1))
        later = [sc.parallelize([(f"k{(b * 7919 + j) % keys}", 1) for j in range(1000)], 4)
                 for b in range(1, 400)]
        pairs = ssc.queueStream([first, *later])
        totals = pairs.updateStateByKey(lambda new, old: sum(new) + (old or 0), 4)
        totals.setName("totals").checkpoint(args.batch * 2)
        sums = {}

        def record(t, rdd):
            from sparklet.streaming.sinks import _batch_time_ms

            sums[_batch_time_ms(t)] = rdd.values().sum()

        totals.foreachRDD(record)

        class Report(StreamingListener):
            def onBatchCompleted(self, completed):
                t = completed.batchInfo().batchTime().milliseconds()
                print(f"done {t} {time.time():.3f} {sums.get(t)}", flush=True)

        ssc.addStreamingListener(Report())
        return ssc

    # A queue stream (and a listener added by setup) need the rebuild-from-setup path.
    ssc = StreamingContext.getOrCreate(args.checkpoint, setup, rebuildFromSetupFunc=True)
    if ssc._recovery is not None:
        # Listeners are not part of the checkpoint: setupFunc added it to the rebuilt app.
        print(f"recovering {time.time():.3f}", flush=True)
    ssc.start()
    ssc.awaitTermination()
    return 0


def one_run(keys: int, batch: float, warm_batches: int) -> dict:
    root = tempfile.mkdtemp(prefix="sparklet-recovery-bench-")
    cmd = [sys.executable, os.path.abspath(__file__), "--app", "--checkpoint",
           os.path.join(root, "ck"), "--keys", str(keys), "--batch", str(batch)]
    procs: list[subprocess.Popen] = []
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True,
                                start_new_session=True)
        procs.append(proc)
        done_before = []
        for line in proc.stdout:
            if line.startswith("done"):
                done_before.append(int(line.split()[1]))
                if len(done_before) >= warm_batches:
                    break
        crash_wall = time.time()
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        last_before = max(done_before)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True,
                                start_new_session=True)
        procs.append(proc)
        first = first_new = None
        batches_done = 0
        for line in proc.stdout:
            if not line.startswith("done"):
                continue
            _, t, wall, state_sum = line.split()
            t, wall = int(t), float(wall)
            batches_done += 1
            if first is None:
                first = wall - crash_wall
            if t > crash_wall * 1000 and first_new is None:
                first_new = wall - crash_wall
                # The state holds every record of batches up to t: keys + 1000 per batch.
                n_batches = (t - last_before) // int(batch * 1000) + len(done_before)
                assert state_sum != "None" and int(state_sum) == keys + 1000 * (n_batches - 1), \
                    (state_sum, n_batches)
                break
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return {"first": first, "first_new": first_new, "rerun": batches_done - 1}
    finally:
        for p in procs:  # never leave an app (or its workers) behind
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--app", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--checkpoint", help=argparse.SUPPRESS)
    ap.add_argument("--keys", type=int, default=100_000)
    ap.add_argument("--batch", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warm-batches", type=int, default=4)
    args = ap.parse_args()
    if args.app:
        return app(args)
    results = []
    for i in range(args.runs):
        r = one_run(args.keys, args.batch, args.warm_batches)
        results.append(r)
        print(f"run {i + 1}: first batch after {r['first']:.2f} s, first new batch after "
              f"{r['first_new']:.2f} s ({r['rerun']} rerun/down-time batches first)",
              flush=True)
    print(f"recovery with {args.keys} keys of updateStateByKey state, batch {args.batch} s, "
          f"median of {args.runs}: first batch {statistics.median(r['first'] for r in results):.2f}"
          f" s, first new batch {statistics.median(r['first_new'] for r in results):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
