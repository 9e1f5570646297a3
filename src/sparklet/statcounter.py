"""Running count, mean and variance of numbers: the result of ``RDD.stats()``.

One pass over each partition (Welford's update), then partitions' counters are merged with
the parallel formula, so results agree with PySpark's to the last bit for the same order.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

__all__ = ["StatCounter"]


def _is_numpy(x) -> bool:
    # Decided by the value's type, so numpy is imported only for numpy values.
    return type(x).__module__.split(".", 1)[0] == "numpy"


def _maximum(a, b):
    """Elementwise for numpy arrays (as PySpark's numpy.maximum), else the larger value."""
    if _is_numpy(a) or _is_numpy(b):
        import numpy

        return numpy.maximum(a, b)
    return max(a, b)


def _minimum(a, b):
    if _is_numpy(a) or _is_numpy(b):
        import numpy

        return numpy.minimum(a, b)
    return min(a, b)


def _sqrt(x):
    if _is_numpy(x):
        import numpy

        return numpy.sqrt(x)
    return math.sqrt(x)


class StatCounter:
    """Statistics of a stream of numbers.

    >>> s = StatCounter([1.0, 2.0, 3.0, 4.0])
    >>> s.count(), s.mean(), s.sum(), s.min(), s.max()
    (4, 2.5, 10.0, 1.0, 4.0)
    >>> round(s.sampleStdev(), 6)
    1.290994
    >>> StatCounter([1, 2])
    (count: 2, mean: 1.5, stdev: 0.5, max: 2.0, min: 1.0)

    numpy arrays are counted elementwise (mean, variance, min and max per position), as in
    PySpark; numpy is needed only when the values are numpy arrays.
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
        if _is_numpy(value):
            self.maxValue = _maximum(self.maxValue, value)
            self.minValue = _minimum(self.minValue, value)
        else:
            # PySpark keeps min and max with numpy.maximum/minimum: floats even for ints.
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
            self.maxValue = _maximum(self.maxValue, other.maxValue)
            self.minValue = _minimum(self.minValue, other.minValue)
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
        return _sqrt(self.variance())

    def sampleStdev(self) -> float:
        return _sqrt(self.sampleVariance())

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
