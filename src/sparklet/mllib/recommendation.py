"""Collaborative filtering by alternating least squares, as ``pyspark.mllib.recommendation``.

:class:`ALS` factors a sparse matrix of ratings ``R ~ U P^T`` into ``rank`` latent features
per user and per product, the way Spark's ALS does: both sides start from random unit
vectors, then each iteration solves every product's factors from the users' (one
regularized least-squares problem per product) and every user's from the products'. The
regularization of a row is ``lambda_`` times its number of ratings (Spark's "ALS-WR"
weighting), so ``lambda_`` means the same on any amount of data. ``trainImplicit`` treats
ratings as confidence in a binary preference (Hu, Koren and Volinsky), with Spark's
extension to negative ratings: a rating ``r`` gives confidence ``1 + alpha * |r|`` in
preference ``1`` if ``r > 0``, else in ``0``. ``nonnegative=True`` solves each row by
non-negative least squares (scipy's NNLS).

Distributed as Spark's is: the normal equations of every row are summed where the ratings
are (``aggregateByKey`` with map-side combining, so a partition ships one ``rank x rank``
matrix per row it touches, not one message per rating) and solved per row; the ratings are
never collected. Random initial factors come from numpy's generator, not the JVM's, so a
seeded model is repeatable but not PySpark's; on data with one optimum both converge to it.

>>> r = sc.parallelize([Rating(0, 0, 4.0), Rating(0, 1, 2.0), Rating(1, 0, 4.0),
...                     Rating(1, 1, 2.0), Rating(2, 0, 2.0), Rating(2, 1, 1.0)], 2)
>>> model = ALS.train(r, 1, iterations=20, lambda_=1e-6, seed=1)
>>> round(model.predict(2, 1), 3)
1.0
>>> [(x.user, x.product) for x in model.recommendProducts(0, 1)]
[(0, 0)]
"""

from __future__ import annotations

import array
import heapq
from collections import namedtuple

import numpy as np

from sparklet.mllib.util import Loader, Saveable

__all__ = ["MatrixFactorizationModel", "ALS", "Rating"]

# Spark's ALS cuts its lineage every 10 iterations when a checkpoint directory is set.
_CHECKPOINT_INTERVAL = 10


class Rating(namedtuple("Rating", ["user", "product", "rating"])):
    """One rating: ``user`` and ``product`` ids (ints) and the ``rating`` (a float).

    >>> r = Rating(1, 2, 5.0)
    >>> (r.user, r.product, r.rating)
    (1, 2, 5.0)
    >>> r[1]
    2
    """

    def __reduce__(self):
        return Rating, (int(self.user), int(self.product), float(self.rating))


def _top(num: int, key):
    """aggregateByKey functions keeping a key's ``num`` Ratings highest by ``key``."""
    def add(heap: list, r: Rating) -> list:
        item = (key(r), r)
        if len(heap) < num:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
        return heap

    def merge(a: list, b: list) -> list:
        for _, r in b:
            add(a, r)
        return a
    return add, merge


def _ranked(heap: list) -> tuple:
    return tuple(r for _, r in sorted(heap, reverse=True))


def _by_product(r: Rating) -> tuple:
    return r.rating, r.product


def _by_user(r: Rating) -> tuple:
    return r.rating, r.user


class MatrixFactorizationModel(Saveable, Loader["MatrixFactorizationModel"]):
    """The factors ALS found: ``userFeatures()`` and ``productFeatures()`` (RDDs of
    ``(id, array('d'))``), and predictions as their dot products."""

    def __init__(self, rank: int, userFeatures, productFeatures):
        self._rank = int(rank)
        self._users = userFeatures      # RDD of (id, numpy vector), cached
        self._products = productFeatures

    @property
    def rank(self) -> int:
        return self._rank

    def userFeatures(self):
        """An RDD of ``(user id, array('d') of rank floats)``."""
        return self._users.mapValues(lambda v: array.array("d", v))

    def productFeatures(self):
        """An RDD of ``(product id, array('d') of rank floats)``."""
        return self._products.mapValues(lambda v: array.array("d", v))

    def _vector(self, rdd, key: int, what: str) -> np.ndarray:
        found = rdd.lookup(int(key))
        if not found:
            raise ValueError("%s %d is not in the model (it had no rating)" % (what, key))
        return found[0]

    def predict(self, user: int, product: int) -> float:
        """The predicted rating of ``product`` by ``user`` (both must have been rated)."""
        return float(self._vector(self._users, user, "user")
                     @ self._vector(self._products, product, "product"))

    def predictAll(self, user_product):
        """An RDD of :class:`Rating` for an RDD of ``(user, product)`` pairs; pairs with a
        user or product the model does not know are left out, as in Spark."""
        first = user_product.take(1)
        if first and len(first[0]) != 2:
            raise ValueError("user_product should be an RDD of (user, product)")
        by_user = user_product.map(lambda up: (int(up[0]), int(up[1])))
        return (by_user.join(self._users)
                .map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
                .join(self._products)
                .map(lambda kv: Rating(kv[1][0][0], kv[0], float(kv[1][0][1] @ kv[1][1]))))

    def recommendProducts(self, user: int, num: int) -> list[Rating]:
        """The ``num`` products with the highest predicted rating for ``user``."""
        x = self._vector(self._users, user, "user")
        u = int(user)
        return self._products.map(lambda kv: Rating(u, kv[0], float(x @ kv[1]))) \
            .top(int(num), key=_by_product)

    def recommendUsers(self, product: int, num: int) -> list[Rating]:
        """The ``num`` users with the highest predicted rating of ``product``."""
        y = self._vector(self._products, product, "product")
        p = int(product)
        return self._users.map(lambda kv: Rating(kv[0], p, float(kv[1] @ y))) \
            .top(int(num), key=_by_user)

    def recommendProductsForUsers(self, num: int):
        """An RDD of ``(user, Ratings)``: each user's ``num`` best products, best first."""
        add, merge = _top(int(num), _by_product)
        scores = self._users.cartesian(self._products).map(
            lambda uv: (uv[0][0], Rating(uv[0][0], uv[1][0], float(uv[0][1] @ uv[1][1]))))
        return scores.aggregateByKey([], add, merge).mapValues(_ranked)

    def recommendUsersForProducts(self, num: int):
        """An RDD of ``(product, Ratings)``: each product's ``num`` best users, best first."""
        add, merge = _top(int(num), _by_user)
        scores = self._products.cartesian(self._users).map(
            lambda pu: (pu[0][0], Rating(pu[1][0], pu[0][0], float(pu[1][1] @ pu[0][1]))))
        return scores.aggregateByKey([], add, merge).mapValues(_ranked)

    def _model_data(self):
        rows = self._users.map(lambda kv: ("user", kv[0], [float(v) for v in kv[1]])).union(
            self._products.map(lambda kv: ("product", kv[0], [float(v) for v in kv[1]])))
        return {"rank": self._rank}, rows

    @classmethod
    def _from_model_data(cls, sc, metadata, data):
        def side(name):
            return data.filter(lambda row: row[0] == name) \
                .map(lambda row: (int(row[1]), np.asarray(row[2], dtype=np.float64))).cache()
        return cls(int(metadata["rank"]), side("user"), side("product"))

    def __repr__(self) -> str:
        return "MatrixFactorizationModel(rank=%d)" % self._rank


# -- training -------------------------------------------------------------------------------


def _normal_equations(implicit: bool, alpha: float, rank: int):
    """aggregateByKey functions summing, for one row, ``(A, b, n)``: ``A = sum c x x^T``,
    ``b = sum p x`` over the other side's factors ``x`` of its ratings, and ``n`` the ratings
    counted by the regularization (every one; for implicit feedback the positive ones)."""
    def add(acc, xr):
        A, b, n = acc
        x, r = xr
        if implicit:
            c1 = alpha * abs(r)  # confidence - 1: YtY already holds the "1"
            if c1 != 0.0:
                A = A + c1 * np.outer(x, x)
            if r > 0.0:
                b = b + (1.0 + c1) * x
                n += 1
        else:
            A = A + np.outer(x, x)
            b = b + r * x
            n += 1
        return A, b, n

    def merge(a, c):
        return a[0] + c[0], a[1] + c[1], a[2] + c[2]
    zero = (np.zeros((rank, rank)), np.zeros(rank), 0)
    return zero, add, merge


def _solver(lam: float, nonnegative: bool, yty: np.ndarray | None):
    def solve(acc) -> np.ndarray:
        A, b, n = acc
        if yty is not None:
            A = A + yty
        A = A + (lam * n) * np.eye(A.shape[0])
        if nonnegative:
            from scipy.linalg import cholesky, solve_triangular
            from scipy.optimize import nnls

            # min y'Ay/2 - b'y with y >= 0 is min |L'y - L^-1 b|^2 for A = LL'
            L = cholesky(A, lower=True)
            return nnls(L.T, solve_triangular(L, b, lower=True))[0]
        return np.linalg.solve(A, b)
    return solve


def _random_factors(ids, rank: int, seed: int):
    """Spark's initialization: a Gaussian vector scaled to unit length per id (drawn in id
    order within a partition, so a seed gives the same factors whatever order the ids
    arrive in)."""
    def init(index, it):
        rng = np.random.RandomState((seed + 7919 * index) % (2 ** 32))
        for i in sorted(it):
            v = rng.standard_normal(rank)
            yield i, v / np.linalg.norm(v)
    return ids.mapPartitionsWithIndex(init)


class ALS:
    """Alternating least squares matrix factorization (``ALS.train``, ``ALS.trainImplicit``)."""

    @classmethod
    def _prepare(cls, ratings):
        from sparklet.rdd import RDD

        if not isinstance(ratings, RDD):
            if hasattr(ratings, "rdd") and hasattr(ratings, "schema"):  # a DataFrame
                ratings = ratings.rdd
            else:
                raise TypeError("Ratings should be represented by either an RDD or a "
                                "DataFrame, but got %s." % type(ratings))
        first = ratings.take(1)
        if not first:
            raise ValueError("ALS needs at least one rating")
        if isinstance(first[0], Rating):
            return ratings
        if isinstance(first[0], (tuple, list)):
            return ratings.map(lambda x: Rating(*x))
        raise TypeError("Expect a Rating or a tuple/list, but got %s." % type(first[0]))

    @classmethod
    def train(cls, ratings, rank: int, iterations: int = 5, lambda_: float = 0.01,
              blocks: int = -1, nonnegative: bool = False, seed: int | None = None
              ) -> MatrixFactorizationModel:
        """Factor explicit ratings (an RDD of :class:`Rating` or of ``(user, product,
        rating)``) into ``rank`` features, in ``iterations`` alternations."""
        return cls._run(ratings, rank, iterations, lambda_, blocks, nonnegative, seed,
                        implicit=False, alpha=0.0)

    @classmethod
    def trainImplicit(cls, ratings, rank: int, iterations: int = 5, lambda_: float = 0.01,
                      blocks: int = -1, alpha: float = 0.01, nonnegative: bool = False,
                      seed: int | None = None) -> MatrixFactorizationModel:
        """Factor implicit feedback (counts, clicks...) as preferences weighted by
        confidence ``1 + alpha * |rating|``."""
        return cls._run(ratings, rank, iterations, lambda_, blocks, nonnegative, seed,
                        implicit=True, alpha=float(alpha))

    @classmethod
    def _run(cls, ratings, rank, iterations, lambda_, blocks, nonnegative, seed, implicit,
             alpha) -> MatrixFactorizationModel:
        rank, iterations, lam = int(rank), int(iterations), float(lambda_)
        if rank <= 0:
            raise ValueError("rank must be positive but got %d" % rank)
        if iterations < 0:
            raise ValueError("iterations must be nonnegative but got %d" % iterations)
        if lam < 0:
            raise ValueError("lambda_ must be nonnegative but got %s" % lambda_)
        if implicit and alpha < 0:
            raise ValueError("alpha must be nonnegative but got %s" % alpha)
        ratings = cls._prepare(ratings)
        sc = ratings.ctx
        num_blocks = int(blocks) if int(blocks) > 0 else max(
            sc.defaultParallelism, ratings.getNumPartitions() // 2)
        if seed is None:
            seed = int(np.random.randint(0, 2 ** 31 - 1))
        by_user = ratings.map(lambda r: (int(r.user), (int(r.product), float(r.rating)))) \
            .partitionBy(num_blocks).cache()
        by_product = by_user.map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))) \
            .partitionBy(num_blocks).cache()
        users = _random_factors(by_user.keys().distinct(num_blocks), rank, seed).cache()
        products = _random_factors(by_product.keys().distinct(num_blocks), rank,
                                   seed + 1).cache()
        zero, add, merge = _normal_equations(implicit, alpha, rank)

        def half_step(src_ratings, src_factors):
            """The other side's factors, from this side's ratings and factors."""
            yty = None
            if implicit:
                yty = src_factors.values().map(lambda x: np.outer(x, x)) \
                    .treeReduce(lambda a, b: a + b)
            solve = _solver(lam, nonnegative, yty)
            return (src_ratings.join(src_factors)
                    .map(lambda kv: (kv[1][0][0], (kv[1][1], kv[1][0][1])))
                    .aggregateByKey(zero, add, merge, num_blocks)
                    .mapValues(solve))

        checkpointed = sc.getCheckpointDir() is not None
        try:
            for i in range(1, iterations + 1):
                products = cls._replace(products, half_step(by_user, users),
                                        checkpointed and i % _CHECKPOINT_INTERVAL == 0)
                users = cls._replace(users, half_step(by_product, products),
                                     checkpointed and i % _CHECKPOINT_INTERVAL == 0)
        finally:
            by_user.unpersist()
            by_product.unpersist()
        return MatrixFactorizationModel(rank, users, products)

    @staticmethod
    def _replace(old, new, checkpoint: bool):
        """``new`` cached (and checkpointed when asked) and computed, then ``old`` dropped:
        each iteration's lineage starts at the previous iteration's cached factors."""
        new = new.cache()
        if checkpoint:
            new.checkpoint()
        new.count()
        old.unpersist()
        return new
