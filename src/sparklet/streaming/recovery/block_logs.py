"""Write-ahead logs that receivers' executors write: received blocks durable off the driver.

On a cluster backend (Dask) a received block stays on the receiver's executor; with the
write-ahead log on, that executor also appends the block to a log of its own under
``<checkpoint dir>/receivedBlockData/<streamId>/`` and fsyncs it before it tells the driver,
as Spark's ``WriteAheadLogBasedBlockHandler`` does. The driver then logs only a reference
to that record (a ``block_ref`` in its own ``receivedData`` log, next to its allocations),
and acknowledges a reliable receiver once that reference is durable. The bytes never pass
through the driver:

* a task reads the block from an executor that holds it, and from the log when none does
  any more (a lost worker; Spark's ``WriteAheadLogBackedBlockRDD``);
* a recovered driver reads the blocks of its pending batches back from the logs;
* the driver deletes a log segment once every block in it is processed (see
  :meth:`ExecutorBlockLogs.clean`).

The checkpoint directory must be a directory every worker and the driver reach under the
same path (one machine, or a shared mount), as Spark needs a shared (HDFS) one.

>>> import tempfile
>>> logs = ExecutorBlockLogs(tempfile.mkdtemp())
>>> writer = logs.writer(0, 60_000)
>>> ref = writer.write_block("input-0-0-0", 1, b"one record")
>>> read_logged_block((writer.directory, *ref))
b'one record'
"""

from __future__ import annotations

import logging
import os
import threading

from sparklet.streaming.recovery.wal import WALRef, WriteAheadLog, segment_names, segment_run

__all__ = ["ExecutorBlockLogs", "read_logged_block", "DATA_DIR"]

log = logging.getLogger(__name__)

DATA_DIR = "receivedBlockData"


def read_logged_block(log_ref: tuple) -> bytes:
    """The bytes of the block an executor logged at ``log_ref`` (directory, segment, offset,
    length); raises ``WALCorruptionError`` when the record is gone or damaged."""
    directory, *ref = log_ref
    kind, _block_id, _count, data = WriteAheadLog(directory).read(ref)
    if kind != "block":
        raise ValueError(f"executor block log record {tuple(log_ref)} is a {kind!r} record, "
                         "not a block")
    return data


class ExecutorBlockLogs:
    """The executors' block logs of every stream under ``root``
    (``<checkpoint dir>/receivedBlockData``), from the driver's side: reading records back
    and deciding which segments can go. Executors write them with :meth:`writer`."""

    def __init__(self, root: str):
        self.root = root
        self._lock = threading.Lock()
        # Per stream: a WriteAheadLog used only for its live-block bookkeeping (it never
        # writes: the executors do), and the run id of the stream's current writer.
        self._books: dict[int, WriteAheadLog] = {}
        self._current_run: dict[int, str] = {}
        # Segments found deletable at the last clean: deleted at the next one, so a block
        # written just before its writer rolled on has had a batch to be reported.
        self._doomed: dict[int, set[str]] = {}

    def directory(self, stream_id: int) -> str:
        return os.path.join(self.root, str(stream_id))

    def writer(self, stream_id: int, rolling_interval_ms: float) -> WriteAheadLog:
        """A new log for one receiver run on an executor (its own run id, so two runs of a
        stream never share a segment)."""
        return WriteAheadLog(self.directory(stream_id), rolling_interval_ms)

    def _book(self, stream_id: int) -> WriteAheadLog:
        book = self._books.get(stream_id)
        if book is None:
            book = self._books[stream_id] = WriteAheadLog(self.directory(stream_id))
        return book

    def adopt(self, stream_id: int, log_ref: tuple) -> None:
        """A block reported (or revived on recovery) at ``log_ref``: its segment stays."""
        ref = WALRef(*log_ref[1:])
        with self._lock:
            self._book(stream_id).adopt(ref)
            run = segment_run(ref.segment)
            if run is not None:
                self._current_run[stream_id] = run

    def release(self, stream_id: int, log_ref: tuple) -> None:
        with self._lock:
            self._book(stream_id).release(WALRef(*log_ref[1:]))

    def clean(self) -> list[str]:
        """Delete the segments that hold no unprocessed block and that no writer appends to:
        every segment but the newest of a stream's current writer (which an executor may
        still be writing). A segment goes one clean after it is first found so, because a
        block's report can still be on its way when its writer rolls to a new segment."""
        deleted = []
        with self._lock:
            for sid in self._streams():
                book = self._book(sid)
                names = segment_names(book.directory)
                run = self._current_run.get(sid)
                newest = [n for n in names if segment_run(n) == run][-1:]
                candidates = {n for n in names if n not in newest and not book.has_live(n)}
                for name in candidates & self._doomed.get(sid, set()):
                    try:
                        os.remove(os.path.join(book.directory, name))
                    except FileNotFoundError:
                        pass
                    book.forget(name)
                    deleted.append(name)
                self._doomed[sid] = candidates - set(deleted)
        if deleted:
            log.debug("executor block logs %s: deleted %s", self.root, deleted)
        return deleted

    def _streams(self) -> list[int]:
        try:
            return sorted(int(d) for d in os.listdir(self.root) if d.isdigit())
        except FileNotFoundError:
            return []
