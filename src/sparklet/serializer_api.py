"""PySpark's serializer classes (``pyspark.serializers``), for programs that name them.

A PySpark program picks a serializer by class (``SparkContext(serializer=MarshalSerializer())``,
``BatchedSerializer(CPickleSerializer(), 2)``) or uses one directly to turn objects into
framed bytes and back. sparklet's own data path does not depend on this choice (records travel
as pickle batches, see ``sparklet.serializers``); these classes keep PySpark's stream formats
so code written against them reads and writes the same bytes: every frame is a big-endian
4-byte length followed by that many bytes.

>>> import io
>>> ser = BatchedSerializer(CPickleSerializer(), 2)
>>> buf = io.BytesIO()
>>> ser.dump_stream(range(5), buf)
>>> _ = buf.seek(0)
>>> list(ser.load_stream(buf))
[0, 1, 2, 3, 4]
"""

from __future__ import annotations

import itertools
import marshal
import pickle
import struct
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import cloudpickle

__all__ = [
    "Serializer", "FramedSerializer", "PickleSerializer", "CPickleSerializer",
    "CloudPickleSerializer", "MarshalSerializer", "NoOpSerializer", "UTF8Deserializer",
    "BatchedSerializer", "AutoBatchedSerializer", "FlattenedValuesSerializer",
    "PairDeserializer", "CartesianDeserializer", "CompressedSerializer", "ChunkedStream",
    "SpecialLengths", "read_int", "write_int", "read_long", "write_long", "pack_long",
    "write_with_length",
]


class SpecialLengths:
    END_OF_DATA_SECTION = -1
    PYTHON_EXCEPTION_THROWN = -2
    TIMING_DATA = -3
    END_OF_STREAM = -4
    NULL = -5
    START_ARROW_STREAM = -6


def read_int(stream: BinaryIO) -> int:
    data = stream.read(4)
    if len(data) < 4:
        raise EOFError
    return struct.unpack("!i", data)[0]


def write_int(value: int, stream: BinaryIO) -> None:
    stream.write(struct.pack("!i", value))


def read_long(stream: BinaryIO) -> int:
    data = stream.read(8)
    if len(data) < 8:
        raise EOFError
    return struct.unpack("!q", data)[0]


def write_long(value: int, stream: BinaryIO) -> None:
    stream.write(struct.pack("!q", value))


def pack_long(value: int) -> bytes:
    return struct.pack("!q", value)


def write_with_length(obj: bytes, stream: BinaryIO) -> None:
    write_int(len(obj), stream)
    stream.write(obj)


class Serializer:
    """Turns a stream of objects into bytes on a file-like object and back."""

    def dump_stream(self, iterator: Iterable[Any], stream: BinaryIO) -> None:
        raise NotImplementedError

    def load_stream(self, stream: BinaryIO) -> Iterator[Any]:
        raise NotImplementedError

    def _load_stream_without_unbatching(self, stream: BinaryIO) -> Iterator[Any]:
        return self.load_stream(stream)

    # Serializers are values: two of the same class and settings are interchangeable.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, self.__class__) and other.__dict__ == self.__dict__

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __repr__(self) -> str:
        return "%s()" % self.__class__.__name__

    def __hash__(self) -> int:
        return hash(str(self))


class FramedSerializer(Serializer):
    """Each object is one frame: its length, then ``dumps(obj)``."""

    def dump_stream(self, iterator, stream):
        for obj in iterator:
            self._write_with_length(obj, stream)

    def load_stream(self, stream):
        while True:
            try:
                yield self._read_with_length(stream)
            except EOFError:
                return

    def _write_with_length(self, obj, stream):
        serialized = self.dumps(obj)
        if serialized is None:
            raise ValueError("serialized value should not be None")
        if len(serialized) > (1 << 31):
            raise ValueError("can not serialize object larger than 2G")
        write_with_length(serialized, stream)

    def _read_with_length(self, stream):
        length = read_int(stream)
        if length == SpecialLengths.END_OF_DATA_SECTION:
            raise EOFError
        if length == SpecialLengths.NULL:
            return None
        obj = stream.read(length)
        if len(obj) < length:
            raise EOFError
        return self.loads(obj)

    def dumps(self, obj: Any) -> bytes:
        raise NotImplementedError

    def loads(self, obj: bytes) -> Any:
        raise NotImplementedError


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, allowed: set[tuple[str, str]]):
        super().__init__(file)
        self._allowed = allowed

    def find_class(self, module, name):
        if (module, name) in self._allowed:
            return super().find_class(module, name)
        raise pickle.UnpicklingError("global '%s.%s' is forbidden" % (module, name))


class PickleSerializer(FramedSerializer):
    """Python's pickle at the highest protocol. ``allowed_names`` (pairs of module and name)
    restricts which globals ``loads`` may resolve."""

    def __init__(self, allowed_names: Iterable[tuple[str, str]] | None = None):
        self.allowed_names = (frozenset(tuple(n) for n in allowed_names)
                              if allowed_names is not None else None)

    def dumps(self, obj):
        return pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)

    def loads(self, obj, encoding="bytes"):
        if self.allowed_names is None:
            return pickle.loads(obj, encoding=encoding)
        import io

        return _RestrictedUnpickler(io.BytesIO(obj), set(self.allowed_names)).load()


CPickleSerializer = PickleSerializer


class CloudPickleSerializer(FramedSerializer):
    """cloudpickle, which also pickles lambdas, closures and interactively defined classes."""

    def dumps(self, obj):
        try:
            return cloudpickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        except pickle.PickleError:
            raise
        except Exception as error:
            message = "Could not serialize object: %s: %s" % (error.__class__.__name__, error)
            raise pickle.PicklingError(message) from error

    def loads(self, obj, encoding="bytes"):
        return cloudpickle.loads(obj, encoding=encoding)


class MarshalSerializer(FramedSerializer):
    """marshal: faster than pickle, for the built-in types only."""

    def dumps(self, obj):
        return marshal.dumps(obj)

    def loads(self, obj):
        return marshal.loads(obj)


class NoOpSerializer(FramedSerializer):
    """Frames that already are bytes."""

    def loads(self, obj):
        return obj

    def dumps(self, obj):
        return obj


class UTF8Deserializer(Serializer):
    """Reads frames of UTF-8 text (``use_unicode=False`` keeps them as bytes)."""

    def __init__(self, use_unicode: bool = True):
        self.use_unicode = use_unicode

    def loads(self, stream):
        length = read_int(stream)
        if length == SpecialLengths.END_OF_DATA_SECTION:
            raise EOFError
        if length == SpecialLengths.NULL:
            return None
        data = stream.read(length)
        return data.decode("utf-8") if self.use_unicode else data

    def load_stream(self, stream):
        try:
            while True:
                yield self.loads(stream)
        except (struct.error, EOFError):
            return

    def __repr__(self):
        return "UTF8Deserializer(%s)" % self.use_unicode


class BatchedSerializer(Serializer):
    """Writes lists of ``batchSize`` objects through ``serializer``; reads them back one by
    one. ``UNLIMITED_BATCH_SIZE`` puts everything in one batch."""

    UNLIMITED_BATCH_SIZE = -1
    UNKNOWN_BATCH_SIZE = 0

    def __init__(self, serializer: Serializer, batchSize: int = UNLIMITED_BATCH_SIZE):
        self.serializer = serializer
        self.batchSize = batchSize

    def _batched(self, iterator):
        if self.batchSize == self.UNLIMITED_BATCH_SIZE:
            yield list(iterator)
        elif isinstance(iterator, (list, tuple, range)):
            for i in range(0, len(iterator), self.batchSize):
                yield list(iterator[i: i + self.batchSize])
        else:
            iterator = iter(iterator)
            while True:
                batch = list(itertools.islice(iterator, self.batchSize))
                if not batch:
                    return
                yield batch

    def dump_stream(self, iterator, stream):
        self.serializer.dump_stream(self._batched(iterator), stream)

    def load_stream(self, stream):
        return itertools.chain.from_iterable(self._load_stream_without_unbatching(stream))

    def _load_stream_without_unbatching(self, stream):
        return self.serializer.load_stream(stream)

    def __repr__(self):
        return "BatchedSerializer(%s, %d)" % (str(self.serializer), self.batchSize)


class FlattenedValuesSerializer(BatchedSerializer):
    """Splits a (key, values) pair whose value list is long into several pairs of at most
    ``batchSize`` values each."""

    def __init__(self, serializer: Serializer, batchSize: int = 10):
        BatchedSerializer.__init__(self, serializer, batchSize)

    def _batched(self, iterator):
        n = self.batchSize
        for key, values in iterator:
            for i in range(0, len(values), n):
                yield key, values[i: i + n]

    def load_stream(self, stream):
        return self.serializer.load_stream(stream)

    def __repr__(self):
        return "FlattenedValuesSerializer(%s, %d)" % (self.serializer, self.batchSize)


class AutoBatchedSerializer(BatchedSerializer):
    """Batches by serialized size: the batch grows while a batch's bytes stay under
    ``bestSize`` and shrinks when it goes well over."""

    def __init__(self, serializer: Serializer, bestSize: int = 1 << 16):
        BatchedSerializer.__init__(self, serializer, self.UNKNOWN_BATCH_SIZE)
        self.bestSize = bestSize

    def dump_stream(self, iterator, stream):
        batch, best = 1, self.bestSize
        iterator = iter(iterator)
        while True:
            vs = list(itertools.islice(iterator, batch))
            if not vs:
                break
            data = self.serializer.dumps(vs)
            write_with_length(data, stream)
            size = len(data)
            if size < best:
                batch *= 2
            elif size > best * 10 and batch > 1:
                batch //= 2

    def __repr__(self):
        return "AutoBatchedSerializer(%s)" % self.serializer


class CartesianDeserializer(Serializer):
    """Reads the pairs of a cartesian product written as batches of keys then of values."""

    def __init__(self, key_ser: Serializer, val_ser: Serializer):
        self.key_ser = key_ser
        self.val_ser = val_ser

    def _load_stream_without_unbatching(self, stream):
        key_batches = self.key_ser._load_stream_without_unbatching(stream)
        val_batches = self.val_ser._load_stream_without_unbatching(stream)
        for keys, vals in zip(key_batches, val_batches, strict=False):
            yield list(itertools.product(keys, vals))

    def load_stream(self, stream):
        return itertools.chain.from_iterable(self._load_stream_without_unbatching(stream))

    def __repr__(self):
        return "CartesianDeserializer(%s, %s)" % (str(self.key_ser), str(self.val_ser))


class PairDeserializer(Serializer):
    """Reads the pairs of a zip written as batches of keys then of values."""

    def __init__(self, key_ser: Serializer, val_ser: Serializer):
        self.key_ser = key_ser
        self.val_ser = val_ser

    def _load_stream_without_unbatching(self, stream):
        key_batches = self.key_ser._load_stream_without_unbatching(stream)
        val_batches = self.val_ser._load_stream_without_unbatching(stream)
        for keys, vals in zip(key_batches, val_batches, strict=False):
            keys = keys if hasattr(keys, "__len__") else list(keys)
            vals = vals if hasattr(vals, "__len__") else list(vals)
            if len(keys) != len(vals):
                raise ValueError("Can not deserialize PairRDD with different number of items"
                                 " in batches: (%d, %d)" % (len(keys), len(vals)))
            yield zip(keys, vals, strict=True)

    def load_stream(self, stream):
        return itertools.chain.from_iterable(self._load_stream_without_unbatching(stream))

    def __repr__(self):
        return "PairDeserializer(%s, %s)" % (str(self.key_ser), str(self.val_ser))


class CompressedSerializer(FramedSerializer):
    """zlib-compresses each frame of ``serializer``."""

    def __init__(self, serializer: FramedSerializer):
        FramedSerializer.__init__(self)
        assert isinstance(serializer, FramedSerializer), "serializer must be a FramedSerializer"
        self.serializer = serializer

    def dumps(self, obj):
        return zlib.compress(self.serializer.dumps(obj), 1)

    def loads(self, obj):
        return self.serializer.loads(zlib.decompress(obj))

    def __repr__(self):
        return "CompressedSerializer(%s)" % self.serializer


class ChunkedStream:
    """A write-only stream that frames what is written into chunks of ``buffer_size`` bytes
    (each preceded by its length) and ends with a -1 length on ``close``.

    >>> import io
    >>> class Sink(io.BytesIO):
    ...     def close(self):  # keep the bytes readable after ChunkedStream closes it
    ...         pass
    >>> out = Sink()
    >>> s = ChunkedStream(out, 2)
    >>> s.write(b"abc"); s.close()
    >>> out.getvalue()
    b'\\x00\\x00\\x00\\x02ab\\x00\\x00\\x00\\x01c\\xff\\xff\\xff\\xff'
    """

    def __init__(self, wrapped, buffer_size: int):
        self.buffer_size = buffer_size
        self.wrapped = wrapped
        self._pending = bytearray()

    def write(self, data) -> None:
        self._pending += data
        # Emit every full chunk now, so memory stays at one chunk whatever is written.
        while len(self._pending) >= self.buffer_size:
            self._emit(self._pending[: self.buffer_size])
            del self._pending[: self.buffer_size]

    def _emit(self, chunk) -> None:
        write_int(len(chunk), self.wrapped)
        self.wrapped.write(bytes(chunk))

    def close(self) -> None:
        if self._pending:
            self._emit(self._pending)
            self._pending = bytearray()
        write_int(-1, self.wrapped)
        self.wrapped.close()

    @property
    def closed(self) -> bool:
        return self.wrapped.closed
