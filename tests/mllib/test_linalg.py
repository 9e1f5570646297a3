"""sparklet.mllib.linalg against numpy computed independently, and pickling through RDDs."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse
from mllib_helpers import sc_fixture  # noqa: F401 - the sc fixture

from sparklet.mllib.linalg import (
    DenseMatrix,
    DenseVector,
    Matrices,
    SparseMatrix,
    SparseVector,
    Vectors,
    _convert_to_vector,
)
from sparklet.mllib.regression import LabeledPoint

RNG = np.random.default_rng(7)


def _random_sparse(size, nnz):
    idx = np.sort(RNG.choice(size, nnz, replace=False))
    return idx, RNG.standard_normal(nnz)


def _dense_of(idx, vals, size):
    out = np.zeros(size)
    out[idx] = vals
    return out


def test_dense_arithmetic_and_numpy_interop():
    a, b = RNG.standard_normal(5), RNG.standard_normal(5)
    u, v = Vectors.dense(a), DenseVector(list(b))
    np.testing.assert_array_equal((u + v).toArray(), a + b)
    np.testing.assert_array_equal((u - v).toArray(), a - b)
    np.testing.assert_array_equal((u * v).toArray(), a * b)
    np.testing.assert_array_equal((u / 2).toArray(), a / 2)
    np.testing.assert_array_equal((2 - u).toArray(), 2 - a)
    np.testing.assert_array_equal((-u).toArray(), -a)
    assert isinstance(u + v, DenseVector)
    assert u.shape == (5,) and np.isclose(u.mean(), a.mean())  # numpy attributes delegate
    assert u.toArray().dtype == np.float64
    assert Vectors.dense(1, 2, 3).toArray().tolist() == [1.0, 2.0, 3.0]
    assert Vectors.zeros(3).toArray().tolist() == [0.0, 0.0, 0.0]


def test_dot_norm_distance_over_all_pairings():
    size = 9
    ia, va = _random_sparse(size, 4)
    ib, vb = _random_sparse(size, 5)
    da, db = _dense_of(ia, va, size), _dense_of(ib, vb, size)
    forms_a = [SparseVector(size, ia, va), DenseVector(da)]
    forms_b = [SparseVector(size, ib, vb), DenseVector(db), db, list(db)]
    for x in forms_a:
        for y in forms_b:
            assert np.isclose(x.dot(y), float(np.dot(da, db)))
            assert np.isclose(x.squared_distance(y), float(np.sum((da - db) ** 2)))
            assert np.isclose(Vectors.squared_distance(x, y), float(np.sum((da - db) ** 2)))
        for p in (1, 2, 3, np.inf):
            assert np.isclose(x.norm(p), np.linalg.norm(da, p))
        assert x.numNonzeros() == np.count_nonzero(da)
    m = RNG.standard_normal((size, 3))
    np.testing.assert_allclose(forms_a[0].dot(m), da @ m)
    np.testing.assert_allclose(forms_a[1].dot(m), da @ m)
    col = scipy.sparse.csc_matrix(db.reshape(-1, 1))
    assert np.isclose(forms_a[1].dot(col)[0], float(np.dot(da, db)))


def test_dimension_mismatch_is_an_error():
    with pytest.raises(AssertionError, match="dimension mismatch"):
        Vectors.dense([1.0, 2.0]).dot([1.0])
    with pytest.raises(AssertionError, match="dimension mismatch"):
        SparseVector(4, [1], [1.0]).squared_distance(SparseVector(3, [1], [1.0]))
    with pytest.raises(AssertionError, match="dimension mismatch"):
        SparseVector(4, [1], [1.0]).dot(np.zeros(3))


def test_sparse_construction_forms_and_checks():
    want = SparseVector(5, [1, 3], [1.0, 5.5])
    assert SparseVector(5, {3: 5.5, 1: 1.0}) == want
    assert SparseVector(5, [(3, 5.5), (1, 1.0)]) == want
    assert Vectors.sparse(5, [1, 3], [1.0, 5.5]) == want
    assert want.toArray().tolist() == [0.0, 1.0, 0.0, 5.5, 0.0]
    assert [want[i] for i in range(-5, 5)] == want.toArray().tolist() * 2
    with pytest.raises(IndexError):
        want[5]
    with pytest.raises(TypeError, match="strictly increasing"):
        SparseVector(5, [3, 1], [1.0, 2.0])
    with pytest.raises(ValueError, match="out of bounds"):
        SparseVector(3, [0, 3], [1.0, 2.0])
    with pytest.raises(AssertionError, match="not same length"):
        SparseVector(3, [0, 1], [1.0])


def test_equality_and_hash_across_dense_and_sparse():
    d = DenseVector([0.0, 1.0, 0.0, 5.5])
    s = SparseVector(4, [1, 3], [1.0, 5.5])
    s_with_zero = SparseVector(4, [0, 1, 3], [0.0, 1.0, 5.5])
    assert d == s and s == d and s_with_zero == d
    assert hash(d) == hash(s) == hash(s_with_zero)
    assert d != DenseVector([0.0, 1.0, 0.0, 5.0])
    assert s != SparseVector(5, [1, 3], [1.0, 5.5])
    assert d != [0.0, 1.0, 0.0, 5.5]  # a list is not a vector


def test_str_repr_and_parse_round_trip():
    d = DenseVector([1.0, -2.5, 3.0])
    s = SparseVector(6, [0, 4], [4.0, 1e-07])
    assert str(d) == "[1.0,-2.5,3.0]"
    assert str(s) == "(6,[0,4],[4.0,1e-07])"
    assert repr(d) == "DenseVector([1.0, -2.5, 3.0])"
    assert repr(s) == "SparseVector(6, {0: 4.0, 4: 0.0})"
    assert Vectors.parse(str(d)) == d and Vectors.parse(Vectors.stringify(s)) == s
    assert Vectors.parse(" ( 100,  [0],  [2])") == SparseVector(100, [0], [2.0])
    assert DenseVector.parse(" [ 0.0,1.0,2.0,  3.0]").toArray().tolist() == [0, 1, 2, 3]
    for bad in ("1,2", "[1,x]", "(3,[a],[1.0])"):
        with pytest.raises(ValueError):
            Vectors.parse(bad)


def test_convert_to_vector():
    assert isinstance(_convert_to_vector([1, 2]), DenseVector)
    assert isinstance(_convert_to_vector(np.arange(3.0)), DenseVector)
    assert isinstance(_convert_to_vector(range(3)), DenseVector)
    col = scipy.sparse.csc_matrix(np.array([[0.0], [2.0], [0.0], [3.0]]))
    assert _convert_to_vector(col) == SparseVector(4, [1, 3], [2.0, 3.0])
    with pytest.raises(TypeError, match="Cannot convert"):
        _convert_to_vector("1,2")


def test_append_bias_like_vectors():
    from sparklet.mllib.util import MLUtils

    assert MLUtils.appendBias([2.0, 3.0]).toArray().tolist() == [2.0, 3.0, 1.0]
    sb = MLUtils.appendBias(SparseVector(3, [1], [4.0]))
    assert isinstance(sb, SparseVector) and sb == SparseVector(4, [1, 3], [4.0, 1.0])


def test_dense_matrix_layout():
    values = np.arange(6.0)
    m = DenseMatrix(2, 3, values)
    expect = values.reshape((2, 3), order="F")
    np.testing.assert_array_equal(m.toArray(), expect)
    assert all(m[i, j] == expect[i, j] for i in range(2) for j in range(3))
    mt = DenseMatrix(2, 3, values, isTransposed=True)
    np.testing.assert_array_equal(mt.toArray(), values.reshape((2, 3)))
    assert mt[1, 0] == 3.0
    assert repr(m) == "DenseMatrix(2, 3, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], False)"
    with pytest.raises(IndexError):
        m[2, 0]
    with pytest.raises(ValueError, match="needs 6 values"):
        DenseMatrix(2, 3, [1.0])
    assert Matrices.dense(2, 3, values) == m


def test_sparse_matrix_matches_scipy():
    dense = np.array([[1.0, 0.0, 4.0], [0.0, 0.0, 5.0], [2.0, 3.0, 0.0]])
    csc = scipy.sparse.csc_matrix(dense)
    sm = Matrices.sparse(3, 3, csc.indptr, csc.indices, csc.data)
    np.testing.assert_array_equal(sm.toArray(), dense)
    assert all(sm[i, j] == dense[i, j] for i in range(3) for j in range(3))
    csr = scipy.sparse.csr_matrix(dense)
    smt = SparseMatrix(3, 3, csr.indptr, csr.indices, csr.data, True)
    np.testing.assert_array_equal(smt.toArray(), dense)
    assert all(smt[i, j] == dense[i, j] for i in range(3) for j in range(3))
    assert sm == smt and sm.toDense() == DenseMatrix(3, 3, dense.ravel(order="F"))
    back = DenseMatrix(3, 3, dense.ravel(order="F")).toSparse()
    assert list(back.colPtrs) == list(csc.indptr) and list(back.values) == list(csc.data)
    assert str(sm).splitlines()[:3] == ["3 X 3 CSCMatrix", "(0,0) 1.0", "(2,0) 2.0"]
    with pytest.raises(ValueError, match="colPtrs"):
        SparseMatrix(3, 3, [0, 1], [0], [1.0])


def test_pickle_round_trip_keeps_types():
    objs = [DenseVector([1.0, 2.0]), SparseVector(4, [1], [3.0]), SparseVector(2, [], []),
            DenseMatrix(2, 1, [1.0, 2.0], True), SparseMatrix(2, 2, [0, 1, 1], [1], [7.0]),
            LabeledPoint(1.0, SparseVector(3, [2], [1.0]))]
    for o in objs:
        back = pickle.loads(pickle.dumps(o))
        assert type(back) is type(o)
        assert back == o


def test_vectors_travel_through_rdds(sc):
    points = [LabeledPoint(i % 2, [float(i), float(i * i)]) for i in range(20)]
    rdd = sc.parallelize(points, 3)
    got = rdd.map(lambda p: (p.label, p.features.dot(p.features))).collect()
    assert got == [(float(i % 2), float(i * i + i ** 4)) for i in range(20)]
    total = rdd.map(lambda p: p.features).treeAggregate(
        np.zeros(2), lambda acc, v: acc + v.toArray(), lambda a, b: a + b)
    assert total.tolist() == [float(sum(range(20))), float(sum(i * i for i in range(20)))]
    back = rdd.collect()
    assert back == points and isinstance(back[0].features, DenseVector)


def test_labeled_point():
    p = LabeledPoint(1, [0.5, 2.0])
    assert p.label == 1.0 and isinstance(p.features, DenseVector)
    assert str(p) == "(1.0,[0.5,2.0])" and repr(p) == "LabeledPoint(1.0, [0.5,2.0])"
    q = LabeledPoint(0, SparseVector(3, {1: 4.0}))
    assert str(q) == "(0.0,(3,[1],[4.0]))"


def test_docstring_examples():
    import doctest

    import sparklet.mllib.linalg as linalg
    import sparklet.mllib.regression as regression

    for mod in (linalg, regression):
        result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, mod.__name__
