"""The executor process: receives tasks over a socket, runs them, sends results back.

Run as ``python -m sparklet.backends.worker FD`` with ``PYTHONHASHSEED=0`` (as Spark starts
its Python workers), so string hashing -- and therefore hash partitioning -- is the same
in every worker and in every run.
"""

from __future__ import annotations

import collections
import importlib
import logging
import os
import queue
import select
import signal
import struct
import sys
import threading
import time
import traceback
from collections import OrderedDict

from sparklet import serializers
from sparklet.env import SparkEnv
from sparklet.scheduler.task import TaskResult, run_task

__all__ = ["worker_main", "handle_control", "task_message", "binary_to_send", "cached_binary"]

log = logging.getLogger(__name__)

# Stage binaries a worker keeps, newest first; the driver mirrors this cache per worker.
MAX_CACHED_BINARIES = 64


def binary_to_send(held: OrderedDict, key: str, binary: bytes) -> bytes | None:
    """On the driver: the stage binary a task must carry to its executor, None if the
    executor holds it. ``held`` mirrors the executor's cache (:func:`cached_binary`) insert
    for insert."""
    if key in held:
        return None
    held[key] = True
    if len(held) > MAX_CACHED_BINARIES:
        held.popitem(last=False)
    return binary


def cached_binary(cache: OrderedDict, key: str, binary: bytes | None) -> bytes:
    """On an executor: the stage binary of a task, kept if it came with the task (the
    newest MAX_CACHED_BINARIES are), else the one kept."""
    if binary is None:
        return cache[key]
    cache[key] = binary
    if len(cache) > MAX_CACHED_BINARIES:
        cache.popitem(last=False)
    return binary


def handle_control(env: SparkEnv, message: tuple) -> None:
    """Apply a control message from the driver (cleanup of blocks, shuffles, broadcasts)."""
    kind = message[0]
    if kind == "remove_rdd":
        env.block_manager.remove_rdd(message[1])
    elif kind == "remove_shuffle":
        env.block_manager.remove_shuffle(message[1])
    elif kind == "drop_broadcast":
        env.drop_broadcast(message[1])
    elif kind == "remove_blocks":
        for block_id in message[1]:
            env.block_manager.remove_block(block_id, None)


def apply_memory_limit(conf: dict) -> None:
    """Cap this process's address space at ``spark.executor.pyspark.memory``, as PySpark's
    workers do (``RLIMIT_AS``; an allocation past it raises MemoryError in the task). An
    existing lower limit is kept."""
    text = conf.get("spark.executor.pyspark.memory")
    if not text:
        return
    try:
        import resource
    except ImportError:  # not on this platform (Windows): PySpark skips the limit too
        return
    from sparklet.util import parse_mebibytes

    limit = parse_mebibytes(text) * 1024 * 1024
    if limit <= 0:
        return
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY or limit < soft:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError) as e:
        log.warning("Failed to set memory limit: %s", e)


_python_includes: list[str] = []


def prepare_imports(env: SparkEnv, includes: list[str] | None) -> None:
    """Before each task, as PySpark's worker: the SparkFiles root and every ``addPyFile``
    path go first on ``sys.path``, and the import system forgets what it found missing, so
    a module added since an import of it failed here is found now."""
    if includes is not None:
        _python_includes[:] = includes
    for path in (env.files_dir, *_python_includes):
        if path not in sys.path:
            sys.path.insert(1, path)
    importlib.invalidate_caches()  # also drops negative sys.path_importer_cache entries


def _run_and_reply(task, binary: bytes, env: SparkEnv, send, pool=None) -> None:
    if pool is not None:  # the task's share of this executor's custom resources
        task.resources = pool.acquire()
    try:
        result = run_task(task, binary, env)
    finally:
        if pool is not None:
            pool.release(task.resources)
    try:
        payload = serializers.dumps(result)
    except Exception as e:  # noqa: BLE001 - e.g. an unpicklable value in the result
        payload = serializers.dumps(TaskResult(
            task.task_id, "failed", error="Task result could not be serialized: %r" % e,
            executor_id=env.executor_id))
    send(payload)


# A task frame: this tag, the pickled (task, key, includes) behind its length, then the stage
# binary as is. The binary stays out of the pickle so that ``serializers.dumps`` does not
# find the user's ``__main__`` functions in it and redo the whole message with cloudpickle.
_TASK_TAG = b"T"
_HEADER_LEN = struct.Struct("<I")


def task_message(task, binary_key: str, binary: bytes | None,
                 includes: list[str] | None) -> bytes:
    """The frame that hands ``task`` to a worker (``binary`` None: the worker has it)."""
    header = serializers.dumps((task, binary_key, binary is not None, includes))
    return b"".join((_TASK_TAG, _HEADER_LEN.pack(len(header)), header, binary or b""))


def _read_task(data: bytes) -> tuple:
    """A task frame back as ``("task", task, key, binary or None, includes)``."""
    (size,) = _HEADER_LEN.unpack_from(data, 1)
    start = 1 + _HEADER_LEN.size
    task, key, has_binary, includes = serializers.loads(memoryview(data)[start:start + size])
    return "task", task, key, data[start + size:] if has_binary else None, includes


_APPLIED = object()  # what _receive_one returns for a control message it applied


def _receive_one(conn, env: SparkEnv):
    """Read one message: a task's, None for a stop (or a driver gone), or ``_APPLIED`` for
    a control message, applied at once."""
    try:
        data = conn.recv_bytes()
    except (EOFError, OSError):
        return None
    message = _read_task(data) if data[:1] == _TASK_TAG else serializers.loads(data)
    kind = message[0]
    if kind == "task":
        return message
    if kind == "control":
        try:
            handle_control(env, message[1])
        except Exception:  # noqa: BLE001 - a failed cleanup must not end the channel
            traceback.print_exc()
        return _APPLIED
    return None if kind == "stop" else _APPLIED


def _receive(conn, env: SparkEnv):
    """The driver's next task, or None (stop); control messages on the way are applied."""
    while (message := _receive_one(conn, env)) is _APPLIED:
        pass
    return message


def _read_channel(conn, env: SparkEnv, tasks: queue.SimpleQueue) -> None:
    """Read the driver's channel for the worker's whole life, also while tasks run: an
    executor of several slots gets tasks while others run. Tasks go to the main thread."""
    while (message := _receive(conn, env)) is not None:
        tasks.put(message)
    tasks.put(None)


class _OneSlotChannel:
    """The driver's channel of a one-slot executor, read by the main thread between tasks.

    A task then starts without a hand-off from a reader thread (a wake-up of the main
    thread, a good part of a tiny task's latency). But a receiver is a task that runs until
    the stream stops; if control messages were read only between tasks, the driver's
    cleanups for that worker would pile up in the socket until its buffer filled and the
    driver's sender blocked for good. So once a task has run for ``LEND_AFTER`` seconds,
    a watcher thread borrows the channel and applies control messages until the task ends;
    whatever else it reads (the next task, a stop) waits for the main thread.
    """

    LEND_AFTER = 0.1

    def __init__(self, conn, env: SparkEnv):
        self.conn, self.env = conn, env
        self._reading = threading.Lock()  # held by whoever may read the channel
        self._reading.acquire()
        self._busy_since: float | None = None
        self._want_back = False
        self._lent = False
        self._waiting: collections.deque = collections.deque()  # read by the watcher
        self._wake_r, self._wake_w = os.pipe()
        threading.Thread(target=self._watch, daemon=True,
                         name="sparklet-worker-channel").start()

    def next_task(self):
        """The next task message, or None when the worker should stop."""
        if self._waiting:
            return self._waiting.popleft()
        return _receive(self.conn, self.env)

    def task_started(self) -> None:
        self._busy_since = time.monotonic()
        self._reading.release()

    def task_finished(self) -> None:
        self._busy_since = None
        self._want_back = True
        if self._lent:
            os.write(self._wake_w, b"x")
        self._reading.acquire()
        self._want_back = False

    def _watch(self) -> None:
        while True:
            time.sleep(self.LEND_AFTER)
            since = self._busy_since
            if since is None or time.monotonic() - since < self.LEND_AFTER:
                continue
            if not self._reading.acquire(blocking=False):
                continue
            try:
                self._lent = True
                self._serve_while_lent()
            finally:
                self._lent = False
                self._reading.release()

    def _serve_while_lent(self) -> None:
        poller = select.poll()
        poller.register(self.conn.fileno(), select.POLLIN)
        poller.register(self._wake_r, select.POLLIN)
        while not self._want_back:
            ready = {fd for fd, _ in poller.poll()}
            if self._wake_r in ready:
                os.read(self._wake_r, 4096)
                continue
            if self._want_back:
                return
            message = _receive_one(self.conn, self.env)
            if message is _APPLIED:
                continue
            self._waiting.append(message)
            if message is None:
                return  # the driver is gone or said stop: the main thread will see it


def worker_main(conn) -> None:
    # Ctrl-C goes to the whole process group; the driver decides what happens to its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from sparklet.util import DEEP_RECURSION_LIMIT

    sys.setrecursionlimit(max(sys.getrecursionlimit(), DEEP_RECURSION_LIMIT))
    spec, driver_path, *rest = serializers.loads(conn.recv_bytes())
    slots = rest[0] if rest else 1
    resources = rest[1] if len(rest) > 1 else None
    if not os.path.isdir(spec.local_dir):
        os._exit(0)  # the application stopped while this worker was starting
    sys.path[:] = driver_path
    apply_memory_limit(spec.conf)
    env = SparkEnv(spec)
    send_lock = threading.Lock()

    def send(payload: bytes) -> None:
        with send_lock:  # a task's own threads (receivers) may report while it runs
            conn.send_bytes(payload)

    env.send_to_driver = lambda message: send(serializers.dumps(("message", message)))
    SparkEnv.set(env)
    binaries: OrderedDict[str, bytes] = OrderedDict()
    address_pool = None
    if resources is not None:
        from sparklet.resource.allocation import AddressPool

        address_pool = AddressPool(*resources)
    # An executor of several cores (local-cluster) runs its tasks on that many threads.
    slot_pool = None
    if slots > 1:
        from concurrent.futures import ThreadPoolExecutor

        slot_pool = ThreadPoolExecutor(slots, thread_name_prefix="sparklet-task")
    if slot_pool is None:
        channel = _OneSlotChannel(conn, env)
        next_task = channel.next_task
    else:
        tasks: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=_read_channel, args=(conn, env, tasks), daemon=True,
                         name="sparklet-worker-channel").start()
        next_task = tasks.get
    while True:
        message = next_task()
        if message is None:
            break  # stop, or the driver is gone
        _, task, key, binary, *extra = message
        binary = cached_binary(binaries, key, binary)
        prepare_imports(env, extra[0] if extra else None)
        if slot_pool is None:
            channel.task_started()
            try:
                _run_and_reply(task, binary, env, send, address_pool)
            finally:
                channel.task_finished()
        else:
            slot_pool.submit(_run_and_reply, task, binary, env, send, address_pool)
    os._exit(0)


if __name__ == "__main__":
    from multiprocessing.connection import Connection

    worker_main(Connection(int(sys.argv[1])))
