"""The receiver-based Kafka stream (``KafkaUtils.createStream``) against a real Apache Kafka
broker: records arrive exactly once and decoded, the consumer group's committed offsets are
what was received, a second stream of the group resumes after them, two streams of a group
split its partitions, ``maxRate`` paces the receiver; with the write-ahead log the offsets
are committed only once their block is in the log, so neither a receiver killed with its
executor nor a SIGKILLed driver loses a record. Bad arguments and settings fail at
``createStream``; an unreachable cluster or a missing topic is reported to the driver."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from receiver_helpers import WAIT, info_of, receiver_conf, wait_until

from sparklet.streaming import StreamingContext
from sparklet.streaming.listener import StreamingListener

kafka = pytest.importorskip("confluent_kafka")
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

from sparklet.streaming.kafka import KafkaUtils  # noqa: E402
from sparklet.streaming.sources.kafka.receiver import (  # noqa: E402
    KafkaReceiver,
    ReliableKafkaReceiver,
)

EARLIEST = {"auto.offset.reset": "smallest"}


# -- the broker's side ---------------------------------------------------------------------

@pytest.fixture
def broker(kafka_service) -> str:
    return kafka_service.url


def new_topic(broker: str, partitions: int = 2) -> str:
    name = f"receiver-{uuid.uuid4().hex[:10]}"
    admin = AdminClient({"bootstrap.servers": broker})
    futures = admin.create_topics([NewTopic(name, partitions, 1)], operation_timeout=30)
    futures[name].result(WAIT)
    return name


def produce(broker: str, topic: str, records: list[tuple[bytes | None, bytes]]) -> None:
    """Writes ``records`` round-robin over the topic's partitions (keys decide nothing)."""
    producer = kafka.Producer({"bootstrap.servers": broker, "linger.ms": 5})
    partitions = len(producer.list_topics(topic, timeout=WAIT).topics[topic].partitions)
    for i, (key, value) in enumerate(records):
        producer.produce(topic, value, key, partition=i % partitions)
    assert producer.flush(WAIT) == 0


def numbered(prefix: str, n: int) -> list[tuple[bytes | None, bytes]]:
    """Records with str keys (every fifth without a key) and non-ASCII values."""
    return [(None if i % 5 == 0 else f"{prefix}-k{i}".encode(),
             f"{prefix} värde {i}".encode()) for i in range(n)]


def decoded(records) -> Counter:
    return Counter((None if k is None else k.decode(), v.decode()) for k, v in records)


def group_reader(broker: str, group: str):
    """A consumer that only reads the group's commits (it never subscribes or joins)."""
    return kafka.Consumer({"bootstrap.servers": broker, "group.id": group,
                           "enable.auto.commit": False})


def committed(broker: str, group: str, topic: str, consumer=None) -> dict[int, int]:
    """The group's committed offset per partition (-1001 when none)."""
    reader = consumer or group_reader(broker, group)
    try:
        parts = reader.list_topics(topic, timeout=WAIT).topics[topic].partitions
        tps = [kafka.TopicPartition(topic, p) for p in sorted(parts)]
        return {tp.partition: tp.offset for tp in reader.committed(tps, timeout=WAIT)}
    finally:
        if consumer is None:
            reader.close()


def members(broker: str, group: str, timeout: float = WAIT) -> list:
    admin = AdminClient({"bootstrap.servers": broker})
    futures = admin.describe_consumer_groups([group], request_timeout=timeout)
    return futures[group].result(timeout).members


def log_ends(broker: str, topic: str) -> dict[int, int]:
    consumer = kafka.Consumer({"bootstrap.servers": broker, "group.id": "watermarks"})
    try:
        parts = consumer.list_topics(topic, timeout=WAIT).topics[topic].partitions
        return {p: consumer.get_watermark_offsets(kafka.TopicPartition(topic, p),
                                                  timeout=WAIT)[1] for p in sorted(parts)}
    finally:
        consumer.close()


# -- the streaming side --------------------------------------------------------------------

class Events(StreamingListener):
    def __init__(self):
        super().__init__()
        self.errors: list = []
        self.started: list = []

    def onReceiverStarted(self, receiverStarted):
        self.started.append(info_of(receiverStarted))

    def onReceiverError(self, receiverError):
        self.errors.append(info_of(receiverError))


_collected: dict[int, list] = {}


class Collect:
    """``foreachRDD`` function appending each batch to ``_collected[key]``; holds only the
    key, so a checkpointed graph pickles it."""

    def __init__(self, key: int):
        self.key = key

    def __call__(self, rdd) -> None:
        _collected[self.key].extend(rdd.collect())


class Run:
    """A started StreamingContext (real clock, 0.2 s batches) over one Kafka stream, with
    every record of every batch collected."""

    def __init__(self, ctx, checkpoint: str | None = None, **create):
        self.ssc = StreamingContext(ctx, 0.2)
        if checkpoint:
            self.ssc.checkpoint(checkpoint)
        self.events = Events()
        self.ssc.addStreamingListener(self.events)
        self.records: list = _collected.setdefault(id(self), [])
        KafkaUtils.createStream(self.ssc, **create).foreachRDD(Collect(id(self)))
        self.ssc.start()

    def count(self) -> int:
        return len(self.records)

    @property
    def tracker(self):
        return self.ssc._receiver_tracker

    @property
    def stream_id(self) -> int:
        return self.ssc._graph.receiver_input_streams[0].input_stream_id

    def stop(self) -> list:
        self.ssc.stop(stopSparkContext=False, stopGraceFully=True)
        return _collected.pop(id(self), self.records)


def run_until(ctx, n: int, **create) -> Run:
    run = Run(ctx, **create)
    try:
        assert wait_until(lambda: run.count() >= n), (run.count(), run.events.errors)
    finally:
        run.stop()
    return run


# -- without a broker ----------------------------------------------------------------------

def test_topics_must_be_a_dict_of_positive_thread_counts(sc):
    ssc = StreamingContext(sc, 1)
    with pytest.raises(TypeError, match="^topics should be dict$"):
        KafkaUtils.createStream(ssc, "127.0.0.1:9", "g", ["t"])
    for bad in ({"t": 0}, {"t": -1}, {"t": 1.0}, {"t": True}, {"t": "2"}):
        with pytest.raises(ValueError, match="positive int"):
            KafkaUtils.createStream(ssc, "127.0.0.1:9", "g", bad)
    with pytest.raises(ValueError, match="at least one topic"):
        KafkaUtils.createStream(ssc, "127.0.0.1:9", "g", {})
    with pytest.raises(TypeError, match="kafkaParams should be dict"):
        KafkaUtils.createStream(ssc, "127.0.0.1:9", "g", {"t": 1}, [("a", "b")])
    with pytest.raises(ValueError, match="groupId"):
        KafkaUtils.createStream(ssc, "127.0.0.1:9", "", {"t": 1})
    # librdkafka's verdict on the settings comes at once, on the driver.
    with pytest.raises(ValueError, match='No such configuration property: "no.such"'):
        KafkaUtils.createStream(ssc, "127.0.0.1:9", "g", {"t": 1}, {"no.such": "x"})
    with pytest.raises(ValueError, match="session.timeout.ms"):
        KafkaUtils.createStream(ssc, "127.0.0.1:9", "g", {"t": 1}, {"session.timeout.ms": "x"})
    assert ssc._graph.receiver_input_streams == []


def test_a_missing_client_names_the_extra(sc, monkeypatch):
    monkeypatch.setitem(sys.modules, "confluent_kafka", None)
    with pytest.raises(ImportError, match=r"pip install 'sparklet\[kafka\]'"):
        KafkaUtils.createStream(StreamingContext(sc, 1), "127.0.0.1:9", "g", {"t": 1})


def receiver_of(ssc) -> KafkaReceiver:
    return ssc._graph.receiver_input_streams[-1].getReceiver()


def test_zk_quorum_is_the_bootstrap_servers_unless_kafka_params_name_them(sc, caplog):
    ssc = StreamingContext(sc, 1)
    caplog.set_level("INFO", logger="sparklet.streaming.kafka")
    KafkaUtils.createStream(ssc, "127.0.0.1:1234", "g1", {"t": 3},
                            {"group.id": "ignored", "zookeeper.connect": "zk:2181"})
    first = receiver_of(ssc)
    assert first.conf["bootstrap.servers"] == "127.0.0.1:1234"
    assert first.conf["group.id"] == "g1" and "zookeeper.connect" not in first.conf
    assert first.topics == {"t": 3} and type(first) is KafkaReceiver
    assert "using zkQuorum '127.0.0.1:1234' as the bootstrap servers" in caplog.text
    for params in ({"metadata.broker.list": "127.0.0.1:5678"},
                   {"bootstrap.servers": "127.0.0.1:5678"}):
        KafkaUtils.createStream(ssc, "zk:2181", "g2", {"t": 1}, params)
        assert receiver_of(ssc).conf["bootstrap.servers"] == "127.0.0.1:5678"
    assert "zkQuorum 'zk:2181' is not used" in caplog.text


def test_an_unreachable_cluster_is_reported_not_a_silent_stall(sc):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = Run(sc, zkQuorum=f"127.0.0.1:{port}", groupId="nobody", topics={"t": 1})
    try:
        assert wait_until(lambda: run.events.errors), "no ReceiverError"
    finally:
        run.stop()
    message = run.events.errors[0].lastErrorMessage
    assert f"brokers 127.0.0.1:{port}" in message and "keeps retrying" in message


# -- against the broker --------------------------------------------------------------------

def test_records_arrive_exactly_and_a_second_stream_resumes_after_the_commits(sc, broker):
    topic, group = new_topic(broker), f"group-{uuid.uuid4().hex[:8]}"
    first = numbered("a", 400)
    produce(broker, topic, first)
    run = run_until(sc, len(first), zkQuorum=broker, groupId=group, topics={topic: 2},
                    kafkaParams=EARLIEST)
    assert Counter(run.records) == decoded(first)
    assert (None, "a värde 0") in run.records  # a record without a key keeps None
    assert run.events.started[0].name == "KafkaReceiver"
    assert committed(broker, group, topic) == log_ends(broker, topic) == {0: 200, 1: 200}
    assert members(broker, group) == []  # the stopped receiver's consumer left the group

    # The group resumes after its commits: "smallest" would re-read the first 400.
    second = numbered("b", 100)
    produce(broker, topic, second)
    run = run_until(sc, len(second), zkQuorum=broker, groupId=group, topics={topic: 1},
                    kafkaParams=EARLIEST, keyDecoder=lambda k: k,
                    valueDecoder=lambda v: len(v))
    assert Counter(run.records) == Counter((k, len(v)) for k, v in second)
    assert committed(broker, group, topic) == {0: 250, 1: 250}


def test_reliable_receiver_commits_only_what_the_write_ahead_log_holds(
        make_context, broker, tmp_path, monkeypatch):
    """Offsets are committed only once their block is in the log: whenever the driver
    starts logging a block, the group's commits cover no more than the blocks already
    logged. Then the receiver is killed mid-stream with its executor, and the relaunched one
    re-reads from the last commit: every record arrives (duplicates only of the uncommitted
    tail)."""
    from sparklet.streaming.recovery.wal import WriteAheadLog

    ctx = make_context(receiver_conf("local[3]", **{
        "spark.streaming.receiver.writeAheadLog.enable": "true"}))
    topic, group = new_topic(broker), f"group-{uuid.uuid4().hex[:8]}"
    reader = group_reader(broker, group)
    logged = [0]            # records in the driver's write-ahead log
    ahead: list = []        # (committed, logged) seen while a block was not yet logged

    def checked(write):
        def checked_write(wal, block_id, num_records, *rest):
            done = sum(max(o, 0) for o in committed(broker, group, topic, reader).values())
            if done > logged[0]:
                ahead.append((done, logged[0]))
            ref = write(wal, block_id, num_records, *rest)
            logged[0] += num_records
            return ref
        return checked_write

    # The driver logs a block (local backend), or where the receiver's executor logged it
    # (Dask): either way the block is durable once the driver's record is.
    for name in ("write_block", "write_block_ref"):
        monkeypatch.setattr(WriteAheadLog, name, checked(getattr(WriteAheadLog, name)))
    params = {**EARLIEST, "session.timeout.ms": 6000, "heartbeat.interval.ms": 500}
    records = numbered("w", 3000)
    produce(broker, topic, records[:1500])
    run = Run(ctx, checkpoint=str(tmp_path / "cp"), zkQuorum=broker, groupId=group,
              topics={topic: 1}, kafkaParams=params)
    try:
        sid = run.stream_id
        assert wait_until(lambda: run.tracker.received_records(sid) >= 500)
        executor = run.tracker.receiver_info(sid).executorId
        os.kill(ctx._backend.executor_pids()[executor], signal.SIGKILL)
        produce(broker, topic, records[1500:])
        assert wait_until(lambda: run.tracker.connections(sid) == 2)
        assert wait_until(lambda: set(run.records) >= set(decoded(records)),
                          WAIT * 2), (run.count(), run.events.errors)
    finally:
        got = run.stop()
        reader.close()
    assert ahead == [] and logged[0] == len(got)
    assert run.events.started[0].name == "ReliableKafkaReceiver"
    assert set(Counter(got)) == set(decoded(records))
    # Only records consumed after the last commit before the kill can come twice.
    assert len(got) - len(records) <= 1500
    assert committed(broker, group, topic) == log_ends(broker, topic) == {0: 1500, 1: 1500}
    assert os.listdir(tmp_path / "cp" / "receivedData")


def test_two_reliable_streams_share_a_group(make_context, broker, tmp_path):
    """Several receivers in one group (the way to read partitions in parallel): each gets
    its share of the partitions, the union of the streams holds every record, and the
    group's commits reach the end of every partition."""
    ctx = make_context(receiver_conf("local[3]", **{
        "spark.streaming.receiver.writeAheadLog.enable": "true"}))
    topic, group = new_topic(broker), f"group-{uuid.uuid4().hex[:8]}"
    ssc = StreamingContext(ctx, 0.2)
    ssc.checkpoint(str(tmp_path / "cp"))
    streams = [KafkaUtils.createStream(ssc, broker, group, {topic: 1}, EARLIEST)
               for _ in range(2)]
    key = id(ssc)
    got = _collected.setdefault(key, [])
    ssc.union(*streams).foreachRDD(Collect(key))
    records = numbered("u", 2000)
    ssc.start()
    try:
        def assigned() -> list:
            try:
                found = members(broker, group, timeout=5)
            except (kafka.KafkaException, TimeoutError):  # no group (or coordinator) yet
                return []
            return sorted(len(m.assignment.topic_partitions) for m in found)

        assert wait_until(lambda: assigned() == [1, 1]), assigned()
        produce(broker, topic, records)
        assert wait_until(lambda: len(got) >= len(records)), len(got)
    finally:
        ssc.stop(stopSparkContext=False, stopGraceFully=True)
        _collected.pop(key)
    assert Counter(got) == decoded(records)
    tracker = ssc._receiver_tracker
    assert [tracker.received_records(s.input_stream_id)
            for s in ssc._graph.receiver_input_streams] == [1000, 1000]
    assert committed(broker, group, topic) == {0: 1000, 1: 1000}


def test_receiver_classes_pickle_without_their_consumer():
    import pickle

    r = ReliableKafkaReceiver({"bootstrap.servers": "x", "group.id": "g"}, {"t": 1})
    back = pickle.loads(pickle.dumps(r))
    assert back.reliable and back.topics == {"t": 1} and back._fetcher is None


def test_a_missing_topic_is_reported(sc, broker):
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    run = Run(sc, zkQuorum=broker, groupId=f"group-{uuid.uuid4().hex[:8]}",
              topics={missing: 1})
    try:
        assert wait_until(lambda: run.events.errors), "no ReceiverError"
    finally:
        run.stop()
    message = run.events.errors[0].lastErrorMessage
    assert f"topic {missing}" in message and "Unknown topic" in message


def test_max_rate_paces_the_receiver(make_context, broker):
    """``spark.streaming.receiver.maxRate`` (2000/s): records produced at ``t0`` (once the
    receiver runs) reach the driver no faster than 2000/s × (now - t0) plus the limiter's
    50 ms of burst -- a loaded machine only holds fewer; unlimited, they would all be there
    within a fraction of a second. All of them arrive, once."""
    ctx = make_context(receiver_conf(**{"spark.streaming.receiver.maxRate": "2000"}))
    topic = new_topic(broker)
    marker, records = numbered("m", 1), numbered("r", 4000)
    produce(broker, topic, marker)
    run = Run(ctx, zkQuorum=broker, groupId=f"group-{uuid.uuid4().hex}", topics={topic: 1},
              kafkaParams=EARLIEST)
    over = []

    def within_rate() -> bool:
        held = run.tracker.received_records(run.stream_id) - 1
        if held > 2000 * (time.monotonic() - t0) + 101:
            over.append(held)
        return held >= len(records)

    try:
        assert wait_until(lambda: run.tracker.received_records(run.stream_id) == 1)
        t0 = time.monotonic()
        produce(broker, topic, records)
        assert wait_until(within_rate)
        assert wait_until(lambda: run.count() > len(records))
    finally:
        got = run.stop()
    assert over == []
    assert Counter(got) == decoded(marker + records)


APP = Path(__file__).parent / "kafka_receiver_app.py"


def test_sigkilled_driver_loses_nothing(broker, tmp_path):
    """The driver (with its workers: the whole process group) is SIGKILLed while records
    flow, then restarted through ``StreamingContext.getOrCreate``: the batches of the log are
    rerun and the receiver resumes after the group's last commit, so every record reaches a
    batch's output."""
    topic, group = new_topic(broker), f"group-{uuid.uuid4().hex[:8]}"
    records = numbered("d", 2000)
    expected = set(decoded(records).keys())
    out, logs = tmp_path / "out", []

    def start() -> subprocess.Popen:
        logs.append(tmp_path / f"driver-{len(logs)}.log")
        with open(logs[-1], "w") as fh:
            return subprocess.Popen(
                [sys.executable, str(APP), "--checkpoint", str(tmp_path / "cp"), "--out",
                 str(out), "--broker", broker, "--topic", topic, "--group", group],
                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
                env=dict(os.environ, PYTHONUNBUFFERED="1"))

    def output() -> list[str]:
        return [line for f in out.glob("batch-*.txt") for line in f.read_text().splitlines()]

    def kill(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(WAIT)

    def log_text() -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in logs)

    produce(broker, topic, records[:1000])
    proc = start()
    try:
        assert wait_until(lambda: len(output()) >= 300 or proc.poll() is not None), log_text()
        assert proc.poll() is None, log_text()
    finally:
        kill(proc)
    produce(broker, topic, records[1000:])
    proc = start()
    try:
        values = {v for _, v in expected}
        assert wait_until(lambda: set(output()) >= values or proc.poll() is not None,
                          WAIT * 2), (len(set(output())), log_text())
    finally:
        kill(proc)
    assert set(output()) == values
    assert "STARTED" in logs[0].read_text() and "RECOVERED" in logs[1].read_text()
