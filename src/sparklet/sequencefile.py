"""Hadoop SequenceFiles in pure Python: the binary key-value format behind PySpark's
``saveAsSequenceFile``/``sequenceFile`` and the SequenceFile input/output formats.

Files written here are read by Hadoop's ``SequenceFile.Reader`` and files written by Hadoop
are read here, for the common Writable types. The format (version 6), all integers
big-endian::

    header  : b"SEQ" 0x06, key class name (Text), value class name (Text),
              compressed? (1 byte), block-compressed? (1 byte),
              [codec class name (Text) when compressed],
              metadata: int32 count, then count (Text, Text) pairs,
              16-byte sync marker
    record  : int32 record length (key + value bytes), int32 key length, key, value
              (record compression: the value alone is compressed with the codec)
    block   : sync, vint record count, then four codec-compressed buffers, each as
              vint length + bytes: key lengths (vints), keys, value lengths, values
    sync    : int32 -1 then the 16-byte marker, written before a record once 2000 bytes
              (Hadoop's SYNC_INTERVAL) have passed since the last one, and before every
              block; a reader starting mid-file scans for it to find a record boundary.

Text is a vint length and UTF-8 bytes; vints are Hadoop's ``WritableUtils`` variable-length
integers. Python values map to Writables as PySpark's converters map them (see
:func:`writable_for`); reading gives back what PySpark gives (BytesWritable as bytearray,
MapWritable as dict, NullWritable as None).
"""

from __future__ import annotations

import bz2
import os
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

__all__ = ["WRITABLES", "writable", "writable_for", "SequenceFileWriter", "sequence_chunks",
           "read_sequence_split", "read_header", "SequenceFileError", "UnknownWritableError"]

_IO = "org.apache.hadoop.io."
TEXT, INT, LONG = _IO + "Text", _IO + "IntWritable", _IO + "LongWritable"
DOUBLE, FLOAT, BOOLEAN = _IO + "DoubleWritable", _IO + "FloatWritable", _IO + "BooleanWritable"
BYTES, NULL, MAP = _IO + "BytesWritable", _IO + "NullWritable", _IO + "MapWritable"
BYTE, SHORT = _IO + "ByteWritable", _IO + "ShortWritable"
VINT, VLONG = _IO + "VIntWritable", _IO + "VLongWritable"

MAGIC = b"SEQ"
VERSION = 6
SYNC_ESCAPE = -1
SYNC_HASH_SIZE = 16
SYNC_SIZE = 4 + SYNC_HASH_SIZE
SYNC_INTERVAL = 100 * SYNC_SIZE  # Hadoop 2's interval: a sync every ~2000 bytes

_I32, _I64, _F32, _F64 = struct.Struct(">i"), struct.Struct(">q"), struct.Struct(">f"), \
    struct.Struct(">d")
_I16, _I8, _U16 = struct.Struct(">h"), struct.Struct(">b"), struct.Struct(">H")

# Codecs sparklet can (de)compress: class name -> (compress, decompress).
_CODECS: dict[str, tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]] = {
    "org.apache.hadoop.io.compress.DefaultCodec": (zlib.compress, zlib.decompress),
    "org.apache.hadoop.io.compress.DeflateCodec": (zlib.compress, zlib.decompress),
    "org.apache.hadoop.io.compress.BZip2Codec": (bz2.compress, bz2.decompress),
}


class SequenceFileError(ValueError):
    """A file that is not a SequenceFile, is damaged, or uses something sparklet lacks."""


class UnknownWritableError(ValueError):
    """A Writable class sparklet has no pure-Python form of (Hadoop: ClassNotFoundException)."""


# -- variable-length integers (WritableUtils) -------------------------------------------------


def write_vlong(out: bytearray, i: int) -> None:
    if -112 <= i <= 127:
        out.append(i & 0xFF)
        return
    length = -112
    if i < 0:
        i ^= -1
        length = -120
    tmp = i
    while tmp != 0:
        tmp >>= 8
        length -= 1
    out.append(length & 0xFF)
    n = -(length + 120) if length < -120 else -(length + 112)
    out += i.to_bytes(n, "big")


def read_vlong(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    first = buf[pos]
    first = first - 256 if first > 127 else first
    pos += 1
    if first >= -112:
        return first, pos
    n = (-119 - first) if first < -120 else (-111 - first)
    value = int.from_bytes(buf[pos:pos + n - 1], "big")
    pos += n - 1
    negative = first < -120 or -112 <= first < 0
    return (value ^ -1) if negative else value, pos


def _vlong_bytes(i: int) -> bytes:
    out = bytearray()
    write_vlong(out, i)
    return bytes(out)


# -- Writables ---------------------------------------------------------------------------------


class Writable:
    """How one Writable class is written and read: ``encode(value, out)`` appends the
    serialized value; ``decode(buf, pos)`` returns ``(value, new_pos)``."""

    def __init__(self, name: str, encode: Callable[[Any, bytearray], None],
                 decode: Callable[[Any, int], tuple[Any, int]]):
        self.name = name
        self.encode = encode
        self.decode = decode


def _fixed(s: struct.Struct, convert: Callable[[Any], Any] = lambda v: v):
    def encode(v, out):
        out += s.pack(v)

    def decode(buf, pos):
        return convert(s.unpack_from(buf, pos)[0]), pos + s.size
    return encode, decode


def _text_encode(v, out):
    data = v.encode("utf-8")
    write_vlong(out, len(data))
    out += data


def _text_decode(buf, pos):
    n, pos = read_vlong(buf, pos)
    return bytes(buf[pos:pos + n]).decode("utf-8", "replace"), pos + n


def _bytes_encode(v, out):
    out += _I32.pack(len(v))
    out += v


def _bytes_decode(buf, pos):
    (n,), pos = _I32.unpack_from(buf, pos), pos + 4
    return bytearray(buf[pos:pos + n]), pos + n  # PySpark hands BytesWritable as bytearray


def _vlong_decode(buf, pos):
    return read_vlong(buf, pos)


# MapWritable's fixed class ids (AbstractMapWritable); other classes are listed in the map.
_MAP_IDS = {_IO + "ArrayWritable": -127, BOOLEAN: -126, BYTES: -125, FLOAT: -124, INT: -123,
            LONG: -122, MAP: -121, _IO + "MD5Hash": -120, NULL: -119, _IO + "ObjectWritable": -118,
            _IO + "SortedMapWritable": -117, TEXT: -116, _IO + "TwoDArrayWritable": -115,
            VINT: -114, VLONG: -113}
_MAP_NAMES = {i: name for name, i in _MAP_IDS.items()}


def _map_encode(d: dict, out: bytearray) -> None:
    entries = [(writable_for(k), k, writable_for(v), v) for k, v in d.items()]
    extra: list[str] = []
    for kw, _, vw, _ in entries:
        for name in (kw.name, vw.name):
            if name not in _MAP_IDS and name not in extra:
                extra.append(name)
    ids = {**_MAP_IDS, **{name: i + 1 for i, name in enumerate(extra)}}
    out.append(len(extra))
    for i, name in enumerate(extra):
        data = name.encode("utf-8")
        out.append(i + 1)
        out += _U16.pack(len(data)) + data
    out += _I32.pack(len(entries))
    for kw, k, vw, v in entries:
        out += _I8.pack(ids[kw.name])
        kw.encode(k, out)
        out += _I8.pack(ids[vw.name])
        vw.encode(v, out)


def _map_decode(buf, pos):
    names = dict(_MAP_NAMES)
    extra = buf[pos]
    pos += 1
    for _ in range(extra):
        class_id = _I8.unpack_from(buf, pos)[0]
        (n,) = _U16.unpack_from(buf, pos + 1)
        names[class_id] = bytes(buf[pos + 3:pos + 3 + n]).decode("utf-8")
        pos += 3 + n
    (size,) = _I32.unpack_from(buf, pos)
    pos += 4
    result = {}
    for _ in range(size):
        key, pos = _by_id(names, buf, pos)
        value, pos = _by_id(names, buf, pos)
        result[key] = value
    return result, pos


def _by_id(names: dict, buf, pos):
    class_id = _I8.unpack_from(buf, pos)[0]
    name = names.get(class_id)
    if name is None:
        raise SequenceFileError("MapWritable entry of unknown class id %d" % class_id)
    return writable(name).decode(buf, pos + 1)


def _range_checked(s: struct.Struct, lo: int, hi: int, name: str):
    encode, decode = _fixed(s)

    def checked(v, out):
        if not lo <= v <= hi:
            raise SequenceFileError("%d does not fit in %s" % (v, name))
        encode(v, out)
    return checked, decode


WRITABLES: dict[str, Writable] = {w.name: w for w in [
    Writable(TEXT, _text_encode, _text_decode),
    Writable(INT, *_range_checked(_I32, -2**31, 2**31 - 1, INT)),
    Writable(LONG, *_range_checked(_I64, -2**63, 2**63 - 1, LONG)),
    Writable(DOUBLE, *_fixed(_F64)),
    Writable(FLOAT, *_fixed(_F32)),
    Writable(BOOLEAN, lambda v, out: out.append(1 if v else 0),
             lambda buf, pos: (buf[pos] != 0, pos + 1)),
    Writable(BYTES, _bytes_encode, _bytes_decode),
    Writable(NULL, lambda v, out: None, lambda buf, pos: (None, pos)),
    Writable(BYTE, *_range_checked(_I8, -128, 127, BYTE)),
    Writable(SHORT, *_range_checked(_I16, -2**15, 2**15 - 1, SHORT)),
    Writable(VINT, lambda v, out: write_vlong(out, v), _vlong_decode),
    Writable(VLONG, lambda v, out: write_vlong(out, v), _vlong_decode),
    Writable(MAP, _map_encode, _map_decode),
]}


def writable(name: str) -> Writable:
    """The Writable of a Hadoop class name; unknown classes raise UnknownWritableError."""
    w = WRITABLES.get(name)
    if w is None:
        raise UnknownWritableError(
            "Writable class %s has no pure-Python form in sparklet (it would need its Java "
            "class); supported: %s" % (name, ", ".join(sorted(WRITABLES))))
    return w


def writable_for(value: Any) -> Writable:
    """The Writable PySpark writes a Python value as (its Pyrolite + JavaToWritableConverter
    mapping): str -> Text, int -> IntWritable (LongWritable past 32 bits), float ->
    DoubleWritable, bool -> BooleanWritable, bytes/bytearray -> BytesWritable, None ->
    NullWritable, dict -> MapWritable."""
    if isinstance(value, bool):
        return WRITABLES[BOOLEAN]
    if isinstance(value, int):
        return WRITABLES[INT] if -2**31 <= value < 2**31 else WRITABLES[LONG]
    if isinstance(value, float):
        return WRITABLES[DOUBLE]
    if isinstance(value, str):
        return WRITABLES[TEXT]
    if isinstance(value, bytes | bytearray | memoryview):
        return WRITABLES[BYTES]
    if value is None:
        return WRITABLES[NULL]
    if isinstance(value, dict):
        return WRITABLES[MAP]
    if isinstance(value, tuple | list):
        raise SequenceFileError(
            "Data of type %s cannot be written to a SequenceFile: Hadoop's ArrayWritable "
            "needs a subclass naming its element type (as in Spark); convert it first, e.g. "
            "to a dict or a string" % type(value).__name__)
    raise SequenceFileError("Data of type %s cannot be written to a SequenceFile"
                            % type(value).__name__)


# -- writing -------------------------------------------------------------------------------------


class SequenceFileWriter:
    """Writes one SequenceFile to a binary stream: uncompressed records, or blocks compressed
    with a Hadoop codec (``DefaultCodec``/``DeflateCodec`` = zlib, ``BZip2Codec``)."""

    def __init__(self, out: IO[bytes], key_class: str, value_class: str,
                 codec: str | None = None, metadata: dict[str, str] | None = None,
                 block_records: int = 1000):
        self._out = out
        self._key = writable(key_class)
        self._value = writable(value_class)
        if codec is not None and codec not in _CODECS:
            raise SequenceFileError("compression codec %s is not available in sparklet "
                                    "(supported: %s)" % (codec, ", ".join(sorted(_CODECS))))
        self._codec = codec
        self._sync = os.urandom(SYNC_HASH_SIZE)
        self._pos = 0
        self._last_sync = 0
        self._block: list[tuple[bytes, bytes]] = []
        self._block_records = block_records
        header = bytearray(MAGIC + bytes([VERSION]))
        _text_encode(key_class, header)
        _text_encode(value_class, header)
        header += b"\x01\x01" if codec else b"\x00\x00"
        if codec:
            _text_encode(codec, header)
        meta = metadata or {}
        header += _I32.pack(len(meta))
        for k, v in sorted(meta.items()):
            _text_encode(k, header)
            _text_encode(v, header)
        header += self._sync
        self._write(bytes(header))

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._pos += len(data)

    def _write_sync(self) -> None:
        self._write(_I32.pack(SYNC_ESCAPE) + self._sync)
        self._last_sync = self._pos

    def _serialize(self, w: Writable, value: Any, what: str) -> bytes:
        natural = writable_for(value).name
        if natural != w.name:
            # Hadoop's SequenceFile.Writer.append check, with its message.
            raise SequenceFileError("wrong %s class: %s is not class %s" % (what, natural, w.name))
        out = bytearray()
        w.encode(value, out)
        return bytes(out)

    def append(self, key: Any, value: Any) -> None:
        k = self._serialize(self._key, key, "key")
        v = self._serialize(self._value, value, "value")
        if self._codec is not None:
            self._block.append((k, v))
            if len(self._block) >= self._block_records:
                self._flush_block()
            return
        if self._pos >= self._last_sync + SYNC_INTERVAL:
            self._write_sync()
        self._write(_I32.pack(len(k) + len(v)) + _I32.pack(len(k)) + k + v)

    def _flush_block(self) -> None:
        if not self._block:
            return
        compress = _CODECS[self._codec][0]  # type: ignore[index]
        key_lengths, value_lengths = bytearray(), bytearray()
        for k, v in self._block:
            write_vlong(key_lengths, len(k))
            write_vlong(value_lengths, len(v))
        parts = [bytes(key_lengths), b"".join(k for k, _ in self._block),
                 bytes(value_lengths), b"".join(v for _, v in self._block)]
        out = bytearray()
        write_vlong(out, len(self._block))
        for part in parts:
            data = compress(part)
            write_vlong(out, len(data))
            out += data
        self._write_sync()
        self._write(bytes(out))
        self._block = []

    def close(self) -> None:
        """Write the last block (block compression); the caller closes the stream."""
        if self._codec is not None:
            self._flush_block()


class _Buffer:
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def sequence_chunks(records: Iterable[tuple[Any, Any]], key_class: str, value_class: str,
                    codec: str | None = None, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """The bytes of a SequenceFile holding ``records``, about ``chunk_size`` at a time."""
    buf = _Buffer()
    writer = SequenceFileWriter(buf, key_class, value_class, codec)  # type: ignore[arg-type]
    for record in records:
        try:
            key, value = record
        except (TypeError, ValueError):
            raise SequenceFileError("SequenceFiles hold (key, value) pairs, got %r"
                                    % (record,)) from None
        writer.append(key, value)
        if buf.size >= chunk_size:
            yield buf.take()
    writer.close()
    yield buf.take()


# -- reading -------------------------------------------------------------------------------------


class _Header:
    __slots__ = ("key_class", "value_class", "compressed", "block", "codec", "metadata",
                 "sync", "end")


def _read_exact(f: IO[bytes], n: int, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise SequenceFileError("truncated SequenceFile (in %s)" % what)
    return data


def _read_vlong_stream(f: IO[bytes]) -> int:
    first = _read_exact(f, 1, "a vint")
    b = first[0] - 256 if first[0] > 127 else first[0]
    if b >= -112:
        return b
    n = (-119 - b) if b < -120 else (-111 - b)
    rest = _read_exact(f, n - 1, "a vint")
    return read_vlong(first + rest, 0)[0]


def _read_text_stream(f: IO[bytes]) -> str:
    n = _read_vlong_stream(f)
    return _read_exact(f, n, "a Text").decode("utf-8", "replace")


def read_header(f: IO[bytes], shown: str = "") -> _Header:
    """Read a SequenceFile header from the start of ``f``; ``f`` is left after it."""
    magic = f.read(4)
    if magic[:3] != MAGIC:
        raise SequenceFileError("%s is not a SequenceFile" % (shown or "input"))
    if magic[3] != VERSION:
        raise SequenceFileError("%s: SequenceFile version %d is not supported (only %d)"
                                % (shown, magic[3], VERSION))
    h = _Header()
    h.key_class = _read_text_stream(f)
    h.value_class = _read_text_stream(f)
    flags = _read_exact(f, 2, "the header")
    h.compressed, h.block = flags[0] != 0, flags[1] != 0
    h.codec = _read_text_stream(f) if h.compressed else None
    if h.codec is not None and h.codec not in _CODECS:
        raise SequenceFileError("%s is compressed with %s, which sparklet cannot decompress "
                                "(supported: %s)" % (shown, h.codec, ", ".join(sorted(_CODECS))))
    (count,) = _I32.unpack(_read_exact(f, 4, "the metadata"))
    h.metadata = {}
    for _ in range(count):
        k = _read_text_stream(f)
        h.metadata[k] = _read_text_stream(f)
    h.sync = _read_exact(f, SYNC_HASH_SIZE, "the sync marker")
    h.end = f.tell()
    return h


def _seek_to_sync(f: IO[bytes], position: int, sync: bytes, end: int) -> bool:
    """Move to the first sync escape whose marker starts at or after ``position + 4`` (as
    Hadoop's ``Reader.sync``); False when there is none before ``end``."""
    start = position + 4
    f.seek(start)
    window = b""
    offset = start
    while offset < end:
        chunk = f.read(min(1 << 16, end - offset))
        if not chunk:
            return False
        data = window + chunk
        i = data.find(sync)
        if i >= 0:
            f.seek(offset - len(window) + i - 4)
            return True
        window = data[-(SYNC_HASH_SIZE - 1):]
        offset += len(chunk)
    return False


def read_sequence_split(path: str, start: int, length: int,
                        expect_key: str | None = None, expect_value: str | None = None,
                        opener: Callable[[str], IO[bytes]] | None = None,
                        ) -> Iterator[tuple[Any, Any]]:
    """The (key, value) records of one split of a SequenceFile, as Hadoop's
    ``SequenceFileRecordReader`` delivers them: a split not at the file's start begins at
    the first sync after its start; records are read until one starts past the split's end
    right after a sync marker."""
    from sparklet import io as sio

    shown = sio.hadoop_path(path)
    f = (opener or (lambda p: sio.open_file(p, "rb")))(path)
    try:
        h = read_header(f, shown)
        for expected, actual, what in ((expect_key, h.key_class, "key"),
                                       (expect_value, h.value_class, "value")):
            if expected is not None and expected != actual:
                raise SequenceFileError("wrong %s class: %s is not class %s (in %s)"
                                        % (what, actual, expected, shown))
        kw, vw = writable(h.key_class), writable(h.value_class)
        f.seek(0, os.SEEK_END)
        file_end = f.tell()
        end = min(start + length, file_end)
        if start > h.end:
            if not _seek_to_sync(f, start, h.sync, file_end):
                return
        else:
            f.seek(h.end)
        if f.tell() >= end:
            return  # no record starts in this split (Hadoop: start < end or nothing)
        reader = _block_records if h.block else _records
        yield from reader(f, h, kw, vw, end, shown)
    finally:
        f.close()


def _next_length(f: IO[bytes], h: _Header, shown: str) -> tuple[int | None, bool]:
    """The next record (or block) length, consuming a sync marker first; (None, _) at EOF."""
    head = f.read(4)
    if not head:
        return None, False
    if len(head) < 4:
        raise SequenceFileError("%s: truncated record" % shown)
    (n,) = _I32.unpack(head)
    if n != SYNC_ESCAPE:
        return n, False
    if f.read(SYNC_HASH_SIZE) != h.sync:
        raise SequenceFileError("%s: file is corrupt (bad sync marker)" % shown)
    head = f.read(4)
    if not head:
        return None, True
    if len(head) < 4:
        raise SequenceFileError("%s: truncated record" % shown)
    return _I32.unpack(head)[0], True


def _records(f, h, kw, vw, end, shown):
    decompress = _CODECS[h.codec][1] if h.compressed else None
    while True:
        pos = f.tell()
        n, sync_seen = _next_length(f, h, shown)
        if n is None or (pos >= end and sync_seen):
            return  # a record after the end and a sync belongs to the next split
        (klen,) = _I32.unpack(_read_exact(f, 4, "a record"))
        data = _read_exact(f, n, "a record")
        value_bytes = data[klen:]
        if decompress is not None:
            value_bytes = decompress(value_bytes)
        yield kw.decode(data, 0)[0], vw.decode(value_bytes, 0)[0]


def _block_records(f, h, kw, vw, end, shown):
    decompress = _CODECS[h.codec][1]
    while True:
        pos = f.tell()
        head = f.read(4)
        if not head:
            return
        if _I32.unpack(head)[0] != SYNC_ESCAPE or f.read(SYNC_HASH_SIZE) != h.sync:
            raise SequenceFileError("%s: file is corrupt (a block without its sync)" % shown)
        if pos >= end:
            return  # the block belongs to the next split
        count = _read_vlong_stream(f)
        parts = []
        for what in ("key lengths", "keys", "value lengths", "values"):
            size = _read_vlong_stream(f)
            parts.append(decompress(_read_exact(f, size, what)))
        key_lengths, keys, value_lengths, values = parts
        kp = vp = klp = vlp = 0
        for _ in range(count):
            klen, klp = read_vlong(key_lengths, klp)
            vlen, vlp = read_vlong(value_lengths, vlp)
            key = kw.decode(keys[kp:kp + klen], 0)[0]
            value = vw.decode(values[vp:vp + vlen], 0)[0]
            kp += klen
            vp += vlen
            yield key, value
