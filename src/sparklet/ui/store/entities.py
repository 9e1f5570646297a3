"""The live entities the AppStatusStore keeps (Spark's LiveJob, LiveStage, LiveTask,
LiveExecutor, LiveRDD): plain mutable records updated in place by each event.

They hold raw numbers (epoch ms, counters, sums); :mod:`sparklet.ui.store.views` turns them
into the REST API's shapes only when someone asks, so an event costs a few additions.
"""

from __future__ import annotations

__all__ = ["METRIC_KEYS", "LiveJob", "LiveStage", "LiveTask", "LiveExecutor", "LiveRDD",
           "new_sums"]

# Task metric keys of the event schema (and a few more a backend may add): summed per stage.
METRIC_KEYS = (
    "executorRunTime", "executorCpuTime", "executorDeserializeTime",
    "executorDeserializeCpuTime", "resultSize", "jvmGcTime", "resultSerializationTime",
    "memoryBytesSpilled", "diskBytesSpilled", "peakExecutionMemory",
    "inputBytes", "inputRecords", "outputBytes", "outputRecords",
    "shuffleReadBytes", "shuffleReadRecords", "shuffleRemoteBlocksFetched",
    "shuffleLocalBlocksFetched", "shuffleRemoteBytesRead", "shuffleFetchWaitTime",
    "shuffleWriteBytes", "shuffleWriteRecords", "shuffleWriteTime",
)


def new_sums() -> dict[str, int]:
    return dict.fromkeys(METRIC_KEYS, 0)


class LiveJob:
    __slots__ = ("job_id", "name", "description", "submission_time", "completion_time",
                 "stage_ids", "job_group", "job_tags", "status", "num_tasks",
                 "active_tasks", "completed_tasks", "failed_tasks", "killed_tasks",
                 "skipped_tasks", "completed_indices", "active_stages", "completed_stages",
                 "skipped_stages", "failed_stages", "submitted_stages", "killed_summary",
                 "properties", "stage_infos", "error_message")

    def __init__(self, job_id: int, time: int | None, stage_ids: list[int],
                 properties: dict, stage_infos: list[dict]):
        self.job_id = job_id
        result = _result_stage(stage_infos)
        self.name = (result or {}).get("name") or properties.get("callSite.short") or ""
        self.description = properties.get("spark.job.description")
        self.submission_time = time
        self.completion_time: int | None = None
        self.stage_ids = list(stage_ids)
        self.job_group = properties.get("spark.jobGroup.id")
        tags = properties.get("spark.job.tags") or ""
        self.job_tags = sorted(t for t in tags.split(",") if t)
        self.status = "RUNNING"
        # Spark counts the tasks of the stages not yet computed when the job starts.
        self.num_tasks = sum(s.get("numTasks") or 0 for s in stage_infos
                             if s.get("completionTime") is None)
        self.active_tasks = self.completed_tasks = self.failed_tasks = 0
        self.killed_tasks = self.skipped_tasks = 0
        self.completed_indices: set[tuple[int, int]] = set()
        self.active_stages: set[int] = set()
        self.completed_stages: set[int] = set()
        self.skipped_stages: set[int] = set()
        self.failed_stages = 0
        self.submitted_stages: set[int] = set()
        self.killed_summary: dict[str, int] = {}
        self.properties = properties
        self.stage_infos = stage_infos
        self.error_message: str | None = None


def _result_stage(stage_infos: list[dict]) -> dict | None:
    """Spark names a job after its result stage (its call site). Spark's result stage has
    the highest id; sparklet numbers it first, so find it by shape: not a shuffle map
    stage, else the stage no other stage of the job depends on."""
    for s in stage_infos:
        if s.get("isShuffleMap") is False:
            return s
    parents = {p for s in stage_infos for p in s.get("parentIds") or ()}
    tops = [s for s in stage_infos if s.get("stageId") not in parents]
    return max(tops or stage_infos, key=lambda s: s.get("stageId", -1), default=None)


class LiveStage:
    __slots__ = ("stage_id", "attempt_id", "status", "info", "num_tasks", "active_tasks",
                 "complete_tasks", "failed_tasks", "killed_tasks", "completed_indices",
                 "submission_time", "first_task_launched", "completion_time",
                 "failure_reason", "description", "pool", "job_ids", "sums", "task_ids",
                 "executor_summaries", "killed_summary")

    def __init__(self, info: dict, status: str = "PENDING"):
        self.stage_id = info.get("stageId")
        self.attempt_id = info.get("attemptId") or 0
        self.status = status
        self.info = info
        self.num_tasks = info.get("numTasks") or 0
        self.active_tasks = self.complete_tasks = self.failed_tasks = self.killed_tasks = 0
        self.completed_indices: set[int] = set()
        self.submission_time = info.get("submissionTime")
        self.first_task_launched: int | None = None
        self.completion_time = info.get("completionTime")
        self.failure_reason = info.get("failureReason")
        self.description: str | None = None
        self.pool = "default"
        self.job_ids: list[int] = []
        self.sums = new_sums()
        self.task_ids: dict[int, None] = {}       # insertion-ordered set
        self.executor_summaries: dict[str, dict] = {}
        self.killed_summary: dict[str, int] = {}

    @property
    def key(self) -> tuple[int, int]:
        return (self.stage_id, self.attempt_id)


class LiveTask:
    __slots__ = ("info", "stage_key", "metrics", "error_message", "reason", "task_type")

    def __init__(self, info: dict, stage_key: tuple[int, int]):
        self.info = dict(info)
        self.stage_key = stage_key
        self.metrics: dict | None = None
        self.error_message: str | None = None
        self.reason: str | None = None
        self.task_type: str | None = None

    @property
    def finished(self) -> bool:
        return self.info.get("status") not in (None, "RUNNING")


class LiveExecutor:
    __slots__ = ("executor_id", "host", "total_cores", "pid", "add_time", "remove_time",
                 "remove_reason", "active_tasks", "completed_tasks", "failed_tasks",
                 "total_tasks", "total_duration", "total_gc_time", "input_bytes",
                 "shuffle_read", "shuffle_write", "rdd_blocks", "memory_used", "disk_used",
                 "max_memory", "is_active")

    def __init__(self, executor_id: str, host: str | None = None, total_cores: int = 0,
                 pid: int | None = None, add_time: int | None = None):
        self.executor_id = executor_id
        self.host = host or "localhost"
        self.total_cores = total_cores
        self.pid = pid
        self.add_time = add_time
        self.remove_time: int | None = None
        self.remove_reason: str | None = None
        self.active_tasks = self.completed_tasks = self.failed_tasks = self.total_tasks = 0
        self.total_duration = self.total_gc_time = 0
        self.input_bytes = self.shuffle_read = self.shuffle_write = 0
        self.rdd_blocks = self.memory_used = self.disk_used = 0
        self.max_memory = 0
        self.is_active = True


class LiveRDD:
    __slots__ = ("rdd_id", "name", "num_partitions", "storage_level", "blocks")

    def __init__(self, rdd_id: int, info: dict | None):
        info = info or {}
        self.rdd_id = rdd_id
        self.name = info.get("name") or str(rdd_id)
        self.num_partitions = info.get("numPartitions") or 0
        self.storage_level = info.get("storageLevel") or ""
        # blockId -> {executorId: (memSize, diskSize)}
        self.blocks: dict[str, dict[str, tuple[int, int]]] = {}

    def totals(self) -> tuple[int, int]:
        mem = disk = 0
        for per_exec in self.blocks.values():
            for m, d in per_exec.values():
                mem += m
                disk += d
        return mem, disk
