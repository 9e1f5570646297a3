"""KafkaSink against a real Apache Kafka broker: at-least-once delivery, and transactions
keyed by batch time that commit each (batch, partition) once, through reruns, retried tasks
and zombie producers. Argument checks and record encoding need no broker.

Read-backs wait for the consumer to reach the high watermark the broker reported after the
write, so a transaction whose commit markers are still being written is waited for, not
missed."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparklet import SparkConf, SparkException, TaskContext
from sparklet.streaming.sources.kafka import sink as sink_module
from sparklet.streaming.sources.kafka.sink import (
    KafkaSink,
    _key_value,
    save_to_kafka,
)
from sparklet.streaming.testing import advance_batches

LOCAL = {"bootstrap.servers": "127.0.0.1:9"}  # never contacted by the argument tests


# -- no broker -----------------------------------------------------------------------------


def test_transactional_needs_a_sink_id():
    with pytest.raises(ValueError, match="needs a sink_id"):
        KafkaSink("t", LOCAL, transactional=True)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"topic": ""}, ValueError, "topic must be a non-empty string"),
    ({"kafkaParams": {"group.id": "g"}}, ValueError, "bootstrap.servers"),
    ({"kafkaParams": {**LOCAL, "transactional.id": "x"}}, ValueError,
     "must not set transactional.id"),
    ({"sink_id": 7}, ValueError, "sink_id must be a non-empty string"),
    ({"record_to_kv": "not a function"}, TypeError, "record_to_kv must be a function"),
    ({"timeout": 0}, ValueError, "timeout must be positive"),
])
def test_bad_arguments(kwargs, error, match):
    args = {"topic": "t", "kafkaParams": LOCAL, **kwargs}
    with pytest.raises(error, match=match):
        KafkaSink(args.pop("topic"), args.pop("kafkaParams"), **args)


def test_transactional_sink_writes_batches_not_plain_rdds(sc):
    sink = KafkaSink("t", LOCAL, sink_id="s", transactional=True)
    with pytest.raises(ValueError, match="use write_batch"):
        sink.write(sc.parallelize([1]))
    with pytest.raises(ValueError, match="must not be negative"):
        sink.write_batch(-1, sc.parallelize([1]))
    with pytest.raises(ValueError, match="use write_batch"):
        save_to_kafka(sc.parallelize([1]), "t", LOCAL, sink_id="s", transactional=True)


def test_ids_are_stable_per_sink_and_partition():
    a = KafkaSink("t", LOCAL, sink_id="orders", transactional=True)
    b = KafkaSink("other-topic", {"metadata.broker.list": "h:1"}, sink_id="orders",
                  transactional=True)
    assert a.transactional_id(2) == b.transactional_id(2)
    assert len({a.transactional_id(p) for p in range(3)}) == 3
    assert a.transactional_id(0) != KafkaSink("t", LOCAL, sink_id="x").transactional_id(0)
    with pytest.raises(ValueError, match="only a sink with a sink_id"):
        KafkaSink("t", LOCAL).transactional_id(0)
    with pytest.raises(ValueError, match="only a transactional KafkaSink keeps"):
        KafkaSink("t", LOCAL, sink_id="x").last_committed(0)


def test_a_sink_survives_a_checkpoint():
    """foreachRDD functions are pickled into the metadata checkpoint."""
    import cloudpickle

    sink = KafkaSink("t", LOCAL, sink_id="s", transactional=True,
                     record_to_kv=lambda r: (None, str(r)))
    back = cloudpickle.loads(cloudpickle.dumps(sink))
    assert (back.topic, back.sink_id, back.transactional) == ("t", "s", True)
    assert back.transactional_id(4) == sink.transactional_id(4)
    assert back.record_to_kv(5) == (None, "5")


@pytest.mark.parametrize("record, expected", [
    (("k", "v"), (b"k", b"v")),
    ((b"\x00k", b"\xffv"), (b"\x00k", b"\xffv")),
    ("é", (None, "é".encode())),
    (b"raw", (None, b"raw")),
    ((None, "v"), (None, b"v")),
    (("k", None), (b"k", None)),
    (None, (None, None)),
    ((bytearray(b"ba"), memoryview(b"mv")), (b"ba", b"mv")),
])
def test_records_become_keys_and_values(record, expected):
    assert _key_value(record, None) == expected


@pytest.mark.parametrize("record, to_kv, match", [
    (5, None, "value must be bytes, str or None, not int"),
    ((1, "v"), None, "key must be bytes, str or None, not int"),
    (("a", "b", "c"), None, "value must be bytes, str or None, not tuple"),
    (["k", "v"], None, "value must be bytes, str or None, not list"),
    ("x", lambda r: r, "record_to_kv must return a \\(key, value\\) tuple"),
    ("x", lambda r: (r, 1.5), "value must be bytes, str or None, not float"),
])
def test_records_that_are_not_bytes_str_or_none_are_refused(record, to_kv, match):
    with pytest.raises(TypeError, match=match):
        _key_value(record, to_kv)


text_or_bytes = st.one_of(st.none(), st.text(max_size=8), st.binary(max_size=8))


@settings(max_examples=100, deadline=None)
@given(st.one_of(text_or_bytes, st.tuples(text_or_bytes, text_or_bytes)))
def test_encoding_matches_the_model(record):
    assert Counter([_key_value(record, None)]) == encoded([record])


def test_record_to_kv_maps_each_record():
    assert _key_value(("w", 3), lambda kv: (kv[0], str(kv[1]))) == (b"w", b"3")


# -- against the broker --------------------------------------------------------------------


@pytest.fixture(scope="module")
def ck(kafka_service):
    from services import require_module

    return require_module("confluent_kafka", "confluent-kafka")


@pytest.fixture
def params(kafka_service, ck):
    return {"bootstrap.servers": kafka_service.url}


def new_topic(ck, params, partitions: int = 1, **config) -> str:
    from confluent_kafka.admin import AdminClient, NewTopic

    name = f"sink-{uuid.uuid4().hex[:10]}"
    admin = AdminClient(params)
    for future in admin.create_topics([NewTopic(name, partitions, 1, config=config)],
                                      operation_timeout=30).values():
        future.result(60)
    return name


def read_topic(ck, params, topic: str, committed: bool = True,
               timeout: float = 60.0) -> Counter:
    """Every record of ``topic`` as a multiset of (key, value), read up to the high
    watermark each partition had when called (a read_committed read goes on until the
    transactions below it are decided)."""
    import time

    # The probe must not be read_committed (librdkafka's default): its watermark query then
    # answers the last stable offset, which stays below a just-committed transaction's
    # records until the broker has written its commit markers.
    probe = ck.Consumer({**params, "group.id": f"probe-{uuid.uuid4().hex}",
                         "isolation.level": "read_uncommitted"})
    try:
        parts = sorted(probe.list_topics(topic, timeout=30).topics[topic].partitions)
        ends = {p: probe.get_watermark_offsets(ck.TopicPartition(topic, p), 30,
                                               cached=False)[1] for p in parts}
    finally:
        probe.close()
    consumer = ck.Consumer({**params, "group.id": f"reader-{uuid.uuid4().hex}",
                            "enable.auto.commit": False,
                            "isolation.level": "read_committed" if committed
                            else "read_uncommitted"})
    out: Counter = Counter()
    try:
        tps = [ck.TopicPartition(topic, p, ck.OFFSET_BEGINNING) for p in parts]
        consumer.assign(tps)
        deadline = time.monotonic() + timeout
        while True:
            positions = {tp.partition: tp.offset for tp in consumer.position(tps)}
            if all(ends[p] == 0 or positions[p] >= ends[p] for p in parts):
                return out
            assert time.monotonic() < deadline, f"read {positions}, ends {ends}"
            msg = consumer.poll(0.2)
            if msg is not None and msg.error() is None:
                out[(msg.key(), msg.value())] += 1
    finally:
        consumer.close()


def encoded(records) -> Counter:
    """The plain-Python model of what a record becomes in Kafka."""
    def enc(x):
        return x.encode() if isinstance(x, str) else x
    return Counter((enc(r[0]), enc(r[1])) if isinstance(r, tuple) else (None, enc(r))
                   for r in records)


RECORDS = [("a", "1"), ("b", "2"), ("a", "1"), "plain", b"\x00bytes", (None, "no key"),
           ("k", None), ("ü", "ö")] + [(f"key{i}", f"value{i}") for i in range(40)]


def test_at_least_once_delivers_every_record(sc, ck, params):
    topic = new_topic(ck, params, partitions=2)
    sink = KafkaSink(topic, params)
    assert sink.write(sc.parallelize(RECORDS, 3)) == len(RECORDS)
    assert read_topic(ck, params, topic, committed=False) == encoded(RECORDS)
    # A second write of the same data is written again: at least once, not exactly once.
    assert save_to_kafka(sc.parallelize(RECORDS, 2), topic, params) == len(RECORDS)
    assert read_topic(ck, params, topic, committed=False) == encoded(RECORDS * 2)


def test_a_record_the_broker_refuses_fails_the_task(sc, ck, params):
    topic = new_topic(ck, params, **{"max.message.bytes": "10000"})
    sink = KafkaSink(topic, {**params, "message.max.bytes": 1_000_000,
                             "message.timeout.ms": 30_000})
    with pytest.raises(SparkException, match="were not delivered") as info:
        sink.write(sc.parallelize(["small", "x" * 50_000], 1))
    assert "MSG_SIZE_TOO_LARGE" in str(info.value) or "too large" in str(info.value)


def test_a_refused_record_aborts_the_transaction_of_its_partition(sc, ck, params):
    topic = new_topic(ck, params, **{"max.message.bytes": "10000"})
    sink = KafkaSink(topic, {**params, "message.max.bytes": 1_000_000}, sink_id=f"s-{topic}",
                     transactional=True)
    # The broker refuses the big record's request; librdkafka then refuses further records
    # or the commit, depending on when the refusal arrives.
    with pytest.raises(SparkException, match="(?s)KafkaSinkError.*could not (commit batch "
                                             "1000|produce record 2)"):
        sink.write_batch(1000, sc.parallelize(["small", "x" * 50_000, "after"], 1))
    assert sink.last_committed(0) is None
    assert sink.write_batch(1000, sc.parallelize(["small", "after"], 1)) == 2
    assert read_topic(ck, params, topic) == encoded(["small", "after"])


def test_rerun_batch_writes_nothing_twice_and_a_new_batch_writes_again(sc, ck, params):
    topic = new_topic(ck, params, partitions=2)
    sink = KafkaSink(topic, params, sink_id=f"s-{topic}", transactional=True)
    rdd = sc.parallelize(RECORDS, 2)
    assert [sink.last_committed(p) for p in (0, 1)] == [None, None]
    assert sink.write_batch(1000, rdd) == len(RECORDS)
    assert sink.write_batch(1000, rdd) == 0
    assert read_topic(ck, params, topic) == encoded(RECORDS)
    assert [sink.last_committed(p) for p in (0, 1)] == [1000, 1000]
    assert sink.write_batch(2000, rdd) == len(RECORDS)
    for _ in range(3):  # reruns land on either worker, with a cached producer or a new one
        assert sink.write_batch(2000, rdd) == 0
        assert sink.write_batch(1000, rdd) == 0
    assert read_topic(ck, params, topic) == encoded(RECORDS * 2)
    assert [sink.last_committed(p) for p in (0, 1)] == [2000, 2000]


def test_each_partition_of_a_batch_is_committed_once(sc, ck, params):
    """Partitions commit independently: a rerun of a batch whose partition 0 alone was
    committed writes partition 1 only."""
    topic = new_topic(ck, params)
    sink = KafkaSink(topic, params, sink_id=f"s-{topic}", transactional=True)
    parts = [["p0-a", "p0-b"], ["p1-a", "p1-b", "p1-c"]]
    # Partition 0 alone first (an RDD of one partition is partition 0).
    assert sink.write_batch(5000, sc.parallelize(parts[0], 1)) == 2
    assert sink.write_batch(5000, sc.parallelize(parts[0] + parts[1], 2)) == 3
    assert read_topic(ck, params, topic) == encoded(parts[0] + parts[1])
    assert [sink.last_committed(p) for p in (0, 1)] == [5000, 5000]


class FailAfter:
    """record_to_kv that raises after ``n`` records of partition ``partition`` in the
    first attempt of its task (leaving the file ``flag`` to say so), and maps records as
    the sink does otherwise. With ``after`` = (sink, partition, time) it raises only once
    that partition's commit of ``time`` is visible (bounded wait), so no task of the
    failed job still runs when the test reruns the batch: a task left running could start
    its transaction after the rerun's and fence the rerun instead."""

    def __init__(self, n: int, flag: str, partition: int = 1, after=None):
        self.n, self.flag, self.partition, self.after = n, flag, partition, after
        self.seen = 0

    def __call__(self, record):
        ctx = TaskContext.get()
        if ctx.partitionId() == self.partition and ctx.attemptNumber() == 0:
            self.seen += 1
            if self.seen > self.n:
                self._wait_for_commit()
                open(self.flag, "w").close()
                raise RuntimeError("record_to_kv failed half-way")
        return record if isinstance(record, tuple) else (None, record)

    def _wait_for_commit(self):
        import time

        if self.after is None:
            return
        sink, partition, batch = self.after
        deadline = time.monotonic() + 60
        while sink.last_committed(partition) != batch:
            assert time.monotonic() < deadline, "the other partition never committed"
            time.sleep(0.05)


def test_a_failed_partition_leaves_nothing_visible_and_its_rerun_lands_once(
        sc, ck, params, tmp_path):
    topic = new_topic(ck, params, partitions=2)
    records = [(f"k{i}", f"v{i}") for i in range(200)]
    sink = KafkaSink(topic, params, sink_id=f"s-{topic}", transactional=True)
    flag = str(tmp_path / "failed")
    failing = KafkaSink(topic, params, sink_id=sink.sink_id, transactional=True,
                        record_to_kv=FailAfter(50, flag, after=(sink, 0, 1000)))
    with pytest.raises(SparkException, match="record_to_kv failed half-way"):
        failing.write_batch(1000, sc.parallelize(records, 2))
    assert os.path.exists(flag)
    assert (sink.last_committed(0), sink.last_committed(1)) == (1000, None)
    # The batch rerun (same time, same sink id) writes what the failed run did not.
    assert sink.write_batch(1000, sc.parallelize(records, 2)) == 100
    assert read_topic(ck, params, topic) == encoded(records)


def test_a_retried_task_commits_once(make_context, ck, params, tmp_path):
    sc = make_context(SparkConf().set("spark.task.maxFailures", "2"))
    topic = new_topic(ck, params)
    records = [f"r{i}" for i in range(120)]
    flag = str(tmp_path / "failed")
    sink = KafkaSink(topic, params, sink_id=f"s-{topic}", transactional=True,
                     record_to_kv=FailAfter(30, flag))
    assert sink.write_batch(1000, sc.parallelize(records, 2)) == 120
    assert os.path.exists(flag)  # the first attempt did fail half-way
    assert read_topic(ck, params, topic) == encoded(records)



def test_a_record_that_is_not_bytes_or_str_aborts_its_transaction(sc, ck, params):
    topic = new_topic(ck, params)
    sink = KafkaSink(topic, params, sink_id=f"s-{topic}", transactional=True)
    with pytest.raises(SparkException, match="value must be bytes, str or None, not int"):
        sink.write_batch(1000, sc.parallelize(["fine", "also fine", 3], 1))
    assert sink.last_committed(0) is None
    assert sink.write_batch(1000, sc.parallelize(["fine", "3"], 1)) == 2
    assert read_topic(ck, params, topic) == encoded(["fine", "3"])


def test_a_zombie_producer_is_fenced(sc, ck, params):
    """A producer of an earlier attempt, still holding an open transaction with the id of
    partition 0, can neither commit afterwards nor leave its records visible."""
    topic = new_topic(ck, params)
    sink = KafkaSink(topic, params, sink_id=f"s-{topic}", transactional=True)
    zombie = ck.Producer({**params, "transactional.id": sink.transactional_id(0)})
    zombie.init_transactions(60)
    zombie.begin_transaction()
    zombie.produce(topic, b"from the zombie")
    zombie.flush(60)
    assert sink.write_batch(1000, sc.parallelize(["from the task"], 1)) == 1
    with pytest.raises(ck.KafkaException):
        zombie.commit_transaction(60)
    assert read_topic(ck, params, topic) == encoded(["from the task"])
    # The zombie's record did reach the log: it is hidden because its transaction aborted.
    assert read_topic(ck, params, topic, committed=False) == encoded(
        ["from the task", b"from the zombie"])


def test_a_cached_producer_fenced_by_another_is_replaced(ck, params, caplog):
    """A worker keeps its producer between batches; when another process took the
    partition's transactional.id since (as another worker does for a later batch), the
    kept producer is refused before any record is taken and a new one writes the batch.
    The task function runs here, in the test process, so the kept producer is known."""
    topic = new_topic(ck, params)
    sink = KafkaSink(topic, params, sink_id=f"s-{topic}", transactional=True)
    try:
        _in_this_process(ck, params, topic, sink, caplog)
    finally:
        sink_module._clients.clear()


def _in_this_process(ck, params, topic, sink, caplog):
    assert sink._writer(1000)(0, iter(["batch 1"])) == [1]
    other = ck.Producer({**params, "transactional.id": sink.transactional_id(0)})
    other.init_transactions(60)
    other.begin_transaction()
    other.produce(topic, b"from the other")
    other.flush(60)
    with caplog.at_level("INFO", "sparklet.streaming.kafka"):
        assert sink._writer(2000)(0, iter(["batch 2"])) == [1]
    assert "the kept producer was fenced" in caplog.text
    assert sink._writer(2000)(0, iter(["batch 2"])) == [0]
    with pytest.raises(ck.KafkaException):
        other.commit_transaction(60)
    assert read_topic(ck, params, topic) == encoded(["batch 1", "batch 2"])


def test_dstream_batches_are_written_once_through_reruns(sc, make_ssc, ck, params):
    topic = new_topic(ck, params, partitions=2)
    batches = [[("w", "1"), ("x", "2")], [("y", "3")], []]
    ssc = make_ssc()
    stream = ssc.queueStream([sc.parallelize(b, 2) for b in batches])
    sink = save_to_kafka(stream, topic, params, sink_id=f"s-{topic}", transactional=True)
    ssc.start()
    assert advance_batches(ssc, 3) == [1000, 2000, 3000]
    # A rerun of batch 1 (as recovery would run it), with foreachRDD's naive local time.
    sink(datetime.fromtimestamp(1.0), sc.parallelize(batches[0], 2))
    assert read_topic(ck, params, topic) == encoded(batches[0] + batches[1])
    assert sink.last_committed(0) == 1000 and sink.last_committed(1) == 2000


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3)), min_size=1, max_size=5))
def test_batches_and_reruns_in_any_order_match_the_model(sc, ck, params, runs):
    """Runs of batches (time, number of partitions), reruns and late reruns included: the
    topic holds what a plain-Python model of "a partition commits a batch time after its
    last committed one" says."""
    topic = new_topic(ck, params, partitions=2)
    sink = KafkaSink(topic, params, sink_id=f"s-{topic}", transactional=True)
    last: dict[int, int] = {}
    expected: list[str] = []
    parts_of: dict[int, int] = {}
    for t, parts in runs:
        parts = parts_of.setdefault(t, parts)  # a rerun regenerates the same partitions
        # Equal slices, so parallelize gives partition p exactly slice p.
        slices = [[f"{t}/{p}/{i}" for i in range(3)] for p in range(parts)]
        rdd = sc.parallelize([r for sl in slices for r in sl], parts)
        want = 0
        for p, sl in enumerate(slices):
            if t * 1000 > last.get(p, -1):
                last[p] = t * 1000
                expected += sl
                want += len(sl)
        assert sink.write_batch(t * 1000, rdd) == want
    assert read_topic(ck, params, topic) == encoded(expected)


def test_tasks_sharing_one_process_keep_their_own_transactions(make_context, ck, params):
    """The threads backend runs tasks side by side in one process: they share the kept
    plain producer and each takes its own transactional one."""
    sc = make_context(SparkConf().setMaster("local[4]")
                      .set("spark.sparklet.backend", "threads"))
    topic = new_topic(ck, params, partitions=3)
    records = [(f"k{i % 7}", f"v{i}") for i in range(400)]
    rdd = sc.parallelize(records, 4)
    assert KafkaSink(topic, params).write(rdd) == 400
    sink = KafkaSink(topic, params, sink_id=f"s-{topic}", transactional=True)
    for t in (1000, 2000, 2000, 1000, 3000):
        sink.write_batch(t, rdd)
    assert read_topic(ck, params, topic, committed=False) >= encoded(records * 4)
    assert read_topic(ck, params, topic) == encoded(records * 4)
