"""The streaming REST API of a running streaming application (manual clock, real web
server): what it answers equals what a StreamingListener saw, the state sizes equal the
true number of keys, receivers show, and unknown things answer 404."""

from __future__ import annotations

import httpx
import pytest
from stream_helpers_ui import WAIT, UIHarness, wait_until

from sparklet import SparkConf, SparkContext
from sparklet.streaming import StreamingContext
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.state import StateSpec
from sparklet.streaming.testing import advance_batches, use_manual_clock

WORDS = ["a", "b", "a", "c", "b", "a"]


class Words(Receiver):
    """Stores WORDS once, then idles until stopped."""

    def onStart(self):
        self.store(list(WORDS))

    def onStop(self):
        pass


@pytest.fixture
def harness(tmp_path):
    made = []

    def make(**kw):
        h = UIHarness(**kw)
        made.append(h)
        return h

    yield make
    for h in made:
        h.stop()


def add(new, old):
    return sum(new) + (old or 0)


def test_statistics_batches_operations_and_state_match_the_listener(harness, tmp_path):
    h = harness(checkpoint=str(tmp_path / "ck"), master="local[3]",
                **{"spark.streaming.blockInterval": "50ms",
                   "spark.streaming.receiver.maxRate": "5000"})
    ssc = h.ssc
    words = ssc.receiverStream(Words())
    queued = ssc.queueStream([[("d", 1)], [("e", 1), ("a", 1)], [], [("f", 1)]])
    state = words.map(lambda w: (w, 1)).union(queued).updateStateByKey(add)
    truth_state = {}
    state.foreachRDD(lambda t, rdd: truth_state.__setitem__(
        int(t.timestamp() * 1000), dict(rdd.collect())))
    words.foreachRDD(lambda rdd: rdd.count())
    ssc.start()
    assert wait_until(lambda: ssc._receiver_tracker.received_records(0) == len(WORDS))
    times = advance_batches(ssc, 4)
    h.settle()
    truth = h.truth.completed
    assert sorted(truth) == times == [1000, 2000, 3000, 4000]

    stats = h.api("/streaming/statistics")
    sched = [truth[t].schedulingDelay() for t in times]
    proc = [truth[t].processingDelay() for t in times]
    total = [truth[t].totalDelay() for t in times]
    assert stats["batchDuration"] == 1000
    assert stats["numTotalCompletedBatches"] == stats["numRetainedCompletedBatches"] == 4
    assert stats["numActiveBatches"] == 0
    assert stats["numProcessedRecords"] == stats["numReceivedRecords"] == \
        sum(truth[t].numRecords() for t in times) == len(WORDS)
    assert stats["avgInputRate"] == pytest.approx(len(WORDS) / 4)
    assert stats["avgSchedulingDelay"] == sum(sched) // 4
    assert stats["avgProcessingTime"] == sum(proc) // 4
    assert stats["avgTotalDelay"] == sum(total) // 4
    assert (stats["numReceivers"], stats["numActiveReceivers"]) == (1, 1)

    batches = h.api("/streaming/batches")
    assert [b["batchId"] for b in batches] == times[::-1]
    for b in batches:
        t = b["batchId"]
        assert b["status"] == "COMPLETED"
        assert b["inputSize"] == truth[t].numRecords()
        assert b["schedulingDelay"] == truth[t].schedulingDelay()
        assert b["processingTime"] == truth[t].processingDelay()
        assert b["totalDelay"] == truth[t].totalDelay()
        assert (b["numTotalOutputOps"], b["numCompletedOutputOps"]) == (2, 2)
        assert h.api(f"/streaming/batches/{t}") == b
    assert h.api("/streaming/batches?status=completed") == batches
    assert h.api("/streaming/batches?status=queued") == []

    job_ids = []
    for t in times:
        ops = h.api(f"/streaming/batches/{t}/operations")
        seen = truth[t].outputOperationInfos()
        assert [o["outputOpId"] for o in ops] == sorted(seen) == [0, 1]
        for o in ops:
            info = seen[o["outputOpId"]]
            assert o["name"] == info.name() and o["description"] == info.description()
            assert o["duration"] == info.duration() and o["failureReason"] is None
            assert o["jobIds"], o
            job_ids += o["jobIds"]
        assert h.api(f"/streaming/batches/{t}/operations/1") == ops[1]
    assert len(job_ids) == len(set(job_ids))

    timeline = h.api("/streaming/timeline?count=2")
    assert [p["batchTime"] for p in timeline] == [3000, 4000]
    assert [p["totalDelay"] for p in timeline] == total[2:]
    assert [p["numRecords"] for p in timeline] == [truth[t].numRecords() for t in times[2:]]

    progress = h.api("/streaming/progress")
    (st,) = progress["stateStreams"]
    assert st["operation"] == "updateStateByKey" and st["name"] == state.name()
    assert [row[0] for row in st["history"]] == times
    assert [row[1] for row in st["history"]] == [len(truth_state[t]) for t in times]
    assert st["numKeys"] == len(truth_state[4000]) == 6   # a b c d e f
    assert all(row[2] > 0 for row in st["history"])
    inputs = {s["streamId"]: s for s in progress["inputStreams"]}
    assert inputs[0]["kind"] == "receiver" and inputs[0]["rateLimit"] == 5000.0
    assert inputs[0]["name"] == "Words-0"
    assert inputs[1]["kind"] == "queue" and inputs[1]["rateLimit"] is None
    ck = progress["checkpoint"]
    assert ck["dir"] == str(tmp_path / "ck")
    assert ck["lastBatchTime"] == 4000 and ck["lastTime"] is not None
    assert ck["ageMs"] >= 0 and ck["lastDurationMs"] >= 0

    (receiver, queue_stream) = h.api("/streaming/receivers")
    assert receiver["streamId"] == 0 and receiver["streamName"] == "Words"
    assert receiver["isActive"] is True
    assert [r[0] for r in receiver["eventRates"]] == times
    assert h.api("/streaming/receivers/0") == receiver
    assert queue_stream["streamId"] == 1 and queue_stream["isActive"] is None


def test_unknown_things_answer_404(harness):
    h = harness()
    h.ssc.queueStream([[1]]).foreachRDD(lambda rdd: rdd.count())
    h.ssc.start()
    advance_batches(h.ssc, 1)
    h.settle()
    assert "unknown batch" in h.api("/streaming/batches/123", status=404)
    assert "unknown batch" in h.api("/streaming/batches/123/operations", status=404)
    assert "unknown output operation" in h.api("/streaming/batches/1000/operations/7",
                                               status=404)
    assert "unknown receiver" in h.api("/streaming/receivers/5", status=404)
    h.api("/streaming/batches?status=finished", status=400)
    h.api("/streaming/batches/abc", status=400)
    r = httpx.get(f"{h.url}/api/v1/applications/no-such-app/streaming/statistics",
                  timeout=WAIT)
    assert r.status_code == 404


def test_map_with_state_and_inverse_window_sizes_equal_the_true_keys(harness):
    h = harness(master="local[2]")
    sc, ssc = h.sc, h.ssc
    ssc.checkpoint(h.sc._local_dir + "/ck")
    batches = [[(k, 1) for k in "abc"], [(k, 1) for k in "cdef"], [("a", 1)], []]
    pairs = ssc.queueStream([sc.parallelize(b, 2) for b in batches])

    def track(key, value, state):
        state.update((state.getOption() or 0) + value)
        return key

    mapped = pairs.mapWithState(StateSpec.function(track).numPartitions(3))
    mapped.setName("sessions")
    window = pairs.reduceByKeyAndWindow(lambda a, b: a + b, lambda a, b: a - b, 2, 1)
    snapshots, windows = {}, {}
    mapped.stateSnapshots().foreachRDD(
        lambda t, rdd: snapshots.__setitem__(int(t.timestamp() * 1000), rdd.collect()))
    window.foreachRDD(
        lambda t, rdd: windows.__setitem__(int(t.timestamp() * 1000), rdd.collect()))
    ssc.start()
    times = advance_batches(ssc, 4)
    h.settle()
    by_op = {s["operation"]: s for s in h.api("/streaming/progress")["stateStreams"]}
    mws = by_op["mapWithState"]
    assert mws["name"] == "sessions"
    assert [row[1] for row in mws["history"]] == [len(snapshots[t]) for t in times] \
        == [3, 6, 6, 6]
    win = by_op["reduceByKeyAndWindow"]
    assert [row[1] for row in win["history"]] == [len(windows[t]) for t in times]


def test_no_listener_bus_means_no_meters():
    """With the UI off the progress hooks leave the batch's RDDs alone."""
    active = SparkContext._active_spark_context
    if active is not None:
        active.stop()
    sc = SparkContext(conf=SparkConf(loadDefaults=False).setMaster("local[2]")
                      .setAppName("no-ui").set("spark.ui.enabled", "false"))
    try:
        assert not sc._listener_bus.active  # nothing listens
        ssc = StreamingContext(sc, 1)
        use_manual_clock(ssc)
        ssc.checkpoint(sc._local_dir + "/ck")
        state = ssc.queueStream([[("a", 1)]]).updateStateByKey(add)
        state.foreachRDD(lambda rdd: rdd.count())
        ssc.start()
        advance_batches(ssc, 1)
        rdd = state._generated[1000]
        assert "_state_meter" not in rdd.__dict__ and "_block_values" not in rdd.__dict__
        ssc.stop(stopSparkContext=False)
    finally:
        sc.stop()


def test_backpressure_rate_limit_is_the_controllers_capped_rate(harness):
    h = harness(master="local[3]", **{"spark.streaming.blockInterval": "50ms",
                                      "spark.streaming.backpressure.enabled": "true",
                                      "spark.streaming.backpressure.initialRate": "123",
                                      "spark.streaming.receiver.maxRate": "1000"})
    ssc = h.ssc
    ssc.receiverStream(Words()).foreachRDD(lambda rdd: rdd.count())
    ssc.start()
    assert wait_until(lambda: ssc._receiver_tracker.received_records(0) == len(WORDS))
    advance_batches(ssc, 1)
    h.settle()
    (stream,) = h.api("/streaming/progress")["inputStreams"]
    assert stream["rateLimit"] == 123.0  # no estimate yet: the initial rate
    controller = ssc._receiver_tracker.rate_controllers[0]
    controller._latest_rate = 2500.0     # as if the estimator said so
    advance_batches(ssc, 1)
    h.settle()
    (stream,) = h.api("/streaming/progress")["inputStreams"]
    assert stream["rateLimit"] == 1000.0  # never above maxRate
    samples = {name: s for name, _, _, s in h.streaming.metric_samples()}
    assert samples["sparklet_streaming_rate_limit"] == [({"stream": "0", "name": "Words-0"},
                                                         1000.0)]


def test_direct_stream_rate_limit():
    """A direct (Kafka) stream's bound: maxRatePerPartition times its partitions, lowered
    by backpressure's estimate (or its initial rate before the first estimate)."""
    from types import SimpleNamespace as NS

    from sparklet.streaming.progress import StreamingProgress

    progress = StreamingProgress(NS())
    partitions = {("t", 0): 0, ("t", 1): 0, ("t", 2): 0}

    def stream(max_rate, latest=None, initial=0.0):
        controller = None if latest is None else NS(getLatestRate=lambda: latest)
        return NS(max_rate=max_rate, _current=partitions, _rate_controller=controller,
                  initial_rate=initial)

    assert progress._rate_limit(stream(100.0), "direct") == 300.0
    assert progress._rate_limit(stream(0.0), "direct") is None
    assert progress._rate_limit(stream(100.0, latest=50.0), "direct") == 50.0
    assert progress._rate_limit(stream(100.0, latest=1000.0), "direct") == 300.0
    assert progress._rate_limit(stream(0.0, latest=-1.0, initial=20.0), "direct") == 20.0
    assert progress._rate_limit(stream(0.0, latest=-1.0), "direct") is None
    assert progress._rate_limit(NS(), "queue") is None


def test_routes_take_a_plain_callable():
    import httpx
    from starlette.applications import Starlette

    from sparklet.ui import api_streaming
    from sparklet.ui.server import UIServer
    from sparklet.ui.store.streaming import StreamingStore

    streaming = StreamingStore()
    store = type("S", (), {"streaming": streaming})()
    server = UIServer(Starlette(routes=api_streaming.routes(
        lambda app: store if app == "app-1" else None)), port=0)
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            base = "/api/v1/applications"
            assert client.get(f"{base}/app-1/streaming/statistics").status_code == 404
            streaming.on_event({"Event": "StreamingListenerStreamingStarted", "time": 5,
                                "batchDuration": 200, "checkpointDir": None})
            body = client.get(f"{base}/app-1/streaming/statistics").json()
            assert body["batchDuration"] == 200 and body["avgInputRate"] is None
            assert client.get(f"{base}/app-2/streaming/batches").status_code == 404
    finally:
        server.stop()
