"""Small helpers shared by the store's views: Spark's date text and quantiles."""

from __future__ import annotations

import time

from sparklet.ui.events import now_ms

__all__ = ["spark_date", "quantiles_of", "now_ms"]


def spark_date(ms: int | float | None) -> str | None:
    """Epoch milliseconds as Spark's REST text ``2026-12-02T18:03:04.567GMT`` (UTC), or
    None. Spark formats ``java.util.Date`` with ``yyyy-MM-dd'T'HH:mm:ss.SSS'GMT'``; a
    negative time (Spark's -1 "not yet") still formats, as Spark's does, as 1969-12-31."""
    if ms is None:
        return None
    ms = int(ms)
    secs, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + ".%03dGMT" % millis


def quantiles_of(values: list[float], quantiles: list[float]) -> list[float]:
    """Spark's TaskMetricDistributions rule: sort, then for each q take the value at
    index ``min(floor(q * n), n - 1)``; all zeros when there are no values."""
    n = len(values)
    if n == 0:
        return [0.0 for _ in quantiles]
    ordered = sorted(values)
    return [float(ordered[min(int(q * n), n - 1)]) for q in quantiles]
