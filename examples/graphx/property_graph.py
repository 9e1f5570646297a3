"""The property graph of GraphX's programming guide: users and their collaborations.

Builds the guide's graph of four users (rxin, jgonzal, franklin, istoica) and four
relationships, then counts the postdocs and the edges with ``srcId > dstId``, prints one
sentence per triplet and the vertices of highest in-, out- and total degree.

Run:  python examples/graphx/property_graph.py [--master local[2]]
"""

from __future__ import annotations

import argparse

from sparklet import SparkConf, SparkContext
from sparklet.graphx import Edge, Graph


def max_degree(a, b):
    """The ``(id, degree)`` of higher degree (the guide's reduce function)."""
    return a if a[1] > b[1] else b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()

    conf = SparkConf().setMaster(args.master).setAppName("PropertyGraph")
    with SparkContext(conf=conf) as sc:
        users = sc.parallelize([(3, ("rxin", "student")), (7, ("jgonzal", "postdoc")),
                                (5, ("franklin", "prof")), (2, ("istoica", "prof"))])
        relationships = sc.parallelize([Edge(3, 7, "collab"), Edge(5, 3, "advisor"),
                                        Edge(2, 5, "colleague"), Edge(5, 7, "pi")])
        # Users named by an edge but missing from ``users`` get this attribute.
        default_user = ("John Doe", "Missing")
        graph = Graph(users, relationships, default_user)

        postdocs = graph.vertices.filter(lambda v: v[1][1] == "postdoc").count()
        print("postdocs: %d" % postdocs)
        print("edges with srcId > dstId: %d" % graph.edges.filter(
            lambda e: e.srcId > e.dstId).count())

        facts = graph.triplets.map(
            lambda t: t.srcAttr[0] + " is the " + t.attr + " of " + t.dstAttr[0])
        for fact in sorted(facts.collect()):  # sorted: collect's order is the partitions'
            print(fact)

        print("max in-degree: %s" % (graph.inDegrees.reduce(max_degree),))
        print("max out-degree: %s" % (graph.outDegrees.reduce(max_degree),))
        print("max degree: %s" % (graph.degrees.reduce(max_degree),))


if __name__ == "__main__":
    main()
