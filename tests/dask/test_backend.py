"""The Dask backend on a real dask-local[2] cluster: what it does that the shared suites
(``pytest --backend=dask``) do not look at -- data staying on the workers, files and
modules shipped to them, a worker killed mid-job."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import Counter

import pytest

from sparklet import SparkConf, SparkContext, SparkFiles

distributed = pytest.importorskip("distributed", reason="needs sparklet[dask]")

pytestmark = pytest.mark.integration

WAIT = 60.0


@pytest.fixture
def make_dask_sc():
    """``make_dask_sc(settings)``: a context of its own on a fresh dask-local[2] (none is
    active around it), with extra settings."""
    made = []

    def make(settings: dict):
        active = SparkContext._active_spark_context
        if active is not None:
            active.stop()
        conf = SparkConf().setMaster("dask-local[2]").setAppName("dask-tests")
        for key, value in settings.items():
            conf.set(key, value)
        made.append(SparkContext(conf=conf))
        return made[-1]

    yield make
    for sc in made:
        sc.stop()


@pytest.fixture
def dask_sc(make_dask_sc):
    return make_dask_sc({})


def _until(predicate, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def test_master_urls_parse_and_bad_ones_are_refused():
    from sparklet.backends.dask import parse_dask_master

    assert parse_dask_master("dask://10.0.0.5:8786") == ("tcp://10.0.0.5:8786", 0)
    assert parse_dask_master("dask://tls://h:8786") == ("tls://h:8786", 0)
    assert parse_dask_master("dask-local") == (None, 1)
    assert parse_dask_master("dask-local[3]") == (None, 3)
    for bad in ("dask://", "dask://nohostport", "dask-local[0]"):
        with pytest.raises(ValueError):
            parse_dask_master(bad)


def test_missing_distributed_names_the_extra(monkeypatch):
    from sparklet.backends.dask import _require_distributed

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(ImportError, match=r"sparklet\[dask\]"):
        _require_distributed()


def test_executors_are_the_workers_and_a_shuffle_reads_from_the_other(dask_sc):
    sc = dask_sc
    _until(lambda: len(sc._backend.executor_addresses()) == 2, "two executors")
    assert sc.defaultParallelism == 2
    lines = ["the quick brown fox %d jumps over the lazy dog %d" % (i, i % 7)
             for i in range(2000)]
    counts = dict(sc.parallelize(lines, 4).flatMap(str.split).map(lambda w: (w, 1))
                  .reduceByKey(lambda a, b: a + b, 4).collect())
    assert counts == Counter(w for line in lines for w in line.split())
    joined = sc.parallelize(range(400), 4).map(lambda x: (x % 10, x)).cache()
    assert sorted(joined.join(joined.mapValues(str)).countByKey().items()) == [
        (k, 1600) for k in range(10)]


def test_shuffle_metrics_count_remote_fetches(dask_sc):
    sc = dask_sc
    _until(lambda: len(sc._backend.executor_addresses()) == 2, "two executors")
    seen = []
    original = sc._task_succeeded  # every successful task's result passes through it

    def spy(result):
        seen.append(dict(result.metrics))
        original(result)

    sc._task_succeeded = spy
    try:
        pairs = sc.parallelize(range(1000), 4).map(lambda x: (x % 20, x))
        assert dict(pairs.reduceByKey(lambda a, b: a + b, 4).collect()) == {
            k: sum(range(k, 1000, 20)) for k in range(20)}
    finally:
        sc._task_succeeded = original
    remote = sum(m.get("shuffleRemoteBlocksFetched", 0) for m in seen)
    local = sum(m.get("shuffleLocalBlocksFetched", 0) for m in seen)
    assert remote + local == 16  # 4 map outputs read by each of 4 reducers
    assert remote > 0  # maps ran on both workers: some spans came from the peer


def test_broadcast_is_scattered_once_and_read_on_every_worker(dask_sc):
    sc = dask_sc
    table = {i: str(i) * 3 for i in range(5000)}
    b = sc.broadcast(table)
    got = sc.parallelize(range(0, 5000, 7), 4).map(lambda i: b.value[i]).collect()
    assert got == [str(i) * 3 for i in range(0, 5000, 7)]
    # One Dask key holds it (Dask's memory manager may keep a single replica of it: a
    # worker without one fetches it from a peer, once).
    [future] = [f for k, f in sc._backend._scattered.items() if k[0] == "broadcast_key"]
    assert sc._backend.client.who_has([future])[future.key]
    hosts = sc.parallelize(range(8), 8).map(lambda _: (os.getpid(), len(b.value))).collect()
    assert {n for _, n in hosts} == {5000} and len({pid for pid, _ in hosts}) == 2
    b.destroy()
    assert not any(k[0] == "broadcast_key" for k in sc._backend._scattered)


def test_added_files_and_py_files_reach_the_workers(dask_sc, tmp_path):
    sc = dask_sc
    data = tmp_path / "lookup.txt"
    data.write_text("alpha\nbeta\n")
    module = tmp_path / "shipped_helper_mod.py"
    module.write_text("def shout(s):\n    return s.upper() + '!'\n")
    sc.addFile(str(data))
    sc.addPyFile(str(module))

    def use(x):
        import shipped_helper_mod

        with open(SparkFiles.get("lookup.txt")) as fh:
            words = fh.read().split()
        return shipped_helper_mod.shout(words[x % 2]), os.path.dirname(SparkFiles.get("x"))

    out = sc.parallelize(range(4), 4).map(use).collect()
    assert [o[0] for o in out] == ["ALPHA!", "BETA!", "ALPHA!", "BETA!"]
    # The workers read their own copies, not the driver's directory.
    assert all(root != SparkFiles.getRootDirectory() for _, root in out)


def test_a_worker_killed_mid_job_is_lost_and_the_job_still_right(dask_sc, tmp_path):
    sc = dask_sc
    _until(lambda: len(sc._backend.executor_addresses()) == 2, "two executors")
    marks = tmp_path / "marks"
    marks.mkdir()
    go = tmp_path / "go"

    def slow(it, marks=str(marks), go=str(go)):
        with open(os.path.join(marks, str(os.getpid())), "w"):
            pass
        deadline = time.monotonic() + 60
        while not os.path.exists(go) and time.monotonic() < deadline:
            time.sleep(0.01)
        return it

    words = ["w%d" % (i % 13) for i in range(1300)]
    result = {}

    def job():
        result["counts"] = dict(sc.parallelize(words, 4).mapPartitions(slow)
                                .map(lambda w: (w, 1)).reduceByKey(lambda a, b: a + b)
                                .collect())

    t = threading.Thread(target=job)
    t.start()
    pids = _until(lambda: [int(p) for p in os.listdir(marks)], "a map task to start")
    os.kill(pids[0], signal.SIGKILL)
    # The cluster's nanny starts a replacement: the backend loses an executor, gains "2".
    _until(lambda: set(sc._backend.executor_addresses()) in ({"0", "2"}, {"1", "2"}),
           "the lost executor to be replaced")
    go.touch()
    t.join(WAIT * 2)
    assert not t.is_alive()
    assert result["counts"] == Counter(words)


class _Numbers:
    """A receiver storing 0..n-1 in a few blocks, then idling until stopped."""

    @staticmethod
    def make(n: int):
        from sparklet.streaming.receiver import Receiver

        class Numbers(Receiver):
            def onStart(self):
                threading.Thread(target=self._run, daemon=True).start()

            def onStop(self):
                pass

            def _run(self):
                for start in range(0, n, 100):
                    self.store(list(range(start, min(n, start + 100))))

        return Numbers()


def test_received_blocks_stay_on_the_receivers_worker(dask_sc):
    from sparklet.streaming import StreamingContext

    sc = dask_sc
    ssc = StreamingContext(sc, 0.2)
    seen, holders = [], set()
    lock = threading.Lock()

    def collect(rdd):
        values = rdd.collect()
        with lock:
            seen.extend(values)
            holders.update((b.executor_id, b.replicas) for b in rdd._blocks)

    stream = ssc.receiverStream(_Numbers.make(1000))
    stream.foreachRDD(collect)
    ssc.start()
    try:
        _until(lambda: len(seen) >= 1000, "every record in some batch")
        tracker = ssc._receiver_tracker
        # The driver kept no bytes: it knows where each block is, nothing more.
        assert tracker._store.memory_used == 0 and tracker._store.disk_used == 0
    finally:
        ssc.stop(stopSparkContext=False)
    assert sorted(seen) == list(range(1000))
    # MEMORY_AND_DISK_2, the receivers' default: every block has a copy on the other worker.
    assert holders
    for primary, replicas in holders:
        assert primary is not None and len(replicas) == 1 and replicas[0] != primary



# The batches _keep_batch saw (module level: a checkpointed graph pickles its functions).
_KEPT_BATCHES: list = []
_KEPT_LOCK = threading.Lock()


def _keep_batch(rdd):
    with _KEPT_LOCK:
        _KEPT_BATCHES.append(rdd)


def test_with_the_write_ahead_log_executors_log_the_blocks_and_the_driver_only_where(
        make_dask_sc, tmp_path):
    """Spark's WriteAheadLogBasedBlockHandler: the receiver's executor logs each block
    before the driver hears of it; the driver's log holds references; and a block no
    executor holds any more is read back from the executor's log."""
    import pickle

    from sparklet.streaming import StreamingContext
    from sparklet.streaming.recovery.block_logs import read_logged_block
    from sparklet.streaming.recovery.wal import WriteAheadLog, segment_names

    sc = make_dask_sc({"spark.streaming.receiver.writeAheadLog.enable": "true"})
    ssc = StreamingContext(sc, 0.2)
    checkpoint = tmp_path / "checkpoint"
    ssc.checkpoint(str(checkpoint))
    batches, lock = _KEPT_BATCHES, _KEPT_LOCK
    batches.clear()
    ssc.receiverStream(_Numbers.make(1000)).foreachRDD(_keep_batch)
    ssc.start()
    try:
        def received():
            with lock:
                return sum(b.count() for b in batches if b._blocks) >= 1000
        _until(received, "every record in some batch")
        tracker = ssc._receiver_tracker
        assert tracker._store.memory_used == 0 and tracker._store.disk_used == 0
        driver_log = str(checkpoint / "receivedData" / "0")
        records = [body for seg in segment_names(driver_log)
                   for _, _, body in WriteAheadLog(driver_log).scan(seg)]
        assert {body[0] for body in records} <= {"block_ref", "alloc"}
        refs = [body[4] for body in records if body[0] == "block_ref"]
        assert {ref[0] for ref in refs} == {str(checkpoint / "receivedBlockData" / "0")}
        assert sorted(x for ref in refs for x in pickle.loads(read_logged_block(ref))) == \
            list(range(1000))
        # Every executor drops the blocks: the batches read them from the executors' log.
        with lock:
            kept = [b for b in batches if b._blocks]
        sc._backend.broadcast_message(
            ("remove_blocks", [i.block_id for b in kept for i in b._blocks]))
        assert sc._backend.wait_control_delivered(WAIT)
        assert sorted(x for b in kept for x in b.collect()) == list(range(1000))
    finally:
        ssc.stop(stopSparkContext=False)


def test_a_block_cached_on_another_worker_is_read_from_it_not_recomputed(make_dask_sc,
                                                                         tmp_path):
    sc = make_dask_sc({"spark.locality.wait": "0"})  # no waiting for a busy holder
    _until(lambda: len(sc._backend.executor_addresses()) == 2, "two executors")
    computed = sc.accumulator(0)

    def count(x):
        computed.add(1)
        return x * 3

    rdd = sc.parallelize(range(400), 8).map(count).cache()
    assert rdd.sum() == 3 * sum(range(400))
    assert computed.value == 400
    holders = {sc._block_master.preferred_executor(rdd, p) for p in range(8)}
    assert holders == {"0", "1"}  # both workers cache some partitions
    # One worker busy with a task of its own: every partition is read on the other one,
    # the busy worker's from the busy worker (its RPC handler answers while a task runs).
    go, started = tmp_path / "go", tmp_path / "started"

    def block(x, go=str(go), started=str(started)):
        open(started, "w").close()
        deadline = time.monotonic() + 60
        while not os.path.exists(go) and time.monotonic() < deadline:
            time.sleep(0.01)
        return x

    blocker = threading.Thread(target=lambda: sc.parallelize([0], 1).map(block).collect())
    blocker.start()
    try:
        _until(started.exists, "the blocking task to start")
        assert sorted(rdd.collect()) == [3 * x for x in range(400)]
        assert computed.value == 400  # nothing recomputed
    finally:
        go.touch()
        blocker.join(WAIT)
