"""Statistics and feature transformers against numpy/scipy computations of the same thing."""

import numpy as np
import pytest
from mllib_helpers import sc_fixture  # noqa: F401 - the sc fixture
from scipy import stats as sps

from sparklet.mllib.feature import IDF, HashingTF, Normalizer, StandardScaler
from sparklet.mllib.linalg import Matrices, Vectors
from sparklet.mllib.stat import Statistics


@pytest.fixture(name="data")
def _data():
    return np.random.default_rng(7).normal(loc=[1.0, -2.0, 0.5], scale=[1.0, 3.0, 0.2],
                                           size=(60, 3))


def _rdd(sc, rows, n=3):
    return sc.parallelize([Vectors.dense(r) for r in rows], n)


def test_col_stats_match_numpy(sc, data):
    s = Statistics.colStats(_rdd(sc, data))
    assert s.count() == len(data)
    np.testing.assert_allclose(s.mean(), data.mean(0), rtol=1e-12)
    np.testing.assert_allclose(s.variance(), data.var(0, ddof=1), rtol=1e-10)
    np.testing.assert_allclose(s.max(), data.max(0))
    np.testing.assert_allclose(s.min(), data.min(0))
    np.testing.assert_allclose(s.normL1(), np.abs(data).sum(0), rtol=1e-12)
    np.testing.assert_allclose(s.normL2(), np.sqrt((data ** 2).sum(0)), rtol=1e-12)
    np.testing.assert_allclose(s.numNonzeros(), (data != 0).sum(0))


def test_pearson_and_spearman_match_scipy(sc, data):
    data = data.copy()
    data[:, 2] = data[:, 0] ** 3 + data[:, 2]  # monotone-ish relation: ranks differ from values
    rdd = _rdd(sc, data)
    np.testing.assert_allclose(Statistics.corr(rdd), np.corrcoef(data.T), atol=1e-10)
    np.testing.assert_allclose(Statistics.corr(rdd, method="spearman"),
                               sps.spearmanr(data).statistic, atol=1e-10)
    x, y = sc.parallelize(list(data[:, 0]), 2), sc.parallelize(list(data[:, 1]), 2)
    assert Statistics.corr(x, y) == pytest.approx(np.corrcoef(data[:, 0], data[:, 1])[0, 1])


def test_chi_squared_tests_match_scipy():
    observed = [10.0, 20.0, 30.0]
    r = Statistics.chiSqTest(Vectors.dense(observed))
    ref = sps.chisquare(observed)
    assert (r.statistic, r.degreesOfFreedom) == (pytest.approx(ref.statistic), 2)
    assert r.pValue == pytest.approx(ref.pvalue)
    table = np.array([[10.0, 30.0], [20.0, 40.0]])  # Matrices.dense is column-major
    r = Statistics.chiSqTest(Matrices.dense(2, 2, [10, 20, 30, 40]))
    stat, p, dof, _ = sps.chi2_contingency(table, correction=False)
    assert (r.statistic, r.pValue, r.degreesOfFreedom) == (pytest.approx(stat),
                                                           pytest.approx(p), dof)


def test_standard_scaler_uses_the_sample_deviation(sc, data):
    rdd = _rdd(sc, data)
    model = StandardScaler(withMean=True, withStd=True).fit(rdd)
    got = np.array([v.toArray() for v in model.transform(rdd).collect()])
    np.testing.assert_allclose(got, (data - data.mean(0)) / data.std(0, ddof=1), atol=1e-12)


def test_normalizer_and_idf_follow_their_formulas(sc):
    assert list(Normalizer().transform(Vectors.dense([3.0, 4.0])).toArray()) == [0.6, 0.8]
    assert list(Normalizer(1.0).transform(Vectors.dense([1.0, -3.0])).toArray()) == [0.25, -0.75]
    tf = HashingTF(16)
    assert tf.indexOf(5) == 5 and tf.transform([5, 5, 21]) == Vectors.sparse(16, {5: 3.0})
    docs = sc.parallelize([tf.transform([1, 2]), tf.transform([1, 3]), tf.transform([4])], 2)
    idf = IDF().fit(docs).idf().toArray()
    df = np.zeros(16)
    df[[1, 2, 3, 4]] = [2, 1, 1, 1]
    np.testing.assert_allclose(idf, np.log((3 + 1) / (df + 1)))  # Spark's smoothed IDF
