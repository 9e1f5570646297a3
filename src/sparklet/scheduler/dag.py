"""DAGScheduler: turns a job into stages cut at shuffle dependencies and runs them.

A job's final stage computes the requested partitions; before it runs, every shuffle it
reads must have all its map outputs. Map stages are shared between jobs (keyed by shuffle
id), so a second job over the same shuffle skips the map stage entirely. Failures:
- a task that raises is retried up to ``spark.task.maxFailures`` attempts (1 in ``local[N]``,
  ``F`` in ``local[N, F]``, as in Spark), then the job fails with the task's traceback;
- a task whose executor died is rerun elsewhere;
- a reduce task that cannot fetch a map output makes the map stage recompute the missing
  outputs from lineage, then the reduce stage resumes;
- a failed task of a barrier stage fails the whole stage attempt: a barrier map stage
  runs again with all its tasks, a barrier result stage fails the job (as in Spark).
A cancelled job (see :mod:`sparklet.scheduler.jobs`) fails in its own thread; its stages
stop and their running tasks are killed.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sparklet import serializers
from sparklet.dependency import NarrowDependency, ShuffleDependency
from sparklet.errors import PythonException, SparkException
from sparklet.scheduler import barrier as barriers
from sparklet.scheduler.jobs import CANCELLED, JobRegistry, call_site
from sparklet.scheduler.mapoutput import MapOutputTracker
from sparklet.scheduler.task import RESULT, SHUFFLE_MAP, Task
from sparklet.scheduler.taskscheduler import TaskScheduler, TaskSet

log = logging.getLogger(__name__)

__all__ = ["DAGScheduler", "SchedulerListener"]

MAX_STAGE_ATTEMPTS = 4
MAX_EXECUTOR_LOSSES = 4


@dataclass(eq=False)
class Stage:
    id: int
    rdd: Any
    parents: list
    num_partitions: int
    attempt: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)
    name: str = ""
    barrier: bool | None = None      # whether it is a barrier stage, once computed
    barrier_checked: bool = False    # passed the barrier submission checks

    def is_barrier(self) -> bool:
        if self.barrier is None:
            self.barrier = barriers.is_barrier_rdd(self.rdd)
        return self.barrier


@dataclass(eq=False)
class ShuffleMapStage(Stage):
    dep: ShuffleDependency | None = None


@dataclass
class StageProgress:
    stage_id: int
    num_tasks: int
    started: float
    completed: int = 0
    active: int = 0
    attempt: int = 0
    name: str = ""
    failed: int = 0


class SchedulerListener:
    """Hooks for job, stage and task events (the UI and listener bus build on these)."""

    def on_job_start(self, job_id: int, stage_id: int, num_tasks: int) -> None: ...

    def on_job_end(self, job_id: int, succeeded: bool) -> None: ...

    def on_stage_submitted(self, stage_id: int, num_tasks: int, job_id: int) -> None: ...

    def on_stage_completed(self, stage_id: int, succeeded: bool) -> None: ...

    def on_task_end(self, stage_id: int, task: Task, status: str, result) -> None: ...


class _BarrierStageFailed(Exception):
    """A task of a barrier stage attempt failed: the whole attempt is void."""


class _FetchFailed(Exception):
    def __init__(self, shuffle_id: int, map_id: int, executor_id: str):
        super().__init__("fetch failed")
        self.shuffle_id, self.map_id, self.executor_id = shuffle_id, map_id, executor_id


class DAGScheduler:
    def __init__(self, sc, task_scheduler: TaskScheduler, tracker: MapOutputTracker):
        self.sc = sc
        self.task_scheduler = task_scheduler
        self.tracker = tracker
        self._stage_ids = itertools.count()
        self._job_ids = itertools.count()
        self._task_ids = itertools.count()
        # Held weakly: a map stage lives as long as a job or a child stage uses it. Its
        # shuffle's outputs stay registered in the tracker, so a later job over the same
        # shuffle gets a new stage that finds them there; keeping stages (and through them
        # every ShuffleDependency and its RDD) here forever would keep every streaming
        # batch's lineage alive and no shuffle would ever become unreachable.
        self._shuffle_stages: weakref.WeakValueDictionary[int, ShuffleMapStage] = (
            weakref.WeakValueDictionary())
        self._lock = threading.RLock()
        self.active_stages: dict[int, StageProgress] = {}
        self.listeners: list[SchedulerListener] = []
        # sparklet.ui.hooks.SchedulerEvents while the UI or the event log listens, else None
        self.ui_events = None
        conf = sc._conf
        self.jobs = JobRegistry(conf.getInt("spark.ui.retainedJobs", 1000),
                                conf.getInt("spark.ui.retainedStages", 1000))
        self._barrier_coordinator: barriers.BarrierCoordinator | None = None
        task_scheduler.on_executor_lost = self._executor_lost

    # -- stage graph -----------------------------------------------------------------------

    def _parent_stages(self, rdd) -> list[ShuffleMapStage]:
        parents: list[ShuffleMapStage] = []
        seen: set[int] = set()
        to_visit = [rdd]
        while to_visit:
            r = to_visit.pop()
            if r.id() in seen:
                continue
            seen.add(r.id())
            for dep in r.dependencies():
                if isinstance(dep, ShuffleDependency):
                    stage = self._shuffle_stage(dep)
                    if stage not in parents:
                        parents.append(stage)
                else:
                    to_visit.append(dep.rdd)
        return parents

    def _shuffle_stage(self, dep: ShuffleDependency) -> ShuffleMapStage:
        with self._lock:
            stage = self._shuffle_stages.get(dep.shuffle_id)
            if stage is None:
                num = dep.rdd.getNumPartitions()
                stage = ShuffleMapStage(next(self._stage_ids), dep.rdd,
                                        self._parent_stages(dep.rdd), num, dep=dep,
                                        name=getattr(dep.rdd, "_creation_site", ""))
                self.tracker.register_shuffle(dep.shuffle_id, num)
                self._shuffle_stages[dep.shuffle_id] = stage
            return stage

    def forget_shuffle(self, shuffle_id: int) -> None:
        with self._lock:
            self._shuffle_stages.pop(shuffle_id, None)
        self.tracker.unregister_shuffle(shuffle_id)

    # -- jobs ------------------------------------------------------------------------------

    def run_job(self, rdd, func: Callable, partitions: list[int],
                local_properties: dict | None = None) -> list[list]:
        """Run ``func`` over the given partitions of ``rdd``; one result list per partition."""
        job_id = next(self._job_ids)
        stage = Stage(next(self._stage_ids), rdd, self._parent_stages(rdd), len(partitions),
                      name=call_site())
        props = dict(local_properties or {})
        job_stages = self._job_stages(stage)
        job = self.jobs.start(job_id, props, [s.id for s in job_stages])
        ui = self.ui_events
        if ui is not None:
            ui.job_start(job_id, job_stages, props)
        for listener in self.listeners:
            listener.on_job_start(job_id, stage.id, len(partitions))
        results: dict[int, list] = {}
        succeeded = False
        error: BaseException | None = None
        try:
            self._check_barrier_stages(stage, partitions)
            for _ in range(MAX_STAGE_ATTEMPTS + 1):
                self._ensure_parents(stage.parents, job_id, props)
                todo = [p for p in partitions if p not in results]
                try:
                    self._run_stage(stage, todo, RESULT, func, job_id, props, results)
                    break
                except _FetchFailed as ff:
                    self._map_output_lost(ff)
                except _BarrierStageFailed as e:
                    # Some partitions may have been computed already (and written output):
                    # Spark does not rerun a barrier result stage.
                    raise SparkException("Could not recover from a failed barrier ResultStage. "
                                         "Most recent failure reason: %s" % e) from None
            else:
                raise SparkException("Job %d aborted: map outputs kept being lost" % job_id)
            succeeded = True
        except BaseException as e:
            error = e
            raise
        finally:
            self.jobs.finish(job, succeeded)
            if ui is not None:
                ui.job_end(job_id, succeeded, error)
            for listener in self.listeners:
                listener.on_job_end(job_id, succeeded)
        return [results[p] for p in partitions]

    def _job_stages(self, stage: Stage) -> list[Stage]:
        """The job's stages, its result stage and every map stage it depends on (Spark lists
        them all, also those whose outputs exist already and are skipped), by id."""
        stages: dict[int, Stage] = {}
        to_visit = [stage]
        while to_visit:
            s = to_visit.pop()
            if s.id not in stages:
                stages[s.id] = s
                to_visit.extend(s.parents)
        return [stages[i] for i in sorted(stages)]

    def _check_barrier_stages(self, stage: Stage, partitions: list[int]) -> None:
        """Spark's submission checks, for the result stage and every map stage not checked
        by an earlier job (a map stage is created, and checked, once)."""
        slots = self.sc._backend.default_parallelism()
        if stage.is_barrier():
            barriers.check_barrier_stage(stage.rdd, len(set(partitions)), slots)
        to_visit = [s for s in stage.parents if not s.barrier_checked]
        while to_visit:
            s = to_visit.pop()
            if s.barrier_checked:
                continue
            if s.is_barrier():
                barriers.check_barrier_stage(s.rdd, s.num_partitions, slots)
            s.barrier_checked = True
            to_visit.extend(p for p in s.parents if not p.barrier_checked)

    def _coordinator(self) -> barriers.BarrierCoordinator:
        with self._lock:
            if self._barrier_coordinator is None:
                timeout = self.sc._conf.getTimeAsSeconds("spark.barrier.sync.timeout",
                                                         "365d")
                self._barrier_coordinator = barriers.BarrierCoordinator(timeout)
            return self._barrier_coordinator

    def stop(self) -> None:
        with self._lock:
            coordinator, self._barrier_coordinator = self._barrier_coordinator, None
        if coordinator is not None:
            coordinator.stop()

    # -- cancellation ------------------------------------------------------------------------

    def cancel_jobs(self, match, reason: str) -> list[int]:
        """Cancel the active jobs ``match(job_record)`` selects (see ``JobRegistry.cancel``)."""
        return self.jobs.cancel(match, reason)

    def _raise_if_cancelled(self, job_id: int) -> None:
        reason = self.jobs.cancel_reason(job_id)
        if reason is not None:
            raise SparkException(reason)

    def _ensure_parents(self, parents: list[ShuffleMapStage], job_id: int, props: dict) -> None:
        missing = [s for s in parents if self.tracker.missing_partitions(s.dep.shuffle_id)]
        if len(missing) <= 1:
            for s in missing:
                self._ensure_map_stage(s, job_id, props)
            return
        # Independent map stages run at the same time, so their tasks share the executors.
        errors: list[BaseException] = []

        def run(s):
            try:
                self._ensure_map_stage(s, job_id, props)
            except BaseException as e:  # noqa: BLE001 - re-raised in the job's thread
                errors.append(e)

        threads = [threading.Thread(target=run, args=(s,), daemon=True) for s in missing]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def _ensure_map_stage(self, stage: ShuffleMapStage, job_id: int, props: dict) -> None:
        # A concurrent job needing the same shuffle waits, then skips it; a cancelled job
        # stops waiting.
        while not stage.lock.acquire(timeout=0.05):
            self._raise_if_cancelled(job_id)
        try:
            barrier_failure = None
            for _ in range(MAX_STAGE_ATTEMPTS):
                missing = self.tracker.missing_partitions(stage.dep.shuffle_id)
                if not missing:
                    return
                self._ensure_parents(stage.parents, job_id, props)
                if stage.is_barrier():
                    missing = list(range(stage.num_partitions))  # a barrier stage runs whole
                try:
                    self._run_stage(stage, missing, SHUFFLE_MAP, stage.dep, job_id, props, None)
                except _FetchFailed as ff:
                    self._map_output_lost(ff)
                except _BarrierStageFailed as e:
                    # The attempt is void: all its tasks run again, as one stage.
                    barrier_failure = e
                    for p in range(stage.num_partitions):
                        self.tracker.unregister_map_output(stage.dep.shuffle_id, p)
            if self.tracker.missing_partitions(stage.dep.shuffle_id):
                if barrier_failure is not None:
                    raise SparkException(
                        "ShuffleMapStage %d (%s) has failed the maximum allowable number of "
                        "times: %d. Most recent failure reason: %s"
                        % (stage.id, stage.name, MAX_STAGE_ATTEMPTS, barrier_failure))
                raise SparkException("Stage %d failed %d times: map outputs kept being lost"
                                     % (stage.id, MAX_STAGE_ATTEMPTS))
        finally:
            stage.lock.release()

    def _map_output_lost(self, ff: _FetchFailed) -> None:
        self.tracker.unregister_map_output(ff.shuffle_id, ff.map_id)
        # The executor that held it is probably gone: forget everything it held.
        self.tracker.remove_outputs_on_executor(ff.executor_id)

    def _executor_lost(self, executor_id: str) -> None:
        self.tracker.remove_outputs_on_executor(executor_id)
        self.sc._block_master.remove_executor(executor_id)

    # -- one stage attempt -----------------------------------------------------------------

    def _run_stage(self, stage: Stage, partitions: list[int], kind: str, payload,
                   job_id: int, props: dict, results: dict | None) -> None:
        if not partitions:
            return
        stage.attempt += 1
        is_barrier = stage.is_barrier()
        binary_key = "stage-%d-%d" % (stage.id, stage.attempt)
        binary = serializers.dumps_closure((stage.rdd, payload))
        splits = stage.rdd.partitions()
        # SimpleQueue.put is reentrant: the Ctrl-C handler may cancel (put) while this
        # thread is inside get().
        events: queue.SimpleQueue = queue.SimpleQueue()
        taskset = TaskSet(stage.id, binary_key, binary,
                          lambda status, task, result, info: events.put((status, task, result,
                                                                         info)),
                          barrier=is_barrier)
        location_cache: dict[int, list] = {}
        task_props, barrier_info = props, None

        def make_task(p: int, attempt: int) -> Task:
            reads: dict[int, dict] = {}
            for sid, reduce_id in self._shuffle_reads(stage.rdd, p):
                if sid not in location_cache:
                    location_cache[sid] = self.tracker.locations_for(sid)
                locations = location_cache[sid]  # [] when the map side had no partitions
                reads.setdefault(sid, {})[reduce_id] = (locations[reduce_id] if locations
                                                        else [])
            preferred = (None if is_barrier
                         else self.sc._block_master.preferred_executor(stage.rdd, p))
            return Task(next(self._task_ids), stage.id, stage.attempt, p, attempt, kind,
                        binary_key, splits[p], reads, task_props, preferred, job_id,
                        barrier_info)

        max_failures = self.sc._max_task_failures
        failures = dict.fromkeys(partitions, 0)
        losses = dict.fromkeys(partitions, 0)
        remaining = set(partitions)
        progress = StageProgress(stage.id, len(partitions), time.monotonic(),
                                 attempt=stage.attempt, name=stage.name)
        cancelled = self.jobs.attach(job_id, events)
        if cancelled is not None:
            raise SparkException(cancelled)
        if is_barrier:
            coordinator = self._coordinator()
            coordinator.start_stage(stage.id, stage.attempt, len(partitions))
            barrier_info = coordinator.client_info()
            # In local mode every task's executor has the driver's address, as in Spark.
            task_props = {**props, "addresses": ",".join([coordinator.address] *
                                                         len(partitions))}
        with self._lock:
            self.active_stages[stage.id] = progress
        ui = self.ui_events
        if ui is not None:
            ui.stage_submitted(stage, job_id, props)
        for listener in self.listeners:
            listener.on_stage_submitted(stage.id, len(partitions), job_id)
        kill = False
        failure: BaseException | None = None
        try:
            tasks = [make_task(p, 0) for p in partitions]
            progress.active = len(tasks)
            self.task_scheduler.submit(taskset, tasks)
            while remaining:
                status, task, result, info = events.get()
                if status == CANCELLED:
                    kill = True
                    raise SparkException(info)
                if ui is not None:
                    ui.task_end(task, status, result, info)
                for listener in self.listeners:
                    listener.on_task_end(stage.id, task, status, result)
                p = task.partition
                if p not in remaining:
                    continue
                if status == "success":
                    remaining.discard(p)
                    progress.completed += 1
                    progress.active -= 1
                    self.sc._task_succeeded(result)
                    if kind == SHUFFLE_MAP:
                        self.tracker.register_map_output(stage.dep.shuffle_id, p, result.value)
                    else:
                        results[p] = result.value
                elif status == "fetch_failed":
                    self.task_scheduler.abort(taskset)
                    self.sc._block_master.update(result)
                    sid, map_id = result.fetch_failed
                    holder = self.tracker.executor_of(sid, map_id)
                    log.info("task %d of stage %d could not read map output %d of shuffle "
                             "%d (executor %s): %s", task.task_id, stage.id, map_id, sid,
                             holder, result.error)
                    raise _FetchFailed(sid, map_id, holder)
                elif status == "backend_failed":
                    raise SparkException("Job aborted: no executor could be started: %s" % info)
                elif status == "executor_lost":
                    progress.failed += 1
                    losses[p] += 1
                    if losses[p] > MAX_EXECUTOR_LOSSES:
                        raise SparkException(
                            "Job aborted due to stage failure: Task %d in stage %d.%d lost its "
                            "executor %d times; last: %s" % (p, stage.id, stage.attempt,
                                                             losses[p], info))
                    if is_barrier:
                        kill = True
                        raise _BarrierStageFailed(
                            "Stage failed because barrier task %d.%d in stage %d.%d lost its "
                            "executor: %s" % (p, task.attempt, stage.id, stage.attempt, info))
                    self.task_scheduler.submit(taskset, [make_task(p, task.attempt + 1)])
                else:  # failed: the user's code raised
                    progress.failed += 1
                    self.sc._block_master.update(result)
                    failures[p] += 1
                    if failures[p] >= max_failures:
                        kill = is_barrier
                        raise self._task_failure(stage, task, result, failures[p])
                    if is_barrier:
                        kill = True
                        raise _BarrierStageFailed(
                            "Stage failed because barrier task %d.%d in stage %d.%d finished "
                            "unsuccessfully.\n%s" % (p, task.attempt, stage.id, stage.attempt,
                                                     result.error))
                    self.task_scheduler.submit(taskset, [make_task(p, task.attempt + 1)])
        except BaseException as e:
            failure = e
            if isinstance(e, KeyboardInterrupt):
                kill = True  # Ctrl-C in the driver: nothing will wait for these tasks
            raise
        finally:
            self.jobs.detach(job_id, events)
            self.task_scheduler.abort(taskset)
            if kill or self.jobs.cancel_reason(job_id) is not None:
                self.task_scheduler.kill_tasks(taskset, interrupt=self.jobs.interrupts(job_id)
                                               or is_barrier)
            if is_barrier:
                self._coordinator().end_stage(stage.id, stage.attempt)
            with self._lock:
                self.active_stages.pop(stage.id, None)
            progress.active = 0
            self.jobs.stage_finished(progress)
            if ui is not None:
                ui.stage_completed(stage, failure if remaining else None)
            for listener in self.listeners:
                listener.on_stage_completed(stage.id, not remaining)

    @staticmethod
    def _task_failure(stage: Stage, task: Task, result, attempts: int) -> Exception:
        message = ("Job aborted due to stage failure: Task %d in stage %d.%d failed %d times, "
                   "most recent failure: Lost task %d.%d in stage %d.%d (TID %d) "
                   "(executor %s): %s" % (
                       task.partition, stage.id, stage.attempt, attempts, task.partition,
                       task.attempt, stage.id, stage.attempt, task.task_id,
                       result.executor_id, result.error))
        error = PythonException(message, result.error)
        if result.exception is not None:
            try:
                error.__cause__ = serializers.loads(result.exception)
            except Exception:  # noqa: BLE001 - the message still carries the traceback
                pass
        return error

    def _shuffle_reads(self, rdd, partition: int) -> list[tuple[int, int]]:
        """(shuffle id, reduce partition) pairs a task of ``rdd``'s partition will read."""
        reads = []
        to_visit = [(rdd, partition)]
        while to_visit:
            r, p = to_visit.pop()
            for dep in r.dependencies():
                if isinstance(dep, ShuffleDependency):
                    reads.append((dep.shuffle_id, p))
                elif isinstance(dep, NarrowDependency):
                    to_visit.extend((dep.rdd, q) for q in dep.get_parents(p))
        return reads
