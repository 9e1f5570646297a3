"""Jobs the DAGScheduler runs: their groups and tags, cancellation, and retained status.

A job takes its group, tags and interrupt flag from the local properties of the thread that
submitted it (``sc.setJobGroup``, ``sc.addJobTag``), as Spark's do. Cancelling a job marks
it, wakes every stage running for it (each stage waits on an event queue) and lets the
stage kill its running tasks; the job then fails in its own thread with Spark's message
("Job 3 cancelled part of cancelled job group g"). Finished jobs and stages are kept
(``spark.ui.retainedJobs`` / ``spark.ui.retainedStages``, 1000 each) for the
:class:`~sparklet.status.StatusTracker`.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

__all__ = ["JOB_GROUP_ID", "JOB_TAGS", "JOB_INTERRUPT_ON_CANCEL", "JOB_DESCRIPTION",
           "JOB_TAGS_SEP", "CANCELLED", "JobRecord", "JobRegistry", "job_tags", "call_site"]

JOB_GROUP_ID = "spark.jobGroup.id"
JOB_DESCRIPTION = "spark.job.description"
JOB_INTERRUPT_ON_CANCEL = "spark.job.interruptOnCancel"
JOB_TAGS = "spark.job.tags"
JOB_TAGS_SEP = ","

CANCELLED = "cancelled"  # the event a stage's queue receives when its job is cancelled


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def call_site() -> str:
    """``action at file:line`` of the user code that started a job: Spark's stage name."""
    frame = sys._getframe(1)
    method = "runJob"
    while frame is not None:
        filename = frame.f_code.co_filename
        if _outside_package(filename):
            return "%s at %s:%d" % (method, filename, frame.f_lineno)
        name = frame.f_code.co_name
        if not name.startswith("_") and name not in ("run_job", "runJob", "<lambda>"):
            method = name
        frame = frame.f_back
    return method


def _outside_package(filename: str) -> bool:
    """Whether a frame's file is user code (a relative name depends on the working
    directory, so only absolute ones are cached: every job walks its caller's stack)."""
    if os.path.isabs(filename):
        return _outside_package_absolute(filename)
    return not os.path.abspath(filename).startswith(_PACKAGE_DIR)


@functools.lru_cache(maxsize=1024)
def _outside_package_absolute(filename: str) -> bool:
    return not os.path.normpath(filename).startswith(_PACKAGE_DIR)


def job_tags(props: dict) -> set[str]:
    """The tags in a local-properties dict (``spark.job.tags``, comma-separated)."""
    return {t for t in props.get(JOB_TAGS, "").split(JOB_TAGS_SEP) if t}


@dataclass(eq=False)
class JobRecord:
    job_id: int
    group: str | None
    tags: frozenset
    interrupt: bool
    stage_ids: list[int]
    status: str = "RUNNING"      # Spark's JobExecutionStatus: RUNNING, SUCCEEDED, FAILED
    cancel_reason: str | None = None
    # event queues of the stage attempts now running on behalf of this job
    stage_queues: set = field(default_factory=set)


class JobRegistry:
    """Active and recently finished jobs and stages; thread-safe."""

    def __init__(self, retained_jobs: int = 1000, retained_stages: int = 1000):
        self._lock = threading.RLock()
        self.active: dict[int, JobRecord] = {}
        self._finished: OrderedDict[int, JobRecord] = OrderedDict()
        self._finished_stages: OrderedDict[int, object] = OrderedDict()
        self._retained_jobs = retained_jobs
        self._retained_stages = retained_stages

    # -- job lifecycle ---------------------------------------------------------------------

    def start(self, job_id: int, props: dict, stage_ids: list[int]) -> JobRecord:
        interrupt = str(props.get(JOB_INTERRUPT_ON_CANCEL, "false")).lower() == "true"
        job = JobRecord(job_id, props.get(JOB_GROUP_ID), frozenset(job_tags(props)),
                        interrupt, stage_ids)
        with self._lock:
            self.active[job_id] = job
        return job

    def finish(self, job: JobRecord, succeeded: bool) -> None:
        with self._lock:
            job.status = "SUCCEEDED" if succeeded else "FAILED"
            job.stage_queues.clear()
            self.active.pop(job.job_id, None)
            self._finished[job.job_id] = job
            while len(self._finished) > self._retained_jobs:
                self._finished.popitem(last=False)

    def stage_finished(self, progress) -> None:
        with self._lock:
            self._finished_stages[progress.stage_id] = progress
            self._finished_stages.move_to_end(progress.stage_id)
            while len(self._finished_stages) > self._retained_stages:
                self._finished_stages.popitem(last=False)

    def attach(self, job_id: int, events) -> str | None:
        """Register a stage attempt's event queue with its job; the cancellation reason if
        the job was cancelled already (the stage must not start)."""
        with self._lock:
            job = self.active.get(job_id)
            if job is None:
                return None
            if job.cancel_reason is None:
                job.stage_queues.add(events)
            return job.cancel_reason

    def detach(self, job_id: int, events) -> None:
        with self._lock:
            job = self.active.get(job_id)
            if job is not None:
                job.stage_queues.discard(events)

    def cancel_reason(self, job_id: int) -> str | None:
        with self._lock:
            job = self.active.get(job_id)
            return job.cancel_reason if job is not None else None

    def interrupts(self, job_id: int) -> bool:
        with self._lock:
            job = self.active.get(job_id)
            return job.interrupt if job is not None else False

    # -- cancellation ----------------------------------------------------------------------

    def cancel(self, match, reason: str) -> list[int]:
        """Cancel the active jobs ``match(job)`` selects; ``reason`` completes "Job N
        cancelled ...". Returns their ids."""
        cancelled = []
        with self._lock:
            for job in self.active.values():
                if job.cancel_reason is not None or not match(job):
                    continue
                job.cancel_reason = "Job %d cancelled %s" % (job.job_id, reason)
                cancelled.append(job.job_id)
                for events in job.stage_queues:
                    events.put((CANCELLED, None, None, job.cancel_reason))
        return cancelled

    # -- status ----------------------------------------------------------------------------

    def job(self, job_id: int) -> JobRecord | None:
        with self._lock:
            return self.active.get(job_id) or self._finished.get(job_id)

    def all_jobs(self) -> list[JobRecord]:
        with self._lock:
            return [*self._finished.values(), *self.active.values()]

    def finished_stage(self, stage_id: int):
        with self._lock:
            return self._finished_stages.get(stage_id)
