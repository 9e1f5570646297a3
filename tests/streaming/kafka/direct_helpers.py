"""What the direct-stream tests record of each batch, and the checks they make of it."""

from __future__ import annotations

from dataclasses import dataclass

from sparklet.streaming.kafka import OffsetRange
from sparklet.streaming.testing import advance_batches

MAX_BATCHES = 30   # a bound on "until everything arrived": only reached when broken


def handler(m):
    return (m.topic, m.partition, m.offset, m.key, m.message)


@dataclass
class Batch:
    time_ms: int
    ranges: list[OffsetRange]
    parts: list[list]           # the records of partition i, the one of ranges[i]

    @property
    def records(self) -> list:
        return [x for part in self.parts for x in part]


def record_batches(stream) -> list[Batch]:
    """Every batch of ``stream`` as the output operation sees it: its KafkaRDD's
    ``offsetRanges()`` and the records of each partition."""
    batches: list[Batch] = []

    def record(t, rdd):
        batches.append(Batch(round(t.timestamp() * 1000), rdd.offsetRanges(),
                             rdd.glom().collect()))

    stream.foreachRDD(record)
    return batches


def all_records(batches: list[Batch]) -> list:
    return [x for b in batches for x in b.records]


def assert_exact_batches(batches: list[Batch], written, start: dict | None = None) -> None:
    """The Spark direct stream's contract, batch by batch: one range per topic-partition
    in sorted order, each starting where the previous batch's stopped (at ``start``, or 0,
    in the first batch the partition appears in), and partition i holding exactly the
    records of ``written`` (``Written`` values of one topic) within range i, in offset
    order."""
    start = dict(start or {})
    at = {(w.partition, w.offset): w for w in written}
    for b in batches:
        tps = [r.topicAndPartition() for r in b.ranges]
        assert tps == sorted(tps) and len(set(tps)) == len(tps)
        assert len(b.parts) == len(b.ranges)
        for r, part in zip(b.ranges, b.parts, strict=True):
            tp = r.topicAndPartition()
            assert r.fromOffset == start.get(tp, 0), (b.time_ms, r)
            assert r.untilOffset >= r.fromOffset
            start[tp] = r.untilOffset
            assert part == [(r.topic, r.partition, o, at[r.partition, o].key,
                             at[r.partition, o].value)
                            for o in range(r.fromOffset, r.untilOffset)
                            if (r.partition, o) in at], (b.time_ms, r)


def expected(topic: str, written) -> list:
    return sorted((topic, w.partition, w.offset, w.key, w.value) for w in written)


def run_until(ssc, batches: list[Batch], n_records: int, limit: int = MAX_BATCHES,
              timeout: float = 60.0) -> None:
    """Advance batch by batch until ``n_records`` records arrived (at most ``limit``)."""
    for _ in range(limit):
        if len(all_records(batches)) >= n_records:
            return
        advance_batches(ssc, 1, timeout)
    assert len(all_records(batches)) >= n_records, \
        f"{len(all_records(batches))} of {n_records} records after {limit} batches"
