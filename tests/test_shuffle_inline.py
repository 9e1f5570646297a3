"""Tiny map outputs travel inline with their MapStatus instead of in a file.

The records a reducer gets, and their order, must not depend on which way a map output
went: both ways are compared with a plain-Python model of hash partitioning.
"""

from __future__ import annotations

import glob
import os
from operator import add

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet import SparkConf
from sparklet.partitioner import Partitioner, portable_hash
from sparklet.shuffle import writer
from sparklet.shuffle.aggregator import Aggregator, identity
from sparklet.shuffle.reader import fetch_batches

# Inline map outputs travel through the driver: off on Dask.
pytestmark = pytest.mark.local_backend


class _Dir:
    """The two block-manager methods the writer and reader use, over one directory."""

    executor_id = "7"

    def __init__(self, root: str):
        self.tmp_dir = root
        self.root = root

    def shuffle_data_path(self, executor_id, shuffle_id, map_id):
        return os.path.join(self.root, "shuffle_%d_%d_%s.data" % (shuffle_id, map_id,
                                                                    executor_id))


class _Dep:
    def __init__(self, partitions: int, combine: bool):
        self.shuffle_id = 3
        self.partitioner = Partitioner(partitions, portable_hash)
        self.aggregator = Aggregator(identity, add, add) if combine else None
        self.map_side_combine = combine


def _model(records, partitions: int, combine: bool) -> list[list]:
    """Per reduce partition, the records in the order the map side emits them."""
    if combine:
        merged: dict = {}
        for k, v in records:
            merged[k] = merged[k] + v if k in merged else v
        records = list(merged.items())
    out: list[list] = [[] for _ in range(partitions)]
    for k, v in records:
        out[portable_hash(k) % partitions].append((k, v))
    return out


def _read_back(status, partitions: int, bm) -> list[list]:
    got = []
    for r in range(partitions):
        location = (status.map_id, status.executor_id, *status.spans[r], status.inline_span(r))
        got.append([rec for batch in fetch_batches(3, r, [location], bm) for rec in batch])
    return got


records_strategy = st.lists(
    st.tuples(st.one_of(st.integers(-50, 50), st.text(max_size=4)), st.integers(-9, 9)),
    max_size=300)


@settings(max_examples=60, deadline=None)
@given(records=records_strategy, partitions=st.integers(1, 5), combine=st.booleans(),
       inline_max=st.sampled_from([0, 64, writer.INLINE_MAX_BYTES]))
def test_reducers_get_the_same_records_inline_or_from_a_file(tmp_path_factory, records,
                                                              partitions, combine, inline_max):
    bm = _Dir(str(tmp_path_factory.mktemp("shuffle")))
    dep = _Dep(partitions, combine)
    status = writer.write_shuffle_output(iter(records), dep, 0, bm, 1 << 30, inline_max)
    path = bm.shuffle_data_path(bm.executor_id, 3, 0)
    assert (status.data is None) == os.path.exists(path)
    if status.data is not None:
        assert len(status.data) <= inline_max
    assert _read_back(status, partitions, bm) == _model(records, partitions, combine)


@pytest.mark.integration
def test_a_tiny_shuffle_writes_no_file_and_a_larger_one_does(make_context):
    sc = make_context(SparkConf().setMaster("local[2]").setAppName("inline-shuffle"))
    shuffle_files = os.path.join(sc._local_dir, "executors", "*", "shuffle", "*.data")
    words = "a b c a b a".split() * 3
    tiny = sc.parallelize(words, 2).map(lambda w: (w, 1)).reduceByKey(add, 3)
    assert sorted(tiny.collect()) == [("a", 9), ("b", 6), ("c", 3)]
    assert glob.glob(shuffle_files) == []
    big = sc.parallelize(range(6000), 2).map(lambda x: (x, str(x))).groupByKey(3)
    assert sorted((k, list(v)) for k, v in big.collect()) == [(x, [str(x)])
                                                              for x in range(6000)]
    assert len(glob.glob(shuffle_files)) == 2
