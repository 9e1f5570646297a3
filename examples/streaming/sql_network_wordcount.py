"""SqlNetworkWordCount, the Spark Streaming guide's "DataFrame and SQL Operations" example:
the words of each one-second batch of text from a TCP server become a DataFrame, a temporary
view ``words``, and are counted with SQL.

    python examples/streaming/sql_network_wordcount.py localhost 9999   # with `nc -lk 9999`
    python examples/streaming/sql_network_wordcount.py --generate       # no nc needed

Each batch prints its time and the SQL result as ``show()`` prints it:

    ========= 2026-01-01 10:00:01 =========
    +----+-----+
    |word|total|
    +----+-----+
    | ...|  ...|

The SparkSession is one lazily made instance shared by all batches
(``getSparkSessionInstance``, as the guide's), built from the SparkContext's configuration
(``rdd.context.getConf()``), so the batches' DataFrames all live in one session. ``--generate``
starts a small line server in-process (see ``line_server.py``); the receiver occupies one
executor slot, so the master needs more cores than receivers: ``local[2]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sparklet import SparkConf, SparkContext  # noqa: E402
from sparklet.sql import Row, SparkSession  # noqa: E402
from sparklet.streaming import StreamingContext  # noqa: E402

COUNT_SQL = "select word, count(*) as total from words group by word"


def getSparkSessionInstance(sparkConf: SparkConf) -> SparkSession:
    """The one SparkSession of the program, made on first use from ``sparkConf``."""
    if "sparkSessionSingletonInstance" not in globals():
        globals()["sparkSessionSingletonInstance"] = (
            SparkSession.builder.config(conf=sparkConf).getOrCreate())
    return globals()["sparkSessionSingletonInstance"]


def word_counts(rdd: Any) -> Any:
    """The batch's words (an RDD of str) counted by SQL over the temporary view ``words``;
    None for a batch without words (there is no schema to infer from no rows)."""
    if rdd.isEmpty():
        return None
    spark = getSparkSessionInstance(rdd.context.getConf())
    # RDD[str] -> RDD[Row] -> DataFrame, a temporary view, then SQL on it
    row_rdd = rdd.map(lambda w: Row(word=w))
    words_df = spark.createDataFrame(row_rdd)
    words_df.createOrReplaceTempView("words")
    return spark.sql(COUNT_SQL)


def show_counts(time: Any, rdd: Any) -> None:
    """The guide's ``process``: the batch time, then the counts as a table."""
    print(f"========= {time} =========")
    counts = word_counts(rdd)
    if counts is not None:
        counts.show()


def attach(lines: Any, report: Callable[[Any, Any], None] = show_counts) -> Any:
    """Split ``lines`` (a DStream of text) into words and hand every batch's RDD of words to
    ``report(time, rdd)``; returns the words DStream."""
    words = lines.flatMap(lambda line: line.split(" "))
    words.foreachRDD(report)
    return words


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

    conf = SparkConf().setMaster(args.master).setAppName("PythonSqlNetworkWordCount")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batch)

    attach(ssc.socketTextStream(host, port))

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
