"""The NATS receiver behind :mod:`sparklet.streaming.nats`: a JetStream durable pull consumer
(reliable) or a core NATS subscription (best effort), on the shared
:class:`~sparklet.streaming.sources.acking.AckingReceiver`.

nats-py is asyncio-only. Each session runs its own event loop on a thread of its own; the
receiving thread calls into it (``connect``, ``fetch``, ``ack``, ``close``) and waits for the
result, so the client keeps answering the server's pings while a block is being stored.

nats-py's own reconnection is off: a lost connection ends the session, and the base
reconnects with backoff, logging each attempt and reporting a ``ReceiverError`` -- the same
behaviour as every other acking receiver. The durable consumer lives in the server, so a new
session (or a new receiver after a driver restart) resumes after the last acknowledged
message; what was delivered but not acknowledged comes again after ``ack_wait`` -- or at
once, when the receiver lost a session holding it: the next session NAKs those messages.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import threading
from collections import deque
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.acking import AckingReceiver

__all__ = ["NATSReceiver", "require_nats", "durable_name", "stream_name", "DELIVER_POLICIES"]

log = logging.getLogger("sparklet.streaming.nats")

DELIVER_POLICIES = ("all", "last", "new", "last_per_subject")
_CALL_S = 10.0            # longest wait for one request to the server (connect, API, flush)
_CORE_PENDING = 1 << 17   # core NATS: messages held before new ones are dropped


def require_nats():
    """The ``nats`` module (nats-py), or an ImportError naming the extra."""
    try:
        import nats
        import nats.js.api  # noqa: F401 - the JetStream half is needed too
    except ImportError as e:
        raise ImportError("NATSUtils needs nats-py: pip install 'sparklet[nats]'") from e
    return nats


def durable_name(app: str, name: str) -> str:
    """A consumer name from the application and the stream (or subject): JetStream names
    may not hold ``.``, ``*``, ``>``, ``/``, ``\\`` or whitespace.

    >>> durable_name("My App", "orders.*")
    'sparklet-My_App-orders__'
    """
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"sparklet-{app}-{name}")


def stream_name(subject: str) -> str:
    """The name of the stream made for ``subject`` when none holds it.

    >>> stream_name("orders.>")
    'orders__'
    """
    return re.sub(r"[^A-Za-z0-9_-]", "_", subject)


class _Loop:
    """An asyncio event loop running on a daemon thread; :meth:`run` runs a coroutine on it
    from another thread and waits for its result."""

    def __init__(self, name: str):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name=name)
        self.thread.start()

    def run(self, coro, timeout: float = _CALL_S):
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"no answer from the NATS server within {timeout:.0f} s") \
                from None

    def close(self) -> None:
        async def cancel_rest():
            me = asyncio.current_task()
            rest = [t for t in asyncio.all_tasks() if t is not me]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        if self.loop.is_running():
            try:
                self.run(cancel_rest(), 5.0)
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5.0)
        if not self.loop.is_running():
            self.loop.close()


class _Session:
    """One connection: its loop, client and (JetStream) pull subscription or (core) the
    messages a subscription's callback has queued."""

    def __init__(self, loop: _Loop):
        self.loop = loop
        self.nc: Any = None
        self.psub: Any = None
        self.queue: deque = deque()
        self.arrived = threading.Event()
        self.dropped = 0
        self.unacked: dict[str, Any] = {}  # JetStream: reply subject -> message, until acked


class NATSReceiver(AckingReceiver):
    """Receives the messages of ``subject``: from JetStream through the durable pull consumer
    ``durable`` of ``stream`` (acknowledged once stored), or, with ``jetstream=False``, from
    a core NATS subscription (``durable`` then names a queue group, if given). Stores each
    message's payload (bytes), or ``(subject, payload)`` when ``paired``."""

    def __init__(self, servers: list[str], subject: str, stream: str | None,
                 durable: str, deliverPolicy: str = "all",
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                 jetstream: bool = True, create: bool = True, ackWait: float = 30.0,
                 maxAckPending: int = 20000, paired: bool = False,
                 connectOptions: dict | None = None, queueGroup: str | None = None):
        super().__init__(storageLevel)
        self.servers = list(servers)
        self.subject = subject
        self.stream = stream
        self.durable = durable
        self.deliverPolicy = deliverPolicy
        self.jetstream = jetstream
        self.create = create
        self.ackWait = float(ackWait)
        self.maxAckPending = int(maxAckPending)
        self.paired = paired
        self.connectOptions = dict(connectOptions or {})
        self.queueGroup = queueGroup
        self._orphans: list = []  # messages of a lost session, never acknowledged

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_orphans"] = []
        return state

    # -- AckingReceiver --------------------------------------------------------------------

    def describe(self) -> str:
        where = ",".join(self.servers)
        if not self.jetstream:
            return f"NATS subject {self.subject} at {where}"
        return (f"NATS JetStream consumer {self.durable} of stream "
                f"{self.stream or '(by subject)'} ({self.subject}) at {where}")

    def connect(self) -> _Session:
        nats = require_nats()
        session = _Session(_Loop(f"NATS {self.subject} loop"))
        try:
            session.loop.run(self._open(nats, session), _CALL_S + 5.0)
        except BaseException:
            self.close(session)
            raise
        if self._orphans:
            orphans, self._orphans = self._orphans, []
            try:
                session.loop.run(self._nak(session, orphans))
                log.info("Asked for %d messages of the lost session to be redelivered now",
                         len(orphans))
            except Exception as e:  # noqa: BLE001 - they still come again after ackWait
                log.info("Could not ask for the redelivery of %d messages (%s): they come "
                         "again after ackWait", len(orphans), e)
        return session

    def fetch(self, session: _Session, max_records: int, timeout: float) -> list:
        if session.nc.is_closed or not session.nc.is_connected:
            raise ConnectionError("the connection to the NATS server was closed")
        if not self.jetstream:
            return self._take(session, max_records, timeout)
        # nats-py refuses a zero timeout: a short one still picks up what is buffered.
        timeout = max(timeout, 0.02)
        msgs = session.loop.run(self._fetch(session, max_records, timeout), timeout + _CALL_S)
        for m in msgs:
            session.unacked[m.reply] = m
        if self.paired:
            return [((m.subject, m.data), m) for m in msgs]
        return [(m.data, m) for m in msgs]

    def ack(self, session: _Session, tokens: list) -> None:
        if self.jetstream and tokens:
            session.loop.run(self._ack(session, tokens))
            for m in tokens:
                session.unacked.pop(m.reply, None)

    def close(self, session: _Session) -> None:
        # What the session fetched and never acknowledged (dropped, or stored and then the
        # connection broke): the next session asks the server to redeliver it at once
        # (a NAK) instead of after ackWait.
        self._orphans.extend(session.unacked.values())
        try:
            if session.nc is not None and not session.nc.is_closed:
                session.loop.run(session.nc.close(), 5.0)
        finally:
            session.loop.close()

    # -- on the session's loop -------------------------------------------------------------

    async def _open(self, nats, session: _Session) -> None:
        async def on_error(e: Exception) -> None:
            log.debug("NATS client error (%s): %s", self.describe(), e)

        options = {"connect_timeout": 2, "name": f"sparklet {self.durable or self.subject}",
                   **self.connectOptions,
                   # Each server tried twice at most, 0.1 s apart: nats-py's defaults
                   # (60 tries, 2 s apart) would hold a first connect for two minutes.
                   "max_reconnect_attempts": 1, "reconnect_time_wait": 0.1,
                   "allow_reconnect": False, "error_cb": on_error}
        session.nc = await nats.connect(servers=self.servers, **options)
        if not self.jetstream:
            await self._subscribe_core(session)
            return
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
        from nats.js.errors import NotFoundError

        js = session.nc.jetstream()
        stream = self.stream
        try:
            if stream is None:
                stream = await js.find_stream_name_by_subject(self.subject)
            else:
                await js.stream_info(stream)
        except NotFoundError:
            what = f"stream {stream}" if stream else f"stream holds subject {self.subject}"
            if not self.create:
                raise LookupError(f"no JetStream {what} (create=False)") from None
            stream = stream or stream_name(self.subject)
            log.info("Creating JetStream stream %s for subject %s", stream, self.subject)
            await js.add_stream(name=stream, subjects=[self.subject])
        try:
            await js.consumer_info(stream, self.durable)
        except NotFoundError:
            if not self.create:
                raise LookupError(f"no consumer {self.durable} on JetStream stream "
                                  f"{stream} (create=False)") from None
            log.info("Creating the durable consumer %s of JetStream stream %s", self.durable,
                     stream)
            await js.add_consumer(stream, ConsumerConfig(
                durable_name=self.durable, ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy(self.deliverPolicy), ack_wait=self.ackWait,
                max_ack_pending=self.maxAckPending, filter_subject=self.subject))
        session.psub = await js.pull_subscribe_bind(self.durable, stream)

    async def _subscribe_core(self, session: _Session) -> None:
        queue, arrived = session.queue, session.arrived
        paired = self.paired

        async def on_message(msg) -> None:
            if len(queue) >= _CORE_PENDING:
                session.dropped += 1
                if session.dropped == 1:
                    log.warning("Dropping messages of %s: %d are waiting to be stored "
                                "(slow consumer)", self.describe(), len(queue))
                return
            queue.append((msg.subject, msg.data) if paired else msg.data)
            arrived.set()

        await session.nc.subscribe(self.subject, queue=self.queueGroup or "",
                                   cb=on_message)

    async def _fetch(self, session: _Session, n: int, timeout: float) -> list:
        from nats.errors import TimeoutError as FetchTimeout

        try:
            return await session.psub.fetch(n, timeout)
        except (TimeoutError, FetchTimeout):
            return []

    @staticmethod
    async def _ack(session: _Session, msgs: list) -> None:
        for msg in msgs:
            await msg.ack()
        await session.nc.flush(_CALL_S)  # on the wire (and the connection still up)

    @staticmethod
    async def _nak(session: _Session, msgs: list) -> None:
        # Acknowledgements are messages to the reply subject: any connection may send them.
        for msg in msgs:
            await session.nc.publish(msg.reply, b"-NAK")
        await session.nc.flush(_CALL_S)

    # -- core NATS: what the callback queued -----------------------------------------------

    @staticmethod
    def _take(session: _Session, n: int, timeout: float) -> list:
        queue = session.queue
        if not queue:
            session.arrived.clear()
            if not queue and not session.arrived.wait(timeout):
                return []
        out = []
        while queue and len(out) < n:
            out.append((queue.popleft(), None))
        return out
