"""The default backend for ``local[N]``: N persistent worker processes on this machine.

Each worker is an executor with one slot, talking to the driver over a socket pair. Workers
are forked by a daemon interpreter (see :mod:`sparklet.backends.daemon`), never from the
driver itself: the user's script is never re-imported or duplicated, every worker gets
``PYTHONHASHSEED=0`` like Spark's Python workers, and a new worker costs a fork. A worker
that dies -- killed, out of memory, crashed in native code -- is reported as a lost executor
(its running task is rerun, its shuffle files and cached blocks are treated as lost) and
replaced.
"""

from __future__ import annotations

import atexit
import collections
import itertools
import logging
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from sparklet import serializers
from sparklet.backends.base import SchedulerBackend
from sparklet.backends.worker import MAX_CACHED_BINARIES
from sparklet.env import EnvSpec
from sparklet.storage.blockmanager import executor_dir

__all__ = ["LocalProcessBackend"]

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Worker:
    executor_id: str
    pid: int
    conn: Connection
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The stage binaries the worker holds: it keeps the newest MAX_CACHED_BINARIES it was
    # sent, so this mirrors its cache insert for insert (a set of every key ever sent
    # would grow by a few strings a batch, forever, and claim binaries it had dropped).
    binaries: collections.OrderedDict = field(default_factory=collections.OrderedDict)
    # Control messages not sent yet, oldest first. Sent by the control sender thread, or
    # by ``launch`` before a task, so a worker sees them in the order they were issued.
    pending_control: collections.deque = field(default_factory=collections.deque)

    def flush_control(self) -> None:
        """Send the pending control messages; the caller holds ``lock``."""
        while self.pending_control:
            self.conn.send_bytes(self.pending_control[0])
            self.pending_control.popleft()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class _Daemon:
    """Driver-side handle on a worker-forking daemon."""

    def __init__(self, env: dict[str, str]):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sparklet.backends.daemon", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        finally:
            theirs.close()
        self.sock = ours
        self.lock = threading.Lock()

    def alive(self) -> bool:
        return self.process.poll() is None

    def fork_worker(self) -> tuple[int, Connection]:
        ours, theirs = socket.socketpair()
        try:
            with self.lock:
                socket.send_fds(self.sock, [b"w"], [theirs.fileno()])
                reply = b""
                while len(reply) < 8:
                    chunk = self.sock.recv(8 - len(reply))
                    if not chunk:
                        raise OSError("the worker daemon exited")
                    reply += chunk
        finally:
            theirs.close()
        (pid,) = struct.unpack("<q", reply)
        return pid, Connection(ours.detach())


    def close(self) -> None:
        """Closing the control socket tells the daemon to exit."""
        self.sock.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_daemons: dict[tuple, _Daemon] = {}
_daemons_lock = threading.Lock()


@atexit.register
def _close_daemons() -> None:
    with _daemons_lock:
        daemons = list(_daemons.values())
        _daemons.clear()
    for daemon in daemons:
        daemon.close()


def _daemon_for(env: dict[str, str]) -> _Daemon:
    """One daemon per distinct executor environment, kept for the driver's lifetime."""
    key = tuple(sorted(env.items()))
    with _daemons_lock:
        daemon = _daemons.get(key)
        if daemon is None or not daemon.alive():
            daemon = _daemons[key] = _Daemon(env)
        return daemon


class LocalProcessBackend(SchedulerBackend):
    def __init__(self, cores: int, env_spec: EnvSpec):
        self.cores = cores
        self.env_spec = env_spec
        executor_env = {k[len("spark.executorEnv."):]: v for k, v in env_spec.conf.items()
                        if k.startswith("spark.executorEnv.")}
        executor_env.setdefault("PYTHONHASHSEED", "0")
        # Workers must import the same sparklet as the driver, even one found through a
        # sys.path edit rather than an installation.
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
        python_path = os.pathsep.join(
            p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        self.executor_env = {**os.environ, **executor_env, "PYTHONPATH": python_path}
        self.scheduler = None
        self._workers: dict[str, _Worker] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._stopping = False
        self._start_error: str | None = None
        wake_r, wake_w = socket.socketpair()
        self._wake_r, self._wake_w = Connection(wake_r.detach()), Connection(wake_w.detach())
        self._monitor = threading.Thread(target=self._monitor_loop, daemon=True,
                                         name="sparklet-executor-monitor")
        self._control_ready = threading.Condition()
        self._control_sender = threading.Thread(target=self._control_loop, daemon=True,
                                                name="sparklet-control-sender")

    # -- lifecycle -------------------------------------------------------------------------

    def start(self, scheduler) -> None:
        self.scheduler = scheduler
        self._monitor.start()
        self._control_sender.start()
        # Workers start in the background: a SparkContext is usable at once, and the first
        # job's tasks simply wait for the first executor.
        threading.Thread(target=self._start_workers, args=(self.cores,), daemon=True,
                         name="sparklet-executor-start").start()

    def _start_workers(self, count: int) -> None:
        threads = [threading.Thread(target=self._start_worker, daemon=True)
                   for _ in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with self._lock:
            started = bool(self._workers)
        if not started and not self._stopping:
            self.scheduler.backend_failed(self._start_error or "unknown error")

    def _start_worker(self) -> None:
        if self._stopping:
            return
        executor_id = str(next(self._ids))
        spec = EnvSpec(self.env_spec.app_id, executor_id, self.env_spec.local_dir,
                       self.env_spec.conf)
        try:
            pid, conn = _daemon_for(self.executor_env).fork_worker()
            # The worker must see the driver's import path to load functions pickled by
            # reference.
            conn.send_bytes(serializers.dumps((spec, list(sys.path))))
        except OSError as e:
            log.exception("could not start executor %s", executor_id)
            self._start_error = "could not start executor %s: %s" % (executor_id, e)
            return
        with self._lock:
            self._workers[executor_id] = _Worker(executor_id, pid, conn)
        self._wake()
        self.scheduler.executor_added(executor_id, 1)

    def stop(self) -> None:
        self._stopping = True
        with self._lock:
            workers = list(self._workers.values())
        for w in workers:
            try:
                with w.lock:
                    w.conn.send_bytes(serializers.dumps(("stop",)))
            except OSError:
                pass
        self._wake()
        with self._control_ready:
            self._control_ready.notify_all()
        self._monitor.join(timeout=5)
        self._control_sender.join(timeout=5)
        deadline = time.monotonic() + 2
        for w in workers:
            while _pid_alive(w.pid) and time.monotonic() < deadline:
                time.sleep(0.005)
            if _pid_alive(w.pid):
                os.kill(w.pid, signal.SIGKILL)
            w.conn.close()

    # -- tasks -----------------------------------------------------------------------------

    def launch(self, executor_id, task, binary_key, binary) -> None:
        with self._lock:
            w = self._workers.get(executor_id)
        if w is None:
            raise RuntimeError("executor %s is gone" % executor_id)
        with w.lock:
            w.flush_control()
            if binary_key in w.binaries:
                send = None
            else:
                send = binary
                w.binaries[binary_key] = True
                if len(w.binaries) > MAX_CACHED_BINARIES:
                    w.binaries.popitem(last=False)
            w.conn.send_bytes(serializers.dumps(("task", task, binary_key, send)))

    def broadcast_message(self, message: tuple) -> None:
        """Queue a control message for every worker and return at once.

        Whoever cleans up (the job generator's metadata cleanup, the ContextCleaner, a user's
        ``unpersist``) must never wait on a worker's socket: one that is slow to read -- or a
        wedged one -- would stop that thread for good. The control sender thread delivers
        the messages; ``launch`` delivers a worker's pending ones before its next task.
        """
        data = serializers.dumps(("control", message))
        with self._lock:
            workers = list(self._workers.values())
        for w in workers:
            w.pending_control.append(data)
        with self._control_ready:
            self._control_ready.notify()

    def _control_loop(self) -> None:
        while not self._stopping:
            with self._control_ready:
                with self._lock:
                    workers = list(self._workers.values())
                if not any(w.pending_control for w in workers):
                    self._control_ready.wait()
                    continue
            for w in workers:
                if not w.pending_control:
                    continue
                try:
                    with w.lock:
                        w.flush_control()
                except OSError:
                    w.pending_control.clear()  # a dying worker takes its state with it anyway
            with self._control_ready:
                self._control_ready.notify_all()  # wakes wait_control_delivered

    def wait_control_delivered(self, timeout: float) -> bool:
        """Block until every control message queued so far was handed to its worker."""
        with self._control_ready:
            return self._control_ready.wait_for(
                lambda: self._stopping or self.pending_control_messages() == 0, timeout)

    def pending_control_messages(self) -> int:
        """How many control messages wait to be sent (for tests and diagnostics)."""
        with self._lock:
            return sum(len(w.pending_control) for w in self._workers.values())

    def default_parallelism(self) -> int:
        return self.cores

    def executor_pids(self) -> dict[str, int]:
        with self._lock:
            return {eid: w.pid for eid, w in self._workers.items()}

    # -- watching executors ----------------------------------------------------------------

    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"x")
        except OSError:
            pass

    def _monitor_loop(self) -> None:
        while True:
            with self._lock:
                by_conn = {w.conn: w for w in self._workers.values()}
            try:
                ready = wait([self._wake_r, *by_conn])
            except OSError:
                ready = []  # a worker's connection was closed under us; look again
            if self._stopping:
                return
            if self._wake_r in ready:
                while self._wake_r.poll():
                    self._wake_r.recv_bytes()
            for obj in ready:
                w = by_conn.get(obj)
                if w is None:
                    continue
                try:
                    result = serializers.loads(w.conn.recv_bytes())
                except (EOFError, OSError):
                    self._executor_died(w)  # its end of the socket closed: the process is gone
                    continue
                if isinstance(result, tuple) and result[0] == "message":
                    self.scheduler.executor_message(w.executor_id, result[1])
                else:
                    self.scheduler.status_update(w.executor_id, result)

    def _executor_died(self, w: _Worker) -> None:
        with self._lock:
            if self._workers.pop(w.executor_id, None) is None:
                return
        w.conn.close()
        if _pid_alive(w.pid):  # its socket broke but it lingers: make the loss final
            os.kill(w.pid, signal.SIGKILL)
        if self._stopping:
            return
        reason = "executor %s (pid %d) exited" % (w.executor_id, w.pid)
        log.warning("lost %s; starting a replacement", reason)
        # Its shuffle outputs and blocks die with it, as when a Spark executor is lost.
        shutil.rmtree(executor_dir(self.env_spec.local_dir, w.executor_id), ignore_errors=True)
        self.scheduler.executor_lost(w.executor_id, reason)
        threading.Thread(target=self._start_worker, daemon=True).start()
