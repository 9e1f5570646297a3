"""Apache Kafka for Spark Streaming: PySpark 2.4's ``pyspark.streaming.kafka``, name for
name, without a JVM (the client is confluent-kafka, librdkafka; ``pip install
'sparklet[kafka]'``).

* :meth:`KafkaUtils.createDirectStream` -- the direct approach: no receiver, every batch an
  exact :class:`OffsetRange` per topic-partition, exactly-once receipt with checkpoints.
* :meth:`KafkaUtils.createRDD` -- a batch RDD of given offset ranges.
* :meth:`KafkaUtils.createStream` -- the receiver-based stream on a consumer group (with
  the write-ahead log for zero data loss).
* :class:`KafkaSink` / :func:`save_to_kafka` -- writing RDDs and DStreams to a topic, at
  least once or, with ``transactional=True``, exactly once per batch.

The guide's direct word count::

    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.kafka import KafkaUtils

    sc = SparkContext(appName="PythonStreamingDirectKafkaWordCount")
    ssc = StreamingContext(sc, 2)
    kvs = KafkaUtils.createDirectStream(ssc, ["words"],
                                        {"metadata.broker.list": "127.0.0.1:9092"})
    counts = (kvs.map(lambda kv: kv[1]).flatMap(lambda line: line.split(" "))
              .map(lambda word: (word, 1)).reduceByKey(lambda a, b: a + b))
    counts.pprint()
    ssc.start()
    ssc.awaitTermination()

The values need no broker:

>>> from sparklet.streaming.kafka import OffsetRange, TopicAndPartition
>>> print(OffsetRange("words", 1, 0, 100))
OffsetRange(topic: words, partition: 1, range: [0 -> 100]
>>> {TopicAndPartition("words", 1): 42}
{TopicAndPartition(topic='words', partition=1): 42}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.kafka.direct import DirectKafkaInputDStream, SubscribePattern
from sparklet.streaming.sources.kafka.offsets import (
    Broker,
    KafkaMessageAndMetadata,
    OffsetRange,
    TopicAndPartition,
    utf8_decoder,
)
from sparklet.streaming.sources.kafka.params import bootstrap_servers, require_kafka
from sparklet.streaming.sources.kafka.rdd import KafkaOffsetsError, KafkaRDD, check_leaders
from sparklet.streaming.sources.kafka.sink import KafkaSink, KafkaSinkError, save_to_kafka

__all__ = ["Broker", "KafkaMessageAndMetadata", "KafkaUtils", "OffsetRange",
           "TopicAndPartition", "utf8_decoder", "KafkaRDD", "KafkaDStream",
           "SubscribePattern", "KafkaOffsetsError", "KafkaSink", "KafkaSinkError",
           "save_to_kafka"]

# PySpark's name for the stream createDirectStream returns.
KafkaDStream = DirectKafkaInputDStream


class KafkaUtils:
    """Kafka streams and RDDs (PySpark 2.4's ``KafkaUtils``)."""

    @staticmethod
    def createStream(ssc, zkQuorum: str, groupId: str, topics: dict[str, int],
                     kafkaParams: dict[str, Any] | None = None,
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                     keyDecoder: Callable = utf8_decoder,
                     valueDecoder: Callable = utf8_decoder):
        """A receiver-based stream of ``(key, value)`` from consumer group ``groupId``.

        ``topics`` maps topic names to a number of consumer threads. Kafka 4 has no
        ZooKeeper: ``zkQuorum`` is used as the bootstrap servers unless ``kafkaParams``
        names ``bootstrap.servers`` or ``metadata.broker.list``. With
        ``spark.streaming.receiver.writeAheadLog.enable`` the group's offsets are committed
        only once the records are in the write-ahead log (no data loss).
        """
        from sparklet.streaming.sources.kafka.receiver import create_stream

        return create_stream(ssc, zkQuorum, groupId, topics, kafkaParams, storageLevel,
                             keyDecoder, valueDecoder)

    @staticmethod
    def createDirectStream(ssc, topics: list[str] | SubscribePattern,
                           kafkaParams: dict[str, Any],
                           fromOffsets: dict[TopicAndPartition, int] | None = None,
                           keyDecoder: Callable = utf8_decoder,
                           valueDecoder: Callable = utf8_decoder,
                           messageHandler: Callable | None = None) -> DirectKafkaInputDStream:
        """A stream that reads exact offset ranges from the brokers at every batch, with
        no receiver.

        :param topics: topic names, or a :class:`SubscribePattern`
        :param kafkaParams: ``metadata.broker.list`` or ``bootstrap.servers`` at least;
            ``auto.offset.reset`` (``smallest``/``largest``, default largest), ``group.id``
            (where :meth:`KafkaDStream.commitAsync` commits and a start without
            ``fromOffsets`` resumes), and any librdkafka setting (security, ...)
        :param fromOffsets: ``{TopicAndPartition: offset}``, the (inclusive) start
        :param messageHandler: turns each :class:`KafkaMessageAndMetadata` into a record;
            without it records are ``(key, value)``
        :return: a :class:`KafkaDStream`; the RDDs it gives ``foreachRDD`` and
            ``transform`` have ``offsetRanges()``
        """
        if not isinstance(topics, list | SubscribePattern):
            raise TypeError("topics should be list")
        if not isinstance(kafkaParams, dict):
            raise TypeError("kafkaParams should be dict")
        require_kafka()
        return DirectKafkaInputDStream(ssc, topics, kafkaParams, fromOffsets, keyDecoder,
                                       valueDecoder, messageHandler)

    @staticmethod
    def createRDD(sc, kafkaParams: dict[str, Any], offsetRanges: list[OffsetRange],
                  leaders: dict[TopicAndPartition, Broker] | None = None,
                  keyDecoder: Callable = utf8_decoder, valueDecoder: Callable = utf8_decoder,
                  messageHandler: Callable | None = None) -> KafkaRDD:
        """An RDD of the records of ``offsetRanges``, one partition per range.

        Fails at once (``KafkaOffsetsError``, PySpark's "Offsets not available on
        leader") when a range starts before the log start or ends after its end.
        ``leaders`` is accepted and checked; the client finds leaders itself.
        """
        if not isinstance(kafkaParams, dict):
            raise TypeError("kafkaParams should be dict")
        if not isinstance(offsetRanges, list):
            raise TypeError("offsetRanges should be list")
        if not all(isinstance(r, OffsetRange) for r in offsetRanges):
            raise TypeError("offsetRanges should be a list of OffsetRange")
        check_leaders(leaders)
        require_kafka()
        from sparklet.streaming.sources.kafka.direct import KafkaClients
        from sparklet.streaming.sources.kafka.rdd import check_ranges

        clients = KafkaClients(kafkaParams)
        try:
            tps = sorted({r.topicAndPartition() for r in offsetRanges})
            known = clients.partitions(sorted({tp.topic for tp in tps}))
            present = [tp for tp in tps if tp.partition in known.get(tp.topic, [])]
            earliest, latest = clients.log_bounds(present)
        except KafkaOffsetsError:
            raise
        except Exception as e:
            raise ConnectionError(f"createRDD: cannot get the offsets of {tps} from "
                                  f"{bootstrap_servers(kafkaParams)}: {e}") from e
        finally:
            clients.close()
        check_ranges(offsetRanges, earliest, latest)
        return KafkaRDD(sc, kafkaParams, offsetRanges, keyDecoder, valueDecoder,
                        messageHandler)
