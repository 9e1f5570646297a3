"""Running count, mean and variance of numbers: the result of ``RDD.stats()``.

One pass over each partition (Welford's update), then partitions' counters are merged with
the parallel formula, so results agree with PySpark's to the last bit for the same order.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

__all__ = ["StatCounter"]


class StatCounter:
    """Statistics of a stream of numbers.

    >>> s = StatCounter([1.0, 2.0, 3.0, 4.0])
    >>> s.count(), s.mean(), s.sum(), s.min(), s.max()
    (4, 2.5, 10.0, 1.0, 4.0)
    >>> round(s.sampleStdev(), 6)
    1.290994
    >>> StatCounter([1, 2])
    (count: 2, mean: 1.5, stdev: 0.5, max: 2.0, min: 1.0)
    """

    def __init__(self, values: Iterable[float] | None = None):
        self.n = 0
        self.mu = 0.0
        self.m2 = 0.0  # sum of squared distances from the running mean
        self.maxValue = float("-inf")
        self.minValue = float("inf")
        for v in values or ():
            self.merge(v)

    def merge(self, value: float) -> StatCounter:
        """Add one value."""
        delta = value - self.mu
        self.n += 1
        self.mu += delta / self.n
        self.m2 += delta * (value - self.mu)
        # PySpark keeps min and max with numpy.maximum/minimum, which give floats for ints.
        self.maxValue = float(max(self.maxValue, value))
        self.minValue = float(min(self.minValue, value))
        return self

    def mergeStats(self, other: StatCounter) -> StatCounter:
        """Fold another counter's statistics into this one."""
        if not isinstance(other, StatCounter):
            raise TypeError("Can only merge StatCounter but got %s" % type(other))
        if other is self:
            return self.mergeStats(other.copy())
        if self.n == 0:
            self.n, self.mu, self.m2 = other.n, other.mu, other.m2
            self.maxValue, self.minValue = other.maxValue, other.minValue
        elif other.n != 0:
            delta = other.mu - self.mu
            total = self.n + other.n
            # Weighting from the bigger side keeps the mean stable when sizes differ a lot.
            if other.n * 10 < self.n:
                self.mu = self.mu + (delta * other.n) / total
            elif self.n * 10 < other.n:
                self.mu = other.mu - (delta * self.n) / total
            else:
                self.mu = (self.mu * self.n + other.mu * other.n) / total
            self.maxValue = max(self.maxValue, other.maxValue)
            self.minValue = min(self.minValue, other.minValue)
            self.m2 += other.m2 + (delta * delta * self.n * other.n) / total
            self.n = total
        return self

    def copy(self) -> StatCounter:
        return copy.deepcopy(self)

    def count(self) -> int:
        return int(self.n)

    def mean(self) -> float:
        return self.mu

    def sum(self) -> float:
        return self.n * self.mu

    def min(self) -> float:
        return self.minValue

    def max(self) -> float:
        return self.maxValue

    def variance(self) -> float:
        return float("nan") if self.n == 0 else self.m2 / self.n

    def sampleVariance(self) -> float:
        """Variance with Bessel's correction (divides by n - 1)."""
        return float("nan") if self.n <= 1 else self.m2 / (self.n - 1)

    def stdev(self) -> float:
        return math.sqrt(self.variance())

    def sampleStdev(self) -> float:
        return math.sqrt(self.sampleVariance())

    def asDict(self, sample: bool = False) -> dict[str, float]:
        # PySpark reports the sample statistics unless sample=True; kept for compatibility.
        return {
            "count": self.count(),
            "mean": self.mean(),
            "sum": self.sum(),
            "min": self.min(),
            "max": self.max(),
            "stdev": self.stdev() if sample else self.sampleStdev(),
            "variance": self.variance() if sample else self.sampleVariance(),
        }

    def __repr__(self) -> str:
        return "(count: %s, mean: %s, stdev: %s, max: %s, min: %s)" % (
            self.count(), self.mean(), self.stdev(), self.max(), self.min())
