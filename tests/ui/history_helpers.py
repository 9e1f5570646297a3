"""Helpers of test_eventlog.py and test_history.py (imported as a top-level module).

The history server serves parts other helpers build: the store (``sparklet.ui.store``)
and the web server (``sparklet.ui.server``). Each is used when present; until then this
module has small stand-ins, marked ``StandIn``, so the history provider is tested against
real applications and a real uvicorn server in the meantime. Nothing of it is in ``src``.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(os.path.dirname(HERE)), "src")


def has_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


# -- a running SparkContext's event log ---------------------------------------------------

def event_log_of(sc):
    """The EventLoggingListener SparkContext start-up registered on ``sc._listener_bus``
    (``spark.eventLog.enabled=true``), or None."""
    ui = getattr(sc, "_ui", None)
    return None if ui is None else ui.event_log


def drain(sc, timeout: float = 10) -> None:
    """Wait until the listener bus delivered every event posted so far."""
    assert sc._listener_bus.wait_until_empty(timeout), "listener bus not drained"


# -- the store and the web app of the history server ---------------------------------------

def store_factory():
    """``AppStatusStore(live=False)`` when it exists, else :class:`StandInStore`."""
    if has_module("sparklet.ui.store"):
        from sparklet.ui.store import AppStatusStore

        return AppStatusStore(live=False)
    return StandInStore()


def spark_date(ms: int | None) -> str | None:
    if ms is None:
        return None
    t = time.gmtime(ms / 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".%03dGMT" % (ms % 1000)


class StandInStore:
    """Stand-in of ``AppStatusStore``: the few REST bodies test_history.py reads, in the
    SPEC's shapes (ApplicationInfo, JobData, StageData, ExecutorSummary, environment,
    StreamingStatistics, BatchInfo), built from the events."""

    def __init__(self):
        self.app_id = self.app_name = None
        self.completed = False
        self._start = self._end = self._last = None
        self._user = self._version = None
        self._jobs: dict[int, dict] = {}
        self._stages: dict[int, dict] = {}
        self._executors: dict[str, dict] = {}
        self._env: dict = {}
        self._batches: dict[int, dict] = {}
        self._batch_ms = None

    def on_event(self, e: dict) -> None:
        name, t = e["Event"], e.get("time")
        if t is not None:
            self._last = t
        if name == "SparkListenerApplicationStart":
            self.app_id, self.app_name, self._start = e["appId"], e["appName"], e["time"]
            self._user, self._version = e.get("sparkUser"), e.get("sparkVersion")
        elif name == "SparkListenerApplicationEnd":
            self.completed, self._end = True, t
        elif name == "SparkListenerEnvironmentUpdate":
            self._env = e
        elif name == "SparkListenerExecutorAdded":
            self._executors[e["executorId"]] = {"id": e["executorId"], "isActive": True,
                                                "totalCores": e.get("totalCores", 0)}
        elif name == "SparkListenerJobStart":
            self._jobs[e["jobId"]] = {"jobId": e["jobId"], "stageIds": e["stageIds"],
                                      "status": "RUNNING",
                                      "submissionTime": spark_date(t), "numTasks": sum(
                                          s["numTasks"] for s in e["stageInfos"])}
        elif name == "SparkListenerJobEnd":
            job = self._jobs[e["jobId"]]
            job["status"] = "SUCCEEDED" if e["result"] == "JobSucceeded" else "FAILED"
            job["completionTime"] = spark_date(t)
        elif name == "SparkListenerStageSubmitted":
            info = e["stageInfo"]
            self._stages[info["stageId"]] = {"stageId": info["stageId"], "attemptId": 0,
                                            "status": "ACTIVE", "numTasks": info["numTasks"],
                                            "numCompleteTasks": 0}
        elif name == "SparkListenerTaskEnd":
            stage = self._stages.get(e["stageId"])
            if stage is not None and e["reason"] == "Success":
                stage["numCompleteTasks"] += 1
        elif name == "SparkListenerStageCompleted":
            info = e["stageInfo"]
            self._stages[info["stageId"]]["status"] = (
                "FAILED" if info.get("failureReason") else "COMPLETE")
        elif name == "StreamingListenerStreamingStarted":
            self._batch_ms = e["batchDuration"]
        elif name.startswith("StreamingListenerBatch"):
            info = e["batchInfo"]
            status = {"Submitted": "QUEUED", "Started": "PROCESSING",
                      "Completed": "COMPLETED"}[name[len("StreamingListenerBatch"):]]
            self._batches[info["batchTime"]] = {"batchId": info["batchTime"],
                                                "batchTime": spark_date(info["batchTime"]),
                                                "status": status,
                                                "inputSize": info["numRecords"]}

    def application_info(self) -> dict:
        return {"id": self.app_id, "name": self.app_name, "attempts": [{
            "startTime": spark_date(self._start), "endTime": spark_date(self._end),
            "lastUpdated": spark_date(self._last), "completed": self.completed,
            "sparkUser": self._user, "appSparkVersion": self._version,
            "startTimeEpoch": self._start, "endTimeEpoch": self._end if self._end else -1,
            "lastUpdatedEpoch": self._last}]}

    def jobs(self, status=None) -> list[dict]:
        return sorted(self._jobs.values(), key=lambda j: -j["jobId"])

    def stages(self, status=None) -> list[dict]:
        return sorted(self._stages.values(), key=lambda s: -s["stageId"])

    def executors(self) -> list[dict]:
        return list(self._executors.values())

    def environment(self) -> dict:
        return {"runtime": self._env.get("runtime", {}),
                "sparkProperties": self._env.get("sparkProperties", []),
                "systemProperties": self._env.get("systemProperties", [])}

    def streaming_statistics(self) -> dict:
        done = [b for b in self._batches.values() if b["status"] == "COMPLETED"]
        return {"batchDuration": self._batch_ms, "numTotalCompletedBatches": len(done),
                "numProcessedRecords": sum(b["inputSize"] for b in done)}

    def batches(self, status=None) -> list[dict]:
        return sorted(self._batches.values(), key=lambda b: -b["batchId"])


def app_factory():
    """``sparklet.ui.server.create_app`` when it exists, else :func:`standin_create_app`."""
    if has_module("sparklet.ui.server"):
        from sparklet.ui.server import create_app

        return create_app
    return standin_create_app


def standin_create_app(provider, *, history=False, token=None, **_):
    """Stand-in of ``create_app``: ``sparklet.ui.api.routes(provider)`` when it exists, else
    the REST routes test_history.py reads over :class:`StandInStore` (no auth, no pages:
    the real server's are tested by its owner)."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    if has_module("sparklet.ui.api"):
        from sparklet.ui.api import routes as api_routes

        return Starlette(routes=api_routes(provider))

    def store_of(request):
        store = provider.get(request.path_params["app"])
        if store is None:
            return None, JSONResponse({"error": "no such app"}, status_code=404)
        return store, None

    def endpoint(method):
        def handler(request):
            store, err = store_of(request)
            return err or JSONResponse(getattr(store, method)())
        return handler

    def applications(request):
        return JSONResponse([s.application_info() for s in provider.list()])

    base = "/api/v1/applications/{app}"
    routes = [Route("/api/v1/applications", applications),
              Route(base, endpoint("application_info"))]
    for path, method in (("/jobs", "jobs"), ("/stages", "stages"),
                         ("/executors", "executors"), ("/environment", "environment"),
                         ("/streaming/statistics", "streaming_statistics"),
                         ("/streaming/batches", "batches")):
        routes.append(Route(base + path, endpoint(method)))
    return Starlette(routes=routes)


def server_factory():
    """``sparklet.ui.server.UIServer`` when it exists, else :class:`StandInUIServer`."""
    if has_module("sparklet.ui.server"):
        from sparklet.ui.server import UIServer

        return UIServer
    return StandInUIServer


class StandInUIServer:
    """Stand-in of ``UIServer``: uvicorn in a daemon thread on a socket bound here."""

    def __init__(self, app, host="127.0.0.1", port=4040, max_retries=16):
        self.app, self.host, self.port = app, host, port
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        return "http://%s:%d" % (self.host, self.port)

    def start(self) -> int:
        import uvicorn

        sock = socket.socket()
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.port

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)


# -- the finished application of test_history.py ---------------------------------------

APP_SCRIPT = r'''
"""A small finished application: three jobs, then three streaming batches on a manual
clock; prints what it ran, as the live application saw it, as JSON: the facts the
history server must show."""
import json, sys
sys.path.insert(0, sys.argv[2])
import history_helpers as hh
from sparklet import SparkConf, SparkContext
from sparklet.streaming import StreamingContext, StreamingListener
from sparklet.streaming.testing import advance_batches, use_manual_clock

conf = (SparkConf().setMaster("local[2]").setAppName("history-app")
        .set("spark.eventLog.enabled", "true").set("spark.eventLog.dir", sys.argv[1])
        .set("spark.ui.enabled", "false"))  # the event log needs no web UI
sc = SparkContext(conf=conf)
log = hh.event_log_of(sc)
results = [sc.parallelize(range(10), 2).count(),
           sc.parallelize(range(6), 3).map(lambda x: (x % 2, x))
           .reduceByKey(lambda a, b: a + b).count(),
           sc.parallelize([1, 2, 3], 1).sum()]
ssc = StreamingContext(sc, 1)
use_manual_clock(ssc)
batch_records = {}


class Records(StreamingListener):
    def onBatchCompleted(self, e):
        info = e.batchInfo()
        batch_records[info.batchTime().milliseconds()] = info.numRecords()


ssc.addStreamingListener(Records())
seen = []
ssc.queueStream([[1, 2], [3, 4, 5], [6]]).foreachRDD(lambda rdd: seen.append(rdd.count()))
ssc.start()
batch_times = advance_batches(ssc, 3)
tracker = sc.statusTracker()
jobs = {}
stages = {}
for job_id in tracker.getJobIdsForGroup(None):
    info = tracker.getJobInfo(job_id)
    jobs[job_id] = {"status": info.status, "stageIds": sorted(info.stageIds)}
    for stage_id in info.stageIds:
        s = tracker.getStageInfo(stage_id)
        stages[stage_id] = {"numTasks": s.numTasks, "numCompleteTasks": s.numCompletedTasks}
facts = {"appId": sc.applicationId, "appName": sc.appName, "results": results,
         "seen": seen, "batchTimes": batch_times, "batchRecords": batch_records,
         "jobs": jobs, "stages": stages, "logPath": log.log_path}
ssc.stop(stopSparkContext=True)
print("FACTS " + json.dumps(facts), flush=True)
'''


CRASH_SCRIPT = r'''
"""An application that dies after two jobs (os._exit: no stop, no atexit, no flush of
anything but what the event log flushed itself)."""
import json, os, sys
from sparklet import SparkConf, SparkContext

conf = (SparkConf().setMaster("local[2]").setAppName("crashing-app")
        .set("spark.eventLog.enabled", "true").set("spark.eventLog.dir", sys.argv[1])
        .set("spark.ui.enabled", "false"))
sc = SparkContext(conf=conf)
sc.parallelize(range(10), 2).count()
sc.parallelize(range(10), 2).sum()
assert sc._listener_bus.wait_until_empty(10)
print("FACTS " + json.dumps({"appId": sc.applicationId,
                             "jobs": sorted(sc.statusTracker().getJobIdsForGroup(None))}),
      flush=True)
os._exit(7)
'''


def run_finished_app(log_dir: str, tmp_dir: str, timeout: float = 120,
                     script_text: str = APP_SCRIPT, returncode: int = 0) -> dict:
    """Run ``script_text`` (:data:`APP_SCRIPT`) as a separate Python process writing its
    event log into ``log_dir``; returns the facts it printed."""
    import subprocess

    script = os.path.join(tmp_dir, "history_app_%d.py" % returncode)
    with open(script, "w") as f:
        f.write(script_text)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, HERE]))
    proc = subprocess.run([sys.executable, script, log_dir, HERE], capture_output=True,
                          text=True, timeout=timeout, cwd=tmp_dir, env=env)
    if proc.returncode != returncode:
        raise AssertionError("app failed (%d):\n%s\n%s" % (proc.returncode, proc.stdout,
                                                            proc.stderr))
    line = next(x for x in proc.stdout.splitlines() if x.startswith("FACTS "))
    return json.loads(line[len("FACTS "):])


def read_log(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def get_json(url: str, timeout: float = 10) -> Any:
    import httpx

    r = httpx.get(url, timeout=timeout)
    r.raise_for_status()
    return r.json()
