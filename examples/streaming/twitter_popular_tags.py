"""TwitterPopularTags: the hashtags most used in posts matching some filters, over the last
60 and 10 seconds, from X's filtered stream (the guide's Twitter example).

    X_BEARER_TOKEN=... python examples/streaming/twitter_popular_tags.py spark python

The filters become the stream's rules (tagged ``sparklet``, kept in line on every
connection); with none, the app's existing rules stay. ``--api-url`` points at another
server speaking the same API (the tests use a local one). Needs the Twitter extra:
``pip install 'sparklet[twitter]'``.
"""

from __future__ import annotations

import argparse
import os

from sparklet import SparkConf, SparkContext
from sparklet.streaming import StreamingContext
from sparklet.streaming.twitter import TwitterUtils


def top_tags(statuses, window: float, slide: float):
    """(count, #tag) over ``window`` seconds every ``slide`` seconds, most used first."""
    tags = statuses.flatMap(lambda s: ["#" + h.getText() for h in s.getHashtagEntities()])
    return (tags.map(lambda t: (t, 1))
            .reduceByKeyAndWindow(lambda a, b: a + b, None, window, slide)
            .map(lambda kv: (kv[1], kv[0]))
            .transform(lambda rdd: rdd.sortByKey(False)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("filters", nargs="*", help="stream rules (X's rule syntax)")
    parser.add_argument("--bearer-token", default=os.environ.get("X_BEARER_TOKEN"),
                        help="the app's bearer token (default: $X_BEARER_TOKEN)")
    parser.add_argument("--api-url", default="https://api.x.com")
    parser.add_argument("--batch", type=float, default=2.0, help="batch interval (s)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop gracefully after this long (default: run until Ctrl-C)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    if not args.bearer_token:
        parser.error("give --bearer-token or set X_BEARER_TOKEN")

    sc = SparkContext(conf=SparkConf().setMaster(args.master).setAppName("TwitterPopularTags"))
    sc.setLogLevel("WARN")
    ssc = StreamingContext(sc, args.batch)
    statuses = TwitterUtils.createStream(ssc, args.bearer_token, args.filters or None,
                                         apiUrl=args.api_url)

    def show(label):
        def print_top(rdd):
            top = rdd.take(10)
            print(f"\nPopular topics in last {label} seconds ({rdd.count()} total):")
            for count, tag in top:
                print(f"{tag} ({count} posts)")
        return print_top

    top_tags(statuses, 30 * args.batch, args.batch).foreachRDD(show(f"{30 * args.batch:g}"))
    top_tags(statuses, 5 * args.batch, args.batch).foreachRDD(show(f"{5 * args.batch:g}"))
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
