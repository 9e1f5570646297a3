"""examples/streaming/streaming_linear_regression.py (the MLlib guide's streaming linear
regression) run as a program: training and test files of labeled points written into its
two directories; its printed ``(label, prediction)`` lines are what a plain numpy model of
Spark's gradient descent predicts after the same training batches, and come close to the
labels of a noiseless linear target; then Ctrl-C stops it."""

from __future__ import annotations

import time

import numpy as np
import pytest
from streaming_example_helpers import Program, put

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

WAIT = 60.0
TRUE_WEIGHTS = np.array([1.5, -2.0, 0.5])


def numpy_sgd(w: np.ndarray, X: np.ndarray, y: np.ndarray, steps: int = 50,
              step: float = 0.1, tol: float = 0.001) -> np.ndarray:
    """One training batch of StreamingLinearRegressionWithSGD: Spark's full-batch gradient
    descent on the squared error, step ``step / sqrt(i)``, stopping when two successive
    weight vectors differ by less than ``tol * max(|w|, 1)``."""
    previous = None
    for i in range(1, steps + 1):
        w = w - step / np.sqrt(i) * (X.T @ (X @ w - y)) / len(y)
        if previous is not None and \
                np.linalg.norm(previous - w) < tol * max(np.linalg.norm(w), 1.0):
            break
        previous = w
    return w


def lines(X: np.ndarray, y: np.ndarray) -> list[str]:
    return ["(%r,[%s])" % (float(t), ",".join(repr(float(v)) for v in x))
            for x, t in zip(X, y, strict=True)]


def test_streaming_linear_regression_example(tmp_path):
    train_dir, test_dir, staging = (tmp_path / d for d in ("train", "test", "staging"))
    for d in (train_dir, test_dir, staging):
        d.mkdir()
    rng = np.random.RandomState(4)
    training = [rng.normal(size=(40, 3)) for _ in range(8)]
    X_test = rng.normal(size=(5, 3))
    y_test = X_test @ TRUE_WEIGHTS

    app = Program("streaming_linear_regression.py", [str(train_dir), str(test_dir), "1"])
    w = np.zeros(3)
    try:
        deadline = time.monotonic() + WAIT * 2
        app.wait_headers(1, deadline)  # running: files from now on are new
        for n, X in enumerate(training):
            y = X @ TRUE_WEIGHTS
            put(train_dir, f"train-{n}.txt", lines(X, y), staging)
            app.wait_headers(2, deadline)  # the training file is in a batch of its own
            w = numpy_sgd(w, X, y)
        put(test_dir, "test.txt", lines(X_test, y_test), staging)
        printed: list[tuple] = []
        while len(printed) < len(y_test):
            printed += app.wait_headers(1, deadline)
    finally:
        code = app.stop()
    assert code == 0, "\n".join(app.log)
    got = sorted(printed)
    want = sorted(zip(y_test.tolist(), (X_test @ w).tolist(), strict=True))
    assert len(got) == len(want)
    for (label, prediction), (want_label, want_prediction) in zip(got, want, strict=True):
        assert label == want_label and abs(prediction - want_prediction) < 1e-9
    # eight batches of a noiseless target: the predictions are close to the labels
    assert max(abs(p - t) for t, p in got) < 0.1 * max(abs(t) for t, _ in got)
