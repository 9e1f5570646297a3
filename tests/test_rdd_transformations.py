"""RDD constructors and transformations, each checked against a plain-Python model.

Models work on the partition layout (``glom``) where a transformation is defined per
partition, and on multisets (``Counter``) where only the contents are specified.
"""

from __future__ import annotations

import itertools
import operator
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet import RDD, SparkContext, StorageLevel

SETTINGS = settings(max_examples=25, deadline=None)

small_ints = st.lists(st.integers(-20, 20), max_size=30)
partitions = st.integers(1, 5)


def multiset(xs) -> Counter:
    return Counter(xs)


# -- constructors ----------------------------------------------------------------------------


def test_parallelize_keeps_order_and_partition_count(sc):
    for data, n in [([], 1), ([], 4), ([7], 3), (list(range(10)), 3), (list(range(10)), 10),
                    (list(range(3)), 5), (list("abcdefg"), 2), ([None, (1, 2), "x"], 2)]:
        rdd = sc.parallelize(data, n)
        glommed = rdd.glom().collect()
        assert rdd.getNumPartitions() == n
        assert len(glommed) == n
        assert list(itertools.chain.from_iterable(glommed)) == data
        assert rdd.collect() == data
    # Any iterable works, not just lists.
    assert sc.parallelize((x * x for x in range(5)), 2).collect() == [0, 1, 4, 9, 16]
    assert sc.parallelize({3: "a"}.keys(), 1).collect() == [3]
    # The default comes from the context.
    assert sc.parallelize([1, 2, 3]).getNumPartitions() == sc.defaultParallelism
    with pytest.raises(ValueError):
        sc.parallelize([1, 2], 0)


def test_parallelize_more_partitions_than_elements(sc):
    glommed = sc.parallelize([1, 2, 3], 7).glom().collect()
    assert len(glommed) == 7
    assert sorted(len(p) for p in glommed) == [0, 0, 0, 0, 1, 1, 1]
    assert list(itertools.chain.from_iterable(glommed)) == [1, 2, 3]


records = st.one_of(st.integers(), st.text(max_size=5), st.none(),
                    st.tuples(st.integers(), st.text(max_size=3)))


@SETTINGS
@given(data=st.one_of(st.lists(records, max_size=40),
                      st.integers(0, 5000).map(lambda k: [(i, str(i)) for i in range(k)])),
       n=partitions)
def test_parallelize_slices_like_pyspark(sc, data, n):
    # PySpark's model for a list: batches of min(len // n, 1024) records (at least 1), the
    # list of batches cut at i * batches // n; so a slice boundary falls between batches.
    # Sizes up to 5000 cross the 1024-record batch boundary within one slice.
    size = max(1, min(len(data) // n, 1024))
    batches = [data[i:i + size] for i in range(0, len(data), size)]
    cuts = [i * len(batches) // n for i in range(n + 1)]
    model = [list(itertools.chain.from_iterable(batches[cuts[i]:cuts[i + 1]]))
             for i in range(n)]
    rdd = sc.parallelize(data, n)
    assert rdd.glom().collect() == model
    assert rdd.collect() == data  # a second job over the same, already pickled, slices


def test_parallelize_takes_a_snapshot_of_the_records(sc):
    # As PySpark, which serializes the collection in parallelize: later changes to the
    # records are not seen by the RDD's jobs.
    record = [1, 2]
    rdd = sc.parallelize([record, [3]], 2)
    record.append(99)
    assert rdd.collect() == [[1, 2], [3]]
    assert rdd.map(len).collect() == [2, 1]


def test_parallelize_pickles_each_slice_once(sc):
    from sparklet.serializers import PickledSlice

    rdd = sc.parallelize(list(range(3000)), 2)
    parts = rdd.partitions()
    assert all(isinstance(p.data, PickledSlice) for p in parts)
    # 1024-record batches: 3 in all, the slice boundary between batches 1 and 2.
    assert [len(p.data.batches) for p in parts] == [1, 2]
    assert [list(p.data) for p in parts] == [list(range(1024)), list(range(1024, 3000))]


@pytest.mark.local_backend
def test_large_parallelized_slices_travel_as_files_removed_with_the_rdd(sc):
    import gc
    import os

    lines = ["line %06d " % i + "x" * 40 for i in range(60_000)]  # ~3 MB pickled
    rdd = sc.parallelize(lines, 2)
    paths = [p.data.path for p in rdd.partitions()]
    assert all(p is not None and os.path.exists(p) for p in paths)
    assert rdd.glom().map(len).collect() == [29_696, 30_304]  # 59 batches cut at 29
    assert rdd.filter(lambda s: s.endswith("x")).count() == 60_000  # a second job
    assert rdd.collect() == lines
    del rdd
    # The driver may still hold the last task it launched until it launches another.
    sc.parallelize([0], 1).count()
    gc.collect()
    assert not any(os.path.exists(p) for p in paths)


@SETTINGS
@given(start=st.integers(-30, 30), stop=st.integers(-30, 30),
       step=st.integers(-7, 7).filter(bool), n=partitions)
def test_parallelize_range_slices_like_pyspark(sc, start, stop, step, n):
    # PySpark's model for a range: slice i starts at start + int(i * size / n) * step.
    data = range(start, stop, step)
    rdd = sc.parallelize(data, n)
    glommed = rdd.glom().collect()
    size = len(data)
    cuts = [int(i * size / n) for i in range(n + 1)]
    assert glommed == [list(data[cuts[i]:cuts[i + 1]]) for i in range(n)]
    assert sc.range(start, stop, step, n).collect() == list(data)


def test_sc_range_forms(sc):
    assert sc.range(6).collect() == list(range(6))
    assert sc.range(2, 9).collect() == list(range(2, 9))
    assert sc.range(10, 0, -3).collect() == list(range(10, 0, -3))
    assert sc.range(0).collect() == []
    assert sc.range(5, numSlices=3).getNumPartitions() == 3
    assert sc.range(1, 100, 7, 4).sum() == sum(range(1, 100, 7))


def test_empty_rdd(sc):
    empty = sc.emptyRDD()
    assert empty.getNumPartitions() == 0
    assert empty.collect() == []
    assert empty.count() == 0
    assert empty.isEmpty()
    assert empty.take(3) == []
    assert empty.sum() == 0
    assert empty.map(lambda x: x + 1).filter(bool).collect() == []
    assert empty.union(sc.parallelize([1], 1)).collect() == [1]
    with pytest.raises(ValueError):
        empty.reduce(operator.add)
    with pytest.raises(ValueError):
        empty.first()


def test_sc_union(sc):
    a, b, c = sc.parallelize([1, 2], 2), sc.parallelize([], 1), sc.parallelize([3, 4, 5], 3)
    u = sc.union([a, b, c])
    assert u.collect() == [1, 2, 3, 4, 5]
    assert u.getNumPartitions() == 6
    assert sc.union([a]).collect() == [1, 2]
    with pytest.raises(ValueError):
        sc.union([])
    # Same partitioner everywhere: partition i of the union is partition i of every input.
    x = sc.parallelize([(k, k) for k in range(10)], 3).partitionBy(4)
    y = sc.parallelize([(k, -k) for k in range(5, 15)], 2).partitionBy(4)
    xy = sc.union([x, y])
    assert xy.getNumPartitions() == 4
    expected = [px + py for px, py in zip(x.glom().collect(), y.glom().collect(), strict=True)]
    assert [sorted(p) for p in xy.glom().collect()] == [sorted(p) for p in expected]


# -- narrow transformations -----------------------------------------------------------------


@SETTINGS
@given(data=small_ints, n=partitions)
def test_narrow_transformations_follow_partition_layout(sc, data, n):
    rdd = sc.parallelize(data, n)
    layout = rdd.glom().collect()
    assert list(itertools.chain.from_iterable(layout)) == data

    def per_partition(f):
        return list(itertools.chain.from_iterable(f(i, p) for i, p in enumerate(layout)))

    assert rdd.map(lambda x: x * 3 - 1).collect() == [x * 3 - 1 for x in data]
    assert rdd.filter(lambda x: x % 3 == 0).collect() == [x for x in data if x % 3 == 0]
    assert rdd.flatMap(lambda x: [x] * (x % 3)).collect() == [
        y for x in data for y in [x] * (x % 3)]
    assert rdd.keyBy(abs).collect() == [(abs(x), x) for x in data]
    assert rdd.mapPartitions(lambda it: [sum(it)]).collect() == [sum(p) for p in layout]
    assert rdd.mapPartitionsWithIndex(lambda i, it: [(i, x) for x in it]).collect() == \
        per_partition(lambda i, p: [(i, x) for x in p])
    assert rdd.mapPartitionsWithSplit(lambda i, it: [i * 100 + len(list(it))]).collect() == \
        [i * 100 + len(p) for i, p in enumerate(layout)]
    assert rdd.glom().map(len).collect() == [len(p) for p in layout]


def test_narrow_transformations_keep_partitioning(sc):
    rdd = sc.parallelize([(k, k) for k in range(20)], 3).partitionBy(4)
    assert rdd.partitioner is not None
    assert rdd.map(lambda kv: kv).partitioner is None
    assert rdd.map(lambda kv: kv, preservesPartitioning=True).partitioner == rdd.partitioner
    assert rdd.filter(lambda kv: kv[0] > 3).partitioner == rdd.partitioner
    assert rdd.mapValues(str).partitioner == rdd.partitioner
    assert rdd.flatMap(lambda kv: [kv]).partitioner is None
    assert rdd.getNumPartitions() == 4


def test_user_function_error_surfaces_on_driver(sc):
    def boom(x):
        if x == 3:
            raise ZeroDivisionError("no threes here")
        return x

    with pytest.raises(Exception) as info:
        sc.parallelize(range(6), 2).map(boom).collect()
    assert "no threes here" in str(info.value)


# -- sampling --------------------------------------------------------------------------------


def test_sample_membership_size_and_determinism(sc):
    data = list(range(1000))
    rdd = sc.parallelize(data, 4)
    without = rdd.sample(False, 0.3, 42).collect()
    assert without == rdd.sample(False, 0.3, 42).collect()  # same seed, same sample
    assert len(set(without)) == len(without)
    assert set(without) <= set(data)
    assert without == sorted(without)  # a sample keeps partition order
    assert 200 <= len(without) <= 400
    with_repl = rdd.sample(True, 2.0, 7).collect()
    assert set(with_repl) <= set(data)
    assert 1700 <= len(with_repl) <= 2300
    assert max(Counter(with_repl).values()) > 1
    assert rdd.sample(False, 0.0, 1).collect() == []
    assert rdd.sample(False, 1.0, 1).collect() == data
    assert sc.parallelize([], 3).sample(True, 0.5, 3).collect() == []
    with pytest.raises(ValueError):
        rdd.sample(False, -0.1, 1)


@SETTINGS
@given(data=small_ints, n=partitions, fraction=st.floats(0.0, 1.0), seed=st.integers(0, 99))
def test_sample_is_a_sub_multiset(sc, data, n, fraction, seed):
    sample = sc.parallelize(data, n).sample(False, fraction, seed).collect()
    assert not Counter(sample) - Counter(data)
    sample_r = sc.parallelize(data, n).sample(True, fraction, seed).collect()
    assert set(sample_r) <= set(data)


@SETTINGS
@given(data=st.lists(st.integers(0, 5), max_size=60), n=partitions,
       weights=st.lists(st.floats(0.1, 5.0), min_size=1, max_size=4), seed=st.integers(0, 9))
def test_random_split_partitions_the_data(sc, data, n, weights, seed):
    rdd = sc.parallelize(list(enumerate(data)), n)
    splits = rdd.randomSplit(weights, seed)
    assert len(splits) == len(weights)
    pieces = [s.collect() for s in splits]
    # Every element lands in exactly one split.
    assert sorted(itertools.chain.from_iterable(pieces)) == list(enumerate(data))
    assert [s.collect() for s in rdd.randomSplit(weights, seed)] == pieces


def test_random_split_errors_and_proportions(sc):
    rdd = sc.parallelize(range(2000), 4)
    a, b = rdd.randomSplit([1, 3], seed=11)
    assert 350 <= a.count() <= 650
    assert a.count() + b.count() == 2000
    with pytest.raises(ValueError):
        rdd.randomSplit([1, -1])
    with pytest.raises(ValueError):
        rdd.randomSplit([0, 0])


# -- combining RDDs -------------------------------------------------------------------------


@SETTINGS
@given(a=small_ints, b=small_ints, na=partitions, nb=partitions)
def test_set_operations_against_models(sc, a, b, na, nb):
    ra, rb = sc.parallelize(a, na), sc.parallelize(b, nb)
    assert ra.union(rb).collect() == a + b
    assert (ra + rb).collect() == a + b
    assert ra.union(rb).getNumPartitions() == na + nb
    assert sorted(ra.distinct().collect()) == sorted(set(a))
    assert sorted(ra.intersection(rb).collect()) == sorted(set(a) & set(b))
    bset = set(b)
    assert Counter(ra.subtract(rb).collect()) == Counter(x for x in a if x not in bset)
    assert Counter(ra.cartesian(rb).collect()) == Counter((x, y) for x in a for y in b)
    assert ra.cartesian(rb).getNumPartitions() == na * nb


def test_set_operations_edge_cases(sc):
    e = sc.parallelize([], 2)
    full = sc.parallelize([None, (1, None), "a", None, (1, None)], 3)
    assert sorted(full.distinct().collect(), key=repr) == sorted({None, (1, None), "a"}, key=repr)
    assert e.distinct().collect() == []
    assert full.intersection(e).collect() == []
    assert Counter(full.subtract(e).collect()) == Counter(full.collect())
    assert e.subtract(full).collect() == []
    assert full.cartesian(e).collect() == []
    assert full.distinct(numPartitions=1).getNumPartitions() == 1
    assert full.distinct(numPartitions=7).getNumPartitions() == 7
    assert full.subtract(e, numPartitions=4).getNumPartitions() == 4
    with pytest.raises(TypeError):
        full + [1, 2]


def test_zip(sc):
    x = sc.parallelize(range(10), 3)
    y = x.map(lambda v: v * v)
    assert x.zip(y).collect() == [(v, v * v) for v in range(10)]
    assert sc.parallelize([], 2).zip(sc.parallelize([], 2)).collect() == []
    with pytest.raises(ValueError):
        x.zip(sc.parallelize(range(10), 2))
    with pytest.raises(Exception, match="same number of elements"):
        sc.parallelize(range(4), 2).zip(sc.parallelize(range(5), 2)).collect()


@SETTINGS
@given(data=st.lists(st.text(max_size=2), max_size=30), n=partitions)
def test_zip_with_index_and_unique_id(sc, data, n):
    rdd = sc.parallelize(data, n)
    assert rdd.zipWithIndex().collect() == [(x, i) for i, x in enumerate(data)]
    layout = rdd.glom().collect()
    assert rdd.zipWithUniqueId().collect() == [
        (x, k * n + p) for p, part in enumerate(layout) for k, x in enumerate(part)]
    ids = [i for _, i in rdd.zipWithUniqueId().collect()]
    assert len(set(ids)) == len(ids)


def test_zip_with_index_after_filter_uses_real_partition_sizes(sc):
    rdd = sc.parallelize(range(30), 4).filter(lambda x: x % 4 != 1)
    expected = [x for x in range(30) if x % 4 != 1]
    assert rdd.zipWithIndex().collect() == [(x, i) for i, x in enumerate(expected)]
    assert sc.emptyRDD().zipWithIndex().collect() == []


# -- partition count changes -----------------------------------------------------------------


@SETTINGS
@given(data=small_ints, n=partitions, m=st.integers(1, 7))
def test_glom_coalesce_repartition_preserve_the_multiset(sc, data, n, m):
    rdd = sc.parallelize(data, n)
    assert Counter(itertools.chain.from_iterable(rdd.glom().collect())) == Counter(data)
    coalesced = rdd.coalesce(m)
    # Without a shuffle coalesce never adds partitions and keeps the order.
    assert coalesced.getNumPartitions() == min(n, m)
    assert coalesced.collect() == data
    shuffled = rdd.coalesce(m, shuffle=True)
    assert shuffled.getNumPartitions() == m
    assert Counter(shuffled.collect()) == Counter(data)
    repartitioned = rdd.repartition(m)
    assert repartitioned.getNumPartitions() == m
    assert Counter(repartitioned.collect()) == Counter(data)


def test_repartition_spreads_data_and_rejects_zero(sc):
    rdd = sc.parallelize(range(100), 1).repartition(4)
    sizes = rdd.glom().map(len).collect()
    assert sum(sizes) == 100 and all(s > 0 for s in sizes)
    assert rdd.coalesce(1).glom().map(len).collect() == [100]
    with pytest.raises(ValueError):
        rdd.coalesce(0)
    with pytest.raises(ValueError):
        rdd.repartition(0)


# -- sorting and grouping -------------------------------------------------------------------


@SETTINGS
@given(keys=st.lists(st.integers(0, 4), max_size=40), n=partitions, m=st.integers(1, 4),
       ascending=st.booleans())
def test_sort_by_is_stable(sc, keys, n, m, ascending):
    data = [(k, i) for i, k in enumerate(keys)]  # i records the original position
    rdd = sc.parallelize(data, n)
    result = rdd.sortBy(lambda kv: kv[0], ascending=ascending, numPartitions=m).collect()
    assert result == sorted(data, key=lambda kv: kv[0], reverse=not ascending)


@SETTINGS
@given(words=st.lists(st.text("abc", max_size=3), max_size=30), n=partitions)
def test_sort_by_derived_key_and_global_order(sc, words, n):
    rdd = sc.parallelize(words, n)
    result = rdd.sortBy(len, numPartitions=3)
    assert result.collect() == sorted(words, key=len)
    # Globally ordered: every partition's keys come after the previous partition's keys.
    layout = [[len(w) for w in p] for p in result.glom().collect() if p]
    for left, right in itertools.pairwise(layout):
        assert max(left) <= min(right)
    assert rdd.sortBy(lambda w: w, ascending=False).collect() == sorted(words, reverse=True)


@SETTINGS
@given(data=small_ints, n=partitions)
def test_group_by_against_dict_model(sc, data, n):
    model: dict = {}
    for x in data:
        model.setdefault(x % 4, []).append(x)
    grouped = sc.parallelize(data, n).groupBy(lambda x: x % 4)
    got = {k: sorted(v) for k, v in grouped.collect()}
    assert got == {k: sorted(v) for k, v in model.items()}
    assert sc.parallelize(data, n).groupBy(lambda x: x % 4, 3).getNumPartitions() == 3


def test_pipe(sc):
    rdd = sc.parallelize(["a", "bb", "", "ccc"], 2)
    assert rdd.pipe("cat").collect() == ["a", "bb", "", "ccc"]
    counted = sc.parallelize(range(7), 3).pipe("wc -l").map(lambda s: int(s.strip())).collect()
    assert counted == sc.parallelize(range(7), 3).glom().map(len).collect()
    script = "import os, sys; sys.stdout.write(os.environ['GREETING'] + chr(10))"
    cmd = f'{sys.executable} -c "{script}"'
    assert sc.parallelize([1], 1).pipe(cmd, env={"GREETING": "hi"}).collect() == ["hi"]
    with pytest.raises(Exception, match="exited with error code"):
        sc.parallelize([1], 1).pipe("false", checkCode=True).collect()
    assert sc.parallelize([1], 1).pipe("false").collect() == []


# -- identity, lineage and persistence ---------------------------------------------------------


def test_identity_and_metadata(sc):
    a = sc.parallelize([1, 2, 3], 2)
    b = a.map(lambda x: x)
    assert isinstance(a, RDD) and isinstance(b, RDD)
    assert a.id() != b.id()
    assert a.context is sc
    assert a.name() is None
    assert a.setName("numbers") is a and a.name() == "numbers"
    assert a.getNumPartitions() == 2
    shuffled = b.map(lambda x: (x, 1)).reduceByKey(operator.add)
    debug = shuffled.toDebugString()
    assert isinstance(debug, bytes)
    text = debug.decode()
    assert text.startswith("(2)")
    assert "+-" in text  # a shuffle boundary
    assert len(text.splitlines()) >= 4
    assert "test_rdd_transformations.py" in repr(b)


def test_lineage_partitions_dependencies_and_compute(sc):
    from sparklet.dependency import NarrowDependency, ShuffleDependency

    base = sc.parallelize(range(10), 3)
    layout = base.glom().collect()
    splits = base.partitions()
    assert [s.index for s in splits] == [0, 1, 2]
    assert base.dependencies() == []
    # compute/iterator read one partition on the driver, exactly what glom reports.
    assert [list(base.compute(s, None)) for s in splits] == layout
    assert [list(base.iterator(s, None)) for s in splits] == layout
    mapped = base.map(lambda x: x + 1)
    (dep,) = mapped.dependencies()
    assert isinstance(dep, NarrowDependency) and dep.rdd is base
    assert list(mapped.iterator(mapped.partitions()[1], None)) == [x + 1 for x in layout[1]]
    reduced = mapped.map(lambda x: (x % 2, x)).reduceByKey(operator.add, 2)
    deps = [reduced]
    while deps and not any(isinstance(d, ShuffleDependency) for d in deps[-1].dependencies()):
        deps.append(deps[-1].dependencies()[0].rdd)
    assert any(isinstance(d, ShuffleDependency) for d in deps[-1].dependencies())
    assert len(reduced.partitions()) == 2
    union = base.union(mapped)
    assert [d.rdd for d in union.dependencies()] == [base, mapped]


def test_persistence_levels(sc):
    rdd = sc.parallelize(range(10), 2).map(lambda x: x * 2)
    assert rdd.getStorageLevel() == StorageLevel.NONE
    assert rdd.cache() is rdd
    assert rdd.is_cached and rdd.getStorageLevel() == StorageLevel.MEMORY_ONLY
    assert rdd.collect() == [x * 2 for x in range(10)]
    assert rdd.collect() == [x * 2 for x in range(10)]  # second read from the cache
    with pytest.raises(ValueError):
        rdd.persist(StorageLevel.DISK_ONLY)
    assert rdd.unpersist() is rdd
    assert not rdd.is_cached and rdd.getStorageLevel() == StorageLevel.NONE
    disk = sc.parallelize(range(5), 2).persist(StorageLevel.DISK_ONLY)
    assert disk.sum() == 10 and disk.sum() == 10
    disk.unpersist()


def test_cached_partitions_are_not_recomputed(sc):
    acc = sc.accumulator(0)

    def touch(x):
        acc.add(1)
        return x

    rdd = sc.parallelize(range(8), 2).map(touch).cache()
    assert rdd.count() == 8
    assert rdd.sum() == sum(range(8))
    assert acc.value == 8
    rdd.unpersist()
    assert rdd.count() == 8
    assert acc.value == 16


def test_checkpoints(sc, tmp_path):
    sc.setCheckpointDir(str(tmp_path))
    rdd = sc.parallelize(range(6), 3).map(lambda x: x + 1)
    rdd.checkpoint()
    assert not rdd.isCheckpointed()
    assert rdd.getCheckpointFile() is None
    assert rdd.collect() == list(range(1, 7))
    assert rdd.isCheckpointed()
    assert rdd.getCheckpointFile() is not None
    assert not rdd.isLocallyCheckpointed()
    assert rdd.map(lambda x: -x).collect() == [-x for x in range(1, 7)]
    assert rdd.getNumPartitions() == 3

    local = sc.parallelize([1], 1).map(lambda x: x * 10)
    local.localCheckpoint()
    assert local.isLocallyCheckpointed()
    assert local.collect() == [10]
    assert local.isCheckpointed()
    assert local.getCheckpointFile() is None


def test_checkpoint_needs_a_directory(make_context):
    ctx = make_context()
    assert isinstance(ctx, SparkContext) and ctx.master == "local[2]"
    with pytest.raises(RuntimeError):
        ctx.parallelize([1]).checkpoint()


def test_clean_shuffle_dependencies_keeps_results_correct(sc):
    pairs = sc.parallelize([(i % 3, i) for i in range(12)], 3)
    reduced = pairs.reduceByKey(operator.add)
    expected = sorted(Counter({k: sum(i for i in range(12) if i % 3 == k)
                               for k in range(3)}).items())
    assert sorted(reduced.collect()) == expected
    reduced.cleanShuffleDependencies()
    assert sorted(reduced.collect()) == expected  # recomputed from lineage
