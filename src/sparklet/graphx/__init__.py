"""GraphX: property graphs and graph-parallel computation on sparklet RDDs.

GraphX's Scala API in Python (PySpark has no GraphX): :class:`Graph` with its operators and
Pregel, :class:`VertexRDD`, :class:`EdgeRDD`, :class:`Edge`, :class:`EdgeTriplet`,
:class:`EdgeDirection`, :class:`TripletFields`, :class:`PartitionStrategy`,
:class:`GraphLoader`.
"""

from sparklet.graphx.edge import Edge, EdgeContext, EdgeDirection, EdgeTriplet, TripletFields
from sparklet.graphx.graph import Graph, GraphLoader
from sparklet.graphx.partition import PartitionStrategy
from sparklet.graphx.pregel import Pregel
from sparklet.graphx.rdds import EdgeRDD, VertexRDD

__all__ = ["Edge", "EdgeContext", "EdgeDirection", "EdgeTriplet", "TripletFields", "Graph",
           "GraphLoader", "PartitionStrategy", "Pregel", "EdgeRDD", "VertexRDD"]
