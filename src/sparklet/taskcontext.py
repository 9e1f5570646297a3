"""TaskContext: what a running task knows about itself (stage, partition, attempt).

The context is thread-local so the thread backend can run several tasks in one process.
It also carries the task's accumulator updates back to the driver.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["TaskContext"]

_current = threading.local()


class TaskContext:
    """Contextual information about a task, available inside the task's functions.

    On the driver there is no task, so ``TaskContext.get()`` returns None:

    >>> TaskContext.get() is None
    True
    """

    def __init__(self, stage_id: int, partition_id: int, attempt_number: int,
                 task_attempt_id: int, local_properties: dict[str, str] | None = None,
                 cpus: int = 1):
        self._stage_id = stage_id
        self._partition_id = partition_id
        self._attempt_number = attempt_number
        self._task_attempt_id = task_attempt_id
        self._local_properties = dict(local_properties or {})
        self._cpus = cpus
        # accumulator id -> the Accumulator instance deserialized for this task
        self._accumulators: dict[int, Any] = {}
        # block ids this task stored or dropped, reported to the driver's block tracker
        self._blocks_stored: list[str] = []
        self._blocks_dropped: list[str] = []
        # Spark's task metrics names, reported to the driver with the task's result.
        self._metrics: dict[str, int] = {"memoryBytesSpilled": 0, "diskBytesSpilled": 0}

    @classmethod
    def get(cls) -> TaskContext | None:
        """The context of the task running in this thread, or None outside a task."""
        return getattr(_current, "context", None)

    @classmethod
    def _set(cls, context: TaskContext | None) -> None:
        _current.context = context

    def stageId(self) -> int:
        """The ID of the stage that this task belongs to."""
        return self._stage_id

    def partitionId(self) -> int:
        """The ID of the RDD partition that is computed by this task."""
        return self._partition_id

    def attemptNumber(self) -> int:
        """How many times this task has been attempted; the first attempt is 0."""
        return self._attempt_number

    def taskAttemptId(self) -> int:
        """An ID unique to this task attempt within the SparkContext."""
        return self._task_attempt_id

    def getLocalProperty(self, key: str) -> str | None:
        """A local property set upstream in the driver (``sc.setLocalProperty``)."""
        return self._local_properties.get(key)

    def cpus(self) -> int:
        """CPUs allocated to the task."""
        return self._cpus

    def resources(self) -> dict:
        """Resources allocated to the task (none are managed by sparklet)."""
        return {}
