"""Broadcast variables and accumulators across real worker processes."""

from __future__ import annotations

import os

import pytest

from sparklet import AccumulatorParam, SparkConf, SparkContext

pytestmark = pytest.mark.integration


@pytest.fixture
def sc():
    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()
    sc = SparkContext(conf=SparkConf().setMaster("local[2]").setAppName("shared"))
    yield sc
    sc.stop()


class LoadLog:
    """Appends the unpickling process's pid to a file: counts broadcast loads."""

    def __init__(self, path):
        self.path = path

    def __setstate__(self, state):
        self.__dict__.update(state)
        with open(self.path, "a") as fh:
            fh.write("%d\n" % os.getpid())


def test_broadcast_is_loaded_once_per_worker(sc, tmp_path):
    log = str(tmp_path / "loads")
    b = sc.broadcast(LoadLog(log))
    out = sc.parallelize(range(40), 20).map(lambda x: (os.getpid(), b.value.path)).collect()
    worker_pids = {pid for pid, _ in out}
    assert {p for _, p in out} == {log}
    loads = open(log).read().split()
    assert sorted(loads) == sorted({str(p) for p in worker_pids})  # once per process


def test_broadcast_destroy_and_unpersist(sc):
    b = sc.broadcast(list(range(5)))
    assert sc.parallelize([0, 1]).map(lambda i: b.value[i]).collect() == [0, 1]
    b.unpersist()
    assert sc.parallelize([2]).map(lambda i: b.value[i]).collect() == [2]
    b.destroy()
    with pytest.raises(Exception, match="destroyed"):
        sc.parallelize([3]).map(lambda i: b.value[i]).collect()


def test_accumulators_int_float_and_custom(sc):
    ints, floats = sc.accumulator(0), sc.accumulator(0.0)

    class SetParam(AccumulatorParam):
        def zero(self, value):
            return set()

        def addInPlace(self, a, b):
            a |= b if isinstance(b, set) else {b}
            return a

    seen = sc.accumulator(set(), SetParam())

    def visit(x):
        ints.add(1)
        floats.add(x / 2)
        seen.add(x % 3)

    sc.parallelize(range(100), 7).foreach(visit)
    assert ints.value == 100
    assert floats.value == pytest.approx(sum(range(100)) / 2)
    assert seen.value == {0, 1, 2}
    with pytest.raises(TypeError, match="No default accumulator param"):
        sc.accumulator("text")


def test_accumulator_value_is_driver_only(sc):
    acc = sc.accumulator(0)

    def peek(_):
        return acc.value

    with pytest.raises(Exception, match="cannot be accessed inside tasks"):
        sc.parallelize([1]).map(peek).collect()


def test_closures_do_not_mutate_driver_state(sc):
    counter = [0]

    def increment(x):
        counter[0] += x

    sc.parallelize(range(10)).foreach(increment)
    assert counter == [0]  # the guide's "understanding closures": workers have copies
