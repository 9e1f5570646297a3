"""Shuffles bigger than the memory limit spill to disk and still give the right answer."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from sparklet import SparkConf, SparkContext
from sparklet.scheduler.dag import SchedulerListener
from sparklet.shuffle.aggregator import Aggregator, ExternalAppendOnlyMap

pytestmark = pytest.mark.integration


class SpillRecorder(SchedulerListener):
    def __init__(self):
        self.disk_bytes_spilled = 0

    def on_task_end(self, stage_id, task, status, result):
        if result is not None and status == "success":
            self.disk_bytes_spilled += result.metrics.get("diskBytesSpilled", 0)


@pytest.fixture
def small_memory_sc():
    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()
    conf = (SparkConf().setMaster("local[2]").setAppName("spill")
            .set("spark.python.worker.memory", "2m"))
    sc = SparkContext(conf=conf)
    yield sc
    sc.stop()


def test_group_by_key_larger_than_memory_spills_and_completes(small_memory_sc):
    sc = small_memory_sc
    recorder = SpillRecorder()
    sc._dag_scheduler.listeners.append(recorder)
    # ~24 MB of values across 2,000 keys: twelve times the 2 MB limit.
    n = 120_000
    payload = "x" * 200
    records = sc.parallelize(range(n), 4).map(lambda i: (i % 2000, (i, payload)))
    grouped = records.groupByKey(3).mapValues(lambda vs: sorted(v[0] for v in vs))
    result = dict(grouped.collect())
    expected = defaultdict(list)
    for i in range(n):
        expected[i % 2000].append(i)
    assert result == dict(expected)
    assert recorder.disk_bytes_spilled > 2 * 1024 * 1024


def test_partition_by_without_combine_spills_map_side(small_memory_sc):
    sc = small_memory_sc
    recorder = SpillRecorder()
    sc._dag_scheduler.listeners.append(recorder)
    data = [(random.Random(i).randrange(500), "v" * 100) for i in range(60_000)]
    parts = sc.parallelize(data, 2).partitionBy(4).glom().collect()
    assert sorted(x for p in parts for x in p) == sorted(data)
    for i, p in enumerate(parts):
        assert all(hash(k) % 4 == i for k, _ in p)
    assert recorder.disk_bytes_spilled > 0


def test_external_map_merges_spills_like_a_dict():
    agg = Aggregator(lambda v: [v], lambda c, v: c + [v], lambda a, b: a + b, grows=True)
    merged = ExternalAppendOnlyMap(agg, memory_limit=50_000)
    rng = random.Random(7)
    records = [(rng.randrange(300), rng.random()) for _ in range(20_000)]
    merged.merge_values(records)
    out = dict(merged.items())
    assert merged.spill_count > 0
    assert not merged.spills  # spill files are removed once merged
    model = defaultdict(list)
    for k, v in records:
        model[k].append(v)
    assert {k: sorted(v) for k, v in out.items()} == {k: sorted(v) for k, v in model.items()}
