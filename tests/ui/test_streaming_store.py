"""StreamingStore from hand-built event sequences: Spark's statuses, totals and averages
(worked out by hand in each test), retention, receivers, job links, progress, timeline and
the Prometheus samples."""

from __future__ import annotations

import pytest

from sparklet.ui.store.streaming import StreamingStore, spark_date

T0 = 1_764_698_580_000  # wall ms of the start


def started(store: StreamingStore, batch_ms: int = 1000) -> None:
    store.on_event({"Event": "StreamingListenerStreamingStarted", "time": T0,
                    "batchDuration": batch_ms, "checkpointDir": None})


def info(t: int, records: dict[int, int], sub: int | None, start: int | None = None,
         end: int | None = None, ops: dict | None = None) -> dict:
    return {"batchTime": t, "submissionTime": sub, "processingStartTime": start,
            "processingEndTime": end, "numRecords": sum(records.values()),
            "streamIdToInputInfo": {str(k): {"inputStreamId": k, "numRecords": n,
                                             "description": None}
                                    for k, n in records.items()},
            "outputOperationInfos": ops or {}}


def op(t: int, i: int, start=None, end=None, failure=None) -> dict:
    return {"batchTime": t, "id": i, "name": f"foreachRDD at app.py:{10 + i}",
            "description": "foreachRDD at /app.py", "startTime": start, "endTime": end,
            "failureReason": failure}


def run_batch(store, t, records, sub, start, end, ops=None):
    """Submitted, started and completed events of one batch."""
    for kind, args in (("Submitted", (None, None)), ("Started", (start, None)),
                       ("Completed", (start, end))):
        store.on_event({"Event": "StreamingListenerBatch" + kind, "time": sub,
                        "batchInfo": info(t, records, sub, *args, ops=ops)})


def test_statuses_totals_and_averages():
    s = StreamingStore()
    started(s)
    # batch 1000: 10 records, scheduling 5, processing 100 -> total 105
    run_batch(s, 1000, {0: 10}, T0 + 1000, T0 + 1005, T0 + 1105)
    # batch 2000: 30 records (2 streams), scheduling 10, processing 201 -> total 211
    run_batch(s, 2000, {0: 20, 1: 10}, T0 + 2000, T0 + 2010, T0 + 2211)
    # batch 3000 started, batch 4000 only submitted
    s.on_event({"Event": "StreamingListenerBatchSubmitted", "time": 0,
                "batchInfo": info(3000, {0: 7}, T0 + 3000)})
    s.on_event({"Event": "StreamingListenerBatchStarted", "time": 0,
                "batchInfo": info(3000, {0: 7}, T0 + 3000, T0 + 3001)})
    s.on_event({"Event": "StreamingListenerBatchSubmitted", "time": 0,
                "batchInfo": info(4000, {0: 1}, T0 + 4000)})
    st = s.statistics()
    assert st["startTime"] == spark_date(T0) == "2025-12-02T18:03:00.000GMT"
    assert st["batchDuration"] == 1000
    assert st["numTotalCompletedBatches"] == 2
    assert st["numRetainedCompletedBatches"] == 2
    assert st["numActiveBatches"] == 2
    assert st["numProcessedRecords"] == 40            # 10 + 30, completed
    assert st["numReceivedRecords"] == 47             # 10 + 30 + 7, started
    assert st["avgInputRate"] == pytest.approx(20.0)  # (10/s + 30/s) / 2
    assert st["avgSchedulingDelay"] == 7              # (5 + 10) // 2
    assert st["avgProcessingTime"] == 150             # (100 + 201) // 2
    assert st["avgTotalDelay"] == 158                 # (105 + 211) // 2
    statuses = {b["batchId"]: b["status"] for b in s.batches()}
    assert statuses == {1000: "COMPLETED", 2000: "COMPLETED", 3000: "PROCESSING",
                        4000: "QUEUED"}
    assert [b["batchId"] for b in s.batches()] == [4000, 3000, 2000, 1000]  # newest first
    assert [b["batchId"] for b in s.batches("processing")] == [3000]
    assert [b["batchId"] for b in s.batches("QUEUED")] == [4000]
    with pytest.raises(ValueError):
        s.batches("done")
    b = s.batch(2000)
    assert b["batchTime"] == "1970-01-01T00:00:02.000GMT"
    assert (b["inputSize"], b["schedulingDelay"], b["processingTime"], b["totalDelay"]) == \
        (30, 10, 201, 211)
    queued = s.batch(4000)
    assert queued["schedulingDelay"] is None and queued["totalDelay"] is None
    assert s.batch(5000) is None


def test_unknown_delays_are_skipped_in_averages():
    s = StreamingStore()
    started(s, 500)
    run_batch(s, 500, {0: 5}, T0, T0 + 4, T0 + 24)
    # a completed batch whose start is unknown: counts for the rate, not for delays
    s.on_event({"Event": "StreamingListenerBatchCompleted", "time": 0,
                "batchInfo": info(1000, {0: 15}, T0 + 500, None, T0 + 600)})
    st = s.statistics()
    assert st["avgInputRate"] == pytest.approx(20.0)  # (5 / 0.5 s + 15 / 0.5 s) / 2
    assert st["avgSchedulingDelay"] == 4
    assert st["avgProcessingTime"] == 20
    assert st["avgTotalDelay"] == 24


def test_retention_keeps_the_last_completed_batches_and_their_jobs():
    s = StreamingStore({"spark.streaming.ui.retainedBatches": "3"})
    started(s)
    for i in range(1, 6):
        t = i * 1000
        s.on_event({"Event": "SparkListenerJobStart", "time": 0, "jobId": i,
                    "properties": {"spark.streaming.internal.batchTime": str(t),
                                   "spark.streaming.internal.outputOpId": "0"}})
        run_batch(s, t, {0: i}, T0 + t, T0 + t + 1, T0 + t + 11,
                  ops={"0": op(t, 0, T0 + t + 1, T0 + t + 11)})
    st = s.statistics()
    assert st["numTotalCompletedBatches"] == 5
    assert st["numRetainedCompletedBatches"] == 3
    assert st["numProcessedRecords"] == 15           # all five, retained or not
    assert st["avgInputRate"] == pytest.approx(4.0)  # batches 3, 4, 5: (3 + 4 + 5) / 3
    assert [b["batchId"] for b in s.batches()] == [5000, 4000, 3000]
    assert s.batch(1000) is None and s.operations(2000) is None
    assert s.operations(3000)[0]["jobIds"] == [3]
    assert [row["batchTime"] for row in s.timeline()] == [3000, 4000, 5000]
    assert [row["numRecords"] for row in s.timeline(2)] == [4, 5]
    assert s._jobs.keys() == {(3000, 0), (4000, 0), (5000, 0)}


def test_output_operations_and_job_links():
    s = StreamingStore()
    started(s)
    t = 1000
    s.on_event({"Event": "StreamingListenerBatchSubmitted", "time": 0,
                "batchInfo": info(t, {}, T0, ops={"0": op(t, 0), "1": op(t, 1)})})
    s.on_event({"Event": "StreamingListenerOutputOperationStarted", "time": 0,
                "outputOperationInfo": op(t, 0, T0 + 2)})
    for job, o in ((7, "0"), (8, "0"), (9, "1")):
        s.on_event({"Event": "SparkListenerJobStart", "time": 0, "jobId": job,
                    "properties": {"spark.streaming.internal.batchTime": "1000",
                                   "spark.streaming.internal.outputOpId": o}})
    s.on_event({"Event": "SparkListenerJobStart", "time": 0, "jobId": 10, "properties": {}})
    b = s.batch(t)
    assert (b["numActiveOutputOps"], b["numCompletedOutputOps"], b["numTotalOutputOps"]) == \
        (2, 0, 2)
    s.on_event({"Event": "StreamingListenerOutputOperationCompleted", "time": 0,
                "outputOperationInfo": op(t, 0, T0 + 2, T0 + 50)})
    s.on_event({"Event": "StreamingListenerOutputOperationCompleted", "time": 0,
                "outputOperationInfo": op(t, 1, T0 + 50, T0 + 60, "ZeroDivisionError")})
    ops = s.operations(t)
    assert [o["outputOpId"] for o in ops] == [0, 1]
    assert ops[0]["jobIds"] == [7, 8] and ops[1]["jobIds"] == [9]
    assert ops[0]["duration"] == 48 and ops[0]["startTime"] == spark_date(T0 + 2)
    assert ops[1]["failureReason"] == "ZeroDivisionError"
    b = s.batch(t)
    assert (b["numActiveOutputOps"], b["numCompletedOutputOps"], b["numFailedOutputOps"]) == \
        (0, 1, 1)
    assert b["firstFailureReason"] == "ZeroDivisionError"
    assert s.operation(t, 1)["name"] == "foreachRDD at app.py:11"
    assert s.operation(t, 2) is None
    s.on_event({"Event": "SparkListenerJobEnd", "time": 0, "jobId": 9, "result": "JobFailed"})
    assert s.job_status(9) == "FAILED" and s.job_status(7) == "RUNNING"


def test_receivers_and_event_rates():
    s = StreamingStore()
    started(s, 2000)
    rinfo = {"streamId": 0, "name": "SocketReceiver", "active": True,
             "location": "127.0.0.1", "executorId": "0", "lastErrorMessage": "",
             "lastError": "", "lastErrorTime": -1}
    s.on_event({"Event": "StreamingListenerReceiverStarted", "time": 0, "receiverInfo": rinfo})
    run_batch(s, 2000, {0: 10, 1: 4}, T0, T0 + 1, T0 + 2)
    run_batch(s, 4000, {0: 30, 1: 0}, T0, T0 + 1, T0 + 2)
    r = s.receiver(0)
    assert r["streamName"] == "SocketReceiver" and r["isActive"] is True
    assert r["executorHost"] == "127.0.0.1" and r["executorId"] == "0"
    assert r["eventRates"] == [[2000, 5.0], [4000, 15.0]]
    assert r["avgEventRate"] == pytest.approx(10.0)
    assert r["lastErrorTime"] is None and r["lastError"] is None
    # a stream without a receiver (a queue stream) is listed too, as Spark does
    assert [x["streamId"] for x in s.receivers()] == [0, 1]
    assert s.receiver(1)["streamName"] == "Stream-1" and s.receiver(1)["isActive"] is None
    assert s.receiver(9) is None
    s.on_event({"Event": "StreamingListenerReceiverError", "time": 0, "receiverInfo": {
        **rinfo, "lastErrorMessage": "connection refused", "lastError": "trace",
        "lastErrorTime": T0 + 5}})
    s.on_event({"Event": "StreamingListenerReceiverStopped", "time": 0,
                "receiverInfo": {**rinfo, "active": False}})
    st = s.statistics()
    assert (st["numReceivers"], st["numActiveReceivers"], st["numInactiveReceivers"]) == \
        (1, 0, 1)
    assert s.receiver(0)["lastErrorMessage"] is None  # the stop event carries no error


def progress_event(t, keys, size, ck_time=None):
    return {"Event": "SparkletStreamingProgress", "time": T0 + t, "batchTime": t,
            "inputStreams": [{"streamId": 0, "name": "<script>alert(1)</script>",
                              "kind": "receiver", "numRecords": 3, "rateLimit": 250.0}],
            "stateStreams": [{"streamId": 4, "name": "StateDStream-4",
                              "operation": "updateStateByKey", "numKeys": keys,
                              "sizeBytes": size}],
            "checkpoint": None if ck_time is None else {
                "dir": "/ck", "lastTime": ck_time, "lastDurationMs": 12,
                "lastBatchTime": t, "pending": True}}


def test_progress_history_and_checkpoint_age():
    s = StreamingStore()
    started(s)
    s.on_event(progress_event(1000, 2, 400))
    s.on_event(progress_event(2000, 5, 900, ck_time=T0 + 2000))
    s.on_event({"Event": "SparkListenerApplicationEnd", "time": T0 + 2500})
    p = s.progress()
    assert p["batchDuration"] == 1000
    assert p["inputStreams"] == [{"streamId": 0, "name": "<script>alert(1)</script>",
                                  "kind": "receiver", "rateLimit": 250.0, "lastRecords": 3}]
    (state,) = p["stateStreams"]
    assert (state["numKeys"], state["sizeBytes"]) == (5, 900)
    assert state["history"] == [[1000, 2, 400], [2000, 5, 900]]
    assert p["checkpoint"] == {"dir": "/ck", "lastTime": T0 + 2000, "ageMs": 500,
                               "lastDurationMs": 12, "lastBatchTime": 2000, "pending": True}


def test_metric_samples():
    s = StreamingStore()
    assert s.metric_samples() == []
    started(s)
    run_batch(s, 1000, {0: 10}, T0, T0 + 5, T0 + 105)
    s.on_event(progress_event(1000, 5, 900, ck_time=T0 + 100))
    s.on_event({"Event": "SparkListenerApplicationEnd", "time": T0 + 400})
    m = {name: (kind, samples) for name, kind, _, samples in s.metric_samples()}
    assert m["sparklet_streaming_last_batch_scheduling_delay_ms"] == ("gauge", [({}, 5.0)])
    assert m["sparklet_streaming_last_batch_processing_time_ms"][1] == [({}, 100.0)]
    assert m["sparklet_streaming_last_batch_total_delay_ms"][1] == [({}, 105.0)]
    assert m["sparklet_streaming_records_total"] == ("counter", [({}, 10.0)])
    assert m["sparklet_streaming_input_rate"][1] == [({"stream": "0"}, 10.0)]
    assert m["sparklet_streaming_receivers_active"][1] == [({}, 0.0)]
    assert m["sparklet_streaming_state_keys"][1] == [
        ({"stream": "4", "name": "StateDStream-4"}, 5.0)]
    assert m["sparklet_streaming_state_bytes"][1][0][1] == 900.0
    assert m["sparklet_streaming_checkpoint_age_ms"][1] == [({}, 300.0)]
    assert m["sparklet_streaming_rate_limit"][1][0][1] == 250.0


def test_other_events_are_ignored():
    s = StreamingStore()
    s.on_event({"Event": "SparkListenerTaskEnd", "time": 0})
    s.on_event({"Event": "SomethingNew"})
    assert not s.started and s.batches() == []


def test_malformed_records_add_up_per_stream_and_reach_prometheus():
    s = StreamingStore()
    started(s)
    for t, bad in ((1000, 2), (2000, 0), (3000, 5)):
        i = info(t, {0: 10, 1: 3}, T0 + t, T0 + t + 1, T0 + t + 2)
        if bad:
            i["streamIdToInputInfo"]["0"]["malformedRecords"] = bad
        for kind in ("Submitted", "Started", "Completed"):
            s.on_event({"Event": "StreamingListenerBatch" + kind, "time": 0, "batchInfo": i})
    assert s.receiver(0)["malformedRecords"] == 7
    assert s.receiver(1)["malformedRecords"] == 0
    samples = {name: values for name, _, _, values in s.metric_samples()}
    assert samples["sparklet_streaming_malformed_records_total"] == [({"stream": "0"}, 7.0)]
