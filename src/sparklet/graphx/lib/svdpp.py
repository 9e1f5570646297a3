"""SVD++ (Koren, "Factorization Meets the Neighborhood", KDD 2008), as GraphX's
``lib.SVDPlusPlus``: collaborative filtering on a graph of user -> item rating edges.

The prediction for user ``u`` and item ``i`` is ``mean + b_u + b_i + q_i . (p_u +
|N(u)|^-1/2 * sum of y_j over u's items)``, clipped to ``[minVal, maxVal]``. Every vertex
holds ``(v1, v2, bias, norm)``; as in GraphX, all vertices start from the same two random
vectors (seeded here with ``seed`` for a reproducible run), bias ``mean rating - mean`` and
``norm = |N|^-1/2``; each of ``maxIters`` rounds first sets a user's ``v2`` to ``p_u +
norm * sum(y)``, then applies one synchronous gradient step to every ``p`` (users) and
``q, y`` (items) and bias. After the rounds, an item's ``norm`` slot holds its squared
training error summed over its ratings, as GraphX leaves it.

GraphX's merge of the step messages keeps twice the second message's ``y`` update instead of
the sum of both (so its result depends on message order); sparklet sums them, as the
algorithm and GraphX's own comment intend.
"""

from __future__ import annotations

import random
from operator import add

__all__ = ["SVDPlusPlus"]


class Conf:
    """SVD++ parameters (GraphX's ``SVDPlusPlus.Conf``)."""

    def __init__(self, rank: int, maxIters: int, minVal: float, maxVal: float,
                 gamma1: float, gamma2: float, gamma6: float, gamma7: float):
        self.rank = rank
        self.maxIters = maxIters
        self.minVal = minVal
        self.maxVal = maxVal
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.gamma6 = gamma6
        self.gamma7 = gamma7


def _dot(a, b) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _axpy(alpha: float, x, y) -> list:
    """``alpha * x + y``."""
    return [alpha * a + b for a, b in zip(x, y, strict=True)]


def _vsum(a, b) -> list:
    return [x + y for x, y in zip(a, b, strict=True)]


def _predict(conf: Conf, mean: float, usr, itm) -> float:
    pred = mean + usr[2] + itm[2] + _dot(itm[0], usr[1])
    return min(max(pred, conf.minVal), conf.maxVal)


class SVDPlusPlus:
    """GraphX's ``lib.SVDPlusPlus``.

    >>> from sparklet import SparkContext
    >>> from sparklet.graphx import Edge
    >>> sc = SparkContext.getOrCreate()
    >>> ratings = sc.parallelize([Edge(1, 11, 5.0), Edge(1, 12, 4.0), Edge(2, 12, 5.0),
    ...                           Edge(2, 13, 5.0), Edge(3, 11, 5.0), Edge(3, 13, 2.0)])
    >>> conf = SVDPlusPlus.Conf(2, 10, 0.0, 5.0, 0.007, 0.007, 0.005, 0.015)
    >>> graph, mean = SVDPlusPlus.run(ratings, conf, seed=1)
    >>> round(mean, 4)
    4.3333
    """

    Conf = Conf

    @staticmethod
    def run(edges, conf: Conf, seed: int | None = None):
        """Train on ``edges`` (an RDD of ``Edge(user, item, rating)``); returns ``(graph,
        mean rating)`` with the trained ``(v1, v2, bias, norm)`` on the vertices."""
        from sparklet.graphx.graph import Graph

        if conf.maxIters <= 0:
            raise ValueError("Maximum of iterations must be greater than 0, but got %s"
                             % conf.maxIters)
        if not conf.maxVal > conf.minVal:
            raise ValueError("MaxVal must be greater than MinVal, but got {maxVal: %s, "
                             "minVal: %s}" % (conf.maxVal, conf.minVal))
        rng = random.Random(seed)
        init = ([rng.random() for _ in range(conf.rank)],
                [rng.random() for _ in range(conf.rank)], 0.0, 0.0)
        edges.cache()
        total, count = edges.map(lambda e: (e.attr, 1)).reduce(
            lambda a, b: (a[0] + b[0], a[1] + b[1]))
        mean = total / count

        g = Graph.fromEdges(edges, init)

        def count_ratings(ctx):
            ctx.sendToSrc((1, ctx.attr))
            ctx.sendToDst((1, ctx.attr))
        t0 = g.aggregateMessages(count_ratings, lambda a, b: (a[0] + b[0], a[1] + b[1]))
        g = g.outerJoinVertices(t0, lambda vid, vd, m: (
            vd[0], vd[1], m[1] / m[0] - mean, 1.0 / m[0] ** 0.5)).cache()
        g.vertices.count()

        def train(ctx):
            usr, itm = ctx.srcAttr, ctx.dstAttr
            p, q = usr[0], itm[0]
            err = ctx.attr - _predict(conf, mean, usr, itm)
            g2, g7 = conf.gamma2, conf.gamma7
            update_p = _axpy(-g7 * g2, p, [err * g2 * x for x in q])
            update_q = _axpy(-g7 * g2, q, [err * g2 * x for x in usr[1]])
            update_y = _axpy(-g7 * g2, itm[1], [err * usr[3] * g2 * x for x in q])
            ctx.sendToSrc((update_p, update_y, (err - conf.gamma6 * usr[2]) * conf.gamma1))
            ctx.sendToDst((update_q, update_y, (err - conf.gamma6 * itm[2]) * conf.gamma1))

        def merge_updates(a, b):
            return (_vsum(a[0], b[0]), _vsum(a[1], b[1]), a[2] + b[2])

        for _ in range(conf.maxIters):
            prev = g
            # Phase 1: a user's v2 becomes p_u + |N(u)|^-1/2 * sum(y_j).
            t1 = g.aggregateMessages(lambda ctx: ctx.sendToSrc(ctx.dstAttr[1]), _vsum)
            g = g.outerJoinVertices(t1, lambda vid, vd, m: vd if m is None else (
                vd[0], _axpy(vd[3], m, vd[0]), vd[2], vd[3]))
            # Phase 2: one gradient step for p (users), q and y (items) and the biases.
            t2 = g.aggregateMessages(train, merge_updates)
            g = g.outerJoinVertices(t2, lambda vid, vd, m: (
                _vsum(vd[0], m[0]), _vsum(vd[1], m[1]), vd[2] + m[2], vd[3])).cache()
            g.vertices.count()
            prev.unpersist()

        def squared_error(ctx):
            err = ctx.attr - _predict(conf, mean, ctx.srcAttr, ctx.dstAttr)
            ctx.sendToDst(err * err)
        t3 = g.aggregateMessages(squared_error, add)
        g = g.outerJoinVertices(t3, lambda vid, vd, m: vd if m is None else (
            vd[0], vd[1], vd[2], m)).cache()
        g.vertices.count()
        edges.unpersist()
        return g, mean
