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


# -- stand-ins until the status store and the web server are on main ---------------------


def _full_ui_available() -> bool:
    """Whether the AppStatusStore (H-store) and the UI server (H-web) are installed."""
    try:
        from sparklet.ui.server import UIServer  # noqa: F401
        from sparklet.ui.store import AppStatusStore  # noqa: F401
    except ImportError:
        return False
    return True


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
    ``bus`` the application's listener bus, ``url`` the UI's address. Without the status
    store and the web server on this branch yet, the real bus and hooks feed a bare
    StreamingStore served by :func:`fallback_app`."""

    def __init__(self, batch: float = 1.0, checkpoint: str | None = None,
                 master: str = "local[2]", **conf: str):
        self.integrated = _full_ui_available()
        c = (SparkConf(loadDefaults=False).setMaster(master).setAppName("ui-streaming-tests")
             .set("spark.ui.enabled", "true" if self.integrated else "false")
             .set("spark.ui.port", "0").set("spark.ui.refreshInterval", "100ms"))
        for k, v in conf.items():
            c.set(k, v)
        active = SparkContext._active_spark_context
        if active is not None:
            active.stop()
        self.sc = SparkContext(conf=c)
        self.server = None
        self.bus = self.sc._listener_bus
        if self.integrated:
            self.store = self.sc._ui.store
            self.url = self.sc.uiWebUrl
        else:
            from sparklet.ui.hooks import SchedulerEvents

            self.store = SimpleNamespace(streaming=StreamingStore(dict(c.getAll())))
            self.bus.add_listener(self.store.streaming)
            self.bus.start()
            poster = SchedulerEvents(self.sc, self.bus)
            self.sc._dag_scheduler.ui_events = poster
            self.sc._task_scheduler.ui_events = poster
            self.server = Server(fallback_app(_Provider(self.sc.applicationId, self.store),
                                              self.sc.applicationId))
            self.url = self.server.url
        self.ssc = StreamingContext(self.sc, batch)
        use_manual_clock(self.ssc)
        if checkpoint is not None:
            self.ssc.checkpoint(checkpoint)
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
