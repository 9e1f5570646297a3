"""Failures on real worker processes: killed workers, lost map outputs, retries, errors."""

from __future__ import annotations

import glob
import os
import signal
import time
from collections import Counter

import pytest

from sparklet import PythonException, SparkConf

pytestmark = pytest.mark.integration


@pytest.fixture
def fresh_context(make_context):
    """``fresh_context(master)``: a context of our own with that master."""
    return lambda master="local[2]": make_context(
        SparkConf().setMaster(master).setAppName("fault-tolerance"))


def _running(pid: int) -> bool:
    """Whether ``pid`` is still running (a killed child not yet reaped is a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _until(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return predicate()


def _wait_for_executors(sc, n, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(sc._backend.executor_pids()) >= n:
            return sc._backend.executor_pids()
        time.sleep(0.02)
    raise AssertionError("executors did not come up")


@pytest.mark.local_backend
def test_worker_sigkilled_mid_task_is_replaced_and_task_rerun(fresh_context, tmp_path):
    sc = fresh_context("local[2]")
    marker = str(tmp_path / "killed-once")
    before = _wait_for_executors(sc, 2)

    def maybe_die(x):
        # The first task to see element 7 kills its own worker, mid-partition.
        if x == 7 and not os.path.exists(marker):
            open(marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        return x * x

    result = sc.parallelize(range(20), 4).map(maybe_die).collect()
    assert result == [x * x for x in range(20)]
    assert os.path.exists(marker)
    after = _wait_for_executors(sc, 2)
    assert len(set(after.values()) - set(before.values())) >= 1  # a replacement started


@pytest.mark.local_backend
def test_killed_worker_during_shuffle_job_gives_right_counts(fresh_context, tmp_path):
    sc = fresh_context("local[2]")
    marker = str(tmp_path / "killed")
    words = ["w%d" % (i % 37) for i in range(5000)]

    def die_once_in_reduce(kv):
        if kv[0] == "w3" and not os.path.exists(marker):
            open(marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        return kv

    counts = (sc.parallelize(words, 6).map(lambda w: (w, 1)).reduceByKey(lambda a, b: a + b)
              .map(die_once_in_reduce).collect())
    assert dict(counts) == Counter(words)
    assert os.path.exists(marker)


@pytest.mark.local_backend
def test_lost_map_outputs_are_recomputed_from_lineage(fresh_context):
    sc = fresh_context("local[2]")
    map_runs = sc.accumulator(0)

    def tag(x):
        map_runs.add(1)
        return (x % 5, x)

    summed = sc.parallelize(range(100), 4).map(tag).reduceByKey(lambda a, b: a + b)
    expected = {k: sum(x for x in range(100) if x % 5 == k) for k in range(5)}
    assert dict(summed.collect()) == expected
    assert map_runs.value == 100
    # Second job on the same shuffle: the map stage is skipped.
    assert dict(summed.collect()) == expected
    assert map_runs.value == 100
    # Kill every worker: their shuffle files go with them.
    pids = list(_wait_for_executors(sc, 2).values())
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    assert _until(lambda: not any(_running(pid) for pid in pids))  # really dead
    assert dict(summed.collect()) == expected
    assert map_runs.value > 100  # the lost map outputs were recomputed


@pytest.mark.local_backend
def test_missing_shuffle_file_triggers_fetch_failure_recovery(make_context):
    # Map outputs this small would travel inline with their statuses: ask for files.
    sc = make_context(SparkConf().setMaster("local[2]").setAppName("fault-tolerance")
                      .set("spark.sparklet.shuffle.inlineMaxBytes", "0"))
    rdd = sc.parallelize(range(1000), 4).map(lambda x: (x % 10, 1)).reduceByKey(
        lambda a, b: a + b)
    assert dict(rdd.collect()) == dict.fromkeys(range(10), 100)
    files = glob.glob(os.path.join(sc._local_dir, "executors", "*", "shuffle", "*.data"))
    assert files
    for f in files:  # the tracker still lists these outputs: reducers must fail to fetch
        os.remove(f)
    assert dict(rdd.collect()) == dict.fromkeys(range(10), 100)


def test_user_exception_reaches_driver_with_its_traceback(fresh_context):
    sc = fresh_context("local[2]")

    def explode(x):
        return 1 // (x - 3)

    with pytest.raises(PythonException) as info:
        sc.parallelize(range(6), 2).map(explode).collect()
    message = str(info.value)
    assert "ZeroDivisionError" in message
    assert "explode" in message and "test_fault_tolerance.py" in message
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    # The context is still usable after a failed job.
    assert sc.parallelize([1, 2, 3]).sum() == 6


def test_local_mode_does_not_retry_but_local_n_f_does(fresh_context, tmp_path):
    counter = tmp_path / "attempts"

    def flaky(x):
        n = int(counter.read_text()) if counter.exists() else 0
        counter.write_text(str(n + 1))
        if n < 2:
            raise RuntimeError("transient failure %d" % n)
        return x

    sc = fresh_context("local[2]")
    with pytest.raises(PythonException, match="transient failure 0"):
        sc.parallelize([1], 1).map(flaky).collect()
    sc.stop()

    counter.write_text("0")
    sc = fresh_context("local[2,3]")
    assert sc.parallelize([1], 1).map(flaky).collect() == [1]
    assert int(counter.read_text()) == 3


def test_failed_attempts_do_not_count_in_accumulators(fresh_context, tmp_path):
    sc = fresh_context("local[2,4]")
    acc = sc.accumulator(0)
    marker = tmp_path / "failed-once"

    def count_then_maybe_fail(it):
        items = list(it)
        acc.add(len(items))
        if 5 in items and not marker.exists():
            marker.write_text("x")
            raise RuntimeError("fail after adding to the accumulator")
        return items

    assert sorted(sc.parallelize(range(10), 3).mapPartitions(count_then_maybe_fail)
                  .collect()) == list(range(10))
    assert marker.exists()
    assert acc.value == 10


@pytest.mark.local_backend
def test_lost_executor_reports_the_signal_that_killed_it(fresh_context):
    sc = fresh_context("local[1]")

    def die(_):
        os.kill(os.getpid(), signal.SIGKILL)

    # Every attempt loses its executor, so the job fails with the loss reason.
    with pytest.raises(Exception, match=r"killed by signal 9 \(SIGKILL\), possibly out of "
                                        r"memory"):
        sc.parallelize([1], 1).map(die).collect()


@pytest.mark.local_backend
def test_lost_executor_reports_its_exit_code(fresh_context, caplog):
    sc = fresh_context("local[1]")

    def leave(_):
        os._exit(3)

    with caplog.at_level("WARNING", logger="sparklet.backends.local_processes"):
        with pytest.raises(Exception, match="exited with exit code 3"):
            sc.parallelize([1], 1).map(leave).collect()
    assert any("lost executor" in r.getMessage() and "exit code 3" in r.getMessage()
               for r in caplog.records)


@pytest.mark.local_backend
def test_killed_worker_daemon_is_replaced_with_its_workers(fresh_context):
    sc = fresh_context("local[2]")
    before = _wait_for_executors(sc, 2)
    daemon = sc._backend.daemon_pid()
    os.kill(daemon, signal.SIGKILL)  # its workers die with it
    deadline = time.monotonic() + 60
    while not (sc._backend.daemon_pid() != daemon and len(sc._backend.executor_pids()) == 2
               and not set(sc._backend.executor_pids().values()) & set(before.values())):
        assert time.monotonic() < deadline, "no replacement daemon and workers"
        time.sleep(0.02)
    assert sc.parallelize(range(10), 2).map(lambda x: x * 2).sum() == 90
