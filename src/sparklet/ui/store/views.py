"""The REST API's shapes (Spark's status.api.v1 classes) built from the live entities.

Field names and order follow Spark 3.5/4.x's ``api.scala``. A value Spark models as an
``Option`` is None here when absent; the HTTP layer (:mod:`sparklet.ui.api`) drops those
keys, as Spark's JSON writer does (NON_ABSENT). Fields sparklet cannot know (JVM GC time,
off-heap memory, push-based shuffle) carry Spark's zero value. The caller holds the store's
lock.
"""

from __future__ import annotations

import platform
import sys

from sparklet.ui.store.util import quantiles_of, spark_date

__all__ = ["application_info", "job_data", "stage_data", "task_data", "task_summary",
           "executor_summary", "rdd_storage_info", "environment", "job_dag", "counters"]

# ExecutorStageSummary field -> task metric key
EXECUTOR_STAGE_METRICS = (
    ("inputBytes", "inputBytes"), ("inputRecords", "inputRecords"),
    ("outputBytes", "outputBytes"), ("outputRecords", "outputRecords"),
    ("shuffleRead", "shuffleReadBytes"), ("shuffleReadRecords", "shuffleReadRecords"),
    ("shuffleWrite", "shuffleWriteBytes"), ("shuffleWriteRecords", "shuffleWriteRecords"),
    ("memoryBytesSpilled", "memoryBytesSpilled"), ("diskBytesSpilled", "diskBytesSpilled"),
)


def default_version() -> str:
    try:
        import sparklet
        return getattr(sparklet, "__version__", "") or ""
    except ImportError:  # pragma: no cover
        return ""


def new_executor_stage_summary() -> dict:
    d = {"taskTime": 0, "failedTasks": 0, "succeededTasks": 0, "killedTasks": 0}
    d.update((k, 0) for k, _ in EXECUTOR_STAGE_METRICS)
    return d


def application_info(store, now: int) -> dict:
    start = store.start_time or 0
    end = store.end_time if store.completed and store.end_time is not None else -1
    last = store.end_time if store.completed else (store.last_event_time or start)
    attempt = {
        "attemptId": None,
        "startTime": spark_date(start),
        "endTime": spark_date(end),
        "lastUpdated": spark_date(last),
        "duration": (end - start) if end >= 0 else max(0, now - start),
        "sparkUser": store.spark_user,
        "completed": store.completed,
        "appSparkVersion": store.spark_version or default_version(),
        "startTimeEpoch": start,
        "endTimeEpoch": end,
        "lastUpdatedEpoch": last,
    }
    return {"id": store.app_id, "name": store.app_name or "", "coresGranted": None,
            "maxCores": None, "coresPerExecutor": None, "memoryPerExecutorMB": None,
            "attempts": [attempt]}


def job_data(j) -> dict:
    return {
        "jobId": j.job_id,
        "name": j.name,
        "description": j.description,
        "submissionTime": spark_date(j.submission_time),
        "completionTime": spark_date(j.completion_time),
        "stageIds": list(j.stage_ids),
        "jobGroup": j.job_group,
        "jobTags": list(j.job_tags),
        "status": j.status,
        "numTasks": j.num_tasks,
        "numActiveTasks": j.active_tasks,
        "numCompletedTasks": j.completed_tasks,
        "numSkippedTasks": j.skipped_tasks,
        "numFailedTasks": j.failed_tasks,
        "numKilledTasks": j.killed_tasks,
        "numCompletedIndices": len(j.completed_indices),
        "numActiveStages": len(j.active_stages),
        "numCompletedStages": len(j.completed_stages),
        "numSkippedStages": len(j.skipped_stages),
        "numFailedStages": j.failed_stages,
        "killedTasksSummary": dict(j.killed_summary),
    }


def stage_data(store, st, details: bool, now: int, task_status: set[str] | None) -> dict:
    s = st.sums
    info = st.info
    read_local = s["shuffleReadBytes"] - s["shuffleRemoteBytesRead"]
    body = {
        "status": st.status,
        "stageId": st.stage_id,
        "attemptId": st.attempt_id,
        "numTasks": st.num_tasks,
        "numActiveTasks": st.active_tasks,
        "numCompleteTasks": st.complete_tasks,
        "numFailedTasks": st.failed_tasks,
        "numKilledTasks": st.killed_tasks,
        "numCompletedIndices": len(st.completed_indices),
        "submissionTime": spark_date(st.submission_time),
        "firstTaskLaunchedTime": spark_date(st.first_task_launched),
        "completionTime": spark_date(st.completion_time),
        "failureReason": st.failure_reason,
        "executorDeserializeTime": s["executorDeserializeTime"],
        "executorDeserializeCpuTime": s["executorDeserializeCpuTime"],
        "executorRunTime": s["executorRunTime"],
        "executorCpuTime": s["executorCpuTime"],
        "resultSize": s["resultSize"],
        "jvmGcTime": s["jvmGcTime"],
        "resultSerializationTime": s["resultSerializationTime"],
        "memoryBytesSpilled": s["memoryBytesSpilled"],
        "diskBytesSpilled": s["diskBytesSpilled"],
        "peakExecutionMemory": s["peakExecutionMemory"],
        "peakOnHeapExecutionMemory": s["peakExecutionMemory"],
        "peakOffHeapExecutionMemory": 0,
        "inputBytes": s["inputBytes"],
        "inputRecords": s["inputRecords"],
        "outputBytes": s["outputBytes"],
        "outputRecords": s["outputRecords"],
        "shuffleRemoteBlocksFetched": s["shuffleRemoteBlocksFetched"],
        "shuffleLocalBlocksFetched": s["shuffleLocalBlocksFetched"],
        "shuffleFetchWaitTime": s["shuffleFetchWaitTime"],
        "shuffleRemoteBytesRead": s["shuffleRemoteBytesRead"],
        "shuffleRemoteBytesReadToDisk": 0,
        "shuffleLocalBytesRead": read_local,
        "shuffleReadBytes": s["shuffleReadBytes"],
        "shuffleReadRecords": s["shuffleReadRecords"],
        "shuffleCorruptMergedBlockChunks": 0,
        "shuffleMergedFetchFallbackCount": 0,
        "shuffleMergedRemoteBlocksFetched": 0,
        "shuffleMergedLocalBlocksFetched": 0,
        "shuffleMergedRemoteChunksFetched": 0,
        "shuffleMergedLocalChunksFetched": 0,
        "shuffleMergedRemoteBytesRead": 0,
        "shuffleMergedLocalBytesRead": 0,
        "shuffleRemoteReqsDuration": 0,
        "shuffleMergedRemoteReqsDuration": 0,
        "shuffleWriteBytes": s["shuffleWriteBytes"],
        "shuffleWriteTime": s["shuffleWriteTime"],
        "shuffleWriteRecords": s["shuffleWriteRecords"],
        "name": info.get("name") or "",
        "description": st.description,
        "details": info.get("details") or "",
        "schedulingPool": st.pool,
        "rddIds": [r.get("rddId") for r in info.get("rddInfos") or ()],
        "accumulatorUpdates": [],
        "tasks": None,
        "executorSummary": None,
        "speculationSummary": None,
        "killedTasksSummary": dict(st.killed_summary),
        "resourceProfileId": 0,
        "peakExecutorMetrics": None,
        "taskMetricsDistributions": None,
        "executorMetricsDistributions": None,
        "isShufflePushEnabled": False,
        "shuffleMergersCount": 0,
    }
    if details:
        tasks = {}
        for tid in st.task_ids:
            t = store._tasks.get(tid)
            if t is not None and (task_status is None or t.info.get("status") in task_status):
                tasks[str(tid)] = task_data(t, now)
        body["tasks"] = tasks
        body["executorSummary"] = {
            eid: dict(es, isBlacklistedForStage=False, peakMemoryMetrics=None,
                      isExcludedForStage=False)
            for eid, es in st.executor_summaries.items()}
        body["speculationSummary"] = {"numTasks": 0, "numActiveTasks": 0,
                                      "numCompletedTasks": 0, "numFailedTasks": 0,
                                      "numKilledTasks": 0}
    return body


def task_metrics(m: dict) -> dict:
    g = m.get
    read = g("shuffleReadBytes") or 0
    remote = g("shuffleRemoteBytesRead") or 0
    return {
        "executorDeserializeTime": g("executorDeserializeTime") or 0,
        "executorDeserializeCpuTime": g("executorDeserializeCpuTime") or 0,
        "executorRunTime": g("executorRunTime") or 0,
        "executorCpuTime": g("executorCpuTime") or 0,
        "resultSize": g("resultSize") or 0,
        "jvmGcTime": g("jvmGcTime") or 0,
        "resultSerializationTime": g("resultSerializationTime") or 0,
        "memoryBytesSpilled": g("memoryBytesSpilled") or 0,
        "diskBytesSpilled": g("diskBytesSpilled") or 0,
        "peakExecutionMemory": g("peakExecutionMemory") or 0,
        "peakOnHeapExecutionMemory": g("peakExecutionMemory") or 0,
        "peakOffHeapExecutionMemory": 0,
        "inputMetrics": {"bytesRead": g("inputBytes") or 0,
                         "recordsRead": g("inputRecords") or 0},
        "outputMetrics": {"bytesWritten": g("outputBytes") or 0,
                          "recordsWritten": g("outputRecords") or 0},
        "shuffleReadMetrics": {
            "remoteBlocksFetched": g("shuffleRemoteBlocksFetched") or 0,
            "localBlocksFetched": g("shuffleLocalBlocksFetched") or 0,
            "fetchWaitTime": g("shuffleFetchWaitTime") or 0,
            "remoteBytesRead": remote,
            "remoteBytesReadToDisk": 0,
            "localBytesRead": read - remote,
            "recordsRead": g("shuffleReadRecords") or 0,
            "remoteReqsDuration": 0,
            "shufflePushReadMetrics": {
                "corruptMergedBlockChunks": 0, "mergedFetchFallbackCount": 0,
                "remoteMergedBlocksFetched": 0, "localMergedBlocksFetched": 0,
                "remoteMergedChunksFetched": 0, "localMergedChunksFetched": 0,
                "remoteMergedBytesRead": 0, "localMergedBytesRead": 0,
                "remoteMergedReqsDuration": 0},
        },
        "shuffleWriteMetrics": {"bytesWritten": g("shuffleWriteBytes") or 0,
                                "writeTime": g("shuffleWriteTime") or 0,
                                "recordsWritten": g("shuffleWriteRecords") or 0},
    }


def task_duration(t, now: int) -> int | None:
    launch = t.info.get("launchTime")
    if launch is None:
        return None
    finish = t.info.get("finishTime")
    return (finish if finish is not None else now) - launch


def task_data(t, now: int) -> dict:
    i = t.info
    return {
        "taskId": i.get("taskId"),
        "index": i.get("index"),
        "attempt": i.get("attempt") or 0,
        "partitionId": i.get("partitionId", i.get("index")),
        "launchTime": spark_date(i.get("launchTime")),
        "resultFetchStart": None,
        "duration": task_duration(t, now),
        "executorId": str(i.get("executorId")),
        "host": i.get("host") or "",
        "status": i.get("status") or "UNKNOWN",
        "taskLocality": i.get("locality") or "PROCESS_LOCAL",
        "speculative": bool(i.get("speculative")),
        "accumulatorUpdates": [],
        "errorMessage": t.error_message,
        "taskMetrics": task_metrics(t.metrics) if t.metrics is not None else None,
        "executorLogs": {},
        "schedulerDelay": 0,
        "gettingResultTime": 0,
    }


def task_sorting(sort_by: str | None):
    """A sort key for Spark's TaskSorting names (case-insensitive); ValueError else."""
    name = (sort_by or "ID").lower()
    if name == "id":
        return lambda t: t.info.get("taskId") or 0
    if name in ("runtime", "increasing_runtime", "increasingruntime"):
        return lambda t: _run_time(t)
    if name in ("-runtime", "decreasing_runtime", "decreasingruntime"):
        return lambda t: -_run_time(t)
    raise ValueError(sort_by)


def _run_time(t) -> int:
    return (t.metrics or {}).get("executorRunTime", -1) if t.metrics is not None else -1


def task_summary(tasks: list, quantiles: list[float]) -> dict:
    def dist(key):
        return quantiles_of([(t.metrics or {}).get(key) or 0 for t in tasks], quantiles)

    def dist_of(f):
        return quantiles_of([f(t) for t in tasks], quantiles)

    zeros = [0.0] * len(quantiles)
    durations = dist_of(lambda t: task_duration(t, 0) or 0)
    return {
        "quantiles": list(quantiles),
        "duration": durations,
        "executorDeserializeTime": dist("executorDeserializeTime"),
        "executorDeserializeCpuTime": dist("executorDeserializeCpuTime"),
        "executorRunTime": dist("executorRunTime"),
        "executorCpuTime": dist("executorCpuTime"),
        "resultSize": dist("resultSize"),
        "jvmGcTime": dist("jvmGcTime"),
        "resultSerializationTime": dist("resultSerializationTime"),
        "gettingResultTime": list(zeros),
        "schedulerDelay": list(zeros),
        "peakExecutionMemory": dist("peakExecutionMemory"),
        "peakOnHeapExecutionMemory": dist("peakExecutionMemory"),
        "peakOffHeapExecutionMemory": list(zeros),
        "memoryBytesSpilled": dist("memoryBytesSpilled"),
        "diskBytesSpilled": dist("diskBytesSpilled"),
        "inputMetrics": {"bytesRead": dist("inputBytes"), "recordsRead": dist("inputRecords")},
        "outputMetrics": {"bytesWritten": dist("outputBytes"),
                          "recordsWritten": dist("outputRecords")},
        "shuffleReadMetrics": {
            "readBytes": dist("shuffleReadBytes"),
            "readRecords": dist("shuffleReadRecords"),
            "remoteBlocksFetched": dist("shuffleRemoteBlocksFetched"),
            "localBlocksFetched": dist("shuffleLocalBlocksFetched"),
            "fetchWaitTime": dist("shuffleFetchWaitTime"),
            "remoteBytesRead": dist("shuffleRemoteBytesRead"),
            "remoteBytesReadToDisk": list(zeros),
            "totalBlocksFetched": dist_of(lambda t: (
                (t.metrics.get("shuffleRemoteBlocksFetched") or 0)
                + (t.metrics.get("shuffleLocalBlocksFetched") or 0))),
            "remoteReqsDuration": list(zeros),
            "shufflePushReadMetricsDist": {k: list(zeros) for k in (
                "corruptMergedBlockChunks", "mergedFetchFallbackCount",
                "remoteMergedBlocksFetched", "localMergedBlocksFetched",
                "remoteMergedChunksFetched", "localMergedChunksFetched",
                "remoteMergedBytesRead", "localMergedBytesRead",
                "remoteMergedReqsDuration")},
        },
        "shuffleWriteMetrics": {"writeBytes": dist("shuffleWriteBytes"),
                                "writeRecords": dist("shuffleWriteRecords"),
                                "writeTime": dist("shuffleWriteTime")},
    }


def executor_summary(store, e) -> dict:
    return {
        "id": e.executor_id,
        "hostPort": e.host,
        "isActive": e.is_active,
        "rddBlocks": e.rdd_blocks,
        "memoryUsed": e.memory_used,
        "diskUsed": e.disk_used,
        "totalCores": e.total_cores,
        "maxTasks": e.total_cores,
        "activeTasks": e.active_tasks,
        "failedTasks": e.failed_tasks,
        "completedTasks": e.completed_tasks,
        "totalTasks": e.total_tasks,
        "totalDuration": e.total_duration,
        "totalGCTime": e.total_gc_time,
        "totalInputBytes": e.input_bytes,
        "totalShuffleRead": e.shuffle_read,
        "totalShuffleWrite": e.shuffle_write,
        "isBlacklisted": False,
        "maxMemory": e.max_memory,
        "addTime": spark_date(e.add_time if e.add_time is not None else store.start_time),
        "removeTime": spark_date(e.remove_time),
        "removeReason": e.remove_reason,
        "executorLogs": {},
        "memoryMetrics": {"usedOnHeapStorageMemory": e.memory_used,
                          "usedOffHeapStorageMemory": 0,
                          "totalOnHeapStorageMemory": e.max_memory,
                          "totalOffHeapStorageMemory": 0},
        "blacklistedInStages": [],
        "peakMemoryMetrics": None,
        "attributes": {},
        "resources": {},
        "resourceProfileId": 0,
        "isExcluded": False,
        "excludedInStages": [],
    }


def rdd_storage_info(store, r, details: bool) -> dict:
    mem, disk = r.totals()
    body = {
        "id": r.rdd_id,
        "name": r.name,
        "numPartitions": r.num_partitions,
        "numCachedPartitions": len(r.blocks),
        "storageLevel": r.storage_level,
        "memoryUsed": mem,
        "diskUsed": disk,
        "dataDistribution": None,
        "partitions": None,
    }
    if details:
        per_exec: dict[str, list[int]] = {}
        for blocks in r.blocks.values():
            for eid, (m, d) in blocks.items():
                acc = per_exec.setdefault(eid, [0, 0])
                acc[0] += m
                acc[1] += d
        dist = []
        for eid, (m, d) in per_exec.items():
            ex = store._executors.get(eid)
            host = ex.host if ex is not None else eid
            remaining = max(0, (ex.max_memory - ex.memory_used)) if ex is not None else 0
            dist.append({"address": host, "memoryUsed": m, "memoryRemaining": remaining,
                         "diskUsed": d, "onHeapMemoryUsed": m, "offHeapMemoryUsed": 0,
                         "onHeapMemoryRemaining": remaining, "offHeapMemoryRemaining": 0})
        body["dataDistribution"] = dist
        body["partitions"] = [
            {"blockName": name, "storageLevel": r.storage_level,
             "memoryUsed": sum(m for m, _ in blocks.values()),
             "diskUsed": sum(d for _, d in blocks.values()),
             "executors": sorted(blocks)}
            for name, blocks in sorted(r.blocks.items(), key=lambda kv: _block_order(kv[0]))]
    return body


def _block_order(name: str):
    head, _, tail = name.rpartition("_")
    return (head, int(tail)) if tail.isdigit() else (name, 0)


def environment(env: dict | None) -> dict:
    env = env or {}
    rt = env.get("runtime") or {}
    py = rt.get("pythonVersion") or platform.python_version()
    return {
        "runtime": {"javaVersion": "Python %s" % py,
                    "javaHome": rt.get("pythonExecutable") or sys.executable,
                    "scalaVersion": "sparklet %s" % (rt.get("sparkletVersion")
                                                     or default_version()),
                    "pythonVersion": py,
                    "platform": rt.get("platform") or platform.platform()},
        "sparkProperties": [list(p) for p in env.get("sparkProperties") or ()],
        "hadoopProperties": [],
        "systemProperties": [list(p) for p in env.get("systemProperties") or ()],
        "metricsProperties": [],
        "classpathEntries": [],
        "resourceProfiles": [],
    }


def job_dag(store, j) -> dict:
    infos = {s.get("stageId"): s for s in j.stage_infos}
    out = []
    for sid in sorted(set(j.stage_ids) | set(infos)):
        attempts = store._attempts.get(sid)
        st = store._stages[(sid, max(attempts))] if attempts else None
        info = st.info if st is not None else infos.get(sid, {"stageId": sid})
        if sid in j.skipped_stages and sid not in j.submitted_stages:
            status = "SKIPPED"          # skipped in this job, even if computed by another
        elif st is not None:
            status = st.status
        else:
            status = "PENDING" if j.status == "RUNNING" else "COMPLETE"
        rdds = []
        for r in info.get("rddInfos") or ():
            rid = r.get("rddId")
            level = r.get("storageLevel") or ""
            rdds.append({"rddId": rid, "name": r.get("name") or "",
                         "callSite": r.get("callSite") or "",
                         "parentIds": list(r.get("parentIds") or ()),
                         "cached": rid in store._rdds or _is_cached_level(level)})
        out.append({"stageId": sid, "attemptId": st.attempt_id if st is not None else 0,
                    "name": info.get("name") or "", "status": status,
                    "numTasks": info.get("numTasks") or 0,
                    "parentIds": list(info.get("parentIds") or ()), "rdds": rdds})
    return {"jobId": j.job_id, "stages": out}


def _is_cached_level(level: str) -> bool:
    return "Memory" in level or "Disk" in level


def counters(store) -> dict:
    jobs_active = sum(1 for j in store._jobs.values() if j.status == "RUNNING")
    stages_active = sum(1 for s in store._stages.values() if s.status == "ACTIVE")
    execs = list(store._executors.values())
    tasks_active = sum(e.active_tasks for e in execs)
    return {
        "totals": dict(store.totals),
        "jobsActive": jobs_active,
        "stagesActive": stages_active,
        "tasksActive": tasks_active,
        "executorsActive": sum(1 for e in execs if e.is_active),
        "executors": [(e.executor_id, e.memory_used, e.disk_used, e.active_tasks,
                       e.is_active) for e in execs],
        "rdds": [(r.rdd_id, r.name, *r.totals()) for r in store._rdds.values()],
    }
