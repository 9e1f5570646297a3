"""Apache Flume for Spark Streaming: PySpark 2.4's ``pyspark.streaming.flume``, name for name,
without a JVM (``pip install 'sparklet[flume]'``; Avro through fastavro).

:meth:`FlumeUtils.createStream` is the push-based approach of the guide: a receiver listens
on ``hostname:port`` and a Flume agent's Avro sink sends it the events::

    agent.sinks = avroSink
    agent.sinks.avroSink.type = avro
    agent.sinks.avroSink.channel = memoryChannel
    agent.sinks.avroSink.hostname = <the receiver's host>
    agent.sinks.avroSink.port = <port>

The guide's FlumeEventCount (``examples/streaming/flume_event_count.py``)::

    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.flume import FlumeUtils

    sc = SparkContext(appName="FlumeEventCount")
    ssc = StreamingContext(sc, 2)
    events = FlumeUtils.createStream(ssc, "127.0.0.1", 41414)
    events.count().map(lambda n: f"Received {n} flume events.").pprint()
    ssc.start()
    ssc.awaitTermination()

Each element is ``(headers, body)``: the event's headers as a dict of str, its body
through ``bodyDecoder`` (UTF-8 by default; a body it cannot decode is a malformed record,
see ``docs/connectors.md``). With the write-ahead log on, a batch of events is answered
``OK`` only once it is durable, so Flume's channel transaction keeps what was not stored:
nothing is lost (see :mod:`sparklet.streaming.sources.flume`).

:meth:`FlumeUtils.createPollingStream` is the pull-based approach: Spark's custom
``SparkSink`` (``spark-streaming-flume-sink``) runs in the agent and the receiver pulls
batches from it, acknowledging each once stored (see
:mod:`sparklet.streaming.sources.flume_polling`)::

    agent.sinks.spark.type = org.apache.spark.streaming.flume.sink.SparkSink
    agent.sinks.spark.hostname = <the agent's host>
    agent.sinks.spark.port = <port>

Arguments are checked on the driver:

>>> FlumeUtils.createStream(None, "127.0.0.1", 70000)
Traceback (most recent call last):
...
ValueError: port should be an int from 0 to 65535, not 70000
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.flume import FlumeReceiver, require_fastavro
from sparklet.streaming.sources.flume_polling import FlumePollingReceiver
from sparklet.streaming.sources.malformed import decoded

__all__ = ["FlumeUtils", "utf8_decoder"]


def utf8_decoder(s: bytes | None) -> str | None:
    """Decode the body as UTF-8 (PySpark's default ``bodyDecoder``).

    >>> utf8_decoder(b"caf\\xc3\\xa9")
    'café'
    """
    if s is None:
        return None
    return s.decode("utf-8")


class _DecodeEvent:
    """``(headers, body bytes)`` to ``(headers, bodyDecoder(body))``; a class, so graphs
    pickle it by value in checkpoints."""

    def __init__(self, bodyDecoder: Callable[[bytes], Any]):
        self.bodyDecoder = bodyDecoder

    def __call__(self, event: tuple) -> tuple:
        headers, body = event
        return headers, self.bodyDecoder(body)


class FlumeUtils:
    """Streams of events from Apache Flume (PySpark 2.4's ``FlumeUtils``)."""

    @classmethod
    def createStream(cls, ssc: Any, hostname: str, port: int,
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                     enableDecompression: bool = False,
                     bodyDecoder: Callable[[bytes], Any] = utf8_decoder):
        """A DStream of ``(headers, body)`` from Flume's Avro sink, which connects to the
        receiver listening on ``hostname:port``.

        :param hostname: the address to listen on (of the host the receiver runs on)
        :param port: the port to listen on
        :param enableDecompression: the sink sends with ``compression-type = deflate``
        :param bodyDecoder: turns each body (bytes) into the element's second half
        """
        if not isinstance(hostname, str) or not hostname:
            raise ValueError(f"hostname should be a non-empty str, not {hostname!r}")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port should be an int from 0 to 65535, not {port!r}")
        if not callable(bodyDecoder):
            raise TypeError("bodyDecoder should be callable")
        require_fastavro()
        receiver = FlumeReceiver(hostname, port, bool(enableDecompression), storageLevel)
        return decoded(ssc.receiverStream(receiver), _DecodeEvent(bodyDecoder),
                       f"Flume Avro sink to {hostname}:{port}")

    @classmethod
    def createPollingStream(cls, ssc: Any, addresses: list[tuple[str, int]],
                            storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                            maxBatchSize: int = 1000, parallelism: int = 5,
                            bodyDecoder: Callable[[bytes], Any] = utf8_decoder):
        """A DStream of ``(headers, body)`` pulled from Spark's ``SparkSink`` running in
        the Flume agents at ``addresses`` (a list of ``(host, port)``).

        :param maxBatchSize: the most events asked for at once
        :param parallelism: concurrent requests (connections) per sink
        :param bodyDecoder: turns each body (bytes) into the element's second half
        """
        if not isinstance(addresses, (list, tuple)) or not addresses:
            raise ValueError("addresses should be a non-empty list of (host, port)")
        for address in addresses:
            if (not isinstance(address, (list, tuple)) or len(address) != 2
                    or not isinstance(address[0], str) or isinstance(address[1], bool)
                    or not isinstance(address[1], int) or not 0 < address[1] < 65536):
                raise ValueError(f"addresses should be (host, port) pairs, not {address!r}")
        for name, value in (("maxBatchSize", maxBatchSize), ("parallelism", parallelism)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} should be a positive int, not {value!r}")
        if not callable(bodyDecoder):
            raise TypeError("bodyDecoder should be callable")
        require_fastavro()
        receiver = FlumePollingReceiver([tuple(a) for a in addresses], maxBatchSize,
                                        parallelism, storageLevel)
        where = ",".join(f"{h}:{p}" for h, p in addresses)
        return decoded(ssc.receiverStream(receiver), _DecodeEvent(bodyDecoder),
                       f"Flume SparkSink at {where}")
