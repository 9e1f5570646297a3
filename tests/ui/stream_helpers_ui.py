"""Helpers of the streaming UI tests: a SparkContext with its UI on, the live store's
StreamingStore and listener bus, a web server, and a listener that records what Spark's
own listener API says (the truth the UI is checked against).

With the integrator's wiring (``sc._ui`` and ``sc._listener_bus``) the real ones are used.
Until that wiring is there, :class:`UIHarness` stands the same parts up itself, as small
as they can be: a listener bus with one thread, the StreamingListener -> event dict
conversion of the SPEC, a scheduler listener for the job events and a uvicorn server with
the streaming routes and the static front end.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sparklet import SparkConf, SparkContext
from sparklet.streaming import StreamingContext, StreamingListener
from sparklet.streaming.testing import use_manual_clock
from sparklet.ui.store.streaming import StreamingStore

WAIT = 30.0
STATIC = Path(__import__("sparklet").__file__).parent / "ui" / "static"


def wait_until(predicate, timeout: float = WAIT, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


# -- what Spark's listener API says ------------------------------------------------------


class RecordingListener(StreamingListener):
    """Every completed batch as a StreamingListener sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.completed: dict[int, Any] = {}
        self.receivers: dict[int, Any] = {}

    def onBatchCompleted(self, batchCompleted) -> None:
        info = batchCompleted.batchInfo()
        self.completed[info.batchTime().milliseconds()] = info

    def onReceiverStarted(self, receiverStarted) -> None:
        info = receiverStarted.receiverInfo()
        self.receivers[info.streamId()] = info


# -- stand-ins until the integrator's wiring is on main -----------------------------------


class MiniBus:
    """The LiveListenerBus contract of the SPEC (post dicts, one delivery thread)."""

    def __init__(self) -> None:
        self.listeners: list[Any] = []
        self._queue: queue.Queue = queue.Queue()
        self._pending = 0
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, daemon=True, name="mini-bus")
        self._thread.start()

    def add_listener(self, listener: Any) -> None:
        self.listeners.append(listener)

    def post(self, event: dict) -> None:
        with self._cond:
            self._pending += 1
        self._queue.put(event)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            for listener in list(self.listeners):
                try:
                    listener.on_event(event)
                except Exception:  # noqa: BLE001 - as the real bus: log and go on
                    import traceback

                    traceback.print_exc()
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()

    def wait_until_empty(self, timeout: float = 10.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def stop(self) -> None:
        self._queue.put(None)


def _now() -> int:
    return int(time.time() * 1000)


def _opt(v: int) -> int | None:
    return None if v is None or v < 0 else v


def _op_dict(op) -> dict:
    return {"batchTime": op.batchTime().milliseconds(), "id": op.id(), "name": op.name(),
            "description": op.description(), "startTime": _opt(op.startTime()),
            "endTime": _opt(op.endTime()), "failureReason": op.failureReason()}


def _batch_dict(info) -> dict:
    return {"batchTime": info.batchTime().milliseconds(),
            "submissionTime": info.submissionTime(),
            "processingStartTime": _opt(info.processingStartTime()),
            "processingEndTime": _opt(info.processingEndTime()),
            "numRecords": info.numRecords(),
            "streamIdToInputInfo": {
                str(k): {"inputStreamId": k, "numRecords": v.numRecords(),
                         "description": v.metadataDescription()}
                for k, v in info.streamIdToInputInfo().items()},
            "outputOperationInfos": {str(k): _op_dict(v)
                                     for k, v in info.outputOperationInfos().items()}}


def _receiver_dict(info) -> dict:
    return {"streamId": info.streamId(), "name": info.name(), "active": info.active(),
            "location": info.location(), "executorId": info.executorId(),
            "lastErrorMessage": info.lastErrorMessage(), "lastError": info.lastError(),
            "lastErrorTime": info.lastErrorTime()}


class StreamingToBus(StreamingListener):
    """The SPEC's conversion of StreamingListener events into event dicts."""

    def __init__(self, ssc: StreamingContext, bus: Any):
        super().__init__()
        self.ssc, self.bus = ssc, bus

    def onStreamingStarted(self, e) -> None:
        self.bus.post({"Event": "StreamingListenerStreamingStarted", "time": e.time(),
                       "batchDuration": self.ssc._graph.batch_duration,
                       "checkpointDir": self.ssc._checkpoint_dir})

    def _batch(self, kind: str, e) -> None:
        self.bus.post({"Event": "StreamingListener" + kind, "time": _now(),
                       "batchInfo": _batch_dict(e.batchInfo())})

    def onBatchSubmitted(self, e) -> None:
        self._batch("BatchSubmitted", e)

    def onBatchStarted(self, e) -> None:
        self._batch("BatchStarted", e)

    def onBatchCompleted(self, e) -> None:
        self._batch("BatchCompleted", e)

    def onOutputOperationStarted(self, e) -> None:
        self.bus.post({"Event": "StreamingListenerOutputOperationStarted", "time": _now(),
                       "outputOperationInfo": _op_dict(e.outputOperationInfo())})

    def onOutputOperationCompleted(self, e) -> None:
        self.bus.post({"Event": "StreamingListenerOutputOperationCompleted", "time": _now(),
                       "outputOperationInfo": _op_dict(e.outputOperationInfo())})

    def _receiver(self, kind: str, e) -> None:
        self.bus.post({"Event": "StreamingListenerReceiver" + kind, "time": _now(),
                       "receiverInfo": _receiver_dict(e.receiverInfo())})

    def onReceiverStarted(self, e) -> None:
        self._receiver("Started", e)

    def onReceiverError(self, e) -> None:
        self._receiver("Error", e)

    def onReceiverStopped(self, e) -> None:
        self._receiver("Stopped", e)


class JobsToBus:
    """Job start/end with the job's local properties (a DAGScheduler listener)."""

    def __init__(self, sc: SparkContext, bus: Any):
        self.sc, self.bus = sc, bus

    def on_job_start(self, job_id, stage_id, num_tasks) -> None:
        # Called in the thread that runs the job: its local properties are the job's.
        props = {k: self.sc.getLocalProperty(k)
                 for k in ("spark.streaming.internal.batchTime",
                           "spark.streaming.internal.outputOpId")}
        self.bus.post({"Event": "SparkListenerJobStart", "time": _now(), "jobId": job_id,
                       "stageIds": [stage_id],
                       "properties": {k: v for k, v in props.items() if v is not None}})

    def on_job_end(self, job_id, succeeded) -> None:
        self.bus.post({"Event": "SparkListenerJobEnd", "time": _now(), "jobId": job_id,
                       "result": "JobSucceeded" if succeeded else "JobFailed"})

    def __getattr__(self, name):
        if name.startswith("on_"):
            return lambda *a, **k: None
        raise AttributeError(name)


class _Provider:
    def __init__(self, app_id: str, store: Any):
        self.app_id, self.store = app_id, store

    def get(self, app_id: str):
        return self.store if app_id == self.app_id else None

    def list(self):
        return [self.store]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn in a daemon thread on a free 127.0.0.1 port."""

    def __init__(self, app: Any):
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        if not wait_until(lambda: self.server.started, 15):
            raise RuntimeError("uvicorn did not start")
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


SHELL = """<!doctype html><html><head><meta charset="utf-8"><title>sparklet</title>
<link rel="stylesheet" href="/static/vendor/uPlot.min.css">
<script src="/static/vendor/uPlot.iife.min.js"></script></head>
<body><nav><a href="#/streaming">Streaming</a></nav><main id="page"></main>
<script type="module">
import {h, fmt, table} from "/static/lib.js";
const cfg = await (await fetch("/ui-config.json")).json();
let page = null, timer = null;
async function route() {
  if (page) page.unmount();
  const root = document.getElementById("page"); root.replaceChildren();
  const parts = location.hash.replace(/^#\\/?/, "").split("/").filter(Boolean);
  const mod = await import("/static/pages/streaming.js");
  const api = async p => { const r = await fetch(`/api/v1/applications/${cfg.appId}${p}`);
                           if (!r.ok) throw new Error(`${r.status} ${p}`); return r.json(); };
  const apiRoot = p => fetch(`/api/v1${p}`).then(r => r.json());
  page = mod.mount(root, {appId: cfg.appId, api, apiRoot,
                          params: parts.slice(1), navigate: x => { location.hash = x; },
                          h, fmt, table, chart: window.uPlot});
  await page.update();
}
window.addEventListener("hashchange", route);
await route();
setInterval(() => page && page.update().catch(e => console.error(e)), cfg.pollMs);
</script></body></html>"""


def fallback_app(provider: Any, app_id: str) -> Any:
    """The streaming routes, the static files and a bare shell page: the UI server's
    stand-in until sparklet.ui.server is on main."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from sparklet.ui import api_streaming

    index = STATIC / "index.html"

    def home(request):
        # The real shell (H-web's index.html and app.js) when it is there, else a bare one.
        return HTMLResponse(index.read_text() if index.exists() else SHELL)

    return Starlette(routes=[
        Route("/", home),
        Route("/ui-config.json", lambda r: JSONResponse(
            {"appId": app_id, "appName": "ui-tests", "pollMs": 100, "killEnabled": False,
             "history": False})),
        *api_streaming.routes(provider),
        Mount("/static", StaticFiles(directory=str(STATIC))),
    ])


class UIHarness:
    """A SparkContext with its UI on and a StreamingContext on a manual clock.

    ``store`` is the application's status store (``.streaming`` the StreamingStore),
    ``bus`` the application listener bus, ``url`` the UI's address."""

    def __init__(self, batch: float = 1.0, checkpoint: str | None = None,
                 master: str = "local[2]", serve: bool = True, **conf: str):
        c = (SparkConf(loadDefaults=False).setMaster(master).setAppName("ui-streaming-tests")
             .set("spark.ui.enabled", "true").set("spark.ui.port", "0")
             .set("spark.ui.liveUpdate.period", "100ms"))
        for k, v in conf.items():
            c.set(k, v)
        active = SparkContext._active_spark_context
        if active is not None:
            active.stop()
        self.sc = SparkContext(conf=c)
        self.server = None
        ui = getattr(self.sc, "_ui", None)
        self.integrated = ui is not None and getattr(self.sc, "_listener_bus", None) is not None
        if self.integrated:
            self.store = ui.store
            self.bus = self.sc._listener_bus
            self.url = self.sc.uiWebUrl
        else:
            self.bus = MiniBus()
            self.sc._listener_bus = self.bus
            self.store = SimpleNamespace(streaming=StreamingStore(dict(c.getAll())))
            self.bus.add_listener(self.store.streaming)
            self.sc._dag_scheduler.listeners.append(JobsToBus(self.sc, self.bus))
            self.url = None
            if serve:
                self.server = Server(fallback_app(_Provider(self.sc.applicationId, self.store),
                                                  self.sc.applicationId))
                self.url = self.server.url
        self.ssc = StreamingContext(self.sc, batch)
        use_manual_clock(self.ssc)
        if checkpoint is not None:
            self.ssc.checkpoint(checkpoint)
        if not self.integrated:
            self.ssc.addStreamingListener(StreamingToBus(self.ssc, self.bus))
        self.truth = RecordingListener()
        self.ssc.addStreamingListener(self.truth)

    @property
    def streaming(self) -> StreamingStore:
        return self.store.streaming

    @property
    def app_id(self) -> str:
        return self.sc.applicationId

    def settle(self) -> None:
        """Every event posted so far delivered to the store."""
        self.ssc._listener_bus.wait_until_empty(WAIT)
        assert self.bus.wait_until_empty(WAIT)

    def api(self, path: str, status: int = 200):
        import httpx

        r = httpx.get(f"{self.url}/api/v1/applications/{self.app_id}{path}", timeout=WAIT)
        assert r.status_code == status, (path, r.status_code, r.text)
        return r.json() if status == 200 else r.text

    def stop(self) -> None:
        try:
            self.ssc.stop(stopSparkContext=False)
        finally:
            if self.server is not None:
                self.server.stop()
            self.sc.stop()
            if not self.integrated:
                self.bus.stop()
