"""The receiver-based Kafka stream (``KafkaUtils.createStream``): a consumer group member
running as a receiver.

The receiver joins consumer group ``groupId``, subscribed to the topics, and stores each
record as ``(key bytes, value bytes)``; the stream decodes them with ``keyDecoder`` and
``valueDecoder`` in a ``map``, as PySpark does. Which offsets the group commits, and when,
follows Spark's two receivers:

* :class:`KafkaReceiver` (the write-ahead log off): the group's own auto-commit commits what
  the consumer has handed out, whether or not its block has reached the driver -- a crash
  may lose the records of the last auto-commit interval, as with Spark's plain receiver.
* :class:`ReliableKafkaReceiver` (``spark.streaming.receiver.writeAheadLog.enable``):
  auto-commit is off; records are gathered into blocks (one per
  ``spark.streaming.blockInterval``) and stored with the blocking ``store(list)``, which
  returns only once the driver has the block in its write-ahead log; only then are the
  block's offsets committed, synchronously. A crash of the receiver or the driver loses
  nothing: the group resumes after the last block that was durable. A crash between a store
  and its commit re-reads that block (at-least-once, as Spark).

Kafka 4 has no ZooKeeper: ``zkQuorum`` is taken as the bootstrap servers unless
``kafkaParams`` names ``bootstrap.servers`` (or ``metadata.broker.list``). ``topics`` maps
each topic to a number of consumer threads; Spark ran that many consumer streams per topic,
but one librdkafka consumer already fetches every assigned partition on background threads,
so the numbers are checked (positive integers) and otherwise only documented. Run several
streams in one group (and ``union`` them) to spread partitions over several receivers.

Broker errors never stall silently: an unreachable cluster, a missing topic or a failed
commit is reported to the driver (a ``ReceiverError`` event; the consumer keeps retrying),
and a fatal client error or a failed store restarts the receiver, which rejoins the group
at its committed offsets.

>>> create_stream(None, "127.0.0.1:9092", "g", ["words"])
Traceback (most recent call last):
...
TypeError: topics should be dict
>>> check_topics({"words": 0})
Traceback (most recent call last):
...
ValueError: topics maps each topic to its number of consumer threads, a positive int: \
got 0 for 'words'
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.receiver.tracker import WAL_ENABLE_KEY
from sparklet.streaming.sources.kafka.offsets import utf8_decoder
from sparklet.streaming.sources.kafka.params import consumer_config, require_kafka

if TYPE_CHECKING:
    from sparklet.streaming.context import StreamingContext
    from sparklet.streaming.dstream import DStream

__all__ = ["create_stream", "check_topics", "KafkaReceiver", "ReliableKafkaReceiver"]

log = logging.getLogger("sparklet.streaming.kafka")

_MAX_PER_CONSUME = 1000     # records per consume() call
_MAX_PER_BLOCK = 20000      # records per reliable block, whatever the block interval
_POLL_S = 0.1               # longest consume() wait: how soon a stop is noticed
_COMMIT_RETRY_S = 1.0       # between retries of a failed commit
_JOIN_S = 30.0              # how long onStop waits for the receiving thread


def check_topics(topics: Any) -> dict[str, int]:
    """``topics`` as ``{topic: numThreads}``, checked."""
    if not isinstance(topics, dict):
        raise TypeError("topics should be dict")
    if not topics:
        raise ValueError("topics should name at least one topic")
    for topic, threads in topics.items():
        if not isinstance(topic, str) or not topic:
            raise ValueError(f"topics maps topic names (non-empty str) to thread counts: "
                             f"got the key {topic!r}")
        if isinstance(threads, bool) or not isinstance(threads, int) or threads <= 0:
            raise ValueError(f"topics maps each topic to its number of consumer threads, a "
                             f"positive int: got {threads!r} for {topic!r}")
    return dict(topics)


def _wal_enabled(ssc: StreamingContext) -> bool:
    conf = ssc.sparkContext._conf
    return str(conf.get(WAL_ENABLE_KEY, "false")).strip().lower() == "true"


def _receiver_config(zkQuorum: str, groupId: str, kafkaParams: dict[str, Any] | None,
                     reliable: bool) -> dict[str, Any]:
    params = dict(kafkaParams or {})
    if params.get("bootstrap.servers") or params.get("metadata.broker.list"):
        log.info("createStream: Kafka has no ZooKeeper since 4.0 and kafkaParams names the "
                 "brokers; zkQuorum %r is not used", zkQuorum)
    else:
        log.info("createStream: Kafka has no ZooKeeper since 4.0; using zkQuorum %r as the "
                 "bootstrap servers", zkQuorum)
        params["bootstrap.servers"] = zkQuorum
    params["group.id"] = groupId  # as PySpark: groupId wins over kafkaParams' group.id
    conf = consumer_config(params)
    if reliable:
        if str(conf.get("enable.auto.commit", "false")).lower() == "true":
            log.warning("createStream: enable.auto.commit is turned off: with the "
                        "write-ahead log, offsets are committed once their block is stored")
        # Offsets are committed explicitly, by the receiving thread, after each store.
        conf.update({"enable.auto.commit": False, "enable.auto.offset.store": False})
    return conf


def _check_config(kafka: Any, conf: dict[str, Any]) -> None:
    """Fail now, on the driver, for a setting librdkafka rejects (a misspelt property, a
    bad value) rather than restart the receiver forever on its executor."""
    try:
        # Creating a client checks its configuration; it does not wait for any broker.
        kafka.Consumer({**conf, "log_level": 0}).close()
    except kafka.KafkaException as e:
        raise ValueError(f"kafkaParams: {e.args[0].str()}") from e


def create_stream(ssc: StreamingContext, zkQuorum: str, groupId: str,
                  topics: dict[str, int], kafkaParams: dict[str, Any] | None = None,
                  storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                  keyDecoder: Callable = utf8_decoder,
                  valueDecoder: Callable = utf8_decoder) -> DStream:
    """A receiver-based stream of ``(keyDecoder(key), valueDecoder(value))`` read by a
    member of consumer group ``groupId`` (``KafkaUtils.createStream``).

    With ``spark.streaming.receiver.writeAheadLog.enable`` the receiver is a
    :class:`ReliableKafkaReceiver` (offsets committed once their block is in the log),
    otherwise a :class:`KafkaReceiver` (the group's auto-commit). See the module
    documentation.

    :param zkQuorum: the bootstrap servers (``host:port,...``), unless ``kafkaParams``
        names ``bootstrap.servers`` or ``metadata.broker.list``
    :param groupId: the consumer group; replaces any ``group.id`` of ``kafkaParams``
    :param topics: ``{topic: numThreads}``
    :param kafkaParams: consumer settings (``auto.offset.reset``: ``smallest``/``largest``,
        default largest, for a group without committed offsets; any librdkafka setting)
    """
    topics = check_topics(topics)
    if kafkaParams is not None and not isinstance(kafkaParams, dict):
        raise TypeError("kafkaParams should be dict")
    if not isinstance(groupId, str) or not groupId:
        raise ValueError(f"groupId should be a non-empty str, not {groupId!r}")
    kafka = require_kafka()
    reliable = _wal_enabled(ssc)
    conf = _receiver_config(zkQuorum, groupId, kafkaParams, reliable)
    _check_config(kafka, conf)
    kind = ReliableKafkaReceiver if reliable else KafkaReceiver
    stream = ssc.receiverStream(kind(conf, topics, storageLevel))
    return stream.map(lambda kv: (keyDecoder(kv[0]), valueDecoder(kv[1])))


class KafkaReceiver(Receiver):
    """A consumer group member storing ``(key, value)`` bytes; the group auto-commits
    (Spark's ``KafkaReceiver``). ``conf`` is the librdkafka consumer configuration
    (``group.id`` included), ``topics`` is ``{topic: numThreads}``."""

    reliable = False

    def __init__(self, conf: dict[str, Any], topics: dict[str, int],
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2):
        super().__init__(storageLevel)
        self.conf = dict(conf)
        self.topics = check_topics(topics)
        self._lock = threading.Lock()
        self._fetcher: _Fetcher | None = None

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_lock", None)
        state["_fetcher"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def onStart(self) -> None:
        kafka = require_kafka()
        if self.reliable and not self._sup().reliable:
            log.warning("ReliableKafkaReceiver without the write-ahead log (%s): store() "
                        "does not wait for blocks to be durable, so offsets may be committed "
                        "before their records are safe", WAL_ENABLE_KEY)
        fetcher = _Fetcher(self)
        log.info("Connecting to Kafka %s as group %s, topics %s", self.conf.get(
            "bootstrap.servers"), self.conf.get("group.id"), sorted(self.topics))
        try:
            consumer = kafka.Consumer({**self.conf, "error_cb": fetcher.on_client_error})
            consumer.subscribe(sorted(self.topics), on_revoke=fetcher.on_revoke)
        except Exception as e:  # noqa: BLE001 - a bad setting or a broken client: retry
            self.restart(f"Error creating the Kafka consumer of group "
                         f"{self.conf.get('group.id')}", e)
            return
        fetcher.consumer = consumer
        with self._lock:
            self._fetcher = fetcher
        fetcher.thread.start()

    def onStop(self) -> None:
        with self._lock:
            fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            fetcher.stop()

    # -- pacing ----------------------------------------------------------------------------

    def _pacing(self) -> tuple[float, int]:
        """The block interval (s), and the most records to hold at once: under a rate limit
        ``store`` waits n / rate s, so about a block interval's worth keeps a stop (and the
        consumer's poll deadline) near."""
        sup = self._sup()
        interval, rate = sup.settings.get("blockInterval", 0.2), sup.limiter.rate
        return interval, _MAX_PER_BLOCK if rate <= 0 else max(1, int(rate * interval))


class ReliableKafkaReceiver(KafkaReceiver):
    """:class:`KafkaReceiver` for the write-ahead log: stores blocks with the blocking
    ``store(list)`` and commits their offsets after each (Spark's
    ``ReliableKafkaReceiver``). ``conf`` must have auto-commit off."""

    reliable = True


class _Fetcher:
    """One start of a receiver: its consumer and the thread that reads from it.

    The thread owns the consumer (librdkafka's callbacks, the rebalance ones included, run
    inside its ``consume`` calls); ``stop`` asks it to end, waits for it to store what it
    holds (and, reliably, commit it) and close the consumer, which leaves the group.
    """

    def __init__(self, receiver: KafkaReceiver):
        self.receiver = receiver
        self.consumer: Any = None
        self.group = receiver.conf.get("group.id")
        self._stopping = threading.Event()
        self._reported: set[str] = set()  # errors told to the driver since data last flowed
        self._buffer: list[tuple[bytes | None, bytes | None]] = []  # reliable: not yet stored
        self._buffer_ends: dict[tuple[str, int], int] = {}          # their next offsets
        self._buffer_since = 0.0
        self._uncommitted: dict[tuple[str, int], int] = {}          # stored, not committed
        self._commit_due = 0.0
        self._failed = False
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name="Kafka Receiver")

    # -- lifecycle -------------------------------------------------------------------------

    def stop(self) -> None:
        self._stopping.set()
        if threading.current_thread() is not self.thread:
            self.thread.join(_JOIN_S)
            if self.thread.is_alive():
                log.warning("The Kafka receiving thread of group %s did not end within %d s",
                            self.group, _JOIN_S)

    def _done(self) -> bool:
        return self._stopping.is_set() or self._failed

    def _run(self) -> None:
        try:
            while not self._done():
                messages = self.consumer.consume(self._next_count(), self._next_wait())
                if self._done() and not messages:
                    break
                self._take(messages)
                if self.receiver.reliable:
                    self._flush_if_due()
        except Exception as e:  # noqa: BLE001 - a client or store failure: start afresh
            self._fail("Error receiving data from Kafka", e)
        finally:
            try:
                if self.receiver.reliable and not self._failed:
                    self._flush()
            except Exception as e:  # noqa: BLE001
                self._fail("Error storing the last Kafka block", e)
            try:
                self.consumer.close()  # commits (with auto-commit) and leaves the group
            except Exception:  # noqa: BLE001 - closing is best effort
                log.warning("Error closing the Kafka consumer of group %s", self.group,
                            exc_info=True)
            log.info("Stopped receiving from Kafka as group %s", self.group)

    def _fail(self, message: str, error: BaseException) -> None:
        # What was consumed but not committed is read again by the restarted receiver.
        if self._failed:
            return
        self._failed = True
        if not self.receiver.isStopped():
            self.receiver.restart(f"{message} (group {self.group}): {error}", error)

    # -- receiving -------------------------------------------------------------------------

    def _next_count(self) -> int:
        _, most = self.receiver._pacing()
        held = len(self._buffer) if self.receiver.reliable else 0
        return max(1, min(_MAX_PER_CONSUME, most - held))

    def _next_wait(self) -> float:
        if not (self.receiver.reliable and self._buffer):
            return _POLL_S
        interval, _ = self.receiver._pacing()
        return max(0.0, min(_POLL_S, self._buffer_since + interval - time.monotonic()))

    def _take(self, messages: list) -> None:
        records = []
        ends = self._buffer_ends
        for m in messages:
            error = m.error()
            if error is not None:
                self._message_error(m, error)
                continue
            records.append((m.key(), m.value()))
            if self.receiver.reliable:
                ends[(m.topic(), m.partition())] = m.offset() + 1
        if not records:
            return
        self._reported.clear()
        if not self.receiver.reliable:
            self.receiver._store_singles(records)  # rate-limited, cut by the block interval
            return
        if not self._buffer:
            self._buffer_since = time.monotonic()
        self._buffer.extend(records)

    def _flush_if_due(self) -> None:
        interval, most = self.receiver._pacing()
        if self._buffer and (len(self._buffer) >= most or self._buffer_since + interval
                             <= time.monotonic()):
            self._flush()
        elif self._uncommitted and time.monotonic() >= self._commit_due:
            self._commit()

    def _flush(self) -> None:
        """Store the buffer as one block (durable when ``store`` returns), then commit it."""
        if self._buffer:
            block, ends = self._buffer, self._buffer_ends
            self.receiver.store(block)  # raises if the block is not stored: nothing commits
            self._buffer, self._buffer_ends = [], {}
            self._uncommitted.update(ends)
        if self._uncommitted:
            self._commit()

    def _commit(self) -> None:
        from confluent_kafka import KafkaException, TopicPartition

        offsets = [TopicPartition(t, p, o) for (t, p), o in sorted(self._uncommitted.items())]
        try:
            self.consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as e:
            # Stored already: a later commit (or, after a crash, a duplicate read) covers it.
            self._commit_due = time.monotonic() + _COMMIT_RETRY_S
            self._report(f"commit:{e.args[0].code()}", f"Error committing offsets of group "
                         f"{self.group} (retrying): {e.args[0].str()}", e)
            return
        self._uncommitted.clear()

    # -- librdkafka's callbacks (called inside consume, on the receiving thread) ------------

    def on_revoke(self, consumer: Any, partitions: list) -> None:
        """Partitions leave this member: store and commit what is held of them first, so
        their next owner starts after it."""
        if not self.receiver.reliable or self._failed:
            return
        try:
            self._flush()
        except Exception as e:  # noqa: BLE001 - not stored: the next owner re-reads it
            self._fail("Error storing a Kafka block before a rebalance", e)
        revoked = {(tp.topic, tp.partition) for tp in partitions}
        for key in revoked & self._uncommitted.keys():
            del self._uncommitted[key]  # no longer ours to commit

    def on_client_error(self, error: Any) -> None:
        if error.fatal():
            self._fail("Fatal Kafka client error", _kafka_exception(error))
            return
        servers = self.receiver.conf.get("bootstrap.servers")
        self._report(f"client:{error.code()}", f"Kafka client error (brokers {servers}, "
                     f"group {self.group}; the consumer keeps retrying): {error.str()}",
                     _kafka_exception(error))

    def _message_error(self, message: Any, error: Any) -> None:
        from confluent_kafka import KafkaError

        if error.code() == KafkaError._PARTITION_EOF:
            return
        if error.fatal():
            self._fail("Fatal Kafka error", _kafka_exception(error))
            return
        where = f"topic {message.topic()}" if message.topic() else "the consumer"
        self._report(f"message:{error.code()}:{message.topic()}",
                     f"Kafka error for {where} (group {self.group}): {error.str()}",
                     _kafka_exception(error))

    def _report(self, key: str, message: str, error: BaseException) -> None:
        """Tell the driver once per kind of error until records flow again."""
        if key in self._reported or self.receiver.isStopped():
            return
        self._reported.add(key)
        log.warning("%s", message)
        self.receiver.reportError(message, error)


def _kafka_exception(error: Any) -> BaseException:
    from confluent_kafka import KafkaException

    return KafkaException(error)
