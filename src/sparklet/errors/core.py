"""sparklet's own job failures, and the internal failure kinds the scheduler handles."""

from __future__ import annotations

__all__ = ["SparkException", "SparkContextStoppedError"]


class SparkException(Exception):
    """A job could not complete (stage failure, cancelled job, bad configuration...)."""


class SparkContextStoppedError(SparkException):
    """An operation was attempted on a stopped SparkContext."""


class FetchFailedError(Exception):
    """A reduce task could not read a map output (its executor is gone): recompute the map."""

    def __init__(self, shuffle_id: int, map_id: int, message: str = ""):
        super().__init__(message or f"missing output of map {map_id} of shuffle {shuffle_id}")
        self.shuffle_id = shuffle_id
        self.map_id = map_id

    def __reduce__(self):
        return (FetchFailedError, (self.shuffle_id, self.map_id, str(self)))
