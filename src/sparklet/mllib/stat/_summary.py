"""Column statistics of an RDD of vectors, one pass, combined with ``treeAggregate``.

Each partition folds its vectors in blocks of rows: a block's count, column means and sums of
squared deviations come from numpy, and blocks (then partitions) merge with Chan et al.'s
pairwise update, so variances stay accurate where ``sum(x^2) - n * mean^2`` would cancel.
Sparse vectors stay sparse: only their active entries are touched, the implicit zeros enter
the deviations through the column counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from sparklet.mllib.linalg import DenseVector, SparseVector, _convert_to_vector

BLOCK_ROWS = 1024


def _check_size(expected: int, got: int) -> None:
    if expected != got:
        raise ValueError("Dimensions mismatch when adding new sample: expecting %d but got %d"
                         % (expected, got))


class ColumnSummary:
    """Mergeable per-column moments: count, mean, M2 (sum of squared deviations), nonzero
    counts, max/min over nonzero entries, L1 and squared-L2 sums."""

    __slots__ = ("n", "count", "mean", "m2", "nnz", "max_nz", "min_nz", "l1", "l2sq")

    def __init__(self) -> None:
        self.n = -1  # the dimension, unknown until the first vector
        self.count = 0

    def _init(self, n: int) -> None:
        self.n = n
        self.mean = np.zeros(n)
        self.m2 = np.zeros(n)
        self.nnz = np.zeros(n, dtype=np.int64)
        self.max_nz = np.full(n, -np.inf)
        self.min_nz = np.full(n, np.inf)
        self.l1 = np.zeros(n)
        self.l2sq = np.zeros(n)

    def add_block(self, vectors: list[Any]) -> ColumnSummary:
        """Fold a block of vectors in; returns self."""
        if not vectors:
            return self
        vs = [_convert_to_vector(v) for v in vectors]
        if self.n < 0:
            self._init(len(vs[0]))
        for v in vs:
            _check_size(self.n, len(v))
        dense = [v.toArray() for v in vs if not isinstance(v, SparseVector)]
        sparse = [v for v in vs if isinstance(v, SparseVector)]
        if dense:
            self._merge(_dense_block(np.vstack(dense)))
        if sparse:
            self._merge(_sparse_block(sparse, self.n))
        return self

    def _merge(self, other: ColumnSummary) -> None:
        if other.count == 0:
            return
        if self.count == 0:
            for name in self.__slots__:
                setattr(self, name, getattr(other, name))
            return
        _check_size(self.n, other.n)
        na, nb = self.count, other.count
        total = na + nb
        delta = other.mean - self.mean
        self.mean = self.mean + delta * (nb / total)
        self.m2 = self.m2 + other.m2 + delta * delta * (na * nb / total)
        self.count = total
        self.nnz = self.nnz + other.nnz
        self.max_nz = np.maximum(self.max_nz, other.max_nz)
        self.min_nz = np.minimum(self.min_nz, other.min_nz)
        self.l1 = self.l1 + other.l1
        self.l2sq = self.l2sq + other.l2sq

    def merge(self, other: ColumnSummary) -> ColumnSummary:
        """Combine with another summary; returns self."""
        self._merge(other)
        return self

    # -- results (as Spark's MultivariateOnlineSummarizer reports them) --

    def variance(self) -> np.ndarray:
        if self.count > 1:
            return self.m2 / (self.count - 1)
        return np.zeros(self.n)

    def max(self) -> np.ndarray:
        # implicit (and explicit) zeros count once a column has fewer nonzeros than rows
        return np.where(self.nnz < self.count, np.maximum(self.max_nz, 0.0), self.max_nz)

    def min(self) -> np.ndarray:
        return np.where(self.nnz < self.count, np.minimum(self.min_nz, 0.0), self.min_nz)


def _dense_block(x: np.ndarray) -> ColumnSummary:
    s = ColumnSummary()
    s._init(x.shape[1])
    s.count = x.shape[0]
    s.mean = x.mean(axis=0)
    dev = x - s.mean
    s.m2 = np.einsum("ij,ij->j", dev, dev)
    nonzero = x != 0
    s.nnz = nonzero.sum(axis=0)
    s.max_nz = np.where(nonzero, x, -np.inf).max(axis=0)
    s.min_nz = np.where(nonzero, x, np.inf).min(axis=0)
    s.l1 = np.abs(x).sum(axis=0)
    s.l2sq = np.einsum("ij,ij->j", x, x)
    return s


def _sparse_block(vs: list[SparseVector], n: int) -> ColumnSummary:
    s = ColumnSummary()
    s._init(n)
    s.count = len(vs)
    idx = np.concatenate([v.indices for v in vs]).astype(np.intp)
    val = np.concatenate([v.values for v in vs])
    keep = val != 0  # explicit zeros are zeros (Spark skips them too)
    idx, val = idx[keep], val[keep]
    total = np.bincount(idx, weights=val, minlength=n)
    s.mean = total / s.count
    dev = val - s.mean[idx]
    s.nnz = np.bincount(idx, minlength=n)
    # deviations of the active entries plus those of the implicit zeros
    s.m2 = np.bincount(idx, weights=dev * dev, minlength=n) + (s.count - s.nnz) * s.mean ** 2
    np.maximum.at(s.max_nz, idx, val)
    np.minimum.at(s.min_nz, idx, val)
    s.l1 = np.bincount(idx, weights=np.abs(val), minlength=n)
    s.l2sq = np.bincount(idx, weights=val * val, minlength=n)
    return s


def _blocks(it: Iterable[Any], rows: int = BLOCK_ROWS) -> Iterator[list[Any]]:
    block: list[Any] = []
    for v in it:
        block.append(v)
        if len(block) >= rows:
            yield block
            block = []
    if block:
        yield block


def _tree_merged(rdd: Any, statistic: type, depth: int) -> Any:
    """One ``statistic`` (a class with ``add_block`` and ``merge``) per partition, built
    block by block, merged in a tree: no vector leaves its executor."""
    def per_partition(it: Iterable[Any]) -> Iterator[Any]:
        acc = statistic()
        for block in _blocks(it):
            acc.add_block(block)
        yield acc

    return rdd.mapPartitions(per_partition).treeAggregate(
        statistic(), lambda acc, s: acc.merge(s), lambda a, b: a.merge(b), depth)


def summarize(rdd: Any, depth: int = 2) -> ColumnSummary:
    """The :class:`ColumnSummary` of an RDD of vectors."""
    return _tree_merged(rdd, ColumnSummary, depth)


class Comoments:
    """Mergeable count, mean vector and co-moment matrix ``sum (x - mean)(x - mean)^T``."""

    __slots__ = ("count", "mean", "c")

    def __init__(self) -> None:
        self.count = 0
        self.mean: np.ndarray | None = None
        self.c: np.ndarray | None = None

    def add_block(self, rows: list[Any]) -> Comoments:
        x = np.vstack([_convert_to_vector(r).toArray() for r in rows])
        if self.mean is not None:
            _check_size(len(self.mean), x.shape[1])
        other = Comoments()
        other.count = x.shape[0]
        other.mean = x.mean(axis=0)
        dev = x - other.mean
        other.c = dev.T @ dev
        return self.merge(other)

    def merge(self, other: Comoments) -> Comoments:
        if other.count == 0:
            return self
        if self.count == 0:
            self.count, self.mean, self.c = other.count, other.mean, other.c
            return self
        _check_size(len(self.mean), len(other.mean))
        na, nb = self.count, other.count
        total = na + nb
        delta = other.mean - self.mean
        self.mean = self.mean + delta * (nb / total)
        self.c = self.c + other.c + np.outer(delta, delta) * (na * nb / total)
        self.count = total
        return self


def comoments(rdd: Any, depth: int = 2) -> Comoments:
    """The :class:`Comoments` of an RDD of vectors."""
    return _tree_merged(rdd, Comoments, depth)


def as_dense(v: Any) -> DenseVector:
    return DenseVector(np.asarray(v, dtype=np.float64))
