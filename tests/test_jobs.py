"""Jobs: cancellation by group, tag and all at once, Ctrl-C in the driver, and status.

PySpark is the reference: a cancelled job fails in the thread that runs it with "Job N
cancelled part of cancelled job group G" (or "... job tag T", "... as part of cancellation
of all jobs"), jobs of other groups finish, and local properties belong to threads (plain
threads start with none; InheritableThread copies its parent's). Tasks of cancelled jobs
really stop: a task's worker process is gone afterwards. Waits are bounded polls of a
condition; nothing asserts on elapsed time.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from sparklet import InheritableThread, SparkConf, SparkException, inheritable_thread_target

WAIT = 60.0


def wait_until(condition, timeout: float = WAIT, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(0.02)


def pid_alive(pid: int) -> bool:
    """Whether a process still runs (a zombie waiting to be reaped runs nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True  # no /proc: trust kill(0)


def started_pids(marks) -> list[int]:
    return [int(p.name) for p in marks.iterdir()] if marks.exists() else []


def blocking_task(marks):
    """A task that records its pid, then waits far longer than any test runs."""
    def run(x):
        marks.mkdir(exist_ok=True)
        (marks / str(os.getpid())).write_text("")
        for _ in range(100_000):
            time.sleep(0.01)
        return x
    return run


class JobThread(threading.Thread):
    """Runs ``body`` and keeps its result or exception."""

    def __init__(self, body):
        super().__init__(daemon=True)
        self.body, self.result, self.error = body, None, None

    def run(self):
        try:
            self.result = self.body()
        except Exception as e:  # noqa: BLE001 - inspected by the test
            self.error = e


@pytest.mark.local_backend
def test_cancel_job_group_interrupts_tasks_and_next_job_runs(sc, tmp_path):
    marks = tmp_path / "marks"

    def job():
        sc.setJobGroup("to-cancel", "a job that never ends", interruptOnCancel=True)
        return sc.parallelize(range(2), 2).map(blocking_task(marks)).collect()

    t = JobThread(job)
    t.start()
    wait_until(lambda: len(started_pids(marks)) == 2, what="both tasks running")
    tracker = sc.statusTracker()
    [job_id] = tracker.getJobIdsForGroup("to-cancel")
    sc.cancelJobGroup("to-cancel")
    t.join(WAIT)
    assert not t.is_alive()
    assert isinstance(t.error, SparkException)
    assert str(t.error) == "Job %d cancelled part of cancelled job group to-cancel" % job_id
    # Interrupted: the workers that ran the tasks are gone, and were replaced.
    for pid in started_pids(marks):
        wait_until(lambda pid=pid: not pid_alive(pid), what="task process %d to end" % pid)
    assert tracker.getJobInfo(job_id).status == "FAILED"
    assert sc.parallelize(range(100), 2).map(lambda x: x * 2).sum() == 9900
    assert sc.getLocalProperty("spark.jobGroup.id") is None  # set in the other thread only


@pytest.mark.local_backend
def test_cancel_without_interrupt_fails_the_job_then_stops_the_task(make_context, tmp_path):
    # Not interrupting: the job fails at once; the task gets killTimeout to finish, as
    # PySpark's worker monitor allows, then its worker is stopped.
    sc = make_context(SparkConf().setMaster("local[2]")
                      .set("spark.python.task.killTimeout", "200ms"))
    marks = tmp_path / "marks"

    def job():
        sc.setJobGroup("soft", "")
        return sc.parallelize([1], 1).map(blocking_task(marks)).collect()

    t = JobThread(job)
    t.start()
    wait_until(lambda: len(started_pids(marks)) == 1, what="the task to run")
    sc.cancelJobGroup("soft")
    t.join(WAIT)
    assert re.fullmatch(r"Job \d+ cancelled part of cancelled job group soft", str(t.error))
    [pid] = started_pids(marks)
    wait_until(lambda: not pid_alive(pid), what="the task process to stop")
    assert sc.parallelize([1, 2, 3]).count() == 3


def test_only_the_cancelled_group_fails(sc, tmp_path):
    # PySpark's test_pin_thread check_job_cancellation, with a file as the gate that lets
    # the surviving jobs finish once the cancellation was issued.
    gate = tmp_path / "gate"
    marks = tmp_path / "marks"

    def gated(x):
        marks.mkdir(exist_ok=True)
        (marks / str(os.getpid())).write_text("")
        while not gate.exists():
            time.sleep(0.01)
        return x

    def run(group):
        def body():
            sc.setJobGroup(group, "")
            return sc.parallelize([7], 1).map(gated).collect()
        return body

    threads = [JobThread(run("a")), JobThread(run("b"))]
    for t in threads:
        t.start()
    wait_until(lambda: len(started_pids(marks)) == 2, what="both jobs running")
    sc.cancelJobGroup("a")
    wait_until(lambda: threads[0].error is not None, what="group a to fail")
    gate.write_text("")
    for t in threads:
        t.join(WAIT)
    assert "cancelled part of cancelled job group a" in str(threads[0].error)
    assert threads[1].error is None and threads[1].result == [7]


def test_cancel_jobs_with_tag(sc, tmp_path):
    marks = tmp_path / "marks"

    def job():
        sc.addJobTag("nightly")
        sc.addJobTag("reports")
        sc.setInterruptOnCancel(True)
        return sc.parallelize([1], 1).map(blocking_task(marks)).count()

    t = JobThread(job)
    t.start()
    wait_until(lambda: len(started_pids(marks)) == 1, what="the tagged job to run")
    tracker = sc.statusTracker()
    [job_id] = tracker.getJobIdsForTag("nightly")
    sc.cancelJobsWithTag("other")  # no such job: nothing happens
    sc.cancelJobsWithTag("reports")
    t.join(WAIT)
    assert str(t.error) == "Job %d cancelled part of cancelled job tag reports" % job_id
    assert sc.getJobTags() == set()  # the tags were this test's other thread's


def test_cancel_a_job_while_its_map_stage_runs(sc, tmp_path):
    marks = tmp_path / "marks"

    def job():
        sc.setJobGroup("shuffle", "", True)
        pairs = sc.parallelize(range(4), 2).map(blocking_task(marks)).map(lambda x: (x, x))
        return pairs.reduceByKey(lambda a, b: a + b).collect()

    t = JobThread(job)
    t.start()
    # Two map tasks on two slots: the first pid may already have company when we look.
    wait_until(lambda: len(started_pids(marks)) >= 1, what="a map task to run")
    sc.cancelJobGroup("shuffle")
    t.join(WAIT)
    assert "cancelled part of cancelled job group shuffle" in str(t.error)
    wait_until(lambda: sc.statusTracker().getActiveStageIds() == [], what="no active stage")
    pairs = sc.parallelize(range(6), 2).map(lambda x: (x % 2, x))
    assert sorted(pairs.reduceByKey(lambda a, b: a + b).collect()) == [(0, 6), (1, 9)]


def test_cancel_all_jobs_and_status_tracker(sc, tmp_path):
    # PySpark's test_progress_api, with a wait on the running task instead of a sleep.
    marks = tmp_path / "marks"
    rdd = sc.parallelize(range(10), 2).map(blocking_task(marks))

    def run():
        sc.setJobGroup("test_progress_api", "", True)
        return rdd.count()

    t = JobThread(run)
    t.start()
    wait_until(lambda: len(started_pids(marks)) == 2, what="the tasks to run")
    tracker = sc.statusTracker()
    job_ids = tracker.getJobIdsForGroup("test_progress_api")
    assert len(job_ids) == 1
    assert tracker.getActiveJobsIds() == job_ids
    job = tracker.getJobInfo(job_ids[0])
    assert job.status == "RUNNING" and len(job.stageIds) == 1
    stage = tracker.getStageInfo(job.stageIds[0])
    assert stage.numTasks == rdd.getNumPartitions() == 2
    assert stage.numActiveTasks == 2 and stage.numCompletedTasks == 0
    assert stage.name.startswith("count at ") and stage.currentAttemptId == 0
    assert tracker.getActiveStageIds() == [stage.stageId]
    running = sum(e.numRunningTasks for e in tracker.getExecutorInfos())
    assert running == 2
    sc.cancelAllJobs()
    t.join(WAIT)
    assert re.fullmatch(r"Job \d+ cancelled as part of cancellation of all jobs",
                        str(t.error))
    assert tracker.getJobInfo(job_ids[0]).status == "FAILED"
    assert tracker.getActiveJobsIds() == []
    assert tracker.getActiveStageIds() == []


def test_status_of_finished_jobs(sc):
    tracker = sc.statusTracker()
    before = set(tracker.getJobIdsForGroup(None))
    pairs = sc.parallelize(range(6), 3).map(lambda x: (x % 2, 1))
    assert sorted(pairs.reduceByKey(lambda a, b: a + b).collect()) == [(0, 3), (1, 3)]
    [job_id] = set(tracker.getJobIdsForGroup(None)) - before
    job = tracker.getJobInfo(job_id)
    assert job.status == "SUCCEEDED" and len(job.stageIds) == 2  # map stage + result stage
    stages = [tracker.getStageInfo(s) for s in job.stageIds]
    assert [s.numTasks for s in stages] == [3, 3]
    assert all(s.numCompletedTasks == 3 and s.numActiveTasks == 0 for s in stages)
    assert tracker.getJobInfo(10**9) is None and tracker.getStageInfo(10**9) is None

    def boom(_):
        raise ValueError("no")

    sc.setJobGroup("failing", "")
    try:
        with pytest.raises(Exception, match="no"):
            sc.parallelize([1], 1).map(boom).collect()
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    [failed] = tracker.getJobIdsForGroup("failing")
    info = tracker.getJobInfo(failed)
    assert info.status == "FAILED"
    assert tracker.getStageInfo(info.stageIds[0]).numFailedTasks == 1


def test_job_tags_are_thread_local_and_validated(sc):
    with pytest.raises(ValueError, match="Spark job tag cannot contain ','."):
        sc.addJobTag("a,b")
    with pytest.raises(ValueError, match="Spark job tag cannot be an empty string."):
        sc.addJobTag("")
    sc.addJobTag("x")
    sc.addJobTag("y")
    try:
        assert sc.getJobTags() == {"x", "y"}
        seen = {}
        plain = threading.Thread(target=lambda: seen.update(plain=sc.getJobTags()))
        inherit = InheritableThread(target=lambda: seen.update(inherit=sc.getJobTags()))
        wrapped = threading.Thread(
            target=inheritable_thread_target(lambda: seen.update(wrapped=sc.getJobTags())))
        for t in (plain, inherit, wrapped):
            t.start()
            t.join()
        assert seen == {"plain": set(), "inherit": {"x", "y"}, "wrapped": {"x", "y"}}
        sc.removeJobTag("x")
        sc.removeJobTag("never-added")
        assert sc.getJobTags() == {"y"}
    finally:
        sc.clearJobTags()
    assert sc.getJobTags() == set()


def test_inheritable_local_property(sc):
    # PySpark's test_pin_thread.test_inheritable_local_property.
    sc.setLocalProperty("a", "hi")
    expected = []

    def get_inner_local_prop():
        expected.append(sc.getLocalProperty("b"))

    def get_outer_local_prop():
        expected.append(sc.getLocalProperty("a"))
        sc.setLocalProperty("b", "hello")
        t2 = InheritableThread(target=get_inner_local_prop)
        t2.start()
        t2.join()

    try:
        t1 = InheritableThread(target=get_outer_local_prop)
        t1.start()
        t1.join()
        assert sc.getLocalProperty("b") is None
        assert expected == ["hi", "hello"]
    finally:
        sc.setLocalProperty("a", None)


def test_collect_with_job_group_is_cancellable(sc, tmp_path):
    marks = tmp_path / "marks"
    rdd = sc.parallelize([1], 1).map(blocking_task(marks))
    t = JobThread(lambda: rdd.collectWithJobGroup("cwjg", "desc", True))
    t.start()
    wait_until(lambda: len(started_pids(marks)) == 1, what="the task to run")
    sc.cancelJobGroup("cwjg")
    t.join(WAIT)
    assert "cancelled part of cancelled job group cwjg" in str(t.error)


def test_cancel_on_the_thread_backend_interrupts_the_task(make_context, tmp_path):
    sc = make_context(SparkConf().setMaster("local[2]").set("spark.sparklet.backend",
                                                            "threads"))
    started, stopped = tmp_path / "started", tmp_path / "stopped"

    def task(x):
        try:
            # Inside the try: the kill may land while the file is still being written.
            started.write_text("")
            while True:
                time.sleep(0.01)
        finally:
            stopped.write_text("")  # reached only if the task was interrupted

    def job():
        sc.setJobGroup("threads", "", True)
        return sc.parallelize([1], 1).map(task).collect()

    t = JobThread(job)
    t.start()
    wait_until(started.exists, what="the task to run")
    sc.cancelJobGroup("threads")
    t.join(WAIT)
    assert "cancelled part of cancelled job group threads" in str(t.error)
    wait_until(stopped.exists, what="the task thread to be interrupted")
    assert sc.parallelize(range(4), 2).sum() == 6


def test_application_id_and_start_time(sc):
    assert re.fullmatch(r"local-\d{13}", sc.applicationId)
    assert sc.startTime > 0 and sc.applicationId == "local-%d" % sc.startTime
    assert sc.getConf().get("spark.app.id") == sc.applicationId


# -- Ctrl-C ------------------------------------------------------------------------------

# A task that marks its worker's pid, then runs until it is killed.
_HANGING_TASK = """
import os, sys, time
from sparklet import SparkContext

marks = sys.argv[1]

def task(x):
    open(os.path.join(marks, str(os.getpid())), "w").close()
    while True:
        time.sleep(0.01)
"""

ACTION_DRIVER = _HANGING_TASK + """
sc = SparkContext("local[2]", "ctrl-c")
sc.parallelize(range(2), 2).map(task).collect()
"""

STREAMING_DRIVER = _HANGING_TASK + """
from sparklet.streaming import StreamingContext

sc = SparkContext("local[2]", "ctrl-c-streaming")
ssc = StreamingContext(sc, 0.2)
ssc.queueStream([sc.parallelize([1], 1)]).map(task).foreachRDD(lambda rdd: rdd.count())
ssc.start()
ssc.awaitTermination()
"""


@pytest.mark.integration
@pytest.mark.parametrize("program", [ACTION_DRIVER, STREAMING_DRIVER],
                         ids=["action", "awaitTermination"])
@pytest.mark.local_backend
def test_ctrl_c_cancels_the_running_job_and_raises(tmp_path, program):
    marks = tmp_path / "marks"
    marks.mkdir()
    script = tmp_path / "driver.py"
    script.write_text(textwrap.dedent(program))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    proc = subprocess.Popen([sys.executable, str(script), str(marks)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: started_pids(marks) or proc.poll() is not None,
                   what="the driver's task to start")
        assert proc.poll() is None, proc.communicate()
        pids = started_pids(marks)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in err, err
    for pid in pids:
        wait_until(lambda pid=pid: not pid_alive(pid), what="task process %d to stop" % pid)


@pytest.mark.local_backend
def test_stopping_the_context_fails_running_jobs(make_context, tmp_path):
    sc = make_context(SparkConf().setMaster("local[2]"))
    marks = tmp_path / "marks"
    t = JobThread(lambda: sc.parallelize([1], 1).map(blocking_task(marks)).collect())
    t.start()
    wait_until(lambda: len(started_pids(marks)) == 1, what="the task to run")
    sc.stop()
    t.join(WAIT)
    assert re.fullmatch(r"Job \d+ cancelled because SparkContext was shut down", str(t.error))
    [pid] = started_pids(marks)
    wait_until(lambda: not pid_alive(pid), what="the task process to stop")


def test_cancel_a_job_waiting_for_a_map_stage_another_job_runs(sc, tmp_path):
    # Job y needs the shuffle job x is computing: it waits for x's map stage. Cancelling y
    # ends its wait; x keeps running until it is cancelled itself.
    marks = tmp_path / "marks"
    counts = (sc.parallelize(range(2), 2).map(blocking_task(marks)).map(lambda x: (x, 1))
              .reduceByKey(lambda a, b: a + b))

    def run(group):
        def body():
            sc.setJobGroup(group, "", True)
            return counts.collect()
        return body

    x = JobThread(run("x"))
    x.start()
    wait_until(lambda: len(started_pids(marks)) == 2, what="x's map tasks to run")
    y = JobThread(run("y"))
    y.start()
    tracker = sc.statusTracker()
    wait_until(lambda: len(tracker.getJobIdsForGroup("y")) == 1, what="y to start")
    sc.cancelJobGroup("y")
    y.join(WAIT)
    assert "cancelled part of cancelled job group y" in str(y.error)
    assert x.is_alive() and tracker.getJobInfo(tracker.getJobIdsForGroup("x")[0]).status \
        == "RUNNING"
    sc.cancelJobGroup("x")
    x.join(WAIT)
    assert "cancelled part of cancelled job group x" in str(x.error)
