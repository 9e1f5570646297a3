"""What the receiver tracker does about faults of the write-ahead log's storage.

* **A deleted log** (the checkpoint directory removed while the application runs): the
  log notices it (``WriteAheadLog.check_directory``: its open segment has no directory
  entry any more, or a segment holding live blocks is missing), recreates the directory in
  a new segment, and :func:`relog_lost_blocks` writes the blocks those segments held and
  no batch has processed yet again, from the tracker's block store. The next metadata
  checkpoint then refers only to blocks on disk.
* **Damaged records** (acknowledged when written, unreadable now: storage damage, not a
  crash): :func:`report_damage` counts the records lost and reports them at ERROR and as a
  :class:`~sparklet.streaming.listener.StreamingListenerWriteAheadLogCorruption` event.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from sparklet.streaming.recovery.wal import WALRef

__all__ = ["relog_lost_blocks", "report_damage", "report_unreadable_record",
           "report_lost_logged_block"]

log = logging.getLogger("sparklet.streaming.receiver.tracker")


def relog_lost_blocks(tracker: Any, sid: int, check: bool = False) -> int:
    """Write again the live blocks of stream ``sid`` whose segments were deleted behind
    the log's back (found by the last write, or now with ``check``); returns how many.
    Called with the tracker's WAL lock held."""
    wal = tracker._wal(sid)
    if check:
        wal.check_directory()
    lost = wal.take_lost_segments()
    if not lost:
        return 0
    with tracker._lock:
        blocks = list(tracker._unallocated.get(sid, ()))
        blocks += [b for batch in tracker._allocated.values() for b in batch.get(sid, ())]
    relogged = 0
    for info in blocks:
        if info.wal_ref is None or WALRef(*info.wal_ref).segment not in lost:
            continue
        if info.executor_id is not None and info.log_ref is not None:
            directory, segment = info.log_ref[:2]
            if os.path.exists(os.path.join(directory, segment)):
                # Still in its executor's log: only the reference is logged again.
                info.wal_ref = wal.write_block_ref(info.block_id, info.num_records,
                                                   info.nbytes, info.log_ref)
                relogged += 1
                continue
            # Its executor's segment went too: the bytes come from an executor holding the
            # block, into the driver's own log (the one time they pass through the driver).
            data = _fetch_from_holders(tracker, info)
            if data is None:
                log.error("Received block %s of stream %d is lost: its write-ahead log "
                          "segment was deleted and no executor holds it any more",
                          info.block_id, sid)
                continue
            tracker._block_logs().release(sid, info.log_ref)
            info.log_ref = None
        elif info.data is not None:
            data = info.data
        else:  # spilled to the local disk, not under the checkpoint directory
            with open(info.path, "rb") as fh:
                data = fh.read()
        info.wal_ref = wal.write_block(info.block_id, info.num_records, data)
        relogged += 1
    if relogged:
        log.warning("Wrote %d received blocks of stream %d again to the write-ahead log %s "
                    "(their segments were deleted)", relogged, sid, wal.directory)
    return relogged


def _fetch_from_holders(tracker: Any, info: Any) -> bytes | None:
    backend = tracker.sc._backend
    for executor_id in (info.executor_id, *info.replicas):
        data = backend.fetch_block(executor_id, info.block_id)
        if data is not None:
            return data
    return None


def report_damage(tracker: Any, sid: int, damage: list, first: int, seqs: list[int],
                  last_segment: str) -> int:
    """Report the damaged regions a replay of stream ``sid``'s log found (``damage`` as
    ``WriteAheadLog.scan`` lists them); returns the records lost. Records are numbered in
    order from ``first`` (the checkpoint's position), so the numbers missing up to the last
    good record are records lost; a damaged end of the log hides how many it held and
    counts as one."""
    present = set(seqs)
    top = max(present, default=first - 1)
    lost = sum(1 for n in range(first, top + 1) if n not in present)
    path, _, _, at_end = damage[-1]
    if at_end and os.path.basename(path) == last_segment:
        lost += 1
    lost = max(lost, 1)
    where = ", ".join(f"{p} at offset {o} ({n} bytes)" for p, o, n, _ in damage)
    _post(tracker, sid, damage[0][0], damage[0][1], lost,
          f"Write-ahead log of stream {sid}: {lost} acknowledged record(s) lost to damaged "
          f"data in {where}; the blocks in them cannot be recovered")
    return lost


def report_unreadable_record(tracker: Any, sid: int, ref: WALRef, error: Exception,
                             log_ref: tuple | None = None) -> None:
    """A block the checkpoint refers to cannot be read back (recovery then fails): the
    driver's record at ``ref``, or the executor's record at ``log_ref`` it points to."""
    path, offset = _where(tracker, sid, ref, log_ref)
    _post(tracker, sid, path, offset, 1,
          f"Write-ahead log of stream {sid}: 1 acknowledged record that the checkpoint "
          f"refers to is lost ({error}); recovery cannot rebuild its batch")


def report_lost_logged_block(tracker: Any, sid: int, log_ref: tuple,
                             error: Exception) -> None:
    """A block logged after the checkpoint by a receiver's executor cannot be read back
    from that executor's log: it is lost, and the recovery goes on without it."""
    path, offset = _where(tracker, sid, None, log_ref)
    _post(tracker, sid, path, offset, 1,
          f"Write-ahead log of stream {sid}: 1 acknowledged record(s) lost in {path} at "
          f"offset {offset} ({error}); the block cannot be recovered")


def _where(tracker: Any, sid: int, ref: WALRef | None, log_ref: tuple | None
           ) -> tuple[str, int]:
    if log_ref is not None:
        directory, segment, offset, _length = log_ref
        return os.path.join(directory, segment), offset
    return os.path.join(tracker._wal(sid).directory, ref.segment), ref.offset


def _post(tracker: Any, sid: int, path: str, offset: int, lost: int, message: str) -> None:
    from sparklet.streaming.listener import StreamingListenerWriteAheadLogCorruption

    log.error("%s", message)
    bus = getattr(tracker.ssc, "_listener_bus", None)
    if bus is None:
        return
    try:
        bus.post(StreamingListenerWriteAheadLogCorruption(sid, path, offset, lost, message))
    except Exception:  # noqa: BLE001 - a listener problem must not stop the recovery
        log.exception("could not post the write-ahead log corruption event")
