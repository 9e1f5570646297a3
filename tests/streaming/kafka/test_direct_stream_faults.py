"""Faults under ``KafkaUtils.createDirectStream``, against a real Apache Kafka broker on
the manual clock: the broker killed and restarted mid-stream, a topic deleted, offsets
deleted before they were read or not yet written -- every one either recovered from
(every record still exactly once) or a failed batch with a clear error, never a stall.
"""

from __future__ import annotations

import signal

import pytest

pytest.importorskip("confluent_kafka")
from direct_helpers import (  # noqa: E402
    all_records,
    assert_exact_batches,
    expected,
    handler,
    record_batches,
    run_until,
)

from sparklet.streaming.kafka import (  # noqa: E402
    KafkaOffsetsError,
    KafkaUtils,
    OffsetRange,
    SubscribePattern,
    TopicAndPartition,
)
from sparklet.streaming.testing import advance_batches  # noqa: E402

pytestmark = pytest.mark.integration


def test_broker_restarted_mid_stream(make_conf_ssc, kafka, kafka_params, kafka_service):
    broker = kafka_service.process
    if broker is None:
        pytest.skip("the broker was named by SPARKLET_TEST_KAFKA: not ours to restart")
    topic = kafka.create_topic(2)
    written = kafka.produce(topic, [(p, None, f"before{p}.{i}") for p in range(2)
                                    for i in range(5)])
    # No driver retries: the batch while the broker is down gives up after one attempt.
    ssc = make_conf_ssc({"spark.streaming.kafka.maxRetries": "0"})
    batches = record_batches(KafkaUtils.createDirectStream(ssc, [topic], kafka_params,
                                                           messageHandler=handler))
    ssc.start()
    advance_batches(ssc, 1)
    try:
        broker.stop(signal.SIGKILL)           # a crash, not a clean shutdown
        # A batch while it is down: no records and no error, the stream waits.
        advance_batches(ssc, 1, timeout=120)
    finally:
        broker.start()
    kafka.wait_serving(topic)
    written += kafka.produce(topic, [(p, None, f"after{p}.{i}") for p in range(2)
                                     for i in range(5)])
    run_until(ssc, batches, len(written), timeout=120)
    advance_batches(ssc, 1)
    assert len(batches[1].records) == 0
    assert sorted(all_records(batches)) == expected(topic, written)   # each exactly once
    assert_exact_batches(batches, written)
    ssc.awaitTerminationOrTimeout(0.01)       # no batch failed


def test_deleted_topic_fails_the_batch(make_ssc, kafka, kafka_params):
    topic = kafka.create_topic(2)
    kafka.produce(topic, [(0, None, "x")])
    ssc = make_ssc()
    got = []
    KafkaUtils.createDirectStream(ssc, [topic], kafka_params).foreachRDD(
        lambda rdd: got.append(rdd.collect()))
    ssc.start()
    advance_batches(ssc, 1)
    kafka.delete_topic(topic)
    advance_batches(ssc, 1)                   # returns: the batch fails, it does not hang
    assert got == [[(None, "x")]]
    with pytest.raises(KafkaOffsetsError, match=topic):
        ssc.awaitTerminationOrTimeout(0.01)


def test_offsets_deleted_before_they_were_read_fail_the_batch_with_reset_none(
        make_ssc, kafka, kafka_service):
    topic = kafka.create_topic(1)
    kafka.produce(topic, [(0, None, str(i)) for i in range(6)])
    ssc = make_ssc()
    params = {"metadata.broker.list": kafka_service.url, "auto.offset.reset": "none"}
    got = []
    KafkaUtils.createDirectStream(ssc, [topic], params, {TopicAndPartition(topic, 0): 0}
                                  ).foreachRDD(lambda rdd: got.append(rdd.collect()))
    kafka.delete_records(topic, 0, 4)         # retention, before the stream read them
    ssc.start()
    advance_batches(ssc, 1)
    assert got == []
    with pytest.raises(KafkaOffsetsError, match=r"\[0, 4\)"):
        ssc.awaitTerminationOrTimeout(0.01)


def test_offsets_deleted_before_they_were_read_resume_at_the_log_start(
        make_ssc, kafka, kafka_params, caplog):
    topic = kafka.create_topic(1)
    written = kafka.produce(topic, [(0, None, str(i)) for i in range(6)])
    ssc = make_ssc()
    batches = record_batches(KafkaUtils.createDirectStream(
        ssc, [topic], kafka_params, {TopicAndPartition(topic, 0): 0}, messageHandler=handler))
    kafka.delete_records(topic, 0, 4)
    ssc.start()
    with caplog.at_level("WARNING", logger="sparklet.streaming.kafka"):
        advance_batches(ssc, 1)
    assert batches[0].ranges == [OffsetRange(topic, 0, 4, 6)]
    assert batches[0].records == expected(topic, written[4:])
    assert any("[0, 4)" in r.getMessage() for r in caplog.records)   # reported, not silent


def test_from_offsets_past_the_log_end_fail_the_batch(make_ssc, kafka, kafka_params):
    # Spark's KafkaRDD: "Beginning offset 10 is after the ending offset 3 ...": a start
    # the log does not have yet is an error, not a stream that skips what comes next.
    topic = kafka.create_topic(1)
    kafka.produce(topic, [(0, None, str(i)) for i in range(3)])
    ssc = make_ssc()
    got = []
    KafkaUtils.createDirectStream(ssc, [topic], kafka_params,
                                  {TopicAndPartition(topic, 0): 10}).foreachRDD(
        lambda rdd: got.append(rdd.collect()))
    ssc.start()
    advance_batches(ssc, 1)
    with pytest.raises(Exception, match="10"):
        ssc.awaitTerminationOrTimeout(0.01)


def test_no_broker_at_start_fails_create_direct_stream(make_ssc):
    # As PySpark: the starting offsets are fetched when the stream is created.
    from services import free_ports

    (port,) = free_ports(1)
    with pytest.raises(ConnectionError, match=f"127.0.0.1:{port}"):
        KafkaUtils.createDirectStream(make_ssc(), ["nowhere"],
                                      {"metadata.broker.list": f"127.0.0.1:{port}"})


def test_deleted_topic_of_a_pattern_is_no_longer_read(make_ssc, kafka, kafka_params):
    prefix = kafka.unique_name("gone")
    kept = kafka.create_topic(1, name=f"{prefix}-kept")
    gone = kafka.create_topic(1, name=f"{prefix}-gone")
    written = kafka.produce(kept, [(0, None, "k1")])
    kafka.produce(gone, [(0, None, "g1")])
    ssc = make_ssc()
    batches = record_batches(KafkaUtils.createDirectStream(
        ssc, SubscribePattern(prefix + r"-.*"), kafka_params, messageHandler=handler))
    ssc.start()
    advance_batches(ssc, 1)
    kafka.delete_topic(gone)
    written += kafka.produce(kept, [(0, None, "k2")])
    advance_batches(ssc, 1)
    assert [sorted({r.topic for r in b.ranges}) for b in batches] == [sorted([kept, gone]),
                                                                       [kept]]
    assert [x for x in all_records(batches) if x[0] == kept] == expected(kept, written)
    ssc.awaitTerminationOrTimeout(0.01)       # no batch failed
