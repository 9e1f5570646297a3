"""The default backend for ``local[N]``: N persistent worker processes on this machine.

Each worker is an executor talking to the driver over a socket pair: one task slot for
``local[N]``, C slots for Spark's test master ``local-cluster[N, C, M]``. Workers are forked
by a daemon interpreter (see :mod:`sparklet.backends.daemon`), never from the driver itself:
the user's script is never re-imported or duplicated, every worker gets
``PYTHONHASHSEED=0`` like Spark's Python workers, and a new worker costs a fork. A worker
that dies -- killed, out of memory, crashed in native code -- is reported as a lost executor
with the reason (its exit code, or the signal that killed it), its running tasks are rerun,
its shuffle files and cached blocks are treated as lost, and it is replaced.

Each backend owns its daemon; ``stop`` ends the workers, the daemon and every descriptor
and thread the backend opened, so a stopped context leaves nothing running.
"""

from __future__ import annotations

import collections
import itertools
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from sparklet import serializers
from sparklet.backends.base import SchedulerBackend
from sparklet.backends.daemon import REPORT, REQUEST
from sparklet.backends.worker import binary_to_send, task_message
from sparklet.env import EnvSpec
from sparklet.storage.blockmanager import executor_dir

__all__ = ["LocalProcessBackend", "describe_exit_status"]

log = logging.getLogger(__name__)

# How long the driver waits for the daemon's report of a dead worker's exit status, for
# workers to leave after a stop request, and for its own helper threads to finish.
_EXIT_REPORT_WAIT = 10.0
_STOP_GRACE = 2.0
_THREAD_JOIN = 30.0


def describe_exit_status(status: int | None) -> str:
    """Why a worker process ended, from its ``waitpid`` status.

    The kernel's out-of-memory killer sends SIGKILL, hence the hint (Spark's executors
    say "SIGKILL, possible container OOM" for exit code 137).

    >>> describe_exit_status(9), describe_exit_status(3 << 8), describe_exit_status(None)
    ('killed by signal 9 (SIGKILL), possibly out of memory', 'exited with exit code 3', \
'exited (exit status unknown)')
    """
    if status is None:
        return "exited (exit status unknown)"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = " (%s)" % signal.Signals(sig).name
        except ValueError:
            name = ""
        hint = ", possibly out of memory" if sig == signal.SIGKILL else ""
        return "killed by signal %d%s%s" % (sig, name, hint)
    if os.WIFEXITED(status):
        return "exited with exit code %d" % os.WEXITSTATUS(status)
    return "exited (wait status %d)" % status


@dataclass(eq=False)
class _Worker:
    executor_id: str
    pid: int
    conn: Connection
    daemon: _Daemon  # the one that forked it, and reports its exit
    lock: threading.Lock = field(default_factory=threading.Lock)
    includes_sent: int = -1  # version of the python includes this worker has seen
    running_task: int | None = None   # the task id it runs now (one slot per worker)
    kill_reason: str | None = None
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


class _DaemonGone(OSError):
    """The worker daemon exited or was closed."""


class _Daemon:
    """Driver-side handle on this backend's worker-forking daemon."""

    def __init__(self, env: dict[str, str], local_dir: str):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sparklet.backends.daemon", str(theirs.fileno()),
                 str(os.getpid()), local_dir],
                pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.pid = self.process.pid
        self.sock = ours
        self.lock = threading.Lock()   # one conversation with the daemon at a time
        self._exits: dict[int, int] = {}
        self._closed = False

    def alive(self) -> bool:
        return not self._closed and self.process.poll() is None

    def _read_report(self, timeout: float | None = None) -> tuple[bytes, int, int]:
        data = b""
        deadline = None if timeout is None else time.monotonic() + timeout
        while len(data) < REPORT.size:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([self.sock], [], [], remaining)[0]:
                    raise TimeoutError("no report from the worker daemon")
            chunk = self.sock.recv(REPORT.size - len(data))
            if not chunk:
                raise _DaemonGone("the worker daemon exited")
            data += chunk
        return REPORT.unpack(data)

    def fork_worker(self) -> tuple[int, Connection]:
        ours, theirs = socket.socketpair()
        try:
            with self.lock:
                if self._closed:
                    raise _DaemonGone("the worker daemon is closed")
                socket.send_fds(self.sock, [REQUEST.pack(b"w", 0)], [theirs.fileno()])
                while True:
                    kind, pid, status = self._read_report()
                    if kind == b"p":
                        break
                    self._exits[pid] = status
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        return pid, Connection(ours.detach())

    def kill(self, pid: int) -> None:
        """SIGKILL a worker, if it is still one of the daemon's (never a reused pid)."""
        with self.lock:
            if not self._closed:
                try:
                    self.sock.sendall(REQUEST.pack(b"k", pid))
                except OSError:
                    pass

    def exit_status(self, pid: int, timeout: float) -> int | None:
        """The ``waitpid`` status of a worker that exited; None if unknown by ``timeout``."""
        deadline = time.monotonic() + timeout
        if not self.lock.acquire(timeout=timeout):
            return None
        try:
            while pid not in self._exits and not self._closed:
                try:
                    kind, other, status = self._read_report(deadline - time.monotonic())
                except OSError:  # timed out, or the daemon is gone
                    return None
                if kind == b"x":
                    self._exits[other] = status
            return self._exits.pop(pid, None)
        finally:
            self.lock.release()

    def close(self) -> None:
        """End the daemon: on end of file it kills and reaps its workers, then exits.

        ``shutdown`` (rather than only ``close``) wakes any thread blocked reading the
        socket and makes the daemon see end of file even while such a read is pending.
        """
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.process.wait(timeout=_THREAD_JOIN)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with self.lock:
            self._closed = True
            self.sock.close()


class LocalProcessBackend(SchedulerBackend):
    """``executors`` worker processes of ``cores_per_executor`` task slots each."""

    def __init__(self, executors: int, env_spec: EnvSpec, cores_per_executor: int = 1,
                 executor_memory_mb: int | None = None,
                 resources: tuple[dict, dict] | None = None):
        self.executors = executors
        self.cores_per_executor = cores_per_executor
        # (addresses by resource name, task amounts by name) for every executor; its task
        # slots are its cores, or fewer if its resources run out first.
        self.resources = resources
        self.slots_per_executor = cores_per_executor
        if resources is not None:
            from sparklet.resource.discovery import executor_slots

            self.slots_per_executor = executor_slots(cores_per_executor, *resources)
        self.cores = executors * cores_per_executor
        self.cluster_mode = executor_memory_mb is not None
        self.env_spec = env_spec
        self.worker_conf = dict(env_spec.conf)
        if executor_memory_mb is not None:
            self.worker_conf.setdefault("spark.executor.memory", "%dm" % executor_memory_mb)
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
        self._daemon: _Daemon | None = None
        self._threads: set[threading.Thread] = set()
        self._includes: list[str] = []
        self._includes_version = 0
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
        # Starting the daemon costs a spawn here; its interpreter boots in the background.
        self._daemon = _Daemon(self.executor_env, self.env_spec.local_dir)
        self._monitor.start()
        self._control_sender.start()
        # Workers start in the background: a SparkContext is usable at once, and the first
        # job's tasks simply wait for the first executor.
        self._spawn(self._start_workers, self.executors, name="sparklet-executor-start")

    def _spawn(self, target, *args, name: str) -> None:
        """Start a helper thread that ``stop`` waits for, unless stopping already."""
        def run() -> None:
            try:
                target(*args)
            finally:
                with self._lock:
                    self._threads.discard(thread)

        thread = threading.Thread(target=run, daemon=True, name=name)
        with self._lock:
            if self._stopping:
                return
            self._threads.add(thread)
        thread.start()

    def _start_workers(self, count: int) -> None:
        threads = [threading.Thread(target=self._start_worker, daemon=True)
                   for _ in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with self._lock:
            started = bool(self._workers)
            stopping = self._stopping
        if not started and not stopping:
            self.scheduler.backend_failed(self._start_error or "unknown error")

    def _daemon_for_start(self) -> _Daemon:
        with self._lock:
            if self._stopping:
                raise _DaemonGone("the backend is stopping")
            if self._daemon is None or not self._daemon.alive():
                # The daemon died (killed from outside): its workers died with it.
                if self._daemon is not None:
                    self._daemon.close()
                self._daemon = _Daemon(self.executor_env, self.env_spec.local_dir)
            return self._daemon

    def _start_worker(self) -> None:
        if self._stopping:
            return
        executor_id = str(next(self._ids))
        spec = EnvSpec(self.env_spec.app_id, executor_id, self.env_spec.local_dir,
                       self.worker_conf)
        try:
            daemon = self._daemon_for_start()
            pid, conn = daemon.fork_worker()
        except OSError as e:
            if not self._stopping:
                log.error("could not start executor %s: %s", executor_id, e)
                self._start_error = "could not start executor %s: %s" % (executor_id, e)
            return
        try:
            # The worker must see the driver's import path to load functions pickled by
            # reference.
            conn.send_bytes(serializers.dumps((spec, list(sys.path), self.slots_per_executor,
                                               self.resources)))
        except OSError as e:
            conn.close()
            daemon.kill(pid)
            if not self._stopping:
                log.error("could not start executor %s: %s", executor_id, e)
                self._start_error = "could not start executor %s: %s" % (executor_id, e)
            return
        with self._lock:
            if self._stopping:  # stop() has taken its list of workers: this one is not on it
                conn.close()
                daemon.kill(pid)
                return
            self._workers[executor_id] = _Worker(executor_id, pid, conn, daemon)
        self._wake()
        self.scheduler.executor_added(executor_id, self.slots_per_executor)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            workers = list(self._workers.values())
            daemon = self._daemon
        for w in workers:
            try:
                with w.lock:
                    w.conn.send_bytes(serializers.dumps(("stop",)))
            except OSError:
                pass
        self._wake()
        with self._control_ready:
            self._control_ready.notify_all()
        if self._monitor.is_alive():
            self._monitor.join(timeout=_THREAD_JOIN)
        if self._control_sender.is_alive():
            self._control_sender.join(timeout=_THREAD_JOIN)
        # Idle workers leave at once; a busy one is killed with its daemon below.
        deadline = time.monotonic() + _STOP_GRACE
        for w in workers:
            w.daemon.exit_status(w.pid, max(0.0, deadline - time.monotonic()))
        if daemon is not None:
            daemon.close()
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(timeout=_THREAD_JOIN)
        for w in workers:
            w.conn.close()
        self._wake_r.close()
        self._wake_w.close()

    # -- tasks -----------------------------------------------------------------------------

    def launch(self, executor_id, task, binary_key, binary) -> None:
        with self._lock:
            w = self._workers.get(executor_id)
            includes = list(self._includes)
            version = self._includes_version
        if w is None:
            raise RuntimeError("executor %s is gone" % executor_id)
        with w.lock:
            w.flush_control()
            send = binary_to_send(w.binaries, binary_key, binary)
            new_includes = includes if w.includes_sent != version else None
            w.includes_sent = version
            w.running_task = task.task_id
            w.conn.send_bytes(task_message(task, binary_key, send, new_includes))

    def add_python_include(self, path: str) -> None:
        with self._lock:
            if path not in self._includes:
                self._includes.append(path)
                self._includes_version += 1

    def kill_task(self, executor_id: str, task_id: int) -> None:
        """A task of a cancelled job is stopped by killing its worker, which is then
        replaced; PySpark likewise destroys the Python worker of a killed task."""
        with self._lock:
            w = self._workers.get(executor_id)
        if w is None:
            return
        with w.lock:  # no new task can be launched on it meanwhile
            if w.running_task != task_id:
                return
            w.kill_reason = "killed task %d of a cancelled job" % task_id
            w.daemon.kill(w.pid)

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
        # Spark's cluster backends never go below 2 (CoarseGrainedSchedulerBackend).
        return max(self.cores, 2) if self.cluster_mode else self.cores

    def executor_pids(self) -> dict[str, int]:
        with self._lock:
            return {eid: w.pid for eid, w in self._workers.items()}

    def daemon_pid(self) -> int | None:
        daemon = self._daemon
        return daemon.pid if daemon is not None else None

    # -- watching executors ----------------------------------------------------------------

    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"x")
        except OSError:
            pass

    def _monitor_loop(self) -> None:
        # One poll object, rebuilt only when the workers change: connection.wait() builds
        # and fills a selector on every call, which is a good part of a tiny task's round
        # trip (this thread wakes once per task).
        wake_fd = self._wake_r.fileno()
        workers: list[_Worker] = []
        by_fd: dict[int, _Worker] = {}
        poller = None
        while True:
            with self._lock:
                current = list(self._workers.values())
            if poller is None or current != workers:
                workers, by_fd = current, {}
                poller = select.poll()
                poller.register(wake_fd, select.POLLIN)
                for w in workers:
                    try:
                        by_fd[w.conn.fileno()] = w
                    except OSError:  # closed under us: it is being removed
                        continue
                    poller.register(w.conn.fileno(), select.POLLIN)
            try:
                events = poller.poll()
            except OSError:
                events = []
            if self._stopping:
                return
            ready = []
            for fd, mask in events:
                if fd == wake_fd:
                    while self._wake_r.poll():
                        self._wake_r.recv_bytes()
                elif mask & select.POLLNVAL:
                    poller = None  # a worker's connection was closed under us; look again
                elif fd in by_fd:
                    ready.append(by_fd[fd])
            for w in ready:
                try:
                    result = serializers.loads(w.conn.recv_bytes())
                except (EOFError, OSError):
                    self._executor_died(w)  # its end of the socket closed: the process is gone
                    continue
                if isinstance(result, tuple) and result[0] == "message":
                    self.scheduler.executor_message(w.executor_id, result[1])
                else:
                    with w.lock:
                        w.running_task = None
                        killed = w.kill_reason is not None
                    if not killed:  # a killed worker's slot must not be offered again
                        self.scheduler.status_update(w.executor_id, result)

    def _executor_died(self, w: _Worker) -> None:
        with self._lock:
            if self._workers.pop(w.executor_id, None) is None:
                return
        w.conn.close()
        w.daemon.kill(w.pid)  # its socket broke but it may linger: make the loss final
        status = w.daemon.exit_status(w.pid, _EXIT_REPORT_WAIT)
        if self._stopping:
            return
        why = describe_exit_status(status)
        if status is None and not w.daemon.alive():
            why += " with the worker daemon that started it"
        if w.kill_reason is not None:
            reason = "Executor %s (pid %d) %s" % (w.executor_id, w.pid, w.kill_reason)
            log.info("%s; starting a replacement", reason)
        else:
            reason = "Executor %s (pid %d) %s" % (w.executor_id, w.pid, why)
            log.warning("lost executor: %s; starting a replacement", reason)
        # Its shuffle outputs and blocks die with it, as when a Spark executor is lost.
        shutil.rmtree(executor_dir(self.env_spec.local_dir, w.executor_id), ignore_errors=True)
        self.scheduler.executor_lost(w.executor_id, reason)
        self._spawn(self._start_worker, name="sparklet-executor-replace")
