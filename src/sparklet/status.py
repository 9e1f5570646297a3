"""StatusTracker: read-only view of running jobs and stages."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["StatusTracker", "SparkStageInfo"]


class SparkStageInfo(NamedTuple):
    stageId: int
    currentAttemptId: int
    name: str
    numTasks: int
    numActiveTasks: int
    numCompletedTasks: int
    numFailedTasks: int


class StatusTracker:
    """Low-level status reporting for monitoring stage progress."""

    def __init__(self, sc):
        self._dag = sc._dag_scheduler

    def getActiveStageIds(self) -> list[int]:
        return sorted(self._dag.active_stages)

    def getStageInfo(self, stageId: int) -> SparkStageInfo | None:
        s = self._dag.active_stages.get(stageId)
        if s is None:
            return None
        return SparkStageInfo(s.stage_id, 0, "stage %d" % s.stage_id, s.num_tasks, s.active,
                              s.completed, 0)
