"""A streaming app reading MQTT at QoS 1 with the write-ahead log on, in a persistent
session (``--client-id``), writing every message to an idempotent SQLite sink (a table
keyed by the message), for the driver crash test of ``test_mqtt_faults.py`` (run as a
script; SIGKILLed, restarted through ``StreamingContext.getOrCreate``)."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--client-id", required=True)
    args = ap.parse_args(argv)

    from sparklet import SparkConf, SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.mqtt import MQTTUtils
    from sparklet.streaming.sinks import sqlite_sink

    def setup() -> StreamingContext:
        conf = (SparkConf().setMaster("local[2]").setAppName("mqtt-app")
                .set("spark.streaming.receiver.writeAheadLog.enable", "true")
                .set("spark.streaming.blockInterval", "50ms")
                # Paced, so a kill finds messages received but not yet processed.
                .set("spark.streaming.receiver.maxRate", "1000")
                .set("spark.streaming.receiverRestartDelay", "200"))
        ssc = StreamingContext(SparkContext.getOrCreate(conf), 0.25)
        ssc.checkpoint(args.checkpoint)
        sink = sqlite_sink(args.db, "INSERT INTO messages(body) VALUES (?) "
                           "ON CONFLICT DO NOTHING", sink_id="messages",
                           row_to_params=lambda body: (body,),
                           setup="CREATE TABLE IF NOT EXISTS messages(body TEXT PRIMARY KEY)")
        MQTTUtils.createStream(ssc, args.url, args.topic,
                               clientId=args.client_id).foreachRDD(sink)
        return ssc

    ssc = StreamingContext.getOrCreate(args.checkpoint, setup)
    recovered = ssc._recovery is not None
    ssc.start()
    print("RECOVERED" if recovered else "STARTED", flush=True)
    ssc.awaitTermination()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
