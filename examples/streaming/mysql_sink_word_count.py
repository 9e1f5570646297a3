"""NetworkWordCount into MySQL/MariaDB, exactly once: each batch's word counts go through
``mysql_sink`` (one InnoDB transaction per partition with its commit marker), so a batch
that recovery runs again after a driver crash writes nothing twice.

    python examples/streaming/mysql_sink_word_count.py mysql://user:pass@127.0.0.1:3306/db \\
        localhost 9999                                  # with `nc -lk 9999`
    python examples/streaming/mysql_sink_word_count.py mysql://... --generate --seconds 10

The table ``word_counts(batch_time, word, n)`` is created if missing; the commit markers
are in ``sparklet_sink_commits``. ``--checkpoint DIR`` makes the application recoverable
(``StreamingContext.getOrCreate``): kill it and start it again with the same directory,
and every batch's counts are in the table once. Needs PyMySQL: pip install
'sparklet[mysql]'.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sparklet import SparkConf, SparkContext  # noqa: E402
from sparklet.streaming import StreamingContext  # noqa: E402
from sparklet.streaming.sinks import mysql_sink  # noqa: E402

TABLE_DDL = ("CREATE TABLE IF NOT EXISTS word_counts(batch_time BIGINT NOT NULL, "
             "word VARCHAR(255) COLLATE utf8mb4_bin NOT NULL, n INT NOT NULL, "
             "PRIMARY KEY (batch_time, word)) ENGINE=InnoDB")
# utf8mb4_bin: MySQL's default collations compare case-insensitively, so "To" and "to"
# would be the same key.


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="mysql://user:password@host:port/database")
    parser.add_argument("hostname", nargs="?", default="localhost")
    parser.add_argument("port", nargs="?", type=int, default=9999)
    parser.add_argument("--generate", action="store_true",
                        help="serve generated lines from an in-process server")
    parser.add_argument("--rate", type=float, default=20.0,
                        help="lines per second from --generate")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--batch", type=float, default=1.0, help="batch interval (s)")
    parser.add_argument("--checkpoint", default=None, help="checkpoint directory")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    host, port, server = args.hostname, args.port, None
    if args.generate:
        from line_server import LineServer

        server = LineServer(rate=args.rate).start()
        host, port = server.host, server.port
        print(f"generating {args.rate:g} lines/s on {host}:{port}")

    sink = mysql_sink(args.url, "INSERT INTO word_counts(batch_time, word, n) "
                      "VALUES (%s, %s, %s)", sink_id="word_counts", setup=TABLE_DDL)

    def create() -> StreamingContext:
        conf = SparkConf().setMaster(args.master).setAppName("MySQLSinkWordCount")
        sc = SparkContext.getOrCreate(conf)
        sc.setLogLevel("WARN")
        ssc = StreamingContext(sc, args.batch)
        if args.checkpoint:
            ssc.checkpoint(args.checkpoint)
        counts = (ssc.socketTextStream(host, port)
                  .flatMap(lambda line: line.split())
                  .map(lambda word: (word, 1))
                  .reduceByKey(lambda a, b: a + b))

        def write(time, rdd):
            ms = round(time.timestamp() * 1000)  # the batch time, as the sink keys it
            sink(time, rdd.map(lambda wc: (ms, wc[0], wc[1])))

        counts.foreachRDD(write)
        counts.pprint()
        return ssc

    ssc = (StreamingContext.getOrCreate(args.checkpoint, create) if args.checkpoint
           else create())
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
