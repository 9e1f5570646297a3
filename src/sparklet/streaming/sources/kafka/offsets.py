"""The values of PySpark 2.4's Kafka API: offset ranges, topic-partitions, brokers and a
message with its metadata. Plain picklable objects; nothing here talks to Kafka.

>>> r = OffsetRange("words", 0, 10, 25)
>>> print(r)
OffsetRange(topic: words, partition: 0, range: [10 -> 25]
>>> r.count(), r == OffsetRange("words", 0, 10, 25), r.topicAndPartition()
(15, True, TopicAndPartition(topic='words', partition=0))
>>> m = KafkaMessageAndMetadata("words", 0, 7, None, b"hello")
>>> m.key, m.message, m
(None, 'hello', KafkaMessageAndMetadata(topic: words, partition: 0, offset: 7, key and message...))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["utf8_decoder", "OffsetRange", "TopicAndPartition", "Broker",
           "KafkaMessageAndMetadata"]


def utf8_decoder(s: bytes | None) -> str | None:
    """Decode bytes as UTF-8; ``None`` (a record without a key) stays ``None``."""
    if s is None:
        return None
    return s.decode("utf-8")


class OffsetRange:
    """A range of offsets of one topic-partition: ``fromOffset`` inclusive, ``untilOffset``
    exclusive. Offsets are positions, not a count of records: a compacted topic or one
    with transaction markers holds fewer records than :meth:`count` says."""

    __slots__ = ("topic", "partition", "fromOffset", "untilOffset")

    def __init__(self, topic: str, partition: int, fromOffset: int, untilOffset: int):
        self.topic = topic
        self.partition = partition
        self.fromOffset = fromOffset
        self.untilOffset = untilOffset

    def count(self) -> int:
        return self.untilOffset - self.fromOffset

    def topicAndPartition(self) -> TopicAndPartition:
        return TopicAndPartition(self.topic, self.partition)

    def _key(self) -> tuple:
        return (self.topic, self.partition, self.fromOffset, self.untilOffset)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OffsetRange) and self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self):
        return (OffsetRange, self._key())

    def __str__(self) -> str:
        # PySpark 2.4's text, its missing closing parenthesis included.
        return (f"OffsetRange(topic: {self.topic}, partition: {self.partition}, "
                f"range: [{self.fromOffset} -> {self.untilOffset}]")

    def __repr__(self) -> str:
        return (f"OffsetRange(topic={self.topic!r}, partition={self.partition}, "
                f"fromOffset={self.fromOffset}, untilOffset={self.untilOffset})")


class TopicAndPartition:
    """One partition of one topic (``fromOffsets`` and ``leaders`` are keyed by these)."""

    __slots__ = ("_topic", "_partition")

    def __init__(self, topic: str, partition: int):
        self._topic = topic
        self._partition = partition

    @property
    def topic(self) -> str:
        return self._topic

    @property
    def partition(self) -> int:
        return self._partition

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TopicAndPartition) and self._topic == other._topic
                and self._partition == other._partition)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((self._topic, self._partition))

    def __lt__(self, other: TopicAndPartition) -> bool:
        return (self._topic, self._partition) < (other._topic, other._partition)

    def __reduce__(self):
        return (TopicAndPartition, (self._topic, self._partition))

    def __repr__(self) -> str:
        return f"TopicAndPartition(topic={self._topic!r}, partition={self._partition})"


class Broker:
    """A broker's host and port (``leaders`` of ``createRDD``: where to fetch from)."""

    __slots__ = ("_host", "_port")

    def __init__(self, host: str, port: int):
        self._host = host
        self._port = port

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        return self._port

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Broker) and (self._host, self._port) == (other._host,
                                                                          other._port)

    def __hash__(self) -> int:
        return hash((self._host, self._port))

    def __reduce__(self):
        return (Broker, (self._host, self._port))

    def __repr__(self) -> str:
        return f"Broker(host={self._host!r}, port={self._port})"


class KafkaMessageAndMetadata:
    """A record with its topic, partition and offset, what a ``messageHandler`` receives.
    ``key`` and ``message`` are decoded on access with the stream's decoders."""

    def __init__(self, topic: str, partition: int, offset: int, key: bytes | None,
                 message: bytes | None):
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self._rawKey = key
        self._rawMessage = message
        self._keyDecoder: Callable[[Any], Any] = utf8_decoder
        self._valueDecoder: Callable[[Any], Any] = utf8_decoder

    def _set_key_decoder(self, decoder: Callable[[Any], Any]) -> None:
        self._keyDecoder = decoder

    def _set_value_decoder(self, decoder: Callable[[Any], Any]) -> None:
        self._valueDecoder = decoder

    @property
    def key(self) -> Any:
        return self._keyDecoder(self._rawKey)

    @property
    def message(self) -> Any:
        return self._valueDecoder(self._rawMessage)

    def __reduce__(self):
        return (KafkaMessageAndMetadata,
                (self.topic, self.partition, self.offset, self._rawKey, self._rawMessage))

    def __str__(self) -> str:
        return (f"KafkaMessageAndMetadata(topic: {self.topic}, partition: {self.partition}, "
                f"offset: {self.offset}, key and message...)")

    __repr__ = __str__
