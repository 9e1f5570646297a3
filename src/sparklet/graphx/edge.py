"""GraphX's small value types: edges, triplets, directions, triplet fields, edge contexts.

Vertex ids are Python ints. These objects travel inside tasks, so they are plain picklable
classes with ``__slots__``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Edge", "EdgeTriplet", "EdgeDirection", "TripletFields", "EdgeContext"]


class Edge:
    """A directed edge ``srcId -> dstId`` carrying ``attr`` (GraphX's ``Edge`` case class).

    >>> Edge(1, 2, "a")
    Edge(1,2,a)
    >>> Edge(1, 2).otherVertexId(2)
    1
    """

    __slots__ = ("srcId", "dstId", "attr")

    def __init__(self, srcId: int = 0, dstId: int = 0, attr: Any = None):
        self.srcId = srcId
        self.dstId = dstId
        self.attr = attr

    def otherVertexId(self, vid: int) -> int:
        """The id of the endpoint that is not ``vid``."""
        if vid == self.srcId:
            return self.dstId
        if vid == self.dstId:
            return self.srcId
        raise ValueError("Graph is malformed")

    def relativeDirection(self, vid: int) -> EdgeDirection:
        """``Out`` when ``vid`` is the source, ``In`` when it is the destination."""
        if vid == self.srcId:
            return EdgeDirection.Out
        if vid == self.dstId:
            return EdgeDirection.In
        raise ValueError("Graph is malformed")

    def _key(self) -> tuple:
        return (self.srcId, self.dstId, self.attr)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._key() == other._key()  # type: ignore

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Edge) -> bool:
        # GraphX sorts edges by (srcId, dstId); attr breaks ties so sorting is total.
        return (self.srcId, self.dstId) < (other.srcId, other.dstId) or (
            (self.srcId, self.dstId) == (other.srcId, other.dstId) and
            repr(self.attr) < repr(other.attr))

    def __getstate__(self):
        return (self.srcId, self.dstId, self.attr)

    def __setstate__(self, state) -> None:
        self.srcId, self.dstId, self.attr = state

    def __repr__(self) -> str:
        return "Edge(%s,%s,%s)" % (self.srcId, self.dstId, self.attr)


class EdgeTriplet(Edge):
    """An edge with the attributes of both endpoints.

    >>> t = EdgeTriplet(1, 2, "e", "a", "b")
    >>> t.toTuple()
    ((1, 'a'), (2, 'b'), 'e')
    """

    __slots__ = ("srcAttr", "dstAttr")

    def __init__(self, srcId: int = 0, dstId: int = 0, attr: Any = None,
                 srcAttr: Any = None, dstAttr: Any = None):
        super().__init__(srcId, dstId, attr)
        self.srcAttr = srcAttr
        self.dstAttr = dstAttr

    def otherVertexAttr(self, vid: int) -> Any:
        """The attribute of the endpoint that is not ``vid``."""
        if vid == self.srcId:
            return self.dstAttr
        if vid == self.dstId:
            return self.srcAttr
        raise ValueError("Graph is malformed")

    def vertexAttr(self, vid: int) -> Any:
        """The attribute of endpoint ``vid``."""
        if vid == self.srcId:
            return self.srcAttr
        if vid == self.dstId:
            return self.dstAttr
        raise ValueError("Graph is malformed")

    def toTuple(self) -> tuple:
        return ((self.srcId, self.srcAttr), (self.dstId, self.dstAttr), self.attr)

    def _key(self) -> tuple:
        return (self.srcId, self.dstId, self.attr, self.srcAttr, self.dstAttr)

    def __getstate__(self):
        return self._key()

    def __setstate__(self, state) -> None:
        self.srcId, self.dstId, self.attr, self.srcAttr, self.dstAttr = state

    def __repr__(self) -> str:
        return "((%s,%s),(%s,%s),%s)" % (self.srcId, self.srcAttr, self.dstId, self.dstAttr,
                                         self.attr)


class EdgeDirection:
    """Which edges of a vertex count: ``In``, ``Out``, ``Either`` or ``Both``.

    >>> EdgeDirection.In.reverse
    EdgeDirection.Out
    """

    __slots__ = ("name",)
    In: EdgeDirection
    Out: EdgeDirection
    Either: EdgeDirection
    Both: EdgeDirection

    def __init__(self, name: str):
        self.name = name

    @property
    def reverse(self) -> EdgeDirection:
        """The direction with In and Out swapped (Either and Both are their own reverse)."""
        return {"In": EdgeDirection.Out, "Out": EdgeDirection.In}.get(self.name, self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EdgeDirection) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self):
        return (getattr, (EdgeDirection, self.name))

    def __repr__(self) -> str:
        return "EdgeDirection.%s" % self.name


for _name in ("In", "Out", "Either", "Both"):
    setattr(EdgeDirection, _name, EdgeDirection(_name))


class TripletFields:
    """Which parts of a triplet ``aggregateMessages``'s ``sendMsg`` reads, so the vertex
    attributes it does not need are not joined in. ``None_`` stands for GraphX's ``None``.
    """

    __slots__ = ("useSrc", "useDst", "useEdge", "_name")
    None_: TripletFields
    EdgeOnly: TripletFields
    Src: TripletFields
    Dst: TripletFields
    All: TripletFields

    def __init__(self, useSrc: bool = True, useDst: bool = True, useEdge: bool = True,
                 _name: str | None = None):
        self.useSrc, self.useDst, self.useEdge = useSrc, useDst, useEdge
        self._name = _name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TripletFields) and (
            (self.useSrc, self.useDst, self.useEdge) ==
            (other.useSrc, other.useDst, other.useEdge))

    def __hash__(self) -> int:
        return hash((self.useSrc, self.useDst, self.useEdge))

    def __reduce__(self):
        return (TripletFields, (self.useSrc, self.useDst, self.useEdge, self._name))

    def __repr__(self) -> str:
        if self._name:
            return "TripletFields.%s" % self._name
        return "TripletFields(%s, %s, %s)" % (self.useSrc, self.useDst, self.useEdge)


TripletFields.None_ = TripletFields(False, False, False, "None_")
TripletFields.EdgeOnly = TripletFields(False, False, True, "EdgeOnly")
TripletFields.Src = TripletFields(True, False, True, "Src")
TripletFields.Dst = TripletFields(False, True, True, "Dst")
TripletFields.All = TripletFields(True, True, True, "All")


class EdgeContext:
    """What ``aggregateMessages``'s ``sendMsg`` sees of one edge, and where it sends messages.

    Attributes the chosen :class:`TripletFields` leave out are ``None``.
    """

    __slots__ = ("srcId", "dstId", "srcAttr", "dstAttr", "attr", "_out")

    def __init__(self, srcId: int, dstId: int, srcAttr: Any, dstAttr: Any, attr: Any,
                 out: list | None = None):
        self.srcId, self.dstId = srcId, dstId
        self.srcAttr, self.dstAttr, self.attr = srcAttr, dstAttr, attr
        self._out = [] if out is None else out

    def sendToSrc(self, msg: Any) -> None:
        self._out.append((self.srcId, msg))

    def sendToDst(self, msg: Any) -> None:
        self._out.append((self.dstId, msg))

    def toEdgeTriplet(self) -> EdgeTriplet:
        return EdgeTriplet(self.srcId, self.dstId, self.attr, self.srcAttr, self.dstAttr)
