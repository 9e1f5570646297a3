"""Custom receivers end to end: each runs as a long-running task on a worker process and
pushes blocks to the driver's ReceiverTracker, which turns them into batch RDDs."""

from __future__ import annotations

import logging
import os
import pickle
import signal
import threading

import pytest
from receiver_helpers import (
    WAIT,
    Counter,
    FakeStreamingContext,
    drain,
    info_of,
    receiver_conf,
    start_tracker,
    wait_until,
)

from sparklet import StorageLevel
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.receiver.tracker import ReceiverTracker


class SinglesThenMany(Receiver):
    """Stores 0..999 one at a time, then 1000..1999 as lists of 100, then stops itself."""

    def onStart(self):
        threading.Thread(target=self._run, daemon=True).start()

    def onStop(self):
        pass

    def _run(self):
        for i in range(1000):
            self.store(i)
        for start in range(1000, 2000, 100):
            self.store(list(range(start, start + 100)))
        self.store(iter([2000, 2001]))  # an iterator is many records too
        self.store((1, "tuple"))        # a tuple is one record
        self.stop("all stored")


class RestartOnce(Receiver):
    """First start: stores "start-1" and asks for a restart. Second: stores and stops."""

    def __init__(self):
        super().__init__()
        self.starts = 0

    def onStart(self):
        self.starts += 1
        self.store(f"start-{self.starts}")
        if self.starts == 1:
            self.restart("again")
        else:
            threading.Thread(target=self.stop, args=("done",), daemon=True).start()

    def onStop(self):
        self.store(f"stop-{self.starts}")


class FailsFirstStart(Receiver):
    def __init__(self):
        super().__init__()
        self.starts = 0

    def onStart(self):
        self.starts += 1
        if self.starts == 1:
            raise ValueError("boom on first start")
        self.store("second start worked")
        threading.Thread(target=self.stop, args=("done",), daemon=True).start()

    def onStop(self):
        pass


class ReportsError(Receiver):
    def onStart(self):
        threading.Thread(target=self._run, daemon=True).start()

    def onStop(self):
        pass

    def _run(self):
        self.store("before")
        try:
            raise KeyError("flaky upstream")
        except KeyError as e:
            self.reportError("upstream hiccup", e)
        self.store("after")
        self.stop("done")


class Idle(Receiver):
    def onStart(self):
        pass

    def onStop(self):
        pass


@pytest.fixture
def ctx(make_context):
    return make_context(receiver_conf())


def test_store_single_and_many_records(ctx):
    tracker, ssc = start_tracker(ctx, {0: SinglesThenMany()})
    try:
        # The receiver stops itself; its task ends, and it is not launched again.
        assert tracker._receivers[0].job_done.wait(WAIT)
        records = drain(tracker, 0, 1000)
    finally:
        tracker.stop(graceful=True)
    assert sorted(r for r in records if isinstance(r, int)) == list(range(2002))
    assert (1, "tuple") in records and len(records) == 2003
    parts = tracker.blocks_rdd(0, 1000).glom().collect()
    assert len(parts) == tracker.blocks_rdd(0, 1000).getNumPartitions()
    # Each stored list is a block (a partition) of its own.
    for start in range(1000, 2000, 100):
        assert list(range(start, start + 100)) in parts
    assert tracker.num_records(0, 1000) == 2003
    assert tracker.connections(0) == 1
    kinds = ssc._listener_bus.kinds()
    assert kinds[0] == "ReceiverStarted" and kinds[-1] == "ReceiverStopped"
    stopped = info_of(ssc._listener_bus.of("ReceiverStopped")[-1])
    assert stopped.streamId == 0 and stopped.name == "SinglesThenMany"
    assert not stopped.active and stopped.executorId in {"0", "1"}


def test_batches_split_records_with_no_loss_or_duplicates(ctx):
    tracker, _ = start_tracker(ctx, {0: Counter()})
    batches = []
    try:
        assert tracker.wait_for_receivers(WAIT)
        for k in range(1, 6):
            # Each batch once something arrived since the last one: never an empty batch,
            # however slowly the receiver's process runs.
            allocated = sum(len(b) for b in batches)
            assert wait_until(lambda n=allocated: tracker.received_records(0) > n)
            tracker.allocate_blocks_to_batch(k * 150)
            batches.append(tracker.blocks_rdd(0, k * 150).collect())
    finally:
        tracker.stop(graceful=True)
    tracker.allocate_blocks_to_batch(10_000)  # what arrived during the graceful stop
    batches.append(tracker.blocks_rdd(0, 10_000).collect())
    everything = [x for b in batches for x in b]
    # Graceful stop flushed the last block: 0..N-1 with no gap, no repeat, in order.
    assert everything == list(range(len(everything)))
    assert all(batches[:5])
    assert [tracker.num_records(0, k * 150) for k in range(1, 6)] == [len(b) for b in
                                                                       batches[:5]]


def test_restart_stops_and_starts_again_after_the_delay(ctx):
    tracker, ssc = start_tracker(ctx, {0: RestartOnce()})
    try:
        assert tracker._receivers[0].job_done.wait(WAIT)
        records = drain(tracker, 0, 1000)
    finally:
        tracker.stop(graceful=True)
    assert sorted(records) == ["start-1", "start-2", "stop-1", "stop-2"]
    assert ssc._listener_bus.kinds() == ["ReceiverStarted", "ReceiverStopped",
                                         "ReceiverStarted", "ReceiverStopped"]
    restart_msg = info_of(ssc._listener_bus.of("ReceiverStopped")[0]).lastErrorMessage
    assert restart_msg == "Restarting receiver with delay 100ms: again"
    assert tracker.connections(0) == 1  # restarted inside the same task


def test_failing_onstart_is_reported_and_restarted(ctx):
    tracker, ssc = start_tracker(ctx, {0: FailsFirstStart()})
    try:
        assert tracker._receivers[0].job_done.wait(WAIT)
        records = drain(tracker, 0, 1000)
    finally:
        tracker.stop(graceful=True)
    assert records == ["second start worked"]
    errors = ssc._listener_bus.of("ReceiverError")
    assert errors and info_of(errors[0]).lastErrorMessage == "Error starting receiver 0"
    assert "ValueError: boom on first start" in info_of(errors[0]).lastError
    assert ssc._listener_bus.kinds()[-2:] == ["ReceiverStarted", "ReceiverStopped"]


def test_report_error_keeps_receiving(ctx):
    tracker, ssc = start_tracker(ctx, {0: ReportsError()})
    try:
        assert tracker._receivers[0].job_done.wait(WAIT)
        records = drain(tracker, 0, 1000)
    finally:
        tracker.stop(graceful=True)
    assert sorted(records) == ["after", "before"]
    (error,) = ssc._listener_bus.of("ReceiverError")
    assert info_of(error).lastErrorMessage == "upstream hiccup"
    assert "KeyError: 'flaky upstream'" in info_of(error).lastError
    assert ssc._listener_bus.kinds() == ["ReceiverStarted", "ReceiverError", "ReceiverStopped"]


def test_receiver_holds_a_slot_and_batches_use_the_others(ctx):
    tracker, _ = start_tracker(ctx, {0: Counter()})
    try:
        assert tracker.wait_for_receivers(WAIT)
        # local[2]: the receiver holds one worker for the stream's lifetime; jobs still run.
        assert ctx.parallelize(range(10), 4).map(lambda x: x * 2).sum() == 90
        assert tracker._receivers[0].thread.is_alive()
    finally:
        tracker.stop(graceful=False)
    assert tracker._receivers[0].job_done.is_set()  # the slot is free again


def test_warns_when_receivers_leave_no_core(ctx, caplog):
    with caplog.at_level(logging.WARNING, logger="sparklet.streaming.receiver.tracker"):
        tracker, _ = start_tracker(ctx, {0: Idle(), 1: Idle()})
        tracker.stop(graceful=False)
    assert "use local[n] with n > the number of receivers (e.g. local[3])" in caplog.text


def test_lost_executor_relaunches_the_receiver(make_context):
    sc = make_context(receiver_conf("local[3]"))
    tracker, ssc = start_tracker(sc, {0: Counter()})
    try:
        assert tracker.wait_for_receivers(WAIT)
        assert wait_until(lambda: tracker.received_records(0) > 100)
        first = drain(tracker, 0, 1000)
        executor = tracker.receiver_info(0).executorId
        os.kill(sc._backend.executor_pids()[executor], signal.SIGKILL)
        # The scheduler reruns the task elsewhere; it connects again for the same stream.
        assert wait_until(lambda: tracker.connections(0) == 2)
        assert wait_until(lambda: tracker.receiver_info(0).active)
        assert tracker.receiver_info(0).executorId != executor
        assert wait_until(lambda: tracker.held_records(0) > 100)
    finally:
        tracker.stop(graceful=True)
    second = drain(tracker, 0, 2000)
    assert first == list(range(len(first)))
    # The new attempt starts its own count from 0 and loses nothing it stored.
    restart = second.index(0) if 0 in second else None
    assert restart is not None and second[restart:] == list(range(len(second) - restart))
    assert any(info_of(e).lastErrorMessage.startswith("Receiver 0 lost its connection")
               for e in ssc._listener_bus.of("ReceiverError"))


def test_empty_batches_duplicates_and_cleanup(ctx):
    tracker = ReceiverTracker(FakeStreamingContext(ctx))
    tracker.register(0, Idle())
    assert tracker.blocks_rdd(0, 500).getNumPartitions() == 0
    assert tracker.blocks_rdd(0, 500).collect() == [] and tracker.num_records(0, 500) == 0
    info = tracker.block_store.add(0, "input-0-0-0", 2, pickle.dumps([1, 2]))
    tracker._unallocated[0].append(info)
    tracker.allocate_blocks_to_batch(1000)
    tracker.allocate_blocks_to_batch(1000)  # a second allocation of the same batch: no-op
    tracker.allocate_blocks_to_batch(2000)
    assert tracker.num_records(0, 1000) == 2 and tracker.num_records(0, 2000) == 0
    rdd = tracker.blocks_rdd(0, 1000)
    tracker.cleanup_before(1500)
    assert tracker.num_records(0, 1000) == 0 and tracker.num_records(0, 2000) == 0
    assert rdd.collect() == [1, 2]  # an RDD built before cleanup keeps its memory blocks
    assert tracker.block_store.memory_used == 0
    tracker.stop(graceful=False)    # never started: nothing to stop

    empty = ReceiverTracker(FakeStreamingContext(ctx))
    empty.start()
    with pytest.raises(RuntimeError, match="before the tracker starts"):
        empty.register(1, Idle())
    with pytest.raises(TypeError, match="is not a sparklet.streaming.receiver.Receiver"):
        ReceiverTracker(FakeStreamingContext(ctx)).register(0, object())
    empty.stop(graceful=True)


class DiskCounter(Counter):
    def __init__(self):
        super().__init__()
        self._storage_level = StorageLevel.DISK_ONLY


# The driver's block store; on a cluster backend blocks stay on the receivers' executors.
@pytest.mark.local_backend
def test_blocks_spill_to_the_local_dir_beyond_the_memory_limit(make_context):
    sc = make_context(receiver_conf(**{"spark.sparklet.streaming.receivedBlockMemory": "1k"}))
    tracker, _ = start_tracker(sc, {0: Counter(), 1: DiskCounter()})
    try:
        assert tracker.wait_for_receivers(WAIT)
        assert wait_until(lambda: tracker.received_records(0) > 2000
                          and tracker.received_records(1) > 500)
    finally:
        tracker.stop(graceful=True)
    tracker.allocate_blocks_to_batch(1000)
    spill_dir = os.path.join(sc._local_dir, "streaming-blocks")
    files = os.listdir(spill_dir)
    assert any(f.startswith("input-1-") for f in files)  # DISK_ONLY: always on disk
    assert any(f.startswith("input-0-") for f in files)  # beyond 1k of memory
    assert tracker.block_store.memory_used <= 1024
    for sid in (0, 1):
        got = tracker.blocks_rdd(sid, 1000).collect()
        assert got == list(range(len(got)))
    tracker.cleanup_before(2000)
    assert os.listdir(spill_dir) == [] and tracker.block_store.disk_used == 0


def test_receivers_connect_to_spark_driver_host(make_context):
    """spark.driver.host is the address the receiver tasks are given to connect to (a worker
    on another machine needs one it can reach); the socket listens on
    spark.driver.bindAddress."""
    sc = make_context(receiver_conf(**{"spark.driver.host": "localhost",
                                       "spark.driver.bindAddress": "127.0.0.1"}))
    tracker, _ = start_tracker(sc, {0: Counter()})
    try:
        assert tracker.address[0] == "localhost"
        assert tracker._server.getsockname()[0] == "127.0.0.1"
        assert wait_until(lambda: tracker.received_records(0) > 0)
    finally:
        tracker.stop(graceful=False)
