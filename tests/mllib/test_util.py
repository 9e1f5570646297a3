"""MLUtils file formats and the model save/load base, with real files on local disk."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from mllib_helpers import sc_fixture  # noqa: F401 - the sc fixture

from sparklet.mllib.linalg import DenseVector, SparseVector, Vectors
from sparklet.mllib.regression import LabeledPoint
from sparklet.mllib.util import Loader, MLUtils, Saveable


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return str(path)


def test_load_libsvm_file(sc, tmp_path):
    path = _write(tmp_path / "data.txt",
                  "+1 1:1.0 3:2.0 5:3.0\n-1\n\n# a comment\n-1 2:4.0 4:5.0 6:6.0\n")
    got = MLUtils.loadLibSVMFile(sc, path).collect()
    assert [p.label for p in got] == [1.0, -1.0, -1.0]
    assert got[0].features == SparseVector(6, [0, 2, 4], [1.0, 2.0, 3.0])
    assert got[1].features == SparseVector(6, [], [])
    assert got[2].features == SparseVector(6, [1, 3, 5], [4.0, 5.0, 6.0])
    wide = MLUtils.loadLibSVMFile(sc, path, numFeatures=10).collect()
    assert all(p.features.size == 10 for p in wide)


def test_libsvm_errors_name_the_line(sc, tmp_path):
    path = _write(tmp_path / "bad.txt", "1 1:1.0\n0 2:2.0\n1 3:x\n")
    with pytest.raises(Exception, match="line 3"):
        MLUtils.loadLibSVMFile(sc, path).collect()
    path = _write(tmp_path / "order.txt", "1 3:1.0 2:2.0\n")
    with pytest.raises(Exception, match="ascending"):
        MLUtils.loadLibSVMFile(sc, path).collect()


def test_save_then_load_libsvm(sc, tmp_path):
    points = [LabeledPoint(1.1, Vectors.sparse(3, [(0, 1.23), (2, 4.56)])),
              LabeledPoint(0.0, Vectors.dense([1.01, 2.02, 3.03]))]
    out = str(tmp_path / "svm")
    MLUtils.saveAsLibSVMFile(sc.parallelize(points, 2), out)
    lines = sorted(sc.textFile(out).collect())
    assert lines == ["0.0 1:1.01 2:2.02 3:3.03", "1.1 1:1.23 3:4.56"]
    back = sorted(MLUtils.loadLibSVMFile(sc, out).collect(), key=lambda p: p.label)
    assert back[0].features == DenseVector([1.01, 2.02, 3.03])
    assert back[1].features == points[0].features


def test_load_labeled_points_and_vectors(sc, tmp_path):
    points = [LabeledPoint(1.1, Vectors.sparse(3, [(0, -1.23), (2, 4.56e-7)])),
              LabeledPoint(0.0, Vectors.dense([1.01, 2.02, 3.03]))]
    out = str(tmp_path / "lp")
    sc.parallelize(points, 1).saveAsTextFile(out)
    assert MLUtils.loadLabeledPoints(sc, out).collect() == points
    legacy = _write(tmp_path / "legacy.txt", "1.0,2.0 3.0\n")
    assert MLUtils.loadLabeledPoints(sc, legacy).collect() == [LabeledPoint(1.0, [2.0, 3.0])]
    vecs = [Vectors.dense([1.0, 2.0]), Vectors.sparse(5, [4], [1.5])]
    vout = str(tmp_path / "vec")
    sc.parallelize(vecs, 2).saveAsTextFile(vout)
    assert MLUtils.loadVectors(sc, vout).collect() == vecs


class _Centers(Saveable, Loader["_Centers"]):
    """A toy model: a name parameter and a few vectors as data."""

    def __init__(self, name, centers):
        self.name, self.centers = name, centers

    def _model_data(self):
        return {"name": self.name, "k": len(self.centers)}, self.centers

    @classmethod
    def _from_model_data(cls, sc, metadata, data):
        return cls(metadata["name"], data.collect())


class _Other(_Centers):
    pass


def test_save_load_round_trip_and_layout(sc, tmp_path):
    model = _Centers("toy", [DenseVector([1.0, 2.0]), SparseVector(2, [1], [np.float64(3)])])
    path = str(tmp_path / "model")
    model.save(sc, path)
    meta_lines = open(os.path.join(path, "metadata", "part-00000")).read().splitlines()
    meta = json.loads(meta_lines[0])
    assert meta["class"] == "test_util._Centers" and meta["version"] == "1.0"
    assert meta["name"] == "toy" and meta["k"] == 2
    back = _Centers.load(sc, path)
    assert back.name == "toy" and back.centers == model.centers
    with pytest.raises(Exception, match="already exists"):
        model.save(sc, path)


def test_loading_another_class_fails_naming_both(sc, tmp_path):
    path = str(tmp_path / "model")
    _Centers("toy", [DenseVector([1.0])]).save(sc, path)
    with pytest.raises(ValueError, match="_Other.*_Centers"):
        _Other.load(sc, path)
    with pytest.raises(ValueError, match="No _Centers saved"):
        _Centers.load(sc, str(tmp_path / "missing"))
