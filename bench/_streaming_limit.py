"""The same-work limit of bench/streaming.py's large word-count batches: no engine at all.

``multiprocessing.Pool(cores)`` makes exactly the per-record user calls the DStream program
makes -- the split lambda once per line, the ``(w, 1)`` lambda once per word, ``operator.add``
once per repeated word into a map-side dict -- over the same batches cut into the same
slices as ``sc.parallelize(lines, PARTITIONS)``, and the driver merges the slices' dicts
with ``operator.add``. What sparklet (or PySpark) spends beyond this, per batch, is engine:
scheduling, serialization, shuffle, result handling. The pool is started before timing, as
the engines' executors are; shipping each batch's lines to the pool is timed, as the
engines ship their input partitions with the tasks.
"""

from __future__ import annotations

import statistics
import time
from multiprocessing import Pool
from operator import add
from typing import Any

split = lambda line: line.split()  # noqa: E731 - the same user lambdas as the DStream program
pair = lambda w: (w, 1)  # noqa: E731


def count_slice(lines: list[str]) -> dict[str, int]:
    """One slice's map-side combine: the user calls per record, into a plain dict."""
    counts: dict[str, int] = {}
    for line in lines:
        for word in split(line):
            k, v = pair(word)
            counts[k] = add(counts[k], v) if k in counts else v
    return counts


def slices(lines: list[str], n: int) -> list[list[str]]:
    """Contiguous slices, sized as ``parallelize`` sizes a list's partitions."""
    size = len(lines)
    return [lines[i * size // n : (i + 1) * size // n] for i in range(n)]


def merge(parts: list[dict[str, int]]) -> dict[str, int]:
    """The driver's merge of the slices' dicts, with the reduce function."""
    total: dict[str, int] = {}
    for part in parts:
        for k, v in part.items():
            total[k] = add(total[k], v) if k in total else v
    return total


def run_wordcount_limit(batches: list[list[str]], cores: int, partitions: int,
                        warmup: int) -> dict[str, Any]:
    """Time each batch end to end (slices out, dicts back, merged); warm-up batches untimed.

    Returns per-batch milliseconds of the timed batches, their median, lines/s over them, and
    every batch's counts (so the caller can check them against the engines' model).
    """
    with Pool(cores) as pool:
        pool.map(count_slice, [[] for _ in range(cores)])  # workers up before any timing
        times_ms, outputs = [], []
        for i, lines in enumerate(batches):
            start = time.perf_counter()
            counts = merge(pool.map(count_slice, slices(lines, partitions), chunksize=1))
            elapsed = time.perf_counter() - start
            outputs.append(counts)
            if i >= warmup:
                times_ms.append(elapsed * 1000)
    timed_lines = sum(len(b) for b in batches[warmup:])
    return {
        "times_ms": times_ms,
        "median_ms": statistics.median(times_ms) if times_ms else None,
        "lines_per_s": timed_lines / (sum(times_ms) / 1000) if times_ms else None,
        "outputs": outputs,
    }
