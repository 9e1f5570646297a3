"""What runs a receiver on an executor: the supervisor of its task, and block generation.

The supervisor connects back to the driver, calls the receiver's ``onStart``, cuts what it
``store()``s into blocks every ``spark.streaming.blockInterval`` (a :class:`BlockGenerator`),
pushes each block to the driver and obeys the driver's control messages.
"""

from __future__ import annotations

import itertools
import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from sparklet import serializers
from sparklet.streaming.receiver.channel import close_socket, recv_frame, send_frame
from sparklet.streaming.receiver.rate import RateLimiter
from sparklet.streaming.receiver.receiver import INITIALIZED, STARTED, STOPPED, Receiver

__all__ = ["ReceiverSupervisor", "BlockGenerator", "run_receiver_task"]

log = logging.getLogger(__name__)


def _error_text(error: BaseException | None) -> str:
    if error is None:
        return ""
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


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

    def add_all(self, records: list) -> None:
        """``add(r)`` for each of ``records``, in one step when no rate limit applies (a
        limit paces them one by one, so they spread over blocks as single adds would)."""
        if self.limiter.rate > 0:
            for record in records:
                self.add(record)
            return
        with self._lock:
            if self._state != STARTED:
                raise RuntimeError("Cannot add data as BlockGenerator has not been started or "
                                   "has been stopped")
            self._buffer.extend(records)

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
    initial limit, records/s, 0 for none), ``wal`` (whether blocks are write-ahead logged,
    so ``store(records)`` waits for each block's acknowledgement), ``blocksOnExecutor``
    (keep blocks in this executor's block manager; cluster backends) and with it
    ``blockLogDir``/``blockLogRollingMs`` (where this executor logs them) -- computed on the
    driver, so the executor needs no configuration of its own.
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
        self._block_log = None  # this run's write-ahead log of blocks kept on the executor
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
        if self.settings.get("blocksOnExecutor"):
            self._store_on_executor(block_id, len(records), data, wait and self.reliable)
        elif wait and self.reliable:
            # Reliable store: the driver answers once the block is in its write-ahead log.
            self._send_and_wait(block_id, ("block", block_id, len(records), data, True))
        else:
            self._send(("block", block_id, len(records), data))

    def _store_on_executor(self, block_id: str, count: int, data: bytes, wait: bool) -> None:
        from sparklet.env import SparkEnv

        # With the write-ahead log on, logged here first (fsynced, under the checkpoint
        # directory), so the block outlives this executor; the driver logs where.
        log_ref = None
        if self.settings.get("blockLogDir"):
            with self._lock:
                if self._block_log is None:
                    from sparklet.streaming.recovery.wal import WriteAheadLog

                    self._block_log = WriteAheadLog(
                        self.settings["blockLogDir"],
                        self.settings.get("blockLogRollingMs", 60_000))
            log_ref = (self._block_log.directory,
                       *self._block_log.write_block(block_id, count, data))
        # Kept here, at the receiver's storage level, and copied to as many other executors
        # as the level's replication asks (MEMORY_AND_DISK_2 by default), so a lost worker
        # loses no batch; the driver learns the id and holders only.
        level = self.receiver.storageLevel
        manager = SparkEnv.get().block_manager
        manager.put(block_id, data, level, None)
        holders = [manager.executor_id,
                   *manager.replicate_block(block_id, data, level, level.replication - 1)]
        message = ("block_stored", block_id, count, len(data), holders, log_ref)
        if wait:  # the driver answers once its log has the reference
            self._send_and_wait(block_id, (*message, True))
        else:
            self._send(message)

    def _send_and_wait(self, block_id: str, message: tuple) -> None:
        ack = _Ack()
        with self._ack_lock:
            self._acks[block_id] = ack
        try:
            if self._channel_closed.is_set() or not self._send(message):
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
        if self._block_log is not None:
            self._block_log.close()

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

    def push_singles(self, records: list) -> None:
        self.block_generator.add_all(records)

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
