"""Malformed records: what a source's decoder cannot decode, counted, logged and reported.

Every connector decodes on the stream, as PySpark does (``decoder``, ``bodyDecoder``,
``bytesToObjects``...), through :func:`decoded`. A record whose decoding raises is
*malformed*. What then happens is ``spark.sparklet.streaming.malformedRecords``:

* ``skip`` (the default): the record is dropped, the first one of each partition is logged
  on the executor, and once the batch has completed the driver logs how many were skipped
  and reports the count through the listener: ``BatchInfo.streamIdToInputInfo[id]
  .metadata()["malformedRecords"]`` of ``onBatchCompleted`` (and the UI's batch page, which
  shows every input's metadata).
* ``fail``: the first malformed record fails its task with a :class:`MalformedRecordError`,
  so the batch's job fails and ``awaitTermination`` raises it, as an exception thrown by a
  decoder does in Spark.

A record recomputed (two output operations on the stream, a retried task) is counted once:
the count is kept per partition, and an attempt's count reaches the driver only when its
task succeeds.

>>> from sparklet.streaming.sources.malformed import MalformedCounts
>>> p = MalformedCounts()
>>> p.addInPlace({0: (2, "bad")}, {0: (2, "bad"), 1: (1, "worse")})
{0: (2, 'bad'), 1: (1, 'worse')}
>>> malformed_mode({"spark.sparklet.streaming.malformedRecords": "FAIL"}.get)
'fail'
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sparklet.accumulators import AccumulatorParam
from sparklet.streaming.dstream import DStream

if TYPE_CHECKING:
    from sparklet.rdd import RDD

__all__ = ["MALFORMED_KEY", "MalformedRecordError", "MalformedCounts", "DecodedDStream",
           "decoded", "malformed_mode"]

log = logging.getLogger("sparklet.streaming.sources")

MALFORMED_KEY = "spark.sparklet.streaming.malformedRecords"
METADATA_KEY = "malformedRecords"
_MODES = ("skip", "fail")
_SAMPLE_CHARS = 200


class MalformedRecordError(ValueError):
    """A record its source's decoder could not decode (with ``malformedRecords=fail``)."""


def malformed_mode(get: Callable[[str], Any]) -> str:
    """The configured policy, ``skip`` or ``fail``; anything else is an error naming the
    key."""
    value = str(get(MALFORMED_KEY) or "skip").strip().lower()
    if value not in _MODES:
        raise ValueError(f"{MALFORMED_KEY} must be one of {', '.join(_MODES)}, not {value!r}")
    return value


def _sample(record: Any, error: BaseException) -> str:
    text = repr(record)
    if len(text) > _SAMPLE_CHARS:
        text = text[:_SAMPLE_CHARS] + "..."
    return f"{type(error).__name__}: {error} (record {text})"


class MalformedCounts(AccumulatorParam):
    """Per partition: (malformed records, the first one's description). Merging keeps the
    larger count of a partition, so a recomputed partition is not counted twice."""

    def zero(self, value: dict) -> dict:
        return {}

    def addInPlace(self, value1: dict, value2: dict) -> dict:
        for pid, entry in value2.items():
            if pid not in value1 or value1[pid][0] < entry[0]:
                value1[pid] = entry
        return value1


def _decode_partition(decode: Callable[[Any], Any], source: str, fail: bool, counts: Any,
                      pid: int, records: Iterable) -> Iterator:
    bad, first = 0, None
    for record in records:
        try:
            value = decode(record)
        except Exception as e:  # noqa: BLE001 - any decoder error makes the record malformed
            if fail:
                raise MalformedRecordError(f"Malformed record from {source}: "
                                           f"{_sample(record, e)}") from e
            if bad == 0:
                first = _sample(record, e)
                log.warning("Skipping a malformed record from %s (partition %d): %s",
                            source, pid, first)
            bad += 1
            continue
        yield value
    if bad:
        counts.add({pid: (bad, first)})


class DecodedDStream(DStream):
    """Each batch of ``parent`` with ``decode`` applied to every record, malformed records
    handled by the policy (see the module documentation). ``input_stream_id`` is the input
    stream whose ``StreamInputInfo`` gets the count."""

    def __init__(self, parent: DStream, decode: Callable[[Any], Any], source: str,
                 input_stream_id: int):
        super().__init__(parent._ssc, [parent])
        self.decode = decode
        self.source = source
        self.input_stream_id = input_stream_id

    def _compute(self, time_ms: int) -> RDD | None:
        rdd = self._parents[0]._get_or_compute(time_ms)
        if rdd is None:
            return None
        fail = malformed_mode(self._sc.getConf().get) == "fail"
        counts = self._sc.accumulator({}, MalformedCounts())
        decode, source = self.decode, self.source
        if not fail:
            self._ssc._scheduler.on_batch_done(
                time_ms, lambda job_set: self._report(time_ms, counts, job_set))
        return rdd.mapPartitionsWithIndex(
            lambda pid, it: _decode_partition(decode, source, fail, counts, pid, it),
            preservesPartitioning=True)

    def _report(self, time_ms: int, counts: Any, job_set: Any) -> None:
        per_partition = counts.value
        total = sum(n for n, _ in per_partition.values())
        info = job_set.inputs.get(self.input_stream_id)
        if info is not None:
            info._meta[METADATA_KEY] = info._meta.get(METADATA_KEY, 0) + total
        if total:
            first = next(sample for _, sample in per_partition.values())
            log.warning("Batch %d ms: skipped %d malformed record%s from %s (input stream "
                        "%d); the first: %s", time_ms, total, "" if total == 1 else "s",
                        self.source, self.input_stream_id, first)


def decoded(stream: DStream, decode: Callable[[Any], Any], source: str) -> DStream:
    """``stream`` (an input stream) with ``decode`` applied to each record, malformed records
    skipped and counted or failing the batch (``spark.sparklet.streaming.malformedRecords``).
    ``source`` names the source in logs and errors, e.g. ``"MQTT tcp://127.0.0.1:1883"``."""
    return DecodedDStream(stream, decode, source, getattr(stream, "input_stream_id", -1))
