"""Received blocks on the driver: where they are kept, and the RDD that reads them.

A block is what a receiver pushed: a pickled list of records. The driver keeps blocks in
memory up to ``spark.sparklet.streaming.receivedBlockMemory`` (256m by default) and spills
the rest to files under the application's local directory, which local executors read
directly. The receiver's storage level decides too: ``DISK_ONLY`` always spills,
``MEMORY_ONLY`` never does.

Each batch's input RDD is a :class:`ReceivedBlockRDD` with one partition per block; a
partition carries its block's bytes (or file path), so a task needs nothing else.

>>> from sparklet import serializers
>>> store = BlockStore("/tmp", memory_limit=1 << 20)
>>> info = store.add(0, "input-0-0-0", 2, serializers.dumps(["a", "b"]))
>>> rdd = ReceivedBlockRDD(sc, [info, store.add(0, "input-0-0-1", 1, serializers.dumps(["c"]))])
>>> rdd.getNumPartitions(), rdd.collect()
(2, ['a', 'b', 'c'])
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from sparklet import serializers
from sparklet.dependency import Partition
from sparklet.rdd import RDD
from sparklet.storagelevel import StorageLevel

__all__ = ["ReceivedBlockInfo", "BlockStore", "ReceivedBlockRDD"]


@dataclass(eq=False)
class ReceivedBlockInfo:
    """One received block: its stream, id, record count, and its bytes or spill file;
    ``wal_ref`` is where the write-ahead log keeps it (when the log is on), which is what a
    recovered driver reads it back from."""

    stream_id: int
    block_id: str
    num_records: int
    nbytes: int
    data: bytes | None = None
    path: str | None = None
    wal_ref: tuple | None = None
    executor_id: str | None = None   # the executor keeping it (cluster backends)
    replicas: tuple = ()             # other executors keeping a copy
    # Where that executor logged it (directory, segment, offset, length), with the
    # write-ahead log on: read from there when no executor has it any more.
    log_ref: tuple | None = None

    def read(self) -> list:
        if self.data is not None:
            return serializers.loads(self.data)
        if self.executor_id is not None:
            return self._read_from_executor()
        if self.path is None:
            raise RuntimeError(f"Block {self.block_id} has been removed")
        try:
            with open(self.path, "rb") as fh:
                return serializers.loads(fh.read())
        except FileNotFoundError:
            raise RuntimeError(
                f"Attempted to use block {self.block_id} of a received-block RDD after it "
                "was removed (its batch is older than the stream's remember duration)"
            ) from None

    def _read_from_executor(self) -> list:
        from sparklet.env import SparkEnv

        manager = SparkEnv.get().block_manager
        holders = (self.executor_id, *self.replicas)
        for holder in holders:
            if holder == manager.executor_id:
                data = manager.get_local_bytes(self.block_id)
            else:
                data = manager.fetch_remote_block(holder, self.block_id)
            if data is not None:
                return serializers.loads(data)
        if self.log_ref is not None:
            from sparklet.streaming.recovery.block_logs import read_logged_block

            return serializers.loads(read_logged_block(self.log_ref))
        raise RuntimeError(f"Could not compute split, block {self.block_id} of stream "
                           f"{self.stream_id} not found on executors {', '.join(holders)}")


class BlockStore:
    """The driver's received blocks: bytes in memory up to a limit, spill files beyond."""

    def __init__(self, spill_dir: str, memory_limit: int):
        self.spill_dir = spill_dir
        self.memory_limit = memory_limit
        self._lock = threading.Lock()
        self.memory_used = 0
        self.disk_used = 0
        # Spill files are named by block id plus a counter: a recovered driver holds blocks
        # of the crashed run next to new ones, and their ids may coincide.
        self._spills = itertools.count()

    def add(self, stream_id: int, block_id: str, num_records: int, data: bytes,
            level: StorageLevel = StorageLevel.MEMORY_AND_DISK) -> ReceivedBlockInfo:
        info = ReceivedBlockInfo(stream_id, block_id, num_records, len(data))
        with self._lock:
            in_memory = level.useMemory and (
                not level.useDisk or self.memory_used + len(data) <= self.memory_limit)
            if in_memory:
                self.memory_used += len(data)
                info.data = data
                return info
            self.disk_used += len(data)
        os.makedirs(self.spill_dir, exist_ok=True)
        path = os.path.join(self.spill_dir, f"{block_id}.{next(self._spills)}")
        with open(path + ".tmp", "wb") as fh:
            fh.write(data)
        os.replace(path + ".tmp", path)  # readers never see half a block
        info.path = path
        return info

    def remove(self, info: ReceivedBlockInfo) -> None:
        with self._lock:
            if info.data is not None:
                self.memory_used -= info.nbytes
            elif info.path is not None:
                self.disk_used -= info.nbytes
        # A batch RDD built earlier keeps its own reference to in-memory bytes; spilled
        # blocks go for good, as Spark's BlockRDD blocks do once their batch is forgotten.
        info.data = None
        if info.path is not None:
            try:
                os.remove(info.path)
            except FileNotFoundError:
                pass


class _BlockPartition(Partition):
    __slots__ = ("block",)

    def __init__(self, index: int, block: ReceivedBlockInfo):
        super().__init__(index)
        # A copy: removing the block from the store must not empty a partition already
        # handed to an RDD (memory blocks stay readable for as long as the RDD lives).
        self.block = ReceivedBlockInfo(block.stream_id, block.block_id, block.num_records,
                                       block.nbytes, block.data, block.path,
                                       executor_id=block.executor_id,
                                       replicas=block.replicas, log_ref=block.log_ref)


class ReceivedBlockRDD(RDD):
    """One partition per received block (Spark's BlockRDD / WriteAheadLogBackedBlockRDD)."""

    def __init__(self, ctx, blocks: list[ReceivedBlockInfo]):
        super().__init__(ctx, [])
        self._blocks = list(blocks)

    def _get_partitions(self) -> list[Partition]:
        partitions = [_BlockPartition(i, b) for i, b in enumerate(self._blocks)]
        if not self.ctx._backend.shares_driver_disk:
            # Executors elsewhere cannot open the driver's spill files: the bytes travel.
            for part in partitions:
                block = part.block
                if block.data is None and block.path is not None:
                    try:
                        with open(block.path, "rb") as fh:
                            block.data, block.path = fh.read(), None
                    except FileNotFoundError:  # removed: reading it says so, in the task
                        pass
        return partitions

    def compute(self, split, context) -> Iterator:
        # No locality preference for a block an executor keeps: that executor runs the
        # receiver, whose task holds a slot for the stream's life (all of a one-thread
        # Dask worker's), so a task waiting for it would wait out spark.locality.wait.
        return iter(split.block.read())

    def _transient(self) -> tuple[str, ...]:
        return (*super()._transient(), "_blocks")

    def _class_name(self) -> str:
        return "BlockRDD"
