"""Tasks: what travels to an executor, and how an executor runs one.

A task names its stage's serialized lineage by key (sent to each executor once and kept
there), its partition object (which carries whatever the partition needs: a data slice,
parent splits) and, for each shuffle its stage reads, where the map outputs are.
Executing a task deserializes the lineage afresh, as Spark does, so every task sees its
own copy of closures and accumulators.
"""

from __future__ import annotations

import functools
import os
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from sparklet import serializers
from sparklet.accumulators import task_updates
from sparklet.errors import FetchFailedError
from sparklet.taskcontext import BarrierTaskContext, TaskContext
from sparklet.util import parse_bytes

__all__ = ["Task", "TaskResult", "run_task"]

SHUFFLE_MAP, RESULT = "shuffle_map", "result"


@dataclass
class Task:
    task_id: int                 # unique per attempt within the application
    stage_id: int
    stage_attempt: int
    partition: int               # index into the stage RDD's partitions
    attempt: int
    kind: str                    # SHUFFLE_MAP or RESULT
    binary_key: str
    split: Any                   # the Partition object
    shuffle_locations: dict = field(default_factory=dict)
    local_properties: dict = field(default_factory=dict)
    preferred_executor: str | None = None
    job_id: int = -1
    barrier: tuple | None = None   # the barrier coordinator (host, port, secret), if any
    resources: dict = field(default_factory=dict)  # name -> ResourceInformation, on the executor


@dataclass
class TaskResult:
    task_id: int
    status: str                  # "success" | "failed" | "fetch_failed"
    value: Any = None            # result value, or MapStatus for map tasks
    accum_updates: dict = field(default_factory=dict)
    blocks_stored: list = field(default_factory=list)
    blocks_dropped: list = field(default_factory=list)
    error: str = ""              # formatted remote traceback
    exception: bytes | None = None
    fetch_failed: tuple[int, int] | None = None
    duration: float = 0.0
    executor_id: str = ""
    metrics: dict = field(default_factory=dict)


def _memory_limit(env) -> int:
    return _parsed_bytes(env.conf.get("spark.python.worker.memory", "512m"))


def _inline_max_bytes(env) -> int:
    """The largest map output that travels with its status instead of in a file."""
    from sparklet.shuffle.writer import INLINE_MAX_BYTES

    return _parsed_bytes(env.conf.get("spark.sparklet.shuffle.inlineMaxBytes",
                                      str(INLINE_MAX_BYTES)))


@functools.lru_cache(maxsize=8)
def _parsed_bytes(text: str) -> int:
    """A size setting read by every task: parsed once (a regex match per task adds up)."""
    return parse_bytes(text)


def run_task(task: Task, binary: bytes, env) -> TaskResult:
    """Execute one task in this process; never raises (failures become results)."""
    start = time.perf_counter()
    context_class = TaskContext if task.barrier is None else BarrierTaskContext
    context = context_class(task.stage_id, task.partition, task.attempt, task.task_id,
                            task.local_properties)
    if task.barrier is not None:
        context._barrier_init(task.barrier, task.stage_attempt)
    context._shuffle_locations = task.shuffle_locations
    context._resources = dict(task.resources)
    TaskContext._set(context)
    try:
        rdd, payload = serializers.loads(binary)
        records = rdd.iterator(task.split, context)
        if task.kind == SHUFFLE_MAP:
            from sparklet.shuffle.writer import write_shuffle_output

            value = write_shuffle_output(records, payload, task.partition, env.block_manager,
                                         int(_memory_limit(env) * 0.9), _inline_max_bytes(env))
        else:
            value = list(payload(records))
        result = TaskResult(task.task_id, "success", value, task_updates(context))
    except FetchFailedError as e:
        result = TaskResult(task.task_id, "fetch_failed", error=str(e),
                            fetch_failed=(e.shuffle_id, e.map_id))
    except BaseException as e:  # noqa: BLE001 - any user failure must reach the driver
        try:
            exc_bytes: bytes | None = serializers.dumps(e)
            serializers.loads(exc_bytes)
        except Exception:  # noqa: BLE001 - unpicklable exceptions travel as text only
            exc_bytes = None
        result = TaskResult(task.task_id, "failed", error=_format_remote_traceback(e),
                            exception=exc_bytes)
    finally:
        TaskContext._set(None)
    result.blocks_stored = context._blocks_stored
    result.blocks_dropped = context._blocks_dropped
    result.metrics = context._metrics
    result.duration = time.perf_counter() - start
    result.executor_id = env.executor_id
    return result


def _format_remote_traceback(e: BaseException) -> str:
    """The user's traceback, with sparklet's own frames left out as PySpark does."""
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = [f for f in traceback.extract_tb(e.__traceback__)
              if not os.path.abspath(f.filename).startswith(package_dir)]
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(e), e)
    return "".join(lines)
