"""GraphX utilities: :class:`GraphGenerators`, graphs of a known shape or a random one."""

from sparklet.graphx.util.graph_generators import GraphGenerators

__all__ = ["GraphGenerators"]
