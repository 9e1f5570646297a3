"""Broadcast variables: a read-only value shipped to each worker process once.

The driver writes the pickled value to the application's broadcast store when the
broadcast is created. A task's closure carries only the broadcast's id and location; the
first task in a process that reads ``.value`` loads it, later tasks reuse that copy.
"""

from __future__ import annotations

import os
import pickle
import threading
from typing import Any, Generic, TypeVar

from sparklet import serializers
from sparklet.taskcontext import TaskContext

__all__ = ["Broadcast"]

T = TypeVar("T")

# Set while a broadcast value is pickled: an RDD refuses to be part of one (as in PySpark).
_dumping = threading.local()


def load_broadcast_file(path: str) -> Any:
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        raise RuntimeError(
            "Broadcast variable stored at %s is not available: it was destroyed, "
            "or its SparkContext was stopped" % path) from None


def _destroyed(bid: int) -> str:
    # Spark's wording (a SparkException there) for a destroyed broadcast used again.
    return "Attempted to use Broadcast(%d) after it was destroyed" % bid


def _from_id(bid: int, path: str) -> Broadcast:
    """Unpickling a broadcast inside a task: a handle that loads lazily."""
    b = Broadcast.__new__(Broadcast)
    b._bid, b._path, b._on_driver = bid, path, False
    b._sc = None
    return b


class Broadcast(Generic[T]):
    """A broadcast variable created with :meth:`SparkContext.broadcast`.

    >>> from sparklet import SparkContext
    >>> sc = SparkContext.getOrCreate()
    >>> b = sc.broadcast([1, 2, 3, 4, 5])
    >>> b.value
    [1, 2, 3, 4, 5]
    >>> sc.parallelize([0, 0]).flatMap(lambda x: b.value).collect()
    [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]
    >>> b.unpersist()
    """

    def __init__(self, sc=None, value: T | None = None, pickle_registry=None,
                 path: str | None = None, sock_file=None):
        self._sc = sc
        self._on_driver = True
        self._bid = sc._next_broadcast_id() if sc is not None else -1
        if sc is not None:
            self._path = os.path.join(sc._env.broadcast_dir, "broadcast_%d" % self._bid)
            self.dump(value, self._path)
            self._value = value
            sc._backend.broadcast_created(self._bid, self._path)
        else:  # Broadcast(path=...) reads a value written elsewhere
            self._path = path or ""
            self._value = self.load_from_path(self._path) if path else None

    def dump(self, value: T, f) -> None:
        """Write the value to a path or open binary file.

        A value that cannot be pickled raises ``pickle.PicklingError`` with PySpark's
        message, ``Could not serialize broadcast: <error type>: <error>``.
        """
        _dumping.active = True
        try:
            data = serializers.dumps(value)
        except pickle.PickleError:
            raise
        except Exception as e:
            raise pickle.PicklingError(serializers.serialization_failure("broadcast", e)) from e
        finally:
            _dumping.active = False
        if isinstance(f, str):
            tmp = f + ".tmp"
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, f)
        else:
            f.write(data)

    def load_from_path(self, path: str) -> T:
        return load_broadcast_file(path)

    def load(self, file) -> T:
        return pickle.load(file)

    @property
    def value(self) -> T:
        """The broadcast value (loaded on first access in a worker)."""
        if self._on_driver:
            if self._path is None:
                raise RuntimeError(_destroyed(self._bid))
            return self._value
        from sparklet.env import SparkEnv

        env = SparkEnv.get()
        if env is None:
            return load_broadcast_file(self._path)
        return env.broadcast_value(self._bid, self._path)

    def unpersist(self, blocking: bool = False) -> None:
        """Drop the cached copies on the executors; they reload it if it is used again."""
        if TaskContext.get() is not None:
            raise RuntimeError("[CANNOT_UNPERSIST_BROADCAST] Broadcast can only be "
                               "unpersisted in driver.")
        if self._sc is not None:
            self._sc._drop_broadcast_copies(self._bid)

    def destroy(self, blocking: bool = False) -> None:
        """Remove the broadcast everywhere; it cannot be used afterwards."""
        if TaskContext.get() is not None:
            raise RuntimeError("[CANNOT_DESTROY_BROADCAST] Broadcast can only be destroyed "
                               "in driver.")
        self.unpersist(blocking)
        if self._path and os.path.exists(self._path):
            os.remove(self._path)
            if self._sc is not None:
                self._sc._backend.broadcast_destroyed(self._bid)
        self._path = None  # type: ignore[assignment]
        self._value = None  # type: ignore[assignment]

    def __reduce__(self):
        if self._path is None:
            raise RuntimeError(_destroyed(self._bid))
        return (_from_id, (self._bid, self._path))

    def __repr__(self) -> str:
        return "<sparklet.broadcast.Broadcast object id=%d>" % self._bid
