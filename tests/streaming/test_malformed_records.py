"""Malformed records, the policy every connector shares: skipped and counted per batch in
the input's metadata (once, however often the batch is computed), or failing the batch."""

from __future__ import annotations

import logging
import threading

import pytest
from receiver_helpers import WAIT, receiver_conf, wait_until

from sparklet.streaming import StreamingContext, StreamingListener
from sparklet.streaming.receiver import Receiver
from sparklet.streaming.sources.malformed import MALFORMED_KEY, MalformedRecordError, decoded
from sparklet.streaming.testing import advance_batches, use_manual_clock


class StoreOnce(Receiver):
    """Stores ``records`` as one block, then idles."""

    def __init__(self, records):
        super().__init__()
        self.records = records

    def onStart(self):
        self.store(list(self.records))

    def onStop(self):
        pass


class Completed(StreamingListener):
    def __init__(self):
        super().__init__()
        self.infos = []

    def onBatchCompleted(self, batchCompleted):
        self.infos.append(batchCompleted.batchInfo())


RECORDS = [b"one", b"\xff\xfe", b"two", b"\xc3", b"three"]  # two are not UTF-8


def run(make_context, mode, outputs=1):
    sc = make_context(receiver_conf(**({MALFORMED_KEY: mode} if mode else {})))
    ssc = StreamingContext(sc, 1)
    use_manual_clock(ssc)
    listener = Completed()
    ssc.addStreamingListener(listener)
    raw = ssc.receiverStream(StoreOnce(RECORDS))
    lines = decoded(raw, lambda b: b.decode("utf-8"), "test source")
    got: list = []
    lock = threading.Lock()

    def record(rdd):
        items = rdd.collect()
        with lock:
            got.extend(items)

    lines.foreachRDD(record)
    for _ in range(outputs - 1):
        lines.foreachRDD(lambda rdd: rdd.count())
    ssc.start()
    tracker = ssc._receiver_tracker
    assert wait_until(lambda: tracker.received_records(raw.input_stream_id) == len(RECORDS))
    return ssc, listener, raw, got


def test_skip_counts_malformed_records_once_per_batch(make_context, caplog):
    with caplog.at_level(logging.WARNING, "sparklet.streaming.sources"):
        ssc, listener, raw, got = run(make_context, None, outputs=2)
        try:
            advance_batches(ssc, 1)
            assert wait_until(lambda: listener.infos, WAIT)
        finally:
            ssc.stop(stopSparkContext=False)
    assert sorted(got) == ["one", "three", "two"]
    info = listener.infos[0].streamIdToInputInfo()[raw.input_stream_id]
    assert info.numRecords() == 5                     # what arrived
    assert info.metadata()["malformedRecords"] == 2   # two output ops: still counted once
    text = caplog.text
    assert "skipped 2 malformed records from test source" in text
    assert "UnicodeDecodeError" in text


def test_fail_fails_the_batch(make_context):
    ssc, listener, _, got = run(make_context, "fail")
    try:
        advance_batches(ssc, 1)
        with pytest.raises(Exception, match="Malformed record from test source") as e:
            ssc.awaitTerminationOrTimeout(0.01)
        assert isinstance(e.value, MalformedRecordError) or "MalformedRecordError" in str(
            e.value)
    finally:
        ssc.stop(stopSparkContext=False)
    assert got == []


def test_an_unknown_policy_names_the_key(make_context):
    # The configuration registry refuses it when the SparkContext starts.
    with pytest.raises(ValueError, match=MALFORMED_KEY):
        run(make_context, "ignore")


def test_the_count_reaches_the_ui_event():
    from sparklet.streaming.listener import BatchInfo, StreamInputInfo, Time
    from sparklet.ui.events import _batch

    info = BatchInfo(Time(1000), {0: StreamInputInfo(0, 5, {"malformedRecords": 2}),
                                  1: StreamInputInfo(1, 3)}, 1, 2, 3, {})
    inputs = _batch(info)["streamIdToInputInfo"]
    assert inputs["0"]["malformedRecords"] == 2 and "malformedRecords" not in inputs["1"]
