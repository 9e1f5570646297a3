"""Tasks: what travels to an executor, and how an executor runs one.

A task names its stage's serialized lineage by key (sent to each executor once and kept
there), its partition object (which carries whatever the partition needs: a data slice,
parent splits) and, for each shuffle its stage reads, where the map outputs are.
Executing a task deserializes the lineage afresh, as Spark does, so every task sees its
own copy of closures and accumulators.

Every result carries Spark's task metrics in ``TaskResult.metrics`` (the keys of
``sparklet.taskcontext.TASK_METRIC_KEYS``, all present, 0 when unknown), each counted where
it is known for free -- per task, per map output or per batch, never per record:

* ``executorDeserializeTime`` / ``executorRunTime`` (ms): unpickling the stage's lineage /
  running the task after it; ``executorCpuTime`` (ns): the task thread's CPU time;
* ``resultSize``: bytes of the pickled value (the result list or MapStatus), known when the
  result is pickled to travel to the driver (0 in the threads backend, where it does not);
* ``memoryBytesSpilled`` (the in-memory estimate of what was spilled), ``diskBytesSpilled``
  (bytes of the spill files); ``peakExecutionMemory``: the sum of the peak size estimates
  of the task's shuffle hash maps and buckets;
* ``inputRecords``: records read from a ``parallelize`` slice, text file split or cached
  block; ``inputBytes``: bytes of the text file splits read;
* ``shuffleRead*``: of the non-empty map outputs this reduce task read, the bytes and
  records, and how many came from this executor (``Local``) or another (``Remote``);
* ``shuffleWriteBytes`` / ``shuffleWriteRecords``: the map output's bytes and records
  (after map-side combine), ``shuffleWriteTime`` (ns): serializing and writing them;
* the executor's state when the task ended: ``executorStorageMemoryUsed``,
  ``executorStorageDiskUsed``, ``executorMaxStorageMemory`` (its block manager's use and
  limit) and ``executorRssBytes`` (resident memory of the process, sampled).

``TaskResult.block_updates`` lists the blocks the task stored, moved or dropped as
``(blockId, storage level text, memSize, diskSize)``, ``(blockId, "", 0, 0)`` for a drop.
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
    block_updates: list = field(default_factory=list)

    # Pickling a result (to send it to the driver) pickles its value first on its own, so
    # the value's size is known as ``metrics["resultSize"]`` at the cost of one copy of
    # its bytes; unpickling restores the value.
    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        pickled = state.pop("_pickled_value", None)
        if self.status != "success":
            return state
        if pickled is None:
            # Kept, in case the result is pickled again (cloudpickle's second try).
            pickled = self.__dict__["_pickled_value"] = serializers.dumps(self.value)
        state["value"] = pickled
        state["metrics"] = {**self.metrics, "resultSize": len(pickled)}
        state["_value_pickled"] = True
        return state

    def __setstate__(self, state: dict) -> None:
        if state.pop("_value_pickled", False):
            state["value"] = serializers.loads(state["value"])
        self.__dict__.update(state)


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


try:
    _PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):
    _PAGE_SIZE = 4096


_RSS_SAMPLE_S = 0.5
_rss = [float("-inf"), 0]  # [when read, resident bytes]; one process, every task reuses it


def _resident_bytes(now: float) -> int:
    """This process's resident memory, read from /proc at most every ``_RSS_SAMPLE_S``."""
    if now - _rss[0] >= _RSS_SAMPLE_S:
        _rss[0] = now
        try:
            with open("/proc/self/statm", "rb") as fh:
                _rss[1] = int(fh.read().split()[1]) * _PAGE_SIZE
        except (OSError, ValueError, IndexError):  # no procfs here: report 0 and stop asking
            _rss[0] = float("inf")
    return _rss[1]


def _executor_metrics(metrics: dict, block_manager, now: float) -> None:
    """The executor-level figures a result carries (its block manager's, its process's)."""
    if block_manager is not None:
        metrics["executorStorageMemoryUsed"] = block_manager.memory_used
        metrics["executorStorageDiskUsed"] = block_manager.disk_used
        metrics["executorMaxStorageMemory"] = block_manager.memory_capacity
    metrics["executorRssBytes"] = _resident_bytes(now)


def run_task(task: Task, binary: bytes, env) -> TaskResult:
    """Execute one task in this process; never raises (failures become results)."""
    start = ran = time.perf_counter()
    cpu_start = time.thread_time_ns()
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
        ran = time.perf_counter()
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
    result.block_updates = context._block_updates
    end = time.perf_counter()
    metrics = result.metrics = context._metrics
    metrics["executorDeserializeTime"] = round((ran - start) * 1000)
    metrics["executorRunTime"] = round((end - ran) * 1000)
    metrics["executorCpuTime"] = time.thread_time_ns() - cpu_start
    _executor_metrics(metrics, getattr(env, "block_manager", None), end)
    result.duration = end - start
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
