"""TaskContext: what a running task knows about itself (stage, partition, attempt).

The context is thread-local so the thread backend can run several tasks in one process.
It also carries the task's accumulator updates back to the driver. A task of a barrier
stage gets a :class:`BarrierTaskContext`, whose ``barrier()`` and ``allGather()`` wait for
every task of the stage through the driver's barrier coordinator.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["TaskContext", "BarrierTaskContext", "BarrierTaskInfo", "TASK_METRIC_KEYS",
           "count_input_batches"]

_current = threading.local()

# Spark's TaskMetrics names (SPEC-UI) every task reports, each counted from 0 by the part of
# the engine that knows it for free (the task runner, the shuffle writer and reader, the
# block manager, the sources); see sparklet.scheduler.task for what each one means.
TASK_METRIC_KEYS = (
    "executorDeserializeTime", "executorRunTime", "executorCpuTime", "resultSize",
    "memoryBytesSpilled", "diskBytesSpilled", "peakExecutionMemory",
    "inputBytes", "inputRecords",
    "shuffleReadBytes", "shuffleReadRecords", "shuffleLocalBlocksFetched",
    "shuffleRemoteBlocksFetched", "shuffleLocalBytesRead", "shuffleRemoteBytesRead",
    "shuffleWriteBytes", "shuffleWriteRecords", "shuffleWriteTime",
)
_ZERO_METRICS = dict.fromkeys(TASK_METRIC_KEYS, 0)


def count_input_batches(batches: Iterable[list], context: TaskContext | None) -> Iterator[list]:
    """``batches`` as they are, adding each one's length to the task's ``inputRecords``:
    a source that reads its records in batches counts them once per batch, never per record.
    """
    if context is None:
        yield from batches
        return
    metrics = context._metrics
    for batch in batches:
        metrics["inputRecords"] += len(batch)
        yield batch


class TaskContext:
    """Contextual information about a task, available inside the task's functions.

    On the driver there is no task, so ``TaskContext.get()`` returns None:

    >>> TaskContext.get() is None
    True

    Inside a task, ``TaskContext()`` is the running task's context, as in PySpark:

    >>> sc.parallelize([0], 1).map(lambda _: TaskContext() is TaskContext.get()).collect()
    [True]
    """

    def __new__(cls, *args, **kwargs):
        # Even if users construct TaskContext instead of calling get(), give them the
        # running task's context.
        if not args and not kwargs:
            current = TaskContext.get()
            if isinstance(current, cls):
                return current
        return object.__new__(cls)

    def __init__(self, stage_id: int | None = None, partition_id: int | None = None,
                 attempt_number: int | None = None, task_attempt_id: int | None = None,
                 local_properties: dict[str, str] | None = None, cpus: int = 1):
        if stage_id is None and hasattr(self, "_stage_id"):
            return  # TaskContext() returned the running context: keep it as it is
        self._stage_id = stage_id
        self._partition_id = partition_id
        self._attempt_number = attempt_number
        self._task_attempt_id = task_attempt_id
        self._local_properties = dict(local_properties or {})
        self._cpus = cpus
        # name -> ResourceInformation: the custom resource addresses assigned to this task
        self._resources: dict[str, Any] = {}
        # accumulator id -> the Accumulator instance deserialized for this task
        self._accumulators: dict[int, Any] = {}
        # block ids this task stored or dropped, reported to the driver's block tracker
        self._blocks_stored: list[str] = []
        self._blocks_dropped: list[str] = []
        # (block id, storage level text, memory size, disk size) of each block this task
        # stored, moved or dropped ("", 0, 0 for a dropped one): the driver's
        # SparkListenerBlockUpdated events, with the sizes only the executor knows.
        self._block_updates: list[tuple[str, str, int, int]] = []
        # Spark's task metrics (TASK_METRIC_KEYS), reported to the driver with the result.
        self._metrics: dict[str, int] = _ZERO_METRICS.copy()

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
        """Custom resources allocated to the task (``spark.task.resource.{name}.amount``):
        a dict of name -> :class:`sparklet.resource.ResourceInformation`."""
        return dict(self._resources)


class BarrierTaskInfo:
    """A barrier task's information: ``address``, the ``host:port`` of its executor."""

    def __init__(self, address: str):
        self.address = address

    def __repr__(self) -> str:
        return "BarrierTaskInfo(%r)" % self.address


class BarrierTaskContext(TaskContext):
    """The :class:`TaskContext` of a task in a barrier stage (``rdd.barrier()``), with
    global synchronisation between the stage's tasks.

    >>> def f(it):
    ...     context = BarrierTaskContext.get()
    ...     context.barrier()
    ...     yield context.allGather(str(context.partitionId()))
    >>> sc.parallelize(range(4), 2).barrier().mapPartitions(f).collect()
    [['0', '1'], ['0', '1']]
    """

    _coordinator: tuple | None = None
    _stage_attempt = 0
    _epoch = 0

    @classmethod
    def get(cls) -> BarrierTaskContext:  # type: ignore[override]
        """The running barrier task's context; raises outside a barrier stage."""
        context = TaskContext.get()
        if not isinstance(context, BarrierTaskContext):
            raise RuntimeError("[NOT_IN_BARRIER_STAGE] It is not in a barrier stage.")
        return context

    def _barrier_init(self, coordinator: tuple, stage_attempt: int) -> None:
        self._coordinator = coordinator
        self._stage_attempt = stage_attempt
        self._epoch = 0

    def _sync(self, method: str, message: str) -> list[str]:
        if self._coordinator is None:
            raise RuntimeError("[CALL_BEFORE_INITIALIZE] Not supported to call %s() before "
                               "initialize BarrierTaskContext." % method)
        from sparklet.scheduler.barrier import barrier_sync

        epoch, self._epoch = self._epoch, self._epoch + 1
        return barrier_sync(self._coordinator, self._stage_id, self._stage_attempt,
                            self._partition_id, epoch, method, message)

    def barrier(self) -> None:
        """Wait until every task of this stage reached this call (like ``MPI_Barrier``).

        Every task must call ``barrier()`` (and ``allGather``) the same number of times,
        in all code branches, or the stage hangs until ``spark.barrier.sync.timeout``.
        """
        self._sync("barrier", "")

    def allGather(self, message: str = "") -> list[str]:
        """Like :meth:`barrier`, and return every task's ``message``, ordered by partition
        id."""
        if not isinstance(message, str):
            raise TypeError("[NOT_STR] Argument `message` should be a str, got %s."
                            % type(message).__name__)
        return self._sync("allGather", message)

    def getTaskInfos(self) -> list[BarrierTaskInfo]:
        """:class:`BarrierTaskInfo` of every task of this stage, ordered by partition id."""
        addresses = self._local_properties.get("addresses", "")
        return [BarrierTaskInfo(a.strip()) for a in addresses.split(",")]
