"""Helpers shared by the web UI tests (server and browser): a minimal store stand-in for
the server-only tests, a context manager serving an app on a free 127.0.0.1 port, and a
bounded wait. Imported as ``from web_helpers import ...`` (tests/ui has no __init__.py;
pytest's rootdir-relative import puts this folder on sys.path)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from sparklet.ui.server import UIServer


class StubStore:
    """The few AppStatusStore attributes the server itself reads (tests of routing, auth
    and binding that need no scheduler)."""

    def __init__(self, app_id: str = "local-1764000000000", app_name: str = "stub-app",
                 completed: bool = False):
        self.app_id = app_id
        self.app_name = app_name
        self.completed = completed

    def application_info(self) -> dict:
        return {"id": self.app_id, "name": self.app_name, "attempts": [
            {"startTime": "2026-12-02T18:00:00.000GMT", "completed": self.completed,
             "sparkUser": "test"}]}

    def on_event(self, event: dict) -> None:  # a listener like the real store
        pass


def make_store(app_id: str = "local-1764000000000", app_name: str = "stub-app",
               completed: bool = False):
    """The real AppStatusStore fed an application start (and end) by hand, when the store
    module is there; else a :class:`StubStore` (the server alone needs no more)."""
    try:
        from sparklet.ui.store import AppStatusStore
    except ImportError:
        return StubStore(app_id, app_name, completed)
    store = AppStatusStore()
    store.on_event({"Event": "SparkListenerApplicationStart", "appName": app_name,
                    "appId": app_id, "time": 1764000000000, "sparkUser": "test",
                    "sparkVersion": "3.5.0", "master": "local[2]"})
    if completed:
        store.on_event({"Event": "SparkListenerApplicationEnd", "time": 1764000001000})
    return store


class StubProvider:
    """``get``/``list`` over a fixed set of stores (the StoreProvider protocol)."""

    def __init__(self, *stores):
        self.stores = {s.app_id: s for s in stores}

    def get(self, app_id: str):
        return self.stores.get(app_id)

    def list(self) -> list:
        return list(self.stores.values())


@contextlib.contextmanager
def serving(app, host: str = "127.0.0.1", port: int = 0, **kw) -> Iterator[UIServer]:
    """A real uvicorn server on ``app`` (port 0: any free port), stopped afterwards."""
    server = UIServer(app, host=host, port=port, **kw)
    server.start()
    try:
        assert server.wait_ready(10), "the UI server thread did not start"
        yield server
    finally:
        server.stop()


def wait_until(predicate: Callable[[], object], timeout: float = 10.0,
               interval: float = 0.02, what: str = "condition") -> object:
    """Poll ``predicate`` until it returns a truthy value (returned) or fail after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def stage_info(stage_id: int, name: str, num_tasks: int, parent_ids=(), rdd_id: int = 0,
               submitted: int | None = None, completed: int | None = None) -> dict:
    """A StageInfo dict of the SPEC's event schema (one RDD per stage)."""
    return {"stageId": stage_id, "attemptId": 0, "name": name, "numTasks": num_tasks,
            "parentIds": list(parent_ids), "details": f"{name}\nat test.py:1",
            "rddInfos": [{"rddId": rdd_id, "name": f"rdd{rdd_id}", "callSite": name,
                          "parentIds": [], "numPartitions": num_tasks,
                          "storageLevel": "None", "scope": None}],
            "submissionTime": submitted, "completionTime": completed, "failureReason": None}


def one_job_events(app_id: str, app_name: str, t0: int = 1764000000000,
                   completed: bool = True) -> list[dict]:
    """The events of a small finished application, built by hand: one job of one stage of
    two tasks on executor "0" (for history-mode tests that need no SparkContext)."""
    stage = stage_info(0, "count at test.py:1", 2)
    ev = [
        {"Event": "SparkListenerApplicationStart", "appName": app_name, "appId": app_id,
         "time": t0, "sparkUser": "test", "sparkVersion": "3.5.0", "master": "local[2]"},
        {"Event": "SparkListenerExecutorAdded", "time": t0 + 1, "executorId": "0",
         "host": "localhost", "totalCores": 2, "pid": 1},
        {"Event": "SparkListenerJobStart", "time": t0 + 10, "jobId": 0, "stageIds": [0],
         "properties": {"callSite.short": "count at test.py:1"}, "stageInfos": [stage]},
        {"Event": "SparkListenerStageSubmitted", "time": t0 + 11, "jobId": 0,
         "stageInfo": {**stage, "submissionTime": t0 + 11}},
    ]
    for i in range(2):
        info = {"taskId": i, "index": i, "attempt": 0, "partitionId": i,
                "launchTime": t0 + 12, "finishTime": None, "executorId": "0",
                "host": "localhost", "locality": "PROCESS_LOCAL", "speculative": False,
                "status": "RUNNING"}
        ev.append({"Event": "SparkListenerTaskStart", "time": t0 + 12, "stageId": 0,
                   "stageAttemptId": 0, "taskInfo": info})
        ev.append({"Event": "SparkListenerTaskEnd", "time": t0 + 20 + i, "stageId": 0,
                   "stageAttemptId": 0, "taskType": "ResultTask", "reason": "Success",
                   "errorMessage": None,
                   "taskInfo": {**info, "finishTime": t0 + 20 + i, "status": "SUCCESS"},
                   "taskMetrics": {"executorRunTime": 5 + i, "resultSize": 100}})
    ev += [
        {"Event": "SparkListenerStageCompleted", "time": t0 + 30,
         "stageInfo": {**stage, "submissionTime": t0 + 11, "completionTime": t0 + 30}},
        {"Event": "SparkListenerJobEnd", "time": t0 + 31, "jobId": 0,
         "result": "JobSucceeded", "errorMessage": None},
    ]
    if completed:
        ev.append({"Event": "SparkListenerApplicationEnd", "time": t0 + 40})
    return ev
