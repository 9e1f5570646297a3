"""Barrier execution mode: RDD.barrier(), BarrierTaskContext, and barrier stage scheduling.

The expectations mirror PySpark's test_taskcontext.py barrier tests (same outcomes, asserted
without timing: a barrier is shown to hold by files every task writes before it).
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from sparklet import BarrierTaskContext, SparkConf, SparkException, TaskContext

# Barrier stages of local[4]: more slots than the shared Dask cluster's two.
pytestmark = pytest.mark.local_backend


@pytest.fixture
def sc4(make_context):
    # As PySpark's TaskContextTests: four slots, two attempts per task.
    return make_context(SparkConf().setMaster("local[4, 2]"))


def test_barrier_holds_every_task_until_all_arrive(sc4, tmp_path):
    rdd = sc4.parallelize(range(10), 4)

    def f(iterator):
        yield sum(iterator)

    def arrive_then_look(_):
        context = BarrierTaskContext.get()
        (tmp_path / ("arrived-%d" % context.partitionId())).write_text("")
        context.barrier()
        # Past the barrier, every task of the stage must have arrived.
        return sorted(os.listdir(tmp_path))

    seen = rdd.barrier().mapPartitions(f).map(arrive_then_look).collect()
    assert seen == [["arrived-%d" % p for p in range(4)]] * 4


def test_all_gather_returns_every_message_by_partition(sc4):
    rdd = sc4.parallelize(range(10), 4)

    def f(iterator):
        yield sum(iterator)

    def gather(_):
        context = BarrierTaskContext.get()
        return context.allGather(str(context.partitionId()))

    assert rdd.barrier().mapPartitions(f).map(gather).collect() == [["0", "1", "2", "3"]] * 4


def test_repeated_syncs_keep_their_epochs_apart(sc4):
    def f(index, iterator):
        context = BarrierTaskContext.get()
        first = context.allGather("a%d" % index)
        context.barrier()
        second = context.allGather("b%d" % index)
        yield first + second

    out = sc4.parallelize(range(4), 4).barrier().mapPartitionsWithIndex(f).collect()
    assert out == [["a0", "a1", "a2", "a3", "b0", "b1", "b2", "b3"]] * 4


def test_all_gather_needs_a_string(sc4):
    def f(_):
        try:
            BarrierTaskContext.get().allGather(1)
        except TypeError as e:
            yield str(e)

    out = sc4.parallelize(range(2), 2).barrier().mapPartitions(f).collect()
    assert out == ["[NOT_STR] Argument `message` should be a str, got int."] * 2


def test_barrier_task_infos(sc4):
    rdd = sc4.parallelize(range(10), 4)

    def f(iterator):
        yield sum(iterator)

    infos = rdd.barrier().mapPartitions(f).map(
        lambda _: [i.address for i in BarrierTaskContext.get().getTaskInfos()]).collect()
    assert len(infos) == 4 and all(len(i) == 4 for i in infos)
    host, port = infos[0][0].split(":")
    assert host and int(port) > 0


def test_task_context_get_in_normal_and_barrier_stages(sc4):
    rdd = sc4.parallelize(range(10), 4)

    def f(iterator):
        context = TaskContext.get()
        if isinstance(context, BarrierTaskContext):
            yield context.partitionId() + 1
        elif isinstance(context, TaskContext):
            yield context.partitionId() + 2
        else:
            yield -1

    assert rdd.mapPartitions(f).collect() == [2, 3, 4, 5]
    assert rdd.barrier().mapPartitions(f).collect() == [1, 2, 3, 4]


def test_barrier_task_context_get_only_in_barrier_stage(sc4):
    rdd = sc4.parallelize(range(10), 4)

    def f(iterator):
        try:
            context = BarrierTaskContext.get()
        except Exception:
            yield -1
        else:
            yield context.partitionId()

    assert rdd.mapPartitions(f).collect() == [-1, -1, -1, -1]
    assert rdd.barrier().mapPartitions(f).collect() == [0, 1, 2, 3]
    with pytest.raises(RuntimeError, match=r"\[NOT_IN_BARRIER_STAGE\] It is not in a barrier"):
        BarrierTaskContext.get()


def test_barrier_after_normal_stage_reuses_the_workers(make_context):
    sc = make_context(SparkConf().setMaster("local[2]"))
    worker_pids = set(sc.parallelize(range(2), 2).map(lambda _: os.getpid()).collect())
    rdd = sc.parallelize(range(10), 2)

    def context(iterator):
        tp = TaskContext.get().partitionId()
        try:
            bp = BarrierTaskContext.get().partitionId()
        except Exception:
            bp = -1
        yield (tp, bp, os.getpid())

    for stage, expected_bp in ((rdd, (-1, -1)), (rdd.barrier(), (0, 1)), (rdd, (-1, -1))):
        tps, bps, pids = zip(*stage.mapPartitions(context).collect(), strict=True)
        assert tps == (0, 1) and bps == expected_bp
        assert set(pids) <= worker_pids


def test_barrier_stage_needs_a_slot_per_task(make_context):
    sc = make_context(SparkConf().setMaster("local[2]"))
    with pytest.raises(SparkException, match=r"\[SPARK-24819\]: Barrier execution mode does "
                                             r"not allow run a barrier stage that requires"):
        sc.parallelize(range(6), 3).barrier().mapPartitions(lambda it: it).collect()
    assert sc.parallelize(range(6), 2).barrier().mapPartitions(lambda it: it).count() == 6


def test_barrier_stage_refuses_partial_and_mixed_chains(sc4):
    barrier_rdd = sc4.parallelize(range(8), 4).barrier().mapPartitions(lambda it: it)
    with pytest.raises(SparkException, match=r"\[SPARK-24820\]\[SPARK-24821\]"):
        barrier_rdd.take(1)
    with pytest.raises(SparkException, match=r"\[SPARK-24820\]\[SPARK-24821\]"):
        barrier_rdd.coalesce(2).collect()
    assert barrier_rdd.collect()[0] == 0  # PySpark's suggested workaround


def test_failed_barrier_map_task_reruns_the_whole_stage(sc4, tmp_path):
    def f(index, iterator):
        # Every attempt of every task leaves a mark; partition 0 fails its first attempt.
        context = BarrierTaskContext.get()
        marks = tmp_path / ("p%d" % index)
        marks.mkdir(exist_ok=True)
        (marks / str(len(os.listdir(marks)))).write_text("")
        context.barrier()
        if index == 0 and len(os.listdir(marks)) == 1:
            raise ValueError("first attempt fails")
        for x in iterator:
            yield (x % 3, x)

    rdd = sc4.parallelize(range(12), 4).barrier().mapPartitionsWithIndex(f)
    result = sorted(rdd.reduceByKey(lambda a, b: a + b).collect())
    expected = sorted({k: sum(x for x in range(12) if x % 3 == k) for k in range(3)}.items())
    assert result == expected
    # The failed attempt voided the whole stage: each of the 4 tasks ran twice.
    assert sorted(len(os.listdir(tmp_path / ("p%d" % p))) for p in range(4)) == [2] * 4


def test_failed_barrier_result_task_fails_the_job(sc4):
    def f(iterator):
        context = BarrierTaskContext.get()
        context.barrier()
        if context.partitionId() == 1:
            raise ValueError("result task broke")
        yield 1

    with pytest.raises(SparkException, match="(?s)Could not recover from a failed barrier "
                                             "ResultStage. .*result task broke"):
        sc4.parallelize(range(4), 4).barrier().mapPartitions(f).collect()
    assert sc4.parallelize(range(4), 4).barrier().mapPartitions(lambda it: it).sum() == 6


def test_failed_barrier_task_without_retries_fails_with_the_task_error(make_context):
    sc = make_context(SparkConf().setMaster("local[2]"))

    def f(iterator):
        if BarrierTaskContext.get().partitionId() == 0:
            raise ValueError("no retries in local[2]")
        BarrierTaskContext.get().barrier()  # released with an error when the stage fails
        yield 1

    with pytest.raises(SparkException, match="(?s)failed 1 times.*no retries in local"):
        sc.parallelize(range(2), 2).barrier().mapPartitions(f).collect()
    assert sc.parallelize(range(2), 2).barrier().mapPartitions(lambda it: it).sum() == 1


def test_barrier_on_the_thread_backend(make_context):
    sc = make_context(SparkConf().setMaster("local[3]").set("spark.sparklet.backend",
                                                            "threads"))
    out = sc.parallelize(range(3), 3).barrier().mapPartitions(
        lambda it: [BarrierTaskContext.get().allGather(str(list(it)))]).collect()
    assert out == [["[0]", "[1]", "[2]"]] * 3


def test_barrier_sync_times_out_when_a_task_never_arrives(make_context):
    sc = make_context(SparkConf().setMaster("local[2]")
                      .set("spark.barrier.sync.timeout", "1s"))

    def f(iterator):
        context = BarrierTaskContext.get()
        if context.partitionId() == 0:
            context.barrier()  # partition 1 finishes without ever calling barrier()
        yield 1

    with pytest.raises(SparkException, match=r"The coordinator didn't get all barrier sync "
                                             r"requests for barrier epoch 0 from Stage \d+ "
                                             r"\(Attempt 0\) within 1 second\(s\)"):
        sc.parallelize(range(2), 2).barrier().mapPartitions(f).collect()


def test_mixing_barrier_and_all_gather_in_one_sync_fails(sc4):
    def f(iterator):
        context = BarrierTaskContext.get()
        if context.partitionId() == 0:
            context.barrier()
        else:
            context.allGather("x")
        yield 1

    with pytest.raises(SparkException, match="Different barrier sync types found"):
        sc4.parallelize(range(2), 2).barrier().mapPartitions(f).collect()


def test_barrier_tasks_start_together_after_a_busy_slot_frees(make_context, tmp_path):
    # local[2] with one slot held by another job: no barrier task may start while only one
    # slot is free. Each barrier task records whether the other job had finished.
    sc = make_context(SparkConf().setMaster("local[2]"))
    gate, done = tmp_path / "gate", tmp_path / "a-done"
    running, starts = tmp_path / "a-running", tmp_path / "starts"
    starts.mkdir()

    def hold_a_slot(x):
        running.write_text("")
        while not gate.exists():
            time.sleep(0.01)
        done.write_text("")
        return x

    def barrier_task(iterator):
        (starts / str(TaskContext.get().partitionId())).write_text("")
        yield done.exists()
        BarrierTaskContext.get().barrier()

    # Both workers import this module's functions once, so a task starts quickly below.
    assert sc.parallelize(range(2), 2).map(lambda x: bool(barrier_task)).count() == 2
    holder = threading.Thread(target=lambda: sc.parallelize([1], 1).map(hold_a_slot).collect())
    holder.start()
    wait_until(running.exists)
    seen = []
    barrier_job = threading.Thread(target=lambda: seen.extend(
        sc.parallelize(range(2), 2).barrier().mapPartitions(barrier_task).collect()))
    barrier_job.start()
    tracker = sc.statusTracker()
    wait_until(lambda: len(tracker.getActiveStageIds()) == 2)  # both jobs' stages submitted
    # Give a wrongly scheduled barrier task the chance to start in the free slot; a correct
    # scheduler never starts it, so this only delays the test.
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline and not os.listdir(starts):
        time.sleep(0.01)
    gate.write_text("")
    holder.join(60)
    barrier_job.join(60)
    assert seen == [True, True]


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_refused_barrier_map_stage_is_refused_again(make_context):
    sc = make_context(SparkConf().setMaster("local[2]"))
    pairs = sc.parallelize(range(6), 3).barrier().mapPartitions(lambda it: ((x, x) for x in it))
    grouped = pairs.groupByKey()
    for _ in range(2):  # the second job reuses the map stage: it must not hang waiting
        with pytest.raises(SparkException, match=r"\[SPARK-24819\]"):
            grouped.collect()
