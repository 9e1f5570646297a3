"""A test's hands on the Redis server (redis-py directly, never sparklet) and a running
stream whose batches are collected."""

from __future__ import annotations

import uuid

import redis
from receiver_helpers import info_of, wait_until

from sparklet.streaming import StreamingContext
from sparklet.streaming.listener import StreamingListener
from sparklet.streaming.redis import RedisUtils


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def add(url: str, key: str, values: list[str], field: str = "line") -> list[str]:
    """XADD one entry ``{field: value}`` per value; returns the ids."""
    r = client(url)
    pipe = r.pipeline(transaction=False)
    for v in values:
        pipe.xadd(key, {field: v})
    ids = [i.decode() for i in pipe.execute()]
    r.close()
    return ids


def pending(url: str, key: str, group: str) -> int:
    r = client(url)
    try:
        return r.xpending(key, group)["pending"]
    finally:
        r.close()


def numbered(prefix: str, n: int) -> list[str]:
    return [f"{prefix} värde {i}" for i in range(n)]


class Events(StreamingListener):
    def __init__(self):
        super().__init__()
        self.errors: list = []
        self.completed: list = []

    def onReceiverError(self, receiverError):
        self.errors.append(info_of(receiverError).lastErrorMessage)

    def onBatchCompleted(self, batchCompleted):
        self.completed.append(batchCompleted.batchInfo())


_collected: dict[int, list] = {}


class Collect:
    def __init__(self, key: int):
        self.key = key

    def __call__(self, rdd) -> None:
        _collected[self.key].extend(rdd.collect())


class Run:
    """A started StreamingContext (real clock, 0.2 s batches) over one Redis stream, every
    record of every batch collected."""

    def __init__(self, ctx, checkpoint=None, **create):
        self.ssc = StreamingContext(ctx, 0.2)
        if checkpoint:
            self.ssc.checkpoint(str(checkpoint))
        self.events = Events()
        self.ssc.addStreamingListener(self.events)
        self.records: list = _collected.setdefault(id(self), [])
        self.stream = RedisUtils.createStream(self.ssc, **create)
        self.stream.foreachRDD(Collect(id(self)))
        self.ssc.start()

    def count(self) -> int:
        return len(self.records)

    @property
    def input_id(self) -> int:
        return self.ssc._graph.receiver_input_streams[0].input_stream_id

    def received(self) -> int:
        return self.ssc._receiver_tracker.received_records(self.input_id)

    def malformed(self) -> int:
        return sum(b.streamIdToInputInfo()[self.input_id].metadata().get(
            "malformedRecords", 0) for b in self.events.completed
            if self.input_id in b.streamIdToInputInfo())

    def stop(self) -> list:
        self.ssc.stop(stopSparkContext=False, stopGraceFully=True)
        return _collected.pop(id(self), self.records)


def run_until(ctx, n: int, **create) -> Run:
    run = Run(ctx, **create)
    try:
        assert wait_until(lambda: run.count() >= n), (run.count(), run.events.errors)
    finally:
        run.stop()
    return run
