"""KafkaRDD: records of given offset ranges, one partition per topic-partition range.

The driver only describes the ranges; each task opens (or reuses) a consumer in its
executor, assigns it the range's topic-partition at ``fromOffset`` and reads until the
range is covered. Offsets are positions, not record numbers: a compacted topic, or one
written by transactions (whose commit markers take an offset each and whose aborted
records a ``read_committed`` consumer skips), has gaps, so a range is done when the
consumer's position reaches ``untilOffset``, not after ``count()`` records.

Consumers are pooled per executor process and configuration: creating one costs a
connection and a metadata round trip, more than reading a small range. A pooled consumer
is taken by one fetch at a time, so two ranges read by one task (a union, a cartesian)
never share one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from sparklet.dependency import Partition
from sparklet.rdd import RDD
from sparklet.streaming.sources.kafka.offsets import (
    Broker,
    KafkaMessageAndMetadata,
    OffsetRange,
    TopicAndPartition,
    utf8_decoder,
)
from sparklet.streaming.sources.kafka.params import (
    client_logging,
    executor_consumer_config,
    require_kafka,
)

__all__ = ["KafkaRDD", "KafkaOffsetsError", "fetch_range", "DEFAULT_POLL_MS"]

log = logging.getLogger("sparklet.streaming.kafka")

# Spark's default for spark.streaming.kafka.consumer.poll.ms (spark.network.timeout).
DEFAULT_POLL_MS = 120_000
# How many records one consume() call may return: large enough that the per-call cost
# vanishes, small enough that a batch is not held in memory twice.
_CONSUME_BATCH = 4096


class KafkaOffsetsError(ValueError):
    """Asked-for offsets are not (or no longer) in the topic-partition's log."""


class _RangePartition(Partition):
    __slots__ = ("range",)

    def __init__(self, index: int, offset_range: OffsetRange):
        super().__init__(index)
        self.range = offset_range


class KafkaRDD(RDD):
    """An RDD of Kafka records from offset ranges (``KafkaUtils.createRDD`` and the direct
    stream's batches). Partition ``i`` holds ``offsetRanges()[i]``; an empty range is an
    empty partition."""

    def __init__(self, ctx, kafkaParams: dict[str, Any], offsetRanges: list[OffsetRange],
                 keyDecoder: Callable = utf8_decoder, valueDecoder: Callable = utf8_decoder,
                 messageHandler: Callable | None = None, poll_ms: int | None = None):
        super().__init__(ctx, [])
        self._consumer_conf = executor_consumer_config(kafkaParams)
        self._offset_ranges = list(offsetRanges)
        self._decoders = (keyDecoder, valueDecoder, messageHandler)
        if poll_ms is None:
            poll_ms = int(ctx.getConf().get("spark.streaming.kafka.consumer.poll.ms",
                                            str(DEFAULT_POLL_MS)))
        self._poll_ms = poll_ms

    def offsetRanges(self) -> list[OffsetRange]:
        """The offset ranges of this RDD, one per partition, in partition order."""
        return list(self._offset_ranges)

    def _get_partitions(self) -> list[Partition]:
        return [_RangePartition(i, r) for i, r in enumerate(self._offset_ranges)]

    def compute(self, split, context) -> Iterator:
        key_decoder, value_decoder, handler = self._decoders
        batches = fetch_range(self._consumer_conf, split.range, self._poll_ms)
        return _records(batches, key_decoder, value_decoder, handler)

    def isEmpty(self) -> bool:
        if all(r.untilOffset <= r.fromOffset for r in self._offset_ranges):
            return True  # no offsets at all: no need to ask the brokers
        return super().isEmpty()

    def _class_name(self) -> str:
        return "KafkaRDD"


def _records(batches: Iterator[list], key_decoder, value_decoder, handler) -> Iterator:
    if handler is not None:
        for batch in batches:
            for m in batch:
                mm = KafkaMessageAndMetadata(m.topic(), m.partition(), m.offset(), m.key(),
                                             m.value())
                mm._set_key_decoder(key_decoder)
                mm._set_value_decoder(value_decoder)
                yield handler(mm)
    elif key_decoder is utf8_decoder and value_decoder is utf8_decoder:
        # The default, inlined and a batch at a time: the per-record cost is most of what
        # reading a topic costs.
        for batch in batches:
            yield from [(None if (k := m.key()) is None else k.decode("utf-8"),
                         None if (v := m.value()) is None else v.decode("utf-8"))
                        for m in batch]
    else:
        for batch in batches:
            for m in batch:
                yield key_decoder(m.key()), value_decoder(m.value())


def check_ranges(ranges: list[OffsetRange], earliest: dict, latest: dict) -> None:
    """Fail for ranges the brokers cannot serve (Spark's createRDD check): a start before
    the log start (deleted by retention) or an end after the log end."""
    bad = []
    for r in ranges:
        if r.fromOffset < 0 or r.untilOffset < r.fromOffset:
            raise ValueError(f"Bad offset range {r}: needs 0 <= fromOffset <= untilOffset")
        tp = TopicAndPartition(r.topic, r.partition)
        if tp not in latest:
            bad.append(f"{r} (no such topic-partition)")
        elif r.fromOffset < earliest[tp] or r.untilOffset > latest[tp]:
            bad.append(f"{r} (the log holds [{earliest[tp]} -> {latest[tp]}])")
    if bad:
        raise KafkaOffsetsError("Offsets not available on leader: " + ", ".join(bad))


def check_leaders(leaders: dict | None) -> None:
    """``leaders`` is accepted for PySpark compatibility: the client finds each
    partition's leader itself (and follows leader changes), so it is only checked."""
    for tp, broker in (leaders or {}).items():
        if not isinstance(tp, TopicAndPartition) or not isinstance(broker, Broker):
            raise TypeError("leaders should map TopicAndPartition to Broker")


# -- executor side ---------------------------------------------------------------------------

_pool_lock = threading.Lock()
_idle: dict[tuple, list] = {}


def _conf_key(conf: dict) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in conf.items()))


def _take_consumer(conf: dict):
    key = _conf_key(conf)
    with _pool_lock:
        idle = _idle.get(key)
        if idle:
            return key, idle.pop()
    kafka = require_kafka()
    return key, kafka.Consumer(client_logging(conf))


def _give_back(key: tuple, consumer) -> None:
    # Unassigned, an idle consumer sends no fetch requests.
    consumer.unassign()
    with _pool_lock:
        _idle.setdefault(key, []).append(consumer)


def fetch_range(conf: dict, r: OffsetRange, poll_ms: int = DEFAULT_POLL_MS
                ) -> Iterator[list]:
    """The messages of ``r`` (confluent-kafka ``Message`` objects) in offset order, in
    lists of up to a few thousand.

    Ends when the consumer's position reaches ``untilOffset``. Fails with a clear error
    when the range is gone (deleted by retention: ``KafkaOffsetsError``) or when no
    progress is made for ``poll_ms`` (a broker that stays down: ``TimeoutError``); a broker
    that comes back within that time is simply waited for.
    """
    if r.untilOffset <= r.fromOffset:
        return
    kafka = require_kafka()
    TopicPartition = kafka.TopicPartition
    _GONE = (kafka.KafkaError.UNKNOWN_TOPIC_OR_PART, kafka.KafkaError._UNKNOWN_PARTITION,
             kafka.KafkaError._UNKNOWN_TOPIC)
    key, consumer = _take_consumer(conf)
    healthy = False
    try:
        consumer.assign([TopicPartition(r.topic, r.partition, r.fromOffset)])
        until = r.untilOffset
        last_progress = time.monotonic()
        position = r.fromOffset
        warned: set[int] = set()
        while position < until:
            # Never ask for more than the range can hold: consume() waits for as many
            # records as asked (or the timeout), and the range's last ones may be all
            # there is. A gap at the end shows as an end-of-partition event instead.
            messages = consumer.consume(min(_CONSUME_BATCH, until - position), 0.01)
            data = []
            for m in messages:
                err = m.error()
                if err is None:
                    offset = m.offset()
                    if offset >= until:
                        position = until
                        break
                    data.append(m)
                    position = offset + 1
                elif err.code() == kafka.KafkaError._PARTITION_EOF:
                    # The log ends here: at or past the range's end, what is left of the
                    # range were gaps (markers, compacted or aborted records).
                    if m.offset() >= until:
                        position = until
                elif err.code() in (kafka.KafkaError.OFFSET_OUT_OF_RANGE,
                                    kafka.KafkaError._AUTO_OFFSET_RESET):
                    # (With auto.offset.reset "error", librdkafka reports the second.)
                    raise KafkaOffsetsError(
                        f"{r}: offsets from {position} are no longer in the log of "
                        f"{r.topic}-{r.partition} (deleted by retention?); the range "
                        "cannot be read")
                elif err.code() in _GONE:
                    raise KafkaOffsetsError(f"{r}: {r.topic}-{r.partition} does not exist "
                                            f"(topic deleted?): {err.str()}")
                elif err.fatal():
                    raise kafka.KafkaException(err)
                else:
                    # Brokers down or restarting, a leader moving: librdkafka reconnects by
                    # itself; the fetch goes on until poll_ms without progress.
                    if err.code() not in warned:  # once per kind of error and range
                        warned.add(err.code())
                        log.warning("Kafka fetch of %s: %s (retrying)", r, err.str())
            if data:
                last_progress = time.monotonic()
                yield data
            elif position < until:
                # A gap at the end of the range shows in the position only.
                for tp in consumer.position([TopicPartition(r.topic, r.partition)]):
                    if tp.offset >= until:
                        position = until
                    elif tp.offset > position:
                        position = tp.offset
                        last_progress = time.monotonic()
                if position < until and (time.monotonic() - last_progress) * 1000 > poll_ms:
                    raise TimeoutError(
                        f"Failed to get records for {conf.get('group.id')} {r.topic} "
                        f"{r.partition} {position} after polling for {poll_ms} ms "
                        f"(range {r})")
        healthy = True
    except GeneratorExit:
        # Left early (take, a failed downstream step): assign() at the next fetch drops
        # whatever this one prefetched, so the consumer can be reused.
        healthy = True
        raise
    finally:
        if healthy:
            _give_back(key, consumer)
        else:  # a failed read: the consumer's state is unknown
            try:
                consumer.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
