"""Every per-batch DStream operation against a plain-Python model, over queueStream input
on a manual clock."""

from __future__ import annotations

import operator
from collections import defaultdict
from datetime import datetime

import pytest
from stream_helpers import collect_batches, norm

from sparklet.streaming.testing import advance_batches

BATCHES = [[1, 2, 3, 4, 5], [3, 3, 6], [], [7, 8, 8, 9, 1, 2]]
PAIRS = [[(x % 3, x) for x in b] for b in BATCHES]
OTHER = [[(k, -k) for k in range(0, 4, 2)], [(1, "a"), (1, "b")], [(0, 0)], []]


def group(pairs):
    d = defaultdict(list)
    for k, v in pairs:
        d[k].append(v)
    return d


def model_join(a, b, left=False, right=False):
    ga, gb = group(a), group(b)
    out = []
    for k in set(ga) | set(gb):
        va = ga.get(k, [None] if right else [])
        vb = gb.get(k, [None] if left else [])
        if k not in ga and not right or k not in gb and not left:
            continue
        out += [(k, (x, y)) for x in va for y in vb]
    return out


UNARY = {
    "map": (lambda d: d.map(lambda x: x * 10), lambda b: [x * 10 for x in b]),
    "flatMap": (lambda d: d.flatMap(lambda x: [x] * (x % 3)),
                lambda b: [y for x in b for y in [x] * (x % 3)]),
    "filter": (lambda d: d.filter(lambda x: x % 2), lambda b: [x for x in b if x % 2]),
    "mapPartitions": (lambda d: d.mapPartitions(lambda it: [sum(it)]).reduce(operator.add),
                      lambda b: [sum(b)]),
    "mapPartitionsWithIndex": (
        lambda d: d.mapPartitionsWithIndex(lambda i, it: [(i >= 0, x) for x in it]),
        lambda b: [(True, x) for x in b]),
    "glom": (lambda d: d.glom().flatMap(lambda xs: xs), lambda b: b),
    "repartition": (lambda d: d.repartition(3).glom().map(len).map(lambda n: n >= 0),
                    lambda b: [True] * 3),
    "count": (lambda d: d.count(), lambda b: [len(b)]),
    # An empty batch still has (empty) partitions here, so reduce yields nothing for it.
    "reduce": (lambda d: d.reduce(operator.add), lambda b: [sum(b)] if b else []),
    "countByValue": (lambda d: d.countByValue(),
                     lambda b: [(x, b.count(x)) for x in set(b)]),
    "transform1": (lambda d: d.transform(lambda rdd: rdd.map(lambda x: -x)),
                   lambda b: [-x for x in b]),
    "transform2": (lambda d: d.transform(lambda t, rdd: rdd.map(lambda x: (t.second, x))),
                   None),
}

PAIR_OPS = {
    "reduceByKey": (lambda d: d.reduceByKey(operator.add),
                    lambda b: [(k, sum(v)) for k, v in group(b).items()]),
    "combineByKey": (lambda d: d.combineByKey(lambda v: [v], lambda c, v: c + [v],
                                              lambda a, c: a + c, 2).mapValues(sorted),
                     lambda b: [(k, sorted(v)) for k, v in group(b).items()]),
    "groupByKey": (lambda d: d.groupByKey().mapValues(sorted),
                   lambda b: [(k, sorted(v)) for k, v in group(b).items()]),
    "mapValues": (lambda d: d.mapValues(lambda v: v + 1), lambda b: [(k, v + 1) for k, v in b]),
    "flatMapValues": (lambda d: d.flatMapValues(lambda v: range(v % 3)),
                      lambda b: [(k, i) for k, v in b for i in range(v % 3)]),
    "partitionBy": (lambda d: d.partitionBy(2).glom().flatMap(
        lambda part: [(len({k % 2 for k, _ in part}) <= 1, kv) for kv in part]),
        lambda b: [(True, kv) for kv in b]),
}

BINARY = {
    "join": (lambda a, b: a.join(b), lambda a, b: model_join(a, b)),
    "leftOuterJoin": (lambda a, b: a.leftOuterJoin(b), lambda a, b: model_join(a, b, left=True)),
    "rightOuterJoin": (lambda a, b: a.rightOuterJoin(b),
                       lambda a, b: model_join(a, b, right=True)),
    "fullOuterJoin": (lambda a, b: a.fullOuterJoin(b),
                      lambda a, b: model_join(a, b, left=True, right=True)),
    "cogroup": (lambda a, b: a.cogroup(b, 3),
                lambda a, b: [(k, (sorted(group(a)[k]), sorted(group(b)[k], key=repr)))
                              for k in set(group(a)) | set(group(b))]),
    "union": (lambda a, b: a.union(b), lambda a, b: a + b),
    "transformWith": (lambda a, b: a.transformWith(lambda x, y: x.subtractByKey(y), b),
                      lambda a, b: [(k, v) for k, v in a if k not in group(b)]),
    "transformWith3": (lambda a, b: a.transformWith(
        lambda t, x, y: x.keys().union(y.keys()).map(lambda k: (t.second, k)), b),
        lambda a, b: [k for k, _ in a] + [k for k, _ in b]),
}


def run(make_ssc, build, inputs, n=None, **kw):
    ssc = make_ssc(**kw)
    outs = [ssc.queueStream([list(b) for b in inp]) for inp in inputs]
    result = collect_batches(build(*outs))
    ssc.start()
    advance_batches(ssc, n or len(inputs[0]))
    return result


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops_match_model(make_ssc, name):
    build, model = UNARY[name]
    got = run(make_ssc, build, [BATCHES])
    if name == "transform2":  # the batch time reaches the function as a datetime
        assert got == [sorted(((i + 1, x) for x in b), key=repr) for i, b in enumerate(BATCHES)]
        return
    expected = [norm(model(b)) for b in BATCHES]
    assert [norm(g) for g in got] == expected


def test_count_of_rdd_without_partitions_is_empty_as_pyspark(make_ssc, sc):
    ssc = make_ssc()
    got = collect_batches(ssc.queueStream([sc.emptyRDD(), [1, 2]]).count())
    ssc.start()
    advance_batches(ssc, 2)
    assert got == [[], [2]]


@pytest.mark.parametrize("name", sorted(PAIR_OPS))
def test_pair_ops_match_model(make_ssc, name):
    build, model = PAIR_OPS[name]
    got = run(make_ssc, build, [PAIRS])
    assert [norm(g) for g in got] == [norm(model(b)) for b in PAIRS]


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops_match_model(make_ssc, name):
    build, model = BINARY[name]
    got = run(make_ssc, build, [PAIRS, OTHER])
    if name == "transformWith3":
        assert [norm(g) for g in got] == [
            norm((i + 1, k) for k in model(a, b))
            for i, (a, b) in enumerate(zip(PAIRS, OTHER, strict=True))]
        return
    assert [norm(g) for g in got] == [norm(model(a, b)) for a, b in zip(PAIRS, OTHER,
                                                                          strict=True)]


def test_context_union_and_transform(make_ssc):
    ssc = make_ssc()
    a, b, c = (ssc.queueStream([[i], [i * 10]]) for i in (1, 2, 3))
    u = collect_batches(ssc.union(a, b, c))
    t = collect_batches(ssc.transform([a, b], lambda rdds: rdds[0].union(rdds[1].map(str))))
    assert ssc.union(a) is a
    ssc.start()
    advance_batches(ssc, 2)
    assert u == [[1, 2, 3], [10, 20, 30]]
    assert t == [["2", 1], ["20", 10]]  # mixed types: sorted by repr


def test_queue_stream_one_at_a_time_default_and_all_at_once(make_ssc, sc):
    ssc = make_ssc()
    one = collect_batches(ssc.queueStream([[1], [2]], default=[0]))
    every = collect_batches(ssc.queueStream([[1], [2]], oneAtATime=False))
    empty_first = collect_batches(ssc.queueStream([], default=sc.parallelize([9])))
    ssc.start()
    advance_batches(ssc, 3)
    assert one == [[1], [2], [0]]
    assert every == [[1, 2], [], []]
    # PySpark turns an empty queue with a default into one empty RDD, then the default.
    assert empty_first == [[], [9], [9]]


def test_transform_returning_none_skips_the_batch(make_ssc):
    ssc = make_ssc()
    got = collect_batches(ssc.queueStream([[1], [2], [3]]).transform(
        lambda t, rdd: None if t.second == 2 else rdd))
    ssc.start()
    advance_batches(ssc, 3)
    assert got == [[1], [3]]


def test_foreach_rdd_arities_and_time_type(make_ssc):
    ssc = make_ssc()
    stream = ssc.queueStream([[1], [2]])
    seen1, seen2 = [], []
    stream.foreachRDD(lambda rdd: seen1.append(rdd.collect()))

    class Sink:
        def write(self, time, rdd):  # a bound method: (time, rdd) without self
            seen2.append((time, rdd.collect()))

    stream.foreachRDD(Sink().write)
    ssc.start()
    advance_batches(ssc, 2)
    assert seen1 == [[1], [2]]
    assert seen2 == [(datetime.fromtimestamp(1), [1]), (datetime.fromtimestamp(2), [2])]


def test_slice_returns_the_remembered_rdds(make_ssc):
    ssc = make_ssc()
    stream = ssc.queueStream([[i] for i in range(1, 6)])
    collect_batches(stream)
    ssc.remember(10)
    with pytest.raises(RuntimeError, match="not been initialized"):
        stream.slice(1, 2)
    ssc.start()
    advance_batches(ssc, 5)
    rdds = stream.slice(datetime.fromtimestamp(2), 4)
    assert [r.collect() for r in rdds] == [[2], [3], [4]]


def test_generated_rdds_are_forgotten_after_remember_duration(make_ssc):
    ssc = make_ssc()
    stream = ssc.queueStream([[i] for i in range(8)]).map(lambda x: x)
    collect_batches(stream)
    ssc.start()
    advance_batches(ssc, 8)
    # remember = one batch: only the newest RDDs are kept.
    assert len(stream.prev._generated) <= 2


def test_cache_and_persist_mark_rdds(make_ssc):
    from sparklet import StorageLevel

    ssc = make_ssc()
    cached = ssc.queueStream([[1, 2]]).map(lambda x: x).cache()
    levels = []
    cached.foreachRDD(lambda rdd: levels.append(rdd.getStorageLevel()))
    persisted = ssc.queueStream([[1]]).persist(StorageLevel.DISK_ONLY)
    levels2 = []
    persisted.foreachRDD(lambda rdd: levels2.append(rdd.getStorageLevel()))
    assert cached.is_cached
    ssc.start()
    advance_batches(ssc, 1)
    assert levels == [StorageLevel.MEMORY_ONLY]
    assert levels2 == [StorageLevel.DISK_ONLY]


def test_dstream_names_and_ids_are_stable(make_ssc, tmp_path):
    ssc = make_ssc()
    a = ssc.textFileStream(str(tmp_path))  # a queue stream refuses to be unpickled
    b = a.window(2, 1).setName("my-window")
    assert b.id() > a.id()
    assert b.name() == "my-window"
    assert a.name() == f"FileInputDStream-{a.id()}"
    import pickle

    import cloudpickle

    clone = pickle.loads(cloudpickle.dumps(b))  # graphs pickle without their context
    assert clone.name() == "my-window" and clone._window == 2000


@pytest.mark.parametrize("op", ["map", "flatMap", "filter"])
def test_stopiteration_from_a_user_function_fails_the_batch(make_ssc, op):
    # Inside builtin map/filter a StopIteration would end the partition early and drop the
    # rest of it without a word; PySpark fails the task instead, and so must every batch.
    def stop_at_three(x):
        if x == 3:
            raise StopIteration()
        return [x] if op == "flatMap" else x

    ssc = make_ssc()
    seen: list = []

    def record(rdd):
        try:
            seen.append(rdd.collect())
        except Exception as e:  # noqa: BLE001 - the job's failure is what is checked
            seen.append(str(e))

    getattr(ssc.queueStream([[1, 2, 3, 4]]), op)(stop_at_three).foreachRDD(record)
    ssc.start()
    advance_batches(ssc, 1)
    assert len(seen) == 1 and isinstance(seen[0], str), seen
    assert "Caught StopIteration thrown from user's code; failing the task" in seen[0]
