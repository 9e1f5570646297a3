"""PySpark's serializer classes (``from sparklet.serializers import MarshalSerializer`` ...).

Expected bytes come from PySpark's stream format as a plain-Python model: each frame is a
4-byte big-endian signed length and then the payload; batches are lists; ChunkedStream ends
with a -1 length.
"""

import collections
import io
import marshal
import pickle
import struct
import threading

import pytest

import sparklet
from sparklet.serializers import (
    AutoBatchedSerializer,
    BatchedSerializer,
    CartesianDeserializer,
    ChunkedStream,
    CloudPickleSerializer,
    CompressedSerializer,
    CPickleSerializer,
    FlattenedValuesSerializer,
    MarshalSerializer,
    NoOpSerializer,
    PairDeserializer,
    PickleSerializer,
    UTF8Deserializer,
    read_int,
    write_int,
    write_with_length,
)


def frames(data: bytes) -> list[bytes]:
    """Split a framed stream the way PySpark's JVM side reads it."""
    out, pos = [], 0
    while pos < len(data):
        (n,) = struct.unpack("!i", data[pos: pos + 4])
        out.append(data[pos + 4: pos + 4 + n])
        pos += 4 + n
    return out


def dump(ser, items) -> bytes:
    buf = io.BytesIO()
    ser.dump_stream(items, buf)
    return buf.getvalue()


def load(ser, data: bytes) -> list:
    return list(ser.load_stream(io.BytesIO(data)))


def test_top_level_exports_match_pyspark():
    assert sparklet.CPickleSerializer is CPickleSerializer is PickleSerializer
    assert sparklet.MarshalSerializer is MarshalSerializer


@pytest.mark.parametrize("ser, encode", [
    (CPickleSerializer(), lambda o: pickle.dumps(o, pickle.HIGHEST_PROTOCOL)),
    (MarshalSerializer(), marshal.dumps),
])
def test_framed_serializers_write_one_length_prefixed_frame_per_object(ser, encode):
    items = [1, "two", (3.0, None), {"four": [4]}]
    data = dump(ser, items)
    assert frames(data) == [encode(o) for o in items]
    assert load(ser, data) == items


def test_cloudpickle_serializer_round_trips_a_closure_and_names_what_failed():
    ser = CloudPickleSerializer()
    offset = 10
    f = ser.loads(ser.dumps(lambda x: x + offset))
    assert f(1) == 11
    with pytest.raises(pickle.PicklingError, match="Could not serialize object: .*lock"):
        ser.dumps(threading.Lock())


def test_noop_serializer_passes_bytes_through():
    data = dump(NoOpSerializer(), [b"ab", b"", b"xyz"])
    assert data == b"\x00\x00\x00\x02ab\x00\x00\x00\x00\x00\x00\x00\x03xyz"
    assert load(NoOpSerializer(), data) == [b"ab", b"", b"xyz"]


def test_utf8_deserializer_reads_text_frames():
    buf = io.BytesIO()
    for text in ["héllo", "", "wörld"]:
        write_with_length(text.encode("utf-8"), buf)
    assert load(UTF8Deserializer(), buf.getvalue()) == ["héllo", "", "wörld"]
    assert load(UTF8Deserializer(use_unicode=False), buf.getvalue())[0] == "héllo".encode()


def test_batched_serializer_writes_lists_of_batch_size():
    ser = BatchedSerializer(CPickleSerializer(), 2)
    data = dump(ser, iter(range(5)))
    assert [pickle.loads(f) for f in frames(data)] == [[0, 1], [2, 3], [4]]
    assert load(ser, data) == [0, 1, 2, 3, 4]
    unlimited = BatchedSerializer(CPickleSerializer())
    assert [pickle.loads(f) for f in frames(dump(unlimited, range(5)))] == [[0, 1, 2, 3, 4]]


def test_auto_batched_serializer_round_trips_many_records():
    ser = AutoBatchedSerializer(CPickleSerializer(), bestSize=1 << 10)
    items = [("k%d" % i, i) for i in range(5000)]
    data = dump(ser, items)
    assert 1 < len(frames(data)) < 5000  # batched, and batches grew past one record
    assert load(ser, data) == items


def test_flattened_values_serializer_splits_long_value_lists():
    ser = FlattenedValuesSerializer(CPickleSerializer(), 2)
    data = dump(ser, [("a", [1, 2, 3]), ("b", [4])])
    assert load(ser, data) == [("a", [1, 2]), ("a", [3]), ("b", [4])]


def test_compressed_serializer_appends_to_a_stream():
    ser = CompressedSerializer(CPickleSerializer())
    buf = io.BytesIO()
    ser.dump_stream(["abc", "123", range(5)], buf)
    buf.seek(0)
    assert list(ser.load_stream(buf)) == ["abc", "123", range(5)]
    ser.dump_stream(range(100), buf)  # the read left the position at the end
    buf.seek(0)
    assert list(ser.load_stream(buf)) == ["abc", "123", range(5)] + list(range(100))


def test_pair_and_cartesian_deserializers_combine_batches():
    keys = BatchedSerializer(CPickleSerializer(), 2)
    buf = io.BytesIO()
    keys.dump_stream(["a", "b"], buf)
    keys.dump_stream([1, 2], buf)
    data = buf.getvalue()
    assert load(PairDeserializer(keys, keys), data) == [("a", 1), ("b", 2)]
    assert load(CartesianDeserializer(keys, keys), data) == [
        ("a", 1), ("a", 2), ("b", 1), ("b", 2)]
    uneven = io.BytesIO()
    keys.dump_stream(["a", "b"], uneven)
    keys.dump_stream([1], uneven)
    with pytest.raises(ValueError, match="different number of items"):
        load(PairDeserializer(keys, keys), uneven.getvalue())


def test_restricted_unpickling_allows_only_the_named_globals():
    ser = CPickleSerializer(allowed_names=[("collections", "deque")])
    q = collections.deque([1, 2, 3])
    assert ser.loads(ser.dumps(q)) == q
    with pytest.raises(pickle.UnpicklingError):
        ser.loads(ser.dumps(collections.defaultdict(int)))


def test_serializers_are_values():
    assert BatchedSerializer(CPickleSerializer(), 2) == BatchedSerializer(CPickleSerializer(), 2)
    assert BatchedSerializer(CPickleSerializer(), 2) != BatchedSerializer(CPickleSerializer(), 3)
    assert hash(MarshalSerializer()) == hash(MarshalSerializer())
    assert CPickleSerializer() != MarshalSerializer()


class _Sink(io.BytesIO):
    def close(self):  # keep the bytes readable after ChunkedStream closes its target
        pass


@pytest.mark.parametrize("length, chunk", [(0, 3), (1, 1), (7, 3), (9, 3), (10, 100)])
def test_chunked_stream_frames_fixed_size_chunks_and_ends_with_minus_one(length, chunk):
    data = bytes(range(length))
    out = _Sink()
    stream = ChunkedStream(out, chunk)
    for i in range(0, length, 2):  # writes that straddle chunk boundaries
        stream.write(data[i: i + 2])
    stream.close()
    expected = b"".join(struct.pack("!i", len(data[i: i + chunk])) + data[i: i + chunk]
                        for i in range(0, length, chunk)) + struct.pack("!i", -1)
    assert out.getvalue() == expected


def test_int_helpers_are_big_endian():
    buf = io.BytesIO()
    write_int(258, buf)
    assert buf.getvalue() == b"\x00\x00\x01\x02"
    buf.seek(0)
    assert read_int(buf) == 258
    with pytest.raises(EOFError):
        read_int(io.BytesIO(b"\x00"))
