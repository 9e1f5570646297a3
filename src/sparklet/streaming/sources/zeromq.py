"""The ZeroMQ receiver behind :mod:`sparklet.streaming.zeromq`: a SUB socket (pyzmq)
connected to a PUB socket, storing each message as its list of frames (``bytes``).

PUB/SUB has no acknowledgement, so this is a plain (unreliable) receiver, as Spark's and
Bahir's were; the write-ahead log keeps what was received, but cannot make the publisher
send again what the receiver never got:

* **Slow joiner**: a subscription reaches the publisher some time after ``connect``;
  messages published before that are never delivered to this subscriber.
* **High-water marks**: a publisher drops messages for a subscriber whose queue is full
  (its ``SNDHWM``, 1000 by default), and the subscriber's own queue (``RCVHWM``, set by
  ``rcvHwm``) bounds what waits for the receiving thread: under a rate limit the excess is
  dropped, silently, at the source.
* **Reconnects**: ZeroMQ reconnects by itself (every ``ZMQ_RECONNECT_IVL``, 100 ms) when
  the publisher goes away and comes back on the same address; what it published meanwhile
  is lost.
"""

from __future__ import annotations

import logging
import threading

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.receiver import Receiver

__all__ = ["ZeroMQReceiver", "require_zmq"]

log = logging.getLogger("sparklet.streaming.zeromq")

_POLL_MS = 100      # longest wait for a message: how soon a stop is noticed
_MAX_BATCH = 1000   # messages stored in one step


def require_zmq():
    """The ``zmq`` module (pyzmq), or an ImportError naming the extra."""
    try:
        import zmq
    except ImportError as e:
        raise ImportError("ZeroMQUtils needs pyzmq: pip install 'sparklet[zeromq]'") from e
    return zmq


class ZeroMQReceiver(Receiver):
    """Subscribes to the prefixes ``subscribe`` (bytes; ``b""`` for everything) of the
    publisher at ``publisherUrl`` and stores each message as a list of frames."""

    def __init__(self, publisherUrl: str, subscribe: list[bytes],
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                 rcvHwm: int = 1000):
        super().__init__(storageLevel)
        self.publisherUrl = publisherUrl
        self.subscribe = list(subscribe)
        self.rcvHwm = rcvHwm
        self._thread: threading.Thread | None = None
        self._stopping: threading.Event | None = None

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_thread"] = state["_stopping"] = None
        return state

    def onStart(self) -> None:
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._receive, args=(self._stopping,),
                                        daemon=True, name="ZeroMQReceiver receiving")
        self._thread.start()

    def onStop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(30)

    def _receive(self, stopping: threading.Event) -> None:
        zmq = require_zmq()
        context = zmq.Context()
        sock = context.socket(zmq.SUB)
        try:
            sock.setsockopt(zmq.RCVHWM, self.rcvHwm)
            sock.setsockopt(zmq.LINGER, 0)
            for prefix in self.subscribe:
                sock.setsockopt(zmq.SUBSCRIBE, prefix)
            # connect never fails for a publisher that is not up yet: ZeroMQ keeps trying.
            sock.connect(self.publisherUrl)
            log.info("Subscribed to %s at %s", self.subscribe, self.publisherUrl)
            poller = zmq.Poller()
            poller.register(sock, zmq.POLLIN)
            while not stopping.is_set() and not self.isStopped():
                if not poller.poll(_POLL_MS):
                    continue
                batch = []
                while len(batch) < _MAX_BATCH:
                    try:
                        batch.append(sock.recv_multipart(zmq.NOBLOCK))
                    except zmq.Again:
                        break
                if batch:
                    self._store_singles(batch)  # rate-limited, cut by the block interval
        except Exception as e:  # noqa: BLE001 - a real failure: restart the receiver
            if not stopping.is_set() and not self.isStopped():
                self.restart(f"Error receiving from ZeroMQ {self.publisherUrl}", e)
        finally:
            sock.close(0)
            context.term()
        log.info("Stopped receiving from ZeroMQ %s", self.publisherUrl)
