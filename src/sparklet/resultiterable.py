"""The value type of groupByKey / cogroup results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["ResultIterable"]

T = TypeVar("T")


class ResultIterable(Iterable[T], Generic[T]):
    """A picklable, sized iterable over a group's values (PySpark returns these, not lists).

    >>> r = ResultIterable([1, 2, 3])
    >>> len(r), list(r), r.data
    (3, [1, 2, 3], [1, 2, 3])
    """

    def __init__(self, data):
        self.data = data
        self.index = 0
        self.maxindex = len(data)

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return "<sparklet.resultiterable.ResultIterable object of %d values>" % len(self.data)
