"""Listener events as plain dicts: what the scheduler and the streaming layer tell the UI.

Every event is a JSON-able dict with ``"Event"`` (Spark's listener event name) and camelCase
fields; times are epoch milliseconds. The same dicts feed the live UI's status store, are
written to the event log one per line, and are replayed from it by the history server, so
this module is the one place their shape is decided (``docs/monitoring.md`` lists them).

>>> event = job_end(3, True, None, time_ms=1_700_000_000_000)
>>> event["Event"], event["jobId"], event["result"]
('SparkListenerJobEnd', 3, 'JobSucceeded')
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from typing import Any, NamedTuple

from sparklet.dependency import NarrowDependency

__all__ = [
    "now_ms", "application_start", "application_end", "environment_update",
    "executor_added", "executor_removed", "job_start", "job_end", "stage_submitted",
    "stage_completed", "task_start", "task_end", "block_updated", "unpersist_rdd",
    "stage_info", "StageRef", "streaming_event", "REDACTED",
]

REDACTED = "*********(redacted)"
# Spark's spark.redaction.regex default
_REDACT = re.compile(r"(?i)secret|password|token|access[.]?key")
_MAX_RDDS_PER_STAGE = 200  # a stage's narrow lineage drawn in the DAG, at most


def now_ms() -> int:
    return int(time.time() * 1000)


# -- application -----------------------------------------------------------------------------

def application_start(sc) -> dict:
    return {"Event": "SparkListenerApplicationStart", "appName": sc.appName,
            "appId": sc.applicationId, "time": sc.startTime, "sparkUser": sc.sparkUser(),
            "sparkVersion": sc.version, "master": sc.master}


def application_end(time_ms: int | None = None) -> dict:
    return {"Event": "SparkListenerApplicationEnd", "time": time_ms or now_ms()}


def _redact(items) -> list[list[str]]:
    return [[k, REDACTED if _REDACT.search(k) else str(v)] for k, v in sorted(items)]


def environment_update(sc) -> dict:
    from sparklet import __version__

    system = [("python.executable", sys.executable), ("python.version", sys.version),
              ("os.name", platform.system()), ("os.release", platform.release()),
              ("os.arch", platform.machine()), ("user.dir", os.getcwd()),
              ("process.pid", os.getpid())]
    return {"Event": "SparkListenerEnvironmentUpdate", "time": now_ms(),
            "sparkProperties": _redact(sc._conf.getAll()),
            "systemProperties": _redact(system),
            "runtime": {"pythonVersion": platform.python_version(),
                        "pythonExecutable": sys.executable, "platform": platform.platform(),
                        "sparkletVersion": __version__}}


def executor_added(executor_id: str, cores: int, pid: int | None,
                   host: str = "localhost") -> dict:
    return {"Event": "SparkListenerExecutorAdded", "time": now_ms(), "executorId": executor_id,
            "host": host, "totalCores": cores, "pid": pid}


def executor_removed(executor_id: str, reason: str) -> dict:
    return {"Event": "SparkListenerExecutorRemoved", "time": now_ms(),
            "executorId": executor_id, "reason": reason}


# -- jobs and stages -------------------------------------------------------------------------

def _rdd_info(rdd, parent_ids: list[int]) -> dict:
    level = rdd.getStorageLevel()  # str(): Spark's description ("Memory Serialized 1x ...")
    return {"rddId": rdd.id(), "name": rdd.name() or rdd._class_name(),
            "callSite": getattr(rdd, "_creation_site", ""), "parentIds": parent_ids,
            "numPartitions": rdd.getNumPartitions(),
            "storageLevel": str(level),
            "scope": None}


def _stage_rdds(rdd) -> list[dict]:
    """The RDDs a stage pipelines: its RDD and the narrow lineage behind it, up to the
    shuffles that cut it from its parent stages (those shuffled RDDs are parents too)."""
    infos, seen, to_visit = [], set(), [rdd]
    while to_visit and len(infos) < _MAX_RDDS_PER_STAGE:
        r = to_visit.pop()
        if r.id() in seen:
            continue
        seen.add(r.id())
        parents = []
        for dep in r.dependencies():
            parents.append(dep.rdd.id())
            if isinstance(dep, NarrowDependency):
                to_visit.append(dep.rdd)
        infos.append(_rdd_info(r, parents))
    infos.sort(key=lambda i: i["rddId"])
    return infos


class StageRef(NamedTuple):
    """What an event needs of a scheduler stage, taken when it is posted: the event is
    built later, and holding the stage itself would keep it (and so its shuffle's stage
    identity) alive longer than the scheduler does."""

    id: int
    attempt: int
    num_tasks: int
    call_site: str
    parent_ids: list
    rdd: Any
    is_shuffle_map: bool

    @classmethod
    def of(cls, stage) -> StageRef:
        return cls(stage.id, max(stage.attempt, 0), stage.num_partitions, stage.name,
                   sorted(p.id for p in stage.parents), stage.rdd,
                   getattr(stage, "dep", None) is not None)


def stage_info(stage: StageRef, submission_time: int | None = None,
               completion_time: int | None = None, failure_reason: str | None = None) -> dict:
    # A stage's RDDs do not change: walked once, whichever of its events comes first.
    rdd_infos = getattr(stage.rdd, "_ui_stage_rdds", None)
    if rdd_infos is None:
        rdd_infos = stage.rdd._ui_stage_rdds = _stage_rdds(stage.rdd)
    return {"stageId": stage.id, "attemptId": stage.attempt,
            "name": _short_name(stage.call_site), "numTasks": stage.num_tasks,
            "parentIds": stage.parent_ids, "details": stage.call_site,
            "rddInfos": rdd_infos, "submissionTime": submission_time,
            "completionTime": completion_time, "failureReason": failure_reason,
            "isShuffleMap": stage.is_shuffle_map}


def _short_name(call_site: str) -> str:
    """``count at /home/u/app.py:12`` -> ``count at app.py:12`` (Spark's short form)."""
    head, sep, where = call_site.partition(" at ")
    return head + sep + os.path.basename(where) if sep else call_site


def job_start(job_id: int, stages: list[StageRef], props: dict,
              time_ms: int | None = None) -> dict:
    return {"Event": "SparkListenerJobStart", "time": time_ms or now_ms(), "jobId": job_id,
            "stageIds": [s.id for s in stages],
            "stageInfos": [stage_info(s) for s in stages],
            "properties": {str(k): str(v) for k, v in props.items() if v is not None}}


def job_end(job_id: int, succeeded: bool, error: str | None,
            time_ms: int | None = None) -> dict:
    return {"Event": "SparkListenerJobEnd", "time": time_ms or now_ms(), "jobId": job_id,
            "result": "JobSucceeded" if succeeded else "JobFailed", "errorMessage": error}


def stage_submitted(stage: StageRef, job_id: int, props: dict,
                    time_ms: int | None = None) -> dict:
    t = time_ms or now_ms()
    return {"Event": "SparkListenerStageSubmitted", "time": t, "jobId": job_id,
            "stageInfo": stage_info(stage, submission_time=t),
            "properties": {str(k): str(v) for k, v in props.items() if v is not None}}


def stage_completed(stage: StageRef, submission_time: int | None, failure_reason: str | None,
                    time_ms: int | None = None) -> dict:
    t = time_ms or now_ms()
    return {"Event": "SparkListenerStageCompleted", "time": t,
            "stageInfo": stage_info(stage, submission_time=submission_time,
                                    completion_time=t, failure_reason=failure_reason)}


# -- tasks -----------------------------------------------------------------------------------

_REASONS = {"success": "Success", "failed": "ExceptionFailure",
            "fetch_failed": "FetchFailed", "executor_lost": "ExecutorLostFailure",
            "killed": "TaskKilled"}
_STATUS = {"success": "SUCCESS", "failed": "FAILED", "fetch_failed": "FAILED",
           "executor_lost": "FAILED", "killed": "KILLED"}


def _task_info(task, executor_id: str, launch_ms: int, finish_ms: int | None,
               status: str) -> dict:
    return {"taskId": task.task_id, "index": task.partition, "attempt": task.attempt,
            "partitionId": task.partition, "launchTime": launch_ms, "finishTime": finish_ms,
            "executorId": executor_id, "host": "localhost",
            "locality": "PROCESS_LOCAL" if task.preferred_executor is not None else "ANY",
            "speculative": False, "status": status}


def task_start(task, executor_id: str, launch_ms: int) -> dict:
    return {"Event": "SparkListenerTaskStart", "time": launch_ms, "stageId": task.stage_id,
            "stageAttemptId": task.stage_attempt,
            "taskInfo": _task_info(task, executor_id, launch_ms, None, "RUNNING")}


def task_end(task, status: str, result, info: Any, launch_ms: int | None,
             finish_ms: int | None = None) -> dict:
    finish = finish_ms or now_ms()
    executor_id = (result.executor_id if result is not None and result.executor_id
                   else str(info) if status == "success" else "")
    metrics: dict = {}
    error = None
    if result is not None:
        metrics = result.metrics  # numbers only (sparklet.taskcontext.TASK_METRIC_KEYS)
        if "executorRunTime" not in metrics:
            metrics = {**metrics, "executorRunTime": int(result.duration * 1000)}
        error = result.error or None
    elif status != "success":
        error = str(info)
    if launch_ms is None:
        launch_ms = finish - metrics.get("executorRunTime", 0)
    return {"Event": "SparkListenerTaskEnd", "time": finish, "stageId": task.stage_id,
            "stageAttemptId": task.stage_attempt,
            "taskType": "ShuffleMapTask" if task.kind == "shuffle_map" else "ResultTask",
            "reason": _REASONS.get(status, status), "errorMessage": error,
            "taskInfo": _task_info(task, executor_id, launch_ms, finish,
                                   _STATUS.get(status, "FAILED")),
            "taskMetrics": metrics}


# -- storage ---------------------------------------------------------------------------------

def block_updated(executor_id: str, block_id: str, level: str, mem: int, disk: int,
                  time_ms: int | None = None) -> dict:
    rdd_id = None
    if block_id.startswith("rdd_"):
        try:
            rdd_id = int(block_id.split("_")[1])
        except (IndexError, ValueError):
            rdd_id = None
    return {"Event": "SparkListenerBlockUpdated", "time": time_ms or now_ms(),
            "executorId": executor_id,
            "blockId": block_id, "rddId": rdd_id, "storageLevel": level, "memSize": mem,
            "diskSize": disk}


def unpersist_rdd(rdd_id: int) -> dict:
    return {"Event": "SparkListenerUnpersistRDD", "time": now_ms(), "rddId": rdd_id}


# -- streaming -------------------------------------------------------------------------------

def _output_op(info) -> dict:
    return {"batchTime": info.batchTime().milliseconds(), "id": info.id(),
            "name": info.name(), "description": info.description(),
            "startTime": info.start_time, "endTime": info.end_time,
            "failureReason": info.failureReason()}


def _batch(info) -> dict:
    inputs = {str(sid): {"inputStreamId": i.inputStreamId(), "numRecords": i.numRecords(),
                         "description": i.metadataDescription()}
              for sid, i in info.streamIdToInputInfo().items()}
    for sid, i in info.streamIdToInputInfo().items():
        if "malformedRecords" in i.metadata():  # a connector's decoder skipped some
            inputs[str(sid)]["malformedRecords"] = int(i.metadata()["malformedRecords"])
    return {"batchTime": info.batchTime().milliseconds(),
            "submissionTime": info.submissionTime(),
            "processingStartTime": info._start, "processingEndTime": info._end,
            "numRecords": info.numRecords(), "streamIdToInputInfo": inputs,
            "outputOperationInfos": {str(k): _output_op(v)
                                     for k, v in info.outputOperationInfos().items()}}


def _receiver(info) -> dict:
    return {"streamId": info.streamId(), "name": info.name(), "active": info.active(),
            "location": info.location(), "executorId": info.executorId(),
            "lastErrorMessage": info.lastErrorMessage(), "lastError": info.lastError(),
            "lastErrorTime": info.lastErrorTime()}


def streaming_event(event, ssc=None, time_ms: int | None = None) -> dict | None:
    """A :class:`~sparklet.streaming.listener.StreamingListenerEvent` as a dict (None for an
    event the UI does not record)."""
    name = type(event).__name__
    out: dict = {"Event": name, "time": time_ms or now_ms()}
    if hasattr(event, "batchInfo"):
        out["batchInfo"] = _batch(event.batchInfo())
    elif hasattr(event, "outputOperationInfo"):
        out["outputOperationInfo"] = _output_op(event.outputOperationInfo())
    elif hasattr(event, "receiverInfo"):
        out["receiverInfo"] = _receiver(event.receiverInfo())
    elif name == "StreamingListenerStreamingStarted":
        out["time"] = event.time()
        if ssc is not None:
            out["batchDuration"] = ssc._graph.batch_duration
            out["checkpointDir"] = ssc._checkpoint_dir
    elif name == "StreamingListenerWriteAheadLogCorruption":
        out.update(streamId=event.streamId(), segment=event.segment(), offset=event.offset(),
                   numRecordsLost=event.numRecordsLost(), message=event.message())
    else:
        return None
    return out
