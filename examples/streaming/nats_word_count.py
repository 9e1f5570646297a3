"""NATSWordCount: counts the words of the messages published on a NATS subject, in
two-second batches, read reliably through a JetStream durable consumer.

    python examples/streaming/nats_word_count.py nats://127.0.0.1:4222 words
    python examples/streaming/nats_word_count.py nats://127.0.0.1:4222 words --generate

The stream holding the subject (and the consumer) is created if missing. ``--generate``
publishes lines of text to the subject from an in-process client (``--rate`` lines per
second), so only a server is needed (``nats-server -js``). Without it, publish yourself,
e.g. ``nats pub words "to be or not to be"``. Needs the NATS extra: ``pip install
'sparklet[nats]'``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sparklet import SparkConf, SparkContext  # noqa: E402
from sparklet.streaming import StreamingContext  # noqa: E402
from sparklet.streaming.nats import NATSUtils  # noqa: E402


def generate(servers: str, subject: str, rate: float, stop: threading.Event) -> None:
    """Publish the bundled text's lines to ``subject`` at ``rate`` lines/s until ``stop``."""
    import nats
    from line_server import bundled_lines

    async def run():
        nc = await nats.connect(servers.split(","))
        js = nc.jetstream()
        try:
            await js.find_stream_name_by_subject(subject)
        except nats.js.errors.NotFoundError:
            await js.add_stream(name=subject.replace(".", "_"), subjects=[subject])
        for line in itertools.cycle(bundled_lines()):
            if stop.is_set():
                break
            await js.publish(subject, line.encode("utf-8"))
            await asyncio.sleep(1.0 / rate)
        await nc.close()

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("servers", help="the NATS server URL(s), nats://host:port[,...]")
    parser.add_argument("subject")
    parser.add_argument("--generate", action="store_true",
                        help="publish generated lines to the subject from an in-process client")
    parser.add_argument("--rate", type=float, default=20.0,
                        help="lines per second from --generate")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--batch", type=float, default=2.0, help="batch interval (s)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    stop, producer = threading.Event(), None
    if args.generate:
        producer = threading.Thread(target=generate, daemon=True,
                                    args=(args.servers, args.subject, args.rate, stop))
        producer.start()
        print(f"publishing {args.rate:g} lines/s on {args.subject} at {args.servers}")

    conf = SparkConf().setMaster(args.master).setAppName("NATSWordCount")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batch)

    lines = NATSUtils.createStream(ssc, args.servers, args.subject)
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
        stop.set()
        if producer is not None:
            producer.join(15)


if __name__ == "__main__":
    main()
