"""BlockManagerMaster: the driver's map of which executor holds which cached block."""

from __future__ import annotations

import threading

from sparklet.dependency import NarrowDependency
from sparklet.storage.blockmanager import rdd_block_id
from sparklet.storagelevel import StorageLevel

__all__ = ["BlockManagerMaster"]


class BlockManagerMaster:
    def __init__(self) -> None:
        self._locations: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def update(self, result) -> None:
        """Record the blocks a finished task stored or dropped."""
        if not (result.blocks_stored or result.blocks_dropped):
            return
        with self._lock:
            for block_id in result.blocks_stored:
                self._locations.setdefault(block_id, set()).add(result.executor_id)
            for block_id in result.blocks_dropped:
                holders = self._locations.get(block_id)
                if holders is not None:
                    holders.discard(result.executor_id)

    def locations(self, block_id: str) -> set[str]:
        with self._lock:
            return set(self._locations.get(block_id, ()))

    def remove_executor(self, executor_id: str) -> None:
        with self._lock:
            for holders in self._locations.values():
                holders.discard(executor_id)

    def remove_rdd(self, rdd_id: int) -> None:
        prefix = "rdd_%d_" % rdd_id
        with self._lock:
            for block_id in [b for b in self._locations if b.startswith(prefix)]:
                del self._locations[block_id]

    def cached_partitions(self, rdd_id: int) -> int:
        prefix = "rdd_%d_" % rdd_id
        with self._lock:
            return sum(1 for b, h in self._locations.items() if b.startswith(prefix) and h)

    def preferred_executor(self, rdd, partition: int) -> str | None:
        """An executor caching this partition or, through narrow deps, one it reads."""
        to_visit = [(rdd, partition)]
        seen = 0
        while to_visit and seen < 64:
            r, p = to_visit.pop(0)
            seen += 1
            held_by = getattr(r, "_preferred_executor", None)
            if held_by is not None and (executor := held_by(p)) is not None:
                return executor
            if r.getStorageLevel() != StorageLevel.NONE:
                holders = self.locations(rdd_block_id(r.id(), p))
                if holders:
                    return min(holders)
            for dep in r.dependencies():
                if isinstance(dep, NarrowDependency):
                    to_visit.extend((dep.rdd, q) for q in dep.get_parents(p))
        return None
