"""Feature transformers, as ``pyspark.mllib.feature``: Normalizer, StandardScaler, HashingTF,
IDF, ElementwiseProduct and ChiSqSelector.

Fitting is distributed (column statistics and document frequencies are tree-aggregated from
per-partition numpy sums); the fitted models are small driver-side objects whose
``transform`` takes one vector or an RDD of vectors. Unlike PySpark's JVM-backed models they
also work inside RDD functions, since they pickle like any Python object.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np

from sparklet.mllib.linalg import DenseVector, SparseVector, Vector, Vectors, _convert_to_vector
from sparklet.mllib.stat._summary import summarize

__all__ = [
    "Normalizer", "StandardScalerModel", "StandardScaler", "HashingTF", "IDFModel", "IDF",
    "ChiSqSelector", "ChiSqSelectorModel", "ElementwiseProduct",
]


def _is_rdd(x: Any) -> bool:
    from sparklet.rdd import RDD

    return isinstance(x, RDD)


class VectorTransformer:
    """Base class of the transformers: ``transform`` maps a vector, or an RDD of them."""

    def transform(self, vector: Any) -> Any:
        """The transformed vector, or an RDD of transformed vectors."""
        if _is_rdd(vector):
            return vector.map(lambda v: self._transform_one(_convert_to_vector(v)))
        return self._transform_one(_convert_to_vector(vector))

    def _transform_one(self, v: Vector) -> Vector:
        raise NotImplementedError


def _check_size(what: str, expected: int, got: int) -> None:
    if expected != got:
        raise ValueError("%s expects vectors of size %d, got one of size %d"
                         % (what, expected, got))


class Normalizer(VectorTransformer):
    """Scale each vector to unit L^p norm (``p = inf``: the largest absolute value); a zero
    vector is returned as it is.

    >>> Normalizer(1).transform(Vectors.dense(range(3)))
    DenseVector([0.0, 0.3333, 0.6667])
    >>> Normalizer(float("inf")).transform(Vectors.dense(range(3)))
    DenseVector([0.0, 0.5, 1.0])
    """

    def __init__(self, p: float = 2.0):
        if not p >= 1.0:
            raise ValueError("p should be greater than 1.0, got %r" % (p,))
        self.p = float(p)

    def _transform_one(self, v: Vector) -> Vector:
        norm = v.norm(self.p)
        if norm == 0.0:
            return v
        if isinstance(v, SparseVector):
            return SparseVector(v.size, v.indices, v.values / norm)
        return DenseVector(v.toArray() / norm)


class StandardScalerModel(VectorTransformer):
    """A fitted :class:`StandardScaler`: column ``mean`` and ``std`` (unbiased) and whether
    to center and to scale. A column of zero variance scales to 0.0, as Spark's does.
    Centering gives dense output; scaling alone keeps sparse vectors sparse."""

    def __init__(self, std: Any, mean: Any, withStd: bool = True, withMean: bool = False):
        self._std = DenseVector(_convert_to_vector(std).toArray())
        self._mean = DenseVector(_convert_to_vector(mean).toArray())
        self._withStd = bool(withStd)
        self._withMean = bool(withMean)

    def _factor(self) -> np.ndarray:
        std = self._std.toArray()
        with np.errstate(divide="ignore"):
            return np.where(std != 0.0, 1.0 / std, 0.0)

    def _transform_one(self, v: Vector) -> Vector:
        _check_size("StandardScalerModel", len(self._mean), len(v))
        if self._withMean:
            values = v.toArray() - self._mean.toArray()
            if self._withStd:
                values = values * self._factor()
            return DenseVector(values)
        if self._withStd:
            if isinstance(v, SparseVector):
                return SparseVector(v.size, v.indices, v.values * self._factor()[v.indices])
            return DenseVector(v.toArray() * self._factor())
        return v

    def setWithMean(self, withMean: bool) -> StandardScalerModel:
        """Whether to center; returns self."""
        self._withMean = bool(withMean)
        return self

    def setWithStd(self, withStd: bool) -> StandardScalerModel:
        """Whether to scale to unit standard deviation; returns self."""
        self._withStd = bool(withStd)
        return self

    @property
    def withStd(self) -> bool:
        """Whether the model scales to unit standard deviation."""
        return self._withStd

    @property
    def withMean(self) -> bool:
        """Whether the model centers the data."""
        return self._withMean

    @property
    def std(self) -> Vector:
        """Column standard deviations."""
        return self._std

    @property
    def mean(self) -> Vector:
        """Column means."""
        return self._mean


class StandardScaler:
    """Standardize features with the training set's column mean and (unbiased) standard
    deviation.

    >>> vs = [Vectors.dense([-2.0, 2.3, 0]), Vectors.dense([3.8, 0.0, 1.9])]
    >>> model = StandardScaler(True, True).fit(sc.parallelize(vs))  # doctest: +SKIP
    >>> model.transform(vs[0])  # doctest: +SKIP
    DenseVector([-0.7071, 0.7071, -0.7071])
    """

    def __init__(self, withMean: bool = False, withStd: bool = True):
        if not (withMean or withStd):
            warnings.warn("Both withMean and withStd are false. The model does nothing.",
                          stacklevel=2)
        self.withMean = withMean
        self.withStd = withStd

    def fit(self, dataset: Any) -> StandardScalerModel:
        """Compute the column mean and standard deviation of an RDD of vectors (one
        tree-aggregated pass)."""
        summary = summarize(dataset.map(_convert_to_vector))
        if summary.count == 0:
            raise ValueError("Cannot fit a StandardScaler on an empty RDD")
        return StandardScalerModel(np.sqrt(summary.variance()), summary.mean, self.withStd,
                                   self.withMean)


class HashingTF:
    """Term frequencies by the hashing trick: term ``t`` counts at index
    ``hash(t) % numFeatures``, as PySpark's HashingTF.

    Python's ``hash`` of ``str`` (and ``bytes``) is salted per process unless
    ``PYTHONHASHSEED`` is set, so string indices differ between interpreter runs -- and
    between executors: set ``PYTHONHASHSEED`` (for the driver and the executors) when
    vectors must agree across processes. Integers hash to themselves.

    >>> htf = HashingTF(100)
    >>> htf.transform([1, 1, 2, 105])
    SparseVector(100, {1: 2.0, 2: 1.0, 5: 1.0})
    """

    def __init__(self, numFeatures: int = 1 << 20):
        if numFeatures <= 0:
            raise ValueError("numFeatures must be positive, got %r" % (numFeatures,))
        self.numFeatures = numFeatures
        self.binary = False

    def setBinary(self, value: bool) -> HashingTF:
        """Count each present term as 1.0 instead of its frequency; returns self."""
        self.binary = value
        return self

    def indexOf(self, term: Hashable) -> int:
        """The index of ``term``."""
        return hash(term) % self.numFeatures

    def transform(self, document: Any) -> Any:
        """The term-frequency vector of a document (an iterable of terms), or an RDD of
        them for an RDD of documents."""
        if _is_rdd(document):
            return document.map(self.transform)
        freq: dict[int, float] = {}
        for term in document:
            i = self.indexOf(term)
            freq[i] = 1.0 if self.binary else freq.get(i, 0.0) + 1.0
        return Vectors.sparse(self.numFeatures, freq.items())


class IDFModel(VectorTransformer):
    """A fitted :class:`IDF`: multiplies term frequencies by ``idf()`` (sparse stays
    sparse)."""

    def __init__(self, idf: Any, docFreq: Iterable[int], numDocs: int):
        self._idf = DenseVector(_convert_to_vector(idf).toArray())
        self._docFreq = [int(d) for d in docFreq]
        self._numDocs = int(numDocs)

    def _transform_one(self, v: Vector) -> Vector:
        _check_size("IDFModel", len(self._idf), len(v))
        idf = self._idf.toArray()
        if isinstance(v, SparseVector):
            return SparseVector(v.size, v.indices, v.values * idf[v.indices])
        return DenseVector(v.toArray() * idf)

    def idf(self) -> Vector:
        """The inverse document frequency vector."""
        return self._idf

    def docFreq(self) -> list[int]:
        """How many documents each term occurs in."""
        return list(self._docFreq)

    def numDocs(self) -> int:
        """How many documents were fitted."""
        return self._numDocs


def _doc_freq_partition(it: Iterable[Any]):
    df: np.ndarray | None = None
    m = 0
    for v in it:
        v = _convert_to_vector(v)
        if df is None:
            df = np.zeros(len(v), dtype=np.int64)
        _check_size("IDF", len(df), len(v))
        if isinstance(v, SparseVector):
            df[v.indices[v.values > 0]] += 1
        else:
            df += v.toArray() > 0
        m += 1
    yield (df, m)


def _merge_doc_freq(a, b):
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    _check_size("IDF", len(a[0]), len(b[0]))
    return (a[0] + b[0], a[1] + b[1])


class IDF:
    """Inverse document frequency ``log((m + 1) / (d(t) + 1))`` over ``m`` documents, ``d(t)``
    the documents containing term ``t``; terms in fewer than ``minDocFreq`` documents get 0.
    """

    def __init__(self, minDocFreq: int = 0):
        self.minDocFreq = minDocFreq

    def fit(self, dataset: Any) -> IDFModel:
        """Count document frequencies over an RDD of term-frequency vectors."""
        if not _is_rdd(dataset):
            raise TypeError("dataset should be an RDD of term frequency vectors")
        df, m = dataset.mapPartitions(_doc_freq_partition).treeAggregate(
            (None, 0), _merge_doc_freq, _merge_doc_freq)
        if df is None:
            raise ValueError("Cannot fit an IDF on an empty RDD")
        idf = np.where(df >= self.minDocFreq, np.log((m + 1.0) / (df + 1.0)), 0.0)
        return IDFModel(idf, df.tolist(), m)


class ElementwiseProduct(VectorTransformer):
    """Multiply each vector by ``scalingVector`` entry by entry (Hadamard product).

    >>> ElementwiseProduct(Vectors.dense([1.0, 2.0, 3.0])).transform([2.0, 1.0, 3.0])
    DenseVector([2.0, 2.0, 9.0])
    """

    def __init__(self, scalingVector: Any) -> None:
        self.scalingVector = _convert_to_vector(scalingVector)

    def _transform_one(self, v: Vector) -> Vector:
        _check_size("ElementwiseProduct", len(self.scalingVector), len(v))
        w = self.scalingVector.toArray()
        if isinstance(v, SparseVector):
            return SparseVector(v.size, v.indices, v.values * w[v.indices])
        return DenseVector(v.toArray() * w)


class ChiSqSelectorModel(VectorTransformer):
    """A fitted :class:`ChiSqSelector`: keeps the selected feature indices, in order."""

    def __init__(self, selectedFeatures: Iterable[int]):
        self._selected = np.array(sorted(int(i) for i in selectedFeatures), dtype=np.int32)

    @property
    def selectedFeatures(self) -> list[int]:
        """The indices kept."""
        return self._selected.tolist()

    def _transform_one(self, v: Vector) -> Vector:
        if len(self._selected) and self._selected[-1] >= len(v):
            raise ValueError("ChiSqSelectorModel selects feature %d of a vector of size %d"
                             % (self._selected[-1], len(v)))
        if isinstance(v, SparseVector):
            pos = np.searchsorted(self._selected, v.indices)
            pos = np.minimum(pos, max(len(self._selected) - 1, 0))
            keep = (self._selected[pos] == v.indices) if len(self._selected) else \
                np.zeros(len(v.indices), dtype=bool)
            return SparseVector(len(self._selected), pos[keep], v.values[keep])
        return DenseVector(v.toArray()[self._selected])


class ChiSqSelector:
    """Select categorical features by a chi-squared test of independence from the label:
    ``numTopFeatures`` (lowest p-values), ``percentile``, ``fpr`` (p below a threshold),
    ``fdr`` (Benjamini-Hochberg) or ``fwe`` (p below threshold / number of features)."""

    _TYPES = ("numTopFeatures", "percentile", "fpr", "fdr", "fwe")

    def __init__(self, numTopFeatures: int = 50, selectorType: str = "numTopFeatures",
                 percentile: float = 0.1, fpr: float = 0.05, fdr: float = 0.05,
                 fwe: float = 0.05):
        self.numTopFeatures = numTopFeatures
        self.setSelectorType(selectorType)
        self.percentile = percentile
        self.fpr = fpr
        self.fdr = fdr
        self.fwe = fwe

    def setNumTopFeatures(self, numTopFeatures: int) -> ChiSqSelector:
        """How many features ``numTopFeatures`` keeps; returns self."""
        self.numTopFeatures = int(numTopFeatures)
        return self

    def setPercentile(self, percentile: float) -> ChiSqSelector:
        """The fraction of features ``percentile`` keeps; returns self."""
        self.percentile = float(percentile)
        return self

    def setFpr(self, fpr: float) -> ChiSqSelector:
        """The p-value threshold of ``fpr``; returns self."""
        self.fpr = float(fpr)
        return self

    def setFdr(self, fdr: float) -> ChiSqSelector:
        """The false discovery rate of ``fdr``; returns self."""
        self.fdr = float(fdr)
        return self

    def setFwe(self, fwe: float) -> ChiSqSelector:
        """The family-wise error rate of ``fwe``; returns self."""
        self.fwe = float(fwe)
        return self

    def setSelectorType(self, selectorType: str) -> ChiSqSelector:
        """One of numTopFeatures, percentile, fpr, fdr, fwe; returns self."""
        if selectorType not in self._TYPES:
            raise ValueError("selectorType must be one of %s, got %r"
                             % (", ".join(self._TYPES), selectorType))
        self.selectorType = str(selectorType)
        return self

    def fit(self, data: Any) -> ChiSqSelectorModel:
        """Test every feature of an RDD of LabeledPoint against the label and select."""
        from sparklet.mllib.stat import Statistics

        results = list(enumerate(Statistics.chiSqTest(data)))
        n = len(results)
        by_p = sorted(results, key=lambda r: r[1].pValue)  # stable: ties keep feature order
        kind = self.selectorType
        if kind == "numTopFeatures":
            chosen = by_p[:self.numTopFeatures]
        elif kind == "percentile":
            chosen = by_p[:int(n * self.percentile)]
        elif kind == "fpr":
            chosen = [r for r in results if r[1].pValue < self.fpr]
        elif kind == "fdr":
            passing = [i for i, r in enumerate(by_p) if r[1].pValue <= self.fdr * (i + 1) / n]
            chosen = by_p[:max(passing) + 1] if passing else []
        else:
            chosen = [r for r in results if r[1].pValue < self.fwe / n]
        return ChiSqSelectorModel(i for i, _ in chosen)
