"""Helpers of the streaming UI tests: a SparkContext with its UI on (``sc._ui``: the
status store, the listener bus and the web server on a free port), a StreamingContext on
a manual clock, and a listener that records what Spark's own listener API says -- the
truth the UI is checked against.
"""

from __future__ import annotations

import time
from typing import Any

from sparklet import SparkConf, SparkContext
from sparklet.streaming import StreamingContext, StreamingListener
from sparklet.streaming.testing import use_manual_clock
from sparklet.ui.store.streaming import StreamingStore

WAIT = 30.0


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


class UIHarness:
    """A SparkContext with its UI on and a StreamingContext on a manual clock.

    ``store`` is the application's status store (``.streaming`` its StreamingStore),
    ``bus`` the application's listener bus, ``url`` the UI's address, ``truth`` what a
    StreamingListener saw."""

    def __init__(self, batch: float = 1.0, checkpoint: str | None = None,
                 master: str = "local[2]", **conf: str):
        c = (SparkConf(loadDefaults=False).setMaster(master).setAppName("ui-streaming-tests")
             .set("spark.ui.enabled", "true").set("spark.ui.port", "0")
             .set("spark.ui.refreshInterval", "100ms"))
        for k, v in conf.items():
            c.set(k, v)
        active = SparkContext._active_spark_context
        if active is not None:
            active.stop()
        self.sc = SparkContext(conf=c)
        if self.sc._ui is None or self.sc.uiWebUrl is None:
            self.sc.stop()
            raise RuntimeError("the web UI did not start (is the 'ui' extra installed?)")
        self.store = self.sc._ui.store
        self.bus = self.sc._listener_bus
        self.url = self.sc.uiWebUrl
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

    def api(self, path: str, status: int = 200) -> Any:
        import httpx

        r = httpx.get(f"{self.url}/api/v1/applications/{self.app_id}{path}", timeout=WAIT)
        assert r.status_code == status, (path, r.status_code, r.text)
        return r.json() if status == 200 else r.text

    def stop(self) -> None:
        try:
            self.ssc.stop(stopSparkContext=False)
        finally:
            self.sc.stop()
