"""Optimizers of MLlib's linear models: mini-batch gradient descent and L-BFGS, on RDDs.

The shape is Spark's ``mllib.optimization``: a *gradient* gives the loss of a batch of
examples and its gradient at the current weights, an *updater* takes a gradient step and
applies the regularization, and an optimizer drives them over an RDD of ``(label, features)``
pairs. Every evaluation is one distributed pass: each partition turns its examples into one
numpy block (a dense matrix, or a CSR matrix when any vector is sparse) and computes its
gradient sum, loss sum and count, and ``treeAggregate`` adds the partials up. The training
data never gathers on the driver; only weight vectors travel.

What follows Spark exactly (so results equal PySpark's where no random sampling is
involved): the step size ``stepSize / sqrt(iteration)``, the updaters' shrinkage, the first
``regVal`` taken from the initial weights, the sample seed ``42 + iteration`` for mini-batch
fractions below 1, and the convergence test on successive weight vectors
(``|w_prev - w| < convergenceTol * max(|w|, 1)``). L-BFGS itself is scipy's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from sparklet.mllib.linalg import DenseVector

__all__ = ["Gradient", "LeastSquaresGradient", "LogisticGradient", "HingeGradient",
           "Updater", "SimpleUpdater", "L1Updater", "SquaredL2Updater", "updater_for",
           "to_blocks", "labeled_blocks", "mean_cost", "scaled_cost", "GradientDescent", "LBFGS",
           "minimize_lbfgs"]


# -- blocks: a partition's examples as one matrix -------------------------------------------


def _vector_parts(v: Any) -> tuple[int, np.ndarray | None, np.ndarray]:
    """``(size, indices or None, values)`` of a sparklet Vector, a numpy array or a list."""
    if type(v) is DenseVector:  # the common case, first: hasattr on one goes to numpy
        return v.array.shape[0], None, v.array
    if hasattr(v, "indices") and hasattr(v, "values") and hasattr(v, "size"):
        return int(v.size), np.asarray(v.indices, dtype=np.int64), np.asarray(
            v.values, dtype=np.float64)
    if hasattr(v, "toArray"):
        arr = np.asarray(v.toArray(), dtype=np.float64)
    else:
        arr = np.asarray(v, dtype=np.float64)
    return arr.shape[0], None, arr


def _block(points, add_bias: bool = False):
    """``(labels, X)`` for an iterable of ``(label, features)``: X dense when every vector
    is, CSR otherwise. ``add_bias`` appends a column of ones (the intercept), as Spark's
    ``appendBias``."""
    labels: list[float] = []
    parts = []
    size = None
    any_sparse = False
    for label, features in points:
        n, idx, vals = _vector_parts(features)
        if size is None:
            size = n
        elif n != size:
            raise MixedSizes(size, n)
        any_sparse = any_sparse or idx is not None
        labels.append(float(label))
        parts.append((idx, vals))
    y = np.asarray(labels, dtype=np.float64)
    if size is None:
        return y, None
    cols = size + (1 if add_bias else 0)
    if not any_sparse:
        X = np.empty((len(parts), cols), dtype=np.float64)
        for i, (_, vals) in enumerate(parts):
            X[i, :size] = vals
        if add_bias:
            X[:, size] = 1.0
        return y, X
    from scipy import sparse

    indptr = [0]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    for idx, vals in parts:
        if idx is None:
            nz = np.flatnonzero(vals)
            idx, vals = nz, vals[nz]
        if add_bias:
            idx = np.append(idx, size)
            vals = np.append(vals, 1.0)
        indices.append(idx)
        data.append(vals)
        indptr.append(indptr[-1] + len(idx))
    X = sparse.csr_matrix(
        (np.concatenate(data) if data else np.zeros(0),
         np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
         np.asarray(indptr)), shape=(len(parts), cols))
    return y, X


class MixedSizes(ValueError):
    """Feature vectors of two sizes in one partition."""

    def __init__(self, first: int, other: int):
        super().__init__(f"All feature vectors must have the same size: got {other} after "
                         f"{first}")
        self.first, self.other = first, other


def to_blocks(data, add_bias: bool = False):
    """The RDD of one ``(labels, X)`` block per non-empty partition of ``data``."""
    def build(it):
        y, X = _block(it, add_bias)
        if X is not None:
            yield y, X
    return data.mapPartitions(build)


def labeled_blocks(data, num_features: int, add_bias: bool = False,
                   label_check: Callable[[np.ndarray], float | None] | None = None):
    """``(blocks, count)``: ``data`` (an RDD of ``(label, features)``) as cached numpy
    blocks, built, counted and checked in ONE pass -- every example has ``num_features``
    features, and ``label_check(labels)`` (the first bad label, or None) finds none. A bad
    example is a ``ValueError`` raised here, on the driver.

    The blocks stay Python objects in the executors' memory (``MEMORY_ONLY_DESER``): each
    iteration then reads them without unpickling, as Spark's JVM reads its cached vectors.
    The caller unpersists them."""
    from sparklet.storagelevel import MEMORY_ONLY_DESER

    def build(it):
        try:
            y, X = _block(it, add_bias)
        except MixedSizes as e:
            yield ("mixed", e.first, e.other)
            return
        if X is not None:
            yield y, X

    def summary(block):
        if isinstance(block[0], str):
            return block
        y, X = block
        return ("ok", len(y), X.shape[1] - (1 if add_bias else 0),
                label_check(y) if label_check is not None else None)

    blocks = data.mapPartitions(build).persist(MEMORY_ONLY_DESER)
    count = 0
    try:
        for part in blocks.map(summary).collect():
            if part[0] == "mixed":  # ("mixed", first size, other size) in one partition
                sizes = part[1:]
            else:                   # ("ok", count, size, bad label)
                sizes = (part[2],)
            other = next((n for n in sizes if n != num_features), None)
            if other is not None:
                raise ValueError("All LabeledPoint features must have the same size: the "
                                 "first has %d, another has %d" % (num_features, other))
            if part[3] is not None:
                raise LabelError(part[3])
            count += part[1]
    except ValueError:
        blocks.unpersist()
        raise
    return blocks, count


def _own_blocks(data, add_bias: bool):
    """:func:`labeled_blocks` sized by the first example; ``(None, 0)`` for no data."""
    first = data.take(1)
    if not first:
        return None, 0
    return labeled_blocks(data, _vector_parts(first[0][1])[0], add_bias)


class LabelError(ValueError):
    """A label ``label_check`` refused (the trainer words the message)."""

    def __init__(self, label: float):
        super().__init__(label)
        self.label = label


def mean_cost(blocks, gradient, count: int) -> Callable[[np.ndarray], tuple]:
    """The mean loss over ``count`` examples and its gradient at weights ``w``: one
    treeAggregate over ``blocks`` per call."""
    def cost(w):
        g, loss, _ = _aggregate(blocks, gradient, w)
        return loss / count, g / count
    return cost


def scaled_cost(cost: Callable[[np.ndarray], tuple[float, np.ndarray]], scale: np.ndarray):
    """``cost`` in coordinates scaled by ``scale``: training on features multiplied by
    ``scale`` (feature standardization) equals training on the features themselves with
    weights ``w * scale``, so the blocks need not be built again scaled."""
    def scaled(w):
        f, g = cost(w * scale)
        return f, g * scale
    return scaled


# -- gradients -------------------------------------------------------------------------------


def _log1p_exp(x):
    return np.logaddexp(0.0, x)


class Gradient:
    """The loss of a block of examples and its gradient at ``weights``."""

    def compute(self, y: np.ndarray, X, weights: np.ndarray) -> tuple[np.ndarray, float]:
        """``(gradient sum, loss sum)`` over the block."""
        raise NotImplementedError


class LeastSquaresGradient(Gradient):
    """Squared error ``(w.x - y)^2 / 2`` of linear regression."""

    def compute(self, y, X, weights):
        diff = X @ weights - y
        return np.asarray(X.T @ diff).ravel(), float(0.5 * np.dot(diff, diff))


class HingeGradient(Gradient):
    """Hinge loss of the SVM, labels 0/1 scaled to -1/+1."""

    def compute(self, y, X, weights):
        signed = 2.0 * y - 1.0
        dot = X @ weights
        active = signed * dot < 1.0
        coef = np.where(active, -signed, 0.0)
        loss = float(np.sum(np.where(active, 1.0 - signed * dot, 0.0)))
        return np.asarray(X.T @ coef).ravel(), loss


class LogisticGradient(Gradient):
    """Log loss; binary for ``numClasses == 2``, else multinomial with class 0 as the pivot
    (weights laid out class by class, ``numClasses - 1`` rows of the data's width)."""

    def __init__(self, numClasses: int = 2):
        self.numClasses = int(numClasses)

    def compute(self, y, X, weights):
        if self.numClasses == 2:
            m = X @ weights
            multiplier = 1.0 / (1.0 + np.exp(-m)) - y
            loss = _log1p_exp(-m) + np.where(y > 0, 0.0, m)
            return np.asarray(X.T @ multiplier).ravel(), float(np.sum(loss))
        k1 = self.numClasses - 1
        W = weights.reshape(k1, -1)
        M = np.asarray(X @ W.T)  # n x (k-1) margins of classes 1..k-1
        top = np.maximum(M.max(axis=1), 0.0)
        log_z = top + np.log(np.exp(-top) + np.exp(M - top[:, None]).sum(axis=1))
        labels = y.astype(np.int64)
        picked = np.where(labels > 0, M[np.arange(len(y)), np.maximum(labels - 1, 0)], 0.0)
        loss = float(np.sum(log_z - picked))
        mult = np.exp(M - log_z[:, None])
        hit = labels > 0
        mult[np.flatnonzero(hit), labels[hit] - 1] -= 1.0
        grad = np.asarray(X.T @ mult).T  # (k-1) x d
        return np.ascontiguousarray(grad).ravel(), loss


# -- updaters --------------------------------------------------------------------------------


class Updater:
    """One gradient step with regularization: ``compute`` returns the new weights and the
    regularization value at them."""

    def compute(self, weightsOld: np.ndarray, gradient: np.ndarray, stepSize: float,
                iter: int, regParam: float) -> tuple[np.ndarray, float]:
        raise NotImplementedError


class SimpleUpdater(Updater):
    """No regularization; step ``stepSize / sqrt(iter)``."""

    def compute(self, weightsOld, gradient, stepSize, iter, regParam):
        step = stepSize / math.sqrt(iter)
        return weightsOld - step * gradient, 0.0


class L1Updater(Updater):
    """L1 regularization by soft thresholding after the step (Lasso)."""

    def compute(self, weightsOld, gradient, stepSize, iter, regParam):
        step = stepSize / math.sqrt(iter)
        w = weightsOld - step * gradient
        shrink = regParam * step
        w = np.sign(w) * np.maximum(0.0, np.abs(w) - shrink)
        return w, float(regParam * np.sum(np.abs(w)))


class SquaredL2Updater(Updater):
    """L2 regularization ``regParam * |w|^2 / 2`` (ridge): weights shrink before the step."""

    def compute(self, weightsOld, gradient, stepSize, iter, regParam):
        step = stepSize / math.sqrt(iter)
        w = weightsOld * (1.0 - step * regParam) - step * gradient
        return w, float(0.5 * regParam * np.dot(w, w))


def updater_for(regType: str | None) -> Updater:
    """The updater named by PySpark's ``regType`` argument."""
    if regType == "l2":
        return SquaredL2Updater()
    if regType == "l1":
        return L1Updater()
    if regType is None or regType == "none":
        return SimpleUpdater()
    raise ValueError("Invalid value for 'regType' parameter. Can only be initialized using "
                     "the following string values: ['l1', 'l2', None].")


# -- one distributed pass --------------------------------------------------------------------


def _aggregate(blocks, gradient: Gradient, weights: np.ndarray, depth: int = 2):
    """``(gradient sum, loss sum, count)`` over every block, by treeAggregate."""
    w = np.array(weights, dtype=np.float64)

    def seq(acc, block):
        y, X = block
        g, loss = gradient.compute(y, X, w)
        return (g if acc[0] is None else acc[0] + g, acc[1] + loss, acc[2] + len(y))

    def comb(a, b):
        if a[0] is None:
            return b
        if b[0] is None:
            return a
        return a[0] + b[0], a[1] + b[1], a[2] + b[2]

    g, loss, count = blocks.treeAggregate((None, 0.0, 0), seq, comb, depth)
    if g is None:
        g = np.zeros_like(w)
    return g, loss, count


# -- gradient descent ------------------------------------------------------------------------


class GradientDescent:
    """Mini-batch stochastic gradient descent (Spark's ``GradientDescent``)."""

    @staticmethod
    def _converged(previous: np.ndarray, current: np.ndarray, tol: float) -> bool:
        diff = float(np.linalg.norm(previous - current))
        return diff < tol * max(float(np.linalg.norm(current)), 1.0)

    @staticmethod
    def runMiniBatchSGD(data, gradient: Gradient, updater: Updater, stepSize: float,
                        numIterations: int, regParam: float, miniBatchFraction: float,
                        initialWeights, convergenceTol: float = 0.001,
                        add_bias: bool = False, blocks=None, num_examples: int | None = None
                        ) -> tuple[np.ndarray, list[float]]:
        """``(weights, stochastic loss history)`` after at most ``numIterations`` steps on
        ``data``, an RDD of ``(label, features)``; ``add_bias`` appends the intercept
        column to every example (its weight is the last of ``initialWeights``). ``blocks``
        and ``num_examples`` are :func:`labeled_blocks`' of ``data``, if the caller made
        them already (full batches use them)."""
        history: list[float] = []
        weights = np.array(_as_array(initialWeights), dtype=np.float64)
        full = miniBatchFraction >= 1.0
        own = blocks is None and full
        if own:
            blocks, num_examples = _own_blocks(data, add_bias)
        elif num_examples is None:
            num_examples = data.count()
        if num_examples == 0:
            return weights, history
        try:
            reg_val = updater.compute(weights, np.zeros_like(weights), 0.0, 1, regParam)[1]
            previous = current = None
            for i in range(1, int(numIterations) + 1):
                if full:
                    batch = blocks
                else:
                    batch = to_blocks(data.sample(False, miniBatchFraction, 42 + i), add_bias)
                grad_sum, loss_sum, size = _aggregate(batch, gradient, weights)
                if size == 0:
                    continue
                history.append(loss_sum / size + reg_val)
                weights, reg_val = updater.compute(weights, grad_sum / size, stepSize, i,
                                                   regParam)
                previous, current = current, weights
                if previous is not None and GradientDescent._converged(
                        previous, current, convergenceTol):
                    break
        finally:
            if own and blocks is not None:
                blocks.unpersist()
        return weights, history


def _as_array(v) -> np.ndarray:
    if hasattr(v, "toArray"):
        return np.asarray(v.toArray(), dtype=np.float64)
    return np.asarray(v, dtype=np.float64)


# -- L-BFGS ----------------------------------------------------------------------------------


def minimize_lbfgs(cost: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray,
                   maxIter: int, corrections: int, tol: float,
                   l1: np.ndarray | None = None) -> np.ndarray:
    """Minimize ``cost`` (value and gradient) with scipy's L-BFGS-B from ``x0``.

    ``l1`` (one non-negative strength per coordinate) adds ``sum(l1 * |x|)``: the
    non-smooth term is handled exactly by splitting ``x = u - v`` with ``u, v >= 0``, where
    it is linear (Spark uses OWL-QN for the same objective).
    """
    from scipy.optimize import minimize

    options = {"maxiter": max(int(maxIter), 1), "maxcor": int(corrections),
               "ftol": float(tol), "gtol": float(tol) * 1e-3}
    if l1 is None or not np.any(l1 > 0):
        if maxIter <= 0:
            return np.array(x0, dtype=np.float64)
        res = minimize(cost, np.asarray(x0, dtype=np.float64), jac=True, method="L-BFGS-B",
                       options=options)
        return np.asarray(res.x)
    n = len(x0)
    x0 = np.asarray(x0, dtype=np.float64)

    def split_cost(z):
        u, v = z[:n], z[n:]
        f, g = cost(u - v)
        f += float(np.dot(l1, u + v))
        return f, np.concatenate([g + l1, -g + l1])

    z0 = np.concatenate([np.maximum(x0, 0.0), np.maximum(-x0, 0.0)])
    res = minimize(split_cost, z0, jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * (2 * n),
                   options=options)
    return np.asarray(res.x[:n] - res.x[n:])


class LBFGS:
    """Spark's ``LBFGS`` optimizer: the loss is the mean loss over ``data`` plus the
    updater's regularization value, its gradient the mean gradient plus the regularization's
    (both read from the updater, as Spark does), one treeAggregate per evaluation."""

    @staticmethod
    def runLBFGS(data, gradient: Gradient, updater: Updater, numCorrections: int,
                 convergenceTol: float, maxNumIterations: int, regParam: float,
                 initialWeights, add_bias: bool = False,
                 scale: np.ndarray | None = None, blocks=None,
                 num_examples: int | None = None) -> np.ndarray:
        """``scale`` (one factor per weight) trains on features multiplied by it;
        ``blocks`` and ``num_examples`` as :meth:`GradientDescent.runMiniBatchSGD`'s."""
        weights = np.array(_as_array(initialWeights), dtype=np.float64)
        own = blocks is None
        if own:
            blocks, num_examples = _own_blocks(data, add_bias)
        try:
            count = num_examples
            if count == 0:
                return weights

            data_cost = mean_cost(blocks, gradient, count)
            if scale is not None:
                data_cost = scaled_cost(data_cost, scale)

            def cost(w):
                f, g = data_cost(w)
                zeros = np.zeros_like(w)
                reg_val = updater.compute(w, zeros, 0.0, 1, regParam)[1]
                reg_grad = w - updater.compute(w, zeros, 1.0, 1, regParam)[0]
                return f + reg_val, g + reg_grad

            return minimize_lbfgs(cost, weights, maxNumIterations, numCorrections,
                                  convergenceTol)
        finally:
            if own and blocks is not None:
                blocks.unpersist()
