"""How closures and data travel: cloudpickle for code, pickle protocol 5 for data batches.

Data goes in batches (a list of records per pickle) because one pickle call per record is
dominated by call overhead; shuffle and block files are streams of length-prefixed batches.
"""

from __future__ import annotations

import copyreg
import io
import marshal
import os
import pickle
import socket
import struct
import tempfile
import types
import weakref
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any, BinaryIO

import cloudpickle

__all__ = ["dumps", "loads", "dumps_closure", "write_batches", "read_batches", "BATCH_SIZE",
           "PickledSlice"]

PROTOCOL = 5
BATCH_SIZE = 1024
_LEN = struct.Struct("<I")

loads = pickle.loads


def dumps(obj: Any) -> bytes:
    """Pickle data; falls back to cloudpickle for values holding lambdas or local classes.

    Plain pickle refers to classes defined in the driver's ``__main__`` by name, which a
    worker cannot resolve; those payloads are redone with cloudpickle, which ships the
    class by value.
    """
    try:
        data = pickle.dumps(obj, PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        return cloudpickle.dumps(obj, PROTOCOL)
    if b"__main__" in data:
        return cloudpickle.dumps(obj, PROTOCOL)
    return data


# Stage binaries are pickled afresh for every stage (as Spark serializes each stage's
# closures): a streaming job pickles the same operators' code every batch. What cannot change
# is cached: a code object's marshal bytes, and which classes and functions pickle by
# reference (module attribute lookups, most of cloudpickle's time on small lineages). Values
# a function refers to (closure cells, globals, defaults) are still pickled every time.
_code_cache: dict[int, tuple[weakref.ref, bytes]] = {}
_by_reference: dict[int, weakref.ref] = {}


def _forget(cache: dict, key: int):
    return lambda _ref: cache.pop(key, None)


def _code_reduce_keeping_filename(code: types.CodeType):
    """A code object as its marshal bytes: one C call each way, and co_filename is kept.

    Recent cloudpickle blanks co_filename to "<dynamic-code>"; a failing task's traceback
    should name the user's file and line, as PySpark's do.
    """
    entry = _code_cache.get(id(code))
    if entry is not None and entry[0]() is code:
        return marshal.loads, (entry[1],)
    try:
        data = marshal.dumps(code)
    except ValueError:  # a hand-built code object with unmarshallable constants
        rebuild, args = cloudpickle.cloudpickle._code_reduce(code)
        return rebuild, tuple(code.co_filename if a == "<dynamic-code>" else a for a in args)
    _code_cache[id(code)] = (weakref.ref(code, _forget(_code_cache, id(code))), data)
    return marshal.loads, (data,)


class _ClosurePickler(cloudpickle.Pickler):
    _dispatch_table = {**cloudpickle.Pickler._dispatch_table,
                       types.CodeType: _code_reduce_keeping_filename}

    @property
    def dispatch_table(self) -> dict:
        """cloudpickle's table over copyreg's, as one dict made when a pickler is created
        (the C pickler reads it then): a ChainMap, as cloudpickle has, costs a Python-level
        lookup and a raised KeyError for most objects pickled."""
        return {**copyreg.dispatch_table, **self._dispatch_table}

    def reducer_override(self, obj):
        """cloudpickle's, with its by-reference answers cached. ``NotImplemented`` means
        by reference: the pickler's ``save_global`` looks the module attribute up again, so
        one rebound since fails there and :func:`dumps_closure` starts over uncached."""
        t = type(obj)
        if t is types.FunctionType:
            if "<" in obj.__qualname__:  # a lambda or local function: never importable
                return self._dynamic_function_reduce(obj)
            known = _by_reference.get(id(obj))
            if known is not None and known() is obj and not _by_value_modules:
                return NotImplemented
            reduced = self._function_reduce(obj)
        elif issubclass(t, type):
            known = _by_reference.get(id(obj))
            if known is not None and known() is obj and not _by_value_modules:
                return NotImplemented
            reduced = cloudpickle.cloudpickle._class_reduce(obj)
        else:
            return NotImplemented
        if reduced is NotImplemented:
            try:
                _by_reference[id(obj)] = weakref.ref(obj, _forget(_by_reference, id(obj)))
            except TypeError:  # not weakly referenceable: just not cached
                pass
        return reduced


_by_value_modules = cloudpickle.cloudpickle._PICKLE_BY_VALUE_MODULES


def dumps_closure(obj: Any) -> bytes:
    """Pickle code (functions, RDD lineage) by value where needed.

    A closure holding something that cannot be pickled fails as PySpark's does: a
    ``PicklingError`` naming the cause (``Could not serialize object: TypeError: cannot
    pickle '_thread.lock' object``), the original exception chained.
    """
    try:
        return _dump_closure(obj)
    except pickle.PicklingError:
        if not _by_reference:
            raise
        # A module attribute cached as importable was rebound since: look everything up again.
        _by_reference.clear()
        return _dump_closure(obj)


def _dump_closure(obj: Any) -> bytes:
    buffer = io.BytesIO()
    try:
        _ClosurePickler(buffer, protocol=PROTOCOL).dump(obj)
    except pickle.PickleError:
        raise
    except Exception as e:
        raise pickle.PicklingError(serialization_failure("object", e)) from e
    return buffer.getvalue()


def serialization_failure(what: str, e: BaseException) -> str:
    """PySpark's message for a value that could not be pickled (``what``: object, broadcast)."""
    text = str(e)
    if "'i' format requires" in text:  # a payload past pickle's 4 GiB frame limit
        return "Object too large to serialize: %s" % text
    return "Could not serialize %s: %s: %s" % (what, type(e).__name__, text)


def write_batches(stream: BinaryIO, records: Iterable[Any], batch_size: int = BATCH_SIZE) -> int:
    """Write records as length-prefixed pickled batches; returns the number of bytes written."""
    written = 0
    it = iter(records)
    while True:
        batch = list(islice(it, batch_size))
        if not batch:
            return written
        written += write_batch(stream, batch)


def write_batch(stream: BinaryIO, batch: list) -> int:
    """Write one already-formed batch."""
    return write_pickled_batch(stream, dumps(batch))


def write_pickled_batch(stream: BinaryIO, data: bytes) -> int:
    """Write one batch pickled already, behind its length, as :func:`read_batches` reads it."""
    stream.write(_LEN.pack(len(data)))
    stream.write(data)
    return _LEN.size + len(data)


def read_batches(stream: BinaryIO, limit: int | None = None) -> Iterator[list]:
    """Yield the batches of a stream written by :func:`write_batches` (up to ``limit`` bytes)."""
    remaining = limit
    while remaining is None or remaining > 0:
        header = stream.read(_LEN.size)
        if not header:
            return
        if len(header) < _LEN.size:
            raise EOFError("truncated batch header")
        (size,) = _LEN.unpack(header)
        data = stream.read(size)
        if len(data) < size:
            raise EOFError("truncated batch: expected %d bytes, got %d" % (size, len(data)))
        if remaining is not None:
            remaining -= _LEN.size + size
        yield pickle.loads(data)


def read_records(stream: BinaryIO, limit: int | None = None) -> Iterator[Any]:
    for batch in read_batches(stream, limit):
        yield from batch


class PickledSlice:
    """One partition of a local collection, pickled once, batch by batch, on the driver.

    Iterating it unpickles one batch at a time, so the records are created as they are
    consumed. Shipping it in a task copies bytes: no pickling of every record, serially on
    the driver, each time the partition is launched. A large slice goes to a file that
    executors read themselves (see :meth:`to_file`), so a task carries only its name.

    >>> part = PickledSlice([dumps([1, 2]), dumps([3])])
    >>> list(part), list(part)
    ([1, 2, 3], [1, 2, 3])
    >>> list(loads(dumps(part)))
    [1, 2, 3]
    """

    __slots__ = ("batches", "path", "__weakref__")

    def __init__(self, batches: list[bytes] | None, path: str | None = None):
        self.batches = batches
        self.path = path

    @classmethod
    def to_file(cls, batches: list[bytes], directory: str) -> PickledSlice:
        """The slice, written to a new file in ``directory`` (one every executor can read:
        the application's local directory, as for broadcasts) as :func:`write_batches`
        would. The returned object owns the file, removed when it is garbage-collected;
        copies unpickled from it in tasks only read it.

        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as directory:
        ...     part = PickledSlice.to_file([dumps([1, 2]), dumps([3])], directory)
        ...     list(loads(dumps(part))), part.batches
        ([1, 2, 3], None)
        """
        fd, path = tempfile.mkstemp(prefix="slice-", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                for data in batches:
                    write_pickled_batch(fh, data)
        except BaseException:  # a full disk: no half-written file left behind
            _remove_owned_file(path, os.getpid())
            raise
        part = cls(None, path)
        weakref.finalize(part, _remove_owned_file, path, os.getpid())
        return part

    def __iter__(self) -> Iterator[Any]:
        return chain.from_iterable(self.iter_batches())

    def iter_batches(self) -> Iterator[list]:
        """The records batch by batch (a task counts its input a batch at a time)."""
        if self.path is not None:
            return _read_file_batches(self.path)
        return map(pickle.loads, self.batches)

    def __reduce__(self):
        return PickledSlice, (self.batches, self.path)


def _read_file_batches(path: str) -> Iterator[list]:
    with open(path, "rb") as fh:
        yield from read_batches(fh)


def _remove_owned_file(path: str, owner_pid: int) -> None:
    # A process forked from the owner inherits the finalizer but not the file.
    if os.getpid() == owner_pid:
        try:
            os.remove(path)
        except OSError:  # the application's directory is already gone (context stopped)
            pass


# -- framing on sockets: the driver's loopback channels (receivers, barrier syncs) ----------

def frame(data: bytes) -> bytes:
    """``data`` behind its length: one frame of sparklet's socket channels."""
    return _LEN.pack(len(data)) + data


def recv_exactly(sock: socket.socket, n: int) -> bytes | None:
    """``n`` bytes from ``sock``, or None if the peer closed the connection first."""
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv_framed(sock: socket.socket) -> bytes | None:
    """The payload of the next :func:`frame`, or None if the peer closed the connection."""
    head = recv_exactly(sock, _LEN.size)
    return None if head is None else recv_exactly(sock, _LEN.unpack(head)[0])


# PySpark's serializer classes, for programs that import them from here as from
# pyspark.serializers (they do not drive sparklet's own data path).
from sparklet.serializer_api import *  # noqa: E402, F401, F403
from sparklet.serializer_api import __all__ as _api_all  # noqa: E402

__all__ += _api_all
