"""Differential parity with PySpark 3.5.3: every case is a small program of ``sc``.

Each case's expected value was observed by running the very same function on PySpark 3.5.3
(local[2]; cases that depend on the driver's string hashing or on numpy were re-observed
with PYTHONHASHSEED=0 and numpy installed, as R2_*); the comparison is on ``repr`` so types, order
and partition layout (``glom``) must match exactly. Cases where sparklet deliberately or
unavoidably differs are listed in KNOWN_DIFFERENCES and not asserted.
Needs neither PySpark nor Java.
"""
# ruff: noqa: E501, E701, E702, E731, B017, B018, B023, F811, UP031
# (a data table of one-line programs: long lines and compact lambdas read best here)

import os
import tempfile
from operator import add

import pytest

import sparklet
from sparklet import SparkConf, SparkContext

DATA = tempfile.mkdtemp(prefix="sparklet-parity-")
CASES: dict = {}


class Repr(str):
    """An expected value written as its repr (it has no literal form, e.g. defaultdict)."""

    def __repr__(self):
        return str(self)


class Raises:
    """PySpark raised ``type`` with this message (first line) on the driver."""

    def __init__(self, type, message):
        self.type, self.message = type, message


class RaisesSomething:
    """PySpark failed with a JVM-side Py4JJavaError: sparklet must raise too."""


def case(name, fn=None):
    if fn is not None:
        CASES[name] = fn
        return fn

    def deco(f):
        CASES[name] = f
        return f
    return deco

def P(rdd):
    return (rdd.getNumPartitions(), rdd.glom().collect())

# ---- parallelize
for nm, data in [("list", [1,2,3,4,5]), ("tuple", (1,2,3,4,5)), ("range", range(10)),
                 ("range_step", range(0, 20, 3)), ("str", "hello"), ("empty", []),
                 ("range_neg", range(10, 0, -2)), ("range_empty", range(5, 5))]:
    for ns in [None, 1, 2, 3, 4, 7, 12]:
        case("parallelize_%s_%s" % (nm, ns), (lambda d, n: lambda sc, M: P(sc.parallelize(d, n)))(data, ns))
case("parallelize_gen", lambda sc, M: P(sc.parallelize((x*x for x in range(7)), 3)))
case("parallelize_set", lambda sc, M: sorted(sc.parallelize({3, 1, 2}, 2).collect()))
case("parallelize_dict", lambda sc, M: P(sc.parallelize({"a": 1, "b": 2}, 2)))
case("parallelize_zero", lambda sc, M: P(sc.parallelize([1, 2], 0)))
case("parallelize_neg", lambda sc, M: P(sc.parallelize([1, 2], -1)))
case("parallelize_range_type", lambda sc, M: type(sc.parallelize(range(5)).collect()).__name__)
case("parallelize_range_float", lambda sc, M: P(sc.parallelize(range(3), 5)))
case("parallelize_bigrange", lambda sc, M: sc.parallelize(range(1000), 7).glom().map(len).collect())
case("parallelize_big", lambda sc, M: sc.parallelize(list(range(1000)), 7).glom().map(len).collect())
case("defaultParallelism", lambda sc, M: (sc.defaultParallelism, sc.defaultMinPartitions))
# ---- range
for args in [(5,), (0, 10), (0, 10, 3), (10, 0, -2), (0,), (1, 10, 2), (5, 1)]:
    for ns in [None, 1, 3, 4]:
        case("range_%s_%s" % (args, ns), (lambda a, n: lambda sc, M: P(sc.range(*a, numSlices=n)))(args, ns))
case("emptyRDD", lambda sc, M: (P(sc.emptyRDD()), sc.emptyRDD().isEmpty(), sc.emptyRDD().count()))
# ---- narrow
case("map", lambda sc, M: P(sc.parallelize(range(6), 3).map(lambda x: x * 2)))
case("flatMap", lambda sc, M: P(sc.parallelize([2, 3, 4], 2).flatMap(lambda x: range(1, x))))
case("flatMap_str", lambda sc, M: sc.parallelize(["ab", "c"]).flatMap(lambda x: x).collect())
case("filter", lambda sc, M: P(sc.parallelize(range(10), 3).filter(lambda x: x % 2)))
case("mapPartitions", lambda sc, M: P(sc.parallelize(range(10), 3).mapPartitions(lambda it: [sum(it)])))
case("mapPartitionsWithIndex", lambda sc, M: P(sc.parallelize(range(10), 3).mapPartitionsWithIndex(lambda i, it: [(i, list(it))])))
case("mapPartitionsWithSplit", lambda sc, M: sc.parallelize(range(4), 2).mapPartitionsWithSplit(lambda i, it: [i]).collect())
case("keyBy", lambda sc, M: P(sc.parallelize(range(4), 2).keyBy(lambda x: x * x)))
case("glom_empty_parts", lambda sc, M: P(sc.parallelize([1], 4)))
# ---- sampling
for wr in [False, True]:
    for frac in [0.1, 0.5, 2.0] if wr else [0.0, 0.1, 0.5, 1.0]:
        for seed in [0, 42, 12345]:
            case("sample_%s_%s_%s" % (wr, frac, seed), (lambda w, f, s: lambda sc, M: P(sc.parallelize(range(100), 4).sample(w, f, s)))(wr, frac, seed))
for wr in [False, True]:
    for num in [0, 1, 5, 20, 100, 150]:
        for seed in [0, 7]:
            case("takeSample_%s_%s_%s" % (wr, num, seed), (lambda w, n, s: lambda sc, M: sc.parallelize(range(100), 4).takeSample(w, n, s))(wr, num, seed))
case("takeSample_empty", lambda sc, M: sc.parallelize([], 2).takeSample(False, 5, 1))
case("takeSample_neg", lambda sc, M: sc.parallelize([1], 2).takeSample(False, -1, 1))
case("takeSample_small", lambda sc, M: sc.parallelize(range(10), 3).takeSample(False, 3, 99))
case("sample_neg_frac", lambda sc, M: sc.parallelize(range(10)).sample(False, -0.1, 1).collect())
for w in [[1, 1], [0.2, 0.3, 0.5], [1, 2, 3, 4]]:
    for seed in [0, 17]:
        case("randomSplit_%s_%s" % (w, seed), (lambda ww, s: lambda sc, M: [P(r) for r in sc.parallelize(range(40), 3).randomSplit(ww, s)])(w, seed))
case("sampleByKey", lambda sc, M: P(sc.parallelize([(i % 3, i) for i in range(60)], 3).sampleByKey(False, {0: 0.5, 1: 0.2, 2: 1.0}, 5)))
case("sampleByKey_wr", lambda sc, M: P(sc.parallelize([(i % 3, i) for i in range(30)], 3).sampleByKey(True, {0: 0.5, 1: 2.0, 2: 1.0}, 5)))
# ---- union etc
case("union", lambda sc, M: P(sc.parallelize([1, 2], 2).union(sc.parallelize([3, 4, 5], 3))))
case("union_add", lambda sc, M: P(sc.parallelize([1, 2], 2) + sc.parallelize([3], 1)))
case("union_self", lambda sc, M: (lambda r: P(r.union(r)))(sc.parallelize([1, 2, 3], 2)))
case("sc_union", lambda sc, M: P(sc.union([sc.parallelize([1], 1), sc.parallelize([2, 3], 2), sc.parallelize([4], 1)])))
case("union_partitioner_aware", lambda sc, M: (lambda a, b: (P(a.union(b)), a.union(b).partitioner is not None))(
    sc.parallelize([(i, i) for i in range(6)], 2).partitionBy(3), sc.parallelize([(i, -i) for i in range(6, 10)], 2).partitionBy(3)))
case("union_partitioner_aware_diff", lambda sc, M: P(sc.parallelize([(i, i) for i in range(6)]).partitionBy(3).union(sc.parallelize([(1, 1)]).partitionBy(2))))
case("sc_union_partitioner_aware", lambda sc, M: (lambda a, b: P(sc.union([a, b])))(
    sc.parallelize([(i, i) for i in range(6)], 2).partitionBy(3), sc.parallelize([(i, -i) for i in range(6, 10)], 2).partitionBy(3)))
case("intersection", lambda sc, M: P(sc.parallelize([1, 10, 2, 3, 4, 5], 2).intersection(sc.parallelize([1, 6, 2, 3, 7, 8], 3))))
case("intersection_sorted", lambda sc, M: sorted(sc.parallelize([1, 10, 2, 3, 4, 5, 1]).intersection(sc.parallelize([1, 6, 2, 3, 7, 8])).collect()))
case("distinct", lambda sc, M: P(sc.parallelize([1, 1, 2, 3, 3, 3, 4, 5, 9, 9], 3).distinct()))
case("distinct_n", lambda sc, M: P(sc.parallelize([1, 1, 2, 3, 3, 3, 4, 5, 9, 9], 3).distinct(2)))
case("distinct_str", lambda sc, M: P(sc.parallelize(["a", "b", "a", "c", "dd"], 2).distinct()))
# ---- by key
KV = [("a", 1), ("b", 1), ("a", 1), ("c", 5), ("b", 7), ("d", 2), ("a", 3)]
IKV = [(i % 5, i) for i in range(20)]
case("groupByKey", lambda sc, M: P(sc.parallelize(IKV, 3).groupByKey().mapValues(list)))
case("groupByKey_n", lambda sc, M: P(sc.parallelize(IKV, 3).groupByKey(4).mapValues(list)))
case("groupByKey_str", lambda sc, M: P(sc.parallelize(KV, 3).groupByKey().mapValues(list)))
case("groupByKey_pf", lambda sc, M: P(sc.parallelize(IKV, 3).groupByKey(2, lambda k: 0).mapValues(list)))
case("groupByKey_type", lambda sc, M: type(sc.parallelize(KV).groupByKey().collect()[0][1]).__name__)
case("ResultIterable", lambda sc, M: (lambda ri: (len(ri), list(ri), list(ri), sorted(ri), type(ri.data).__name__, ri.maxindex))(sc.parallelize(KV, 1).groupByKey().lookup("a")[0]))
case("ResultIterable_repr_prefix", lambda sc, M: repr(sc.parallelize(KV, 1).groupByKey().lookup("a")[0]).split(" object")[0])
case("reduceByKey", lambda sc, M: P(sc.parallelize(IKV, 3).reduceByKey(add)))
case("reduceByKey_n", lambda sc, M: P(sc.parallelize(KV, 3).reduceByKey(add, 2)))
case("reduceByKey_n1", lambda sc, M: P(sc.parallelize(KV, 3).reduceByKey(add, 1)))
case("reduceByKey_pf", lambda sc, M: P(sc.parallelize(IKV, 3).reduceByKey(add, 3, lambda k: k * 7)))
case("aggregateByKey", lambda sc, M: P(sc.parallelize(KV, 3).aggregateByKey((0, 0), lambda a, v: (a[0] + v, a[1] + 1), lambda a, b: (a[0] + b[0], a[1] + b[1]))))
case("aggregateByKey_list_zero", lambda sc, M: sorted(sc.parallelize(KV, 3).aggregateByKey([], lambda a, v: a + [v], lambda a, b: a + b, 2).collect()))
case("aggregateByKey_mutable_zero", lambda sc, M: sorted(sc.parallelize(KV, 3).aggregateByKey([], lambda a, v: (a.append(v), a)[1], lambda a, b: (a.extend(b), a)[1]).mapValues(sorted).collect()))
case("combineByKey", lambda sc, M: P(sc.parallelize(IKV, 3).combineByKey(lambda v: [v], lambda c, v: c + [v], lambda a, b: a + b, 2)))
case("foldByKey", lambda sc, M: P(sc.parallelize(KV, 3).foldByKey(0, add)))
case("foldByKey_n", lambda sc, M: P(sc.parallelize(IKV, 3).foldByKey(100, add, 4)))
case("partitionBy_int", lambda sc, M: P(sc.parallelize(IKV, 3).partitionBy(4)))
case("partitionBy_int_neg", lambda sc, M: P(sc.parallelize([(-i, i) for i in range(10)], 3).partitionBy(3)))
case("partitionBy_str", lambda sc, M: P(sc.parallelize(KV, 3).partitionBy(3)))
case("partitionBy_tuple", lambda sc, M: P(sc.parallelize([((i, str(i)), i) for i in range(8)], 2).partitionBy(3)))
case("partitionBy_float_none", lambda sc, M: P(sc.parallelize([(1.5, 1), (None, 2), (2.0, 3), (True, 4), (-0.5, 5)], 2).partitionBy(3)))
case("partitionBy_frozenset", lambda sc, M: P(sc.parallelize([(frozenset([1, 2]), 1), (b"x", 2)], 2).partitionBy(3)))
case("partitionBy_pf", lambda sc, M: P(sc.parallelize(IKV, 3).partitionBy(3, lambda k: k * 2)))
case("partitionBy_same", lambda sc, M: (lambda r: r.partitionBy(3) is r)(sc.parallelize(IKV).partitionBy(3)))
case("partitionBy_none", lambda sc, M: P(sc.parallelize(IKV, 3).partitionBy(None)))
case("partitioner_eq", lambda sc, M: sc.parallelize(IKV).partitionBy(3).partitioner == sc.parallelize(IKV).partitionBy(3).partitioner)
case("partitioner_attrs", lambda sc, M: (lambda p: (p.numPartitions, p(7), p("a")))(sc.parallelize(IKV).partitionBy(3).partitioner))
case("portable_hash", lambda sc, M: [M.rdd.portable_hash(x) if hasattr(M, "rdd") and hasattr(M.rdd, "portable_hash") else M.portable_hash(x) for x in [0, 1, -1, 2**40, None, (1, 2), ("a", None), 1.5, True]])
case("partitioner_none", lambda sc, M: (sc.parallelize(IKV).partitioner, sc.parallelize(IKV).reduceByKey(add).partitioner is not None, sc.parallelize(IKV).reduceByKey(add).mapValues(str).partitioner is not None, sc.parallelize(IKV).reduceByKey(add).map(lambda x: x).partitioner))
case("reduceByKey_preserve", lambda sc, M: P(sc.parallelize(IKV, 3).partitionBy(2).reduceByKey(add)))
# ---- sort
SK = [("b", 2), ("a", 1), ("c", 3), ("a", 0), ("b", 9), ("d", 4), ("a", 5), ("e", 6), ("c", 7)]
case("sortByKey", lambda sc, M: P(sc.parallelize(SK, 3).sortByKey()))
case("sortByKey_desc", lambda sc, M: P(sc.parallelize(SK, 3).sortByKey(False)))
case("sortByKey_n1", lambda sc, M: P(sc.parallelize(SK, 3).sortByKey(True, 1)))
case("sortByKey_n2", lambda sc, M: P(sc.parallelize(SK, 3).sortByKey(True, 2)))
case("sortByKey_n5", lambda sc, M: P(sc.parallelize(SK, 3).sortByKey(True, 5)))
case("sortByKey_keyfunc", lambda sc, M: P(sc.parallelize(SK, 3).sortByKey(True, 2, keyfunc=lambda k: -ord(k))))
case("sortByKey_ints", lambda sc, M: P(sc.parallelize([(i * 37 % 101, i) for i in range(50)], 4).sortByKey(True, 3)))
case("sortByKey_ints_desc", lambda sc, M: P(sc.parallelize([(i * 37 % 101, i) for i in range(50)], 4).sortByKey(False, 3)))
case("sortByKey_dups", lambda sc, M: P(sc.parallelize([(i % 3, i) for i in range(30)], 4).sortByKey(True, 2)))
case("sortByKey_empty", lambda sc, M: P(sc.parallelize([], 3).sortByKey()))
case("sortByKey_one", lambda sc, M: P(sc.parallelize([(1, 1)], 3).sortByKey()))
case("sortBy", lambda sc, M: P(sc.parallelize([5, 3, 1, 4, 2, 9, 0], 3).sortBy(lambda x: x)))
case("sortBy_desc", lambda sc, M: P(sc.parallelize([5, 3, 1, 4, 2, 9, 0], 3).sortBy(lambda x: x, False, 2)))
case("sortBy_tuple", lambda sc, M: P(sc.parallelize(SK, 2).sortBy(lambda x: x[1])))
case("sortBy_stab", lambda sc, M: P(sc.parallelize(["bb", "a", "ccc", "dd", "e", "fff"], 2).sortBy(len)))
case("sortByKey_partitioner", lambda sc, M: sc.parallelize(SK, 3).sortByKey().partitioner is not None)
case("repartitionAndSort", lambda sc, M: P(sc.parallelize(IKV, 3).repartitionAndSortWithinPartitions(2)))
case("repartitionAndSort_desc", lambda sc, M: P(sc.parallelize(IKV, 3).repartitionAndSortWithinPartitions(2, ascending=False)))
case("repartitionAndSort_pf", lambda sc, M: P(sc.parallelize(IKV, 3).repartitionAndSortWithinPartitions(3, lambda k: k % 3, True, lambda k: -k)))
case("repartitionAndSort_str", lambda sc, M: P(sc.parallelize(KV, 3).repartitionAndSortWithinPartitions(2)))
# ---- join family
A = [("a", 1), ("b", 4), ("a", 2), ("c", 8)]
B = [("a", 2), ("a", 3), ("d", 9), ("b", 5)]
for op in ["join", "leftOuterJoin", "rightOuterJoin", "fullOuterJoin"]:
    case(op, (lambda o: lambda sc, M: P(getattr(sc.parallelize(A, 2), o)(sc.parallelize(B, 3))))(op))
    case(op + "_n", (lambda o: lambda sc, M: P(getattr(sc.parallelize(A, 2), o)(sc.parallelize(B, 3), 4)))(op))
    case(op + "_int", (lambda o: lambda sc, M: P(getattr(sc.parallelize(IKV[:8], 2), o)(sc.parallelize(IKV[5:12], 1))))(op))
case("join_partitioned", lambda sc, M: P(sc.parallelize(IKV, 2).partitionBy(3).join(sc.parallelize(IKV[:5], 2).partitionBy(3))))
case("cogroup", lambda sc, M: P(sc.parallelize(A, 2).cogroup(sc.parallelize(B, 3)).mapValues(lambda v: tuple(map(list, v)))))
case("cogroup_n", lambda sc, M: P(sc.parallelize(A, 2).cogroup(sc.parallelize(B, 3), 2).mapValues(lambda v: tuple(map(list, v)))))
case("cogroup_type", lambda sc, M: (lambda r: (type(r[1]).__name__, type(r[1][0]).__name__))(sc.parallelize(A).cogroup(sc.parallelize(B)).collect()[0]))
case("groupWith", lambda sc, M: P(sc.parallelize(A, 2).groupWith(sc.parallelize(B, 3), sc.parallelize([("a", 0)], 4)).mapValues(lambda v: tuple(map(list, v)))))
case("groupWith_one", lambda sc, M: P(sc.parallelize(A, 2).groupWith(sc.parallelize(B, 1)).mapValues(lambda v: tuple(map(list, v)))))
case("cartesian", lambda sc, M: P(sc.parallelize([1, 2], 2).cartesian(sc.parallelize(["x", "y", "z"], 2))))
case("cartesian_empty", lambda sc, M: P(sc.parallelize([], 2).cartesian(sc.parallelize([1], 3))))
case("subtract", lambda sc, M: P(sc.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 3)], 2).subtract(sc.parallelize([("a", 3), ("c", None)], 3))))
case("subtract_n", lambda sc, M: P(sc.parallelize(range(10), 2).subtract(sc.parallelize([1, 5, 7], 3), 4)))
case("subtract_int", lambda sc, M: P(sc.parallelize(range(10), 3).subtract(sc.parallelize([1, 5, 7], 1))))
case("subtractByKey", lambda sc, M: P(sc.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 2)], 2).subtractByKey(sc.parallelize([("a", 3), ("c", None)], 3))))
case("subtractByKey_n", lambda sc, M: P(sc.parallelize(IKV, 2).subtractByKey(sc.parallelize([(1, 0)], 3), 2)))
# ---- coalesce / repartition
case("coalesce", lambda sc, M: P(sc.parallelize(range(10), 5).coalesce(2)))
case("coalesce3", lambda sc, M: P(sc.parallelize(range(10), 7).coalesce(3)))
case("coalesce_more", lambda sc, M: P(sc.parallelize(range(10), 2).coalesce(5)))
case("coalesce_shuffle_count", lambda sc, M: (lambda r: (r.getNumPartitions(), sorted(r.collect())))(sc.parallelize(range(10), 2).coalesce(5, True)))
case("repartition_count", lambda sc, M: (lambda r: (r.getNumPartitions(), sorted(r.collect())))(sc.parallelize(range(10), 2).repartition(4)))
case("repartition_glom", lambda sc, M: P(sc.parallelize(range(10), 2).repartition(4)))
case("repartition_glom3", lambda sc, M: P(sc.parallelize(range(20), 3).repartition(2)))
case("coalesce_shuffle_glom", lambda sc, M: P(sc.parallelize(range(10), 3).coalesce(2, True)))
case("coalesce_zero", lambda sc, M: P(sc.parallelize(range(10), 3).coalesce(0)))
# ---- pair helpers
case("mapValues", lambda sc, M: P(sc.parallelize(A, 2).mapValues(lambda v: v * 10)))
case("flatMapValues", lambda sc, M: P(sc.parallelize([("a", ["x", "y"]), ("b", ["p"]), ("c", [])], 2).flatMapValues(lambda v: v)))
case("keys", lambda sc, M: P(sc.parallelize(A, 2).keys()))
case("values", lambda sc, M: P(sc.parallelize(A, 2).values()))
case("lookup", lambda sc, M: sc.parallelize(A, 2).lookup("a"))
case("lookup_missing", lambda sc, M: sc.parallelize(A, 2).lookup("zz"))
case("lookup_partitioned", lambda sc, M: sc.parallelize(IKV, 2).partitionBy(3).lookup(2))
case("lookup_sorted", lambda sc, M: sc.parallelize(SK, 2).sortByKey().lookup("a"))
case("countByKey", lambda sc, M: sc.parallelize(KV, 2).countByKey())
case("countByValue", lambda sc, M: sc.parallelize([1, 2, 1, 2, 2, "a"], 2).countByValue())
case("countByValue_type", lambda sc, M: type(sc.parallelize([1, 2, 1], 2).countByValue()))
case("countByKey_type", lambda sc, M: type(sc.parallelize(KV, 2).countByKey()))
case("collectAsMap", lambda sc, M: sc.parallelize(KV, 2).collectAsMap())
case("reduceByKeyLocally", lambda sc, M: sc.parallelize(KV, 2).reduceByKeyLocally(add))
case("reduceByKeyLocally_type", lambda sc, M: type(sc.parallelize(KV, 2).reduceByKeyLocally(add)))
# ---- zip
case("zip", lambda sc, M: P(sc.parallelize(range(5), 2).zip(sc.parallelize(range(100, 105), 2))))
case("zip_mismatch_parts", lambda sc, M: sc.parallelize(range(5), 2).zip(sc.parallelize(range(5), 3)).collect())
case("zip_mismatch_len", lambda sc, M: sc.parallelize(range(5), 2).zip(sc.parallelize(range(6), 2)).collect())
case("zipWithIndex", lambda sc, M: P(sc.parallelize(list("abcdefg"), 3).zipWithIndex()))
case("zipWithIndex_empty_parts", lambda sc, M: P(sc.parallelize([1, 2], 5).zipWithIndex()))
case("zipWithUniqueId", lambda sc, M: P(sc.parallelize(list("abcdefg"), 3).zipWithUniqueId()))
# ---- histogram
for nm, data, b in [
    ("int4", list(range(51)), 4), ("int1", list(range(10)), 1), ("list", list(range(51)), [0, 10, 20, 50]),
    ("list_out", [-1, 0, 5, 100, 101], [0, 50, 100]), ("float", [1.5, 2.5, 3.5, 10.0], 3),
    ("same", [5, 5, 5], 2), ("empty_list", [], [0, 1]), ("empty_int", [], 2), ("zero", [1, 2], 0),
    ("unsorted", [1, 2], [5, 1]), ("single_bucket", [1, 2], [1]), ("str", ["ab", "ac", "b", "bcd", "c", "z"], ["a", "b", "c"]),
    ("str_int", ["a", "b"], 2), ("nan", [1.0, float("nan"), 3.0], 2), ("nan_list", [1.0, float("nan"), 3.0], [0, 2, 4]),
    ("inf", [1.0, float("inf")], 2), ("tuple", list(range(11)), (0, 5, 10)), ("uneven", [0, 1, 2, 3, 4, 5, 10], [0, 1, 5, 10]),
    ("neg", [-5, -3, 0, 3], 3), ("intbig", list(range(0, 100, 7)), 7), ("dup_buckets", [1, 2], [1, 1, 2]),
    ("float_int_buckets", [0.1, 0.9], 1), ("bool", [True, False], 2), ("none_elem", [None, 1], 2)]:
    case("histogram_" + nm, (lambda d, bb: lambda sc, M: sc.parallelize(d, 2).histogram(bb))(data, b))
# ---- stats
for nm, data in [("ints", [1, 2, 3, 4]), ("floats", [1.5, 2.5, 10.0]), ("one", [7]), ("empty", []), ("mixed", [1, 2.5])]:
    for m in ["stats", "sum", "mean", "variance", "stdev", "sampleStdev", "sampleVariance", "max", "min", "count"]:
        case("%s_%s" % (m, nm), (lambda d, mm: lambda sc, M: getattr(sc.parallelize(d, 2), mm)())(data, m))
case("stats_repr_types", lambda sc, M: (lambda s: (s.count(), s.sum(), s.min(), s.max(), type(s.sum()).__name__, type(s.min()).__name__, s.mean(), s.asDict()))(sc.parallelize([1, 2, 3], 2).stats()))
case("stats_asDict_sample", lambda sc, M: sc.parallelize([1, 2, 3], 2).stats().asDict(True))
case("StatCounter_direct", lambda sc, M: (lambda s: (repr(s), s.count()))(M.StatCounter([1, 2, 3]) if hasattr(M, "StatCounter") else __import__("pyspark.statcounter").statcounter.StatCounter([1, 2, 3])))
case("StatCounter_merge", lambda sc, M: (lambda s: repr(s.merge(10).mergeStats(s.copy())))(M.StatCounter([1, 2]) if hasattr(M, "StatCounter") else __import__("pyspark.statcounter").statcounter.StatCounter([1, 2])))
case("max_key", lambda sc, M: sc.parallelize(["aa", "b", "cccc", "dd"], 2).max(key=len))
case("min_key", lambda sc, M: sc.parallelize(["aa", "b", "cccc", "dd"], 2).min(len))
case("max_ties", lambda sc, M: sc.parallelize([(1, "a"), (2, "b"), (2, "c"), (1, "d")], 2).max(key=lambda x: x[0]))
case("min_ties", lambda sc, M: sc.parallelize([(1, "a"), (2, "b"), (2, "c"), (1, "d")], 2).min(key=lambda x: x[0]))
case("sum_str", lambda sc, M: sc.parallelize(["a"]).sum())
case("sum_empty_float", lambda sc, M: type(sc.parallelize([], 2).sum()).__name__)
case("mean_int_type", lambda sc, M: type(sc.parallelize([2, 4], 2).mean()).__name__)
case("top", lambda sc, M: sc.parallelize([10, 4, 2, 12, 3], 2).top(3))
case("top_key", lambda sc, M: sc.parallelize([10, 4, 2, 12, 3], 2).top(3, key=str))
case("top_more", lambda sc, M: sc.parallelize([10, 4, 2], 2).top(10))
case("top_zero", lambda sc, M: sc.parallelize([10, 4, 2], 2).top(0))
case("top_ties", lambda sc, M: sc.parallelize([(1, "a"), (2, "b"), (2, "c"), (1, "d")], 2).top(2, key=lambda x: x[0]))
case("takeOrdered", lambda sc, M: sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7], 3).takeOrdered(6))
case("takeOrdered_key", lambda sc, M: sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7], 3).takeOrdered(6, key=lambda x: -x))
case("takeOrdered_ties", lambda sc, M: sc.parallelize([(1, "a"), (2, "b"), (2, "c"), (1, "d")], 2).takeOrdered(3, key=lambda x: x[0]))
case("takeOrdered_zero", lambda sc, M: sc.parallelize([10, 4, 2], 2).takeOrdered(0))
case("takeOrdered_neg", lambda sc, M: sc.parallelize([10, 4, 2], 2).takeOrdered(-1))
case("fold", lambda sc, M: sc.parallelize([1, 2, 3, 4, 5], 3).fold(0, add))
case("fold_zero_count", lambda sc, M: sc.parallelize([1, 2, 3, 4, 5], 3).fold(10, add))
case("fold_empty", lambda sc, M: sc.parallelize([], 3).fold(1, add))
case("aggregate", lambda sc, M: sc.parallelize([1, 2, 3, 4], 2).aggregate((0, 0), lambda a, v: (a[0] + v, a[1] + 1), lambda a, b: (a[0] + b[0], a[1] + b[1])))
case("aggregate_zero_count", lambda sc, M: sc.parallelize([1, 2, 3, 4], 3).aggregate(1, add, add))
case("aggregate_empty", lambda sc, M: sc.parallelize([], 2).aggregate((0, 0), lambda a, v: a, lambda a, b: (a[0] + b[0], a[1] + b[1])))
case("treeReduce", lambda sc, M: sc.parallelize(range(-5, 5), 10).treeReduce(add))
case("treeReduce_d1", lambda sc, M: sc.parallelize(range(-5, 5), 10).treeReduce(add, 1))
case("treeReduce_d0", lambda sc, M: sc.parallelize(range(-5, 5), 10).treeReduce(add, 0))
case("treeReduce_empty", lambda sc, M: sc.parallelize([], 3).treeReduce(add))
case("treeAggregate", lambda sc, M: sc.parallelize(range(-5, 5), 10).treeAggregate(0, add, add))
case("treeAggregate_zero", lambda sc, M: sc.parallelize(range(10), 10).treeAggregate(1, add, add, 2))
case("treeAggregate_zero_d1", lambda sc, M: sc.parallelize(range(10), 10).treeAggregate(1, add, add, 1))
case("treeAggregate_zero_d3", lambda sc, M: sc.parallelize(range(10), 10).treeAggregate(1, add, add, 3))
case("treeAggregate_d0", lambda sc, M: sc.parallelize(range(10), 10).treeAggregate(1, add, add, 0))
case("treeAggregate_empty", lambda sc, M: sc.parallelize([], 3).treeAggregate(5, add, add))
case("treeAggregate_list", lambda sc, M: sc.parallelize(range(6), 6).treeAggregate([], lambda a, v: a + [v], lambda a, b: a + b))
case("treeReduce_order", lambda sc, M: sc.parallelize(list("abcdefghij"), 10).treeReduce(add))
case("reduce", lambda sc, M: sc.parallelize(range(10), 3).reduce(add))
case("reduce_empty", lambda sc, M: sc.parallelize([], 3).reduce(add))
case("reduce_empty_parts", lambda sc, M: sc.parallelize([1], 3).reduce(add))
case("reduce_order", lambda sc, M: sc.parallelize(list("abcdef"), 3).reduce(add))
case("max_empty", lambda sc, M: sc.parallelize([], 3).max())
case("min_empty", lambda sc, M: sc.parallelize([], 3).min())
case("first", lambda sc, M: sc.parallelize([], 3).union(sc.parallelize([5, 6], 2)).first())
case("first_empty", lambda sc, M: sc.parallelize([], 3).first())
case("take", lambda sc, M: [sc.parallelize(range(20), 5).take(n) for n in [0, 1, 3, 7, 20, 25]])
case("take_sparse", lambda sc, M: sc.parallelize(range(100), 10).filter(lambda x: x > 90).take(5))
case("take_empty", lambda sc, M: sc.parallelize([], 3).take(3))
case("take_neg", lambda sc, M: sc.parallelize([1, 2], 3).take(-1))
case("isEmpty", lambda sc, M: [sc.parallelize([], 3).isEmpty(), sc.parallelize([1], 3).isEmpty(), sc.parallelize(range(10), 3).filter(lambda x: x > 8).isEmpty()])
case("toLocalIterator", lambda sc, M: (lambda it: (type(it).__name__ in ("generator", "_local_iterator_from_socket"), list(it)))(sc.parallelize(range(7), 3).toLocalIterator()))
case("toLocalIterator_list", lambda sc, M: list(sc.parallelize(range(7), 3).toLocalIterator()))
case("toLocalIterator_prefetch", lambda sc, M: list(sc.parallelize(range(7), 3).toLocalIterator(True)))
case("collect_type", lambda sc, M: type(sc.parallelize(range(3)).collect()).__name__)
case("count", lambda sc, M: sc.parallelize(range(17), 4).count())
case("countApproxDistinct", lambda sc, M: sc.parallelize(range(1000), 3).countApproxDistinct())
case("countApproxDistinct_str", lambda sc, M: sc.parallelize([str(i) for i in range(200)], 3).countApproxDistinct(0.1))
case("countApprox", lambda sc, M: sc.parallelize(range(1000), 10).countApprox(1000, 1.0))
case("sumApprox", lambda sc, M: sc.parallelize(range(1000), 10).sumApprox(1000, 1.0))
case("meanApprox", lambda sc, M: sc.parallelize(range(1000), 10).meanApprox(1000, 1.0))
# ---- accumulators
@case("foreach_acc")
def _(sc, M):
    acc = sc.accumulator(0)
    sc.parallelize(range(10), 3).foreach(lambda x: acc.add(x))
    return acc.value
@case("foreachPartition_acc")
def _(sc, M):
    acc = sc.accumulator(0)
    def f(it):
        acc.add(len(list(it)))
    sc.parallelize(range(10), 3).foreachPartition(f)
    return acc.value
@case("acc_float")
def _(sc, M):
    acc = sc.accumulator(1.5)
    sc.parallelize(range(4), 2).foreach(lambda x: acc.add(x))
    acc += 1
    return (acc.value, repr(acc), str(acc))
@case("acc_repr")
def _(sc, M):
    acc = sc.accumulator(3)
    return (repr(acc).replace(str(acc.aid), "ID"), str(acc))
@case("acc_complex")
def _(sc, M):
    acc = sc.accumulator(1j)
    sc.parallelize(range(4), 2).foreach(lambda x: acc.add(x))
    return acc.value
@case("acc_list_err")
def _(sc, M):
    return sc.accumulator([1])
@case("acc_custom")
def _(sc, M):
    class P(M.AccumulatorParam):
        def zero(self, v): return []
        def addInPlace(self, a, b): a.extend(b) if isinstance(b, list) else a.append(b); return a
    acc = sc.accumulator([], P())
    sc.parallelize(range(4), 2).foreach(lambda x: acc.add(x))
    return sorted(acc.value)
@case("acc_value_in_task")
def _(sc, M):
    acc = sc.accumulator(0)
    def f(x):
        return acc.value
    try:
        return sc.parallelize([1]).map(f).collect()
    except Exception as e:
        return "raised %s" % ("Accumulator.value cannot be accessed inside tasks" in str(e))
@case("broadcast")
def _(sc, M):
    b = sc.broadcast({"a": 1})
    return sc.parallelize(["a", "b"], 2).map(lambda k: b.value.get(k)).collect()
# ---- storage
case("StorageLevel_repr", lambda sc, M: [repr(getattr(M.StorageLevel, n)) for n in ["DISK_ONLY", "DISK_ONLY_2", "DISK_ONLY_3", "MEMORY_ONLY", "MEMORY_ONLY_2", "MEMORY_AND_DISK", "MEMORY_AND_DISK_2", "OFF_HEAP", "MEMORY_AND_DISK_DESER", "NONE" if hasattr(M.StorageLevel, "NONE") else "DISK_ONLY"]])
case("StorageLevel_str", lambda sc, M: [str(getattr(M.StorageLevel, n)) for n in ["DISK_ONLY", "DISK_ONLY_2", "MEMORY_ONLY", "MEMORY_ONLY_2", "MEMORY_AND_DISK", "MEMORY_AND_DISK_2", "OFF_HEAP", "MEMORY_AND_DISK_DESER"]])
case("StorageLevel_custom", lambda sc, M: (repr(M.StorageLevel(True, True, False, True, 3)), str(M.StorageLevel(True, False, False, False)), M.StorageLevel(True, True, False, False) == M.StorageLevel.MEMORY_AND_DISK))
case("StorageLevel_has_NONE", lambda sc, M: hasattr(M.StorageLevel, "NONE"))
case("getStorageLevel_default", lambda sc, M: repr(sc.parallelize([1]).getStorageLevel()))
case("getStorageLevel_cache", lambda sc, M: repr(sc.parallelize([1]).cache().getStorageLevel()))
case("getStorageLevel_persist", lambda sc, M: repr(sc.parallelize([1]).persist().getStorageLevel()))
case("getStorageLevel_persist_disk", lambda sc, M: str(sc.parallelize([1]).persist(M.StorageLevel.DISK_ONLY).getStorageLevel()))
case("getStorageLevel_unpersist", lambda sc, M: repr(sc.parallelize([1]).cache().unpersist().getStorageLevel()))
case("persist_twice", lambda sc, M: repr(sc.parallelize([1]).persist(M.StorageLevel.DISK_ONLY).persist(M.StorageLevel.MEMORY_ONLY).getStorageLevel()))
case("is_cached", lambda sc, M: (sc.parallelize([1]).is_cached, sc.parallelize([1]).cache().is_cached))
case("cache_returns_self", lambda sc, M: (lambda r: r.cache() is r)(sc.parallelize([1])))
case("toDebugString_type", lambda sc, M: type(sc.parallelize([1]).map(str).toDebugString()).__name__)
case("toDebugString_lines", lambda sc, M: len(sc.parallelize([(1, 1)], 2).reduceByKey(add).map(str).toDebugString().splitlines()))
case("rdd_name", lambda sc, M: (sc.parallelize([1]).name(), sc.parallelize([1]).setName("x").name()))
case("rdd_id_type", lambda sc, M: type(sc.parallelize([1]).id()).__name__)
case("rdd_repr_prefix", lambda sc, M: repr(sc.parallelize([1], 2)).split("[")[0])
case("rdd_repr_map_prefix", lambda sc, M: repr(sc.parallelize([1], 2).map(str)).split("[")[0])
case("rdd_repr_range", lambda sc, M: repr(sc.range(3)).split("[")[0])
case("rdd_context", lambda sc, M: sc.parallelize([1]).context is sc)
case("isCheckpointed", lambda sc, M: (sc.parallelize([1]).isCheckpointed(), sc.parallelize([1]).getCheckpointFile()))
# ---- conf
@case("SparkConf")
def _(sc, M):
    c = M.SparkConf(loadDefaults=False).setMaster("local[3]").setAppName("x").set("spark.a", "1").set("spark.b", 2)
    return (c.get("spark.a"), c.get("spark.b"), c.get("missing"), c.get("missing", "d"), sorted(c.getAll()), c.contains("spark.a"), c.toDebugString())
@case("SparkConf_setAll")
def _(sc, M):
    c = M.SparkConf(loadDefaults=False).setAll([("k1", "v1"), ("k2", 3)]).setIfMissing("k1", "zz").setIfMissing("k3", "v3")
    c.setExecutorEnv("E", "1"); c.setExecutorEnv(pairs=[("F", "2")])
    c.setSparkHome("/h")
    return (sorted(c.getAll()), c.toDebugString())
@case("SparkConf_bool")
def _(sc, M):
    c = M.SparkConf(loadDefaults=False).set("b", True).set("n", None)
    return (c.get("b"), c.get("n"), sorted(c.getAll()))
@case("SparkConf_repr_type")
def _(sc, M):
    return type(M.SparkConf(loadDefaults=False).getAll()).__name__
case("sc_getConf_master", lambda sc, M: (sc.getConf().get("spark.master"), sc.getConf().get("spark.app.name"), sc.master, sc.appName))
case("sc_version", lambda sc, M: sc.version)
case("sc_startTime_type", lambda sc, M: type(sc.startTime).__name__)
case("sc_getLocalProperty", lambda sc, M: (sc.setLocalProperty("k", "v"), sc.getLocalProperty("k"), sc.getLocalProperty("none")))
case("TaskContext_in_task", lambda sc, M: sc.parallelize(range(4), 2).mapPartitions(lambda it: [(M.TaskContext.get().partitionId(), M.TaskContext.get().attemptNumber(), M.TaskContext.get().stageId() >= 0)]).collect())
case("TaskContext_driver", lambda sc, M: M.TaskContext.get())
# ---- textFile
@case("textFile")
def _(sc, M):
    d = DATA + "/data"; os.makedirs(d, exist_ok=True)
    p = d + "/a.txt"
    with open(p, "w") as f:
        f.write("\n".join("line %d" % i for i in range(100)) + "\n")
    return [P(sc.textFile(p, n)) for n in [None, 1, 3, 5]]
@case("textFile_dir")
def _(sc, M):
    d = DATA + "/data2"; os.makedirs(d, exist_ok=True)
    for i in range(3):
        with open("%s/part-%d" % (d, i), "w") as f:
            f.write("x%d\ny%d\n" % (i, i))
    return [P(sc.textFile(d, n)) for n in [None, 1, 4]]
@case("textFile_empty")
def _(sc, M):
    p = DATA + "/empty.txt"; open(p, "w").close()
    return P(sc.textFile(p))
@case("textFile_noeol")
def _(sc, M):
    p = DATA + "/noeol.txt"
    with open(p, "w") as f:
        f.write("a\r\nb\n\nc")
    return P(sc.textFile(p))
@case("wholeTextFiles")
def _(sc, M):
    d = DATA + "/data2"
    return sorted((os.path.basename(k), v) for k, v in sc.wholeTextFiles(d).collect())
@case("wholeTextFiles_parts")
def _(sc, M):
    return sc.wholeTextFiles(DATA + "/data2").getNumPartitions()
@case("textFile_missing")
def _(sc, M):
    return sc.textFile(DATA + "/nonexistent").count()
# ---- round 2: float-compared stats, hashing, partition counts, edge cases
def F(x):
    try:
        return float(x)
    except Exception:
        return repr(x)
for nm, data in [("ints", [1, 2, 3, 4]), ("floats", [1.5, 2.5, 10.0]), ("one", [7]), ("empty", []), ("mixed", [1, 2.5])]:
    for m in ["mean", "variance", "stdev", "sampleStdev", "sampleVariance"]:
        case("R2_%s_%s" % (m, nm), (lambda d, mm: lambda sc, M: F(getattr(sc.parallelize(d, 2), mm)()))(data, m))
    case("R2_stats_%s" % nm, (lambda d: lambda sc, M: (lambda s: (s.count(), F(s.mean()), F(s.sum()), F(s.min()), F(s.max()), F(s.stdev()), F(s.sampleStdev()), F(s.variance()), F(s.sampleVariance()), repr(s).replace("np.float64(", "").replace("np.int64(", "").replace(")", "")))(sc.parallelize(d, 2).stats()))(data))
case("R2_stats_types", lambda sc, M: (lambda s: [type(x).__name__ for x in (s.count(), s.mean(), s.sum(), s.min(), s.max(), s.stdev(), s.variance())])(sc.parallelize([1, 2, 3], 2).stats()))
case("R2_stats_types_f", lambda sc, M: (lambda s: [type(x).__name__ for x in (s.count(), s.mean(), s.sum(), s.min(), s.max(), s.stdev(), s.variance())])(sc.parallelize([1.0, 2.5], 2).stats()))
case("R2_stats_asDict", lambda sc, M: {k: F(v) for k, v in sc.parallelize([1, 2, 3], 2).stats().asDict(True).items()})
case("R2_mean_type", lambda sc, M: type(sc.parallelize([2, 4], 2).mean()).__name__)
case("R2_stdev_type", lambda sc, M: type(sc.parallelize([2, 4], 2).stdev()).__name__)
case("R2_max_type", lambda sc, M: type(sc.parallelize([2, 4], 2).max()).__name__)
case("R2_sum_type", lambda sc, M: type(sc.parallelize([2, 4], 2).sum()).__name__)
case("R2_StatCounter_empty", lambda sc, M: (lambda s: (s.count(), F(s.mean()), F(s.stdev()), F(s.min()), F(s.max()), F(s.sampleStdev())))(sc.parallelize([], 2).stats()))
for n in ["ResultIterable", "ResultIterable_repr_prefix", "partitioner_attrs", "portable_hash", "lookup_partitioned"]:
    case("R2_" + n, CASES[n])
case("R2_portable_hash_str", lambda sc, M: [M.rdd.portable_hash(x) for x in ["", "a", "abc", "héllo", "日本", ("a", 1), b"xy"]] if hasattr(M, "rdd") else [M.portable_hash(x) for x in ["", "a", "abc", "héllo", "日本", ("a", 1), b"xy"]])
case("R2_lookup_str_partitioned", lambda sc, M: [sc.parallelize(KV, 2).partitionBy(3).lookup(k) for k in "abcdz"])
case("R2_sortByKey_keyfunc", lambda sc, M: P(sc.parallelize([(s, i) for i, s in enumerate("bAcaDEfG")], 3).sortByKey(True, 2, keyfunc=str.lower)))
case("R2_sortByKey_keyfunc_desc", lambda sc, M: P(sc.parallelize([(s, i) for i, s in enumerate("bAcaDEfG")], 3).sortByKey(False, 3, keyfunc=str.lower)))
case("R2_sortByKey_big", lambda sc, M: sc.parallelize([((i * 7919) % 1000, i) for i in range(1000)], 4).sortByKey(True, 4).glom().map(lambda p: (len(p), p[0] if p else None)).collect())
case("R2_sortByKey_big_desc", lambda sc, M: sc.parallelize([((i * 7919) % 1000, i) for i in range(1000)], 4).sortByKey(False, 3).glom().map(lambda p: (len(p), p[0] if p else None)).collect())
case("R2_sortBy_big", lambda sc, M: sc.parallelize([(i * 31) % 997 for i in range(997)], 3).sortBy(lambda x: x, True, 5).glom().map(lambda p: (len(p), p[0] if p else None)).collect())
case("R2_sortByKey_str_big", lambda sc, M: sc.parallelize([("k%d" % ((i * 13) % 300), i) for i in range(300)], 3).sortByKey(True, 4).glom().map(lambda p: (len(p), p[0] if p else None)).collect())
case("R2_sortByKey_default_parts", lambda sc, M: sc.parallelize(SK, 3).sortByKey().getNumPartitions())
case("R2_sortByKey_default_parts_1", lambda sc, M: sc.parallelize(SK, 1).sortByKey().getNumPartitions())
case("R2_sortByKey_empty_n", lambda sc, M: P(sc.parallelize([], 3).sortByKey(True, 2)))
case("R2_groupByKey_big", lambda sc, M: sc.parallelize([(i % 37, i) for i in range(500)], 4).groupByKey().mapValues(len).glom().map(lambda p: p[:3]).collect())
case("R2_distinct_big", lambda sc, M: sc.parallelize([i % 97 for i in range(500)], 4).distinct(3).glom().map(lambda p: p[:4]).collect())
case("R2_partitionBy_str_big", lambda sc, M: sc.parallelize([("key%d" % i, i) for i in range(30)], 2).partitionBy(4).glom().map(lambda p: [k for k, _ in p]).collect())
@case("R2_acc_value_in_task_msg2")
def _(sc, M):
    acc = sc.accumulator(0)
    def f(x):
        try:
            acc.value
        except Exception as e:
            return (type(e).__name__, str(e))
    return sc.parallelize([1]).map(f).collect()
@case("R2_acc_set_value_in_task")
def _(sc, M):
    acc = sc.accumulator(0)
    def f(x):
        try:
            acc.value = 5
        except Exception as e:
            return (type(e).__name__, str(e))
    return sc.parallelize([1]).map(f).collect()
case("R2_groupBy", lambda sc, M: P(sc.parallelize([1, 1, 2, 3, 5, 8], 2).groupBy(lambda x: x % 2).mapValues(sorted)))
case("R2_groupBy_n", lambda sc, M: P(sc.parallelize([1, 1, 2, 3, 5, 8], 2).groupBy(lambda x: x % 3, 2).mapValues(list)))
case("R2_pipe", lambda sc, M: P(sc.parallelize(["1", "2", "", "3"], 2).pipe("cat")))
case("R2_pipe_int", lambda sc, M: sc.parallelize([1, 2], 2).pipe("cat").collect())
case("R2_pipe_fail", lambda sc, M: type(sc.parallelize(["1"], 1).pipe("false", checkCode=True).collect()).__name__)
case("R2_mapPartitions_preserve", lambda sc, M: (sc.parallelize(IKV).partitionBy(2).mapPartitions(lambda it: it, True).partitioner is not None, sc.parallelize(IKV).partitionBy(2).mapPartitions(lambda it: it).partitioner))
case("R2_partitioner_after", lambda sc, M: [r.partitioner is not None for r in (lambda b: [b.mapValues(str), b.flatMapValues(lambda v: [v]), b.filter(lambda x: True), b.map(lambda x: x), b.keys(), b.distinct(), b.groupByKey(), b.sortByKey(), b.union(b), b.coalesce(1), b.sample(False, 0.5, 1), b.cache(), b.glom()])(sc.parallelize(IKV).partitionBy(2))])
case("R2_sample_frac_gt1", lambda sc, M: sc.parallelize(range(10)).sample(False, 1.5, 1).count())
case("R2_takeSample_toobig", lambda sc, M: sc.parallelize(range(10)).takeSample(True, 2**63, 1))
case("R2_takeSample_wr_big", lambda sc, M: sc.parallelize(range(10), 2).takeSample(True, 25, 3))
case("R2_randomSplit_zero", lambda sc, M: [r.collect() for r in sc.parallelize(range(10)).randomSplit([0, 1], 1)])
case("R2_randomSplit_neg", lambda sc, M: [r.collect() for r in sc.parallelize(range(10)).randomSplit([-1, 2], 1)])
case("R2_top_empty", lambda sc, M: sc.parallelize([], 2).top(3))
case("R2_takeOrdered_empty", lambda sc, M: sc.parallelize([], 2).takeOrdered(3))
case("R2_countByValue_str", lambda sc, M: sorted(sc.parallelize("mississippi", 3).countByValue().items()))
case("R2_range_step0", lambda sc, M: sc.range(0, 10, 0).collect())
case("R2_range_big", lambda sc, M: sc.range(0, 10**12, 10**11, 3).glom().collect())
case("R2_range_type", lambda sc, M: type(sc.range(3).collect()[0]).__name__)
case("R2_add_nonrdd", lambda sc, M: sc.parallelize([1]) + [2])
case("R2_union_nonrdd", lambda sc, M: sc.parallelize([1]).union([2]).collect())
case("R2_flatMap_gen", lambda sc, M: sc.parallelize([3, 2], 2).flatMap(lambda x: (i for i in range(x))).collect())
case("R2_foreach_ret", lambda sc, M: sc.parallelize([1]).foreach(lambda x: x))
case("R2_foreachPartition_ret", lambda sc, M: sc.parallelize([1]).foreachPartition(lambda x: x))
case("R2_leftOuterJoin_none", lambda sc, M: sorted(sc.parallelize([("a", None), ("b", 1)]).leftOuterJoin(sc.parallelize([("a", None)])).collect()))
case("R2_join_dups", lambda sc, M: P(sc.parallelize([(1, "a"), (1, "b"), (2, "c")], 2).join(sc.parallelize([(1, "x"), (1, "y"), (2, "z")], 2), 2)))
case("R2_zip_same_parent", lambda sc, M: (lambda r: P(r.zip(r.map(lambda x: x * 2))))(sc.parallelize(range(7), 3)))
case("R2_zip_diff_batches", lambda sc, M: P(sc.parallelize(range(6), 2).zip(sc.parallelize(list("abcdef"), 2))))
case("R2_cartesian_big", lambda sc, M: sc.parallelize(range(5), 2).cartesian(sc.parallelize(range(4), 3)).glom().map(len).collect())
case("R2_coalesce_union", lambda sc, M: P(sc.union([sc.parallelize(range(3), 3), sc.parallelize(range(3, 9), 4)]).coalesce(3)))
case("R2_coalesce_many", lambda sc, M: P(sc.parallelize(range(20), 10).coalesce(4)))
case("R2_coalesce_many2", lambda sc, M: P(sc.parallelize(range(23), 11).coalesce(3)))
case("R2_histogram_minmax_float", lambda sc, M: sc.parallelize([1.0, 1.0], 2).histogram(3))
case("R2_histogram_int_float_mix", lambda sc, M: sc.parallelize([1, 2, 3, 4, 5, 6], 2).histogram(4))
case("R2_histogram_int_exact", lambda sc, M: sc.parallelize(list(range(10)), 2).histogram(3))
case("R2_histogram_big", lambda sc, M: sc.parallelize(list(range(1000)), 3).histogram(7))
case("R2_histogram_float_step", lambda sc, M: sc.parallelize([0.0, 0.1, 0.2, 0.3], 2).histogram(3))
case("R2_histogram_zero_buckets_list", lambda sc, M: sc.parallelize([1]).histogram([]))
case("R2_histogram_nan_bucket", lambda sc, M: sc.parallelize([1]).histogram([0, float("nan")]))
case("R2_histogram_mixed_types", lambda sc, M: sc.parallelize([1, "a"]).histogram(2))
case("R2_collectAsMap_type", lambda sc, M: type(sc.parallelize(KV).collectAsMap()).__name__)
case("R2_countByValue_repr", lambda sc, M: repr(sc.parallelize([1, 1, 2], 2).countByValue()))
case("R2_countByKey_repr", lambda sc, M: repr(sc.parallelize([(1, 1), (1, 2), (2, 2)], 2).countByKey()))
case("R2_zipWithIndex_many", lambda sc, M: sc.parallelize(range(20), 6).zipWithIndex().glom().map(lambda p: [i for _, i in p]).collect())
case("R2_zipWithUniqueId_many", lambda sc, M: sc.parallelize(range(20), 6).zipWithUniqueId().glom().map(lambda p: [i for _, i in p]).collect())
case("R2_glom_type", lambda sc, M: type(sc.parallelize([1], 1).glom().collect()[0]).__name__)
case("R2_parallelize_str_many", lambda sc, M: P(sc.parallelize("ab", 5)))
case("R2_parallelize_bytes", lambda sc, M: P(sc.parallelize(b"abc", 2)))
case("R2_parallelize_nested", lambda sc, M: P(sc.parallelize([[1, 2], (3,), {"a": 1}, None], 3)))
case("R2_parallelize_numpy_free_float", lambda sc, M: P(sc.parallelize([1.5, float("inf"), -0.0], 2)))
case("R2_emptyRDD_ops", lambda sc, M: (sc.emptyRDD().take(3), sc.emptyRDD().collect(), sc.emptyRDD().glom().collect(), sc.emptyRDD().getNumPartitions(), sc.emptyRDD().countByValue(), sc.emptyRDD().distinct().getNumPartitions()))
case("R2_emptyRDD_union", lambda sc, M: P(sc.emptyRDD().union(sc.parallelize([1], 2))))
case("R2_emptyRDD_reduce", lambda sc, M: sc.emptyRDD().reduce(add))
case("R2_emptyRDD_sum", lambda sc, M: sc.emptyRDD().sum())
case("R2_emptyRDD_repr", lambda sc, M: repr(sc.emptyRDD()).split("[")[0])
case("R2_union_many", lambda sc, M: sc.union([sc.parallelize([i], 1) for i in range(5)]).glom().collect())
case("R2_sc_union_empty", lambda sc, M: sc.union([]))
case("R2_sc_union_one", lambda sc, M: P(sc.union([sc.parallelize([1, 2], 2)])))
case("R2_aggregateByKey_n", lambda sc, M: P(sc.parallelize(IKV, 3).aggregateByKey(0, add, add, 2)))
case("R2_combineByKey_default", lambda sc, M: sc.parallelize(IKV, 3).combineByKey(str, lambda c, v: c + str(v), lambda a, b: a + b).getNumPartitions())
case("R2_foldByKey_mutable", lambda sc, M: sorted(sc.parallelize(KV, 3).foldByKey([], lambda a, b: a + [b] if not isinstance(b, list) else a + b).collect()))
case("R2_subtract_default_parts", lambda sc, M: [sc.parallelize(range(10), a).subtract(sc.parallelize([1], b)).getNumPartitions() for a, b in [(1, 3), (3, 1), (2, 2)]])
case("R2_intersection_parts", lambda sc, M: [sc.parallelize(range(10), a).intersection(sc.parallelize([1], b)).getNumPartitions() for a, b in [(1, 3), (3, 1), (2, 2)]])
case("R2_join_parts", lambda sc, M: [sc.parallelize(IKV, a).join(sc.parallelize(IKV, b)).getNumPartitions() for a, b in [(1, 3), (3, 1), (2, 2), (5, 4)]])
case("R2_cogroup_parts", lambda sc, M: [sc.parallelize(IKV, a).cogroup(sc.parallelize(IKV, b)).getNumPartitions() for a, b in [(1, 3), (3, 1), (2, 2)]])
case("R2_groupWith_parts", lambda sc, M: sc.parallelize(IKV, 1).groupWith(sc.parallelize(IKV, 2), sc.parallelize(IKV, 5)).getNumPartitions())
case("R2_reduceByKey_parts", lambda sc, M: [sc.parallelize(IKV, a).reduceByKey(add).getNumPartitions() for a in [1, 3, 7]])
case("R2_union_parts", lambda sc, M: sc.parallelize(IKV, 3).union(sc.parallelize(IKV, 2)).getNumPartitions())
case("R2_distinct_parts", lambda sc, M: [sc.parallelize(IKV, a).distinct().getNumPartitions() for a in [1, 3]])
case("R2_cartesian_parts", lambda sc, M: sc.parallelize(IKV, 3).cartesian(sc.parallelize(IKV, 2)).getNumPartitions())
case("R2_zipWithIndex_parts", lambda sc, M: sc.parallelize(IKV, 3).zipWithIndex().getNumPartitions())
case("R2_lookup_none", lambda sc, M: sc.parallelize([(None, 1), (None, 2), (1, 3)], 2).lookup(None))
case("R2_keyBy_tuple", lambda sc, M: sc.parallelize([(1, 2)]).keyBy(lambda x: x).collect())
case("R2_values_nonpair", lambda sc, M: sc.parallelize([(1, 2, 3)]).values().collect())
case("R2_keys_nonpair", lambda sc, M: sc.parallelize(["ab"]).keys().collect())
case("R2_max_mixed", lambda sc, M: sc.parallelize([1, 2.5, True], 2).max())
case("R2_min_str", lambda sc, M: sc.parallelize(["b", "a", "c"], 2).min())
case("R2_first_type", lambda sc, M: sc.parallelize([(1, [2])]).first())
case("R2_take_all_parts", lambda sc, M: sc.parallelize(range(30), 10).filter(lambda x: x in (0, 29)).take(2))
case("R2_sampleStdev_empty", lambda sc, M: F(sc.parallelize([], 1).sampleStdev()))
case("R2_mean_empty", lambda sc, M: F(sc.parallelize([], 1).mean()))
case("R2_StatCounter_repr_int", lambda sc, M: repr(sc.parallelize([1, 2], 1).stats()))
case("R2_getNumPartitions_textFile", lambda sc, M: [sc.textFile(DATA + "/a.txt", n).getNumPartitions() for n in [1, 2, 3, 4, 8, 100]])
case("R2_textFile_glob", lambda sc, M: sorted(sc.textFile(DATA + "/data2/part-*").collect()))
case("R2_textFile_comma", lambda sc, M: sc.textFile(DATA + "/data2/part-0," + DATA + "/data2/part-1").collect())
case("R2_textFile_unicode", lambda sc, M: (lambda p: (open(p, "w", encoding="utf-8").write("héllo\n日本\n"), sc.textFile(p).collect(), sc.textFile(p, use_unicode=False).collect()))(DATA + "/u.txt"))
case("R2_sc_parallelize_numSlices_kw", lambda sc, M: sc.parallelize(c=[1, 2, 3], numSlices=2).glom().collect())
case("R2_conf_get_int", lambda sc, M: (lambda c: (c.get("x"), type(c.get("x")).__name__))(M.SparkConf(loadDefaults=False).set("x", 1)))
case("R2_conf_debugstring_order", lambda sc, M: M.SparkConf(loadDefaults=False).set("z", "1").set("a", "2").setAppName("q").toDebugString())
case("R2_conf_setMaster_return", lambda sc, M: type(M.SparkConf(loadDefaults=False).setMaster("local")).__name__)
case("R2_conf_get_default_none", lambda sc, M: M.SparkConf(loadDefaults=False).get("nope", None))
case("R2_conf_getAll_sc", lambda sc, M: sorted(k for k, v in sc.getConf().getAll() if k in ("spark.master", "spark.app.name")))
case("R2_StorageLevel_eq", lambda sc, M: (M.StorageLevel.MEMORY_ONLY == M.StorageLevel(False, True, False, False, 1), M.StorageLevel.MEMORY_ONLY == M.StorageLevel(False, True, False, True, 1)))
case("R2_StorageLevel_attrs", lambda sc, M: (lambda s: (s.useDisk, s.useMemory, s.useOffHeap, s.deserialized, s.replication))(M.StorageLevel.MEMORY_AND_DISK_2))
case("R2_persist_level_kw", lambda sc, M: str(sc.parallelize([1]).persist(storageLevel=M.StorageLevel.MEMORY_AND_DISK).getStorageLevel()))
case("R2_unpersist_ret", lambda sc, M: (lambda r: (r.cache().unpersist() is r, r.is_cached))(sc.parallelize([1])))
case("R2_setName_ret", lambda sc, M: (lambda r: r.setName("n") is r)(sc.parallelize([1])))
case("R2_toDebugString_startswith", lambda sc, M: sc.parallelize([1], 3).toDebugString()[:4])


# observed on PySpark 3.5.3 (local[2], PYTHONHASHSEED=0)
OBSERVED = {
    'parallelize_list_None': (2, [[1, 2], [3, 4, 5]]),
    'parallelize_list_1': (1, [[1, 2, 3, 4, 5]]),
    'parallelize_list_2': (2, [[1, 2], [3, 4, 5]]),
    'parallelize_list_3': (3, [[1], [2, 3], [4, 5]]),
    'parallelize_list_4': (4, [[1], [2], [3], [4, 5]]),
    'parallelize_list_7': (7, [[], [1], [2], [], [3], [4], [5]]),
    'parallelize_list_12': (12, [[], [], [1], [], [2], [], [], [3], [], [4], [], [5]]),
    'parallelize_tuple_None': (2, [[1, 2], [3, 4, 5]]),
    'parallelize_tuple_1': (1, [[1, 2, 3, 4, 5]]),
    'parallelize_tuple_2': (2, [[1, 2], [3, 4, 5]]),
    'parallelize_tuple_3': (3, [[1], [2, 3], [4, 5]]),
    'parallelize_tuple_4': (4, [[1], [2], [3], [4, 5]]),
    'parallelize_tuple_7': (7, [[], [1], [2], [], [3], [4], [5]]),
    'parallelize_tuple_12': (12, [[], [], [1], [], [2], [], [], [3], [], [4], [], [5]]),
    'parallelize_range_None': (2, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]),
    'parallelize_range_1': (1, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]),
    'parallelize_range_2': (2, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]),
    'parallelize_range_3': (3, [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]]),
    'parallelize_range_4': (4, [[0, 1], [2, 3, 4], [5, 6], [7, 8, 9]]),
    'parallelize_range_7': (7, [[0], [1], [2, 3], [4], [5, 6], [7], [8, 9]]),
    'parallelize_range_12': (12, [[], [0], [1], [2], [3], [4], [], [5], [6], [7], [8], [9]]),
    'parallelize_range_step_None': (2, [[0, 3, 6], [9, 12, 15, 18]]),
    'parallelize_range_step_1': (1, [[0, 3, 6, 9, 12, 15, 18]]),
    'parallelize_range_step_2': (2, [[0, 3, 6], [9, 12, 15, 18]]),
    'parallelize_range_step_3': (3, [[0, 3], [6, 9], [12, 15, 18]]),
    'parallelize_range_step_4': (4, [[0], [3, 6], [9, 12], [15, 18]]),
    'parallelize_range_step_7': (7, [[0], [3], [6], [9], [12], [15], [18]]),
    'parallelize_range_step_12': (12, [[], [0], [], [3], [], [6], [9], [], [12], [], [15], [18]]),
    'parallelize_str_None': (2, [['h', 'e'], ['l', 'l', 'o']]),
    'parallelize_str_1': (1, [['h', 'e', 'l', 'l', 'o']]),
    'parallelize_str_2': (2, [['h', 'e'], ['l', 'l', 'o']]),
    'parallelize_str_3': (3, [['h'], ['e', 'l'], ['l', 'o']]),
    'parallelize_str_4': (4, [['h'], ['e'], ['l'], ['l', 'o']]),
    'parallelize_str_7': (7, [[], ['h'], ['e'], [], ['l'], ['l'], ['o']]),
    'parallelize_str_12': (12, [[], [], ['h'], [], ['e'], [], [], ['l'], [], ['l'], [], ['o']]),
    'parallelize_empty_None': (2, [[], []]),
    'parallelize_empty_1': (1, [[]]),
    'parallelize_empty_2': (2, [[], []]),
    'parallelize_empty_3': (3, [[], [], []]),
    'parallelize_empty_4': (4, [[], [], [], []]),
    'parallelize_empty_7': (7, [[], [], [], [], [], [], []]),
    'parallelize_empty_12': (12, [[], [], [], [], [], [], [], [], [], [], [], []]),
    'parallelize_range_neg_None': (2, [[10, 8], [6, 4, 2]]),
    'parallelize_range_neg_1': (1, [[10, 8, 6, 4, 2]]),
    'parallelize_range_neg_2': (2, [[10, 8], [6, 4, 2]]),
    'parallelize_range_neg_3': (3, [[10], [8, 6], [4, 2]]),
    'parallelize_range_neg_4': (4, [[10], [8], [6], [4, 2]]),
    'parallelize_range_neg_7': (7, [[], [10], [8], [], [6], [4], [2]]),
    'parallelize_range_neg_12': (12, [[], [], [10], [], [8], [], [], [6], [], [4], [], [2]]),
    'parallelize_range_empty_None': (2, [[], []]),
    'parallelize_range_empty_1': (1, [[]]),
    'parallelize_range_empty_2': (2, [[], []]),
    'parallelize_range_empty_3': (3, [[], [], []]),
    'parallelize_range_empty_4': (4, [[], [], [], []]),
    'parallelize_range_empty_7': (7, [[], [], [], [], [], [], []]),
    'parallelize_range_empty_12': (12, [[], [], [], [], [], [], [], [], [], [], [], []]),
    'parallelize_gen': (3, [[0, 1], [4, 9], [16, 25, 36]]),
    'parallelize_set': [1, 2, 3],
    'parallelize_dict': (2, [['a'], ['b']]),
    'parallelize_neg': RaisesSomething(),  # PySpark: Py4JJavaError: An error occurred while calling o733.part
    'parallelize_range_type': 'list',
    'parallelize_range_float': (5, [[], [0], [], [1], [2]]),
    'parallelize_bigrange': [142, 143, 143, 143, 143, 143, 143],
    'parallelize_big': [142, 142, 142, 142, 142, 142, 148],
    'defaultParallelism': (2, 2),
    'range_(5,)_None': (2, [[0, 1], [2, 3, 4]]),
    'range_(5,)_1': (1, [[0, 1, 2, 3, 4]]),
    'range_(5,)_3': (3, [[0], [1, 2], [3, 4]]),
    'range_(5,)_4': (4, [[0], [1], [2], [3, 4]]),
    'range_(0, 10)_None': (2, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]),
    'range_(0, 10)_1': (1, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]),
    'range_(0, 10)_3': (3, [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]]),
    'range_(0, 10)_4': (4, [[0, 1], [2, 3, 4], [5, 6], [7, 8, 9]]),
    'range_(0, 10, 3)_None': (2, [[0, 3], [6, 9]]),
    'range_(0, 10, 3)_1': (1, [[0, 3, 6, 9]]),
    'range_(0, 10, 3)_3': (3, [[0], [3], [6, 9]]),
    'range_(0, 10, 3)_4': (4, [[0], [3], [6], [9]]),
    'range_(10, 0, -2)_None': (2, [[10, 8], [6, 4, 2]]),
    'range_(10, 0, -2)_1': (1, [[10, 8, 6, 4, 2]]),
    'range_(10, 0, -2)_3': (3, [[10], [8, 6], [4, 2]]),
    'range_(10, 0, -2)_4': (4, [[10], [8], [6], [4, 2]]),
    'range_(0,)_None': (2, [[], []]),
    'range_(0,)_1': (1, [[]]),
    'range_(0,)_3': (3, [[], [], []]),
    'range_(0,)_4': (4, [[], [], [], []]),
    'range_(1, 10, 2)_None': (2, [[1, 3], [5, 7, 9]]),
    'range_(1, 10, 2)_1': (1, [[1, 3, 5, 7, 9]]),
    'range_(1, 10, 2)_3': (3, [[1], [3, 5], [7, 9]]),
    'range_(1, 10, 2)_4': (4, [[1], [3], [5], [7, 9]]),
    'range_(5, 1)_None': (2, [[], []]),
    'range_(5, 1)_1': (1, [[]]),
    'range_(5, 1)_3': (3, [[], [], []]),
    'range_(5, 1)_4': (4, [[], [], [], []]),
    'emptyRDD': ((0, []), True, 0),
    'map': (3, [[0, 2], [4, 6], [8, 10]]),
    'flatMap': (2, [[1], [1, 2, 1, 2, 3]]),
    'flatMap_str': ['a', 'b', 'c'],
    'filter': (3, [[1], [3, 5], [7, 9]]),
    'mapPartitions': (3, [[3], [12], [30]]),
    'mapPartitionsWithIndex': (3, [[(0, [0, 1, 2])], [(1, [3, 4, 5])], [(2, [6, 7, 8, 9])]]),
    'mapPartitionsWithSplit': [0, 1],
    'keyBy': (2, [[(0, 0), (1, 1)], [(4, 2), (9, 3)]]),
    'glom_empty_parts': (4, [[], [], [], [1]]),
    'sample_False_0.0_0': (4, [[], [], [], []]),
    'sample_False_0.0_42': (4, [[], [], [], []]),
    'sample_False_0.0_12345': (4, [[], [], [], []]),
    'sample_False_0.1_0': (4, [[24], [36, 38], [], [86, 90]]),
    'sample_False_0.1_42': (4, [[0, 3, 10, 17, 18], [31, 42, 45, 48], [52, 56, 66], [84, 86, 98]]),
    'sample_False_0.1_12345': (4, [[12, 16, 20], [26, 29], [63], [75, 80, 91]]),
    'sample_False_0.5_0': (4, [[1, 4, 9, 13, 14, 15, 19, 21, 24], [25, 27, 31, 34, 35, 36, 38, 47], [55, 60, 63, 65, 66, 67, 68, 69, 71], [76, 78, 80, 86, 89, 90, 92, 97, 99]]),
    'sample_False_0.5_42': (4, [[0, 1, 3, 4, 7, 10, 13, 14, 16, 17, 18], [30, 31, 32, 33, 34, 35, 37, 38, 40, 41, 42, 44, 45, 46, 47, 48], [52, 53, 56, 58, 59, 60, 65, 66, 69, 71, 74], [77, 78, 79, 81, 84, 86, 89, 92, 94, 98, 99]]),
    'sample_False_0.5_12345': (4, [[1, 4, 10, 11, 12, 14, 15, 16, 19, 20, 22, 24], [26, 27, 28, 29, 32, 38, 39, 40, 41, 43, 45, 46], [50, 54, 55, 56, 57, 60, 61, 63, 64, 67, 69, 71, 72, 74], [75, 77, 80, 81, 83, 85, 86, 87, 88, 89, 91, 93, 94, 98, 99]]),
    'sample_False_1.0_0': (4, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24], [25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49], [50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74], [75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99]]),
    'sample_False_1.0_42': (4, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24], [25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49], [50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74], [75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99]]),
    'sample_False_1.0_12345': (4, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24], [25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49], [50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74], [75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99]]),
    'sample_True_0.1_0': (4, [[5, 16], [41, 44, 48], [50, 55, 59, 71, 74], [75, 95, 98]]),
    'sample_True_0.1_42': (4, [[15, 23], [27, 28, 37, 47], [64], [95, 96]]),
    'sample_True_0.1_12345': (4, [[], [42, 46], [51], [82, 83]]),
    'sample_True_0.5_0': (4, [[2, 4, 4, 4, 4, 5, 5, 9, 10, 11, 12, 14, 15, 18, 20, 23, 23], [26, 27, 28, 29, 33, 34, 35, 35, 36, 36, 38, 39, 39, 40, 40, 41, 43, 43, 43, 44, 45, 47, 48, 49], [50, 50, 51, 53, 54, 54, 55, 55, 56, 65, 68, 71, 72, 73], [75, 76, 77, 78, 80, 82, 85, 86, 86, 87, 88, 89, 89, 92, 93, 99, 99]]),
    'sample_True_0.5_42': (4, [[5, 8, 9, 12, 15, 16, 18, 20, 21, 22], [26, 27, 27, 33, 35, 44, 44, 45, 47, 48], [51, 53, 55, 58, 60, 62, 64, 66, 67, 73], [75, 79, 80, 82, 83, 83, 84, 86, 87, 87, 87, 89, 91, 91, 93, 94, 99]]),
    'sample_True_0.5_12345': (4, [[0, 1, 3, 5, 9, 13, 15, 18, 19, 21, 22], [25, 29, 31, 33, 33, 37, 41, 43, 49, 49], [51, 51, 51, 55, 58, 61, 62, 66, 67, 71], [78, 78, 80, 81, 92, 95, 96, 99]]),
    'sample_True_2.0_0': (4, [[0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 4, 4, 4, 4, 5, 5, 5, 7, 7, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 16, 17, 17, 17, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 20, 20, 20, 20, 21, 21, 21, 21, 22, 22, 22, 22, 23, 24, 24], [25, 25, 25, 26, 26, 26, 27, 28, 29, 30, 30, 30, 30, 30, 30, 30, 31, 31, 31, 31, 31, 32, 32, 33, 33, 34, 34, 34, 34, 34, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 38, 38, 38, 39, 40, 40, 41, 41, 42, 42, 42, 42, 43, 44, 44, 45, 45, 46, 46, 46, 47, 47, 47, 47, 47, 49, 49, 49], [50, 50, 50, 50, 50, 51, 51, 51, 51, 52, 52, 52, 52, 53, 54, 55, 55, 56, 56, 56, 57, 57, 57, 58, 58, 58, 59, 59, 59, 60, 60, 61, 61, 61, 61, 62, 62, 62, 63, 63, 63, 63, 63, 63, 64, 64, 64, 65, 65, 66, 66, 67, 67, 67, 67, 68, 68, 69, 70, 70, 70, 70, 71, 71, 71, 72, 72, 73], [75, 75, 75, 75, 76, 77, 77, 77, 77, 78, 78, 80, 80, 80, 80, 80, 80, 81, 81, 81, 81, 82, 83, 83, 83, 84, 84, 85, 85, 85, 85, 85, 85, 85, 86, 86, 86, 87, 87, 88, 88, 88, 89, 89, 90, 90, 91, 91, 91, 92, 93, 93, 93, 93, 94, 94, 95, 96, 97, 99, 99, 99, 99]]),
    'sample_True_2.0_42': (4, [[1, 3, 4, 5, 5, 6, 6, 6, 7, 7, 9, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 12, 14, 15, 15, 16, 17, 17, 17, 18, 19, 20, 20, 20, 20, 20, 20, 22, 23, 23, 23, 24, 24, 24], [25, 25, 25, 25, 25, 29, 30, 31, 31, 32, 33, 35, 37, 37, 37, 37, 37, 38, 38, 38, 38, 39, 39, 41, 41, 42, 42, 43, 43, 43, 43, 44, 44, 45, 45, 46, 46, 46, 46, 47, 47, 47, 49, 49], [50, 50, 51, 51, 53, 53, 54, 54, 54, 55, 55, 56, 56, 56, 56, 57, 57, 58, 59, 59, 59, 60, 60, 61, 61, 62, 63, 63, 63, 63, 64, 64, 64, 64, 64, 64, 65, 65, 66, 66, 66, 67, 68, 68, 69, 70, 71, 72, 74], [75, 75, 75, 76, 77, 78, 79, 80, 80, 80, 81, 82, 83, 83, 83, 84, 84, 85, 85, 85, 86, 87, 87, 88, 90, 90, 90, 91, 91, 91, 92, 94, 94, 94, 95, 96, 96, 96, 96, 97, 97, 97, 98, 98, 98, 99, 99]]),
    'sample_True_2.0_12345': (4, [[0, 0, 0, 1, 1, 2, 2, 2, 3, 4, 4, 6, 6, 6, 7, 8, 8, 10, 11, 11, 11, 11, 14, 14, 14, 14, 15, 15, 16, 16, 16, 17, 17, 18, 20, 20, 20, 22, 22, 24], [25, 26, 28, 28, 29, 29, 29, 29, 29, 30, 30, 31, 31, 31, 32, 32, 32, 33, 34, 35, 36, 36, 36, 37, 38, 38, 38, 39, 39, 40, 40, 41, 41, 41, 42, 43, 43, 43, 44, 44, 44, 45, 45, 45, 45, 45, 45, 47, 47, 47, 48, 48, 49], [51, 51, 51, 51, 52, 53, 53, 54, 54, 55, 55, 57, 57, 59, 59, 60, 61, 63, 63, 63, 64, 66, 67, 68, 68, 69, 69, 70, 70, 70, 71, 71, 71, 72, 72, 73, 73, 73, 73, 74], [76, 76, 76, 76, 77, 77, 78, 78, 79, 80, 82, 83, 83, 83, 84, 85, 85, 85, 86, 87, 88, 88, 89, 89, 89, 89, 90, 92, 92, 93, 93, 93, 94, 94, 95, 96, 96, 96, 96, 97, 98, 98, 98, 98, 99]]),
    'takeSample_False_0_0': [],
    'takeSample_False_0_7': [],
    'takeSample_False_1_0': [24],
    'takeSample_False_1_7': [52],
    'takeSample_False_5_0': [14, 80, 21, 90, 66],
    'takeSample_False_5_7': [87, 69, 25, 12, 83],
    'takeSample_False_20_0': [0, 69, 31, 60, 71, 36, 97, 86, 1, 57, 19, 14, 25, 34, 35, 92, 63, 99, 65, 47],
    'takeSample_False_20_7': [46, 31, 58, 23, 68, 22, 0, 79, 97, 38, 89, 39, 15, 78, 88, 98, 70, 43, 96, 87],
    'takeSample_False_100_0': [23, 8, 11, 7, 48, 13, 1, 91, 94, 54, 16, 63, 52, 41, 80, 2, 47, 87, 78, 66, 19, 6, 24, 10, 59, 30, 22, 29, 83, 37, 93, 81, 43, 99, 86, 28, 34, 88, 44, 14, 84, 70, 4, 20, 15, 21, 31, 76, 57, 67, 73, 50, 69, 25, 98, 46, 96, 0, 72, 35, 58, 92, 3, 95, 56, 90, 26, 40, 55, 89, 75, 71, 60, 42, 9, 82, 39, 18, 77, 68, 32, 79, 12, 85, 36, 17, 64, 27, 74, 45, 61, 38, 51, 62, 65, 33, 5, 53, 97, 49],
    'takeSample_False_100_7': [33, 25, 99, 84, 78, 81, 21, 93, 82, 1, 22, 0, 61, 73, 24, 49, 26, 44, 76, 79, 47, 2, 51, 38, 14, 48, 10, 32, 16, 94, 65, 69, 42, 59, 88, 98, 66, 91, 57, 29, 20, 87, 34, 60, 31, 13, 63, 3, 56, 86, 45, 62, 58, 23, 92, 40, 36, 67, 71, 80, 43, 52, 35, 39, 75, 18, 96, 37, 17, 5, 90, 95, 97, 77, 28, 15, 72, 89, 54, 70, 85, 30, 8, 53, 55, 11, 4, 27, 64, 7, 74, 46, 12, 68, 9, 6, 83, 50, 19, 41],
    'takeSample_False_150_0': [23, 8, 11, 7, 48, 13, 1, 91, 94, 54, 16, 63, 52, 41, 80, 2, 47, 87, 78, 66, 19, 6, 24, 10, 59, 30, 22, 29, 83, 37, 93, 81, 43, 99, 86, 28, 34, 88, 44, 14, 84, 70, 4, 20, 15, 21, 31, 76, 57, 67, 73, 50, 69, 25, 98, 46, 96, 0, 72, 35, 58, 92, 3, 95, 56, 90, 26, 40, 55, 89, 75, 71, 60, 42, 9, 82, 39, 18, 77, 68, 32, 79, 12, 85, 36, 17, 64, 27, 74, 45, 61, 38, 51, 62, 65, 33, 5, 53, 97, 49],
    'takeSample_False_150_7': [33, 25, 99, 84, 78, 81, 21, 93, 82, 1, 22, 0, 61, 73, 24, 49, 26, 44, 76, 79, 47, 2, 51, 38, 14, 48, 10, 32, 16, 94, 65, 69, 42, 59, 88, 98, 66, 91, 57, 29, 20, 87, 34, 60, 31, 13, 63, 3, 56, 86, 45, 62, 58, 23, 92, 40, 36, 67, 71, 80, 43, 52, 35, 39, 75, 18, 96, 37, 17, 5, 90, 95, 97, 77, 28, 15, 72, 89, 54, 70, 85, 30, 8, 53, 55, 11, 4, 27, 64, 7, 74, 46, 12, 68, 9, 6, 83, 50, 19, 41],
    'takeSample_True_0_0': [],
    'takeSample_True_0_7': [],
    'takeSample_True_1_0': [16],
    'takeSample_True_1_7': [47],
    'takeSample_True_5_0': [90, 26, 76, 5, 91],
    'takeSample_True_5_7': [49, 36, 88, 46, 46],
    'takeSample_True_20_0': [19, 48, 44, 51, 68, 56, 73, 6, 11, 81, 89, 90, 38, 42, 42, 88, 2, 4, 55, 54],
    'takeSample_True_20_7': [31, 94, 44, 60, 50, 43, 88, 61, 35, 44, 98, 6, 80, 47, 97, 56, 65, 88, 77, 68],
    'takeSample_True_100_0': [45, 30, 86, 66, 30, 57, 66, 89, 42, 2, 81, 46, 50, 82, 33, 59, 81, 13, 50, 83, 11, 50, 71, 52, 60, 51, 17, 8, 74, 51, 15, 89, 5, 45, 22, 52, 24, 61, 92, 26, 57, 2, 82, 70, 91, 69, 89, 52, 89, 1, 94, 24, 19, 34, 79, 68, 91, 91, 34, 24, 32, 3, 99, 5, 3, 27, 66, 10, 24, 14, 87, 17, 1, 65, 58, 24, 49, 71, 6, 63, 24, 95, 24, 38, 54, 31, 30, 46, 65, 27, 35, 98, 66, 83, 77, 89, 32, 82, 26, 40],
    'takeSample_True_100_7': [21, 71, 66, 13, 63, 23, 68, 49, 37, 74, 46, 31, 56, 34, 71, 27, 65, 79, 2, 72, 26, 58, 59, 37, 95, 1, 88, 34, 64, 50, 62, 78, 16, 3, 80, 88, 86, 90, 36, 23, 75, 74, 48, 94, 41, 17, 50, 28, 41, 47, 31, 3, 56, 70, 93, 18, 36, 97, 99, 26, 62, 3, 83, 28, 42, 33, 67, 51, 68, 9, 63, 69, 25, 99, 35, 44, 96, 46, 31, 86, 52, 48, 22, 59, 82, 86, 89, 87, 97, 35, 96, 61, 71, 91, 12, 20, 64, 77, 29, 82],
    'takeSample_True_150_0': [41, 15, 62, 56, 84, 86, 83, 64, 85, 63, 33, 30, 63, 84, 46, 15, 19, 64, 44, 34, 31, 20, 79, 88, 21, 4, 52, 13, 98, 17, 82, 34, 63, 18, 2, 43, 39, 79, 92, 34, 40, 48, 36, 61, 14, 46, 31, 27, 57, 22, 64, 69, 45, 90, 86, 60, 13, 36, 38, 65, 70, 62, 75, 30, 7, 31, 18, 93, 14, 22, 99, 67, 0, 59, 46, 39, 12, 22, 48, 29, 58, 33, 90, 96, 25, 56, 17, 35, 98, 90, 31, 51, 26, 1, 20, 21, 37, 40, 55, 17, 58, 30, 83, 10, 80, 59, 4, 28, 19, 49, 60, 30, 2, 81, 32, 10, 78, 71, 66, 91, 9, 1, 71, 63, 4, 98, 35, 32, 63, 61, 12, 50, 66, 2, 7, 4, 92, 89, 9, 85, 36, 50, 16, 33, 75, 51, 23, 1, 78, 94],
    'takeSample_True_150_7': [72, 39, 44, 72, 70, 17, 33, 74, 32, 8, 35, 24, 92, 50, 54, 3, 30, 65, 45, 72, 34, 62, 89, 83, 97, 42, 92, 2, 83, 22, 73, 4, 18, 31, 45, 15, 32, 69, 3, 18, 55, 73, 37, 45, 88, 88, 76, 56, 32, 95, 71, 48, 19, 31, 36, 1, 56, 62, 70, 68, 71, 3, 92, 17, 75, 53, 26, 59, 27, 91, 18, 32, 25, 44, 88, 59, 39, 40, 25, 87, 85, 75, 16, 45, 51, 93, 78, 12, 23, 28, 3, 52, 46, 25, 42, 80, 86, 61, 56, 99, 21, 46, 94, 5, 91, 39, 41, 29, 80, 82, 93, 5, 28, 45, 80, 84, 77, 23, 41, 23, 22, 46, 50, 83, 80, 33, 45, 11, 6, 81, 57, 98, 86, 22, 80, 61, 79, 96, 33, 51, 41, 58, 62, 76, 11, 29, 77, 30, 34, 43],
    'takeSample_empty': [],
    'takeSample_neg': Raises(ValueError, 'Sample size cannot be negative.'),
    'takeSample_small': [7, 2, 0],
    'sample_neg_frac': Raises(ValueError, 'Fraction must be nonnegative.'),
    'randomSplit_[1, 1]_0': [(3, [[1, 4, 9], [13, 15, 19, 22, 23, 24], [31, 36, 39]]), (3, [[0, 2, 3, 5, 6, 7, 8, 10, 11, 12], [14, 16, 17, 18, 20, 21, 25], [26, 27, 28, 29, 30, 32, 33, 34, 35, 37, 38]])],
    'randomSplit_[1, 1]_17': [(3, [[1, 7, 9, 11], [13, 14, 15, 20, 21, 23, 24], [26, 31, 35, 36, 38, 39]]), (3, [[0, 2, 3, 4, 5, 6, 8, 10, 12], [16, 17, 18, 19, 22, 25], [27, 28, 29, 30, 32, 33, 34, 37]])],
    'randomSplit_[0.2, 0.3, 0.5]_0': [(3, [[], [22, 24], []]), (3, [[1, 4, 9], [13, 15, 19, 23], [31, 36, 39]]), (3, [[0, 2, 3, 5, 6, 7, 8, 10, 11, 12], [14, 16, 17, 18, 20, 21, 25], [26, 27, 28, 29, 30, 32, 33, 34, 35, 37, 38]])],
    'randomSplit_[0.2, 0.3, 0.5]_17': [(3, [[7, 9, 11], [20, 23, 24], [31, 35, 38, 39]]), (3, [[1], [13, 14, 15, 21], [26, 36]]), (3, [[0, 2, 3, 4, 5, 6, 8, 10, 12], [16, 17, 18, 19, 22, 25], [27, 28, 29, 30, 32, 33, 34, 37]])],
    'randomSplit_[1, 2, 3, 4]_0': [(3, [[], [24], []]), (3, [[1, 4], [19, 22], []]), (3, [[0, 9], [13, 15, 21, 23], [30, 31, 33, 36, 39]]), (3, [[2, 3, 5, 6, 7, 8, 10, 11, 12], [14, 16, 17, 18, 20, 25], [26, 27, 28, 29, 32, 34, 35, 37, 38]])],
    'randomSplit_[1, 2, 3, 4]_17': [(3, [[], [20, 23], [31, 38, 39]]), (3, [[7, 9, 11], [13, 14, 15, 21, 24], [35]]), (3, [[1, 8], [], [26, 36]]), (3, [[0, 2, 3, 4, 5, 6, 10, 12], [16, 17, 18, 19, 22, 25], [27, 28, 29, 30, 32, 33, 34, 37]])],
    'sampleByKey': (3, [[(2, 2), (0, 3), (2, 5), (0, 6), (2, 8), (1, 10), (2, 11), (0, 12), (1, 13), (2, 14), (0, 15), (2, 17), (0, 18), (1, 19)], [(2, 20), (0, 21), (2, 23), (2, 26), (2, 29), (0, 30), (2, 32), (0, 33), (1, 34), (2, 35), (2, 38), (0, 39)], [(1, 40), (2, 41), (0, 42), (2, 44), (2, 47), (1, 49), (2, 50), (0, 51), (2, 53), (0, 54), (2, 56), (2, 59)]]),
    'sampleByKey_wr': (3, [[(0, 0), (0, 3), (1, 4), (1, 4), (2, 5), (0, 6), (2, 8), (0, 9), (0, 9)], [(1, 10), (1, 10), (1, 10), (2, 11), (0, 12), (0, 12), (1, 13), (2, 14), (1, 16), (2, 17), (2, 17), (2, 17), (0, 18), (1, 19)], [(1, 22), (1, 25), (1, 25), (1, 25), (2, 26), (1, 28), (2, 29)]]),
    'union': (5, [[1], [2], [3], [4], [5]]),
    'union_add': (3, [[1], [2], [3]]),
    'union_self': (4, [[1], [2, 3], [1], [2, 3]]),
    'sc_union': (4, [[1], [2], [3], [4]]),
    'union_partitioner_aware': ((3, [[(0, 0), (3, 3), (6, -6), (9, -9)], [(1, 1), (4, 4), (7, -7)], [(2, 2), (5, 5), (8, -8)]]), True),
    'union_partitioner_aware_diff': (5, [[(0, 0), (3, 3)], [(1, 1), (4, 4)], [(2, 2), (5, 5)], [], [(1, 1)]]),
    'sc_union_partitioner_aware': (3, [[(0, 0), (3, 3), (6, -6), (9, -9)], [(1, 1), (4, 4), (7, -7)], [(2, 2), (5, 5), (8, -8)]]),
    'intersection': (5, [[], [1], [2], [3], []]),
    'intersection_sorted': [1, 2, 3],
    'distinct': (3, [[3, 9], [1, 4], [2, 5]]),
    'distinct_n': (2, [[2, 4], [1, 3, 5, 9]]),
    'distinct_str': (2, [['b', 'c'], ['a', 'dd']]),
    'groupByKey': (3, [[(0, [0, 5, 10, 15]), (3, [3, 8, 13, 18])], [(1, [1, 6, 11, 16]), (4, [4, 9, 14, 19])], [(2, [2, 7, 12, 17])]]),
    'groupByKey_n': (4, [[(0, [0, 5, 10, 15]), (4, [4, 9, 14, 19])], [(1, [1, 6, 11, 16])], [(2, [2, 7, 12, 17])], [(3, [3, 8, 13, 18])]]),
    'groupByKey_str': (3, [[('b', [1, 7])], [('a', [1, 1, 3]), ('c', [5])], [('d', [2])]]),
    'groupByKey_pf': (2, [[(0, [0, 5, 10, 15]), (1, [1, 6, 11, 16]), (2, [2, 7, 12, 17]), (3, [3, 8, 13, 18]), (4, [4, 9, 14, 19])], []]),
    'groupByKey_type': 'ResultIterable',
    'reduceByKey': (3, [[(0, 30), (3, 42)], [(1, 34), (4, 46)], [(2, 38)]]),
    'reduceByKey_n': (2, [[('b', 8), ('c', 5), ('d', 2)], [('a', 5)]]),
    'reduceByKey_n1': (1, [[('a', 5), ('b', 8), ('c', 5), ('d', 2)]]),
    'reduceByKey_pf': (3, [[(0, 30), (3, 42)], [(1, 34), (4, 46)], [(2, 38)]]),
    'aggregateByKey': (3, [[('b', (8, 2))], [('a', (5, 3)), ('c', (5, 1))], [('d', (2, 1))]]),
    'aggregateByKey_list_zero': [('a', [1, 1, 3]), ('b', [1, 7]), ('c', [5]), ('d', [2])],
    'aggregateByKey_mutable_zero': [('a', [1, 1, 3]), ('b', [1, 7]), ('c', [5]), ('d', [2])],
    'combineByKey': (2, [[(0, [0, 5, 10, 15]), (2, [2, 7, 12, 17]), (4, [4, 9, 14, 19])], [(1, [1, 6, 11, 16]), (3, [3, 8, 13, 18])]]),
    'foldByKey': (3, [[('b', 8)], [('a', 5), ('c', 5)], [('d', 2)]]),
    'foldByKey_n': (4, [[(0, 330), (4, 346)], [(1, 334)], [(2, 338)], [(3, 342)]]),
    'partitionBy_int': (4, [[(0, 0), (4, 4), (0, 5), (4, 9), (0, 10), (4, 14), (0, 15), (4, 19)], [(1, 1), (1, 6), (1, 11), (1, 16)], [(2, 2), (2, 7), (2, 12), (2, 17)], [(3, 3), (3, 8), (3, 13), (3, 18)]]),
    'partitionBy_int_neg': (3, [[(0, 0), (-3, 3), (-6, 6), (-9, 9)], [(-1, 1), (-2, 2), (-5, 5), (-8, 8)], [(-4, 4), (-7, 7)]]),
    'partitionBy_str': (3, [[('b', 1), ('b', 7)], [('a', 1), ('a', 1), ('c', 5), ('a', 3)], [('d', 2)]]),
    'partitionBy_tuple': (3, [[((1, '1'), 1), ((7, '7'), 7)], [((0, '0'), 0), ((2, '2'), 2)], [((3, '3'), 3), ((4, '4'), 4), ((5, '5'), 5), ((6, '6'), 6)]]),
    'partitionBy_float_none': (3, [[(None, 2)], [(True, 4)], [(1.5, 1), (2.0, 3), (-0.5, 5)]]),
    'partitionBy_frozenset': (3, [[(frozenset({1, 2}), 1)], [(b'x', 2)], []]),
    'partitionBy_pf': (3, [[(0, 0), (3, 3), (0, 5), (3, 8), (0, 10), (3, 13), (0, 15), (3, 18)], [(2, 2), (2, 7), (2, 12), (2, 17)], [(1, 1), (4, 4), (1, 6), (4, 9), (1, 11), (4, 14), (1, 16), (4, 19)]]),
    'partitionBy_same': True,
    'partitionBy_none': (3, [[(0, 0), (3, 3), (0, 5), (3, 8), (0, 10), (3, 13), (0, 15), (3, 18)], [(1, 1), (4, 4), (1, 6), (4, 9), (1, 11), (4, 14), (1, 16), (4, 19)], [(2, 2), (2, 7), (2, 12), (2, 17)]]),
    'partitioner_eq': True,
    'partitioner_none': (None, True, True, None),
    'reduceByKey_preserve': (2, [[(0, 30), (2, 38), (4, 46)], [(1, 34), (3, 42)]]),
    'sortByKey': (3, [[('a', 1), ('a', 0), ('a', 5), ('b', 2), ('b', 9)], [('c', 3), ('c', 7)], [('d', 4), ('e', 6)]]),
    'sortByKey_desc': (3, [[('e', 6), ('d', 4)], [('c', 3), ('c', 7)], [('b', 2), ('b', 9), ('a', 1), ('a', 0), ('a', 5)]]),
    'sortByKey_n1': (1, [[('a', 1), ('a', 0), ('a', 5), ('b', 2), ('b', 9), ('c', 3), ('c', 7), ('d', 4), ('e', 6)]]),
    'sortByKey_n2': (2, [[('a', 1), ('a', 0), ('a', 5), ('b', 2), ('b', 9)], [('c', 3), ('c', 7), ('d', 4), ('e', 6)]]),
    'sortByKey_n5': (5, [[('a', 1), ('a', 0), ('a', 5)], [('b', 2), ('b', 9)], [('c', 3), ('c', 7)], [('d', 4)], [('e', 6)]]),
    'sortByKey_keyfunc': RaisesSomething(),  # PySpark: Py4JJavaError: An error occurred while calling z:org.apa
    'sortByKey_ints': (3, [[(0, 0), (2, 41), (3, 11), (6, 22), (9, 33), (10, 3), (12, 44), (13, 14), (16, 25), (19, 36), (20, 6), (22, 47), (23, 17), (26, 28), (29, 39), (30, 9), (33, 20)], [(36, 31), (37, 1), (39, 42), (40, 12), (43, 23), (46, 34), (47, 4), (49, 45), (50, 15), (53, 26), (56, 37), (57, 7), (59, 48), (60, 18), (63, 29), (66, 40), (67, 10)], [(70, 21), (73, 32), (74, 2), (76, 43), (77, 13), (80, 24), (83, 35), (84, 5), (86, 46), (87, 16), (90, 27), (93, 38), (94, 8), (96, 49), (97, 19), (100, 30)]]),
    'sortByKey_ints_desc': (3, [[(100, 30), (97, 19), (96, 49), (94, 8), (93, 38), (90, 27), (87, 16), (86, 46), (84, 5), (83, 35), (80, 24), (77, 13), (76, 43), (74, 2), (73, 32), (70, 21)], [(67, 10), (66, 40), (63, 29), (60, 18), (59, 48), (57, 7), (56, 37), (53, 26), (50, 15), (49, 45), (47, 4), (46, 34), (43, 23), (40, 12), (39, 42), (37, 1), (36, 31)], [(33, 20), (30, 9), (29, 39), (26, 28), (23, 17), (22, 47), (20, 6), (19, 36), (16, 25), (13, 14), (12, 44), (10, 3), (9, 33), (6, 22), (3, 11), (2, 41), (0, 0)]]),
    'sortByKey_dups': (2, [[(0, 0), (0, 3), (0, 6), (0, 9), (0, 12), (0, 15), (0, 18), (0, 21), (0, 24), (0, 27), (1, 1), (1, 4), (1, 7), (1, 10), (1, 13), (1, 16), (1, 19), (1, 22), (1, 25), (1, 28)], [(2, 2), (2, 5), (2, 8), (2, 11), (2, 14), (2, 17), (2, 20), (2, 23), (2, 26), (2, 29)]]),
    'sortByKey_empty': (3, [[], [], []]),
    'sortByKey_one': (3, [[(1, 1)], [], []]),
    'sortBy': (3, [[0, 1, 2], [3, 4], [5, 9]]),
    'sortBy_desc': (2, [[9, 5, 4], [3, 2, 1, 0]]),
    'sortBy_tuple': (2, [[('a', 0), ('a', 1), ('b', 2), ('c', 3), ('d', 4)], [('a', 5), ('e', 6), ('c', 7), ('b', 9)]]),
    'sortBy_stab': (2, [['a', 'e', 'bb', 'dd'], ['ccc', 'fff']]),
    'sortByKey_partitioner': True,
    'repartitionAndSort': (2, [[(0, 0), (0, 5), (0, 10), (0, 15), (2, 2), (2, 7), (2, 12), (2, 17), (4, 4), (4, 9), (4, 14), (4, 19)], [(1, 1), (1, 6), (1, 11), (1, 16), (3, 3), (3, 8), (3, 13), (3, 18)]]),
    'repartitionAndSort_desc': (2, [[(4, 4), (4, 9), (4, 14), (4, 19), (2, 2), (2, 7), (2, 12), (2, 17), (0, 0), (0, 5), (0, 10), (0, 15)], [(3, 3), (3, 8), (3, 13), (3, 18), (1, 1), (1, 6), (1, 11), (1, 16)]]),
    'repartitionAndSort_pf': (3, [[(3, 3), (3, 8), (3, 13), (3, 18), (0, 0), (0, 5), (0, 10), (0, 15)], [(4, 4), (4, 9), (4, 14), (4, 19), (1, 1), (1, 6), (1, 11), (1, 16)], [(2, 2), (2, 7), (2, 12), (2, 17)]]),
    'repartitionAndSort_str': (2, [[('b', 1), ('b', 7), ('c', 5), ('d', 2)], [('a', 1), ('a', 1), ('a', 3)]]),
    'join': (5, [[], [], [('b', (4, 5))], [], [('a', (1, 2)), ('a', (1, 3)), ('a', (2, 2)), ('a', (2, 3))]]),
    'join_n': (4, [[], [], [('b', (4, 5))], [('a', (1, 2)), ('a', (1, 3)), ('a', (2, 2)), ('a', (2, 3))]]),
    'join_int': (3, [[(0, (0, 5)), (0, (0, 10)), (0, (5, 5)), (0, (5, 10)), (3, (3, 8))], [(1, (1, 6)), (1, (1, 11)), (1, (6, 6)), (1, (6, 11)), (4, (4, 9))], [(2, (2, 7)), (2, (7, 7))]]),
    'leftOuterJoin': (5, [[], [], [('b', (4, 5)), ('c', (8, None))], [], [('a', (1, 2)), ('a', (1, 3)), ('a', (2, 2)), ('a', (2, 3))]]),
    'leftOuterJoin_n': (4, [[], [], [('b', (4, 5)), ('c', (8, None))], [('a', (1, 2)), ('a', (1, 3)), ('a', (2, 2)), ('a', (2, 3))]]),
    'leftOuterJoin_int': (3, [[(0, (0, 5)), (0, (0, 10)), (0, (5, 5)), (0, (5, 10)), (3, (3, 8))], [(1, (1, 6)), (1, (1, 11)), (1, (6, 6)), (1, (6, 11)), (4, (4, 9))], [(2, (2, 7)), (2, (7, 7))]]),
    'rightOuterJoin': (5, [[], [('d', (None, 9))], [('b', (4, 5))], [], [('a', (1, 2)), ('a', (1, 3)), ('a', (2, 2)), ('a', (2, 3))]]),
    'rightOuterJoin_n': (4, [[('d', (None, 9))], [], [('b', (4, 5))], [('a', (1, 2)), ('a', (1, 3)), ('a', (2, 2)), ('a', (2, 3))]]),
    'rightOuterJoin_int': (3, [[(0, (0, 5)), (0, (0, 10)), (0, (5, 5)), (0, (5, 10)), (3, (3, 8))], [(1, (1, 6)), (1, (1, 11)), (1, (6, 6)), (1, (6, 11)), (4, (4, 9))], [(2, (2, 7)), (2, (7, 7))]]),
    'fullOuterJoin': (5, [[], [('d', (None, 9))], [('b', (4, 5)), ('c', (8, None))], [], [('a', (1, 2)), ('a', (1, 3)), ('a', (2, 2)), ('a', (2, 3))]]),
    'fullOuterJoin_n': (4, [[('d', (None, 9))], [], [('b', (4, 5)), ('c', (8, None))], [('a', (1, 2)), ('a', (1, 3)), ('a', (2, 2)), ('a', (2, 3))]]),
    'fullOuterJoin_int': (3, [[(0, (0, 5)), (0, (0, 10)), (0, (5, 5)), (0, (5, 10)), (3, (3, 8))], [(1, (1, 6)), (1, (1, 11)), (1, (6, 6)), (1, (6, 11)), (4, (4, 9))], [(2, (2, 7)), (2, (7, 7))]]),
    'join_partitioned': (3, [[(0, (0, 0)), (0, (5, 0)), (0, (10, 0)), (0, (15, 0)), (3, (3, 3)), (3, (8, 3)), (3, (13, 3)), (3, (18, 3))], [(1, (1, 1)), (1, (6, 1)), (1, (11, 1)), (1, (16, 1)), (4, (4, 4)), (4, (9, 4)), (4, (14, 4)), (4, (19, 4))], [(2, (2, 2)), (2, (7, 2)), (2, (12, 2)), (2, (17, 2))]]),
    'cogroup': (5, [[], [('d', ([], [9]))], [('b', ([4], [5])), ('c', ([8], []))], [], [('a', ([1, 2], [2, 3]))]]),
    'cogroup_n': (2, [[('b', ([4], [5])), ('c', ([8], [])), ('d', ([], [9]))], [('a', ([1, 2], [2, 3]))]]),
    'cogroup_type': ('tuple', 'ResultIterable'),
    'groupWith': (9, [[], [], [('d', ([], [9], []))], [], [('a', ([1, 2], [2, 3], [0]))], [], [('b', ([4], [5], []))], [('c', ([8], [], []))], []]),
    'groupWith_one': (3, [[('b', ([4], [5]))], [('a', ([1, 2], [2, 3])), ('c', ([8], []))], [('d', ([], [9]))]]),
    'cartesian': (4, [[(1, 'x')], [(1, 'y'), (1, 'z')], [(2, 'x')], [(2, 'y'), (2, 'z')]]),
    'cartesian_empty': (6, [[], [], [], [], [], []]),
    'subtract': (5, [[], [('b', 4)], [], [('b', 5)], [('a', 1)]]),
    'subtract_n': (4, [[0, 4, 8], [9], [2, 6], [3]]),
    'subtract_int': (4, [[0, 4, 8], [9], [2, 6], [3]]),
    'subtractByKey': (5, [[], [], [('b', 4), ('b', 5)], [], []]),
    'subtractByKey_n': (2, [[(0, 0), (0, 5), (0, 10), (0, 15), (2, 2), (2, 7), (2, 12), (2, 17), (4, 4), (4, 9), (4, 14), (4, 19)], [(3, 3), (3, 8), (3, 13), (3, 18)]]),
    'coalesce': (2, [[0, 1, 2, 3], [4, 5, 6, 7, 8, 9]]),
    'coalesce3': (3, [[0, 1], [2, 3, 4], [5, 6, 7, 8, 9]]),
    'coalesce_more': (2, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]),
    'coalesce_shuffle_count': (5, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    'repartition_count': (4, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    'coalesce_zero': Raises(ValueError, 'Number of partitions must be positive.'),
    'mapValues': (2, [[('a', 10), ('b', 40)], [('a', 20), ('c', 80)]]),
    'flatMapValues': (2, [[('a', 'x'), ('a', 'y')], [('b', 'p')]]),
    'keys': (2, [['a', 'b'], ['a', 'c']]),
    'values': (2, [[1, 4], [2, 8]]),
    'lookup': [1, 2],
    'lookup_missing': [],
    'lookup_sorted': [1, 0, 5],
    'countByKey': Repr("defaultdict(<class 'int'>, {'a': 3, 'b': 2, 'c': 1, 'd': 1})"),
    'countByValue': Repr("defaultdict(<class 'int'>, {1: 2, 2: 3, 'a': 1})"),
    'countByValue_type': Repr("<class 'collections.defaultdict'>"),
    'countByKey_type': Repr("<class 'collections.defaultdict'>"),
    'collectAsMap': {'a': 3, 'b': 7, 'c': 5, 'd': 2},
    'reduceByKeyLocally': {'a': 5, 'b': 8, 'c': 5, 'd': 2},
    'reduceByKeyLocally_type': Repr("<class 'dict'>"),
    'zip': (2, [[(0, 100), (1, 101)], [(2, 102), (3, 103), (4, 104)]]),
    'zip_mismatch_parts': Raises(ValueError, 'Can only zip with RDD which has the same number of partitions'),
    'zipWithIndex': (3, [[('a', 0), ('b', 1)], [('c', 2), ('d', 3)], [('e', 4), ('f', 5), ('g', 6)]]),
    'zipWithIndex_empty_parts': (5, [[], [], [(1, 0)], [], [(2, 1)]]),
    'zipWithUniqueId': (3, [[('a', 0), ('b', 3)], [('c', 1), ('d', 4)], [('e', 2), ('f', 5), ('g', 8)]]),
    'histogram_int4': ([0.0, 12.5, 25.0, 37.5, 50], [13, 12, 13, 13]),
    'histogram_int1': ([0, 9], [10]),
    'histogram_list': ([0, 10, 20, 50], [10, 10, 31]),
    'histogram_list_out': ([0, 50, 100], [2, 1]),
    'histogram_float': ([1.5, 4.333333333333334, 7.166666666666667, 10.0], [3, 0, 1]),
    'histogram_same': ([5, 5], [3]),
    'histogram_empty_list': ([0, 1], [0]),
    'histogram_empty_int': Raises(ValueError, 'Can not reduce() empty RDD'),
    'histogram_zero': Raises(ValueError, 'number of buckets must be >= 1'),
    'histogram_unsorted': Raises(ValueError, 'buckets should be sorted'),
    'histogram_single_bucket': Raises(ValueError, 'buckets should have more than one value'),
    'histogram_str': (['a', 'b', 'c'], [2, 3]),
    'histogram_str_int': Raises(TypeError, 'Can not generate buckets with non-number in RDD'),
    'histogram_nan': ([1.0, 2.0, 3.0], [1, 1]),
    'histogram_nan_list': ([0, 2, 4], [1, 1]),
    'histogram_inf': Raises(ValueError, 'Can not generate buckets with infinite value'),
    'histogram_tuple': ((0, 5, 10), [5, 6]),
    'histogram_uneven': ([0, 1, 5, 10], [1, 4, 2]),
    'histogram_neg': ([-5.0, -2.3333333333333335, 0.33333333333333304, 3], [2, 1, 1]),
    'histogram_intbig': ([0, 14, 28, 42, 56, 70, 84, 98], [2, 2, 2, 2, 2, 2, 3]),
    'histogram_dup_buckets': Raises(ValueError, 'buckets should not contain duplicated values'),
    'histogram_float_int_buckets': ([0.1, 0.9], [2]),
    'histogram_bool': ([0.0, 0.5, True], [1, 1]),
    'histogram_none_elem': ([1, 1], [1]),
    'sum_ints': 10,
    'max_ints': 4,
    'min_ints': 1,
    'count_ints': 4,
    'sum_floats': 14.0,
    'max_floats': 10.0,
    'min_floats': 1.5,
    'count_floats': 3,
    'sum_one': 7,
    'max_one': 7,
    'min_one': 7,
    'count_one': 1,
    'sum_empty': 0,
    'max_empty': Raises(ValueError, 'Can not reduce() empty RDD'),
    'min_empty': Raises(ValueError, 'Can not reduce() empty RDD'),
    'count_empty': 0,
    'sum_mixed': 3.5,
    'max_mixed': 2.5,
    'min_mixed': 1,
    'count_mixed': 2,
    'StatCounter_direct': ('(count: 3, mean: 2.0, stdev: 0.816496580927726, max: 3.0, min: 1.0)', 3),
    'StatCounter_merge': '(count: 6, mean: 4.333333333333334, stdev: 4.0276819911981905, max: 10.0, min: 1.0)',
    'max_key': 'cccc',
    'min_key': 'b',
    'max_ties': (2, 'b'),
    'min_ties': (1, 'a'),
    'sum_str': RaisesSomething(),  # PySpark: Py4JJavaError: An error occurred while calling z:org.apa
    'sum_empty_float': 'int',
    'top': [12, 10, 4],
    'top_key': [4, 3, 2],
    'top_more': [10, 4, 2],
    'top_zero': [],
    'top_ties': [(2, 'b'), (2, 'c')],
    'takeOrdered': [1, 2, 3, 4, 5, 6],
    'takeOrdered_key': [10, 9, 7, 6, 5, 4],
    'takeOrdered_ties': [(1, 'a'), (1, 'd'), (2, 'b')],
    'takeOrdered_zero': [],
    'takeOrdered_neg': Raises(ValueError, 'top N cannot be negative.'),
    'fold': 15,
    'fold_zero_count': 55,
    'fold_empty': 4,
    'aggregate': (10, 4),
    'aggregate_zero_count': 14,
    'aggregate_empty': (0, 0),
    'treeReduce': -5,
    'treeReduce_d1': -5,
    'treeReduce_d0': Raises(ValueError, 'Depth cannot be smaller than 1 but got 0.'),
    'treeReduce_empty': Raises(ValueError, 'Cannot reduce empty RDD.'),
    'treeAggregate': -5,
    'treeAggregate_zero': 55,
    'treeAggregate_zero_d1': 55,
    'treeAggregate_zero_d3': 55,
    'treeAggregate_d0': Raises(ValueError, 'Depth cannot be smaller than 1 but got 0.'),
    'treeAggregate_empty': 15,
    'treeAggregate_list': [0, 2, 4, 1, 3, 5],
    'treeReduce_order': 'acegibdfhj',
    'reduce': 45,
    'reduce_empty': Raises(ValueError, 'Can not reduce() empty RDD'),
    'reduce_empty_parts': 1,
    'reduce_order': 'abcdef',
    'first': 5,
    'first_empty': Raises(ValueError, 'RDD is empty'),
    'take': [[], [0], [0, 1, 2], [0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]],
    'take_sparse': [91, 92, 93, 94, 95],
    'take_empty': [],
    'take_neg': [],
    'isEmpty': [True, False, False],
    'toLocalIterator': (True, [0, 1, 2, 3, 4, 5, 6]),
    'toLocalIterator_list': [0, 1, 2, 3, 4, 5, 6],
    'toLocalIterator_prefetch': [0, 1, 2, 3, 4, 5, 6],
    'collect_type': 'list',
    'count': 17,
    'countApproxDistinct_str': 200,
    'countApprox': 1000,
    'sumApprox': 499500.0,
    'meanApprox': 499.5,
    'foreach_acc': 45,
    'foreachPartition_acc': 10,
    'acc_float': (8.5, 'Accumulator<id=2, value=8.5>', '8.5'),
    'acc_repr': ('Accumulator<id=ID, value=ID>', '3'),
    'acc_complex': (6+1j),
    'acc_list_err': Raises(TypeError, "No default accumulator param for type <class 'list'>"),
    'acc_custom': [0, 1, 2, 3],
    'acc_value_in_task': 'raised False',
    'broadcast': [1, None],
    'StorageLevel_repr': ['StorageLevel(True, False, False, False, 1)', 'StorageLevel(True, False, False, False, 2)', 'StorageLevel(True, False, False, False, 3)', 'StorageLevel(False, True, False, False, 1)', 'StorageLevel(False, True, False, False, 2)', 'StorageLevel(True, True, False, False, 1)', 'StorageLevel(True, True, False, False, 2)', 'StorageLevel(True, True, True, False, 1)', 'StorageLevel(True, True, False, True, 1)', 'StorageLevel(False, False, False, False, 1)'],
    'StorageLevel_str': ['Disk Serialized 1x Replicated', 'Disk Serialized 2x Replicated', 'Memory Serialized 1x Replicated', 'Memory Serialized 2x Replicated', 'Disk Memory Serialized 1x Replicated', 'Disk Memory Serialized 2x Replicated', 'Disk Memory OffHeap Serialized 1x Replicated', 'Disk Memory Deserialized 1x Replicated'],
    'StorageLevel_custom': ('StorageLevel(True, True, False, True, 3)', 'Disk Serialized 1x Replicated', True),
    'StorageLevel_has_NONE': True,
    'getStorageLevel_default': 'StorageLevel(False, False, False, False, 1)',
    'getStorageLevel_cache': 'StorageLevel(False, True, False, False, 1)',
    'getStorageLevel_persist': 'StorageLevel(False, True, False, False, 1)',
    'getStorageLevel_persist_disk': 'Disk Serialized 1x Replicated',
    'getStorageLevel_unpersist': 'StorageLevel(False, False, False, False, 1)',
    'persist_twice': RaisesSomething(),  # PySpark: Py4JJavaError: An error occurred while calling o7649.per
    'is_cached': (False, True),
    'cache_returns_self': True,
    'toDebugString_type': 'bytes',
    'rdd_name': (None, 'x'),
    'rdd_id_type': 'int',
    'rdd_repr_prefix': 'ParallelCollectionRDD',
    'rdd_context': True,
    'isCheckpointed': (False, None),
    'SparkConf': ('1', '2', None, 'd', [('spark.a', '1'), ('spark.app.name', 'x'), ('spark.b', '2'), ('spark.master', 'local[3]')], True, 'spark.a=1\nspark.app.name=x\nspark.b=2\nspark.master=local[3]'),
    'SparkConf_setAll': ([('k1', 'v1'), ('k2', '3'), ('k3', 'v3'), ('spark.executorEnv.E', '1'), ('spark.executorEnv.F', '2'), ('spark.home', '/h')], 'k1=v1\nk2=3\nk3=v3\nspark.executorEnv.E=1\nspark.executorEnv.F=2\nspark.home=/h'),
    'SparkConf_bool': ('True', 'None', [('b', 'True'), ('n', 'None')]),
    'SparkConf_repr_type': 'list',
    'sc_getConf_master': ('local[2]', 'parity', 'local[2]', 'parity'),
    'sc_version': '3.5.3',
    'sc_startTime_type': 'int',
    'sc_getLocalProperty': (None, 'v', None),
    'TaskContext_in_task': [(0, 0, True), (1, 0, True)],
    'TaskContext_driver': None,
    'textFile': [(2, [['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12', 'line 13', 'line 14', 'line 15', 'line 16', 'line 17', 'line 18', 'line 19', 'line 20', 'line 21', 'line 22', 'line 23', 'line 24', 'line 25', 'line 26', 'line 27', 'line 28', 'line 29', 'line 30', 'line 31', 'line 32', 'line 33', 'line 34', 'line 35', 'line 36', 'line 37', 'line 38', 'line 39', 'line 40', 'line 41', 'line 42', 'line 43', 'line 44', 'line 45', 'line 46', 'line 47', 'line 48', 'line 49', 'line 50'], ['line 51', 'line 52', 'line 53', 'line 54', 'line 55', 'line 56', 'line 57', 'line 58', 'line 59', 'line 60', 'line 61', 'line 62', 'line 63', 'line 64', 'line 65', 'line 66', 'line 67', 'line 68', 'line 69', 'line 70', 'line 71', 'line 72', 'line 73', 'line 74', 'line 75', 'line 76', 'line 77', 'line 78', 'line 79', 'line 80', 'line 81', 'line 82', 'line 83', 'line 84', 'line 85', 'line 86', 'line 87', 'line 88', 'line 89', 'line 90', 'line 91', 'line 92', 'line 93', 'line 94', 'line 95', 'line 96', 'line 97', 'line 98', 'line 99']]), (1, [['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12', 'line 13', 'line 14', 'line 15', 'line 16', 'line 17', 'line 18', 'line 19', 'line 20', 'line 21', 'line 22', 'line 23', 'line 24', 'line 25', 'line 26', 'line 27', 'line 28', 'line 29', 'line 30', 'line 31', 'line 32', 'line 33', 'line 34', 'line 35', 'line 36', 'line 37', 'line 38', 'line 39', 'line 40', 'line 41', 'line 42', 'line 43', 'line 44', 'line 45', 'line 46', 'line 47', 'line 48', 'line 49', 'line 50', 'line 51', 'line 52', 'line 53', 'line 54', 'line 55', 'line 56', 'line 57', 'line 58', 'line 59', 'line 60', 'line 61', 'line 62', 'line 63', 'line 64', 'line 65', 'line 66', 'line 67', 'line 68', 'line 69', 'line 70', 'line 71', 'line 72', 'line 73', 'line 74', 'line 75', 'line 76', 'line 77', 'line 78', 'line 79', 'line 80', 'line 81', 'line 82', 'line 83', 'line 84', 'line 85', 'line 86', 'line 87', 'line 88', 'line 89', 'line 90', 'line 91', 'line 92', 'line 93', 'line 94', 'line 95', 'line 96', 'line 97', 'line 98', 'line 99']]), (3, [['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12', 'line 13', 'line 14', 'line 15', 'line 16', 'line 17', 'line 18', 'line 19', 'line 20', 'line 21', 'line 22', 'line 23', 'line 24', 'line 25', 'line 26', 'line 27', 'line 28', 'line 29', 'line 30', 'line 31', 'line 32', 'line 33', 'line 34'], ['line 35', 'line 36', 'line 37', 'line 38', 'line 39', 'line 40', 'line 41', 'line 42', 'line 43', 'line 44', 'line 45', 'line 46', 'line 47', 'line 48', 'line 49', 'line 50', 'line 51', 'line 52', 'line 53', 'line 54', 'line 55', 'line 56', 'line 57', 'line 58', 'line 59', 'line 60', 'line 61', 'line 62', 'line 63', 'line 64', 'line 65', 'line 66', 'line 67'], ['line 68', 'line 69', 'line 70', 'line 71', 'line 72', 'line 73', 'line 74', 'line 75', 'line 76', 'line 77', 'line 78', 'line 79', 'line 80', 'line 81', 'line 82', 'line 83', 'line 84', 'line 85', 'line 86', 'line 87', 'line 88', 'line 89', 'line 90', 'line 91', 'line 92', 'line 93', 'line 94', 'line 95', 'line 96', 'line 97', 'line 98', 'line 99']]), (5, [['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12', 'line 13', 'line 14', 'line 15', 'line 16', 'line 17', 'line 18', 'line 19', 'line 20', 'line 21'], ['line 22', 'line 23', 'line 24', 'line 25', 'line 26', 'line 27', 'line 28', 'line 29', 'line 30', 'line 31', 'line 32', 'line 33', 'line 34', 'line 35', 'line 36', 'line 37', 'line 38', 'line 39', 'line 40'], ['line 41', 'line 42', 'line 43', 'line 44', 'line 45', 'line 46', 'line 47', 'line 48', 'line 49', 'line 50', 'line 51', 'line 52', 'line 53', 'line 54', 'line 55', 'line 56', 'line 57', 'line 58', 'line 59', 'line 60'], ['line 61', 'line 62', 'line 63', 'line 64', 'line 65', 'line 66', 'line 67', 'line 68', 'line 69', 'line 70', 'line 71', 'line 72', 'line 73', 'line 74', 'line 75', 'line 76', 'line 77', 'line 78', 'line 79', 'line 80'], ['line 81', 'line 82', 'line 83', 'line 84', 'line 85', 'line 86', 'line 87', 'line 88', 'line 89', 'line 90', 'line 91', 'line 92', 'line 93', 'line 94', 'line 95', 'line 96', 'line 97', 'line 98', 'line 99']])],
    'textFile_dir': [(3, [['x0', 'y0'], ['x1', 'y1'], ['x2', 'y2']]), (3, [['x0', 'y0'], ['x1', 'y1'], ['x2', 'y2']]), (6, [['x0', 'y0'], [], ['x1', 'y1'], [], ['x2', 'y2'], []])],
    'textFile_empty': (0, []),
    'textFile_noeol': (3, [['a', 'b'], ['', 'c'], []]),
    'wholeTextFiles': [('part-0', 'x0\ny0\n'), ('part-1', 'x1\ny1\n'), ('part-2', 'x2\ny2\n')],
    'wholeTextFiles_parts': 2,
    'textFile_missing': RaisesSomething(),  # PySpark: Py4JJavaError: An error occurred while calling z:org.apa
    'R2_mean_ints': 2.5,
    'R2_variance_ints': 1.25,
    'R2_stdev_ints': 1.118033988749895,
    'R2_sampleStdev_ints': 1.2909944487358056,
    'R2_sampleVariance_ints': 1.6666666666666667,
    'R2_stats_ints': (4, 2.5, 10.0, 1.0, 4.0, 1.118033988749895, 1.2909944487358056, 1.25, 1.6666666666666667, '(count: 4, mean: 2.5, stdev: 1.118033988749895, max: 4.0, min: 1.0'),
    'R2_mean_floats': 4.666666666666667,
    'R2_variance_floats': 14.388888888888888,
    'R2_stdev_floats': 3.793268892247014,
    'R2_sampleStdev_floats': 4.645786621588784,
    'R2_sampleVariance_floats': 21.583333333333332,
    'R2_stats_floats': (3, 4.666666666666667, 14.0, 1.5, 10.0, 3.793268892247014, 4.645786621588784, 14.388888888888888, 21.583333333333332, '(count: 3, mean: 4.666666666666667, stdev: 3.793268892247014, max: 10.0, min: 1.5'),
    'R2_mean_one': 7.0,
    'R2_variance_one': 0.0,
    'R2_stdev_one': 0.0,
    'R2_sampleStdev_one': Repr('nan'),
    'R2_sampleVariance_one': Repr('nan'),
    'R2_stats_one': Repr("(1, 7.0, 7.0, 7.0, 7.0, 0.0, nan, 0.0, nan, '(count: 1, mean: 7.0, stdev: 0.0, max: 7.0, min: 7.0')"),
    'R2_mean_empty': 0.0,
    'R2_variance_empty': Repr('nan'),
    'R2_stdev_empty': Repr('nan'),
    'R2_sampleStdev_empty': Repr('nan'),
    'R2_sampleVariance_empty': Repr('nan'),
    'R2_stats_empty': Repr("(0, 0.0, 0.0, inf, -inf, nan, nan, nan, nan, '(count: 0, mean: 0.0, stdev: nan, max: -inf, min: inf')"),
    'R2_mean_mixed': 1.75,
    'R2_variance_mixed': 0.5625,
    'R2_stdev_mixed': 0.75,
    'R2_sampleStdev_mixed': 1.0606601717798212,
    'R2_sampleVariance_mixed': 1.125,
    'R2_stats_mixed': (2, 1.75, 3.5, 1.0, 2.5, 0.75, 1.0606601717798212, 0.5625, 1.125, '(count: 2, mean: 1.75, stdev: 0.75, max: 2.5, min: 1.0'),
    'R2_stats_asDict': {'count': 3.0, 'mean': 2.0, 'sum': 6.0, 'min': 1.0, 'max': 3.0, 'stdev': 0.816496580927726, 'variance': 0.6666666666666666},
    'R2_mean_type': 'float',
    'R2_max_type': 'int',
    'R2_sum_type': 'int',
    'R2_StatCounter_empty': Repr('(0, 0.0, nan, inf, -inf, nan)'),
    'R2_ResultIterable': (3, [1, 1, 3], [1, 1, 3], [1, 1, 3], 'list', 3),
    'R2_ResultIterable_repr_prefix': '<sparklet.resultiterable.ResultIterable',
    'R2_lookup_partitioned': [2, 7, 12, 17],
    'R2_lookup_str_partitioned': [[1, 1, 3], [1, 7], [5], [2], []],
    'R2_sortByKey_keyfunc': (2, [[], [('A', 1), ('a', 3), ('b', 0), ('c', 2), ('D', 4), ('E', 5), ('f', 6), ('G', 7)]]),
    'R2_sortByKey_keyfunc_desc': (3, [[('G', 7), ('f', 6), ('E', 5), ('D', 4), ('c', 2), ('b', 0), ('A', 1), ('a', 3)], [], []]),
    'R2_sortByKey_big': [(264, (0, 0)), (283, (264, 256)), (257, (547, 413)), (196, (804, 916))],
    'R2_sortByKey_big_desc': [(290, (999, 321)), (308, (709, 411)), (402, (401, 279))],
    'R2_sortBy_big': [(235, 0), (222, 235), (209, 457), (175, 666), (156, 841)],
    'R2_sortByKey_str_big': [(77, ('k0', 0)), (107, ('k168', 36)), (44, ('k264', 228)), (72, ('k34', 118))],
    'R2_sortByKey_default_parts': 3,
    'R2_sortByKey_default_parts_1': 1,
    'R2_sortByKey_empty_n': (3, [[], [], []]),
    'R2_groupByKey_big': [[(0, 14), (4, 14), (8, 14)], [(1, 14), (5, 14), (9, 14)], [(2, 14), (6, 14), (10, 14)], [(3, 14), (7, 14), (11, 14)]],
    'R2_distinct_big': [[0, 3, 6, 9], [1, 4, 7, 10], [2, 5, 8, 11]],
    'R2_partitionBy_str_big': [['key2', 'key5', 'key6', 'key7', 'key8', 'key10', 'key14', 'key16', 'key18', 'key21', 'key22', 'key29'], ['key0', 'key3', 'key13', 'key23', 'key27'], ['key4', 'key9', 'key15', 'key24', 'key25', 'key26'], ['key1', 'key11', 'key12', 'key17', 'key19', 'key20', 'key28']],
    'R2_acc_value_in_task_msg2': [('RuntimeError', '[VALUE_NOT_ACCESSIBLE] Value `Accumulator.value` cannot be accessed inside tasks.')],
    'R2_acc_set_value_in_task': [('RuntimeError', '[VALUE_NOT_ACCESSIBLE] Value `Accumulator.value` cannot be accessed inside tasks.')],
    'R2_groupBy': (2, [[(0, [2, 8])], [(1, [1, 1, 3, 5])]]),
    'R2_groupBy_n': (2, [[(2, [2, 5, 8]), (0, [3])], [(1, [1, 1])]]),
    'R2_pipe': (2, [['1', '2'], ['', '3']]),
    'R2_pipe_int': ['1', '2'],
    'R2_pipe_fail': RaisesSomething(),  # PySpark: Py4JJavaError: An error occurred while calling z:org.apa
    'R2_mapPartitions_preserve': (True, None),
    'R2_partitioner_after': [True, True, True, False, False, False, True, True, True, False, True, True, False],
    'R2_sample_frac_gt1': 10,
    'R2_takeSample_toobig': Raises(ValueError, 'Sample size cannot be greater than 9223372006484770808.'),
    'R2_takeSample_wr_big': [5, 0, 0, 3, 3, 8, 4, 8, 8, 0, 2, 5, 0, 5, 4, 0, 1, 7, 5, 3, 3, 2, 7, 9, 5],
    'R2_randomSplit_zero': [[], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    'R2_randomSplit_neg': Raises(ValueError, 'Weights must be nonnegative'),
    'R2_top_empty': [],
    'R2_takeOrdered_empty': [],
    'R2_countByValue_str': [('i', 4), ('m', 1), ('p', 2), ('s', 4)],
    'R2_range_step0': Raises(ValueError, 'range() arg 3 must not be zero'),
    'R2_range_big': [[0, 100000000000, 200000000000], [300000000000, 400000000000, 500000000000], [600000000000, 700000000000, 800000000000, 900000000000]],
    'R2_range_type': 'int',
    'R2_flatMap_gen': [0, 1, 2, 0, 1],
    'R2_foreach_ret': None,
    'R2_foreachPartition_ret': None,
    'R2_leftOuterJoin_none': [('a', (None, None)), ('b', (1, None))],
    'R2_join_dups': (2, [[(2, ('c', 'z'))], [(1, ('a', 'x')), (1, ('a', 'y')), (1, ('b', 'x')), (1, ('b', 'y'))]]),
    'R2_zip_same_parent': (3, [[(0, 0), (1, 2)], [(2, 4), (3, 6)], [(4, 8), (5, 10), (6, 12)]]),
    'R2_zip_diff_batches': (2, [[(0, 'a'), (1, 'b'), (2, 'c')], [(3, 'd'), (4, 'e'), (5, 'f')]]),
    'R2_cartesian_big': [2, 2, 4, 3, 3, 6],
    'R2_coalesce_union': (3, [[0, 1], [2, 3], [4, 5, 6, 7, 8]]),
    'R2_coalesce_many': (4, [[0, 1, 2, 3], [4, 5, 6, 7, 8, 9], [10, 11, 12, 13], [14, 15, 16, 17, 18, 19]]),
    'R2_coalesce_many2': (3, [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11, 12, 13], [14, 15, 16, 17, 18, 19, 20, 21, 22]]),
    'R2_histogram_minmax_float': ([1.0, 1.0], [2]),
    'R2_histogram_int_float_mix': ([1.0, 2.25, 3.5, 4.75, 6], [2, 1, 1, 2]),
    'R2_histogram_int_exact': ([0, 3, 6, 9], [3, 3, 4]),
    'R2_histogram_big': ([0.0, 142.71428571428572, 285.42857142857144, 428.14285714285717, 570.8571428571429, 713.5714285714287, 856.2857142857143, 999], [143, 143, 143, 142, 143, 143, 143]),
    'R2_histogram_float_step': ([0.0, 0.09999999999999999, 0.19999999999999998, 0.3], [1, 1, 2]),
    'R2_histogram_zero_buckets_list': Raises(ValueError, 'buckets should have more than one value'),
    'R2_histogram_nan_bucket': Raises(ValueError, 'can not have None or NaN in buckets'),
    'R2_histogram_mixed_types': Raises(TypeError, "'<' not supported between instances of 'str' and 'int'"),
    'R2_collectAsMap_type': 'dict',
    'R2_countByValue_repr': "defaultdict(<class 'int'>, {1: 2, 2: 1})",
    'R2_countByKey_repr': "defaultdict(<class 'int'>, {1: 2, 2: 1})",
    'R2_zipWithIndex_many': [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9], [10, 11, 12], [13, 14, 15], [16, 17, 18, 19]],
    'R2_zipWithUniqueId_many': [[0, 6, 12], [1, 7, 13], [2, 8, 14, 20], [3, 9, 15], [4, 10, 16], [5, 11, 17, 23]],
    'R2_glom_type': 'list',
    'R2_parallelize_str_many': (5, [[], [], ['a'], [], ['b']]),
    'R2_parallelize_bytes': (2, [[97], [98, 99]]),
    'R2_parallelize_nested': (3, [[[1, 2]], [(3,)], [{'a': 1}, None]]),
    'R2_parallelize_numpy_free_float': Repr('(2, [[1.5], [inf, -0.0]])'),
    'R2_emptyRDD_ops': Raises(ValueError, 'Can not reduce() empty RDD'),
    'R2_emptyRDD_union': (2, [[], [1]]),
    'R2_emptyRDD_reduce': Raises(ValueError, 'Can not reduce() empty RDD'),
    'R2_emptyRDD_sum': 0,
    'R2_union_many': [[0], [1], [2], [3], [4]],
    'R2_sc_union_one': (2, [[1], [2]]),
    'R2_aggregateByKey_n': (2, [[(0, 30), (2, 38), (4, 46)], [(1, 34), (3, 42)]]),
    'R2_combineByKey_default': 3,
    'R2_foldByKey_mutable': [('a', [1, 1, 3]), ('b', [1, 7]), ('c', [5]), ('d', [2])],
    'R2_subtract_default_parts': [4, 4, 4],
    'R2_intersection_parts': [4, 4, 4],
    'R2_join_parts': [4, 4, 4, 9],
    'R2_cogroup_parts': [4, 4, 4],
    'R2_groupWith_parts': 8,
    'R2_reduceByKey_parts': [1, 3, 7],
    'R2_union_parts': 5,
    'R2_distinct_parts': [1, 3],
    'R2_cartesian_parts': 6,
    'R2_zipWithIndex_parts': 3,
    'R2_lookup_none': [1, 2],
    'R2_keyBy_tuple': [((1, 2), (1, 2))],
    'R2_values_nonpair': [2],
    'R2_keys_nonpair': ['a'],
    'R2_max_mixed': 2.5,
    'R2_min_str': 'a',
    'R2_first_type': (1, [2]),
    'R2_take_all_parts': [0, 29],
    'R2_StatCounter_repr_int': '(count: 2, mean: 1.5, stdev: 0.5, max: 2.0, min: 1.0)',
    'R2_textFile_glob': ['x0', 'x1', 'x2', 'y0', 'y1', 'y2'],
    'R2_textFile_comma': ['x0', 'y0', 'x1', 'y1'],
    'R2_textFile_unicode': (9, ['héllo', '日本'], [b'h\xc3\xa9llo', b'\xe6\x97\xa5\xe6\x9c\xac']),
    'R2_sc_parallelize_numSlices_kw': [[1], [2, 3]],
    'R2_conf_get_int': ('1', 'str'),
    'R2_conf_debugstring_order': 'a=2\nspark.app.name=q\nz=1',
    'R2_conf_setMaster_return': 'SparkConf',
    'R2_conf_get_default_none': None,
    'R2_conf_getAll_sc': ['spark.app.name', 'spark.master'],
    'R2_StorageLevel_eq': (True, False),
    'R2_StorageLevel_attrs': (True, True, False, False, 2),
    'R2_persist_level_kw': 'Disk Memory Serialized 1x Replicated',
    'R2_unpersist_ret': (True, False),
    'R2_setName_ret': True,
    'R2_toDebugString_startswith': b'(3) ',
    'R2_portable_hash': [0, 1, -2, 1099511627776, 0, 3430029580082870073, 102774922575124033, 1152921504606846977, 1],
    'R2_portable_hash_str': [0, 4644417185603328019, -4594863902769663758, 6395329678795984700, 6243316497235261705, 102774922574124034, 3581425560630879266],
    'R2_partitioner_attrs': (3, 1, 1),
}

# Cases not asserted: PySpark's result there is JVM- or environment-specific.
KNOWN_DIFFERENCES = {
    'parallelize_zero': "PySpark: ZeroDivisionError; sparklet: ValueError('Positive number of partitions required')",
    'repartition_glom': 'placement differs: PySpark ships 10-element batches to a random start partition',
    'repartition_glom3': 'placement differs (as above); counts match',
    'coalesce_shuffle_glom': 'placement differs (as above); counts match',
    'zip_mismatch_len': 'PySpark: driver-side ValueError from its batch deserializer; sparklet: task failure',
    'countApproxDistinct': 'PySpark 1006 (JVM HyperLogLog++); sparklet 1000',
    'toDebugString_lines': 'PySpark shows the JVM lineage (6 lines); sparklet its own (3)',
    'rdd_repr_map_prefix': "PySpark 'PythonRDD'; sparklet 'MapPartitionsRDD'",
    'rdd_repr_range': "PySpark 'PythonRDD'; sparklet 'ParallelCollectionRDD'",
    'R2_emptyRDD_repr': "PySpark 'EmptyRDD'; sparklet 'ParallelCollectionRDD'",
    'R2_add_nonrdd': "both TypeError; PySpark's message is empty",
    'R2_union_nonrdd': 'both AttributeError; messages name different internals',
    'R2_sc_union_empty': "PySpark: IndexError; sparklet: ValueError('union() needs at least one RDD')",
}


def _write_text_files():
    os.makedirs(DATA + "/data", exist_ok=True)
    with open(DATA + "/data/a.txt", "w") as f:
        f.write("\n".join("line %d" % i for i in range(100)) + "\n")
    os.makedirs(DATA + "/data2", exist_ok=True)
    for i in range(3):
        with open("%s/data2/part-%d" % (DATA, i), "w") as f:
            f.write("x%d\ny%d\n" % (i, i))


@pytest.fixture(scope="module")
def sc():
    active = SparkContext._active_spark_context
    if active is not None and (active.master != "local[2]" or active.appName != "parity"):
        active.stop()
    _write_text_files()
    return SparkContext.getOrCreate(SparkConf().setMaster("local[2]").setAppName("parity"))


@pytest.mark.parametrize("name", list(OBSERVED))
def test_same_result_as_pyspark(sc, name):
    expected = OBSERVED[name]
    run = CASES[name]
    if isinstance(expected, Raises):
        with pytest.raises(expected.type) as info:
            run(sc, sparklet)
        assert str(info.value).strip().splitlines()[0] == expected.message
    elif isinstance(expected, RaisesSomething):
        with pytest.raises(Exception):
            run(sc, sparklet)
    else:
        assert repr(run(sc, sparklet)) == repr(expected)


def test_every_case_is_observed_or_known():
    assert set(CASES) <= set(OBSERVED) | set(KNOWN_DIFFERENCES) | _NOT_TARGETS


# cases whose PySpark run failed for environment reasons (no numpy / no PYTHONHASHSEED on the
# first run); their re-run twins (prefix R2_) carry the observation.
_NOT_TARGETS = {
    'R2_acc_value_in_task_msg',
    'R2_getNumPartitions_textFile',
    'R2_stats_types',
    'R2_stats_types_f',
    'R2_stdev_type',
    'ResultIterable',
    'ResultIterable_repr_prefix',
    'lookup_partitioned',
    'mean_empty',
    'mean_floats',
    'mean_int_type',
    'mean_ints',
    'mean_mixed',
    'mean_one',
    'partitioner_attrs',
    'portable_hash',
    'sampleStdev_empty',
    'sampleStdev_floats',
    'sampleStdev_ints',
    'sampleStdev_mixed',
    'sampleStdev_one',
    'sampleVariance_empty',
    'sampleVariance_floats',
    'sampleVariance_ints',
    'sampleVariance_mixed',
    'sampleVariance_one',
    'stats_asDict_sample',
    'stats_empty',
    'stats_floats',
    'stats_ints',
    'stats_mixed',
    'stats_one',
    'stats_repr_types',
    'stdev_empty',
    'stdev_floats',
    'stdev_ints',
    'stdev_mixed',
    'stdev_one',
    'variance_empty',
    'variance_floats',
    'variance_ints',
    'variance_mixed',
    'variance_one',
}
