"""The narrow-operation chain: element-wise steps run as builtin iterators over the raw user
functions (sparklet.util.pipelined), pipelined across consecutive RDDs at compute time.

A StopIteration from a user function must still fail the task as PySpark's per-element
wrapper does, at the same element, and never fail a partition whose input really ended or
that a consumer stopped reading early. The model is the plain-Python composition of the same
builtin steps over ``fail_on_stopiteration``-wrapped functions: PySpark's behaviour.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet.errors import PythonException
from sparklet.util import fail_on_stopiteration, flat_map, pipelined

STOP_MSG = "Caught StopIteration thrown from user's code; failing the task"


def stop_at(value, result=lambda x: x):
    """A user function raising StopIteration on ``value``, else returning ``result(x)``."""
    def f(x):
        if x == value:
            raise StopIteration()
        return result(x)
    return f


# -- pipelined against the wrapped model ------------------------------------------------------

_KINDS = {"map": map, "filter": filter, "flat_map": flat_map}


def _user_function(kind: str, stop: int | None):
    base = {"map": lambda x: x * 3 % 11, "filter": lambda x: x % 3 != 1,
            "flat_map": lambda x: range(x % 3)}[kind]

    def f(x):
        if x == stop:
            raise StopIteration()
        return base(x)
    return f


def _outcome(iterator, limit: int | None):
    """What a consumer reading ``limit`` elements (None: all) sees: the list, or the error."""
    try:
        return list(iterator if limit is None else itertools.islice(iterator, limit))
    except RuntimeError as e:
        return ("error", e.args[0])


@settings(max_examples=300, deadline=None)
@given(data=st.lists(st.integers(0, 12), max_size=30),
       steps=st.lists(st.tuples(st.sampled_from(sorted(_KINDS)),
                                st.one_of(st.none(), st.integers(0, 12))),
                      min_size=1, max_size=4),
       limit=st.one_of(st.none(), st.integers(0, 40)))
def test_pipelined_matches_the_per_element_wrapper(data, steps, limit):
    raw = [(_KINDS[kind], _user_function(kind, stop)) for kind, stop in steps]
    model = iter(data)
    for apply, f in raw:
        model = apply(fail_on_stopiteration(f, 1), model)
    assert _outcome(pipelined(iter(data), raw), limit) == _outcome(model, limit)


def test_pipelined_keeps_the_users_exception_as_the_second_argument():
    with pytest.raises(RuntimeError) as info:
        list(pipelined(iter(range(5)), [(map, stop_at(2))]))
    message, cause = info.value.args
    assert message == STOP_MSG
    assert isinstance(cause, StopIteration) and info.value.__cause__ is cause


def test_flat_map_results_that_end_themselves_are_not_failures():
    # An iterator returned by the user's function may end whenever it likes: PySpark guards
    # the call, not the iteration of its result.
    class Short:
        def __init__(self, x):
            self.left = x

        def __iter__(self):
            return self

        def __next__(self):
            if not self.left:
                raise StopIteration
            self.left -= 1
            return self.left

    assert list(pipelined(iter([2, 0, 3]), [(flat_map, Short)])) == [1, 0, 2, 1, 0]


# -- RDDs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("build", [
    lambda rdd: rdd.map(lambda x: x + 1).map(stop_at(5)).map(lambda x: x * 2),
    lambda rdd: rdd.map(stop_at(4)).map(lambda x: x + 1),
    lambda rdd: rdd.map(lambda x: x + 1).filter(stop_at(7, bool)).map(str),
    lambda rdd: rdd.flatMap(lambda x: [x, x]).flatMap(stop_at(6, lambda x: iter([x]))),
    lambda rdd: rdd.flatMap(stop_at(3, lambda x: (y for y in range(x)))),
    lambda rdd: rdd.keyBy(lambda x: x % 2).mapValues(stop_at(8)),
    lambda rdd: rdd.keyBy(lambda x: x % 2).flatMapValues(stop_at(8, lambda x: [x])),
    lambda rdd: rdd.map(lambda x: (x, x)).mapValues(lambda v: v + 1).keyBy(stop_at((9, 10))),
], ids=["nested_map", "first_of_chain", "filter", "flatMap_iterators", "flatMap_generators",
        "mapValues", "flatMapValues", "keyBy"])
def test_a_stopiteration_anywhere_in_the_chain_fails_the_job(sc, build):
    with pytest.raises(PythonException, match=STOP_MSG) as info:
        build(sc.parallelize(range(10), 2)).collect()
    assert isinstance(info.value.__cause__, RuntimeError)


def test_take_stops_before_the_failing_element(sc):
    rdd = sc.parallelize(range(10), 1).map(lambda x: x * 10).map(stop_at(50))
    assert rdd.take(3) == [0, 10, 20]
    assert rdd.take(5) == [0, 10, 20, 30, 40]  # the failing sixth element is never pulled
    with pytest.raises(PythonException, match=STOP_MSG):
        rdd.take(6)


def test_a_partition_read_partly_by_the_consumer_does_not_fail(sc):
    rdd = sc.parallelize(range(10), 2).map(stop_at(3)).map(lambda x: x + 1)
    assert rdd.mapPartitions(lambda it: [next(iter(it))]).collect() == [1, 6]


def test_next_in_a_downstream_generator_sees_the_task_failure_not_pep_479(sc):
    def pairs(it):
        while True:
            yield next(it), next(it)
    rdd = sc.parallelize(range(8), 1).map(stop_at(5)).mapPartitions(pairs)
    with pytest.raises(PythonException, match=STOP_MSG):
        rdd.collect()


def test_no_stopiteration_keeps_every_element(sc):
    data = list(range(50))
    rdd = sc.parallelize(data, 3)
    got = (rdd.map(lambda x: x * 3).filter(lambda x: x % 2).flatMap(lambda x: [x] * (x % 4))
           .keyBy(lambda x: x % 5).mapValues(lambda v: -v).flatMapValues(lambda v: [v, v])
           .collect())
    model = [(x % 5, y) for x in (x * 3 for x in data) if x % 2 for x in [x] * (x % 4)
             for y in (-x, -x)]
    assert got == model


def test_the_pipeline_stops_at_a_persisted_parent(sc):
    calls = sc.accumulator(0)

    def counted(x):
        calls.add(1)
        return x + 1
    cached = sc.parallelize(range(20), 2).map(counted).cache()
    assert cached.count() == 20
    assert cached.map(lambda x: x * 2).filter(lambda x: x % 3).collect() == \
        [y for y in ((x + 1) * 2 for x in range(20)) if y % 3]
    assert calls.value == 20  # read from the cache, not recomputed through the pipeline
    cached.unpersist()


def test_the_pipeline_stops_at_a_checkpointed_parent(sc, tmp_path):
    sc.setCheckpointDir(str(tmp_path))
    calls = sc.accumulator(0)

    def counted(x):
        calls.add(1)
        return x - 1
    parent = sc.parallelize(range(10), 2).map(counted)
    parent.checkpoint()
    assert parent.count() == 10
    before = calls.value
    assert parent.isCheckpointed()
    assert parent.map(lambda x: x * x).collect() == [(x - 1) ** 2 for x in range(10)]
    assert calls.value == before  # read from the checkpoint


def test_lineage_keeps_one_rdd_per_transformation(sc):
    base = sc.parallelize(range(4), 2)
    chained = base.map(str).filter(bool)
    assert chained.id() == base.id() + 1  # PySpark's PipelinedRDD id rule
    assert chained.toDebugString().count(b"MapPartitionsRDD") == 2
