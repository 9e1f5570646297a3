"""The executor process: receives tasks over a socket, runs them, sends results back.

Run as ``python -m sparklet.backends.worker FD`` with ``PYTHONHASHSEED=0`` (as Spark starts
its Python workers), so string hashing -- and therefore hash partitioning -- is the same
in every worker and in every run.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import traceback
from collections import OrderedDict

from sparklet import serializers
from sparklet.env import SparkEnv
from sparklet.scheduler.task import TaskResult, run_task

__all__ = ["worker_main", "handle_control"]

# Stage binaries a worker keeps, newest first; the driver mirrors this cache per worker.
MAX_CACHED_BINARIES = 64


def handle_control(env: SparkEnv, message: tuple) -> None:
    """Apply a control message from the driver (cleanup of blocks, shuffles, broadcasts)."""
    kind = message[0]
    if kind == "remove_rdd":
        env.block_manager.remove_rdd(message[1])
    elif kind == "remove_shuffle":
        env.block_manager.remove_shuffle(message[1])
    elif kind == "drop_broadcast":
        env.drop_broadcast(message[1])


def _read_channel(conn, env: SparkEnv, tasks: queue.SimpleQueue) -> None:
    """Read the driver's channel for the worker's whole life, also while a task runs.

    A receiver is a task that runs until the stream stops; if control messages were read
    only between tasks, the driver's cleanups for that worker would pile up in the socket
    until its buffer filled and the driver's sender blocked for good. Control messages are
    applied here at once; tasks go to the main thread, which runs one at a time.
    """
    while True:
        try:
            message = serializers.loads(conn.recv_bytes())
        except (EOFError, OSError):
            break  # the driver is gone
        kind = message[0]
        if kind == "task":
            tasks.put(message)
        elif kind == "control":
            try:
                handle_control(env, message[1])
            except Exception:  # noqa: BLE001 - a failed cleanup must not end the channel
                traceback.print_exc()
        elif kind == "stop":
            break
    tasks.put(None)


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
    tasks: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_read_channel, args=(conn, env, tasks), daemon=True,
                     name="sparklet-worker-channel").start()
    while True:
        message = tasks.get()
        if message is None:
            break  # stop, or the driver is gone
        _, task, key, binary = message
        if binary is None:
            binary = binaries[key]
        else:
            binaries[key] = binary
            if len(binaries) > MAX_CACHED_BINARIES:
                binaries.popitem(last=False)
        result = run_task(task, binary, env)
        try:
            payload = serializers.dumps(result)
        except Exception as e:  # noqa: BLE001 - e.g. an unpicklable value in the result
            payload = serializers.dumps(TaskResult(
                task.task_id, "failed", error="Task result could not be serialized: %r" % e,
                executor_id=env.executor_id))
        send(payload)
    os._exit(0)


if __name__ == "__main__":
    from multiprocessing.connection import Connection

    worker_main(Connection(int(sys.argv[1])))
