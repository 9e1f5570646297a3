"""StatusTracker: read-only view of jobs, stages and executors, as PySpark's.

It reads what the DAGScheduler keeps: the active jobs and stages, and the last
``spark.ui.retainedJobs`` / ``spark.ui.retainedStages`` (1000) finished ones.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["StatusTracker", "SparkJobInfo", "SparkStageInfo", "SparkExecutorInfo"]


class SparkJobInfo(NamedTuple):
    """A job's id, its stages' ids and its status (RUNNING, SUCCEEDED, FAILED)."""

    jobId: int
    stageIds: list
    status: str


class SparkStageInfo(NamedTuple):
    stageId: int
    currentAttemptId: int
    name: str
    numTasks: int
    numActiveTasks: int
    numCompletedTasks: int
    numFailedTasks: int


class SparkExecutorInfo(NamedTuple):
    """An executor: the driver, and each worker process of ``local[N]``. Spark's carries
    storage-memory figures too; sparklet does not track them."""

    executorId: str
    host: str
    numRunningTasks: int
    pid: int


class StatusTracker:
    """Low-level status reporting APIs for monitoring job and stage progress.

    These APIs give very weak consistency: a job may be reported RUNNING a moment after
    it finished, and information about old jobs is dropped after a while.

    >>> tracker = sc.statusTracker()
    >>> sc.setJobGroup("status-doc", "a documented job")
    >>> sc.parallelize(range(4), 2).count()
    4
    >>> sc.setLocalProperty("spark.jobGroup.id", None)
    >>> [job_id] = tracker.getJobIdsForGroup("status-doc")
    >>> info = tracker.getJobInfo(job_id)
    >>> info.status, len(info.stageIds)
    ('SUCCEEDED', 1)
    >>> tracker.getStageInfo(info.stageIds[0]).numCompletedTasks
    2
    """

    def __init__(self, sc):
        self._sc = sc
        self._dag = sc._dag_scheduler

    def getJobIdsForGroup(self, jobGroup: str | None = None) -> list[int]:
        """All known jobs of a group (running, failed or completed); with None, the jobs
        that belong to no group. The order is not guaranteed."""
        return [j.job_id for j in self._dag.jobs.all_jobs() if j.group == jobGroup]

    def getJobIdsForTag(self, jobTag: str) -> list[int]:
        """All known jobs that have the given tag (see ``SparkContext.addJobTag``)."""
        return [j.job_id for j in self._dag.jobs.all_jobs() if jobTag in j.tags]

    def getActiveStageIds(self) -> list[int]:
        """The ids of the stages now running."""
        return sorted(self._dag.active_stages)

    def getActiveJobsIds(self) -> list[int]:
        """The ids of the jobs now running."""
        return sorted(j.job_id for j in self._dag.jobs.all_jobs() if j.status == "RUNNING")

    def getJobInfo(self, jobId: int) -> SparkJobInfo | None:
        """A :class:`SparkJobInfo`, or None if the job is unknown or forgotten."""
        job = self._dag.jobs.job(jobId)
        if job is None:
            return None
        return SparkJobInfo(job.job_id, list(job.stage_ids), job.status)

    def getStageInfo(self, stageId: int) -> SparkStageInfo | None:
        """A :class:`SparkStageInfo`, or None if the stage is unknown or forgotten."""
        s = self._dag.active_stages.get(stageId) or self._dag.jobs.finished_stage(stageId)
        if s is None:
            return None
        return SparkStageInfo(s.stage_id, s.attempt, s.name, s.num_tasks, s.active,
                              s.completed, s.failed)

    def getExecutorInfos(self) -> list[SparkExecutorInfo]:
        """The driver and every live executor, with how many tasks each runs now."""
        import os

        scheduler = self._sc._task_scheduler
        running = scheduler.running_per_executor()
        pids_of = getattr(self._sc._backend, "executor_pids", None)
        pids = pids_of() if pids_of is not None else {}
        infos = [SparkExecutorInfo("driver", "localhost", running.get("driver", 0), os.getpid())]
        for executor_id in sorted(scheduler.alive_executors(), key=str):
            if executor_id != "driver":
                infos.append(SparkExecutorInfo(executor_id, "localhost",
                                               running.get(executor_id, 0),
                                               pids.get(executor_id, os.getpid())))
        return infos
