"""A connector's stream running on the real clock in the tests: a started
StreamingContext over one input stream, every record of every batch collected, the
receiver's errors and the batches' malformed counts at hand."""

from __future__ import annotations

from collections.abc import Callable

from receiver_helpers import info_of

from sparklet.streaming import StreamingContext, StreamingListener


class Events(StreamingListener):
    def __init__(self):
        super().__init__()
        self.errors: list = []
        self.completed: list = []

    def onReceiverError(self, receiverError):
        self.errors.append(info_of(receiverError).lastErrorMessage)

    def onBatchCompleted(self, batchCompleted):
        self.completed.append(batchCompleted.batchInfo())


# Where the output operation of each run collects: the function is pickled with the graph
# (checkpoints), so it names its run's list by key instead of holding it.
_collected: dict[int, list] = {}


class Collect:
    def __init__(self, key: int):
        self.key = key

    def __call__(self, rdd) -> None:
        _collected[self.key].extend(rdd.collect())


class StreamRun:
    """``create(ssc)`` -- the connector's DStream -- on a StreamingContext of ``ctx``
    (0.2 s batches, started), with a checkpoint directory when given."""

    def __init__(self, ctx, create: Callable, checkpoint=None):
        self.ssc = StreamingContext(ctx, 0.2)
        if checkpoint:
            self.ssc.checkpoint(str(checkpoint))
        self.events = Events()
        self.ssc.addStreamingListener(self.events)
        self.records: list = _collected.setdefault(id(self), [])
        self.stream = create(self.ssc)
        self.stream.foreachRDD(Collect(id(self)))
        self.ssc.start()

    def count(self) -> int:
        return len(self.records)

    @property
    def receiver(self):
        return self.ssc._graph.receiver_input_streams[0].getReceiver()

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
