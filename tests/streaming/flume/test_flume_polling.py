"""The pull-based Flume stream against a real Flume agent running Spark's own SparkSink
(spark-streaming-flume-sink 2.4.7 in Flume 1.9, from Maven Central): every event arrives
once with its headers, with or without the write-ahead log; a sink that is not there yet is
reported and retried; the events leave the agent's channel only once acknowledged."""

from __future__ import annotations

import pytest
from receiver_helpers import WAIT, receiver_conf, wait_until
from test_flume_stream import Completed, listening

from services import free_ports, start_flume_agent
from sparklet.streaming import StreamingContext
from sparklet.streaming.flume import FlumeUtils
from sparklet.streaming.testing import advance_batches, use_manual_clock

N = 600


def sink_conf(port: int) -> str:
    return "\n".join([
        "a1.sources = r1", "a1.channels = c1", "a1.sinks = k1",
        "a1.sources.r1.type = seq", f"a1.sources.r1.totalEvents = {N}",
        "a1.sources.r1.batchSize = 50", "a1.sources.r1.channels = c1",
        "a1.sources.r1.interceptors = i1", "a1.sources.r1.interceptors.i1.type = static",
        "a1.sources.r1.interceptors.i1.key = origin",
        "a1.sources.r1.interceptors.i1.value = sparksink",
        "a1.channels.c1.type = memory", "a1.channels.c1.capacity = 10000",
        "a1.channels.c1.transactionCapacity = 1000",
        "a1.sinks.k1.type = org.apache.spark.streaming.flume.sink.SparkSink",
        "a1.sinks.k1.hostname = 127.0.0.1", f"a1.sinks.k1.port = {port}",
        "a1.sinks.k1.channel = c1", ""])


@pytest.mark.parametrize("wal", [False, True], ids=["plain", "wal"])
def test_events_pulled_from_a_real_sparksink_arrive_once(make_context, tmp_path, wal):
    (port,) = free_ports(1)
    extra = {"spark.streaming.receiver.writeAheadLog.enable": "true"} if wal else {}
    sc = make_context(receiver_conf(**extra))
    ssc = StreamingContext(sc, 1)
    use_manual_clock(ssc)
    if wal:
        ssc.checkpoint(str(tmp_path / "checkpoint"))
    listener = Completed()
    ssc.addStreamingListener(listener)
    events = FlumeUtils.createPollingStream(ssc, [("127.0.0.1", port)], maxBatchSize=50,
                                            parallelism=2)
    got: list = []
    events.foreachRDD(lambda rdd: got.extend(rdd.collect()))
    ssc.start()
    agent = None
    try:
        # The sink is not there yet: the receiver reports it and keeps trying.
        assert wait_until(lambda: any("SparkSink" in e for e in listener.errors), WAIT)
        agent = start_flume_agent(sink_conf(port), sparksink=True)
        assert wait_until(lambda: listening(port), WAIT)
        (stream,) = ssc._graph.input_streams
        tracker = ssc._receiver_tracker
        assert wait_until(lambda: tracker.received_records(stream.input_stream_id) >= N,
                          WAIT)
        advance_batches(ssc, 2)
    finally:
        ssc.stop(stopSparkContext=False)
        if agent is not None:
            agent.stop()
    assert sorted(int(body) for _, body in got) == list(range(N))
    assert {repr(h) for h, _ in got} == {repr({"origin": "sparksink"})}


def test_polling_arguments_are_checked(sc):
    ssc = StreamingContext(sc, 1)
    try:
        with pytest.raises(ValueError, match="addresses"):
            FlumeUtils.createPollingStream(ssc, [])
        with pytest.raises(ValueError, match="host, port"):
            FlumeUtils.createPollingStream(ssc, [("127.0.0.1", "4141")])
        with pytest.raises(ValueError, match="parallelism"):
            FlumeUtils.createPollingStream(ssc, [("127.0.0.1", 4141)], parallelism=0)
    finally:
        ssc.stop(stopSparkContext=False)
