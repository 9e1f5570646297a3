"""Record what real PySpark MLlib gives for the linear models and NaiveBayes (run by hand).

    PYSPARK_PYTHON=/work/main/bench/.venv-pyspark-mllib/bin/python \\
        /work/main/bench/.venv-pyspark-mllib/bin/python tests/mllib/pyspark_reference/linear.py

writes ``linear.json`` next to this file: the generated data sets (so the tests train on
exactly the same points) and, per case, the arguments and the weights, intercept and
predictions PySpark 3.5 returned. Only deterministic cases are recorded: full-batch SGD
(``miniBatchFraction=1.0``), L-BFGS optima, NaiveBayes, and a streaming regression fed by
a queue of fixed batches. The tests never run PySpark; they load the JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def regression_data(seed=1, n=120, d=3):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    w = np.array([1.5, -2.0, 0.5])[:d]
    y = X @ w + 0.7 + 0.1 * rng.normal(size=n)
    return [[float(a) for a in row] for row in X], [float(v) for v in y]


def classification_data(seed=2, n=160, d=3):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d)) * np.array([1.0, 3.0, 0.5])[:d]
    w = np.array([1.0, -0.6, 2.0])[:d]
    p = 1 / (1 + np.exp(-(X @ w + 0.3)))
    y = (rng.uniform(size=n) < p).astype(float)
    return [[float(a) for a in row] for row in X], [float(v) for v in y]


def multiclass_data(seed=3, n=180, d=2):
    rng = np.random.RandomState(seed)
    centers = np.array([[0.0, 0.0], [2.0, 1.0], [-1.0, 2.5]])
    labels = rng.randint(0, 3, size=n)
    X = centers[labels] + 1.2 * rng.normal(size=(n, d))
    return [[float(a) for a in row] for row in X], [float(v) for v in labels]


def count_data(seed=4, n=90, d=4):
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 3, size=n)
    rates = np.array([[5, 1, 1, 2], [1, 4, 2, 0.5], [1, 1, 6, 3]])
    X = rng.poisson(rates[labels]).astype(float)
    return [[float(a) for a in row] for row in X], [float(v) * 2.0 for v in labels]


def sparse_data(seed=5, n=100, d=8):
    rng = np.random.RandomState(seed)
    rows = []
    ys = []
    w = rng.normal(size=d)
    for _ in range(n):
        idx = sorted(rng.choice(d, size=3, replace=False).tolist())
        vals = rng.normal(size=3).tolist()
        dense = np.zeros(d)
        dense[idx] = vals
        rows.append([d, idx, vals])
        ys.append(float(dense @ w + 0.05 * rng.normal()))
    return rows, ys


def main() -> None:
    from pyspark import SparkContext
    from pyspark.mllib.classification import (
        LogisticRegressionWithLBFGS,
        LogisticRegressionWithSGD,
        NaiveBayes,
        SVMWithSGD,
    )
    from pyspark.mllib.linalg import Vectors
    from pyspark.mllib.regression import (
        LabeledPoint,
        LassoWithSGD,
        LinearRegressionWithSGD,
        RidgeRegressionWithSGD,
        StreamingLinearRegressionWithSGD,
    )
    from pyspark.streaming import StreamingContext

    warnings.simplefilter("ignore")
    sc = SparkContext("local[2]", "linear-reference")
    sc.setLogLevel("ERROR")

    datasets = {"regression": regression_data(), "classification": classification_data(),
                "multiclass": multiclass_data(), "counts": count_data()}
    sparse_rows, sparse_y = sparse_data()

    def rdd(name):
        X, y = datasets[name]
        return sc.parallelize([LabeledPoint(label, row)
                               for row, label in zip(X, y, strict=True)], 2)

    def sparse_rdd():
        return sc.parallelize([LabeledPoint(label, Vectors.sparse(size, idx, vals))
                               for (size, idx, vals), label
                               in zip(sparse_rows, sparse_y, strict=True)], 2)

    probes = {"regression": [[0.5, -1.0, 2.0], [0.0, 0.0, 0.0], [-1.0, 1.0, 0.25]],
              "classification": [[0.5, -1.0, 2.0], [0.0, 0.0, 0.0], [-1.0, 3.0, -0.25]],
              "multiclass": [[0.0, 0.0], [2.0, 1.0], [-1.0, 2.5], [1.0, 3.0]],
              "counts": [[5.0, 0.0, 1.0, 2.0], [0.0, 4.0, 1.0, 0.0], [1.0, 1.0, 6.0, 3.0]]}

    cases = []

    def record(algo, data, kwargs, model, probe_name=None):
        probe_name = probe_name or data
        entry = {"algorithm": algo, "data": data, "kwargs": kwargs}
        if hasattr(model, "weights"):
            entry["weights"] = [float(v) for v in model.weights.toArray()]
            entry["intercept"] = float(model.intercept)
        if hasattr(model, "pi"):
            entry["labels"] = [float(v) for v in model.labels]
            entry["pi"] = [float(v) for v in model.pi]
            entry["theta"] = [[float(v) for v in row] for row in model.theta]
        if hasattr(model, "numClasses"):
            entry["numClasses"] = model.numClasses
            entry["numFeatures"] = model.numFeatures
        if probe_name in probes:
            entry["predictions"] = [float(model.predict(p)) for p in probes[probe_name]]
            if hasattr(model, "clearThreshold") and getattr(model, "numClasses", 2) == 2:
                model.clearThreshold()
                entry["raw_predictions"] = [float(model.predict(p))
                                            for p in probes[probe_name]]
        cases.append(entry)

    sgd_regression = [
        ("LinearRegressionWithSGD", {"iterations": 50, "step": 0.1}),
        ("LinearRegressionWithSGD", {"iterations": 50, "step": 0.1, "intercept": True}),
        ("LinearRegressionWithSGD", {"iterations": 30, "step": 0.5, "convergenceTol": 0.0,
                                     "initialWeights": [1.0, 1.0, 1.0]}),
        ("LinearRegressionWithSGD", {"iterations": 40, "step": 0.2, "regParam": 0.1,
                                     "regType": "l2", "intercept": True}),
        ("LinearRegressionWithSGD", {"iterations": 40, "step": 0.2, "regParam": 0.1,
                                     "regType": "l1"}),
        ("RidgeRegressionWithSGD", {"iterations": 60, "step": 0.1}),
        ("RidgeRegressionWithSGD", {"iterations": 60, "step": 0.1, "regParam": 0.3,
                                    "intercept": True, "convergenceTol": 0.0}),
        ("LassoWithSGD", {"iterations": 60, "step": 0.1}),
        ("LassoWithSGD", {"iterations": 60, "step": 0.3, "regParam": 0.2, "intercept": True,
                          "convergenceTol": 0.0}),
    ]
    algos = {"LinearRegressionWithSGD": LinearRegressionWithSGD,
             "RidgeRegressionWithSGD": RidgeRegressionWithSGD, "LassoWithSGD": LassoWithSGD,
             "LogisticRegressionWithSGD": LogisticRegressionWithSGD,
             "LogisticRegressionWithLBFGS": LogisticRegressionWithLBFGS,
             "SVMWithSGD": SVMWithSGD}
    for name, kwargs in sgd_regression:
        record(name, "regression", kwargs, algos[name].train(rdd("regression"), **kwargs))
    for name, kwargs in [("LinearRegressionWithSGD", {"iterations": 30, "step": 0.5}),
                         ("LinearRegressionWithSGD", {"iterations": 30, "step": 0.5,
                                                      "intercept": True, "regType": "l2",
                                                      "regParam": 0.05})]:
        record(name, "sparse", kwargs, algos[name].train(sparse_rdd(), **kwargs))

    classification = [
        ("LogisticRegressionWithSGD", {"iterations": 50}),
        ("LogisticRegressionWithSGD", {"iterations": 50, "step": 0.5, "intercept": True,
                                       "convergenceTol": 0.0}),
        ("LogisticRegressionWithSGD", {"iterations": 50, "regType": "l1", "regParam": 0.05}),
        ("LogisticRegressionWithSGD", {"iterations": 50, "regType": None,
                                       "initialWeights": [0.1, 0.1, 0.1]}),
        ("SVMWithSGD", {"iterations": 50}),
        ("SVMWithSGD", {"iterations": 50, "step": 0.5, "intercept": True,
                        "convergenceTol": 0.0}),
        ("SVMWithSGD", {"iterations": 50, "regType": "l1", "regParam": 0.05}),
        ("LogisticRegressionWithLBFGS", {}),
        ("LogisticRegressionWithLBFGS", {"intercept": True}),
        ("LogisticRegressionWithLBFGS", {"intercept": True, "regParam": 0.1}),
        ("LogisticRegressionWithLBFGS", {"intercept": True, "regParam": 0.05,
                                         "regType": "l1"}),
        ("LogisticRegressionWithLBFGS", {"intercept": True, "regParam": 0.1,
                                         "regType": None}),
        ("LogisticRegressionWithLBFGS", {"regParam": 0.02, "regType": None}),
    ]
    for name, kwargs in classification:
        record(name, "classification", kwargs,
               algos[name].train(rdd("classification"), **kwargs))

    for kwargs in [{"numClasses": 3}, {"numClasses": 3, "intercept": True},
                   {"numClasses": 3, "intercept": True, "regParam": 0.1}]:
        record("LogisticRegressionWithLBFGS", "multiclass", kwargs,
               LogisticRegressionWithLBFGS.train(rdd("multiclass"), **kwargs))

    for kwargs in [{}, {"lambda_": 0.5}]:
        record("NaiveBayes", "counts", kwargs, NaiveBayes.train(rdd("counts"), **kwargs))

    # Streaming: fixed batches through a queue; the model after every batch.
    X, y = datasets["regression"]
    batches = [[LabeledPoint(y[i], X[i]) for i in range(start, start + 30)]
               for start in range(0, 120, 30)]
    ssc = StreamingContext(sc, 0.5)
    model = StreamingLinearRegressionWithSGD(stepSize=0.2, numIterations=10)
    model.setInitialWeights([0.0, 0.0, 0.0])
    seen = []
    stream = ssc.queueStream([sc.parallelize(b, 2) for b in batches])
    model.trainOn(stream)
    stream.foreachRDD(lambda r: seen.append(
        [float(v) for v in model.latestModel().weights.toArray()]
        + [float(model.latestModel().intercept)]))
    ssc.start()
    deadline = time.time() + 120
    while len(seen) < len(batches) and time.time() < deadline:
        time.sleep(0.1)
    ssc.stop(stopSparkContext=False, stopGraceFully=False)
    streaming = {"stepSize": 0.2, "numIterations": 10, "batch_size": 30,
                 "after_each_batch": seen[:len(batches)]}

    out = {"pyspark": __import__("pyspark").__version__, "python": sys.version.split()[0],
           "datasets": {k: {"X": v[0], "y": v[1]} for k, v in datasets.items()},
           "sparse": {"rows": sparse_rows, "y": sparse_y}, "probes": probes, "cases": cases,
           "streaming": streaming}
    with open(os.path.join(HERE, "linear.json"), "w") as f:
        json.dump(out, f, indent=1)
    sc.stop()
    print(f"wrote {len(cases)} cases")


if __name__ == "__main__":
    main()
