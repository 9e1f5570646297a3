"""RDD actions: the methods that run a job and bring its results to the driver.

Mixed into :class:`sparklet.rdd.RDD` (as :mod:`sparklet.pairs` and :mod:`sparklet.numeric`
are); each action asks ``SparkContext.runJob`` for per-partition results and combines them
on the driver, as PySpark's do, so results and their order agree.
"""

from __future__ import annotations

import heapq
import itertools
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import reduce
from math import ceil, log, sqrt
from typing import Any, TypeVar

from sparklet.util import fail_on_stopiteration

__all__ = ["RDDActions"]

T = TypeVar("T")
U = TypeVar("U")


def _folder(zero, op):
    """A partition function folding its elements into ``zero`` with ``op``; the task has
    its own copy of ``zero`` (closures are deserialized per task), as in PySpark."""
    op = fail_on_stopiteration(op, 2)

    def fold_partition(it):
        acc = zero
        for x in it:
            acc = op(acc, x)
        yield acc
    return fold_partition


class RDDActions:
    """Actions on any RDD."""

    def collect(self) -> list[T]:
        """All elements, in partition order.

        >>> sc.parallelize([1, 2, 3], 2).collect()
        [1, 2, 3]
        """
        return self.ctx.runJob(self, lambda it: it)

    def collectWithJobGroup(self, groupId: str, description: str,
                            interruptOnCancel: bool = False) -> list[T]:
        """Collect with a job group set for the duration of the job."""
        self.ctx.setJobGroup(groupId, description, interruptOnCancel)
        return self.collect()

    def toLocalIterator(self, prefetchPartitions: bool = False) -> Iterator[T]:
        """Iterate over all elements, fetching one partition at a time (one job each).

        With ``prefetchPartitions``, the job for the next partition runs while the current
        one is consumed: faster, at the cost of holding two partitions in the driver.

        >>> list(sc.parallelize(range(5), 2).toLocalIterator())
        [0, 1, 2, 3, 4]
        >>> list(sc.parallelize(range(5), 2).toLocalIterator(prefetchPartitions=True))
        [0, 1, 2, 3, 4]
        """
        n = self.getNumPartitions()
        if not prefetchPartitions:
            for p in range(n):
                yield from self.ctx.runJob(self, lambda it: it, [p])
            return
        from concurrent.futures import ThreadPoolExecutor

        # Jobs started from the prefetch thread keep this thread's local properties
        # (job group, description, scheduler pool), which live in a thread-local.
        props = dict(self.ctx._props())

        def fetch(p: int) -> list:
            self.ctx._local_properties.props = dict(props)
            return self.ctx.runJob(self, lambda it: it, [p])

        with ThreadPoolExecutor(1, thread_name_prefix="toLocalIterator-prefetch") as pool:
            pending = pool.submit(fetch, 0) if n else None
            for p in range(n):
                items = pending.result()  # type: ignore[union-attr]
                pending = pool.submit(fetch, p + 1) if p + 1 < n else None
                yield from items

    def foreach(self, f: Callable[[T], None]) -> None:
        """Apply ``f`` to every element, on the executors."""
        f = fail_on_stopiteration(f, 1)

        def run(it):
            for x in it:
                f(x)
            return iter(())
        self.mapPartitions(run).count()

    def foreachPartition(self, f: Callable[[Iterable[T]], None]) -> None:
        """Apply ``f`` to every partition's iterator, on the executors."""
        f = fail_on_stopiteration(f, 1)

        def run(it):
            r = f(it)
            try:
                return iter(r)  # type: ignore[arg-type]
            except TypeError:
                return iter(())
        self.mapPartitions(run).count()

    def count(self) -> int:
        """Number of elements.

        >>> sc.parallelize([2, 3, 4]).count()
        3
        """
        return self.mapPartitions(lambda it: [sum(1 for _ in it)]).sum()

    def reduce(self, f: Callable[[T, T], T]) -> T:
        """Reduce the elements with a commutative, associative binary function.

        >>> from operator import add
        >>> sc.parallelize([1, 2, 3, 4, 5]).reduce(add)
        15
        >>> sc.parallelize([]).reduce(add)
        Traceback (most recent call last):
            ...
        ValueError: Can not reduce() empty RDD
        """
        f = fail_on_stopiteration(f, 2)

        def partial(it):
            it = iter(it)
            try:
                first = next(it)
            except StopIteration:
                return
            yield reduce(f, it, first)
        values = self.mapPartitions(partial).collect()
        if values:
            return reduce(f, values)
        raise ValueError("Can not reduce() empty RDD")

    def treeReduce(self, f: Callable[[T, T], T], depth: int = 2) -> T:
        """Reduce in a multi-level tree pattern.

        >>> from operator import add
        >>> sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10).treeReduce(add)
        -5
        """
        if depth < 1:
            raise ValueError("Depth cannot be smaller than 1 but got %d." % depth)
        zero = (None, True)  # the flag marks the dummy zero

        def op(x, y):
            if x[1]:
                return y
            if y[1]:
                return x
            return f(x[0], y[0]), False

        reduced = self.map(lambda x: (x, False)).treeAggregate(zero, op, op, depth)
        if reduced[1]:
            raise ValueError("Cannot reduce empty RDD.")
        return reduced[0]

    def fold(self, zeroValue: T, op: Callable[[T, T], T]) -> T:
        """Fold each partition from ``zeroValue``, then fold the partials.

        >>> from operator import add
        >>> sc.parallelize([1, 2, 3, 4, 5]).fold(0, add)
        15
        """
        return self.aggregate(zeroValue, op, op)

    def aggregate(self, zeroValue: U, seqOp: Callable[[U, T], U],
                  combOp: Callable[[U, U], U]) -> U:
        """Aggregate each partition with ``seqOp``, then combine with ``combOp``.

        >>> seqOp = (lambda x, y: (x[0] + y, x[1] + 1))
        >>> combOp = (lambda x, y: (x[0] + y[0], x[1] + y[1]))
        >>> sc.parallelize([1, 2, 3, 4]).aggregate((0, 0), seqOp, combOp)
        (10, 4)
        """
        partials = self.mapPartitions(_folder(zeroValue, seqOp)).collect()
        return reduce(fail_on_stopiteration(combOp, 2), partials, zeroValue)

    def treeAggregate(self, zeroValue: U, seqOp: Callable[[U, T], U],
                      combOp: Callable[[U, U], U], depth: int = 2) -> U:
        """:meth:`aggregate` in a multi-level tree pattern.

        >>> add = lambda x, y: x + y
        >>> sc.parallelize([-5, -4, -3, -2, -1, 1, 2, 3, 4], 10).treeAggregate(0, add, add)
        -5
        """
        if depth < 1:
            raise ValueError("Depth cannot be smaller than 1 but got %d." % depth)
        if self.getNumPartitions() == 0:
            return zeroValue
        combOp = fail_on_stopiteration(combOp, 2)

        partials = self.mapPartitions(_folder(zeroValue, seqOp))
        num = partials.getNumPartitions()
        scale = max(int(ceil(pow(num, 1.0 / depth))), 2)
        while num > scale + num / scale:
            num /= scale
            cur = int(num)
            partials = (partials.mapPartitionsWithIndex(
                lambda i, it, cur=cur: ((i % cur, x) for x in it))
                .reduceByKey(combOp, cur).values())
        return partials.reduce(combOp)

    def max(self, key: Callable[[T], Any] | None = None) -> T:
        """The maximum element (by ``key`` if given).

        >>> sc.parallelize([1.0, 5.0, 43.0, 10.0]).max()
        43.0
        """
        if key is None:
            return self.reduce(max)
        return self.reduce(lambda a, b: max(a, b, key=key))

    def min(self, key: Callable[[T], Any] | None = None) -> T:
        """The minimum element (by ``key`` if given).

        >>> sc.parallelize([2.0, 5.0, 43.0, 10.0]).min(key=str)
        10.0
        """
        if key is None:
            return self.reduce(min)
        return self.reduce(lambda a, b: min(a, b, key=key))

    def countByValue(self) -> dict[T, int]:
        """How many times each distinct element occurs.

        >>> sorted(sc.parallelize([1, 2, 1, 2, 2], 2).countByValue().items())
        [(1, 2), (2, 3)]
        """
        def count_partition(it):
            counts: defaultdict = defaultdict(int)
            for x in it:
                counts[x] += 1
            yield counts

        def merge(m1, m2):
            for k, v in m2.items():
                m1[k] += v
            return m1
        return self.mapPartitions(count_partition).reduce(merge)

    def top(self, num: int, key: Callable[[T], Any] | None = None) -> list[T]:
        """The ``num`` largest elements, in descending order.

        >>> sc.parallelize([10, 4, 2, 12, 3]).top(1)
        [12]
        >>> sc.parallelize([10, 4, 2, 12, 3], 2).top(3, key=str)
        [4, 3, 2]
        """
        key = fail_on_stopiteration(key, 1) if key is not None else None
        return self.mapPartitions(lambda it: [heapq.nlargest(num, it, key=key)]).reduce(
            lambda a, b: heapq.nlargest(num, a + b, key=key))

    def takeOrdered(self, num: int, key: Callable[[T], Any] | None = None) -> list[T]:
        """The ``num`` smallest elements, in ascending order.

        >>> sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7]).takeOrdered(6)
        [1, 2, 3, 4, 5, 6]
        >>> sc.parallelize([10, 1, 2, 9, 3, 4, 5, 6, 7], 2).takeOrdered(6, key=lambda x: -x)
        [10, 9, 7, 6, 5, 4]
        """
        if num < 0:
            raise ValueError("top N cannot be negative.")
        if num == 0 or self.getNumPartitions() == 0:
            return []
        key = fail_on_stopiteration(key, 1) if key is not None else None
        return self.mapPartitions(lambda it: [heapq.nsmallest(num, it, key)]).reduce(
            lambda a, b: heapq.nsmallest(num, a + b, key))

    def take(self, num: int) -> list[T]:
        """The first ``num`` elements, scanning as few partitions as possible.

        >>> sc.parallelize([2, 3, 4, 5, 6]).cache().take(2)
        [2, 3]
        >>> sc.parallelize(range(100), 100).filter(lambda x: x > 90).take(3)
        [91, 92, 93]
        """
        items: list[T] = []
        total = self.getNumPartitions()
        scanned = 0
        scale_up = int(self.ctx._conf.get("spark.rdd.limit.scaleUpFactor", "4"))
        while len(items) < num and scanned < total:
            # Try one partition first, then grow the guess from what the first ones held.
            tries = 1
            if scanned > 0:
                if not items:
                    tries = scanned * scale_up
                else:
                    tries = int(1.5 * num * scanned / len(items)) - scanned
                    tries = min(max(tries, 1), scanned * scale_up)
            left = num - len(items)
            parts = range(scanned, min(scanned + tries, total))
            items += self.ctx.runJob(self, lambda it, left=left: itertools.islice(it, left),
                                     list(parts))
            scanned += tries
        return items[:num]

    def first(self) -> T:
        """The first element.

        >>> sc.parallelize([2, 3, 4]).first()
        2
        >>> sc.parallelize([]).first()
        Traceback (most recent call last):
            ...
        ValueError: RDD is empty
        """
        rs = self.take(1)
        if rs:
            return rs[0]
        raise ValueError("RDD is empty")

    def isEmpty(self) -> bool:
        """True when the RDD has no elements.

        >>> sc.parallelize([]).isEmpty(), sc.parallelize([1]).isEmpty()
        (True, False)
        """
        return self.getNumPartitions() == 0 or len(self.take(1)) == 0

    def takeSample(self, withReplacement: bool, num: int, seed: int | None = None) -> list[T]:
        """A fixed-size random sample, returned to the driver.

        >>> rdd = sc.parallelize(range(0, 10))
        >>> len(rdd.takeSample(True, 20, 1)), len(rdd.takeSample(False, 5, 2))
        (20, 5)
        """
        num_stdev = 10.0
        max_sample = sys.maxsize - int(num_stdev * sqrt(sys.maxsize))
        if num < 0:
            raise ValueError("Sample size cannot be negative.")
        if num > max_sample:
            raise ValueError("Sample size cannot be greater than %d." % max_sample)
        if num == 0 or self.getNumPartitions() == 0:
            return []
        initial = self.count()
        if initial == 0:
            return []
        rand = random.Random(seed)
        if not withReplacement and num >= initial:
            samples = self.collect()
            rand.shuffle(samples)
            return samples
        fraction = self._computeFractionForSampleSize(num, initial, withReplacement)
        samples = self.sample(withReplacement, fraction, seed).collect()
        while len(samples) < num:  # rare: the fraction is chosen to succeed 99.99% of times
            seed = rand.randint(0, sys.maxsize)
            samples = self.sample(withReplacement, fraction, seed).collect()
        rand.shuffle(samples)
        return samples[0:num]

    @staticmethod
    def _computeFractionForSampleSize(sampleSizeLowerBound: int, total: int,
                                      withReplacement: bool) -> float:
        """A sampling rate that yields at least the requested size 99.99% of the time."""
        fraction = float(sampleSizeLowerBound) / total
        if withReplacement:
            num_stdev = 9 if sampleSizeLowerBound < 12 else 5
            return fraction + num_stdev * sqrt(fraction / total)
        delta = 0.00005
        gamma = -log(delta) / total
        return min(1, fraction + gamma + sqrt(gamma * gamma + 2 * gamma * fraction))

    def countApprox(self, timeout: int, confidence: float = 0.95) -> int:
        """Count within a time budget; sparklet always finishes and returns the exact count."""
        return self.count()

    def countApproxDistinct(self, relativeSD: float = 0.05) -> int:
        """Number of distinct elements (exact here, so within any ``relativeSD``).

        >>> sc.parallelize(range(1000)).map(str).countApproxDistinct()
        1000
        """
        if relativeSD < 0.000017:
            raise ValueError("relativeSD should be greater than 0.000017")
        return self.distinct().count()

    def saveAsTextFile(self, path: str, compressionCodecClass: str | None = None) -> None:
        """Save as text files, one per partition, each element as ``str(element)``.

        >>> import tempfile, os
        >>> d = os.path.join(tempfile.mkdtemp(), "out")
        >>> sc.parallelize(["a", "b", "c"], 2).saveAsTextFile(d)
        >>> sorted(sc.textFile(d).collect())
        ['a', 'b', 'c']
        """
        from sparklet import io as sio

        sio.prepare_output_dir(path)
        codec = compressionCodecClass
        self.mapPartitionsWithIndex(
            lambda i, it: sio.write_text_partition(path, i, it, codec) or ()).count()
        sio.commit_output_dir(path)

    def saveAsPickleFile(self, path: str, batchSize: int = 10) -> None:
        """Save as files of pickled objects, read back with ``SparkContext.pickleFile``.

        >>> import tempfile, os
        >>> d = os.path.join(tempfile.mkdtemp(), "pickled")
        >>> sc.parallelize(range(10), 3).saveAsPickleFile(d, 5)
        >>> sorted(sc.pickleFile(d).collect())
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        """
        from sparklet import io as sio

        sio.prepare_output_dir(path)
        self.mapPartitionsWithIndex(
            lambda i, it: sio.write_pickle_partition(path, i, it, batchSize) or ()).count()
        sio.commit_output_dir(path)
