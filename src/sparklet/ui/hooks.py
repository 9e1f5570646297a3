"""Where the scheduler and the streaming layer post their listener events.

The DAGScheduler and the TaskScheduler hold a :class:`SchedulerEvents` only while something
listens on the bus (the UI, the event log); otherwise they hold None and post nothing.
Building an event here is all the scheduler's thread pays: the bus's own thread delivers.
"""

from __future__ import annotations

import threading

from sparklet.ui import events

__all__ = ["SchedulerEvents", "StreamingEvents"]


class SchedulerEvents:
    """Posts job, stage, task, executor and block events for one SparkContext."""

    def __init__(self, sc, bus) -> None:
        self._sc = sc
        self.bus = bus
        self._launched: dict[int, int] = {}   # task id -> launch time (ms)
        self._stage_submitted: dict[tuple[int, int], int] = {}
        self._lock = threading.Lock()

    # -- from the DAGScheduler -------------------------------------------------------------

    def job_start(self, job_id: int, stages: list, props: dict) -> None:
        self.bus.post(events.job_start(job_id, stages, props))

    def job_end(self, job_id: int, succeeded: bool, error: BaseException | None) -> None:
        self.bus.post(events.job_end(job_id, succeeded,
                                     None if error is None else str(error)))

    def stage_submitted(self, stage, job_id: int, props: dict) -> None:
        event = events.stage_submitted(stage, job_id, props)
        with self._lock:
            self._stage_submitted[(stage.id, stage.attempt)] = event["time"]
        self.bus.post(event)

    def stage_completed(self, stage, failure: BaseException | None) -> None:
        with self._lock:
            submitted = self._stage_submitted.pop((stage.id, stage.attempt), None)
        self.bus.post(events.stage_completed(stage, submitted,
                                             None if failure is None else str(failure)))

    def task_end(self, task, status: str, result, info) -> None:
        with self._lock:
            launch = self._launched.pop(task.task_id, None)
        self.bus.post(events.task_end(task, status, result, info, launch))
        if result is not None:
            for block_id, level, mem, disk in getattr(result, "block_updates", ()):
                self.bus.post(events.block_updated(result.executor_id, block_id, level,
                                                   mem, disk))

    # -- from the TaskScheduler ------------------------------------------------------------

    def task_launched(self, executor_id: str, task) -> None:
        launch = events.now_ms()
        with self._lock:
            self._launched[task.task_id] = launch
        self.bus.post(events.task_start(task, executor_id, launch))

    def task_lost(self, task_id: int) -> None:
        """A task whose outcome will never be reported (its task set was aborted)."""
        with self._lock:
            self._launched.pop(task_id, None)

    def executor_added(self, executor_id: str, slots: int) -> None:
        pids_of = getattr(self._sc._backend, "executor_pids", None) \
            if hasattr(self._sc, "_backend") else None
        pid = (pids_of() if pids_of is not None else {}).get(executor_id)
        self.bus.post(events.executor_added(executor_id, slots, pid))

    def executor_removed(self, executor_id: str, reason: str) -> None:
        self.bus.post(events.executor_removed(executor_id, reason))

    # -- from the SparkContext -------------------------------------------------------------

    def rdd_unpersisted(self, rdd_id: int) -> None:
        self.bus.post(events.unpersist_rdd(rdd_id))


class StreamingEvents:
    """Forwards a StreamingContext's listener events to the SparkContext's bus, as dicts
    (a StreamingListener by its methods: importing sparklet.streaming here would cost every
    SparkContext with the UI on the streaming package's import)."""

    def __init__(self, ssc, bus) -> None:
        self._ssc = ssc
        self.bus = bus

    def _forward(self, event) -> None:
        converted = events.streaming_event(event, self._ssc)
        if converted is not None:
            self.bus.post(converted)

    onStreamingStarted = onReceiverStarted = onReceiverError = onReceiverStopped = _forward
    onBatchSubmitted = onBatchStarted = onBatchCompleted = _forward
    onOutputOperationStarted = onOutputOperationCompleted = _forward
    onWriteAheadLogCorruption = _forward
