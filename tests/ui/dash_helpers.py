"""Helpers of the dashboard tests: a plain-Python model of the published rows, a listener
that records the dashboard events, and a streaming app driven by a manual clock."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable

from sparklet import SparkConf
from sparklet.streaming import StreamingContext
from sparklet.streaming.testing import use_manual_clock


def top_words(lines: Iterable[str], limit: int) -> list[list]:
    """The model: [[word, count]] of the most frequent words, ties by word."""
    counts = Counter(w for line in lines for w in line.split())
    return [[w, c] for w, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


class Recorder:
    """A bus listener keeping every SparkletDashboardUpdate event."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self._lock = threading.Lock()

    def on_event(self, event: dict) -> None:
        if event.get("Event") == "SparkletDashboardUpdate":
            with self._lock:
                self.events.append(event)

    def of(self, name: str) -> list[dict]:
        with self._lock:
            return sorted((e for e in self.events if e["name"] == name),
                          key=lambda e: e["batchTime"])


def streaming_app(make_context, conf: dict[str, str] | None = None, batch: float = 1):
    """(sc, ssc) on a manual clock; ``conf`` extra keys (e.g. the UI on)."""
    c = SparkConf().setMaster("local[2]").setAppName("dashboard-tests")
    for k, v in (conf or {}).items():
        c.set(k, v)
    sc = make_context(c)
    ssc = StreamingContext(sc, batch)
    use_manual_clock(ssc)
    return sc, ssc


def listen(sc) -> Recorder:
    """A Recorder on ``sc``'s listener bus (started if nothing else listened)."""
    recorder = Recorder()
    sc._listener_bus.add_listener(recorder)
    sc._listener_bus.start()
    return recorder
