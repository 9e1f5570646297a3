"""``KafkaUtils.createDirectStream`` against a real Apache Kafka broker, batch by batch on
the manual clock: every record exactly once, offset ranges contiguous from batch to
batch, starting points, rate limits, compacted and transactional topics, topics and
partitions appearing, committed offsets (faults: test_direct_stream_faults.py).

What a batch should hold is worked out from what the test wrote (the offsets of the
producer's delivery reports) or read with a plain confluent-kafka consumer.
"""

from __future__ import annotations

import threading

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

from sparklet.streaming import StreamingListener  # noqa: E402
from sparklet.streaming.kafka import (  # noqa: E402
    KafkaUtils,
    OffsetRange,
    SubscribePattern,
    TopicAndPartition,
)
from sparklet.streaming.testing import advance_batches  # noqa: E402

pytestmark = pytest.mark.integration


def test_several_partitions_with_a_producer_writing_while_it_runs(make_ssc, kafka,
                                                                     kafka_params):
    topic = kafka.create_topic(3)
    ssc = make_ssc()
    stream = KafkaUtils.createDirectStream(ssc, [topic], kafka_params,
                                           messageHandler=handler)
    seen_in_transform = []

    def keep_ranges(rdd):
        seen_in_transform.append(rdd.offsetRanges())
        return rdd

    transformed = record_batches(stream.transform(keep_ranges))
    batches = record_batches(stream)
    written = []
    errors = []

    def produce():
        try:
            for chunk in range(20):
                written.extend(kafka.produce(topic, [
                    (p, None if i % 4 == 0 else f"k{i}", f"{chunk}.{p}.{i}")
                    for i in range(5) for p in range(3)]))
        except BaseException as e:  # noqa: BLE001 - reported by the test thread
            errors.append(e)

    ssc.start()
    producer = threading.Thread(target=produce)
    producer.start()
    while producer.is_alive() and len(batches) < 200:
        advance_batches(ssc, 1)
    producer.join(60)
    assert not errors and not producer.is_alive()
    run_until(ssc, batches, len(written))
    advance_batches(ssc, 1)                   # and nothing more comes

    assert len(written) == 300
    assert sorted(all_records(batches)) == expected(topic, written)   # each exactly once
    assert_exact_batches(batches, written)
    assert batches[-1].records == []
    # The transform saw the same KafkaRDDs, and its result the same records.
    assert seen_in_transform == [b.ranges for b in batches]
    assert [b.parts for b in transformed] == [b.parts for b in batches]
    assert all(len(b.ranges) == 3 for b in batches)   # empty partitions included


def test_default_records_are_key_value_tuples(make_ssc, kafka, kafka_params):
    topic = kafka.create_topic(1)
    kafka.produce(topic, [(0, None, "v0"), (0, "k1", "v1"), (0, "k2", None)])
    ssc = make_ssc()
    got = []
    KafkaUtils.createDirectStream(ssc, [topic], kafka_params).foreachRDD(
        lambda rdd: got.append(rdd.collect()))
    ssc.start()
    advance_batches(ssc, 1)
    assert got == [[(None, "v0"), ("k1", "v1"), ("k2", None)]]


def test_from_offsets(make_ssc, kafka, kafka_params):
    topic = kafka.create_topic(2)
    written = kafka.produce(topic, [(p, None, f"{p}.{i}") for p in range(2) for i in range(6)])
    start = {TopicAndPartition(topic, 0): 2, TopicAndPartition(topic, 1): 5}
    ssc = make_ssc()
    stream = KafkaUtils.createDirectStream(ssc, [topic], kafka_params, start,
                                           messageHandler=handler)
    batches = record_batches(stream)
    ssc.start()
    advance_batches(ssc, 1)
    more = kafka.produce(topic, [(1, None, "late")])
    advance_batches(ssc, 1)
    assert batches[0].ranges == [OffsetRange(topic, 0, 2, 6), OffsetRange(topic, 1, 5, 6)]
    assert batches[1].ranges == [OffsetRange(topic, 0, 6, 6), OffsetRange(topic, 1, 6, 7)]
    assert_exact_batches(batches, written + more, start)


def test_from_offsets_names_the_partitions_to_read(make_ssc, kafka, kafka_params):
    topic = kafka.create_topic(2)
    written = kafka.produce(topic, [(p, None, f"{p}.{i}") for p in range(2) for i in range(3)])
    ssc = make_ssc()
    stream = KafkaUtils.createDirectStream(ssc, [topic], kafka_params,
                                           {TopicAndPartition(topic, 1): 0},
                                           messageHandler=handler)
    batches = record_batches(stream)
    ssc.start()
    advance_batches(ssc, 2)
    assert [b.ranges for b in batches] == [[OffsetRange(topic, 1, 0, 3)],
                                           [OffsetRange(topic, 1, 3, 3)]]
    assert all_records(batches) == expected(topic, [w for w in written if w.partition == 1])


@pytest.mark.parametrize("reset", ["smallest", "largest", "earliest", "latest"])
def test_auto_offset_reset(make_ssc, kafka, kafka_service, reset):
    topic = kafka.create_topic(2)
    before = kafka.produce(topic, [(p, None, f"old{p}") for p in range(2) for _ in range(3)])
    ssc = make_ssc()
    params = {"metadata.broker.list": kafka_service.url, "auto.offset.reset": reset}
    batches = record_batches(KafkaUtils.createDirectStream(ssc, [topic], params,
                                                           messageHandler=handler))
    # Where the stream starts was fixed when it was created: this is after the start.
    after = kafka.produce(topic, [(0, None, "new0"), (1, None, "new1")])
    ssc.start()
    advance_batches(ssc, 2)
    from_start = reset in ("smallest", "earliest")
    assert sorted(all_records(batches)) == expected(topic, (before if from_start else [])
                                                    + after)
    assert_exact_batches(batches, before + after, None if from_start else {
        TopicAndPartition(topic, p): 3 for p in range(2)})


def test_largest_is_the_default(make_ssc, kafka, kafka_service):
    topic = kafka.create_topic(1)
    kafka.produce(topic, [(0, None, "old")])
    ssc = make_ssc()
    batches = record_batches(KafkaUtils.createDirectStream(
        ssc, [topic], {"bootstrap.servers": kafka_service.url}, messageHandler=handler))
    ssc.start()
    advance_batches(ssc, 1)
    kafka.produce(topic, [(0, None, "new")])
    advance_batches(ssc, 1)
    assert [b.records for b in batches] == [[], [(topic, 0, 1, None, "new")]]


# -- rates -----------------------------------------------------------------------------------

def test_max_rate_per_partition(make_conf_ssc, kafka, kafka_params):
    # 3 records/s per partition, 2 s batches: at most 6 records per partition per batch.
    ssc = make_conf_ssc({"spark.streaming.kafka.maxRatePerPartition": "3"}, batch=2)
    topic = kafka.create_topic(2)
    written = kafka.produce(topic, [(0, None, f"a{i}") for i in range(20)]
                            + [(1, None, f"b{i}") for i in range(4)])
    batches = record_batches(KafkaUtils.createDirectStream(ssc, [topic], kafka_params,
                                                           messageHandler=handler))
    ssc.start()
    advance_batches(ssc, 5)
    assert [[r.count() for r in b.ranges] for b in batches] == \
        [[6, 4], [6, 0], [6, 0], [2, 0], [0, 0]]
    assert_exact_batches(batches, written)
    assert sorted(all_records(batches)) == expected(topic, written)


def test_backpressure_initial_rate_caps_the_first_batch(make_conf_ssc, kafka, kafka_params):
    ssc = make_conf_ssc({"spark.streaming.backpressure.enabled": "true",
                         "spark.streaming.backpressure.initialRate": "20"})
    topic = kafka.create_topic(2)
    written = kafka.produce(topic, [(0, None, f"a{i}") for i in range(300)]
                            + [(1, None, f"b{i}") for i in range(100)])
    batches = record_batches(KafkaUtils.createDirectStream(ssc, [topic], kafka_params,
                                                           messageHandler=handler))
    ssc.start()
    advance_batches(ssc, 1)
    # 20 records/s for the 1 s batch, shared out in proportion to the partitions' lag.
    assert [r.count() for r in batches[0].ranges] == [15, 5]
    # Later batches follow the rate estimated from completed batches: all arrives.
    run_until(ssc, batches, len(written), limit=60)
    assert_exact_batches(batches, written)
    assert sorted(all_records(batches)) == expected(topic, written)


# -- offsets that are not consecutive ----------------------------------------------------------

def test_compacted_topic(make_conf_ssc, kafka, kafka_params, caplog):
    # 3 offsets per 1 s batch: ranges start and end inside the compacted gaps.
    ssc = make_conf_ssc({"spark.streaming.kafka.maxRatePerPartition": "3"})
    pairs = [(k, str(i)) for i, k in enumerate("abacbadcebfa")]
    topic, written = kafka.compacted_topic(pairs)
    survivors = kafka.read_all(topic)
    end = kafka.watermarks(topic, 0)[1]
    assert len(survivors) < end
    batches = record_batches(KafkaUtils.createDirectStream(ssc, [topic], kafka_params,
                                                           messageHandler=handler))
    ssc.start()
    with caplog.at_level("WARNING", logger="sparklet.streaming.kafka"):
        advance_batches(ssc, -(-end // 3) + 1)
    ranges = [r for b in batches for r in b.ranges]
    assert all(r.count() == 3 for r in ranges[:end // 3])   # offsets, not records
    assert ranges[-1].untilOffset == end
    kept = {o for _, o, _, _ in survivors}
    survived = [w for w in written if w.offset in kept]
    assert [(w.offset, w.key, w.value) for w in survived] == [x[1:] for x in survivors]
    assert_exact_batches(batches, survived)
    assert sorted(all_records(batches)) == expected(topic, survived)
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]


@pytest.mark.parametrize("isolation", ["read_committed", "read_uncommitted"])
def test_transactional_topic(make_ssc, kafka, kafka_params, isolation):
    topic = kafka.create_topic(2)
    producer = kafka.transactional_producer()
    t1 = kafka.transaction(producer, topic, [(0, None, "c1"), (1, "k", "c2"), (0, None, "c3")])
    t2 = kafka.transaction(producer, topic, [(0, None, "a1"), (1, None, "a2")], commit=False)
    ssc = make_ssc()
    params = dict(kafka_params, **{"isolation.level": isolation})
    batches = record_batches(KafkaUtils.createDirectStream(ssc, [topic], params,
                                                           messageHandler=handler))
    ssc.start()
    advance_batches(ssc, 1)                                  # the log ends in abort markers
    t3 = kafka.transaction(producer, topic, [(0, None, "o1"), (1, None, "o2")], commit=None)
    advance_batches(ssc, 1)                                  # t3 is open
    producer.commit_transaction(30)
    kafka.wait_markers(topic, [0, 1])
    advance_batches(ssc, 2)                                  # t3 committed, then nothing
    committed = isolation == "read_committed"
    values = [[x[4] for x in sorted(b.records)] for b in batches]
    if committed:
        assert values == [["c1", "c3", "c2"], [], ["o1", "o2"], []]
    else:
        assert values == [["c1", "c3", "a1", "c2", "a2"], ["o1", "o2"], [], []]
    assert_exact_batches(batches, [w for w in t1 + t2 + t3
                                           if w.committed or not committed])
    ends = kafka.end_offsets(topic)
    assert {r.partition: r.untilOffset for r in batches[-1].ranges} == ends
    # Markers took offsets and never showed as records.
    assert sum(len(b.records) for b in batches) < sum(ends.values())


# -- topics and partitions that appear -----------------------------------------------------------

def test_new_partition_is_picked_up(make_ssc, kafka, kafka_params):
    topic = kafka.create_topic(1)
    written = kafka.produce(topic, [(0, None, "a"), (0, None, "b")])
    ssc = make_ssc()
    batches = record_batches(KafkaUtils.createDirectStream(ssc, [topic], kafka_params,
                                                           messageHandler=handler))
    ssc.start()
    advance_batches(ssc, 1)
    kafka.add_partitions(topic, 3)
    written += kafka.produce(topic, [(2, None, "c"), (1, "k", "d"), (0, None, "e"),
                                     (2, None, "f")])
    advance_batches(ssc, 2)
    assert [len(b.ranges) for b in batches] == [1, 3, 3]
    assert batches[1].ranges == [OffsetRange(topic, 0, 2, 3), OffsetRange(topic, 1, 0, 1),
                                 OffsetRange(topic, 2, 0, 2)]
    assert_exact_batches(batches, written)
    assert sorted(all_records(batches)) == expected(topic, written)


def test_subscribe_pattern_picks_up_a_new_matching_topic(make_ssc, kafka, kafka_params):
    prefix = kafka.unique_name("pattern")
    first = kafka.create_topic(1, name=f"{prefix}-first")
    other = kafka.create_topic(1, name=f"other-{prefix}")
    kafka.produce(other, [(0, None, "not matching")])
    w_first = kafka.produce(first, [(0, None, "f1")])
    ssc = make_ssc()
    stream = KafkaUtils.createDirectStream(ssc, SubscribePattern(prefix + r"-.*"),
                                           kafka_params, messageHandler=handler)
    batches = record_batches(stream)
    ssc.start()
    advance_batches(ssc, 1)
    second = kafka.create_topic(2, name=f"{prefix}-second")
    w_second = kafka.produce(second, [(1, None, "s1"), (0, None, "s2")])
    w_first += kafka.produce(first, [(0, None, "f2")])
    advance_batches(ssc, 2)
    assert [sorted({r.topic for r in b.ranges}) for b in batches] == \
        [[first], [first, second], [first, second]]
    # The new topic is read from its start.
    assert [r for r in batches[1].ranges if r.topic == second] == [
        OffsetRange(second, 0, 0, 1), OffsetRange(second, 1, 0, 1)]
    assert sorted(all_records(batches)) == sorted(expected(first, w_first)
                                                  + expected(second, w_second))


# -- committed offsets ---------------------------------------------------------------------------

def test_commit_async_then_a_new_stream_resumes_from_the_group(make_ssc, kafka, kafka_service):
    topic = kafka.create_topic(2)
    group = kafka.unique_name("group")
    params = {"metadata.broker.list": kafka_service.url, "group.id": group,
              "auto.offset.reset": "smallest"}
    first = kafka.produce(topic, [(p, None, f"first{p}.{i}") for p in range(2)
                                  for i in range(4)])
    ssc = make_ssc()
    stream = KafkaUtils.createDirectStream(ssc, [topic], params, messageHandler=handler)
    got, commits = [], []

    def process_then_commit(rdd):
        got.extend(rdd.collect())
        stream.commitAsync(rdd.offsetRanges(), lambda ranges, err: commits.append(
            (ranges, err)))

    stream.foreachRDD(process_then_commit)
    ssc.start()
    advance_batches(ssc, 2)
    ssc.stop(stopSparkContext=False)          # commits what is still queued
    assert sorted(got) == expected(topic, first)
    assert commits and all(err is None for _, err in commits)
    assert commits[0][0] == [OffsetRange(topic, 0, 0, 4), OffsetRange(topic, 1, 0, 4)]
    # The plain client sees the group's offsets.
    assert kafka.committed(group, topic) == {0: 4, 1: 4}

    second = kafka.produce(topic, [(p, None, f"second{p}") for p in range(2)])
    ssc2 = make_ssc()
    batches = record_batches(KafkaUtils.createDirectStream(ssc2, [topic], params,
                                                           messageHandler=handler))
    ssc2.start()
    advance_batches(ssc2, 1)
    assert batches[0].ranges == [OffsetRange(topic, 0, 4, 5), OffsetRange(topic, 1, 4, 5)]
    assert sorted(batches[0].records) == expected(topic, second)


def test_commit_async_needs_a_group(make_ssc, kafka, kafka_params):
    topic = kafka.create_topic(1)
    ssc = make_ssc()
    stream = KafkaUtils.createDirectStream(ssc, [topic], kafka_params)
    with pytest.raises(ValueError, match="group.id"):
        stream.commitAsync([OffsetRange(topic, 0, 0, 0)])


# -- what a batch reports ------------------------------------------------------------------------

class InputInfos(StreamingListener):
    def __init__(self):
        self.infos = []

    def onBatchCompleted(self, batchCompleted):
        self.infos.extend(batchCompleted.batchInfo().streamIdToInputInfo().values())


def test_batch_input_info(make_ssc, kafka, kafka_params):
    # Spark's DirectKafkaInputDStream reports the offsets' count, the ranges, and a
    # description of the non-empty ranges, one line each (the streaming UI shows it).
    topic = kafka.create_topic(2)
    kafka.produce(topic, [(0, None, "a"), (0, None, "b"), (1, None, "c")])
    ssc = make_ssc()
    listener = InputInfos()
    ssc.addStreamingListener(listener)
    stream = KafkaUtils.createDirectStream(ssc, [topic], kafka_params)
    batches = record_batches(stream)
    ssc.start()
    advance_batches(ssc, 1)
    kafka.produce(topic, [(1, None, "d")])
    advance_batches(ssc, 1)
    assert len(listener.infos) == 2                    # one input stream, two batches
    assert [i.numRecords() for i in listener.infos] == [3, 1]
    assert [i.metadata()["offsets"] for i in listener.infos] == [b.ranges for b in batches]
    assert [i.metadataDescription() for i in listener.infos] == [
        f"topic: {topic}\tpartition: 0\toffsets: 0 to 2\n"
        f"topic: {topic}\tpartition: 1\toffsets: 0 to 1",
        f"topic: {topic}\tpartition: 1\toffsets: 1 to 2"]
