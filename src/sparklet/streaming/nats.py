"""NATS for Spark Streaming: :meth:`NATSUtils.createStream`, a reliable receiver on a
JetStream durable pull consumer (``pip install 'sparklet[nats]'``, the client is nats-py).

PySpark never had a NATS connector; this one follows the style of its Kafka, Flume and
MQTT utilities: a static ``createStream(ssc, ...)`` returning a DStream of decoded messages
(``str`` by default).

* **JetStream** (the default): the receiver reads through a *durable pull consumer* of the
  stream that holds ``subject`` -- its name, unless given, is derived from the application
  and the stream, so a restarted receiver or driver resumes after the last acknowledged
  message. Each message is acknowledged once its block is stored; with the write-ahead log
  (``spark.streaming.receiver.writeAheadLog.enable``) only once the block is durable, so a
  driver crash loses nothing: what was delivered and not acknowledged is redelivered by the
  server after ``ackWait`` seconds (at least once: use an idempotent sink for exactly-once
  output). The stream and the consumer are created if missing (``create=True``).
* **Core NATS** (``jetstream=False``): a plain subscription, at most once. Messages
  published while the receiver is disconnected, or beyond what it can hold, are lost, as
  with any core NATS subscriber.

The word count of ``examples/streaming/nats_word_count.py``::

    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.nats import NATSUtils

    sc = SparkContext(appName="NATSWordCount")
    ssc = StreamingContext(sc, 1)
    lines = NATSUtils.createStream(ssc, "nats://127.0.0.1:4222", "words")
    counts = (lines.flatMap(lambda line: line.split(" "))
              .map(lambda word: (word, 1)).reduceByKey(lambda a, b: a + b))
    counts.pprint()
    ssc.start()
    ssc.awaitTermination()

Arguments are checked on the driver:

>>> NATSUtils.createStream(None, "nats://127.0.0.1:4222", "words", deliverPolicy="first")
Traceback (most recent call last):
...
ValueError: deliverPolicy must be one of all, last, new, last_per_subject, not 'first'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.malformed import decoded
from sparklet.streaming.sources.nats import (
    DELIVER_POLICIES,
    NATSReceiver,
    durable_name,
    require_nats,
)

__all__ = ["NATSUtils", "utf8_decoder"]

_SERVER = re.compile(r"^((nats|tls|ws|wss)://)?[^\s/]+(:\d+)?/?$")


def utf8_decoder(s: bytes | None) -> str | None:
    """Decode a message's payload as UTF-8 (None stays None), as PySpark's decoders do.

    >>> utf8_decoder("värde".encode())
    'värde'
    """
    if s is None:
        return None
    return s.decode("utf-8")


class _Decode:
    """The stream's decoder: ``messageDecoder`` on the payload (of a ``(subject, payload)``
    pair when ``paired``); a class, so checkpointed graphs pickle it by value."""

    def __init__(self, decoder: Callable[[bytes], Any], paired: bool):
        self.decoder, self.paired = decoder, paired

    def __call__(self, record):
        if self.paired:
            return record[0], self.decoder(record[1])
        return self.decoder(record)


def _servers(servers) -> list[str]:
    if isinstance(servers, str):
        servers = [s.strip() for s in servers.split(",") if s.strip()]
    elif not isinstance(servers, (list, tuple)) or not all(isinstance(s, str)
                                                            for s in servers):
        raise TypeError("servers should be a str or a list of str (nats://host:port)")
    if not servers:
        raise ValueError("servers must name at least one NATS server (nats://host:port)")
    for s in servers:
        if not _SERVER.match(s):
            raise ValueError(f"not a NATS server URL: {s!r} (nats://host:port)")
    return list(servers)


def _name(value, what: str, pattern: str = r"^[^\s]+$") -> None:
    if not isinstance(value, str):
        raise TypeError(f"{what} should be a str, not {type(value).__name__}")
    if not re.match(pattern, value):
        raise ValueError(f"{what} {value!r} is not valid")


class NATSUtils:
    """NATS streams (in the style of PySpark's ``KafkaUtils`` and ``MQTTUtils``)."""

    @staticmethod
    def createStream(ssc, servers: str | list[str], subject: str, stream: str | None = None,
                     durable: str | None = None, deliverPolicy: str = "all",
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                     messageDecoder: Callable[[bytes], Any] | None = utf8_decoder,
                     ackWait: float = 30.0, maxAckPending: int = 20000,
                     create: bool = True, jetstream: bool = True, paired: bool = False,
                     queueGroup: str | None = None,
                     connectOptions: dict[str, Any] | None = None):
        """A DStream of the messages published on ``subject``.

        :param ssc: the StreamingContext
        :param servers: the NATS server URL(s): ``"nats://host:4222"``, a comma-separated
            list or a list
        :param subject: the subject (wildcards allowed) -- the consumer's filter subject
        :param stream: the JetStream stream; None: the stream that holds ``subject`` (one
            named after the subject is created if none does and ``create``)
        :param durable: the durable consumer's name; None: ``sparklet-<app>-<stream>``, so a
            restarted application resumes where it stopped
        :param deliverPolicy: where a new consumer starts: ``"all"`` (the whole stream),
            ``"last"``, ``"new"`` (only messages published from now on) or
            ``"last_per_subject"``; an existing consumer keeps its own position
        :param storageLevel: how received blocks are kept
        :param messageDecoder: applied to each payload (bytes) on the stream; a decoder that
            raises makes the message malformed (skipped and counted, see
            :mod:`~sparklet.streaming.sources.malformed`); None keeps the bytes
        :param ackWait: seconds the server waits for an acknowledgement before it redelivers
            a message (set on a new consumer): longer than a block takes to be stored
        :param maxAckPending: the most messages delivered and not yet acknowledged (set on a
            new consumer): at least a block's worth (the receiver holds at most 20000)
        :param create: create the stream and the consumer if missing (else report an error
            and retry until they exist)
        :param jetstream: False: a core NATS subscription, at most once (no acknowledgement,
            no persistence; ``stream``, ``durable``, ``deliverPolicy``, ``ackWait`` and
            ``maxAckPending`` do not apply)
        :param paired: elements ``(subject, message)`` instead of ``message``
        :param queueGroup: core NATS only: a queue group, so receivers share the messages
        :param connectOptions: more ``nats.connect`` keyword arguments (``user``,
            ``password``, ``token``, ``user_credentials``...); they travel to the executor,
            so they must pickle
        """
        servers = _servers(servers)
        _name(subject, "subject")
        if deliverPolicy not in DELIVER_POLICIES:
            raise ValueError(f"deliverPolicy must be one of {', '.join(DELIVER_POLICIES)}, "
                             f"not {deliverPolicy!r}")
        for value, what in ((stream, "stream"), (durable, "durable")):
            if value is not None:
                _name(value, what, r"^[A-Za-z0-9_-]+$")
        if queueGroup is not None:
            _name(queueGroup, "queueGroup")
        if isinstance(ackWait, bool) or not isinstance(ackWait, (int, float)) or ackWait <= 0:
            raise ValueError(f"ackWait must be a positive number of seconds, not {ackWait!r}")
        if isinstance(maxAckPending, bool) or not isinstance(maxAckPending, int) \
                or maxAckPending <= 0:
            raise ValueError(f"maxAckPending must be a positive int, not {maxAckPending!r}")
        if messageDecoder is not None and not callable(messageDecoder):
            raise TypeError("messageDecoder should be callable")
        if not isinstance(storageLevel, StorageLevel):
            raise TypeError("storageLevel should be a StorageLevel")
        if connectOptions is not None and not isinstance(connectOptions, dict):
            raise TypeError("connectOptions should be a dict")
        require_nats()
        if jetstream and durable is None:
            durable = durable_name(ssc.sparkContext.appName, stream or subject)
        receiver = NATSReceiver(servers, subject, stream if jetstream else None,
                                durable if jetstream else None, deliverPolicy, storageLevel,
                                jetstream=jetstream, create=create, ackWait=ackWait,
                                maxAckPending=maxAckPending, paired=paired,
                                connectOptions=connectOptions, queueGroup=queueGroup)
        raw = ssc.receiverStream(receiver)
        if messageDecoder is None:
            return raw
        return decoded(raw, _Decode(messageDecoder, paired),
                       f"NATS {subject} at {','.join(servers)}")
