"""ReceiverTracker: the driver side of receivers.

Receivers run on the executors, the Spark way: each is a long-running task (a one-partition
job submitted from a driver thread), so it holds one executor slot for the stream's
lifetime. That is why a local master needs more cores than receivers: ``local[2]`` with one
receiver leaves one slot for the batches, ``local[1]`` leaves none.

The task and the driver talk over a loopback TCP connection, which works with every
backend: the tracker listens, the task connects (the address travels in its closure),
pushes blocks (a pickled list of records, with stream id, block id and record count), and
hears control messages back (stop, rate updates). The driver keeps the blocks (see
:mod:`sparklet.streaming.receiver.blocks`) until the job generator allocates them to a batch:

- ``allocate_blocks_to_batch(t)`` gives every block received and not yet allocated to the
  batch at time ``t``;
- ``blocks_rdd(stream_id, t)`` is that batch's input RDD, one partition per block;
- ``stop(graceful=True)`` stops the receivers and waits for their last blocks, so
  everything received is allocated to some batch.

With ``spark.streaming.receiver.writeAheadLog.enable``, every block is also appended to the
stream's write-ahead log (:mod:`sparklet.streaming.recovery.wal`, under
``<checkpoint dir>/receivedData/<streamId>/``) and fsynced before the receiver hears that it
is stored; so are the allocations of blocks to batches. ``checkpoint_state()`` is what the
metadata checkpoint keeps of the tracker (the pending allocations and where their blocks
are in the log); ``restore_state(state)`` rebuilds the tracker from it after a driver crash,
reading the blocks back from the log, together with whatever was logged after that
checkpoint; ``cleanup_before(t)`` deletes log segments whose blocks were all processed.

A receiver's task that ends without the receiver stopping itself (a failure, its executor
lost beyond the scheduler's retries) is launched again after
``spark.streaming.receiverRestartDelay``; an executor lost under a receiver makes the
scheduler rerun the task, which connects again under the same stream id.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sparklet.streaming.receiver.blocks import BlockStore, ReceivedBlockInfo, ReceivedBlockRDD
from sparklet.streaming.receiver.channel import (
    close_socket,
    recv_frame,
    send_frame,
)
from sparklet.streaming.receiver.endpoint import (
    HANDSHAKE_TIMEOUT_KEY,
    MAX_PENDING_KEY,
    SECRET_LENGTH,
    ReceiverEndpoint,
)
from sparklet.streaming.receiver.rate import (
    RateController,
    create_rate_estimator,
    effective_rate,
    initial_rate_limit,
    rate_settings,
)
from sparklet.streaming.receiver.receiver import Receiver
from sparklet.streaming.receiver.supervisor import (
    run_receiver_task,
)
from sparklet.streaming.recovery import wal_faults
from sparklet.streaming.recovery.block_logs import DATA_DIR as BLOCK_LOG_DIR
from sparklet.streaming.recovery.block_logs import ExecutorBlockLogs, read_logged_block
from sparklet.streaming.recovery.wal import (
    WALCorruptionError,
    WALRef,
    WriteAheadLog,
    segment_names,
    segment_run,
)
from sparklet.util import parse_bytes

__all__ = ["ReceiverTracker", "ReceiverInfo"]

DRIVER_HOST_KEY = "spark.driver.host"
DRIVER_BIND_ADDRESS_KEY = "spark.driver.bindAddress"

log = logging.getLogger(__name__)

MEMORY_KEY = "spark.sparklet.streaming.receivedBlockMemory"
WAL_ENABLE_KEY = "spark.streaming.receiver.writeAheadLog.enable"
WAL_ROLLING_KEY = "spark.streaming.receiver.writeAheadLog.rollingIntervalSecs"
STATE_VERSION = 1
# How many metadata checkpoints are kept (the checkpoint writer's setting): log segments
# outlive their batches long enough for every retained checkpoint to be recoverable.
CHECKPOINTS_RETAINED_KEY = "spark.sparklet.streaming.recovery.checkpoint.retained"


def _millis_setting(value: str | None, default_ms: float) -> float:
    """A Spark time setting read as milliseconds: ``'200ms'``, ``'1s'``, or bare ms."""
    if value is None:
        return default_ms
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min)?\s*", str(value))
    if m is None:
        raise ValueError(f"Invalid time string: {value!r} (expected e.g. 200ms, 1s)")
    scale = {None: 1, "ms": 1, "s": 1000, "m": 60000, "min": 60000}[m.group(2)]
    return float(m.group(1)) * scale


# -- listener events: the streaming core's classes when it has them, else these ----------

@dataclass
class ReceiverInfo:
    """What the driver knows of one receiver (Spark's ReceiverInfo)."""

    streamId: int
    name: str
    active: bool
    location: str
    executorId: str
    lastErrorMessage: str = ""
    lastError: str = ""
    lastErrorTime: int = -1


@dataclass
class _ReceiverEvent:
    receiverInfo: ReceiverInfo


def _event(kind: str, info: ReceiverInfo) -> Any:
    """A ``StreamingListenerReceiver{Started,Error,Stopped}`` event for the listener bus."""
    name = "StreamingListenerReceiver" + kind
    try:
        from sparklet.streaming import listener as core
    except ImportError:
        core = None
    if core is not None and hasattr(core, name):
        info_cls = getattr(core, "ReceiverInfo", None)
        try:
            core_info = info_cls(**info.__dict__) if info_cls is not None else info
            return getattr(core, name)(core_info)
        except TypeError:
            log.debug("listener classes have another shape; posting sparklet's own")
    return type(name, (_ReceiverEvent,), {})(info)


@dataclass(eq=False)
class _TrackedReceiver:
    stream_id: int
    receiver: Receiver
    name: str
    active: bool = False
    executor_id: str = ""
    location: str = ""
    conn: socket.socket | None = None
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    rate: float | None = None              # last rate published by backpressure
    last_error_message: str = ""
    last_error: str = ""
    last_error_time: int = -1
    connections: int = 0                   # how many times a task connected for it
    finished: bool = False                 # stopped itself: never launched again
    flushed: threading.Event = field(default_factory=threading.Event)
    job_done: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def info(self) -> ReceiverInfo:
        return ReceiverInfo(self.stream_id, self.name, self.active, self.location,
                            self.executor_id, self.last_error_message, self.last_error,
                            self.last_error_time)


class ReceiverTracker:
    """Launches the receivers of a streaming context and collects the blocks they push.

    >>> from types import SimpleNamespace
    >>> from sparklet.streaming.receiver import Receiver
    >>> class Letters(Receiver):
    ...     def onStart(self):
    ...         self.store(["a", "b", "c"])     # many records: one block
    ...         self.store("d")                 # one record: cut into the next block
    ...     def onStop(self):
    ...         pass
    >>> tracker = ReceiverTracker(SimpleNamespace(sparkContext=sc))
    >>> tracker.register(0, Letters())
    >>> tracker.start()
    >>> tracker.wait_for_receivers()
    True
    >>> tracker.stop(graceful=True)             # waits for the receiver's last block
    >>> tracker.allocate_blocks_to_batch(1000)
    >>> sorted(tracker.blocks_rdd(0, 1000).collect()), tracker.num_records(0, 1000)
    (['a', 'b', 'c', 'd'], 4)
    """

    def __init__(self, ssc: Any):
        self.ssc = ssc
        self.sc = ssc.sparkContext
        conf = self.sc._conf
        self.block_interval_ms = _millis_setting(conf.get("spark.streaming.blockInterval"),
                                                 200.0)
        if self.block_interval_ms <= 0:
            raise ValueError("spark.streaming.blockInterval must be positive")
        self.restart_delay_ms = int(_millis_setting(
            conf.get("spark.streaming.receiverRestartDelay"), 2000))
        self.rate = rate_settings(conf)
        self.stop_timeout = _millis_setting(
            conf.get("spark.sparklet.streaming.receiverStopTimeout"), 10000) / 1000.0
        self._lock = threading.Condition()
        self._receivers: dict[int, _TrackedReceiver] = {}
        self._unallocated: dict[int, list[ReceivedBlockInfo]] = {}
        self._allocated: dict[int, dict[int, list[ReceivedBlockInfo]]] = {}
        self._received_records: dict[int, int] = {}
        self._store = BlockStore(os.path.join(self.sc._local_dir, "streaming-blocks"),
                                 parse_bytes(conf.get(MEMORY_KEY, "256m")))
        self._server: socket.socket | None = None
        self._endpoint: ReceiverEndpoint | None = None
        self.address: tuple[str, int] | None = None
        self._state = "initialized"
        self.rate_controllers: dict[int, RateController] = {}
        self.wal_enabled = str(conf.get(WAL_ENABLE_KEY, "false")).strip().lower() == "true"
        rolling = float(conf.get(WAL_ROLLING_KEY, "60"))
        if rolling <= 0:
            raise ValueError(f"{WAL_ROLLING_KEY} must be positive, got {rolling}")
        self.wal_rolling_ms = rolling * 1000.0
        self._wals: dict[int, WriteAheadLog] = {}
        self._executor_logs: ExecutorBlockLogs | None = None
        self._wal_run_id = os.urandom(6).hex()
        # Held across "log the block, then track it" (and allocation, and taking a
        # checkpoint), so a checkpoint never sees a block logged but not yet tracked.
        self._wal_lock = threading.RLock()
        # Blocks of cleaned batches, released to the log (and their segments deleted) only
        # some cleanups later: a batch is cleaned before the checkpoint that forgets it is
        # written, and a recovery may fall back to an older retained checkpoint.
        retained = int(conf.get(CHECKPOINTS_RETAINED_KEY, "10"))
        self.wal_cleanup_lag = max(1, retained // 2 + 1)
        self._wal_releases: deque[tuple[int, list[tuple[int, WALRef]]]] = deque()

    # -- setup -----------------------------------------------------------------------------

    def register(self, stream_id: int, receiver: Receiver) -> None:
        """Track ``receiver`` as the source of input stream ``stream_id`` (before start)."""
        if not isinstance(receiver, Receiver):
            raise TypeError(f"{receiver!r} is not a sparklet.streaming.receiver.Receiver")
        with self._lock:
            if self._state != "initialized":
                raise RuntimeError("Receivers must be registered before the tracker starts")
            if stream_id in self._receivers:
                raise ValueError(f"A receiver is already registered for stream {stream_id}")
            receiver._set_stream_id(stream_id)
            self._receivers[stream_id] = _TrackedReceiver(stream_id, receiver,
                                                          type(receiver).__name__)
            self._unallocated.setdefault(stream_id, [])
            self._received_records.setdefault(stream_id, 0)

    def start(self) -> None:
        """Open the driver's endpoint and launch one long-running task per receiver."""
        if self.wal_enabled:
            self._wal_root()  # fails now, clearly, without a checkpoint directory
        with self._lock:
            if self._state != "initialized":
                raise RuntimeError("ReceiverTracker already started")
            self._state = "started"
            if not self._receivers:
                return
        self._warn_if_no_cores_left()
        # The channel carries pickles: only a peer that knows this secret (it travels in the
        # receiver task's closure) gets as far as the first one.
        self._secret = secrets.token_bytes(SECRET_LENGTH)
        conf = self.sc._conf
        # Spark's two driver addresses: receivers on other machines connect to
        # spark.driver.host, and the socket listens on spark.driver.bindAddress (by default
        # the same). Loopback unless set: then only workers on this machine reach it.
        host = conf.get(DRIVER_HOST_KEY) or "127.0.0.1"
        self._endpoint = ReceiverEndpoint(
            self._secret, self._serve,
            handshake_timeout=_millis_setting(conf.get(HANDSHAKE_TIMEOUT_KEY), 10000) / 1000,
            max_pending=int(conf.get(MAX_PENDING_KEY, "64")),
            host=conf.get(DRIVER_BIND_ADDRESS_KEY) or host)
        self._server = self._endpoint.server
        self.address = (host, self._endpoint.address[1])
        self._endpoint.start()
        if self.rate["backpressure"]:
            self._start_rate_controllers()
        for tracked in self._receivers.values():
            tracked.thread = threading.Thread(
                target=self._run_receiver_job, args=(tracked,), daemon=True,
                name=f"sparklet-receiver-job-{tracked.stream_id}")
            tracked.thread.start()

    def _warn_if_no_cores_left(self) -> None:
        from sparklet.util import parse_local_master

        try:
            cores, _ = parse_local_master(self.sc.master)
        except ValueError:
            return
        if cores <= len(self._receivers):
            log.warning(
                "%s runs %d task(s) at a time and %d receiver(s) each hold one for the "
                "stream's lifetime, so no core is left to process the received data: use "
                "local[n] with n > the number of receivers (e.g. local[%d])",
                self.sc.master, cores, len(self._receivers), len(self._receivers) + 1)

    def _batch_interval_ms(self) -> int:
        ssc = self.ssc
        graph = getattr(ssc, "_graph", None)
        if graph is not None and getattr(graph, "batch_duration", None):
            return int(graph.batch_duration)  # the streaming core keeps it in ms
        for name in ("_batch_duration_ms", "batch_duration_ms", "_batchDurationMs"):
            value = getattr(ssc, name, None)
            if value:
                return int(value)
        for name in ("_batchDuration", "batchDuration", "_batch_duration", "batch_duration"):
            value = getattr(ssc, name, None)
            if callable(value):
                value = value()
            if value:
                # Seconds, as PySpark's StreamingContext takes it (or a Duration-like object).
                ms = getattr(value, "milliseconds", None)
                return int(ms() if callable(ms) else ms) if ms is not None \
                    else int(float(value) * 1000)
        raise RuntimeError(f"backpressure needs the batch interval, but {ssc!r} exposes none")

    def _start_rate_controllers(self) -> None:
        interval = self._batch_interval_ms()
        conf = self.sc._conf
        for sid in self._receivers:
            controller = RateController(sid, create_rate_estimator(interval, conf),
                                        lambda rate, sid=sid: self.send_rate_update(sid, rate))
            self.rate_controllers[sid] = controller
            add = getattr(self.ssc, "addStreamingListener", None)
            if add is not None:
                add(controller)
            else:
                log.warning("backpressure is on but the streaming context takes no listeners; "
                            "rates will not adapt")

    # -- receiver jobs ---------------------------------------------------------------------

    def _settings(self, tracked: _TrackedReceiver) -> dict:
        rate = initial_rate_limit(self.sc._conf) if tracked.rate is None else tracked.rate
        on_executor = not self.sc._backend.shares_driver_disk
        return {"blockInterval": self.block_interval_ms / 1000.0,
                "restartDelay": self.restart_delay_ms, "rate": rate, "secret": self._secret,
                "wal": self.wal_enabled,
                # On a cluster backend a block stays on the receiver's executor (which logs
                # it too, with the write-ahead log on) and the driver hears its id only.
                "blocksOnExecutor": on_executor,
                "blockLogDir": self._block_logs().directory(tracked.stream_id)
                if on_executor and self.wal_enabled else None,
                "blockLogRollingMs": self.wal_rolling_ms}

    def _running(self) -> bool:
        return self._state == "started"

    def _run_receiver_job(self, tracked: _TrackedReceiver) -> None:
        sc = self.sc
        sid = tracked.stream_id
        try:
            sc.setJobDescription(f"Streaming job running receiver {sid}")
            rdd = sc.parallelize([sid], 1)
            while self._running() and not tracked.finished:
                receiver, address, settings = tracked.receiver, self.address, \
                    self._settings(tracked)

                def body(_, receiver=receiver, address=address, settings=settings, sid=sid):
                    return run_receiver_task(receiver, sid, address, settings)

                try:
                    sc.runJob(rdd, body)
                except Exception as e:  # noqa: BLE001 - relaunched below, as in Spark
                    if not self._running() or sc._stopped:
                        break
                    log.warning("Receiver %d's job failed; restarting it in %d ms: %s", sid,
                                self.restart_delay_ms, e)
                    self._record_error(tracked, "Receiver job failed", str(e))
                if not self._running() or tracked.finished:
                    break
                # The task ended although nobody stopped the receiver: launch it again.
                with self._lock:
                    self._lock.wait_for(lambda: not self._running() or tracked.finished,
                                        self.restart_delay_ms / 1000.0)
        except Exception:  # noqa: BLE001 - e.g. the SparkContext was stopped under us
            if self._running():
                log.exception("receiver %d can no longer be launched", sid)
        finally:
            tracked.job_done.set()

    # -- the channel -----------------------------------------------------------------------

    def _send(self, tracked: _TrackedReceiver, message: tuple) -> bool:
        conn = tracked.conn
        if conn is None:
            return False
        try:
            with tracked.send_lock:
                send_frame(conn, message)
            return True
        except OSError:
            return False

    def _serve(self, conn: socket.socket, hello: tuple) -> None:
        """A receiver task's connection, once the endpoint has checked its secret and hello
        (see :mod:`~sparklet.streaming.receiver.endpoint`)."""
        if len(hello) != 6 or not isinstance(hello[1], int) or hello[1] not in self._receivers:
            log.warning("rejected a receiver connection: its hello %r names no receiver of "
                        "this tracker", hello[:2])
            close_socket(conn)
            return
        _, sid, executor_id, attempt, _name, host = hello
        tracked = self._receivers[sid]
        with self._lock:
            old, tracked.conn = tracked.conn, conn
            tracked.executor_id, tracked.location = executor_id, host
            tracked.connections += 1
            tracked.flushed.clear()
            stopping = self._state != "started"
        if old is not None:
            # A stale attempt (its executor died, its socket not yet closed): the new one
            # speaks for the stream now.
            close_socket(old)
        if stopping:
            self._send(tracked, ("stop", "Receiver tracker is stopping"))
        elif tracked.rate is not None:
            self._send(tracked, ("rate", effective_rate(tracked.rate, self.rate["maxRate"])))
        log.info("Registered receiver for stream %d from executor %s (task attempt %s)",
                 sid, executor_id, attempt)
        clean = False
        while True:
            message = recv_frame(conn)
            if message is None:
                break
            kind = message[0]
            if kind == "block":
                _, block_id, count, data, *ask = message
                try:
                    self._add_block(tracked, block_id, count, data)
                except Exception as e:  # noqa: BLE001 - refused, and the receiver is told
                    log.exception("could not store block %s of stream %d", block_id, sid)
                    if ask:
                        self._send(tracked, ("nack", block_id, f"{type(e).__name__}: {e}"))
                    continue
                if ask:  # a reliable store() waits for this: the block is durable now
                    self._send(tracked, ("ack", block_id))
            elif kind == "block_stored":  # kept by the receiver's executor (and copies)
                _, block_id, count, nbytes, holders, log_ref, *ask = message
                try:
                    self._add_executor_block(tracked, block_id, count, nbytes, holders,
                                             log_ref)
                except Exception as e:  # noqa: BLE001 - refused, and the receiver is told
                    log.exception("could not log block %s of stream %d", block_id, sid)
                    if ask:
                        self._send(tracked, ("nack", block_id, f"{type(e).__name__}: {e}"))
                    continue
                if ask:
                    self._send(tracked, ("ack", block_id))
            elif kind == "started":
                with self._lock:
                    tracked.active = True
                    self._lock.notify_all()
                self._post("Started", tracked)
            elif kind == "error":
                self._record_error(tracked, message[1], message[2])
            elif kind == "deregistered":
                tracked.active = False
                # As Spark's DeregisterReceiver: the stop message is the last "error" message
                # either way; the time only when an error came with it.
                tracked.last_error_message, tracked.last_error = message[1], message[2]
                if message[2]:
                    tracked.last_error_time = int(time.time() * 1000)
                self._post("Stopped", tracked)
            elif kind == "stopped":
                clean = True
                with self._lock:
                    if self._state == "started":
                        # The receiver stopped itself: Receiver.stop() is for good.
                        tracked.finished = True
                    self._lock.notify_all()
                break
        close_socket(conn)
        with self._lock:
            current = tracked.conn is conn
            if current:
                tracked.conn = None
                tracked.active = False
            self._lock.notify_all()
        if current:
            tracked.flushed.set()
            if not clean and self._state == "started":
                self._record_error(tracked, f"Receiver {sid} lost its connection to the "
                                   f"driver (its executor {executor_id} died?)", "")

    def _add_block(self, tracked: _TrackedReceiver, block_id: str, count: int,
                   data: bytes) -> None:
        sid = tracked.stream_id
        with self._wal_lock:
            # Logged (and fsynced) first: the receiver is acknowledged only after this.
            ref = self._wal(sid).write_block(block_id, count, data) if self.wal_enabled \
                else None
            if self.wal_enabled:
                wal_faults.relog_lost_blocks(self, sid)
            info = self._store.add(sid, block_id, count, data, tracked.receiver.storageLevel)
            info.wal_ref = ref
            self._received(info)

    def _add_executor_block(self, tracked: _TrackedReceiver, block_id: str, count: int,
                            nbytes: int, holders: list[str], log_ref: tuple | None) -> None:
        sid = tracked.stream_id
        info = ReceivedBlockInfo(sid, block_id, count, nbytes, executor_id=holders[0],
                                 replicas=tuple(holders[1:]), log_ref=log_ref)
        with self._wal_lock:
            if self.wal_enabled and log_ref is not None:
                # The executor's log has the bytes; the driver's records where they are.
                info.wal_ref = self._wal(sid).write_block_ref(block_id, count, nbytes, log_ref)
                self._block_logs().adopt(sid, log_ref)
                wal_faults.relog_lost_blocks(self, sid)
            self._received(info)

    def _received(self, info: ReceivedBlockInfo) -> None:
        """A block is stored: the next batch gets it."""
        with self._lock:
            self._unallocated[info.stream_id].append(info)
            self._received_records[info.stream_id] += info.num_records

    # -- the write-ahead log ---------------------------------------------------------------

    def _wal_root(self) -> str:
        """``<checkpoint dir>/receivedData``, a local directory (fsync needs one)."""
        directory = getattr(self.ssc, "_checkpoint_dir", None)
        if not directory:
            raise ValueError(
                "Cannot enable receiver write-ahead log without checkpoint directory set. "
                "Please use streamingContext.checkpoint() to set the checkpoint directory "
                f"(or set {WAL_ENABLE_KEY} to false).")
        import fsspec
        from fsspec.implementations.local import LocalFileSystem

        fs, path = fsspec.core.url_to_fs(str(directory))
        if not isinstance(fs, LocalFileSystem):
            raise ValueError(
                f"The receiver write-ahead log needs a local checkpoint directory (it fsyncs "
                f"each block before acknowledging it); {directory!r} is on "
                f"{type(fs).__name__}. Use a local (or locally mounted) directory or turn "
                f"off {WAL_ENABLE_KEY}.")
        return os.path.join(path, "receivedData")

    def _block_logs(self) -> ExecutorBlockLogs:
        """The logs the receivers' executors write (cluster backends), next to the driver's."""
        if self._executor_logs is None:
            root = os.path.join(os.path.dirname(self._wal_root()), BLOCK_LOG_DIR)
            self._executor_logs = ExecutorBlockLogs(root)
        return self._executor_logs

    def _wal(self, stream_id: int) -> WriteAheadLog:
        wal = self._wals.get(stream_id)
        if wal is None:
            wal = WriteAheadLog(os.path.join(self._wal_root(), str(stream_id)),
                                self.wal_rolling_ms, run_id=self._wal_run_id)
            self._wals[stream_id] = wal
        return wal

    def checkpoint_state(self) -> dict:
        """What a metadata checkpoint keeps of the tracker (picklable, plain data)::

            {"version": 1,
             "wal": {"run_id": str, "next_seq": {stream_id: int}} or None,
             "allocated": {batch_time_ms: {stream_id: [block, ...]}},
             "unallocated": {stream_id: [block, ...]}}

        with ``block = {"block_id", "num_records", "wal": (segment, offset, length) or
        None}``. ``allocated`` holds the batches not yet cleaned up; ``next_seq`` says how
        far each stream's log had got, so a recovery also picks up what was logged after
        this checkpoint. Blocks received with the log off have no ``wal`` reference: their
        data dies with the driver.
        """
        def entry(info: ReceivedBlockInfo) -> dict:
            return {"block_id": info.block_id, "num_records": info.num_records,
                    "wal": tuple(info.wal_ref) if info.wal_ref is not None else None}

        with self._wal_lock, self._lock:
            return {
                "version": STATE_VERSION,
                "wal": {"run_id": self._wal_run_id,
                        "next_seq": {sid: wal.next_seq for sid, wal in self._wals.items()}}
                if self.wal_enabled else None,
                "allocated": {t: {sid: [entry(b) for b in blocks]
                                  for sid, blocks in batch.items()}
                              for t, batch in self._allocated.items()},
                "unallocated": {sid: [entry(b) for b in blocks]
                                for sid, blocks in self._unallocated.items()},
            }

    def restore_state(self, state: dict | None) -> None:
        """Rebuild the tracker of a recovered context from ``checkpoint_state()``'s dict,
        before :meth:`start`: the pending batches get their blocks back (read from the
        write-ahead log), so ``blocks_rdd`` returns what it returned before the crash.
        Blocks logged after that checkpoint are recovered too: those the log says were
        allocated to a batch go to that batch again; the rest, with the unallocated ones,
        go to the next batch allocated. Blocks that were never logged are lost (logged as a
        warning). Raises :class:`~sparklet.streaming.recovery.wal.WALCorruptionError` when a block
        the checkpoint refers to cannot be read back whole: never a silently wrong batch.
        """
        if not state:
            return
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"Unsupported receiver tracker state version "
                             f"{state.get('version')!r} (this sparklet reads version "
                             f"{STATE_VERSION})")
        with self._lock:
            if self._state != "initialized":
                raise RuntimeError("restore_state must be called before the tracker starts")
        lost = 0
        known: dict[tuple[int, WALRef], ReceivedBlockInfo] = {}

        def revive(sid: int, block: dict) -> ReceivedBlockInfo | None:
            nonlocal lost
            if block.get("wal") is None:
                lost += block["num_records"]
                return None
            ref = WALRef(*block["wal"])
            if (sid, ref) not in known:
                known[sid, ref] = self._revive(sid, ref)
            return known[sid, ref]

        with self._wal_lock:
            allocated = {
                int(t): {int(sid): [i for b in blocks if (i := revive(int(sid), b))]
                         for sid, blocks in batch.items()}
                for t, batch in state.get("allocated", {}).items()}
            unallocated = {int(sid): [i for b in blocks if (i := revive(int(sid), b))]
                           for sid, blocks in state.get("unallocated", {}).items()}
            if state.get("wal"):
                self._replay_after_checkpoint(state["wal"], known, allocated, unallocated)
            with self._lock:
                for t, batch in allocated.items():
                    self._allocated.setdefault(t, {}).update(batch)
                for sid, blocks in unallocated.items():
                    self._unallocated.setdefault(sid, []).extend(blocks)
                    self._received_records.setdefault(sid, 0)
        if lost:
            log.warning("%d records received before the crash were not in the write-ahead "
                        "log (%s was off) and are lost", lost, WAL_ENABLE_KEY)

    def _revive(self, sid: int, ref: WALRef, body: tuple | None = None,
                referenced: bool = True) -> ReceivedBlockInfo | None:
        """A block of a crashed run, read back from the log into the block store. A block
        an executor logged that cannot be read back fails the recovery when the checkpoint
        (``referenced``) needs it; one logged after the checkpoint is reported lost (None),
        as a damaged record of the driver's own log is."""
        wal = self._wal(sid)
        if body is None:
            try:
                body = wal.read(ref)
            except WALCorruptionError as e:
                wal_faults.report_unreadable_record(self, sid, ref, e)
                raise
        kind, block_id, count, *rest = body
        log_ref = None
        if kind == "block":
            data = rest[0]
        elif kind == "block_ref":  # kept and logged by an executor of the crashed run
            log_ref = rest[1]
            try:
                data = read_logged_block(log_ref)
            except (WALCorruptionError, OSError) as e:
                if not referenced:
                    wal_faults.report_lost_logged_block(self, sid, log_ref, e)
                    return None
                wal_faults.report_unreadable_record(self, sid, ref, e, log_ref)
                raise
            self._block_logs().adopt(sid, log_ref)
        else:
            raise ValueError(f"write-ahead log record {ref} is a {kind!r} record, not a block")
        tracked = self._receivers.get(sid)
        if tracked is not None:
            info = self._store.add(sid, block_id, count, data, tracked.receiver.storageLevel)
        else:
            info = self._store.add(sid, block_id, count, data)
        info.wal_ref, info.log_ref = ref, log_ref
        wal.adopt(ref)
        return info

    def _replay_after_checkpoint(self, wal_state: dict, known: dict, allocated: dict,
                                 unallocated: dict) -> None:
        """Blocks and allocations the crashed run logged after its checkpoint, in order."""
        run_id = wal_state["run_id"]
        next_seq = {int(k): v for k, v in wal_state.get("next_seq", {}).items()}
        root = self._wal_root()
        try:
            streams = sorted(int(d) for d in os.listdir(root) if d.isdigit())
        except FileNotFoundError:
            streams = []
        for sid in streams:
            wal = self._wal(sid)
            first = next_seq.get(sid, 0)
            damage: list[tuple[str, int, int, bool]] = []
            segments = [n for n in segment_names(wal.directory) if segment_run(n) == run_id]
            # In log order (sequence numbers, not segment names: a wall clock may step back).
            records = sorted(
                (seq, ref, body) for segment in segments
                for ref, seq, body in wal.scan(segment, damage) if seq >= first)
            if damage:
                wal_faults.report_damage(self, sid, damage, first, [r[0] for r in records],
                                         segments[-1])
            for _seq, ref, body in records:
                if body[0] in ("block", "block_ref"):
                    if (sid, ref) not in known:
                        info = self._revive(sid, ref, body, referenced=False)
                        if info is None:
                            continue
                        known[sid, ref] = info
                        unallocated.setdefault(sid, []).append(info)
                elif body[0] == "alloc":
                    _, t, refs = body
                    wal.adopt_allocation(ref.segment, t)
                    if sid in allocated.get(t, {}):
                        continue  # the checkpoint has this batch already
                    wanted = {WALRef(*r) for r in refs}
                    pending = unallocated.get(sid, [])
                    allocated.setdefault(t, {})[sid] = [
                        b for b in pending if b.wal_ref in wanted]
                    unallocated[sid] = [b for b in pending if b.wal_ref not in wanted]

    def _record_error(self, tracked: _TrackedReceiver, message: str, error: str) -> None:
        tracked.last_error_message, tracked.last_error = message, error
        tracked.last_error_time = int(time.time() * 1000)
        self._post("Error", tracked)

    def _post(self, kind: str, tracked: _TrackedReceiver) -> None:
        bus = getattr(self.ssc, "_listener_bus", None)
        if bus is None:
            return
        try:
            bus.post(_event(kind, tracked.info()))
        except Exception:  # noqa: BLE001 - a listener problem must not stop receiving
            log.exception("could not post receiver event %s", kind)

    # -- rates -----------------------------------------------------------------------------

    def send_rate_update(self, stream_id: int, rate: float) -> None:
        """New ingestion rate (records/s) for a stream's receiver, capped by ``maxRate``."""
        tracked = self._receivers.get(stream_id)
        if tracked is None:
            return
        tracked.rate = rate
        self._send(tracked, ("rate", effective_rate(rate, self.rate["maxRate"])))

    # -- batches ---------------------------------------------------------------------------

    def has_unallocated_blocks(self) -> bool:
        """Whether some received block is not yet given to a batch."""
        with self._lock:
            return any(self._unallocated.values())

    def allocate_blocks_to_batch(self, batch_time_ms: int) -> None:
        """Give every block received and not yet allocated to the batch at this time. With
        the write-ahead log on, the allocation is logged first (a recovered driver then
        rebuilds this batch as it was, even if no checkpoint recorded it)."""
        with self._wal_lock:
            with self._lock:
                if batch_time_ms in self._allocated:
                    return  # allocated already (a batch is never given blocks twice)
                batch = dict(self._unallocated)
            if self.wal_enabled:
                for sid in list(self._wals):
                    wal_faults.relog_lost_blocks(self, sid, check=True)
                for sid, blocks in batch.items():
                    refs = [b.wal_ref for b in blocks if b.wal_ref is not None]
                    if not refs:
                        continue
                    try:
                        self._wal(sid).write_allocation(batch_time_ms, refs)
                    except OSError as e:
                        # Still allocated; a recovery would give these blocks to a later batch.
                        log.warning("could not log the allocation of batch %d ms for stream "
                                    "%d: %s", batch_time_ms, sid, e)
            with self._lock:
                self._allocated[batch_time_ms] = batch
                self._unallocated = {sid: [] for sid in self._unallocated}

    def _blocks(self, stream_id: int, batch_time_ms: int) -> list[ReceivedBlockInfo]:
        with self._lock:
            return list(self._allocated.get(batch_time_ms, {}).get(stream_id, ()))

    def blocks_rdd(self, stream_id: int, batch_time_ms: int) -> ReceivedBlockRDD:
        """The batch's input RDD for a stream: one partition per block (none if empty)."""
        rdd = ReceivedBlockRDD(self.sc, self._blocks(stream_id, batch_time_ms))
        rdd.partitions()  # take the block references now, before any cleanup
        return rdd

    def num_records(self, stream_id: int, batch_time_ms: int) -> int:
        return sum(b.num_records for b in self._blocks(stream_id, batch_time_ms))

    def cleanup_before(self, time_ms: int) -> None:
        """Forget the blocks of batches before ``time_ms`` (their spill files go too), and
        delete the write-ahead log segments whose blocks all belong to batches cleaned up
        this way -- ``wal_cleanup_lag`` calls later: the checkpoint written just before this
        call still refers to those batches, and recovery may fall back to any of the
        ``spark.sparklet.streaming.recovery.checkpoint.retained`` newest (two per batch).
        """
        with self._wal_lock:
            with self._lock:
                old = [t for t in self._allocated if t < time_ms]
                batches = [self._allocated.pop(t) for t in old]
            released, on_executors = [], []
            for batch in batches:
                for sid, blocks in batch.items():
                    for info in blocks:
                        if info.executor_id is not None:
                            on_executors.append(info.block_id)
                        else:
                            self._store.remove(info)
                        if info.wal_ref is not None:
                            released.append((sid, info.wal_ref, info.log_ref))
            if on_executors:
                self.sc._backend.broadcast_message(("remove_blocks", on_executors))
            if not self.wal_enabled:
                return
            self._wal_releases.append((time_ms, released))
            while len(self._wal_releases) > self.wal_cleanup_lag:
                before, refs = self._wal_releases.popleft()
                for sid, ref, log_ref in refs:
                    self._wal(sid).release(ref)
                    if log_ref is not None:
                        self._block_logs().release(sid, log_ref)
                for wal in self._wals.values():
                    wal.clean(before)
                if self._executor_logs is not None:
                    self._executor_logs.clean()

    # -- introspection (tests, UI) ---------------------------------------------------------

    def held_records(self, stream_id: int | None = None) -> int:
        """Records received and not yet allocated to a batch."""
        with self._lock:
            return sum(b.num_records for sid, blocks in self._unallocated.items()
                       if stream_id is None or sid == stream_id for b in blocks)

    def received_records(self, stream_id: int) -> int:
        with self._lock:
            return self._received_records.get(stream_id, 0)

    def receiver_info(self, stream_id: int) -> ReceiverInfo:
        return self._receivers[stream_id].info()

    def connections(self, stream_id: int) -> int:
        """How many times a task has connected for this stream (1 + relaunches)."""
        return self._receivers[stream_id].connections

    def pending_handshakes(self) -> int:
        """Connections to the receiver endpoint still in their handshake."""
        return self._endpoint.pending if self._endpoint is not None else 0

    def wait_for_receivers(self, timeout: float = 10.0) -> bool:
        """Block until every receiver has started (True) or ``timeout`` passes (False)."""
        with self._lock:
            return self._lock.wait_for(
                lambda: all(t.active for t in self._receivers.values()), timeout)

    @property
    def block_store(self) -> BlockStore:
        return self._store

    # -- stopping --------------------------------------------------------------------------

    def stop(self, graceful: bool) -> None:
        """Stop every receiver. Graceful: wait until each has pushed its last block, so all
        it received is here to be allocated. Either way the receivers' tasks end and free
        their executor slots."""
        with self._lock:
            if self._state != "started":
                self._state = "stopped"
                return
            self._state = "stopping"
            self._lock.notify_all()
        receivers = list(self._receivers.values())
        for tracked in receivers:
            self._send(tracked, ("stop", "Stopped by driver"))
        # Spark waits for the receivers' jobs to end either way; graceful waits longer.
        timeout = self.stop_timeout if graceful else min(self.stop_timeout, 2.0)
        deadline = time.monotonic() + timeout
        for tracked in receivers:
            ended = tracked.job_done.wait(max(0.0, deadline - time.monotonic()))
            # The task has closed its end; read what it sent up to there (its last block).
            if tracked.connections and not tracked.flushed.wait(
                    max(0.0, deadline - time.monotonic())) or not ended:
                log.warning("receiver %d did not stop within %.1f s; what it still held is "
                            "lost", tracked.stream_id, timeout)
        if self._endpoint is not None:
            self._endpoint.close()
        for tracked in receivers:
            if tracked.conn is not None:
                close_socket(tracked.conn)
        with self._lock:
            self._state = "stopped"
            self._lock.notify_all()
