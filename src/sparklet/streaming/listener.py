"""Streaming listeners: Spark's events, the batch/output-operation/receiver infos they carry,
and the bus that delivers them.

Event and info objects are read the way PySpark programs read them (PySpark hands listeners
the Java wrappers, whose fields are methods): ``batchCompleted.batchInfo().numRecords()``,
``info.batchTime().milliseconds()``, and delays of -1 while unknown.

>>> info = BatchInfo(Time(2000), {}, 1_700_000_000_000, 1_700_000_000_010,
...                  1_700_000_000_050, {})
>>> info.batchTime().milliseconds(), info.schedulingDelay(), info.processingDelay()
(2000, 10, 40)
>>> info.totalDelay(), info.numRecords()
(50, 0)
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

__all__ = [
    "StreamingListener", "Time", "BatchInfo", "StreamInputInfo", "OutputOperationInfo",
    "ReceiverInfo", "StreamingListenerEvent", "StreamingListenerStreamingStarted",
    "StreamingListenerReceiverStarted", "StreamingListenerReceiverError",
    "StreamingListenerReceiverStopped", "StreamingListenerBatchSubmitted",
    "StreamingListenerBatchStarted", "StreamingListenerBatchCompleted",
    "StreamingListenerOutputOperationStarted", "StreamingListenerOutputOperationCompleted",
    "StreamingListenerWriteAheadLogCorruption", "StreamingListenerBus",
]

log = logging.getLogger("sparklet.streaming")


class StreamingListener:
    """Receives streaming events; override the methods you need (all default to no-ops)."""

    def __init__(self) -> None:
        pass

    def onStreamingStarted(self, streamingStarted: Any) -> None:
        """Called when the streaming has been started."""

    def onReceiverStarted(self, receiverStarted: Any) -> None:
        """Called when a receiver has been started."""

    def onReceiverError(self, receiverError: Any) -> None:
        """Called when a receiver has reported an error."""

    def onReceiverStopped(self, receiverStopped: Any) -> None:
        """Called when a receiver has been stopped."""

    def onBatchSubmitted(self, batchSubmitted: Any) -> None:
        """Called when a batch of jobs has been submitted for processing."""

    def onBatchStarted(self, batchStarted: Any) -> None:
        """Called when processing of a batch of jobs has started."""

    def onBatchCompleted(self, batchCompleted: Any) -> None:
        """Called when processing of a batch of jobs has completed."""

    def onOutputOperationStarted(self, outputOperationStarted: Any) -> None:
        """Called when processing of a job of a batch has started."""

    def onOutputOperationCompleted(self, outputOperationCompleted: Any) -> None:
        """Called when processing of a job of a batch has completed."""

    def onWriteAheadLogCorruption(self, writeAheadLogCorruption: Any) -> None:
        """Called when records of the receiver write-ahead log, acknowledged when they were
        written, are found damaged and lost (sparklet's event; Spark has none)."""


class Time:
    """A batch time in milliseconds (Spark's ``org.apache.spark.streaming.Time``)."""

    __slots__ = ("_ms",)

    def __init__(self, millis: int):
        self._ms = int(millis)

    def milliseconds(self) -> int:
        return self._ms

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Time) and other._ms == self._ms

    def __lt__(self, other: Time) -> bool:
        return self._ms < other._ms

    def __hash__(self) -> int:
        return hash(self._ms)

    def __repr__(self) -> str:
        return f"{self._ms} ms"


def _opt(value: int | None) -> int:
    return -1 if value is None else value


class StreamInputInfo:
    """What one input stream contributed to a batch."""

    def __init__(self, inputStreamId: int, numRecords: int, metadata: dict | None = None):
        self._id, self._n, self._meta = inputStreamId, int(numRecords), dict(metadata or {})

    def inputStreamId(self) -> int:
        return self._id

    def numRecords(self) -> int:
        return self._n

    def metadata(self) -> dict:
        return self._meta

    def metadataDescription(self) -> str | None:
        return self._meta.get("Description")

    def __repr__(self) -> str:
        return f"StreamInputInfo({self._id}, {self._n}, {self._meta!r})"


class OutputOperationInfo:
    """One output operation of one batch: its id (the order it was registered in), name,
    call-site description, wall-clock start/end (-1 while unknown) and failure, if any."""

    def __init__(self, batchTime: Time, id: int, name: str, description: str,
                 startTime: int | None = None, endTime: int | None = None,
                 failureReason: str | None = None):
        self._batch_time, self._id, self._name = batchTime, id, name
        self._description = description
        self.start_time, self.end_time, self.failure_reason = startTime, endTime, failureReason

    def batchTime(self) -> Time:
        return self._batch_time

    def id(self) -> int:
        return self._id

    def name(self) -> str:
        return self._name

    def description(self) -> str:
        return self._description

    def startTime(self) -> int:
        return _opt(self.start_time)

    def endTime(self) -> int:
        return _opt(self.end_time)

    def failureReason(self) -> str | None:
        return self.failure_reason

    def duration(self) -> int:
        if self.start_time is None or self.end_time is None:
            return -1
        return self.end_time - self.start_time

    def _copy(self) -> OutputOperationInfo:
        return OutputOperationInfo(self._batch_time, self._id, self._name, self._description,
                                   self.start_time, self.end_time, self.failure_reason)

    def __repr__(self) -> str:
        return (f"OutputOperationInfo({self._batch_time!r}, {self._id}, {self._name!r}, "
                f"start={self.start_time}, end={self.end_time}, "
                f"failure={self.failure_reason!r})")


class BatchInfo:
    """A batch's timing and input (Spark's BatchInfo as PySpark shows it).

    ``submissionTime``/``processingStartTime``/``processingEndTime`` are wall-clock ms (also
    under a manual clock, as in Spark); ``schedulingDelay`` = start - submission,
    ``processingDelay`` = end - start, ``totalDelay`` = their sum; -1 while unknown.
    ``numRecords`` sums ``streamIdToInputInfo`` (receiver streams report records; queue
    and file streams report 0, as in Spark).
    """

    def __init__(self, batchTime: Time, streamIdToInputInfo: dict[int, StreamInputInfo],
                 submissionTime: int, processingStartTime: int | None,
                 processingEndTime: int | None,
                 outputOperationInfos: dict[int, OutputOperationInfo]):
        self._batch_time = batchTime
        self._inputs = dict(streamIdToInputInfo)
        self._submission = submissionTime
        self._start = processingStartTime
        self._end = processingEndTime
        self._ops = dict(outputOperationInfos)

    def batchTime(self) -> Time:
        return self._batch_time

    def streamIdToInputInfo(self) -> dict[int, StreamInputInfo]:
        return self._inputs

    def submissionTime(self) -> int:
        return self._submission

    def processingStartTime(self) -> int:
        return _opt(self._start)

    def processingEndTime(self) -> int:
        return _opt(self._end)

    def schedulingDelay(self) -> int:
        return -1 if self._start is None else self._start - self._submission

    def processingDelay(self) -> int:
        if self._start is None or self._end is None:
            return -1
        return self._end - self._start

    def totalDelay(self) -> int:
        s, p = self.schedulingDelay(), self.processingDelay()
        return -1 if s < 0 or p < 0 else s + p

    def numRecords(self) -> int:
        return sum(i.numRecords() for i in self._inputs.values())

    def outputOperationInfos(self) -> dict[int, OutputOperationInfo]:
        return self._ops

    def __repr__(self) -> str:
        return (f"BatchInfo(batchTime={self._batch_time!r}, numRecords={self.numRecords()}, "
                f"submissionTime={self._submission}, "
                f"processingStartTime={self.processingStartTime()}, "
                f"processingEndTime={self.processingEndTime()})")


class ReceiverInfo:
    """A receiver's status, as carried by the receiver events."""

    def __init__(self, streamId: int, name: str, active: bool, location: str = "",
                 executorId: str = "", lastErrorMessage: str = "", lastError: str = "",
                 lastErrorTime: int = -1):
        self._stream_id, self._name, self._active = streamId, name, active
        self._location, self._executor_id = location, executorId
        self._last_error_message, self._last_error = lastErrorMessage, lastError
        self._last_error_time = lastErrorTime

    def streamId(self) -> int:
        return self._stream_id

    def name(self) -> str:
        return self._name

    def active(self) -> bool:
        return self._active

    def location(self) -> str:
        return self._location

    def executorId(self) -> str:
        return self._executor_id

    def lastErrorMessage(self) -> str:
        return self._last_error_message

    def lastError(self) -> str:
        return self._last_error

    def lastErrorTime(self) -> int:
        return self._last_error_time

    def __repr__(self) -> str:
        return f"ReceiverInfo({self._stream_id}, {self._name!r}, active={self._active})"


class StreamingListenerEvent:
    """Base of all events; ``_method`` names the listener method that receives it."""

    _method = ""


class StreamingListenerStreamingStarted(StreamingListenerEvent):
    _method = "onStreamingStarted"

    def __init__(self, time: int):
        self._time = time

    def time(self) -> int:
        """Wall-clock ms when the context started."""
        return self._time


class _ReceiverEvent(StreamingListenerEvent):
    def __init__(self, receiverInfo: ReceiverInfo):
        self._info = receiverInfo

    def receiverInfo(self) -> ReceiverInfo:
        return self._info


class StreamingListenerReceiverStarted(_ReceiverEvent):
    _method = "onReceiverStarted"


class StreamingListenerReceiverError(_ReceiverEvent):
    _method = "onReceiverError"


class StreamingListenerReceiverStopped(_ReceiverEvent):
    _method = "onReceiverStopped"


class _BatchEvent(StreamingListenerEvent):
    def __init__(self, batchInfo: BatchInfo):
        self._info = batchInfo

    def batchInfo(self) -> BatchInfo:
        return self._info


class StreamingListenerBatchSubmitted(_BatchEvent):
    _method = "onBatchSubmitted"


class StreamingListenerBatchStarted(_BatchEvent):
    _method = "onBatchStarted"


class StreamingListenerBatchCompleted(_BatchEvent):
    _method = "onBatchCompleted"


class _OutputOperationEvent(StreamingListenerEvent):
    def __init__(self, outputOperationInfo: OutputOperationInfo):
        self._info = outputOperationInfo

    def outputOperationInfo(self) -> OutputOperationInfo:
        return self._info


class StreamingListenerOutputOperationStarted(_OutputOperationEvent):
    _method = "onOutputOperationStarted"


class StreamingListenerOutputOperationCompleted(_OutputOperationEvent):
    _method = "onOutputOperationCompleted"


class StreamingListenerWriteAheadLogCorruption(StreamingListenerEvent):
    """Damaged records found in a receiver stream's write-ahead log on recovery: records
    that were acknowledged to the receiver and can no longer be read (storage damage)."""

    _method = "onWriteAheadLogCorruption"

    def __init__(self, streamId: int, segment: str, offset: int, numRecordsLost: int,
                 message: str):
        self._stream_id, self._segment, self._offset = streamId, segment, offset
        self._lost, self._message = numRecordsLost, message

    def streamId(self) -> int:
        return self._stream_id

    def segment(self) -> str:
        """The path of the (first) damaged segment file."""
        return self._segment

    def offset(self) -> int:
        """Where the (first) damage starts in it."""
        return self._offset

    def numRecordsLost(self) -> int:
        """How many log records were lost (at least; a damaged end of the log hides how
        many it held)."""
        return self._lost

    def message(self) -> str:
        return self._message


class StreamingListenerBus:
    """Delivers events to listeners, in posting order, from one thread of its own, so a slow
    listener never holds up batch processing (Spark's listener bus is asynchronous too).

    >>> bus = StreamingListenerBus()
    >>> class L(StreamingListener):
    ...     def onStreamingStarted(self, e): print("started at", e.time())
    >>> bus.add_listener(L()); bus.start()
    >>> bus.post(StreamingListenerStreamingStarted(42)); bus.wait_until_empty()
    started at 42
    True
    >>> bus.stop()
    """

    def __init__(self) -> None:
        self._listeners: list[StreamingListener] = []
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._stopped = False

    def add_listener(self, listener: StreamingListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    addListener = add_listener

    def remove_listener(self, listener: StreamingListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    @property
    def listeners(self) -> list[StreamingListener]:
        with self._lock:
            return list(self._listeners)

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._stopped = False
            self._thread = threading.Thread(target=self._run, name="StreamingListenerBus",
                                            daemon=True)
            self._thread.start()

    def post(self, event: StreamingListenerEvent) -> None:
        """Queue ``event`` for delivery (dropped once the bus has stopped)."""
        with self._lock:
            if self._stopped:
                return
            self._pending += 1
        self._queue.put(event)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            try:
                for listener in self.listeners:
                    method = getattr(listener, event._method, None)
                    if method is None:
                        continue
                    try:
                        method(event)
                    except Exception:  # a broken listener must not stop the others
                        log.exception("Listener %r threw an exception", listener)
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.notify_all()

    def wait_until_empty(self, timeout: float = 10.0) -> bool:
        """Block until every event posted so far was delivered; False on timeout."""
        with self._lock:
            if self._thread is None:
                return self._pending == 0
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self) -> None:
        """Deliver what is queued, then stop."""
        self.wait_until_empty()
        with self._lock:
            self._stopped = True
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            if thread is not threading.current_thread():
                thread.join(5)
