"""Data of the linear-model tests: the data sets recorded with the PySpark reference."""

from __future__ import annotations

import numpy as np

from sparklet.mllib.linalg import Vectors
from sparklet.mllib.regression import LabeledPoint


def points(ref: dict, name: str) -> list[LabeledPoint]:
    """The LabeledPoints of reference data set ``name`` ("sparse" for the sparse one)."""
    if name == "sparse":
        return [LabeledPoint(y, Vectors.sparse(size, idx, vals))
                for (size, idx, vals), y in zip(ref["sparse"]["rows"], ref["sparse"]["y"],
                                                strict=True)]
    ds = ref["datasets"][name]
    return [LabeledPoint(y, x) for x, y in zip(ds["X"], ds["y"], strict=True)]


def arrays(ref: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    ds = ref["datasets"][name]
    return np.array(ds["X"]), np.array(ds["y"])
