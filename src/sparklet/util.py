"""Small shared helpers."""

from __future__ import annotations

__all__ = ["BoundedFloat"]


class BoundedFloat(float):
    """A float from an approximate job, with its confidence and bounds.

    >>> BoundedFloat(100.0, 0.95, 95.0, 105.0)
    100.0
    """

    confidence: float
    low: float
    high: float

    def __new__(cls, mean: float, confidence: float, low: float, high: float) -> BoundedFloat:
        obj = float.__new__(cls, mean)
        obj.confidence, obj.low, obj.high = confidence, low, high
        return obj
