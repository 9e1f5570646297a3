"""Fixtures shared by the GraphX tests (imported as a top-level module).

``sc`` is the suite's shared ``local[2]`` context (tests/conftest.py), re-exported so GraphX
test modules name their fixture source in one import; ``property_graph`` is the programming
guide's users/collaborators example.
"""

from __future__ import annotations

import pytest

from sparklet.graphx import Edge, Graph

USERS = [(3, ("rxin", "student")), (7, ("jgonzal", "postdoc")),
         (5, ("franklin", "prof")), (2, ("istoica", "prof"))]
RELATIONSHIPS = [(3, 7, "collab"), (5, 3, "advisor"), (2, 5, "colleague"), (5, 7, "pi")]


@pytest.fixture(name="sc", scope="session")
def sc_fixture(sc):
    """The shared local[2] SparkContext."""
    assert sc.master == "local[2]", sc.master
    return sc


@pytest.fixture(name="property_graph")
def property_graph_fixture(sc):
    """The guide's graph, plus a relationship to a user (0) missing from the vertices."""
    users = sc.parallelize(USERS, 2)
    rels = sc.parallelize([Edge(s, d, a) for s, d, a in RELATIONSHIPS] +
                          [Edge(4, 0, "student"), Edge(5, 0, "colleague")], 2)
    return Graph(users, rels, ("John Doe", "Missing"))
