"""DashboardStore: the UI's state of the panels published by
:func:`sparklet.streaming.dashboard.publish`.

It listens to ``SparkletDashboardUpdate`` events only. Per panel name it keeps the rows of
the newest batch (by batch time: an older batch finishing late does not overwrite a newer
one), and for line charts the last ``spark.ui.dashboard.retainedPoints`` (300) points of
every series; a series that has not had a point for that many updates of its panel is
dropped, so a stream of ever new series keys cannot grow the store without bound. The
same batch time posted again (a batch rerun after recovery) replaces its points.

Batch times stay epoch milliseconds, as in the event (the charts' x values); ``updated``
(when the newest update was posted) is in Spark's date text form, with ``updatedEpoch``.

>>> store = DashboardStore({"spark.ui.dashboard.retainedPoints": "2"})
>>> for t in (1000, 2000, 3000):
...     store.on_event({"Event": "SparkletDashboardUpdate", "time": t, "name": "n",
...                     "kind": "line", "batchTime": t, "columns": ["series", "value"],
...                     "rows": [["n", t // 1000]], "options": {}})
>>> [(p["name"], p["kind"], p["batchTime"]) for p in store.list()]
[('n', 'line', 3000)]
>>> store.get("n")["history"]
[[2000, [['n', 2]]], [3000, [['n', 3]]]]
>>> store.get("missing") is None
True
"""

from __future__ import annotations

import bisect
import copy
import threading
from typing import Any

from sparklet.ui.store.util import spark_date

__all__ = ["DashboardStore", "EVENT"]

EVENT = "SparkletDashboardUpdate"
RETAINED_POINTS_KEY = "spark.ui.dashboard.retainedPoints"
DEFAULT_RETAINED_POINTS = 300


class _Panel:
    __slots__ = ("name", "kind", "options", "columns", "batch_time", "rows", "updated",
                 "updates", "series", "series_seen")

    def __init__(self, name: str, kind: str):
        self.name, self.kind = name, kind
        self.options: dict = {}
        self.columns: list = []
        self.batch_time: int | None = None
        self.rows: list = []
        self.updated: int | None = None
        self.updates = 0
        # line charts: series -> (sorted batch times, values); series -> update number
        # of its newest point
        self.series: dict[str, tuple[list[int], list[Any]]] = {}
        self.series_seen: dict[str, int] = {}


class DashboardStore:
    """Thread-safe: the bus thread writes, request handlers read (copies)."""

    def __init__(self, conf: dict[str, str] | None = None):
        conf = conf or {}
        retained = int(conf.get(RETAINED_POINTS_KEY, DEFAULT_RETAINED_POINTS))
        self.retained_points = max(1, retained)
        self._lock = threading.Lock()
        self._panels: dict[str, _Panel] = {}  # in the order names were first published

    # -- listener ------------------------------------------------------------------------

    def on_event(self, event: dict) -> None:
        if event.get("Event") != EVENT:
            return
        name, kind = event.get("name"), event.get("kind")
        if not isinstance(name, str):
            return
        batch_time = event.get("batchTime")
        rows = event.get("rows") or []
        with self._lock:
            panel = self._panels.get(name)
            if panel is None or panel.kind != kind:
                panel = self._panels[name] = _Panel(name, kind)
            panel.updates += 1
            newest = panel.batch_time is None or batch_time is None \
                or batch_time >= panel.batch_time
            if newest:
                panel.batch_time = batch_time
                panel.rows = rows
                panel.columns = event.get("columns") or []
                panel.options = event.get("options") or {}
                panel.updated = event.get("time")
            if kind == "line" and batch_time is not None:
                self._add_points(panel, batch_time, rows)

    def _add_points(self, panel: _Panel, batch_time: int, rows: list) -> None:
        for row in rows:
            if not isinstance(row, (list, tuple)) or len(row) != 2:
                continue
            series, value = str(row[0]), row[1]
            times, values = panel.series.setdefault(series, ([], []))
            i = bisect.bisect_left(times, batch_time)
            if i < len(times) and times[i] == batch_time:
                values[i] = value  # the batch again (recovery): its new value wins
            else:
                times.insert(i, batch_time)
                values.insert(i, value)
                if len(times) > self.retained_points:
                    del times[0], values[0]
            panel.series_seen[series] = panel.updates
        stale = [s for s, seen in panel.series_seen.items()
                 if panel.updates - seen >= self.retained_points]
        for series in stale:
            del panel.series[series], panel.series_seen[series]

    # -- REST bodies ---------------------------------------------------------------------

    def names(self) -> list[str]:
        with self._lock:
            return list(self._panels)

    def list(self) -> list[dict]:
        """``GET .../dashboard``: ``[{name, kind, title, updated, updatedEpoch,
        batchTime}]`` in the order the names were first published."""
        with self._lock:
            return [{"name": p.name, "kind": p.kind,
                     "title": p.options.get("title", p.name),
                     "updated": spark_date(p.updated), "updatedEpoch": p.updated,
                     "batchTime": p.batch_time} for p in self._panels.values()]

    def get(self, name: str) -> dict | None:
        """``GET .../dashboard/{name}``: ``{name, kind, options, columns, batchTime, rows,
        history, updated, updatedEpoch}``; ``history`` is ``[[batchTime, [[series,
        value], ...]], ...]`` oldest first (line charts; empty for the other kinds)."""
        with self._lock:
            p = self._panels.get(name)
            if p is None:
                return None
            return {"name": p.name, "kind": p.kind, "options": copy.deepcopy(p.options),
                    "columns": list(p.columns), "batchTime": p.batch_time,
                    "rows": copy.deepcopy(p.rows), "history": self._history(p),
                    "updated": spark_date(p.updated), "updatedEpoch": p.updated}

    @staticmethod
    def _history(panel: _Panel) -> list:
        by_time: dict[int, list] = {}
        for series, (times, values) in panel.series.items():
            for t, v in zip(times, values, strict=True):
                by_time.setdefault(t, []).append([series, v])
        return [[t, by_time[t]] for t in sorted(by_time)]

    def metric_samples(self) -> list[tuple[str, str, str, list[tuple[dict, float]]]]:
        """Prometheus families, as ``sparklet.ui.metrics`` takes them: ``(name, type, help,
        [(labels, value), ...])`` -- updates per panel, its newest batch time, and the
        newest value of every bar and line series (at most ``limit`` per panel)."""
        updates, batch_times, values = [], [], []
        with self._lock:
            for p in self._panels.values():
                labels = {"name": p.name, "kind": p.kind}
                updates.append((labels, p.updates))
                if p.batch_time is not None:
                    batch_times.append((labels, p.batch_time / 1000.0))
                if p.kind in ("line", "bar"):
                    for row in p.rows:
                        if isinstance(row, (list, tuple)) and len(row) == 2 \
                                and isinstance(row[1], (int, float)) \
                                and not isinstance(row[1], bool):
                            values.append(({"name": p.name, "series": str(row[0])},
                                           float(row[1])))
        return [
            ("sparklet_dashboard_updates_total", "counter",
             "Updates posted by a published stream (one per batch).", updates),
            ("sparklet_dashboard_last_batch_time_seconds", "gauge",
             "Batch time of a published stream's newest update.", batch_times),
            ("sparklet_dashboard_value", "gauge",
             "Newest value of a bar or line series of a published stream.", values),
        ]
