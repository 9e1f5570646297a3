"""Kafka through a word count: sparklet's direct stream against a plain consumer loop.

The bench starts its own Apache Kafka broker (KRaft, one node, the jars of
tests/services.py: ``~/.cache/sparklet/kafka-<version>``, fetched by .ci/kafka-jars; or the
broker ``--bootstrap``/``SPARKLET_TEST_KAFKA`` names), fills a topic of ``--partitions``
partitions with ``--records`` corpus-like lines (~10 Zipf-distributed words each, bench/
_common.py's generator) and measures:

* **throughput** -- records/s from the topic through flatMap(split) -> map((w, 1)) ->
  reduceByKey(add) into the transactional SQLite sink (``sqlite_sink``, one row per word
  and batch, keyed by batch time; ``--sink collect``: collected into the driver instead):

  - ``sparklet``: ``KafkaUtils.createDirectStream`` from offset 0 of every partition, 1 s
    batches; one batch takes the whole backlog unless ``--batches N`` caps the rate
    (``maxRatePerPartition``) to spread it over N batches. records/s = records / the sum of
    the batches' processing delays (``BatchInfo`` from a ``StreamingListener``);
  - ``limit``: one process, one confluent-kafka ``Consumer`` assigned every partition,
    ``consume()`` in a loop and a ``Counter`` of the words, written to SQLite at the end:
    what reading and counting cost with no engine at all.

  Every run's counts, on both sides, are checked against a ``Counter`` of the lines written
  before its figure is printed.
  CPU seconds of the process tree (without the broker) are reported too: on a shared 2-core
  machine they hold up better than wall-clock ratios.
* **latency** -- a producer process writes ``--rate`` lines/s to a second topic while the
  direct stream (starting at the log end) counts words at 1 s and 0.1 s batch intervals:
  processing delay and total delay (scheduling + processing), median and p95 over the
  batches with records after a warm-up.

PySpark is not measured, and the bench does not try: PySpark 3.x has no Kafka DStream for
Python (``pyspark.streaming.kafka`` was removed in 3.0), and PySpark 2.4's needs the JVM
package spark-streaming-kafka-0-8 fetched at run time and a Java 8 runtime (Spark 2.4 does
not run on this machine's Java 17).

The machine is shared and has 2 cores: quote medians and ratios, not single figures, and
compare runs made on a quiet machine (the load average is printed).

    .venv/bin/python bench/kafka.py                  # 1M records, 4 partitions, 3 runs
    .venv/bin/python bench/kafka.py --quick          # 100k records, 1 run
    .venv/bin/python bench/kafka.py --sink collect   # without the database
    .venv/bin/python bench/kafka.py --json /tmp/kafka.json
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from operator import add
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common  # noqa: E402  (bench/ is not a package; path set just above)
import rdd_wordcount  # noqa: E402  (reused: sparklet import with the src/ fallback)

INTERVALS = (1.0, 0.1)
COUNTS_DDL = "CREATE TABLE IF NOT EXISTS counts(batch_time BIGINT, word TEXT, n INTEGER)"
COUNTS_INSERT = "INSERT INTO counts(batch_time, word, n) VALUES (?, ?, ?)"
RUN_TIMEOUT_S = 600


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=1_000_000, help="lines in the topic")
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--runs", type=int, default=3, help="timed runs of each throughput side")
    p.add_argument("--batches", type=int, default=1,
                   help="spread the backlog over this many 1 s batches (default 1: no cap)")
    p.add_argument("--rate", type=int, default=5000, help="lines/s written while latency "
                                                          "is measured")
    p.add_argument("--latency-s", type=float, default=20.0,
                   help="seconds of production per latency interval")
    p.add_argument("--sink", choices=("sqlite", "collect"), default="sqlite",
                   help="where the counts go: the transactional SQLite sink (default), or "
                        "collected into the driver (no database: the engine's own share)")
    p.add_argument("--cores", type=int, default=2, help="sparklet local[N]")
    p.add_argument("--bootstrap", default=os.environ.get("SPARKLET_TEST_KAFKA", ""),
                   help="use this broker instead of starting one")
    p.add_argument("--quick", action="store_true", help="100k records, 1 run, 8 s latency")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--produce", nargs=4, metavar=("BOOTSTRAP", "TOPIC", "RATE", "SECONDS"),
                   help=argparse.SUPPRESS)  # the latency producer's own process
    args = p.parse_args(argv)
    if args.quick:
        args.records, args.runs, args.latency_s = 100_000, 1, 8.0
    return args


# --------------------------------------------------------------------------------------------
# The broker and the topics
# --------------------------------------------------------------------------------------------


def start_broker(args) -> tuple[str, Any]:
    """The bootstrap server and, when this bench started it, the broker's ``Server``."""
    if args.bootstrap:
        return args.bootstrap, None
    sys.path.insert(0, str(common.REPO_ROOT / "tests"))
    from services import start_kafka  # the tests' recipe: KRaft, free loopback port

    print("starting a Kafka broker ...", flush=True)
    service, server = start_kafka()
    return service.url, server


def create_topic(bootstrap: str, partitions: int, prefix: str) -> str:
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic

    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, partitions, 1)])[name].result(60)
    # Created is not yet led: until every partition has a leader, offset requests fail
    # (NOT_LEADER_FOR_PARTITION), and createDirectStream with them.
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-probe"})
    deadline = time.monotonic() + 60
    try:
        for p in range(partitions):
            while True:
                try:
                    probe.get_watermark_offsets(TopicPartition(name, p), timeout=5)
                    break
                except KafkaException:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
    finally:
        probe.close()
    return name


def producer(bootstrap: str):
    from confluent_kafka import Producer

    return Producer({"bootstrap.servers": bootstrap, "linger.ms": 20,
                     "batch.num.messages": 10_000, "queue.buffering.max.messages": 500_000,
                     "enable.idempotence": True})


def send(prod, topic: str, value: bytes, partition: int) -> None:
    while True:
        try:
            prod.produce(topic, value, partition=partition)
            return
        except BufferError:  # the local queue is full: let deliveries drain it
            prod.poll(0.05)


def prefill(bootstrap: str, topic: str, lines: list[str], partitions: int) -> dict[int, int]:
    """Write ``lines`` round-robin over the partitions; the end offset of each."""
    prod = producer(bootstrap)
    for i, line in enumerate(lines):
        send(prod, topic, line.encode(), i % partitions)
        if i % 10_000 == 0:
            prod.poll(0)
    if prod.flush(120) != 0:
        raise RuntimeError("the broker did not acknowledge every record")
    return {p: len(range(p, len(lines), partitions)) for p in range(partitions)}


def produce_live(bootstrap: str, topic: str, rate: int, seconds: float) -> None:
    """``--produce``: ``rate`` lines/s for ``seconds``, in 10 ms ticks, round-robin."""
    from confluent_kafka import Producer

    prod = Producer({"bootstrap.servers": bootstrap, "linger.ms": 1})
    pool = [line.encode() for line in common.generate_lines(20_000, seed=7)]
    partitions = len(prod.list_topics(topic, timeout=30).topics[topic].partitions)
    start, sent = time.perf_counter(), 0
    while (now := time.perf_counter() - start) < seconds:
        for _ in range(int(now * rate) - sent):
            send(prod, topic, pool[sent % len(pool)], sent % partitions)
            sent += 1
        prod.poll(0)
        time.sleep(0.01)
    prod.flush(60)


# --------------------------------------------------------------------------------------------
# Throughput: the limit and sparklet
# --------------------------------------------------------------------------------------------


def sql_counts(db: str) -> Counter:
    with sqlite3.connect(db) as conn:
        return Counter(dict(conn.execute("SELECT word, sum(n) FROM counts GROUP BY word")))


def run_limit(bootstrap: str, topic: str, ends: dict[int, int], db: str,
              broker_pid: int | None) -> dict[str, Any]:
    """Read every partition from 0 to its end in one consumer, count words, write them."""
    from confluent_kafka import Consumer, TopicPartition

    cpu0 = cpu_without(broker_pid)
    start = time.perf_counter()
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-limit",
                         "enable.auto.commit": False, "fetch.wait.max.ms": 10})
    consumer.assign([TopicPartition(topic, p, 0) for p in ends])
    left = {p: end for p, end in ends.items() if end > 0}
    counts: Counter = Counter()
    while left:
        words = []
        for m in consumer.consume(10_000, 1.0):
            if m.error() is not None:
                continue
            words += m.value().decode().split()
            p = m.partition()
            if p in left and m.offset() + 1 >= left[p]:
                del left[p]
        counts.update(words)
    consumer.close()
    with sqlite3.connect(db) as conn:
        conn.execute(COUNTS_DDL)
        conn.executemany(COUNTS_INSERT, [(0, w, n) for w, n in counts.items()])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu_s": cpu_without(broker_pid) - cpu0, "counts": counts}


def recorder(listener_base: type):
    class Recorder(listener_base):
        """Completed batches: (records, processing delay ms, total delay ms)."""

        def __init__(self) -> None:
            super().__init__()
            self.lock = threading.Lock()
            self.batches: list[tuple[int, int, int]] = []

        def onBatchCompleted(self, batchCompleted) -> None:  # noqa: N802 (Spark's name)
            info = batchCompleted.batchInfo()
            with self.lock:
                self.batches.append((info.numRecords(), info.processingDelay(),
                                     info.totalDelay()))

        def records(self) -> int:
            with self.lock:
                return sum(b[0] for b in self.batches)

    return Recorder()


def word_count(ssc, args, bootstrap: str, topic: str, db: str, from_offsets=None):
    """The benchmarked stream: the direct stream's words counted per batch into the sink;
    returns a function giving the counts the sink holds."""
    from sparklet.streaming.kafka import KafkaUtils
    from sparklet.streaming.sinks import _batch_time_ms, sqlite_sink

    stream = KafkaUtils.createDirectStream(ssc, [topic], {"bootstrap.servers": bootstrap},
                                           fromOffsets=from_offsets)
    counts = (stream.flatMap(lambda kv: kv[1].split()).map(lambda w: (w, 1))
              .reduceByKey(add))
    if args.sink == "collect":
        merged: Counter = Counter()
        counts.foreachRDD(lambda rdd: merged.update(dict(rdd.collect())))
        return lambda: merged
    sink = sqlite_sink(db, COUNTS_INSERT, sink_id="counts", setup=COUNTS_DDL)

    def write(t, rdd):
        ms = _batch_time_ms(t)
        sink(t, rdd.map(lambda kv: (ms, kv[0], kv[1])))

    counts.foreachRDD(write)
    return lambda: sql_counts(db)


def run_sparklet(sc, args, bootstrap: str, topic: str, ends: dict[int, int], db: str,
                 broker_pid: int | None) -> dict[str, Any]:
    from sparklet.streaming import StreamingContext, StreamingListener
    from sparklet.streaming.kafka import TopicAndPartition

    total = sum(ends.values())
    cap = -(-total // (len(ends) * args.batches)) if args.batches > 1 else 0
    # The stream takes its rate from the context's configuration when it is created.
    sc._conf.set("spark.streaming.kafka.maxRatePerPartition", str(cap))
    ssc = StreamingContext(sc, 1.0)
    sink_counts = word_count(ssc, args, bootstrap, topic, db,
                             {TopicAndPartition(topic, p): 0 for p in ends})
    rec = recorder(StreamingListener)
    ssc.addStreamingListener(rec)
    cpu0 = cpu_without(broker_pid)
    start = time.perf_counter()
    ssc.start()
    try:
        while rec.records() < total:
            if time.perf_counter() - start > RUN_TIMEOUT_S:
                raise RuntimeError(f"sparklet read {rec.records()} of {total} records in "
                                   f"{RUN_TIMEOUT_S} s")
            if ssc.awaitTerminationOrTimeout(0.05):
                raise RuntimeError("the streaming context stopped")
        wall = time.perf_counter() - start
        cpu = cpu_without(broker_pid) - cpu0
    finally:
        ssc.stop(stopSparkContext=False, stopGraceFully=False)
    with rec.lock:
        used = [b for b in rec.batches if b[0] > 0]
    return {"seconds": sum(b[1] for b in used) / 1000, "wall_s": wall, "cpu_s": cpu,
            "batches": len(used), "counts": sink_counts()}


def cpu_without(pid: int | None) -> float:
    """CPU seconds of this process tree, without the broker's (a child when we started it)."""
    return common.tree_cpu_seconds() - (common.tree_cpu_seconds(pid) if pid else 0.0)


def throughput(sc, args, bootstrap: str, broker_pid: int | None, tmp: str) -> dict[str, Any]:
    topic = create_topic(bootstrap, args.partitions, "bench-wordcount")
    lines = common.generate_lines(args.records)
    start = time.perf_counter()
    ends = prefill(bootstrap, topic, lines, args.partitions)
    elapsed = time.perf_counter() - start
    print(f"topic {topic}: {args.records:,} lines over {args.partitions} partitions written "
          f"in {elapsed:.1f} s", flush=True)
    want = Counter(w for line in lines for w in line.split())
    del lines
    runs: dict[str, list[dict]] = {"limit": [], "sparklet": []}
    # Warm-up: executors started, imports done, the consumer pool and page cache filled.
    run_sparklet(sc, args, bootstrap, topic, ends, os.path.join(tmp, "warm.db"), broker_pid)
    for i in range(args.runs):
        for side in ("limit", "sparklet"):  # alternating: load drifts hit both alike
            db = os.path.join(tmp, f"{side}-{i}.db")
            if side == "limit":
                r = run_limit(bootstrap, topic, ends, db, broker_pid)
            else:
                r = run_sparklet(sc, args, bootstrap, topic, ends, db, broker_pid)
            common.check_same_counts("model", want, side, r.pop("counts"))
            r["records_per_s"] = args.records / r["seconds"]
            runs[side].append(r)
            print(f"run {i + 1} {side}: {r['records_per_s']:,.0f} records/s "
                  f"({r['seconds']:.2f} s, CPU {r['cpu_s']:.2f} s)", flush=True)
    return {"topic": topic, "runs": runs,
            "median": {side: {k: statistics.median(r[k] for r in rs)
                              for k in ("records_per_s", "seconds", "cpu_s")}
                       for side, rs in runs.items()}}


# --------------------------------------------------------------------------------------------
# Latency
# --------------------------------------------------------------------------------------------


def latency(sc, args, bootstrap: str, interval: float, tmp: str) -> dict[str, Any]:
    from sparklet.streaming import StreamingContext, StreamingListener

    sc._conf.set("spark.streaming.kafka.maxRatePerPartition", "0")
    topic = create_topic(bootstrap, args.partitions, "bench-live")
    ssc = StreamingContext(sc, interval)
    word_count(ssc, args, bootstrap, topic, os.path.join(tmp, f"live-{interval:g}.db"))
    rec = recorder(StreamingListener)
    ssc.addStreamingListener(rec)
    ssc.start()
    try:
        subprocess.run([sys.executable, __file__, "--produce", bootstrap, topic,
                        str(args.rate), str(args.latency_s)], check=True,
                       timeout=args.latency_s + 120)
        time.sleep(2 * interval + 0.5)  # the last records' batch completes
    finally:
        ssc.stop(stopSparkContext=False, stopGraceFully=False)
    with rec.lock:
        with_data = [b for b in rec.batches if b[0] > 0]
    # Warm-up: the first second of batches (a new stream's first fetches).
    kept = with_data[max(2, int(1 / interval)):]
    out: dict[str, Any] = {"interval_s": interval, "batches": len(kept),
                           "records": sum(b[0] for b in kept),
                           "records_per_batch": statistics.median(b[0] for b in kept)
                           if kept else None}
    for name, i in (("processing", 1), ("total", 2)):
        values = [b[i] for b in kept]
        out[name] = {"p50": common.percentile(values, 50),
                     "p95": common.percentile(values, 95)}
    return out


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def render(args, tp: dict[str, Any], lat: list[dict[str, Any]]) -> str:
    med = tp["median"]
    rows = [[side, f"{m['records_per_s']:,.0f}", common.fmt_seconds(m["seconds"]),
             common.fmt_seconds(m["cpu_s"]),
             f"{args.records / m['cpu_s']:,.0f}" if m["cpu_s"] else "-"]
            for side, m in med.items()]
    how = ("one batch (no rate cap)" if args.batches == 1
           else f"{args.batches} batches (maxRatePerPartition)")
    out = [f"{args.records:,} lines, {args.partitions} partitions -> word count -> "
           f"{args.sink}; "
           f"sparklet local[{args.cores}], 1 s interval, {how}; medians of {args.runs} runs",
           common.format_table(["side", "records/s", "seconds", "CPU s", "records/CPU s"],
                               rows),
           f"sparklet / limit records/s: "
           f"{common.fmt_ratio(common.ratio(med['sparklet']['records_per_s'], med['limit']['records_per_s']))}"  # noqa: E501
           f"; per CPU second: "
           f"{common.fmt_ratio(common.ratio(med['limit']['cpu_s'], med['sparklet']['cpu_s']))}",
           "",
           f"latency: {args.rate:,} lines/s produced for {args.latency_s:g} s, direct stream "
           f"from the log end (ms; batches with records after a 1 s warm-up)"]
    rows = [[f"{r['interval_s']:g} s", str(r["batches"]), f"{r['records_per_batch']:g}"
             if r["records_per_batch"] is not None else "-",
             *(str(r[k][q]) for k in ("processing", "total") for q in ("p50", "p95"))]
            for r in lat]
    out.append(common.format_table(["interval", "batches", "records/batch", "processing p50",
                                    "processing p95", "total p50", "total p95"], rows))
    out.append(f"machine: {common.machine_info()}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.produce:
        bootstrap, topic, rate, seconds = args.produce
        produce_live(bootstrap, topic, int(rate), float(seconds))
        return 0
    sparklet = rdd_wordcount.import_sparklet()
    bootstrap, server = start_broker(args)
    broker_pid = server.procs[-1].pid if server is not None else None
    conf = sparklet.SparkConf().setMaster(f"local[{args.cores}]").setAppName("bench-kafka")
    sc = sparklet.SparkContext(conf=conf)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-kafka-") as tmp:
            tp = throughput(sc, args, bootstrap, broker_pid, tmp)
            lat = []
            for interval in INTERVALS:
                lat.append(latency(sc, args, bootstrap, interval, tmp))
                r = lat[-1]
                print(f"latency at {interval:g} s: processing p50 {r['processing']['p50']} "
                      f"p95 {r['processing']['p95']}, total p50 {r['total']['p50']} p95 "
                      f"{r['total']['p95']} ms over {r['batches']} batches", flush=True)
    finally:
        sc.stop()
        if server is not None:
            server.stop()
    print(render(args, tp, lat))
    if args.json:
        common.write_json(args.json, {"args": vars(args), "throughput": tp, "latency": lat,
                                      "machine": common.machine_info()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
