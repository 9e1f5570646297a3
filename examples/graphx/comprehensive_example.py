"""The guide's comprehensive example: users with attributes, their PageRank, the top five.

Builds the follower graph from text files, attaches each user's attribute list (username
and full name; an empty list for a user users.txt lacks), keeps the users with both
attributes, runs PageRank to a tolerance of 0.001 on that subgraph and prints the five
users of highest rank as ``(id, (rank, [username, full name]))``.

Run:  python examples/graphx/comprehensive_example.py [--master local[2]]
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

    conf = SparkConf().setMaster(args.master).setAppName("ComprehensiveExample")
    with SparkContext(conf=conf) as sc:
        # Load the user data and parse it into tuples of user id and attribute list.
        users = sc.textFile(os.path.join(DATA, "users.txt")).map(
            lambda line: line.split(",")).map(lambda parts: (int(parts[0]), parts[1:]))
        # Parse the edge data, which is already in userId -> userId format.
        follower_graph = GraphLoader.edgeListFile(sc, os.path.join(DATA, "followers.txt"))
        # Attach the user attributes; users without any get an empty list.
        graph = follower_graph.outerJoinVertices(
            users, lambda uid, deg, attrs: attrs if attrs is not None else [])
        # Restrict the graph to users with usernames and names.
        subgraph = graph.subgraph(vpred=lambda vid, attrs: len(attrs) == 2)
        # Compute the PageRank.
        pagerank_graph = subgraph.pageRank(0.001)
        # Get the attributes of the top PageRank users.
        user_info_with_pagerank = subgraph.outerJoinVertices(
            pagerank_graph.vertices,
            lambda uid, attrs, pr: (pr if pr is not None else 0.0, list(attrs)))
        for row in user_info_with_pagerank.vertices.top(5, key=lambda v: v[1][0]):
            print(row)


if __name__ == "__main__":
    main()
