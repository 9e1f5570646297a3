"""Storage levels: where a persisted RDD's blocks live (memory, disk, both).

As in PySpark, every level a user can name keeps Python data serialized (pickled), even
``MEMORY_AND_DISK_DESER``: each read gets fresh objects, so a function that mutates the
records it reads cannot change the cache. Only the engine's own state streams persist at
:data:`MEMORY_ONLY_DESER` (Spark's Scala ``MEMORY_ONLY``), a level whose blocks stay Python
objects in the executor, so a batch reads the previous batch's state without unpickling it.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["StorageLevel"]


class StorageLevel:
    """Flags controlling the storage of an RDD's partitions.

    >>> StorageLevel.MEMORY_AND_DISK
    StorageLevel(True, True, False, False, 1)
    >>> str(StorageLevel.DISK_ONLY)
    'Disk Serialized 1x Replicated'
    """

    NONE: ClassVar[StorageLevel]
    DISK_ONLY: ClassVar[StorageLevel]
    DISK_ONLY_2: ClassVar[StorageLevel]
    DISK_ONLY_3: ClassVar[StorageLevel]
    MEMORY_ONLY: ClassVar[StorageLevel]
    MEMORY_ONLY_2: ClassVar[StorageLevel]
    MEMORY_AND_DISK: ClassVar[StorageLevel]
    MEMORY_AND_DISK_2: ClassVar[StorageLevel]
    OFF_HEAP: ClassVar[StorageLevel]
    MEMORY_AND_DISK_DESER: ClassVar[StorageLevel]

    def __init__(
        self,
        useDisk: bool,
        useMemory: bool,
        useOffHeap: bool,
        deserialized: bool,
        replication: int = 1,
    ):
        self.useDisk = useDisk
        self.useMemory = useMemory
        self.useOffHeap = useOffHeap
        self.deserialized = deserialized
        self.replication = replication

    # Whether the block manager keeps blocks at this level as the Python objects themselves
    # (see _PythonObjectsLevel); PySpark's levels, deserialized or not, never do.
    keeps_objects: ClassVar[bool] = False

    def __repr__(self) -> str:
        flags = (self.useDisk, self.useMemory, self.useOffHeap, self.deserialized)
        return "StorageLevel(%s, %s, %s, %s, %s)" % (*flags, self.replication)

    def __str__(self) -> str:
        parts = [
            "Disk " if self.useDisk else "",
            "Memory " if self.useMemory else "",
            "OffHeap " if self.useOffHeap else "",
            "Deserialized " if self.deserialized else "Serialized ",
            "%sx Replicated" % self.replication,
        ]
        return "".join(parts)

    def _key(self) -> tuple:
        return (self.useDisk, self.useMemory, self.useOffHeap, self.deserialized, self.replication)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, StorageLevel) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


StorageLevel.NONE = StorageLevel(False, False, False, False)
StorageLevel.DISK_ONLY = StorageLevel(True, False, False, False)
StorageLevel.DISK_ONLY_2 = StorageLevel(True, False, False, False, 2)
StorageLevel.DISK_ONLY_3 = StorageLevel(True, False, False, False, 3)
StorageLevel.MEMORY_ONLY = StorageLevel(False, True, False, False)
StorageLevel.MEMORY_ONLY_2 = StorageLevel(False, True, False, False, 2)
StorageLevel.MEMORY_AND_DISK = StorageLevel(True, True, False, False)
StorageLevel.MEMORY_AND_DISK_2 = StorageLevel(True, True, False, False, 2)
StorageLevel.OFF_HEAP = StorageLevel(True, True, True, False, 1)
StorageLevel.MEMORY_AND_DISK_DESER = StorageLevel(True, True, False, True)

class _PythonObjectsLevel(StorageLevel):
    """A deserialized level whose blocks stay Python objects in the executor's memory store
    (pickled only on their way to disk). Engine-internal: readers share the objects, so only
    code that never mutates what it reads (the state streams) may use it."""

    keeps_objects: ClassVar[bool] = True


# Not a PySpark name: what sparklet's state streams persist at.
MEMORY_ONLY_DESER = _PythonObjectsLevel(False, True, False, True)
