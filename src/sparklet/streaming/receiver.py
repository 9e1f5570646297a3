"""Custom receivers: the user-facing :class:`Receiver` API, and what runs it on an executor.

A receiver is started on an executor as a long-running task (see
:mod:`sparklet.streaming.receiver_tracker`). There a :class:`ReceiverSupervisor` connects
back to the driver, calls the receiver's ``onStart``, cuts what it ``store()``s into blocks
every ``spark.streaming.blockInterval`` (200 ms by default) and pushes each block to the
driver. Each batch's RDD then has one partition per block received during that batch.

A custom receiver, end to end (``ssc.receiverStream(receiver)`` is the stream of what it
stores)::

    import threading
    from sparklet.streaming.receiver import Receiver

    class CountingReceiver(Receiver):
        '''Stores 0, 1, 2, ... up to ``limit``, one record at a time.'''

        def __init__(self, limit):
            super().__init__()
            self.limit = limit

        def onStart(self):
            # onStart must not block: receive on a thread of your own.
            threading.Thread(target=self._receive, daemon=True).start()

        def onStop(self):
            pass  # the thread checks isStopped() and ends by itself

        def _receive(self):
            n = 0
            while not self.isStopped() and n < self.limit:
                self.store(n)
                n += 1

    numbers = ssc.receiverStream(CountingReceiver(1000))
    numbers.count().pprint()

``store(x)`` stores one record; ``store(list_or_iterator)`` stores many at once, as one
block. With the write-ahead log on (``spark.streaming.receiver.writeAheadLog.enable``),
``store(list_or_iterator)`` returns only once the driver has made the block durable, so a
*reliable* receiver -- one that acknowledges its source after ``store`` returns -- loses
nothing to a driver crash; if the block could not be stored, ``store`` raises instead.
``restart(message)`` stops the receiver (``onStop``) and starts it again after
``spark.streaming.receiverRestartDelay`` ms (2000 by default); ``reportError`` tells the
driver (a ``ReceiverError`` listener event) without stopping; ``stop(message)`` stops it for
good. ``examples/streaming/custom_receiver.py`` is a runnable program.
"""

from __future__ import annotations

import itertools
import logging
import pickle
import socket
import struct
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from sparklet import serializers
from sparklet.storagelevel import StorageLevel
from sparklet.streaming.rate import RateLimiter

__all__ = ["Receiver", "ReceiverSupervisor", "BlockGenerator", "send_frame", "recv_frame"]

log = logging.getLogger(__name__)

_LEN = struct.Struct("<I")

# Receiver states, as Spark's ReceiverState.
INITIALIZED, STARTED, STOPPED = "Initialized", "Started", "Stopped"


def send_frame(sock: socket.socket, message: tuple) -> None:
    """One length-prefixed pickled message (the driver <-> receiver channel's framing)."""
    data = pickle.dumps(message, serializers.PROTOCOL)
    sock.sendall(_LEN.pack(len(data)) + data)


def close_socket(sock: socket.socket) -> None:
    """Shut a connection down both ways (waking a reader blocked on it), then close it."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def recv_exactly(sock: socket.socket, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket) -> tuple | None:
    """The next message, or None when the peer closed the connection (or it broke)."""
    try:
        head = recv_exactly(sock, _LEN.size)
        if head is None:
            return None
        body = recv_exactly(sock, _LEN.unpack(head)[0])
    except OSError:
        return None
    return None if body is None else pickle.loads(body)


def _error_text(error: BaseException | None) -> str:
    if error is None:
        return ""
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


def _is_many(data: Any) -> bool:
    """Whether ``store(data)`` means many records: lists and iterators (not str, bytes,
    tuples or dicts, which are single records, as a Scala ``store(T)`` would take them)."""
    return isinstance(data, (list, Iterator)) or (
        hasattr(data, "__next__") and hasattr(data, "__iter__"))


class Receiver:
    """Abstract class of a receiver that runs on an executor and receives external data.

    Implement ``onStart`` (start receiving on threads of your own; must not block) and
    ``onStop`` (release what ``onStart`` set up). While started, call ``store`` with each
    record (or a list/iterator of records, stored together as one block). See the module
    documentation for a complete receiver.

    >>> class Numbers(Receiver):
    ...     def onStart(self): pass
    ...     def onStop(self): pass
    >>> r = Numbers()
    >>> r.storageLevel
    StorageLevel(True, True, False, False, 2)
    >>> r.isStarted(), r.isStopped()
    (False, False)
    """

    # Class-level defaults, so a subclass that forgets super().__init__() still works.
    _storage_level: StorageLevel = StorageLevel.MEMORY_AND_DISK_2
    _stream_id: int = -1
    _supervisor: ReceiverSupervisor | None = None

    def __init__(self, storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2):
        self._storage_level = storageLevel
        self._stream_id = -1
        self._supervisor = None

    # -- to implement ----------------------------------------------------------------------

    def onStart(self) -> None:
        """Called when the receiver starts: set up threads, connections... Must not block."""
        raise NotImplementedError

    def onStop(self) -> None:
        """Called when the receiver stops: release everything ``onStart`` set up."""
        raise NotImplementedError

    def preferredLocation(self) -> str | None:
        """Where the receiver would like to run (a host); sparklet does not use it yet."""
        return None

    # -- properties ------------------------------------------------------------------------

    @property
    def storageLevel(self) -> StorageLevel:
        """How the driver keeps received blocks: memory, spilled to disk, or both."""
        return self._storage_level

    @property
    def streamId(self) -> int:
        """The id of the input stream this receiver feeds (-1 until registered)."""
        return self._stream_id

    def _set_stream_id(self, stream_id: int) -> None:
        self._stream_id = stream_id

    # -- for the receiver's own code -------------------------------------------------------

    def _sup(self) -> ReceiverSupervisor:
        if self._supervisor is None:
            raise RuntimeError(f"Receiver {type(self).__name__} has not been started: "
                               "store(), restart() and stop() work only while it runs on "
                               "an executor")
        return self._supervisor

    def store(self, data: Any, metadata: Any = None) -> None:
        """Store received data: one record, or a list/iterator of records as one block.

        Single records are gathered into blocks every ``spark.streaming.blockInterval``;
        both forms wait here when ``spark.streaming.receiver.maxRate`` (or backpressure)
        limits the rate. ``metadata`` is accepted for Spark compatibility and ignored.
        """
        sup = self._sup()
        if _is_many(data):
            sup.push_many(list(data))
        else:
            sup.push_single(data)

    def reportError(self, message: str, error: BaseException | None = None) -> None:
        """Report an error to the driver (a ``ReceiverError`` event); keeps receiving."""
        self._sup().report_error(message, error)

    def restart(self, message: str, error: BaseException | None = None,
                millisecond: int | None = None) -> None:
        """Restart the receiver: ``onStop`` now, ``onStart`` after a delay
        (``millisecond``, else ``spark.streaming.receiverRestartDelay``). Returns at once;
        the restart happens on another thread."""
        self._sup().restart_receiver(message, error, millisecond)

    def stop(self, message: str, error: BaseException | None = None) -> None:
        """Stop the receiver completely (it is not restarted)."""
        self._sup().stop(message, error)

    def isStarted(self) -> bool:
        """Whether the receiver has started (and not stopped)."""
        sup = self._supervisor
        return sup is not None and sup.receiver_state == STARTED

    def isStopped(self) -> bool:
        """Whether the receiver is stopped: receiving threads should check it and end."""
        sup = self._supervisor
        return sup is not None and sup.receiver_state == STOPPED

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_supervisor", None)  # executor-side machinery never travels
        return state


class BlockGenerator:
    """Gathers single records into blocks, cut every ``interval`` seconds, and pushes each
    non-empty block with ``push(records)``. Records arriving after ``stop()`` are refused."""

    def __init__(self, interval: float, push: Callable[[list], None], limiter: RateLimiter):
        self.interval = interval
        self._push = push
        self.limiter = limiter
        self._lock = threading.Lock()
        self._buffer: list = []
        self._state = INITIALIZED
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name="sparklet-block-generator")

    def start(self) -> None:
        self._state = STARTED
        self._thread.start()

    def add(self, record: Any) -> None:
        self.limiter.acquire(1)
        with self._lock:
            if self._state != STARTED:
                raise RuntimeError("Cannot add data as BlockGenerator has not been started or "
                                   "has been stopped")
            self._buffer.append(record)

    def add_many(self, records: list) -> None:
        """Push ``records`` as one block now; ``push(records, True)`` may wait until the
        block is acknowledged (see ``ReceiverSupervisor``)."""
        self.limiter.acquire(len(records))
        if self._state != STARTED:
            raise RuntimeError("Cannot add data as BlockGenerator has not been started or "
                               "has been stopped")
        if records:
            self._push(records, True)

    def _cut(self) -> None:
        with self._lock:
            block, self._buffer = self._buffer, []
        if block:
            self._push(block)

    def _loop(self) -> None:
        next_cut = time.monotonic() + self.interval
        while not self._stopping.wait(max(0.0, next_cut - time.monotonic())):
            self._cut()
            next_cut += self.interval
            now = time.monotonic()
            if next_cut < now:  # fell behind (a slow push): do not cut a burst of tiny blocks
                next_cut = now + self.interval

    def stop(self) -> None:
        """Refuse new records, then push what is buffered (the last block)."""
        with self._lock:
            self._state = STOPPED
        self._stopping.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()
        self._cut()


class _Ack:
    """A block waiting for the driver's word: acknowledged (durable) or refused."""

    __slots__ = ("event", "error")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.error: str | None = None


class ReceiverSupervisor:
    """Runs one receiver inside its task: the connection to the driver, block generation,
    the receiver's start/stop/restart, and control messages (stop, rate updates, block
    acknowledgements).

    ``settings`` carries ``blockInterval`` (s), ``restartDelay`` (ms), ``rate`` (the
    initial limit, records/s, 0 for none) and ``wal`` (whether the driver keeps a
    write-ahead log, so ``store(records)`` waits for each block's acknowledgement) --
    computed on the driver, so the executor needs no configuration of its own.
    """

    def __init__(self, receiver: Receiver, stream_id: int, driver_address: tuple,
                 settings: dict, attempt_id: int = 0, executor_id: str = "?"):
        self.receiver = receiver
        self.stream_id = stream_id
        self.driver_address = driver_address
        self.settings = settings
        self.attempt_id = attempt_id
        self.executor_id = executor_id
        self.receiver_state = INITIALIZED
        self._lock = threading.RLock()
        self._send_lock = threading.Lock()
        self._start_lock = threading.RLock()
        self._stopped = threading.Event()
        self._restarting = False
        self._block_ids = itertools.count()
        self._sock: socket.socket | None = None
        self._stopping = False
        self.reliable = bool(settings.get("wal", False))
        self._acks: dict[str, _Ack] = {}
        self._ack_lock = threading.Lock()
        self._channel_closed = threading.Event()
        self.limiter = RateLimiter(settings.get("rate", 0.0))
        self.block_generator = BlockGenerator(settings.get("blockInterval", 0.2),
                                              self._push_block, self.limiter)
        receiver._supervisor = self
        receiver._set_stream_id(stream_id)

    # -- the channel to the driver ---------------------------------------------------------

    def _send(self, message: tuple) -> bool:
        sock = self._sock
        if sock is None:
            return False
        try:
            with self._send_lock:
                send_frame(sock, message)
            return True
        except OSError:
            # The driver is gone (or stopped this tracker): nothing left to receive for.
            if not self._stopped.is_set():
                threading.Thread(target=self.stop, args=("Lost the connection to the driver",),
                                 daemon=True).start()
            return False

    def _push_block(self, records: list, wait: bool = False) -> None:
        block_id = f"input-{self.stream_id}-{self.attempt_id}-{next(self._block_ids)}"
        data = serializers.dumps(records)
        if not (wait and self.reliable):
            self._send(("block", block_id, len(records), data))
            return
        # Reliable store: the driver answers once the block is in its write-ahead log.
        ack = _Ack()
        with self._ack_lock:
            self._acks[block_id] = ack
        try:
            if self._channel_closed.is_set() or not self._send(
                    ("block", block_id, len(records), data, True)):
                raise RuntimeError(f"Block {block_id} could not be sent to the driver (the "
                                   "connection is closed); its records are not stored")
            while not ack.event.wait(0.05):
                if self._channel_closed.is_set():
                    raise RuntimeError(
                        f"Lost the connection to the driver before block {block_id} was "
                        "acknowledged; its records may not be stored")
        finally:
            with self._ack_lock:
                self._acks.pop(block_id, None)
        if ack.error is not None:
            raise RuntimeError(f"The driver could not store block {block_id}: {ack.error}")

    def _answer(self, block_id: str, error: str | None) -> None:
        with self._ack_lock:
            ack = self._acks.get(block_id)
        if ack is not None:
            ack.error = error
            ack.event.set()

    def _control_loop(self) -> None:
        sock = self._sock
        assert sock is not None
        try:
            while True:
                message = recv_frame(sock)
                if message is None:
                    break
                kind = message[0]
                if kind == "stop":
                    # On a thread of its own: this loop keeps reading the acknowledgements
                    # of blocks that are still in flight while the receiver stops.
                    threading.Thread(target=self.stop, args=(message[1],), daemon=True,
                                     name="sparklet-receiver-stop").start()
                elif kind == "rate":
                    self.limiter.update_rate(message[1])
                elif kind == "ack":
                    self._answer(message[1], None)
                elif kind == "nack":
                    self._answer(message[1], message[2])
        finally:
            self._channel_closed.set()
        if not self._stopped.is_set():
            self.stop("Lost the connection to the driver")

    # -- running ---------------------------------------------------------------------------

    def run(self) -> None:
        """Connect, start the receiver, and return once it has stopped for good."""
        try:
            self._sock = socket.create_connection(self.driver_address, timeout=10)
            self._sock.sendall(self.settings.get("secret", b""))  # see ReceiverTracker
            self._sock.settimeout(None)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as e:
            # The tracker has stopped (or the app is gone) since this task was submitted.
            log.info("receiver %d could not reach the driver (%s); not starting",
                     self.stream_id, e)
            return
        self._send(("hello", self.stream_id, self.executor_id, self.attempt_id,
                    type(self.receiver).__name__, socket.gethostname()))
        self.block_generator.start()
        control = threading.Thread(target=self._control_loop, daemon=True,
                                   name="sparklet-receiver-control")
        control.start()
        # onStart on a thread of its own: a receiver that wrongly blocks in onStart must
        # still be stoppable by the driver.
        threading.Thread(target=self.start_receiver, daemon=True,
                         name="sparklet-receiver-start").start()
        self._stopped.wait()
        with self._ack_lock:
            awaiting = bool(self._acks)
        if awaiting:
            # The driver closes its end after our "stopped"; until then, let the answers to
            # blocks still in flight arrive, so their store() calls return as they should.
            control.join(self.settings.get("ackTimeout", 10.0))
        sock, self._sock = self._sock, None
        close_socket(sock)

    def start_receiver(self) -> None:
        # Stopping waits for a running onStart to return (the lock is reentrant, so onStart
        # itself may call stop or restart): what onStart stores is never cut off.
        with self._start_lock:
            with self._lock:
                if self._stopping:
                    return
                self.receiver_state = STARTED
            # Registered, as Spark's receiver registers with the driver before onStart.
            self._send(("started",))
            try:
                self.receiver.onStart()
            except Exception as e:  # noqa: BLE001 - a failed start means a restart (Spark)
                log.warning("Error starting receiver %d", self.stream_id, exc_info=True)
                self.report_error(f"Error starting receiver {self.stream_id}", e)
                self.restart_receiver(f"Error starting receiver {self.stream_id}", e)

    def stop_receiver(self, message: str, error: BaseException | None) -> None:
        with self._start_lock, self._lock:
            if self.receiver_state != STARTED:
                return
            self.receiver_state = STOPPED
        log.info("Stopping receiver %d with message: %s", self.stream_id, message)
        try:
            self.receiver.onStop()
        except Exception:  # noqa: BLE001 - stopping carries on regardless
            log.warning("Error stopping receiver %d", self.stream_id, exc_info=True)
        self._send(("deregistered", message, _error_text(error)))

    def restart_receiver(self, message: str, error: BaseException | None = None,
                         delay_ms: int | None = None) -> None:
        delay = self.settings.get("restartDelay", 2000) if delay_ms is None else delay_ms
        with self._lock:
            if self._restarting or self._stopping:
                return
            self._restarting = True

        def restart() -> None:
            try:
                log.warning("Restarting receiver with delay %d ms: %s", delay, message,
                            exc_info=error is not None and (type(error), error,
                                                            error.__traceback__))
                self.stop_receiver(f"Restarting receiver with delay {delay}ms: {message}",
                                   error)
                self._stopped.wait(delay / 1000.0)
                with self._lock:
                    self._restarting = False
                self.start_receiver()
            finally:
                with self._lock:
                    self._restarting = False

        threading.Thread(target=restart, daemon=True, name="sparklet-receiver-restart").start()

    def report_error(self, message: str, error: BaseException | None) -> None:
        log.warning("Reported error %s for receiver %d: %s", message, self.stream_id,
                    error or "")
        self._send(("error", message, _error_text(error)))

    def push_single(self, record: Any) -> None:
        self.block_generator.add(record)

    def push_many(self, records: list) -> None:
        self.block_generator.add_many(records)

    def stop(self, message: str, error: BaseException | None = None) -> None:
        """Stop the receiver and this supervisor: flush the last block, tell the driver."""
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
        self.stop_receiver(message, error)
        self.block_generator.stop()
        # After the last block: the driver knows everything sent before this has arrived.
        self._send(("stopped", message, _error_text(error)))
        self._stopped.set()


def run_receiver_task(receiver: Receiver, stream_id: int, driver_address: tuple,
                      settings: dict) -> Iterator:
    """The body of a receiver's long-running task (see ``ReceiverTracker``)."""
    from sparklet.env import SparkEnv
    from sparklet.taskcontext import TaskContext

    ctx = TaskContext.get()
    env = SparkEnv.get()
    supervisor = ReceiverSupervisor(
        receiver, stream_id, driver_address, settings,
        attempt_id=ctx.taskAttemptId() if ctx is not None else 0,
        executor_id=env.executor_id if env is not None else "?")
    supervisor.run()
    return iter(())
