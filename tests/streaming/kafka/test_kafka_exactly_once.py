"""Exactly once from Kafka with real processes: the direct-stream word count
(apps/kafka_wordcount_app.py) reads a three-partition topic on a real broker while it is
SIGKILLed again and again -- writing a checkpoint, between the outputs of a batch, after a
batch's outputs but before it completed, after it completed, and at moments the test
picks -- and restarted each time with ``StreamingContext.getOrCreate``. In the end its
transactional SQLite sink must hold what an uninterrupted run writes: every (partition,
offset) read exactly once, in batches whose offset ranges tile each partition's log, each
batch's counts those of its own records, and mapWithState's running counts with nothing
lost and nothing twice.

The model is what the broker acknowledged to the test's producer (partition, offset and
value of every record), so no assertion depends on how records fell into batches, which
depends on the clock and the machine's load.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from recovery_helpers import AppRun

from services import require_module

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

APP = Path(__file__).parents[1] / "apps" / "kafka_wordcount_app.py"
PARTITIONS = 3
VOCAB = [f"w{i}" for i in range(10)]


def line(i: int) -> str:
    """The i-th record's value: one to four words, a fixed function of i."""
    return " ".join(VOCAB[(i * 7 + k * 3) % len(VOCAB)] for k in range(1 + i % 4))


class Topic:
    """A fresh topic and what the broker acknowledged: ``{(partition, offset): value}``."""

    def __init__(self, bootstrap: str):
        kafka = require_module("confluent_kafka", "confluent-kafka (the 'kafka' extra)")
        from confluent_kafka.admin import AdminClient, NewTopic

        self.bootstrap = bootstrap
        self.name = f"kcrash-{uuid.uuid4().hex[:10]}"
        admin = AdminClient({"bootstrap.servers": bootstrap})
        admin.create_topics([NewTopic(self.name, PARTITIONS, 1)])[self.name].result(60)
        # Idempotent: a retried send is not written twice, so the acks are the whole log.
        self.producer = kafka.Producer({"bootstrap.servers": bootstrap,
                                        "enable.idempotence": True, "linger.ms": 5})
        self.acked: dict[tuple[int, int], str] = {}
        self.sent = 0

    def _ack(self, err, msg) -> None:
        assert err is None, err
        self.acked[(msg.partition(), msg.offset())] = msg.value().decode()

    def produce(self, n: int) -> None:
        for i in range(self.sent, self.sent + n):
            self.producer.produce(self.name, line(i).encode(), partition=i % PARTITIONS,
                                  on_delivery=self._ack)
        self.sent += n
        assert self.producer.flush(60) == 0, "the broker did not acknowledge every record"

    def produce_slowly(self, n: int, chunk: int = 50) -> threading.Thread:
        """Produce ``n`` more records in chunks from a thread, while the app runs."""
        def run():
            for _ in range(n // chunk):
                self.produce(chunk)
                time.sleep(0.25)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread


class KafkaAppRun(AppRun):
    """The Kafka app's processes over one checkpoint directory and one SQLite sink."""

    def __init__(self, root: Path, topic: Topic):
        super().__init__(root)
        self.topic = topic

    def command(self, *extra: str) -> list[str]:
        return [sys.executable, str(APP), "--bootstrap", self.topic.bootstrap, "--topic",
                self.topic.name, "--checkpoint", self.checkpoint, "--db", self.db, *extra]

    def run(self, *extra: str, timeout: float = 120) -> int:
        return super().run(*extra, timeout=timeout)

    def _query(self, sql: str) -> list[tuple]:
        try:
            with sqlite3.connect(self.db, timeout=30) as conn:
                return conn.execute(sql).fetchall()
        except sqlite3.OperationalError:  # the app has not created the table yet
            return []

    def rows(self, table: str) -> list[tuple]:
        return self._query(f"SELECT * FROM {table}")

    def count(self, table: str) -> int:
        return sum(n for (n,) in self._query(f"SELECT count(*) FROM {table}"))

    def kill_when(self, records: int, *extra: str, timeout: float = 120) -> int:
        """Start the app and SIGKILL the driver as soon as the sink holds ``records``
        records (bounded: the app must get there; how far a killed run got before depends
        on the machine's load, so callers cap ``records`` by what will be produced)."""
        proc = self.start(*extra)
        deadline = time.monotonic() + timeout
        while proc.poll() is None and self.count("records") < records:
            if time.monotonic() > deadline:
                os.kill(proc.pid, signal.SIGKILL)
                self.finish(proc)
                raise AssertionError(f"no {records} records in {timeout} s:\n"
                                     + "\n---\n".join(self.logs))
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        return self.finish(proc)


def assert_exactly_once(run: KafkaAppRun, topic: Topic) -> None:
    """What the sink holds is what an uninterrupted run over ``topic.acked`` writes."""
    assert len(topic.acked) == topic.sent
    ranges = run.rows("ranges")
    records = run.rows("records")
    name = topic.name

    # Every acknowledged record was read exactly once, with its own value.
    keys = [(p, off) for _, t, p, off, _ in records]
    assert len(keys) == len(set(keys)), "a record was written twice"
    assert all(t == name for _, t, _, _, _ in records)
    assert {(p, off): v for _, _, p, off, v in records} == topic.acked

    # The batches' offset ranges tile each partition's log from 0 to its end, and each
    # batch holds exactly the records of its ranges.
    by_batch: dict[int, dict[int, tuple[int, int]]] = {}
    for t, top, p, start, until in ranges:
        assert top == name and start <= until
        assert p not in by_batch.setdefault(t, {}), f"two ranges for partition {p} at {t}"
        by_batch[t][p] = (start, until)
    assert all(set(parts) == set(range(PARTITIONS)) for parts in by_batch.values())
    ends = Counter(p for p, _ in topic.acked)
    for p in range(PARTITIONS):
        position = 0
        for t in sorted(by_batch):
            start, until = by_batch[t][p]
            assert start == position, f"partition {p}: batch {t} starts at {start}, " \
                                      f"the previous one ended at {position}"
            position = until
        assert position == ends[p]
    batch_of = {(p, off): t for t, _, p, off, _ in records}
    for (p, off), t in batch_of.items():
        start, until = by_batch[t][p]
        assert start <= off < until

    # Each batch's word counts are those of its records; mapWithState's (word, n) is every
    # n from 1 to the word's total once.
    words_of: dict[int, Counter] = {}
    for t, _, _, _, value in records:
        words_of.setdefault(t, Counter()).update(value.split())
    counts: dict[int, dict[str, int]] = {}
    for t, word, n in run.rows("counts"):
        assert word not in counts.setdefault(t, {}), f"{word} counted twice at {t}"
        counts[t][word] = n
    assert counts == {t: dict(c) for t, c in words_of.items()}
    totals = Counter(w for v in topic.acked.values() for w in v.split())
    occurrences = sorted((w, n) for _, w, n in run.rows("occurrences"))
    assert occurrences == sorted((w, n) for w, c in totals.items() for n in range(1, c + 1))


@pytest.fixture
def topic(kafka_service):
    t = Topic(kafka_service.url)
    yield t
    t.producer.flush(10)
    t.producer = None  # its client stops now, not reconnecting once the broker is gone


def test_uninterrupted_run(tmp_path, topic):
    topic.produce(600)
    run = KafkaAppRun(tmp_path, topic)
    assert run.run("--until", "600") == 0, run.logs
    assert "started recovered=False" in run.logs[0]
    assert_exactly_once(run, topic)
    # maxRatePerPartition: 100 records/s x 0.5 s = at most 50 per partition and batch.
    assert len({t for t, *_ in run.rows("records")}) >= 600 // (PARTITIONS * 50)


def test_sigkill_several_times_mid_stream_exactly_once(tmp_path, topic):
    total = 3000
    topic.produce(1200)
    run = KafkaAppRun(tmp_path, topic)
    # Killed writing its 6th checkpoint file; then between a batch's records and its counts.
    assert run.run("--crash", "checkpoint:6") == -9, run.logs
    assert run.run("--crash", "records:300") == -9, run.logs
    # A producer writes the rest while the app runs, is killed and restarts.
    producer = topic.produce_slowly(total - 1200)
    assert run.kill_when(min(run.count("records") + 200, total)) == -9, run.logs
    # After a batch's outputs committed, before it completed; after it completed; then at
    # a moment of the test's.
    assert run.run("--crash", "outputs:1500") == -9, run.logs
    assert run.run("--crash", "completed:1700") == -9, run.logs
    assert run.kill_when(min(run.count("records") + 150, total)) == -9, run.logs
    producer.join(120)
    assert not producer.is_alive() and topic.sent == total
    assert run.run("--until", str(total)) == 0, run.logs
    started = [log for log in run.logs[1:] if "started" in log]
    assert started and all("started recovered=True" in log for log in started), run.logs
    assert_exactly_once(run, topic)
