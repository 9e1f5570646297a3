"""aggregateMessages: the average age of each user's older followers (GraphX's guide).

A random log-normal graph of 100 users (GraphGenerators.logNormalGraph) where a user's
"age" is its id; every follower older than the user it follows sends ``(1, age)``, the
messages are summed per user and the sum divided by the count. The guide draws a new graph
each run; ``--seed`` (default 42) fixes it here so the output can be checked.

Run:  python examples/graphx/aggregate_messages.py [--seed 42] [--master local[2]]
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext
from sparklet.graphx.util import GraphGenerators


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42, help="graph seed (-1: a new graph)")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("AggregateMessagesExample")
    with SparkContext(conf=conf) as sc:
        # A graph with "age" as the vertex property (a random graph, for simplicity).
        graph = GraphGenerators.logNormalGraph(sc, numVertices=100, seed=args.seed) \
            .mapVertices(lambda vid, _: float(vid))

        def send_older(ctx):
            if ctx.srcAttr > ctx.dstAttr:
                ctx.sendToDst((1, ctx.srcAttr))  # a counter and the follower's age

        older_followers = graph.aggregateMessages(
            send_older, lambda a, b: (a[0] + b[0], a[1] + b[1]))
        avg_age_of_older_followers = older_followers.mapValues(
            lambda vid, value: value[1] / value[0])
        for pair in sorted(avg_age_of_older_followers.collect()):
            print(pair)


if __name__ == "__main__":
    main()
