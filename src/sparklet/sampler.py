"""Per-partition random samplers behind sample, randomSplit and sampleByKey.

Each partition seeds its own generator from ``seed ^ partitionIndex`` (and stirs it, since
neighbouring seeds start out correlated), so a seeded sample is the same in every run and
matches PySpark's for the same data layout.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Iterator

__all__ = ["RDDSampler", "RDDRangeSampler", "RDDStratifiedSampler"]


class _SamplerBase:
    def __init__(self, withReplacement: bool, seed: int | None = None):
        self._seed = seed if seed is not None else random.randint(0, sys.maxsize)
        self._withReplacement = withReplacement

    def _generator(self, split: int) -> random.Random:
        rng = random.Random(self._seed ^ split)
        for _ in range(10):
            rng.randint(0, 1)
        return rng

    @staticmethod
    def _poisson(rng: random.Random, mean: float) -> int:
        if mean < 20.0:  # Knuth: multiply uniforms until below e^-mean
            limit = math.exp(-mean)
            p = rng.random()
            k = 0
            while p > limit:
                k += 1
                p *= rng.random()
            return k
        p = rng.expovariate(mean)  # log domain for large means
        k = 0
        while p < 1.0:
            k += 1
            p += rng.expovariate(mean)
        return k


class RDDSampler(_SamplerBase):
    def __init__(self, withReplacement: bool, fraction: float, seed: int | None = None):
        super().__init__(withReplacement, seed)
        self._fraction = fraction

    def func(self, split: int, iterator) -> Iterator:
        rng = self._generator(split)
        if self._withReplacement:
            for obj in iterator:
                for _ in range(self._poisson(rng, self._fraction)):
                    yield obj
        else:
            for obj in iterator:
                if rng.random() < self._fraction:
                    yield obj


class RDDRangeSampler(_SamplerBase):
    """Keeps elements whose uniform draw falls in [lower, upper): one randomSplit piece."""

    def __init__(self, lowerBound: float, upperBound: float, seed: int | None = None):
        super().__init__(False, seed)
        self._lower, self._upper = lowerBound, upperBound

    def func(self, split: int, iterator) -> Iterator:
        rng = self._generator(split)
        for obj in iterator:
            if self._lower <= rng.random() < self._upper:
                yield obj


class RDDStratifiedSampler(_SamplerBase):
    """A fraction per key (``sampleByKey``)."""

    def __init__(self, withReplacement: bool, fractions: dict, seed: int | None = None):
        super().__init__(withReplacement, seed)
        self._fractions = fractions

    def func(self, split: int, iterator) -> Iterator:
        rng = self._generator(split)
        if self._withReplacement:
            for key, val in iterator:
                for _ in range(self._poisson(rng, self._fractions[key])):
                    yield key, val
        else:
            for key, val in iterator:
                if rng.random() < self._fractions[key]:
                    yield key, val
