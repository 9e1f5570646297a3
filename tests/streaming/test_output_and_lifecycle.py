"""pprint's exact format, saveAsTextFiles names, listener events and BatchInfo, the job
scheduler (slow batches delay later ones, none skipped), start/stop/await and user errors.

pprint's format was checked against PySpark 3.5.3 (local[2], ManualClock at 0, 1 s batches):
a line of 43 '-', ``Time: 1970-01-01 00:00:01`` (``str`` of the naive local datetime of the
batch time, so fractional batches print ``.500000``), the dashes again, the records, ``...``
when there are more than ``num``, then an empty line.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime

import pytest
from stream_helpers import collect_batches

from sparklet.streaming import StreamingContext, StreamingListener
from sparklet.streaming.testing import advance_batches, manual_clock, wait_for_batch

DASHES = "-" * 43


def test_pprint_exact_output(make_ssc, capsys):
    ssc = make_ssc()
    ssc.queueStream([[1, 2, 3], ["x"], []]).pprint(2)
    ssc.start()
    advance_batches(ssc, 3)
    out = capsys.readouterr().out

    def block(t, lines):
        return "\n".join([DASHES, f"Time: {datetime.fromtimestamp(t)}", DASHES, *lines, ""]) \
            + "\n"
    assert out == block(1, ["1", "2", "..."]) + block(2, ["x"]) + block(3, [])
    assert "Time: 1970-01-01 00:00:01\n" in out or time.timezone != 0


def test_pprint_fractional_batch_time(make_ssc, capsys):
    ssc = make_ssc(batch=0.5)
    ssc.queueStream([[("k", 1)]]).pprint()
    ssc.start()
    advance_batches(ssc, 1)
    out = capsys.readouterr().out
    assert out.splitlines()[1] == f"Time: {datetime.fromtimestamp(0.5)}"
    assert out.splitlines()[3] == "('k', 1)"


def test_save_as_text_files_directory_names(make_ssc, tmp_path, sc):
    ssc = make_ssc()
    stream = ssc.queueStream([["a", "b"], ["c"]])
    stream.saveAsTextFiles(str(tmp_path / "out"), "txt")
    stream.saveAsTextFiles(str(tmp_path / "plain"))
    ssc.start()
    advance_batches(ssc, 2)
    names = sorted(os.listdir(tmp_path))
    assert [n for n in names if n != "checkpoints"] == [
        "out-1000.txt", "out-2000.txt", "plain-1000", "plain-2000"]
    assert sorted(sc.textFile(str(tmp_path / "out-1000.txt")).collect()) == ["a", "b"]
    assert sc.textFile(str(tmp_path / "plain-2000")).collect() == ["c"]


class Recorder(StreamingListener):
    def __init__(self):
        super().__init__()
        self.events = []

    def __getattribute__(self, name):
        if name.startswith("on"):
            return lambda event: object.__getattribute__(self, "events").append((name, event))
        return object.__getattribute__(self, name)


def test_listener_events_and_batch_info(make_ssc):
    ssc = make_ssc()
    rec = Recorder()
    ssc.addStreamingListener(rec)
    stream = ssc.queueStream([[1, 2], [3]])
    stream.pprint()
    stream.foreachRDD(lambda rdd: rdd.count())
    ssc.start()
    advance_batches(ssc, 2)
    names = [n for n, _ in rec.events]
    assert names[0] == "onStreamingStarted"
    per_batch = ["onBatchSubmitted", "onBatchStarted",
                 "onOutputOperationStarted", "onOutputOperationCompleted",
                 "onOutputOperationStarted", "onOutputOperationCompleted", "onBatchCompleted"]
    assert names[1:] == per_batch * 2
    completed = [e for n, e in rec.events if n == "onBatchCompleted"]
    info = completed[0].batchInfo()
    assert info.batchTime().milliseconds() == 1000
    assert completed[1].batchInfo().batchTime().milliseconds() == 2000
    assert info.submissionTime() <= info.processingStartTime() <= info.processingEndTime()
    assert info.schedulingDelay() == info.processingStartTime() - info.submissionTime()
    assert info.processingDelay() == info.processingEndTime() - info.processingStartTime()
    assert info.totalDelay() == info.schedulingDelay() + info.processingDelay()
    assert info.numRecords() == 0 and info.streamIdToInputInfo() == {}  # queue streams: 0
    ops = info.outputOperationInfos()
    assert sorted(ops) == [0, 1]
    assert ops[0].name().startswith("pprint at test_output_and_lifecycle.py:")
    assert ops[1].name().startswith("foreachRDD at ")
    assert all(o.failureReason() is None and o.duration() >= 0 for o in ops.values())
    submitted = [e for n, e in rec.events if n == "onBatchSubmitted"][0].batchInfo()
    assert submitted.processingStartTime() == -1 and submitted.schedulingDelay() == -1
    started = [e for n, e in rec.events if n == "onOutputOperationStarted"][0]
    assert started.outputOperationInfo().endTime() == -1


def test_failed_job_is_reported_and_raised_by_await(make_ssc):
    ssc = make_ssc()
    rec = Recorder()
    ssc.addStreamingListener(rec)

    def boom(rdd):
        raise ZeroDivisionError("bad batch")

    ssc.queueStream([[1], [2]]).foreachRDD(boom)
    ssc.start()
    advance_batches(ssc, 1)
    with pytest.raises(ZeroDivisionError, match="bad batch"):
        ssc.awaitTerminationOrTimeout(0.01)
    op = [e for n, e in rec.events if n == "onOutputOperationCompleted"][0]
    assert "ZeroDivisionError: bad batch" in op.outputOperationInfo().failureReason()
    assert any(n == "onBatchCompleted" for n, _ in rec.events)  # the batch still completes


def test_slow_batches_delay_later_ones_never_skip(make_ssc):
    ssc = make_ssc()
    rec = Recorder()
    ssc.addStreamingListener(rec)
    done = []

    def slow(t, rdd):
        time.sleep(0.15)
        done.append((t.second, rdd.collect()))

    ssc.queueStream([[1], [2], [3]]).foreachRDD(slow)
    ssc.start()
    manual_clock(ssc).advance(3000)  # three batches come due at once
    wait_for_batch(ssc, 3000)
    assert done == [(1, [1]), (2, [2]), (3, [3])]  # in order, none skipped
    infos = [e.batchInfo() for n, e in rec.events if n == "onBatchCompleted"]
    assert [i.batchTime().milliseconds() for i in infos] == [1000, 2000, 3000]
    assert infos[2].schedulingDelay() >= 200  # waited for the two batches before it


def test_concurrent_jobs_run_output_ops_in_parallel(make_context):
    from sparklet import SparkConf
    from sparklet.streaming.testing import use_manual_clock

    sc = make_context(SparkConf().set("spark.streaming.concurrentJobs", "2"))
    ssc = StreamingContext(sc, 1)
    use_manual_clock(ssc)
    barrier = threading.Barrier(2, timeout=60)
    stream = ssc.queueStream([[1]])
    stream.foreachRDD(lambda rdd: barrier.wait())  # both must be running at once
    stream.foreachRDD(lambda rdd: barrier.wait())
    ssc.start()
    advance_batches(ssc, 1)
    assert not barrier.broken
    ssc.stop(stopSparkContext=False)


def test_start_stop_await_and_states(make_ssc):
    ssc = make_ssc()
    collect_batches(ssc.queueStream([[1]]))
    assert StreamingContext.getActive() is None
    ssc.start()
    ssc.start()  # a second start only warns, as Spark
    assert ssc.getState() == "ACTIVE" and StreamingContext.getActive() is ssc
    assert ssc.awaitTerminationOrTimeout(0.05) is False
    assert StreamingContext.getActiveOrCreate(None, lambda: 1 / 0) is ssc
    stopper = threading.Timer(0.1, lambda: ssc.stop(stopSparkContext=False))
    stopper.start()
    ssc.awaitTermination()
    assert ssc.getState() == "STOPPED" and StreamingContext.getActive() is None
    assert ssc.awaitTerminationOrTimeout(1) is True
    with pytest.raises(RuntimeError, match="StreamingContext has already been stopped"):
        ssc.start()
    with pytest.raises(RuntimeError, match="after stopping a context is not supported"):
        ssc.queueStream([[1]])
    ssc.stop(stopSparkContext=False)  # stopping twice is harmless


def _until(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return predicate()


def _held_first_batch(ssc, n: int):
    """``n`` queued batches whose first job waits for ``release``: returns (done, started,
    release). Once ``started`` is set and the scheduler's queue holds the other n - 1
    jobs, the test stops the context in the state it means to, whatever the load."""
    done, started, release = [], threading.Event(), threading.Event()

    def held(t, rdd):
        if t.second == 1:
            started.set()
            release.wait(60)
        done.append(rdd.collect())

    ssc.queueStream([[k] for k in range(1, n + 1)]).foreachRDD(held)
    ssc.start()
    manual_clock(ssc).advance(n * 1000)
    assert started.wait(60)
    assert _until(lambda: ssc._scheduler._jobs.qsize() == n - 1)
    return done, release


def test_graceful_stop_finishes_generated_batches(make_ssc):
    ssc = make_ssc()
    done, release = _held_first_batch(ssc, 3)
    stopper = threading.Thread(target=ssc.stop, kwargs={"stopSparkContext": False,
                                                        "stopGraceFully": True})
    stopper.start()
    # The generator is stopped while batches 2 and 3 still wait: a graceful stop runs them.
    assert _until(lambda: ssc._scheduler.job_generator._thread is None)
    release.set()
    stopper.join(60)
    assert not stopper.is_alive()
    assert done == [[1], [2], [3]]


def test_non_graceful_stop_drops_queued_batches(make_ssc):
    ssc = make_ssc()
    done, release = _held_first_batch(ssc, 4)
    stopper = threading.Thread(target=ssc.stop, kwargs={"stopSparkContext": False})
    stopper.start()
    assert _until(ssc._scheduler._jobs.empty)  # the queued batches were dropped...
    release.set()                               # ...before the running one finishes
    stopper.join(60)
    assert not stopper.is_alive()
    assert _until(lambda: done)
    assert done == [[1]]  # the running job finishes, queued ones drop


def test_user_errors_match_spark(make_ssc):
    ssc = make_ssc()
    with pytest.raises(ValueError, match="^requirement failed: No output operations "
                                         "registered, so nothing to execute$"):
        ssc.start()
    ssc2 = make_ssc()
    s = ssc2.queueStream([[1]])
    s.pprint()
    ssc2.start()
    with pytest.raises(RuntimeError, match="^Adding new inputs, transformations, and output "
                                           "operations after starting a context is not "
                                           "supported$"):
        s.map(lambda x: x).pprint()
    with pytest.raises(RuntimeError, match="after starting a context"):
        s.window(2, 1)
    ssc3 = make_ssc()
    ssc3.queueStream([[1]]).pprint()
    with pytest.raises(RuntimeError, match="Only one StreamingContext may be started"):
        ssc3.start()
    with pytest.raises(ValueError, match="should have at least one DStream"):
        ssc3.union()
    with pytest.raises(TypeError, match="setupFunc should be callable"):
        StreamingContext.getActiveOrCreate(None, None)


def test_get_or_create_fresh_start_sets_checkpoint(sc, tmp_path):
    made = []

    def setup():
        ssc = StreamingContext(sc, 1)
        made.append(ssc)
        return ssc

    path = str(tmp_path / "ckpt")
    ssc = StreamingContext.getOrCreate(path, setup)
    assert made == [ssc] and ssc._checkpoint_dir == path and sc.getCheckpointDir()
    sc._checkpoint_dir = None


def test_stop_stops_spark_context_by_default(make_context):
    sc = make_context()
    ssc = StreamingContext(sc, 1)
    ssc.stop()
    assert sc._stopped


def test_error_generating_a_batch_is_reported_and_later_batches_run(make_ssc):
    ssc = make_ssc()

    def bad(t, rdd):
        if t.second == 1:
            raise KeyError("no RDD for you")
        return rdd

    got = collect_batches(ssc.queueStream([[1], [2]]).transform(bad))
    ssc.start()
    advance_batches(ssc, 2)
    assert got == [[2]]
    with pytest.raises(KeyError, match="no RDD for you"):
        ssc.awaitTermination(0.01)
