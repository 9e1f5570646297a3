"""Crash recovery with real processes: the word count app (apps/wordcount_app.py) is
SIGKILLed at chosen and at random points, restarted through getOrCreate, and what it wrote
in the end -- saveAsTextFiles directories, the transactional SQLite sink, the
updateStateByKey totals and mapWithState's running counts -- must equal an uninterrupted
run: nothing lost, nothing twice.

Batches are 0.2 s on the system clock; the input is a deterministic queue that is part of
the checkpoint (by position), so every batch time gets the same input in every run.
"""

from __future__ import annotations

import random

import pytest
from recovery_helpers import AppRun, expected, load_app, observed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

APP = load_app()
EXPECTED = expected(APP)


def _assert_matches_uninterrupted(run: AppRun) -> None:
    got = observed(run)
    assert got["counts"] == EXPECTED["counts"]
    assert got["totals"] == EXPECTED["totals"]
    assert got["occurrences"] == EXPECTED["occurrences"]  # each (word, n) exactly once


def test_uninterrupted_run(tmp_path):
    run = AppRun(tmp_path)
    assert run.run() == 0, run.logs
    _assert_matches_uninterrupted(run)
    assert observed(run)["sql_batches"] == APP.NUM_BATCHES


def test_sigkill_at_random_points_recovers_exactly_once(tmp_path):
    rnd = random.Random(20261125)
    run = AppRun(tmp_path)
    # Killed while writing a checkpoint, after a batch's SQL output committed but before
    # the batch completed, and at random moments (mid-batch, between batches, at start).
    assert run.run("--crash", "checkpoint:7") == -9, run.logs
    assert run.kill_after(rnd.uniform(1.0, 1.8)) in (-9, 0)
    assert run.run("--crash", "output:3") == -9, run.logs
    assert run.kill_after(rnd.uniform(1.0, 1.8)) in (-9, 0)
    assert run.run("--crash", "checkpoint:5") in (-9, 0)
    assert run.run() == 0, run.logs
    started = [log for log in run.logs[1:] if "started" in log]  # a kill may come earlier
    assert started and all("started recovered=True" in log for log in started), run.logs
    _assert_matches_uninterrupted(run)


def test_worker_killed_in_the_middle_of_a_batch(tmp_path):
    """A worker process dies while mapping a batch: its task reruns on a replacement and
    the batch completes with the right result (local[2,4]: up to 4 attempts a task)."""
    run = AppRun(tmp_path)
    marker = tmp_path / "worker-killed"
    assert run.run("--master", "local[2,4]", "--kill-worker-once", str(marker)) == 0, run.logs
    assert marker.exists()  # a worker really was killed
    _assert_matches_uninterrupted(run)


def test_upgrade_between_crash_and_restart(tmp_path):
    """Version 2 changes the map function and adds an output; state and positions resume."""
    run = AppRun(tmp_path)
    assert run.run("--crash", "output:6") == -9, run.logs
    assert run.run("--version", "2") == 0, run.logs
    _assert_matches_uninterrupted(run)
    sizes = [b for b in run.read_batches("sizes") if b not in ([], [0])]
    assert sizes and all(b == [APP.WORDS_PER_BATCH] for b in sizes)
    assert len(sizes) < APP.NUM_BATCHES  # only batches after the upgrade have it


def test_sigterm_stops_gracefully(tmp_path):
    """spark.streaming.stopGracefullyOnShutdown: SIGTERM lets generated batches finish,
    and the process exits 0 with no batch left pending in its last checkpoint."""
    import signal
    import time

    from sparklet.streaming.recovery.checkpoint import latest_checkpoint

    run = AppRun(tmp_path)
    proc = run.start("--wait-for-sigterm")
    deadline = time.monotonic() + 60
    while len(run.batch_dirs("totals")) < 3 and time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    started = len(run.batch_dirs("totals")) >= 3  # the app runs and has its handler
    proc.send_signal(signal.SIGTERM)
    assert run.finish(proc, timeout=60) == 0, run.logs
    assert started, run.logs
    run.read_batches("counts")  # every directory complete
    payload, path = latest_checkpoint(run.checkpoint)
    assert payload["pending_times"] == [], path
    assert path.endswith("-c")


def test_corrupt_newest_checkpoint_after_a_crash(tmp_path):
    """The newest checkpoint file is torn after a crash: the restart reports it by name,
    resumes from the previous one (rerunning more batches) and the outputs stay exact."""
    import fsspec

    from sparklet.streaming.recovery.checkpoint import list_checkpoint_files

    run = AppRun(tmp_path)
    assert run.run("--crash", "output:5") == -9, run.logs
    newest = list_checkpoint_files(fsspec.filesystem("file"), run.checkpoint)[0]
    raw = open(newest, "rb").read()
    open(newest, "wb").write(raw[: len(raw) - 10])
    assert run.run() == 0, run.logs
    assert f"Ignoring checkpoint file {newest}" in run.logs[1], run.logs[1]
    _assert_matches_uninterrupted(run)
