"""ZeroMQWordCount: counts the words of the messages a ZeroMQ publisher sends under a
topic, in two-second batches.

    python examples/streaming/zeromq_word_count.py tcp://127.0.0.1:5555 words
    python examples/streaming/zeromq_word_count.py tcp://127.0.0.1:5555 words --generate

Messages are ``[topic, line]`` multi-part messages (the text stream drops the topic
frame). ``--generate`` binds a PUB socket at the URL in this process and publishes lines
of text (``--rate`` lines per second), so nothing else is needed. Without it, bind your own
PUB socket there. PUB/SUB is lossy: lines published before the subscription is live are
not counted. Needs the ZeroMQ extra: ``pip install 'sparklet[zeromq]'``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sparklet import SparkConf, SparkContext  # noqa: E402
from sparklet.streaming import StreamingContext  # noqa: E402
from sparklet.streaming.zeromq import ZeroMQUtils  # noqa: E402


def generate(url: str, topic: str, rate: float, stop: threading.Event) -> None:
    """Publish the bundled text's lines under ``topic`` at ``rate`` lines/s until ``stop``."""
    import zmq
    from line_server import bundled_lines

    context = zmq.Context()
    sock = context.socket(zmq.PUB)
    sock.bind(url)
    for line in itertools.cycle(bundled_lines()):
        if stop.wait(1.0 / rate):
            break
        sock.send_multipart([topic.encode(), line.encode()])
    sock.close(0)
    context.term()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("publisherUrl", help="the PUB socket, tcp://host:port")
    parser.add_argument("topic", help="the topic prefix to subscribe to")
    parser.add_argument("--generate", action="store_true",
                        help="bind a PUB socket at publisherUrl and publish generated lines")
    parser.add_argument("--rate", type=float, default=20.0,
                        help="lines per second from --generate")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--batch", type=float, default=2.0, help="batch interval (s)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("ZeroMQWordCount")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batch)

    lines = ZeroMQUtils.createTextStream(ssc, args.publisherUrl, args.topic)
    counts = (lines.flatMap(lambda line: line.split(" "))
              .map(lambda word: (word, 1))
              .reduceByKey(lambda a, b: a + b))
    counts.pprint()

    ssc.start()
    stop, producer = threading.Event(), None
    if args.generate:
        producer = threading.Thread(target=generate, daemon=True,
                                    args=(args.publisherUrl, args.topic, args.rate, stop))
        producer.start()
        print(f"publishing {args.rate:g} lines/s under {args.topic} at {args.publisherUrl}")
    try:
        if args.seconds is None:
            ssc.awaitTermination()
        else:
            ssc.awaitTerminationOrTimeout(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        ssc.stop(stopSparkContext=True, stopGraceFully=True)
        stop.set()
        if producer is not None:
            producer.join(15)


if __name__ == "__main__":
    main()
