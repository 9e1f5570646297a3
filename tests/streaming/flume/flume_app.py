"""A streaming app receiving Flume events with the write-ahead log on, writing every body
to an idempotent SQLite sink (a table keyed by the body), for the driver crash test of
``test_flume_faults.py`` (run as a script; SIGKILLed, restarted through
``StreamingContext.getOrCreate``)."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args(argv)

    from sparklet import SparkConf, SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.flume import FlumeUtils
    from sparklet.streaming.sinks import sqlite_sink

    def setup() -> StreamingContext:
        conf = (SparkConf().setMaster("local[2]").setAppName("flume-app")
                .set("spark.streaming.receiver.writeAheadLog.enable", "true")
                .set("spark.streaming.blockInterval", "50ms")
                # Paced, so a kill finds events received but not yet processed.
                .set("spark.streaming.receiver.maxRate", "1000")
                .set("spark.streaming.receiverRestartDelay", "200"))
        ssc = StreamingContext(SparkContext.getOrCreate(conf), 0.25)
        ssc.checkpoint(args.checkpoint)
        sink = sqlite_sink(args.db, "INSERT INTO events(body) VALUES (?) "
                           "ON CONFLICT DO NOTHING", sink_id="events",
                           row_to_params=lambda event: (event[1],),
                           setup="CREATE TABLE IF NOT EXISTS events(body TEXT PRIMARY KEY)")
        FlumeUtils.createStream(ssc, "127.0.0.1", args.port).foreachRDD(sink)
        return ssc

    ssc = StreamingContext.getOrCreate(args.checkpoint, setup)
    recovered = ssc._recovery is not None
    ssc.start()
    print("RECOVERED" if recovered else "STARTED", flush=True)
    ssc.awaitTermination()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
