"""MQTT for Spark Streaming: :class:`MQTTUtils`, Apache Bahir's Python API (``pip install
'sparklet[mqtt]'``, the client is paho-mqtt 2.x).

* ``MQTTUtils.createStream(ssc, brokerUrl, topic)``: a DStream of each message's payload as
  ``str``; ``createPairedStream(ssc, brokerUrl, topics)``: of ``(topic, message)``.
  ``topic``/``topics`` are MQTT topic filters (``+`` and ``#`` wildcards).
* ``brokerUrl`` as Paho's: ``tcp://host:1883``, ``ssl://host:8883`` (``ws://``, ``wss://``).
* Payloads are decoded as Bahir does (Java's ``new String(payload, UTF_8)``): leniently,
  an invalid byte sequence becomes U+FFFD, so no MQTT message is ever malformed.
* Bahir's Scala keyword variants are accepted too: ``clientId``, ``username``,
  ``password``, ``cleanSession``, ``qos`` (1 by default), ``connectionTimeout`` (s),
  ``keepAliveInterval`` (s), ``mqttVersion`` (3: 3.1, 4: 3.1.1, 5: MQTT 5; 0: 3.1.1).

Reliability: the subscription is at QoS 1 and each message is acknowledged (PUBACK) only
after its block is stored -- with the write-ahead log
(``spark.streaming.receiver.writeAheadLog.enable``) once it is durable -- in a persistent
session whose client id is stable across driver restarts, so the broker redelivers what
was not acknowledged after a reconnect or a driver crash (at least once: use an idempotent
sink for exactly-once output). See docs/mqtt.md, and
:mod:`sparklet.streaming.sources.mqtt` for the broker's inflight window.

The word count of ``examples/streaming/mqtt_word_count.py``::

    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.mqtt import MQTTUtils

    sc = SparkContext(appName="MQTTWordCount")
    ssc = StreamingContext(sc, 1)
    lines = MQTTUtils.createStream(ssc, "tcp://127.0.0.1:1883", "words")
    counts = (lines.flatMap(lambda line: line.split(" "))
              .map(lambda word: (word, 1)).reduceByKey(lambda a, b: a + b))
    counts.pprint()
    ssc.start()
    ssc.awaitTermination()

Arguments are checked on the driver:

>>> MQTTUtils.createStream(None, "mqtt://127.0.0.1", "t")
Traceback (most recent call last):
...
ValueError: brokerUrl must be tcp://host:port, ssl://host:port, ws:// or wss://, not 'mqtt://127.0.0.1'
"""

from __future__ import annotations

from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.malformed import decoded
from sparklet.streaming.sources.mqtt import (
    MQTTReceiver,
    check_topic_filter,
    parse_broker_url,
    require_paho,
    stable_client_id,
)

__all__ = ["MQTTUtils"]


def _lenient(payload: bytes) -> str:
    """Java's ``new String(payload, UTF_8)``: invalid sequences become U+FFFD.

    >>> _lenient(b"h\\xc3\\xa9 \\xff")
    'hé \\ufffd'
    """
    return payload.decode("utf-8", "replace")


def _lenient_pair(record: tuple[str, bytes]) -> tuple[str, str]:
    topic, payload = record
    return topic, payload.decode("utf-8", "replace")


def _check_options(options: dict[str, Any]) -> dict[str, Any]:
    known = {"clientId", "username", "password", "cleanSession", "qos", "connectionTimeout",
             "keepAliveInterval", "mqttVersion", "tlsOptions"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)} (known: "
                        f"{', '.join(sorted(known))})")
    for name in ("clientId", "username", "password"):
        value = options.get(name)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} should be a str")
    if options.get("clientId") == "":
        raise ValueError("clientId cannot be empty")
    clean = options.get("cleanSession")
    if clean is not None and not isinstance(clean, bool):
        raise TypeError("cleanSession should be a bool")
    qos = options.get("qos")
    if qos is not None and (isinstance(qos, bool) or qos not in (0, 1, 2)):
        raise ValueError(f"qos must be 0, 1 or 2, not {qos!r}")
    for name in ("connectionTimeout", "keepAliveInterval"):
        value = options.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 0):
            raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")
    version = options.get("mqttVersion")
    if version is not None and version not in (0, 3, 4, 5):
        raise ValueError(f"mqttVersion must be 0 (default: 3.1.1), 3 (3.1), 4 (3.1.1) or "
                         f"5, not {version!r}")
    if options.get("tlsOptions") is not None and not isinstance(options["tlsOptions"], dict):
        raise TypeError("tlsOptions should be a dict (paho's tls_set arguments)")
    return {k: v for k, v in options.items() if v is not None}


def _create(ssc, brokerUrl: str, topics: list[str], paired: bool,
            storageLevel: StorageLevel, options: dict[str, Any]):
    parse_broker_url(brokerUrl)
    if not isinstance(storageLevel, StorageLevel):
        raise TypeError("storageLevel should be a StorageLevel")
    options = _check_options(options)
    require_paho()
    prefix = stable_client_id(ssc.sparkContext.appName, topics)
    receiver = MQTTReceiver(brokerUrl, topics, paired, storageLevel, clientIdPrefix=prefix,
                            **options)
    raw = ssc.receiverStream(receiver)
    return decoded(raw, _lenient_pair if paired else _lenient,
                   f"MQTT {','.join(topics)} at {brokerUrl}")


class MQTTUtils:
    """MQTT input streams, as Apache Bahir's ``pyspark`` ``MQTTUtils``."""

    @staticmethod
    def createStream(ssc, brokerUrl: str, topic: str,
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                     **options: Any):
        """A DStream of the messages (``str``) published to ``topic``.

        :param ssc: the StreamingContext
        :param brokerUrl: the broker, ``tcp://host:port`` or ``ssl://host:port``
        :param topic: a topic filter (``sensors/+/temperature``, ``logs/#``)
        :param storageLevel: how received blocks are kept
        :param options: Bahir's ``clientId``, ``username``, ``password``, ``cleanSession``,
            ``qos``, ``connectionTimeout``, ``keepAliveInterval``, ``mqttVersion``; and
            ``tlsOptions`` (paho's ``tls_set`` keyword arguments) for ``ssl://``
        """
        check_topic_filter(topic)
        return _create(ssc, brokerUrl, [topic], False, storageLevel, options)

    @staticmethod
    def createPairedStream(ssc, brokerUrl: str, topics: list[str],
                           storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                           **options: Any):
        """A DStream of ``(topic, message)`` for the messages published to ``topics``
        (topic filters; ``topic`` is the message's own topic). Keyword arguments as
        :meth:`createStream`."""
        if isinstance(topics, str) or not isinstance(topics, (list, tuple)):
            raise TypeError("topics should be a list of str (topic filters)")
        if not topics:
            raise ValueError("topics must name at least one topic filter")
        for topic in topics:
            check_topic_filter(topic)
        if len(set(topics)) != len(topics):
            raise ValueError(f"topics names a filter twice: {list(topics)}")
        return _create(ssc, brokerUrl, list(topics), True, storageLevel, options)
