"""Kinesis for the connectors benchmark (bench/connectors.py): records/s through
``KinesisUtils.createStream`` into a word count, against boto3's plain GetRecords loop,
both on a moto server (Kinesis and DynamoDB in memory on one port; moto, a Python server,
is the limit of both figures)."""

from __future__ import annotations

import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))

NAME = "kinesis"
SHARDS = 2
REGION = "us-east-1"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def start() -> dict:
    import boto3

    from services import start_moto

    service, server = start_moto()
    client = boto3.client("kinesis", endpoint_url=service.url, region_name=REGION, **KEYS)
    return {"url": service.url, "server": server, "client": client, "stream": None}


def fill(ctx: dict, lines: list[str]) -> None:
    """The lines into a stream of their own: every reader reads from the shards' starts."""
    client = ctx["client"]
    ctx["stream"] = f"bench-{uuid.uuid4().hex[:8]}"
    client.create_stream(StreamName=ctx["stream"], ShardCount=SHARDS)
    client.get_waiter("stream_exists").wait(StreamName=ctx["stream"])
    for i in range(0, len(lines), 500):
        chunk = lines[i:i + 500]
        client.put_records(StreamName=ctx["stream"], Records=[
            {"Data": line.encode("utf-8"), "PartitionKey": str(i + j)}
            for j, line in enumerate(chunk)])


def plain_consume(ctx: dict, n: int) -> float:
    """boto3 reading ``n`` records from the shards' starts, GetRecords in turn per shard."""
    client, stream = ctx["client"], ctx["stream"]
    t0 = time.perf_counter()
    iterators = [client.get_shard_iterator(StreamName=stream, ShardId=s["ShardId"],
                                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                 for s in client.list_shards(StreamName=stream)["Shards"]]
    got = 0
    while got < n:
        for k, it in enumerate(iterators):
            response = client.get_records(ShardIterator=it, Limit=10000)
            got += sum(len(r["Data"].decode("utf-8")) >= 0 for r in response["Records"])
            iterators[k] = response["NextShardIterator"]
    return time.perf_counter() - t0


def stream(ctx: dict, ssc):
    from sparklet.streaming.kinesis import InitialPositionInStream, KinesisUtils

    return KinesisUtils.createStream(
        ssc, f"bench-app-{uuid.uuid4().hex[:8]}", ctx["stream"], ctx["url"], REGION,
        InitialPositionInStream.TRIM_HORIZON, 2, awsAccessKeyId="testing",
        awsSecretKey="testing")


def stop(ctx: dict) -> None:
    ctx["server"].stop()
