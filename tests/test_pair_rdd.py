"""Key-value RDD operations against dict / Counter / nested-loop models.

Keys mix ints, strings, ``None`` and tuples containing ``None`` (the cases ``portable_hash``
exists for); results whose order Spark does not define are compared as sorted multisets.
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet import ResultIterable, SparkException, portable_hash

SETTINGS = settings(max_examples=25, deadline=None)

keys = st.one_of(st.integers(0, 5), st.sampled_from(["a", "b", "c"]), st.none(),
                 st.tuples(st.integers(0, 2), st.none()))
pairs = st.lists(st.tuples(keys, st.integers(-9, 9)), max_size=30)
partitions = st.integers(1, 5)


def canon(xs) -> list:
    """A sorted multiset of arbitrary (mixed-type) values."""
    return sorted(xs, key=repr)


def grouped(data) -> dict:
    model: dict = defaultdict(list)
    for k, v in data:
        model[k].append(v)
    return dict(model)


# -- aggregation by key ----------------------------------------------------------------------


@SETTINGS
@given(data=pairs, n=partitions, m=st.integers(1, 4))
def test_aggregations_by_key_against_dict_models(sc, data, n, m):
    rdd = sc.parallelize(data, n)
    groups = grouped(data)
    sums = {k: sum(vs) for k, vs in groups.items()}

    reduced = rdd.reduceByKey(operator.add, m)
    assert reduced.getNumPartitions() == m
    assert canon(reduced.collect()) == canon(sums.items())
    if data:
        assert rdd.reduceByKeyLocally(operator.add) == sums

    by_key = rdd.groupByKey(m).collect()
    assert all(isinstance(vs, ResultIterable) for _, vs in by_key)
    assert {k: sorted(vs) for k, vs in by_key} == {k: sorted(vs) for k, vs in groups.items()}
    assert len(by_key) == len(groups)  # one record per key

    agg = rdd.aggregateByKey((0, 0), lambda a, v: (a[0] + v, a[1] + 1),
                             lambda a, b: (a[0] + b[0], a[1] + b[1]), m).collect()
    assert dict(agg) == {k: (sum(vs), len(vs)) for k, vs in groups.items()}

    combined = rdd.combineByKey(lambda v: [v], lambda c, v: c + [v], lambda a, b: a + b, m)
    assert {k: sorted(c) for k, c in combined.collect()} == {
        k: sorted(vs) for k, vs in groups.items()}

    assert dict(rdd.foldByKey(0, operator.add, m).collect()) == sums
    assert dict(rdd.mapValues(abs).foldByKey(0, max).collect()) == {
        k: max(abs(v) for v in vs) for k, vs in groups.items()}

    assert dict(rdd.countByKey()) == dict(Counter(k for k, _ in data))


def test_mutable_zero_values_are_copied_per_key(sc):
    data = [("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5)] * 3
    rdd = sc.parallelize(data, 3)
    zero: list = []

    def append(acc, v):
        acc.append(v)  # mutates the accumulator: each key needs its own copy of zero
        return acc

    by_agg = rdd.aggregateByKey(zero, append, lambda a, b: a + b).collect()
    assert zero == []
    assert {k: sorted(vs) for k, vs in by_agg} == {
        k: sorted(vs) for k, vs in grouped(data).items()}
    by_fold = rdd.mapValues(lambda v: [v]).foldByKey(zero, lambda a, b: a.extend(b) or a)
    assert {k: sorted(vs) for k, vs in by_fold.collect()} == {
        k: sorted(vs) for k, vs in grouped(data).items()}
    assert zero == []


def test_aggregation_partitioning_and_reuse(sc):
    data = [(k % 7, k) for k in range(50)]
    rdd = sc.parallelize(data, 3)
    assert rdd.reduceByKey(operator.add).getNumPartitions() == 3  # parent's count
    assert rdd.reduceByKey(operator.add, 1).getNumPartitions() == 1
    partitioned = rdd.partitionBy(4)
    # Already partitioned the same way: aggregation keeps the layout and adds no shuffle.
    reduced = partitioned.reduceByKey(operator.add, 4)
    assert reduced.partitioner == partitioned.partitioner
    assert [sorted(k for k, _ in p) for p in reduced.glom().collect()] == [
        sorted({k for k, _ in p}) for p in partitioned.glom().collect()]
    assert dict(reduced.collect()) == {k: sum(v for kk, v in data if kk == k) for k in range(7)}
    assert partitioned.partitionBy(4) is partitioned
    # A custom partition function is honoured.
    custom = rdd.reduceByKey(operator.add, 2, partitionFunc=lambda k: 0)
    assert [len(p) for p in custom.glom().collect()] == [7, 0]


def test_aggregation_edge_cases(sc):
    empty = sc.parallelize([], 3)
    assert empty.reduceByKey(operator.add).collect() == []
    assert empty.groupByKey().collect() == []
    assert empty.countByKey() == {}
    assert sc.emptyRDD().reduceByKey(operator.add, 2).collect() == []
    assert empty.reduceByKeyLocally(operator.add) == {}
    with pytest.raises(ValueError):
        sc.emptyRDD().reduceByKeyLocally(operator.add)  # as PySpark: reduce() of no partials
    # More partitions than keys, and numPartitions=1.
    few = sc.parallelize([(None, 1), ((1, None), 2), (None, 3)], 2)
    assert canon(few.reduceByKey(operator.add, 9).collect()) == canon(
        [(None, 4), ((1, None), 2)])
    assert few.reduceByKey(operator.add, 9).getNumPartitions() == 9
    assert canon(few.groupByKey(1).mapValues(sorted).collect()) == canon(
        [(None, [1, 3]), ((1, None), [2])])


# -- per-pair transformations and driver-side views -----------------------------------------


@SETTINGS
@given(data=pairs, n=partitions)
def test_keys_values_map_values_flat_map_values_collect_as_map(sc, data, n):
    rdd = sc.parallelize(data, n)
    assert rdd.keys().collect() == [k for k, _ in data]
    assert rdd.values().collect() == [v for _, v in data]
    assert rdd.mapValues(lambda v: v * 2).collect() == [(k, v * 2) for k, v in data]
    assert rdd.flatMapValues(lambda v: range(v % 3)).collect() == [
        (k, x) for k, v in data for x in range(v % 3)]
    assert rdd.collectAsMap() == dict(data)  # later values win, as dict() does


@SETTINGS
@given(data=pairs, n=partitions, m=st.integers(1, 4))
def test_lookup_against_filter_model(sc, data, n, m):
    rdd = sc.parallelize(data, n)
    partitioned = rdd.groupByKey(m).mapValues(sorted)
    groups = grouped(data)
    for key in [None, "a", "b", 0, 3, (1, None), "missing"]:
        assert rdd.lookup(key) == [v for k, v in data if k == key]
        expected = [sorted(groups[key])] if key in groups else []
        assert partitioned.lookup(key) == expected


# -- partitioning ----------------------------------------------------------------------------


@SETTINGS
@given(data=st.lists(st.tuples(st.one_of(st.integers(-100, 100), st.none(),
                                         st.tuples(st.integers(0, 3), st.none())),
                               st.integers()), max_size=40),
       n=partitions, m=st.integers(1, 6))
def test_partition_by_puts_every_key_at_its_hash(sc, data, n, m):
    layout = sc.parallelize(data, n).partitionBy(m).glom().collect()
    assert len(layout) == m
    for index, part in enumerate(layout):
        for k, _ in part:
            assert portable_hash(k) % m == index
    assert Counter(itertools.chain.from_iterable(layout)) == Counter(data)


def test_partition_by_string_keys_agrees_with_the_executors_hash(sc):
    # String hashes depend on PYTHONHASHSEED, so the expected partition is computed where the
    # data lives (the executors), not on the driver.
    data = [(w, i) for i, w in enumerate("the quick brown fox jumps over the lazy dog".split())]
    partitioned = sc.parallelize(data, 3).partitionBy(4)
    misplaced = partitioned.mapPartitionsWithIndex(
        lambda i, it: [kv for kv in it if portable_hash(kv[0]) % 4 != i]).collect()
    assert misplaced == []
    assert sorted(partitioned.collect()) == sorted(data)
    # Every occurrence of a key is in one partition.
    homes = defaultdict(set)
    for i, part in enumerate(partitioned.glom().collect()):
        for k, _ in part:
            homes[k].add(i)
    assert all(len(h) == 1 for h in homes.values())


def test_partition_by_custom_function_and_errors(sc):
    data = [(k, str(k)) for k in range(20)]
    layout = sc.parallelize(data, 2).partitionBy(3, lambda k: k // 7).glom().collect()
    assert layout == [[kv for kv in data if (kv[0] // 7) % 3 == i] for i in range(3)]
    with pytest.raises(SparkException):
        sc.parallelize([1, 2], 1).partitionBy(2).collect()  # not key-value pairs


@SETTINGS
@given(data=pairs, n=partitions, m=st.integers(1, 4), ascending=st.booleans())
def test_repartition_and_sort_within_partitions(sc, data, n, m, ascending):
    data = [(k, v) for k, v in data if isinstance(k, int)]
    out = sc.parallelize(data, n).repartitionAndSortWithinPartitions(
        m, lambda k: k, ascending).glom().collect()
    expected = [sorted((kv for kv in data if kv[0] % m == i), key=lambda kv: kv[0],
                       reverse=not ascending) for i in range(m)]
    assert out == expected  # stable too: sorted() keeps the input order of equal keys


# -- sorting ---------------------------------------------------------------------------------


@SETTINGS
@given(ks=st.lists(st.integers(0, 6), max_size=50), n=partitions, m=st.integers(1, 5),
       ascending=st.booleans())
def test_sort_by_key_is_stable(sc, ks, n, m, ascending):
    data = [(k, i) for i, k in enumerate(ks)]
    rdd = sc.parallelize(data, n)
    result = rdd.sortByKey(ascending, m)
    expected = sorted(data, key=lambda kv: kv[0], reverse=not ascending)
    assert result.collect() == expected
    if data:
        assert result.getNumPartitions() == m


@SETTINGS
@given(words=st.lists(st.text("abAB", max_size=3), max_size=40), n=partitions,
       ascending=st.booleans())
def test_sort_by_key_with_keyfunc(sc, words, n, ascending):
    data = [(w, i) for i, w in enumerate(words)]
    got = sc.parallelize(data, n).sortByKey(ascending, 3, keyfunc=str.lower).collect()
    assert got == sorted(data, key=lambda kv: kv[0].lower(), reverse=not ascending)


def test_sort_by_key_edges(sc):
    assert sc.parallelize([], 3).sortByKey().collect() == []
    assert sc.emptyRDD().sortByKey(numPartitions=2).collect() == []
    single = sc.parallelize([(3, "c"), (1, "a"), (2, "b")], 3).sortByKey(numPartitions=1)
    assert single.getNumPartitions() == 1
    assert single.collect() == [(1, "a"), (2, "b"), (3, "c")]
    tuples = [((1, "b"), 0), ((0, "z"), 1), ((1, "a"), 2), ((0, "z"), 3)]
    assert sc.parallelize(tuples, 2).sortByKey(False, 2).collect() == sorted(
        tuples, key=lambda kv: kv[0], reverse=True)
    # Range-partitioned: each partition's keys follow the previous partition's.
    layout = sc.parallelize([(k % 50, k) for k in range(400)], 4).sortByKey(True, 4)
    parts = [[k for k, _ in p] for p in layout.glom().collect() if p]
    assert len(parts) > 1
    for left, right in itertools.pairwise(parts):
        assert left[-1] <= right[0]
    assert layout.lookup(7) == [k for k in range(400) if k % 50 == 7]


# -- joins and cogroups ----------------------------------------------------------------------


def join_model(left, right, keep_left=False, keep_right=False):
    out = [(k, (v, w)) for k, v in left for k2, w in right if k == k2]
    right_keys = {k for k, _ in right}
    left_keys = {k for k, _ in left}
    if keep_left:
        out += [(k, (v, None)) for k, v in left if k not in right_keys]
    if keep_right:
        out += [(k, (None, w)) for k, w in right if k not in left_keys]
    return canon(out)


@SETTINGS
@given(left=pairs, right=pairs, nl=partitions, nr=partitions)
def test_joins_against_nested_loops(sc, left, right, nl, nr):
    a, b = sc.parallelize(left, nl), sc.parallelize(right, nr)
    assert canon(a.join(b).collect()) == join_model(left, right)
    assert canon(a.leftOuterJoin(b).collect()) == join_model(left, right, keep_left=True)
    assert canon(a.rightOuterJoin(b).collect()) == join_model(left, right, keep_right=True)
    assert canon(a.fullOuterJoin(b).collect()) == join_model(left, right, True, True)
    assert a.join(b).getNumPartitions() == nl + nr
    assert a.join(b, 3).getNumPartitions() == 3
    right_keys = {k for k, _ in right}
    assert canon(a.subtractByKey(b).collect()) == canon(
        [(k, v) for k, v in left if k not in right_keys])


@SETTINGS
@given(left=pairs, right=pairs, third=pairs, n=partitions)
def test_cogroup_and_group_with_against_models(sc, left, right, third, n):
    a, b, c = (sc.parallelize(d, n) for d in (left, right, third))
    all_keys = {k for k, _ in left + right + third}

    def model(*datasets):
        ks = set().union(*({k for k, _ in d} for d in datasets))
        return {k: tuple(sorted(v for kk, v in d if kk == k) for d in datasets) for k in ks}

    got = a.cogroup(b).collect()
    assert len(got) == len({k for k, _ in left + right})
    assert all(isinstance(g, ResultIterable) for _, gs in got for g in gs)
    assert {k: tuple(sorted(g) for g in gs) for k, gs in got} == model(left, right)
    got3 = a.groupWith(b, c).collect()
    assert len(got3) == len(all_keys)
    assert {k: tuple(sorted(g) for g in gs) for k, gs in got3} == model(left, right, third)
    assert a.cogroup(b, 2).getNumPartitions() == 2


def test_join_edge_cases(sc):
    x = sc.parallelize([(None, 1), ((1, None), 2), ("a", 3), ("a", 4)], 2)
    empty = sc.parallelize([], 2)
    assert x.join(empty).collect() == []
    assert canon(x.leftOuterJoin(empty).collect()) == canon(
        [(None, (1, None)), ((1, None), (2, None)), ("a", (3, None)), ("a", (4, None))])
    assert empty.rightOuterJoin(x).count() == 4
    assert canon(x.subtractByKey(empty).collect()) == canon(x.collect())
    assert empty.subtractByKey(x).collect() == []
    # A None value is a value, not "missing": the key still joins.
    y = sc.parallelize([("a", None), (None, None)], 3)
    assert canon(x.join(y).collect()) == canon(
        [(None, (1, None)), ("a", (3, None)), ("a", (4, None))])
    assert canon(x.subtractByKey(y).collect()) == [((1, None), 2)]
    assert x.join(x, 1).getNumPartitions() == 1
    self_join = canon(x.join(x).collect())
    assert self_join == join_model(x.collect(), x.collect())


def test_co_partitioned_inputs(sc):
    left = [(k % 9, k) for k in range(40)]
    right = [(k % 6, -k) for k in range(25)]
    a = sc.parallelize(left, 3).partitionBy(4)
    b = sc.parallelize(right, 2).partitionBy(4)
    assert canon(a.join(b, 4).collect()) == join_model(left, right)
    assert canon(a.fullOuterJoin(b, 4).collect()) == join_model(left, right, True, True)
    assert a.union(b).getNumPartitions() == 4
    assert Counter(a.union(b).collect()) == Counter(left + right)
    assert {k: sorted(vs) for k, vs in a.groupByKey(4).collect()} == {
        k: sorted(vs) for k, vs in grouped(left).items()}
    cg = a.cogroup(b, 4).mapValues(lambda gs: tuple(sorted(g) for g in gs)).collect()
    assert dict(cg) == {k: (sorted(grouped(left).get(k, [])), sorted(grouped(right).get(k, [])))
                        for k in {k for k, _ in left + right}}


# -- stratified sampling ---------------------------------------------------------------------


def test_sample_by_key(sc):
    data = [(k, i) for i in range(600) for k in ("a", "b", "c")]
    rdd = sc.parallelize(data, 4)
    fractions = {"a": 0.1, "b": 0.5, "c": 1.0}
    sample = rdd.sampleByKey(False, fractions, 2).collect()
    counts = Counter(k for k, _ in sample)
    assert counts["c"] == 600
    assert 30 <= counts["a"] <= 90 and 240 <= counts["b"] <= 360
    assert not Counter(sample) - Counter(data)
    assert rdd.sampleByKey(False, fractions, 2).collect() == sample  # fixed seed
    with_repl = rdd.sampleByKey(True, {"a": 2.0, "b": 0.0, "c": 0.5}, 5).collect()
    rc = Counter(k for k, _ in with_repl)
    assert rc["b"] == 0 and 1000 <= rc["a"] <= 1400 and 220 <= rc["c"] <= 380
    assert set(with_repl) <= set(data)
    with pytest.raises(ValueError):
        rdd.sampleByKey(False, {"a": -0.5})


def test_models_are_not_vacuous():
    # The nested-loop model on a hand-checked case.
    assert join_model([("a", 1), ("b", 2)], [("a", 3), ("c", 4)], True, True) == canon(
        [("a", (1, 3)), ("b", (2, None)), ("c", (None, 4))])
    assert grouped([("a", 1), ("b", 0), ("a", 2)]) == {"a": [1, 2], "b": [0]}
