"""examples/streaming/streaming_kmeans.py (the MLlib guide's streaming k-means) run as a
program: training vectors and labeled test points written as files into its two
directories, its printed ``(label, cluster)`` lines read until they show the clusters a
plain numpy model of Spark's update rule predicts, then Ctrl-C stops it."""

from __future__ import annotations

import time

import numpy as np
import pytest
from streaming_example_helpers import Program, put

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

WAIT = 60.0
BLOBS = np.array([[0.0, 0.0, 0.0], [9.0, 9.0, 9.0]])


def numpy_model_predictions(training: list[np.ndarray], test: np.ndarray) -> list[int]:
    """What the example's model predicts for ``test`` after one batch per training set:
    numpy's RandomState(0) centers (setRandomCenters(3, 1.0, 0)), Spark's update rule with
    decay 1 (no cluster dies here), squared euclidean nearest centers."""
    centers = np.random.RandomState(0).randn(2, 3)
    weights = np.ones(2)
    for pts in training:
        labels = ((pts[:, None, :] - centers[None]) ** 2).sum(-1).argmin(1)
        for j in set(labels.tolist()):
            mine = pts[labels == j]
            lam = len(mine) / (weights[j] + len(mine))
            centers[j] = (1 - lam) * centers[j] + lam * mine.mean(0)
            weights[j] += len(mine)
    return ((test[:, None, :] - centers[None]) ** 2).sum(-1).argmin(1).tolist()


def test_streaming_kmeans_example(tmp_path):
    train_dir, test_dir, staging = (tmp_path / d for d in ("train", "test", "staging"))
    for d in (train_dir, test_dir, staging):
        d.mkdir()
    rng = np.random.RandomState(3)
    training = [np.concatenate([b + 0.5 * rng.normal(size=(15, 3)) for b in BLOBS])
                for _ in range(6)]
    test = np.concatenate([b + 0.5 * rng.normal(size=(3, 3)) for b in BLOBS])
    labels = [1.0] * 3 + [2.0] * 3
    # untrained, both blobs are nearest the first random center; the first batch pulls it
    # between the blobs, so the first blob goes to the second center, and it stays so
    assert numpy_model_predictions([], test) == [0] * 6
    expected = numpy_model_predictions(training[:1], test)
    assert expected == [1, 1, 1, 0, 0, 0]
    assert all(numpy_model_predictions(training[:n], test) == expected for n in range(2, 7))
    want = sorted(zip(labels, expected, strict=True))

    app = Program("streaming_kmeans.py", [str(train_dir), str(test_dir), "1"])
    try:
        deadline = time.monotonic() + WAIT
        app.wait_headers(1, deadline)  # running: files from now on are new
        got, rounds = None, 0
        while got != want:
            assert time.monotonic() < deadline and rounds < len(training), (
                "predictions never matched %s; last %s" % (want, got))
            put(train_dir, f"train-{rounds}.txt",
                ["[%s]" % ",".join(repr(float(x)) for x in p) for p in training[rounds]],
                staging)
            rounds += 1
            app.wait_headers(2, deadline)  # the training file is in a batch of its own
            put(test_dir, f"test-{rounds}.txt",
                ["(%r,[%s])" % (lab, ",".join(repr(float(x)) for x in p))
                 for lab, p in zip(labels, test, strict=True)], staging)
            printed: list[tuple] = []
            while len(printed) < len(labels):
                printed += app.wait_headers(1, deadline)
            assert len(printed) == len(labels), printed
            got = sorted(printed)
    finally:
        code = app.stop()
    assert code == 0, "\n".join(app.log)
