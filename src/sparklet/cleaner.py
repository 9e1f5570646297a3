"""ContextCleaner: removes shuffles, cached RDDs, broadcasts and checkpoints nothing can reach.

Spark's model, in Python terms. The driver holds a weak reference to every object whose
data lives outside the driver's heap -- a persisted RDD (its cached blocks), a
ShuffleDependency (its map outputs: the tracker's entries and a file per map task on
every executor), a Broadcast (its file and every worker's loaded copy), a reliably
checkpointed RDD (its checkpoint directory, only with
``spark.cleaner.referenceTracking.cleanCheckpoints``). When the last strong reference
goes -- a streaming batch's RDD forgotten after its remember duration, a user's RDD going
out of scope -- the weak reference's callback only queues the object's id: it may run
inside any code path, holding any lock, on any thread (even the job generator's). The
cleaning thread takes ids off the queue and does the work, so nobody who drops a
reference ever waits for a worker.

Settings (Spark's keys):

- ``spark.cleaner.referenceTracking`` (default true): whether to clean at all.
- ``spark.cleaner.referenceTracking.blocking`` (default true) and
  ``spark.cleaner.referenceTracking.blocking.shuffle`` (default false): whether the
  cleaning thread waits until the removals were handed to every executor before taking the
  next id. Either way no other thread waits, and an executor applies removals in the order
  they were sent, before any task launched after them.
- ``spark.cleaner.referenceTracking.cleanCheckpoints`` (default false): also delete the
  checkpoint files of reliably checkpointed RDDs that went out of scope.
- ``spark.cleaner.periodicGC.interval`` (default 30min): run a full garbage collection this
  often, so lineages caught in reference cycles are found even on a quiet heap.
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
import weakref
from typing import Any

__all__ = ["ContextCleaner", "CleanerListener"]

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.1


class CleanerListener:
    """Told after each cleanup, on the cleaning thread (Spark's CleanerListener; for tests
    and diagnostics). Override what you need."""

    def rddCleaned(self, rddId: int) -> None: ...

    def shuffleCleaned(self, shuffleId: int) -> None: ...

    def broadcastCleaned(self, broadcastId: int) -> None: ...

    def checkpointCleaned(self, rddId: int) -> None: ...


class ContextCleaner:
    """Asynchronous cleanup of driver-unreachable RDD, shuffle and broadcast state."""

    def __init__(self, sc):
        # Weak: the cleaner must not keep its context alive, nor run after it stopped.
        self._sc_ref = weakref.ref(sc)
        conf = sc._conf
        self.blocking = conf.get("spark.cleaner.referenceTracking.blocking",
                                 "true").lower() == "true"
        self.blocking_shuffle = conf.get("spark.cleaner.referenceTracking.blocking.shuffle",
                                         "false").lower() == "true"
        self.clean_checkpoints = conf.get(
            "spark.cleaner.referenceTracking.cleanCheckpoints", "false").lower() == "true"
        self.periodic_gc_seconds = conf.getTimeAsSeconds("spark.cleaner.periodicGC.interval",
                                                         "30min")
        # SimpleQueue.put is safe to call from a weakref callback or a __del__ that runs
        # while the same thread is inside another put or get.
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._registered_rdds: dict[int, weakref.finalize] = {}
        self._registered_lock = threading.Lock()
        self._listeners: list[CleanerListener] = []
        self._stopped = threading.Event()
        self._idle = threading.Condition()
        self._in_flight = 0
        self._thread = threading.Thread(target=self._keep_cleaning, daemon=True,
                                        name="Spark Context Cleaner")

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop cleaning; whatever the context's stop removes anyway is left to it."""
        self._stopped.set()
        self._queue.put(None)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def attachListener(self, listener: CleanerListener) -> None:
        self._listeners.append(listener)

    # -- registration (called by SparkContext and RDD.persist) -----------------------------

    def _register(self, obj: Any, task: tuple) -> None:
        if self._stopped.is_set():
            return
        # The finalizer lives in weakref's own registry until ``obj`` dies; at interpreter
        # exit it does not run (the context's stop removes everything anyway).
        weakref.finalize(obj, self._enqueue, task).atexit = False

    def register_rdd_for_cleanup(self, rdd) -> None:
        """Unpersist ``rdd``'s blocks when it becomes unreachable (once per RDD)."""
        if self._stopped.is_set():
            return
        with self._registered_lock:
            if rdd.id() in self._registered_rdds:
                return
            finalizer = weakref.finalize(rdd, self._enqueue, ("rdd", rdd.id()))
            finalizer.atexit = False
            self._registered_rdds[rdd.id()] = finalizer

    def rdd_unpersisted(self, rdd_id: int) -> None:
        """``rdd_id`` was unpersisted explicitly: its blocks are gone, forget it."""
        with self._registered_lock:
            finalizer = self._registered_rdds.pop(rdd_id, None)
        if finalizer is not None:
            finalizer.detach()

    def register_shuffle_for_cleanup(self, dep) -> None:
        self._register(dep, ("shuffle", dep.shuffle_id))

    def register_broadcast_for_cleanup(self, broadcast) -> None:
        self._register(broadcast, ("broadcast", broadcast._bid, broadcast._path))

    def register_checkpoint_for_cleanup(self, rdd, path: str) -> None:
        if self.clean_checkpoints:
            self._register(rdd, ("checkpoint", rdd.id(), path))

    def _enqueue(self, task: tuple) -> None:
        if self._stopped.is_set():
            return
        with self._idle:
            self._in_flight += 1
        self._queue.put(task)

    # -- the cleaning thread ---------------------------------------------------------------

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until every cleanup queued so far was done (or ``timeout`` passed)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def _keep_cleaning(self) -> None:
        next_gc = time.monotonic() + self.periodic_gc_seconds
        while not self._stopped.is_set():
            try:
                task = self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                task = None
            if time.monotonic() >= next_gc:
                gc.collect()  # finds lineages held only by reference cycles
                next_gc = time.monotonic() + self.periodic_gc_seconds
            if task is None:
                continue
            try:
                if not self._stopped.is_set():
                    self._clean(task)
            except Exception:  # noqa: BLE001 - one failed cleanup must not stop the rest
                log.exception("Error cleaning %s %s", task[0], task[1])
            finally:
                with self._idle:
                    self._in_flight -= 1
                    self._idle.notify_all()

    def _clean(self, task: tuple) -> None:
        sc = self._sc_ref()
        if sc is None or sc._stopped:
            return
        kind, ident = task[0], task[1]
        if kind == "rdd":
            sc._unpersist_rdd(ident)
            self._wait_delivered(sc, self.blocking)
            log.debug("Cleaned RDD %d", ident)
            for listener in self._listeners:
                listener.rddCleaned(ident)
        elif kind == "shuffle":
            sc._cleanup_shuffle(ident)
            self._wait_delivered(sc, self.blocking_shuffle)
            log.debug("Cleaned shuffle %d", ident)
            for listener in self._listeners:
                listener.shuffleCleaned(ident)
        elif kind == "broadcast":
            sc._remove_broadcast(ident, task[2])
            self._wait_delivered(sc, self.blocking)
            log.debug("Cleaned broadcast %d", ident)
            for listener in self._listeners:
                listener.broadcastCleaned(ident)
        elif kind == "checkpoint":
            sc._remove_checkpoint_files(task[2])
            log.debug("Cleaned checkpoint of RDD %d", ident)
            for listener in self._listeners:
                listener.checkpointCleaned(ident)

    def _wait_delivered(self, sc, blocking: bool) -> None:
        # In short waits, so a stopping context is not held up by a wedged worker.
        deadline = time.monotonic() + 60.0
        while blocking and not self._stopped.is_set() and time.monotonic() < deadline:
            if sc._backend.wait_control_delivered(timeout=0.5):
                return
