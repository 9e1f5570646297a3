"""GraphX's graph algorithms (``org.apache.spark.graphx.lib``): PageRank, connected and
strongly connected components, triangle counting, shortest paths to landmarks, label
propagation and SVD++. The common ones are also methods of :class:`~sparklet.graphx.Graph`
(GraphX's ``GraphOps``): ``pageRank``, ``staticPageRank``, ``personalizedPageRank``,
``staticPersonalizedPageRank``, ``connectedComponents``, ``stronglyConnectedComponents``,
``triangleCount``.
"""

from sparklet.graphx.lib.connected_components import ConnectedComponents
from sparklet.graphx.lib.label_propagation import LabelPropagation
from sparklet.graphx.lib.pagerank import PageRank
from sparklet.graphx.lib.shortest_paths import ShortestPaths
from sparklet.graphx.lib.strongly_connected_components import StronglyConnectedComponents
from sparklet.graphx.lib.svdpp import SVDPlusPlus
from sparklet.graphx.lib.triangle_count import TriangleCount

__all__ = ["ConnectedComponents", "LabelPropagation", "PageRank", "ShortestPaths",
           "StronglyConnectedComponents", "SVDPlusPlus", "TriangleCount"]
