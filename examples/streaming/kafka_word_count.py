"""DirectKafkaWordCount, the Spark Streaming + Kafka guide's example: counts the words of
the messages of a Kafka topic in two-second batches, with the direct stream (no receiver:
every batch reads an exact range of offsets of each partition).

    python examples/streaming/kafka_word_count.py 127.0.0.1:9092 words
    python examples/streaming/kafka_word_count.py 127.0.0.1:9092 words --generate

``--generate`` creates the topic if it is missing and writes lines of text to it from an
in-process producer (``--rate`` lines per second), so only a broker is needed. Without
it, write to the topic yourself, e.g. with Kafka's ``kafka-console-producer.sh``. Needs
the Kafka extra: ``pip install 'sparklet[kafka]'``.
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
from sparklet.streaming.kafka import KafkaUtils  # noqa: E402


def generate(brokers: str, topic: str, rate: float, stop: threading.Event) -> None:
    """Write the bundled text's lines to ``topic`` at ``rate`` lines/s until ``stop``."""
    from confluent_kafka import Producer
    from line_server import bundled_lines

    producer = Producer({"bootstrap.servers": brokers})
    for line in itertools.cycle(bundled_lines()):
        if stop.wait(1.0 / rate):
            break
        producer.produce(topic, line.encode("utf-8"))
        producer.poll(0)
    producer.flush(10)


def ensure_topic(brokers: str, topic: str) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": brokers})
    if topic not in admin.list_topics(timeout=30).topics:
        admin.create_topics([NewTopic(topic, 2, 1)])[topic].result(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("brokers", help="the bootstrap servers, host:port[,host:port...]")
    parser.add_argument("topic")
    parser.add_argument("--generate", action="store_true",
                        help="write generated lines to the topic from an in-process producer")
    parser.add_argument("--rate", type=float, default=20.0,
                        help="lines per second from --generate")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--batch", type=float, default=2.0, help="batch interval (s)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    stop, producer = threading.Event(), None
    if args.generate:
        ensure_topic(args.brokers, args.topic)
        producer = threading.Thread(target=generate, daemon=True,
                                    args=(args.brokers, args.topic, args.rate, stop))
        producer.start()
        print(f"writing {args.rate:g} lines/s to {args.topic} on {args.brokers}")

    conf = SparkConf().setMaster(args.master).setAppName("PythonStreamingDirectKafkaWordCount")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batch)

    kvs = KafkaUtils.createDirectStream(ssc, [args.topic],
                                        {"metadata.broker.list": args.brokers})
    lines = kvs.map(lambda x: x[1])
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
