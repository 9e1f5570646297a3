"""RDD actions, each checked against a plain-Python model of the same computation."""

from __future__ import annotations

import heapq
import itertools
import math
import operator
import os
import statistics
from collections import Counter
from functools import reduce

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet import StatCounter

SETTINGS = settings(max_examples=25, deadline=None)

small_ints = st.lists(st.integers(-50, 50), max_size=40)
partitions = st.integers(1, 5)


def close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# -- collecting ------------------------------------------------------------------------------


@SETTINGS
@given(data=st.lists(st.one_of(st.integers(), st.text(max_size=3), st.none()), max_size=30),
       n=partitions)
def test_collect_count_take_first_is_empty(sc, data, n):
    rdd = sc.parallelize(data, n)
    assert rdd.collect() == data
    assert rdd.count() == len(data)
    assert list(rdd.toLocalIterator()) == data
    assert list(rdd.toLocalIterator(prefetchPartitions=True)) == data
    for k in (0, 1, 2, len(data), len(data) + 3):
        assert rdd.take(k) == data[:k]
    assert rdd.isEmpty() == (not data)
    if data:
        assert rdd.first() == data[0]
    else:
        with pytest.raises(ValueError):
            rdd.first()


def test_take_scans_past_empty_partitions(sc):
    rdd = sc.parallelize(range(200), 50).filter(lambda x: x > 180 or x == 3)
    assert rdd.take(4) == [3, 181, 182, 183]
    assert rdd.take(100) == [3] + list(range(181, 200))
    assert rdd.first() == 3
    assert not rdd.isEmpty()
    assert sc.parallelize(range(10), 5).filter(lambda x: x > 100).isEmpty()
    assert sc.parallelize(range(5), 2).take(-1) == []


def test_collect_with_job_group_sets_the_group(sc):
    assert sc.parallelize([1, 2, 3], 2).collectWithJobGroup("g1", "a group") == [1, 2, 3]
    assert sc.getLocalProperty("spark.jobGroup.id") == "g1"
    assert sc.getLocalProperty("spark.job.description") == "a group"
    sc.setLocalProperty("spark.jobGroup.id", None)
    sc.setLocalProperty("spark.job.description", None)


def test_foreach_and_foreach_partition_run_on_executors(sc):
    data = list(range(1, 21))
    rdd = sc.parallelize(data, 4)
    total = sc.accumulator(0)
    rdd.foreach(lambda x: total.add(x * x))
    assert total.value == sum(x * x for x in data)
    sizes = sc.accumulator(0)
    parts = sc.accumulator(0)

    def per_partition(it):
        parts.add(1)
        sizes.add(sum(1 for _ in it))

    rdd.foreachPartition(per_partition)
    assert (parts.value, sizes.value) == (4, len(data))
    # Closures run in the workers: the driver's copy of captured state stays untouched.
    seen: list = []
    rdd.foreach(seen.append)
    assert seen == []


# -- reductions ------------------------------------------------------------------------------


@SETTINGS
@given(data=small_ints, n=partitions, depth=st.integers(1, 4))
def test_reductions_against_functools(sc, data, n, depth):
    rdd = sc.parallelize(data, n)
    layout = rdd.glom().collect()
    if data:
        assert rdd.reduce(operator.add) == sum(data)
        assert rdd.treeReduce(operator.add, depth) == sum(data)
        assert rdd.reduce(max) == max(data)
        assert rdd.max() == max(data) and rdd.min() == min(data)
        assert rdd.max(key=lambda x: (abs(x), x)) == max(data, key=lambda x: (abs(x), x))
        assert rdd.min(key=lambda x: (abs(x), x)) == min(data, key=lambda x: (abs(x), x))
    else:
        for action in (lambda: rdd.reduce(operator.add), lambda: rdd.treeReduce(operator.add),
                       rdd.max, rdd.min):
            with pytest.raises(ValueError):
                action()
    assert rdd.sum() == sum(data)
    # fold and aggregate apply the zero value once per partition and once more at the end.
    assert rdd.fold(1, operator.add) == reduce(
        operator.add, [reduce(operator.add, p, 1) for p in layout], 1)
    assert rdd.fold(0, operator.add) == sum(data)

    def seq(acc, x):
        return (acc[0] + x, acc[1] + 1, acc[2] + [x])

    def comb(a, b):
        return (a[0] + b[0], a[1] + b[1], a[2] + b[2])

    total, count, items = rdd.aggregate((0, 0, []), seq, comb)
    assert (total, count, items) == (sum(data), len(data), data)
    total, count, items = rdd.treeAggregate((0, 0, []), seq, comb, depth)
    assert (total, count, sorted(items)) == (sum(data), len(data), sorted(data))


def test_tree_operations_with_many_partitions(sc):
    data = list(range(-40, 60))
    rdd = sc.parallelize(data, 23)
    for depth in (1, 2, 3, 5):
        assert rdd.treeReduce(operator.add, depth) == sum(data)
        assert rdd.treeAggregate(0, operator.add, operator.add, depth) == sum(data)
    assert sc.emptyRDD().treeAggregate(7, operator.add, operator.add) == 7
    with pytest.raises(ValueError):
        rdd.treeReduce(operator.add, 0)
    with pytest.raises(ValueError):
        rdd.treeAggregate(0, operator.add, operator.add, 0)


def test_reduction_error_cases(sc):
    empty = sc.parallelize([], 3)
    with pytest.raises(ValueError):
        empty.reduce(operator.add)
    with pytest.raises(ValueError):
        sc.emptyRDD().reduce(operator.add)
    with pytest.raises(ValueError):
        empty.treeReduce(operator.add)
    assert empty.fold(0, operator.add) == 0
    assert sc.emptyRDD().fold(5, operator.add) == 5
    assert empty.aggregate((), operator.add, operator.add) == ()
    assert empty.sum() == 0 and sc.emptyRDD().sum() == 0
    assert sc.parallelize([1.5, 2.5], 2).sum() == 4.0
    assert sc.parallelize([2.0, 5.0, 43.0, 10.0], 3).min(key=str) == 10.0


# -- statistics ------------------------------------------------------------------------------


@SETTINGS
@given(data=st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=40),
       n=partitions)
def test_stats_against_statistics_module(sc, data, n):
    rdd = sc.parallelize(data, n)
    stats = rdd.stats()
    assert isinstance(stats, StatCounter)
    assert stats.count() == len(data)
    assert close(stats.mean(), statistics.fmean(data))
    assert close(stats.sum(), math.fsum(data))
    assert stats.max() == max(data) and stats.min() == min(data)
    assert close(rdd.mean(), statistics.fmean(data))
    assert close(rdd.variance(), statistics.pvariance(data))
    assert close(rdd.stdev(), statistics.pstdev(data))
    if len(data) > 1:
        assert close(rdd.sampleVariance(), statistics.variance(data))
        assert close(rdd.sampleStdev(), statistics.stdev(data))
    else:
        assert math.isnan(rdd.sampleVariance()) and math.isnan(rdd.sampleStdev())


def test_stats_of_empty_partitions(sc):
    stats = sc.parallelize([], 3).stats()
    assert stats.count() == 0
    assert math.isnan(stats.variance())
    with pytest.raises(ValueError):
        sc.emptyRDD().stats()
    assert sc.parallelize([3], 4).mean() == 3.0
    assert sc.parallelize([1, 2, 3], 2).variance() == pytest.approx(2 / 3)


def _histogram_model(data, edges):
    """Count each value into [edges[i], edges[i+1]); the last bucket is closed."""
    counts = [0] * (len(edges) - 1)
    for x in data:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            continue
        for i in range(len(counts)):
            last = i == len(counts) - 1
            if edges[i] <= x < edges[i + 1] or (last and x == edges[i + 1]):
                counts[i] += 1
                break
    return counts


@SETTINGS
@given(data=st.lists(st.integers(-50, 50), min_size=1, max_size=40), n=partitions,
       buckets=st.integers(1, 6))
def test_histogram_even_buckets(sc, data, n, buckets):
    edges, counts = sc.parallelize(data, n).histogram(buckets)
    lo, hi = min(data), max(data)
    assert edges[0] == lo and edges[-1] == hi
    if lo == hi:
        assert (edges, counts) == ([lo, hi], [len(data)])
        return
    assert len(edges) == buckets + 1
    assert all(math.isclose(b - a, (hi - lo) / buckets)
               for a, b in itertools.pairwise(edges))
    assert counts == _histogram_model(data, edges)
    assert sum(counts) == len(data)


@SETTINGS
@given(data=st.lists(st.one_of(st.integers(-20, 20), st.none(), st.just(float("nan"))),
                     max_size=40),
       n=partitions, edges=st.lists(st.integers(-25, 25), min_size=2, max_size=6, unique=True))
def test_histogram_given_buckets(sc, data, n, edges):
    edges = sorted(edges)
    got_edges, counts = sc.parallelize(data, n).histogram(edges)
    assert got_edges == edges
    assert counts == _histogram_model(data, edges)


def test_histogram_cases_and_errors(sc):
    rdd = sc.parallelize(range(51), 3)
    assert rdd.histogram(2) == ([0, 25, 50], [25, 26])
    assert rdd.histogram([0, 5, 25, 50]) == ([0, 5, 25, 50], [5, 20, 26])
    assert rdd.histogram((0, 10, 20)) == ((0, 10, 20), [10, 11])
    words = sc.parallelize(["ab", "ac", "b", "bd", "ef"], 2)
    assert words.histogram(["a", "b", "c"]) == (["a", "b", "c"], [2, 2])
    floats = [1.0, 2.0, 3.0, 4.5]
    edges, counts = sc.parallelize(floats, 2).histogram(3)
    assert counts == _histogram_model(floats, edges)
    for bad in ([1], [2, 1], [1, 1, 2], [0, None], 0):
        with pytest.raises(ValueError):
            rdd.histogram(bad)
    with pytest.raises(TypeError):
        rdd.histogram("3")
    with pytest.raises(ValueError):
        sc.parallelize([], 2).histogram(3)
    with pytest.raises(ValueError):
        sc.parallelize([1.0, float("inf")], 2).histogram(2)


# -- counting and ordering -------------------------------------------------------------------


@SETTINGS
@given(data=st.lists(st.one_of(st.integers(0, 5), st.sampled_from(["a", "b"]), st.none(),
                               st.tuples(st.integers(0, 2), st.none())), max_size=40),
       n=partitions)
def test_count_by_value_against_counter(sc, data, n):
    assert dict(sc.parallelize(data, n).countByValue()) == dict(Counter(data))


@SETTINGS
@given(data=small_ints, n=partitions, k=st.integers(0, 45))
def test_top_and_take_ordered_against_sorted(sc, data, n, k):
    rdd = sc.parallelize(data, n)
    assert rdd.top(k) == sorted(data, reverse=True)[:k]
    assert rdd.takeOrdered(k) == sorted(data)[:k]
    assert rdd.top(k, key=abs) == heapq.nlargest(k, data, key=abs)
    assert [abs(x) for x in rdd.takeOrdered(k, key=abs)] == sorted(abs(x) for x in data)[:k]
    assert rdd.takeOrdered(k, key=lambda x: -x) == sorted(data, reverse=True)[:k]


def test_top_and_take_ordered_edges(sc):
    assert sc.parallelize([], 2).top(3) == []
    assert sc.parallelize([], 2).takeOrdered(3) == []
    assert sc.emptyRDD().takeOrdered(3) == []
    assert sc.parallelize(["b", "a", "c"], 2).top(2) == ["c", "b"]
    with pytest.raises(ValueError):
        sc.parallelize([1]).takeOrdered(-1)


# -- sampling to the driver ------------------------------------------------------------------


@SETTINGS
@given(data=st.lists(st.integers(0, 9), max_size=40), n=partitions, num=st.integers(0, 60),
       seed=st.integers(0, 50))
def test_take_sample_sizes_and_membership(sc, data, n, num, seed):
    rdd = sc.parallelize(data, n)
    without = rdd.takeSample(False, num, seed)
    assert len(without) == min(num, len(data))
    assert not Counter(without) - Counter(data)  # a sub-multiset: no element drawn twice
    if num >= len(data):
        assert sorted(without) == sorted(data)
    with_repl = rdd.takeSample(True, num, seed)
    assert len(with_repl) == (num if data else 0)
    assert set(with_repl) <= set(data)
    assert rdd.takeSample(False, num, seed) == without  # fixed seed, same sample


def test_take_sample_edges(sc):
    rdd = sc.parallelize(range(100), 4)
    big = rdd.takeSample(True, 500, 3)
    assert len(big) == 500 and max(Counter(big).values()) > 1
    some = rdd.takeSample(False, 30, 3)
    assert len(set(some)) == 30 and set(some) <= set(range(100))
    assert rdd.takeSample(False, 0, 1) == []
    assert sc.emptyRDD().takeSample(True, 5, 1) == []
    with pytest.raises(ValueError):
        rdd.takeSample(False, -1, 1)


# -- approximate actions (exact in sparklet) -------------------------------------------------


def test_approximate_actions(sc):
    data = [x % 37 for x in range(300)]
    rdd = sc.parallelize(data, 3)
    assert rdd.countApprox(1000) == len(data)
    s = rdd.sumApprox(1000)
    assert s == float(sum(data)) and s.low <= s <= s.high
    assert s.confidence == 0.95
    m = rdd.meanApprox(1000, 0.9)
    assert m == pytest.approx(statistics.fmean(data)) and m.confidence == 0.9
    exact = len(set(data))
    assert abs(rdd.countApproxDistinct() - exact) <= 0.05 * exact * 3
    assert abs(rdd.map(str).countApproxDistinct(0.01) - exact) <= 0.01 * exact * 3
    with pytest.raises(ValueError):
        rdd.countApproxDistinct(0.00001)


# -- saving ----------------------------------------------------------------------------------


def test_save_as_text_file_round_trip(sc, tmp_path):
    data = ["a", "b c", "", 42, None, ("t", 1)]
    out = str(tmp_path / "text")
    sc.parallelize(data, 3).saveAsTextFile(out)
    names = sorted(os.listdir(out))
    assert [n for n in names if n.startswith("part-")] == [f"part-{i:05d}" for i in range(3)]
    assert "_SUCCESS" in names
    assert sorted(sc.textFile(out).collect()) == sorted(str(x) for x in data)
    with pytest.raises(Exception, match="already exists"):
        sc.parallelize([1]).saveAsTextFile(out)
    gz = str(tmp_path / "gz")
    sc.parallelize(["x", "y"], 2).saveAsTextFile(gz, "org.apache.hadoop.io.compress.GzipCodec")
    assert sorted(sc.textFile(gz).collect()) == ["x", "y"]


def test_save_as_pickle_file_round_trip(sc, tmp_path):
    data = [None, (1, "a"), {"k": [1, 2]}, 3.5] * 5
    out = str(tmp_path / "pickled")
    sc.parallelize(data, 3).saveAsPickleFile(out, batchSize=2)
    back = sc.pickleFile(out).collect()
    assert sorted(map(repr, back)) == sorted(map(repr, data))


def test_histogram_model_is_direct_counting():
    # The model itself, on hand-checked values (so a wrong model cannot agree by accident).
    assert _histogram_model([0, 1, 5, 9, 10, None], [0, 5, 10]) == [2, 3]
    assert _histogram_model([-1, 11], [0, 5, 10]) == [0, 0]
