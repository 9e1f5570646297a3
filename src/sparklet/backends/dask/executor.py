"""The executor side of the Dask backend: what runs inside a Dask worker process.

A Dask worker hosts one sparklet executor per application that sends it tasks, created by
its first task (every task carries the application's setup, a few kilobytes, so a worker
that joins the cluster late needs nothing else). The executor's scratch directory is under
the worker's own ``local_directory``: nothing here assumes the driver's disk is reachable.

Data moves worker to worker over Dask's own RPC layer: the executor registers a handler on
its worker (``sparklet_shuffle_fetch``), and a reduce task asks the worker holding a map
output for its spans. Broadcast values and added files are Dask data scattered by the
driver; the executor learns their keys from control messages and reads them from its
worker's memory (or has Dask fetch them).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import sys
import tarfile
import threading
from collections import OrderedDict
from typing import Any

from sparklet import serializers
from sparklet.backends.worker import (
    _read_task,
    cached_binary,
    handle_control,
    prepare_imports,
)
from sparklet.env import EnvSpec, SparkEnv
from sparklet.storage.blockmanager import BlockManager, rdd_block_id

__all__ = ["run_dask_task", "apply_controls", "drop_application", "FETCH_HANDLER"]

log = logging.getLogger(__name__)

FETCH_HANDLER = "sparklet_shuffle_fetch"
BLOCK_HANDLER = "sparklet_block_fetch"
PUT_HANDLER = "sparklet_block_put"
# Seconds a task tries to connect to a peer's worker (for a map output, a block). A worker
# that died leaves a port that refuses connections, and Dask's connect retries those for
# its whole connect timeout (``distributed.comm.timeouts.connect``, 30 s): this long a
# wait, and the task's thread (a worker's only one, often) with it, before the fetch fails
# and the map output is recomputed. A live worker on this network answers in milliseconds.
PEER_CONNECT_TIMEOUT = 5.0

# (application id, executor id) -> the executor on this worker. By both: a worker the
# scheduler dropped (missed heartbeats) and took back is a new executor to the driver,
# and must not answer for the old one's map outputs.
_executors: dict[tuple[str, str], DaskExecutor] = {}
_executors_lock = threading.Lock()


_this_worker = None   # the Dask worker of this process, once a task has run here


def _worker():
    """This process's Dask worker, also from threads Dask did not start (a receiver's)."""
    global _this_worker
    if _this_worker is None:
        from distributed import get_worker

        _this_worker = get_worker()
    return _this_worker


def _scattered(key: str) -> Any:
    """Data the driver scattered: from this worker's memory, else from a worker holding it.

    Scattered to every worker, it does not stay on every worker: Dask's active memory
    manager (on by default) drops the replicas no task depends on within seconds, keeping
    one. Then the holders are asked of the scheduler and the data fetched from one, as Dask
    fetches a task's inputs. (A ``Future`` made here for the key would never finish: a
    client no longer tells the scheduler it wants a key it did not submit.)"""
    worker = _worker()
    try:
        return worker.data[key]
    except KeyError:
        pass
    from distributed.utils import sync
    from distributed.utils_comm import gather_from_workers

    async def fetch():
        who_has = await worker.scheduler.who_has(keys=[key])
        data, _, _, _ = await gather_from_workers(
            {key: who_has.get(key) or ()}, worker.rpc, who=worker.address)
        return data

    data = sync(worker.loop, fetch)
    if key not in data:
        raise KeyError("no Dask worker holds %s, data the driver scattered (its worker "
                       "died, or the driver forgot it)" % key)
    return data[key]


class DaskBlockManager(BlockManager):
    """A block manager whose peers are other Dask workers: map outputs held elsewhere are
    fetched from their worker, never read from a path."""

    shared_disk = False

    def __init__(self, spec: EnvSpec, executor: DaskExecutor):
        super().__init__(spec)
        self._executor = executor

    def fetch_remote_spans(self, executor_id: str, requests: list[tuple]) -> list | None:
        """The bytes of ``(shuffle_id, map_id, offset, length)`` spans of an executor's map
        outputs (None for one it no longer has); None if the executor cannot be reached."""
        return self._call(executor_id, FETCH_HANDLER, executor_id=executor_id,
                          requests=requests)

    def fetch_remote_block(self, executor_id: str, block_id: str) -> bytes | None:
        return self._call(executor_id, BLOCK_HANDLER, executor_id=executor_id,
                          block_id=block_id)

    def replicate_block(self, block_id: str, data: bytes, level, copies: int) -> list[str]:
        """Copies on the next ``copies`` executors after this one (in id order, so the
        copies of a receiver's blocks spread the same way every time)."""
        if copies <= 0:
            return []
        def order(e: str) -> tuple:
            return (int(e) if e.isdigit() else 0, e)

        peers = sorted((e for e in self._executor.addresses if e != self.executor_id),
                       key=order)
        mine = order(self.executor_id)
        later = [e for e in peers if order(e) > mine] + [e for e in peers if order(e) < mine]
        stored = []
        for peer in later:
            if len(stored) == copies:
                break
            if self._call(peer, PUT_HANDLER, executor_id=peer, setup=self._executor.setup,
                          block_id=block_id, data=data,
                          level=(level.useDisk, level.useMemory)):
                stored.append(peer)
        return stored

    def _call(self, target: str, handler: str, **kwargs):
        """A worker RPC to executor ``target``'s worker (None if it cannot be reached)."""
        address = self._executor.addresses.get(target)
        if address is None:
            log.info("%s: executor %s is not among %s (lost?)", handler, target,
                     self._executor.addresses)
            return None
        from distributed.utils import sync

        try:
            return sync(_worker().loop, self._rpc, address, handler, kwargs)
        except Exception as e:  # noqa: BLE001 - a worker gone, a broken connection
            log.info("%s to executor %s (%s) failed: %s", handler, target, address, e)
            return None

    async def _rpc(self, address: str, handler: str, kwargs: dict):
        """One call as the worker's pooled RPC, with a connect timeout of our own."""
        from distributed.core import send_recv

        worker = _worker()
        comm = await worker.rpc.connect(address, timeout=PEER_CONNECT_TIMEOUT)
        try:
            return await send_recv(comm, op=handler, app_id=self._executor.app_id, **kwargs)
        finally:
            worker.rpc.reuse(address, comm)

    def get_or_compute_block(self, rdd, split, context):
        """As the local block manager's, but a block cached by another executor is read
        from it (every peer asked at once) before it is computed here, as Spark reads a
        remote cached block; it is not cached here again."""
        block_id = rdd_block_id(rdd.id(), split.index)
        # Not for an RDD that keeps its block in a container of its own (a stateful RDD's
        # state map): the copy that travels is a plain list.
        plain = getattr(rdd, "_block_values", None) is None
        if plain and self.get_local_values(block_id) is None:
            data = self._from_any_peer(block_id)
            if data is not None:
                values = serializers.loads(data)
                if context is not None:  # a cached block read is input, as in Spark
                    context._metrics["inputRecords"] += len(values)
                return values
        return super().get_or_compute_block(rdd, split, context)

    def _from_any_peer(self, block_id: str) -> bytes | None:
        from distributed.utils import sync

        peers = {e: a for e, a in self._executor.addresses.items() if e != self.executor_id}
        if not peers:
            return None

        async def ask_all():
            answers = await asyncio.gather(
                *(self._rpc(a, BLOCK_HANDLER, {"executor_id": e, "block_id": block_id})
                  for e, a in peers.items()), return_exceptions=True)
            return next((x for x in answers if isinstance(x, bytes)), None)

        try:
            return sync(_worker().loop, ask_all)
        except Exception as e:  # noqa: BLE001 - then it is computed here
            log.info("could not ask the peers for %s: %s", block_id, e)
            return None

    def read_own_spans(self, requests: list[tuple]) -> list:
        spans = []
        for shuffle_id, map_id, offset, length in requests:
            path = self.shuffle_data_path(self.executor_id, shuffle_id, map_id)
            try:
                with open(path, "rb") as fh:
                    fh.seek(offset)
                    data = fh.read(length)
            except FileNotFoundError:
                data = None
            spans.append(data if data is not None and len(data) == length else None)
        return spans


class _DaskEnv(SparkEnv):
    """A worker's env for one application: broadcasts come from Dask's memory."""

    def __init__(self, spec: EnvSpec, executor: DaskExecutor):
        self._executor = executor
        super().__init__(spec)

    def _make_block_manager(self, spec: EnvSpec) -> BlockManager:
        return DaskBlockManager(spec, self._executor)

    def broadcast_value(self, bid: int, path: str) -> Any:
        key = self._executor.broadcast_keys.get(bid)
        if key is None:
            return super().broadcast_value(bid, path)
        with self._broadcast_lock:
            if bid in self._broadcast_values:
                return self._broadcast_values[bid]
        # Fetched without the lock: a fetch needs the worker's event loop, and that loop
        # takes the lock to drop a broadcast (a control message) -- it would wait for us.
        value = serializers.loads(_scattered(key))
        with self._broadcast_lock:
            return self._broadcast_values.setdefault(bid, value)


class DaskExecutor:
    """One application's executor inside a Dask worker."""

    def __init__(self, app_id: str, executor_id: str, setup: bytes):
        """``setup``: the driver's pickled (EnvSpec, sys.path), as every task carries it."""
        driver_spec, driver_path = serializers.loads(setup)
        worker = _worker()
        self.app_id = app_id
        self.executor_id = executor_id
        self.driver_files_dir = os.path.join(driver_spec.local_dir, "files")
        local_dir = os.path.join(worker.local_directory, "sparklet-%s" % app_id)
        self.local_dir = local_dir
        conf = dict(driver_spec.conf)
        # Map outputs stay on this worker: none travels inside its status to the driver.
        conf["spark.sparklet.shuffle.inlineMaxBytes"] = "0"
        if worker.memory_manager.memory_limit and "spark.executor.memory" not in conf:
            # The block manager's share of what Dask lets this worker use.
            conf["spark.executor.memory"] = "%db" % int(worker.memory_manager.memory_limit)
        self.addresses: dict[str, str] = {}
        self.broadcast_keys: dict[int, str] = {}
        self._pending_files: list[tuple[str, str, bool]] = []
        self.applied = 0   # sequence number of the last control message applied
        self._lock = threading.RLock()
        self._files_lock = threading.Lock()   # one task fetches the files; the rest wait
        self.binaries: OrderedDict[str, bytes] = OrderedDict()
        self.includes: list[str] = []   # this executor's addPyFile paths, for every task
        self.running: dict[int, int] = {}   # task id -> ident of the thread running it
        self.setup = setup   # for the peers it creates executors on (received blocks)
        self.env = _DaskEnv(EnvSpec(app_id, executor_id, local_dir, conf), self)
        os.makedirs(self.env.files_dir, exist_ok=True)
        # Functions pickled by reference import from the driver's path: the entries that
        # exist here too (a shared or identical file system) go at the end of ours.
        for entry in driver_path:
            if entry and entry not in sys.path and os.path.isdir(entry):
                sys.path.append(entry)

    # -- control messages ------------------------------------------------------------------

    def apply(self, controls: list[tuple[int, tuple]]) -> None:
        """Apply the driver's control messages newer than the last applied, in order. They
        come with tasks and from the driver's sender, so one may arrive twice."""
        with self._lock:
            for seq, message in controls:
                if seq <= self.applied:
                    continue
                self.applied = seq
                try:
                    self._apply_one(message)
                except Exception:  # noqa: BLE001 - a failed cleanup must not fail tasks
                    log.exception("sparklet executor %s: control message %r failed",
                                  self.executor_id, message[0])

    def _apply_one(self, message: tuple) -> None:
        kind = message[0]
        if kind == "addresses":
            self.addresses = dict(message[1])
        elif kind == "broadcast_key":
            self.broadcast_keys[message[1]] = message[2]
        elif kind == "forget_broadcast":
            self.broadcast_keys.pop(message[1], None)
            self.env.drop_broadcast(message[1])
        elif kind == "add_file":
            # Fetched by the next task's thread: this may run on the worker's event loop.
            # A file scattered again (its data was lost with a worker) replaces the older.
            self._pending_files = [f for f in self._pending_files if f[0] != message[1]]
            self._pending_files.append(message[1:])
        else:
            handle_control(self.env, message)

    def _fetch_files(self) -> None:
        """Fetch the added files this executor has not got yet, before a task runs.

        Not under ``_lock``: a fetch may need the worker's event loop, where control
        messages take ``_lock`` (a deadlock). A file leaves the list once it is here, so
        a failed fetch is tried again by the next task."""
        with self._files_lock:
            while True:
                with self._lock:
                    if not self._pending_files:
                        return
                    entry = self._pending_files[0]
                name, key, is_dir = entry
                data = _scattered(key)
                target = os.path.join(self.env.files_dir, name)
                if is_dir:
                    shutil.rmtree(target, ignore_errors=True)
                    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                        tar.extractall(self.env.files_dir, filter="data")
                else:
                    tmp = target + ".tmp"
                    with open(tmp, "wb") as fh:
                        fh.write(data)
                    os.replace(tmp, target)
                with self._lock:
                    self._pending_files = [f for f in self._pending_files if f is not entry]

    # -- tasks -----------------------------------------------------------------------------

    def run(self, frame: bytes) -> bytes:
        from sparklet.scheduler.task import TaskResult, run_task

        _, task, key, binary, includes = _read_task(frame)
        with self._lock:
            # The binary and the python includes are kept before files are fetched: the
            # driver sends each once per executor, so a task failing in its fetch must not
            # leave the tasks after it without them.
            binary = cached_binary(self.binaries, key, binary)
            if includes is not None:
                self.includes = [self._local_path(p) for p in includes]
            includes = self.includes
        self._fetch_files()
        # Every time: the worker's include list is shared by the applications it serves.
        prepare_imports(self.env, includes)
        SparkEnv.set(self.env)
        self.running[task.task_id] = threading.get_ident()
        try:
            result = run_task(task, binary, self.env)
        except TaskKilled:  # landed after run_task had caught what it could
            result = TaskResult(task.task_id, "failed", error="task killed",
                                executor_id=self.executor_id)
        finally:
            self.running.pop(task.task_id, None)
        try:
            return serializers.dumps(result)
        except Exception as e:  # noqa: BLE001 - e.g. an unpicklable value in the result
            return serializers.dumps(TaskResult(
                task.task_id, "failed", error="Task result could not be serialized: %r" % e,
                executor_id=self.executor_id))

    def _local_path(self, path: str) -> str:
        """A driver path under its files directory, as this executor's copy of it."""
        if path == self.driver_files_dir or path.startswith(self.driver_files_dir + os.sep):
            return self.env.files_dir + path[len(self.driver_files_dir):]
        return path

    def read_spans(self, requests: list[tuple]) -> list:
        return self.env.block_manager.read_own_spans(requests)

    def destroy(self) -> None:
        # A worker outlives many applications: their import paths go with them.
        sys.path[:] = [p for p in sys.path if not p.startswith(self.local_dir)]
        self.env.block_manager.destroy()
        shutil.rmtree(self.local_dir, ignore_errors=True)
        if SparkEnv.get() is self.env:
            SparkEnv.set(None)


async def _serve_shuffle_fetch(app_id: str, executor_id: str, requests: list) -> list | None:
    """The worker RPC a peer's reduce task calls for this worker's map output spans."""
    executor = _executors.get((app_id, executor_id))
    if executor is None:
        log.info("shuffle fetch for executor %s of %s, which is not here", executor_id,
                 app_id)
        return None
    return await asyncio.get_running_loop().run_in_executor(None, executor.read_spans,
                                                            requests)


async def _serve_block_fetch(app_id: str, executor_id: str, block_id: str) -> bytes | None:
    """The worker RPC a peer's task calls for a block this worker's executor keeps."""
    executor = _executors.get((app_id, executor_id))
    if executor is None:
        return None
    return await asyncio.get_running_loop().run_in_executor(
        None, executor.env.block_manager.get_local_bytes, block_id)


async def _serve_block_put(app_id: str, executor_id: str, setup: bytes, block_id: str,
                           data: bytes, level: tuple) -> bool:
    """The worker RPC a peer's receiver calls to leave a copy of a block here (creating
    this worker's executor if no task has yet)."""
    from sparklet.storagelevel import StorageLevel

    def put() -> bool:
        executor = _executor(app_id, executor_id, setup)
        return executor.env.block_manager.put(block_id, data,
                                              StorageLevel(*level, False, False), None)

    return await asyncio.get_running_loop().run_in_executor(None, put)


def _executor(app_id: str, executor_id: str, setup: bytes) -> DaskExecutor:
    with _executors_lock:
        executor = _executors.get((app_id, executor_id))
        if executor is None:
            executor = _executors[app_id, executor_id] = DaskExecutor(app_id, executor_id,
                                                                      setup)
        return executor


def install(worker) -> None:
    """Make a worker serve its executors' data to peers (the worker RPC handlers); run on
    every worker the cluster has or will have, by :class:`SparkletWorkerPlugin`."""
    global _this_worker
    _this_worker = worker
    worker.handlers[FETCH_HANDLER] = _serve_shuffle_fetch
    worker.handlers[BLOCK_HANDLER] = _serve_block_fetch
    worker.handlers[PUT_HANDLER] = _serve_block_put


def worker_plugin():
    """The Dask WorkerPlugin that installs sparklet on each worker, joining ones included."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class SparkletWorkerPlugin(WorkerPlugin):
        name = "sparklet"

        def setup(self, worker):
            install(worker)

    return SparkletWorkerPlugin()


def run_dask_task(app_id: str, executor_id: str, setup: bytes, controls: list,
                  frame: bytes) -> bytes:
    """The Dask task that runs one sparklet task: its pickled TaskResult comes back."""
    executor = _executor(app_id, executor_id, setup)
    executor.apply(controls)
    return executor.run(frame)


class TaskKilled(BaseException):
    """Raised inside the thread of a task whose job was cancelled with interruption."""


async def interrupt_task(app_id: str, task_id: int) -> bool:
    """Raise :class:`TaskKilled` in a running task's thread (at its next bytecode; a thread
    blocked in C code sees it when that call returns): Dask cannot cancel a running task,
    and a cancelled job's tasks must not hold the worker's threads. A coroutine, so the
    driver can send it without waiting (Dask runs only those that way)."""
    import ctypes

    idents = [e.running[task_id] for (app, _), e in list(_executors.items())
              if app == app_id and task_id in e.running]
    if not idents:
        return False
    ident = idents[0]
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                               ctypes.py_object(TaskKilled))
    return True


def apply_controls(app_id: str, executor_id: str, controls: list) -> int | None:
    """Run by the driver's control sender on each worker (``Client.run``, on the worker's
    event loop: nothing here blocks). Returns the last message applied, or None if the
    application has no executor here yet (its first task brings the messages)."""
    executor = _executors.get((app_id, executor_id))
    if executor is None:
        return None
    executor.apply(controls)
    return executor.applied


def drop_application(app_id: str) -> None:
    """The application stopped: its executor and everything it stored go, and its tasks
    still running are interrupted (a worker outlives the application; its threads must not
    stay busy with a stopped one's work)."""
    import ctypes

    with _executors_lock:
        mine = [_executors.pop(key) for key in list(_executors) if key[0] == app_id]
    for executor in mine:
        for ident in list(executor.running.values()):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                                       ctypes.py_object(TaskKilled))
        executor.destroy()
