"""Helpers for the Kinesis tests: streams on moto, a running stream collecting its records,
and the lease table as a test reads it."""

from __future__ import annotations

import uuid

import boto3
from receiver_helpers import WAIT, info_of, receiver_conf, wait_until

from sparklet.streaming import StreamingContext
from sparklet.streaming.kinesis import InitialPositionInStream, KinesisUtils
from sparklet.streaming.listener import StreamingListener

REGION = "us-east-1"
KEYS = {"awsAccessKeyId": "testing", "awsSecretKey": "testing"}
MAX_HASH = 2 ** 128 - 1


def fast_conf(master: str = "local[2]", **extra):
    return receiver_conf(master, **{
        "spark.sparklet.kinesis.failoverTime": "1s",
        "spark.sparklet.kinesis.shardSyncInterval": "200ms",
        "spark.sparklet.kinesis.idleTimeBetweenReads": "50ms", **extra})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class KinesisTestStreams:
    """Kinesis and DynamoDB clients on the moto server at ``url``."""

    def __init__(self, url: str):
        self.url = url
        kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
                  aws_secret_access_key="testing")
        self.client = boto3.client("kinesis", **kw)
        self.dynamodb = boto3.client("dynamodb", **kw)

    def create(self, shards: int = 1) -> str:
        name = unique("stream")
        self.client.create_stream(StreamName=name, ShardCount=shards)
        self.client.get_waiter("stream_exists").wait(StreamName=name)
        return name

    def shards(self, stream: str) -> list[dict]:
        return self.client.list_shards(StreamName=stream)["Shards"]

    def put(self, stream: str, records: list[bytes], shards: int = 1) -> dict[str, list]:
        """Puts ``records`` spread round-robin over the first ``shards`` shards' hash
        ranges (explicit hash keys); returns what each shard got, in order."""
        ranges = [s for s in self.shards(stream)
                  if "EndingSequenceNumber" not in s["SequenceNumberRange"]][:shards]
        per: dict[str, list] = {s["ShardId"]: [] for s in ranges}
        for i in range(0, len(records), 500):
            entries = []
            for j, data in enumerate(records[i:i + 500], i):
                shard = ranges[j % len(ranges)]
                entries.append({"Data": data, "PartitionKey": str(j),
                                "ExplicitHashKey": shard["HashKeyRange"]["StartingHashKey"]})
                per[shard["ShardId"]].append(data)
            response = self.client.put_records(StreamName=stream, Records=entries)
            assert response["FailedRecordCount"] == 0
        return per

    def leases(self, app: str) -> dict[str, dict]:
        """The lease table's items by shard id, as plain values."""
        try:
            items = self.dynamodb.scan(TableName=app, ConsistentRead=True)["Items"]
        except self.dynamodb.exceptions.ResourceNotFoundException:
            return {}
        return {i["leaseKey"]["S"]: {k: next(iter(v.values())) for k, v in i.items()}
                for i in items}


class Events(StreamingListener):
    def __init__(self):
        super().__init__()
        self.errors: list = []
        self.batches: list = []

    def onReceiverError(self, receiverError):
        self.errors.append(info_of(receiverError))

    def onBatchCompleted(self, batchCompleted):
        self.batches.append(batchCompleted.batchInfo())


_collected: dict[int, list] = {}


class Collect:
    def __init__(self, key: int):
        self.key = key

    def __call__(self, rdd) -> None:
        _collected[self.key].extend(rdd.collect())


class Run:
    """A started StreamingContext (real clock, 0.2 s batches) over ``receivers`` Kinesis
    streams of one application (unioned), every record collected."""

    def __init__(self, ctx, url: str, app: str, stream: str,
                 position: int = InitialPositionInStream.TRIM_HORIZON, receivers: int = 1,
                 checkpoint_interval: float = 0.2, **kwargs):
        self.ssc = StreamingContext(ctx, 0.2)
        self.events = Events()
        self.ssc.addStreamingListener(self.events)
        self.records: list = _collected.setdefault(id(self), [])
        streams = [KinesisUtils.createStream(self.ssc, app, stream, url, REGION, position,
                                             checkpoint_interval, **{**KEYS, **kwargs})
                   for _ in range(receivers)]
        joined = streams[0] if receivers == 1 else self.ssc.union(*streams)
        joined.foreachRDD(Collect(id(self)))
        self.ssc.start()

    def count(self) -> int:
        return len(self.records)

    def wait(self, n: int, timeout: float = WAIT) -> None:
        assert wait_until(lambda: self.count() >= n, timeout), (self.count(),
                                                                 self.events.errors)

    def stop(self) -> list:
        self.ssc.stop(stopSparkContext=False, stopGraceFully=True)
        return _collected.pop(id(self), self.records)


def lines(prefix: str, n: int) -> list[bytes]:
    return [f"{prefix} värde {i}".encode() for i in range(n)]


__all__ = ["WAIT", "wait_until", "KinesisTestStreams", "Run", "lines", "fast_conf",
           "unique", "REGION", "KEYS"]
