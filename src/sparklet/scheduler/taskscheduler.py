"""TaskScheduler: hands tasks to free executor slots; hears back from the backend.

It knows executors only as ids with a number of slots. Which process or machine an id
stands for is the backend's business; retries and stage logic are the DAGScheduler's.
A task whose input is cached on one executor waits for that executor up to
``spark.locality.wait`` before it runs elsewhere (and recomputes its input there).
The tasks of a barrier stage launch together or not at all. Killing tasks (a cancelled
job) asks the backend to stop them: at once when the job interrupts on cancel, else after
``spark.python.task.killTimeout`` if they are still running, as PySpark's worker monitor does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sparklet.scheduler.task import Task, TaskResult

__all__ = ["TaskScheduler", "TaskSet"]

log = logging.getLogger(__name__)


@dataclass(eq=False)
class TaskSet:
    """The tasks of one stage attempt, and where their outcomes go."""

    stage_id: int
    binary_key: str
    binary: bytes
    on_event: Callable[[str, Task, TaskResult | None, str], None]
    aborted: bool = False
    running: dict = field(default_factory=dict)
    barrier: bool = False


class TaskScheduler:
    def __init__(self, locality_wait: float = 3.0, kill_timeout: float = 2.0):
        self.backend = None
        self.locality_wait = locality_wait
        self.kill_timeout = kill_timeout
        self._lock = threading.Condition()
        self._free: dict[str, int] = {}           # executor id -> free slots
        self._pending: deque[tuple[TaskSet, Task, float]] = deque()
        self._running: dict[int, tuple[TaskSet, Task, str]] = {}
        self._stopped = False
        self._failed_reason: str | None = None
        self._dispatcher = threading.Thread(target=self._dispatch_loop, daemon=True,
                                            name="sparklet-task-dispatcher")
        self.on_executor_lost: Callable[[str], None] = lambda eid: None
        self.on_executor_message: Callable[[str, tuple], None] = lambda eid, message: None
        # sparklet.ui.hooks.SchedulerEvents while the UI or the event log listens, else None
        self.ui_events = None

    def start(self, backend) -> None:
        self.backend = backend
        self._dispatcher.start()
        backend.start(self)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()

    # -- from the DAGScheduler -------------------------------------------------------------

    def submit(self, taskset: TaskSet, tasks: list[Task]) -> None:
        """Queue ``tasks``; those that fit in free slots now are launched by this thread.

        Launching here rather than waking the dispatcher saves a thread hand-off per stage,
        a good part of a small job's latency (a streaming batch runs two stages); what does
        not fit waits for the dispatcher, which launches it as slots free up.
        """
        now = time.monotonic()
        launches = []
        with self._lock:
            failed = self._failed_reason
            if failed is None:
                for task in tasks:
                    self._pending.append((taskset, task, now))
                if not self._stopped:
                    launches = self._launch_barriers() + self._offer_slots(now)
                if self._pending:
                    # Only then: a dispatcher woken for nothing takes the GIL just as this
                    # thread gives it up to send the tasks, and the sends wait for it.
                    self._lock.notify_all()
        if failed is not None:
            for task in tasks:
                taskset.on_event("backend_failed", task, None, failed)
        self._launch(launches)

    def abort(self, taskset: TaskSet) -> None:
        """Drop the task set's pending tasks; running ones finish and are ignored."""
        with self._lock:
            taskset.aborted = True
            self._pending = deque(p for p in self._pending if p[0] is not taskset)

    def kill_tasks(self, taskset: TaskSet, interrupt: bool) -> None:
        """Stop the task set's running tasks (its outcomes are ignored already)."""
        with self._lock:
            running = [(tid, eid) for tid, (ts, _, eid) in self._running.items()
                       if ts is taskset]
        if not running:
            return
        if interrupt or self.kill_timeout <= 0:
            self._kill(running)
        else:
            timer = threading.Timer(self.kill_timeout, self._kill, (running,))
            timer.daemon = True
            timer.start()

    def _kill(self, running: list[tuple[int, str]]) -> None:
        for task_id, executor_id in running:
            with self._lock:
                if task_id not in self._running or self._stopped:
                    continue
            try:
                self.backend.kill_task(executor_id, task_id)
            except Exception:  # noqa: BLE001 - the executor may be gone already
                log.debug("could not kill task %d on executor %s", task_id, executor_id,
                          exc_info=True)

    # -- from the backend ------------------------------------------------------------------

    def executor_added(self, executor_id: str, slots: int) -> None:
        with self._lock:
            self._free[executor_id] = slots
            self._lock.notify_all()
        if self.ui_events is not None:
            self.ui_events.executor_added(executor_id, slots)

    def executor_lost(self, executor_id: str, reason: str) -> None:
        with self._lock:
            self._free.pop(executor_id, None)
            lost = [(tid, ts, task) for tid, (ts, task, eid) in self._running.items()
                    if eid == executor_id]
            for tid, _, _ in lost:
                del self._running[tid]
            self._lock.notify_all()
        if self.ui_events is not None:
            self.ui_events.executor_removed(executor_id, reason)
        self.on_executor_lost(executor_id)
        for _, taskset, task in lost:
            if not taskset.aborted:
                taskset.on_event("executor_lost", task, None, reason)
            elif self.ui_events is not None:
                self.ui_events.task_end(task, "executor_lost", None, reason)

    def status_update(self, executor_id: str, result: TaskResult) -> None:
        with self._lock:
            entry = self._running.pop(result.task_id, None)
            if executor_id in self._free:
                self._free[executor_id] += 1
            if self._pending:  # a freed slot matters to the dispatcher only then
                self._lock.notify_all()
        if entry is None:
            return
        if not entry[0].aborted:
            entry[0].on_event(result.status, entry[1], result, executor_id)
        elif self.ui_events is not None:  # its stage is over; the UI still sees it end
            self.ui_events.task_end(entry[1], result.status, result, executor_id)

    def backend_failed(self, reason: str) -> None:
        """No executor can be had: fail every waiting task rather than wait forever."""
        with self._lock:
            self._failed_reason = reason
            pending, self._pending = list(self._pending), deque()
        for taskset, task, _ in pending:
            if not taskset.aborted:
                taskset.on_event("backend_failed", task, None, reason)

    def executor_message(self, executor_id: str, message: tuple) -> None:
        """A running task sent the driver something (see ``SparkEnv.send_to_driver``)."""
        self.on_executor_message(executor_id, message)

    def running_per_executor(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._lock:
            for _, _, executor_id in self._running.values():
                counts[executor_id] = counts.get(executor_id, 0) + 1
        return counts

    def alive_executors(self) -> list[str]:
        with self._lock:
            return list(self._free)

    # -- dispatching -----------------------------------------------------------------------

    def _pick(self, executor_id: str, now: float):
        alive = self._free
        for i, (taskset, task, since) in enumerate(self._pending):
            if taskset.barrier:
                continue  # launched as a whole by _launch_barriers
            pref = task.preferred_executor
            if (pref is None or pref == executor_id or pref not in alive
                    or now - since >= self.locality_wait):
                del self._pending[i]
                return taskset, task
        return None

    def _launch_barriers(self) -> list:
        """Barrier task sets whose tasks all fit in the free slots now (lock held)."""
        launches = []
        groups: dict[int, list] = {}
        for entry in self._pending:
            if entry[0].barrier:
                groups.setdefault(id(entry[0]), []).append(entry)
        for entries in groups.values():
            if len(entries) > sum(self._free.values()):
                continue
            slots = [eid for eid, free in self._free.items() for _ in range(free)]
            for (taskset, task, _), executor_id in zip(entries, slots, strict=False):
                self._free[executor_id] -= 1
                self._running[task.task_id] = (taskset, task, executor_id)
                launches.append((executor_id, taskset, task))
            taken = {id(e) for e in entries}
            self._pending = deque(e for e in self._pending if id(e) not in taken)
        return launches

    def _offer_slots(self, now: float) -> list[tuple[str, TaskSet, Task]]:
        """Assign pending tasks to free slots, one per executor per round: like Spark's
        resourceOffers, tasks spread over executors (local-cluster) instead of filling
        the first one's cores."""
        launches = []
        assigned = True
        while assigned and self._pending:
            assigned = False
            for executor_id, free in list(self._free.items()):
                if free <= 0 or not self._pending:
                    continue
                picked = self._pick(executor_id, now)
                if picked is None:
                    continue
                taskset, task = picked
                self._free[executor_id] = free - 1
                self._running[task.task_id] = (taskset, task, executor_id)
                launches.append((executor_id, taskset, task))
                assigned = True
        return launches

    def _dispatch_loop(self) -> None:
        while True:
            launches = []
            with self._lock:
                if self._stopped:
                    return
                now = time.monotonic()
                launches = self._launch_barriers() + self._offer_slots(now)
                if not launches:
                    # Wake on any change; poll while tasks wait for a busy preferred executor.
                    self._lock.wait(0.05 if self._pending else None)
                    continue
            self._launch(launches)

    def _launch(self, launches: list[tuple[str, TaskSet, Task]]) -> None:
        """Hand assigned tasks to the backend (outside the lock: a send may block)."""
        ui = self.ui_events
        for executor_id, taskset, task in launches:
            if ui is not None:
                ui.task_launched(executor_id, task)
            try:
                self.backend.launch(executor_id, task, taskset.binary_key, taskset.binary)
            except Exception as e:  # noqa: BLE001 - a dead pipe means the executor is gone
                self.executor_lost(executor_id, "could not launch task: %s" % e)
