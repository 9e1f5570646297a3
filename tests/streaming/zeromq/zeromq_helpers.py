"""A test's PUB socket (pyzmq directly, never sparklet) and a running ZeroMQ stream whose
batches are collected. PUB/SUB drops what is published before a subscription is live (the
slow joiner), so every test first publishes probes until one arrives."""

from __future__ import annotations

import pytest
from receiver_helpers import info_of, wait_until

from services import require_module
from sparklet.streaming import StreamingContext
from sparklet.streaming.listener import StreamingListener
from sparklet.streaming.zeromq import ZeroMQUtils

PROBE = b"probe"


class Publisher:
    """A PUB socket bound to a random 127.0.0.1 port; ``rebind`` closes it and binds a new
    one on the same port (a publisher restarted)."""

    def __init__(self, sndhwm: int = 0):
        import zmq

        self.zmq = zmq
        self.context = zmq.Context()
        self.sndhwm = sndhwm
        self.sock = self._socket()
        self.port = self.sock.bind_to_random_port("tcp://127.0.0.1")
        self.url = f"tcp://127.0.0.1:{self.port}"

    def _socket(self):
        sock = self.context.socket(self.zmq.PUB)
        sock.setsockopt(self.zmq.SNDHWM, self.sndhwm)
        sock.setsockopt(self.zmq.LINGER, 0)
        return sock

    def send(self, *messages) -> None:
        for m in messages:
            self.sock.send_multipart(m if isinstance(m, list) else [m])

    def close(self) -> None:
        self.sock.close(0)

    def rebind(self, timeout: float = 30.0) -> None:
        """Bind again on the same port; closing is asynchronous in ZeroMQ (its I/O thread
        releases the port a moment later), so retry while the port is still taken."""
        import time

        self.sock = self._socket()
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.bind(self.url)
                return
            except self.zmq.ZMQError as e:
                if e.errno != self.zmq.EADDRINUSE or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        self.sock.close(0)
        self.context.term()


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


def is_probe(record) -> bool:
    return "probe" in repr(record)


class Run:
    """A started StreamingContext (real clock, 0.2 s batches) over one ZeroMQ stream
    (``text``: createTextStream), every record collected."""

    def __init__(self, ctx, url, subscribe, text=False, **options):
        self.ssc = StreamingContext(ctx, 0.2)
        self.events = Events()
        self.ssc.addStreamingListener(self.events)
        self.records: list = _collected.setdefault(id(self), [])
        create = ZeroMQUtils.createTextStream if text else ZeroMQUtils.createStream
        self.stream = create(self.ssc, url, subscribe, **options)
        self.stream.foreachRDD(Collect(id(self)))
        self.ssc.start()

    @property
    def input_id(self) -> int:
        return self.ssc._graph.receiver_input_streams[0].input_stream_id

    def malformed(self) -> int:
        return sum(b.streamIdToInputInfo()[self.input_id].metadata().get(
            "malformedRecords", 0) for b in self.events.completed
            if self.input_id in b.streamIdToInputInfo())

    def live(self, pub: Publisher, probe) -> None:
        """Publish ``probe`` until one arrives: the subscription is live."""
        seen = len([r for r in self.records if is_probe(r)])
        for _ in range(200):
            pub.send(probe)
            if wait_until(lambda: len([r for r in self.records if is_probe(r)]) > seen,
                          timeout=0.25):
                return
        raise AssertionError(("the subscription never became live", self.events.errors))

    def data(self) -> list:
        return [r for r in self.records if not is_probe(r)]

    def stop(self) -> list:
        self.ssc.stop(stopSparkContext=False, stopGraceFully=True)
        return [r for r in _collected.pop(id(self), self.records) if not is_probe(r)]


@pytest.fixture(name="publisher")
def publisher_fixture():
    require_module("zmq", "pyzmq")
    pub = Publisher()
    try:
        yield pub
    finally:
        pub.stop()
