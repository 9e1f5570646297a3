"""The algorithms GraphX's ``GraphOps`` offers as graph methods, mixed into
:class:`~sparklet.graphx.Graph`; each delegates to its ``sparklet.graphx.lib`` object."""

from __future__ import annotations

from typing import Any

__all__ = ["GraphAlgorithms"]


class GraphAlgorithms:
    def pageRank(self, tol: float, resetProb: float = 0.15):
        """Dynamic PageRank until ranks change by less than ``tol``
        (:meth:`PageRank.runUntilConvergence <sparklet.graphx.lib.PageRank>`)."""
        from sparklet.graphx.lib.pagerank import PageRank

        return PageRank.runUntilConvergence(self, tol, resetProb)

    def staticPageRank(self, numIter: int, resetProb: float = 0.15):
        """PageRank for ``numIter`` rounds."""
        from sparklet.graphx.lib.pagerank import PageRank

        return PageRank.run(self, numIter, resetProb)

    def personalizedPageRank(self, src: Any, tol: float, resetProb: float = 0.15):
        """Dynamic PageRank personalised to vertex ``src`` (ranks sum to 1)."""
        from sparklet.graphx.lib.pagerank import PageRank

        return PageRank.runUntilConvergenceWithOptions(self, tol, resetProb, src)

    def staticPersonalizedPageRank(self, src: Any, numIter: int, resetProb: float = 0.15):
        """PageRank personalised to vertex ``src`` for ``numIter`` rounds."""
        from sparklet.graphx.lib.pagerank import PageRank

        return PageRank.runWithOptions(self, numIter, resetProb, src)

    def connectedComponents(self, maxIterations: int | None = None):
        """Each vertex labelled with the smallest id of its connected component."""
        from sparklet.graphx.lib.connected_components import ConnectedComponents

        return ConnectedComponents.run(self, maxIterations)

    def stronglyConnectedComponents(self, numIter: int):
        """Each vertex labelled with the smallest id of its strongly connected component."""
        from sparklet.graphx.lib.strongly_connected_components import (
            StronglyConnectedComponents,
        )

        return StronglyConnectedComponents.run(self, numIter)

    def triangleCount(self):
        """Each vertex labelled with the number of triangles through it."""
        from sparklet.graphx.lib.triangle_count import TriangleCount

        return TriangleCount.run(self)
