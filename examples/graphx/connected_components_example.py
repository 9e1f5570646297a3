"""Connected components of the guide's social network, joined with the usernames.

Each user is labelled with the smallest id of its (weakly) connected component.

Run:  python examples/graphx/connected_components_example.py [--master local[2]]
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

    conf = SparkConf().setMaster(args.master).setAppName("ConnectedComponentsExample")
    with SparkContext(conf=conf) as sc:
        # Load the graph as in the PageRank example.
        graph = GraphLoader.edgeListFile(sc, os.path.join(DATA, "followers.txt"))
        # Find the connected components.
        cc = graph.connectedComponents().vertices
        # Join the connected components with the usernames.
        users = sc.textFile(os.path.join(DATA, "users.txt")).map(
            lambda line: line.split(",")).map(lambda fields: (int(fields[0]), fields[1]))
        cc_by_username = users.join(cc).map(lambda kv: (kv[1][0], kv[1][1]))
        for pair in sorted(cc_by_username.collect()):
            print(pair)


if __name__ == "__main__":
    main()
