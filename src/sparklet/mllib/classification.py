"""Classification on RDDs of LabeledPoint, as ``pyspark.mllib.classification``.

Logistic regression and the SVM by SGD follow Spark's GeneralizedLinearAlgorithm (see
:mod:`sparklet.mllib.regression`). ``LogisticRegressionWithLBFGS`` follows Spark 3.5 too:
binary problems with L2 or L1 regularization are solved as ``ml.LogisticRegression`` solves
them (features standardized, the penalty on the standardized coefficients, the intercept not
penalized), everything else (no regularization, multinomial) by the GeneralizedLinearAlgorithm
with feature scaling and L-BFGS. Optima equal PySpark's within the solvers' tolerance.
"""

from __future__ import annotations

import warnings
from math import exp
from typing import Any

import numpy as np

from sparklet.mllib._optimization import (
    LBFGS,
    HingeGradient,
    LogisticGradient,
    mean_cost,
    minimize_lbfgs,
    scaled_cost,
    updater_for,
)
from sparklet.mllib.linalg import DenseVector, _convert_to_vector
from sparklet.mllib.regression import (
    LabeledPoint,
    LabelRule,
    LinearModel,
    StreamingLinearAlgorithm,
    _check_labeled,
    _is_rdd,
    _sgd_train,
    _training_blocks,
)
from sparklet.mllib.util import Loader, Saveable

__all__ = ["LogisticRegressionModel", "LogisticRegressionWithSGD",
           "LogisticRegressionWithLBFGS", "SVMModel", "SVMWithSGD", "NaiveBayesModel",
           "NaiveBayes", "StreamingLogisticRegressionWithSGD"]


class LinearClassificationModel(LinearModel):
    """A linear model with a decision threshold (``clearThreshold`` gives raw scores)."""

    def __init__(self, weights, intercept: float) -> None:
        super().__init__(weights, intercept)
        self._threshold: float | None = None

    def setThreshold(self, value: float) -> None:
        """Predict 1 when the score exceeds ``value``."""
        self._threshold = value

    @property
    def threshold(self) -> float | None:
        """The decision threshold, or None when predictions are raw scores."""
        return self._threshold

    def clearThreshold(self) -> None:
        """Predict raw scores (probabilities, margins) instead of classes."""
        self._threshold = None

    def predict(self, test: Any) -> Any:
        raise NotImplementedError


class LogisticRegressionModel(LinearClassificationModel, Saveable, Loader):
    """Binary or multinomial logistic regression; binary predictions are 0/1 at the
    threshold (0.5) or probabilities after :meth:`clearThreshold`.

    >>> from sparklet.mllib.linalg import Vectors
    >>> m = LogisticRegressionModel(Vectors.dense([2.0]), 0.0, 1, 2)
    >>> m.predict([1.0])
    1
    >>> m.clearThreshold()
    >>> round(m.predict([0.0]), 3)
    0.5
    """

    def __init__(self, weights, intercept: float, numFeatures: int, numClasses: int) -> None:
        super().__init__(weights, intercept)
        self._numFeatures = int(numFeatures)
        self._numClasses = int(numClasses)
        self._threshold = 0.5
        if self._numClasses == 2:
            self._dataWithBiasSize = None
            self._weightsMatrix = None
        else:
            self._dataWithBiasSize = self._coeff.size // (self._numClasses - 1)
            self._weightsMatrix = self._coeff.toArray().reshape(self._numClasses - 1,
                                                                self._dataWithBiasSize)

    @property
    def numFeatures(self) -> int:
        """The dimension of the features."""
        return self._numFeatures

    @property
    def numClasses(self) -> int:
        """The number of classes (2 for binary)."""
        return self._numClasses

    def predict(self, x: Any) -> Any:
        """The class (or, binary without threshold, the probability) of a vector or RDD."""
        if _is_rdd(x):
            return x.map(lambda v: self.predict(v))
        x = _convert_to_vector(x)
        if self.numClasses == 2:
            margin = self.weights.dot(x) + self._intercept
            if margin > 0:
                prob = 1 / (1 + exp(-margin))
            else:
                e = exp(margin)
                prob = e / (1 + e)
            if self._threshold is None:
                return prob
            return 1 if prob > self._threshold else 0
        arr = x.toArray()
        best, best_margin = 0, 0.0
        with_bias = x.size + 1 == self._dataWithBiasSize
        for i in range(self._numClasses - 1):
            row = self._weightsMatrix[i]
            margin = float(arr @ row[:x.size]) + (row[x.size] if with_bias else 0.0)
            if margin > best_margin:
                best, best_margin = i + 1, margin
        return best

    def _model_data(self):
        return ({"numFeatures": self._numFeatures, "numClasses": self._numClasses,
                 "intercept": self._intercept, "threshold": self._threshold},
                [[float(v) for v in self._coeff.toArray()]])

    @classmethod
    def _from_model_data(cls, sc, metadata, data):
        m = cls(DenseVector(data.collect()[0]), metadata["intercept"],
                metadata["numFeatures"], metadata["numClasses"])
        m._threshold = metadata["threshold"]
        return m

    def __repr__(self) -> str:
        return ("pyspark.mllib.LogisticRegressionModel: intercept = %s, numFeatures = %s, "
                "numClasses = %s, threshold = %s" % (self._intercept, self._numFeatures,
                                                     self._numClasses, self._threshold))


def _first_bad(y: np.ndarray, bad: np.ndarray) -> float | None:
    return float(y[bad][0]) if bad.any() else None


def _binary_check(y: np.ndarray) -> float | None:
    return _first_bad(y, (y != 0.0) & (y != 1.0))


_BINARY_LABELS = LabelRule(_binary_check, "labels must be 0 or 1 for binary classification")


def _class_labels(k: int) -> LabelRule:
    def check(y: np.ndarray) -> float | None:
        return _first_bad(y, (y != np.floor(y)) | (y < 0) | (y >= k))
    return LabelRule(check, "labels must be integers in [0, %d)" % k)


class LogisticRegressionWithSGD:
    """Binary logistic regression by mini-batch SGD."""

    @classmethod
    def train(cls, data, iterations: int = 100, step: float = 1.0,
              miniBatchFraction: float = 1.0, initialWeights: Any = None,
              regParam: float = 0.01, regType: str | None = "l2", intercept: bool = False,
              validateData: bool = True, convergenceTol: float = 0.001
              ) -> LogisticRegressionModel:
        """Train on an RDD of LabeledPoint with labels 0/1."""
        warnings.warn("Deprecated in 2.0.0. Use ml.classification.LogisticRegression or "
                      "LogisticRegressionWithLBFGS.", FutureWarning, stacklevel=2)
        w, b = _sgd_train(data, LogisticGradient(2), updater_for(regType), iterations, step,
                          miniBatchFraction, initialWeights, regParam, intercept,
                          convergenceTol, _BINARY_LABELS if validateData else None)
        return LogisticRegressionModel(w, b, w.size, 2)


def _column_std(blocks, d: int) -> np.ndarray:
    """Sample standard deviation of the first ``d`` columns, the features (one
    treeAggregate)."""
    def stats(acc, block):
        _, X = block
        s = np.asarray(X.sum(axis=0)).ravel()
        sq = np.asarray((X.multiply(X) if hasattr(X, "multiply") else X * X).sum(axis=0)).ravel()
        part = (X.shape[0], s, sq)
        if acc is None:
            return part
        return acc[0] + part[0], acc[1] + part[1], acc[2] + part[2]

    def comb(a, b):
        if a is None:
            return b
        if b is None:
            return a
        return a[0] + b[0], a[1] + b[1], a[2] + b[2]

    n, s, sq = blocks.treeAggregate(None, stats, comb)
    if n < 2:
        return np.zeros(d)
    var = (sq[:d] - s[:d] * s[:d] / n) / (n - 1)
    return np.sqrt(np.maximum(var, 0.0))


class LogisticRegressionWithLBFGS:
    """Logistic regression (binary or multinomial) by L-BFGS."""

    @classmethod
    def train(cls, data, iterations: int = 100, initialWeights: Any = None,
              regParam: float = 0.0, regType: str | None = "l2", intercept: bool = False,
              corrections: int = 10, tolerance: float = 1e-6, validateData: bool = True,
              numClasses: int = 2) -> LogisticRegressionModel:
        """Train on an RDD of LabeledPoint with labels in ``[0, numClasses)``."""
        first = _check_labeled(data)
        d = first.features.size
        k = int(numClasses)
        if k < 2:
            raise ValueError("numClasses must be at least 2 but got %d" % k)
        labels = (_BINARY_LABELS if k == 2 else _class_labels(k)) if validateData else None
        updater = updater_for(regType)
        width = d + 1 if intercept else d
        if k > 2 and initialWeights is not None:
            w0 = _convert_to_vector(initialWeights).toArray().astype(float)
            if w0.size != width * (k - 1):
                raise ValueError("initialWeights has size %d, expected %d for %d classes"
                                 % (w0.size, width * (k - 1), k))
        pairs, blocks, count = _training_blocks(data, d, intercept, labels)
        try:
            # Trained on standardized features, as Spark: the blocks stay as they are and
            # the weights are scaled instead (see scaled_cost).
            std = _column_std(blocks, d)
            factor = np.where(std > 0, 1.0 / np.where(std > 0, std, 1.0), 0.0)
            scale = np.append(factor, 1.0) if intercept else factor
            if k == 2:
                w0 = (np.zeros(d) if initialWeights is None
                      else _convert_to_vector(initialWeights).toArray().astype(float))
                if regType in ("l1", "l2"):
                    w, b = _ml_binary(blocks, count, regType, float(regParam), bool(intercept),
                                      int(iterations), float(tolerance), int(corrections),
                                      factor, w0)
                else:
                    start = w0 / np.where(factor > 0, factor, 1.0)
                    if intercept:
                        start = np.append(start, 1.0)
                    ws = LBFGS.runLBFGS(pairs, LogisticGradient(2), updater, corrections,
                                        tolerance, iterations, regParam, start,
                                        add_bias=bool(intercept), scale=scale, blocks=blocks,
                                        num_examples=count)
                    w, b = (ws[:-1], float(ws[-1])) if intercept else (ws, 0.0)
                    w = w * factor
                return LogisticRegressionModel(DenseVector(w), b, d, 2)
            if initialWeights is None:
                w0 = np.zeros(width * (k - 1))
            ws = LBFGS.runLBFGS(pairs, LogisticGradient(k), updater, corrections, tolerance,
                                iterations, regParam, w0, add_bias=bool(intercept),
                                scale=np.tile(scale, k - 1), blocks=blocks, num_examples=count)
        finally:
            blocks.unpersist()
        W = ws.reshape(k - 1, width).copy()
        W[:, :d] *= factor
        return LogisticRegressionModel(DenseVector(W.ravel()), 0.0, d, k)


def _ml_binary(blocks, count, regType, regParam, intercept, iterations, tol, corrections,
               factor, w0):
    """Binary logistic regression as Spark's ml.LogisticRegression with standardization:
    optimize in the standardized space, penalty on the standardized coefficients only."""
    d = factor.shape[0]
    gradient = LogisticGradient(2)
    l2 = regParam if regType == "l2" else 0.0

    data_cost = scaled_cost(mean_cost(blocks, gradient, count),
                            np.append(factor, 1.0) if intercept else factor)

    def cost(w):
        f, g = data_cost(w)
        beta = w[:d]
        g = g.copy()
        g[:d] += l2 * beta
        return f + 0.5 * l2 * float(beta @ beta), g

    start = w0 / np.where(factor > 0, factor, 1.0)
    if intercept:
        start = np.append(start, 0.0)
    l1 = None
    if regType == "l1" and regParam > 0:
        l1 = np.full(start.shape[0], regParam)
        if intercept:
            l1[-1] = 0.0
    ws = minimize_lbfgs(cost, start, iterations, corrections, tol, l1)
    if intercept:
        return ws[:-1] * factor, float(ws[-1])
    return ws * factor, 0.0


class SVMModel(LinearClassificationModel, Saveable, Loader):
    """A linear SVM: predicts 1 when the margin exceeds the threshold (0.0), or the margin
    after :meth:`clearThreshold`."""

    def __init__(self, weights, intercept: float) -> None:
        super().__init__(weights, intercept)
        self._threshold = 0.0

    def predict(self, x: Any) -> Any:
        """The class (or margin) of a vector, or an RDD of them for an RDD."""
        if _is_rdd(x):
            return x.map(lambda v: self.predict(v))
        x = _convert_to_vector(x)
        margin = float(self.weights.dot(x) + self.intercept)
        if self._threshold is None:
            return margin
        return 1 if margin > self._threshold else 0

    def _model_data(self):
        return ({"numFeatures": int(self._coeff.size), "intercept": self._intercept,
                 "threshold": self._threshold}, [[float(v) for v in self._coeff.toArray()]])

    @classmethod
    def _from_model_data(cls, sc, metadata, data):
        m = cls(DenseVector(data.collect()[0]), metadata["intercept"])
        m._threshold = metadata["threshold"]
        return m


class SVMWithSGD:
    """Linear SVM (hinge loss) by mini-batch SGD."""

    @classmethod
    def train(cls, data, iterations: int = 100, step: float = 1.0, regParam: float = 0.01,
              miniBatchFraction: float = 1.0, initialWeights: Any = None,
              regType: str | None = "l2", intercept: bool = False, validateData: bool = True,
              convergenceTol: float = 0.001) -> SVMModel:
        """Train on an RDD of LabeledPoint with labels 0/1."""
        w, b = _sgd_train(data, HingeGradient(), updater_for(regType), iterations, step,
                          miniBatchFraction, initialWeights, regParam, intercept,
                          convergenceTol, _BINARY_LABELS if validateData else None)
        return SVMModel(w, b)


class NaiveBayesModel(Saveable, Loader):
    """Multinomial naive Bayes: ``labels``, log priors ``pi`` and log conditional
    probabilities ``theta`` (classes x features)."""

    def __init__(self, labels: np.ndarray, pi: np.ndarray, theta: np.ndarray) -> None:
        self.labels = labels
        self.pi = pi
        self.theta = theta

    def predict(self, x: Any) -> Any:
        """The most probable label of a vector, or an RDD of them for an RDD."""
        if _is_rdd(x):
            return x.map(lambda v: self.predict(v))
        x = _convert_to_vector(x)
        return float(self.labels[np.argmax(self.pi + self.theta @ x.toArray())])

    def _model_data(self):
        return ({"numClasses": len(self.labels), "numFeatures": int(self.theta.shape[1])},
                [(float(lab), float(p), [float(v) for v in row])
                 for lab, p, row in zip(self.labels, self.pi, self.theta, strict=True)])

    @classmethod
    def _from_model_data(cls, sc, metadata, data):
        rows = sorted(data.collect())
        return cls(np.array([r[0] for r in rows]), np.array([r[1] for r in rows]),
                   np.array([r[2] for r in rows]))


class NaiveBayes:
    """Multinomial naive Bayes with additive smoothing ``lambda_``: per-label counts and
    feature sums by ``reduceByKey``."""

    @classmethod
    def train(cls, data, lambda_: float = 1.0) -> NaiveBayesModel:
        """Train on an RDD of LabeledPoint with non-negative features."""
        first = data.first()
        if not isinstance(first, LabeledPoint):
            raise ValueError("`data` should be an RDD of LabeledPoint")
        d = first.features.size

        def entry(p):
            arr = p.features.toArray()
            if arr.shape[0] != d:
                raise ValueError("All LabeledPoint features must have size %d, got %d"
                                 % (d, arr.shape[0]))
            if np.any(arr < 0):
                raise ValueError("Naive Bayes requires nonnegative feature values but "
                                 "found %s." % p.features)
            return p.label, (1, arr)

        sums = (data.map(entry).reduceByKey(lambda a, b: (a[0] + b[0], a[1] + b[1]))
                .collect())
        sums.sort(key=lambda kv: kv[0])
        labels = np.array([kv[0] for kv in sums])
        counts = np.array([kv[1][0] for kv in sums], dtype=np.float64)
        feats = np.array([kv[1][1] for kv in sums], dtype=np.float64)
        lam = float(lambda_)
        pi = np.log(counts + lam) - np.log(counts.sum() + len(labels) * lam)
        theta = (np.log(feats + lam)
                 - np.log(feats.sum(axis=1) + d * lam)[:, None])
        return NaiveBayesModel(labels, pi, theta)


class StreamingLogisticRegressionWithSGD(StreamingLinearAlgorithm):
    """Binary logistic regression on a stream: each batch runs ``numIterations`` SGD
    steps from the current weights (no intercept, as PySpark)."""

    def __init__(self, stepSize: float = 0.1, numIterations: int = 50,
                 miniBatchFraction: float = 1.0, regParam: float = 0.0,
                 convergenceTol: float = 0.001) -> None:
        self.stepSize = stepSize
        self.numIterations = numIterations
        self.regParam = regParam
        self.miniBatchFraction = miniBatchFraction
        self.convergenceTol = convergenceTol
        self._model: LogisticRegressionModel | None = None
        super().__init__(model=self._model)

    def setInitialWeights(self, initialWeights: Any) -> StreamingLogisticRegressionWithSGD:
        """Start from these weights."""
        w = _convert_to_vector(initialWeights)
        self._model = LogisticRegressionModel(w, 0, w.size, 2)
        return self

    def _rebuild(self, cls, weights, intercept):
        return cls(DenseVector(weights), intercept, len(weights), 2)

    def _train_batch(self, rdd) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            self._model = LogisticRegressionWithSGD.train(
                rdd, self.numIterations, self.stepSize, self.miniBatchFraction,
                self._model.weights, regParam=self.regParam,
                convergenceTol=self.convergenceTol)
