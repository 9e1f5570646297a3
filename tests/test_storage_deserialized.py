"""Deserialized storage levels in the BlockManager: blocks kept as Python objects."""

from __future__ import annotations

import os
import pickle

import pytest

from sparklet import serializers
from sparklet.dependency import Partition
from sparklet.env import EnvSpec
from sparklet.storage.blockmanager import BlockManager, rdd_block_id
from sparklet.storagelevel import MEMORY_ONLY_DESER, StorageLevel, _PythonObjectsLevel
from sparklet.taskcontext import TaskContext


class _Rdd:
    """The least an RDD needs to be cached: an id, a level, and a counted compute."""

    def __init__(self, rdd_id: int, level: StorageLevel, records: list):
        self._id, self.level, self.records, self.computed = rdd_id, level, records, 0

    def id(self) -> int:
        return self._id

    def getStorageLevel(self) -> StorageLevel:
        return self.level

    def _compute_or_checkpoint(self, split, context):
        self.computed += 1
        return iter(self.records)


@pytest.fixture
def bm(tmp_path):
    def make(capacity: int = 10_000_000) -> BlockManager:
        spec = EnvSpec("app", "0", str(tmp_path), {"spark.sparklet.storage.memory": str(capacity)})
        return BlockManager(spec)
    return make


def _context() -> TaskContext:
    return TaskContext(0, 0, 0, 0)


def test_deserialized_block_is_reused_without_unpickling(bm, monkeypatch):
    store = bm()
    records = [("a", [1, 2]), ("b", [3])]
    rdd = _Rdd(1, MEMORY_ONLY_DESER, records)
    first = list(store.get_or_compute(rdd, Partition(0), None))

    def no_unpickling(data):
        raise AssertionError("a deserialized block was unpickled")

    monkeypatch.setattr(serializers, "loads", no_unpickling)
    second = list(store.get_or_compute(rdd, Partition(0), None))
    assert rdd.computed == 1 and second == first == records
    assert all(a is b for a, b in zip(first, second, strict=True))  # the same objects
    assert store.get_local_values(rdd_block_id(1, 0)) == records


def test_serialized_levels_still_keep_pickled_bytes(bm):
    store = bm()
    for rid, level in enumerate([StorageLevel.MEMORY_ONLY, StorageLevel.MEMORY_AND_DISK], 1):
        rdd = _Rdd(rid, level, [1, [2]])
        first = list(store.get_or_compute(rdd, Partition(0), None))
        second = list(store.get_or_compute(rdd, Partition(0), None))
        assert first == second == [1, [2]] and first[1] is not second[1]  # unpickled copy
        data, stored_level, size = store._memory[rdd_block_id(rid, 0)]
        assert isinstance(data, bytes) and size == len(data) and stored_level == level


def test_deserialized_block_size_is_estimated(bm):
    store = bm()
    rdd = _Rdd(1, MEMORY_ONLY_DESER, ["x" * 100] * 1000)
    store.get_or_compute(rdd, Partition(0), None)
    _, _, size = store._memory[rdd_block_id(1, 0)]
    assert 100_000 < size < 400_000
    assert store._memory_used == size


def test_evicted_deserialized_block_goes_to_disk_serialized(bm):
    store = bm(capacity=300_000)
    level = _PythonObjectsLevel(True, True, False, True)
    first = _Rdd(1, level, [("k%d" % i, i) for i in range(2000)])
    second = _Rdd(2, level, [("j%d" % i, i) for i in range(2000)])
    context = _context()
    store.get_or_compute(first, Partition(0), context)
    store.get_or_compute(second, Partition(0), context)  # evicts the first block
    assert rdd_block_id(1, 0) not in store._memory
    path = os.path.join(store.blocks_dir, rdd_block_id(1, 0))
    with open(path, "rb") as fh:
        assert serializers.loads(fh.read()) == first.records  # pickled on its way out
    assert list(store.get_or_compute(first, Partition(0), None)) == first.records
    assert first.computed == 1  # read back from disk, not recomputed
    assert context._blocks_dropped == []


def test_evicted_memory_only_deserialized_block_is_dropped(bm):
    store = bm(capacity=300_000)
    first = _Rdd(1, MEMORY_ONLY_DESER, [("k%d" % i, i) for i in range(2000)])
    second = _Rdd(2, MEMORY_ONLY_DESER, [("j%d" % i, i) for i in range(2000)])
    context = _context()
    store.get_or_compute(first, Partition(0), context)
    store.get_or_compute(second, Partition(0), context)
    assert context._blocks_dropped == [rdd_block_id(1, 0)]
    assert not os.path.exists(os.path.join(store.blocks_dir, rdd_block_id(1, 0)))
    assert list(store.get_or_compute(first, Partition(0), None)) == first.records
    assert first.computed == 2  # recomputed from lineage


def test_remove_block_and_bytes_of_deserialized_block(bm):
    store = bm()
    rdd = _Rdd(1, MEMORY_ONLY_DESER, [1, 2, 3])
    store.get_or_compute(rdd, Partition(0), None)
    assert pickle.loads(store.get_local_bytes(rdd_block_id(1, 0))) == [1, 2, 3]
    context = _context()
    store.remove_block(rdd_block_id(1, 0), context)
    assert store.memory_blocks() == [] and store._memory_used == 0
    assert context._blocks_dropped == [rdd_block_id(1, 0)]


def test_pyspark_deserialized_level_keeps_blocks_pickled(sc):
    # PySpark keeps Python data pickled at every level it names: a function that mutates
    # the records it reads must not change what the next read of the cache sees.
    cached = sc.parallelize(range(8), 2).map(lambda x: [x]).persist(
        StorageLevel.MEMORY_AND_DISK_DESER)
    assert cached.map(lambda r: r.append(-1) or len(r)).collect() == [2] * 8
    assert cached.collect() == [[x] for x in range(8)]
    cached.unpersist()


def test_persisting_an_rdd_deserialized_gives_the_same_results(sc):
    rdd = sc.parallelize(range(100), 4).map(lambda x: (x % 7, [x]))
    expected = rdd.collect()
    cached = rdd.persist(_PythonObjectsLevel(True, True, False, True))
    assert cached.collect() == expected
    assert cached.mapValues(len).collect() == [(k, 1) for k, _ in expected]
    assert cached.collect() == expected
    assert sc._block_master.cached_partitions(cached.id()) == 4
    cached.unpersist()
