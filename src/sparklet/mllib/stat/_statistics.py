"""Column statistics, correlations and hypothesis tests on RDDs, as
``pyspark.mllib.stat.Statistics``.

Everything runs as RDD jobs: column moments and co-moments are tree-aggregated per partition
(see ``_summary``), Spearman ranks come from a distributed sort, and the per-feature
chi-squared test counts (feature value, label) pairs with ``reduceByKey``; only the small
results (one vector, one matrix, one contingency table per feature) reach the driver.
"""

from __future__ import annotations

import math
from operator import add
from typing import Any

import numpy as np
from scipy import stats as _sps

from sparklet.mllib.linalg import Matrix, SparseVector, Vectors, _convert_to_vector
from sparklet.mllib.stat._summary import ColumnSummary, comoments, summarize
from sparklet.mllib.stat.test import ChiSqTestResult, KolmogorovSmirnovTestResult

__all__ = ["Statistics", "MultivariateStatisticalSummary"]

GOODNESS_OF_FIT = "observed follows the same distribution as expected."
INDEPENDENCE = "the occurrence of the outcomes is statistically independent."
KS_NULL = "Sample follows theoretical distribution"
MAX_CATEGORIES = 10000


class MultivariateStatisticalSummary:
    """Column-wise summary statistics of an RDD of vectors (what :meth:`Statistics.colStats`
    returns). Variances are unbiased (divided by ``count - 1``); ``max``/``min`` count a
    sparse vector's implicit zeros."""

    def __init__(self, summary: ColumnSummary) -> None:
        self._s = summary

    def mean(self) -> np.ndarray:
        """Column means."""
        return self._s.mean.copy()

    def variance(self) -> np.ndarray:
        """Unbiased column variances (zero for a single row)."""
        return self._s.variance()

    def count(self) -> int:
        """The number of vectors."""
        return int(self._s.count)

    def numNonzeros(self) -> np.ndarray:
        """Nonzero entries per column (as floats, as PySpark returns them)."""
        return self._s.nnz.astype(np.float64)

    def max(self) -> np.ndarray:
        """Column maxima."""
        return self._s.max()

    def min(self) -> np.ndarray:
        """Column minima."""
        return self._s.min()

    def normL1(self) -> np.ndarray:
        """Column sums of absolute values."""
        return self._s.l1.copy()

    def normL2(self) -> np.ndarray:
        """Column Euclidean norms."""
        return np.sqrt(self._s.l2sq)


def _pearson_matrix(rdd: Any) -> np.ndarray:
    """Pearson correlation of the columns: NaN off the diagonal for a constant column, 1.0 on
    the whole diagonal (as Spark)."""
    m = comoments(rdd)
    if m.count == 0:
        raise ValueError("Cannot compute the correlation of an empty RDD")
    if m.count < 2:
        raise ValueError("Cannot compute the correlation with fewer than 2 rows")
    cov = m.c / (m.count - 1)
    sigma = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(sigma, sigma)
    zero = sigma == 0.0
    corr[zero, :] = np.nan
    corr[:, zero] = np.nan
    np.fill_diagonal(corr, 1.0)
    return corr


def _spearman_ranks(rdd: Any) -> Any:
    """Each row's vector of column ranks (1-based, ties get their mean rank), from a sort of
    all (column, value) cells."""
    cells = rdd.zipWithIndex().flatMap(
        lambda vi: (((j, float(x)), vi[1]) for j, x in enumerate(vi[0].toArray())))
    per_col = cells.map(lambda c: c[0][0]).countByValue()
    counts = [per_col[j] for j in range(len(per_col))]
    if len(set(counts)) > 1:
        raise ValueError("Dimensions mismatch: vectors of different sizes in the RDD")
    starts = np.concatenate(([0], np.cumsum(counts)))[:-1].tolist()
    positioned = cells.sortByKey().zipWithIndex()

    def mean_ranks(group):
        (j, _x), members = group
        members = list(members)
        rank = sum(pos for pos, _ in members) / len(members) - starts[j] + 1.0
        return [(row, (j, rank)) for _, row in members]

    ranked = (positioned.map(lambda cp: (cp[0][0], (cp[1], cp[0][1])))
              .groupByKey().flatMap(mean_ranks))
    return ranked.groupByKey().map(
        lambda r: Vectors.dense([rank for _, rank in sorted(r[1])]))


def _correlation_matrix(rdd: Any, method: str) -> np.ndarray:
    if method == "pearson":
        return _pearson_matrix(rdd)
    if method == "spearman":
        return _pearson_matrix(_spearman_ranks(rdd))
    raise ValueError("Unrecognized method name %r. Supported correlations: pearson, spearman"
                     % (method,))


def _chi_sq_vector(observed: np.ndarray, expected: np.ndarray | None) -> ChiSqTestResult:
    size = observed.size
    if expected is not None and expected.size != size:
        raise ValueError("`expected` should have same length with `observed`")
    if (observed < 0).any():
        raise ValueError("Negative entries disallowed in the observed vector.")
    if expected is not None and (expected < 0).any():
        raise ValueError("Negative entries disallowed in the expected vector.")
    exp = np.full(size, 1.0 / size) if expected is None else expected
    obs_sum, exp_sum = observed.sum(), (1.0 if expected is None else exp.sum())
    scale = 1.0 if abs(obs_sum - exp_sum) < 1e-7 else obs_sum / exp_sum
    if ((exp == 0) & (observed == 0)).any():
        raise ValueError("Chi-squared statistic undefined for input vectors due to 0.0 values "
                         "in both observed and expected.")
    if (exp == 0).any():
        return ChiSqTestResult(0.0, size - 1, math.inf, "pearson", GOODNESS_OF_FIT)
    e = exp * scale
    statistic = float(np.sum((observed - e) ** 2 / e))
    df = size - 1
    return ChiSqTestResult(1.0 - _sps.chi2.cdf(statistic, df), df, statistic, "pearson",
                           GOODNESS_OF_FIT)


def _chi_sq_matrix(counts: np.ndarray) -> ChiSqTestResult:
    if (counts < 0).any():
        raise ValueError("Contingency table cannot contain negative entries.")
    col_sums, row_sums = counts.sum(axis=0), counts.sum(axis=1)
    if (col_sums == 0).any():
        raise ValueError("Chi-squared statistic undefined for input matrix due to 0 sum in "
                         "column [%d]." % int(np.argmax(col_sums == 0)))
    if (row_sums == 0).any():
        raise ValueError("Chi-squared statistic undefined for input matrix due to 0 sum in "
                         "row [%d]." % int(np.argmax(row_sums == 0)))
    expected = np.outer(row_sums, col_sums) / col_sums.sum()
    statistic = float(np.sum((counts - expected) ** 2 / expected))
    df = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    if df == 0:  # one row or one column: nothing to be dependent on
        return ChiSqTestResult(1.0, 0, 0.0, "pearson", INDEPENDENCE)
    return ChiSqTestResult(1.0 - _sps.chi2.cdf(statistic, df), df, statistic, "pearson",
                           INDEPENDENCE)


def _active(v: Any):
    if isinstance(v, SparseVector):
        return zip(v.indices.tolist(), v.values.tolist(), strict=True)
    return enumerate(v.toArray().tolist())


def _chi_sq_features(data: Any) -> list[ChiSqTestResult]:
    """Independence of each feature from the label; each feature's contingency table of
    (value, label) counts is built on the executors from the nonzero entries, the zeros
    following from the label counts."""
    first = data.first()
    num_features = len(first.features)
    label_counts = data.map(lambda p: p.label).countByValue()
    if len(label_counts) > MAX_CATEGORIES:
        raise ValueError("Chi-square test expect factors (categorical values) but found more "
                         "than %d distinct label values." % MAX_CATEGORIES)
    labels = sorted(label_counts)
    label_counts = dict(label_counts)

    def nonzero_cells(p):
        if len(p.features) != num_features:
            raise ValueError("Dimensions mismatch: expected %d features, got %d"
                             % (num_features, len(p.features)))
        return (((j, x, p.label), 1) for j, x in _active(p.features) if x != 0)

    def table(col_cells):
        col, cells = col_cells
        cells = list(cells)
        values = sorted({x for (x, _), _ in cells})
        nonzero_per_label = {lab: 0 for lab in labels}
        for (_, lab), c in cells:
            nonzero_per_label[lab] += c
        zeros = {lab: label_counts[lab] - nonzero_per_label[lab] for lab in labels}
        if any(zeros.values()):
            values = sorted(set(values) | {0.0})
        if len(values) > MAX_CATEGORIES:
            raise ValueError("Chi-square test expect factors (categorical values) but found "
                             "more than %d distinct values in column %d." % (MAX_CATEGORIES, col))
        vi = {x: i for i, x in enumerate(values)}
        li = {lab: j for j, lab in enumerate(labels)}
        counts = np.zeros((len(values), len(labels)))
        for (x, lab), c in cells:
            counts[vi[x], li[lab]] = c
        for lab, c in zeros.items():
            if c:
                counts[vi[0.0], li[lab]] = c
        return col, _chi_sq_matrix(counts)

    results = dict(data.flatMap(nonzero_cells).reduceByKey(add)
                   .map(lambda kc: (kc[0][0], ((kc[0][1], kc[0][2]), kc[1])))
                   .groupByKey().map(table).collect())
    all_zero = _chi_sq_matrix(np.array([[float(label_counts[lab]) for lab in labels]]))
    return [results.get(j, all_zero) for j in range(num_features)]


class Statistics:
    """Statistics over RDDs: column summaries, correlations, hypothesis tests."""

    @staticmethod
    def colStats(rdd: Any) -> MultivariateStatisticalSummary:
        """Column-wise summary statistics of an RDD of vectors, in one pass.

        >>> from sparklet.mllib.linalg import Vectors
        >>> rows = sc.parallelize([Vectors.dense([2, 0, 0, -2]), Vectors.dense([4, 5, 0, 3]),
        ...                        Vectors.dense([6, 7, 0, 8])])  # doctest: +SKIP
        >>> Statistics.colStats(rows).mean()  # doctest: +SKIP
        array([4., 4., 0., 3.])
        """
        summary = summarize(rdd)
        if summary.count == 0:
            raise ValueError("Cannot compute column statistics of an empty RDD")
        return MultivariateStatisticalSummary(summary)

    @staticmethod
    def corr(x: Any, y: Any = None, method: str | None = None) -> Any:
        """The correlation matrix of an RDD of vectors' columns (a numpy array, as PySpark
        returns), or the correlation of two RDDs of floats with the same partitioning.
        ``method`` is ``"pearson"`` (default) or ``"spearman"``; a constant column gives NaN.
        """
        if isinstance(y, str):
            raise TypeError("Use 'method=' to specify method name.")
        method = method or "pearson"
        if y is None:
            return _correlation_matrix(x.map(_convert_to_vector), method)
        pairs = x.map(float).zip(y.map(float)).map(lambda ab: Vectors.dense([ab[0], ab[1]]))
        return float(_correlation_matrix(pairs, method)[0, 1])

    @staticmethod
    def chiSqTest(observed: Any, expected: Any = None) -> Any:
        """Pearson's chi-squared test: goodness of fit of a vector of observed counts to
        ``expected`` (uniform by default; rescaled to the observed total), independence in a
        contingency :class:`Matrix`, or, for an RDD of LabeledPoint, independence of every
        feature from the label (a list of results, one per feature).
        """
        from sparklet.mllib.regression import LabeledPoint
        from sparklet.rdd import RDD

        if isinstance(observed, RDD):
            if not isinstance(observed.first(), LabeledPoint):
                raise ValueError("observed should be an RDD of LabeledPoint")
            return _chi_sq_features(observed)
        if isinstance(observed, Matrix):
            return _chi_sq_matrix(observed.toArray())
        obs = _convert_to_vector(observed).toArray()
        exp = None if expected is None else _convert_to_vector(expected).toArray()
        return _chi_sq_vector(obs, exp)

    @staticmethod
    def kolmogorovSmirnovTest(data: Any, distName: str = "norm",
                              *params: float) -> KolmogorovSmirnovTestResult:
        """One-sample two-sided Kolmogorov-Smirnov test of ``data`` (an RDD of floats)
        against the normal distribution (``params``: mean and standard deviation, default
        0 and 1). The sorted sample's partitions each find their largest gap between the
        empirical and the theoretical CDF."""
        from sparklet.rdd import RDD

        if not isinstance(data, RDD):
            raise TypeError("data should be an RDD, got %s." % type(data))
        if not isinstance(distName, str):
            raise TypeError("distName should be a string, got %s." % type(distName))
        if distName != "norm":
            raise ValueError("%s not a supported distribution (only 'norm')" % distName)
        if params and len(params) != 2:
            raise ValueError("the normal distribution takes a mean and a standard deviation")
        mu, sd = (float(params[0]), float(params[1])) if params else (0.0, 1.0)
        ordered = data.map(float).sortBy(lambda v: v)
        sizes = ordered.mapPartitions(lambda it: [sum(1 for _ in it)]).collect()
        n = sum(sizes)
        if n == 0:
            raise ValueError("Cannot test an empty RDD")
        offsets = np.concatenate(([0], np.cumsum(sizes)))[:-1].tolist()

        def gaps(i, it):
            xs = np.fromiter(it, dtype=np.float64)
            if xs.size == 0:
                return [0.0]
            cdf = _sps.norm.cdf(xs, loc=mu, scale=sd)
            ranks = np.arange(offsets[i], offsets[i] + xs.size, dtype=np.float64)
            return [float(max(np.max(cdf - ranks / n), np.max((ranks + 1) / n - cdf)))]

        statistic = max(ordered.mapPartitionsWithIndex(gaps).collect())
        p_value = 1.0 - float(_sps.kstwo.cdf(statistic, n))
        return KolmogorovSmirnovTestResult(p_value, 0, statistic, KS_NULL)
