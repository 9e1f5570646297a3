"""Helpers shared by the streaming tests (imported as a top-level module, like
receiver_helpers)."""

from __future__ import annotations


def _sorted(items: list) -> list:
    try:
        return sorted(items)
    except TypeError:  # mixed types: any stable order will do
        return sorted(items, key=repr)


def collect_batches(dstream, sort: bool = True) -> list:
    """Register an output op recording every batch's elements (sorted by default).
    Returns the list it appends to, one entry per batch that had an RDD."""
    out: list = []

    def record(rdd):
        items = rdd.collect()
        out.append(_sorted(items) if sort else items)

    dstream.foreachRDD(record)
    return out


def timed_batches(dstream) -> list:
    """Like :func:`collect_batches`, recording ``(batch_time_ms, sorted elements)``."""
    out: list = []

    def record(t, rdd):
        ms = round(t.timestamp() * 1000)
        out.append((ms, _sorted(rdd.collect())))

    dstream.foreachRDD(record)
    return out


def norm(items) -> list:
    """Sort by repr, turning iterables of grouped values into sorted lists."""
    def fix(x):
        if isinstance(x, tuple):
            return tuple(fix(v) for v in x)
        if hasattr(x, "__iter__") and not isinstance(x, str | bytes | list | dict):
            return sorted(x, key=repr)
        return x
    return sorted((fix(x) for x in items), key=repr)
