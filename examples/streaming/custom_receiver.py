"""A custom receiver in Python (the Spark Streaming guide's "Implementing a Custom
Receiver", which PySpark never offered): a receiver that reads lines from a TCP server,
restarting when the connection fails, and a word count over what it stores.

    python examples/streaming/custom_receiver.py               # serves its own lines
    python examples/streaming/custom_receiver.py localhost 9999

The receiver's ``onStart`` must not block, so it starts a thread; that thread stores each
line and asks for a restart when the server goes away (``restart`` reconnects after
``spark.streaming.receiverRestartDelay`` ms).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sparklet import SparkConf, SparkContext, StorageLevel  # noqa: E402
from sparklet.streaming import StreamingContext  # noqa: E402
from sparklet.streaming.receiver import Receiver  # noqa: E402


class CustomReceiver(Receiver):
    """Lines of text from ``host:port``, one record per line."""

    def __init__(self, host: str, port: int):
        super().__init__(StorageLevel.MEMORY_AND_DISK_2)
        self.host, self.port = host, port

    def onStart(self):
        # Start the thread that receives data over a connection.
        threading.Thread(target=self.receive, daemon=True, name="Socket Receiver").start()

    def onStop(self):
        # Nothing to do: the receiving thread checks isStopped() and ends by itself.
        pass

    def receive(self):
        """Connect, store each line until stopped or the connection closes, then restart."""
        try:
            with socket.create_connection((self.host, self.port)) as sock, \
                    sock.makefile("r", encoding="utf-8") as reader:
                for line in reader:
                    if self.isStopped():
                        return
                    self.store(line.rstrip("\n"))
            self.restart("Trying to connect again")
        except ConnectionRefusedError as e:
            self.restart(f"Error connecting to {self.host}:{self.port}", e)
        except Exception as e:  # noqa: BLE001 - any other error: restart too
            if not self.isStopped():
                self.restart("Error receiving data", e)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("hostname", nargs="?", default=None)
    parser.add_argument("port", nargs="?", type=int, default=9999)
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="stop gracefully after this long (0: run until Ctrl-C)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    server = None
    host, port = args.hostname, args.port
    if host is None:
        from line_server import LineServer

        server = LineServer(rate=20).start()
        host, port = server.host, server.port

    conf = SparkConf().setMaster(args.master).setAppName("CustomReceiver")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, 1)

    lines = ssc.receiverStream(CustomReceiver(host, port))
    words = lines.flatMap(lambda line: line.split(" "))
    word_counts = words.map(lambda word: (word, 1)).reduceByKey(lambda a, b: a + b)
    word_counts.pprint()

    ssc.start()
    try:
        if args.seconds > 0:
            ssc.awaitTerminationOrTimeout(args.seconds)
        else:
            ssc.awaitTermination()
    except KeyboardInterrupt:
        pass
    finally:
        ssc.stop(stopSparkContext=True, stopGraceFully=True)
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
