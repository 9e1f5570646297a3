"""MapOutputTracker: the driver's record of where each shuffle's map outputs are."""

from __future__ import annotations

import threading

from sparklet.shuffle.writer import MapStatus

__all__ = ["MapOutputTracker"]


class MapOutputTracker:
    def __init__(self) -> None:
        self._outputs: dict[int, list[MapStatus | None]] = {}
        self._lock = threading.Lock()

    def register_shuffle(self, shuffle_id: int, num_maps: int) -> None:
        with self._lock:
            if shuffle_id not in self._outputs:
                self._outputs[shuffle_id] = [None] * num_maps

    def register_map_output(self, shuffle_id: int, map_id: int, status: MapStatus) -> None:
        with self._lock:
            self._outputs[shuffle_id][map_id] = status

    def unregister_map_output(self, shuffle_id: int, map_id: int) -> None:
        with self._lock:
            outputs = self._outputs.get(shuffle_id)
            if outputs is not None:
                outputs[map_id] = None

    def remove_outputs_on_executor(self, executor_id: str) -> int:
        """Forget every map output held by a lost executor; returns how many were lost."""
        lost = 0
        with self._lock:
            for outputs in self._outputs.values():
                for i, status in enumerate(outputs):
                    if status is not None and status.executor_id == executor_id:
                        outputs[i] = None
                        lost += 1
        return lost

    def executor_of(self, shuffle_id: int, map_id: int) -> str:
        """The executor holding one map output ("" if it is not registered)."""
        with self._lock:
            outputs = self._outputs.get(shuffle_id)
            status = outputs[map_id] if outputs is not None else None
        return status.executor_id if status is not None else ""

    def missing_partitions(self, shuffle_id: int) -> list[int]:
        with self._lock:
            return [i for i, s in enumerate(self._outputs[shuffle_id]) if s is None]

    def locations_for(self, shuffle_id: int) -> list[list[tuple[int, str, int, int, bytes | None]]]:
        """Per reduce partition: ``(map_id, executor_id, offset, length, data)`` of every map
        output, ``data`` being the span's bytes when they travel with the status."""
        with self._lock:
            statuses = list(self._outputs[shuffle_id])
        if any(s is None for s in statuses):
            raise RuntimeError("shuffle %d has missing map outputs" % shuffle_id)
        num_reduces = len(statuses[0].spans) if statuses else 0
        return [[(s.map_id, s.executor_id, *s.spans[r], s.inline_span(r))  # type: ignore[union-attr]
                 for s in statuses] for r in range(num_reduces)]

    def preferred_reduce_executor(self, shuffle_id: int, reduce_id: int,
                                  fraction: float = 0.2) -> str | None:
        """The executor holding the largest share of one reduce partition's map output
        bytes, if that share is at least ``fraction`` (Spark's REDUCER_PREF_LOCS_FRACTION);
        None while map outputs are missing or if no executor holds that much."""
        with self._lock:
            statuses = list(self._outputs.get(shuffle_id) or ())
        sizes: dict[str, int] = {}
        for status in statuses:
            if status is None:
                return None
            length = status.spans[reduce_id][1] if reduce_id < len(status.spans) else 0
            sizes[status.executor_id] = sizes.get(status.executor_id, 0) + length
        total = sum(sizes.values())
        if not total:
            return None
        executor, size = max(sizes.items(), key=lambda kv: kv[1])
        return executor if size >= fraction * total else None

    def unregister_shuffle(self, shuffle_id: int) -> None:
        with self._lock:
            self._outputs.pop(shuffle_id, None)

    def has_shuffle(self, shuffle_id: int) -> bool:
        with self._lock:
            return shuffle_id in self._outputs
