"""RabbitMQWordCount: counts the words of the messages of a RabbitMQ queue, in two-second
batches, acknowledged once stored.

    python examples/streaming/rabbitmq_word_count.py amqp://guest:guest@127.0.0.1:5672/%2F lines

Publish text messages to the queue (``--exchange`` and ``--routing-key`` bind it to an
exchange first). Needs the RabbitMQ extra: ``pip install 'sparklet[rabbitmq]'``.
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext
from sparklet.streaming import StreamingContext
from sparklet.streaming.rabbitmq import RabbitMQUtils


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the broker, amqp://user:password@host:port/vhost")
    parser.add_argument("queue", help="the queue to consume (declared if missing)")
    parser.add_argument("--exchange", default=None, help="an exchange to bind the queue to")
    parser.add_argument("--routing-key", action="append", default=None,
                        help="a binding key (repeatable; default: the queue's name)")
    parser.add_argument("--batch", type=float, default=2.0, help="batch interval (s)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    sc = SparkContext(conf=SparkConf().setMaster(args.master).setAppName("RabbitMQWordCount"))
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batch)
    lines = RabbitMQUtils.createStream(ssc, args.url, queueName=args.queue,
                                       exchangeName=args.exchange,
                                       routingKeys=args.routing_key)
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


if __name__ == "__main__":
    main()
