"""Regression on RDDs of :class:`LabeledPoint`, as ``pyspark.mllib.regression``."""

from __future__ import annotations

from collections.abc import Iterable

from sparklet.mllib.linalg import Vector, _convert_to_vector

__all__ = ["LabeledPoint"]


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
