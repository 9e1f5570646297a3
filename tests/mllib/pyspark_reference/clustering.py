"""Record what real PySpark MLlib gives for KMeans, StreamingKMeans and ALS (run by hand).

    PYSPARK_PYTHON=/work/main/bench/.venv-pyspark-mllib/bin/python \\
        /work/main/bench/.venv-pyspark-mllib/bin/python tests/mllib/pyspark_reference/clustering.py

writes ``clustering.json`` next to this file: the generated data (so the tests use exactly
the same points) and, per case, the arguments and what PySpark 3.5 returned. Deterministic
cases are compared exactly (within float tolerance): KMeans from an ``initialModel``
(Lloyd's iterations only), ``StreamingKMeansModel.update`` sequences, a StreamingKMeans fed
by a queue of fixed batches, ``setRandomCenters`` (numpy's RandomState in PySpark too).
Seeded k-means|| / random initialization and ALS use the JVM's random generator, so for
those the tests compare the converged results on well-separated or exactly low-rank data.
The tests never run PySpark; they load the JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def blobs(seed, centers, n_per, scale):
    rng = np.random.RandomState(seed)
    centers = np.asarray(centers, dtype=float)
    pts = np.concatenate([c + scale * rng.normal(size=(n_per, centers.shape[1]))
                          for c in centers])
    rng.shuffle(pts)
    return [[float(a) for a in row] for row in pts]


def low_rank_ratings(seed=7, users=12, products=9, rank=2, missing=0.25):
    rng = np.random.RandomState(seed)
    u = rng.uniform(0.5, 1.5, size=(users, rank))
    p = rng.uniform(0.5, 1.5, size=(products, rank))
    full = u @ p.T
    keep = rng.uniform(size=full.shape) >= missing
    return [[int(i), int(j), float(full[i, j])] for i in range(users) for j in range(products)
            if keep[i, j]], [[float(x) for x in row] for row in full]


def implicit_ratings(seed=8, users=10, products=8):
    rng = np.random.RandomState(seed)
    out = []
    for i in range(users):
        for j in range(products):
            if (i % 2) == (j % 2) and rng.uniform() < 0.8:
                out.append([i, j, float(rng.randint(1, 6))])
    return out


def main():
    import pyspark
    from pyspark import SparkContext
    from pyspark.mllib.clustering import KMeans, KMeansModel, StreamingKMeans, StreamingKMeansModel
    from pyspark.mllib.linalg import SparseVector
    from pyspark.mllib.recommendation import ALS
    from pyspark.streaming import StreamingContext
    sc = SparkContext("local[2]", "clustering-reference")
    sc.setLogLevel("ERROR")
    import tempfile
    sc.setCheckpointDir(tempfile.mkdtemp())  # ALS cuts its lineage every 10 iterations
    out = {"pyspark_version": pyspark.__version__, "numpy_version": np.__version__}

    # -- KMeans from an initial model: Lloyd's iterations only (deterministic) ----------------
    data2 = blobs(11, [[0, 0], [5, 5], [0, 6]], 25, 1.0)
    data5 = blobs(12, [[0, 0, 0, 0, 0], [3, 3, 0, 0, 1], [0, -3, 3, 0, 0], [2, 0, 0, 4, 4]],
                  20, 1.2)
    out["data2"], out["data5"] = data2, data5
    cases = []
    specs = [
        ("data2", [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], dict(maxIterations=1)),
        ("data2", [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], dict(maxIterations=3)),
        ("data2", [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], dict(maxIterations=100)),
        ("data2", [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], dict(maxIterations=100, epsilon=0.5)),
        ("data2", [[-50.0, -50.0], [2.0, 2.0], [3.0, 3.0]], dict(maxIterations=10)),
        ("data2", [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], dict(maxIterations=0)),
        ("data5", [[0.5] * 5, [1, 1, 1, 1, 1.5], [0, -1, 1, 0, 0], [1, 0, 0, 1, 1]],
         dict(maxIterations=100)),
        ("data2", [[1.0, 0.2], [0.2, 1.0], [1.0, 1.0]],
         dict(maxIterations=20, distanceMeasure="cosine")),
        ("data5", [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0]],
         dict(maxIterations=50, distanceMeasure="cosine")),
    ]
    for name, init, kw in specs:
        rdd = sc.parallelize(out[name], 3)
        model = KMeans.train(rdd, len(init), initialModel=KMeansModel(init), **kw)
        cases.append({"data": name, "initial": init, "kwargs": kw,
                      "centers": [[float(x) for x in c] for c in model.clusterCenters],
                      "cost": float(model.computeCost(rdd)),
                      "predictions": [int(p) for p in model.predict(rdd).collect()]})
    out["kmeans_initial"] = cases

    # Sparse input from an initial model.
    sparse = [[6, {0: 1.0, 3: 2.0}], [6, {0: 1.2, 3: 1.8}], [6, {5: 4.0}], [6, {4: 0.5, 5: 3.5}],
              [6, {1: 2.0}], [6, {1: 2.2, 2: 0.1}], [6, {0: 0.9, 3: 2.1, 5: 0.2}]]
    rdd = sc.parallelize([SparseVector(n, d) for n, d in sparse], 2)
    init = [[1, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1], [0, 1, 0, 0, 0, 0]]
    model = KMeans.train(rdd, 3, maxIterations=20, initialModel=KMeansModel(init))
    out["kmeans_sparse"] = {"data": [[n, {str(k): v for k, v in d.items()}] for n, d in sparse],
                            "initial": init,
                            "centers": [[float(x) for x in c] for c in model.clusterCenters],
                            "cost": float(model.computeCost(rdd))}

    # Seeded initializations: the centers found on well-separated data.
    seeded = {}
    sep = blobs(13, [[0, 0], [20, 0], [0, 20], [20, 20]], 30, 0.5)
    out["separated"] = sep
    rdd = sc.parallelize(sep, 4)
    for mode in ("k-means||", "random"):
        model = KMeans.train(rdd, 4, maxIterations=50, initializationMode=mode, seed=7)
        seeded[mode] = {"centers": sorted([float(x) for x in c] for c in model.clusterCenters),
                        "cost": float(model.computeCost(rdd))}
    out["kmeans_seeded"] = seeded
    try:
        KMeans.train(sc.parallelize(data2), 2, initialModel=KMeansModel([[0.0, 0.0]]))
    except Exception as e:  # the JVM's require
        out["kmeans_mismatched_initial_error"] = str(e).splitlines()[0][:300]

    # -- StreamingKMeansModel.update sequences -----------------------------------------------
    batches = [blobs(20 + i, [[0, 0], [4, 4]], 6, 0.7 + 0.1 * i) for i in range(4)]
    drift = [[[x + 0.5 * i, y + 0.5 * i] for x, y in b] for i, b in enumerate(batches)]
    out["stream_batches"] = drift
    updates = []
    for decay, unit, centers, weights in [
            (1.0, "batches", [[0.5, 0.5], [3.0, 3.0]], [1.0, 1.0]),
            (0.5, "batches", [[0.5, 0.5], [3.0, 3.0]], [2.0, 5.0]),
            (0.9, "points", [[0.5, 0.5], [3.0, 3.0]], [10.0, 3.0]),
            (0.0, "batches", [[0.5, 0.5], [3.0, 3.0]], [1.0, 1.0]),
            (0.5, "batches", [[2.0, 2.0], [100.0, 100.0]], [1.0, 1.0]),  # a far center
            (0.0, "batches", [[2.0, 2.0], [100.0, 100.0]], [1.0, 1.0]),  # dying: split
    ]:
        m = StreamingKMeansModel(centers, weights)
        steps = []
        for b in drift:
            m = m.update(sc.parallelize(b, 2), decay, unit)
            steps.append({"centers": [[float(x) for x in c] for c in m.centers],
                          "weights": [float(w) for w in m.clusterWeights]})
        updates.append({"decay": decay, "timeUnit": unit, "centers": centers,
                        "weights": weights, "steps": steps})
    out["streaming_updates"] = updates
    m = StreamingKMeansModel([[0.0, 0.0], [1.0, 1.0]], [1.0, 1.0])
    m = m.update(sc.parallelize([], 2), 0.5, "batches")
    out["streaming_empty_batch"] = {"centers": [[float(x) for x in c] for c in m.centers],
                                    "weights": [float(w) for w in m.clusterWeights]}

    skm = StreamingKMeans(k=4, decayFactor=0.3).setRandomCenters(3, 2.5, 42)
    out["random_centers"] = {"k": 4, "dim": 3, "weight": 2.5, "seed": 42,
                             "centers": [[float(x) for x in c]
                                         for c in skm.latestModel().centers],
                             "weights": [float(w) for w in skm.latestModel().clusterWeights]}
    skm = StreamingKMeans().setHalfLife(2.0, "points")
    out["half_life"] = {"halfLife": 2.0, "decayFactor": skm._decayFactor,
                        "timeUnit": skm._timeUnit}

    # A StreamingKMeans on a queue of fixed batches: trainOn and predictOnValues.
    ssc = StreamingContext(sc, 0.5)
    skm = StreamingKMeans(k=2, decayFactor=0.5).setInitialCenters([[0.5, 0.5], [3.0, 3.0]],
                                                                  [1.0, 1.0])
    train = ssc.queueStream([sc.parallelize(b, 2) for b in drift], oneAtATime=True)
    skm.trainOn(train)
    test_points = [[0.0, 0.0], [5.0, 5.0], [2.5, 2.6]]
    predicted = []
    seen = []

    def record_model(rdd):
        seen.append([[float(x) for x in c] for c in skm.latestModel().centers])

    train.foreachRDD(record_model)
    tests = ssc.queueStream([sc.parallelize(list(enumerate(test_points)), 1)] * len(drift),
                            oneAtATime=True)
    skm.predictOnValues(tests).foreachRDD(lambda rdd: predicted.append(sorted(rdd.collect())))
    ssc.start()
    deadline = time.time() + 120
    while len(seen) < len(drift) and time.time() < deadline:
        time.sleep(0.1)
    ssc.stop(stopSparkContext=False, stopGraceFully=False)
    out["streaming_run"] = {"initial": [[0.5, 0.5], [3.0, 3.0]], "weights": [1.0, 1.0],
                            "decay": 0.5, "test_points": test_points,
                            "final_centers": [[float(x) for x in c]
                                              for c in skm.latestModel().centers],
                            "final_weights": [float(w)
                                              for w in skm.latestModel().clusterWeights],
                            "models_after_each_batch": seen,
                            "predictions": predicted[:len(drift)]}

    # -- ALS: converged results on an exactly low-rank matrix -----------------------------------
    ratings, full = low_rank_ratings()
    out["als_ratings"], out["als_full"] = ratings, full
    rdd = sc.parallelize(ratings, 3)
    model = ALS.train(rdd, 2, iterations=30, lambda_=0.001, seed=3)
    pairs = [(i, j) for i in range(len(full)) for j in range(len(full[0]))]
    pred = {(r.user, r.product): r.rating
            for r in model.predictAll(sc.parallelize(pairs, 2)).collect()}
    out["als_explicit"] = {"rank": 2, "iterations": 30, "lambda_": 0.001,
                           "predictions": [[i, j, float(pred[(i, j)])] for i, j in pairs],
                           "recommendProducts_0_3": [[r.user, r.product, float(r.rating)]
                                                     for r in model.recommendProducts(0, 3)],
                           "recommendUsers_1_4": [[r.user, r.product, float(r.rating)]
                                                  for r in model.recommendUsers(1, 4)],
                           "predict_2_3": float(model.predict(2, 3)), "rank_attr": model.rank}
    implicit = implicit_ratings()
    out["als_implicit_ratings"] = implicit
    model = ALS.trainImplicit(sc.parallelize(implicit, 2), 3, iterations=20, lambda_=0.01,
                              alpha=1.0, seed=5)
    pairs = [(i, j) for i in range(10) for j in range(8)]
    pred = {(r.user, r.product): r.rating
            for r in model.predictAll(sc.parallelize(pairs, 2)).collect()}
    out["als_implicit"] = {"rank": 3, "iterations": 20, "lambda_": 0.01, "alpha": 1.0,
                           "predictions": [[i, j, float(pred[(i, j)])] for i, j in pairs
                                           if (i, j) in pred]}
    model = ALS.train(rdd, 2, iterations=30, lambda_=0.001, nonnegative=True, seed=3)
    feats = dict(model.userFeatures().collect())
    out["als_nonnegative"] = {"min_user_feature": float(min(min(v) for v in feats.values()))}
    sc.stop()

    path = os.path.join(HERE, "clustering.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
