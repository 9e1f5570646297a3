"""Writing RDDs and DStreams to a Kafka topic, at least once or exactly once per batch.

:class:`KafkaSink` is a ``foreachRDD`` function (and :func:`save_to_kafka` its shorthand).
The records of each partition are produced from the task that computes the partition, by
a producer the worker process keeps for later tasks.

**At least once** (the default). Every record is produced with a delivery callback and the
task flushes before it ends; a record the broker did not take fails the task with the
broker's error, so nothing is lost silently. A retried task or a rerun batch writes its
records again.

**Exactly once per batch** (``transactional=True``). Recovery
(:meth:`StreamingContext.getOrCreate`) reruns pending batches from the same input
positions, so a ``(batch time, partition)`` pair names the same records in every run. Each
pair is written in one Kafka transaction together with a *commit marker*:

* partition ``p`` of sink ``sink_id`` writes with the stable ``transactional.id``
  ``sparklet-sink-<sink_id>-<p>``, so a retried or rerun task fences a zombie of an earlier
  attempt (the broker aborts the zombie's open transaction and refuses its commit);
* the marker is the committed offset of the consumer group of the same name on partition 0
  of the output topic: the batch time in milliseconds, committed *inside* the transaction
  (``send_offsets_to_transaction``), so records and marker become visible together or not
  at all. The broker does not check a committed offset against the log end, and committed
  offsets are kept per group, so the marker needs no topic of its own;
* the task sends the marker first, then reads the group's committed offset. Sending it
  proves this producer is the current one for its ``transactional.id`` (a fenced producer
  is refused here, before any record is taken, and is replaced by a new one), and the
  broker accepts it only once every earlier transaction of that id is complete, so the
  read (which does not wait for pending offsets: this transaction's own marker is one)
  sees every committed marker. A marker at or after the batch time means the pair was
  committed by an earlier run: the transaction is aborted and nothing is written;
  otherwise the records follow and the transaction commits;
* a task that fails half-way aborts its transaction: ``read_committed`` consumers see none
  of its records, and the rerun writes them once. A task of an earlier attempt that is
  still running and starts its transaction *after* the rerun's fences the rerun instead:
  the rerun's task fails (fenced), and the late task or a retry commits the partition,
  once.

Batches of one partition are committed in time order (as a streaming context runs them):
a batch time at or before the partition's last committed one counts as written. Two
batches of the same sink must not write at the same time (the default
``spark.streaming.concurrentJobs`` of 1); their producers would fence each other.

Consumers of the output see the exactly-once result with
``isolation.level=read_committed`` (put it in the reading stream's ``kafkaParams``; the
default, as Spark's, is read_uncommitted). An open transaction holds them back until it
ends, so a partition must be written within the producer's ``transaction.timeout.ms``
(60 s by default; raise it in ``kafkaParams`` for bigger partitions, up to the broker's
``transaction.max.timeout.ms``). The markers' groups have no members; the broker keeps
their offsets for ``offsets.retention.minutes`` (7 days by default) after the last commit,
so a batch rerun after a longer stop is written again.

>>> sink = KafkaSink("counts", {"bootstrap.servers": "127.0.0.1:9092"}, sink_id="wc",
...                  transactional=True)
>>> sink.transactional_id(3)
'sparklet-sink-wc-3'
>>> KafkaSink("counts", {"bootstrap.servers": "127.0.0.1:9092"}, transactional=True)
Traceback (most recent call last):
...
ValueError: a transactional KafkaSink needs a sink_id (it names the transactional.id and \
the commit markers of its partitions, so it must stay the same across restarts)
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sparklet.streaming.sinks import _batch_time_ms
from sparklet.streaming.sources.kafka.params import (
    admin_config,
    client_logging,
    producer_config,
    require_kafka,
)

if TYPE_CHECKING:
    from sparklet.rdd import RDD
    from sparklet.streaming.dstream import DStream

__all__ = ["KafkaSink", "KafkaSinkError", "save_to_kafka"]

log = logging.getLogger("sparklet.streaming.kafka")
# The sink's clients log through Python logging (params.client_logging), served when the
# task polls, flushes or commits: a kept client idle between batches does not write to
# stderr, and a producer fenced by a newer one -- routine when a partition's task moves to
# another worker -- is dropped unpolled, so its fatal lines stay quiet (the sink logs the
# replacement itself).

MARKER_PARTITION = 0
# Transactional producers (with their marker consumers) a worker process keeps; each is a
# few librdkafka threads and connections. Plain producers are kept one per configuration.
MAX_CACHED_TRANSACTIONAL = 16
TXN_RETRY_BACKOFF_MS = 20  # a transactional producer's retry.backoff.ms unless given
_POLL_EVERY = 10_000  # records between serving delivery callbacks of a long partition


class KafkaSinkError(Exception):
    """A write to Kafka failed: records were not delivered, or the transaction of a
    (batch, partition) could not commit. The task fails with it; nothing is lost
    silently."""


class KafkaSink:
    """Write every batch of a DStream, or an RDD, to the Kafka topic ``topic``.

    Parameters
    ----------
    topic : str
        the topic to write to; it must exist (a transactional sink keeps its commit markers
        on the topic's partition 0).
    kafkaParams : dict
        the producer's settings: ``bootstrap.servers`` (or ``metadata.broker.list``), and
        any librdkafka producer property (``acks``, ``compression.type``, ``linger.ms``,
        ``partitioner`` -- ``murmur2_random`` places keys as the Java client does -- and
        security settings).
    sink_id : str, optional
        names this output; required with ``transactional=True`` and must stay the same
        across restarts of the application, and differ between sinks.
    transactional : bool
        write each (batch time, partition) exactly once, in a Kafka transaction with a
        commit marker (see the module's description); default False (at least once).
    record_to_kv : callable, optional
        ``record -> (key, value)``. Without it a record that is a 2-tuple is ``(key,
        value)`` and any other record is the value (with key None). Keys and values are
        ``bytes``, ``str`` (encoded as UTF-8) or None.
    timeout : float
        seconds the broker may take for each step of a transaction (default 60).

    A transactional sink's producers retry after 20 ms (``retry.backoff.ms``, librdkafka's
    default is 100 ms) unless ``kafkaParams`` says otherwise, so a batch that follows the
    previous one closely need not wait out the backoff while the broker completes it.

    Use ``dstream.foreachRDD(sink)``; ``sink.write_batch(time_ms, rdd)`` does the same from
    other code and ``sink.write(rdd)`` writes a plain RDD (at least once).

    Examples
    --------
    >>> sink = KafkaSink("counts", {"bootstrap.servers": "127.0.0.1:9092"},
    ...                  record_to_kv=lambda kv: (kv[0], str(kv[1])))
    >>> sink.topic, sink.transactional
    ('counts', False)
    """

    def __init__(self, topic: str, kafkaParams: dict[str, Any], sink_id: str | None = None,
                 transactional: bool = False,
                 record_to_kv: Callable[[Any], tuple[Any, Any]] | None = None,
                 timeout: float = 60.0):
        require_kafka()
        if not isinstance(topic, str) or not topic:
            raise ValueError(f"topic must be a non-empty string, not {topic!r}")
        if transactional and not sink_id:
            raise ValueError("a transactional KafkaSink needs a sink_id (it names the "
                             "transactional.id and the commit markers of its partitions, "
                             "so it must stay the same across restarts)")
        if sink_id is not None and (not isinstance(sink_id, str) or not sink_id):
            raise ValueError(f"sink_id must be a non-empty string, not {sink_id!r}")
        if record_to_kv is not None and not callable(record_to_kv):
            raise TypeError("record_to_kv must be a function record -> (key, value)")
        if not timeout > 0:
            raise ValueError(f"timeout must be positive, not {timeout!r}")
        conf = producer_config(kafkaParams)
        if "transactional.id" in conf:
            raise ValueError("kafkaParams must not set transactional.id: a transactional "
                             "KafkaSink derives one per partition from its sink_id")
        self.topic = topic
        self.sink_id = sink_id
        self.transactional = bool(transactional)
        self.record_to_kv = record_to_kv
        self.timeout = float(timeout)
        self._producer_conf = conf
        self._marker_conf = admin_config(kafkaParams)
        self._txn_prefix = f"sparklet-sink-{sink_id}-"

    def transactional_id(self, partition: int) -> str:
        """The ``transactional.id`` of RDD partition ``partition``, also the name of the
        consumer group holding its commit marker."""
        if self.sink_id is None:
            raise ValueError("only a sink with a sink_id has transactional ids")
        return f"{self._txn_prefix}{partition}"

    def last_committed(self, partition: int) -> int | None:
        """The batch time (ms) of the last committed transaction of ``partition``, or None
        if none was (read from the broker, on the driver)."""
        if not self.transactional:
            raise ValueError("only a transactional KafkaSink keeps commit markers")
        ck = require_kafka()
        consumer = ck.Consumer(_marker_consumer_conf(self._marker_conf,
                                                     self.transactional_id(partition)))
        try:
            return _read_marker(consumer, self.topic, time.monotonic() + self.timeout)
        finally:
            consumer.close()

    def __call__(self, time: datetime | int, rdd: RDD) -> None:
        self.write_batch(_batch_time_ms(time), rdd)

    def write_batch(self, time_ms: int, rdd: RDD) -> int:
        """Write batch ``time_ms`` (ms; for a transactional sink any non-negative number
        that grows from batch to batch): one task per partition. Returns the number of
        records written, 0 for partitions an earlier run committed."""
        time_ms = int(time_ms)
        if self.transactional and time_ms < 0:
            raise ValueError(f"a batch time must not be negative, not {time_ms}")
        return sum(rdd.mapPartitionsWithIndex(self._writer(time_ms)).collect())

    def write(self, rdd: RDD) -> int:
        """Write a plain RDD at least once; returns the number of records written. A
        transactional sink writes batches: use :meth:`write_batch` with a batch time."""
        if self.transactional:
            raise ValueError("a transactional KafkaSink writes batches: use "
                             "write_batch(time_ms, rdd) with the batch's time (any "
                             "non-negative number that grows from batch to batch)")
        return self.write_batch(0, rdd)

    def _writer(self, time_ms: int) -> _PartitionWriter:
        return _PartitionWriter(self.topic, self._producer_conf, self._marker_conf,
                                self._txn_prefix if self.transactional else None,
                                self.record_to_kv, time_ms, self.timeout)

    def __repr__(self) -> str:
        mode = f"transactional, sink_id={self.sink_id!r}" if self.transactional else \
            "at least once"
        return f"KafkaSink(topic={self.topic!r}, {mode})"


def save_to_kafka(data: RDD | DStream, topic: str, kafkaParams: dict[str, Any], *,
                  batch_time: int | None = None, **options: Any) -> KafkaSink | int:
    """Write ``data`` to ``topic``: a DStream gets a :class:`KafkaSink` as an output
    operation (returned), an RDD is written now (the number of records is returned; a
    transactional write of an RDD needs ``batch_time``). ``options`` are KafkaSink's.

    >>> from sparklet import SparkContext
    >>> rdd = SparkContext.getOrCreate().parallelize([("k", "v")])
    >>> save_to_kafka(rdd, "out", {"bootstrap.servers": "127.0.0.1:9092"}, sink_id="s",
    ...               transactional=True)
    Traceback (most recent call last):
    ...
    ValueError: a transactional KafkaSink writes batches: use write_batch(time_ms, rdd) \
with the batch's time (any non-negative number that grows from batch to batch)
    """
    sink = KafkaSink(topic, kafkaParams, **options)
    if hasattr(data, "foreachRDD"):
        if batch_time is not None:
            raise ValueError("batch_time is for an RDD; a DStream's batches have their own")
        data.foreachRDD(sink)
        return sink
    if batch_time is not None:
        return sink.write_batch(batch_time, data)
    return sink.write(data)


# -- in the executors ----------------------------------------------------------------------


def _encode(x: Any, what: str, record: Any) -> bytes | None:
    if x is None or isinstance(x, bytes):
        return x
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, bytearray | memoryview):
        return bytes(x)
    raise TypeError(f"KafkaSink: a record's {what} must be bytes, str or None, not "
                    f"{type(x).__name__} ({x!r:.80} in record {record!r:.200}); pass "
                    "record_to_kv to turn records into (key, value)")


def _key_value(record: Any, record_to_kv: Callable | None) -> tuple[bytes | None,
                                                                      bytes | None]:
    if record_to_kv is not None:
        kv = record_to_kv(record)
        if not (isinstance(kv, tuple) and len(kv) == 2):
            raise TypeError(f"KafkaSink: record_to_kv must return a (key, value) tuple, "
                            f"not {kv!r:.200}")
        key, value = kv
    elif isinstance(record, tuple) and len(record) == 2:
        key, value = record
    else:
        key, value = None, record
    return _encode(key, "key", record), _encode(value, "value", record)


class _Deliveries:
    """The delivery callback of one task's records: remembers that one failed, and the
    first few errors (callbacks may run in any thread that polls the producer)."""

    def __init__(self):
        self.failed = False
        self.errors: list[str] = []

    def __call__(self, err, msg) -> None:
        if err is not None:
            self.failed = True
            # Records purged from the queue when a transaction fails say nothing of why.
            if len(self.errors) < 3 and not err.str().startswith("Local: Purged"):
                self.errors.append(f"{msg.topic()}[{msg.partition()}]: {err.str()}")

    def describe(self) -> str:
        return "; ".join(self.errors) or "(no delivery report)"


def _produce_all(producer, topic: str, records: Iterable, record_to_kv, deliveries) -> int:
    ck = require_kafka()
    n = 0
    for record in records:
        key, value = _key_value(record, record_to_kv)
        while True:
            try:
                producer.produce(topic, value, key, on_delivery=deliveries)
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.1)
            except ck.KafkaException as e:  # refused: too large, or the transaction failed
                with contextlib.suppress(ck.KafkaException):  # (raised if fatal)
                    producer.poll(0)  # serves the delivery reports that say why
                detail = f"; {deliveries.describe()}" if deliveries.errors else ""
                raise KafkaSinkError(f"KafkaSink: could not produce record {n} of this "
                                     f"partition to {topic}: {e.args[0]}{detail}") from e
        n += 1
        if n % _POLL_EVERY == 0:
            producer.poll(0)
    return n


def _marker_consumer_conf(marker_conf: dict, group: str) -> dict:
    # read_uncommitted reads the group's committed offsets without waiting for pending
    # transactional ones -- the task's own marker is pending when it reads (see above).
    return client_logging({**marker_conf, "group.id": group, "enable.auto.commit": False,
                           "isolation.level": "read_uncommitted"})


def _retrying(call: Callable, deadline: float, what: str):
    """``call()``, again while it fails with a retriable Kafka error and time is left."""
    ck = require_kafka()
    # Also retried: a coordinator that moved or is still loading (a fresh broker's first
    # transaction or group), and a timeout or lost connection while there is time left.
    transient = {ck.KafkaError.NOT_COORDINATOR, ck.KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
                 ck.KafkaError.COORDINATOR_NOT_AVAILABLE, ck.KafkaError._TIMED_OUT,
                 ck.KafkaError._TRANSPORT}
    while True:
        try:
            return call()
        except ck.KafkaException as e:
            err = e.args[0] if e.args else None
            retriable = isinstance(err, ck.KafkaError) and (
                err.retriable() or err.code() in transient)
            if not retriable or time.monotonic() > deadline:
                raise KafkaSinkError(f"KafkaSink: {what} failed: {err}") from e
            time.sleep(0.1)


def _read_marker(consumer, topic: str, deadline: float) -> int | None:
    ck = require_kafka()
    tp = ck.TopicPartition(topic, MARKER_PARTITION)

    consumer.poll(0)  # serves its queued log lines; it has no assignment to fetch

    def read():
        (got,) = consumer.committed([tp], max(1.0, deadline - time.monotonic()))
        if got.error is not None:
            raise ck.KafkaException(got.error)
        return got.offset

    offset = _retrying(read, deadline, "reading the commit marker")
    return offset if offset >= 0 else None


class _TxnClient:
    """A transactional producer and the consumer whose group holds its commit marker."""

    def __init__(self, producer_conf: dict, marker_conf: dict, txn_id: str, timeout: float):
        ck = require_kafka()
        self.txn_id = txn_id
        # The broker answers a transaction started right after the previous commit with
        # "concurrent transactions" until that one's markers are written (a few ms);
        # librdkafka's default 100 ms backoff would add that much to back-to-back batches.
        self.producer = ck.Producer(client_logging(
            {"retry.backoff.ms": TXN_RETRY_BACKOFF_MS, **producer_conf,
             "transactional.id": txn_id}))
        self.consumer = ck.Consumer(_marker_consumer_conf(marker_conf, txn_id))
        deadline = time.monotonic() + timeout
        _retrying(lambda: self.producer.init_transactions(
            max(1.0, deadline - time.monotonic())), deadline,
            f"initialising transactions of {txn_id}")

    def close(self) -> None:
        try:
            self.consumer.close()
        except Exception:  # a broken client is being thrown away anyway
            pass


class _ClientCache:
    """Producers a worker process keeps between tasks: a plain producer per configuration
    (shared by concurrent tasks; thread-safe) and idle transactional clients, each taken
    by one task at a time. librdkafka's threads do not survive a fork, so a forked child
    starts with an empty cache."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._plain: dict[tuple, Any] = {}
        self._idle: OrderedDict[tuple, _TxnClient] = OrderedDict()

    def _forked(self) -> None:
        if os.getpid() != self._pid:
            self._pid, self._plain, self._idle = os.getpid(), {}, OrderedDict()

    def plain(self, conf: dict):
        key = tuple(sorted(conf.items()))
        with self._lock:
            self._forked()
            producer = self._plain.get(key)
            if producer is None:
                producer = self._plain[key] = require_kafka().Producer(client_logging(conf))
            return producer

    def drop_plain(self, conf: dict, producer) -> None:
        with self._lock:
            key = tuple(sorted(conf.items()))
            if self._plain.get(key) is producer:
                del self._plain[key]

    def take(self, key: tuple) -> _TxnClient | None:
        with self._lock:
            self._forked()
            return self._idle.pop(key, None)

    def give_back(self, key: tuple, client: _TxnClient) -> None:
        evicted = []
        with self._lock:
            self._forked()
            old = self._idle.pop(key, None)
            if old is not None:
                evicted.append(old)
            self._idle[key] = client
            while len(self._idle) > MAX_CACHED_TRANSACTIONAL:
                evicted.append(self._idle.popitem(last=False)[1])
        for c in evicted:
            c.close()

    def clear(self) -> None:
        """Close and forget every kept client (nothing is pending in an idle one)."""
        with self._lock:
            idle, self._plain, self._idle = list(self._idle.values()), {}, OrderedDict()
        for c in idle:
            c.close()


_clients = _ClientCache()


class _PartitionWriter:
    """The task function of one batch: ``(index, records) -> [records written]``."""

    def __init__(self, topic: str, producer_conf: dict, marker_conf: dict,
                 txn_prefix: str | None, record_to_kv, time_ms: int, timeout: float):
        self.topic, self.producer_conf, self.marker_conf = topic, producer_conf, marker_conf
        self.txn_prefix, self.record_to_kv = txn_prefix, record_to_kv
        self.time_ms, self.timeout = time_ms, timeout

    def __call__(self, index: int, records: Iterable) -> list[int]:
        it = iter(records)
        try:
            first = next(it)
        except StopIteration:  # nothing to write, and nothing a rerun could duplicate
            return [0]
        records = _chain(first, it)
        if self.txn_prefix is None:
            return [self._write_plain(records)]
        return [self._write_transaction(index, records)]

    def _write_plain(self, records: Iterator) -> int:
        producer = _clients.plain(self.producer_conf)
        deliveries = _Deliveries()
        try:
            n = _produce_all(producer, self.topic, records, self.record_to_kv, deliveries)
        finally:
            # What was produced before an error is delivered (or fails) before the task
            # ends; flush returns within message.timeout.ms.
            producer.flush()
        if deliveries.failed:
            _clients.drop_plain(self.producer_conf, producer)
            raise KafkaSinkError(f"KafkaSink: records were not delivered to "
                                 f"{self.topic}: {deliveries.describe()}")
        return n

    def _write_transaction(self, index: int, records: Iterator) -> int:
        ck = require_kafka()
        txn_id = f"{self.txn_prefix}{index}"
        key = self._cache_key(txn_id)
        deadline = time.monotonic() + self.timeout
        client = _clients.take(key)
        cached = client is not None
        if client is None:
            client = _TxnClient(self.producer_conf, self.marker_conf, txn_id, self.timeout)
        producer = client.producer
        marker = ck.TopicPartition(self.topic, MARKER_PARTITION, self.time_ms,
                                   f"sparklet batch {self.time_ms}")
        ok = False
        try:
            producer.begin_transaction()
            while True:
                try:
                    # Refused if this producer was fenced, and only once the id's earlier
                    # transactions are complete: the marker read below sees all of them.
                    producer.send_offsets_to_transaction(
                        [marker], client.consumer.consumer_group_metadata(), self.timeout)
                    break
                except ck.KafkaException as e:
                    err = e.args[0]
                    if err.retriable() and time.monotonic() < deadline:
                        continue  # still in the transaction: send the marker again
                    if not (cached and err.fatal()):
                        raise KafkaSinkError(f"KafkaSink: {txn_id} could not start the "
                                             f"transaction of batch {self.time_ms}: "
                                             f"{err}") from e
                    # Another worker's producer took this id since: a new one fences it.
                    log.info("KafkaSink %s: the kept producer was fenced (%s); starting a "
                             "new one", txn_id, err.str())
                    client.close()
                    client = _TxnClient(self.producer_conf, self.marker_conf, txn_id,
                                        self.timeout)
                    producer, cached = client.producer, False
                    producer.begin_transaction()
            committed = _read_marker(client.consumer, self.topic, deadline)
            if committed is not None and committed >= self.time_ms:
                log.info("KafkaSink %s: batch %d was committed already (last %d); "
                         "nothing written", txn_id, self.time_ms, committed)
                producer.abort_transaction(self.timeout)
                ok = True
                return 0
            deliveries = _Deliveries()
            n = _produce_all(producer, self.topic, records, self.record_to_kv, deliveries)
            self._commit(producer, txn_id, deliveries)
            ok = True
            return n
        finally:
            if ok:
                _clients.give_back(key, client)
            else:
                self._abandon(client)

    def _commit(self, producer, txn_id: str, deliveries: _Deliveries) -> None:
        ck = require_kafka()
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                producer.commit_transaction(max(1.0, deadline - time.monotonic()))
                return
            except ck.KafkaException as e:
                err = e.args[0]
                if err.retriable() and time.monotonic() < deadline:
                    continue
                detail = f"; {deliveries.describe()}" if deliveries.errors else ""
                raise KafkaSinkError(f"KafkaSink: {txn_id} could not commit batch "
                                     f"{self.time_ms} to {self.topic}: {err}{detail}") from e

    def _abandon(self, client: _TxnClient) -> None:
        """After a failure: abort the open transaction, so read_committed consumers see
        nothing of it and are not held back by it, and drop the producer. (librdkafka can
        refuse the next transaction of a producer whose records failed even after a clean
        abort; a producer that cannot abort at all -- fenced, fatal -- leaves its
        transaction to the next producer of its id or to the transaction timeout.)"""
        try:
            client.producer.abort_transaction(self.timeout)
        except Exception as e:  # the task's own error is the one to report
            log.warning("KafkaSink %s: abort of batch %d failed (%s)", client.txn_id,
                        self.time_ms, e)
        client.close()

    def _cache_key(self, txn_id: str) -> tuple:
        return tuple(sorted(self.producer_conf.items())), txn_id


def _chain(first: Any, rest: Iterator) -> Iterator:
    yield first
    yield from rest
