"""ContextCleaner: state nothing on the driver can reach is removed; state still reachable is
kept. Real executors and real files; every wait is bounded and polls a condition."""

from __future__ import annotations

import gc
import glob
import os
import threading
import time

import pytest

from sparklet import SparkConf
from sparklet.cleaner import CleanerListener

TIMEOUT = 60.0


class Recorder(CleanerListener):
    def __init__(self):
        self.cleaned: set[tuple[str, int]] = set()
        self._cond = threading.Condition()

    def _add(self, kind, ident):
        with self._cond:
            self.cleaned.add((kind, ident))
            self._cond.notify_all()

    def rddCleaned(self, rddId):
        self._add("rdd", rddId)

    def shuffleCleaned(self, shuffleId):
        self._add("shuffle", shuffleId)

    def broadcastCleaned(self, broadcastId):
        self._add("broadcast", broadcastId)

    def checkpointCleaned(self, rddId):
        self._add("checkpoint", rddId)

    def wait_for(self, kind, ident) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: (kind, ident) in self.cleaned, TIMEOUT)


def wait_until(predicate) -> bool:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def settle(ctx) -> None:
    """Drop unreachable objects now and let the cleaner finish what that queued."""
    gc.collect()
    assert ctx._cleaner.wait_until_idle(TIMEOUT)
    assert ctx._backend.wait_control_delivered(TIMEOUT)


def shuffle_files(ctx, shuffle_id: int) -> list[str]:
    """The map output files of a shuffle on every executor: in the application's directory
    for local executors, in each worker's own directory on Dask."""
    pattern = os.path.join("executors", "*", "shuffle", "shuffle_%d_*" % shuffle_id)
    client = getattr(ctx._backend, "client", None)
    if client is None:
        return glob.glob(os.path.join(ctx._local_dir, pattern))
    app = "sparklet-%s" % ctx.applicationId

    def on_worker(dask_worker):
        return glob.glob(os.path.join(dask_worker.local_directory, app, pattern))

    return sorted(f for files in client.run(on_worker).values() for f in files)


# These tests watch shuffle files come and go: map outputs as small as theirs would travel
# inline with their statuses instead, so every shuffle here is asked to write files.
FILES = "spark.sparklet.shuffle.inlineMaxBytes"


@pytest.fixture
def ctx(make_context):
    context = make_context(SparkConf().setMaster("local[2]").set(FILES, "0"))
    recorder = Recorder()
    context._cleaner.attachListener(recorder)
    context.recorder = recorder
    return context


def test_unreachable_shuffle_is_cleaned_everywhere(ctx):
    pairs = ctx.parallelize(range(100), 4).map(lambda x: (x % 5, x))
    summed = pairs.reduceByKey(lambda a, b: a + b)
    assert sorted(summed.collect()) == [(k, sum(range(k, 100, 5))) for k in range(5)]
    shuffle_id = summed.dep.shuffle_id
    assert ctx._map_output_tracker.has_shuffle(shuffle_id)
    assert len(shuffle_files(ctx, shuffle_id)) == 4  # one per map task

    del summed
    gc.collect()
    assert ctx.recorder.wait_for("shuffle", shuffle_id)
    assert not ctx._map_output_tracker.has_shuffle(shuffle_id)
    assert wait_until(lambda: shuffle_files(ctx, shuffle_id) == [])


def test_reachable_shuffle_is_kept_and_reused(ctx):
    kept = ctx.parallelize(range(40), 4).map(lambda x: (x % 3, 1)).reduceByKey(
        lambda a, b: a + b)
    dropped = ctx.parallelize(range(40), 4).map(lambda x: (x % 2, 1)).reduceByKey(
        lambda a, b: a + b)
    assert sorted(kept.collect()) == [(0, 14), (1, 13), (2, 13)]
    assert sorted(dropped.collect()) == [(0, 20), (1, 20)]
    kept_id, dropped_id = kept.dep.shuffle_id, dropped.dep.shuffle_id

    del dropped
    gc.collect()
    assert ctx.recorder.wait_for("shuffle", dropped_id)
    settle(ctx)
    assert ("shuffle", kept_id) not in ctx.recorder.cleaned
    assert ctx._map_output_tracker.missing_partitions(kept_id) == []
    assert len(shuffle_files(ctx, kept_id)) == 4
    # The map outputs are still registered, so this job reads them: same answer.
    assert sorted(kept.collect()) == [(0, 14), (1, 13), (2, 13)]


def test_unreachable_cached_rdd_is_unpersisted(ctx):
    kept = ctx.parallelize(range(10), 2).map(lambda x: x + 1).cache()
    dropped = ctx.parallelize(range(10), 2).map(lambda x: x * 2).cache()
    assert kept.sum() == 55 and dropped.sum() == 90
    kept_id, dropped_id = kept.id(), dropped.id()
    assert ctx._block_master.cached_partitions(dropped_id) == 2

    del dropped
    gc.collect()
    assert ctx.recorder.wait_for("rdd", dropped_id)
    settle(ctx)
    assert ctx._block_master.cached_partitions(dropped_id) == 0
    assert ("rdd", kept_id) not in ctx.recorder.cleaned
    assert ctx._block_master.cached_partitions(kept_id) == 2
    assert kept.sum() == 55


def test_explicitly_unpersisted_rdd_is_not_cleaned_again(ctx):
    rdd = ctx.parallelize(range(4), 2).cache()
    assert rdd.count() == 4
    rdd_id = rdd.id()
    rdd.unpersist()
    del rdd
    settle(ctx)
    assert ("rdd", rdd_id) not in ctx.recorder.cleaned


def _use_both(ctx, kept, dropped) -> list:
    return ctx.parallelize([0, 1], 2).map(lambda i: dropped.value[i] + kept.value["a"]
                                          ).collect()


def test_unreachable_broadcast_is_removed(ctx):
    kept = ctx.broadcast({"a": 1})
    dropped = ctx.broadcast(list(range(1000)))
    assert _use_both(ctx, kept, dropped) == [1, 2]
    dropped_id, dropped_path = dropped._bid, dropped._path
    assert os.path.exists(dropped_path)

    del dropped
    gc.collect()
    assert ctx.recorder.wait_for("broadcast", dropped_id)
    assert not os.path.exists(dropped_path)
    settle(ctx)
    assert ("broadcast", kept._bid) not in ctx.recorder.cleaned
    assert os.path.exists(kept._path)
    assert ctx.parallelize([0], 1).map(lambda _: kept.value["a"]).collect() == [1]


def test_checkpoint_files_are_cleaned_only_when_asked(make_context, tmp_path):
    for clean in (False, True):
        conf = (SparkConf().setMaster("local[2]")
                .set("spark.cleaner.referenceTracking.cleanCheckpoints", str(clean).lower()))
        context = make_context(conf)
        recorder = Recorder()
        context._cleaner.attachListener(recorder)
        context.setCheckpointDir(str(tmp_path / ("clean" if clean else "keep")))
        rdd = context.parallelize(range(6), 2).map(lambda x: x * x)
        rdd.checkpoint()
        assert rdd.sum() == 55
        rdd_id = rdd.id()
        path = rdd.getCheckpointFile().removeprefix("file:")  # Hadoop-qualified, as Spark's
        assert os.path.isdir(path)
        del rdd
        settle(context)
        if clean:
            assert recorder.wait_for("checkpoint", rdd_id)
            assert not os.path.exists(path)
        else:
            assert ("checkpoint", rdd_id) not in recorder.cleaned
            assert os.path.isdir(path)


def test_reference_tracking_off_cleans_nothing(make_context):
    context = make_context(SparkConf().setMaster("local[2]").set(FILES, "0")
                           .set("spark.cleaner.referenceTracking", "false"))
    assert context._cleaner is None
    summed = context.parallelize(range(10), 2).map(lambda x: (x % 2, x)).reduceByKey(
        lambda a, b: a + b)
    assert sorted(summed.collect()) == [(0, 20), (1, 25)]
    shuffle_id = summed.dep.shuffle_id
    del summed
    gc.collect()
    # Nothing is queued anywhere, so there is nothing to wait for: the state stays.
    assert context._map_output_tracker.has_shuffle(shuffle_id)
    assert len(shuffle_files(context, shuffle_id)) == 2


def test_lineage_before_a_checkpoint_is_released(ctx, tmp_path):
    """A checkpointed RDD forgets its parents (Spark's markCheckpointed), so the shuffle
    behind it becomes unreachable and is cleaned, while the RDD reads its checkpoint."""
    ctx.setCheckpointDir(str(tmp_path))
    summed = ctx.parallelize(range(20), 2).map(lambda x: (x % 2, x)).reduceByKey(
        lambda a, b: a + b)
    top = summed.mapValues(lambda v: v * 10)
    top.checkpoint()
    assert sorted(top.collect()) == [(0, 900), (1, 1000)]
    shuffle_id = summed.dep.shuffle_id
    del summed
    gc.collect()
    assert ctx.recorder.wait_for("shuffle", shuffle_id)
    assert top.dependencies()[0].rdd is top._checkpoint_rdd
    assert sorted(top.collect()) == [(0, 900), (1, 1000)]
