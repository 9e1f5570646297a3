"""bench/mllib.py runs end to end at a tiny size with PySpark skipped: the report has its
tables and JSON shape, and the models it trained are checked here again with plain numpy
(accuracy, KMeans cost, the gradient-descent weights) against the numpy limit's. Timings are
not checked: at this size they mean nothing."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench" / "mllib.py"
WORKLOADS = ["kmeans", "lr_sgd", "lr_lbfgs"]
TINY = ["--points", "3000", "--features", "4", "--k", "3", "--kmeans-iterations", "6",
        "--lr-iterations", "8", "--repeat", "2", "--warmup", "0", "--nice", "0",
        "--seed", "11"]

pytestmark = pytest.mark.timeout(120)


def load_bench():
    """The bench as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_mllib", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cost(X, centers):
    """Sum over points of the squared distance to the nearest center, point by point."""
    centers = np.asarray(centers)
    return sum(min(float(((x - c) ** 2).sum()) for c in centers) for x in X)


def _accuracy(X, y, weights, intercept):
    hits = 0
    for x, label in zip(X, y, strict=True):
        p = 1.0 / (1.0 + np.exp(-(float(np.dot(x, weights)) + intercept)))
        hits += (1.0 if p > 0.5 else 0.0) == label
    return hits / len(y)


def _gradient_descent(X, y, iterations, step, reg):
    """Spark's full-batch logistic SGD written out: mean gradient, step/sqrt(i), L2 shrink."""
    w = np.zeros(X.shape[1])
    for i in range(1, iterations + 1):
        grad = np.zeros_like(w)
        for x, label in zip(X, y, strict=True):
            grad += (1.0 / (1.0 + np.exp(-float(x @ w))) - label) * x
        eta = step / np.sqrt(i)
        w = w - eta * (grad / len(y) + reg * w)
    return w


def test_tiny_run_reports_and_its_models_agree(tmp_path):
    out = tmp_path / "mllib.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.run([sys.executable, str(BENCH), *TINY, "--skip-pyspark",
                           "--json", str(out)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    assert report["benchmark"] == "mllib" and report["problems"] == []
    assert report["skipped"] == {"pyspark": "--skip-pyspark given"}
    assert set(report["engines"]) == {"numpy", "sparklet"}
    for heading in ("sparklet/PySpark", "numpy/sparklet", "PySpark 3.5.3 skipped",
                    "agree within 0.01"):
        assert heading in proc.stdout

    bench = load_bench()
    spec = {"seed": 11, "points": 3000, "features": 4, "k": 3}
    X, y = bench.all_logistic(spec)
    blobs = bench.all_blobs(spec)
    limit = report["engines"]["numpy"]["workloads"]
    ours = report["engines"]["sparklet"]["workloads"]
    assert set(limit) == set(ours) == set(WORKLOADS)
    kmeans_ran = "times" in ours["kmeans"]
    if not kmeans_ran:  # sparklet.mllib.clustering not merged yet: skipped, with the reason
        assert "sparklet.mllib.clustering" in ours["kmeans"]["unavailable"]
    for name in WORKLOADS:
        for entry in (limit[name], ours[name]) if kmeans_ran or name != "kmeans" \
                else (limit[name],):
            assert len(entry["times"]) == len(entry["cpu"]) == 2
            assert all(t > 0 for t in entry["times"])
        ratios = report["ratios"][name]
        assert ratios["sparklet/pyspark"] is None  # PySpark did not run
        if kmeans_ran or name != "kmeans":
            assert ratios["numpy/sparklet"] == pytest.approx(
                np.median(limit[name]["times"]) / np.median(ours[name]["times"]))
            assert ours[name]["jobs_per_training"] >= 1

    # The logistic models, scored again point by point.
    for name in ("lr_sgd", "lr_lbfgs"):
        scores = {}
        for engine, entry in (("numpy", limit[name]), ("sparklet", ours[name])):
            model = entry["model"]
            scores[engine] = _accuracy(X, y, model["weights"], model["intercept"])
            assert report["quality"][name][engine] == pytest.approx(scores[engine])
        assert 0.6 < scores["numpy"] <= 1.0
        assert abs(scores["sparklet"] - scores["numpy"]) <= 0.01
    # Gradient descent is deterministic: both equal the algorithm written out here.
    expected = _gradient_descent(X, y, 8, 1.0, 0.01)
    np.testing.assert_allclose(limit["lr_sgd"]["model"]["weights"], expected, rtol=1e-9)
    np.testing.assert_allclose(ours["lr_sgd"]["model"]["weights"], expected, rtol=1e-6)

    # KMeans: Lloyd never raises the cost of its start; the engines end within 1%.
    start_cost = _cost(blobs, blobs[:3])
    limit_cost = _cost(blobs, limit["kmeans"]["model"]["centers"])
    assert limit_cost < start_cost
    assert report["quality"]["kmeans"]["numpy"] == pytest.approx(limit_cost)
    assert 1 <= limit["kmeans"]["iterations"] <= 6
    if kmeans_ran:
        our_cost = _cost(blobs, ours["kmeans"]["model"]["centers"])
        assert abs(our_cost - limit_cost) <= 0.01 * limit_cost
        assert "kmeans cost" in proc.stdout and "agree within 1%" in proc.stdout


def test_the_points_do_not_depend_on_how_they_are_split():
    bench = load_bench()
    spec = {"seed": 3, "points": 2 * bench.CHUNK + 7, "features": 3, "k": 4}
    assert bench.chunk_sizes(spec) == [bench.CHUNK, bench.CHUNK, 7]
    X, y = bench.all_logistic(spec)
    assert X.shape == (spec["points"], 3) and y.shape == (spec["points"],)
    assert set(np.unique(y)) == {0.0, 1.0}
    last_X, last_y = bench.logistic_chunk(spec, 2)
    np.testing.assert_array_equal(X[-7:], last_X)
    np.testing.assert_array_equal(y[-7:], last_y)
    again, _ = bench.logistic_chunk(spec, 0)
    np.testing.assert_array_equal(X[: bench.CHUNK], again)  # regenerated, the same points
    assert not np.array_equal(X[:7], last_X)  # chunks are not copies of each other
    blobs = bench.all_blobs(spec)
    centers = bench.blob_centers(spec)
    nearest = ((blobs[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    assert len(np.unique(nearest)) == 4  # every blob has points
    np.testing.assert_array_equal(bench.initial_centers(spec), blobs[:4])


def test_a_model_off_by_more_than_the_tolerance_is_a_problem():
    bench = load_bench()
    lines, problems = bench.check_agreement({}, {
        "kmeans": {"numpy": 100.0, "sparklet": 100.5, "pyspark": 102.0},
        "lr_sgd": {"numpy": 0.80, "sparklet": 0.805, "pyspark": 0.80},
        "lr_lbfgs": {"numpy": 0.80, "sparklet": 0.78},
    })
    assert problems == [
        "kmeans: PySpark 3.5.3 disagrees with numpy limit (102.0 vs 100.0)",
        "lr_lbfgs: sparklet disagrees with numpy limit (0.78 vs 0.8)",
    ]
    assert lines[0].endswith("NOT within 1%") and lines[1].endswith("agree within 0.01")
