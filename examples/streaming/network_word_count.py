"""NetworkWordCount, the Spark Streaming guide's quick example: counts the words of the
text received from a TCP server, in one-second batches.

    python examples/streaming/network_word_count.py localhost 9999   # with `nc -lk 9999`
    python examples/streaming/network_word_count.py --generate       # no nc needed

``--generate`` starts a small line server in-process (see ``line_server.py``). The receiver
occupies one executor slot for the stream's lifetime, so the master needs more cores than
receivers: ``local[2]`` for one receiver (the guide's rule).
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sparklet import SparkConf, SparkContext  # noqa: E402
from sparklet.streaming import StreamingContext  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("hostname", nargs="?", default="localhost")
    parser.add_argument("port", nargs="?", type=int, default=9999)
    parser.add_argument("--generate", action="store_true",
                        help="serve generated lines from an in-process server")
    parser.add_argument("--rate", type=float, default=20.0,
                        help="lines per second from --generate")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--batch", type=float, default=1.0, help="batch interval (s)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    host, port, server = args.hostname, args.port, None
    if args.generate:
        from line_server import LineServer

        server = LineServer(rate=args.rate).start()
        host, port = server.host, server.port
        print(f"generating {args.rate:g} lines/s on {host}:{port}")

    conf = SparkConf().setMaster(args.master).setAppName("PythonStreamingNetworkWordCount")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    if sc.uiWebUrl:
        print(f"Spark UI at {sc.uiWebUrl} (Streaming tab: batches, delays, receivers)")
    ssc = StreamingContext(sc, args.batch)

    lines = ssc.socketTextStream(host, port)
    counts = (lines.flatMap(lambda line: line.split(" "))
              .map(lambda word: (word, 1))
              .reduceByKey(lambda a, b: a + b))
    counts.pprint()

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
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
