"""Amazon Kinesis for Spark Streaming: PySpark's ``pyspark.streaming.kinesis``, name for
name, without a JVM or the Kinesis Client Library (boto3 does the calls:
``pip install 'sparklet[kinesis]'``).

:meth:`KinesisUtils.createStream` starts one receiver that reads its share of the stream's
shards ("one receiver per shard group"): call it several times with the same
``kinesisAppName`` and ``union`` the streams, and the receivers split the shards between
them; a restarted application resumes where the last one checkpointed.

Where the sequence numbers are checkpointed: in a DynamoDB *lease table* named after
``kinesisAppName``, one item per shard (owner, lease counter, checkpoint, parent shards),
as the KCL -- and so Spark -- keep them, not in the streaming checkpoint. The lease table
is what lets several receivers share the shards (a lease says who reads a shard), it
survives changes to the application's code (a streaming checkpoint does not), and other
KCL applications and tools read it. Each shard's checkpoint is the sequence number of its
last *stored* record (with the write-ahead log on: durable in the log), written every
``checkpointInterval`` seconds and when the receiver stops; after a crash, records stored
after the last checkpoint are read again (at least once, within one interval). For
exactly-once output, write to an idempotent sink (``sparklet.streaming.sinks``).

The receiver stores each record's data (bytes); ``decoder`` (UTF-8 by default) runs on the
stream, and a record it cannot decode is skipped and counted as malformed
(``spark.sparklet.streaming.malformedRecords``: ``skip`` or ``fail``).

The guide's word count::

    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.kinesis import KinesisUtils, InitialPositionInStream

    sc = SparkContext(appName="PythonStreamingKinesisWordCountAsl")
    ssc = StreamingContext(sc, 1)
    lines = KinesisUtils.createStream(
        ssc, "wordcount-app", "words", "https://kinesis.us-east-1.amazonaws.com",
        "us-east-1", InitialPositionInStream.LATEST, 2)
    lines.flatMap(lambda line: line.split(" ")).map(lambda w: (w, 1)) \\
        .reduceByKey(lambda a, b: a + b).pprint()
    ssc.start()
    ssc.awaitTermination()

Beyond PySpark (keyword-only): ``dynamoDBEndpointUrl`` (the lease table's endpoint, when
it is not ``endpointUrl``'s: e.g. a local DynamoDB) and ``stsEndpointUrl``. Lease timings
come from the Spark conf: ``spark.sparklet.kinesis.failoverTime`` (a lease not renewed for
this long is taken over; 10s), ``spark.sparklet.kinesis.shardSyncInterval`` (ListShards;
10s), ``spark.sparklet.kinesis.idleTimeBetweenReads`` (1s) and
``spark.sparklet.kinesis.maxRecords`` (per GetRecords, 10000; a fifth of
``spark.streaming.receiver.maxRate`` when that is lower).

>>> utf8_decoder(b"caf\\xc3\\xa9"), utf8_decoder(None)
('café', None)
>>> InitialPositionInStream.LATEST, InitialPositionInStream.TRIM_HORIZON
(0, 1)
>>> MetricsLevel.DETAILED, MetricsLevel.SUMMARY, MetricsLevel.NONE
(0, 1, 2)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sparklet.storagelevel import StorageLevel

__all__ = ["KinesisUtils", "InitialPositionInStream", "MetricsLevel", "utf8_decoder"]


def utf8_decoder(s: bytes | None) -> str | None:
    """Decode the unicode as UTF-8"""
    if s is None:
        return None
    return s.decode("utf-8")


class InitialPositionInStream:
    """Where a shard without a checkpoint is first read: its newest records (``LATEST``)
    or its oldest kept ones (``TRIM_HORIZON``)."""
    LATEST, TRIM_HORIZON = (0, 1)


class MetricsLevel:
    """The KCL's CloudWatch metrics level. Accepted for compatibility: sparklet publishes
    no CloudWatch metrics (the receiver's figures are in the listener events and UI)."""
    DETAILED, SUMMARY, NONE = (0, 1, 2)


def require_boto3():
    """The boto3 module, or an ImportError naming the extra that installs it."""
    try:
        import boto3
    except ImportError as e:
        raise ImportError("KinesisUtils needs boto3: pip install 'sparklet[kinesis]'") from e
    return boto3


def _seconds(value: Any, name: str) -> float:
    """A duration in seconds from a number (seconds) or a Spark time string (``"500ms"``,
    ``"2s"``, ``"1min"``, parsed as Spark parses them).

    >>> _seconds("1min", "k"), _seconds("500ms", "k"), _seconds("2", "k"), _seconds(0.5, "k")
    (60.0, 0.5, 2.0, 0.5)
    """
    from sparklet.internal.units import time_string_as

    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return time_string_as(text, "ms") / 1000
    except ValueError:
        raise ValueError(f"{name} must be a duration (seconds, or e.g. '500ms', '1min'), "
                         f"not {value!r}") from None


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty string, not {value!r}")
    return value


class KinesisUtils:
    """Kinesis streams (PySpark's ``KinesisUtils``)."""

    @staticmethod
    def createStream(ssc, kinesisAppName: str, streamName: str, endpointUrl: str,
                     regionName: str, initialPositionInStream: int,
                     checkpointInterval: float,
                     metricsLevel: int = MetricsLevel.DETAILED,
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                     awsAccessKeyId: str | None = None, awsSecretKey: str | None = None,
                     decoder: Callable[[bytes | None], Any] = utf8_decoder,
                     stsAssumeRoleArn: str | None = None, stsSessionName: str | None = None,
                     stsExternalId: str | None = None, *,
                     dynamoDBEndpointUrl: str | None = None,
                     stsEndpointUrl: str | None = None):
        """A stream of ``decoder(data)`` for every record of Kinesis stream ``streamName``.

        ``kinesisAppName`` names the DynamoDB lease table where the receivers of this
        application hold their shards and checkpoint every ``checkpointInterval`` seconds;
        ``initialPositionInStream`` is where a shard without a checkpoint starts.
        ``awsAccessKeyId``/``awsSecretKey`` (both or neither; else boto3's default
        credential chain) and ``stsAssumeRoleArn`` (assume that role, with
        ``stsSessionName`` and ``stsExternalId``) say who reads. ``metricsLevel`` is
        accepted and ignored (no CloudWatch metrics). Note: the credentials are saved in
        the DStream checkpoints when checkpointing is on.
        """
        require_boto3()
        from sparklet.streaming.sources.kinesis.leases import LATEST, TRIM_HORIZON
        from sparklet.streaming.sources.kinesis.receiver import KinesisReceiver, KinesisSettings
        from sparklet.streaming.sources.malformed import decoded

        _name(kinesisAppName, "kinesisAppName")
        _name(streamName, "streamName")
        _name(regionName, "regionName")
        if endpointUrl is not None:
            _name(endpointUrl, "endpointUrl")
        positions = {InitialPositionInStream.LATEST: LATEST,
                     InitialPositionInStream.TRIM_HORIZON: TRIM_HORIZON}
        if isinstance(initialPositionInStream, bool) or \
                initialPositionInStream not in positions:
            raise ValueError("initialPositionInStream must be InitialPositionInStream.LATEST "
                             "or InitialPositionInStream.TRIM_HORIZON, not "
                             f"{initialPositionInStream!r}")
        if isinstance(metricsLevel, bool) or metricsLevel not in (0, 1, 2):
            raise ValueError("metricsLevel must be MetricsLevel.DETAILED, SUMMARY or NONE, "
                             f"not {metricsLevel!r}")
        interval = _seconds(checkpointInterval, "checkpointInterval")
        if interval <= 0:
            raise ValueError(f"checkpointInterval must be positive, not {checkpointInterval!r}")
        if (awsAccessKeyId is None) != (awsSecretKey is None):
            raise ValueError("awsAccessKeyId and awsSecretKey must be given together")
        if stsAssumeRoleArn is None and (stsSessionName or stsExternalId):
            raise ValueError("stsSessionName and stsExternalId need stsAssumeRoleArn")
        if not isinstance(storageLevel, StorageLevel):
            raise TypeError(f"storageLevel must be a StorageLevel, not {storageLevel!r}")
        if not callable(decoder):
            raise TypeError(f"decoder must be callable, not {decoder!r}")
        conf = ssc.sparkContext.getConf()
        max_records = int(conf.get("spark.sparklet.kinesis.maxRecords", "10000"))
        rate = float(conf.get("spark.streaming.receiver.maxRate", "0") or 0)
        if rate > 0:
            # Small GetRecords under a rate limit: the limiter paces blocks, not records.
            max_records = min(max_records, max(10, int(rate // 5)))
        settings = KinesisSettings(
            kinesisAppName, streamName, endpointUrl, regionName,
            positions[initialPositionInStream], interval, awsAccessKeyId, awsSecretKey,
            stsAssumeRoleArn, stsSessionName, stsExternalId, dynamoDBEndpointUrl,
            stsEndpointUrl,
            failover_time=_seconds(conf.get("spark.sparklet.kinesis.failoverTime", "10s"),
                                   "spark.sparklet.kinesis.failoverTime"),
            shard_sync_interval=_seconds(
                conf.get("spark.sparklet.kinesis.shardSyncInterval", "10s"),
                "spark.sparklet.kinesis.shardSyncInterval"),
            idle_time=_seconds(conf.get("spark.sparklet.kinesis.idleTimeBetweenReads", "1s"),
                               "spark.sparklet.kinesis.idleTimeBetweenReads"),
            max_records=max_records)
        stream = ssc.receiverStream(KinesisReceiver(settings, storageLevel))
        return decoded(stream, decoder, f"Kinesis stream {streamName}")
