"""Gaussian kernel density estimation over an RDD sample, as
``pyspark.mllib.stat.KernelDensity``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["KernelDensity"]


class KernelDensity:
    """Estimate a probability density at given points from an RDD sample with Gaussian
    kernels; each partition sums its kernels at every point and the sums are tree-combined.

    >>> kd = KernelDensity()
    >>> kd.setSample(sc.parallelize([0.0, 1.0]))  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._bandwidth = 1.0
        self._sample: Any = None

    def setBandwidth(self, bandwidth: float) -> None:
        """The standard deviation of the Gaussian kernel (default 1.0)."""
        if bandwidth <= 0:
            raise ValueError("Bandwidth must be positive, got %r" % (bandwidth,))
        self._bandwidth = float(bandwidth)

    def setSample(self, sample: Any) -> None:
        """The sample, an RDD of floats."""
        from sparklet.rdd import RDD

        if not isinstance(sample, RDD):
            raise TypeError("samples should be an RDD, received %s" % type(sample))
        self._sample = sample

    def estimate(self, points: Iterable[float]) -> np.ndarray:
        """The density estimates at ``points``."""
        if self._sample is None:
            raise ValueError("Call setSample before estimate")
        pts = np.asarray(list(points), dtype=np.float64)
        bw = self._bandwidth
        log_norm = np.log(bw) + 0.5 * np.log(2 * np.pi)

        def part(it):
            xs = np.fromiter((float(x) for x in it), dtype=np.float64)
            if xs.size == 0:
                yield (np.zeros(len(pts)), 0)
                return
            z = (pts[:, None] - xs[None, :]) / bw
            yield (np.exp(-0.5 * z * z - log_norm).sum(axis=1), xs.size)

        dens, n = self._sample.mapPartitions(part).treeAggregate(
            (np.zeros(len(pts)), 0), lambda a, b: (a[0] + b[0], a[1] + b[1]),
            lambda a, b: (a[0] + b[0], a[1] + b[1]))
        if n == 0:
            raise ValueError("The sample is empty")
        return dens / n
