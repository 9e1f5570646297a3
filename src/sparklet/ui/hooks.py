"""Where the scheduler and the streaming layer post their listener events.

The DAGScheduler and the TaskScheduler hold a :class:`SchedulerEvents` only while something
listens on the bus (the UI, the event log); otherwise they hold None and post nothing.
Building an event here is all the scheduler's thread pays: the bus's own thread delivers.
"""

from __future__ import annotations

from sparklet.ui import events

__all__ = ["SchedulerEvents", "StreamingEvents"]


class SchedulerEvents:
    """Posts job, stage, task, executor and block events for one SparkContext. The events
    are built in the bus's thread (``post_lazy``): here, only the times are taken."""

    def __init__(self, sc, bus) -> None:
        self._sc = sc
        self.bus = bus
        self._launched: dict[int, int] = {}   # task id -> launch time (ms)
        self._stage_submitted: dict[tuple[int, int], int] = {}

    # -- from the DAGScheduler -------------------------------------------------------------

    def job_start(self, job_id: int, stages: list, props: dict) -> None:
        self.bus.post_lazy(events.job_start, job_id, [events.StageRef.of(s) for s in stages],
                           dict(props), events.now_ms())

    def job_end(self, job_id: int, succeeded: bool, error: BaseException | None) -> None:
        self.bus.post_lazy(events.job_end, job_id, succeeded,
                           None if error is None else str(error), events.now_ms())

    def stage_submitted(self, stage, job_id: int, props: dict) -> None:
        now = events.now_ms()
        self._stage_submitted[(stage.id, stage.attempt)] = now  # dict ops are atomic
        self.bus.post_lazy(events.stage_submitted, events.StageRef.of(stage), job_id,
                           dict(props), now)

    def stage_completed(self, stage, failure: BaseException | None) -> None:
        submitted = self._stage_submitted.pop((stage.id, stage.attempt), None)
        self.bus.post_lazy(events.stage_completed, events.StageRef.of(stage), submitted,
                           None if failure is None else str(failure), events.now_ms())

    def task_end(self, task, status: str, result, info) -> None:
        now = events.now_ms()
        self.bus.post_lazy(events.task_end, task, status, result, info,
                           self._launched.pop(task.task_id, None), now)
        if result is not None and result.block_updates:
            for block_id, level, mem, disk in result.block_updates:
                self.bus.post_lazy(events.block_updated, result.executor_id, block_id,
                                   level, mem, disk, now)

    # -- from the TaskScheduler ------------------------------------------------------------

    def task_launched(self, executor_id: str, task) -> None:
        launch = events.now_ms()
        self._launched[task.task_id] = launch
        self.bus.post_lazy(events.task_start, task, executor_id, launch)

    def executor_added(self, executor_id: str, slots: int) -> None:
        pids_of = getattr(getattr(self._sc, "_backend", None), "executor_pids", None)
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
        self.bus.post_lazy(events.streaming_event, event, self._ssc, events.now_ms())

    def _batch_completed(self, event) -> None:
        self._forward(event)
        self.bus.deliver_now()  # between batches: the UI's work waits no longer

    onStreamingStarted = onReceiverStarted = onReceiverError = onReceiverStopped = _forward
    onBatchSubmitted = onBatchStarted = _forward
    onBatchCompleted = _batch_completed
    onOutputOperationStarted = onOutputOperationCompleted = _forward
    onWriteAheadLogCorruption = _forward
