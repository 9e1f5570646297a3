"""bench/scaling.py runs end to end (``--tiny``) on local[2], dask-local[1] and dask-local[2]:
every word count it computed, RDD and per batch, equals a Counter of the same text, and the
report has its tables and the projection. Timings are not checked: in tiny mode they mean
nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench" / "scaling.py"
BACKENDS = ["local[2]", "dask-local[1]", "dask-local[2]"]

pytestmark = pytest.mark.timeout(300)


def _batch_lines():
    """The generator of the streaming batches' input (bench/_pyspark_streaming.py)."""
    sys.path.insert(0, str(BENCH.parent))
    try:
        import _pyspark_streaming
    finally:
        sys.path.remove(str(BENCH.parent))
    return _pyspark_streaming.batch_lines


def test_tiny_run_counts_every_word_right(tmp_path):
    pytest.importorskip("distributed", reason="dask-local needs dask[distributed]")
    out = tmp_path / "scaling.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.run([sys.executable, str(BENCH), "--tiny", "--keep-counts",
                           "--json", str(out)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    assert list(report["backends"]) == BACKENDS
    assert list(report["counts"]) == BACKENDS

    text = (REPO / report["corpus"]["path"]).read_text(encoding="utf-8")
    expected = Counter(text.split())
    spec = report["stream_spec"]
    batch_lines = _batch_lines()
    expected_batches = [Counter(w for line in batch_lines(spec, i) for w in line.split())
                        for i in range(spec["data_batches"])]
    assert len(expected_batches) == 3 and all(expected_batches)
    for master, counts in report["counts"].items():
        assert Counter(counts["rdd"]) == expected, master
        assert [Counter(b) for b in counts["batches"]] == expected_batches, master
    assert report["counts_identical"] is True

    for master, figures in report["backends"].items():
        assert figures["rdd_median_s"] > 0 and figures["stream_lines_per_s"] > 0, master
        tasks = figures["wordcount_tasks"]
        assert tasks["maps"] == tasks["reduces"] == report["settings"]["partitions"], master
    remote = report["backends"]["dask-local[2]"]["cost"]["shuffle_remote_fraction"]
    assert 0 < remote < 1  # two workers: part of the probe's shuffle crossed between them
    assert report["backends"]["dask-local[1]"]["cost"]["shuffle_remote_fraction"] == 0
    cases = [row["case"] for row in report["projection"]["rows"]]
    assert "10 nodes" in cases
    for heading in ("speed-up vs dask[1]", "per task ms (L)", "time = J + stage("):
        assert heading in proc.stdout
