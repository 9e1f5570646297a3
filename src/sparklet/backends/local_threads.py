"""A single-process backend: tasks run on a thread pool in the driver. For debugging."""

from __future__ import annotations

import ctypes
import threading
from concurrent.futures import ThreadPoolExecutor

from sparklet.backends.base import SchedulerBackend
from sparklet.scheduler.task import run_task

__all__ = ["LocalThreadBackend"]


class TaskKilled(BaseException):
    """Raised inside a task thread of a cancelled job."""


class LocalThreadBackend(SchedulerBackend):
    EXECUTOR_ID = "driver"

    def __init__(self, cores: int, env_spec):
        self.cores = cores
        self.env_spec = env_spec
        self._pool = ThreadPoolExecutor(cores, thread_name_prefix="sparklet-task")
        self.scheduler = None
        self._threads: dict[int, int] = {}   # running task id -> its thread's ident
        self._lock = threading.Lock()

    def start(self, scheduler) -> None:
        self.scheduler = scheduler
        scheduler.executor_added(self.EXECUTOR_ID, self.cores)

    def launch(self, executor_id, task, binary_key, binary) -> None:
        self._pool.submit(self._run, task, binary)

    def _run(self, task, binary) -> None:
        from sparklet.env import SparkEnv
        from sparklet.scheduler.task import TaskResult

        try:
            with self._lock:
                self._threads[task.task_id] = threading.get_ident()
            try:
                result = run_task(task, binary, SparkEnv.get())
            finally:
                with self._lock:
                    self._threads.pop(task.task_id, None)
        except TaskKilled:  # landed after run_task had caught what it could
            result = TaskResult(task.task_id, "failed", error="task killed")
        self.scheduler.status_update(self.EXECUTOR_ID, result)

    def kill_task(self, executor_id: str, task_id: int) -> None:
        """Raise :class:`TaskKilled` in the task's thread (at its next Python bytecode; a
        thread blocked in C code sees it when that call returns)."""
        with self._lock:
            ident = self._threads.get(task_id)
            if ident is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                                           ctypes.py_object(TaskKilled))

    def broadcast_message(self, message: tuple) -> None:
        from sparklet.backends.worker import handle_control
        from sparklet.env import SparkEnv

        handle_control(SparkEnv.get(), message)

    def default_parallelism(self) -> int:
        return self.cores

    def stop(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
