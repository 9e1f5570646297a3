"""Local vectors and matrices for MLlib, as ``pyspark.mllib.linalg``.

Dense data lives in a float64 numpy array, sparse vectors in an int32 index array and a float64
value array, matrices column-major (CSC for sparse ones), so that numpy does the arithmetic and
the layout matches Spark's. The classes pickle to ``(class, bytes)`` so that shipping millions
of points to executors with cloudpickle stays cheap.

>>> v = Vectors.dense([1.0, 2.0])
>>> v + Vectors.dense([3.0, 4.0])
DenseVector([4.0, 6.0])
>>> print(Vectors.sparse(4, {1: 1.0, 3: 5.5}).dot(Vectors.dense([1.0, 2.0, 3.0, 4.0])))
24.0
"""

from __future__ import annotations

import array
import struct
from collections.abc import Iterable
from typing import Any

import numpy as np

try:
    import scipy.sparse as _scipy_sparse
except ImportError:  # pragma: no cover - scipy is part of the mllib extra
    _scipy_sparse = None

__all__ = [
    "Vector", "DenseVector", "SparseVector", "Vectors",
    "Matrix", "DenseMatrix", "SparseMatrix", "Matrices", "QRDecomposition",
]


def _is_scipy_sparse(x: Any) -> bool:
    return _scipy_sparse is not None and _scipy_sparse.issparse(x)


def _convert_to_vector(d: Any) -> Vector:
    """A :class:`Vector` for ``d``: vectors pass through, sequences and 1-d arrays become
    dense, a scipy.sparse column becomes sparse."""
    if isinstance(d, Vector):
        return d
    if isinstance(d, (array.array, np.ndarray, list, tuple, range)):
        return DenseVector(d)
    if _is_scipy_sparse(d):
        if d.shape[1] != 1:
            raise ValueError("Expected column vector, got shape %s" % (d.shape,))
        csc = d.tocsc()
        csc.sort_indices()
        return SparseVector(d.shape[0], csc.indices, csc.data)
    raise TypeError("Cannot convert type %s into Vector" % type(d))


def _vector_size(v: Any) -> int:
    """Length of anything usable as a vector; a 2-d array only as a column."""
    if isinstance(v, Vector):
        return len(v)
    if isinstance(v, (array.array, list, tuple, range)):
        return len(v)
    if isinstance(v, np.ndarray):
        if v.ndim == 1 or (v.ndim == 2 and v.shape[1] == 1):
            return len(v)
        raise ValueError("Cannot treat an ndarray of shape %s as a vector" % str(v.shape))
    if _is_scipy_sparse(v):
        if v.shape[1] != 1:
            raise ValueError("Expected column vector, got shape %s" % (v.shape,))
        return v.shape[0]
    raise TypeError("Cannot treat type %s as a vector" % type(v))


def _format_float(f: float, digits: int = 4) -> str:
    """At most ``digits`` decimals, as PySpark's reprs show them."""
    s = str(round(float(f), digits))
    if "." in s:
        s = s[:s.index(".") + 1 + digits]
    return s


def _format_float_list(xs: Iterable[float]) -> list[str]:
    return [_format_float(x) for x in xs]


def _double_to_long_bits(value: float) -> int:
    """The IEEE-754 bits of ``value`` as an unsigned int (one canonical NaN), as Java's
    ``doubleToLongBits``, for Spark-compatible hashes."""
    if np.isnan(value):
        value = float("nan")
    return struct.unpack("Q", struct.pack("d", value))[0]


def _hash_active(size: int, indices: Iterable[int], values: Iterable[float]) -> int:
    """Spark's vector hash: the size and the first 128 nonzero (index, value) pairs, so that
    equal dense and sparse vectors hash alike."""
    result = 31 + size
    nnz = 0
    for i, v in zip(indices, values, strict=True):
        if nnz >= 128:
            break
        if v != 0:
            bits = _double_to_long_bits(v)
            result = 31 * (31 * result + int(i)) + (bits ^ (bits >> 32))
            nnz += 1
    return result


class Vector:
    """A local vector: :class:`DenseVector` or :class:`SparseVector`."""

    def toArray(self) -> np.ndarray:
        """The vector as a 1-d numpy array."""
        raise NotImplementedError

    def asML(self) -> Any:
        """``pyspark.ml.linalg`` has no sparklet counterpart yet."""
        raise NotImplementedError("sparklet has no pyspark.ml.linalg; use the mllib vector")

    def __len__(self) -> int:
        raise NotImplementedError


def _parse_floats(text: str, what: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValueError("Unable to parse %s from %s" % (what, text)) from None


class DenseVector(Vector):
    """A dense vector over a float64 numpy array; arithmetic goes to numpy.

    >>> v = Vectors.dense([1.0, 2.0])
    >>> u = Vectors.dense([3.0, 4.0])
    >>> v + u
    DenseVector([4.0, 6.0])
    >>> 2 - v
    DenseVector([1.0, 0.0])
    >>> v / 2
    DenseVector([0.5, 1.0])
    >>> v * u
    DenseVector([3.0, 8.0])
    >>> u % 2
    DenseVector([1.0, 0.0])
    >>> -v
    DenseVector([-1.0, -2.0])
    """

    def __init__(self, ar: bytes | np.ndarray | Iterable[float]):
        if isinstance(ar, bytes):
            ar = np.frombuffer(ar, dtype=np.float64)
        elif not isinstance(ar, np.ndarray):
            ar = np.array(ar, dtype=np.float64)
        if ar.dtype != np.float64:
            ar = ar.astype(np.float64)
        self.array = ar

    @staticmethod
    def parse(s: str) -> DenseVector:
        """The vector written as ``[v0,v1,...]`` (what ``str`` gives).

        >>> DenseVector.parse(' [ 0.0,1.0,2.0,  3.0]')
        DenseVector([0.0, 1.0, 2.0, 3.0])
        """
        start = s.find("[")
        if start == -1:
            raise ValueError("Array should start with '['.")
        end = s.find("]", start)
        if end == -1:
            raise ValueError("Array should end with ']'.")
        return DenseVector(_parse_floats(s[start + 1:end], "values"))

    def __reduce__(self):
        return DenseVector, (self.array.tobytes(),)

    def numNonzeros(self) -> int:
        """How many entries are not zero."""
        return int(np.count_nonzero(self.array))

    def norm(self, p: float | str) -> np.float64:
        """The p-norm (``p`` a float, ``inf`` included).

        >>> print(DenseVector([0, -1, 2, -3]).norm(1))
        6.0
        """
        return np.linalg.norm(self.array, p)

    def dot(self, other: Any) -> Any:
        """Dot product with a vector, a sequence, a 1-d array, or (giving an array) a 2-d
        array with as many rows as this vector has entries.

        >>> dense = DenseVector([1., 2.])
        >>> print(dense.dot(SparseVector(2, [0, 1], [2., 1.])))
        4.0
        >>> dense.dot(np.reshape([1., 2., 3., 4.], (2, 2), order='F'))
        array([ 5., 11.])
        """
        if isinstance(other, np.ndarray):
            if other.ndim > 1 and len(self) != other.shape[0]:
                raise AssertionError("dimension mismatch")
            if other.ndim == 1 and len(self) != len(other):
                raise AssertionError("dimension mismatch")
            return np.dot(self.array, other)
        if _is_scipy_sparse(other):
            if len(self) != other.shape[0]:
                raise AssertionError("dimension mismatch")
            return other.transpose().dot(self.array)
        if len(self) != _vector_size(other):
            raise AssertionError("dimension mismatch")
        if isinstance(other, SparseVector):
            return other.dot(self)
        if isinstance(other, Vector):
            return np.dot(self.array, other.toArray())
        return np.dot(self.array, np.asarray(other, dtype=np.float64))

    def squared_distance(self, other: Any) -> np.float64:
        """Squared Euclidean distance to a vector or array of the same size.

        >>> print(DenseVector([1., 2.]).squared_distance([2., 1.]))
        2.0
        """
        if len(self) != _vector_size(other):
            raise AssertionError("dimension mismatch")
        if isinstance(other, SparseVector) or _is_scipy_sparse(other):
            return _convert_to_vector(other).squared_distance(self)
        other_arr = other.toArray() if isinstance(other, Vector) else np.asarray(other, float)
        diff = self.array - other_arr.reshape(-1)
        return np.dot(diff, diff)

    def toArray(self) -> np.ndarray:
        """The underlying numpy array (not a copy)."""
        return self.array

    @property
    def values(self) -> np.ndarray:
        """The underlying numpy array."""
        return self.array

    def __getitem__(self, item):
        return self.array[item]

    def __len__(self) -> int:
        return len(self.array)

    def __str__(self) -> str:
        return "[" + ",".join(str(v) for v in self.array) + "]"

    def __repr__(self) -> str:
        return "DenseVector([%s])" % ", ".join(_format_float(v) for v in self.array)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, DenseVector):
            return bool(np.array_equal(self.array, other.array))
        if isinstance(other, SparseVector):
            return other == self
        return False

    def __ne__(self, other: Any) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return _hash_active(len(self), range(len(self)), self.array)

    def __getattr__(self, item: str) -> Any:
        # numpy attributes (shape, mean, ...) as PySpark's DenseVector exposes them; guarded
        # so unpickling (before ``array`` exists) does not recurse
        if item == "array":
            raise AttributeError(item)
        return getattr(self.array, item)

    def __neg__(self) -> DenseVector:
        return DenseVector(-self.array)

    def _binary(op: str):  # noqa: N805 - a factory used in the class body only
        def func(self, other):
            if isinstance(other, DenseVector):
                other = other.array
            return DenseVector(getattr(self.array, op)(other))
        func.__name__ = op
        return func

    __add__ = _binary("__add__")
    __sub__ = _binary("__sub__")
    __mul__ = _binary("__mul__")
    __truediv__ = _binary("__truediv__")
    __mod__ = _binary("__mod__")
    __radd__ = _binary("__radd__")
    __rsub__ = _binary("__rsub__")
    __rmul__ = _binary("__rmul__")
    __rtruediv__ = _binary("__rtruediv__")
    __rmod__ = _binary("__rmod__")
    del _binary


class SparseVector(Vector):
    """A sparse vector: a size, strictly increasing int32 indices and float64 values.

    Build it from a dict ``{index: value}``, a list of ``(index, value)`` pairs, or an index
    list and a value list:

    >>> SparseVector(4, {1: 1.0, 3: 5.5})
    SparseVector(4, {1: 1.0, 3: 5.5})
    >>> SparseVector(4, [(1, 1.0), (3, 5.5)])
    SparseVector(4, {1: 1.0, 3: 5.5})
    >>> SparseVector(4, [1, 3], [1.0, 5.5])
    SparseVector(4, {1: 1.0, 3: 5.5})
    """

    def __init__(self, size: int, *args: Any):
        self.size = int(size)
        if not 1 <= len(args) <= 2:
            raise TypeError("SparseVector takes a size and either a dict or list of (index, "
                            "value) pairs, or an index array and a value array")
        if len(args) == 1:
            pairs = args[0]
            if isinstance(pairs, dict):
                pairs = pairs.items()
            pairs = sorted(pairs)
            self.indices = np.array([p[0] for p in pairs], dtype=np.int32)
            self.values = np.array([p[1] for p in pairs], dtype=np.float64)
        else:
            ind, vals = args
            if isinstance(ind, bytes):
                if not isinstance(vals, bytes):
                    raise TypeError("values should be bytes too when indices are bytes")
                self.indices = np.frombuffer(ind, np.int32)
                self.values = np.frombuffer(vals, np.float64)
            else:
                self.indices = np.array(ind, dtype=np.int32).reshape(-1)
                self.values = np.array(vals, dtype=np.float64).reshape(-1)
        if len(self.indices) != len(self.values):
            raise AssertionError("index and value arrays not same length")
        if len(self.indices) > 1:
            steps = np.diff(self.indices)
            if (steps <= 0).any():
                i = int(np.argmax(steps <= 0))
                raise TypeError("Indices %s and %s are not strictly increasing"
                                % (self.indices[i], self.indices[i + 1]))
        if len(self.indices) and (self.indices[0] < 0 or self.indices[-1] >= self.size):
            bad = self.indices[0] if self.indices[0] < 0 else self.indices[-1]
            raise ValueError("Index %d out of bounds for a vector of size %d"
                             % (bad, self.size))

    def numNonzeros(self) -> int:
        """How many stored values are not zero."""
        return int(np.count_nonzero(self.values))

    def norm(self, p: float | str) -> np.float64:
        """The p-norm.

        >>> print(SparseVector(4, [0, 1], [3., -4.]).norm(2))
        5.0
        """
        return np.linalg.norm(self.values, p)

    def __reduce__(self):
        return SparseVector, (self.size, self.indices.tobytes(), self.values.tobytes())

    @staticmethod
    def parse(s: str) -> SparseVector:
        """The vector written as ``(size,[i0,i1,...],[v0,v1,...])`` (what ``str`` gives).

        >>> SparseVector.parse(' (4, [0,1 ],[ 4.0,5.0] )')
        SparseVector(4, {0: 4.0, 1: 5.0})
        """
        start = s.find("(")
        if start == -1:
            raise ValueError("Tuple should start with '('")
        end = s.rfind(")")
        if end == -1:
            raise ValueError("Tuple should end with ')'")
        body = s[start + 1:end].strip()
        comma = body.find(",")
        try:
            size = int(body[:comma])
        except ValueError:
            raise ValueError("Cannot parse size %s." % body[:comma]) from None
        rest = body[comma + 1:]
        i0, i1 = rest.find("["), rest.find("]")
        if i0 == -1:
            raise ValueError("Indices array should start with '['.")
        if i1 == -1:
            raise ValueError("Indices array should end with ']'")
        try:
            indices = [int(x) for x in rest[i0 + 1:i1].split(",") if x.strip()]
        except ValueError:
            raise ValueError("Unable to parse indices from %s." % rest[i0 + 1:i1]) from None
        rest = rest[i1 + 1:]
        v0, v1 = rest.find("["), rest.find("]")
        if v0 == -1:
            raise ValueError("Values array should start with '['.")
        if v1 == -1:
            raise ValueError("Values array should end with ']'.")
        return SparseVector(size, indices, _parse_floats(rest[v0 + 1:v1], "values"))

    def dot(self, other: Any) -> Any:
        """Dot product with a vector, a sequence, or a 1-/2-d numpy array.

        >>> a = SparseVector(4, [1, 3], [3.0, 4.0])
        >>> print(a.dot(a))
        25.0
        >>> print(a.dot(SparseVector(4, [2], [1.0])))
        0.0
        >>> a.dot(np.array([[1, 1], [2, 2], [3, 3], [4, 4]]))
        array([22., 22.])
        """
        if isinstance(other, np.ndarray):
            if other.ndim not in (1, 2):
                raise ValueError("Cannot call dot with %d-dimensional array" % other.ndim)
            if len(self) != other.shape[0]:
                raise AssertionError("dimension mismatch")
            return np.dot(self.values, other[self.indices])
        if len(self) != _vector_size(other):
            raise AssertionError("dimension mismatch")
        if isinstance(other, DenseVector):
            return np.dot(other.array[self.indices], self.values)
        if isinstance(other, SparseVector):
            _, mine, theirs = np.intersect1d(self.indices, other.indices, assume_unique=True,
                                             return_indices=True)
            if mine.size == 0:
                return np.float64(0.0)
            return np.dot(self.values[mine], other.values[theirs])
        return self.dot(_convert_to_vector(other))

    def squared_distance(self, other: Any) -> np.float64:
        """Squared Euclidean distance to a vector or 1-d array of the same size.

        >>> a = SparseVector(4, [1, 3], [3.0, 4.0])
        >>> print(a.squared_distance(SparseVector(4, [2], [1.0])))
        26.0
        """
        if len(self) != _vector_size(other):
            raise AssertionError("dimension mismatch")
        if isinstance(other, (np.ndarray, DenseVector)):
            arr = other.array if isinstance(other, DenseVector) else other
            if arr.ndim != 1:
                raise ValueError("Cannot call squared_distance with %d-dimensional array"
                                 % arr.ndim)
            diff = np.asarray(arr, dtype=np.float64).copy()
            diff[self.indices] -= self.values
            return np.dot(diff, diff)
        if isinstance(other, SparseVector):
            # merge on the union of the two index sets
            union = np.union1d(self.indices, other.indices)
            a = np.zeros(len(union))
            a[np.searchsorted(union, self.indices)] = self.values
            a[np.searchsorted(union, other.indices)] -= other.values
            return np.dot(a, a)
        return self.squared_distance(_convert_to_vector(other))

    def toArray(self) -> np.ndarray:
        """A new dense numpy array with the vector's values."""
        arr = np.zeros((self.size,), dtype=np.float64)
        arr[self.indices] = self.values
        return arr

    def __len__(self) -> int:
        return self.size

    def __str__(self) -> str:
        inds = "[" + ",".join(str(i) for i in self.indices) + "]"
        vals = "[" + ",".join(str(v) for v in self.values) + "]"
        return "(%d,%s,%s)" % (self.size, inds, vals)

    def __repr__(self) -> str:
        entries = ", ".join("%d: %s" % (i, _format_float(v))
                            for i, v in zip(self.indices, self.values, strict=True))
        return "SparseVector(%d, {%s})" % (self.size, entries)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, SparseVector):
            return (other.size == self.size and np.array_equal(other.indices, self.indices)
                    and np.array_equal(other.values, self.values))
        if isinstance(other, DenseVector):
            # equal as values: explicit zeros in either do not matter
            return self.size == len(other) and bool(np.array_equal(self.toArray(), other.array))
        return False

    def __ne__(self, other: Any) -> bool:
        return not self == other

    def __getitem__(self, index: int) -> np.float64:
        if not isinstance(index, (int, np.integer)):
            raise TypeError("Indices must be of type integer, got type %s" % type(index))
        if index >= self.size or index < -self.size:
            raise IndexError("Index %d out of bounds." % index)
        if index < 0:
            index += self.size
        pos = int(np.searchsorted(self.indices, index))
        if pos < len(self.indices) and self.indices[pos] == index:
            return self.values[pos]
        return np.float64(0.0)

    def __hash__(self) -> int:
        return _hash_active(self.size, self.indices, self.values)


class Vectors:
    """Factory methods for vectors (numpy arrays and lists work as dense vectors too)."""

    @staticmethod
    def sparse(size: int, *args: Any) -> SparseVector:
        """A :class:`SparseVector` from a dict, ``(index, value)`` pairs, or an index list
        and a value list.

        >>> Vectors.sparse(4, [1, 3], [1.0, 5.5])
        SparseVector(4, {1: 1.0, 3: 5.5})
        """
        return SparseVector(size, *args)

    @staticmethod
    def dense(*elements: Any) -> DenseVector:
        """A :class:`DenseVector` from numbers, a sequence, an array, or float64 bytes.

        >>> Vectors.dense([1, 2, 3])
        DenseVector([1.0, 2.0, 3.0])
        >>> Vectors.dense(1.0, 2.0)
        DenseVector([1.0, 2.0])
        """
        if len(elements) == 1 and not isinstance(elements[0], (float, int)):
            return DenseVector(elements[0])
        return DenseVector(list(elements))

    @staticmethod
    def fromML(vec: Any) -> Vector:
        """Convert from a ``pyspark.ml.linalg``-like vector (anything with ``indices`` and
        ``values``, or ``toArray``)."""
        if hasattr(vec, "indices") and hasattr(vec, "size"):
            return SparseVector(vec.size, vec.indices, vec.values)
        if hasattr(vec, "toArray"):
            return DenseVector(vec.toArray())
        raise TypeError("Unsupported vector type %s" % type(vec))

    @staticmethod
    def stringify(vector: Vector) -> str:
        """The vector as text :meth:`parse` reads back.

        >>> Vectors.stringify(Vectors.sparse(2, [1], [1.0]))
        '(2,[1],[1.0])'
        >>> Vectors.stringify(Vectors.dense([0.0, 1.0]))
        '[0.0,1.0]'
        """
        return str(vector)

    @staticmethod
    def squared_distance(v1: Any, v2: Any) -> np.float64:
        """Squared distance between two vectors (or arrays).

        >>> print(Vectors.squared_distance(Vectors.sparse(4, [(0, 1), (3, 4)]), [2, 5, 4, 1]))
        51.0
        """
        return _convert_to_vector(v1).squared_distance(_convert_to_vector(v2))

    @staticmethod
    def norm(vector: Any, p: float | str) -> np.float64:
        """The p-norm of a vector."""
        return _convert_to_vector(vector).norm(p)

    @staticmethod
    def parse(s: str) -> Vector:
        """A vector from ``str(vector)``: ``[...]`` dense, ``(size,[...],[...])`` sparse.

        >>> Vectors.parse('[2,1,2 ]')
        DenseVector([2.0, 1.0, 2.0])
        >>> Vectors.parse(' ( 100,  [0],  [2])')
        SparseVector(100, {0: 2.0})
        """
        if s.find("(") == -1 and s.find("[") != -1:
            return DenseVector.parse(s)
        if s.find("(") != -1:
            return SparseVector.parse(s)
        raise ValueError("Cannot find tokens '[' or '(' from the input string.")

    @staticmethod
    def zeros(size: int) -> DenseVector:
        """A dense vector of ``size`` zeros."""
        return DenseVector(np.zeros(size))


class Matrix:
    """A local matrix: :class:`DenseMatrix` or :class:`SparseMatrix`."""

    def __init__(self, numRows: int, numCols: int, isTransposed: bool = False) -> None:
        self.numRows = int(numRows)
        self.numCols = int(numCols)
        self.isTransposed = bool(isTransposed)

    def toArray(self) -> np.ndarray:
        """The matrix as a 2-d numpy array."""
        raise NotImplementedError

    def asML(self) -> Any:
        """``pyspark.ml.linalg`` has no sparklet counterpart yet."""
        raise NotImplementedError("sparklet has no pyspark.ml.linalg; use the mllib matrix")

    def _check_index(self, indices: tuple[int, int]) -> tuple[int, int]:
        i, j = indices
        if i < 0 or i >= self.numRows:
            raise IndexError("Row index %d is out of range [0, %d)" % (i, self.numRows))
        if j < 0 or j >= self.numCols:
            raise IndexError("Column index %d is out of range [0, %d)" % (j, self.numCols))
        return i, j

    @staticmethod
    def _convert_to_array(array_like: Any, dtype: Any) -> np.ndarray:
        if isinstance(array_like, bytes):
            return np.frombuffer(array_like, dtype=dtype)
        return np.asarray(array_like, dtype=dtype)


class DenseMatrix(Matrix):
    """A dense matrix, values column-major (row-major when ``isTransposed``).

    >>> m = DenseMatrix(2, 2, range(4))
    >>> m
    DenseMatrix(2, 2, [0.0, 1.0, 2.0, 3.0], False)
    >>> m.toArray().tolist()
    [[0.0, 2.0], [1.0, 3.0]]
    >>> print(m[0, 1])
    2.0
    """

    def __init__(self, numRows: int, numCols: int, values: Any, isTransposed: bool = False):
        Matrix.__init__(self, numRows, numCols, isTransposed)
        values = self._convert_to_array(values, np.float64).reshape(-1)
        if len(values) != self.numRows * self.numCols:
            raise ValueError("A %d x %d matrix needs %d values, got %d"
                             % (numRows, numCols, self.numRows * self.numCols, len(values)))
        self.values = values

    def __reduce__(self):
        return DenseMatrix, (self.numRows, self.numCols, self.values.tobytes(),
                             int(self.isTransposed))

    def __str__(self) -> str:
        lines = repr(self.toArray()).splitlines()
        return "\n".join([lines[0].replace("array", "DenseMatrix")]
                         + [" " * 6 + line for line in lines[1:]])

    def __repr__(self) -> str:
        if len(self.values) < 17:
            entries = _format_float_list(self.values)
        else:
            entries = (_format_float_list(self.values[:8]) + ["..."]
                       + _format_float_list(self.values[-8:]))
        return "DenseMatrix(%d, %d, [%s], %s)" % (self.numRows, self.numCols,
                                                  ", ".join(entries), self.isTransposed)

    def toArray(self) -> np.ndarray:
        """The matrix as a (Fortran-ordered) 2-d numpy array."""
        if self.isTransposed:
            return np.asfortranarray(self.values.reshape((self.numRows, self.numCols)))
        return self.values.reshape((self.numRows, self.numCols), order="F")

    def toSparse(self) -> SparseMatrix:
        """The nonzero entries as a CSC :class:`SparseMatrix`.

        >>> DenseMatrix(2, 2, [1, 0, 0, 2]).toSparse()
        SparseMatrix(2, 2, [0, 1, 2], [0, 1], [1.0, 2.0], False)
        """
        col_major = np.ravel(self.toArray(), order="F")
        nz = np.nonzero(col_major)[0]
        counts = np.bincount(nz // max(self.numRows, 1), minlength=self.numCols)
        col_ptrs = np.concatenate(([0], np.cumsum(counts[:self.numCols])))
        return SparseMatrix(self.numRows, self.numCols, col_ptrs, nz % max(self.numRows, 1),
                            col_major[nz])

    def __getitem__(self, indices: tuple[int, int]) -> np.float64:
        i, j = self._check_index(indices)
        if self.isTransposed:
            return self.values[i * self.numCols + j]
        return self.values[i + j * self.numRows]

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Matrix):
            return False
        if self.numRows != other.numRows or self.numCols != other.numCols:
            return False
        return bool(np.all(self.toArray() == other.toArray()))

    __hash__ = None  # mutable values, as PySpark (no hash)


class SparseMatrix(Matrix):
    """A sparse matrix in CSC form (CSR when ``isTransposed``).

    >>> sm = SparseMatrix(2, 2, [0, 2, 3], [0, 1, 1], [2, 3, 4])
    >>> sm.toArray().tolist()
    [[2.0, 0.0], [3.0, 4.0]]
    >>> print(sm[1, 0])
    3.0
    """

    def __init__(self, numRows: int, numCols: int, colPtrs: Any, rowIndices: Any,
                 values: Any, isTransposed: bool = False) -> None:
        Matrix.__init__(self, numRows, numCols, isTransposed)
        self.colPtrs = self._convert_to_array(colPtrs, np.int32).reshape(-1)
        self.rowIndices = self._convert_to_array(rowIndices, np.int32).reshape(-1)
        self.values = self._convert_to_array(values, np.float64).reshape(-1)
        major = self.numRows if self.isTransposed else self.numCols
        if self.colPtrs.size != major + 1:
            raise ValueError("Expected colPtrs of size %d, got %d."
                             % (major + 1, self.colPtrs.size))
        if self.rowIndices.size != self.values.size:
            raise ValueError("Expected rowIndices of length %d, got %d."
                             % (self.values.size, self.rowIndices.size))

    def __str__(self) -> str:
        kind = "CSRMatrix" if self.isTransposed else "CSCMatrix"
        lines = ["%d X %d %s" % (self.numRows, self.numCols, kind)]
        major = 0
        for k in range(min(len(self.values), 16)):
            while self.colPtrs[major + 1] <= k:
                major += 1
            minor = self.rowIndices[k]
            r, c = (major, minor) if self.isTransposed else (minor, major)
            lines.append("(%d,%d) %s" % (r, c, _format_float(self.values[k])))
        text = "\n".join(lines)
        return text + "\n.." * 2 if len(self.values) > 16 else text

    def __repr__(self) -> str:
        rows: list = list(self.rowIndices)
        ptrs: list = list(self.colPtrs)
        if len(self.values) <= 16:
            vals = _format_float_list(self.values)
        else:
            vals = (_format_float_list(self.values[:8]) + ["..."]
                    + _format_float_list(self.values[-8:]))
            rows = rows[:8] + ["..."] + rows[-8:]
        if len(ptrs) > 16:
            ptrs = ptrs[:8] + ["..."] + ptrs[-8:]
        return "SparseMatrix(%d, %d, [%s], [%s], [%s], %s)" % (
            self.numRows, self.numCols, ", ".join(str(p) for p in ptrs),
            ", ".join(str(r) for r in rows), ", ".join(vals), self.isTransposed)

    def __reduce__(self):
        return SparseMatrix, (self.numRows, self.numCols, self.colPtrs.tobytes(),
                              self.rowIndices.tobytes(), self.values.tobytes(),
                              int(self.isTransposed))

    def __getitem__(self, indices: tuple[int, int]) -> np.float64:
        i, j = self._check_index(indices)
        if self.isTransposed:
            i, j = j, i
        start, end = self.colPtrs[j], self.colPtrs[j + 1]
        pos = start + int(np.searchsorted(self.rowIndices[start:end], i))
        if pos < end and self.rowIndices[pos] == i:
            return self.values[pos]
        return np.float64(0.0)

    def toArray(self) -> np.ndarray:
        """The matrix as a dense (Fortran-ordered) 2-d numpy array."""
        out = np.zeros((self.numRows, self.numCols), dtype=np.float64, order="F")
        for k in range(self.colPtrs.size - 1):
            lo, hi = self.colPtrs[k], self.colPtrs[k + 1]
            if self.isTransposed:
                out[k, self.rowIndices[lo:hi]] = self.values[lo:hi]
            else:
                out[self.rowIndices[lo:hi], k] = self.values[lo:hi]
        return out

    def toDense(self) -> DenseMatrix:
        """The same matrix as a column-major :class:`DenseMatrix`."""
        return DenseMatrix(self.numRows, self.numCols, np.ravel(self.toArray(), order="F"))

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Matrix):
            return False
        if self.numRows != other.numRows or self.numCols != other.numCols:
            return False
        return bool(np.all(self.toArray() == other.toArray()))

    __hash__ = None


class Matrices:
    """Factory methods for local matrices."""

    @staticmethod
    def dense(numRows: int, numCols: int, values: Any) -> DenseMatrix:
        """A column-major :class:`DenseMatrix`.

        >>> Matrices.dense(2, 2, [1, 2, 3, 4]).toArray().tolist()
        [[1.0, 3.0], [2.0, 4.0]]
        """
        return DenseMatrix(numRows, numCols, values)

    @staticmethod
    def sparse(numRows: int, numCols: int, colPtrs: Any, rowIndices: Any,
               values: Any) -> SparseMatrix:
        """A CSC :class:`SparseMatrix`."""
        return SparseMatrix(numRows, numCols, colPtrs, rowIndices, values)

    @staticmethod
    def fromML(mat: Any) -> Matrix:
        """Convert from a ``pyspark.ml.linalg``-like matrix."""
        if hasattr(mat, "colPtrs"):
            return SparseMatrix(mat.numRows, mat.numCols, mat.colPtrs, mat.rowIndices,
                                mat.values, mat.isTransposed)
        if hasattr(mat, "values") and hasattr(mat, "numRows"):
            return DenseMatrix(mat.numRows, mat.numCols, mat.values, mat.isTransposed)
        raise TypeError("Unsupported matrix type %s" % type(mat))


class QRDecomposition:
    """The Q and R factors of a QR decomposition (what distributed matrices return)."""

    def __init__(self, Q: Any, R: Any) -> None:
        self._Q = Q
        self._R = R

    @property
    def Q(self) -> Any:
        """The orthogonal factor."""
        return self._Q

    @property
    def R(self) -> Any:
        """The upper triangular factor."""
        return self._R
