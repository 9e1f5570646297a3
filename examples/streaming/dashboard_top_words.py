"""Live top words: a windowed word count shown as a bar chart in the web UI's Dashboard tab
(with a line chart of the words per batch), using sparklet.streaming.dashboard.publish.

    python examples/streaming/dashboard_top_words.py --seconds 10          # queued lines
    python examples/streaming/dashboard_top_words.py --generate            # TCP lines
    python examples/streaming/dashboard_top_words.py localhost 9999        # `nc -lk 9999`

Open the printed address (``.../#/dashboard``) while it runs: the bars follow the top
words of the last ``--window`` seconds, every ``--slide`` seconds. Without a source the
input is a queue of generated lines (sparklet's bundled text), one batch per interval;
``--generate`` serves them from an in-process line server (``line_server.py``) to a
socket receiver instead, which needs a master with more cores than receivers
(``local[2]``).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sparklet import SparkConf, SparkContext  # noqa: E402
from sparklet.streaming import StreamingContext, dashboard  # noqa: E402


def queued_batches(n: int, per_batch: int, seed: int = 7) -> list[list[str]]:
    """``n`` batches of ``per_batch`` lines drawn from the bundled text."""
    from line_server import bundled_lines

    lines = bundled_lines()
    rng = random.Random(seed)
    return [rng.choices(lines, k=per_batch) for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("hostname", nargs="?", default=None,
                        help="read lines from this TCP host (default: a queue of lines)")
    parser.add_argument("port", nargs="?", type=int, default=9999)
    parser.add_argument("--generate", action="store_true",
                        help="serve generated lines from an in-process server")
    parser.add_argument("--rate", type=float, default=20.0,
                        help="lines per second (--generate) or per batch (queue)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--batch", type=float, default=1.0, help="batch interval (s)")
    parser.add_argument("--window", type=float, default=5.0, help="window length (s)")
    parser.add_argument("--slide", type=float, default=1.0, help="slide interval (s)")
    parser.add_argument("--top", type=int, default=10, help="bars to show")
    parser.add_argument("--ui-port", type=int, default=4040,
                        help="spark.ui.port (0: any free port)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    server = None
    host, port = args.hostname, args.port
    if args.generate:
        from line_server import LineServer

        server = LineServer(rate=args.rate).start()
        host, port = server.host, server.port
        print(f"generating {args.rate:g} lines/s on {host}:{port}")

    conf = (SparkConf().setMaster(args.master).setAppName("PythonStreamingDashboardTopWords")
            .set("spark.ui.enabled", "true").set("spark.ui.port", str(args.ui_port)))
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    if sc.uiWebUrl:
        print(f"Spark UI at {sc.uiWebUrl}/#/dashboard (top words, live)", flush=True)
    else:
        print("the Spark UI is off (pip install 'sparklet[ui]'); printing only", flush=True)
    ssc = StreamingContext(sc, args.batch)

    if host is not None:
        lines = ssc.socketTextStream(host, port)
    else:
        # Enough queued batches for the run (ten minutes when it runs until Ctrl-C).
        n = math.ceil((args.seconds or 600) / args.batch) + 1
        lines = ssc.queueStream(queued_batches(n, max(1, int(args.rate))))

    words = lines.flatMap(lambda line: line.lower().split()).filter(str.isalpha)
    windowed = (words.map(lambda w: (w, 1))
                .reduceByKeyAndWindow(lambda a, b: a + b, None, args.window, args.slide))
    dashboard.publish(windowed, f"top words (last {args.window:g} s)", "bar",
                      limit=args.top, columns=["word", "count"])
    dashboard.publish(words.count(), "words per batch", "line")
    windowed.transform(lambda rdd: rdd.sortBy(lambda kv: (-kv[1], kv[0]))).pprint(args.top)

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
