"""PySpark behaviours the review of issue 7 found missing: each test states PySpark 3.5's
behaviour (from its source and unit tests) and checks sparklet against it."""

from __future__ import annotations

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
