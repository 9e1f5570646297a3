"""The receiver write-ahead log through the ReceiverTracker: a reliable receiver's store()
returns only once its block is durable, and a driver that crashed (simulated in-process:
the tracker is dropped without stop() and a new one is built from the last checkpoint_state
and the log) gets back every block it had not processed -- the pending batches as they
were, with nothing lost and nothing repeated.

The source is deterministic: numbers 0, 1, 2, ... whose acknowledged position lives in a
file and advances only after store() returns, as a reliable Kafka/Kinesis receiver commits
offsets. A restarted receiver resumes from that position.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
import threading
import time

import pytest
from receiver_helpers import WAIT, FakeStreamingContext, logged_numbers, wait_until

from sparklet.streaming.clock import ManualClock
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.receiver.channel import recv_frame, send_frame
from sparklet.streaming.receiver.supervisor import ReceiverSupervisor
from sparklet.streaming.receiver.tracker import (
    CHECKPOINTS_RETAINED_KEY,
    WAL_ENABLE_KEY,
    WAL_ROLLING_KEY,
    ReceiverTracker,
)
from sparklet.streaming.recovery.wal import WALCorruptionError, WriteAheadLog, frame, segment_names


class NumberSource(Receiver):
    """Reliable: stores ``[n, n + per_block)`` with ``store(list)``; only when that returns
    does it acknowledge the source (write ``n + per_block`` to ``ack_path``). Stops itself
    at ``stop_at`` (a receiver that goes away mid-stream) or when the source runs dry. With
    ``limit_path``, only the numbers below the one in that file are available yet: the
    test decides how far the source has got, so batch contents do not depend on timing."""

    def __init__(self, ack_path: str, total: int, per_block: int = 10,
                 stop_at: int | None = None, limit_path: str | None = None):
        super().__init__()
        self.ack_path, self.total, self.per_block = ack_path, total, per_block
        self.stop_at = total if stop_at is None else stop_at
        self.limit_path = limit_path

    def onStart(self):
        threading.Thread(target=self._run, daemon=True).start()

    def onStop(self):
        pass

    def _run(self):
        n = read_ack(self.ack_path)
        while not self.isStopped() and n < self.stop_at:
            available = self.stop_at if self.limit_path is None else \
                min(self.stop_at, read_ack(self.limit_path))
            if n >= available:
                time.sleep(0.005)
                continue
            records = list(range(n, min(n + self.per_block, available)))
            try:
                self.store(records)
            except RuntimeError:
                return  # not stored: not acknowledged, the source sends it again
            n = records[-1] + 1
            tmp = f"{self.ack_path}.tmp"
            with open(tmp, "w") as fh:
                fh.write(str(n))
            os.replace(tmp, self.ack_path)
            time.sleep(0.002)
        self.stop("source position reached")


def read_ack(path: str) -> int:
    try:
        with open(path) as fh:
            return int(fh.read() or 0)
    except FileNotFoundError:
        return 0


@pytest.fixture
def wal_sc(sc):
    """The shared context with the write-ahead log on (segments roll every 100 ms), and two
    checkpoints retained: log segments go two cleanups after their batches."""
    saved = dict(sc._conf._conf)
    sc._conf.set(WAL_ENABLE_KEY, "true").set(WAL_ROLLING_KEY, "0.1")
    sc._conf.set(CHECKPOINTS_RETAINED_KEY, "2")
    yield sc
    sc._conf._conf.clear()
    sc._conf._conf.update(saved)


def make_tracker(sc, checkpoint_dir, receivers: dict) -> ReceiverTracker:
    ssc = FakeStreamingContext(sc)
    ssc._checkpoint_dir = checkpoint_dir
    tracker = ReceiverTracker(ssc)
    for sid, receiver in receivers.items():
        tracker.register(sid, receiver)
    return tracker


def use_wal_clock(tracker: ReceiverTracker, clock: ManualClock, stream_id: int = 0) -> None:
    """Give a stream's log the test's manual clock (as Spark's suites drive its WAL with a
    ManualClock): its segments roll when the test advances the clock, not as wall-clock time
    passes, so how many there are does not depend on the machine's speed or load."""
    tracker._wals[stream_id] = WriteAheadLog(
        os.path.join(tracker._wal_root(), str(stream_id)), tracker.wal_rolling_ms,
        clock=clock.get_time_millis, run_id=tracker._wal_run_id)


def crash(tracker: ReceiverTracker) -> None:
    """What a dead driver leaves: no stop(), no flush; the OS closes its sockets and files."""
    if tracker._server is not None:
        tracker._server.close()
    for wal in tracker._wals.values():
        wal.close()


def test_crashed_driver_recovers_pending_batches_and_loses_nothing(wal_sc, tmp_path):
    checkpoint = str(tmp_path / "checkpoint")
    ack = str(tmp_path / "source-position")
    limit = str(tmp_path / "source-available")
    log_dir = os.path.join(checkpoint, "receivedData", "0")

    clock = ManualClock(1_000_000)

    def source_reaches(n: int) -> None:
        clock.advance(100)  # one rolling interval: the next records go to a new segment
        with open(limit + ".tmp", "w") as fh:
            fh.write(str(n))
        os.replace(limit + ".tmp", limit)
        assert wait_until(lambda: first.received_records(0) == n and read_ack(ack) == n)

    first = make_tracker(wal_sc, checkpoint,
                         {0: NumberSource(ack, total=300, stop_at=200, limit_path=limit)})
    use_wal_clock(first, clock)
    first.start()
    source_reaches(60)
    first.allocate_blocks_to_batch(1000)
    b1 = first.blocks_rdd(0, 1000).collect()
    source_reaches(65)
    # Durable before acknowledged: what the source considers delivered is in the log.
    assert logged_numbers(log_dir) == list(range(65))

    source_reaches(120)
    first.allocate_blocks_to_batch(2000)
    b2 = first.blocks_rdd(0, 2000).collect()
    first.cleanup_before(2000)  # batch 1000 is processed
    state = pickle.loads(pickle.dumps(first.checkpoint_state()))  # the last checkpoint

    # After that checkpoint: one more batch, then blocks nobody allocated yet.
    source_reaches(160)
    first.allocate_blocks_to_batch(3000)
    b3 = first.blocks_rdd(0, 3000).collect()
    source_reaches(200)
    assert first._receivers[0].job_done.wait(WAIT)  # the receiver went away at 200
    assert read_ack(ack) == 200
    assert (sorted(b1), sorted(b2), sorted(b3)) == (
        list(range(60)), list(range(60, 120)), list(range(120, 160)))
    rest = list(range(160, 200))
    # A crash in the middle of appending one more record: half of it is in the segment.
    active = first._wals[0]._active
    crash(first)
    with open(os.path.join(log_dir, active), "ab") as fh:
        fh.write(frame(10_000, pickle.dumps(("block", "torn", 1, b"never acked")))[:20])

    second = make_tracker(wal_sc, checkpoint, {0: NumberSource(ack, total=300)})
    clock.advance(100)
    use_wal_clock(second, clock)
    second.restore_state(state)
    # Pending at the checkpoint, and allocated after it: the same batches as before.
    assert second.blocks_rdd(0, 2000).collect() == b2
    assert second.blocks_rdd(0, 3000).collect() == b3
    assert second.num_records(0, 3000) == len(b3)
    # Batch 1000 was processed: it is not replayed. The rest goes to the next batch.
    assert second.blocks_rdd(0, 1000).collect() == []
    second.allocate_blocks_to_batch(4000)
    assert sorted(second.blocks_rdd(0, 4000).collect()) == rest

    # The receiver resumes from the source's acknowledged position: 200..299.
    second.start()
    assert second._receivers[0].job_done.wait(WAIT)
    second.stop(graceful=True)
    second.allocate_blocks_to_batch(5000)
    after = second.blocks_rdd(0, 5000).collect()
    everything = b1 + b2 + b3 + second.blocks_rdd(0, 4000).collect() + after
    assert sorted(everything) == list(range(300))  # exactly once, none lost

    # Cleanup past every batch deletes the crashed run's segments (torn one included), one
    # cleanup later than the batches: the checkpoint before it may still be recovered.
    old_segments = [s for s in segment_names(log_dir) if first._wal_run_id in s]
    assert len(old_segments) == 5  # one per source_reaches: the clock moved 100 ms each
    assert second.wal_cleanup_lag == 2
    second.cleanup_before(6000)
    second.cleanup_before(6000)
    assert set(old_segments) <= set(segment_names(log_dir))
    second.cleanup_before(6000)
    remaining = segment_names(log_dir)
    assert not set(old_segments) & set(remaining)
    assert remaining == [second._wals[0]._active]


def test_a_second_crash_recovers_from_the_recovered_drivers_checkpoint(wal_sc, tmp_path):
    """Blocks revived from the first crash and never processed survive a second one."""
    checkpoint = str(tmp_path / "checkpoint")
    ack = str(tmp_path / "source-position")
    first = make_tracker(wal_sc, checkpoint, {0: NumberSource(ack, total=100, stop_at=50)})
    first.start()
    assert first._receivers[0].job_done.wait(WAIT)
    first.allocate_blocks_to_batch(1000)
    state = first.checkpoint_state()
    crash(first)

    second = make_tracker(wal_sc, checkpoint, {0: NumberSource(ack, total=100)})
    second.restore_state(state)
    second.start()
    assert second._receivers[0].job_done.wait(WAIT)
    second.stop(graceful=True)
    state2 = second.checkpoint_state()  # batch 1000 still pending; 50..99 unallocated
    crash(second)

    third = make_tracker(wal_sc, checkpoint, {0: NumberSource(ack, total=100)})
    third.restore_state(state2)
    third.allocate_blocks_to_batch(2000)
    assert sorted(third.blocks_rdd(0, 1000).collect()) == list(range(50))
    assert sorted(third.blocks_rdd(0, 2000).collect()) == list(range(50, 100))
    for _ in range(third.wal_cleanup_lag + 1):
        third.cleanup_before(3000)
    # Nothing is live: only the segment being written (it logged batch 2000) is left.
    assert segment_names(os.path.join(checkpoint, "receivedData", "0")) == \
        [third._wals[0]._active]


def test_checkpoint_state_is_plain_data(wal_sc, tmp_path):
    tracker = make_tracker(wal_sc, str(tmp_path), {0: NumberSource(str(tmp_path / "a"), 20)})
    tracker.start()
    try:
        assert tracker._receivers[0].job_done.wait(WAIT)
        tracker.allocate_blocks_to_batch(1000)
        state = tracker.checkpoint_state()
    finally:
        tracker.stop(graceful=True)
    assert state["version"] == 1
    assert state["wal"] == {"run_id": tracker._wal_run_id, "next_seq": {0: 3}}  # 2 + alloc
    blocks = state["allocated"][1000][0]
    assert [b["num_records"] for b in blocks] == [10, 10]
    segment, offset, length = blocks[0]["wal"]
    assert segment in segment_names(str(tmp_path / "receivedData" / "0"))
    assert (offset, isinstance(length, int)) == (0, True)
    assert state["unallocated"] == {0: []}
    assert pickle.loads(pickle.dumps(state)) == state


def test_restore_without_the_log_warns_that_data_is_lost(sc, tmp_path, caplog):
    tracker = make_tracker(sc, None, {0: NumberSource(str(tmp_path / "a"), 20)})
    tracker.start()
    try:
        assert tracker._receivers[0].job_done.wait(WAIT)
        tracker.allocate_blocks_to_batch(1000)
        state = tracker.checkpoint_state()
    finally:
        tracker.stop(graceful=True)
    assert state["wal"] is None
    fresh = make_tracker(sc, None, {0: NumberSource(str(tmp_path / "a"), 20)})
    with caplog.at_level(logging.WARNING, logger="sparklet.streaming.receiver.tracker"):
        fresh.restore_state(state)
    assert "20 records" in caplog.text and WAL_ENABLE_KEY in caplog.text
    assert fresh.blocks_rdd(0, 1000).collect() == []


def test_restore_refuses_a_damaged_block(wal_sc, tmp_path):
    checkpoint = str(tmp_path / "cp")
    tracker = make_tracker(wal_sc, checkpoint, {0: NumberSource(str(tmp_path / "a"), 20)})
    tracker.start()
    assert tracker._receivers[0].job_done.wait(WAIT)
    tracker.allocate_blocks_to_batch(1000)
    state = tracker.checkpoint_state()
    crash(tracker)
    segment, offset, length = state["allocated"][1000][0][0]["wal"]
    path = os.path.join(checkpoint, "receivedData", "0", segment)
    with open(path, "r+b") as fh:
        fh.truncate(offset + length - 1)
    fresh = make_tracker(wal_sc, checkpoint, {0: NumberSource(str(tmp_path / "a"), 20)})
    with pytest.raises(WALCorruptionError, match="truncated or fails its checksum"):
        fresh.restore_state(state)


def test_the_log_needs_a_local_checkpoint_directory(wal_sc):
    tracker = make_tracker(wal_sc, None, {0: NumberSource("/nonexistent", 1)})
    with pytest.raises(ValueError, match="without checkpoint directory set"):
        tracker.start()
    tracker = make_tracker(wal_sc, "memory://wal-test", {0: NumberSource("/nonexistent", 1)})
    with pytest.raises(ValueError, match="needs a local checkpoint directory"):
        tracker.start()


# -- the receiver side, against a driver played by the test ---------------------------------

class StoresOnRequest(Receiver):
    """Stores the lists put in ``requests``; ``results`` gets "stored" or the error."""

    def __init__(self):
        super().__init__()
        self.requests: list = []
        self.results: list = []
        self.wake = threading.Event()

    def onStart(self):
        threading.Thread(target=self._run, daemon=True).start()

    def onStop(self):
        self.wake.set()

    def _run(self):
        while not self.isStopped():
            self.wake.wait()
            self.wake.clear()
            while self.requests:
                try:
                    self.store(self.requests.pop(0))
                    self.results.append("stored")
                except RuntimeError as e:
                    self.results.append(str(e))


def test_reliable_store_returns_only_when_the_driver_acknowledges():
    secret = b"s" * 32
    server = socket.create_server(("127.0.0.1", 0))
    receiver = StoresOnRequest()
    supervisor = ReceiverSupervisor(receiver, 7, server.getsockname()[:2],
                                    {"wal": True, "secret": secret, "blockInterval": 0.05})
    runner = threading.Thread(target=supervisor.run, daemon=True)
    runner.start()
    conn, _ = server.accept()
    try:
        assert conn.recv(32) == secret
        assert recv_frame(conn)[0] == "hello"
        assert recv_frame(conn) == ("started",)

        receiver.requests.append([1, 2, 3])
        receiver.wake.set()
        kind, block_id, count, _data, ask = recv_frame(conn)
        assert (kind, count, ask) == ("block", 3, True)
        time.sleep(0.2)  # not acknowledged yet: store() must still be waiting
        assert receiver.results == []
        send_frame(conn, ("ack", block_id))
        assert wait_until(lambda: receiver.results == ["stored"])

        receiver.requests.append([4])
        receiver.wake.set()
        block_id = recv_frame(conn)[1]
        send_frame(conn, ("nack", block_id, "OSError: disk full"))
        assert wait_until(lambda: len(receiver.results) == 2)
        assert "could not store block" in receiver.results[1]
        assert "disk full" in receiver.results[1]

        receiver.requests.append([5])
        receiver.wake.set()
        assert recv_frame(conn)[0] == "block"
        conn.close()  # the driver dies before answering
        assert wait_until(lambda: len(receiver.results) == 3)
        assert "before block" in receiver.results[2] and "acknowledged" in receiver.results[2]
    finally:
        conn.close()
        server.close()
        runner.join(WAIT)
    assert not runner.is_alive()


def test_a_block_the_log_cannot_take_is_refused_and_not_acknowledged(wal_sc, tmp_path):
    ack = str(tmp_path / "source-position")
    tracker = make_tracker(wal_sc, str(tmp_path / "cp"), {0: NumberSource(ack, total=50)})
    wal, writes = tracker._wal(0), []

    def fails_third(real_write):
        def write(*args):
            writes.append(args[0])
            if len(writes) == 3:
                raise OSError(28, "No space left on device")
            return real_write(*args)
        return write

    # The driver logs a block (local backend) or where its executor logged it (Dask).
    wal.write_block = fails_third(wal.write_block)
    wal.write_block_ref = fails_third(wal.write_block_ref)
    tracker.start()
    try:
        # The receiver's store() raised for the third block, so it stopped storing there.
        assert wait_until(lambda: len(writes) == 3)
        time.sleep(0.2)
        assert len(writes) == 3
        assert read_ack(ack) == 20 and tracker.received_records(0) == 20
        tracker.allocate_blocks_to_batch(1000)
        assert sorted(tracker.blocks_rdd(0, 1000).collect()) == list(range(20))
    finally:
        tracker.stop(graceful=True)
