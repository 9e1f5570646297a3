"""Pregel: single-source shortest paths from vertex 42 (GraphX's guide).

A random log-normal graph of 100 vertices whose edges have length 1.0; every vertex starts
at distance infinity but the source at 0, and each superstep a vertex offers its
neighbours ``distance + length`` when that is shorter than theirs. Prints ``(id,
distance)`` for every vertex (``inf``: not reachable). ``--seed`` (default 42) fixes the
graph the guide draws anew each run.

Run:  python examples/graphx/sssp_pregel.py [--seed 42] [--master local[2]]
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

    conf = SparkConf().setMaster(args.master).setAppName("SSSPExample")
    with SparkContext(conf=conf) as sc:
        # A graph with edge attributes containing distances.
        graph = GraphGenerators.logNormalGraph(sc, numVertices=100, seed=args.seed) \
            .mapEdges(lambda e: float(e.attr))
        source_id = 42  # the ultimate source
        initial_graph = graph.mapVertices(
            lambda vid, _: 0.0 if vid == source_id else float("inf"))

        def send_message(triplet):
            if triplet.srcAttr + triplet.attr < triplet.dstAttr:
                return [(triplet.dstId, triplet.srcAttr + triplet.attr)]
            return []

        sssp = initial_graph.pregel(
            float("inf"),
            lambda vid, dist, new_dist: min(dist, new_dist),  # vertex program
            send_message,
            lambda a, b: min(a, b))  # merge message
        for pair in sorted(sssp.vertices.collect()):
            print(pair)


if __name__ == "__main__":
    main()
