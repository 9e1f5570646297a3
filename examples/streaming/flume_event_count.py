"""FlumeEventCount: counts the events a Flume agent's Avro sink sends, per batch (the
guide's Flume example, push-based).

    python examples/streaming/flume_event_count.py 127.0.0.1 41414

Point an agent's Avro sink at the receiver (``type = avro``, ``hostname``/``port`` as
given here; ``compression-type = deflate`` with ``--deflate``). Needs the Flume extra:
``pip install 'sparklet[flume]'``.
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext
from sparklet.streaming import StreamingContext
from sparklet.streaming.flume import FlumeUtils


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("hostname", help="the address the receiver listens on")
    parser.add_argument("port", type=int, help="the port the receiver listens on")
    parser.add_argument("--deflate", action="store_true",
                        help="the sink sends with compression-type = deflate")
    parser.add_argument("--batch", type=float, default=2.0, help="batch interval (s)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    sc = SparkContext(conf=SparkConf().setMaster(args.master).setAppName("FlumeEventCount"))
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batch)
    events = FlumeUtils.createStream(ssc, args.hostname, args.port,
                                     enableDecompression=args.deflate)
    events.count().map(lambda n: f"Received {n} flume events.").pprint()
    ssc.start()
    try:
        if args.seconds is None:
            ssc.awaitTermination()
        else:
            ssc.awaitTerminationOrTimeout(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        ssc.stop(stopSparkContext=True, stopGraceFully=True)


if __name__ == "__main__":
    main()
