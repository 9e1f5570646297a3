"""SparkEnv: the per-process services a task uses (block manager, broadcasts, local dirs).

The driver and every worker process hold one. A worker's env is built from the driver's
description when the worker starts, so tasks never reach back into the driver's objects.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SparkEnv", "EnvSpec"]


@dataclass(frozen=True)
class EnvSpec:
    """Everything a worker needs to build its env; small and picklable."""

    app_id: str
    executor_id: str
    local_dir: str           # the application's scratch root, shared by local executors
    conf: dict[str, str] = field(default_factory=dict)


class SparkEnv:
    """Process-wide services; ``SparkEnv.get()`` is the current process's env."""

    _instance: SparkEnv | None = None

    def __init__(self, spec: EnvSpec):
        self.spec = spec
        self.executor_id = spec.executor_id
        self.conf = spec.conf
        self.local_dir = spec.local_dir
        self.files_dir = os.path.join(spec.local_dir, "files")
        self.broadcast_dir = os.path.join(spec.local_dir, "broadcast")
        self.block_manager = self._make_block_manager(spec)
        # Messages from a running task to the driver (e.g. a receiver's new blocks); the
        # backend wires this to its channel, the driver to its own handlers.
        self.send_to_driver: Callable[[tuple], None] = lambda message: None
        self._broadcast_values: dict[int, Any] = {}
        self._broadcast_lock = threading.Lock()

    def _make_block_manager(self, spec: EnvSpec):
        from sparklet.storage.blockmanager import BlockManager

        return BlockManager(spec)

    @classmethod
    def get(cls) -> SparkEnv | None:
        return cls._instance

    @classmethod
    def set(cls, env: SparkEnv | None) -> None:
        cls._instance = env

    # -- broadcasts: loaded from the broadcast store once per process, then cached ---------

    def broadcast_value(self, bid: int, path: str) -> Any:
        with self._broadcast_lock:
            if bid not in self._broadcast_values:
                from sparklet.broadcast import load_broadcast_file

                self._broadcast_values[bid] = load_broadcast_file(path)
            return self._broadcast_values[bid]

    def drop_broadcast(self, bid: int) -> None:
        with self._broadcast_lock:
            self._broadcast_values.pop(bid, None)
