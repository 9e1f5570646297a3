"""Actions on RDDs of numbers (Spark's DoubleRDDFunctions): sum, stats, histogram.

Mixed into :class:`sparklet.rdd.RDD`. Statistics are computed in one pass per partition
with :class:`StatCounter` and merged on the driver, as PySpark does, so results agree.
"""

from __future__ import annotations

import bisect
import operator
from math import isinf, isnan
from typing import Any

from sparklet.statcounter import StatCounter

__all__ = ["DoubleRDDFunctions"]


class DoubleRDDFunctions:
    """Numeric actions."""

    def sum(self) -> Any:
        """Sum of the elements.

        >>> sc.parallelize([1.0, 2.0, 3.0]).sum()
        6.0
        """
        return self.mapPartitions(lambda it: [sum(it)]).fold(0, operator.add)

    def stats(self) -> StatCounter:
        """Count, mean, variance, max and min in one pass."""
        return self.mapPartitions(lambda it: [StatCounter(it)]).reduce(
            lambda a, b: a.mergeStats(b))

    def mean(self) -> float:
        """>>> sc.parallelize([1, 2, 3]).mean()
        2.0
        """
        return self.stats().mean()

    def variance(self) -> float:
        """>>> sc.parallelize([1, 2, 3]).variance()
        0.666...
        """
        return self.stats().variance()

    def stdev(self) -> float:
        """>>> sc.parallelize([1, 2, 3]).stdev()
        0.816...
        """
        return self.stats().stdev()

    def sampleStdev(self) -> float:
        """>>> sc.parallelize([1, 2, 3]).sampleStdev()
        1.0
        """
        return self.stats().sampleStdev()

    def sampleVariance(self) -> float:
        """>>> sc.parallelize([1, 2, 3]).sampleVariance()
        1.0
        """
        return self.stats().sampleVariance()

    def histogram(self, buckets: int | list | tuple) -> tuple[list, list[int]]:
        """Counts of elements in buckets: ``n`` even buckets between min and max, or the
        given sorted bucket boundaries (the last bucket is closed).

        >>> rdd = sc.parallelize(range(51))
        >>> rdd.histogram(2)
        ([0, 25, 50], [25, 26])
        >>> rdd.histogram([0, 5, 25, 50])
        ([0, 5, 25, 50], [5, 20, 26])
        """
        if isinstance(buckets, int):
            if buckets < 1:
                raise ValueError("number of buckets must be >= 1")

            def comparable(x):
                return x is not None and not (type(x) is float and isnan(x))

            filtered = self.filter(comparable)
            # An empty RDD fails here with reduce()'s own ValueError, as in PySpark.
            minv, maxv = filtered.map(lambda x: (x, x)).reduce(
                lambda a, b: (min(a[0], b[0]), max(a[1], b[1])))
            if minv == maxv or buckets == 1:
                return [minv, maxv], [filtered.count()]
            try:
                inc = (maxv - minv) / buckets
            except TypeError:
                raise TypeError("Can not generate buckets with non-number in RDD") from None
            if isinf(inc):
                raise ValueError("Can not generate buckets with infinite value")
            inc = int(inc)  # keep integer buckets when they are exact
            if inc * buckets != maxv - minv:
                inc = (maxv - minv) * 1.0 / buckets
            buckets = [i * inc + minv for i in range(buckets)]
            buckets.append(maxv)
            even = True
        elif isinstance(buckets, list | tuple):
            if len(buckets) < 2:
                raise ValueError("buckets should have more than one value")
            if any(b is None or isinstance(b, float) and isnan(b) for b in buckets):
                raise ValueError("can not have None or NaN in buckets")
            if sorted(buckets) != list(buckets):
                raise ValueError("buckets should be sorted")
            if len(set(buckets)) != len(buckets):
                raise ValueError("buckets should not contain duplicated values")
            minv, maxv = buckets[0], buckets[-1]
            even = False
            inc = None
            try:
                steps = [buckets[i + 1] - buckets[i] for i in range(len(buckets) - 1)]
            except TypeError:
                pass  # bucket values without '-': fall back to bisection
            else:
                if max(steps) - min(steps) < 1e-10:
                    even = True
                    inc = (maxv - minv) / (len(buckets) - 1)
        else:
            raise TypeError("buckets should be a list or tuple or number(int or long)")

        def count_partition(it):
            counters = [0] * len(buckets)
            for x in it:
                if x is None or (isinstance(x, float) and isnan(x)) or x > maxv or x < minv:
                    continue
                i = int((x - minv) / inc) if even else bisect.bisect_right(buckets, x) - 1
                counters[i] += 1
            last = counters.pop()
            counters[-1] += last  # the last bucket includes its upper bound
            return [counters]

        return buckets, self.mapPartitions(count_partition).reduce(
            lambda a, b: [i + j for i, j in zip(a, b, strict=True)])

    def sumApprox(self, timeout: int, confidence: float = 0.95) -> float:
        """Sum within a time budget (exact here)."""
        from sparklet.util import BoundedFloat

        s = float(self.sum())
        return BoundedFloat(s, confidence, s, s)

    def meanApprox(self, timeout: int, confidence: float = 0.95) -> float:
        """Mean within a time budget (exact here)."""
        from sparklet.util import BoundedFloat

        m = float(self.mean())
        return BoundedFloat(m, confidence, m, m)
