"""The Dask backend: sparklet's executors are the workers of a Dask distributed cluster.

Each Dask worker is one executor with as many task slots as it has threads. A task is one
Dask task pinned to its executor's worker (``Client.submit(workers=[address],
allow_other_workers=False)``): where a task runs stays the DAG scheduler's decision, as
with every backend, and retries and lost map outputs stay its business too. The executor
side is :mod:`sparklet.backends.dask.executor`.

What stays on the workers: map outputs (files in the worker's directory, fetched worker to
worker over Dask's RPC), cached blocks, broadcast values (scattered to every worker once)
and added files. Only task descriptions go out and task results come back.

Workers are watched through the scheduler: one that joins becomes an executor at once,
one that leaves is a lost executor (its tasks rerun, its map outputs are recomputed from
lineage), exactly as a dead local worker.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import sys
import tarfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from sparklet import serializers
from sparklet.backends.base import SchedulerBackend
from sparklet.backends.worker import binary_to_send, task_message
from sparklet.env import EnvSpec

__all__ = ["DaskBackend"]

log = logging.getLogger(__name__)

# How often the scheduler is asked which workers there are.
_WATCH_INTERVAL = 0.1
# How long a ``Client.run`` on workers may take. The scheduler relays it, and to a worker
# that died before the scheduler noticed it tries to connect for its whole connect timeout
# (30 s by default); a control message is only retried (it is idempotent), so waiting
# longer buys nothing -- and ``stop`` would wait that long for the sender thread.
_RUN_TIMEOUT = 2.0


@dataclass(eq=False)
class _Executor:
    executor_id: str
    address: str
    slots: int
    binaries: OrderedDict = field(default_factory=OrderedDict)  # binary keys it holds
    includes_sent: int = -1
    started: bool = False        # it has been sent a task: its executor exists or will
    pending: list = field(default_factory=list)       # (seq, message) not confirmed yet


class DaskBackend(SchedulerBackend):
    """Runs tasks on a Dask cluster: ``scheduler_address``, or one this backend starts
    (``local_workers`` single-threaded worker processes on this machine)."""

    shares_driver_disk = False

    def __init__(self, env_spec: EnvSpec, scheduler_address: str | None = None,
                 local_workers: int = 0, parallelism: int | None = None,
                 client_options: dict | None = None, cluster_options: dict | None = None):
        self.env_spec = env_spec
        self.scheduler_address = scheduler_address
        self.local_workers = local_workers
        self._parallelism = parallelism
        self.client_options = client_options or {}
        self.cluster_options = cluster_options or {}
        self.app_id = env_spec.app_id
        self.scheduler = None
        self.client = None
        self._cluster = None
        self._lock = threading.RLock()
        self._executors: dict[str, _Executor] = {}      # by executor id
        self._by_address: dict[str, _Executor] = {}
        self._ids = itertools.count()
        self._futures: dict[int, tuple] = {}            # task id -> (future, executor, seq)
        self._seq = itertools.count(1)
        self._state: dict[tuple, tuple[int, tuple]] = {}  # live state messages
        self._scattered: dict[tuple, object] = {}       # (kind, name) -> future held
        self._sources: dict[tuple, str] = {}            # (kind, name) -> the driver's file
        self._includes: list[str] = []
        self._includes_version = 0
        self._stopping = threading.Event()
        self._control_ready = threading.Condition(self._lock)
        self._setup = serializers.dumps((env_spec, list(sys.path)))
        self._watcher = threading.Thread(target=self._watch_loop, daemon=True,
                                         name="sparklet-dask-watcher")
        self._sender = threading.Thread(target=self._control_loop, daemon=True,
                                        name="sparklet-dask-control-sender")

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, scheduler) -> None:
        from distributed import Client

        self.scheduler = scheduler
        address = self.scheduler_address
        if address is None:
            from sparklet.backends.dask.cluster import LocalClusterProcess

            self._cluster = LocalClusterProcess(self.local_workers, self.cluster_options,
                                                self.env_spec.conf)
            address = self._cluster.address
        options = {"timeout": "30s", **self.client_options}
        self.client = Client(address, set_as_default=False, **options)
        if self._parallelism is not None and self._cluster is None and \
                self._slots() < self._parallelism:
            # local[N] on a named cluster of fewer slots: N tasks must be able to run at
            # once (N - 1 receivers and a batch, say), so it gets a dask-local[N] instead.
            from sparklet.backends.dask.cluster import LocalClusterProcess

            self.client.close()
            self._cluster = LocalClusterProcess(self._parallelism, self.cluster_options,
                                                self.env_spec.conf)
            self.client = Client(self._cluster.address, set_as_default=False, **options)
        # The client batches what it sends the scheduler, 10 ms apart (a private setting
        # of its BatchedSend): the second task of a stage would wait that long behind the
        # first. Unbatched, each task is one small write; measured, a 2-task job goes
        # from 20 to 15 ms.
        comm = getattr(self.client, "scheduler_comm", None)
        if comm is not None and hasattr(comm, "interval"):
            comm.interval = 0.0
        from sparklet.backends.dask.executor import worker_plugin

        self.client.register_plugin(worker_plugin())
        self._refresh_workers()
        self._watcher.start()
        self._sender.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._control_ready:
            self._control_ready.notify_all()
        for thread in (self._watcher, self._sender):
            if thread.is_alive():
                thread.join(timeout=30)
        client = self.client
        if client is not None:
            with self._lock:
                futures = [f for f, _, _ in self._futures.values()]
                self._futures.clear()
                self._scattered.clear()
            try:
                if futures:
                    client.cancel(futures)
                from sparklet.backends.dask.executor import drop_application

                client.run(drop_application, self.app_id, on_error="ignore",
                           callback_timeout=_RUN_TIMEOUT)
            except Exception:  # noqa: BLE001 - a cluster already gone
                log.debug("could not clean the application off the workers", exc_info=True)
            client.close()
        if self._cluster is not None:
            self._cluster.close()

    # -- executors -------------------------------------------------------------------------

    def _workers(self) -> dict:
        """The scheduler's workers, asked of the scheduler itself: Client.scheduler_info
        returns the client's cached identity, which its own periodic refresh overwrites
        with one listing no workers -- read at the wrong moment, there would be none."""
        return self.client.sync(self.client.scheduler.identity, n_workers=-1)["workers"]

    def _slots(self) -> int:
        workers = self._workers()
        return sum(int(info.get("nthreads", 1)) for info in workers.values())

    def _watch_loop(self) -> None:
        while not self._stopping.wait(_WATCH_INTERVAL):
            try:
                self._refresh_workers()
            except Exception:  # noqa: BLE001 - the scheduler may be briefly unreachable
                if not self._stopping.is_set():
                    log.debug("could not list the Dask workers", exc_info=True)

    def _refresh_workers(self) -> None:
        workers = self._workers()   # (a moment's empty list: every executor lost at once)
        added, lost = [], []
        with self._lock:
            if self._stopping.is_set():
                return
            slots = sum(e.slots for e in self._executors.values())
            for address, info in workers.items():
                if address not in self._by_address:
                    if self._parallelism is not None and slots >= self._parallelism:
                        continue  # local[N] has N slots: a spare, for when one is lost
                    ex = _Executor(str(next(self._ids)), address, int(info.get("nthreads", 1)))
                    slots += ex.slots
                    ex.pending = sorted(self._state.values())
                    self._executors[ex.executor_id] = ex
                    self._by_address[address] = ex
                    added.append(ex)
            for address in list(self._by_address):
                if address not in workers:
                    lost.append(self._by_address.pop(address))
                    del self._executors[lost[-1].executor_id]
            if added or lost:
                self._queue_state(("addresses",), ("addresses", {
                    e.executor_id: e.address for e in self._executors.values()}))
        for ex in lost:
            self._executor_lost(ex, "Dask worker %s left the cluster" % ex.address)
        if lost:
            self._restore_scattered()
        for ex in added:
            self.scheduler.executor_added(ex.executor_id, ex.slots)

    def _executor_lost(self, ex: _Executor, reason: str) -> None:
        with self._lock:
            mine = [(tid, f) for tid, (f, e, _) in self._futures.items() if e is ex]
            for tid, _ in mine:
                del self._futures[tid]
        if mine:
            try:
                self.client.cancel([f for _, f in mine])
            except Exception:  # noqa: BLE001
                pass
        log.warning("lost executor %s: %s", ex.executor_id, reason)
        self.scheduler.executor_lost(ex.executor_id, reason)

    def default_parallelism(self) -> int:
        if self._parallelism is not None:
            return self._parallelism
        with self._lock:
            return max(2, sum(e.slots for e in self._executors.values()))

    # -- tasks -----------------------------------------------------------------------------

    def launch(self, executor_id, task, binary_key, binary) -> None:
        from sparklet.backends.dask.executor import run_dask_task

        with self._lock:
            ex = self._executors.get(executor_id)
            if ex is None:
                raise RuntimeError("executor %s is gone" % executor_id)
            send = binary_to_send(ex.binaries, binary_key, binary)
            includes = list(self._includes) if ex.includes_sent != self._includes_version \
                else None
            ex.includes_sent = self._includes_version
            ex.started = True
            controls = list(ex.pending)
            seq = controls[-1][0] if controls else 0
        frame = task_message(task, binary_key, send, includes)
        future = self.client.submit(
            run_dask_task, self.app_id, executor_id, self._setup, controls, frame,
            key="sparklet-%s-task-%d" % (self.app_id, task.task_id), workers=[ex.address],
            allow_other_workers=False, pure=False, retries=0)
        with self._lock:
            self._futures[task.task_id] = (future, ex, seq)
        future.add_done_callback(lambda f, tid=task.task_id: self._task_done(tid, f))

    def _task_done(self, task_id: int, future) -> None:
        from sparklet.scheduler.task import TaskResult

        with self._lock:
            entry = self._futures.pop(task_id, None)
        if entry is None:
            return  # cancelled: killed, or its executor was lost
        _, ex, seq = entry
        if future.status == "finished":
            try:
                result = serializers.loads(future.result())
            except Exception as e:  # noqa: BLE001 - the worker left as we fetched it
                self._refresh_soon()
                result = TaskResult(task_id, "failed", executor_id=ex.executor_id,
                                    error="could not fetch the task's result: %s" % e)
            else:
                self._delivered(ex, seq)
        elif future.status == "cancelled":
            return
        else:
            error = future.exception()
            self._refresh_soon()
            result = TaskResult(task_id, "failed", executor_id=ex.executor_id,
                                error="Dask task failed: %s: %s" % (type(error).__name__,
                                                                    error))
        self.scheduler.status_update(ex.executor_id, result)

    def _refresh_soon(self) -> None:
        """A task erred inside Dask: most likely its worker died; look now."""
        try:
            self._refresh_workers()
        except Exception:  # noqa: BLE001
            pass

    def kill_task(self, executor_id: str, task_id: int) -> None:
        """Interrupt the task in its worker thread (see ``executor.interrupt_task``); its
        result, a failure, comes back as any other."""
        from sparklet.backends.dask.executor import interrupt_task

        with self._lock:
            entry = self._futures.get(task_id)
        if entry is None:
            return
        self.client.run(interrupt_task, self.app_id, task_id, workers=[entry[1].address],
                        on_error="ignore", wait=False)

    # -- control messages, files, broadcasts -----------------------------------------------

    def broadcast_message(self, message: tuple) -> None:
        """Queue a control message for every executor; the sender thread delivers it and
        every task launched from now on carries it until the worker confirmed it."""
        with self._control_ready:
            entry = (next(self._seq), message)
            for ex in self._executors.values():
                if ex.started:  # an executor yet to be created has nothing to clean
                    ex.pending.append(entry)
            self._control_ready.notify_all()

    def _queue_state(self, state_key: tuple, message: tuple) -> None:
        """A state message (lock held): sent now, and to every executor that joins later."""
        entry = (next(self._seq), message)
        self._state[state_key] = entry
        for ex in self._executors.values():
            ex.pending.append(entry)
        self._control_ready.notify_all()

    def _forget_state(self, state_key: tuple) -> None:
        with self._lock:
            self._state.pop(state_key, None)
            self._scattered.pop(state_key, None)
            self._sources.pop(state_key, None)

    def _control_loop(self) -> None:
        from sparklet.backends.dask.executor import apply_controls

        while not self._stopping.is_set():
            with self._control_ready:
                ready = [(ex, list(ex.pending)) for ex in self._executors.values()
                         if ex.started and ex.pending]
                if not ready:
                    self._control_ready.wait()
                    continue
            undelivered = False
            for ex, controls in ready:
                try:
                    applied = self.client.run(apply_controls, self.app_id, ex.executor_id,
                                              controls, workers=[ex.address],
                                              on_error="return", callback_timeout=_RUN_TIMEOUT)
                except Exception:  # noqa: BLE001 - the worker or the scheduler is gone
                    applied = {}
                value = applied.get(ex.address)
                if isinstance(value, int):
                    self._delivered(ex, value)
                elif isinstance(value, BaseException) or ex.address not in self._by_address:
                    with self._lock:   # a worker that cannot take them is being lost
                        ex.pending.clear()
                else:  # its first task has not created the executor yet: try again soon
                    undelivered = True
            if undelivered:
                self._stopping.wait(_WATCH_INTERVAL)

    def _delivered(self, ex: _Executor, seq: int) -> None:
        with self._control_ready:
            ex.pending = [entry for entry in ex.pending if entry[0] > seq]
            self._control_ready.notify_all()

    def wait_control_delivered(self, timeout: float) -> bool:
        with self._control_ready:
            return self._control_ready.wait_for(
                lambda: self._stopping.is_set() or not any(
                    ex.pending for ex in self._executors.values() if ex.started), timeout)

    def _scatter(self, state_key: tuple, data: bytes, source: str) -> str:
        """Put ``data`` in every worker's memory once; held until its state is forgotten."""
        future = self.client.scatter(data, broadcast=True, hash=False)
        with self._lock:
            self._scattered[state_key] = future
            self._sources[state_key] = source
        return future.key

    def _restore_scattered(self) -> None:
        """Workers left: scatter again what none of the rest holds. Dask keeps a single
        replica of data no task depends on (its memory manager drops the others), so the
        worker that died may have held the only one; workers would wait for it in vain."""
        with self._lock:
            held = dict(self._scattered)
        if not held:
            return
        try:
            # By key: Client.who_has refuses futures whose data is gone, the very ones.
            holders = self.client.sync(self.client.scheduler.who_has,
                                       keys=[f.key for f in held.values()])
        except Exception:  # noqa: BLE001 - the scheduler is gone: nothing to restore to
            log.debug("could not ask the scheduler who holds the scattered data",
                      exc_info=True)
            return
        for state_key, future in held.items():
            if holders.get(future.key):
                continue
            with self._lock:
                source = self._sources.get(state_key)
                if self._scattered.get(state_key) is not future or source is None:
                    continue  # forgotten, or scattered again, meanwhile
            log.warning("scattering %s again: no Dask worker holds it any more", state_key)
            try:
                if state_key[0] == "broadcast_key":
                    self.broadcast_created(state_key[1], source)
                else:
                    self.add_file(source)
            except Exception:  # noqa: BLE001 - e.g. a broadcast destroyed meanwhile
                log.warning("could not scatter %s again", state_key, exc_info=True)

    def broadcast_created(self, bid: int, path: str) -> None:
        with open(path, "rb") as fh:
            key = self._scatter(("broadcast_key", bid), fh.read(), path)
        with self._lock:
            self._queue_state(("broadcast_key", bid), ("broadcast_key", bid, key))

    def broadcast_destroyed(self, bid: int) -> None:
        self._forget_state(("broadcast_key", bid))
        self.broadcast_message(("forget_broadcast", bid))

    def add_file(self, path: str) -> None:
        name = os.path.basename(path.rstrip(os.sep))
        is_dir = os.path.isdir(path)
        if is_dir:
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w") as tar:
                tar.add(path, arcname=name)
            data = buffer.getvalue()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
        key = self._scatter(("add_file", name), data, path)
        with self._lock:
            self._queue_state(("add_file", name), ("add_file", name, key, is_dir))

    def add_python_include(self, path: str) -> None:
        with self._lock:
            if path not in self._includes:
                self._includes.append(path)
                self._includes_version += 1

    def fetch_block(self, executor_id: str, block_id: str) -> bytes | None:
        """Asks the executor's worker over Dask's RPC, as a peer's task does."""
        from sparklet.backends.dask.executor import BLOCK_HANDLER

        with self._lock:
            ex = self._executors.get(executor_id)
        if ex is None:
            return None

        async def ask():
            call = getattr(self.client.rpc(ex.address), BLOCK_HANDLER)
            return await call(app_id=self.app_id, executor_id=executor_id, block_id=block_id)

        try:
            return self.client.sync(ask, callback_timeout=30)
        except Exception as e:  # noqa: BLE001 - a worker gone, a broken connection
            log.info("fetching block %s from executor %s failed: %s", block_id, executor_id, e)
            return None

    # -- for tests and diagnostics ---------------------------------------------------------

    def executor_addresses(self) -> dict[str, str]:
        with self._lock:
            return {eid: ex.address for eid, ex in self._executors.items()}

    def executor_pids(self) -> dict[str, int]:
        """Each executor's worker process id (as the local backend's, for diagnostics)."""
        addresses = self.executor_addresses()
        pids = self.client.run(os.getpid, workers=list(addresses.values()),
                               on_error="return")
        return {eid: pids[a] for eid, a in addresses.items() if isinstance(pids.get(a), int)}

