"""Clustering on RDDs of vectors, as ``pyspark.mllib.clustering``: k-means and streaming
k-means.

:meth:`KMeans.train` runs Spark's algorithm: an initialization ("k-means||": one random
point, then ``initializationSteps`` rounds that keep each point with probability
``2 k cost / total cost``, the candidates weighted by how many points they attract and
reduced to ``k`` by a k-means++ on the driver; or "random": ``k`` sampled points), then
Lloyd's iterations, each one job whose partitions return per-center sums and counts, until
every center moves less than ``epsilon`` (squared euclidean distance below ``epsilon^2``,
or cosine distance below ``epsilon``). A center that attracts no point keeps its place.
With ``distanceMeasure="cosine"`` points are assigned by cosine distance and a center is
the normalized mean of its points' unit vectors. The training data never reaches the
driver: each partition is turned into numpy blocks once (cached for the iterations) and
only the centers' statistics come back.

As in PySpark, :class:`KMeansModel` predicts and computes its cost with the squared
euclidean distance whatever measure trained it. Seeded initialization uses numpy's
generator, not the JVM's, so a seed does not pick the points Spark would pick.

:class:`StreamingKMeansModel.update` is Spark's forgetful update: the weights decay by
``decayFactor`` per batch (or per point, ``timeUnit="points"``), each center moves to the
weighted mean of itself and the batch's points nearest to it, and a dying cluster (weight
below ``1e-8`` of the largest) is replaced by splitting the largest one.
:class:`StreamingKMeans` keeps its model on the driver; when the StreamingContext has a
checkpoint directory the model is part of every metadata checkpoint, so a job restarted with
``StreamingContext.getOrCreate`` continues from the checkpointed centers.
"""

from __future__ import annotations

import threading
from math import exp, log
from typing import Any

import numpy as np

from sparklet.mllib.linalg import SparseVector, Vector, _convert_to_vector
from sparklet.mllib.util import Loader, Saveable, load_data, load_metadata, save_model

__all__ = ["KMeansModel", "KMeans", "StreamingKMeansModel", "StreamingKMeans"]

_BLOCK_ROWS = 4096
_MODES = ("random", "k-means||")
_MEASURES = ("euclidean", "cosine")
# Guards the (centers, weights) pair of every streaming model: a batch replaces it while the
# job generator's thread may be snapshotting it for a checkpoint. One module-level lock so
# the models stay plain picklable objects.
_STATE_LOCK = threading.Lock()


def _is_rdd(x: Any) -> bool:
    from sparklet.rdd import RDD

    return isinstance(x, RDD)


# -- blocks of points ----------------------------------------------------------------------


def _to_block(vectors: list[Vector], dim: int | None, centers: bool):
    """A list of vectors as one matrix: a dense ndarray, or a scipy CSR matrix when any of
    them is sparse. ``dim`` (if known: the centers' size when ``centers``, else the size of
    the partition's first vectors) is the size they must all have."""
    size = dim if dim is not None else len(vectors[0])
    for v in vectors:
        if len(v) != size:
            if centers:
                raise ValueError("KMeans: a point has %d features but the centers have %d"
                                 % (len(v), size))
            raise ValueError("KMeans: all vectors must have the same size; got a vector "
                             "of size %d among vectors of size %d" % (len(v), size))
    if not any(isinstance(v, SparseVector) for v in vectors):
        return np.array([v.toArray() for v in vectors], dtype=np.float64).reshape(
            len(vectors), size)
    from scipy import sparse

    indptr, indices, values = [0], [], []
    for v in vectors:
        if isinstance(v, SparseVector):
            idx, vals = v.indices, v.values
        else:
            arr = v.toArray()
            idx = np.flatnonzero(arr)
            vals = arr[idx]
        indices.append(np.asarray(idx, dtype=np.int64))
        values.append(np.asarray(vals, dtype=np.float64))
        indptr.append(indptr[-1] + len(idx))
    return sparse.csr_matrix((np.concatenate(values), np.concatenate(indices),
                              np.asarray(indptr)), shape=(len(vectors), size))


def _blocks_of(it, dim: int | None = None):
    """A partition's vectors as blocks ``(X, squared norms)`` of up to _BLOCK_ROWS rows;
    ``dim``, if given, is the centers' size."""
    centers = dim is not None
    batch: list[Vector] = []
    for x in it:
        batch.append(_convert_to_vector(x))
        if len(batch) == _BLOCK_ROWS:
            yield _with_norms(_to_block(batch, dim, centers))
            dim = len(batch[0]) if dim is None else dim
            batch = []
    if batch:
        yield _with_norms(_to_block(batch, dim, centers))


def _with_norms(X):
    if isinstance(X, np.ndarray):
        return X, np.einsum("ij,ij->i", X, X)
    return X, np.asarray(X.multiply(X).sum(axis=1)).ravel()


def _dense_rows(X, rows) -> np.ndarray:
    sub = X[rows]
    return sub if isinstance(sub, np.ndarray) else sub.toarray()


def _check_dim(X, dim: int) -> None:
    if X.shape[1] != dim:
        raise ValueError("KMeans: a point has %d features but the centers have %d"
                         % (X.shape[1], dim))


def _squared_distances(X, xn2: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Squared euclidean distances (rows: points, columns: centers) by
    ``|x|^2 - 2 x.c + |c|^2``; rows whose two nearest centers are within that formula's
    rounding of each other are recomputed exactly, so ties and near-ties resolve as an exact
    computation would (the first nearest center wins)."""
    cn2 = np.einsum("ij,ij->i", C, C)
    d2 = xn2[:, None] - 2.0 * np.asarray(X @ C.T) + cn2[None, :]
    np.maximum(d2, 0.0, out=d2)
    if C.shape[0] > 1:
        two = np.partition(d2, 1, axis=1)[:, :2]
        scale = xn2 + cn2.max()
        near = np.flatnonzero(two[:, 1] - two[:, 0] <= 1e-9 * scale + 1e-300)
        step = max(1, 4_000_000 // max(C.size, 1))  # bound the (rows, k, d) temporary
        for lo in range(0, near.size, step):
            rows = near[lo:lo + step]
            diff = _dense_rows(X, rows)[:, None, :] - C[None, :, :]
            d2[rows] = np.einsum("ijk,ijk->ij", diff, diff)
    return d2


def _cosine_distances(X, xn2: np.ndarray, C: np.ndarray) -> np.ndarray:
    """``1 - cos(x, c)`` for every point and center (zero vectors have no direction)."""
    xn = np.sqrt(xn2)
    cn = np.sqrt(np.einsum("ij,ij->i", C, C))
    if (xn == 0).any() or (cn == 0).any():
        raise ValueError("KMeans: the cosine distance is not defined for zero-length vectors")
    return 1.0 - np.asarray(X @ C.T) / xn[:, None] / cn[None, :]


def _distances(X, xn2, C, measure: str) -> np.ndarray:
    _check_dim(X, C.shape[1])
    if measure == "cosine":
        return _cosine_distances(X, xn2, C)
    return _squared_distances(X, xn2, C)


def _closest(X, xn2, C, measure: str) -> tuple[np.ndarray, np.ndarray]:
    """Index of each point's nearest center and the distance to it."""
    d = _distances(X, xn2, C, measure)
    best = np.argmin(d, axis=1)
    return best, d[np.arange(d.shape[0]), best]


def _cluster_sums(X, xn2, best: np.ndarray, k: int, measure: str) -> np.ndarray:
    """The per-center sums of the points (of their unit vectors for the cosine measure)."""
    from scipy import sparse

    n = X.shape[0]
    weights = np.ones(n) if measure == "euclidean" else 1.0 / np.sqrt(xn2)
    assign = sparse.csr_matrix((weights, (best, np.arange(n))), shape=(k, n))
    out = assign @ X
    return out.toarray() if sparse.issparse(out) else np.asarray(out)


def _lloyd_stats(C: np.ndarray, measure: str):
    """A partition function giving one ``(sums, counts, cost)`` for its blocks."""
    k, d = C.shape

    def stats(blocks):
        sums, counts, cost = np.zeros((k, d)), np.zeros(k), 0.0
        for X, xn2 in blocks:
            best, dist = _closest(X, xn2, C, measure)
            sums += _cluster_sums(X, xn2, best, k, measure)
            counts += np.bincount(best, minlength=k)
            cost += float(dist.sum())
        yield sums, counts, cost

    return stats


def _add_stats(a, b):
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]


def _centroid(total: np.ndarray, count: float, measure: str) -> np.ndarray:
    center = total / count
    if measure == "cosine":
        center = center / np.linalg.norm(center)
    return center


def _moved(old: np.ndarray, new: np.ndarray, epsilon: float, measure: str) -> bool:
    if measure == "cosine":
        dist = 1.0 - float(old @ new) / float(np.linalg.norm(old)) / float(np.linalg.norm(new))
        return dist > epsilon
    return float(np.sum((new - old) ** 2)) > epsilon * epsilon


def _distinct_rows(rows) -> list[np.ndarray]:
    seen: dict[bytes, np.ndarray] = {}
    for r in rows:
        r = np.asarray(r, dtype=np.float64)
        seen.setdefault(r.tobytes(), r)
    return list(seen.values())


# -- the model -----------------------------------------------------------------------------


class KMeansModel(Saveable, Loader["KMeansModel"]):
    """Cluster centers; a point belongs to the center nearest to it (squared euclidean
    distance, as PySpark's ``KMeansModel`` computes it for every trained model)."""

    def __init__(self, centers: list[Any]):
        self.centers = centers

    @property
    def clusterCenters(self) -> list[Any]:
        """The cluster centers (numpy arrays for a trained model)."""
        return self.centers

    @property
    def k(self) -> int:
        """The number of clusters."""
        return len(self.centers)

    def _center_matrix(self) -> np.ndarray:
        return np.array([_convert_to_vector(c).toArray() for c in self.centers],
                        dtype=np.float64)

    def predict(self, x: Any) -> Any:
        """The index of the nearest center to ``x``, or an RDD of them for an RDD."""
        C = self._center_matrix()
        if _is_rdd(x):
            return x.map(lambda p: _predict_one(C, p))
        return _predict_one(C, x)

    def computeCost(self, rdd) -> float:
        """The sum of the squared distances of the points to their nearest centers."""
        C = self._center_matrix()

        def cost(it):
            yield sum(float(_closest(X, xn2, C, "euclidean")[1].sum())
                      for X, xn2 in _blocks_of(it, C.shape[1]))

        return float(rdd.mapPartitions(cost).sum())

    def save(self, sc, path: str) -> None:
        """Save the centers to ``path`` (loaded back by :meth:`KMeansModel.load`)."""
        C = self._center_matrix()
        save_model(sc, path, KMeansModel, {"k": int(C.shape[0]),
                                           "numFeatures": int(C.shape[1])},
                   [[i, [float(v) for v in row]] for i, row in enumerate(C)])

    @classmethod
    def load(cls, sc, path: str) -> KMeansModel:
        """The KMeansModel saved at ``path`` (also what a saved streaming model loads as)."""
        meta = load_metadata(sc, path, KMeansModel)
        rows = sorted(load_data(sc, path).collect())
        if len(rows) != meta["k"]:
            raise ValueError("KMeansModel at %s: metadata says k=%d but %d centers are saved"
                             % (path, meta["k"], len(rows)))
        return KMeansModel([np.array(c, dtype=np.float64) for _, c in rows])

    def __repr__(self) -> str:
        return "%s(k=%d)" % (type(self).__name__, self.k)


def _predict_one(C: np.ndarray, x: Any) -> int:
    v = _convert_to_vector(x)
    if len(v) != C.shape[1]:
        raise ValueError("KMeansModel: a point of size %d for centers of size %d"
                         % (len(v), C.shape[1]))
    diff = C - v.toArray()
    return int(np.argmin(np.einsum("ij,ij->i", diff, diff)))


# -- training ------------------------------------------------------------------------------


class KMeans:
    """K-means clustering (Spark's ``KMeans``; see the module documentation)."""

    @classmethod
    def train(cls, rdd, k: int, maxIterations: int = 100,
              initializationMode: str = "k-means||", seed: int | None = None,
              initializationSteps: int = 2, epsilon: float = 1e-4,
              initialModel: KMeansModel | None = None,
              distanceMeasure: str = "euclidean") -> KMeansModel:
        """Train a k-means model on an RDD of vectors."""
        if not _is_rdd(rdd):
            raise TypeError("KMeans.train needs an RDD of vectors, got %s" % type(rdd))
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k <= 0:
            raise ValueError("Number of clusters must be positive but got %r" % (k,))
        if maxIterations < 0:
            raise ValueError("Maximum of iterations must be nonnegative but got %r"
                             % (maxIterations,))
        if initializationSteps <= 0:
            raise ValueError("Number of initialization steps must be positive but got %r"
                             % (initializationSteps,))
        if epsilon < 0:
            raise ValueError("Distance threshold must be nonnegative but got %r" % (epsilon,))
        if initializationMode not in _MODES:
            raise ValueError("initializationMode must be one of %s, got %r"
                             % (", ".join(_MODES), initializationMode))
        if distanceMeasure not in _MEASURES:
            raise ValueError("distanceMeasure must be one of: %s. %r provided."
                             % (", ".join(_MEASURES), distanceMeasure))
        initial = None
        if initialModel is not None:
            if not isinstance(initialModel, KMeansModel):
                raise TypeError("initialModel is of %s. It needs to be of <type "
                                "'KMeansModel'>" % type(initialModel))
            initial = initialModel._center_matrix()
            if initial.shape[0] != k:
                raise ValueError("mismatched cluster count: initialModel has %d centers "
                                 "but k=%d" % (initial.shape[0], k))
        k = int(k)
        blocks = rdd.mapPartitions(_blocks_of).cache()
        try:
            if initial is not None:
                centers = [row for row in initial]
            elif initializationMode == "random":
                centers = _init_random(blocks, k, seed)
            else:
                centers = _init_parallel(blocks, k, seed, initializationSteps,
                                         distanceMeasure)
            centers = _lloyd(blocks, centers, maxIterations, epsilon, distanceMeasure)
        finally:
            blocks.unpersist()
        return KMeansModel([np.array(c, dtype=np.float64) for c in centers])


def _lloyd(blocks, centers: list[np.ndarray], maxIterations: int, epsilon: float,
           measure: str) -> list[np.ndarray]:
    """Lloyd's iterations from ``centers`` until none moves more than ``epsilon``."""
    centers = [np.array(c, dtype=np.float64) for c in centers]
    for _ in range(maxIterations):
        C = np.array(centers)
        sums, counts, _cost = blocks.mapPartitions(_lloyd_stats(C, measure)).treeReduce(
            _add_stats)
        converged = True
        for j in range(len(centers)):
            if counts[j] > 0:  # a center attracting no point stays where it is
                new = _centroid(sums[j], counts[j], measure)
                if converged and _moved(centers[j], new, epsilon, measure):
                    converged = False
                centers[j] = new
        if converged:
            break
    return centers


def _seed_int(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy % (1 << 63))
    return int(seed) % (1 << 63)


def _sample_rows(blocks, num: int, seed: int) -> list[np.ndarray]:
    """``num`` distinct rows of the cached blocks drawn uniformly without replacement (all
    of them if there are fewer), in the order drawn: one job counts the rows of each
    partition, another brings back only the drawn ones."""
    sizes = blocks.mapPartitions(lambda it: [sum(X.shape[0] for X, _ in it)]).collect()
    total = int(sum(sizes))
    if total == 0:
        raise ValueError("KMeans: no samples available, the training data is empty")
    drawn = np.random.default_rng([seed, 1 << 20]).choice(total, min(num, total),
                                                          replace=False)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    wanted: dict[int, list[tuple[int, int]]] = {}
    for order, row in enumerate(drawn):
        part = int(np.searchsorted(starts, row, side="right")) - 1
        wanted.setdefault(part, []).append((int(row - starts[part]), order))

    def fetch(index, it):
        mine = wanted.get(index)
        if not mine:
            return
        offset = 0
        by_row = dict(mine)
        for X, _ in it:
            hits = [r for r in by_row if offset <= r < offset + X.shape[0]]
            if hits:
                rows = _dense_rows(X, [r - offset for r in hits])
                for r, values in zip(hits, rows, strict=True):
                    yield by_row[r], values
            offset += X.shape[0]

    return [v for _, v in sorted(blocks.mapPartitionsWithIndex(fetch).collect(),
                                 key=lambda p: p[0])]


def _init_random(blocks, k: int, seed: int | None) -> list[np.ndarray]:
    """``k`` sampled points (fewer if the data has fewer distinct points)."""
    return _distinct_rows(_sample_rows(blocks, k, _seed_int(seed)))


def _init_parallel(blocks, k: int, seed: int | None, steps: int,
                   measure: str) -> list[np.ndarray]:
    """The k-means|| initialization (Bahmani et al., Scalable K-Means++, VLDB 2012)."""
    s = _seed_int(seed)
    sample = _sample_rows(blocks, 1, s)
    centers = [np.array(sample[0], dtype=np.float64)]
    for step in range(steps):
        C = np.array(centers)

        def costs(blocks_it, C=C):
            yield sum(float(_closest(X, xn2, C, measure)[1].sum()) for X, xn2 in blocks_it)

        total = float(blocks.mapPartitions(costs).sum())
        if not total > 0:
            break  # every point is a center already

        def choose(index, blocks_it, C=C, step=step, total=total):
            rng = np.random.default_rng([s, step, index])
            for X, xn2 in blocks_it:
                cost = _closest(X, xn2, C, measure)[1]
                keep = np.flatnonzero(rng.random(len(cost)) < 2.0 * cost * k / total)
                if keep.size:
                    yield from _dense_rows(X, keep)

        centers.extend(blocks.mapPartitionsWithIndex(choose).collect())
    distinct = _distinct_rows(centers)
    if len(distinct) <= k:
        return distinct
    C = np.array(distinct)

    def attracted(blocks_it):
        counts = np.zeros(len(C))
        for X, xn2 in blocks_it:
            counts += np.bincount(_closest(X, xn2, C, measure)[0], minlength=len(C))
        yield counts

    weights = blocks.mapPartitions(attracted).treeReduce(np.add)
    return _local_kmeans_pp(C, weights, k, 30)


def _local_kmeans_pp(points: np.ndarray, weights: np.ndarray, k: int,
                     maxIterations: int) -> list[np.ndarray]:
    """Spark's ``LocalKMeans.kMeansPlusPlus`` on the driver: weighted k-means++ seeding of
    the candidates, then weighted Lloyd's iterations (euclidean, as Spark's), a center left
    without points jumping to a random candidate. Spark seeds it with 0; so does this."""
    rng = np.random.default_rng(0)
    n = len(points)
    pn2 = np.einsum("ij,ij->i", points, points)
    first = int(np.searchsorted(np.cumsum(weights), rng.random() * weights.sum(),
                                side="left"))
    centers = [points[min(first, n - 1)].copy()]
    cost = _squared_distances(points, pn2, centers[0][None, :])[:, 0]
    for _ in range(1, k):
        r = rng.random() * float(np.dot(cost, weights))
        cum = np.cumsum(weights * cost)
        j = int(np.searchsorted(cum, r, side="left")) + 1 if r > 0 else 0
        centers.append(points[min(max(j - 1, 0), n - 1)].copy())
        cost = np.minimum(cost, _squared_distances(points, pn2, centers[-1][None, :])[:, 0])
    C = np.array(centers)
    previous = None
    for _ in range(maxIterations):
        best = np.argmin(_squared_distances(points, pn2, C), axis=1)
        if previous is not None and (best == previous).all():
            break
        previous = best
        counts = np.bincount(best, weights=weights, minlength=k)
        sums = np.zeros_like(C)
        np.add.at(sums, best, points * weights[:, None])
        for j in range(k):
            C[j] = sums[j] / counts[j] if counts[j] > 0 else points[rng.integers(n)]
    return [row for row in C]


# -- streaming -----------------------------------------------------------------------------


class StreamingKMeansModel(KMeansModel):
    """Cluster centers with weights, updated batch by batch by :meth:`update`."""

    def __init__(self, clusterCenters: list[Any], clusterWeights: Any):
        super().__init__(centers=clusterCenters)
        self._clusterWeights = list(clusterWeights)
        if len(self._clusterWeights) != len(clusterCenters):
            raise ValueError("StreamingKMeansModel: %d cluster weights for %d centers"
                             % (len(self._clusterWeights), len(clusterCenters)))

    @property
    def clusterWeights(self) -> list[np.float64]:
        """The weight of each cluster (its decayed number of points)."""
        return self._clusterWeights

    def update(self, data, decayFactor: float, timeUnit: str) -> StreamingKMeansModel:
        """Update the centers and weights with a batch (an RDD of vectors); returns self."""
        if not _is_rdd(data):
            raise TypeError("Data should be of an RDD, got %s." % type(data))
        decayFactor = float(decayFactor)
        if timeUnit not in ("batches", "points"):
            raise ValueError("timeUnit should be 'batches' or 'points', got %s." % timeUnit)
        C = self._center_matrix()
        weights = np.array(self._clusterWeights, dtype=np.float64)
        stats = data.mapPartitions(_batch_stats(C)).reduceByKey(_add_pair).collect()
        centers, weights = _apply_update(C, weights, stats, decayFactor, timeUnit)
        with _STATE_LOCK:
            self.centers = centers
            self._clusterWeights = [np.float64(w) for w in weights]
        return self

    def _snapshot(self) -> tuple[list[list[float]], list[float]]:
        with _STATE_LOCK:
            centers, weights = self.centers, self._clusterWeights
        return ([[float(v) for v in _convert_to_vector(c).toArray()] for c in centers],
                [float(w) for w in weights])


def _add_pair(a, b):
    return a[0] + b[0], a[1] + b[1]


def _batch_stats(C: np.ndarray):
    """A partition function giving ``(center, (sum, count))`` for every center that is the
    nearest (squared euclidean) to some point of the partition."""
    k = C.shape[0]

    def stats(it):
        sums, counts = np.zeros_like(C), np.zeros(k, dtype=np.int64)
        for X, xn2 in _blocks_of(it, C.shape[1]):
            best = _closest(X, xn2, C, "euclidean")[0]
            sums += _cluster_sums(X, xn2, best, k, "euclidean")
            counts += np.bincount(best, minlength=k)
        for j in np.flatnonzero(counts):
            yield int(j), (sums[j], int(counts[j]))

    return stats


def _apply_update(C: np.ndarray, weights: np.ndarray, stats, decayFactor: float,
                  timeUnit: str) -> tuple[np.ndarray, np.ndarray]:
    """Spark's streaming k-means rule on the driver: discount the weights, move each center
    to the weighted mean of itself and its new points, split the largest cluster in two when
    the smallest is dying."""
    centers, weights = C.copy(), weights.copy()
    if timeUnit == "batches":
        discount = decayFactor
    else:
        discount = decayFactor ** sum(count for _, (_, count) in stats)
    weights *= discount
    for j, (total, count) in stats:
        updated = weights[j] + count
        lam = count / max(updated, 1e-16)
        weights[j] = updated
        centers[j] = (1.0 - lam) * centers[j] + (lam / count) * total
    largest, smallest = int(np.argmax(weights)), int(np.argmin(weights))
    if weights[smallest] < 1e-8 * weights[largest]:
        w = (weights[largest] + weights[smallest]) / 2.0
        weights[largest] = weights[smallest] = w
        x = centers[largest].copy()
        p = 1e-14 * np.maximum(np.abs(x), 1.0)
        centers[largest] = x + p
        centers[smallest] = x - p
    return centers, weights


class StreamingKMeans:
    """K-means on a stream: the model is updated with each batch of ``trainOn``'s DStream
    and predicts for ``predictOn`` / ``predictOnValues``."""

    def __init__(self, k: int = 2, decayFactor: float = 1.0, timeUnit: str = "batches"):
        self._k = k
        self._decayFactor = decayFactor
        if timeUnit not in ("batches", "points"):
            raise ValueError("timeUnit should be 'batches' or 'points', got %s." % timeUnit)
        self._timeUnit = timeUnit
        self._model: StreamingKMeansModel | None = None

    def latestModel(self) -> StreamingKMeansModel | None:
        """The model as of the last batch trained on."""
        return self._model

    def _validate(self, dstream: Any) -> None:
        from sparklet.streaming.dstream import DStream

        if self._model is None:
            raise ValueError("Initial centers should be set either by setInitialCenters or "
                             "setRandomCenters.")
        if not isinstance(dstream, DStream):
            raise TypeError("Expected dstream to be of type DStream, got type %s"
                            % type(dstream))

    def setK(self, k: int) -> StreamingKMeans:
        """Set the number of clusters (used by :meth:`setRandomCenters`)."""
        self._k = k
        return self

    def setDecayFactor(self, decayFactor: float) -> StreamingKMeans:
        """Set the factor by which old data is discounted per time unit."""
        self._decayFactor = decayFactor
        return self

    def setHalfLife(self, halfLife: float, timeUnit: str) -> StreamingKMeans:
        """Set the decay so that data ``halfLife`` time units old weighs half."""
        if timeUnit not in ("batches", "points"):
            raise ValueError("timeUnit should be 'batches' or 'points', got %s." % timeUnit)
        self._timeUnit = timeUnit
        self._decayFactor = exp(log(0.5) / halfLife)
        return self

    def setInitialCenters(self, centers: list[Any], weights: list[float]) -> StreamingKMeans:
        """Start from these centers and weights."""
        self._model = StreamingKMeansModel(centers, weights)
        return self

    def setRandomCenters(self, dim: int, weight: float, seed: int) -> StreamingKMeans:
        """Start from ``k`` standard normal centers (numpy's ``RandomState(seed)``, as
        PySpark draws them), each of weight ``weight``."""
        rng = np.random.RandomState(seed)
        self._model = StreamingKMeansModel(rng.randn(self._k, dim), np.tile(weight, self._k))
        return self

    def trainOn(self, dstream) -> None:
        """Update the model with every batch of a DStream of vectors."""
        from sparklet.streaming.recovery.checkpoint import register_driver_state

        self._validate(dstream)
        register_driver_state(dstream.context(), self, getattr(self, "_checkpoint_name",
                                                               None))

        def update(rdd):
            self._model.update(rdd, self._decayFactor, self._timeUnit)

        dstream.foreachRDD(update)

    def _predictor(self):
        """Nearest-center function of the model as it is now. The DStreams below call this
        when a batch's RDDs are generated, before that batch's jobs (training among them)
        run: a batch is predicted with the model of the batches before it, as in PySpark,
        which pickles the prediction closure at that moment."""
        model = self._model
        with _STATE_LOCK:
            C = model._center_matrix()
        return lambda x: _predict_one(C, x)

    def predictOn(self, dstream):
        """A DStream of the nearest center's index for a DStream of vectors."""
        self._validate(dstream)
        return dstream.transform(lambda rdd: rdd.map(self._predictor()))

    def predictOnValues(self, dstream):
        """A DStream of ``(key, nearest center)`` for a DStream of ``(key, vector)``."""
        self._validate(dstream)
        return dstream.transform(lambda rdd: rdd.mapValues(self._predictor()))

    def _checkpoint_state(self):
        m = self._model
        return None if m is None else m._snapshot()

    def _restore_checkpoint_state(self, state) -> None:
        if state is not None:
            centers, weights = state
            self._model = StreamingKMeansModel(np.array(centers, dtype=np.float64), weights)
