"""Distributions, as ``pyspark.mllib.stat.distribution``."""

from __future__ import annotations

from typing import NamedTuple

from sparklet.mllib.linalg import Matrix, Vector

__all__ = ["MultivariateGaussian"]


class MultivariateGaussian(NamedTuple):
    """A multivariate Gaussian: mean vector ``mu`` and covariance matrix ``sigma``.

    >>> from sparklet.mllib.linalg import DenseMatrix, Vectors
    >>> m = MultivariateGaussian(Vectors.dense([11, 12]), DenseMatrix(2, 2, (1.0, 3.0, 5.0, 2.0)))
    >>> (m.mu, m.sigma.toArray().tolist())
    (DenseVector([11.0, 12.0]), [[1.0, 5.0], [3.0, 2.0]])
    """

    mu: Vector
    sigma: Matrix
