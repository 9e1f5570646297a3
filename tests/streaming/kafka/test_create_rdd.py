"""``KafkaUtils.createRDD`` against a real Apache Kafka broker: the exact records of given
offset ranges, one partition per range, and a clear error for ranges the broker cannot
serve (PySpark 2.4: "Offsets not available on leader", raised by createRDD itself).

The expected records come from what the test wrote (the offsets in the producer's
delivery reports) or from a plain confluent-kafka consumer reading the same topic.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparklet import SparkConf
from sparklet.streaming.kafka import (
    Broker,
    KafkaOffsetsError,
    KafkaUtils,
    OffsetRange,
    TopicAndPartition,
)

pytestmark = pytest.mark.integration


def _fill(kafka, partitions=3, per_partition=6):
    """A topic with ``per_partition`` records in each partition; every third key None."""
    topic = kafka.create_topic(partitions)
    written = kafka.produce(topic, [(p, None if i % 3 == 0 else f"k{p}.{i}", f"v{p}.{i}")
                                    for p in range(partitions) for i in range(per_partition)])
    return topic, {(w.partition, w.offset): w for w in written}


def test_records_of_ranges_over_several_partitions(sc, kafka, kafka_params):
    topic, at = _fill(kafka)
    ranges = [OffsetRange(topic, 0, 1, 4), OffsetRange(topic, 1, 0, 6),
              OffsetRange(topic, 2, 3, 3), OffsetRange(topic, 2, 5, 6)]
    rdd = KafkaUtils.createRDD(sc, kafka_params, ranges)

    assert rdd.offsetRanges() == ranges
    assert rdd.getNumPartitions() == len(ranges)
    # Partition i holds range i, in offset order; keys written as None stay None.
    expected = [[(at[r.partition, o].key, at[r.partition, o].value)
                 for o in range(r.fromOffset, r.untilOffset)] for r in ranges]
    assert rdd.glom().collect() == expected
    assert expected[1][0] == (None, "v1.0") and expected[2] == []
    assert rdd.count() == sum(r.count() for r in ranges) == 10
    # Computed again (a retried task), an RDD gives the same records.
    assert rdd.glom().collect() == expected


def test_message_handler_sees_kafka_message_and_metadata(sc, kafka, kafka_params):
    topic, at = _fill(kafka, partitions=2, per_partition=4)
    ranges = [OffsetRange(topic, 0, 0, 4), OffsetRange(topic, 1, 2, 4)]

    def handler(m):
        return (m.topic, m.partition, m.offset, m.key, m.message)

    got = KafkaUtils.createRDD(sc, kafka_params, ranges, messageHandler=handler).collect()
    assert got == [(topic, r.partition, o, at[r.partition, o].key, at[r.partition, o].value)
                   for r in ranges for o in range(r.fromOffset, r.untilOffset)]


def test_decoders_and_leaders(sc, kafka, kafka_params, kafka_service):
    topic = kafka.create_topic(1)
    kafka.produce(topic, [(0, "k", "3"), (0, None, "4")])
    leaders = {TopicAndPartition(topic, 0): Broker(kafka_service.host, kafka_service.port)}
    rdd = KafkaUtils.createRDD(sc, kafka_params, [OffsetRange(topic, 0, 0, 2)], leaders,
                               keyDecoder=lambda b: b, valueDecoder=lambda b: int(b) * 10)
    assert rdd.collect() == [(b"k", 30), (None, 40)]


def test_ranges_of_two_topics_and_the_modern_param_names(sc, kafka, kafka_service):
    a, at_a = _fill(kafka, partitions=1, per_partition=3)
    b, at_b = _fill(kafka, partitions=2, per_partition=3)
    params = {"bootstrap.servers": kafka_service.url, "group.id": "createrdd-modern"}
    ranges = [OffsetRange(b, 1, 0, 2), OffsetRange(a, 0, 1, 3)]
    got = KafkaUtils.createRDD(sc, params, ranges).collect()
    assert got == [(at_b[1, 0].key, at_b[1, 0].value), (at_b[1, 1].key, at_b[1, 1].value),
                   (at_a[0, 1].key, at_a[0, 1].value), (at_a[0, 2].key, at_a[0, 2].value)]


def test_range_past_the_log_end_is_refused(sc, kafka, kafka_params):
    topic, _ = _fill(kafka, partitions=2, per_partition=4)
    good = OffsetRange(topic, 0, 0, 4)
    with pytest.raises(KafkaOffsetsError, match="Offsets not available on leader") as e:
        KafkaUtils.createRDD(sc, kafka_params, [good, OffsetRange(topic, 1, 2, 5)])
    assert f"{topic}" in str(e.value) and "5" in str(e.value)
    assert isinstance(e.value, ValueError)


def test_range_before_the_log_start_is_refused(sc, kafka, kafka_params):
    topic, at = _fill(kafka, partitions=1, per_partition=6)
    kafka.delete_records(topic, 0, 3)          # what retention does
    with pytest.raises(KafkaOffsetsError, match="Offsets not available on leader"):
        KafkaUtils.createRDD(sc, kafka_params, [OffsetRange(topic, 0, 1, 5)])
    # What is still there reads as before.
    got = KafkaUtils.createRDD(sc, kafka_params, [OffsetRange(topic, 0, 3, 6)]).collect()
    assert got == [(at[0, o].key, at[0, o].value) for o in range(3, 6)]


def test_range_of_a_missing_partition_or_topic_is_refused(sc, kafka, kafka_params):
    topic, _ = _fill(kafka, partitions=1, per_partition=2)
    with pytest.raises(KafkaOffsetsError, match="Offsets not available on leader"):
        KafkaUtils.createRDD(sc, kafka_params, [OffsetRange(topic, 3, 0, 1)])
    with pytest.raises(KafkaOffsetsError, match="Offsets not available on leader"):
        KafkaUtils.createRDD(sc, kafka_params,
                             [OffsetRange(kafka.unique_name("missing"), 0, 0, 1)])


def test_bad_arguments(sc, kafka_params):
    with pytest.raises(TypeError):
        KafkaUtils.createRDD(sc, kafka_params, OffsetRange("t", 0, 0, 1))
    with pytest.raises(TypeError):
        KafkaUtils.createRDD(sc, kafka_params, [("t", 0, 0, 1)])
    with pytest.raises(ValueError, match="metadata.broker.list or bootstrap.servers"):
        KafkaUtils.createRDD(sc, {}, [OffsetRange("t", 0, 0, 1)])


def test_compacted_topic_ranges_cover_the_gaps(sc, kafka, kafka_params):
    pairs = [("a", "1"), ("b", "1"), ("a", "2"), ("c", "1"), ("b", "2"), ("a", "3"),
             ("d", "1"), ("c", "2")]
    topic, written = kafka.compacted_topic(pairs)
    survivors = kafka.read_all(topic)
    end = kafka.watermarks(topic, 0)[1]
    assert len(survivors) < end                  # the log has gaps ...
    last = {}
    for w in written:
        last[w.key] = w
    assert [(o, k, v) for _, o, k, v in survivors] == sorted(
        (w.offset, w.key, w.value) for w in last.values())   # ... where the duplicates were

    def handler(m):
        return (m.offset, m.key, m.message)

    whole = KafkaUtils.createRDD(sc, kafka_params, [OffsetRange(topic, 0, 0, end)],
                                 messageHandler=handler)
    assert whole.collect() == [(o, k, v) for _, o, k, v in survivors]
    # A range that starts or ends inside a gap is no error either: it holds the
    # survivors within it (offsets 0-2 were all cleaned away).
    assert KafkaUtils.createRDD(sc, kafka_params, [OffsetRange(topic, 0, 0, 3)]).collect() \
        == []
    part = KafkaUtils.createRDD(sc, kafka_params, [OffsetRange(topic, 0, 1, 7)],
                                messageHandler=handler).collect()
    assert part == [(o, k, v) for _, o, k, v in survivors if 1 <= o < 7]


def _transactional_topic(kafka):
    """committed, aborted, committed transactions, then an aborted one last: the log ends
    in an abort marker."""
    topic = kafka.create_topic(2)
    producer = kafka.transactional_producer()
    written = kafka.transaction(producer, topic, [(0, "c", "c1"), (1, None, "c2"),
                                                  (0, None, "c3")])
    written += kafka.transaction(producer, topic, [(0, "a", "a1"), (1, None, "a2")],
                                 commit=False)
    written += kafka.transaction(producer, topic, [(1, "c", "c4"), (0, None, "c5")])
    written += kafka.transaction(producer, topic, [(0, None, "a3"), (1, None, "a4")],
                                 commit=False)
    return topic, written


@pytest.mark.parametrize("isolation", ["read_committed", "read_uncommitted"])
def test_transactional_topic(sc, kafka, kafka_params, isolation):
    topic, written = _transactional_topic(kafka)
    ends = kafka.end_offsets(topic)
    data_offsets = {(w.partition, w.offset) for w in written}
    # Every partition's last offset is the abort marker: not a record.
    assert all((p, end - 1) not in data_offsets for p, end in ends.items())
    params = dict(kafka_params, **{"isolation.level": isolation})
    ranges = [OffsetRange(topic, p, 0, ends[p]) for p in sorted(ends)]

    def handler(m):
        return (m.partition, m.offset, m.key, m.message)

    got = KafkaUtils.createRDD(sc, params, ranges, messageHandler=handler).collect()
    wanted = sorted((w.partition, w.offset, w.key, w.value) for w in written
                    if w.committed or isolation == "read_uncommitted")
    assert got == wanted
    assert got == [(p, o, k, v) for p, o, k, v in kafka.read_all(topic, isolation)]
    values = {v for _, _, _, v in got}
    assert {"c1", "c2", "c3", "c4", "c5"} <= values
    assert ("a1" in values) == (isolation == "read_uncommitted")
    # Ranges that end on a commit marker or just after aborted records end too.
    for w in written:
        if w.value in ("c3", "a2"):
            r = OffsetRange(topic, w.partition, w.offset, w.offset + 2)
            records = KafkaUtils.createRDD(sc, params, [r], messageHandler=handler).collect()
            assert records == [x for x in wanted if x[0] == w.partition
                               and w.offset <= x[1] < w.offset + 2]


def test_any_ranges_read_as_the_plain_model_says(sc, kafka, kafka_params):
    """Property: for any list of ranges, createRDD holds, range by range, the slice of
    what was written -- or refuses the list when a range ends past its partition's end."""
    sizes = [0, 7, 20]
    topic = kafka.create_topic(len(sizes))
    written = kafka.produce(topic, [(p, None if i % 5 == 0 else f"k{i}", f"{p}:{i}")
                                    for p, n in enumerate(sizes) for i in range(n)])
    model = {p: [(w.key, w.value) for w in written if w.partition == p]
             for p in range(len(sizes))}

    @st.composite
    def a_range(draw):
        p = draw(st.integers(0, len(sizes) - 1))
        start = draw(st.integers(0, sizes[p]))
        until = draw(st.integers(start, sizes[p] + 2))
        return OffsetRange(topic, p, start, until)

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(a_range(), min_size=1, max_size=4))
    def check(ranges):
        bad = [r for r in ranges if r.untilOffset > sizes[r.partition]]
        if bad:
            with pytest.raises(KafkaOffsetsError, match="Offsets not available on leader"):
                KafkaUtils.createRDD(sc, kafka_params, ranges)
            return
        rdd = KafkaUtils.createRDD(sc, kafka_params, ranges)
        assert rdd.offsetRanges() == ranges
        assert rdd.glom().collect() == [model[r.partition][r.fromOffset:r.untilOffset]
                                        for r in ranges]

    check()


def test_range_deleted_after_the_check_fails_the_task(make_context, kafka, kafka_params):
    # A short poll.ms, so that waiting for the offsets (wrong) fails fast too.
    ctx = make_context(SparkConf().set("spark.streaming.kafka.consumer.poll.ms", "10000"))
    topic, _ = _fill(kafka, partitions=1, per_partition=6)
    rdd = KafkaUtils.createRDD(ctx, kafka_params, [OffsetRange(topic, 0, 0, 6)])
    kafka.delete_records(topic, 0, 4)         # retention, between createRDD and the read
    with pytest.raises(Exception, match="KafkaOffsetsError.*no longer in the log"):
        rdd.collect()


def test_broker_down_while_a_task_reads_fails_it_after_poll_ms(make_context, kafka,
                                                               kafka_params, kafka_service):
    broker = kafka_service.process
    if broker is None:
        pytest.skip("the broker was named by SPARKLET_TEST_KAFKA: not ours to stop")
    conf = SparkConf().set("spark.streaming.kafka.consumer.poll.ms", "3000")
    ctx = make_context(conf)
    topic, at = _fill(kafka, partitions=1, per_partition=3)
    rdd = KafkaUtils.createRDD(ctx, kafka_params, [OffsetRange(topic, 0, 0, 3)])
    try:
        broker.stop()
        with pytest.raises(Exception, match="after polling for 3000 ms"):
            rdd.collect()
    finally:
        broker.start()
    kafka.wait_serving(topic)
    assert rdd.collect() == [(at[0, o].key, at[0, o].value) for o in range(3)]
