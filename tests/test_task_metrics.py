"""Task metrics and block updates that every TaskResult carries, from real jobs on local[2].

Each test runs jobs on its own small SparkContext (executor processes) and checks the
figures the tasks report against a plain-Python model of the same work, or against the
files the executors wrote.
"""

from __future__ import annotations

import glob
import os
from operator import add

import pytest

from sparklet import SparkConf, SparkContext, serializers
from sparklet.scheduler.dag import SchedulerListener
from sparklet.scheduler.task import SHUFFLE_MAP
from sparklet.storage.blockmanager import executor_dir
from sparklet.storagelevel import StorageLevel
from sparklet.taskcontext import TASK_METRIC_KEYS

pytestmark = pytest.mark.integration

EXECUTOR_KEYS = ("executorStorageMemoryUsed", "executorStorageDiskUsed",
                 "executorMaxStorageMemory", "executorRssBytes")


class ResultRecorder(SchedulerListener):
    """Keeps every successful task's result, by kind (what SparkListenerTaskEnd is built on)."""

    def __init__(self):
        self.results = []   # (stage_id, task, result)

    def on_task_end(self, stage_id, task, status, result):
        if status == "success":
            self.results.append((stage_id, task, result))

    def of_kind(self, kind):
        return [r for _, t, r in self.results if t.kind == kind]

    def reduce_results(self):
        return [r for _, r in self.reduce_tasks()]

    def reduce_tasks(self):
        return [(t, r) for _, t, r in self.results if t.kind != SHUFFLE_MAP]

    def clear(self):
        self.results.clear()


def _context(**conf):
    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()
    spark_conf = SparkConf().setMaster("local[2]").setAppName("task-metrics")
    for key, value in conf.items():
        spark_conf.set(key, value)
    sc = SparkContext(conf=spark_conf)
    recorder = ResultRecorder()
    sc._dag_scheduler.listeners.append(recorder)
    return sc, recorder


@pytest.fixture
def make_sc():
    made = []

    def make(**conf):
        sc, recorder = _context(**conf)
        made.append(sc)
        return sc, recorder

    yield make
    for sc in made:
        sc.stop()


def _total(results, key):
    return sum(r.metrics[key] for r in results)


def _word_pairs(n):
    return [("w%d" % (i * 7 % 23), 1) for i in range(n)]


@pytest.mark.local_backend
@pytest.mark.parametrize("inline", [True, False], ids=["inline", "files"])
def test_shuffle_write_and_read_records_match_the_map_side_combine(make_sc, inline):
    conf = {} if inline else {"spark.sparklet.shuffle.inlineMaxBytes": "0"}
    sc, recorder = make_sc(**conf)
    data = sc.parallelize(_word_pairs(5000), 3)
    partitions = data.glom().collect()
    # reduceByKey combines map-side: each map task writes one record per distinct key.
    expected_records = sum(len({k for k, _ in p}) for p in partitions)
    recorder.clear()

    counts = data.reduceByKey(add, 4)
    assert dict(counts.collect()) == {k: sum(1 for _ in g) for k, g in _groups(partitions)}

    maps, reduces = recorder.of_kind(SHUFFLE_MAP), recorder.reduce_results()
    assert len(maps) == 3 and len(reduces) == 4
    assert _total(maps, "shuffleWriteRecords") == expected_records
    assert _total(reduces, "shuffleReadRecords") == expected_records
    statuses = [r.value for r in maps]
    written = _total(maps, "shuffleWriteBytes")
    assert written > 0
    assert written == sum(s.size() for s in statuses)
    if inline:
        assert all(s.data is not None for s in statuses)
        assert written == sum(len(s.data) for s in statuses)
    else:
        files = glob.glob(os.path.join(sc._local_dir, "executors", "*", "shuffle", "*.data"))
        assert len(files) == 3
        assert written == sum(os.path.getsize(f) for f in files)
    assert all(r.metrics["shuffleWriteTime"] > 0 for r in maps)
    # Each reducer read its span of every map output: in all, what the maps wrote.
    assert _total(reduces, "shuffleReadBytes") == written
    for task, r in recorder.reduce_tasks():
        spans = [(s.executor_id, s.spans[task.partition][1]) for s in statuses]
        non_empty = [(e, n) for e, n in spans if n]
        local = [n for e, n in non_empty if e == r.executor_id]
        remote = [n for e, n in non_empty if e != r.executor_id]
        assert r.metrics["shuffleLocalBlocksFetched"] == len(local)
        assert r.metrics["shuffleRemoteBlocksFetched"] == len(remote)
        assert r.metrics["shuffleLocalBytesRead"] == sum(local)
        assert r.metrics["shuffleRemoteBytesRead"] == sum(remote)
        assert r.metrics["shuffleWriteRecords"] == 0
    # The map tasks' hash maps had a size estimate; they read their slice as input.
    assert all(r.metrics["peakExecutionMemory"] > 0 for r in maps)
    assert _total(maps, "inputRecords") == 5000


def _groups(partitions):
    keys = {}
    for p in partitions:
        for k, v in p:
            keys.setdefault(k, []).append(v)
    return keys.items()


def test_shuffle_without_combine_counts_every_record(make_sc):
    sc, recorder = make_sc()
    pairs = [(i % 10, i) for i in range(3000)]
    parts = sc.parallelize(pairs, 2).partitionBy(3).glom().collect()
    assert sorted(x for p in parts for x in p) == sorted(pairs)
    maps = recorder.of_kind(SHUFFLE_MAP)
    assert _total(maps, "shuffleWriteRecords") == 3000  # partitionBy does not combine
    assert _total(recorder.reduce_results(), "shuffleReadRecords") == 3000


def test_every_result_carries_every_metric_and_the_executor_figures(make_sc):
    sc, recorder = make_sc()
    values = sc.parallelize(range(100), 2).map(lambda x: x * 2).collect()
    assert values == [x * 2 for x in range(100)]
    results = recorder.reduce_results()
    assert len(results) == 2
    for r in results:
        assert set(TASK_METRIC_KEYS) | set(EXECUTOR_KEYS) <= set(r.metrics)
        assert r.metrics["executorRunTime"] >= 0
        assert r.metrics["executorCpuTime"] > 0
        # The pickled value that travelled to the driver.
        assert r.metrics["resultSize"] == len(serializers.dumps(r.value)) > 0
        assert r.metrics["inputRecords"] == 50
        assert r.metrics["executorRssBytes"] > 1024 * 1024
        assert r.metrics["executorMaxStorageMemory"] > 0
        assert r.block_updates == []


def test_text_file_input_records_and_bytes(make_sc, tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("".join("line %d of the file\n" % i for i in range(2000)))
    sc, recorder = make_sc()
    assert sc.textFile(str(path), 3).count() == 2000
    results = recorder.reduce_results()
    assert _total(results, "inputRecords") == 2000
    assert _total(results, "inputBytes") == os.path.getsize(path)


def test_spill_is_counted_when_memory_is_tiny(make_sc):
    sc, recorder = make_sc(**{"spark.python.worker.memory": "2m"})
    payload = "x" * 200
    records = sc.parallelize(range(40_000), 2).map(lambda i: (i % 500, (i, payload)))
    sizes = dict(records.groupByKey(2).mapValues(len).collect())
    assert sizes == {k: 80 for k in range(500)}
    results = [r for _, _, r in recorder.results]
    assert _total(results, "memoryBytesSpilled") > 2 * 1024 * 1024
    assert _total(results, "diskBytesSpilled") > 0
    # The hash maps grew to about the limit before each spill.
    assert max(r.metrics["peakExecutionMemory"] for r in results) > 1024 * 1024


def _cached_updates(recorder, rdd_id):
    prefix = "rdd_%d_" % rdd_id
    return [(r.executor_id, u) for _, _, r in recorder.results for u in r.block_updates
            if u[0].startswith(prefix)]


def test_memory_only_block_updates_carry_the_memory_size(make_sc):
    sc, recorder = make_sc()
    data = [str(i) * 3 for i in range(400)]
    rdd = sc.parallelize(data, 2).persist(StorageLevel.MEMORY_ONLY)
    assert rdd.count() == 400
    partitions = rdd.glom().collect()  # from the cache
    updates = _cached_updates(recorder, rdd.id())
    assert sorted(u[0] for _, u in updates) == ["rdd_%d_0" % rdd.id(), "rdd_%d_1" % rdd.id()]
    for _, (block_id, level, mem_size, disk_size) in updates:
        assert level == "Memory Serialized 1x Replicated"
        split = int(block_id.rsplit("_", 1)[1])
        # A MEMORY_ONLY block is the partition pickled: its size is exact.
        assert mem_size == len(serializers.dumps(partitions[split])) > 0
        assert disk_size == 0
    last = recorder.reduce_results()[-2:]
    assert sum(r.metrics["executorStorageMemoryUsed"] for r in last) >= sum(
        u[2] for _, u in updates)
    # The second job read the cached blocks: their records count as its input.
    assert _total(last, "inputRecords") == 400


@pytest.mark.local_backend
def test_disk_only_block_updates_carry_the_file_size(make_sc):
    sc, recorder = make_sc()
    rdd = sc.parallelize(range(1000), 2).map(lambda x: (x, "v%d" % x))
    rdd.persist(StorageLevel.DISK_ONLY)
    assert rdd.count() == 1000
    updates = _cached_updates(recorder, rdd.id())
    assert len(updates) == 2
    for executor_id, (block_id, level, mem_size, disk_size) in updates:
        assert level == "Disk Serialized 1x Replicated"
        assert mem_size == 0
        path = os.path.join(executor_dir(sc._local_dir, executor_id), "blocks", block_id)
        assert disk_size == os.path.getsize(path) > 0
    # Each executor's disk use covers the blocks it wrote.
    by_executor = {r.executor_id: r.metrics["executorStorageDiskUsed"]
                   for r in recorder.reduce_results()}
    for executor_id, (_, _, _, disk_size) in updates:
        assert by_executor[executor_id] >= disk_size


@pytest.mark.local_backend
def test_evicted_blocks_are_reported_dropped_or_moved_to_disk(make_sc):
    # Room for one block per executor: each new block evicts the one before.
    sc, recorder = make_sc(**{"spark.sparklet.storage.memory": "2000"})
    data = ["%05d" % i for i in range(1200)]  # six blocks of ~1.6 KB
    memory_only = sc.parallelize(data, 6).persist(StorageLevel.MEMORY_ONLY)
    assert memory_only.count() == 1200
    updates = _cached_updates(recorder, memory_only.id())
    dropped = [(e, u[0]) for e, u in updates if u[1:] == ("", 0, 0)]
    stored = {(e, u[0]) for e, u in updates if u[2] > 0}
    assert len(stored) == 6
    assert dropped, updates
    # What an executor dropped, it had stored before.
    assert set(dropped) <= stored
    for _, _, r in recorder.results:
        assert r.metrics["executorStorageMemoryUsed"] <= r.metrics["executorMaxStorageMemory"]

    recorder.clear()
    spilling = sc.parallelize(data, 6).persist(StorageLevel.MEMORY_AND_DISK)
    assert spilling.count() == 1200
    updates = _cached_updates(recorder, spilling.id())
    moved = [(e, u) for e, u in updates if u[1] == "Disk Serialized 1x Replicated"]
    assert moved, updates
    for executor_id, (block_id, _, mem_size, disk_size) in moved:
        assert mem_size == 0
        path = os.path.join(executor_dir(sc._local_dir, executor_id), "blocks", block_id)
        assert disk_size == os.path.getsize(path)
    assert all(u[1] == "Memory Serialized 1x Replicated" for _, u in updates
               if u[2] > 0)


def test_unpersisted_state_block_taken_is_reported_dropped(make_sc):
    """A block taken out of the store (what updateStateByKey does) is reported dropped."""
    from sparklet.env import SparkEnv
    from sparklet.storagelevel import MEMORY_ONLY_DESER
    from sparklet.taskcontext import TaskContext

    sc, recorder = make_sc(**{"spark.sparklet.backend": "threads"})

    def take(_):
        bm = SparkEnv.get().block_manager
        context = TaskContext.get()
        bm.put_values("rdd_999_0", [1, 2, 3], MEMORY_ONLY_DESER, context)
        assert bm.take_values("rdd_999_0", context) == [1, 2, 3]
        return [0]

    assert sc.parallelize([0], 1).mapPartitions(take).collect() == [0]
    (result,) = recorder.reduce_results()
    (stored, dropped) = result.block_updates
    assert stored[0] == "rdd_999_0" and stored[1] == "Memory Deserialized 1x Replicated"
    assert stored[2] > 0 and stored[3] == 0
    assert dropped == ("rdd_999_0", "", 0, 0)
    assert result.metrics["resultSize"] == 0  # the threads backend pickles no result
