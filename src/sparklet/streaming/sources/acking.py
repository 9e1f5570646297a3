"""The reliable receiver of a source that takes acknowledgements: RabbitMQ, NATS JetStream,
Redis Streams, MQTT at QoS 1.

A subclass says how to talk to its source -- :meth:`AckingReceiver.connect`,
:meth:`~AckingReceiver.fetch`, :meth:`~AckingReceiver.ack`, :meth:`~AckingReceiver.close`
-- and this base runs the rest, the same way for every broker:

* **Reliable, with the write-ahead log** (``spark.streaming.receiver.writeAheadLog.enable``):
  fetched records are held with their acknowledgement tokens and stored as one block per
  ``spark.streaming.blockInterval`` with the blocking ``store(list)``, which returns once the
  driver has the block in its log; only then are the block's records acknowledged. A crash
  of the receiver or the driver loses nothing the source did not get an acknowledgement
  for, and the source redelivers everything else. A crash between a store and its
  acknowledgement redelivers that block (at least once, as Spark's reliable receivers):
  write to an idempotent sink for exactly-once output.
* **Without the log**: records are handed to the block generator and acknowledged at once,
  as Spark's plain receivers (a driver crash may lose the last blocks).
* **A source down** at start or mid-stream: the receiving thread logs each failed attempt and
  reconnects with backoff (:mod:`~sparklet.streaming.sources.backoff`); what it held but had
  not stored is dropped, and the source redelivers it, unacknowledged, after the reconnect.
  A block the driver could not store restarts the receiver (``restart``), acknowledging
  nothing.
* **Rate limits and backpressure** apply through ``store``: at most a block interval's
  worth of records at the current rate is fetched at once.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.sources.backoff import Backoff, connect_with_backoff

__all__ = ["AckingReceiver"]

log = logging.getLogger("sparklet.streaming.sources")

_MAX_PER_BLOCK = 20000  # records per reliable block, whatever the block interval
_POLL_S = 0.1           # longest fetch wait: how soon a stop is noticed
_JOIN_S = 30.0          # how long onStop waits for the receiving thread


class _StoreFailed(Exception):
    """The driver did not store a block: nothing of it may be acknowledged."""


class AckingReceiver(Receiver):
    """Base of receivers whose source redelivers what is not acknowledged (see the module
    documentation). Subclasses implement :meth:`describe`, :meth:`connect`, :meth:`fetch`,
    :meth:`ack` and :meth:`close`; all four run on the receiving thread, which owns the
    session."""

    #: the most records fetched at once
    max_per_fetch = 1000
    #: reconnection delays (s): first and longest
    backoff_initial, backoff_max = 0.1, 5.0

    def __init__(self, storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2):
        super().__init__(storageLevel)
        self._run: _Run | None = None

    # -- to implement ----------------------------------------------------------------------

    def describe(self) -> str:
        """The source in words, for logs: ``"RabbitMQ queue q at amqp://127.0.0.1:5672"``."""
        raise NotImplementedError

    def connect(self) -> Any:
        """Open a session (connection, subscription...). Raise to have it retried."""
        raise NotImplementedError

    def fetch(self, session: Any, max_records: int, timeout: float) -> list[tuple[Any, Any]]:
        """Up to ``max_records`` ``(record, ack_token)`` pairs, waiting at most ``timeout``
        seconds for the first. Raise when the session is lost (it is reconnected)."""
        raise NotImplementedError

    def ack(self, session: Any, tokens: list) -> None:
        """Acknowledge the records of ``tokens`` (in fetch order). Raise when the session is
        lost: the source then redelivers them."""
        raise NotImplementedError

    def close(self, session: Any) -> None:
        """Release the session (best effort; errors are logged)."""

    # -- the Receiver API ------------------------------------------------------------------

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_run"] = None
        return state

    def onStart(self) -> None:
        run = _Run(self, self._sup().reliable)
        self._run = run
        run.thread.start()

    def onStop(self) -> None:
        run, self._run = self._run, None
        if run is not None:
            run.stop()

    def _pacing(self) -> tuple[float, int]:
        """The block interval (s) and the most records to hold: under a rate limit ``store``
        waits n / rate s, so a block interval's worth keeps a stop near."""
        sup = self._sup()
        interval, rate = sup.settings.get("blockInterval", 0.2), sup.limiter.rate
        return interval, _MAX_PER_BLOCK if rate <= 0 else max(1, int(rate * interval))


class _Run:
    """One start of an :class:`AckingReceiver`: its receiving thread and what it holds."""

    def __init__(self, receiver: AckingReceiver, reliable: bool):
        self.receiver = receiver
        self.reliable = reliable
        self.what = receiver.describe()
        self.stopping = threading.Event()
        self.backoff = Backoff(receiver.backoff_initial, receiver.backoff_max, jitter=0.2)
        self.records: list = []   # reliable: fetched, not yet stored
        self.tokens: list = []
        self.since = 0.0
        self.thread = threading.Thread(target=self._loop, daemon=True,
                                       name=f"{type(receiver).__name__} receiving")

    def stop(self) -> None:
        self.stopping.set()
        if threading.current_thread() is not self.thread:
            self.thread.join(_JOIN_S)
            if self.thread.is_alive():
                log.warning("The receiving thread of %s did not end within %d s", self.what,
                            _JOIN_S)

    def _loop(self) -> None:
        receiver = self.receiver
        while not self.stopping.is_set():
            session = connect_with_backoff(receiver, self.what, receiver.connect,
                                           self.stopping, log, self.backoff)
            if session is None:
                return
            log.info("Receiving from %s", self.what)
            try:
                self._consume(session)
            except _StoreFailed as e:
                if not receiver.isStopped():
                    receiver.restart(f"Could not store a block from {self.what}",
                                     e.__cause__ or e)
                return
            except Exception as e:  # noqa: BLE001 - the session is lost: reconnect
                self._drop_held()
                delay = self.backoff.next_delay()
                log.warning("Lost the connection to %s: %s; reconnecting in %.1f s",
                            self.what, e, delay)
                if not receiver.isStopped():
                    receiver.reportError(f"Lost the connection to {self.what} "
                                         f"(reconnecting): {e}", e)
                self.stopping.wait(delay)
            finally:
                try:
                    receiver.close(session)
                except Exception:  # noqa: BLE001 - closing is best effort
                    log.warning("Error closing the session to %s", self.what, exc_info=True)
        log.info("Stopped receiving from %s", self.what)

    def _drop_held(self) -> None:
        if self.records:
            log.info("Dropping %d records not yet stored from %s: the source redelivers "
                     "them", len(self.records), self.what)
        self.records, self.tokens = [], []

    def _consume(self, session: Any) -> None:
        receiver = self.receiver
        while not self.stopping.is_set():
            interval, most = receiver._pacing()
            got = receiver.fetch(session, max(1, min(receiver.max_per_fetch,
                                                     most - len(self.records))),
                                 self._wait(interval))
            if got:
                self.backoff.reset()
                records = [r for r, _ in got]
                tokens = [t for _, t in got]
                if not self.reliable:
                    receiver._store_singles(records)  # rate-limited, cut by the block interval
                    receiver.ack(session, tokens)
                    continue
                if not self.records:
                    self.since = time.monotonic()
                self.records.extend(records)
                self.tokens.extend(tokens)
            if self.records and (len(self.records) >= most
                                 or time.monotonic() >= self.since + interval):
                self._flush(session)
        if self.reliable:
            self._flush(session)  # the last block: stored, then acknowledged

    def _wait(self, interval: float) -> float:
        if not self.records:
            return _POLL_S
        return max(0.0, min(_POLL_S, self.since + interval - time.monotonic()))

    def _flush(self, session: Any) -> None:
        if not self.records:
            return
        records, tokens = self.records, self.tokens
        try:
            self.receiver.store(records)  # durable in the driver's log once it returns
        except Exception as e:
            self.records, self.tokens = [], []
            raise _StoreFailed(str(e)) from e
        self.records, self.tokens = [], []
        self.receiver.ack(session, tokens)
