"""bench/connectors.py runs: the shared connector benchmark on its socket module, tiny N,
both WAL variants; the report has its shape and every record was counted once."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "connectors.py"

pytestmark = pytest.mark.timeout(180)


def load_runner():
    spec = importlib.util.spec_from_file_location("bench_connectors_runner", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runner_on_the_socket_module(tmp_path):
    # A process of its own: the runner makes its own SparkContexts (one per variant).
    out = tmp_path / "report.json"
    src = str(BENCH.parents[1] / "src")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (src, os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.run([sys.executable, str(BENCH), "socket", "--records", "500",
                           "--repeat", "2", "--batch", "0.2", "--wal-all", "--json", str(out)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=150)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    assert report["settings"]["records"] == 500
    (result,) = report["results"]
    assert result["name"] == "socket" and result["push"] is True
    assert result["records"] == 500
    assert len(result["plain"]["seconds"]) == 2 and result["plain"]["rps"] > 0
    assert set(result["stream"]) == {"no_wal", "wal"}
    for variant, stream in result["stream"].items():
        assert stream["records"] == 500, variant
        assert stream["rps"] > 0 and stream["batches"] >= 1
        assert result["ratio"][variant] == pytest.approx(stream["rps"]
                                                         / result["plain"]["rps"])
    assert "stream/plain" in proc.stdout and "socket" in proc.stdout


def test_modules_are_found_and_checked():
    runner = load_runner()
    assert "socket" in runner.available()
    with pytest.raises(SystemExit, match="no connector module"):
        runner.load("no-such-connector")


def test_a_service_that_does_not_start_is_skipped_with_its_reason(tmp_path):
    module = tmp_path / "down.py"
    module.write_text("NAME = 'down'\n"
                      "def start():\n    raise OSError('connection refused')\n"
                      "fill = plain_consume = stream = stop = None\n")
    runner = load_runner()
    report = runner.run(runner.parse_args([str(module), "--records", "10"]), log=lambda m: None)
    assert report["results"] == [{"name": "down", "skipped": "OSError: connection refused"}]
    assert "skipped" in runner.table(report["results"])
