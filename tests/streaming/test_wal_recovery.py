"""End to end: a driver with a reliable receiver and the write-ahead log on is SIGKILLed
mid-stream (with its workers: the whole process group) three times, at points chosen by a
seeded random generator, and restarted each time through ``StreamingContext.getOrCreate``.
Every number the source handed over must end up in some batch's output: none lost.

A reliable receiver gives at-least-once delivery: a block that was logged but whose source
acknowledgement the kill prevented is sent again by the source, so a repeat is allowed --
at most one block per kill, never more.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]

APP = Path(__file__).parent / "apps" / "wal_receiver_app.py"
TOTAL, PER_BLOCK = 600, 10


class Run:
    def __init__(self, root: Path):
        self.root = root
        self.checkpoint, self.out, self.source = root / "cp", root / "out", root / "source"
        self.logs: list[Path] = []

    def start(self) -> subprocess.Popen:
        log = self.root / f"driver-{len(self.logs)}.log"
        self.logs.append(log)
        cmd = [sys.executable, str(APP), "--checkpoint", str(self.checkpoint), "--out",
               str(self.out), "--source", str(self.source), "--total", str(TOTAL),
               "--per-block", str(PER_BLOCK)]
        with open(log, "w") as fh:
            # A session of its own, so a kill takes the workers too, as a crashed machine.
            return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT,
                                    start_new_session=True,
                                    env=dict(os.environ, PYTHONUNBUFFERED="1"))

    def position(self) -> int:
        try:
            return int((self.source / "position").read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def output(self) -> list[int]:
        if not self.out.exists():
            return []
        return [int(line) for f in self.out.glob("batch-*.txt")
                for line in f.read_text().split()]

    def log_text(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in self.logs)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)


def _wait(predicate, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    return predicate()


def test_sigkilled_driver_loses_no_acknowledged_record(tmp_path):
    rng = random.Random(20240611)
    run = Run(tmp_path)
    kills = 0
    for _ in range(3):
        # Each run gets the source a random way further before the kill.
        target = run.position() + rng.randint(40, 150)
        proc = run.start()
        try:
            reached = _wait(lambda t=target: run.position() >= t, proc, 60)
            assert reached, f"the source never reached {target}\n{run.log_text()}"
            time.sleep(rng.uniform(0.0, 0.4))  # somewhere in a batch, a write, a checkpoint
        finally:
            _kill(proc)
        kills += 1
    acknowledged_before_last_start = run.position()

    proc = run.start()
    try:
        done = _wait(lambda: set(run.output()) >= set(range(TOTAL)), proc, 120)
    finally:
        _kill(proc)
    out = run.output()
    assert done, (f"missing {sorted(set(range(TOTAL)) - set(out))[:20]}...\n"
                  f"{run.log_text()}")
    assert set(out) == set(range(TOTAL))
    assert len(out) - TOTAL <= kills * PER_BLOCK, "more repeats than unacknowledged blocks"
    assert acknowledged_before_last_start < TOTAL  # the last run really had work left
    # Every restart recovered from the checkpoint (it did not start afresh).
    starts = [p.read_text() for p in run.logs]
    assert "STARTED" in starts[0]
    assert all("RECOVERED" in s for s in starts[1:]), run.log_text()
    # Log segments of processed batches were deleted along the way.
    segments = os.listdir(run.checkpoint / "receivedData" / "0")
    assert len(segments) <= 8, segments
