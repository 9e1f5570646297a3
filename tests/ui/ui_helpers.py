"""Shared helpers of tests/ui: hand-built listener events, and a real uvicorn server on a
free 127.0.0.1 port for an ASGI app (until the UI server serves it)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

T0 = 1_764_700_000_000  # 2025-12-02T18:26:40.000GMT


def stage_info(sid, num_tasks, name=None, parents=(), rdds=(), attempt=0, **extra):
    """A StageInfo dict; ``rdds`` are (rddId, name) pairs or rddInfo dicts."""
    infos = [r if isinstance(r, dict) else {
        "rddId": r[0], "name": r[1], "callSite": "test", "parentIds": [],
        "numPartitions": num_tasks, "storageLevel": "None", "scope": None} for r in rdds]
    d = {"stageId": sid, "attemptId": attempt, "name": name or "stage %d" % sid,
         "numTasks": num_tasks, "parentIds": list(parents), "details": "details %d" % sid,
         "rddInfos": infos, "submissionTime": None, "completionTime": None,
         "failureReason": None}
    d.update(extra)
    return d


class Feed:
    """Posts events into a store with a clock that moves 10 ms per event."""

    def __init__(self, store, app_id="local-1764700000000", app_name="ui-test"):
        self.store = store
        self.now = T0
        self.task_ids = iter(range(10**9))
        self.app_id = app_id
        self.post("SparkListenerApplicationStart", appName=app_name, appId=app_id,
                  sparkUser="tester", sparkVersion="3.5.0", master="local[2]")

    def post(self, name, **fields):
        self.now += 10
        ev = {"Event": name, "time": self.now}
        ev.update(fields)
        self.store.on_event(ev)
        return ev

    def executor(self, eid, cores=1):
        self.post("SparkListenerExecutorAdded", executorId=eid, host="127.0.0.1",
                  totalCores=cores, pid=1000 + len(eid))

    def job_start(self, job_id, stages, **props):
        self.post("SparkListenerJobStart", jobId=job_id,
                  stageIds=[s["stageId"] for s in stages],
                  properties={k.replace("_", "."): v for k, v in props.items()},
                  stageInfos=stages)

    def submit(self, info, job_id):
        info = dict(info, submissionTime=self.now + 10)
        self.post("SparkListenerStageSubmitted", stageInfo=info, jobId=job_id)
        return info

    def task(self, info, index, eid="0", reason="Success", metrics=None, error=None,
             attempt=0, task_type="ResultTask"):
        """A task's start and end (one after the other)."""
        tid = next(self.task_ids)
        ti = {"taskId": tid, "index": index, "attempt": attempt, "partitionId": index,
              "launchTime": self.now + 10, "finishTime": None, "executorId": eid,
              "host": "127.0.0.1", "locality": "PROCESS_LOCAL", "speculative": False,
              "status": "RUNNING"}
        self.post("SparkListenerTaskStart", stageId=info["stageId"],
                  stageAttemptId=info["attemptId"], taskInfo=ti)
        self.end_task(info, ti, reason, metrics, error, task_type)
        return tid

    def start_task(self, info, index, eid="0"):
        tid = next(self.task_ids)
        ti = {"taskId": tid, "index": index, "attempt": 0, "partitionId": index,
              "launchTime": self.now + 10, "finishTime": None, "executorId": eid,
              "host": "127.0.0.1", "locality": "PROCESS_LOCAL", "speculative": False,
              "status": "RUNNING"}
        self.post("SparkListenerTaskStart", stageId=info["stageId"],
                  stageAttemptId=info["attemptId"], taskInfo=ti)
        return ti

    def end_task(self, info, ti, reason="Success", metrics=None, error=None,
                 task_type="ResultTask"):
        status = {"Success": "SUCCESS", "TaskKilled": "KILLED"}.get(reason, "FAILED")
        ti = dict(ti, finishTime=self.now + 30, status=status)
        self.now += 20
        self.post("SparkListenerTaskEnd", stageId=info["stageId"],
                  stageAttemptId=info["attemptId"], taskType=task_type, reason=reason,
                  errorMessage=error, taskInfo=ti, taskMetrics=metrics or {})

    def complete(self, info, failure=None):
        info = dict(info, completionTime=self.now + 10, failureReason=failure)
        self.post("SparkListenerStageCompleted", stageInfo=info)

    def job_end(self, job_id, ok=True, error=None):
        self.post("SparkListenerJobEnd", jobId=job_id,
                  result="JobSucceeded" if ok else "JobFailed", errorMessage=error)


@contextlib.contextmanager
def serve(app, timeout=10.0):
    """Serve an ASGI app with uvicorn on 127.0.0.1 (a free port) from a thread; yields
    the base URL and stops the server on exit."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield "http://127.0.0.1:%d" % port
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


@contextlib.contextmanager
def live_ui(app_name="ui-test", master="local[2]", **conf):
    """A SparkContext with the UI on (port 0); yields (sc, base_url, store). A context
    left active (the suite's shared one) is stopped first; the suite restarts it."""
    from sparklet import SparkConf, SparkContext

    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()
    c = (SparkConf().setMaster(master).setAppName(app_name)
         .set("spark.ui.enabled", "true").set("spark.ui.port", "0"))
    for k, v in conf.items():
        c.set(k.replace("_", "."), str(v))
    sc = SparkContext(conf=c)
    try:
        yield sc, sc.uiWebUrl, sc._ui.store
    finally:
        sc.stop()
