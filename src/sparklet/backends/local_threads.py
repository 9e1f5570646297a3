"""A single-process backend: tasks run on a thread pool in the driver. For debugging."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sparklet.backends.base import SchedulerBackend
from sparklet.scheduler.task import run_task

__all__ = ["LocalThreadBackend"]


class LocalThreadBackend(SchedulerBackend):
    EXECUTOR_ID = "driver"

    def __init__(self, cores: int, env_spec):
        self.cores = cores
        self.env_spec = env_spec
        self._pool = ThreadPoolExecutor(cores, thread_name_prefix="sparklet-task")
        self.scheduler = None

    def start(self, scheduler) -> None:
        self.scheduler = scheduler
        scheduler.executor_added(self.EXECUTOR_ID, self.cores)

    def launch(self, executor_id, task, binary_key, binary) -> None:
        self._pool.submit(self._run, task, binary)

    def _run(self, task, binary) -> None:
        from sparklet.env import SparkEnv

        result = run_task(task, binary, SparkEnv.get())
        self.scheduler.status_update(self.EXECUTOR_ID, result)

    def broadcast_message(self, message: tuple) -> None:
        from sparklet.backends.worker import handle_control
        from sparklet.env import SparkEnv

        handle_control(SparkEnv.get(), message)

    def default_parallelism(self) -> int:
        return self.cores

    def stop(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
