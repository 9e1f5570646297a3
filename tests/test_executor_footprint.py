"""What an executor process holds that its tasks do not need.

fsspec (with asyncio, ssl and email, which it pulls in) adds ~17 MB of RSS to every process
that imports it. Executors working on local files only -- reading, writing, checkpointing
to a plain path or a ``file:`` URI -- must not import it (other file systems' URLs go
through fsspec: tests/test_io.py).
"""

from __future__ import annotations

import sys

from sparklet import SparkConf


def _imported(_records):
    import os

    yield os.getpid(), "fsspec" in sys.modules


def _fsspec_in_executors(ctx) -> dict[int, bool]:
    return dict(ctx.parallelize(range(8), 8).mapPartitions(_imported).collect())


def test_local_files_and_checkpoints_do_not_import_fsspec(make_context, tmp_path):
    ctx = make_context(SparkConf().setMaster("local[2]"))
    assert _fsspec_in_executors(ctx) and not any(_fsspec_in_executors(ctx).values())
    src = tmp_path / "in.txt"
    src.write_text("a b\nc\n")
    rdd = ctx.textFile(str(src), 2).flatMap(str.split)
    rdd.saveAsTextFile(str(tmp_path / "out"))
    assert sorted(ctx.textFile("file://%s/out" % tmp_path).collect()) == ["a", "b", "c"]
    ctx.setCheckpointDir("file://%s/cp" % tmp_path)  # kept as file:/abs/cp/<uuid>
    pairs = ctx.parallelize([(i % 3, i) for i in range(30)], 3).reduceByKey(lambda a, b: a + b)
    pairs.checkpoint()
    assert sorted(pairs.collect()) == [(0, 135), (1, 145), (2, 155)]
    assert pairs.isCheckpointed()
    assert sorted(pairs.mapValues(lambda v: -v).collect()) == [(0, -135), (1, -145), (2, -155)]
    assert not any(_fsspec_in_executors(ctx).values())

