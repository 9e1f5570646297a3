"""Classification models: equal to real PySpark 3.5.3 (pyspark_reference/linear.json) --
exactly for full-batch SGD and NaiveBayes, within the solver tolerance for L-BFGS optima --
near scikit-learn on the same data, save/load round trips and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from linear_helpers import arrays, points
from mllib_helpers import quiet_deprecations_fixture, reference, sc_fixture  # noqa: F401

from sparklet.mllib import classification
from sparklet.mllib.classification import (
    LogisticRegressionModel,
    LogisticRegressionWithLBFGS,
    LogisticRegressionWithSGD,
    NaiveBayes,
    NaiveBayesModel,
    SVMModel,
    SVMWithSGD,
)
from sparklet.mllib.linalg import Vectors
from sparklet.mllib.regression import LabeledPoint

REF = reference("linear")
CASES = [c for c in REF["cases"] if hasattr(classification, c["algorithm"])]


def _id(c):
    return "%s-%s-%s" % (c["algorithm"], c["data"],
                         "-".join("%s=%s" % kv for kv in sorted(c["kwargs"].items())))


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_equals_pyspark(sc, case):
    algo = getattr(classification, case["algorithm"])
    model = algo.train(sc.parallelize(points(REF, case["data"]), 2), **case["kwargs"])
    # SGD and NaiveBayes are the same arithmetic; L-BFGS stops near the optimum
    tol = 2e-3 if case["algorithm"] == "LogisticRegressionWithLBFGS" else 1e-9
    if "pi" in case:
        assert model.labels.tolist() == case["labels"]
        np.testing.assert_allclose(model.pi, case["pi"], atol=tol)
        np.testing.assert_allclose(model.theta, case["theta"], atol=tol)
    else:
        np.testing.assert_allclose(model.weights.toArray(), case["weights"], atol=tol)
        assert model.intercept == pytest.approx(case["intercept"], abs=tol)
    if "numClasses" in case:
        assert (model.numClasses, model.numFeatures) == (case["numClasses"],
                                                         case["numFeatures"])
    probes = REF["probes"][case["data"]]
    assert [float(model.predict(p)) for p in probes] == case["predictions"]
    if "raw_predictions" in case:
        model.clearThreshold()
        np.testing.assert_allclose([float(model.predict(p)) for p in probes],
                                   case["raw_predictions"], atol=max(tol, 1e-12) * 10)


def test_lbfgs_matches_sklearn_unregularized(sc):
    lm = pytest.importorskip("sklearn.linear_model")
    X, y = arrays(REF, "classification")
    model = LogisticRegressionWithLBFGS.train(sc.parallelize(points(REF, "classification"), 3),
                                              intercept=True, tolerance=1e-10)
    ref = lm.LogisticRegression(penalty=None, tol=1e-10, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(model.weights.toArray(), ref.coef_[0], atol=1e-4)
    assert model.intercept == pytest.approx(ref.intercept_[0], abs=1e-4)


def test_lbfgs_multinomial_matches_sklearn(sc):
    """Unregularized multinomial: the same probabilities as scikit-learn's softmax fit
    (the parameterizations differ by the pivot class)."""
    lm = pytest.importorskip("sklearn.linear_model")
    X, y = arrays(REF, "multiclass")
    model = LogisticRegressionWithLBFGS.train(sc.parallelize(points(REF, "multiclass"), 2),
                                              numClasses=3, intercept=True, tolerance=1e-10,
                                              iterations=500)
    ref = lm.LogisticRegression(penalty=None, tol=1e-10, max_iter=2000).fit(X, y)
    W = model.weights.toArray().reshape(2, 3)
    margins = np.hstack([np.zeros((len(X), 1)), X @ W[:, :2].T + W[:, 2]])
    probs = np.exp(margins - margins.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs, ref.predict_proba(X), atol=1e-3)
    assert [model.predict(x) for x in X] == [int(v) for v in np.argmax(probs, axis=1)]


def test_naive_bayes_matches_sklearn(sc):
    nb = pytest.importorskip("sklearn.naive_bayes")
    X, y = arrays(REF, "counts")
    model = NaiveBayes.train(sc.parallelize(points(REF, "counts"), 3), 1.0)
    ref = nb.MultinomialNB(alpha=1.0).fit(X, y)
    np.testing.assert_allclose(model.theta, ref.feature_log_prob_, atol=1e-12)
    assert model.labels.tolist() == ref.classes_.tolist()
    counts = np.array([np.sum(y == c) for c in ref.classes_])
    np.testing.assert_allclose(model.pi, np.log((counts + 1) / (len(y) + 3)), atol=1e-12)
    assert [model.predict(x) for x in X] == ref.predict(X).tolist()


def test_predict_rdd(sc):
    model = SVMModel(Vectors.dense([1.0, -1.0]), 0.0)
    assert model.predict(sc.parallelize([[2.0, 1.0], [0.0, 1.0]], 2)).collect() == [1, 0]
    model.clearThreshold()
    assert model.predict([2.0, 1.0]) == pytest.approx(1.0)
    assert model.threshold is None
    model.setThreshold(2.0)
    assert model.predict([2.0, 1.0]) == 0


def test_save_load_round_trips(sc, tmp_path):
    lr = LogisticRegressionModel(Vectors.dense([0.5, -1.0]), 0.25, 2, 2)
    lr.setThreshold(0.3)
    lr.save(sc, str(tmp_path / "lr"))
    back = LogisticRegressionModel.load(sc, str(tmp_path / "lr"))
    assert back.weights.toArray().tolist() == [0.5, -1.0]
    assert (back.intercept, back.numFeatures, back.numClasses, back.threshold) == (
        0.25, 2, 2, 0.3)
    multi = LogisticRegressionModel(Vectors.dense([1.0, 0.0, 0.0, 1.0]), 0.0, 2, 3)
    multi.save(sc, str(tmp_path / "multi"))
    back = LogisticRegressionModel.load(sc, str(tmp_path / "multi"))
    assert back.predict([0.0, 2.0]) == 2 and back.numClasses == 3
    svm = SVMModel(Vectors.dense([1.0]), -0.5)
    svm.save(sc, str(tmp_path / "svm"))
    back = SVMModel.load(sc, str(tmp_path / "svm"))
    assert (back.weights.toArray().tolist(), back.intercept, back.threshold) == (
        [1.0], -0.5, 0.0)
    nbm = NaiveBayesModel(np.array([0.0, 1.0]), np.log([0.4, 0.6]),
                          np.log([[0.2, 0.8], [0.7, 0.3]]))
    nbm.save(sc, str(tmp_path / "nb"))
    back = NaiveBayesModel.load(sc, str(tmp_path / "nb"))
    np.testing.assert_array_equal(back.theta, nbm.theta)
    np.testing.assert_array_equal(back.pi, nbm.pi)
    assert back.predict([0.0, 3.0]) == 0.0
    with pytest.raises(ValueError, match="NaiveBayesModel.*SVMModel"):
        NaiveBayesModel.load(sc, str(tmp_path / "svm"))


def test_bad_input(sc):
    three = sc.parallelize([LabeledPoint(2.0, [1.0]), LabeledPoint(0.0, [0.0])])
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        LogisticRegressionWithSGD.train(three)
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        SVMWithSGD.train(three)
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 3\)"):
        LogisticRegressionWithLBFGS.train(sc.parallelize([LabeledPoint(1.5, [1.0])]),
                                          numClasses=3)
    with pytest.raises(Exception, match="nonnegative"):  # raised in a task
        NaiveBayes.train(sc.parallelize([LabeledPoint(0.0, [-1.0, 2.0])]))
    with pytest.raises(ValueError, match="LabeledPoint"):
        NaiveBayes.train(sc.parallelize([[1.0]]))
