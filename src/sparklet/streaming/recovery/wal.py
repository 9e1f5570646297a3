"""The receiver write-ahead log: received blocks made durable before they are acknowledged.

With ``spark.streaming.receiver.writeAheadLog.enable`` set, the driver appends every block a
receiver pushes to a log under ``<checkpoint dir>/receivedData/<streamId>/`` and fsyncs it
before acknowledging the block, so a reliable receiver (one that acknowledges its source
only after ``store(records)`` returns) never loses data to a driver crash: the blocks that
were received but not yet processed are read back from the log on recovery (see
``ReceiverTracker.restore_state``).

The log of one stream is a sequence of *segments* (files named
``log-<startMs>-<endMs>-<runId>-<n>``): a new one is started every
``spark.streaming.receiver.writeAheadLog.rollingIntervalSecs`` (60 s by default), and a
segment is deleted once every block in it belongs to a batch that has been cleaned up. A
restarted driver never appends to an old segment: it starts its own (a new ``runId``), so
whatever a crash left at the end of an old segment stays at its end.

Each record is framed as::

    length: uint32 LE | crc32: uint32 LE | seq: uint64 LE | body: `length` bytes

where ``crc32`` covers ``length``, ``seq`` and the body, and ``seq`` numbers the records of
one run of one stream from 0. A record cut short by a crash in the middle of a write (a
"torn tail"), or one whose checksum does not match, is never returned as data: a scan stops
there (a torn tail is the expected end of a crashed segment) or, for damage anywhere else,
skips to the next whole record and reports the damage (the receiver tracker counts the
records lost and reports them at ERROR and on the listener bus); reading a referenced
record that fails its checks raises :class:`WALCorruptionError`.

>>> import tempfile
>>> wal = WriteAheadLog(tempfile.mkdtemp())
>>> ref = wal.write_block("input-0-0-0", 2, b"two records")
>>> wal.read(ref)
('block', 'input-0-0-0', 2, b'two records')
>>> [(seq, body[0]) for _, seq, body in wal.scan(ref.segment)]
[(0, 'block')]
>>> wal.close()
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

__all__ = ["WriteAheadLog", "WALRef", "WALCorruptionError", "segment_names"]

log = logging.getLogger(__name__)

_HEADER = struct.Struct("<IIQ")  # body length, crc32, seq
_CRC_FIELDS = struct.Struct("<IQ")  # what the checksum covers besides the body
MAX_RECORD = (1 << 32) - 1
_SEGMENT = re.compile(r"log-(\d+)-(\d+)-([0-9a-f]+)-(\d+)")


class WALCorruptionError(IOError):
    """A referenced write-ahead log record is missing, cut short or fails its checksum."""


class WALRef(NamedTuple):
    """Where one record is: its segment's file name, its offset and its framed length."""

    segment: str
    offset: int
    length: int


def _crc(length: int, seq: int, body: bytes) -> int:
    return zlib.crc32(body, zlib.crc32(_CRC_FIELDS.pack(length, seq)))


def frame(seq: int, body: bytes) -> bytes:
    """One framed record (header + body)."""
    if len(body) > MAX_RECORD:
        raise ValueError(f"write-ahead log record of {len(body)} bytes is too large")
    return _HEADER.pack(len(body), _crc(len(body), seq, body), seq) + body


def segment_names(directory: str) -> list[str]:
    """The segments in ``directory``, oldest first (by start time, then number)."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    found = [(int(m.group(1)), int(m.group(4)), n) for n in names
             if (m := _SEGMENT.fullmatch(n))]
    return [n for _, _, n in sorted(found)]


def segment_run(name: str) -> str | None:
    """The run id in a segment's name (None for a name that is not a segment)."""
    m = _SEGMENT.fullmatch(name)
    return m.group(3) if m else None


def _fsync_dir(directory: str) -> None:
    # A new file's directory entry is durable only once the directory is synced too.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WriteAheadLog:
    """The log of one receiver stream in ``directory`` (created on the first write).

    ``rolling_interval_ms``: a new segment every so often (by ``clock``, wall-clock ms);
    ``run_id``: names this driver run's segments (random by default).

    Cleanup bookkeeping: each block written (or adopted on recovery) is *live* in its
    segment until :meth:`release`; an allocation record keeps its segment until its batch
    is cleaned. :meth:`clean` deletes every segment, other than the one being written, that
    holds nothing live -- including leftovers of earlier runs nobody adopted.
    """

    def __init__(self, directory: str, rolling_interval_ms: float = 60_000,
                 clock: Callable[[], float] | None = None, run_id: str | None = None):
        if rolling_interval_ms <= 0:
            raise ValueError("the write-ahead log rolling interval must be positive")
        self.directory = directory
        self.rolling_interval_ms = rolling_interval_ms
        self._clock = clock or (lambda: time.time() * 1000)
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._active: str | None = None
        self._active_end = 0.0
        self._size = 0
        self._segments_made = 0
        self.next_seq = 0
        self._live: dict[str, set[int]] = {}       # segment -> offsets of live blocks
        self._max_batch: dict[str, int] = {}       # segment -> latest batch it allocates
        self.lost_segments: set[str] = set()       # deleted behind our back, see below

    # -- writing ---------------------------------------------------------------------------

    def _roll(self, now: float) -> None:
        self._close_active()
        os.makedirs(self.directory, exist_ok=True)
        start = int(now)
        while True:
            self._segments_made += 1
            name = (f"log-{start}-{start + int(self.rolling_interval_ms)}-{self.run_id}-"
                    f"{self._segments_made}")
            try:
                fd = os.open(os.path.join(self.directory, name),
                             os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
                break
            except FileExistsError:
                continue
        _fsync_dir(self.directory)
        self._fd, self._active, self._size = fd, name, 0
        self._active_end = start + self.rolling_interval_ms
        self._live.setdefault(name, set())

    def _close_active(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._fd = None
        self._active = None

    def check_directory(self) -> set[str]:
        """Segments with live records that were deleted behind the log's back (the
        checkpoint directory removed while the application runs), now forgotten; the
        directory is recreated by the next write, in a new segment. Appending to the
        unlinked file would acknowledge records that no recovery can find. The caller
        writes the lost segments' live blocks again (it holds their data)."""
        with self._lock:
            return self._check_directory()

    def _check_directory(self) -> set[str]:
        active_deleted = self._fd is not None and os.fstat(self._fd).st_nlink == 0
        known = set(self._live) | set(self._max_batch)
        lost = {name for name in known if name != self._active or active_deleted
                if not os.path.exists(os.path.join(self.directory, name))}
        if not lost and not active_deleted:
            return set()
        if active_deleted:
            lost.add(self._active)  # type: ignore[arg-type]
            self._close_active()
        log.warning("The write-ahead log directory %s (or its segments %s) was deleted while "
                    "the application was running; recreating it and writing a new segment",
                    self.directory, sorted(lost))
        for name in lost:
            self._live.pop(name, None)
            self._max_batch.pop(name, None)
        self.lost_segments |= lost
        return lost

    def take_lost_segments(self) -> set[str]:
        """Segments found deleted since the last call (see :meth:`check_directory`)."""
        with self._lock:
            lost, self.lost_segments = self.lost_segments, set()
            return lost

    def _append(self, body: bytes, batch_time_ms: int | None = None) -> WALRef:
        """Append one record and fsync: returns only once it is durable. A block record
        (no ``batch_time_ms``) is live in its segment from then on; an allocation record
        keeps its segment until its batch is cleaned."""
        with self._lock:
            if self._fd is not None and os.fstat(self._fd).st_nlink == 0:
                self._check_directory()  # never acknowledge into a deleted file
            now = self._clock()
            if self._fd is None or now >= self._active_end:
                self._roll(now)
            assert self._fd is not None and self._active is not None
            seq = self.next_seq
            data = memoryview(frame(seq, body))
            ref = WALRef(self._active, self._size, len(data))
            try:
                written = 0
                while written < len(data):
                    written += os.write(self._fd, data[written:])
                os.fsync(self._fd)
            except OSError:
                # Half a record may be in the segment now: never write after it (a scan
                # would stop there); the next write starts a new segment.
                self._close_active()
                raise
            self._size += len(data)
            self.next_seq += 1
            if batch_time_ms is None:
                self._live.setdefault(ref.segment, set()).add(ref.offset)
            else:
                self._note_batch(ref.segment, batch_time_ms)
            return ref

    def _note_batch(self, segment: str, batch_time_ms: int) -> None:
        latest = self._max_batch.get(segment)
        self._max_batch[segment] = batch_time_ms if latest is None \
            else max(latest, batch_time_ms)

    def write_block(self, block_id: str, num_records: int, data: bytes) -> WALRef:
        """Log one received block (its pickled records); it is durable when this returns."""
        return self._append(pickle.dumps(("block", block_id, num_records, data),
                                         pickle.HIGHEST_PROTOCOL))

    def write_block_ref(self, block_id: str, num_records: int, nbytes: int,
                        data_ref: WALRef | tuple) -> WALRef:
        """Log a block an executor keeps and logged itself at ``data_ref`` (in its own log,
        :mod:`~sparklet.streaming.recovery.block_logs`); live like a block."""
        body = ("block_ref", block_id, num_records, nbytes, tuple(data_ref))
        return self._append(pickle.dumps(body, pickle.HIGHEST_PROTOCOL))

    def write_allocation(self, batch_time_ms: int, blocks: list[WALRef]) -> WALRef:
        """Log that these blocks (by reference) make up the batch at ``batch_time_ms``, so a
        recovered driver rebuilds batches generated after its last checkpoint as they were.
        """
        body = ("alloc", int(batch_time_ms), [tuple(b) for b in blocks])
        return self._append(pickle.dumps(body, pickle.HIGHEST_PROTOCOL), int(batch_time_ms))

    # -- reading ---------------------------------------------------------------------------

    def read(self, ref: WALRef | tuple) -> tuple:
        """The record at ``ref``; raises :class:`WALCorruptionError` unless it is whole and
        its checksum matches."""
        ref = WALRef(*ref)
        path = os.path.join(self.directory, ref.segment)
        try:
            with open(path, "rb") as fh:
                fh.seek(ref.offset)
                data = fh.read(ref.length)
        except FileNotFoundError:
            raise WALCorruptionError(
                f"write-ahead log segment {path} is missing (needed for the record at "
                f"offset {ref.offset})") from None
        record = self._parse(data, 0)
        if record is None or record[2] != ref.length:
            raise WALCorruptionError(
                f"write-ahead log record at {path}:{ref.offset} ({ref.length} bytes) is "
                "truncated or fails its checksum")
        return record[1]

    @staticmethod
    def _parse(data: bytes, offset: int) -> tuple[int, Any, int] | None:
        """(seq, body, framed length) of the record at ``offset``, None if torn or bad."""
        end = offset + _HEADER.size
        if end > len(data):
            return None
        length, crc, seq = _HEADER.unpack_from(data, offset)
        if end + length > len(data):
            return None
        body = data[end:end + length]
        if _crc(length, seq, body) != crc:
            return None
        try:
            return seq, pickle.loads(body), _HEADER.size + length
        except Exception:  # noqa: BLE001 - a matching checksum over an unreadable body
            return None

    def scan(self, segment: str,
             damage: list[tuple[str, int, int, bool]] | None = None
             ) -> Iterator[tuple[WALRef, int, tuple]]:
        """Every whole record of a segment, in order: ``(ref, seq, body)``.

        A record cut short at the end (a torn tail: a crash in the middle of a write, or a
        zero-filled end) is the expected end of a crashed segment and is skipped quietly.
        Any other damaged bytes are skipped up to the next whole record (found by its
        checksum) and appended to ``damage`` as ``(path, offset, nbytes, at_end)``; without
        ``damage`` they are logged as a warning. Records are never returned from damage.
        """
        path = os.path.join(self.directory, segment)
        with open(path, "rb") as fh:
            data = fh.read()
        offset = 0
        while offset < len(data):
            record = self._parse(data, offset)
            if record is not None:
                seq, body, length = record
                yield WALRef(segment, offset, length), seq, body
                offset += length
                continue
            resume = self._resync(data, offset + 1)
            if resume is None and self._is_torn_tail(data, offset):
                log.info("write-ahead log segment %s ends with an incomplete record "
                         "(a write cut short by a crash); ignored", path)
                return
            end = len(data) if resume is None else resume
            if damage is not None:
                damage.append((path, offset, end - offset, resume is None))
            else:
                log.warning("write-ahead log segment %s: %d damaged bytes at offset %d "
                            "skipped", path, end - offset, offset)
            if resume is None:
                return
            offset = resume

    @classmethod
    def _resync(cls, data: bytes, start: int) -> int | None:
        """The offset of the next whole, checksummed record from ``start``, if any."""
        for offset in range(start, len(data) - _HEADER.size + 1):
            if cls._parse(data, offset) is not None:
                return offset
        return None

    @staticmethod
    def _is_torn_tail(data: bytes, offset: int) -> bool:
        if offset + _HEADER.size > len(data):
            return True
        if not any(data[offset:]):
            return True  # a zero-filled end: space allocated, the write never landed
        length = _HEADER.unpack_from(data, offset)[0]
        return offset + _HEADER.size + length > len(data)

    def segments(self) -> list[str]:
        return segment_names(self.directory)

    # -- cleanup ---------------------------------------------------------------------------

    def adopt(self, ref: WALRef | tuple) -> None:
        """Count a block of an older run (read back on recovery) as live in its segment."""
        ref = WALRef(*ref)
        with self._lock:
            self._live.setdefault(ref.segment, set()).add(ref.offset)

    def adopt_allocation(self, segment: str, batch_time_ms: int) -> None:
        """Keep an older run's segment until the batch it allocates is cleaned."""
        with self._lock:
            self._note_batch(segment, int(batch_time_ms))

    def release(self, ref: WALRef | tuple) -> None:
        """The block at ``ref`` has been processed and cleaned up."""
        ref = WALRef(*ref)
        with self._lock:
            live = self._live.get(ref.segment)
            if live is not None:
                live.discard(ref.offset)

    def has_live(self, segment: str) -> bool:
        """Whether a block in ``segment`` has not been released yet."""
        with self._lock:
            return bool(self._live.get(segment))

    def forget(self, segment: str) -> None:
        """Drop the bookkeeping of a segment deleted by someone else."""
        with self._lock:
            self._live.pop(segment, None)
            self._max_batch.pop(segment, None)

    def clean(self, before_ms: int) -> list[str]:
        """Delete every segment but the active one whose blocks are all released and whose
        allocations are all of batches before ``before_ms``; returns their names."""
        deleted = []
        with self._lock:
            for name in self.segments():
                if name == self._active or self._live.get(name):
                    continue
                latest = self._max_batch.get(name)
                if latest is not None and latest >= before_ms:
                    continue
                try:
                    os.remove(os.path.join(self.directory, name))
                except FileNotFoundError:
                    pass
                self._live.pop(name, None)
                self._max_batch.pop(name, None)
                deleted.append(name)
        if deleted:
            log.debug("write-ahead log %s: deleted %s", self.directory, deleted)
        return deleted

    def close(self) -> None:
        with self._lock:
            self._close_active()
