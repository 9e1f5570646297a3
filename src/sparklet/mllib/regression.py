"""Regression on RDDs of :class:`LabeledPoint`, as ``pyspark.mllib.regression``.

The SGD trainers run Spark's ``GeneralizedLinearAlgorithm``: the intercept, when asked for,
is a bias column appended to every example whose initial weight is 1.0 (and which the
regularization shrinks too, as in Spark); the optimizer is
:class:`~sparklet.mllib._optimization.GradientDescent`. With ``miniBatchFraction=1.0`` the
results equal PySpark's.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from sparklet.mllib._optimization import (
    GradientDescent,
    L1Updater,
    LabelError,
    LeastSquaresGradient,
    SquaredL2Updater,
    labeled_blocks,
    updater_for,
)
from sparklet.mllib.linalg import DenseVector, Vector, _convert_to_vector
from sparklet.mllib.util import Loader, Saveable

__all__ = ["LabeledPoint", "LinearModel", "LinearRegressionModelBase", "LinearRegressionModel",
           "LinearRegressionWithSGD", "RidgeRegressionModel", "RidgeRegressionWithSGD",
           "LassoModel", "LassoWithSGD", "IsotonicRegressionModel", "IsotonicRegression",
           "StreamingLinearAlgorithm", "StreamingLinearRegressionWithSGD"]


class LabeledPoint:
    """A label and a feature vector: the training example of the supervised algorithms.

    ``features`` is anything :func:`~sparklet.mllib.linalg._convert_to_vector` takes (a
    vector, a list, a numpy array, a scipy.sparse column).

    >>> from sparklet.mllib.linalg import Vectors
    >>> LabeledPoint(1, [0.5, 2.0])
    LabeledPoint(1.0, [0.5,2.0])
    >>> str(LabeledPoint(0, Vectors.sparse(3, {1: 4.0})))
    '(0.0,(3,[1],[4.0]))'
    """

    def __init__(self, label: float, features: Iterable[float]):
        self.label = float(label)
        self.features: Vector = _convert_to_vector(features)

    def __reduce__(self):
        return LabeledPoint, (self.label, self.features)

    def __str__(self) -> str:
        return "(%s,%s)" % (self.label, self.features)

    def __repr__(self) -> str:
        return "LabeledPoint(%s, %s)" % (self.label, self.features)

    def __eq__(self, other: object) -> bool:
        # Spark's LabeledPoint is a case class: equal label and features
        return (isinstance(other, LabeledPoint) and self.label == other.label
                and self.features == other.features)

    def __hash__(self) -> int:
        return hash((self.label, hash(self.features)))


def _is_rdd(x: Any) -> bool:
    from sparklet.rdd import RDD

    return isinstance(x, RDD)


class LinearModel:
    """Weights and an intercept: the state every linear model shares."""

    def __init__(self, weights: Vector, intercept: float):
        self._coeff = _convert_to_vector(weights)
        self._intercept = float(intercept)

    @property
    def weights(self) -> Vector:
        """The feature weights."""
        return self._coeff

    @property
    def intercept(self) -> float:
        """The intercept (0.0 unless trained with ``intercept=True``)."""
        return self._intercept

    def __repr__(self) -> str:
        return "(weights=%s, intercept=%r)" % (self._coeff, self._intercept)


class _LinearSaveable(Saveable, Loader):
    """save/load of a weights-and-intercept model (metadata: numFeatures, intercept)."""

    def _model_data(self):
        return ({"numFeatures": int(self._coeff.size), "intercept": self._intercept},
                [[float(v) for v in self._coeff.toArray()]])

    @classmethod
    def _from_model_data(cls, sc, metadata, data):
        weights = data.collect()[0]
        return cls(DenseVector(weights), metadata["intercept"])


class LinearRegressionModelBase(LinearModel):
    """A linear model predicting ``weights . x + intercept``."""

    def predict(self, x: Any) -> Any:
        """The prediction for one vector, or an RDD of predictions for an RDD of vectors."""
        if _is_rdd(x):
            return x.map(self.predict)
        x = _convert_to_vector(x)
        return float(self.weights.dot(x) + self.intercept)  # a float, as PySpark's prints


class LinearRegressionModel(LinearRegressionModelBase, _LinearSaveable):
    """A linear regression model trained by least squares.

    >>> from sparklet.mllib.linalg import Vectors
    >>> m = LinearRegressionModel(Vectors.dense([2.0, -1.0]), 0.5)
    >>> float(m.predict([1.0, 1.0]))
    1.5
    """


class RidgeRegressionModel(LinearRegressionModelBase, _LinearSaveable):
    """A linear regression model trained with L2 regularization."""


class LassoModel(LinearRegressionModelBase, _LinearSaveable):
    """A linear regression model trained with L1 regularization."""


def _check_labeled(data) -> LabeledPoint:
    first = data.first()
    if not isinstance(first, LabeledPoint):
        raise TypeError("data should be an RDD of LabeledPoint, but got %s" % type(first))
    return first


class LabelRule:
    """What labels a trainer accepts: ``check(labels)`` gives the first bad one (or None)
    of a numpy array, ``rule`` words the requirement for the error."""

    def __init__(self, check, rule: str):
        self.check, self.rule = check, rule


def _training_blocks(data, num_features: int, intercept: bool,
                     labels: LabelRule | None = None):
    """``(pairs, blocks, count)`` for an RDD of LabeledPoint: its ``(label, features)``
    pairs and their cached numpy blocks, built, counted and checked in one pass (every
    example has ``num_features`` features -- Spark fails inside its optimizer with a
    dimension mismatch, here the error says which sizes -- and labels follow ``labels``)."""
    pairs = data.map(lambda p: (p.label, p.features))
    try:
        blocks, count = labeled_blocks(pairs, num_features, bool(intercept),
                                       labels.check if labels is not None else None)
    except LabelError as e:
        raise ValueError("Input validation failed: %s, found %r" % (labels.rule, e.label)) \
            from None
    return pairs, blocks, count


def _initial_weights(first: LabeledPoint, initialWeights: Any) -> np.ndarray:
    n = first.features.size
    if initialWeights is None:
        return np.zeros(n)
    w = _convert_to_vector(initialWeights).toArray().astype(np.float64)
    if w.shape[0] != n:
        raise ValueError("initialWeights has size %d but the features have size %d"
                         % (w.shape[0], n))
    return w


def _sgd_train(data, gradient, updater, iterations, step, miniBatchFraction, initialWeights,
               regParam, intercept, convergenceTol, labels: LabelRule | None = None):
    """Spark's GeneralizedLinearAlgorithm.run with GradientDescent: ``(weights, intercept)``."""
    first = _check_labeled(data)
    w0 = _initial_weights(first, initialWeights)
    if int(iterations) < 0:
        raise ValueError("Number of iterations must be nonnegative but got %d" % iterations)
    if not 0.0 < miniBatchFraction <= 1.0:
        raise ValueError("Fraction for mini-batch SGD must be in range (0, 1] but got %s"
                         % miniBatchFraction)
    pairs, blocks, count = _training_blocks(data, w0.shape[0], intercept, labels)
    if intercept:
        w0 = np.append(w0, 1.0)
    try:
        if miniBatchFraction < 1.0:  # batches are samples of the examples: blocks per batch
            blocks.unpersist()
        weights, _ = GradientDescent.runMiniBatchSGD(
            pairs, gradient, updater, float(step), int(iterations), float(regParam),
            float(miniBatchFraction), w0, float(convergenceTol), add_bias=bool(intercept),
            blocks=blocks, num_examples=count)
    finally:
        blocks.unpersist()
    if intercept:
        return DenseVector(weights[:-1]), float(weights[-1])
    return DenseVector(weights), 0.0


class LinearRegressionWithSGD:
    """Linear regression by mini-batch SGD on the squared error."""

    @classmethod
    def train(cls, data, iterations: int = 100, step: float = 1.0,
              miniBatchFraction: float = 1.0, initialWeights: Any = None,
              regParam: float = 0.0, regType: str | None = None, intercept: bool = False,
              validateData: bool = True, convergenceTol: float = 0.001
              ) -> LinearRegressionModel:
        """Train on an RDD of LabeledPoint; ``regType`` is "l1", "l2" or None."""
        warnings.warn("Deprecated in 2.0.0. Use ml.regression.LinearRegression.",
                      FutureWarning, stacklevel=2)
        w, b = _sgd_train(data, LeastSquaresGradient(), updater_for(regType), iterations,
                          step, miniBatchFraction, initialWeights, regParam, intercept,
                          convergenceTol)
        return LinearRegressionModel(w, b)


class LassoWithSGD:
    """Linear regression with L1 regularization by mini-batch SGD."""

    @classmethod
    def train(cls, data, iterations: int = 100, step: float = 1.0, regParam: float = 0.01,
              miniBatchFraction: float = 1.0, initialWeights: Any = None,
              intercept: bool = False, validateData: bool = True,
              convergenceTol: float = 0.001) -> LassoModel:
        """Train on an RDD of LabeledPoint."""
        warnings.warn("Deprecated in 2.0.0. Use ml.regression.LinearRegression with "
                      "elasticNetParam = 1.0.", FutureWarning, stacklevel=2)
        w, b = _sgd_train(data, LeastSquaresGradient(), L1Updater(), iterations, step,
                          miniBatchFraction, initialWeights, regParam, intercept,
                          convergenceTol)
        return LassoModel(w, b)


class RidgeRegressionWithSGD:
    """Linear regression with L2 regularization by mini-batch SGD."""

    @classmethod
    def train(cls, data, iterations: int = 100, step: float = 1.0, regParam: float = 0.01,
              miniBatchFraction: float = 1.0, initialWeights: Any = None,
              intercept: bool = False, validateData: bool = True,
              convergenceTol: float = 0.001) -> RidgeRegressionModel:
        """Train on an RDD of LabeledPoint."""
        warnings.warn("Deprecated in 2.0.0. Use ml.regression.LinearRegression with "
                      "elasticNetParam = 0.0.", FutureWarning, stacklevel=2)
        w, b = _sgd_train(data, LeastSquaresGradient(), SquaredL2Updater(), iterations, step,
                          miniBatchFraction, initialWeights, regParam, intercept,
                          convergenceTol)
        return RidgeRegressionModel(w, b)


class IsotonicRegressionModel(Saveable, Loader):
    """Piecewise-linear monotone model: predictions interpolate between ``boundaries``."""

    def __init__(self, boundaries: np.ndarray, predictions: np.ndarray, isotonic: bool):
        self.boundaries = np.asarray(boundaries, dtype=np.float64)
        self.predictions = np.asarray(predictions, dtype=np.float64)
        self.isotonic = isotonic

    def predict(self, x: Any) -> Any:
        """Interpolated prediction(s) for a float, a vector of floats, or an RDD of them."""
        if _is_rdd(x):
            return x.map(lambda v: self.predict(v))
        return np.interp(x, self.boundaries, self.predictions)

    def _model_data(self):
        return ({"isotonic": bool(self.isotonic)},
                [(float(b), float(p))
                 for b, p in zip(self.boundaries, self.predictions, strict=True)])

    @classmethod
    def _from_model_data(cls, sc, metadata, data):
        pairs = sorted(data.collect())
        return cls(np.array([b for b, _ in pairs]), np.array([p for _, p in pairs]),
                   metadata["isotonic"])


def _pava(points: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Pool adjacent violators over ``(label, feature, weight)`` sorted by feature: the
    blocks as ``(mean label, first feature, last feature, weight)`` flattened into Spark's
    boundary points (two per block of distinct features)."""
    blocks: list[list[float]] = []  # [sum wy, sum w, start x, end x]
    for y, x, w in points:
        blocks.append([w * y, w, x, x])
        while len(blocks) > 1 and (blocks[-2][0] / blocks[-2][1]
                                   >= blocks[-1][0] / blocks[-1][1]):
            b = blocks.pop()
            a = blocks[-1]
            a[0] += b[0]
            a[1] += b[1]
            a[3] = b[3]
    out = []
    for wy, w, start, end in blocks:
        if end == start:
            out.append((wy / w, start, w))
        else:  # the weight split over both ends, so pooling the ends again is exact
            out.append((wy / w, start, w / 2))
            out.append((wy / w, end, w / 2))
    return out


class IsotonicRegression:
    """Isotonic (or antitonic) regression by pool adjacent violators: each partition of the
    feature-sorted data is pooled on its own, and the driver pools the partitions' blocks
    (far fewer than the points), as Spark's parallel PAV does."""

    @classmethod
    def train(cls, data, isotonic: bool = True) -> IsotonicRegressionModel:
        """Train on an RDD of ``(label, feature, weight)`` vectors (or tuples)."""
        sign = 1.0 if isotonic else -1.0

        def triple(v):
            arr = v.toArray() if hasattr(v, "toArray") else np.asarray(v, dtype=np.float64)
            return (sign * float(arr[0]), float(arr[1]), float(arr[2]) if len(arr) > 2
                    else 1.0)

        def pool(it):
            pts = sorted(it, key=lambda t: (t[1], t[0]))
            return _pava([p for p in pts if p[2] > 0])

        pooled = (data.map(triple).sortBy(lambda t: (t[1], t[0]))
                  .mapPartitions(pool).collect())
        final = _pava(sorted(pooled, key=lambda t: t[1]))
        boundaries = np.array([x for _, x, _ in final])
        predictions = np.array([sign * y for y, _, _ in final])
        return IsotonicRegressionModel(boundaries, predictions, isotonic)


class StreamingLinearAlgorithm:
    """A linear model trained on a DStream, batch after batch, on the driver.

    When the StreamingContext has a checkpoint directory, the model is part of every
    metadata checkpoint (registered as driver-side state on :meth:`trainOn`), so a job
    restarted with ``StreamingContext.getOrCreate`` resumes from the checkpointed weights.
    """

    def __init__(self, model: LinearModel | None):
        self._model = model

    def latestModel(self) -> LinearModel | None:
        """The model as of the last batch trained on."""
        return self._model

    def _validate(self, dstream: Any) -> None:
        from sparklet.streaming.dstream import DStream

        if not isinstance(dstream, DStream):
            raise TypeError("dstream should be a DStream object, got %s" % type(dstream))
        if not self._model:
            raise ValueError("Model must be initialized using setInitialWeights")

    def predictOn(self, dstream):
        """A DStream of predictions for a DStream of vectors."""
        self._validate(dstream)
        return dstream.map(lambda x: self._model.predict(x))

    def predictOnValues(self, dstream):
        """A DStream of ``(key, prediction)`` for a DStream of ``(key, vector)``."""
        self._validate(dstream)
        return dstream.mapValues(lambda x: self._model.predict(x))

    def _register(self, dstream) -> None:
        from sparklet.streaming.recovery.checkpoint import register_driver_state

        register_driver_state(dstream.context(), self, getattr(self, "_checkpoint_name",
                                                               None))

    def _checkpoint_state(self):
        m = self._model
        return None if m is None else (type(m), [float(v) for v in m.weights.toArray()],
                                       m.intercept)

    def _restore_checkpoint_state(self, state) -> None:
        if state is not None:
            self._model = self._rebuild(*state)

    def _rebuild(self, cls, weights, intercept):
        return cls(DenseVector(weights), intercept)

    def _train_batch(self, rdd) -> None:
        raise NotImplementedError

    def trainOn(self, dstream) -> None:
        """Update the model with every batch of a DStream of LabeledPoint."""
        self._validate(dstream)
        self._register(dstream)

        def update(rdd):
            # the batch trainers reject an empty RDD
            if not rdd.isEmpty():
                self._train_batch(rdd)

        dstream.foreachRDD(update)


class StreamingLinearRegressionWithSGD(StreamingLinearAlgorithm):
    """Linear regression on a stream: each batch runs ``numIterations`` SGD steps from the
    current weights (PySpark passes the current intercept as the ``intercept`` flag, so
    from the initial intercept of 0 no intercept is fitted; kept as PySpark does)."""

    def __init__(self, stepSize: float = 0.1, numIterations: int = 50,
                 miniBatchFraction: float = 1.0, convergenceTol: float = 0.001):
        self.stepSize = stepSize
        self.numIterations = numIterations
        self.miniBatchFraction = miniBatchFraction
        self.convergenceTol = convergenceTol
        self._model: LinearModel | None = None
        super().__init__(model=self._model)

    def setInitialWeights(self, initialWeights: Any) -> StreamingLinearRegressionWithSGD:
        """Start from these weights (and intercept 0)."""
        self._model = LinearRegressionModel(_convert_to_vector(initialWeights), 0)
        return self

    def _train_batch(self, rdd) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            self._model = LinearRegressionWithSGD.train(
                rdd, self.numIterations, self.stepSize, self.miniBatchFraction,
                self._model.weights, intercept=bool(self._model.intercept),
                convergenceTol=self.convergenceTol)
