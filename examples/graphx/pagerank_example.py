"""PageRank of the guide's social network (followers.txt), joined with the usernames.

Loads the follower edges with GraphLoader, runs dynamic PageRank to a tolerance of 0.0001
and prints ``(username, rank)`` per user (the ranks sum to the number of users).

Run:  python examples/graphx/pagerank_example.py [--master local[2]]
"""

from __future__ import annotations

import argparse
import os

from sparklet import SparkConf, SparkContext
from sparklet.graphx import GraphLoader

DATA = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("PageRankExample")
    with SparkContext(conf=conf) as sc:
        # Load the edges as a graph.
        graph = GraphLoader.edgeListFile(sc, os.path.join(DATA, "followers.txt"))
        # Run PageRank.
        ranks = graph.pageRank(0.0001).vertices
        # Join the ranks with the usernames.
        users = sc.textFile(os.path.join(DATA, "users.txt")).map(
            lambda line: line.split(",")).map(lambda fields: (int(fields[0]), fields[1]))
        ranks_by_username = users.join(ranks).map(lambda kv: (kv[1][0], kv[1][1]))
        for pair in sorted(ranks_by_username.collect()):
            print(pair)


if __name__ == "__main__":
    main()
