"""RedisWordCount: counts the words of the entries added to a Redis stream, in two-second
batches, read reliably as one consumer of a consumer group.

    python examples/streaming/redis_word_count.py redis://127.0.0.1:6379/0 lines
    python examples/streaming/redis_word_count.py redis://127.0.0.1:6379/0 lines --generate

Each entry's ``line`` field (``--field``) is split into words. The group (``--group``) is
created if missing, at ``--start-id`` (``$``: entries added from now on; ``0``: the whole
stream). ``--generate`` adds lines of text to the stream from an in-process client
(``--rate`` lines per second), so only a server is needed. Without it, add entries
yourself: ``redis-cli XADD lines '*' line "to be or not to be"``. Needs the Redis extra:
``pip install 'sparklet[redis]'``.
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
from sparklet.streaming.redis import RedisUtils  # noqa: E402


def generate(url: str, key: str, field: str, rate: float, stop: threading.Event) -> None:
    """Add the bundled text's lines to ``key`` at ``rate`` lines/s until ``stop``."""
    import redis
    from line_server import bundled_lines

    client = redis.Redis.from_url(url)
    for line in itertools.cycle(bundled_lines()):
        if stop.wait(1.0 / rate):
            break
        client.xadd(key, {field: line})
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the Redis server, redis://host:port/db")
    parser.add_argument("key", help="the stream key")
    parser.add_argument("--group", default="word-count", help="the consumer group")
    parser.add_argument("--field", default="line", help="the field holding the text")
    parser.add_argument("--start-id", default="$",
                        help="where a new group starts: $ (new entries) or 0 (all)")
    parser.add_argument("--generate", action="store_true",
                        help="add generated lines to the stream from an in-process client")
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
                                    args=(args.url, args.key, args.field, args.rate, stop))
        producer.start()
        print(f"adding {args.rate:g} lines/s to {args.key} at {args.url}")

    conf = SparkConf().setMaster(args.master).setAppName("RedisWordCount")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batch)

    field = args.field
    entries = RedisUtils.createStream(ssc, args.url, args.key, args.group,
                                      startId=args.start_id)
    counts = (entries.flatMap(lambda fields: fields.get(field, "").split(" "))
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
