"""Faults of the write-ahead log's storage, through the ReceiverTracker with a real
receiver: the checkpoint directory deleted while the application runs (the log recreates
it, writes the live blocks again and a crash after that loses no acknowledged record), and
acknowledged records damaged on disk (reported at ERROR with the number lost, and on the
streaming listener bus).

The source is deterministic: numbers 0, 1, 2, ... stored ``per_block`` at a time with
``store(list)``; its acknowledged position advances only after store() returned, and the
test decides how far the source may go (``limit``), so no assertion depends on timing.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import threading
import time

import pytest
from receiver_helpers import FakeStreamingContext, logged_blocks, logged_numbers, wait_until

from sparklet.streaming.listener import StreamingListener, StreamingListenerBus
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.receiver.tracker import (
    CHECKPOINTS_RETAINED_KEY,
    WAL_ENABLE_KEY,
    WAL_ROLLING_KEY,
    ReceiverTracker,
)
from sparklet.streaming.recovery.wal import WriteAheadLog, segment_names


def _read(path: str) -> int:
    try:
        with open(path) as fh:
            return int(fh.read() or 0)
    except FileNotFoundError:
        return 0


def _write(path: str, n: int) -> None:
    with open(path + ".tmp", "w") as fh:
        fh.write(str(n))
    os.replace(path + ".tmp", path)


class Numbers(Receiver):
    """Reliable: acknowledges (``ack`` file) only what store() accepted; stores only
    numbers below the ``limit`` file's."""

    def __init__(self, ack: str, limit: str, per_block: int = 10):
        super().__init__()
        self.ack, self.limit, self.per_block = ack, limit, per_block

    def onStart(self):
        threading.Thread(target=self._run, daemon=True).start()

    def onStop(self):
        pass

    def _run(self):
        n = _read(self.ack)
        while not self.isStopped():
            available = _read(self.limit)
            if available < 0:
                self.stop("the source closed")
                return
            if n >= available:
                time.sleep(0.005)
                continue
            records = list(range(n, min(n + self.per_block, available)))
            try:
                self.store(records)
            except RuntimeError:
                return
            n = records[-1] + 1
            _write(self.ack, n)


@pytest.fixture
def wal_sc(sc):
    saved = dict(sc._conf._conf)
    sc._conf.set(WAL_ENABLE_KEY, "true").set(WAL_ROLLING_KEY, "60")
    sc._conf.set(CHECKPOINTS_RETAINED_KEY, "2")
    yield sc
    sc._conf._conf.clear()
    sc._conf._conf.update(saved)


class Source:
    def __init__(self, root):
        self.ack, self.limit = str(root / "ack"), str(root / "limit")

    def receiver(self) -> Numbers:
        return Numbers(self.ack, self.limit)

    def close(self, tracker: ReceiverTracker) -> None:
        """Stop the receiver (before a crash: a crashed driver's receiver would linger)."""
        _write(self.limit, -1)
        assert tracker._receivers[0].job_done.wait(30)

    def reach(self, tracker: ReceiverTracker, n: int) -> None:
        """Let the source go up to ``n`` and wait until the driver logged it all."""
        _write(self.limit, n)
        assert wait_until(lambda: _read(self.ack) == n, 30), f"source stuck at {_read(self.ack)}"


def make_tracker(sc, checkpoint: str, receiver, bus=None) -> ReceiverTracker:
    ssc = FakeStreamingContext(sc)
    ssc._checkpoint_dir = checkpoint
    if bus is not None:
        ssc._listener_bus = bus
    tracker = ReceiverTracker(ssc)
    tracker.register(0, receiver)
    return tracker


def crash(tracker: ReceiverTracker) -> None:
    """A dead driver: no stop(); the OS closes its sockets and files."""
    if tracker._server is not None:
        tracker._server.close()
    for wal in tracker._wals.values():
        wal.close()


def test_deleted_checkpoint_directory_is_recreated_and_a_crash_loses_nothing(
        wal_sc, tmp_path, caplog):
    checkpoint = str(tmp_path / "checkpoint")
    log_dir = os.path.join(checkpoint, "receivedData", "0")
    source = Source(tmp_path)
    first = make_tracker(wal_sc, checkpoint, source.receiver())
    first.start()
    source.reach(first, 30)
    first.allocate_blocks_to_batch(1000)          # pending: 0..29
    source.reach(first, 60)                        # received, not allocated: 30..59
    shutil.rmtree(checkpoint)                      # every segment goes
    with caplog.at_level(logging.WARNING):
        first.allocate_blocks_to_batch(2000)       # notices, recreates, logs them again
        source.reach(first, 80)                    # into the new segment
    assert f"The write-ahead log directory {log_dir}" in caplog.text
    assert "Wrote 6 received blocks of stream 0 again" in caplog.text
    assert segment_names(log_dir), "no segment was written after the deletion"
    assert logged_numbers(log_dir) == list(range(80))      # every acknowledged record is on disk
    state = pickle.loads(pickle.dumps(first.checkpoint_state()))  # the next checkpoint
    source.close(first)
    crash(first)

    second = make_tracker(wal_sc, checkpoint, source.receiver())
    second.restore_state(state)
    assert sorted(second.blocks_rdd(0, 1000).collect()) == list(range(30))
    assert sorted(second.blocks_rdd(0, 2000).collect()) == list(range(30, 60))
    second.allocate_blocks_to_batch(3000)
    assert sorted(second.blocks_rdd(0, 3000).collect()) == list(range(60, 80))


class Corruptions(StreamingListener):
    def __init__(self):
        self.events: list = []

    def onWriteAheadLogCorruption(self, event):
        self.events.append(event)


def test_damaged_acknowledged_records_are_reported_at_error_and_on_the_bus(
        wal_sc, tmp_path, caplog):
    checkpoint = str(tmp_path / "checkpoint")
    source = Source(tmp_path)
    first = make_tracker(wal_sc, checkpoint, source.receiver())
    first.start()
    source.reach(first, 20)
    first.allocate_blocks_to_batch(1000)
    state = pickle.loads(pickle.dumps(first.checkpoint_state()))  # the last checkpoint
    source.reach(first, 50)        # three blocks logged and acknowledged after it
    source.close(first)
    crash(first)
    blocks = [b for b in logged_blocks(os.path.join(checkpoint, "receivedData", "0"))
              if pickle.loads(b[2])[0] == 30]
    assert len(blocks) == 1, blocks
    path, (_, offset, length), _ = blocks[0]  # the block of 30..39: damage inside its body
    with open(path, "r+b") as fh:
        fh.seek(offset + length - 3)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))

    bus = StreamingListenerBus()
    listener = Corruptions()
    bus.add_listener(listener)
    bus.start()
    try:
        second = make_tracker(wal_sc, checkpoint, source.receiver(), bus)
        with caplog.at_level(logging.ERROR):
            second.restore_state(state)
        assert bus.wait_until_empty(30)
    finally:
        bus.stop()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1, caplog.text
    assert "Write-ahead log of stream 0: 1 acknowledged record(s) lost" in \
        errors[0].getMessage()
    assert path in errors[0].getMessage()
    [event] = listener.events
    assert (event.streamId(), event.segment(), event.offset(), event.numRecordsLost()) == \
        (0, path, offset, 1)
    # The records around the damage are recovered: only the damaged block is lost.
    second.allocate_blocks_to_batch(2000)
    assert sorted(second.blocks_rdd(0, 2000).collect()) == \
        [*range(20, 30), *range(40, 50)]


@pytest.mark.parametrize("damage", ["torn", "flipped"])
def test_the_end_of_the_log_torn_by_a_crash_or_damaged(wal_sc, tmp_path, caplog, damage):
    """A last record cut short is what a crash leaves (not reported as lost: it was never
    acknowledged); a whole last record that fails its checksum is storage damage."""
    checkpoint = str(tmp_path / "checkpoint")
    log_dir = os.path.join(checkpoint, "receivedData", "0")
    wal = WriteAheadLog(log_dir, run_id="feedbeef")
    refs = [wal.write_block(f"input-0-{i}", 1, pickle.dumps([i])) for i in range(3)]
    wal.close()
    path = os.path.join(log_dir, refs[-1].segment)
    with open(path, "r+b") as fh:
        if damage == "torn":
            fh.truncate(refs[-1].offset + refs[-1].length - 4)
        else:
            fh.seek(refs[-1].offset + refs[-1].length - 1)
            byte = fh.read(1)
            fh.seek(-1, os.SEEK_CUR)
            fh.write(bytes([byte[0] ^ 0xFF]))
    state = {"version": 1, "wal": {"run_id": "feedbeef", "next_seq": {0: 0}},
             "allocated": {}, "unallocated": {}}
    bus = StreamingListenerBus()
    listener = Corruptions()
    bus.add_listener(listener)
    bus.start()
    try:
        tracker = make_tracker(wal_sc, checkpoint, Source(tmp_path).receiver(), bus)
        with caplog.at_level(logging.INFO, logger="sparklet"):  # WARN by default
            tracker.restore_state(state)
        assert bus.wait_until_empty(30)
    finally:
        bus.stop()
    tracker.allocate_blocks_to_batch(1000)
    assert sorted(tracker.blocks_rdd(0, 1000).collect()) == [0, 1]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    if damage == "torn":
        assert errors == [] and listener.events == []
        assert "ends with an incomplete record" in caplog.text
    else:
        assert len(errors) == 1 and "1 acknowledged record(s) lost" in errors[0]
        assert [e.numRecordsLost() for e in listener.events] == [1]
