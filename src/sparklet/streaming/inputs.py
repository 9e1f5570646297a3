"""Input streams: where every batch's data comes from.

* :class:`QueueInputDStream` -- ``queueStream``: one (or all) queued RDDs per batch.
* :class:`FileInputDStream` -- ``textFileStream``/``fileStream``/``binaryRecordsStream``:
  files that appeared in a directory (any fsspec URL), selected by modification time, each
  file once.
* :class:`ReceiverInputDStream` -- ``receiverStream``/``socketTextStream``: records pushed by
  a receiver, cut into blocks; the :class:`ReceiverTracker` owns receivers and blocks and
  hands this stream one RDD per batch.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sparklet.rdd import RDD
from sparklet.streaming.dstream import DStream

if TYPE_CHECKING:
    from sparklet.streaming.context import StreamingContext

__all__ = ["InputDStream", "QueueInputDStream", "FileInputDStream", "ReceiverInputDStream"]

log = logging.getLogger("sparklet.streaming")


class InputDStream(DStream):
    """A stream with no parents: its RDDs come from outside. Registers with the graph and
    gets an input-stream id (the id listeners see in ``streamIdToInputInfo``)."""

    def __init__(self, ssc: StreamingContext):
        super().__init__(ssc, [])
        self.input_stream_id = ssc._graph.add_input_stream(self)
        self._last_valid_time: int | None = None

    @property
    def _slide_ms(self) -> int:
        return self._ssc._graph.batch_duration

    def _is_time_valid(self, time_ms: int) -> bool:
        if not super()._is_time_valid(time_ms):
            return False
        if self._last_valid_time is not None and time_ms < self._last_valid_time:
            log.warning("isTimeValid called with %d ms whereas the last valid time is %d ms",
                        time_ms, self._last_valid_time)
        self._last_valid_time = time_ms
        return True

    def _report_input(self, time_ms: int, num_records: int, metadata: dict | None = None):
        self._ssc._scheduler.input_info_tracker.report_info(
            time_ms, self.input_stream_id, num_records, metadata)

    def start(self) -> None:
        """Called when the context starts."""

    def _checkpoint_state(self) -> Any:
        """What a metadata checkpoint keeps of this input (picklable): enough to rebuild
        the RDD of every batch it still remembers and to go on where it stopped."""
        return None

    def _restore_checkpoint_state(self, state: Any) -> None:
        """Inverse of :meth:`_checkpoint_state`, on the rebuilt stream after the graph
        started at the checkpoint's zero time."""

    def stop(self) -> None:
        """Called when the context stops."""


class QueueInputDStream(InputDStream):
    """Each batch: the next queued RDD (``oneAtATime``) or the union of all queued ones;
    when the queue is empty, ``default`` or an empty RDD. The queue is a ``collections.deque``
    that may be appended to while the stream runs."""

    def __init__(self, ssc: StreamingContext, queue: collections.deque, one_at_a_time: bool,
                 default: RDD | None):
        super().__init__(ssc)
        self.queue = queue
        self.one_at_a_time = one_at_a_time
        self.default = default
        self._queue_lock = threading.Lock()
        # Positions for checkpoints: how many queued RDDs were taken, and which ones
        # each remembered batch took, so a rerun batch gets the same RDDs.
        self._consumed = 0
        self._batch_positions: dict[int, tuple[int, int]] = {}

    _transient_attrs = (*DStream._transient_attrs, "_queue_lock")

    def _restore_transient(self) -> None:
        self._queue_lock = threading.Lock()

    def __reduce__(self):
        # As Spark: a checkpoint can be written (the queue's RDDs are left out), but a
        # graph holding a queue stream cannot be recovered from it.
        log.warning("queueStream doesn't support checkpointing")
        return (_unrecoverable_queue_stream, ())

    def _compute(self, time_ms: int) -> RDD | None:
        with self._queue_lock:
            if self.one_at_a_time and self.queue:
                batch = [self.queue.popleft()]
            else:
                batch = list(self.queue)
                self.queue.clear()
            self._batch_positions[time_ms] = (self._consumed, len(batch))
            self._consumed += len(batch)
        return self._batch_rdd(batch)

    def _batch_rdd(self, batch: list) -> RDD:
        if batch:
            if self.one_at_a_time:
                return batch[0]
            from sparklet.rdds import UnionRDD

            return UnionRDD(self._sc, batch)
        if self.default is not None:
            return self.default
        return self._sc.emptyRDD()

    def _clear_metadata(self, time_ms: int) -> None:
        super()._clear_metadata(time_ms)
        with self._queue_lock:
            for t in [t for t in self._batch_positions
                      if t <= time_ms - self._remember_duration]:
                del self._batch_positions[t]

    def _checkpoint_state(self) -> Any:
        # RDDs are not saved: the rebuilt application's queue (setupFunc builds the same
        # one, a deterministic source) is indexed by these positions instead.
        with self._queue_lock:
            return {"consumed": self._consumed, "batches": dict(self._batch_positions)}

    def _restore_checkpoint_state(self, state: Any) -> None:
        with self._queue_lock:
            items = list(self.queue)
            consumed = state["consumed"]
            if consumed > len(items):
                log.warning("queueStream: the checkpoint consumed %d queued RDDs but the "
                            "rebuilt queue holds only %d", consumed, len(items))
            for t, (start, count) in sorted(state["batches"].items()):
                self._batch_positions[t] = (start, count)
                self._generated[t] = self._batch_rdd(items[start:start + count])
            self.queue.clear()
            self.queue.extend(items[consumed:])
            self._consumed = consumed


QUEUE_STREAM_NOT_RECOVERABLE = ("queueStream doesn't support checkpointing. Please don't use "
                                "queueStream when checkpointing is enabled.")


def _unrecoverable_queue_stream():
    """What a queue stream deserializes to: an error (see ``__reduce__``)."""
    from sparklet.streaming.recovery.checkpoint import NotSerializableError

    raise NotSerializableError(QUEUE_STREAM_NOT_RECOVERABLE)


def _mod_time_ms(fs, info: dict) -> int | None:
    """A listing entry's modification time in ms, whatever the filesystem calls it."""
    for key in ("mtime", "LastModified", "last_modified", "updated", "modified", "created"):
        value = info.get(key)
        if value is None:
            continue
        if isinstance(value, datetime):
            return int(value.timestamp() * 1000)
        if isinstance(value, int | float):
            return int(value * 1000)
        if isinstance(value, str):
            try:
                return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
                           * 1000)
            except ValueError:
                continue
    try:
        return int(fs.modified(info["name"]).timestamp() * 1000)
    except Exception:  # a filesystem that does not track times
        return None


def read_binary_records(path: str, record_length: int):
    """Fixed-length records of one file (a trailing partial record is dropped, as Hadoop's
    FixedLengthInputFormat refuses it)."""
    import fsspec

    with fsspec.open(path, "rb") as f:
        while True:
            record = f.read(record_length)
            if len(record) < record_length:
                return
            yield record


def binary_records_rdd(sc, path: str, record_length: int) -> RDD:
    """One file's fixed-length records as a one-partition RDD."""
    from sparklet.rdds import SplitRDD

    return SplitRDD(sc, [path], lambda p: read_binary_records(p, record_length),
                    "BinaryRecordsRDD")


def default_file_filter(path: str) -> bool:
    """Spark's default: skip hidden files (names starting with '.')."""
    return not path.rstrip("/").rsplit("/", 1)[-1].startswith(".")


class FileInputDStream(InputDStream):
    """New files of a directory, each batch.

    At batch time ``t`` a file is selected when its modification time is after the ignore
    threshold (``t`` minus the remember window, and, with ``newFilesOnly``, the clock time
    when the stream was created) and not after ``t``, it passes ``filter``, and it was not
    selected before. Files must appear atomically (write elsewhere, then move in), as in
    Spark. Modification times are compared with the streaming clock, so tests with a manual
    clock set the clock near real time or set file times explicitly.
    """

    def __init__(self, ssc: StreamingContext, directory: str,
                 reader: Callable[[Any, str], RDD], filter: Callable[[str], bool] | None = None,
                 newFilesOnly: bool = True):
        super().__init__(ssc)
        import fsspec

        self.directory = directory
        self.reader = reader
        self.filter = filter or default_file_filter
        self.fs, _, (self._root,) = fsspec.get_fs_token_paths(directory)
        self._protocol = directory.split("://", 1)[0] + "://" if "://" in directory else ""
        self.initial_mod_time_ignore_threshold = (
            ssc._clock.get_time_millis() if newFilesOnly else 0)
        min_remember_s = ssc._sc.getConf().get(
            "spark.streaming.fileStream.minRememberDuration", "60s")
        self._min_remember_ms = _duration_ms(min_remember_s)
        self._batch_to_files: dict[int, list[str]] = {}
        self._recent_files: set[str] = set()

    def _num_batches_to_remember(self) -> int:
        return max(1, math.ceil(self._min_remember_ms / self._slide_ms))

    def _initialize(self, zero_time: int) -> None:
        super()._initialize(zero_time)
        # Remember at least the files window: windows over this stream may re-read batches.
        self._remember(self._slide_ms * self._num_batches_to_remember())

    def _list(self) -> list[dict]:
        root = self._root
        if any(c in root for c in "*?["):
            entries = []
            for d in self.fs.glob(root):
                if self.fs.isdir(d):
                    entries.extend(self.fs.ls(d, detail=True))
            return entries
        try:
            return self.fs.ls(root, detail=True)
        except FileNotFoundError:
            return []

    def _find_new_files(self, time_ms: int) -> list[str]:
        threshold = max(self.initial_mod_time_ignore_threshold,
                        time_ms - self._slide_ms * self._num_batches_to_remember())
        found = []
        for info in self._list():
            if info.get("type") == "directory":
                continue
            name = info["name"]
            path = self._protocol + name if self._protocol and "://" not in name else name
            if not self.filter(path):
                continue
            mtime = _mod_time_ms(self.fs, info)
            if mtime is None or mtime <= threshold or mtime > time_ms:
                continue
            if path in self._recent_files:
                continue
            found.append(path)
        return sorted(found)

    def _compute(self, time_ms: int) -> RDD | None:
        files = self._find_new_files(time_ms)
        self._batch_to_files[time_ms] = files
        self._recent_files.update(files)
        self._report_input(time_ms, 0, {"files": files,
                                        "Description": "\n".join(files)})
        from sparklet.rdds import UnionRDD

        return UnionRDD(self._sc, [self.reader(self._sc, f) for f in files])

    def _clear_metadata(self, time_ms: int) -> None:
        super()._clear_metadata(time_ms)
        for t in [t for t in self._batch_to_files if t <= time_ms - self._remember_duration]:
            for f in self._batch_to_files.pop(t):
                self._recent_files.discard(f)

    def _checkpoint_state(self) -> Any:
        return {"initial_mod_time_ignore_threshold": self.initial_mod_time_ignore_threshold,
                "batches": {t: list(fs) for t, fs in self._batch_to_files.items()}}

    def _restore_checkpoint_state(self, state: Any) -> None:
        # The original threshold: files that appeared while the application was down are
        # newer than it and are picked up by the rescheduled batches.
        self.initial_mod_time_ignore_threshold = state["initial_mod_time_ignore_threshold"]
        from sparklet.rdds import UnionRDD

        for t, files in state["batches"].items():
            self._batch_to_files[t] = list(files)
            self._recent_files.update(files)
            self._generated[t] = UnionRDD(self._sc, [self.reader(self._sc, f) for f in files])


def _duration_ms(value: str | int | float) -> int:
    """Spark duration strings ("60s", "500ms", "2min") or plain seconds, in ms."""
    if isinstance(value, int | float):
        return int(value * 1000)
    s = str(value).strip().lower()
    for suffix, scale in (("ms", 1), ("min", 60_000), ("s", 1000), ("m", 60_000),
                          ("h", 3_600_000)):
        if s.endswith(suffix):
            return int(float(s[: -len(suffix)]) * scale)
    return int(float(s) * 1000)


class ReceiverInputDStream(InputDStream):
    """Records pushed by a receiver running on an executor. The context's
    ``ReceiverTracker`` starts the receiver, cuts what it stores into blocks and, at each
    batch time, allocates the blocks received so far to that batch; this stream's RDD for
    the batch has one partition per block."""

    def __init__(self, ssc: StreamingContext, receiver: Any):
        super().__init__(ssc)
        self.receiver = receiver

    def getReceiver(self) -> Any:
        return self.receiver

    def _compute(self, time_ms: int) -> RDD | None:
        tracker = self._ssc._receiver_tracker
        if tracker is None or time_ms < (self._ssc._graph.start_time or 0):
            return self._sc.emptyRDD()
        rdd = tracker.blocks_rdd(self.input_stream_id, time_ms)
        self._report_input(time_ms, tracker.num_records(self.input_stream_id, time_ms))
        return rdd
