"""A direct-Kafka word count that crash tests SIGKILL and restart (run as a script).

The app reads a topic with ``KafkaUtils.createDirectStream`` from its log start, on the
system clock, and recovers as PySpark does: ``StreamingContext.getOrCreate(checkpoint,
setup)`` deserializes the graph and its functions from the checkpoint and does not call
``setup``. Every output goes through the transactional SQLite sink, keyed by batch time:

* ``ranges(batch_time, topic, part, from_off, until_off)`` -- the batch's ``offsetRanges()``;
* ``records(batch_time, topic, part, off, value)`` -- every record the batch read;
* ``counts(batch_time, word, n)`` -- the batch's word counts (``reduceByKey``);
* ``occurrences(batch_time, word, n)`` -- ``(word, n)`` from ``mapWithState`` for the n-th
  occurrence of ``word`` since the stream started.

Batches are ``--batch`` 0.5 s and take at most ``--max-rate`` 100 records/s x 0.5 s = 50
records per partition (``spark.streaming.kafka.maxRatePerPartition``), so a topic of a few
thousand records spans many batches. With ``--until N`` the app stops gracefully (exit 0)
once ``records`` holds N rows.

Fault injection (``--crash``), taken from the environment at call time because the
functions of a recovered run are the first run's, deserialized from the checkpoint:
``checkpoint:K`` SIGKILLs the driver while it writes its K-th checkpoint file (temporary
file written, not renamed); ``records:N`` after the first batch that reaches N consumed
offsets has committed its ranges and records but not its counts (mid-batch); ``outputs:N``
after that batch committed all its outputs, before it is marked complete; ``completed:N``
once a listener is told that batch completed (between batches).
"""

from __future__ import annotations

import argparse
import operator
import os
import signal
import sqlite3
import sys

CRASH_ENV = "SPARKLET_KAFKA_APP_CRASH"


def _maybe_crash(stage: str, consumed: int) -> None:
    """SIGKILL this driver when ``--crash stage:N`` is set and N <= ``consumed``."""
    kind, _, n = os.environ.get(CRASH_ENV, "").partition(":")
    if kind == stage and consumed >= int(n):
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)


def _query(db: str, sql: str, *params) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute(sql, params).fetchone()[0] or 0
    except sqlite3.OperationalError:  # no table yet
        return 0


def records_written(db: str) -> int:
    return _query(db, "SELECT count(*) FROM records")


def consumed(db: str, batch_ms: int) -> int:
    """The offsets consumed up to batch ``batch_ms`` (its committed ranges' ends)."""
    return _query(db, "SELECT sum(until_off) FROM ranges WHERE batch_time = ?", batch_ms)


def _kill_on_completion(base: type):
    """A listener SIGKILLing the driver once a completed batch reaches ``completed:N``
    consumed offsets (its input info's offset ranges): between batches."""

    class Killer(base):
        def onBatchCompleted(self, batchCompleted):  # noqa: N802 (Spark's name)
            infos = batchCompleted.batchInfo().streamIdToInputInfo().values()
            _maybe_crash("completed", sum(r.untilOffset for info in infos
                                          for r in info.metadata().get("offsets", [])))

    return Killer()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--until", type=int, default=0)
    ap.add_argument("--batch", type=float, default=0.5)
    ap.add_argument("--max-rate", type=int, default=100)
    ap.add_argument("--crash", default="")
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args(argv)
    os.environ[CRASH_ENV] = args.crash

    from sparklet import SparkConf, SparkContext
    from sparklet.streaming import StateSpec, StreamingContext, StreamingListener
    from sparklet.streaming.kafka import KafkaUtils
    from sparklet.streaming.recovery import checkpoint as ckpt
    from sparklet.streaming.sinks import _batch_time_ms, sqlite_sink

    kind, _, nth = args.crash.partition(":")
    if kind == "checkpoint":
        written = [0]

        def hook(stage, path):
            written[0] += 1
            if written[0] == int(nth):
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)

        ckpt._fault_injection_hook = hook

    def table_sink(name: str, columns: str):
        marks = ", ".join("?" * len(columns.split(",")))
        return sqlite_sink(args.db, f"INSERT INTO {name}({columns}) VALUES ({marks})",
                           sink_id=name,
                           setup=f"CREATE TABLE IF NOT EXISTS {name}({columns})")

    def setup() -> StreamingContext:
        conf = (SparkConf().setMaster(args.master).setAppName("kafka-crash-app")
                .set("spark.streaming.kafka.maxRatePerPartition", str(args.max_rate)))
        sc = SparkContext.getOrCreate(conf)
        ssc = StreamingContext(sc, args.batch)
        stream = KafkaUtils.createDirectStream(
            ssc, [args.topic], {"bootstrap.servers": args.bootstrap,
                                "auto.offset.reset": "smallest"},
            messageHandler=lambda m: (m.topic, m.partition, m.offset, m.message))

        range_sink = table_sink("ranges", "batch_time, topic, part, from_off, until_off")
        record_sink = table_sink("records", "batch_time, topic, part, off, value")
        count_sink = table_sink("counts", "batch_time, word, n")
        occurrence_sink = table_sink("occurrences", "batch_time, word, n")

        def write_records(t, rdd):
            ms = _batch_time_ms(t)
            ranges = rdd.offsetRanges()
            range_sink(t, rdd.context.parallelize(
                [(ms, r.topic, r.partition, r.fromOffset, r.untilOffset) for r in ranges], 1))
            record_sink(t, rdd.map(lambda m: (ms, *m)))
            # Every partition starts at offset 0: the ends add up to the offsets consumed.
            _maybe_crash("records", sum(r.untilOffset for r in ranges))

        stream.foreachRDD(write_records)

        def with_time(sink):
            def write(t, rdd):
                ms = _batch_time_ms(t)
                sink(t, rdd.map(lambda kv: (ms, kv[0], kv[1])))
            return write

        pairs = stream.flatMap(lambda m: m[3].split()).map(lambda w: (w, 1))
        pairs.reduceByKey(operator.add, 2).foreachRDD(with_time(count_sink))

        def running(word, one, state):
            n = (state.getOption() or 0) + one
            state.update(n)
            return (word, n)

        occurrences = pairs.mapWithState(StateSpec.function(running).numPartitions(2))
        write_occurrences = with_time(occurrence_sink)

        def write_last(t, rdd):
            write_occurrences(t, rdd)
            _maybe_crash("outputs", consumed(args.db, _batch_time_ms(t)))

        occurrences.foreachRDD(write_last)
        return ssc

    ssc = StreamingContext.getOrCreate(args.checkpoint, setup)
    print(f"started recovered={ssc._recovery is not None}", flush=True)
    if kind == "completed":
        ssc.addStreamingListener(_kill_on_completion(StreamingListener))
    ssc.start()
    while not (args.until and records_written(args.db) >= args.until):
        if ssc.awaitTerminationOrTimeout(0.1):
            return 1
    # Graceful: the batch that wrote the last records also writes its counts and
    # occurrences before the context stops.
    ssc.stop(stopSparkContext=True, stopGraceFully=True)
    print("finished", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
