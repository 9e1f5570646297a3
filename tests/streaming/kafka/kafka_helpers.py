"""A test's hands on the Kafka broker: topics, producers, compaction, transactions.

Everything here talks to the real broker of ``kafka_service`` through confluent-kafka's
AdminClient, Producer and Consumer -- never through sparklet -- so the tests check
sparklet's view of a topic against the one the plain client gives. Waits are bounded
waits on a condition (``WAIT`` seconds: they only matter when something is broken).
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic

WAIT = 60.0          # seconds any condition may take before the test fails
_OP_TIMEOUT = 30.0   # one admin request or flush

_counter = itertools.count()


def wait_until(condition: Callable[[], object], what: str, timeout: float = WAIT,
               interval: float = 0.1):
    """Poll ``condition`` until it returns something truthy (returned); fail naming
    ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _encode(s: str | bytes | None) -> bytes | None:
    return s.encode("utf-8") if isinstance(s, str) else s


@dataclass(frozen=True)
class Written:
    """One record as the broker stored it (its offset from the delivery report)."""

    partition: int
    offset: int
    key: str | None
    value: str | None
    committed: bool = True   # False: written in a transaction that was aborted


class KafkaTestBroker:
    """Helpers over one broker (``bootstrap``); topics it created are deleted by
    :meth:`close`."""

    def __init__(self, bootstrap: str):
        self.bootstrap = bootstrap
        self.admin = AdminClient({"bootstrap.servers": bootstrap})
        self._producer: Producer | None = None
        self._created: list[str] = []

    # -- topics --------------------------------------------------------------------------

    def unique_name(self, prefix: str = "t") -> str:
        return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:8]}"

    def create_topic(self, partitions: int = 1, config: dict | None = None,
                     name: str | None = None, prefix: str = "t") -> str:
        """A new topic (a unique name unless given) with ``partitions`` partitions; returns
        once the broker's metadata shows every partition with a leader."""
        name = name or self.unique_name(prefix)
        futures = self.admin.create_topics([NewTopic(name, partitions, 1,
                                                     config=dict(config or {}))],
                                           operation_timeout=_OP_TIMEOUT)
        futures[name].result(_OP_TIMEOUT)
        self._created.append(name)
        self.wait_partitions(name, partitions)
        return name

    def partitions(self, topic: str) -> list[int]:
        """Partition ids with a leader, as the broker's metadata shows them now."""
        meta = self.admin.list_topics(topic, timeout=_OP_TIMEOUT).topics.get(topic)
        if meta is None or meta.error is not None:
            return []
        return sorted(p for p, pm in meta.partitions.items() if pm.leader >= 0)

    def wait_partitions(self, topic: str, n: int) -> None:
        """Wait until ``topic`` has ``n`` partitions that the broker serves (the metadata
        names a leader a little before that leader answers for the partition)."""
        wait_until(lambda: len(self.partitions(topic)) == n,
                   f"{topic} to show {n} partitions with leaders")
        self.wait_serving(topic)

    def add_partitions(self, topic: str, total: int) -> None:
        """Grow ``topic`` to ``total`` partitions (Kafka only ever adds)."""
        futures = self.admin.create_partitions([NewPartitions(topic, total)],
                                               operation_timeout=_OP_TIMEOUT)
        futures[topic].result(_OP_TIMEOUT)
        self.wait_partitions(topic, total)

    def delete_topic(self, topic: str) -> None:
        """Delete ``topic``; returns once the metadata no longer lists it."""
        self.admin.delete_topics([topic], operation_timeout=_OP_TIMEOUT)[topic].result(
            _OP_TIMEOUT)
        if topic in self._created:
            self._created.remove(topic)
        wait_until(lambda: topic not in self.admin.list_topics(timeout=_OP_TIMEOUT).topics,
                   f"{topic} to disappear from the metadata")

    def delete_records(self, topic: str, partition: int, before: int) -> None:
        """Delete the records of ``topic``-``partition`` below offset ``before`` (what
        retention does): the log start moves to ``before``."""
        futures = self.admin.delete_records([TopicPartition(topic, partition, before)],
                                            operation_timeout=_OP_TIMEOUT)
        for future in futures.values():
            future.result(_OP_TIMEOUT)
        wait_until(lambda: self.watermarks(topic, partition)[0] == before,
                   f"the log start of {topic}-{partition} to move to {before}")

    # -- offsets -------------------------------------------------------------------------

    def watermarks(self, topic: str, partition: int) -> tuple[int, int]:
        """(log start, high watermark) of one partition, asked of the broker."""
        # read_uncommitted: a read_committed consumer is answered the last stable offset.
        consumer = Consumer({"bootstrap.servers": self.bootstrap,
                             "group.id": "sparklet-tests-watermarks",
                             "isolation.level": "read_uncommitted"})
        try:
            return consumer.get_watermark_offsets(TopicPartition(topic, partition),
                                                  timeout=_OP_TIMEOUT, cached=False)
        finally:
            consumer.close()

    def wait_serving(self, topic: str) -> None:
        """Wait until the broker serves every partition of ``topic`` (a new one, or after
        a restart: it answers metadata requests before it has loaded its logs)."""
        def serving() -> bool:
            try:
                parts = self.partitions(topic)
                for p in parts:
                    self.watermarks(topic, p)
                return bool(parts)
            except KafkaException:
                return False

        wait_until(serving, f"the broker to serve {topic}", interval=0.1)

    def committed(self, group: str, topic: str) -> dict[int, int]:
        """The offsets consumer group ``group`` committed for ``topic`` (partitions with
        none left out)."""
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": group,
                             "enable.auto.commit": False})
        try:
            tps = consumer.committed([TopicPartition(topic, p) for p in self.partitions(topic)],
                                     timeout=_OP_TIMEOUT)
        finally:
            consumer.close()
        return {tp.partition: tp.offset for tp in tps if tp.offset >= 0}

    def end_offsets(self, topic: str) -> dict[int, int]:
        return {p: self.watermarks(topic, p)[1] for p in self.partitions(topic)}

    def read_all(self, topic: str, isolation: str = "read_uncommitted"
                 ) -> list[tuple[int, int, str | None, str | None]]:
        """Every record of ``topic`` up to its current end, read by a plain consumer:
        ``(partition, offset, key, value)`` sorted by partition and offset."""
        ends = {p: self.watermarks(topic, p) for p in self.partitions(topic)}
        consumer = Consumer({"bootstrap.servers": self.bootstrap,
                             "group.id": f"sparklet-tests-{uuid.uuid4().hex[:8]}",
                             "enable.auto.commit": False, "enable.partition.eof": True,
                             "isolation.level": isolation})
        out = []
        try:
            todo = {p for p, (lo, hi) in ends.items() if hi > lo}
            consumer.assign([TopicPartition(topic, p, ends[p][0]) for p in todo])
            deadline = time.monotonic() + WAIT
            while todo:
                if time.monotonic() > deadline:
                    raise AssertionError(f"reading {topic} did not reach its end")
                m = consumer.poll(0.5)
                if m is None:
                    continue
                if m.error() is not None:
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        todo.discard(m.partition())
                        continue
                    raise KafkaException(m.error())
                if m.offset() < ends[m.partition()][1]:
                    out.append((m.partition(), m.offset(), _decode(m.key()),
                                _decode(m.value())))
        finally:
            consumer.close()
        return sorted(out)

    # -- producing -----------------------------------------------------------------------

    @property
    def producer(self) -> Producer:
        if self._producer is None:
            # Idempotent: retries cannot reorder or duplicate records within a partition.
            self._producer = Producer({"bootstrap.servers": self.bootstrap, "acks": "all",
                                       "enable.idempotence": True, "linger.ms": 5})
        return self._producer

    def produce(self, topic: str, records: Iterable[tuple[int, str | None, str | None]],
                producer: Producer | None = None, committed: bool = True) -> list[Written]:
        """Write ``(partition, key, value)`` records (in that order per partition) and
        wait for all of them: returns them with the offsets the broker gave them."""
        producer = producer or self.producer
        reports: list = []
        records = list(records)
        for i, (partition, key, value) in enumerate(records):
            def send(i=i, partition=partition, key=key, value=value) -> bool:
                try:
                    producer.produce(topic, _encode(value), _encode(key), partition=partition,
                                     on_delivery=lambda err, msg: reports.append((i, err, msg)))
                except KafkaException as e:
                    if e.args[0].code() != KafkaError._UNKNOWN_PARTITION:
                        raise
                    # A partition added since the producer last refreshed its metadata.
                    producer.list_topics(topic, timeout=_OP_TIMEOUT)
                    return False
                return True

            wait_until(send, f"{topic}-{partition} to take records")
            producer.poll(0)
        remaining = producer.flush(_OP_TIMEOUT)
        assert remaining == 0, f"{remaining} records not delivered within {_OP_TIMEOUT} s"
        assert len(reports) == len(records)
        written = []
        for i, err, msg in sorted(reports, key=lambda r: r[0]):
            assert err is None, f"record {records[i]} not written: {err}"
            partition, key, value = records[i]
            written.append(Written(partition, msg.offset(), key, value, committed))
        return written

    def transactional_producer(self) -> Producer:
        producer = Producer({"bootstrap.servers": self.bootstrap,
                             "transactional.id": self.unique_name("txn"),
                             "transaction.timeout.ms": 60000, "linger.ms": 5})
        producer.init_transactions(_OP_TIMEOUT)
        return producer

    def transaction(self, producer: Producer, topic: str,
                    records: Iterable[tuple[int, str | None, str | None]],
                    commit: bool | None = True) -> list[Written]:
        """One transaction writing ``records``: committed (``commit`` True), aborted
        (False) or left open (None; commit or abort it later on ``producer``)."""
        producer.begin_transaction()
        written = self.produce(topic, records, producer, committed=commit is not False)
        if commit is not None:
            if commit:
                producer.commit_transaction(_OP_TIMEOUT)
            else:
                producer.abort_transaction(_OP_TIMEOUT)
            self.wait_markers(topic, {w.partition for w in written})
        return written

    def wait_markers(self, topic: str, partitions: Iterable[int]) -> None:
        """Wait until the transaction markers are in these partitions' logs: ending a
        transaction returns once the coordinator decided, and the markers (which move
        the last stable offset up to the high watermark) are written after that."""
        from confluent_kafka import IsolationLevel
        from confluent_kafka.admin import OffsetSpec

        def settled() -> bool:
            futures = self.admin.list_offsets(
                {TopicPartition(topic, p): OffsetSpec.latest() for p in partitions},
                isolation_level=IsolationLevel.READ_COMMITTED, request_timeout=_OP_TIMEOUT)
            stable = {tp.partition: f.result(_OP_TIMEOUT).offset for tp, f in futures.items()}
            return all(stable[p] == self.watermarks(topic, p)[1] for p in stable)

        wait_until(settled, f"the transaction markers of {topic}")

    # -- a compacted topic -----------------------------------------------------------------

    def compacted_topic(self, records: list[tuple[str, str]]) -> tuple[str, list[Written]]:
        """A one-partition compacted topic holding ``(key, value)`` records (keys repeat)
        after the log cleaner has run over them: only the last record of each key is left,
        so the offsets have gaps. Returns the topic and every record as written, the unique
        filler records the cleaner needed (to roll segments) at the end."""
        topic = self.create_topic(1, {"cleanup.policy": "compact", "segment.ms": "300",
                                      "min.cleanable.dirty.ratio": "0.001",
                                      "min.compaction.lag.ms": "0",
                                      "delete.retention.ms": "60000"}, prefix="compacted")
        # One batch, so that every duplicate lands in the first segment.
        written = self.produce(topic, [(0, k, v) for k, v in records])
        fillers: list[Written] = []

        def compacted() -> bool:
            # The active segment is never cleaned: a new record after segment.ms rolls
            # the one holding the duplicates, which the cleaner can then compact.
            fillers.extend(self.produce(topic, [(0, f"filler-{len(fillers)}", "f")]))
            everything = written + fillers
            last = {}
            for w in everything:
                last[w.key] = w.offset
            survivors = sorted(last.values())
            return [o for _, o, _, _ in self.read_all(topic)] == survivors

        wait_until(compacted, f"the log cleaner to compact {topic}", interval=0.5)
        return topic, written + fillers

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(_OP_TIMEOUT)
        if self._created:
            # Not waited for: the next test does not need the space back.
            self.admin.delete_topics(self._created, operation_timeout=_OP_TIMEOUT)
            self._created = []


def _decode(b: bytes | None) -> str | None:
    return None if b is None else b.decode("utf-8")


def speed_up_log_cleaner(admin: AdminClient) -> None:
    """Have the broker's log cleaner look for work every 200 ms instead of every 15 s
    (a dynamic, cluster-wide broker setting). Best effort: without it compaction just
    takes longer."""
    from confluent_kafka.admin import (
        AlterConfigOpType,
        ConfigEntry,
        ConfigResource,
        ResourceType,
    )

    brokers = admin.list_topics(timeout=_OP_TIMEOUT).brokers
    resources = [ConfigResource(ResourceType.BROKER, str(broker), incremental_configs=[
        ConfigEntry("log.cleaner.backoff.ms", "200",
                    incremental_operation=AlterConfigOpType.SET)]) for broker in brokers]
    try:
        for future in admin.incremental_alter_configs(resources).values():
            future.result(_OP_TIMEOUT)
    except (KafkaException, ValueError) as e:
        print(f"log.cleaner.backoff.ms not changed ({e}): compaction may take 15 s")
