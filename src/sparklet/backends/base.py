"""The backend interface: executors come and go, tasks go in, results come out."""

from __future__ import annotations

from typing import Any

__all__ = ["SchedulerBackend"]


class SchedulerBackend:
    """Runs tasks on executors.

    ``start(scheduler)`` announces executors with ``scheduler.executor_added(id, slots)``;
    ``launch`` sends one serialized task to an executor; results come back through
    ``scheduler.status_update(id, TaskResult)``, and a dead executor through
    ``scheduler.executor_lost(id, reason)``. The stage binary is sent to an executor only
    the first time one of its tasks goes there.
    """

    def start(self, scheduler) -> None:
        raise NotImplementedError

    def launch(self, executor_id: str, task: Any, binary_key: str, binary: bytes) -> None:
        raise NotImplementedError

    def kill_task(self, executor_id: str, task_id: int) -> None:
        """Stop a running task of a cancelled job (its result is ignored either way)."""

    def broadcast_message(self, message: tuple) -> None:
        """Send a control message (drop an RDD's blocks, a shuffle, a broadcast) everywhere.

        Must never block the caller on an executor: the job generator, the cleaner and user
        code call it, and an executor busy with a long task (a receiver runs for the life
        of its stream) may not read for a long time. Each executor must apply the messages
        in the order they were sent, and before any task launched after them.
        """
        raise NotImplementedError

    def add_python_include(self, path: str) -> None:
        """A path from ``addPyFile`` that tasks must find on ``sys.path`` from now on.
        Backends running tasks in the driver's own interpreter have nothing to do."""

    # Whether executors read the driver's application directory (big parallelize slices,
    # broadcast and added files are then files there); a cluster backend ships them.
    shares_driver_disk = True

    def fetch_block(self, executor_id: str, block_id: str) -> bytes | None:
        """The bytes of a block executor ``executor_id`` keeps in its block manager (None if
        it has not, or cannot be reached). Only backends that keep blocks off the driver
        (``shares_driver_disk`` False) need it."""
        return None

    def add_file(self, path: str) -> None:
        """A file (or directory) ``addFile`` put in the driver's files directory, which
        tasks must find in theirs (``SparkFiles.get``)."""

    def broadcast_created(self, bid: int, path: str) -> None:
        """A new broadcast, pickled at ``path`` on the driver."""

    def broadcast_destroyed(self, bid: int) -> None:
        """A broadcast that can never be read again (destroyed, or cleaned up)."""

    def wait_control_delivered(self, timeout: float) -> bool:
        """Block until the control messages sent so far were handed to every executor (or
        ``timeout`` passed; returns whether they were). Immediate for in-process backends."""
        return True

    def default_parallelism(self) -> int:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError
