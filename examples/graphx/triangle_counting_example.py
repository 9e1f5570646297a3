"""Triangle counts of the guide's social network, joined with the usernames.

The edges are loaded in canonical orientation (``srcId < dstId``) and partitioned with
PartitionStrategy.RandomVertexCut, as triangle counting asks; each user is labelled with the
number of triangles through it.

Run:  python examples/graphx/triangle_counting_example.py [--master local[2]]
"""

from __future__ import annotations

import argparse
import os

from sparklet import SparkConf, SparkContext
from sparklet.graphx import GraphLoader, PartitionStrategy

DATA = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("TriangleCountingExample")
    with SparkContext(conf=conf) as sc:
        # Load the edges in canonical order and partition the graph for triangle count.
        graph = GraphLoader.edgeListFile(sc, os.path.join(DATA, "followers.txt"), True) \
            .partitionBy(PartitionStrategy.RandomVertexCut)
        # Find the triangle count for each vertex.
        tri_counts = graph.triangleCount().vertices
        # Join the triangle counts with the usernames.
        users = sc.textFile(os.path.join(DATA, "users.txt")).map(
            lambda line: line.split(",")).map(lambda fields: (int(fields[0]), fields[1]))
        tri_count_by_username = users.join(tri_counts).map(lambda kv: (kv[1][0], kv[1][1]))
        for pair in sorted(tri_count_by_username.collect()):
            print(pair)


if __name__ == "__main__":
    main()
