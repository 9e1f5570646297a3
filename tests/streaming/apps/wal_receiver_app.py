"""A streaming app with a reliable custom receiver and the write-ahead log on, for the crash
tests of ``test_wal_recovery.py`` (run as a script; SIGKILLed and restarted through
``StreamingContext.getOrCreate``).

The source is deterministic: the numbers 0 .. total-1, delivered ``per_block`` at a time.
Its acknowledged position is a file (``<source>/position``) that the receiver advances only
after ``store(records)`` returned -- i.e. after the driver logged the block -- as a reliable
Kafka or Kinesis receiver commits its offsets. A restarted receiver resumes from there.

Every batch writes its records to ``<out>/batch-<time ms>.txt`` (atomically: temporary file,
then rename), one number per line; a batch rerun after a crash replaces its file.
"""

from __future__ import annotations

import argparse
import os
import threading
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--total", type=int, default=600)
    ap.add_argument("--per-block", type=int, default=10)
    ap.add_argument("--pause", type=float, default=0.03)
    ap.add_argument("--batch", type=float, default=0.25)
    args = ap.parse_args(argv)

    from sparklet import SparkConf, SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.receiver import Receiver

    position_file = os.path.join(args.source, "position")

    class NumberSource(Receiver):
        """Reliable: acknowledges the source only after store() returned."""

        def __init__(self, path, total, per_block, pause):
            super().__init__()
            self.path, self.total, self.per_block, self.pause = path, total, per_block, pause

        def onStart(self):
            threading.Thread(target=self._run, daemon=True).start()

        def onStop(self):
            pass

        def _run(self):
            try:
                with open(self.path) as fh:
                    n = int(fh.read() or 0)
            except FileNotFoundError:
                n = 0
            while not self.isStopped() and n < self.total:
                records = list(range(n, min(n + self.per_block, self.total)))
                try:
                    self.store(records)
                except RuntimeError:
                    return  # not stored: the source is not acknowledged
                n = records[-1] + 1
                with open(self.path + ".tmp", "w") as fh:
                    fh.write(str(n))
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(self.path + ".tmp", self.path)
                time.sleep(self.pause)

    def write_batch(t, rdd):
        ms = int(round(t.timestamp() * 1000))
        numbers = sorted(rdd.collect())
        path = os.path.join(args.out, f"batch-{ms}.txt")
        with open(path + ".tmp", "w") as fh:
            fh.write("".join(f"{x}\n" for x in numbers))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(path + ".tmp", path)

    def setup() -> StreamingContext:
        conf = (SparkConf().setMaster("local[2]").setAppName("wal-receiver-app")
                .set("spark.streaming.receiver.writeAheadLog.enable", "true")
                .set("spark.streaming.receiver.writeAheadLog.rollingIntervalSecs", "1")
                .set("spark.streaming.receiverRestartDelay", "200"))
        sc = SparkContext.getOrCreate(conf)
        ssc = StreamingContext(sc, args.batch)
        ssc.checkpoint(args.checkpoint)
        numbers = ssc.receiverStream(
            NumberSource(position_file, args.total, args.per_block, args.pause))
        numbers.setName("numbers")
        numbers.foreachRDD(write_batch)
        return ssc

    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.source, exist_ok=True)
    ssc = StreamingContext.getOrCreate(args.checkpoint, setup)
    recovered = ssc._recovery is not None
    ssc.start()
    print("RECOVERED" if recovered else "STARTED", flush=True)
    ssc.awaitTermination()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
