"""LiveListenerBus: carries the driver's listener events to the UI and the event log.

The scheduler posts from its own threads and must never wait on a listener: ``post`` puts
the event on a bounded queue (``spark.scheduler.listenerbus.eventqueue.capacity``, 10000)
and returns; one thread delivers events to every listener in posting order. When the
queue is full the event is dropped and counted, as Spark's bus does (a UI that misses an
event shows a stale row; a scheduler that waits for the UI would slow every job). With no
listener at all, posting costs one attribute check.

Three things keep the bus off the scheduler's way, since both share one interpreter lock:
the scheduler's hooks post with :meth:`LiveListenerBus.post_lazy`, so the event dict is
built in the bus's thread, from objects that no longer change; events are delivered in
bursts, ``period`` (``spark.ui.liveUpdate.period``, 100ms) after the first of them or as
soon as a streaming batch completes (:meth:`LiveListenerBus.deliver_now`), so a short job
or batch runs before the UI's work on it rather than interleaved with it; and the bus's
thread gives up the lock after each event (left to Python's 5 ms switch interval, a burst
would hold a scheduler thread that wants the lock back for that long).

>>> bus = LiveListenerBus(capacity=10)
>>> class Printer:
...     def on_event(self, event): print(event["Event"])
>>> bus.add_listener(Printer()); bus.start()
>>> bus.post({"Event": "SparkListenerJobStart"}); bus.wait_until_empty()
SparkListenerJobStart
True
>>> bus.stop()
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

__all__ = ["LiveListenerBus"]

log = logging.getLogger("sparklet.ui")

DEFAULT_CAPACITY = 10000


class LiveListenerBus:
    def __init__(self, capacity: int = DEFAULT_CAPACITY, period: float = 0.0) -> None:
        if capacity <= 0:
            raise ValueError("spark.scheduler.listenerbus.eventqueue.capacity must be > 0, "
                             "got %d" % capacity)
        self.capacity = capacity
        self.period = period        # seconds events may wait to be delivered together
        self._waiters = 0           # threads in wait_until_empty: deliver now
        self._deliver_now = False   # deliver_now() was called: the burst is over
        self._listeners: list = []
        self._queue: deque = deque()
        self._cond = threading.Condition()
        self._busy = False          # the thread is delivering an event taken off the queue
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.active = False         # True once a listener is added: then posts are queued
        self.dropped = 0
        self._last_drop_log = 0.0

    def add_listener(self, listener) -> None:
        """Add an object with ``on_event(event: dict)``."""
        with self._cond:
            self._listeners = [*self._listeners, listener]
            self.active = True

    def remove_listener(self, listener) -> None:
        with self._cond:
            self._listeners = [x for x in self._listeners if x is not listener]
            self.active = bool(self._listeners)

    @property
    def listeners(self) -> list:
        return list(self._listeners)

    def start(self) -> None:
        with self._cond:
            if self._thread is not None or self._stopped:
                return
            self._thread = threading.Thread(target=self._run, name="spark-listener-bus",
                                            daemon=True)
            self._thread.start()

    def post(self, event: dict) -> None:
        """Queue ``event`` (dropped, and counted, when the queue is full or the bus stopped)."""
        if self.active:
            self._put(event)

    def post_lazy(self, build, *args) -> None:
        """Queue the event ``build(*args)`` returns, built in the bus's thread (None: no
        event). ``args`` must not change after the call."""
        if self.active:
            self._put((build, args))

    def _put(self, item) -> None:
        with self._cond:
            if self._stopped:
                return
            if len(self._queue) >= self.capacity:
                self.dropped += 1
                now = time.monotonic()
                if now - self._last_drop_log >= 60:
                    self._last_drop_log = now
                    log.warning("Dropped %d listener events so far: the event queue is full "
                                "(raise spark.scheduler.listenerbus.eventqueue.capacity, now "
                                "%d); the UI may show stale data", self.dropped, self.capacity)
                return
            self._queue.append(item)
            if len(self._queue) == 1:
                self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopped:
                    self._cond.wait()
                if not self._queue:  # stopped and drained
                    return
                if self.period > 0:
                    # Let the events of the next moments pile up, and deliver them at once,
                    # after (not during) the burst of scheduling that posted them.
                    self._cond.wait_for(
                        lambda: self._waiters or self._stopped or self._deliver_now,
                        self.period)
                self._deliver_now = False
                items = list(self._queue)
                self._queue.clear()
                self._busy = True
                listeners = self._listeners
            try:
                for item in items:
                    self._deliver(item, listeners)
                    time.sleep(0)  # let a thread waiting for the interpreter lock have it
            finally:
                with self._cond:
                    self._busy = False
                    if not self._queue:
                        self._cond.notify_all()

    def deliver_now(self) -> None:
        """End the wait for more events: the work that posted them is over (a streaming
        batch completed), so their delivery cannot get in its way."""
        with self._cond:
            self._deliver_now = True
            self._cond.notify_all()

    @staticmethod
    def _deliver(event, listeners) -> None:
        if type(event) is tuple:
            build, args = event
            try:
                event = build(*args)
            except Exception:  # noqa: BLE001 - one unbuildable event, not the bus
                log.exception("Could not build the listener event %s", build.__name__)
                return
            if event is None:
                return
        for listener in listeners:
            try:
                listener.on_event(event)
            except Exception:  # a broken listener must not stop the others
                log.exception("Listener %r failed on %s", listener, event.get("Event"))

    def wait_until_empty(self, timeout: float = 10.0) -> bool:
        """Block until every event posted so far was delivered (at once, not after the
        delivery period); False on timeout."""
        with self._cond:
            if self._thread is None:
                return not self._queue
            self._waiters += 1
            self._cond.notify_all()
            try:
                return self._cond.wait_for(lambda: not self._queue and not self._busy,
                                           timeout)
            finally:
                self._waiters -= 1

    def stop(self, timeout: float = 10.0) -> None:
        """Deliver what is queued (for at most ``timeout`` s), then stop."""
        self.wait_until_empty(timeout)
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
