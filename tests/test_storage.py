"""Persistence on real executors: StorageLevel semantics, LRU eviction, checkpoints."""

from __future__ import annotations

import os

import pytest

from sparklet import SparkConf, StorageLevel

pytestmark = pytest.mark.integration


@pytest.fixture
def make_sc(make_context):
    """``make_sc(master, **conf)``: a context of our own with that master and settings."""
    def make(master="local[1]", **conf):
        c = SparkConf().setMaster(master).setAppName("storage")
        for k, v in conf.items():
            c.set(k, v)
        return make_context(c)
    return make


def _counted(sc, n_partitions=4, size=20_000):
    """An RDD of ~n_partitions x 0.5 MB whose computations are counted by an accumulator."""
    computed = sc.accumulator(0)

    def build(i, it):
        computed.add(1)
        return (("%d-%d" % (i, j)) * 4 for j in range(size))

    return sc.parallelize(range(n_partitions), n_partitions).mapPartitionsWithIndex(build), \
        computed


@pytest.mark.parametrize("level", [StorageLevel.MEMORY_ONLY, StorageLevel.MEMORY_AND_DISK,
                                   StorageLevel.DISK_ONLY])
def test_persisted_rdd_is_computed_once_when_it_fits(make_sc, level):
    sc = make_sc("local[2]")
    rdd, computed = _counted(sc, size=100)
    rdd.persist(level)
    first = rdd.collect()
    assert computed.value == 4
    assert rdd.collect() == first and rdd.count() == len(first)
    assert computed.value == 4  # served from the block store
    assert sc._block_master.cached_partitions(rdd.id()) == 4


def test_memory_only_evicts_lru_and_recomputes(make_sc):
    # ~1.2 MB of storage per executor; four ~0.6 MB partitions cannot all stay.
    sc = make_sc("local[1]", **{"spark.sparklet.storage.memory": str(1_200_000)})
    rdd, computed = _counted(sc)
    rdd.persist(StorageLevel.MEMORY_ONLY)
    expected = rdd.collect()
    assert computed.value == 4
    assert rdd.collect() == expected
    assert computed.value > 4  # evicted partitions were recomputed from lineage


@pytest.mark.local_backend
def test_memory_and_disk_spills_evicted_blocks_instead(make_sc):
    sc = make_sc("local[1]", **{"spark.sparklet.storage.memory": str(1_200_000)})
    rdd, computed = _counted(sc)
    rdd.persist(StorageLevel.MEMORY_AND_DISK)
    expected = rdd.collect()
    assert rdd.collect() == expected
    assert computed.value == 4
    blocks = os.listdir(os.path.join(sc._local_dir, "executors", "0", "blocks"))
    assert any(b.startswith("rdd_%d_" % rdd.id()) for b in blocks)


def test_unpersist_drops_blocks(make_sc):
    sc = make_sc("local[1]")
    rdd, computed = _counted(sc, size=10)
    rdd.persist(StorageLevel.DISK_ONLY)
    rdd.count()
    rdd.unpersist()
    assert rdd.getStorageLevel() == StorageLevel.NONE and not rdd.is_cached
    assert sc._block_master.cached_partitions(rdd.id()) == 0
    rdd.count()
    assert computed.value == 8


def test_changing_storage_level_is_an_error(make_sc):
    sc = make_sc("local[1]")
    rdd = sc.parallelize([1]).cache()
    with pytest.raises(ValueError, match="storage level"):
        rdd.persist(StorageLevel.DISK_ONLY)


def test_checkpoint_cuts_lineage_and_keeps_data(make_sc, tmp_path):
    sc = make_sc("local[2]")
    with pytest.raises(RuntimeError, match="Checkpoint directory"):
        sc.parallelize([1]).checkpoint()
    sc.setCheckpointDir(str(tmp_path))
    rdd, computed = _counted(sc, size=5)
    pairs = rdd.map(lambda s: (len(s), s)).reduceByKey(lambda a, b: min(a, b))
    pairs.checkpoint()
    assert not pairs.isCheckpointed()
    expected = sorted(pairs.collect())
    assert pairs.isCheckpointed()
    path = pairs.getCheckpointFile()
    assert path is not None and path.startswith("file:" + str(tmp_path))  # Hadoop-qualified
    assert sorted(os.listdir(path[len("file:"):])) == [
        "part-%05d" % i for i in range(pairs.getNumPartitions())]
    runs = computed.value
    assert sorted(pairs.collect()) == expected
    assert computed.value == runs  # read from the checkpoint, not recomputed
    assert b"CheckpointRDD" in pairs.toDebugString()
    assert pairs.mapValues(len).count() == len(expected)


def test_local_checkpoint(make_sc):
    sc = make_sc("local[2]")
    rdd = sc.parallelize(range(10), 2).map(lambda x: x * 3)
    rdd.localCheckpoint()
    assert rdd.isLocallyCheckpointed()
    assert rdd.collect() == [x * 3 for x in range(10)]
    assert rdd.isCheckpointed() and rdd.getCheckpointFile() is None
    assert rdd.sum() == 135
