"""Helpers for the receiver tests: a stand-in streaming context and a polling wait.

The receiver tracker needs only a few things from a StreamingContext (its SparkContext, a
listener bus, addStreamingListener, the batch interval), so these tests drive the tracker
directly and do not depend on the streaming core.
"""

from __future__ import annotations

import threading
import time

from sparklet import SparkConf
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.receiver.tracker import ReceiverTracker


class ListenerBus:
    """Collects posted events; ``kinds()`` names them (ReceiverStarted, ReceiverError...)."""

    def __init__(self):
        self.events: list = []
        self._lock = threading.Lock()

    def post(self, event) -> None:
        with self._lock:
            self.events.append(event)

    def kinds(self) -> list[str]:
        with self._lock:
            return [type(e).__name__.replace("StreamingListener", "") for e in self.events]

    def of(self, kind: str) -> list:
        with self._lock:
            return [e for e in self.events
                    if type(e).__name__ == "StreamingListener" + kind]


class FakeStreamingContext:
    def __init__(self, sc, batch_seconds: float = 0.2):
        self.sparkContext = sc
        self._batchDuration = batch_seconds
        self._listener_bus = ListenerBus()
        self.listeners: list = []

    def addStreamingListener(self, listener) -> None:
        self.listeners.append(listener)


def receiver_conf(master: str = "local[2]", **extra) -> SparkConf:
    """Fast settings: blocks every 50 ms, restarts after 100 ms."""
    conf = (SparkConf(loadDefaults=False).setMaster(master).setAppName("receiver-tests")
            .set("spark.streaming.blockInterval", "50ms")
            .set("spark.streaming.receiverRestartDelay", "100"))
    for key, value in extra.items():
        conf.set(key, value)
    return conf


def attr(obj, name: str):
    """An event field, whether an attribute or (PySpark style) a method."""
    value = getattr(obj, name)
    return value() if callable(value) else value


def info_of(event):
    """The ReceiverInfo of a receiver event, with its fields as plain attributes."""
    from types import SimpleNamespace

    info = attr(event, "receiverInfo")
    names = ("streamId", "name", "active", "location", "executorId", "lastErrorMessage",
             "lastError", "lastErrorTime")
    return SimpleNamespace(**{n: attr(info, n) for n in names})


WAIT = 60.0  # seconds a condition may take to come true on a loaded machine


def wait_until(predicate, timeout: float = WAIT, interval: float = 0.01) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout`` passes (False): tests wait
    for conditions, never for a fixed time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def start_tracker(sc, receivers: dict, batch_seconds: float = 0.2):
    """A started tracker for ``{stream_id: receiver}``, and its fake streaming context."""
    ssc = FakeStreamingContext(sc, batch_seconds)
    tracker = ReceiverTracker(ssc)
    for sid, receiver in receivers.items():
        tracker.register(sid, receiver)
    tracker.start()
    return tracker, ssc


def drain(tracker, stream_id: int, batch_time: int) -> list:
    """Allocate everything received so far to ``batch_time`` and collect it."""
    tracker.allocate_blocks_to_batch(batch_time)
    return tracker.blocks_rdd(stream_id, batch_time).collect()


class Counter(Receiver):
    """Stores 0, 1, 2, ... until stopped (paced so it does not hog the shared CPUs)."""

    def __init__(self, per_ms: int = 5):
        super().__init__()
        self.per_ms = per_ms

    def onStart(self):
        threading.Thread(target=self._run, daemon=True).start()

    def onStop(self):
        pass

    def _run(self):
        n = 0
        while not self.isStopped():
            for _ in range(self.per_ms):
                try:
                    self.store(n)
                except RuntimeError:  # stopped between the check and the store
                    return
                n += 1
            time.sleep(0.001)


def logged_blocks(directory: str) -> list[tuple[str, tuple, bytes]]:
    """The blocks a stream's driver-side write-ahead log holds, read straight from its
    segments: ``(path, (segment, offset, length), data)`` of the record that has the bytes.
    On the local backend that is the driver's own record; on a cluster backend the driver
    logs a ``block_ref`` and the bytes are in the receiver's executor's log, read from there.
    """
    import os

    from sparklet.streaming.recovery.wal import WriteAheadLog, segment_names

    wal, out = WriteAheadLog(directory), []
    for seg in segment_names(directory):
        for ref, _, body in wal.scan(seg):
            if body[0] == "block":
                out.append((os.path.join(directory, seg), tuple(ref), body[3]))
            elif body[0] == "block_ref":
                where, *data_ref = body[4]
                _, _, _, data = WriteAheadLog(where).read(data_ref)
                out.append((os.path.join(where, data_ref[0]), tuple(data_ref), data))
    return out


def logged_numbers(directory: str) -> list[int]:
    """Every number in the blocks of a stream's log (see :func:`logged_blocks`)."""
    import pickle

    return sorted(x for _, _, data in logged_blocks(directory) for x in pickle.loads(data))
