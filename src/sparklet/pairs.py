"""Key-value operations of RDDs of ``(key, value)`` pairs (Spark's PairRDDFunctions).

Mixed into :class:`sparklet.rdd.RDD`. Shuffles hash keys with ``portable_hash`` unless a
``partitionFunc`` is given; an RDD already partitioned the same way is not shuffled again.
Joins and cogroups are built as PySpark builds them (tagged union + groupByKey), so result
partition counts and orders agree with PySpark's.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Iterable
from functools import reduce
from typing import Any

from sparklet.partitioner import Partitioner, portable_hash
from sparklet.resultiterable import ResultIterable
from sparklet.shuffle.aggregator import Aggregator, ExternalAppendOnlyMap, identity, merge_into
from sparklet.util import fail_on_stopiteration

__all__ = ["PairRDDFunctions"]


def _list_create(v):
    return [v]


def _list_append(xs, v):
    xs.append(v)
    return xs


def _list_extend(xs, ys):
    xs.extend(ys)
    return xs


_GROUP = Aggregator(_list_create, _list_append, _list_extend, grows=True)


def _tag(i: int):
    return lambda v: (i, v)


class PairRDDFunctions:
    """Operations on RDDs of key-value pairs."""

    # -- partitioning ----------------------------------------------------------------------

    def _defaultReducePartitions(self) -> int:
        if self.ctx._conf.contains("spark.default.parallelism"):
            return self.ctx.defaultParallelism
        return self.getNumPartitions()

    def _shuffle(self, rdd, partitioner, aggregator=None, map_side_combine=False):
        from sparklet.rdds import ShuffledRDD

        return ShuffledRDD(rdd, partitioner, aggregator, map_side_combine)

    def partitionBy(self, numPartitions: int | None,
                    partitionFunc: Callable[[Any], int] = portable_hash):
        """Redistribute by ``partitionFunc(key) % numPartitions``.

        >>> pairs = sc.parallelize([1, 2, 3, 4, 2, 4, 1]).map(lambda x: (x, x))
        >>> sets = pairs.partitionBy(2).glom().collect()
        >>> len(set(sets[0]).intersection(set(sets[1])))
        0
        """
        if numPartitions is None:
            numPartitions = self._defaultReducePartitions()
        partitioner = Partitioner(numPartitions, partitionFunc or portable_hash)
        if self.partitioner == partitioner:
            return self
        return self._shuffle(self, partitioner)

    def combineByKey(self, createCombiner: Callable, mergeValue: Callable,
                     mergeCombiners: Callable, numPartitions: int | None = None,
                     partitionFunc: Callable[[Any], int] = portable_hash):
        """Turn ``(K, V)`` into ``(K, C)`` with the three combine functions.

        >>> x = sc.parallelize([("a", 1), ("b", 1), ("a", 2)])
        >>> def to_list(a): return [a]
        >>> def append(a, b): a.append(b); return a
        >>> def extend(a, b): a.extend(b); return a
        >>> sorted(x.combineByKey(to_list, append, extend).collect())
        [('a', [1, 2]), ('b', [1])]
        """
        # No per-call wrapper: the aggregator's merge loops turn a StopIteration from these
        # functions into PySpark's task failure (see sparklet.shuffle.aggregator).
        agg = Aggregator(createCombiner, mergeValue, mergeCombiners)
        return self._combine(agg, numPartitions, partitionFunc)

    def _combine(self, agg: Aggregator, numPartitions, partitionFunc):
        if numPartitions is None:
            numPartitions = self._defaultReducePartitions()
        partitioner = Partitioner(numPartitions, partitionFunc or portable_hash)
        if self.partitioner == partitioner:
            limit = self.ctx._python_worker_memory

            def combine_in_place(it):
                merged = ExternalAppendOnlyMap(agg, limit)
                merged.merge_values(it)
                return merged.items()
            return self.mapPartitions(combine_in_place, preservesPartitioning=True)
        return self._shuffle(self, partitioner, agg, map_side_combine=True)

    def reduceByKey(self, func: Callable, numPartitions: int | None = None,
                    partitionFunc: Callable[[Any], int] = portable_hash):
        """Merge the values of each key with an associative, commutative ``func``.

        >>> from operator import add
        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> sorted(rdd.reduceByKey(add).collect())
        [('a', 2), ('b', 1)]
        """
        return self.combineByKey(identity, func, func, numPartitions, partitionFunc)

    def aggregateByKey(self, zeroValue, seqFunc: Callable, combFunc: Callable,
                       numPartitions: int | None = None,
                       partitionFunc: Callable[[Any], int] = portable_hash):
        """Aggregate each key's values from a fresh copy of ``zeroValue``.

        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 2)])
        >>> sorted(rdd.aggregateByKey((0, 0), lambda a, v: (a[0] + v, a[1] + 1),
        ...        lambda a, b: (a[0] + b[0], a[1] + b[1])).collect())
        [('a', (3, 2)), ('b', (1, 1))]
        """
        return self.combineByKey(lambda v: seqFunc(copy.deepcopy(zeroValue), v), seqFunc,
                                 combFunc, numPartitions, partitionFunc)

    def foldByKey(self, zeroValue, func: Callable, numPartitions: int | None = None,
                  partitionFunc: Callable[[Any], int] = portable_hash):
        """Fold each key's values, starting from ``zeroValue``.

        >>> from operator import add
        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> sorted(rdd.foldByKey(0, add).collect())
        [('a', 2), ('b', 1)]
        """
        return self.combineByKey(lambda v: func(copy.deepcopy(zeroValue), v), func, func,
                                 numPartitions, partitionFunc)

    def groupByKey(self, numPartitions: int | None = None,
                   partitionFunc: Callable[[Any], int] = portable_hash):
        """Group each key's values into a :class:`ResultIterable`.

        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> sorted(rdd.groupByKey().mapValues(len).collect())
        [('a', 2), ('b', 1)]
        >>> sorted(rdd.groupByKey().mapValues(list).collect())
        [('a', [1, 1]), ('b', [1])]
        """
        return self._combine(_GROUP, numPartitions, partitionFunc).mapValues(ResultIterable)

    def reduceByKeyLocally(self, func: Callable) -> dict:
        """Merge each key's values and return the result to the driver as a dict.

        >>> from operator import add
        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> sorted(rdd.reduceByKeyLocally(add).items())
        [('a', 2), ('b', 1)]
        """
        def reduce_partition(it):
            m: dict = {}
            merge_into(m, it, None, func)
            yield m

        def merge(m1, m2):
            merge_into(m1, m2.items(), None, func)
            return m1
        return self.mapPartitions(reduce_partition).reduce(merge)

    def countByKey(self) -> dict:
        """Number of elements per key.

        >>> rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)])
        >>> sorted(rdd.countByKey().items())
        [('a', 2), ('b', 1)]
        """
        return self.map(lambda kv: kv[0]).countByValue()

    def collectAsMap(self) -> dict:
        """The pairs as a dict (later values win for repeated keys).

        >>> sc.parallelize([(1, 2), (3, 4)]).collectAsMap()
        {1: 2, 3: 4}
        """
        return dict(self.collect())

    def keys(self):
        """>>> sc.parallelize([(1, 2), (3, 4)]).keys().collect()
        [1, 3]
        """
        return self.map(lambda kv: kv[0])

    def values(self):
        """>>> sc.parallelize([(1, 2), (3, 4)]).values().collect()
        [2, 4]
        """
        return self.map(lambda kv: kv[1])

    def mapValues(self, f: Callable):
        """Apply ``f`` to each value, keeping keys and partitioning.

        >>> x = sc.parallelize([("a", ["apple", "banana", "lemon"]), ("b", ["grapes"])])
        >>> x.mapValues(len).collect()
        [('a', 3), ('b', 1)]
        """
        return self.map(lambda kv: (kv[0], f(kv[1])), preservesPartitioning=True)

    def flatMapValues(self, f: Callable):
        """Apply ``f`` to each value and flatten, keeping keys and partitioning.

        >>> x = sc.parallelize([("a", ["x", "y", "z"]), ("b", ["p", "r"])])
        >>> x.flatMapValues(lambda v: v).collect()
        [('a', 'x'), ('a', 'y'), ('a', 'z'), ('b', 'p'), ('b', 'r')]
        """
        return self.flatMap(lambda kv: ((kv[0], x) for x in f(kv[1])),
                            preservesPartitioning=True)

    # -- joins -----------------------------------------------------------------------------

    def _join(self, other, numPartitions, keep_left: bool, keep_right: bool):
        def dispatch(seq: Iterable):
            left, right = [], []
            for n, v in seq:
                (left if n == 1 else right).append(v)
            if keep_left and not right:
                right.append(None)
            if keep_right and not left:
                left.append(None)
            return ((v, w) for v in left for w in right)

        tagged = self.mapValues(lambda v: (1, v)).union(other.mapValues(lambda v: (2, v)))
        return tagged.groupByKey(numPartitions).flatMapValues(dispatch)

    def join(self, other, numPartitions: int | None = None):
        """Inner join on keys: ``(k, (v, w))`` for every matching pair.

        >>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2), ("a", 3)])
        >>> sorted(x.join(y).collect())
        [('a', (1, 2)), ('a', (1, 3))]
        """
        return self._join(other, numPartitions, False, False)

    def leftOuterJoin(self, other, numPartitions: int | None = None):
        """>>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2)])
        >>> sorted(x.leftOuterJoin(y).collect())
        [('a', (1, 2)), ('b', (4, None))]
        """
        return self._join(other, numPartitions, True, False)

    def rightOuterJoin(self, other, numPartitions: int | None = None):
        """>>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2)])
        >>> sorted(y.rightOuterJoin(x).collect())
        [('a', (2, 1)), ('b', (None, 4))]
        """
        return self._join(other, numPartitions, False, True)

    def fullOuterJoin(self, other, numPartitions: int | None = None):
        """>>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2), ("c", 8)])
        >>> sorted(x.fullOuterJoin(y).collect())
        [('a', (1, 2)), ('b', (4, None)), ('c', (None, 8))]
        """
        return self._join(other, numPartitions, True, True)

    def cogroup(self, other, numPartitions: int | None = None):
        """For each key, the values from self and from other.

        >>> x = sc.parallelize([("a", 1), ("b", 4)])
        >>> y = sc.parallelize([("a", 2)])
        >>> [(k, tuple(map(list, v))) for k, v in sorted(x.cogroup(y).collect())]
        [('a', ([1], [2])), ('b', ([4], []))]
        """
        return self._cogroup((self, other), numPartitions)

    def groupWith(self, other, *others):
        """:meth:`cogroup` with any number of RDDs."""
        return self._cogroup((self, other) + others, None)

    @staticmethod
    def _cogroup(rdds: tuple, numPartitions: int | None):
        tagged = [rdd.mapValues(_tag(i)) for i, rdd in enumerate(rdds)]
        union = reduce(lambda acc, r: acc.union(r), tagged)
        width = len(rdds)

        def dispatch(seq: Iterable):
            bufs: list[list] = [[] for _ in range(width)]
            for n, v in seq:
                bufs[n].append(v)
            return tuple(ResultIterable(vs) for vs in bufs)
        return union.groupByKey(numPartitions).mapValues(dispatch)

    def subtractByKey(self, other, numPartitions: int | None = None):
        """Pairs of self whose key is not in other.

        >>> x = sc.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 2)])
        >>> y = sc.parallelize([("a", 3), ("c", None)])
        >>> sorted(x.subtractByKey(y).collect())
        [('b', 4), ('b', 5)]
        """
        def only_left(pair) -> bool:
            _, (left, right) = pair
            return bool(left) and not right
        return self.cogroup(other, numPartitions).filter(only_left).flatMapValues(
            lambda groups: groups[0])

    def sampleByKey(self, withReplacement: bool, fractions: dict, seed: int | None = None):
        """Stratified sample: a sampling fraction per key."""
        from sparklet.sampler import RDDStratifiedSampler

        for fraction in fractions.values():
            if fraction < 0.0:
                raise ValueError("Negative fraction value: %s" % fraction)
        return self.mapPartitionsWithIndex(
            RDDStratifiedSampler(withReplacement, fractions, seed).func, True)

    def lookup(self, key) -> list:
        """All values for ``key``; only the key's partition is scanned when partitioned.

        >>> rdd = sc.parallelize([(i, str(i)) for i in range(10)])
        >>> rdd.lookup(4)
        ['4']
        >>> rdd.groupByKey().mapValues(list).lookup(4)
        [['4']]
        """
        values = self.filter(lambda kv: kv[0] == key).values()
        if self.partitioner is not None:
            # The key's partition is computed on an executor: string hashes depend on
            # PYTHONHASHSEED, which the driver need not share with the executors.
            partitioner = self.partitioner
            home = self.ctx.runJob(self.ctx.parallelize([key], 1),
                                   lambda it: [partitioner(k) for k in it])[0]
            return self.ctx.runJob(values, lambda it: it, [home])
        return values.collect()

    # -- sorting ---------------------------------------------------------------------------

    def sortByKey(self, ascending: bool = True, numPartitions: int | None = None,
                  keyfunc: Callable[[Any], Any] = lambda x: x):
        """Sort by key: range-partitioned (bounds from a sample), then sorted per partition.

        >>> tmp = [('a', 1), ('b', 2), ('1', 3), ('d', 4), ('2', 5)]
        >>> sc.parallelize(tmp).sortByKey().first()
        ('1', 3)
        >>> sc.parallelize(tmp).sortByKey(True, 2).collect()
        [('1', 3), ('2', 5), ('a', 1), ('b', 2), ('d', 4)]
        """
        if numPartitions is None:
            numPartitions = self._defaultReducePartitions()
        keyfunc = fail_on_stopiteration(keyfunc, 1)

        def sort_partition(it):
            return iter(sorted(it, key=lambda kv: keyfunc(kv[0]), reverse=not ascending))

        if numPartitions == 1:
            rdd = self.coalesce(1) if self.getNumPartitions() > 1 else self
            return rdd.mapPartitions(sort_partition, True)
        size = self.count()
        if not size:
            return self
        # Bounds from a sample, so each range partition gets about the same number of keys.
        fraction = min(numPartitions * 20.0 / max(size, 1), 1.0)
        samples = sorted(self.sample(False, fraction, 1).map(lambda kv: kv[0]).collect(),
                         key=keyfunc)
        bounds = [samples[int(len(samples) * (i + 1) / numPartitions)]
                  for i in range(numPartitions - 1)]

        def range_partition(k) -> int:
            p = bisect.bisect_left(bounds, keyfunc(k))
            return p if ascending else numPartitions - 1 - p

        return self.partitionBy(numPartitions, range_partition).mapPartitions(sort_partition,
                                                                               True)

    def repartitionAndSortWithinPartitions(
            self, numPartitions: int | None = None,
            partitionFunc: Callable[[Any], int] = portable_hash, ascending: bool = True,
            keyfunc: Callable[[Any], Any] = lambda x: x):
        """Repartition, then sort each partition by key (in one shuffle).

        >>> rdd = sc.parallelize([(0, 5), (3, 8), (2, 6), (0, 8), (3, 8), (1, 3)])
        >>> rdd.repartitionAndSortWithinPartitions(2, lambda x: x % 2, True).glom().collect()
        [[(0, 5), (0, 8), (2, 6)], [(1, 3), (3, 8), (3, 8)]]
        """
        if numPartitions is None:
            numPartitions = self._defaultReducePartitions()
        keyfunc = fail_on_stopiteration(keyfunc, 1)

        def sort_partition(it):
            return iter(sorted(it, key=lambda kv: keyfunc(kv[0]), reverse=not ascending))
        return self.partitionBy(numPartitions, partitionFunc).mapPartitions(sort_partition, True)
