"""RecoverableNetworkWordCount: counts the words of the UTF-8 text received from a TCP
server every second, appends each batch's counts to a file, and survives a driver crash.

    python examples/streaming/recoverable_network_word_count.py \
        <hostname> <port> <checkpoint-directory> <output-file>

(with a server such as ``nc -lk 9999``; the master comes from the environment, e.g.
``sparklet-submit --master local[2]``). The first run finds no checkpoint, so it creates
a new context (printing "Creating new context") and starts the output file afresh. After
a crash, the same command recovers the application from the checkpoint directory --
the DStream graph and its functions, without calling ``create_context`` again -- so the
output file keeps what was written before the crash and the counts go on being appended.
This is the program of Spark's ``recoverable_network_wordcount.py`` example.
"""

from __future__ import annotations

import os
import sys

from sparklet import SparkContext
from sparklet.streaming import StreamingContext


def create_context(host: str, port: int, output_path: str) -> StreamingContext:
    # Printed only when no checkpoint was found: a recovered context skips this function.
    print("Creating new context", flush=True)
    if os.path.exists(output_path):
        os.remove(output_path)
    sc = SparkContext(appName="PythonStreamingRecoverableNetworkWordCount")
    ssc = StreamingContext(sc, 1)

    # Count the words of the newline-delimited text read from host:port.
    lines = ssc.socketTextStream(host, port)
    words = lines.flatMap(lambda line: line.split(" "))
    word_counts = words.map(lambda word: (word, 1)).reduceByKey(lambda a, b: a + b)

    def echo(time, rdd):
        counts = f"Counts at time {time} {rdd.collect()}"
        print(counts, flush=True)
        print("Appending to " + os.path.abspath(output_path), flush=True)
        with open(output_path, "a") as f:
            f.write(counts + "\n")

    word_counts.foreachRDD(echo)
    return ssc


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("Usage: recoverable_network_word_count.py <hostname> <port> "
              "<checkpoint-directory> <output-file>", file=sys.stderr)
        return -1
    host, port, checkpoint, output = argv
    ssc = StreamingContext.getOrCreate(checkpoint,
                                       lambda: create_context(host, int(port), output))
    ssc.start()
    ssc.awaitTermination()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
