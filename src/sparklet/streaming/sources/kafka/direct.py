"""The direct Kafka stream: no receiver, each batch an exact offset range per partition.

At every batch time the driver asks the brokers for each subscribed partition's log end
and makes the batch a :class:`~sparklet.streaming.sources.kafka.rdd.KafkaRDD` of the
ranges from where the previous batch stopped to that end, capped by
``spark.streaming.kafka.maxRatePerPartition`` × batch seconds and, with backpressure, by
the rate the :class:`~sparklet.streaming.receiver.rate.RateController` estimates (split
over partitions in proportion to their lag, as Spark does). The ranges are the stream's
checkpointed state: the job generator writes them into the metadata checkpoint before the
batch's jobs run, so a restarted driver reruns a pending batch over exactly the same
records, whatever arrived since.

Where a partition starts: ``fromOffsets``; else the consumer group's committed offset
(``group.id`` in ``kafkaParams`` and ``commitAsync`` earlier); else ``auto.offset.reset``
(``smallest``/``earliest``: the log start; ``largest``/``latest``, the default: its end).
Partitions and topics that appear while the stream runs (more partitions, a new topic
matching a :class:`SubscribePattern`) start at their log start: everything in them is new.

Faults: the broker unreachable when the stream is created fails ``createDirectStream``
(as PySpark); unreachable at a later batch time, the driver retries
(``spark.streaming.kafka.maxRetries`` times, ``refresh.leader.backoff.ms`` apart) and then
gives the batch no new records, with a warning, so the stream goes on from the same offsets
once the broker is back. A listed topic that disappears (deleted) fails the batch with an
error naming it. Offsets deleted by retention before they were read are reported and
skipped when ``auto.offset.reset`` says where to resume, and fail the batch when it is
``none``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sparklet.streaming.inputs import InputDStream
from sparklet.streaming.sources.kafka.offsets import OffsetRange, TopicAndPartition, utf8_decoder
from sparklet.streaming.sources.kafka.params import (
    admin_config,
    client_logging,
    driver_consumer_config,
    offset_reset,
    require_kafka,
)
from sparklet.streaming.sources.kafka.rdd import KafkaOffsetsError, KafkaRDD

if TYPE_CHECKING:
    from sparklet.streaming.context import StreamingContext

__all__ = ["SubscribePattern", "DirectKafkaInputDStream", "KafkaClients",
           "max_messages_per_partition"]

log = logging.getLogger("sparklet.streaming.kafka")

_INTERNAL_TOPICS = ("__consumer_offsets", "__transaction_state")
# How long one metadata or offsets request may take before it counts as failed (and is
# retried): short enough that a batch time with the brokers down does not hold up the job
# generator for long.
_TIMEOUT_S = 5.0


class SubscribePattern:
    """Subscribe to every topic whose whole name matches a regular expression (Spark's
    ``ConsumerStrategies.SubscribePattern``); topics created later are picked up at the
    next batch. Pass it in place of the topic list of ``createDirectStream``.

    >>> p = SubscribePattern(r"events-.*")
    >>> p.matches("events-eu"), p.matches("old-events-eu")
    (True, False)
    """

    def __init__(self, pattern: str | re.Pattern):
        self.pattern = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)

    def matches(self, topic: str) -> bool:
        return self.pattern.fullmatch(topic) is not None

    def __repr__(self) -> str:
        return f"SubscribePattern({self.pattern.pattern!r})"


class KafkaClients:
    """The driver's view of the brokers: partitions of topics, log start and end offsets,
    and the group's committed offsets (an AdminClient and an unsubscribed Consumer)."""

    def __init__(self, kafkaParams: dict[str, Any]):
        kafka = require_kafka()
        from confluent_kafka.admin import AdminClient

        self._kafka = kafka
        self.consumer_conf = driver_consumer_config(kafkaParams)
        self.consumer = kafka.Consumer(client_logging(self.consumer_conf))
        self.admin = AdminClient(client_logging(admin_config(kafkaParams)))
        self.isolation = (kafka.IsolationLevel.READ_COMMITTED
                          if self.consumer_conf.get("isolation.level") == "read_committed"
                          else kafka.IsolationLevel.READ_UNCOMMITTED)

    def partitions(self, topics: list[str] | SubscribePattern) -> dict[str, list[int]]:
        """Partition ids per topic; a listed topic that does not exist maps to []."""
        metadata = self.consumer.list_topics(timeout=_TIMEOUT_S)
        found: dict[str, list[int]] = {}
        if isinstance(topics, SubscribePattern):
            names = [t for t in metadata.topics if t not in _INTERNAL_TOPICS
                     and topics.matches(t)]
        else:
            names = list(topics)
        for name in names:
            meta = metadata.topics.get(name)
            if meta is None or meta.error is not None:
                found[name] = []
            else:
                found[name] = sorted(meta.partitions)
        return found

    def offsets(self, tps: list[TopicAndPartition], spec: str) -> dict[TopicAndPartition, int]:
        """Log start (``earliest``) or end (``latest``; with read_committed the last stable
        offset) of each partition, in one request per broker."""
        return self._offsets(tps, (spec,))[0]

    def log_bounds(self, tps: list[TopicAndPartition]) -> tuple[dict, dict]:
        """(log start, log end) of each partition: both requests are in flight at once."""
        earliest, latest = self._offsets(tps, ("earliest", "latest"))
        return earliest, latest

    def _offsets(self, tps: list[TopicAndPartition], specs: tuple[str, ...]) -> list[dict]:
        if not tps:
            return [{} for _ in specs]
        try:
            return self._list_offsets(tps, specs)
        except self._kafka.KafkaException:
            # The admin client's metadata may be stale: partitions added since it last
            # looked (unknown to it), or a broker restarted since (its cached leader epochs
            # are fenced). It refreshes only every few minutes by itself.
            for topic in sorted({tp.topic for tp in tps}):
                self.admin.list_topics(topic, timeout=_TIMEOUT_S)
            return self._list_offsets(tps, specs)

    def _list_offsets(self, tps: list[TopicAndPartition], specs: tuple[str, ...]
                      ) -> list[dict]:
        from confluent_kafka.admin import OffsetSpec

        TopicPartition = self._kafka.TopicPartition
        pending = []
        for spec in specs:  # every request sent before any answer is waited for
            make = OffsetSpec.earliest if spec == "earliest" else OffsetSpec.latest
            pending.append(self.admin.list_offsets(
                {TopicPartition(tp.topic, tp.partition): make() for tp in tps},
                isolation_level=self.isolation, request_timeout=_TIMEOUT_S))
        results = []
        for futures in pending:
            result = {}
            for tp, future in futures.items():
                try:
                    result[TopicAndPartition(tp.topic, tp.partition)] = future.result(
                        _TIMEOUT_S).offset
                except self._kafka.KafkaException as e:
                    if e.args and getattr(e.args[0], "code", lambda: None)() == \
                            self._kafka.KafkaError.UNKNOWN_TOPIC_OR_PART:
                        raise KafkaOffsetsError(f"{tp.topic}-{tp.partition} does not exist "
                                                "(topic deleted?)") from e
                    raise
            results.append(result)
        return results

    def committed(self, tps: list[TopicAndPartition]) -> dict[TopicAndPartition, int]:
        """The group's committed offsets (partitions without one are left out)."""
        if not tps:
            return {}
        TopicPartition = self._kafka.TopicPartition
        result = self.consumer.committed([TopicPartition(tp.topic, tp.partition)
                                          for tp in tps], timeout=_TIMEOUT_S)
        return {TopicAndPartition(tp.topic, tp.partition): tp.offset for tp in result
                if tp.error is None and tp.offset >= 0}

    def commit(self, ranges: list[OffsetRange]) -> None:
        TopicPartition = self._kafka.TopicPartition
        self.consumer.commit(offsets=[TopicPartition(r.topic, r.partition, r.untilOffset)
                                      for r in ranges], asynchronous=False)

    def close(self) -> None:
        try:
            self.consumer.close()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass


def max_messages_per_partition(lags: dict, batch_ms: int, max_rate: float,
                               min_rate: float, estimated_rate: float | None
                               ) -> dict | None:
    """How many records each partition may contribute to a batch, or None for no limit.

    With a rate estimate (backpressure), the rate is shared out in proportion to each
    partition's lag and capped by ``max_rate`` per partition; without one, every partition
    gets ``max_rate``. Never below ``min_rate`` × batch seconds, so a stream cannot starve.

    >>> max_messages_per_partition({"a": 300, "b": 100}, 1000, 0, 1, 200.0)
    {'a': 150, 'b': 50}
    >>> max_messages_per_partition({"a": 300, "b": 100}, 500, 100, 1, None)
    {'a': 50, 'b': 50}
    >>> max_messages_per_partition({"a": 5}, 1000, 0, 1, None) is None
    True
    """
    if estimated_rate is not None and estimated_rate > 0:
        total = sum(lags.values())
        rates = {}
        for tp, lag in lags.items():
            share = lag / total * estimated_rate if total > 0 else 0.0
            rates[tp] = min(share, max_rate) if max_rate > 0 else share
    else:
        rates = {tp: float(max_rate) for tp in lags}
    if sum(rates.values()) <= 0:
        return None
    seconds = batch_ms / 1000.0
    return {tp: max(int(seconds * rate), int(min_rate)) for tp, rate in rates.items()}


class DirectKafkaInputDStream(InputDStream):
    """The stream ``KafkaUtils.createDirectStream`` returns (PySpark's ``KafkaDStream``):
    its RDDs are :class:`KafkaRDD` (so ``rdd.offsetRanges()`` works in ``foreachRDD`` and
    ``transform``), and :meth:`commitAsync` stores processed offsets in the group."""

    def __init__(self, ssc: StreamingContext, topics: list[str] | SubscribePattern,
                 kafkaParams: dict[str, Any],
                 fromOffsets: dict[TopicAndPartition, int] | None = None,
                 keyDecoder: Callable = utf8_decoder, valueDecoder: Callable = utf8_decoder,
                 messageHandler: Callable | None = None):
        super().__init__(ssc)
        self.topics = topics
        self.kafka_params = dict(kafkaParams)
        self.decoders = (keyDecoder, valueDecoder, messageHandler)
        self.reset = offset_reset(self.kafka_params)
        conf = ssc._sc.getConf()
        self.max_rate = float(conf.get("spark.streaming.kafka.maxRatePerPartition", "0"))
        self.min_rate = float(conf.get("spark.streaming.kafka.minRatePerPartition", "1"))
        self.max_retries = int(conf.get("spark.streaming.kafka.maxRetries", "1"))
        self.retry_backoff_s = int(self.kafka_params.get("refresh.leader.backoff.ms",
                                                         200)) / 1000.0
        from sparklet.streaming.receiver.rate import rate_settings

        rates = rate_settings(conf)
        self.backpressure = bool(rates["backpressure"])
        self.initial_rate = float(rates["initialRate"])
        self._rate_controller = None
        self._commit_queue: list[tuple[list[OffsetRange], Callable | None]] = []
        self._lock = threading.Lock()
        # The ranges of every remembered batch, and where the next batch starts.
        self._batch_ranges: dict[int, list[OffsetRange]] = {}
        # Explicit offsets name the partitions to read, and only those (as Spark).
        self._fixed_partitions = bool(fromOffsets)
        self._clients: KafkaClients | None = None
        # As PySpark: where the stream starts is fixed (and the brokers reached) now.
        try:
            self._current = self._start_with_retries(dict(fromOffsets or {}))
        except (KafkaOffsetsError, TypeError, ValueError):
            raise
        except Exception as e:
            servers = (self.kafka_params.get("bootstrap.servers")
                       or self.kafka_params.get("metadata.broker.list"))
            raise ConnectionError("Kafka direct stream: cannot get the partitions and "
                                  f"offsets of {self.topics} from {servers}: {e}") from e

    _transient_attrs = (*InputDStream._transient_attrs, "_clients", "_lock",
                        "_rate_controller", "_commit_queue")

    def _restore_transient(self) -> None:
        self._clients = None
        self._lock = threading.Lock()
        self._rate_controller = None
        self._commit_queue = []

    # -- offsets -------------------------------------------------------------------------

    def _client(self) -> KafkaClients:
        if self._clients is None:
            self._clients = KafkaClients(self.kafka_params)
        return self._clients

    def _topic_partitions(self) -> list[TopicAndPartition]:
        found = self._client().partitions(self.topics)
        missing = sorted(t for t, parts in found.items() if not parts)
        if missing and not isinstance(self.topics, SubscribePattern):
            raise KafkaOffsetsError(
                f"Topic(s) {', '.join(missing)} of the direct stream do not exist (or were "
                "deleted): no partitions and no leaders found for them")
        return sorted(TopicAndPartition(t, p) for t, parts in found.items() for p in parts)

    def _start_with_retries(self, from_offsets: dict) -> dict[TopicAndPartition, int]:
        # A topic created a moment ago may not be served yet (no leader, not in the
        # metadata): retried for a few seconds before it counts as missing.
        deadline = time.monotonic() + _TIMEOUT_S
        while True:
            try:
                return self._starting_offsets(from_offsets)
            except (TypeError, ValueError) as e:
                if not isinstance(e, KafkaOffsetsError) or time.monotonic() > deadline:
                    raise
            except Exception:
                if time.monotonic() > deadline:
                    raise
            time.sleep(self.retry_backoff_s)

    def _starting_offsets(self, from_offsets: dict) -> dict[TopicAndPartition, int]:
        for tp, offset in from_offsets.items():
            if not isinstance(tp, TopicAndPartition) or not isinstance(offset, int):
                raise TypeError("fromOffsets should map TopicAndPartition to int offsets")
        if from_offsets:
            named = {tp.topic for tp in from_offsets}
            if not isinstance(self.topics, SubscribePattern) and named != set(self.topics):
                raise ValueError(f"The specified topics: {' '.join(sorted(self.topics))} do "
                                 "not equal to the topic from offsets: "
                                 f"{' '.join(sorted(named))}")
            return dict(from_offsets)
        clients = self._client()
        tps = self._topic_partitions()
        start = {}
        if self.kafka_params.get("group.id"):
            start.update(clients.committed(tps))
        rest = [tp for tp in tps if tp not in start]
        if rest:
            if self.reset == "error":
                raise KafkaOffsetsError(
                    "auto.offset.reset is none and the group has no committed offset for "
                    + ", ".join(f"{tp.topic}-{tp.partition}" for tp in rest))
            start.update(clients.offsets(rest, self.reset))
        return start

    def _with_retries(self, what: str, action: Callable[[], Any]) -> Any:
        for attempt in range(self.max_retries + 1):
            try:
                return action()
            except KafkaOffsetsError:
                raise
            except Exception as e:  # noqa: BLE001 - a broker error: retried, then reported
                if attempt == self.max_retries:
                    raise
                log.warning("Kafka direct stream: %s failed (%s); retrying in %.1f s",
                            what, e, self.retry_backoff_s)
                time.sleep(self.retry_backoff_s)
        raise AssertionError("unreachable")

    def _latest_offsets(self, current: dict) -> tuple[dict, dict]:
        """(log end, log start) of every partition: the known ones and new ones."""
        clients = self._client()
        if self._fixed_partitions:
            tps = sorted(current)
        else:
            found = self._topic_partitions()
            if isinstance(self.topics, SubscribePattern):
                # A deleted topic no longer matches: it is dropped, not an error.
                for tp in sorted(set(current) - set(found)):
                    log.info("Kafka direct stream: %s-%d is gone (topic deleted); no longer "
                             "read", tp.topic, tp.partition)
                    del current[tp]
            tps = sorted(set(current) | set(found))
        earliest, latest = clients.log_bounds(tps)
        return latest, earliest

    def _next_ranges(self) -> list[OffsetRange]:
        current = dict(self._current)
        try:
            latest, earliest = self._with_retries("fetching the latest offsets",
                                                  lambda: self._latest_offsets(current))
        except KafkaOffsetsError:
            raise
        except Exception as e:  # noqa: BLE001 - broker unreachable: this batch waits
            log.warning("Kafka direct stream: could not reach the brokers (%s); this batch "
                        "gets no new records and the next one goes on from the same "
                        "offsets", e)
            return [OffsetRange(tp.topic, tp.partition, off, off)
                    for tp, off in sorted(current.items())]
        for tp in latest:
            if tp not in current:
                log.info("Kafka direct stream: new partition %s-%d, read from its start",
                         tp.topic, tp.partition)
                current[tp] = earliest[tp]
        for tp, start in list(current.items()):
            if tp in earliest and start < earliest[tp]:
                lost = f"offsets [{start}, {earliest[tp]}) of {tp.topic}-{tp.partition}"
                if self.reset == "error":
                    raise KafkaOffsetsError(f"{lost} were deleted (retention) before they "
                                            "were read and auto.offset.reset is none")
                resume = earliest[tp] if self.reset == "earliest" else latest[tp]
                log.warning("Kafka direct stream: %s were deleted (retention) before they "
                            "were read; resuming at %d (auto.offset.reset=%s)", lost,
                            resume, self.reset)
                current[tp] = resume
        past = [f"{tp.topic}-{tp.partition} at {off} (the log ends at {latest[tp]})"
                for tp, off in sorted(current.items()) if tp in latest and off > latest[tp]]
        if past:
            raise KafkaOffsetsError(
                "Offsets past the end of the log: " + ", ".join(past) + ". Either the "
                "offsets given (fromOffsets) are invalid or the topic was damaged (deleted "
                "and re-created, or truncated).")
        lags = {tp: max(latest.get(tp, off) - off, 0) for tp, off in current.items()}
        rate = None
        if self._rate_controller is not None:
            latest_rate = self._rate_controller.getLatestRate()
            rate = latest_rate if latest_rate > 0 else self.initial_rate
        limits = max_messages_per_partition(lags, self._slide_ms, self.max_rate,
                                            self.min_rate, rate)
        ranges = []
        for tp, start in sorted(current.items()):
            until = max(latest.get(tp, start), start)
            if limits is not None:
                until = min(until, start + limits[tp])
            ranges.append(OffsetRange(tp.topic, tp.partition, start, until))
        return ranges

    # -- the stream ----------------------------------------------------------------------

    def start(self) -> None:
        if self.backpressure:
            from sparklet.streaming.receiver.rate import RateController, create_rate_estimator

            self._rate_controller = RateController(
                self.input_stream_id,
                create_rate_estimator(self._slide_ms, self._sc.getConf()),
                lambda rate: None)  # read at each batch, not pushed anywhere
            self._ssc.addStreamingListener(self._rate_controller)

    def _compute(self, time_ms: int) -> KafkaRDD:
        self._commit_queued()
        with self._lock:
            ranges = self._batch_ranges.get(time_ms)
            if ranges is None:
                ranges = self._next_ranges()
                self._batch_ranges[time_ms] = ranges
                self._current = {r.topicAndPartition(): r.untilOffset for r in ranges}
        records = sum(r.count() for r in ranges)
        self._report_input(time_ms, records, {
            "offsets": list(ranges),
            # Spark's text: the non-empty ranges, a line each.
            "Description": "\n".join(f"topic: {r.topic}\tpartition: {r.partition}\t"
                                     f"offsets: {r.fromOffset} to {r.untilOffset}"
                                     for r in ranges if r.count() > 0)})
        return self._batch_rdd(ranges)

    def _batch_rdd(self, ranges: list[OffsetRange]) -> KafkaRDD:
        key_decoder, value_decoder, handler = self.decoders
        return KafkaRDD(self._sc, self.kafka_params, ranges, key_decoder, value_decoder,
                        handler)

    def _clear_metadata(self, time_ms: int) -> None:
        super()._clear_metadata(time_ms)
        with self._lock:
            for t in [t for t in self._batch_ranges
                      if t <= time_ms - self._remember_duration]:
                del self._batch_ranges[t]

    def _checkpoint_state(self) -> Any:
        with self._lock:
            return {"current": {(tp.topic, tp.partition): o for tp, o in self._current.items()},
                    "batches": {t: [(r.topic, r.partition, r.fromOffset, r.untilOffset)
                                    for r in rs] for t, rs in self._batch_ranges.items()}}

    def _restore_checkpoint_state(self, state: Any) -> None:
        with self._lock:
            self._current = {TopicAndPartition(t, p): o for (t, p), o in
                             state["current"].items()}
            for t, rs in state["batches"].items():
                ranges = [OffsetRange(*r) for r in rs]
                self._batch_ranges[t] = ranges
                self._generated[t] = self._batch_rdd(ranges)

    def stop(self) -> None:
        self._commit_queued()
        if self._clients is not None:
            self._clients.close()
            self._clients = None

    # -- committing ----------------------------------------------------------------------

    def commitAsync(self, offsetRanges: list[OffsetRange],
                    callback: Callable[[list[OffsetRange], Exception | None], None] | None
                    = None) -> None:
        """Queue ``offsetRanges`` to be committed to the consumer group (``group.id``): at
        the next batch time or when the stream stops, on the driver, as Spark's
        ``CanCommitOffsets``. ``callback(offsetRanges, error)`` is told how it went
        (``error`` None on success); without one a failure is logged."""
        if not self.kafka_params.get("group.id"):
            raise ValueError("commitAsync needs a group.id in kafkaParams")
        with self._lock:
            self._commit_queue.append((list(offsetRanges), callback))

    def _commit_queued(self) -> None:
        with self._lock:
            queued, self._commit_queue = self._commit_queue, []
        if not queued:
            return
        latest: dict[TopicAndPartition, OffsetRange] = {}
        for ranges, _ in queued:
            for r in ranges:
                latest[r.topicAndPartition()] = r
        error: Exception | None = None
        try:
            self._client().commit(list(latest.values()))
        except Exception as e:  # noqa: BLE001 - reported to the callbacks
            error = e
        for ranges, callback in queued:
            if callback is not None:
                try:
                    callback(ranges, error)
                except Exception:  # noqa: BLE001 - a user callback must not stop the stream
                    log.exception("commitAsync callback failed")
            elif error is not None:
                log.warning("Kafka direct stream: committing offsets failed: %s", error)
