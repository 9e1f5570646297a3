"""A running stream over the tests' X filtered-stream server (twitter_server.py), every
Status of every batch collected, and the listener's ReceiverError messages."""

from __future__ import annotations

import pytest
from receiver_helpers import info_of, receiver_conf
from twitter_server import TwitterServer

from sparklet.streaming import StreamingContext
from sparklet.streaming.listener import StreamingListener
from sparklet.streaming.twitter import TwitterUtils

TOKEN = "AAAA-test-bearer-token"


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
    """A started StreamingContext (real clock, 0.2 s batches) over one Twitter stream."""

    def __init__(self, ctx, server: TwitterServer, **create):
        self.ssc = StreamingContext(ctx, 0.2)
        self.events = Events()
        self.ssc.addStreamingListener(self.events)
        self.records: list = _collected.setdefault(id(self), [])
        create.setdefault("apiUrl", server.url)
        self.stream = TwitterUtils.createStream(self.ssc, TOKEN, **create)
        self.stream.foreachRDD(Collect(id(self)))
        self.ssc.start()

    def count(self) -> int:
        return len(self.records)

    @property
    def input_id(self) -> int:
        return self.ssc._graph.receiver_input_streams[0].input_stream_id

    def malformed(self) -> int:
        return sum(b.streamIdToInputInfo()[self.input_id].metadata().get(
            "malformedRecords", 0) for b in self.events.completed
            if self.input_id in b.streamIdToInputInfo())

    def stop(self) -> list:
        self.ssc.stop(stopSparkContext=False, stopGraceFully=False)
        return _collected.pop(id(self), self.records)


def twitter_conf(scale: float = 0.02, stall: str = "30s"):
    return receiver_conf(**{"spark.sparklet.twitter.backoffScale": str(scale),
                            "spark.sparklet.twitter.stallTimeout": stall})


@pytest.fixture(name="server")
def server_fixture():
    s = TwitterServer()
    yield s
    s.stop()
