"""What an executor process holds that its tasks do not need: modules, and freed memory.

fsspec (with asyncio, ssl and email, which it pulls in) adds ~17 MB of RSS to every process
that imports it. Executors working on local files only -- reading, writing, checkpointing
to a plain path or a ``file:`` URI -- must not import it (other file systems' URLs go
through fsspec: tests/test_io.py).

glibc raises its mmap and trim thresholds as large blocks are freed, after which freed
multi-megabyte blocks stay in the heap; executors fix the thresholds
(sparklet.backends.daemon), so freed memory goes back to the system.
"""

from __future__ import annotations

import sys

import pytest

from sparklet import SparkConf

# What a local executor process imports and frees.
pytestmark = pytest.mark.local_backend


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



def _heap_growth_after_freeing_large_blocks(_records):
    """MiB left free (not returned) in the heap after large blocks were freed."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    mallinfo2 = ctypes.CDLL(None).mallinfo2
    mallinfo2.restype = MallInfo2
    before = mallinfo2().fordblks
    freed = bytes(6 << 20)  # by default, freeing it raises glibc's mmap threshold to 6 MiB
    del freed
    blocks = [bytes(3 << 20) for _ in range(10)]  # from the heap, then
    del blocks
    yield (mallinfo2().fordblks - before) / (1 << 20)


def test_executors_return_freed_large_blocks_to_the_system(sc):
    import ctypes

    if not sys.platform.startswith("linux") or not hasattr(ctypes.CDLL(None), "mallinfo2"):
        pytest.skip("needs glibc 2.33+ (mallinfo2)")
    grown = sc.parallelize(range(2), 2).mapPartitions(
        _heap_growth_after_freeing_large_blocks).collect()
    # With glibc's adaptive thresholds ~6 MiB of the 30 MiB stay in the heap, free; the
    # executors' fixed ones trim the heap's free top beyond 1 MiB.
    assert all(free < 1.5 for free in grown), grown
