"""A streaming app reading Kinesis (``KinesisUtils.createStream`` with the write-ahead log
on) into SQLite through ``sqlite_sink``, for the driver crash test of
``test_kinesis_faults.py`` (run as a script; SIGKILLed and restarted through
``StreamingContext.getOrCreate``). The table's key is the record, so a record read again
after the restart (stored after the last checkpoint) is written once."""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--stream", required=True)
    ap.add_argument("--app", required=True)
    args = ap.parse_args(argv)

    from sparklet import SparkConf, SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.kinesis import InitialPositionInStream, KinesisUtils
    from sparklet.streaming.sinks import sqlite_sink

    def setup() -> StreamingContext:
        conf = (SparkConf().setMaster("local[2]").setAppName("kinesis-app")
                .set("spark.streaming.receiver.writeAheadLog.enable", "true")
                .set("spark.streaming.blockInterval", "50ms")
                # Paced, so a kill finds records received but not yet processed.
                .set("spark.streaming.receiver.maxRate", "1000")
                .set("spark.streaming.receiverRestartDelay", "200")
                .set("spark.sparklet.kinesis.failoverTime", "1s")
                .set("spark.sparklet.kinesis.shardSyncInterval", "200ms")
                .set("spark.sparklet.kinesis.idleTimeBetweenReads", "50ms")
                .set("spark.sparklet.kinesis.maxRecords", "100"))
        sc = SparkContext.getOrCreate(conf)
        ssc = StreamingContext(sc, 0.25)
        ssc.checkpoint(args.checkpoint)
        sink = sqlite_sink(args.db, "INSERT OR IGNORE INTO records(line) VALUES (?)",
                           sink_id="kinesis", row_to_params=lambda line: (line,),
                           setup="CREATE TABLE IF NOT EXISTS records(line TEXT PRIMARY KEY)")
        KinesisUtils.createStream(
            ssc, args.app, args.stream, args.endpoint, "us-east-1",
            InitialPositionInStream.TRIM_HORIZON, 0.5, awsAccessKeyId="testing",
            awsSecretKey="testing").foreachRDD(sink)
        return ssc

    ssc = StreamingContext.getOrCreate(args.checkpoint, setup)
    recovered = ssc._recovery is not None
    ssc.start()
    print("RECOVERED" if recovered else "STARTED", flush=True)
    ssc.awaitTermination()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
