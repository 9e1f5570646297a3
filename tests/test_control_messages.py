"""Control messages (cleanups) reach a worker while it runs a task, and never block the
driver thread that issues them: a receiver is a task that runs until its stream stops, and
the cleanups of every batch go to its worker too."""

from __future__ import annotations

import os
import threading
import time

import pytest

from sparklet import SparkConf

# The local backend's control channel to its worker processes.
pytestmark = pytest.mark.local_backend

TIMEOUT = 60.0


def _wait_for_file(path: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.01)
    return False


def test_control_messages_flow_while_a_task_runs(make_context, tmp_path):
    ctx = make_context(SparkConf().setMaster("local[1]"))
    started, release = str(tmp_path / "started"), str(tmp_path / "release")

    def long_task(it):
        open(started, "w").close()
        if not _wait_for_file(release, TIMEOUT):
            raise RuntimeError("never released")
        return [sum(it)]

    results: list = []
    job = threading.Thread(target=lambda: results.append(
        ctx.parallelize(range(10), 1).mapPartitions(long_task).collect()), daemon=True)
    job.start()
    assert _wait_for_file(started, TIMEOUT)

    # Far more than a socket buffer holds (~20 MB). Unknown kinds are ignored by workers.
    payload = b"x" * 4096
    sender = threading.Thread(target=lambda: [
        ctx._backend.broadcast_message(("noop", i, payload)) for i in range(5000)],
        daemon=True)
    sender.start()
    sender.join(TIMEOUT)
    assert not sender.is_alive(), "broadcast_message blocked the calling thread"
    # Delivered while the one worker is still busy with its task: it reads its channel
    # on its own thread.
    assert ctx._backend.wait_control_delivered(TIMEOUT)
    assert ctx._backend.pending_control_messages() == 0
    assert not results

    open(release, "w").close()
    job.join(TIMEOUT)
    assert results == [[45]]
    # And the channel still carries tasks in order afterwards.
    assert ctx.parallelize(range(4), 1).map(lambda x: x * 2).collect() == [0, 2, 4, 6]
