"""Helpers of test_eventlog.py and test_history.py (imported as a top-level module).

The event log and the history server sit between parts other helpers build: the listener
bus and its scheduler/streaming adapters (``sparklet.ui.bus``/``hooks``), the store
(``sparklet.ui.store``) and the web server (``sparklet.ui.server``). Each of them is used
when present; until then this module has small stand-ins, marked ``StandIn``, so the log
writer and the history provider are tested against real SparkContexts and a real uvicorn
server in the meantime. Nothing of it is in ``src``.
"""

from __future__ import annotations

import json
import os
import platform
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


# -- events of a running SparkContext ------------------------------------------------------

def attach_event_log(sc) -> tuple[Any, Any]:
    """Start ``sc``'s event log. With the integrator's wiring (``sc._listener_bus``) the
    context already did; else start one here and feed it through :class:`StandInHooks`.
    Returns ``(listener, hooks or None)``."""
    from sparklet.ui.eventlog import EventLoggingListener, maybe_start_event_log

    existing = getattr(sc, "_event_log", None)
    if existing is not None:
        return existing, None
    if getattr(sc, "_listener_bus", None) is not None:
        for listener in getattr(sc._listener_bus, "listeners", lambda: [])() or []:
            if isinstance(listener, EventLoggingListener):
                return listener, None
        return maybe_start_event_log(sc), None
    listener = maybe_start_event_log(sc)
    hooks = StandInHooks(sc, listener)
    hooks.application_start()
    return listener, hooks


def now_ms() -> int:
    return int(time.time() * 1000)


class StandInHooks:
    """Stand-in of ``sparklet.ui.hooks``: the SPEC's events from the DAGScheduler's and the
    StreamingContext's listener callbacks, delivered straight to ``sink.on_event``."""

    def __init__(self, sc, sink):
        from sparklet.scheduler.dag import SchedulerListener

        self.sc, self.sink = sc, sink
        self._lock = threading.Lock()
        self._job_stages: dict[int, list[int]] = {}
        hooks = self

        class _Sched(SchedulerListener):
            def on_job_start(self, job_id, stage_id, num_tasks):
                hooks._job_start(job_id, stage_id, num_tasks)

            def on_job_end(self, job_id, succeeded):
                hooks.post("SparkListenerJobEnd", jobId=job_id,
                           result="JobSucceeded" if succeeded else "JobFailed",
                           errorMessage=None)

            def on_stage_submitted(self, stage_id, num_tasks, job_id):
                hooks.post("SparkListenerStageSubmitted", jobId=job_id,
                           stageInfo=_stage_info(stage_id, num_tasks, submission=now_ms()))

            def on_stage_completed(self, stage_id, succeeded):
                hooks.post("SparkListenerStageCompleted", stageInfo=_stage_info(
                    stage_id, 0, completion=now_ms(),
                    failure=None if succeeded else "failed"))

            def on_task_end(self, stage_id, task, status, result):
                hooks._task_end(stage_id, task, status, result)

        self._sched = _Sched()
        sc._dag_scheduler.listeners.append(self._sched)

    def post(self, name: str, **fields) -> None:
        event = {"Event": name, "time": now_ms(), **fields}
        with self._lock:
            self.sink.on_event(event)

    def application_start(self) -> None:
        sc = self.sc
        self.post("SparkListenerApplicationStart", appName=sc.appName, appId=sc.applicationId,
                  time=sc.startTime, sparkUser=sc.sparkUser(), sparkVersion=sc.version,
                  master=sc.master)
        self.post("SparkListenerEnvironmentUpdate",
                  sparkProperties=sorted([list(kv) for kv in sc._conf.getAll()]),
                  systemProperties=[],
                  runtime={"pythonVersion": platform.python_version(),
                           "pythonExecutable": sys.executable,
                           "platform": platform.platform(), "sparkletVersion": "0.1.0"})
        self.post("SparkListenerExecutorAdded", executorId="driver", host="localhost",
                  totalCores=1, pid=os.getpid())

    def _job_start(self, job_id, stage_id, num_tasks):
        props = dict(getattr(self.sc._local_properties, "props", None) or {})
        self.post("SparkListenerJobStart", jobId=job_id, stageIds=[stage_id],
                  properties={str(k): str(v) for k, v in props.items()},
                  stageInfos=[_stage_info(stage_id, num_tasks)])

    def _task_end(self, stage_id, task, status, result):
        ok = status == "success"
        finish = now_ms()
        self.post("SparkListenerTaskEnd", stageId=stage_id, stageAttemptId=task.stage_attempt,
                  taskType="ShuffleMapTask" if task.kind == "shuffle_map" else "ResultTask",
                  reason="Success" if ok else "ExceptionFailure",
                  errorMessage=None if ok else getattr(result, "error", None),
                  taskInfo={"taskId": task.task_id, "index": task.partition,
                            "attempt": task.attempt, "partitionId": task.partition,
                            "launchTime": finish, "finishTime": finish,
                            "executorId": getattr(result, "executor_id", "") or "driver",
                            "host": "localhost", "locality": "PROCESS_LOCAL",
                            "speculative": False, "status": "SUCCESS" if ok else "FAILED"},
                  taskMetrics=dict(getattr(result, "metrics", None) or {}))

    def streaming_listener(self, ssc):
        """A StreamingListener posting the SPEC's streaming events; added to ``ssc``."""
        from sparklet.streaming.listener import StreamingListener

        hooks = self

        def batch(info) -> dict:
            def opt(v):
                return None if v is None or v < 0 else v

            return {"batchTime": info.batchTime().milliseconds(),
                    "submissionTime": info.submissionTime(),
                    "processingStartTime": opt(info.processingStartTime()),
                    "processingEndTime": opt(info.processingEndTime()),
                    "numRecords": info.numRecords(),
                    "streamIdToInputInfo": {
                        str(k): {"inputStreamId": k, "numRecords": v.numRecords(),
                                 "description": v.metadataDescription()}
                        for k, v in info.streamIdToInputInfo().items()},
                    "outputOperationInfos": {}}

        class _L(StreamingListener):
            def onStreamingStarted(self, e):
                hooks.post("StreamingListenerStreamingStarted",
                           batchDuration=ssc._graph.batch_duration, checkpointDir=None)

            def onBatchSubmitted(self, e):
                hooks.post("StreamingListenerBatchSubmitted", batchInfo=batch(e.batchInfo()))

            def onBatchStarted(self, e):
                hooks.post("StreamingListenerBatchStarted", batchInfo=batch(e.batchInfo()))

            def onBatchCompleted(self, e):
                hooks.post("StreamingListenerBatchCompleted", batchInfo=batch(e.batchInfo()))

        listener = _L()
        ssc.addStreamingListener(listener)
        return listener

    def application_end(self) -> None:
        self.post("SparkListenerApplicationEnd")
        self.sc._dag_scheduler.listeners.remove(self._sched)


def _stage_info(stage_id, num_tasks, submission=None, completion=None, failure=None) -> dict:
    return {"stageId": stage_id, "attemptId": 0, "name": "stage %d" % stage_id,
            "numTasks": num_tasks, "parentIds": [], "details": "", "rddInfos": [],
            "submissionTime": submission, "completionTime": completion,
            "failureReason": failure}


def stop_app(sc, listener, hooks, ssc=None) -> None:
    """Stop the streaming context and ``sc``, ending the event log the way each wiring
    does (the integrator's bus posts ApplicationEnd on ``sc.stop()``)."""
    if ssc is not None:
        ssc.stop(stopSparkContext=False)
    if hooks is not None:
        hooks.application_end()
    sc.stop()
    if listener is not None:
        listener.stop()


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
    """Stand-in of ``create_app``: the REST routes test_history.py reads, over ``provider``
    (without auth: the real server's is tested by its owner)."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

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
        .set("spark.ui.port", "0"))
sc = SparkContext(conf=conf)
log, hooks = hh.attach_event_log(sc)
results = [sc.parallelize(range(10), 2).count(),
           sc.parallelize(range(6), 3).map(lambda x: (x % 2, x))
           .reduceByKey(lambda a, b: a + b).count(),
           sc.parallelize([1, 2, 3], 1).sum()]
ssc = StreamingContext(sc, 1)
use_manual_clock(ssc)
if hooks is not None:
    hooks.streaming_listener(ssc)
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
         "jobs": jobs, "stages": stages, "logPath": log.log_path,
         "standInHooks": hooks is not None}
hh.stop_app(sc, log, hooks, ssc)
print("FACTS " + json.dumps(facts), flush=True)
'''


def run_finished_app(log_dir: str, tmp_dir: str, timeout: float = 120) -> dict:
    """Run :data:`APP_SCRIPT` as a separate Python process writing its event log into
    ``log_dir``; returns the facts it printed."""
    import subprocess

    script = os.path.join(tmp_dir, "history_app.py")
    with open(script, "w") as f:
        f.write(APP_SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, HERE]))
    proc = subprocess.run([sys.executable, script, log_dir, HERE], capture_output=True,
                          text=True, timeout=timeout, cwd=tmp_dir, env=env)
    if proc.returncode != 0:
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
