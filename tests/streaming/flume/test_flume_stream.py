"""The push-based Flume stream against a real Apache Flume agent (1.11, from Maven Central;
started by tests/services.py): its Avro sink sends a sequence source's events to the
receiver, plain or deflate-compressed, with the write-ahead log or without; every event
arrives once, with its headers; bad bodies are counted; bad RPC is reported."""

from __future__ import annotations

import socket
import struct
import sys

import pytest
from receiver_helpers import WAIT, receiver_conf, wait_until

from services import free_ports, start_flume_agent
from sparklet.streaming import StreamingContext, StreamingListener
from sparklet.streaming.flume import FlumeUtils
from sparklet.streaming.testing import advance_batches, use_manual_clock

N = 400


def agent_conf(port: int, deflate: bool) -> str:
    lines = [
        "a1.sources = r1", "a1.channels = c1", "a1.sinks = k1",
        "a1.sources.r1.type = seq", f"a1.sources.r1.totalEvents = {N}",
        "a1.sources.r1.batchSize = 50", "a1.sources.r1.channels = c1",
        "a1.sources.r1.interceptors = i1", "a1.sources.r1.interceptors.i1.type = static",
        "a1.sources.r1.interceptors.i1.key = origin",
        # Java reads properties as ISO-8859-1: a \u escape gives the agent a real "ü",
        # which travels as UTF-8 in Avro.
        "a1.sources.r1.interceptors.i1.value = fl\\u00fcme",
        "a1.channels.c1.type = memory", "a1.channels.c1.capacity = 10000",
        "a1.channels.c1.transactionCapacity = 1000",
        "a1.sinks.k1.type = avro", "a1.sinks.k1.channel = c1",
        "a1.sinks.k1.hostname = 127.0.0.1", f"a1.sinks.k1.port = {port}",
        "a1.sinks.k1.batch-size = 50", "a1.sinks.k1.connect-timeout = 5000",
    ]
    if deflate:
        lines += ["a1.sinks.k1.compression-type = deflate", "a1.sinks.k1.compression-level = 6"]
    return "\n".join(lines) + "\n"


class Completed(StreamingListener):
    def __init__(self):
        super().__init__()
        self.infos, self.errors = [], []

    def onBatchCompleted(self, batchCompleted):
        self.infos.append(batchCompleted.batchInfo())

    def onReceiverError(self, receiverError):
        self.errors.append(receiverError.receiverInfo().lastErrorMessage())


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def run(make_context, tmp_path, deflate=False, wal=False, decoder=None, agent=True):
    extra = {}
    if wal:
        extra["spark.streaming.receiver.writeAheadLog.enable"] = "true"
    sc = make_context(receiver_conf(**extra))
    ssc = StreamingContext(sc, 1)
    use_manual_clock(ssc)
    if wal:
        ssc.checkpoint(str(tmp_path / "checkpoint"))
    listener = Completed()
    ssc.addStreamingListener(listener)
    (port,) = free_ports(1)
    kwargs = {"bodyDecoder": decoder} if decoder else {}
    events = FlumeUtils.createStream(ssc, "127.0.0.1", port, enableDecompression=deflate,
                                     **kwargs)
    got: list = []

    def record(rdd):
        got.extend(rdd.collect())  # one output operation: batches run one at a time

    events.foreachRDD(record)
    ssc.start()
    assert wait_until(lambda: listening(port), WAIT)
    server = start_flume_agent(agent_conf(port, deflate)) if agent else None
    return ssc, listener, got, port, server


def received(ssc) -> int:
    (stream,) = ssc._graph.input_streams
    return ssc._receiver_tracker.received_records(stream.input_stream_id)


def drain(ssc, n: int) -> None:
    assert wait_until(lambda: received(ssc) >= n, WAIT), received(ssc)
    advance_batches(ssc, 2)


@pytest.mark.parametrize("deflate", [False, True], ids=["plain", "deflate"])
def test_events_from_a_real_flume_agent_arrive_once_with_their_headers(
        make_context, tmp_path, deflate):
    ssc, _, got, _, agent = run(make_context, tmp_path, deflate=deflate)
    try:
        drain(ssc, N)
    finally:
        ssc.stop(stopSparkContext=False)
        agent.stop()
    assert sorted(int(body) for _, body in got) == list(range(N))
    assert {repr(h) for h, _ in got} == {repr({"origin": "flüme"})}


def test_with_the_write_ahead_log_batches_are_answered_once_durable(make_context, tmp_path):
    ssc, _, got, _, agent = run(make_context, tmp_path, wal=True)
    try:
        drain(ssc, N)
        # Each appendBatch was stored as one block, in the log before Flume heard OK.
        assert list((tmp_path / "checkpoint").rglob("*")), "nothing in the write-ahead log"
    finally:
        ssc.stop(stopSparkContext=False)
        agent.stop()
    assert sorted(int(body) for _, body in got) == list(range(N))


def odd_fails(body: bytes) -> int:
    n = int(body)
    if n % 2:
        raise ValueError(f"odd {n}")
    return n


def test_bodies_the_decoder_refuses_are_counted(make_context, tmp_path):
    ssc, listener, got, _, agent = run(make_context, tmp_path, decoder=odd_fails)
    try:
        drain(ssc, N)
        assert wait_until(lambda: listener.infos, WAIT)
    finally:
        ssc.stop(stopSparkContext=False)
        agent.stop()
    assert sorted(n for _, n in got) == list(range(0, N, 2))
    bad = sum(i.metadata().get("malformedRecords", 0)
              for b in listener.infos for i in b.streamIdToInputInfo().values())
    assert bad == N // 2


def test_bad_rpc_is_reported_and_the_receiver_keeps_listening(make_context, tmp_path):
    ssc, listener, _, port, _ = run(make_context, tmp_path, agent=False)
    try:
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(struct.pack(">ii", 1, -5))  # not a frame count
            s.settimeout(WAIT)
            assert s.recv(10) == b""               # closed by the receiver
        assert wait_until(lambda: listener.errors, WAIT)
        assert "Bad Avro RPC" in listener.errors[0]
        assert listening(port)
    finally:
        ssc.stop(stopSparkContext=False)


def test_bad_arguments_and_a_missing_fastavro(sc, monkeypatch):
    ssc = StreamingContext(sc, 1)
    try:
        with pytest.raises(ValueError, match="port"):
            FlumeUtils.createStream(ssc, "127.0.0.1", -1)
        with pytest.raises(ValueError, match="hostname"):
            FlumeUtils.createStream(ssc, "", 4141)
        with pytest.raises(TypeError, match="bodyDecoder"):
            FlumeUtils.createStream(ssc, "127.0.0.1", 4141, bodyDecoder="utf-8")
        monkeypatch.setitem(sys.modules, "fastavro", None)
        with pytest.raises(ImportError, match=r"sparklet\[flume\]"):
            FlumeUtils.createStream(ssc, "127.0.0.1", 4141)
    finally:
        ssc.stop(stopSparkContext=False)
