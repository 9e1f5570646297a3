"""Linear regression models: equal to real PySpark 3.5.3 (recorded in
pyspark_reference/linear.json) where it is deterministic, near numpy's least squares and
scikit-learn's isotonic fit, save/load round trips and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from linear_helpers import arrays, points
from mllib_helpers import quiet_deprecations_fixture, reference, sc_fixture  # noqa: F401

from sparklet.mllib import regression
from sparklet.mllib.classification import SVMModel
from sparklet.mllib.linalg import Vectors
from sparklet.mllib.regression import (
    IsotonicRegression,
    IsotonicRegressionModel,
    LabeledPoint,
    LassoModel,
    LinearRegressionModel,
    LinearRegressionWithSGD,
    RidgeRegressionModel,
    RidgeRegressionWithSGD,
)

REF = reference("linear")
CASES = [c for c in REF["cases"] if hasattr(regression, c["algorithm"])]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "%s-%s-%s" % (
    c["algorithm"], c["data"], "-".join("%s=%s" % kv for kv in sorted(c["kwargs"].items()))))
def test_sgd_equals_pyspark(sc, case):
    algo = getattr(regression, case["algorithm"])
    model = algo.train(sc.parallelize(points(REF, case["data"]), 2), **case["kwargs"])
    np.testing.assert_allclose(model.weights.toArray(), case["weights"], rtol=1e-9,
                               atol=1e-9)
    assert model.intercept == pytest.approx(case["intercept"], abs=1e-9)
    probes = REF["probes"].get(case["data"])
    if probes:
        got = [float(model.predict(p)) for p in probes]
        np.testing.assert_allclose(got, case["predictions"], rtol=1e-9, atol=1e-9)


def test_sgd_converges_to_least_squares(sc):
    X, y = arrays(REF, "regression")
    model = LinearRegressionWithSGD.train(sc.parallelize(points(REF, "regression"), 3),
                                          iterations=400, step=0.5, intercept=True,
                                          convergenceTol=0.0)
    A = np.hstack([X, np.ones((len(y), 1))])
    expected, *_ = np.linalg.lstsq(A, y, rcond=None)
    np.testing.assert_allclose(model.weights.toArray(), expected[:-1], atol=2e-3)
    assert model.intercept == pytest.approx(expected[-1], abs=2e-3)


def test_ridge_converges_to_closed_form(sc):
    """Spark's ridge objective: mean squared error / 2 + regParam |w|^2 / 2."""
    X, y = arrays(REF, "regression")
    lam = 0.2
    model = RidgeRegressionWithSGD.train(sc.parallelize(points(REF, "regression"), 2),
                                         iterations=500, step=0.5, regParam=lam,
                                         convergenceTol=0.0)
    n, d = X.shape
    expected = np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ y / n)
    np.testing.assert_allclose(model.weights.toArray(), expected, atol=2e-3)


def test_predict_rdd_and_numpy(sc):
    model = LinearRegressionModel(Vectors.dense([2.0, -1.0]), 0.5)
    out = model.predict(sc.parallelize([[1.0, 1.0], [0.0, 2.0]], 2)).collect()
    assert out == pytest.approx([1.5, -1.5])
    assert model.predict(np.array([1.0, 0.0])) == pytest.approx(2.5)
    assert model.predict(Vectors.sparse(2, {1: 3.0})) == pytest.approx(-2.5)


@pytest.mark.parametrize("cls", [LinearRegressionModel, RidgeRegressionModel, LassoModel])
def test_save_load_round_trip(sc, tmp_path, cls):
    model = cls(Vectors.dense([1.5, -2.25, 0.0]), 0.75)
    path = str(tmp_path / "model")
    model.save(sc, path)
    loaded = cls.load(sc, path)
    assert type(loaded) is cls
    assert loaded.weights.toArray().tolist() == [1.5, -2.25, 0.0]
    assert loaded.intercept == 0.75


def test_load_of_another_class_fails(sc, tmp_path):
    path = str(tmp_path / "lasso")
    LassoModel(Vectors.dense([1.0]), 0.0).save(sc, path)
    with pytest.raises(ValueError, match="LinearRegressionModel.*LassoModel"):
        LinearRegressionModel.load(sc, path)
    with pytest.raises(ValueError, match="SVMModel.*LassoModel"):
        SVMModel.load(sc, path)


def test_bad_input(sc):
    with pytest.raises(TypeError, match="LabeledPoint"):
        LinearRegressionWithSGD.train(sc.parallelize([[1.0, 2.0]]))
    mixed = sc.parallelize([LabeledPoint(1.0, [1.0, 2.0]), LabeledPoint(0.0, [1.0])], 2)
    with pytest.raises(ValueError, match="same size"):
        LinearRegressionWithSGD.train(mixed)
    # the sizes named: the first example's, and the other one's (not a partition's count),
    # whether the odd one shares a partition with other examples or not
    odd_partition = sc.parallelize([LabeledPoint(1.0, [1.0, 2.0])] * 4 +
                                   [LabeledPoint(0.0, [1.0, 2.0, 3.0])] * 4, 2)
    with pytest.raises(ValueError, match="the first has 2, another has 3"):
        LinearRegressionWithSGD.train(odd_partition)
    one_partition = sc.parallelize([LabeledPoint(1.0, [1.0, 2.0]),
                                    LabeledPoint(0.0, [1.0, 2.0, 3.0])], 1)
    with pytest.raises(ValueError, match="the first has 2, another has 3"):
        LinearRegressionWithSGD.train(one_partition)
    good = sc.parallelize([LabeledPoint(1.0, [1.0, 2.0])])
    with pytest.raises(ValueError, match="regType"):
        LinearRegressionWithSGD.train(good, regType="l3")
    with pytest.raises(ValueError, match="initialWeights"):
        LinearRegressionWithSGD.train(good, initialWeights=[1.0])
    with pytest.raises(ValueError, match="mini-batch"):
        LinearRegressionWithSGD.train(good, miniBatchFraction=0.0)


def test_mini_batch_sampling_is_seeded(sc):
    data = sc.parallelize(points(REF, "regression"), 2)
    a = LinearRegressionWithSGD.train(data, iterations=20, step=0.2, miniBatchFraction=0.5)
    b = LinearRegressionWithSGD.train(data, iterations=20, step=0.2, miniBatchFraction=0.5)
    full = LinearRegressionWithSGD.train(data, iterations=20, step=0.2)
    assert a.weights.toArray().tolist() == b.weights.toArray().tolist()
    assert a.weights.toArray().tolist() != full.weights.toArray().tolist()
    # still a sensible fit: within 0.3 of the full-batch weights
    np.testing.assert_allclose(a.weights.toArray(), full.weights.toArray(), atol=0.3)


def test_isotonic_matches_sklearn(sc):
    sklearn_iso = pytest.importorskip("sklearn.isotonic")
    rng = np.random.RandomState(7)
    x = np.sort(rng.uniform(0, 10, 60))
    y = np.log1p(x) + 0.3 * rng.normal(size=60)
    model = IsotonicRegression.train(sc.parallelize(
        [(float(a), float(b), 1.0) for a, b in zip(y, x, strict=True)], 3))
    ref = sklearn_iso.IsotonicRegression().fit(x, y)
    probes = np.linspace(0.5, 9.5, 19)
    np.testing.assert_allclose(model.predict(probes), ref.predict(probes), atol=1e-9)
    assert np.all(np.diff(model.predictions) >= 0)
    anti = IsotonicRegression.train(sc.parallelize(
        [(float(-a), float(b), 1.0) for a, b in zip(y, x, strict=True)], 2), isotonic=False)
    np.testing.assert_allclose(anti.predict(probes), -ref.predict(probes), atol=1e-9)


def test_isotonic_save_load(sc, tmp_path):
    model = IsotonicRegressionModel(np.array([0.0, 1.0, 3.0]), np.array([1.0, 2.0, 2.5]),
                                    True)
    model.save(sc, str(tmp_path / "iso"))
    loaded = IsotonicRegressionModel.load(sc, str(tmp_path / "iso"))
    assert loaded.boundaries.tolist() == [0.0, 1.0, 3.0]
    assert loaded.predictions.tolist() == [1.0, 2.0, 2.5]
    assert loaded.predict(2.0) == pytest.approx(2.25)
