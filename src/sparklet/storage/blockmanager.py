"""BlockManager: one per process; keeps cached RDD blocks and locates shuffle blocks.

Blocks are addressed by id (``rdd_<rdd>_<split>``, ``shuffle_<shuffle>_<map>``) and by the
executor that holds them, never by a caller-built path, so a remote executor backend can
serve the same ids over its own transport. Memory is LRU and size-aware. At every level
PySpark names a block is kept as its pickled bytes, as PySpark keeps Python data, which
makes its size exact. At the engine's object level (``storagelevel.MEMORY_ONLY_DESER``,
whose ``keeps_objects`` is set) a block is kept as the Python objects themselves (Spark's
deserialized MEMORY_ONLY): reading it costs no unpickling, its size is an estimate from a
sample, and it is pickled only when it leaves memory (evicted to disk). Readers of such a
block share its objects, so whoever reads one must not mutate it: a retried task must find
what the first attempt found. The one way to change a block's values is to take them out
of the store first (:meth:`BlockManager.take_values`), as ``updateStateByKey`` does with
the previous batch's state (see :mod:`sparklet.streaming.state`).

Each block a task stores, moves to disk or drops is also noted in its context's
``_block_updates`` with its sizes (what the driver posts as SparkListenerBlockUpdated), and
the manager keeps its memory and disk use (``memory_used``, ``disk_used``) for the
executor figures every task result carries.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sparklet import serializers
from sparklet.shuffle.aggregator import estimate_size
from sparklet.storagelevel import StorageLevel
from sparklet.util import parse_bytes, parse_mebibyte_size

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

    # Whether other executors' map outputs are files this process can open (local
    # executors share the application's directory); if not, a subclass fetches them with
    # ``fetch_remote_spans``.
    shared_disk = True

    def fetch_remote_spans(self, executor_id: str, requests: list[tuple]) -> list | None:
        raise NotImplementedError

    def fetch_remote_block(self, executor_id: str, block_id: str) -> bytes | None:
        """Another executor's block, pickled (None if it does not have it)."""
        raise NotImplementedError

    def replicate_block(self, block_id: str, data: bytes, level: StorageLevel,
                        copies: int) -> list[str]:
        """Store ``copies`` copies of a pickled block on other executors; returns the ones
        that took it. Local executors share one machine: they keep none."""
        return []

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
        executor_memory = parse_mebibyte_size(conf.get("spark.executor.memory", "1g"))
        fraction = float(conf.get("spark.memory.fraction", "0.6"))
        self.memory_capacity = int(parse_bytes(
            conf.get("spark.sparklet.storage.memory", str(int(executor_memory * fraction)))))
        # block id -> (pickled bytes or the deserialized values, level, size in bytes)
        self._memory: OrderedDict[str, tuple[Any, StorageLevel, int]] = OrderedDict()
        self._memory_used = 0
        self._disk_sizes: dict[str, int] = {}  # block id -> bytes of its file
        self._disk_used = 0
        self._lock = threading.RLock()

    @property
    def memory_used(self) -> int:
        """Bytes of blocks in the memory store (estimates for deserialized blocks)."""
        return self._memory_used

    @property
    def disk_used(self) -> int:
        """Bytes of the block files this manager wrote (shuffle files not included)."""
        return self._disk_used

    # -- cached RDD partitions -------------------------------------------------------------

    def get_or_compute(self, rdd, split, context: TaskContext | None) -> Iterator[Any]:
        """The cached partition if present; otherwise compute it, store it, and return it."""
        return iter(self.get_or_compute_block(rdd, split, context))

    def get_or_compute_block(self, rdd, split, context: TaskContext | None) -> Any:
        """The partition's block values (re-iterable): cached, or computed and stored.

        A deserialized block comes back as the very object the memory store holds, which a
        reader may take apart (a stateful RDD reads its parent's state map) but never mutate.
        """
        block_id = rdd_block_id(rdd.id(), split.index)
        values = self.get_local_values(block_id)
        if values is not None:
            if context is not None:  # a cached block read is input, as in Spark
                try:
                    context._metrics["inputRecords"] += len(values)
                except TypeError:  # a block container without a length: not counted
                    pass
            return values
        level = rdd.getStorageLevel()
        # An RDD may say how its partition is best held as a block (a stateful RDD: one map
        # instead of a list of pairs), and what to release once its block is stored.
        make_block = getattr(rdd, "_block_values", None)
        if make_block is not None:
            values = make_block(split, context)
        else:
            values = list(rdd._compute_or_checkpoint(split, context))
        if level.keeps_objects:
            stored = self.put_values(block_id, values, level, context)
        else:
            stored = self.put(block_id, _pickled_block(values), level, context)
        on_stored = getattr(rdd, "_block_stored", None)
        if stored and on_stored is not None:
            on_stored(split, context)
        return values

    def get_local_values(self, block_id: str) -> Any:
        """A local block's values (deserialized blocks as they are), or None if absent."""
        with self._lock:
            entry = self._memory.get(block_id)
            if entry is not None:
                self._memory.move_to_end(block_id)
                data, level, _ = entry
                if level.keeps_objects:
                    return data
        data = entry[0] if entry is not None else self._read_disk(block_id)
        return None if data is None else serializers.loads(data)

    def get_local_bytes(self, block_id: str) -> bytes | None:
        """A local block, pickled (a deserialized block is pickled on the way out)."""
        with self._lock:
            entry = self._memory.get(block_id)
            if entry is not None:
                self._memory.move_to_end(block_id)
                data, level, _ = entry
                return _pickled_block(data) if level.keeps_objects else data
        return self._read_disk(block_id)

    def _read_disk(self, block_id: str) -> bytes | None:
        path = os.path.join(self.blocks_dir, block_id)
        try:
            with open(path, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None

    def put(self, block_id: str, data: bytes, level: StorageLevel,
            context: TaskContext | None) -> bool:
        """Store a pickled block at ``level``; returns False if it could not be kept."""
        return self._put(block_id, data, len(data), level, context)

    def put_values(self, block_id: str, values: Any, level: StorageLevel,
                   context: TaskContext | None) -> bool:
        """Store a block's values as they are at a deserialized ``level`` (its size
        estimated from a sample); returns False if it could not be kept."""
        # A level without memory goes straight to disk, where _put pickles the values.
        return self._put(block_id, values, estimate_size(values), level, context)

    def _put(self, block_id: str, data: Any, size: int, level: StorageLevel,
             context: TaskContext | None) -> bool:
        stored = False
        if level.useMemory and size <= self.memory_capacity:
            with self._lock:
                self._drop_from_memory(block_id)
                self._evict_for(size, context)
                self._memory[block_id] = (data, level, size)
                self._memory_used += size
                stored = True
            if context is not None:
                context._block_updates.append(
                    (block_id, _level_text(level, True, False), size, 0))
        if level.useDisk and not stored:
            if not isinstance(data, bytes):
                data = _pickled_block(data)
            self._write_disk(block_id, data)
            stored = True
            if context is not None:
                context._block_updates.append(
                    (block_id, _level_text(level, False, True), 0, len(data)))
        if stored and context is not None:
            context._blocks_stored.append(block_id)
        return stored

    def _drop_from_memory(self, block_id: str) -> None:
        entry = self._memory.pop(block_id, None)
        if entry is not None:
            self._memory_used -= entry[2]

    def _evict_for(self, size: int, context: TaskContext | None) -> None:
        """Drop least-recently-used blocks (to disk if their level allows) to make room."""
        while self._memory and self._memory_used + size > self.memory_capacity:
            victim, (data, level, victim_size) = self._memory.popitem(last=False)
            self._memory_used -= victim_size
            if level.useDisk:
                if level.keeps_objects:
                    data = _pickled_block(data)
                self._write_disk(victim, data)
                if context is not None:  # still on this executor: only its sizes changed
                    context._block_updates.append(
                        (victim, _level_text(level, False, True), 0, len(data)))
            elif context is not None:
                context._blocks_dropped.append(victim)
                context._block_updates.append((victim, "", 0, 0))

    def take_values(self, block_id: str, context: TaskContext | None) -> Any:
        """Remove a deserialized block from memory and hand its values to the caller, who
        may then change them: no later reader can get them from the store (it recomputes
        the block instead). None if the block is not in memory deserialized."""
        with self._lock:
            entry = self._memory.get(block_id)
            if entry is None or not entry[1].keeps_objects:
                return None
            self._drop_from_memory(block_id)
        if context is not None:
            context._blocks_dropped.append(block_id)
            context._block_updates.append((block_id, "", 0, 0))
        return entry[0]

    def remove_block(self, block_id: str, context: TaskContext | None) -> None:
        """Drop one block from memory and disk (its holder says it is no longer needed)."""
        with self._lock:
            self._drop_from_memory(block_id)
            self._forget_disk(block_id)
        try:
            os.remove(os.path.join(self.blocks_dir, block_id))
        except FileNotFoundError:
            pass
        if context is not None:
            context._blocks_dropped.append(block_id)
            context._block_updates.append((block_id, "", 0, 0))

    def _write_disk(self, block_id: str, data: bytes) -> None:
        path = os.path.join(self.blocks_dir, block_id)
        tmp = path + ".tmp-%d-%d" % (os.getpid(), threading.get_ident())
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        with self._lock:
            self._disk_used += len(data) - self._disk_sizes.get(block_id, 0)
            self._disk_sizes[block_id] = len(data)

    def _forget_disk(self, block_id: str) -> None:
        self._disk_used -= self._disk_sizes.pop(block_id, 0)

    def remove_rdd(self, rdd_id: int) -> None:
        prefix = "rdd_%d_" % rdd_id
        with self._lock:
            for block_id in [b for b in self._memory if b.startswith(prefix)]:
                self._drop_from_memory(block_id)
            for block_id in [b for b in self._disk_sizes if b.startswith(prefix)]:
                self._forget_disk(block_id)
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
            self._disk_sizes.clear()
            self._disk_used = 0
        shutil.rmtree(self.root, ignore_errors=True)


@functools.lru_cache(maxsize=64)
def _level_text(level: StorageLevel, in_memory: bool, on_disk: bool) -> str:
    """The description of where a block of ``level`` is now, as Spark's BlockStatus names
    it: a MEMORY_AND_DISK block held in memory is "Memory Serialized 1x Replicated"."""
    return str(StorageLevel(on_disk, in_memory, level.useOffHeap,
                            level.deserialized and in_memory, level.replication))


def _pickled_block(values: Any) -> bytes:
    """A block's values pickled as a pickled block holds them: the partition's records as a
    list (a deserialized block may be another re-iterable container, e.g. a state map)."""
    return serializers.dumps(values if isinstance(values, list) else list(values))

