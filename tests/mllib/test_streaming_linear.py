"""Streaming linear models: the same weights as real PySpark batch after batch, converging
on a drifting stream, and a restarted job resuming from its checkpointed model."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
from linear_helpers import points
from mllib_helpers import contexts_fixture, reference, sc_fixture  # noqa: F401

from sparklet.mllib.classification import StreamingLogisticRegressionWithSGD
from sparklet.mllib.regression import LabeledPoint, StreamingLinearRegressionWithSGD
from sparklet.streaming import StreamingContext
from sparklet.streaming.recovery.checkpoint import latest_checkpoint
from sparklet.streaming.testing import advance_batches, use_manual_clock

REF = reference("linear")


def _weights(model):
    m = model.latestModel()
    return [float(v) for v in m.weights.toArray()] + [float(m.intercept)]


def test_equals_pyspark_batch_after_batch(sc, contexts):
    st = REF["streaming"]
    data = points(REF, "regression")
    size = st["batch_size"]
    batches = [data[i:i + size] for i in range(0, len(data), size)]
    ssc = StreamingContext(sc, 1)
    contexts.append(ssc)
    use_manual_clock(ssc)
    model = StreamingLinearRegressionWithSGD(stepSize=st["stepSize"],
                                             numIterations=st["numIterations"])
    model.setInitialWeights([0.0, 0.0, 0.0])
    seen = []
    stream = ssc.queueStream([sc.parallelize(b, 2) for b in batches])
    model.trainOn(stream)
    stream.foreachRDD(lambda rdd: seen.append(_weights(model)))
    ssc.start()
    advance_batches(ssc, len(batches))
    np.testing.assert_allclose(seen, st["after_each_batch"], atol=1e-12)


def _drifting_batches(rng, weights_by_phase, per_batch=40, batches_per_phase=12):
    out = []
    for w in weights_by_phase:
        for _ in range(batches_per_phase):
            X = rng.normal(size=(per_batch, len(w)))
            y = X @ w + 0.05 * rng.normal(size=per_batch)
            out.append([LabeledPoint(float(t), row.tolist()) for row, t in zip(X, y,
                                                                               strict=True)])
    return out


def test_regression_follows_a_drifting_stream(sc, contexts):
    rng = np.random.RandomState(11)
    phases = [np.array([2.0, -1.0]), np.array([-1.0, 3.0])]
    batches = _drifting_batches(rng, phases)
    ssc = StreamingContext(sc, 1)
    contexts.append(ssc)
    use_manual_clock(ssc)
    model = StreamingLinearRegressionWithSGD(stepSize=0.5, numIterations=20)
    model.setInitialWeights([0.0, 0.0])
    stream = ssc.queueStream([sc.parallelize(b, 2) for b in batches])
    model.trainOn(stream)
    test = ssc.queueStream([sc.parallelize([(i, [1.0, 1.0])], 1) for i in range(len(batches))])
    predictions = []
    model.predictOnValues(test).foreachRDD(lambda rdd: predictions.extend(rdd.collect()))
    ssc.start()
    advance_batches(ssc, 12)
    np.testing.assert_allclose(model.latestModel().weights.toArray(), phases[0], atol=0.05)
    advance_batches(ssc, 12)
    np.testing.assert_allclose(model.latestModel().weights.toArray(), phases[1], atol=0.05)
    # predictions of [1, 1] move from the first phase's 1.0 to the second's 2.0
    assert len(predictions) == 24
    assert abs(dict(predictions)[11] - 1.0) < 0.1 and abs(dict(predictions)[23] - 2.0) < 0.1


def test_logistic_follows_a_drifting_stream(sc, contexts):
    rng = np.random.RandomState(12)
    batches = []
    for w in (np.array([4.0, 0.0]), np.array([0.0, -4.0])):
        for _ in range(15):
            X = rng.normal(size=(60, 2))
            y = (rng.uniform(size=60) < 1 / (1 + np.exp(-(X @ w)))).astype(float)
            batches.append([LabeledPoint(float(t), row.tolist())
                            for row, t in zip(X, y, strict=True)])
    ssc = StreamingContext(sc, 1)
    contexts.append(ssc)
    use_manual_clock(ssc)
    model = StreamingLogisticRegressionWithSGD(stepSize=1.0, numIterations=20)
    model.setInitialWeights([0.0, 0.0])
    model.trainOn(ssc.queueStream([sc.parallelize(b, 2) for b in batches]))
    ssc.start()
    advance_batches(ssc, 15)
    w = model.latestModel().weights.toArray()
    assert w[0] > 1.0 and abs(w[1]) < 0.5 * w[0]
    advance_batches(ssc, 15)
    w = model.latestModel().weights.toArray()
    assert w[1] < -1.0 and abs(w[0]) < 0.5 * abs(w[1])
    assert model.latestModel().predict([0.0, -2.0]) == 1


def test_validation(sc, contexts):
    model = StreamingLinearRegressionWithSGD()
    ssc = StreamingContext(sc, 1)
    contexts.append(ssc)
    stream = ssc.queueStream([[LabeledPoint(1.0, [1.0])]])
    with pytest.raises(ValueError, match="setInitialWeights"):
        model.trainOn(stream)
    with pytest.raises(TypeError, match="DStream"):
        model.setInitialWeights([0.0]).trainOn([1, 2])


def _file_app(sc, root, made, t0, files, created):
    """Regression over a text file stream of ``(label,[x1,x2])`` lines; file ``f<i>`` is
    dated just before batch ``i``."""
    data = root / "train"
    data.mkdir(exist_ok=True)
    for i, lines in enumerate(files, 1):
        path = data / f"f{i}"
        path.write_text("\n".join(lines) + "\n")
        t = (t0 + i * 1000 - 500) / 1000
        os.utime(path, (t, t))

    def parse(line):
        label, rest = line.strip("()").split(",", 1)
        return LabeledPoint(float(label), [float(v) for v in rest.strip("[]").split(",")])

    def setup():
        ssc = StreamingContext(sc, 1)
        use_manual_clock(ssc, t0)
        model = StreamingLinearRegressionWithSGD(stepSize=0.5, numIterations=15)
        model.setInitialWeights([0.0, 0.0])
        model.trainOn(ssc.textFileStream(str(data)).map(parse))
        created.append(model)
        made.append(ssc)
        return ssc

    return setup


def _lines(rng, w, n=30):
    X = rng.normal(size=(n, 2))
    y = X @ w
    return ["(%r,[%r,%r])" % (float(t), float(a), float(b))
            for t, (a, b) in zip(y, X, strict=True)]


def test_restarted_job_continues_from_checkpointed_model(sc, tmp_path, contexts):
    rng = np.random.RandomState(5)
    w = np.array([1.5, -0.5])
    files = [_lines(rng, w) for _ in range(6)]
    ck = str(tmp_path / "ck")
    t0 = int(time.time()) * 1000 - 60_000
    created: list = []
    setup = _file_app(sc, tmp_path, contexts, t0, files, created)
    ssc = StreamingContext.getOrCreate(ck, setup)
    ssc.start()
    advance_batches(ssc, 3)
    ssc.stop(stopSparkContext=False)
    after3 = created[0].latestModel().weights.toArray().copy()
    assert not np.allclose(after3, 0.0)
    payload, _ = latest_checkpoint(ck)
    (saved,) = payload["driver_state"].values()
    assert saved["kind"] == "StreamingLinearRegressionWithSGD"
    np.testing.assert_allclose(saved["state"][1], after3)

    # An independent run: what the weights must be after the 3 remaining batches when
    # training continues from after3 (plain numpy SGD, Spark's update rule).
    expected = after3.copy()
    for lines in files[3:]:
        pts = [(float(s.split(",", 1)[0][1:]),
                [float(v) for v in s.split(",", 1)[1].strip("()[]").split(",")])
               for s in lines]
        X = np.array([p[1] for p in pts])
        y = np.array([p[0] for p in pts])
        prev = None
        for i in range(1, 16):
            g = X.T @ (X @ expected - y) / len(y)
            expected = expected - 0.5 / np.sqrt(i) * g
            if prev is not None and np.linalg.norm(prev - expected) < 0.001 * max(
                    np.linalg.norm(expected), 1.0):
                break
            prev = expected.copy()

    ssc = StreamingContext.getOrCreate(ck, lambda: pytest.fail("setupFunc was called"))
    contexts.append(ssc)
    use_manual_clock(ssc, t0 + 3000)
    (recovered,) = ssc._checkpointed_driver_state.values()
    assert recovered is not created[0]
    ssc.start()
    advance_batches(ssc, 3)
    ssc.stop(stopSparkContext=False)
    np.testing.assert_allclose(recovered.latestModel().weights.toArray(), expected,
                               atol=1e-9)
    np.testing.assert_allclose(recovered.latestModel().weights.toArray(), w, atol=0.05)
