"""A streaming app reading Kafka through the reliable receiver (``KafkaUtils.createStream``
with the write-ahead log on), for the driver crash test of ``test_receiver_stream.py`` (run
as a script; SIGKILLed and restarted through ``StreamingContext.getOrCreate``).

Every batch writes its records' values to ``<out>/batch-<time ms>.txt`` (atomically:
temporary file, then rename), one per line; a batch rerun after a crash replaces its file.
"""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--broker", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--group", required=True)
    args = ap.parse_args(argv)

    from sparklet import SparkConf, SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.kafka import KafkaUtils

    out = args.out

    def write_batch(t, rdd):
        ms = int(round(t.timestamp() * 1000))
        values = [v for _, v in rdd.collect()]
        path = os.path.join(out, f"batch-{ms}.txt")
        with open(path + ".tmp", "w") as fh:
            fh.write("".join(f"{v}\n" for v in values))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(path + ".tmp", path)

    def setup() -> StreamingContext:
        conf = (SparkConf().setMaster("local[2]").setAppName("kafka-receiver-app")
                .set("spark.streaming.receiver.writeAheadLog.enable", "true")
                .set("spark.streaming.blockInterval", "50ms")
                # Paced, so a kill finds records received but not yet processed.
                .set("spark.streaming.receiver.maxRate", "1000")
                .set("spark.streaming.receiverRestartDelay", "200"))
        sc = SparkContext.getOrCreate(conf)
        ssc = StreamingContext(sc, 0.25)
        ssc.checkpoint(args.checkpoint)
        # A short session: the killed driver's consumer leaves the group soon.
        params = {"auto.offset.reset": "smallest", "session.timeout.ms": 6000,
                  "heartbeat.interval.ms": 500}
        KafkaUtils.createStream(ssc, args.broker, args.group, {args.topic: 1},
                                params).foreachRDD(write_batch)
        return ssc

    os.makedirs(out, exist_ok=True)
    ssc = StreamingContext.getOrCreate(args.checkpoint, setup)
    recovered = ssc._recovery is not None
    ssc.start()
    print("RECOVERED" if recovered else "STARTED", flush=True)
    ssc.awaitTermination()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
