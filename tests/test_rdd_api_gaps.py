"""PySpark behaviours the review of issue 7 found missing: each test states PySpark 3.5's
behaviour (from its source and unit tests) and checks sparklet against it."""

from __future__ import annotations

import os

import pytest

from sparklet.errors import PythonException

STOP_MSG = "Caught StopIteration thrown from user's code; failing the task"


def _stopit(*args):
    raise StopIteration()


# -- 1. StopIteration in user code fails the task -----------------------------------------


@pytest.mark.parametrize("action", [
    "map", "filter", "flatMap", "foreach", "foreachPartition", "reduce", "fold",
    "reduceByKey", "combineByKey", "aggregateByKey", "sortBy", "keyBy", "groupBy",
    "mapValues", "flatMapValues", "mapPartitions", "cartesian_flatMap", "top",
])
def test_stopiteration_in_executor_code_fails_the_task(sc, action):
    # PySpark's test_stopiteration_in_user_code: the job fails with this message instead of
    # the partition silently ending at the first StopIteration.
    seq = sc.parallelize(range(10), 2)
    keyed = sc.parallelize([(x % 2, x) for x in range(10)], 2)
    run = {
        "map": lambda: seq.map(_stopit).collect(),
        "filter": lambda: seq.filter(_stopit).collect(),
        "flatMap": lambda: seq.flatMap(_stopit).collect(),
        "foreach": lambda: seq.foreach(_stopit),
        "foreachPartition": lambda: seq.foreachPartition(_stopit),
        "reduce": lambda: seq.reduce(_stopit),
        "fold": lambda: seq.fold(0, _stopit),
        "reduceByKey": lambda: keyed.reduceByKey(_stopit).collect(),
        "combineByKey": lambda: keyed.combineByKey(_stopit, _stopit, _stopit).collect(),
        "aggregateByKey": lambda: keyed.aggregateByKey(0, _stopit, _stopit).collect(),
        "sortBy": lambda: seq.sortBy(_stopit).collect(),
        "keyBy": lambda: seq.keyBy(_stopit).collect(),
        "groupBy": lambda: seq.groupBy(_stopit).collect(),
        "mapValues": lambda: keyed.mapValues(_stopit).collect(),
        "flatMapValues": lambda: keyed.flatMapValues(_stopit).collect(),
        "mapPartitions": lambda: seq.mapPartitions(_stopit).collect(),
        "cartesian_flatMap": lambda: seq.cartesian(seq).flatMap(_stopit).collect(),
        "top": lambda: seq.top(3, key=_stopit),
    }[action]
    with pytest.raises(PythonException, match=STOP_MSG) as info:
        run()
    assert isinstance(info.value.__cause__, RuntimeError)


@pytest.mark.parametrize("action", ["aggregate_seq", "aggregate_comb", "treeAggregate",
                                    "reduceByKeyLocally", "sortByKey_keyfunc"])
def test_stopiteration_in_driver_or_executor_code_fails(sc, action):
    # These run the user function on the driver as well as in tasks: PySpark raises a
    # RuntimeError on the driver, a job failure from a task; both carry the message.
    seq = sc.parallelize(range(10), 2)
    keyed = sc.parallelize([(x % 2, x) for x in range(10)], 2)
    run = {
        "aggregate_seq": lambda: seq.aggregate(0, _stopit, lambda *x: 1),
        "aggregate_comb": lambda: seq.aggregate(0, lambda *x: 1, _stopit),
        "treeAggregate": lambda: seq.treeAggregate(0, lambda *x: 1, _stopit),
        "reduceByKeyLocally": lambda: keyed.reduceByKeyLocally(_stopit),
        "sortByKey_keyfunc": lambda: keyed.sortByKey(keyfunc=_stopit).collect(),
    }[action]
    with pytest.raises((PythonException, RuntimeError), match=STOP_MSG):
        run()


def test_stopiteration_keeps_the_rest_of_a_partition_when_not_raised(sc):
    # The wrapper changes nothing for functions that do not raise: a plain-Python model.
    data = list(range(20))
    rdd = sc.parallelize(data, 3)
    assert rdd.map(lambda x: x * 2).filter(lambda x: x % 3).collect() == \
        [x * 2 for x in data if (x * 2) % 3]
    assert rdd.flatMap(lambda x: [x] * (x % 3)).count() == sum(x % 3 for x in data)


def test_stopiteration_in_dstream_map_fails_the_batch(sc):
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.testing import advance_batches, use_manual_clock

    ssc = StreamingContext(sc, 1)
    use_manual_clock(ssc)
    errors: list[BaseException] = []
    got: list[list] = []
    stream = ssc.queueStream([sc.parallelize(range(5), 1)], oneAtATime=True)

    def collect(rdd):
        try:
            got.append(rdd.collect())
        except Exception as e:  # noqa: BLE001 - the test inspects it
            errors.append(e)
    stream.map(_stopit).foreachRDD(collect)
    ssc.start()
    try:
        advance_batches(ssc, 1)
    finally:
        ssc.stop(stopSparkContext=False)
    assert got == []
    assert len(errors) == 1 and STOP_MSG in str(errors[0])


# -- 8. A typo'd method names the public class ---------------------------------------------


def test_missing_attribute_names_the_public_rdd_class(sc, tmp_path):
    # PySpark: parallelize/textFile/partitionBy results are 'RDD', Python-side
    # transformations 'PipelinedRDD'; sparklet's internal classes stay out of the message.
    path = tmp_path / "a.txt"
    path.write_text("x\n")
    base = sc.parallelize([1, 2])
    cases = [(base, "RDD"), (sc.textFile(str(path)), "RDD"),
             (base.map(lambda x: (x, x)).partitionBy(2), "RDD"),
             (base.map(str), "PipelinedRDD")]
    for rdd, public in cases:
        with pytest.raises(AttributeError) as info:
            rdd.flatmap  # noqa: B018 - the typo under test
        assert str(info.value) == "'%s' object has no attribute 'flatmap'" % public
    assert not hasattr(base, "flatmap") and getattr(base, "flatmap", 7) == 7
    assert "ParallelCollectionRDD" in base.toDebugString().decode()


def test_pipelined_rdd_is_importable_from_sparklet_rdd(sc):
    from sparklet.rdd import PipelinedRDD

    assert isinstance(sc.parallelize([1]).map(str), PipelinedRDD)


def test_missing_attribute_names_the_public_dstream_class(sc):
    from sparklet.streaming import StreamingContext

    ssc = StreamingContext(sc, 1)
    try:
        stream = ssc.queueStream([[1]])
        cases = [(stream, "DStream"), (stream.union(stream), "DStream"),
                 (stream.window(2, 1), "DStream"), (stream.map(str), "TransformedDStream")]
        for dstream, public in cases:
            with pytest.raises(AttributeError) as info:
                dstream.flatmap  # noqa: B018 - the typo under test
            assert str(info.value) == "'%s' object has no attribute 'flatmap'" % public
    finally:
        ssc.stop(stopSparkContext=False)


# -- 3. Broadcast errors -------------------------------------------------------------------


def test_broadcasting_the_spark_context_raises_pickling_error(sc):
    # PySpark: Broadcast.dump turns the context's refusal to pickle into a PicklingError
    # "Could not serialize broadcast: ...: [CONTEXT_ONLY_VALID_ON_DRIVER] ... SPARK-5063."
    import pickle

    with pytest.raises(pickle.PicklingError) as info:
        sc.broadcast(sc)
    text = str(info.value)
    assert text.startswith("Could not serialize broadcast: ")
    assert "It appears that you are attempting to reference SparkContext from a broadcast " \
           "variable, action, or transformation" in text
    assert "SPARK-5063" in text


def test_broadcasting_an_rdd_raises_pickling_error(sc):
    # PySpark: RDD.__getnewargs__ refuses, and Broadcast.dump reports it as a PicklingError.
    import pickle

    rdd = sc.parallelize([1, 2])
    with pytest.raises(pickle.PicklingError) as info:
        sc.broadcast({"data": rdd})
    assert str(info.value).startswith("Could not serialize broadcast: RuntimeError: It appears "
                                      "that you are attempting to broadcast an RDD")
    assert "SPARK-5063" in str(info.value)
    # RDDs still travel inside task closures (sparklet ships lineage that way); using one
    # in a task fails with the same explanation.
    with pytest.raises(PythonException, match="reference an RDD from an action or "
                                              "transformation"):
        sc.parallelize([1]).map(lambda x: rdd.count()).collect()
    assert sc.broadcast([1]).value == [1]


def test_broadcast_of_an_unpicklable_value_names_it(sc):
    import pickle
    import threading

    with pytest.raises(pickle.PicklingError,
                       match="Could not serialize broadcast: TypeError: cannot pickle "
                             "'_thread.lock' object"):
        sc.broadcast(threading.Lock())


@pytest.mark.parametrize("operation,verb", [("destroy", "destroyed"),
                                            ("unpersist", "unpersisted")])
def test_broadcast_destroy_or_unpersist_in_a_task_fails_the_job(sc, operation, verb):
    b = sc.broadcast([1, 2, 3])

    def use(x):
        getattr(b, operation)()
        return x

    with pytest.raises(PythonException, match="Broadcast can only be %s in driver" % verb):
        sc.parallelize([1, 2], 2).map(use).collect()
    # The failed attempt left the broadcast intact.
    assert sc.parallelize([0, 2], 2).map(lambda i: b.value[i]).collect() == [1, 3]
    b.destroy()


def test_a_destroyed_broadcast_fails_clearly_on_driver_and_in_tasks(sc):
    import pickle

    b = sc.broadcast({"k": 1})
    b.destroy()
    with pytest.raises(RuntimeError, match=r"Attempted to use Broadcast\(\d+\) after it was "
                                           "destroyed"):
        b.value  # noqa: B018
    with pytest.raises(pickle.PicklingError, match="after it was destroyed"):
        sc.parallelize([1]).map(lambda x: b.value["k"]).collect()


# -- 9. Serialization failures name what could not be serialized ---------------------------


def test_unpicklable_closure_names_the_object(sc):
    # PySpark's CloudPickleSerializer.dumps: PicklingError("Could not serialize object:
    # <type>: <message>") when the task's closure cannot be pickled.
    import pickle
    import threading

    lock = threading.Lock()
    with pytest.raises(pickle.PicklingError) as info:
        sc.parallelize([1]).map(lambda x: lock).collect()
    assert str(info.value) == ("Could not serialize object: TypeError: cannot pickle "
                               "'_thread.lock' object")
    assert isinstance(info.value.__cause__, TypeError)
    # The context is still usable.
    assert sc.parallelize([1, 2]).map(lambda x: x + 1).collect() == [2, 3]


def test_closure_referencing_the_context_names_spark_5063(sc):
    import pickle

    with pytest.raises(pickle.PicklingError, match="Could not serialize object: RuntimeError: "
                                                   r"\[CONTEXT_ONLY_VALID_ON_DRIVER\]"):
        sc.parallelize([1]).map(lambda x: sc.defaultParallelism).collect()


# -- 6. File inputs are listed at the first action ------------------------------------------


@pytest.mark.parametrize("reader", ["textFile", "wholeTextFiles", "binaryFiles", "pickleFile",
                                    "binaryRecords"])
def test_missing_input_fails_at_the_action_not_the_call(sc, tmp_path, reader):
    # PySpark's Hadoop RDDs list their input in getPartitions: creating the RDD succeeds and
    # the first action raises "Input path does not exist: file:/...".
    from sparklet.io import InvalidInputError

    missing = tmp_path / "missing"
    create = {
        "textFile": lambda: sc.textFile(str(missing)),
        "wholeTextFiles": lambda: sc.wholeTextFiles(str(missing)),
        "binaryFiles": lambda: sc.binaryFiles(str(missing)),
        "pickleFile": lambda: sc.pickleFile(str(missing)),
        "binaryRecords": lambda: sc.binaryRecords(str(missing), 4),
    }[reader]
    rdd = create().map(lambda x: x)
    with pytest.raises(InvalidInputError) as info:
        rdd.collect()
    assert str(info.value) == "Input path does not exist: file:%s" % missing


def test_input_created_after_the_call_is_read(sc, tmp_path):
    path = tmp_path / "later.txt"
    rdd = sc.textFile(str(path))
    path.write_text("a\nb\n")
    assert rdd.collect() == ["a", "b"]


# -- 5. Checkpoint paths are Hadoop-qualified -----------------------------------------------


@pytest.mark.parametrize("form", ["plain", "file_uri", "relative"])
def test_checkpoint_file_is_hadoop_qualified(sc, tmp_path, monkeypatch, form):
    # Spark: setCheckpointDir(dir) checkpoints under <dir>/<random UUID>, qualified as
    # file:/abs/dir/<uuid>; the RDD's files go to <that>/rdd-<id>.
    import re

    monkeypatch.chdir(tmp_path)
    given = {"plain": str(tmp_path / "cp"), "file_uri": "file://%s/cp" % tmp_path,
             "relative": "cp"}[form]
    sc.setCheckpointDir(given)
    root = sc.getCheckpointDir()
    assert re.fullmatch("file:%s/cp/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                        "[0-9a-f]{12}" % re.escape(str(tmp_path)), root)
    rdd = sc.parallelize(range(6), 2).map(lambda x: x * x)
    rdd.checkpoint()
    assert rdd.getCheckpointFile() is None
    assert rdd.collect() == [x * x for x in range(6)]
    assert rdd.getCheckpointFile() == "%s/rdd-%d" % (root, rdd.id())
    local_dir = rdd.getCheckpointFile()[len("file:"):]
    assert sorted(p for p in os.listdir(local_dir) if p.startswith("part-")) == \
        ["part-00000", "part-00001"]
    assert rdd.map(lambda x: x + 1).collect() == [x * x + 1 for x in range(6)]
    sc._checkpoint_dir = None  # the shared context goes on without a checkpoint dir


# -- 4. toLocalIterator(prefetchPartitions=True) prefetches ---------------------------------


class _TaskLog:
    """Records (job id, partition) of every finished task, from the scheduler's listener."""

    def __init__(self):
        import threading

        self.done: list[tuple[int, int]] = []
        self.lock = threading.Lock()

    def on_job_start(self, job_id, stage_id, num_tasks): ...

    def on_job_end(self, job_id, succeeded): ...

    def on_stage_submitted(self, stage_id, num_tasks, job_id): ...

    def on_stage_completed(self, stage_id, succeeded): ...

    def on_task_end(self, stage_id, task, status, result):
        with self.lock:
            self.done.append((task.job_id, task.partition))

    def partitions(self) -> list[int]:
        with self.lock:
            return [p for _, p in self.done]


def _wait_for(condition, timeout=60.0):
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.parametrize("prefetch", [False, True])
def test_to_local_iterator_prefetches_the_next_partition(sc, prefetch):
    log = _TaskLog()
    sc._dag_scheduler.listeners.append(log)
    try:
        rdd = sc.parallelize(range(9), 3)
        it = rdd.toLocalIterator(prefetchPartitions=prefetch)
        assert next(it) == 0
        if prefetch:
            # While partition 0 is being consumed, partition 1's job runs, unasked.
            assert _wait_for(lambda: log.partitions() == [0, 1]), log.partitions()
        else:
            # Without prefetching nothing runs until the consumer asks: deterministic,
            # since no other thread starts jobs.
            assert log.partitions() == [0]
        assert list(it) == list(range(1, 9))
        assert log.partitions() == [0, 1, 2]
        assert len({job for job, _ in log.done}) == 3  # one job per partition
    finally:
        sc._dag_scheduler.listeners.remove(log)


def test_to_local_iterator_prefetch_keeps_job_group_and_fails_like_collect(sc):
    def group_of(_):
        from sparklet import TaskContext

        return TaskContext.get().getLocalProperty("spark.jobGroup.id")

    sc.setLocalProperty("spark.jobGroup.id", "prefetch-group")
    try:
        seen = sc.parallelize(range(4), 2).map(group_of).toLocalIterator(
            prefetchPartitions=True)
        assert list(seen) == ["prefetch-group"] * 4
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)

    def fail(x):
        raise ValueError("local iterator error")
    with pytest.raises(PythonException, match="local iterator error"):
        list(sc.range(10).map(fail).toLocalIterator(prefetchPartitions=True))
    assert list(sc.emptyRDD().toLocalIterator(prefetchPartitions=True)) == []


# -- 2. stats() over numpy arrays -------------------------------------------------------------


def test_stats_over_numpy_arrays_is_elementwise(sc):
    # PySpark's StatCounter merges numpy arrays as they come (numpy.maximum/minimum for the
    # extremes, numpy.sqrt for deviations): every statistic is per position.
    np = pytest.importorskip("numpy")
    rows = [np.array([float(i), 10.0 - i, (i % 3) * 1.5]) for i in range(11)]
    model = np.vstack(rows)
    rdd = sc.parallelize(rows, 3)
    stats = rdd.stats()
    assert stats.count() == 11
    np.testing.assert_allclose(stats.mean(), model.mean(axis=0))
    np.testing.assert_allclose(stats.sum(), model.sum(axis=0))
    np.testing.assert_array_equal(stats.max(), model.max(axis=0))
    np.testing.assert_array_equal(stats.min(), model.min(axis=0))
    np.testing.assert_allclose(stats.variance(), model.var(axis=0))
    np.testing.assert_allclose(stats.sampleVariance(), model.var(axis=0, ddof=1))
    np.testing.assert_allclose(stats.stdev(), model.std(axis=0))
    np.testing.assert_allclose(stats.sampleStdev(), model.std(axis=0, ddof=1))
    np.testing.assert_allclose(rdd.mean(), model.mean(axis=0))
    np.testing.assert_allclose(rdd.variance(), model.var(axis=0))
    np.testing.assert_allclose(rdd.stdev(), model.std(axis=0))
    np.testing.assert_allclose(rdd.sampleStdev(), model.std(axis=0, ddof=1))
    np.testing.assert_allclose(rdd.sum(), model.sum(axis=0))
    # Empty partitions merge away, as do partition counters of very different sizes.
    skewed = sc.parallelize(rows, 1).union(sc.parallelize(rows[:1], 1)).union(sc.emptyRDD())
    np.testing.assert_allclose(skewed.stats().mean(), np.vstack(rows + rows[:1]).mean(axis=0))
    assert "count: 12" in repr(skewed.stats())


def test_stats_over_numbers_is_unchanged_with_numpy_scalars(sc):
    np = pytest.importorskip("numpy")
    values = [np.int64(3), np.float64(1.5), 2, 7.25]
    stats = sc.parallelize(values, 2).stats()
    assert stats.count() == 4
    assert stats.max() == 7.25 and stats.min() == 1.5
    assert stats.mean() == pytest.approx(sum(float(v) for v in values) / 4)
