"""StreamingContext: the entry point of Spark Streaming."""

from __future__ import annotations

import atexit
import collections
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from sparklet.context import SparkContext
from sparklet.rdd import RDD
from sparklet.storagelevel import StorageLevel
from sparklet.streaming.clock import clock_from_conf
from sparklet.streaming.dstream import DStream, MultiTransformedDStream, UnionDStream
from sparklet.streaming.graph import DStreamGraph
from sparklet.streaming.listener import (
    StreamingListener,
    StreamingListenerBus,
    StreamingListenerStreamingStarted,
)

__all__ = ["StreamingContext"]

log = logging.getLogger("sparklet.streaming")

INITIALIZED, ACTIVE, STOPPED = "INITIALIZED", "ACTIVE", "STOPPED"


class StreamingContext:
    """Main entry point for Spark Streaming: creates DStreams from input sources over a
    :class:`SparkContext`, then runs them batch by batch between :meth:`start` and
    :meth:`stop`.

    Parameters
    ----------
    sparkContext : SparkContext
    batchDuration : int or float
        the batch interval, in seconds.

    Notes
    -----
    PySpark 3.4+ warns on creation that DStreams are deprecated; sparklet does not:
    DStreams are its first-class streaming API.

    >>> from sparklet import SparkContext
    >>> from sparklet.streaming import StreamingContext
    >>> sc = SparkContext.getOrCreate()
    >>> ssc = StreamingContext(sc, 0.5)
    >>> ssc.sparkContext is sc, ssc.getState()
    (True, 'INITIALIZED')
    >>> ssc.start()
    Traceback (most recent call last):
        ...
    ValueError: requirement failed: No output operations registered, so nothing to execute
    >>> ssc.getState()
    'STOPPED'
    """

    _activeContext: StreamingContext | None = None
    _activation_lock = threading.RLock()

    def __init__(self, sparkContext: SparkContext, batchDuration: float | None = None,
                 jssc: Any = None):
        if batchDuration is None:
            raise ValueError("requirement failed: Batch duration has not been set")
        batch_ms = int(batchDuration * 1000)
        if batch_ms <= 0:
            raise ValueError("requirement failed: Batch duration must be positive, got "
                             f"{batchDuration!r}")
        self._sc = sparkContext
        self._graph = DStreamGraph(batch_ms)
        self._clock = clock_from_conf(sparkContext.getConf())
        self._listener_bus = StreamingListenerBus()
        live_bus = getattr(sparkContext, "_listener_bus", None)
        if live_bus is not None and live_bus.active:  # the UI or the event log listens
            from sparklet.ui.hooks import StreamingEvents

            self._listener_bus.add_listener(StreamingEvents(self, live_bus))
        self._receiver_tracker: Any = None
        self._state = INITIALIZED
        self._waiter = threading.Condition()
        self._error: BaseException | None = None
        self._checkpoint_dir: str | None = None
        self._recovery: Any = None  # a checkpoint.RecoveryPlan when getOrCreate recovered
        # None: the conf's spark.sparklet.streaming.recovery.rebuildFromSetupFunc decides.
        self._rebuild_from_setup_func: bool | None = None
        self._graph_bytes: bytes | None = None  # the graph as checkpoints save it
        self._previous_sigterm: Any = None
        from sparklet.streaming.scheduler import JobScheduler

        self._scheduler = JobScheduler(self)

    @property
    def _checkpointed_driver_state(self) -> dict[str, Any]:
        """Driver-side objects (streaming MLlib models) whose ``_checkpoint_state()`` the
        metadata checkpoints save, by name; see ``checkpoint.register_driver_state``."""
        return self._graph.driver_state

    def _use_graph(self, graph: DStreamGraph) -> None:
        """Run ``graph`` (deserialized from a checkpoint) instead of this context's own
        empty one."""
        from sparklet.streaming.scheduler import JobScheduler

        graph.attach(self)
        self._graph = graph
        self._scheduler = JobScheduler(self)

    # -- creating and finding contexts -----------------------------------------------------

    @classmethod
    def _recover_from_checkpoint(cls, checkpointPath: str,
                                 setupFunc: Callable[[], StreamingContext],
                                 rebuild: bool) -> StreamingContext | None:
        """The context recovered from the newest good checkpoint of ``checkpointPath``;
        None when there is none (a fresh start).

        By default, as Spark: the serialized graph is deserialized, and ``setupFunc`` is
        not called. With ``rebuild`` (the upgrade path) ``setupFunc`` rebuilds the
        application -- possibly a newer version of the code -- and the checkpoint's
        operators are matched to the new graph's by key.
        """
        from sparklet.streaming.recovery.checkpoint import (
            RecoveryPlan,
            latest_checkpoint,
            recover_context,
        )

        found = latest_checkpoint(checkpointPath)
        if found is None:
            return None
        payload, path = found
        log.info("Recovering from checkpoint %s (batch time %d ms, pending %s%s)", path,
                 payload["checkpoint_time"], payload["pending_times"],
                 ", rebuilding the application with setupFunc" if rebuild else "")
        if not rebuild:
            return recover_context(checkpointPath, payload, path)
        ssc = setupFunc()
        if not isinstance(ssc, StreamingContext):
            raise TypeError(f"setupFunc should return a StreamingContext, got {ssc!r}")
        if ssc._checkpoint_dir is None:
            ssc.checkpoint(checkpointPath)
        ssc._rebuild_from_setup_func = True
        ssc._recovery = RecoveryPlan(ssc, payload, path)
        return ssc

    @staticmethod
    def _rebuild_requested(rebuildFromSetupFunc: bool | None) -> bool:
        if rebuildFromSetupFunc is not None:
            return bool(rebuildFromSetupFunc)
        from sparklet.conf import SparkConf
        from sparklet.streaming.recovery.checkpoint import rebuild_from_setup_func

        active = SparkContext._active_spark_context
        # The new run's configuration: the active context's, else this environment's
        # defaults (spark-defaults.conf, ``sparklet-submit --conf``).
        return rebuild_from_setup_func(active.getConf() if active is not None
                                       else SparkConf())

    @classmethod
    def getOrCreate(cls, checkpointPath: str, setupFunc: Callable[[], StreamingContext],
                    *, rebuildFromSetupFunc: bool | None = None) -> StreamingContext:
        """Recreate a StreamingContext from checkpoint data in ``checkpointPath`` or, when
        there is none, create one with ``setupFunc()`` and set its checkpoint directory.

        As in PySpark, recovery does not call ``setupFunc``: the DStream graph and its
        functions are deserialized from the checkpoint, on the active SparkContext or a
        new one made from the saved configuration; the saved state and input positions are
        attached and the batches pending at the crash (and those of the down time) run
        first.

        Parameters
        ----------
        checkpointPath : str
            Checkpoint directory used in an earlier run (any fsspec URL).
        setupFunc : function
            Creates a new StreamingContext and sets up its DStreams.
        rebuildFromSetupFunc : bool, optional
            sparklet's upgrade path: on recovery call ``setupFunc`` (possibly new code) and
            attach the saved state to its streams, matched by name or graph shape (see
            docs/fault-tolerance.md). Default: the new run's
            ``spark.sparklet.streaming.recovery.rebuildFromSetupFunc`` (false).
        """
        if not callable(setupFunc):
            raise TypeError("setupFunc should be callable.")
        rebuild = cls._rebuild_requested(rebuildFromSetupFunc)
        ssc = cls._recover_from_checkpoint(checkpointPath, setupFunc, rebuild)
        if ssc is not None:
            return ssc
        ssc = setupFunc()
        ssc.checkpoint(checkpointPath)
        if rebuildFromSetupFunc is not None:
            ssc._rebuild_from_setup_func = bool(rebuildFromSetupFunc)
        return ssc

    @classmethod
    def getActive(cls) -> StreamingContext | None:
        """The started and not yet stopped context, if any."""
        return cls._activeContext

    @classmethod
    def getActiveOrCreate(cls, checkpointPath: str | None,
                          setupFunc: Callable[[], StreamingContext], *,
                          rebuildFromSetupFunc: bool | None = None) -> StreamingContext:
        """The active context, else :meth:`getOrCreate` (or ``setupFunc()`` without a
        checkpoint path)."""
        if not callable(setupFunc):
            raise TypeError("setupFunc should be callable.")
        active = cls.getActive()
        if active is not None:
            return active
        if checkpointPath is not None:
            return cls.getOrCreate(checkpointPath, setupFunc,
                                   rebuildFromSetupFunc=rebuildFromSetupFunc)
        return setupFunc()

    @property
    def sparkContext(self) -> SparkContext:
        """The SparkContext this context runs on."""
        return self._sc

    def getState(self) -> str:
        """``INITIALIZED``, ``ACTIVE`` or ``STOPPED``."""
        return self._state

    def _check_can_add_stream(self) -> None:
        if self._state == ACTIVE:
            raise RuntimeError("Adding new inputs, transformations, and output operations "
                               "after starting a context is not supported")
        if self._state == STOPPED:
            raise RuntimeError("Adding new inputs, transformations, and output operations "
                               "after stopping a context is not supported")

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start running the streams."""
        with StreamingContext._activation_lock:
            if self._state == ACTIVE:
                log.warning("StreamingContext has already been started")
                return
            if self._state == STOPPED:
                raise RuntimeError("StreamingContext has already been stopped")
            active = StreamingContext._activeContext
            if active is not None and active is not self:
                raise RuntimeError("Only one StreamingContext may be started in this JVM. "
                                   "Currently running StreamingContext was started at "
                                   f"{active._started_at}")
            try:
                self._validate()
                self._start_receivers_tracker()
                self._listener_bus.start()
                self._scheduler.start()
            except BaseException:
                log.error("Error starting the context, marking it as stopped")
                self._state = STOPPED
                self._scheduler.stop(False)
                self._listener_bus.stop()
                raise
            import time as _time

            self._started_at = _time.strftime("%Y-%m-%d %H:%M:%S")
            self._state = ACTIVE
            StreamingContext._activeContext = self
        atexit.register(self._stop_on_shutdown)
        self._install_sigterm_handler()
        self._listener_bus.post(StreamingListenerStreamingStarted(self._clock_wall_ms()))

    @staticmethod
    def _clock_wall_ms() -> int:
        import time as _time

        return int(_time.time() * 1000)

    def _validate(self) -> None:
        self._graph.validate()
        if self._checkpoint_dir is not None and self._sc.getCheckpointDir() is None:
            raise ValueError("requirement failed: Checkpoint directory does not exist")
        if self._checkpoint_dir is not None:
            self._serialize_graph()

    def _serialize_graph(self) -> None:
        """Serialize the graph for the metadata checkpoints (as Spark's validate, before
        anything runs): a graph that cannot be serialized fails ``start()``, unless the
        application recovers by rebuilding itself with setupFunc, which does not need it."""
        from sparklet.streaming.recovery.checkpoint import (
            NotSerializableError,
            rebuild_from_setup_func,
            serialize_graph,
        )

        rebuild = self._rebuild_from_setup_func
        if rebuild is None:
            rebuild = rebuild_from_setup_func(self._sc.getConf())
        try:
            self._graph_bytes = serialize_graph(self)
        except NotSerializableError as e:
            if not rebuild:
                raise
            log.warning("Checkpoints will hold no DStream graph (recovery rebuilds the "
                        "application with setupFunc): %s", e)
            self._graph_bytes = None

    def _start_receivers_tracker(self) -> None:
        streams = self._graph.receiver_input_streams
        if not streams or self._receiver_tracker is not None:
            return
        from sparklet.streaming.receiver.tracker import ReceiverTracker

        tracker = ReceiverTracker(self)
        for stream in streams:
            tracker.register(stream.input_stream_id, stream.receiver)
        self._receiver_tracker = tracker

    def _stop_on_shutdown(self) -> None:
        if self._state == ACTIVE:
            graceful = self._sc.getConf().get(
                "spark.streaming.stopGracefullyOnShutdown", "false") == "true"
            self.stop(stopSparkContext=False, stopGraceFully=graceful)

    def _install_sigterm_handler(self) -> None:
        """With ``spark.streaming.stopGracefullyOnShutdown``, SIGTERM (what a supervisor
        sends to stop a service) stops the context gracefully -- every received record and
        generated batch is processed -- and then ends the program with ``SystemExit(0)``.
        Spark does this from a JVM shutdown hook; Python runs no atexit hooks on SIGTERM,
        so a signal handler (main thread only) is the way to get there."""
        import signal

        conf = self._sc.getConf()
        if conf.get("spark.streaming.stopGracefullyOnShutdown", "false").lower() != "true":
            return
        if threading.current_thread() is not threading.main_thread():
            log.warning("stopGracefullyOnShutdown: not in the main thread, so no SIGTERM "
                        "handler is installed")
            return

        def on_sigterm(signum, frame):
            log.info("SIGTERM: stopping the StreamingContext gracefully")
            signal.signal(signal.SIGTERM, self._previous_sigterm or signal.SIG_DFL)
            if self._state == ACTIVE:
                self.stop(stopSparkContext=True, stopGraceFully=True)
            raise SystemExit(0)

        self._previous_sigterm = signal.signal(signal.SIGTERM, on_sigterm)

    def _uninstall_sigterm_handler(self) -> None:
        import signal

        if (self._previous_sigterm is not None
                and threading.current_thread() is threading.main_thread()):
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None

    def stop(self, stopSparkContext: bool = True, stopGraceFully: bool = False) -> None:
        """Stop the streams; with ``stopGraceFully``, first process everything received
        (and every batch already generated). Stops the SparkContext too unless told not to.
        """
        with StreamingContext._activation_lock:
            state = self._state
            self._state = STOPPED
            if StreamingContext._activeContext is self:
                StreamingContext._activeContext = None
        if state == ACTIVE:
            try:
                self._scheduler.stop(stopGraceFully)
            finally:
                self._listener_bus.stop()
                live_bus = getattr(self._sc, "_listener_bus", None)
                if live_bus is not None:
                    from sparklet.ui.events import now_ms

                    live_bus.post({"Event": "StreamingListenerStreamingStopped",
                                   "time": now_ms()})
                atexit.unregister(self._stop_on_shutdown)
                self._uninstall_sigterm_handler()
        elif state == STOPPED:
            log.warning("StreamingContext has already been stopped")
        with self._waiter:
            self._waiter.notify_all()
        if stopSparkContext:
            self._sc.stop()

    def _report_error(self, message: str, error: BaseException) -> None:
        log.error("%s: %s", message, error)
        with self._waiter:
            self._error = error
            self._waiter.notify_all()

    def awaitTermination(self, timeout: float | None = None) -> None:
        """Wait for the context to stop (or ``timeout`` seconds); re-raises an error that
        a batch reported."""
        if timeout is None:
            self._wait(None)
        else:
            self.awaitTerminationOrTimeout(timeout)

    def awaitTerminationOrTimeout(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds: True if the context stopped, False if the time
        ran out; re-raises an error that a batch reported."""
        return self._wait(timeout)

    def _wait(self, timeout: float | None) -> bool:
        with self._waiter:
            self._waiter.wait_for(lambda: self._state == STOPPED or self._error is not None,
                                  timeout)
            if self._error is not None:
                raise self._error
            return self._state == STOPPED

    def remember(self, duration: float) -> None:
        """Make every stream keep its RDDs for at least ``duration`` seconds."""
        self._graph.remember(int(duration * 1000))

    def checkpoint(self, directory: str) -> None:
        """Directory (any fsspec URL) for checkpoints; needed by stateful and inverse-
        windowed operations, whose RDDs are checkpointed to keep lineage short."""
        from sparklet.filesystems import file_system

        fs, path = file_system(directory)
        fs.makedirs(path, exist_ok=True)
        self._sc.setCheckpointDir(directory)
        self._checkpoint_dir = directory

    def addStreamingListener(self, streamingListener: StreamingListener) -> None:
        """Receive streaming events (see :class:`StreamingListener`)."""
        self._listener_bus.add_listener(streamingListener)

    def removeStreamingListener(self, streamingListener: StreamingListener) -> None:
        self._listener_bus.remove_listener(streamingListener)

    # -- input streams ---------------------------------------------------------------------

    def queueStream(self, rdds: list, oneAtATime: bool = True,
                    default: RDD | Iterable | None = None) -> DStream:
        """A stream fed from a list of RDDs (or of local collections, parallelized): one per
        batch (``oneAtATime``) or all in the first batch; then ``default`` or empty RDDs.
        Changes to ``rdds`` after this call are not seen."""
        from sparklet.streaming.inputs import QueueInputDStream

        if default is not None and not isinstance(default, RDD):
            default = self._sc.parallelize(default)
        rdds = list(rdds)
        if not rdds and default is not None:
            rdds = [[]]  # as PySpark: the first batch is then empty, the default follows
        rdds = [r if isinstance(r, RDD) else self._sc.parallelize(r) for r in rdds]
        return QueueInputDStream(self, collections.deque(rdds), oneAtATime, default)

    def textFileStream(self, directory: str) -> DStream[str]:
        """Lines of the new text files (UTF-8) of ``directory``, batch by batch. Files must
        appear atomically (moved in); names starting with '.' are ignored."""
        return self.fileStream(directory)

    def fileStream(self, directory: str, filter: Callable[[str], bool] | None = None,
                   newFilesOnly: bool = True) -> DStream[str]:
        """Like :meth:`textFileStream`, choosing files with ``filter(path)`` and, with
        ``newFilesOnly=False``, also reading files already there at start."""
        from sparklet.streaming.inputs import FileInputDStream

        return FileInputDStream(self, directory, lambda sc, f: sc.textFile(f), filter,
                                newFilesOnly)

    def binaryRecordsStream(self, directory: str, recordLength: int) -> DStream[bytes]:
        """Fixed-length binary records of the new files of ``directory``."""
        from sparklet.streaming.inputs import FileInputDStream, binary_records_rdd

        if recordLength <= 0:
            raise ValueError(f"recordLength must be positive, got {recordLength}")
        return FileInputDStream(self, directory,
                                lambda sc, f: binary_records_rdd(sc, f, recordLength))

    def receiverStream(self, receiver: Any) -> DStream:
        """A stream of what a custom :class:`~sparklet.streaming.Receiver` stores."""
        from sparklet.streaming.inputs import ReceiverInputDStream

        return ReceiverInputDStream(self, receiver)

    def socketStream(self, hostname: str, port: int, converter: Callable,
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2) -> DStream:
        """Records read from a TCP connection to ``hostname:port``; ``converter`` turns the
        connection's binary stream into records."""
        from sparklet.streaming.sources.socket import SocketReceiver

        return self.receiverStream(SocketReceiver(hostname, port, converter, storageLevel))

    def socketTextStream(self, hostname: str, port: int,
                         storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2
                         ) -> DStream[str]:
        """UTF-8, newline-delimited lines read from a TCP connection to ``hostname:port``
        (undecodable bytes become U+FFFD, as in Spark: bad input never stops the stream)."""
        from sparklet.streaming.sources.socket import utf8_lines

        return self.socketStream(hostname, port, utf8_lines, storageLevel)

    # -- combining streams -----------------------------------------------------------------

    def transform(self, dstreams: list[DStream], transformFunc: Callable) -> DStream:
        """A stream whose RDDs are ``transformFunc(rdds)`` of the given streams' RDDs (in
        the same order)."""
        return MultiTransformedDStream(list(dstreams), lambda t, *rdds: transformFunc(rdds))

    def union(self, *dstreams: DStream) -> DStream:
        """The union of several streams of the same slide duration."""
        if not dstreams:
            raise ValueError("should have at least one DStream to union")
        if len(dstreams) == 1:
            return dstreams[0]
        if len({s._slide_ms for s in dstreams}) > 1:
            raise ValueError("All DStreams should have same slide duration")
        return UnionDStream(list(dstreams))
