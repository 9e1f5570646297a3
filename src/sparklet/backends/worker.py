"""The executor process: receives tasks over a socket, runs them, sends results back.

Run as ``python -m sparklet.backends.worker FD`` with ``PYTHONHASHSEED=0`` (as Spark starts
its Python workers), so string hashing -- and therefore hash partitioning -- is the same
in every worker and in every run.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections import OrderedDict

from sparklet import serializers
from sparklet.env import SparkEnv
from sparklet.scheduler.task import TaskResult, run_task

__all__ = ["worker_main", "handle_control"]

_MAX_CACHED_BINARIES = 64


def handle_control(env: SparkEnv, message: tuple) -> None:
    """Apply a control message from the driver (cleanup of blocks, shuffles, broadcasts)."""
    kind = message[0]
    if kind == "remove_rdd":
        env.block_manager.remove_rdd(message[1])
    elif kind == "remove_shuffle":
        env.block_manager.remove_shuffle(message[1])
    elif kind == "drop_broadcast":
        env.drop_broadcast(message[1])


def worker_main(conn) -> None:
    # Ctrl-C goes to the whole process group; the driver decides what happens to its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from sparklet.util import DEEP_RECURSION_LIMIT

    sys.setrecursionlimit(max(sys.getrecursionlimit(), DEEP_RECURSION_LIMIT))
    spec, driver_path = serializers.loads(conn.recv_bytes())
    sys.path[:] = driver_path
    env = SparkEnv(spec)
    send_lock = threading.Lock()

    def send(payload: bytes) -> None:
        with send_lock:  # a task's own threads (receivers) may report while it runs
            conn.send_bytes(payload)

    env.send_to_driver = lambda message: send(serializers.dumps(("message", message)))
    SparkEnv.set(env)
    binaries: OrderedDict[str, bytes] = OrderedDict()
    while True:
        try:
            message = serializers.loads(conn.recv_bytes())
        except (EOFError, OSError):
            break  # the driver is gone
        kind = message[0]
        if kind == "task":
            _, task, key, binary = message
            if binary is None:
                binary = binaries[key]
            else:
                binaries[key] = binary
                if len(binaries) > _MAX_CACHED_BINARIES:
                    binaries.popitem(last=False)
            result = run_task(task, binary, env)
            try:
                payload = serializers.dumps(result)
            except Exception as e:  # noqa: BLE001 - e.g. an unpicklable value in the result
                payload = serializers.dumps(TaskResult(
                    task.task_id, "failed", error="Task result could not be serialized: %r" % e,
                    executor_id=env.executor_id))
            send(payload)
        elif kind == "control":
            handle_control(env, message[1])
        elif kind == "stop":
            break
    os._exit(0)


if __name__ == "__main__":
    from multiprocessing.connection import Connection

    worker_main(Connection(int(sys.argv[1])))
