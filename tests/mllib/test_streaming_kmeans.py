"""Streaming k-means: StreamingKMeansModel.update and a queueStream run give what real
PySpark 3.5.3 gave (tests/mllib/pyspark_reference/clustering.json); the model follows
drifting blobs as a plain numpy model of Spark's update rule does; a job restarted with
getOrCreate continues from its checkpointed centers."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
from mllib_helpers import contexts_fixture, reference, sc_fixture  # noqa: F401

from sparklet.mllib.clustering import StreamingKMeans, StreamingKMeansModel
from sparklet.mllib.linalg import Vectors
from sparklet.streaming import StreamingContext
from sparklet.streaming.recovery.checkpoint import latest_checkpoint
from sparklet.streaming.testing import advance_batches, use_manual_clock

REF = reference("clustering")


def numpy_update(centers, weights, points, decay, unit="batches"):
    """Spark's streaming k-means update, written out on numpy arrays (the independent
    expectation): nearest centers, discount, weighted means, dying-cluster split."""
    centers = np.array(centers, dtype=float)
    weights = np.array(weights, dtype=float)
    points = np.array(points, dtype=float).reshape(-1, centers.shape[1])
    labels = [int(np.argmin(((centers - p) ** 2).sum(1))) for p in points]
    weights = weights * (decay if unit == "batches" else decay ** len(points))
    for j in sorted(set(labels)):
        mine = points[np.array(labels) == j]
        new_weight = weights[j] + len(mine)
        lam = len(mine) / max(new_weight, 1e-16)
        centers[j] = (1 - lam) * centers[j] + lam * mine.mean(axis=0)
        weights[j] = new_weight
    big, small = int(np.argmax(weights)), int(np.argmin(weights))
    if weights[small] < 1e-8 * weights[big]:
        weights[big] = weights[small] = (weights[big] + weights[small]) / 2
        x = centers[big].copy()
        centers[big] = x + 1e-14 * np.maximum(np.abs(x), 1)
        centers[small] = x - 1e-14 * np.maximum(np.abs(x), 1)
    return centers, weights


@pytest.mark.parametrize("case", REF["streaming_updates"],
                         ids=lambda c: "%s-%s-%s" % (c["decay"], c["timeUnit"], c["centers"]))
def test_update_equals_pyspark(sc, case):
    model = StreamingKMeansModel(case["centers"], case["weights"])
    centers, weights = case["centers"], case["weights"]
    for batch, step in zip(REF["stream_batches"], case["steps"], strict=True):
        returned = model.update(sc.parallelize(batch, 2), case["decay"], case["timeUnit"])
        assert returned is model
        assert isinstance(model.centers, np.ndarray) and model.centers.shape == (2, 2)
        np.testing.assert_allclose(model.centers, step["centers"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(model.clusterWeights, step["weights"], rtol=1e-12)
        centers, weights = numpy_update(centers, weights, batch, case["decay"],
                                        case["timeUnit"])
        np.testing.assert_allclose(model.centers, centers, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(model.clusterWeights, weights, rtol=1e-12)


def test_dying_cluster_splits_the_largest(sc):
    """decay 0 and a far center: the far cluster's weight dies, the largest is split."""
    model = StreamingKMeansModel([[2.0, 2.0], [100.0, 100.0]], [1.0, 1.0])
    batch = REF["stream_batches"][0]
    model.update(sc.parallelize(batch, 2), 0.0, "batches")
    mean = np.mean(batch, axis=0)
    assert model.clusterWeights == [len(batch) / 2, len(batch) / 2]
    p = 1e-14 * np.maximum(np.abs(mean), 1.0)
    np.testing.assert_allclose(model.centers[0], mean + p, rtol=1e-14)
    np.testing.assert_allclose(model.centers[1], mean - p, rtol=1e-14)
    assert (model.centers[0] != model.centers[1]).all()


def test_empty_batch_only_decays(sc):
    model = StreamingKMeansModel([[0.0, 0.0], [1.0, 1.0]], [1.0, 1.0])
    model.update(sc.parallelize([], 2), 0.5, "batches")
    expected = REF["streaming_empty_batch"]
    np.testing.assert_array_equal(model.centers, expected["centers"])
    assert model.clusterWeights == expected["weights"]
    model.update(sc.parallelize([], 2), 0.5, "points")  # no point: no decay
    assert model.clusterWeights == expected["weights"]


def test_random_centers_and_half_life():
    rc = REF["random_centers"]
    skm = StreamingKMeans(k=rc["k"], decayFactor=0.3).setRandomCenters(rc["dim"],
                                                                       rc["weight"],
                                                                       rc["seed"])
    model = skm.latestModel()
    np.testing.assert_array_equal(np.array(model.centers), rc["centers"])
    assert list(model.clusterWeights) == rc["weights"]
    assert np.array(model.centers).shape == (rc["k"], rc["dim"])
    hl = REF["half_life"]
    skm = StreamingKMeans().setHalfLife(hl["halfLife"], "points")
    assert skm._decayFactor == pytest.approx(hl["decayFactor"], rel=1e-15)
    assert skm._timeUnit == hl["timeUnit"]
    assert skm._decayFactor ** hl["halfLife"] == pytest.approx(0.5)
    assert StreamingKMeans().setK(5).setDecayFactor(0.25)._decayFactor == 0.25
    assert StreamingKMeans().setK(5).setRandomCenters(2, 1.0, 0).latestModel().k == 5


def test_queue_stream_run_equals_pyspark(sc, contexts):
    run = REF["streaming_run"]
    batches = REF["stream_batches"]
    ssc = StreamingContext(sc, 1)
    contexts.append(ssc)
    use_manual_clock(ssc)
    skm = StreamingKMeans(k=2, decayFactor=run["decay"]).setInitialCenters(run["initial"],
                                                                           run["weights"])
    train = ssc.queueStream([sc.parallelize(b, 2) for b in batches], oneAtATime=True)
    skm.trainOn(train)
    seen, predicted, labels = [], [], []
    train.foreachRDD(lambda rdd: seen.append(np.array(skm.latestModel().centers).tolist()))
    tests = ssc.queueStream([sc.parallelize(list(enumerate(run["test_points"])), 1)]
                            * len(batches))
    skm.predictOnValues(tests).foreachRDD(lambda rdd: predicted.append(sorted(rdd.collect())))
    points = ssc.queueStream([sc.parallelize(run["test_points"], 1)] * len(batches))
    skm.predictOn(points).foreachRDD(lambda rdd: labels.append(rdd.collect()))
    ssc.start()
    advance_batches(ssc, len(batches))
    np.testing.assert_allclose(seen, run["models_after_each_batch"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(skm.latestModel().centers, run["final_centers"], rtol=1e-12)
    np.testing.assert_allclose(skm.latestModel().clusterWeights, run["final_weights"],
                               rtol=1e-12)
    # as in PySpark, a batch is predicted with the model of the batches before it
    assert predicted == [[tuple(p) for p in batch] for batch in run["predictions"]]
    assert labels == [[label for _, label in batch] for batch in run["predictions"]]


def _blobs_at(rng, centers, n_per, scale):
    return np.concatenate([c + scale * rng.normal(size=(n_per, len(c))) for c in centers])


def test_follows_drifting_blobs(sc, contexts):
    rng = np.random.RandomState(21)
    start = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    velocity = np.array([[0.1, 0.1], [0.0, 0.15], [0.15, 0.0]])
    n_batches = 25
    truth = [start + velocity * t for t in range(n_batches)]
    batches = [rng.permutation(_blobs_at(rng, c, 20, 0.3)) for c in truth]
    ssc = StreamingContext(sc, 1)
    contexts.append(ssc)
    use_manual_clock(ssc)
    initial = start + np.array([[0.5, -0.5], [-0.5, 0.5], [0.5, 0.5]])
    skm = StreamingKMeans(k=3, decayFactor=0.5).setInitialCenters(initial.tolist(), [1.0] * 3)
    stream = ssc.queueStream([sc.parallelize(b.tolist(), 2) for b in batches])
    skm.trainOn(stream)
    seen = []
    stream.foreachRDD(lambda rdd: seen.append(np.array(skm.latestModel().centers)))
    ssc.start()
    advance_batches(ssc, n_batches)
    centers, weights = initial, [1.0] * 3
    for batch, got in zip(batches, seen, strict=True):
        centers, weights = numpy_update(centers, weights, batch, 0.5)
        np.testing.assert_allclose(got, centers, rtol=1e-12, atol=1e-12)
    # decay 0.5 makes each center an exponential average that lags one step of drift
    # behind its blob; the blobs end 2.4..3.6 away from where they started
    final = np.array(skm.latestModel().centers)
    assert np.abs(final - truth[-1]).max() < 0.35
    assert np.abs(final - start).min(axis=1).max() > 2.0


def test_validation(sc, contexts):
    ssc = StreamingContext(sc, 1)
    contexts.append(ssc)
    stream = ssc.queueStream([[[1.0, 2.0]]])
    with pytest.raises(ValueError, match="setInitialCenters or setRandomCenters"):
        StreamingKMeans().trainOn(stream)
    skm = StreamingKMeans().setInitialCenters([[0.0, 0.0], [1.0, 1.0]], [1.0, 1.0])
    with pytest.raises(TypeError, match="DStream"):
        skm.trainOn([[1.0, 2.0]])
    with pytest.raises(ValueError, match="timeUnit"):
        StreamingKMeans(timeUnit="seconds")
    with pytest.raises(ValueError, match="timeUnit"):
        StreamingKMeans().setHalfLife(2.0, "hours")
    model = skm.latestModel()
    with pytest.raises(ValueError, match="timeUnit"):
        model.update(sc.parallelize([[1.0, 1.0]]), 0.5, "seconds")
    with pytest.raises(TypeError, match="RDD"):
        model.update([[1.0, 1.0]], 0.5, "batches")
    with pytest.raises(ValueError, match="weights"):
        StreamingKMeansModel([[0.0], [1.0]], [1.0])
    with pytest.raises(Exception, match="a point has 3 features but the centers have 2"):
        model.update(sc.parallelize([[1.0, 1.0, 1.0]]), 0.5, "batches")


def _file_app(sc, root, made, t0, files, created):
    """Streaming k-means over a text file stream of ``[x,y]`` lines; file ``f<i>`` is dated
    just before batch ``i``."""
    data = root / "train"
    data.mkdir(exist_ok=True)
    for i, points in enumerate(files, 1):
        path = data / f"f{i}"
        path.write_text("\n".join("[%r,%r]" % (float(a), float(b)) for a, b in points) + "\n")
        t = (t0 + i * 1000 - 500) / 1000
        os.utime(path, (t, t))

    def setup():
        ssc = StreamingContext(sc, 1)
        use_manual_clock(ssc, t0)
        skm = StreamingKMeans(k=2, decayFactor=0.7).setInitialCenters([[1.0, 1.0],
                                                                       [2.0, 2.0]],
                                                                      [1.0, 1.0])
        skm.trainOn(ssc.textFileStream(str(data)).map(Vectors.parse))
        created.append(skm)
        made.append(ssc)
        return ssc

    return setup


def test_restarted_job_continues_from_checkpointed_centers(sc, tmp_path, contexts):
    rng = np.random.RandomState(8)
    blobs = np.array([[-2.0, 0.0], [5.0, 5.0]])
    files = [_blobs_at(rng, blobs, 15, 0.4) for _ in range(6)]
    ck = str(tmp_path / "ck")
    t0 = int(time.time()) * 1000 - 60_000
    created: list = []
    setup = _file_app(sc, tmp_path, contexts, t0, files, created)
    ssc = StreamingContext.getOrCreate(ck, setup)
    ssc.start()
    advance_batches(ssc, 3)
    ssc.stop(stopSparkContext=False)
    after3 = np.array(created[0].latestModel().centers)
    weights3 = list(created[0].latestModel().clusterWeights)
    expected, w = np.array([[1.0, 1.0], [2.0, 2.0]]), [1.0, 1.0]
    for points in files[:3]:
        expected, w = numpy_update(expected, w, points, 0.7)
    np.testing.assert_allclose(after3, expected, rtol=1e-12)
    payload, _ = latest_checkpoint(ck)
    (saved,) = payload["driver_state"].values()
    assert saved["kind"] == "StreamingKMeans"
    np.testing.assert_allclose(saved["state"][0], after3, rtol=1e-15)
    assert saved["state"][1] == pytest.approx(weights3)

    # what the model must be after the 3 remaining batches, continuing from after3
    for points in files[3:]:
        expected, w = numpy_update(expected, w, points, 0.7)

    ssc = StreamingContext.getOrCreate(ck, lambda: pytest.fail("setupFunc was called"))
    contexts.append(ssc)
    use_manual_clock(ssc, t0 + 3000)
    (recovered,) = ssc._checkpointed_driver_state.values()
    assert recovered is not created[0]
    ssc.start()  # restores the checkpointed model before the first batch
    np.testing.assert_allclose(recovered.latestModel().centers, after3, rtol=1e-15)
    advance_batches(ssc, 3)
    ssc.stop(stopSparkContext=False)
    np.testing.assert_allclose(recovered.latestModel().centers, expected, rtol=1e-12)
    np.testing.assert_allclose(recovered.latestModel().clusterWeights, w, rtol=1e-12)
    np.testing.assert_allclose(np.array(sorted(recovered.latestModel().centers.tolist())),
                               blobs, atol=0.3)
