"""A stateful streaming word count that crash tests kill and restart (run as a script).

Input is a deterministic queue (``batches(seed)``) rebuilt by ``setup`` on every start, so
it is part of the checkpoint through its position: the app recovers on the upgrade path
(``getOrCreate(..., rebuildFromSetupFunc=True)``), since a queue stream cannot be recovered
from a serialized graph (Spark: "queueStream doesn't support checkpointing"), and its
fault-injection flags are closures that a rebuilt application shares with ``main``. The
default path (no setupFunc on recovery) is exercised by
examples/streaming/recoverable_network_word_count.py. Outputs: per-batch counts and the
updateStateByKey totals through ``saveAsTextFiles``, and every record mapWithState emits --
``(word, n)`` for the n-th occurrence of ``word`` -- through the transactional SQLite sink
(and PostgreSQL with ``--pg``, MySQL/MariaDB with ``--mysql URL``). The app stops
gracefully once the totals cover the whole input and exits 0.

Fault injection (``--crash``): ``checkpoint:K`` SIGKILLs the driver while it writes its
K-th checkpoint file (temporary file written, not yet renamed); ``output:K`` after the SQL
sink committed the K-th batch it saw, before the batch completes. ``--kill-worker-once
PATH`` makes the worker process that first maps the word ``w0`` kill itself (once: PATH
records it). ``--version 2`` is an upgrade: a changed map function and a new output.
"""

from __future__ import annotations

import argparse
import operator
import os
import random
import signal
import sys
import time

NUM_BATCHES = 20
WORDS_PER_BATCH = 12
VOCAB = [f"w{i}" for i in range(12)]


def batches(seed: int = 7) -> list[list[str]]:
    rnd = random.Random(seed)
    return [[rnd.choice(VOCAB) for _ in range(WORDS_PER_BATCH)] for _ in range(NUM_BATCHES)]


def _kill_self() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--pg", default="")
    ap.add_argument("--mysql", default="")
    ap.add_argument("--batch", type=float, default=0.2)
    ap.add_argument("--version", type=int, default=1)
    ap.add_argument("--crash", default="")
    ap.add_argument("--kill-worker-once", default="")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--wait-for-sigterm", action="store_true")
    args = ap.parse_args(argv)

    from sparklet import SparkConf, SparkContext
    from sparklet.streaming import StateSpec, StreamingContext
    from sparklet.streaming.recovery import checkpoint as ckpt
    from sparklet.streaming.sinks import mysql_sink, postgres_sink, sqlite_sink

    kind, _, nth = args.crash.partition(":")
    calls = {"checkpoint": 0, "output": 0}
    if kind == "checkpoint":
        def hook(stage, path):
            calls["checkpoint"] += 1
            if calls["checkpoint"] == int(nth):
                _kill_self()
        ckpt._fault_injection_hook = hook

    total_words = NUM_BATCHES * WORDS_PER_BATCH
    done = {"flag": False}
    marker = args.kill_worker_once

    def setup() -> StreamingContext:
        conf = (SparkConf().setMaster(args.master).setAppName("crash-app")
                .set("spark.streaming.stopGracefullyOnShutdown", "true"))
        sc = SparkContext.getOrCreate(conf)
        ssc = StreamingContext(sc, args.batch)
        words = ssc.queueStream([sc.parallelize(b, 2) for b in batches()])

        def to_pair(w):
            if marker and w == "w0" and not os.path.exists(marker):
                open(marker, "w").close()
                _kill_self()  # this is a worker process
            return (w, 1) if args.version == 1 else (w.strip(), 1)

        pairs = words.map(to_pair)
        pairs.reduceByKey(operator.add, 2).saveAsTextFiles(os.path.join(args.out, "counts"))
        totals = pairs.updateStateByKey(lambda new, old: sum(new) + (old or 0), 2)
        totals.setName("totals").checkpoint(args.batch * 4)
        totals.saveAsTextFiles(os.path.join(args.out, "totals"))

        def running(key, value, state):
            n = (state.getOption() or 0) + value
            state.update(n)
            return (key, n)

        mapped = pairs.mapWithState(StateSpec.function(running).numPartitions(2))
        mapped.setName("running")
        sink = sqlite_sink(args.db, "INSERT INTO occurrences(batch_time, word, n) "
                           "VALUES (?, ?, ?)", sink_id="occurrences",
                           setup="CREATE TABLE IF NOT EXISTS occurrences("
                                 "batch_time BIGINT, word TEXT, n INTEGER)")
        pg = None
        if args.pg:
            pg = postgres_sink(args.pg, "INSERT INTO occurrences(batch_time, word, n) "
                               "VALUES (%s, %s, %s)", sink_id="occurrences",
                               setup="CREATE TABLE IF NOT EXISTS occurrences("
                                     "batch_time BIGINT, word TEXT, n INTEGER)")

        my = None
        if args.mysql:
            my = mysql_sink(args.mysql, "INSERT INTO occurrences(batch_time, word, n) "
                            "VALUES (%s, %s, %s)", sink_id="occurrences",
                            setup="CREATE TABLE IF NOT EXISTS occurrences(batch_time "
                                  "BIGINT, word VARCHAR(16), n INT) ENGINE=InnoDB")

        def write_sql(t, rdd):
            from sparklet.streaming.sinks import _batch_time_ms

            ms = _batch_time_ms(t)
            rows = rdd.map(lambda kv: (ms, kv[0], kv[1]))
            sink(t, rows)
            if pg is not None:
                pg(t, rows)
            if my is not None:
                my(t, rows)
            calls["output"] += 1
            if kind == "output" and calls["output"] == int(nth):
                _kill_self()

        mapped.foreachRDD(write_sql)

        def check_done(rdd):
            if sum(v for _, v in rdd.collect()) == total_words:
                done["flag"] = True

        totals.foreachRDD(check_done)
        if args.version == 2:
            words.count().saveAsTextFiles(os.path.join(args.out, "sizes"))
        return ssc

    ssc = StreamingContext.getOrCreate(args.checkpoint, setup, rebuildFromSetupFunc=True)
    recovered = ssc._recovery is not None
    print(f"started recovered={recovered}", flush=True)
    ssc.start()
    if args.wait_for_sigterm:
        ssc.awaitTermination()
        return 0
    while not done["flag"]:
        if ssc.awaitTerminationOrTimeout(0.05):
            return 1
    time.sleep(args.batch)  # one more batch, so "done" is in a completed checkpoint too
    ssc.stop(stopSparkContext=True, stopGraceFully=True)
    print("finished", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
