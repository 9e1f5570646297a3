"""The backend interface: executors come and go, tasks go in, results come out."""

from __future__ import annotations

import os
import re
from typing import Any

__all__ = ["SchedulerBackend", "parse_local_master"]


class SchedulerBackend:
    """Runs tasks on executors.

    ``start(scheduler)`` announces executors with ``scheduler.executor_added(id, slots)``;
    ``launch`` sends one serialized task to an executor; results come back through
    ``scheduler.status_update(id, TaskResult)``, and a dead executor through
    ``scheduler.executor_lost(id, reason)``. The stage binary is sent to an executor only
    the first time one of its tasks goes there.
    """

    def start(self, scheduler) -> None:
        raise NotImplementedError

    def launch(self, executor_id: str, task: Any, binary_key: str, binary: bytes) -> None:
        raise NotImplementedError

    def broadcast_message(self, message: tuple) -> None:
        """Send a control message (drop an RDD's blocks, a shuffle, a broadcast) everywhere."""
        raise NotImplementedError

    def default_parallelism(self) -> int:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


_LOCAL = re.compile(r"local(?:\[(\*|\d+)(?:\s*,\s*(\d+))?\])?$")


def parse_local_master(master: str) -> tuple[int, int]:
    """``local[N, F]`` -> (cores, max task failures); ``local[*]`` uses every core.

    >>> [parse_local_master(m) for m in ("local", "local[4]", "local[2,3]")]
    [(1, 1), (4, 1), (2, 3)]
    """
    m = _LOCAL.match(master.strip())
    if m is None:
        if master.startswith("dask"):
            return os.cpu_count() or 1, 4
        raise ValueError("Could not parse Master URL: '%s'" % master)
    cores_text, failures = m.group(1), m.group(2)
    if cores_text is None:
        cores = 1
    elif cores_text == "*":
        cores = os.cpu_count() or 1
    else:
        cores = int(cores_text)
    if cores < 1:
        raise ValueError("Asked to run locally with %d threads" % cores)
    return cores, int(failures) if failures else 1
