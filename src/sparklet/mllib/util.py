"""Loading, saving and preparing MLlib data, and the save/load base of the models, as
``pyspark.mllib.util``.

Model persistence follows Spark's layout with sparklet's own writers: a model directory holds
``metadata/part-00000``, one JSON line with the model's ``class``, the format ``version`` and
its parameters (as Spark's metadata JSON), and ``data/``, the model's records written with
``saveAsPickleFile``. :class:`Saveable` and :class:`Loader` implement that once for every
model; a model supplies ``_model_data`` (parameters and records) and ``_from_model_data``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from sparklet.mllib.linalg import DenseVector, SparseVector, Vector, Vectors, _convert_to_vector

if TYPE_CHECKING:
    from sparklet.context import SparkContext
    from sparklet.mllib.regression import LabeledPoint
    from sparklet.rdd import RDD

__all__ = ["MLUtils", "Saveable", "Loader", "JavaSaveable", "JavaLoader",
           "LinearDataGenerator"]

T = TypeVar("T")


def _parse_libsvm_line(line: str, number: int) -> tuple[float, np.ndarray, np.ndarray]:
    """``label index:value ...`` (one-based, ascending indices) as (label, zero-based
    indices, values); ``number`` (one-based) names the line in errors."""
    items = line.split()
    try:
        label = float(items[0])
        pairs = [item.split(":") for item in items[1:]]
        indices = np.array([int(p[0]) - 1 for p in pairs], dtype=np.int32)
        values = np.array([float(p[1]) for p in pairs], dtype=np.float64)
        if any(len(p) != 2 for p in pairs):
            raise ValueError("expected index:value")
    except (ValueError, IndexError) as e:
        raise ValueError("Cannot parse LibSVM line %d %r: %s" % (number, line, e)) from None
    if indices.size and indices[0] < 0:
        raise ValueError("LibSVM indices are one-based; line %d %r has index %d"
                         % (number, line, indices[0] + 1))
    if indices.size > 1 and (np.diff(indices) <= 0).any():
        raise ValueError("LibSVM indices should be one-based and in ascending order; "
                         "line %d %r is not" % (number, line))
    return label, indices, values


def _libsvm_line(p: LabeledPoint) -> str:
    """A LabeledPoint as ``label index:value ...`` with one-based indices."""
    items = [str(p.label)]
    v = _convert_to_vector(p.features)
    if isinstance(v, SparseVector):
        items += ["%d:%s" % (i + 1, x) for i, x in zip(v.indices, v.values, strict=True)]
    else:
        items += ["%d:%s" % (i + 1, x) for i, x in enumerate(v.toArray())]
    return " ".join(items)


def _parse_labeled_point(line: str) -> LabeledPoint:
    """``(label,[v,...])``, ``(label,(size,[i,...],[v,...]))`` (``str(LabeledPoint)``) or
    Spark's legacy ``label,v0 v1 ...`` as a LabeledPoint."""
    from sparklet.mllib.regression import LabeledPoint

    s = line.strip()
    try:
        if s.startswith("("):
            comma = s.index(",")
            end = s.rindex(")")
            return LabeledPoint(float(s[1:comma]), Vectors.parse(s[comma + 1:end]))
        label, feats = s.split(",", 1)
        return LabeledPoint(float(label), [float(x) for x in feats.split()])
    except ValueError as e:
        raise ValueError("Cannot parse a LabeledPoint from %r: %s" % (line, e)) from None


class MLUtils:
    """Helpers to load, save and pre-process MLlib data."""

    @staticmethod
    def loadLibSVMFile(sc: SparkContext, path: str, numFeatures: int = -1,
                       minPartitions: int | None = None) -> RDD[LabeledPoint]:
        """Labeled sparse data in LIBSVM format (``label index1:value1 index2:value2 ...``,
        one-based ascending indices) as an RDD of LabeledPoint with zero-based indices.

        With ``numFeatures <= 0`` the dimension is the largest index seen (one more pass over
        the data). Blank lines and ``#`` comment lines are skipped, as Spark does; a line that
        does not parse fails with its (one-based) line number in the input.
        """
        from sparklet.mllib.regression import LabeledPoint

        numbered = sc.textFile(path, minPartitions).zipWithIndex()
        parsed = (numbered
                  .filter(lambda li: li[0].strip() != "" and not li[0].lstrip().startswith("#"))
                  .map(lambda li: _parse_libsvm_line(li[0], li[1] + 1)))
        if numFeatures <= 0:
            parsed.cache()
            numFeatures = parsed.map(
                lambda x: int(x[1][-1]) if x[1].size else -1).fold(-1, max) + 1
        n = int(numFeatures)
        return parsed.map(lambda x: LabeledPoint(x[0], SparseVector(n, x[1], x[2])))

    @staticmethod
    def saveAsLibSVMFile(data: RDD[LabeledPoint], dir: str) -> None:
        """Write labeled data as LIBSVM text files (one-based indices) under ``dir``."""
        data.map(_libsvm_line).saveAsTextFile(dir)

    @staticmethod
    def loadLabeledPoints(sc: SparkContext, path: str,
                          minPartitions: int | None = None) -> RDD[LabeledPoint]:
        """LabeledPoints saved with ``RDD.saveAsTextFile`` (their ``str``), one a line."""
        minPartitions = minPartitions or min(sc.defaultParallelism, 2)
        return (sc.textFile(path, minPartitions).filter(lambda s: s.strip() != "")
                .map(_parse_labeled_point))

    @staticmethod
    def appendBias(data: Any) -> Vector:
        """The vector with a ``1.0`` appended (sparse stays sparse).

        >>> MLUtils.appendBias(Vectors.dense([2.0, 3.0]))
        DenseVector([2.0, 3.0, 1.0])
        """
        vec = _convert_to_vector(data)
        if isinstance(vec, SparseVector):
            return SparseVector(len(vec) + 1, np.append(vec.indices, len(vec)),
                                np.append(vec.values, 1.0))
        return DenseVector(np.append(vec.toArray(), 1.0))

    @staticmethod
    def loadVectors(sc: SparkContext, path: str) -> RDD[Vector]:
        """Vectors saved with ``RDD[Vector].saveAsTextFile`` (their ``str``), one a line."""
        return sc.textFile(path, sc.defaultMinPartitions).filter(
            lambda s: s.strip() != "").map(Vectors.parse)


# -- model persistence ---------------------------------------------------------------------

FORMAT_VERSION = "1.0"


def _class_name(cls: type) -> str:
    return "%s.%s" % (cls.__module__, cls.__qualname__)


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError("%r is not JSON serializable (model metadata)" % (x,))


def _metadata_path(path: str) -> str:
    return os.path.join(path, "metadata")


def _data_path(path: str) -> str:
    return os.path.join(path, "data")


def save_model(sc: SparkContext, path: str, cls: type, params: dict[str, Any],
               data: Iterable[Any] | RDD | None = None, version: str = FORMAT_VERSION) -> None:
    """Write ``path/metadata`` (one JSON line: class, version, ``params``) and, if ``data``
    is given (records or an RDD), ``path/data`` as pickle files. Fails if ``path`` exists."""
    from sparklet.rdd import RDD

    meta = {"class": _class_name(cls), "version": version}
    clash = set(meta) & set(params)
    if clash:
        raise ValueError("model parameters may not be named %s" % sorted(clash))
    meta.update(params)
    line = json.dumps(meta, default=_json_default, sort_keys=True)
    sc.parallelize([line], 1).saveAsTextFile(_metadata_path(path))
    if data is not None:
        rdd = data if isinstance(data, RDD) else sc.parallelize(list(data), 1)
        rdd.saveAsPickleFile(_data_path(path))


def load_metadata(sc: SparkContext, path: str, cls: type) -> dict[str, Any]:
    """The metadata saved by :func:`save_model`, checked to be ``cls``'s."""
    try:
        lines = sc.textFile(_metadata_path(path), 1).collect()
    except Exception as e:  # a missing path surfaces as the filesystem's error
        raise ValueError("No %s saved at %s: %s" % (cls.__name__, path, e)) from e
    if not lines:
        raise ValueError("No model metadata at %s" % _metadata_path(path))
    meta = json.loads(lines[0])
    expected = _class_name(cls)
    if meta.get("class") != expected:
        raise ValueError("Cannot load %s from %s: it holds a saved %s"
                         % (expected, path, meta.get("class")))
    return meta


def load_data(sc: SparkContext, path: str) -> RDD:
    """The records :func:`save_model` wrote to ``path/data``, as an RDD."""
    return sc.pickleFile(_data_path(path))


class Saveable:
    """A model that can be saved with ``model.save(sc, path)``.

    The default :meth:`save` writes ``self._model_data()``, a ``(params, data)`` pair:
    ``params`` a JSON-able dict for the metadata, ``data`` records (or an RDD, or None) for
    ``data/``. Models with other needs override :meth:`save`.
    """

    def save(self, sc: SparkContext, path: str) -> None:
        """Save this model to ``path`` (which must not exist yet)."""
        params, data = self._model_data()
        save_model(sc, path, type(self), params, data)

    def _model_data(self) -> tuple[dict[str, Any], Iterable[Any] | RDD | None]:
        raise NotImplementedError("%s does not implement save" % type(self).__name__)


class Loader(Generic[T]):
    """A model class that can be loaded with ``Model.load(sc, path)``.

    The default :meth:`load` checks the saved class is ``cls`` (a clear error naming both
    otherwise) and calls ``cls._from_model_data(sc, metadata, data)`` with the metadata dict
    and the ``data/`` records as an RDD.
    """

    @classmethod
    def load(cls, sc: SparkContext, path: str) -> T:
        """Load the model saved at ``path``."""
        meta = load_metadata(sc, path, cls)
        return cls._from_model_data(sc, meta, load_data(sc, path))

    @classmethod
    def _from_model_data(cls, sc: SparkContext, metadata: dict[str, Any], data: RDD) -> T:
        raise NotImplementedError("%s does not implement load" % cls.__name__)


class JavaSaveable(Saveable):
    """PySpark's name for the saveable base of its JVM-backed models; the same here."""


class JavaLoader(Loader[T]):
    """PySpark's name for the loader base of its JVM-backed models; the same here."""


class LinearDataGenerator:
    """Generate linear regression data (numpy's generator, so values differ from Spark's)."""

    @staticmethod
    def generateLinearInput(intercept: float, weights: Any, xMean: Any, xVariance: Any,
                            nPoints: int, seed: int, eps: float) -> list[LabeledPoint]:
        """``nPoints`` points ``y = w.x + intercept + eps * N(0, 1)``, x uniform with the
        given mean and variance per feature."""
        from sparklet.mllib.regression import LabeledPoint

        w = np.asarray(weights, dtype=np.float64)
        mean = np.asarray(xMean, dtype=np.float64)
        var = np.asarray(xVariance, dtype=np.float64)
        rng = np.random.default_rng(seed)
        # uniform on [mean - sqrt(3 var), mean + sqrt(3 var)] has the given variance
        x = (rng.random((int(nPoints), len(w))) - 0.5) * np.sqrt(12.0 * var) + mean
        y = x @ w + intercept + eps * rng.standard_normal(int(nPoints))
        return [LabeledPoint(label, row) for label, row in zip(y, x, strict=True)]

    @staticmethod
    def generateLinearRDD(sc: SparkContext, nexamples: int, nfeatures: int, eps: float,
                          nParts: int = 2, intercept: float = 0.0) -> RDD[LabeledPoint]:
        """An RDD of ``nexamples`` linear points over ``nfeatures`` random weights, each
        partition generated on its executor from its own seed."""
        from sparklet.mllib.regression import LabeledPoint

        w = np.random.default_rng(42).random(nfeatures) - 0.5
        per = [nexamples // nParts + (1 if i < nexamples % nParts else 0)
               for i in range(nParts)]

        def part(i, _it):
            rng = np.random.default_rng(42 + i)
            x = rng.random((per[i], nfeatures)) * 2.0 - 1.0
            y = x @ w + intercept + eps * rng.standard_normal(per[i])
            return (LabeledPoint(label, row) for label, row in zip(y, x, strict=True))

        return sc.parallelize(range(nParts), nParts).mapPartitionsWithIndex(part)
