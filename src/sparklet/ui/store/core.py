"""AppStatusStore: the UI's state, built from listener events (Spark's AppStatusListener
and AppStatusStore in one object).

The bus thread calls :meth:`AppStatusStore.on_event` for every event, in posting order; the
web server's threads call the read methods (one per REST endpoint, returning the JSON-able
body). One re-entrant lock guards everything: an event costs a dict lookup and a few
additions under it, and a read copies what it needs into fresh dicts before the lock is
released, so no caller ever sees a half-applied event.

Retention follows Spark's settings: ``spark.ui.retainedJobs`` / ``spark.ui.retainedStages``
drop the oldest *finished* jobs / stages (running ones are never dropped), and
``spark.ui.retainedTasks`` bounds the tasks kept for the whole application, the oldest
finished dropped first (their stage keeps its sums). Counters that /metrics exposes as
Prometheus counters (``totals``) are kept for the whole application so they never go down
when an entity is dropped.

Each event is also forwarded to ``self.streaming`` (StreamingStore) and ``self.dashboard``
(DashboardStore), which keep the streaming tab's and the dashboard's state.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from sparklet.ui.store import views
from sparklet.ui.store.entities import (
    METRIC_KEYS,
    LiveExecutor,
    LiveJob,
    LiveRDD,
    LiveStage,
    LiveTask,
)
from sparklet.ui.store.util import now_ms

try:
    from sparklet.ui.store.streaming import StreamingStore
except ModuleNotFoundError:  # H-stream's module not merged yet: a store that ignores events
    class StreamingStore:  # type: ignore[no-redef]
        def __init__(self, conf=None): ...
        def on_event(self, event): ...
try:
    from sparklet.ui.store.dashboard import DashboardStore
except ModuleNotFoundError:  # H-dash's module not merged yet
    class DashboardStore:  # type: ignore[no-redef]
        def __init__(self, conf=None): ...
        def on_event(self, event): ...

__all__ = ["AppStatusStore"]

log = logging.getLogger(__name__)

_RDD_BLOCK = re.compile(r"rdd_(\d+)_(\d+)$")
_RETAINED_RDD_INFOS = 10000      # names of RDDs seen in stages, for the storage tab
_TASK_END_KIND = {"Success": "complete", "TaskKilled": "killed", "TaskCommitDenied": "killed"}

JOB_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "UNKNOWN")
STAGE_STATUSES = ("ACTIVE", "COMPLETE", "FAILED", "PENDING", "SKIPPED")
TASK_STATUSES = ("RUNNING", "KILLED", "FAILED", "SUCCESS", "UNKNOWN")


def _conf_int(conf: dict, key: str, default: int) -> int:
    try:
        return int(conf.get(key, default))
    except (TypeError, ValueError):
        return default


class AppStatusStore:
    """The status of one application, from its listener events.

    >>> store = AppStatusStore({"spark.ui.retainedJobs": "10"})
    >>> store.on_event({"Event": "SparkListenerApplicationStart", "appName": "demo",
    ...                 "appId": "local-1", "time": 0, "sparkUser": "me"})
    >>> store.app_id, store.application_info()["name"]
    ('local-1', 'demo')
    """

    def __init__(self, conf: dict[str, str] | None = None, live: bool = True):
        conf = dict(conf or {})
        self.conf = conf
        self.live = live
        self.retained_jobs = _conf_int(conf, "spark.ui.retainedJobs", 1000)
        self.retained_stages = _conf_int(conf, "spark.ui.retainedStages", 1000)
        self.retained_tasks = _conf_int(conf, "spark.ui.retainedTasks", 100000)
        self.retained_dead_executors = _conf_int(conf, "spark.ui.retainedDeadExecutors", 100)
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self.app_id: str | None = None
        self.app_name: str | None = None
        self.spark_user = ""
        self.spark_version = ""
        self.master: str | None = None
        self.start_time: int | None = None
        self.end_time: int | None = None
        self.completed = False
        self.last_event_time: int | None = None
        self.events_seen = 0
        self._environment: dict | None = None
        self._jobs: dict[int, LiveJob] = {}
        self._finished_jobs: OrderedDict[int, None] = OrderedDict()
        self._stages: dict[tuple[int, int], LiveStage] = {}
        self._attempts: dict[int, list[int]] = {}
        self._finished_stages: OrderedDict[tuple[int, int], None] = OrderedDict()
        self._tasks: dict[int, LiveTask] = {}
        self._finished_tasks: OrderedDict[int, None] = OrderedDict()
        self._executors: dict[str, LiveExecutor] = {}
        self._dead_executors: OrderedDict[str, None] = OrderedDict()
        self._rdds: dict[int, LiveRDD] = {}
        self._rdd_infos: OrderedDict[int, dict] = OrderedDict()
        self.totals = dict.fromkeys((
            "jobsSucceeded", "jobsFailed", "stagesCompleted", "stagesFailed",
            "stagesSkipped", "tasksCompleted", "tasksFailed", "tasksKilled",
            "taskDurationMs", "executorRunTimeMs", "shuffleReadBytes", "shuffleWriteBytes",
            "shuffleReadRecords", "shuffleWriteRecords", "memoryBytesSpilled",
            "diskBytesSpilled", "inputRecords", "executorsRemoved"), 0)
        self.streaming = StreamingStore(conf)
        self.dashboard = DashboardStore(conf)
        self._handlers: dict[str, Callable[[dict], None]] = {
            "SparkListenerApplicationStart": self._on_app_start,
            "SparkListenerApplicationEnd": self._on_app_end,
            "SparkListenerEnvironmentUpdate": self._on_environment,
            "SparkListenerExecutorAdded": self._on_executor_added,
            "SparkListenerExecutorRemoved": self._on_executor_removed,
            "SparkListenerJobStart": self._on_job_start,
            "SparkListenerJobEnd": self._on_job_end,
            "SparkListenerStageSubmitted": self._on_stage_submitted,
            "SparkListenerStageCompleted": self._on_stage_completed,
            "SparkListenerTaskStart": self._on_task_start,
            "SparkListenerTaskEnd": self._on_task_end,
            "SparkListenerBlockUpdated": self._on_block_updated,
            "SparkListenerUnpersistRDD": self._on_unpersist,
        }

    # -- events ----------------------------------------------------------------------------

    def on_event(self, event: dict) -> None:
        """Apply one listener event (the bus thread, or a history replay, calls this)."""
        with self._cond:
            handler = self._handlers.get(event.get("Event"))
            t = event.get("time")
            if t is not None:
                self.last_event_time = t
            self.events_seen += 1
            if handler is not None:
                handler(event)
            for sub in (self.streaming, self.dashboard):
                try:
                    sub.on_event(event)
                except Exception:  # one broken view must not stop the core one
                    log.exception("%s failed on %s", type(sub).__name__, event.get("Event"))
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[AppStatusStore], bool],
                 timeout: float = 10.0) -> bool:
        """Block until ``predicate(store)`` is true (re-checked after each event) or the
        timeout passes; returns the predicate's last value. For tests."""
        with self._cond:
            return bool(self._cond.wait_for(lambda: predicate(self), timeout))

    def _on_app_start(self, ev: dict) -> None:
        self.app_id = ev.get("appId")
        self.app_name = ev.get("appName")
        self.start_time = ev.get("time")
        self.spark_user = ev.get("sparkUser") or ""
        self.spark_version = ev.get("sparkVersion") or ""
        self.master = ev.get("master")

    def _on_app_end(self, ev: dict) -> None:
        self.end_time = ev.get("time")
        self.completed = True

    def _on_environment(self, ev: dict) -> None:
        self._environment = {
            "sparkProperties": [list(p) for p in ev.get("sparkProperties") or []],
            "systemProperties": [list(p) for p in ev.get("systemProperties") or []],
            "runtime": dict(ev.get("runtime") or {}),
        }

    def _executor(self, executor_id: str, host: str | None = None) -> LiveExecutor:
        ex = self._executors.get(executor_id)
        if ex is None:
            ex = self._executors[executor_id] = LiveExecutor(executor_id, host)
        return ex

    def _on_executor_added(self, ev: dict) -> None:
        eid = str(ev.get("executorId"))
        ex = self._executors.get(eid)
        if ex is None or not ex.is_active:   # an id reused after a removal: a new one
            ex = self._executors[eid] = LiveExecutor(eid)
            self._dead_executors.pop(eid, None)
        ex.host = ev.get("host") or ex.host
        ex.total_cores = ev.get("totalCores") or 0
        ex.pid = ev.get("pid")
        ex.add_time = ev.get("time")
        ex.max_memory = ev.get("maxMemory") or 0

    def _on_executor_removed(self, ev: dict) -> None:
        eid = str(ev.get("executorId"))
        ex = self._executor(eid)
        if not ex.is_active:
            return
        ex.is_active = False
        ex.remove_time = ev.get("time")
        ex.remove_reason = ev.get("reason")
        self.totals["executorsRemoved"] += 1
        self._dead_executors[eid] = None
        while len(self._dead_executors) > self.retained_dead_executors:
            old, _ = self._dead_executors.popitem(last=False)
            self._executors.pop(old, None)

    def _remember_rdds(self, stage_info: dict) -> None:
        for r in stage_info.get("rddInfos") or ():
            rid = r.get("rddId")
            if rid is None:
                continue
            self._rdd_infos[rid] = r
            self._rdd_infos.move_to_end(rid)
            rdd = self._rdds.get(rid)
            if rdd is not None:
                rdd.name = r.get("name") or rdd.name
                rdd.num_partitions = r.get("numPartitions") or rdd.num_partitions
        while len(self._rdd_infos) > _RETAINED_RDD_INFOS:
            self._rdd_infos.popitem(last=False)

    def _on_job_start(self, ev: dict) -> None:
        props = {k: v for k, v in (ev.get("properties") or {}).items() if v is not None}
        infos = list(ev.get("stageInfos") or [])
        stage_ids = ev.get("stageIds") or [s.get("stageId") for s in infos]
        job = LiveJob(ev["jobId"], ev.get("time"), stage_ids, props, infos)
        self._jobs[job.job_id] = job
        for info in infos:
            sid = info.get("stageId")
            self._remember_rdds(info)
            attempts = self._attempts.get(sid)
            if attempts:      # known already (a shared map stage): link, don't recreate
                for a in attempts:
                    st = self._stages[(sid, a)]
                    if job.job_id not in st.job_ids:
                        st.job_ids.append(job.job_id)
                continue
            st = LiveStage(info, "PENDING")
            st.job_ids.append(job.job_id)
            st.description = job.description
            st.pool = props.get("spark.scheduler.pool") or "default"
            self._add_stage(st)

    def _add_stage(self, st: LiveStage) -> None:
        self._stages[st.key] = st
        attempts = self._attempts.setdefault(st.stage_id, [])
        if st.attempt_id not in attempts:
            attempts.append(st.attempt_id)

    def _drop_stage(self, key: tuple[int, int]) -> None:
        st = self._stages.pop(key, None)
        if st is None:
            return
        attempts = self._attempts.get(st.stage_id)
        if attempts is not None:
            if st.attempt_id in attempts:
                attempts.remove(st.attempt_id)
            if not attempts:
                del self._attempts[st.stage_id]
        self._finished_stages.pop(key, None)
        for tid in st.task_ids:
            self._tasks.pop(tid, None)
            self._finished_tasks.pop(tid, None)

    def _stage_finished(self, st: LiveStage) -> None:
        self._finished_stages[st.key] = None
        self._finished_stages.move_to_end(st.key)
        while len(self._stages) > self.retained_stages and self._finished_stages:
            key, _ = self._finished_stages.popitem(last=False)
            self._drop_stage(key)

    def _on_job_end(self, ev: dict) -> None:
        job = self._jobs.get(ev.get("jobId"))
        if job is None:
            return
        job.completion_time = ev.get("time")
        succeeded = ev.get("result") == "JobSucceeded"
        job.status = "SUCCEEDED" if succeeded else "FAILED"
        job.error_message = ev.get("errorMessage")
        self.totals["jobsSucceeded" if succeeded else "jobsFailed"] += 1
        # Spark's rule: a stage of the job that never ran during it was skipped.
        for sid in job.stage_ids:
            if sid in job.submitted_stages or sid in job.skipped_stages:
                continue
            job.skipped_stages.add(sid)
            for a in list(self._attempts.get(sid, ())):
                st = self._stages[(sid, a)]
                if st.status == "PENDING":
                    st.status = "SKIPPED"
                    self.totals["stagesSkipped"] += 1
                    job.skipped_tasks += st.num_tasks
                    self._stage_finished(st)
                    break
            else:
                info = next((s for s in job.stage_infos if s.get("stageId") == sid), {})
                job.skipped_tasks += info.get("numTasks") or 0
        self._finished_jobs[job.job_id] = None
        while len(self._jobs) > self.retained_jobs and self._finished_jobs:
            old, _ = self._finished_jobs.popitem(last=False)
            self._jobs.pop(old, None)

    def _on_stage_submitted(self, ev: dict) -> None:
        info = ev.get("stageInfo") or {}
        sid = info.get("stageId")
        attempt = info.get("attemptId") or 0
        self._remember_rdds(info)
        job_ids: list[int] = []
        pool = "default"
        description = None
        for a in list(self._attempts.get(sid, ())):
            old = self._stages[(sid, a)]
            job_ids.extend(j for j in old.job_ids if j not in job_ids)
            if old.status == "PENDING" and a != attempt:
                pool, description = old.pool, old.description
                self._drop_stage((sid, a))
        st = self._stages.get((sid, attempt))
        if st is None:
            st = LiveStage(info, "ACTIVE")
            st.pool, st.description = pool, description
            self._add_stage(st)
        else:
            self._finished_stages.pop(st.key, None)
        st.status = "ACTIVE"
        st.info = info
        st.num_tasks = info.get("numTasks") or st.num_tasks
        st.submission_time = info.get("submissionTime") or ev.get("time")
        jid = ev.get("jobId")
        if jid is not None and jid not in job_ids:
            job_ids.append(jid)
        st.job_ids = job_ids
        props = ev.get("properties") or {}
        if props:
            st.description = props.get("spark.job.description", st.description)
            st.pool = props.get("spark.scheduler.pool") or st.pool
        for j in job_ids:
            job = self._jobs.get(j)
            if job is None:
                continue
            if st.description is None and not props:
                st.description = job.description
                st.pool = job.properties.get("spark.scheduler.pool") or "default"
            if job.status == "RUNNING":
                job.active_stages.add(sid)
                job.submitted_stages.add(sid)

    def _on_stage_completed(self, ev: dict) -> None:
        info = ev.get("stageInfo") or {}
        key = (info.get("stageId"), info.get("attemptId") or 0)
        st = self._stages.get(key)
        if st is None:
            return
        st.info = info
        st.completion_time = info.get("completionTime") or ev.get("time")
        st.failure_reason = info.get("failureReason")
        st.status = "FAILED" if st.failure_reason else "COMPLETE"
        self.totals["stagesFailed" if st.failure_reason else "stagesCompleted"] += 1
        for j in st.job_ids:
            job = self._jobs.get(j)
            if job is None:
                continue
            job.active_stages.discard(st.stage_id)
            if st.status == "COMPLETE":
                job.completed_stages.add(st.stage_id)
            else:
                job.failed_stages += 1
        self._stage_finished(st)

    def _on_task_start(self, ev: dict) -> None:
        info = ev.get("taskInfo") or {}
        key = (ev.get("stageId"), ev.get("stageAttemptId") or 0)
        task = LiveTask(info, key)
        task.info.setdefault("status", "RUNNING")
        tid = info.get("taskId")
        self._tasks[tid] = task
        st = self._stages.get(key)
        if st is not None:
            st.active_tasks += 1
            st.task_ids[tid] = None
            launch = info.get("launchTime") or ev.get("time")
            if st.first_task_launched is None or (launch and launch < st.first_task_launched):
                st.first_task_launched = launch
            for j in st.job_ids:
                job = self._jobs.get(j)
                if job is not None:
                    job.active_tasks += 1
        eid = info.get("executorId")
        if eid not in (None, ""):
            self._executor(str(eid), info.get("host")).active_tasks += 1
        self._trim_tasks()

    def _on_task_end(self, ev: dict) -> None:
        info = ev.get("taskInfo") or {}
        tid = info.get("taskId")
        key = (ev.get("stageId"), ev.get("stageAttemptId") or 0)
        task = self._tasks.get(tid)
        was_running = task is not None and not task.finished
        if task is None:            # no start seen (dropped or posted late): keep the end
            task = self._tasks[tid] = LiveTask(info, key)
        # An end without a result (lost, killed) may not name the executor: keep the
        # start's.
        task.info.update((k, v) for k, v in info.items()
                         if v not in (None, "") or k not in ("executorId", "host"))
        reason = ev.get("reason") or "Success"
        kind = _TASK_END_KIND.get(reason, "failed")
        if task.info.get("status") in (None, "RUNNING"):
            task.info["status"] = {"complete": "SUCCESS", "killed": "KILLED"}.get(kind, "FAILED")
        if task.info.get("finishTime") is None:
            task.info["finishTime"] = ev.get("time")
        metrics = ev.get("taskMetrics") or {}
        task.metrics = metrics
        task.reason = reason
        task.error_message = ev.get("errorMessage")
        task.task_type = ev.get("taskType")
        launch = task.info.get("launchTime")
        finish = task.info.get("finishTime")
        duration = finish - launch if launch is not None and finish is not None else 0
        eid = str(task.info.get("executorId"))
        killed_key = task.error_message or reason

        tot = self.totals
        tot[{"complete": "tasksCompleted", "killed": "tasksKilled"}.get(kind, "tasksFailed")] += 1
        tot["taskDurationMs"] += duration
        tot["executorRunTimeMs"] += metrics.get("executorRunTime") or 0
        for k in ("shuffleReadBytes", "shuffleWriteBytes", "shuffleReadRecords",
                  "shuffleWriteRecords", "memoryBytesSpilled", "diskBytesSpilled",
                  "inputRecords"):
            tot[k] += metrics.get(k) or 0

        st = self._stages.get(key)
        if st is not None:
            st.task_ids[tid] = None
            if was_running:
                st.active_tasks -= 1
            sums = st.sums
            for k in METRIC_KEYS:
                v = metrics.get(k)
                if v:
                    sums[k] += v
            es = st.executor_summaries.get(eid)
            if es is None:
                es = st.executor_summaries[eid] = views.new_executor_stage_summary()
            es["taskTime"] += duration
            for k, mk in views.EXECUTOR_STAGE_METRICS:
                es[k] += metrics.get(mk) or 0
            if kind == "complete":
                st.complete_tasks += 1
                es["succeededTasks"] += 1
                st.completed_indices.add(task.info.get("index"))
            elif kind == "killed":
                st.killed_tasks += 1
                es["killedTasks"] += 1
                st.killed_summary[killed_key] = st.killed_summary.get(killed_key, 0) + 1
            else:
                st.failed_tasks += 1
                es["failedTasks"] += 1
            for j in st.job_ids:
                job = self._jobs.get(j)
                if job is None:
                    continue
                if was_running:
                    job.active_tasks -= 1
                if kind == "complete":
                    job.completed_tasks += 1
                    job.completed_indices.add((st.stage_id, task.info.get("index")))
                elif kind == "killed":
                    job.killed_tasks += 1
                    job.killed_summary[killed_key] = job.killed_summary.get(killed_key, 0) + 1
                else:
                    job.failed_tasks += 1

        ex = self._executor(eid, task.info.get("host")) if eid not in ("", "None") else None
        if ex is not None:
            self._executor_task_end(ex, was_running, kind, duration, metrics)
        self._finished_tasks[tid] = None
        self._trim_tasks()

    @staticmethod
    def _executor_task_end(ex: LiveExecutor, was_running: bool, kind: str, duration: int,
                           metrics: dict) -> None:
        if was_running:
            ex.active_tasks -= 1
        ex.total_tasks += 1
        if kind == "complete":
            ex.completed_tasks += 1
        else:
            ex.failed_tasks += 1
        ex.total_duration += duration
        ex.total_gc_time += metrics.get("jvmGcTime") or 0
        ex.input_bytes += metrics.get("inputBytes") or 0
        ex.shuffle_read += metrics.get("shuffleReadBytes") or 0
        ex.shuffle_write += metrics.get("shuffleWriteBytes") or 0

    def _trim_tasks(self) -> None:
        while len(self._tasks) > self.retained_tasks and self._finished_tasks:
            tid, _ = self._finished_tasks.popitem(last=False)
            task = self._tasks.pop(tid, None)
            if task is not None:
                st = self._stages.get(task.stage_key)
                if st is not None:
                    st.task_ids.pop(tid, None)

    def _on_block_updated(self, ev: dict) -> None:
        block_id = ev.get("blockId") or ""
        rdd_id = ev.get("rddId")
        if rdd_id is None:
            m = _RDD_BLOCK.match(block_id)
            if m is None:
                return          # not an RDD block (broadcast, stream input...)
            rdd_id = int(m.group(1))
        eid = str(ev.get("executorId"))
        mem, disk = ev.get("memSize") or 0, ev.get("diskSize") or 0
        rdd = self._rdds.get(rdd_id)
        if rdd is None:
            if not (mem or disk):
                return
            rdd = self._rdds[rdd_id] = LiveRDD(rdd_id, self._rdd_infos.get(rdd_id))
        per_exec = rdd.blocks.setdefault(block_id, {})
        old = per_exec.pop(eid, None)
        ex = self._executor(eid)
        if old is not None:
            ex.memory_used -= old[0]
            ex.disk_used -= old[1]
            ex.rdd_blocks -= 1
        if mem or disk:
            per_exec[eid] = (mem, disk)
            ex.memory_used += mem
            ex.disk_used += disk
            ex.rdd_blocks += 1
            if ev.get("storageLevel"):
                rdd.storage_level = ev["storageLevel"]
        if not per_exec:
            del rdd.blocks[block_id]
        if not rdd.blocks:
            del self._rdds[rdd_id]

    def _on_unpersist(self, ev: dict) -> None:
        rdd = self._rdds.pop(ev.get("rddId"), None)
        if rdd is None:
            return
        for per_exec in rdd.blocks.values():
            for eid, (mem, disk) in per_exec.items():
                ex = self._executors.get(eid)
                if ex is not None:
                    ex.memory_used -= mem
                    ex.disk_used -= disk
                    ex.rdd_blocks -= 1

    # -- reads (one per REST endpoint; JSON-able bodies, None = Spark's absent Option) -----

    def _now(self) -> int:
        return now_ms() if self.live and not self.completed else (
            self.end_time or self.last_event_time or 0)

    def application_info(self) -> dict:
        with self._lock:
            return views.application_info(self, self._now())

    def jobs(self, status: list[str] | str | None = None) -> list[dict]:
        """JobData of the retained jobs, newest first (Spark's order), optionally only
        those with the given status(es) (RUNNING, SUCCEEDED, FAILED, UNKNOWN)."""
        wanted = _statuses(status)
        with self._lock:
            return [views.job_data(j) for j in sorted(self._jobs.values(),
                                                      key=lambda j: -j.job_id)
                    if wanted is None or j.status in wanted]

    def job(self, job_id: int) -> dict | None:
        with self._lock:
            j = self._jobs.get(job_id)
            return views.job_data(j) if j is not None else None

    def job_dag(self, job_id: int) -> dict | None:
        """sparklet's addition: the job's stages with their parents and RDDs, for the
        DAG drawing."""
        with self._lock:
            j = self._jobs.get(job_id)
            return views.job_dag(self, j) if j is not None else None

    def stages(self, status: list[str] | str | None = None, details: bool = False,
               task_status: list[str] | str | None = None,
               with_summaries: bool = False,
               quantiles: list[float] = (0.0, 0.25, 0.5, 0.75, 1.0)) -> list[dict]:
        """StageData of every retained stage attempt, newest first (Spark's order);
        ``with_summaries`` adds each one's taskMetricsDistributions (Spark's
        ``withSummaries=true``)."""
        wanted = _statuses(status)
        with self._lock:
            now = self._now()
            out = [st for st in self._stages.values()
                   if wanted is None or st.status in wanted]
            out.sort(key=lambda s: (-s.stage_id, -s.attempt_id))
            bodies = []
            for st in out:
                body = views.stage_data(self, st, details, now, _statuses(task_status))
                if with_summaries:
                    done = self._successful_tasks(st)
                    body["taskMetricsDistributions"] = (
                        views.task_summary(done, list(quantiles)) if done else None)
                bodies.append(body)
            return bodies

    def _successful_tasks(self, st: LiveStage) -> list[LiveTask]:
        tasks = self._tasks
        return [tasks[t] for t in st.task_ids
                if t in tasks and tasks[t].info.get("status") == "SUCCESS"]

    def stage_attempts(self, stage_id: int, details: bool = True,
                       task_status: list[str] | str | None = None) -> list[dict] | None:
        with self._lock:
            now = self._now()
            attempts = sorted(self._attempts.get(stage_id, ()))
            if not attempts:
                return None
            return [views.stage_data(self, self._stages[(stage_id, a)], details, now,
                                     _statuses(task_status)) for a in attempts]

    def stage_attempt_ids(self, stage_id: int) -> list[int]:
        with self._lock:
            return sorted(self._attempts.get(stage_id, ()))

    def stage_attempt(self, stage_id: int, attempt_id: int, details: bool = True,
                      task_status: list[str] | str | None = None) -> dict | None:
        with self._lock:
            st = self._stages.get((stage_id, attempt_id))
            if st is None:
                return None
            return views.stage_data(self, st, details, self._now(), _statuses(task_status))

    def task_list(self, stage_id: int, attempt_id: int, offset: int = 0, length: int = 20,
                  sort_by: str = "ID", status: list[str] | str | None = None
                  ) -> list[dict] | None:
        """TaskData of one stage attempt's retained tasks; ``sort_by`` is Spark's
        TaskSorting: ID, increasingRuntime/runtime, decreasingRuntime/-runtime."""
        order = views.task_sorting(sort_by)
        wanted = _statuses(status)
        with self._lock:
            st = self._stages.get((stage_id, attempt_id))
            if st is None:
                return None
            now = self._now()
            tasks = [self._tasks[t] for t in st.task_ids if t in self._tasks]
            if wanted is not None:
                tasks = [t for t in tasks if t.info.get("status") in wanted]
            tasks.sort(key=order)
            return [views.task_data(t, now) for t in tasks[offset:offset + length]]

    def task_summary(self, stage_id: int, attempt_id: int,
                     quantiles: list[float] = (0.05, 0.25, 0.5, 0.75, 0.95)
                     ) -> dict | None | bool:
        """TaskMetricDistributions over the stage attempt's successful retained tasks.
        None: no such stage attempt; False: no task has reported metrics yet."""
        with self._lock:
            st = self._stages.get((stage_id, attempt_id))
            if st is None:
                return None
            done = self._successful_tasks(st)
            if not done:
                return False
            return views.task_summary(done, list(quantiles))

    def executors(self, include_removed: bool = False) -> list[dict]:
        """ExecutorSummary of the active executors (the driver too); with
        ``include_removed``, the retained removed ones as well (``/allexecutors``)."""
        with self._lock:
            return [views.executor_summary(self, e) for e in self._executors.values()
                    if include_removed or e.is_active]

    def rdds(self) -> list[dict]:
        """RDDStorageInfo of the RDDs with cached partitions (without the distribution
        and partition lists, as Spark's list)."""
        with self._lock:
            return [views.rdd_storage_info(self, r, False)
                    for r in sorted(self._rdds.values(), key=lambda r: r.rdd_id)]

    def rdd(self, rdd_id: int) -> dict | None:
        with self._lock:
            r = self._rdds.get(rdd_id)
            return views.rdd_storage_info(self, r, True) if r is not None else None

    def environment(self) -> dict:
        with self._lock:
            return views.environment(self._environment)

    def version(self) -> dict:
        return {"spark": self.spark_version or views.default_version()}

    def counters(self) -> dict:
        """Live gauges and whole-application counters, for /metrics."""
        with self._lock:
            return views.counters(self)


def _statuses(status) -> set[str] | None:
    if status is None or status == [] or status == ():
        return None
    if isinstance(status, str):
        status = [status]
    return {s.upper() for s in status}
