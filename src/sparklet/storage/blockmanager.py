"""BlockManager: one per process; keeps cached RDD blocks and locates shuffle blocks.

Blocks are addressed by id (``rdd_<rdd>_<split>``, ``shuffle_<shuffle>_<map>``) and by the
executor that holds them, never by a caller-built path, so a remote executor backend can
serve the same ids over its own transport. Memory is LRU and size-aware: a block is kept
as its pickled bytes (as PySpark keeps Python data serialized), which makes its size exact.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sparklet import serializers
from sparklet.storagelevel import StorageLevel
from sparklet.util import parse_bytes

if TYPE_CHECKING:
    from sparklet.env import EnvSpec
    from sparklet.taskcontext import TaskContext

__all__ = ["BlockManager", "rdd_block_id"]


def rdd_block_id(rdd_id: int, split: int) -> str:
    return "rdd_%d_%d" % (rdd_id, split)


def executor_dir(local_dir: str, executor_id: str) -> str:
    return os.path.join(local_dir, "executors", str(executor_id))


class BlockManager:
    """Memory and disk stores of one executor process."""

    def __init__(self, spec: EnvSpec):
        self.executor_id = spec.executor_id
        self.local_dir = spec.local_dir
        self.root = executor_dir(spec.local_dir, spec.executor_id)
        self.blocks_dir = os.path.join(self.root, "blocks")
        self.shuffle_dir = os.path.join(self.root, "shuffle")
        self.tmp_dir = os.path.join(self.root, "tmp")
        for d in (self.blocks_dir, self.shuffle_dir, self.tmp_dir):
            os.makedirs(d, exist_ok=True)
        conf = spec.conf
        executor_memory = parse_bytes(conf.get("spark.executor.memory", "1g"))
        fraction = float(conf.get("spark.memory.fraction", "0.6"))
        self.memory_capacity = int(parse_bytes(
            conf.get("spark.sparklet.storage.memory", str(int(executor_memory * fraction)))))
        self._memory: OrderedDict[str, tuple[bytes, StorageLevel]] = OrderedDict()
        self._memory_used = 0
        self._lock = threading.RLock()

    # -- cached RDD partitions -------------------------------------------------------------

    def get_or_compute(self, rdd, split, context: TaskContext | None) -> Iterator[Any]:
        """The cached partition if present; otherwise compute it, store it, and return it."""
        block_id = rdd_block_id(rdd.id(), split.index)
        data = self.get_local_bytes(block_id)
        if data is not None:
            return iter(serializers.loads(data))
        values = list(rdd._compute_or_checkpoint(split, context))
        self.put(block_id, serializers.dumps(values), rdd.getStorageLevel(), context)
        return iter(values)

    def get_local_bytes(self, block_id: str) -> bytes | None:
        with self._lock:
            entry = self._memory.get(block_id)
            if entry is not None:
                self._memory.move_to_end(block_id)
                return entry[0]
        path = os.path.join(self.blocks_dir, block_id)
        try:
            with open(path, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None

    def put(self, block_id: str, data: bytes, level: StorageLevel,
            context: TaskContext | None) -> bool:
        """Store a block at ``level``; returns False if it could not be kept anywhere."""
        stored = False
        if level.useMemory and len(data) <= self.memory_capacity:
            with self._lock:
                self._evict_for(len(data), context)
                self._memory[block_id] = (data, level)
                self._memory_used += len(data)
                stored = True
        if level.useDisk and not stored:
            self._write_disk(block_id, data)
            stored = True
        if stored and context is not None:
            context._blocks_stored.append(block_id)
        return stored

    def _evict_for(self, size: int, context: TaskContext | None) -> None:
        """Drop least-recently-used blocks (to disk if their level allows) to make room."""
        while self._memory and self._memory_used + size > self.memory_capacity:
            victim, (data, level) = self._memory.popitem(last=False)
            self._memory_used -= len(data)
            if level.useDisk:
                self._write_disk(victim, data)
            elif context is not None:
                context._blocks_dropped.append(victim)

    def _write_disk(self, block_id: str, data: bytes) -> None:
        path = os.path.join(self.blocks_dir, block_id)
        tmp = path + ".tmp-%d-%d" % (os.getpid(), threading.get_ident())
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def remove_rdd(self, rdd_id: int) -> None:
        prefix = "rdd_%d_" % rdd_id
        with self._lock:
            for block_id in [b for b in self._memory if b.startswith(prefix)]:
                data, _ = self._memory.pop(block_id)
                self._memory_used -= len(data)
        try:
            names = os.listdir(self.blocks_dir)
        except FileNotFoundError:
            return
        for name in names:
            if name.startswith(prefix):
                try:
                    os.remove(os.path.join(self.blocks_dir, name))
                except FileNotFoundError:
                    pass

    def memory_blocks(self) -> list[str]:
        with self._lock:
            return list(self._memory)

    # -- shuffle blocks --------------------------------------------------------------------

    def shuffle_data_path(self, executor_id: str, shuffle_id: int, map_id: int) -> str:
        """Where executor ``executor_id`` keeps the output of one map task."""
        return os.path.join(executor_dir(self.local_dir, executor_id), "shuffle",
                            "shuffle_%d_%d.data" % (shuffle_id, map_id))

    def remove_shuffle(self, shuffle_id: int) -> None:
        prefix = "shuffle_%d_" % shuffle_id
        try:
            names = os.listdir(self.shuffle_dir)
        except FileNotFoundError:
            return
        for name in names:
            if name.startswith(prefix):
                try:
                    os.remove(os.path.join(self.shuffle_dir, name))
                except FileNotFoundError:
                    pass

    def destroy(self) -> None:
        """Remove everything this executor stored (its process is going away)."""
        with self._lock:
            self._memory.clear()
            self._memory_used = 0
        shutil.rmtree(self.root, ignore_errors=True)
