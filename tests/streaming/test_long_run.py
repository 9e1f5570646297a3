"""A long run on the manual clock: thousands of 0.1 s batches of a receiver stream with a
cached stream, a window, updateStateByKey with checkpointing and a broadcast per batch.

What a weeks-long job needs, checked at a fixed phase of the checkpoint cycle every few
hundred batches after warm-up: batches keep completing (no stall), the results stay right,
and nothing grows with the batch count -- map output tracker entries, remembered RDDs,
broadcast files, checkpoint files, open fds and threads; every shuffle with files on disk
is still tracked and every cached RDD still remembered. Every figure compared is
structural (how many shuffles, RDDs, ... are alive), not a time or a rate, so machine load
cannot change the verdict; each wait is bounded and polls a condition.
"""

from __future__ import annotations

import gc
import os
import re
import threading

import pytest
from receiver_helpers import Counter, wait_until

from sparklet import SparkConf
from sparklet.streaming import StreamingContext
from sparklet.streaming.testing import advance_batches, use_manual_clock

TIMEOUT = 60.0
BATCH = 0.1
# Warm-up covers two checkpoints of the state (every 10 s = 100 batches; the stream keeps
# 200 batches of RDDs); samples then fall at the same phase of that cycle.
WARMUP_BATCHES = 400
SAMPLE_EVERY = 400
TOTAL_BATCHES = 2000


def files_under(path: str) -> list[str]:
    return [os.path.join(root, n) for root, _, names in os.walk(path) for n in names]


def remembered_rdds(ssc) -> dict[int, object]:
    """Every RDD the DStreams still remember, by id (walking the graph from its outputs)."""
    rdds, seen, todo = {}, set(), list(ssc._graph.output_streams)
    while todo:
        stream = todo.pop()
        if id(stream) in seen:
            continue
        seen.add(id(stream))
        with ssc._graph.lock:
            rdds.update((rdd.id(), rdd) for rdd in stream._generated.values())
        todo.extend(stream._parents)
    return rdds


def measure(ssc, checkpoint_dir: str) -> dict:
    """Structural figures, once the cleanups queued so far were done everywhere."""
    sc = ssc.sparkContext
    # A batch is handled before the generator has cleared its metadata (its RDDs are still
    # remembered until then): wait for the clear of the last handled batch.
    generator = ssc._scheduler.job_generator
    assert wait_until(lambda: (generator.last_cleared or 0) >= ssc._scheduler.handled_until)
    gc.collect()
    assert sc._cleaner.wait_until_idle(TIMEOUT)
    assert sc._backend.wait_control_delivered(TIMEOUT)
    tracker = sc._map_output_tracker
    shuffle_dirs = os.path.join(sc._local_dir, "executors")

    def shuffle_ids_on_disk() -> set[int]:
        ids = set()
        for path in files_under(shuffle_dirs):
            m = re.match(r"shuffle_(\d+)_", os.path.basename(path))
            if m:
                ids.add(int(m.group(1)))
        return ids

    # Workers apply removals once they receive them: then every shuffle with files is one
    # the driver still tracks, and every cached RDD one a DStream still remembers. (How
    # many of them have files or blocks depends on which batches received data.)
    assert wait_until(lambda: shuffle_ids_on_disk() <= set(tracker._outputs))
    remembered = remembered_rdds(ssc)
    cached = {int(block.split("_")[1])
              for block, holders in sc._block_master._locations.items() if holders}
    assert cached <= set(remembered), sorted(cached - set(remembered))
    return {
        "tracker_entries": len(tracker._outputs),
        "remembered_rdds": len(remembered),
        "broadcast_files": len(os.listdir(sc._env.broadcast_dir)),
        "checkpoint_files": len(files_under(checkpoint_dir)),
        "fds": len(os.listdir("/proc/self/fd")),
        "threads": threading.active_count(),
    }


# 2000 batches of several jobs each: at Dask's round trip per stage (~15 ms) that is
# minutes, past the test timeout; the Dask backend's own long-run checks are for later.
@pytest.mark.local_backend
def test_thousands_of_batches_run_without_stall_or_growth(make_context, tmp_path):
    sc = make_context(SparkConf().setMaster("local[2]")
                      .set("spark.streaming.blockInterval", "50ms"))
    ssc = StreamingContext(sc, BATCH)
    use_manual_clock(ssc)
    checkpoint_dir = str(tmp_path / "checkpoint")
    ssc.checkpoint(checkpoint_dir)

    window_counts: list[int] = []
    state_totals: list[int] = []
    broadcast_checks: list[bool] = []

    numbers = ssc.receiverStream(Counter(per_ms=3)).map(lambda n: (n % 7, 1)).cache()
    # count() of a window without partitions is an empty RDD, as in PySpark.
    numbers.window(5 * BATCH, BATCH).count().foreachRDD(
        lambda rdd: window_counts.append(sum(rdd.collect())))

    def update(new, old):
        return sum(new) + (old or 0)

    def check_state(time, rdd):
        # A fresh broadcast every batch, unreachable once the batch is done. (Through the
        # batch's RDD, not the captured sc: checkpointed DStream functions must pickle.)
        stamp = rdd.context.broadcast(time.timestamp())
        seen = rdd.map(lambda kv: (kv[1], stamp.value)).collect()
        state_totals.append(sum(count for count, _ in seen))
        broadcast_checks.append(all(s == time.timestamp() for _, s in seen))

    numbers.updateStateByKey(update).foreachRDD(check_state)

    ssc.start()
    samples = []
    try:
        advance_batches(ssc, WARMUP_BATCHES, TIMEOUT)
        samples.append(measure(ssc, checkpoint_dir))
        while len(state_totals) < TOTAL_BATCHES:
            advance_batches(ssc, SAMPLE_EVERY, TIMEOUT)  # raises if a batch stalls
            samples.append(measure(ssc, checkpoint_dir))
    finally:
        stopper = threading.Thread(target=ssc.stop, kwargs={"stopSparkContext": False},
                                   daemon=True)
        stopper.start()
        stopper.join(TIMEOUT)
    assert not stopper.is_alive(), "ssc.stop() hung"

    # Every batch ran every output operation, and the results agree: the state counts
    # every record ever received, so what a 5-batch window counted is the state's growth
    # over those 5 batches.
    assert len(window_counts) == len(state_totals) == TOTAL_BATCHES
    assert all(broadcast_checks) and len(broadcast_checks) == TOTAL_BATCHES
    assert state_totals[-1] > 0
    totals = [0] + state_totals
    for i in range(TOTAL_BATCHES):
        assert window_counts[i] == totals[i + 1] - totals[max(0, i - 4)], i

    # Nothing grows with the batch count: without cleanup each figure but fds and threads
    # would grow by about one per batch (+1600 between the first and the last sample).
    # Samples fall at the same phase of the checkpoint cycle, so these are equal but for
    # a cleanup in flight; a small slack absorbs that.
    first = samples[0]
    for sample in samples[1:]:
        for name, value in sample.items():
            assert value <= first[name] + 3, (name, [s[name] for s in samples])
    # Bounded by what the streams remember (200 batches), far below the batch count.
    assert first["tracker_entries"] <= 250 and first["remembered_rdds"] <= 1500
    assert first["broadcast_files"] <= 3
