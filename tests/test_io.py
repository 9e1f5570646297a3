"""Tests for sparklet.io, the Hadoop-compatible file layer.

Two kinds of checks: plain-Python models (every line of a file read exactly once whatever the
splits, compared with ``bytes.splitlines()``), and figures observed on real PySpark 3.5.3
(``local[2]``, so ``defaultParallelism == 2`` and ``defaultMinPartitions == 2``) for the same
inputs: partition counts, lines per partition, key formats, output file names.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import uuid
import zlib
from pathlib import Path

import fsspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparklet import io as sio

# --------------------------------------------------------------------------------------------
# helpers and models
# --------------------------------------------------------------------------------------------


def write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def model_lines(data: bytes, use_unicode: bool = True) -> list:
    """What Hadoop's LineRecordReader yields for a whole file, in plain Python."""
    if data == b"\xef\xbb\xbf":
        return []  # a file holding only a BOM has no line (observed on PySpark 3.5.3)
    lines = data.splitlines()  # bytes.splitlines splits on \n, \r\n and \r only
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):  # a BOM opening the file is dropped
        lines[0] = lines[0][3:]
    text = [line.decode("utf-8", "replace") for line in lines]
    return text if use_unicode else [t.encode("utf-8") for t in text]


def read_all(path: str, min_partitions: int, use_unicode: bool = True) -> list[list]:
    return [
        list(sio.read_text_split(s, use_unicode))
        for s in sio.text_file_splits(path, min_partitions)
    ]


def flat(parts: list[list]) -> list:
    return [x for p in parts for x in p]


@pytest.fixture
def memdir():
    """A fresh directory on fsspec's in-memory file system."""
    root = f"memory://sparklet-test-{uuid.uuid4().hex}"
    yield root
    fs = fsspec.filesystem("memory")
    path = root[len("memory://") :]
    if fs.exists(path):
        fs.rm(path, recursive=True)


@pytest.fixture
def small_chunks(monkeypatch):
    """Tiny read sizes, so block boundaries fall everywhere inside lines and terminators."""
    monkeypatch.setattr(sio, "_READ_CHUNK", 7)
    monkeypatch.setattr(sio, "_TAIL_CHUNK", 3)


# Content made of pieces that stress the reader: all three terminators, a BOM, multi-byte
# UTF-8, invalid UTF-8 and long runs.
PIECES = [
    b"a", b"bc", b"\n", b"\r", b"\r\n", b"\n\r", b"\xc3\xa9", b"\xe2\x82\xac", b"\xff",
    b"\xef\xbb\xbf", b" ", b"x" * 40,
]  # fmt: skip
contents = st.lists(st.sampled_from(PIECES), max_size=60).map(b"".join)


# --------------------------------------------------------------------------------------------
# line reading: split reads == splitlines(), for any split layout
# --------------------------------------------------------------------------------------------


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=contents, min_partitions=st.integers(1, 80), use_unicode=st.booleans())
def test_hadoop_splits_read_every_line_once(tmp_path, data, min_partitions, use_unicode):
    path = write(tmp_path / "f.txt", data)
    parts = read_all(path, min_partitions, use_unicode)
    assert flat(parts) == model_lines(data, use_unicode)
    if data:
        assert sum(s.length for s in sio.text_file_splits(path, min_partitions)) == len(data)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=contents, cuts=st.lists(st.integers(0, 2500), max_size=12), use_unicode=st.booleans())
def test_arbitrary_split_points_with_tiny_buffers(tmp_path, small_chunks, data, cuts, use_unicode):
    """Any partition of the byte range into splits reads each line exactly once."""
    path = write(tmp_path / "f.txt", data)
    points = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    splits = [
        sio.FileSplit(path, a, b - a, len(data), None)
        for a, b in zip(points, points[1:], strict=False)
    ] or [sio.FileSplit(path, 0, 0, 0, None)]
    got = [x for s in splits for x in sio.read_text_split(s, use_unicode)]
    assert got == model_lines(data, use_unicode)


@settings(max_examples=100, deadline=None)
@given(data=contents, min_partitions=st.integers(1, 20))
def test_memory_filesystem_splits(data, min_partitions):
    path = f"memory://hyp-{uuid.uuid4().hex}/f.txt"
    with fsspec.open(path, "wb") as f:
        f.write(data)
    try:
        assert flat(read_all(path, min_partitions)) == model_lines(data)
    finally:
        fsspec.filesystem("memory").rm(path)


def test_split_ownership_at_boundaries(tmp_path):
    # "ab\ncd\nef": a split ending right after a terminator also reads the line starting there.
    path = write(tmp_path / "f.txt", b"ab\ncd\nef")
    first = sio.FileSplit(path, 0, 3, 8, None)
    second = sio.FileSplit(path, 3, 5, 8, None)
    assert list(sio.read_text_split(first)) == ["ab", "cd"]
    assert list(sio.read_text_split(second)) == ["ef"]
    # "\r" right before the split end, "\n" right after it: one terminator, not an empty line.
    path = write(tmp_path / "g.txt", b"ab\r\ncd\r\n")
    assert list(sio.read_text_split(sio.FileSplit(path, 0, 3, 8, None))) == ["ab"]
    assert list(sio.read_text_split(sio.FileSplit(path, 3, 5, 8, None))) == ["cd"]
    # a bare "\r" right before the end: the next line starts at the end and is ours.
    path = write(tmp_path / "h.txt", b"ab\rcd\ref")
    assert list(sio.read_text_split(sio.FileSplit(path, 0, 3, 8, None))) == ["ab", "cd"]
    assert list(sio.read_text_split(sio.FileSplit(path, 3, 5, 8, None))) == ["ef"]


def test_long_lines_cross_many_read_blocks(tmp_path, small_chunks):
    data = b"".join(b"%d" % i * (i % 13) + b"\r\n" for i in range(300))
    path = write(tmp_path / "f.txt", data)
    for m in (1, 2, 7, 50):
        assert flat(read_all(path, m)) == model_lines(data)


# --------------------------------------------------------------------------------------------
# textFile: figures observed on PySpark 3.5.3 (local[2])
# --------------------------------------------------------------------------------------------

SMALL = "".join(f"line {i} {'x' * (i % 7)}\n" for i in range(100)).encode()  # 1185 bytes

# Observed on PySpark 3.5.3: sc.textFile(small, m).glom().map(len).collect()
PYSPARK_SMALL_FILE = {
    1: [100],
    2: [51, 49],
    3: [35, 33, 32],
    4: [26, 25, 25, 24],
    5: [21, 20, 20, 20, 19],
    7: [16, 14, 14, 14, 14, 14, 14],
    10: [12, 9, 10, 10, 10, 10, 9, 11, 9, 10],
}


@pytest.mark.parametrize("m", sorted(PYSPARK_SMALL_FILE))
def test_textfile_small_file_matches_pyspark(tmp_path, m):
    path = write(tmp_path / "small.txt", SMALL)
    assert [len(p) for p in read_all(path, m)] == PYSPARK_SMALL_FILE[m]


def test_textfile_many_partitions_matches_pyspark(tmp_path):
    path = write(tmp_path / "small.txt", SMALL)
    # Observed on PySpark 3.5.3: minPartitions 50 -> 52 partitions, 200 -> 237 partitions.
    parts50 = read_all(path, 50)
    assert len(parts50) == 52
    assert [len(p) for p in parts50][:14] == [3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1]
    parts200 = read_all(path, 200)
    assert len(parts200) == 237
    assert [len(p) for p in parts200][:12] == [1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0]
    assert flat(parts200) == model_lines(SMALL)


def test_textfile_empty_file_gives_no_partition(tmp_path):
    # Observed on PySpark 3.5.3: sc.textFile(empty).getNumPartitions() == 0 (also with m=5).
    path = write(tmp_path / "empty.txt", b"")
    assert sio.text_file_splits(path, 2) == []
    assert sio.text_file_splits(path, 5) == []


def test_textfile_directory_of_several_files_matches_pyspark(tmp_path):
    sizes = [10, 1000, 5, 0, 333]
    for i, s in enumerate(sizes):
        write(tmp_path / "multi" / f"f{i}.txt", (b"abcdefghi\n" * (s // 10 + 1))[:s])
    write(tmp_path / "multi" / "_hidden", b"hidden\n")
    write(tmp_path / "multi" / ".dot", b"dot\n")
    # Observed on PySpark 3.5.3: (minPartitions -> lines per partition).  PySpark lists the
    # directory in file-system order and we sort by name, so compare as multisets.
    observed = {
        1: [34, 100, 1, 1],
        2: [34, 68, 32, 1, 1],
        3: [34, 45, 45, 10, 1, 1],
        4: [34, 34, 34, 32, 1, 1],
        6: [23, 11, 23, 22, 23, 22, 10, 1, 1],
        10: [14, 13, 7, 14, 13, 14, 13, 14, 13, 13, 6, 1, 1],
    }
    for m, lens in observed.items():
        parts = read_all(str(tmp_path / "multi"), m)
        assert sorted(len(p) for p in parts) == sorted(lens), m
    assert "hidden" not in flat(read_all(str(tmp_path / "multi"), 1))


def test_textfile_compressed_matches_pyspark(tmp_path):
    gz = write(tmp_path / "g.txt.gz", gzip.compress(SMALL))
    b2 = write(tmp_path / "b.txt.bz2", bz2.compress(SMALL))
    # Observed on PySpark 3.5.3: gzip is never split (1 partition for m = 1, 2, 5); bzip2 is
    # split like plain text but a one-block file is read wholly by the first split:
    # m=1 -> [100], m=2 -> [100, 0], m=5 -> [100, 0, 0, 0, 0].
    for m in (1, 2, 5):
        assert [len(p) for p in read_all(gz, m)] == [100]
        assert [len(p) for p in read_all(b2, m)] == [100] + [0] * (m - 1)
    xz = write(tmp_path / "x.txt.xz", lzma.compress(SMALL))
    df = write(tmp_path / "d.txt.deflate", zlib.compress(SMALL))
    assert flat(read_all(xz, 3)) == flat(read_all(df, 3)) == model_lines(SMALL)


def test_textfile_gzip_in_memory_fs(memdir):
    with fsspec.open(f"{memdir}/a.gz", "wb") as f:
        f.write(gzip.compress(b"\xef\xbb\xbfone\r\ntwo"))
    assert flat(read_all(f"{memdir}/a.gz", 2)) == ["one", "two"]


def test_textfile_line_endings_bom_and_bad_utf8_match_pyspark(tmp_path):
    # Observed on PySpark 3.5.3 (textFile(...).collect(), with and without use_unicode):
    le = write(tmp_path / "le.txt", b"a\r\nb\rc\n\nd\r\re\xef\xbb\xbff")
    assert flat(read_all(le, 2)) == ["a", "b", "c", "", "d", "", "e\ufefff"]
    assert flat(read_all(le, 2, False)) == [b"a", b"b", b"c", b"", b"d", b"", b"e\xef\xbb\xbff"]
    bom = write(tmp_path / "bom.txt", b"\xef\xbb\xbfhello\nworld\n")
    assert flat(read_all(bom, 2)) == ["hello", "world"]
    bad = write(tmp_path / "bad.txt", b"ok\n\xff\xfe bad \xc3\n\xe2\x82\n")
    assert flat(read_all(bad, 2)) == ["ok", "\ufffd\ufffd bad \ufffd", "\ufffd"]
    assert flat(read_all(bad, 2, False)) == [
        b"ok",
        b"\xef\xbf\xbd\xef\xbf\xbd bad \xef\xbf\xbd",
        b"\xef\xbf\xbd",
    ]
    trail = write(tmp_path / "t.txt", b"a\n\n")
    assert flat(read_all(trail, 2)) == ["a", ""]
    # Observed on PySpark 3.5.3 (textFile(p, 1).collect()): tiny files around the BOM rule.
    observed = {
        b"\xef\xbb\xbf": [],
        b"\xef\xbb\xbf\r\n": [""],
        b"\r\n": [""],
        b"\r": [""],
        b"\xef\xbb\xbfx\xef\xbb\xbfy\n\xef\xbb\xbfz": ["x\ufeffy", "\ufeffz"],
    }
    for i, (data, lines) in enumerate(observed.items()):
        plain = write(tmp_path / f"e{i}.txt", data)
        packed = write(tmp_path / f"e{i}.txt.gz", gzip.compress(data))
        assert flat(read_all(plain, 1)) == lines, data
        assert flat(read_all(packed, 1)) == lines, data
        assert flat(read_all(plain, 1, False)) == [x.encode() for x in lines], data


def test_textfile_large_file_block_size_matches_pyspark(tmp_path):
    # 70,000,000 bytes of 100-byte lines.  Observed on PySpark 3.5.3: partitions for
    # minPartitions 1, 2, 3, 5 = 2, 2, 3, 5 (32 MiB local block size caps a split), and the
    # default (2) partitions hold [335545, 364455] lines.
    line = b"0123456789" * 9 + b"abcdefghi\n"
    path = write(tmp_path / "big.txt", line * 700_000)
    for m, n in {1: 2, 2: 2, 3: 3, 5: 5}.items():
        assert len(sio.text_file_splits(path, m)) == n
    splits = sio.text_file_splits(path, 2)
    assert [s.length for s in splits] == [33554432, 70_000_000 - 33554432]
    assert [sum(1 for _ in sio.read_text_split(s)) for s in splits] == [335545, 364455]


# --------------------------------------------------------------------------------------------
# listing: directories, hidden files, globs, braces, comma lists, errors
# --------------------------------------------------------------------------------------------


def test_listing_directories_globs_and_lists(tmp_path):
    g = tmp_path / "gl"
    write(g / "x1" / "a.txt", b"x1a\n")
    write(g / "x2" / "b.txt", b"x2b\n")
    write(g / "x3.txt", b"x3\n")
    write(g / "_x4.txt", b"x4\n")
    write(g / "x5.txt", b"x5\n")

    def lines(p: str) -> list[str]:
        return sorted(flat(read_all(p, 1)))

    # Observed on PySpark 3.5.3 (sorted textFile(...).collect()):
    assert lines(f"{g}/x*") == ["x1a", "x2b", "x3", "x5"]  # matched dirs expand one level
    assert lines(f"{g}/*/*.txt") == ["x1a", "x2b"]
    assert lines(f"{g}/x[^1]") == ["x2b"]
    assert lines(f"{g}/x[!1]") == ["x2b"]
    assert lines(f"{g}/x{{3,5}}.txt") == ["x3", "x5"]
    assert lines(f"{g}/x?.txt") == ["x3", "x5"]
    assert lines(f"{g}/{{x1,x2}}/*") == ["x1a", "x2b"]
    assert lines(f"{g}/x5.txt,{g}/x3.txt") == ["x3", "x5"]
    # comma lists keep their order and their duplicates; each glob is sorted by name
    files = sio.list_input_files(f"{g}/x5.txt,{g}/x{{3,5}}.txt,file://{g}/x3.txt")
    assert [os.path.basename(p) for p, _ in files] == ["x5.txt", "x3.txt", "x5.txt", "x3.txt"]
    assert all(size == 3 for _, size in files)
    # a hidden file or directory named directly does not exist for Hadoop; its children do
    write(tmp_path / "_hd" / "a.txt", b"a\n")
    with pytest.raises(sio.InvalidInputError, match="Input path does not exist: file:"):
        sio.list_input_files(str(tmp_path / "_hd"))
    assert lines(str(tmp_path / "_hd" / "a.txt")) == ["a"]
    # relative paths and file: URLs in either form
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        assert sio.list_input_files("gl/x3.txt") == [(str(g / "x3.txt"), 3)]
    finally:
        os.chdir(cwd)
    assert sio.list_input_files(f"file:{g}/x3.txt") == [(str(g / "x3.txt"), 3)]


def test_missing_inputs_raise_hadoop_like_errors(tmp_path):
    # Observed on PySpark 3.5.3: "Input path does not exist: file:/.../nope.txt",
    # "Input Pattern file:/.../nope*.txt matches 0 files", both lines when both are listed,
    # and "matches 0 files" also for a pattern under a missing directory.
    with pytest.raises(sio.InvalidInputError) as e:
        sio.text_file_splits(str(tmp_path / "nope.txt"), 2)
    assert str(e.value) == f"Input path does not exist: file:{tmp_path}/nope.txt"
    assert isinstance(e.value, FileNotFoundError)
    with pytest.raises(sio.InvalidInputError, match=r"Input Pattern file:.*/nope\*\.txt matches 0"):
        sio.list_input_files(str(tmp_path / "nope*.txt"))
    with pytest.raises(sio.InvalidInputError, match="matches 0 files"):
        sio.list_input_files(str(tmp_path / "nodir" / "*.txt"))
    with pytest.raises(sio.InvalidInputError) as e:
        sio.list_input_files(f"{tmp_path}/m1,{tmp_path}/m2*")
    assert str(e.value).splitlines() == [
        f"Input path does not exist: file:{tmp_path}/m1",
        f"Input Pattern file:{tmp_path}/m2* matches 0 files",
    ]
    with pytest.raises(ValueError):
        sio.list_input_files("")


def test_subdirectories(tmp_path):
    write(tmp_path / "ws" / "a.txt", b"a\n")
    write(tmp_path / "ws" / "sub" / "b.txt", b"b\n")
    # Observed on PySpark 3.5.3: textFile fails ("... is a directory, which is not supported
    # ..."); wholeTextFiles and binaryFiles silently skip the subdirectory.
    with pytest.raises(IsADirectoryError, match="sub is a directory"):
        sio.text_file_splits(str(tmp_path / "ws"), 2)
    parts = sio.whole_file_partitions(str(tmp_path / "ws"), 2)
    assert [[os.path.basename(p) for p, _ in part] for part in parts] == [["a.txt"]]


def test_memory_fs_listing(memdir):
    fs = fsspec.filesystem("memory")
    for name in ("b.txt", "a.txt", "_SUCCESS", ".a.crc"):
        fs.pipe(f"{memdir}/d/{name}", b"1\n2\n")
    files = sio.list_input_files(f"{memdir}/d")
    assert [p.rsplit("/", 1)[-1] for p, _ in files] == ["a.txt", "b.txt"]
    assert all(p.startswith("memory://") for p, _ in files)
    assert [p.rsplit("/", 1)[-1] for p, _ in sio.list_input_files(f"{memdir}/d/*.txt")] == [
        "a.txt",
        "b.txt",
    ]
    assert flat(read_all(f"{memdir}/d", 3)) == ["1", "2", "1", "2"]
    with pytest.raises(sio.InvalidInputError, match="does not exist"):
        sio.list_input_files(f"{memdir}/missing")


# --------------------------------------------------------------------------------------------
# wholeTextFiles / binaryFiles
# --------------------------------------------------------------------------------------------

# Observed on PySpark 3.5.3: sc.wholeTextFiles(dir, m).getNumPartitions() for n files of 101
# bytes each (None = the default minPartitions, 2).
PYSPARK_WHOLE_EQUAL = {
    (1, 1): 1, (1, 3): 1, (1, 8): 1,
    (2, 1): 1, (2, 2): 2, (2, 8): 2,
    (3, 1): 1, (3, 2): 2, (3, 4): 3, (3, 8): 3,
    (5, 1): 1, (5, 2): 2, (5, 3): 3, (5, 4): 3,
    (10, 1): 1, (10, 2): 2, (10, 3): 3, (10, 4): 4, (10, 8): 5,
    (17, 1): 1, (17, 2): 2, (17, 3): 3, (17, 4): 4,
}  # fmt: skip


def test_whole_text_files_partition_counts_match_pyspark(tmp_path):
    for (n, m), expected in PYSPARK_WHOLE_EQUAL.items():
        d = tmp_path / f"eq{n}"
        for i in range(n):
            write(d / f"f{i:02d}", b"x" * 100 + b"\n")
        parts = sio.whole_file_partitions(str(d), m)
        assert len(parts) == expected, (n, m)
        assert sorted(p for part in parts for p, _ in part) == sorted(str(x) for x in d.iterdir())
    # Observed on PySpark 3.5.3: 10 files, m=4 -> groups of 3, 3, 3, 1.
    assert [len(p) for p in sio.whole_file_partitions(str(tmp_path / "eq10"), 4)] == [3, 3, 3, 1]


def test_combine_files_matches_pyspark_groups():
    # Files f00..f07 of sizes [1, 1, 1, 10, 0, 0, 50, 3], in the order PySpark 3.5.3 listed them
    # (f02, f06, f01, f07, f04, f05, f03, f00); its wholeTextFiles groups were observed as:
    sizes = {"f00": 1, "f01": 1, "f02": 1, "f03": 10, "f04": 0, "f05": 0, "f06": 50, "f07": 3}
    order = ["f02", "f06", "f01", "f07", "f04", "f05", "f03", "f00"]
    files = [(n, sizes[n]) for n in order]
    total = sum(sizes.values())
    observed = {
        1: [["f02", "f06", "f01", "f07", "f03", "f00"], ["f04", "f05"]],
        2: [["f02", "f06"], ["f01", "f07", "f04", "f05", "f03", "f00"]],
        3: [["f02", "f06"], ["f01", "f07", "f04", "f05", "f03", "f00"]],
        5: [["f02", "f06"], ["f01", "f07", "f03"], ["f04", "f05", "f00"]],
    }
    for m, groups in observed.items():
        got = sio.combine_files(files, -(-total // m))
        assert [[n for n, _ in g] for g in got] == groups, m
    # all-empty directory: one partition with every file (observed for wholeTextFiles and
    # binaryFiles)
    assert sio.combine_files([("a", 0), ("b", 0)], 0) == [[("a", 0), ("b", 0)]]


def test_binary_files_partition_counts_match_pyspark(tmp_path):
    # Sparse files: only sizes matter.  Observed on PySpark 3.5.3 (local[2]):
    # 4 x 10 MB: default -> 2, m=4 -> 2, m=8 -> 4; 6 x 3 MB: default -> 1, m=6 -> 2;
    # small files (any count, any m tried) -> 1.  wholeTextFiles of 4 x 10 MB: m=2 and m=3 -> 2.
    def sparse(d: Path, n: int, size: int) -> str:
        d.mkdir()
        for i in range(n):
            with open(d / f"f{i}", "wb") as f:
                f.truncate(size)
        return str(d)

    d4 = sparse(tmp_path / "bf", 4, 10_000_000)
    assert [len(sio.binary_file_partitions(d4, m, 2)) for m in (2, 4, 8)] == [2, 2, 4]
    assert [len(sio.whole_file_partitions(d4, m)) for m in (2, 3)] == [2, 2]
    d6 = sparse(tmp_path / "bf2", 6, 3_000_000)
    assert [len(sio.binary_file_partitions(d6, m, 2)) for m in (2, 6)] == [1, 2]
    d17 = sparse(tmp_path / "small", 17, 101)
    assert [len(sio.binary_file_partitions(d17, m, 2)) for m in (2, 4)] == [1, 1]


def test_whole_text_and_binary_contents_match_pyspark(tmp_path):
    a = write(tmp_path / "kv" / "a.txt", b"hello\r\nworld\n\xef\xbb\xbf")
    gz_raw = gzip.compress(b"gz content\n")
    b = write(tmp_path / "kv" / "b.txt.gz", gz_raw)
    write(tmp_path / "kv" / "_skip", b"s")
    files = sio.list_input_files(str(tmp_path / "kv"), skip_directories=True)
    # Observed on PySpark 3.5.3: keys are file:/abs/path, content verbatim (no BOM stripping,
    # \r\n kept), gzip decompressed; with use_unicode=False keys are bytes too.
    assert list(sio.read_whole_text(files)) == [
        (f"file:{a}", "hello\r\nworld\n\ufeff"),
        (f"file:{b}", "gz content\n"),
    ]
    assert list(sio.read_whole_text(files, use_unicode=False)) == [
        (f"file:{a}".encode(), b"hello\r\nworld\n\xef\xbb\xbf"),
        (f"file:{b}".encode(), b"gz content\n"),
    ]
    bad = write(tmp_path / "bad" / "w", b"a\xffb")  # observed: 'a\ufffdb', b'a\xef\xbf\xbdb'
    assert list(sio.read_whole_text([bad])) == [(f"file:{bad}", "a\ufffdb")]
    assert list(sio.read_whole_text([bad], False)) == [(f"file:{bad}".encode(), b"a\xef\xbf\xbdb")]
    # binaryFiles does not decompress
    assert list(sio.read_binary_files(files)) == [
        (f"file:{a}", b"hello\r\nworld\n\xef\xbb\xbf"),
        (f"file:{b}", gz_raw),
    ]


def test_whole_text_in_memory_fs(memdir):
    fs = fsspec.filesystem("memory")
    fs.pipe(f"{memdir}/w/a", "é\n".encode())
    fs.pipe(f"{memdir}/w/b", b"\xff")
    parts = sio.whole_file_partitions(f"{memdir}/w", 2)
    got = [kv for part in parts for kv in sio.read_whole_text(part)]
    assert [(k.rsplit("/", 1)[-1], v) for k, v in got] == [("a", "é\n"), ("b", "\ufffd")]
    assert got[0][0].startswith("memory://")


# --------------------------------------------------------------------------------------------
# binaryRecords
# --------------------------------------------------------------------------------------------


def test_binary_records_match_pyspark(tmp_path):
    # Observed on PySpark 3.5.3: 40 bytes, records of 8 -> 1 partition of 5 records; 42 bytes ->
    # the job fails (EOFException); a 70,000,000-byte file -> 2 partitions of
    # [335544, 364456] records of 100 bytes, or [4793490, 5206510] records of 7 bytes.
    rec = write(tmp_path / "rec.bin", bytes(range(40)))
    splits = sio.binary_record_splits(rec, 8)
    assert len(splits) == 1
    assert list(sio.read_binary_records(splits[0], 8)) == [
        bytes(range(i, i + 8)) for i in range(0, 40, 8)
    ]
    assert list(sio.read_binary_records(rec, 8)) == [
        bytes(range(i, i + 8)) for i in range(0, 40, 8)
    ]
    assert list(sio.read_binary_records(sio.list_input_files(rec)[0], 8))[-1] == bytes(
        range(32, 40)
    )
    rec2 = write(tmp_path / "rec2.bin", bytes(range(42)))
    with pytest.raises(EOFError, match="2 trailing bytes"):
        list(sio.read_binary_records(sio.binary_record_splits(rec2, 8)[0], 8))
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(70_000_000)
    assert [s.length // 100 for s in sio.binary_record_splits(str(big), 100)] == [335544, 364456]
    splits7 = sio.binary_record_splits(str(big), 7)
    assert [-(-s.length // 7) for s in splits7] == [4793490, 5206510]
    # reading one split yields exactly its records
    small = write(tmp_path / "s.bin", bytes(range(256)) * 3)
    splits = sio.binary_record_splits(small, 16, block_size=100)
    got = [r for s in splits for r in sio.read_binary_records(s, 16)]
    assert got == [(bytes(range(256)) * 3)[i : i + 16] for i in range(0, 768, 16)]


# --------------------------------------------------------------------------------------------
# output: saveAsTextFile layout, compression, atomicity
# --------------------------------------------------------------------------------------------


def save_text(dir_path: str, partitions: list[list], codec: str | None = None) -> None:
    sio.prepare_output_dir(dir_path)
    for i, items in enumerate(partitions):
        sio.write_text_partition(dir_path, i, items, codec)
    sio.commit_output_dir(dir_path)


def test_save_text_layout_matches_pyspark(tmp_path):
    out = str(tmp_path / "out1")
    # PySpark 3.5.3: sc.parallelize([1, 'a', b'raw', None, (1, 2), 'x\ny'], 3).saveAsTextFile
    # gave part-00000..00002 (+ _SUCCESS and .crc files, which we do not write) containing:
    save_text(out, [[1, "a"], [b"raw", None], [(1, 2), "x\ny"]])
    assert sorted(os.listdir(out)) == ["_SUCCESS", "part-00000", "part-00001", "part-00002"]
    assert (tmp_path / "out1" / "part-00000").read_bytes() == b"1\na\n"
    assert (tmp_path / "out1" / "part-00001").read_bytes() == b"raw\nNone\n"
    assert (tmp_path / "out1" / "part-00002").read_bytes() == b"(1, 2)\nx\ny\n"
    assert (tmp_path / "out1" / "_SUCCESS").read_bytes() == b""
    # read back in part order (PySpark reads in file-system order; we sort)
    assert flat(read_all(out, 2)) == ["1", "a", "raw", "None", "(1, 2)", "x", "y"]
    # Observed: saving again fails with FileAlreadyExistsException
    with pytest.raises(sio.FileAlreadyExistsError, match=f"Output directory file:{out} already"):
        sio.prepare_output_dir(out)


def test_save_text_empty_partitions_and_codecs(tmp_path):
    # Observed on PySpark 3.5.3: 3 empty partitions -> 3 empty part files; GzipCodec ->
    # part-00000.gz, part-00001.gz; BZip2Codec -> part-0000N.bz2; textFile of the empty output
    # has 0 partitions.
    save_text(str(tmp_path / "e"), [[], [], []])
    assert sorted(os.listdir(tmp_path / "e")) == [
        "_SUCCESS",
        "part-00000",
        "part-00001",
        "part-00002",
    ]
    assert all(os.path.getsize(tmp_path / "e" / f) == 0 for f in os.listdir(tmp_path / "e"))
    assert sio.text_file_splits(str(tmp_path / "e"), 2) == []
    save_text(str(tmp_path / "gz"), [[0, 1], [2, 3, 4]], "org.apache.hadoop.io.compress.GzipCodec")
    assert sorted(os.listdir(tmp_path / "gz")) == ["_SUCCESS", "part-00000.gz", "part-00001.gz"]
    assert gzip.decompress((tmp_path / "gz" / "part-00001.gz").read_bytes()) == b"2\n3\n4\n"
    save_text(str(tmp_path / "bz"), [[0, 1], [2]], "org.apache.hadoop.io.compress.BZip2Codec")
    assert sorted(os.listdir(tmp_path / "bz")) == ["_SUCCESS", "part-00000.bz2", "part-00001.bz2"]
    assert flat(read_all(str(tmp_path / "bz"), 2)) == ["0", "1", "2"]
    save_text(str(tmp_path / "df"), [["é"]], "org.apache.hadoop.io.compress.DefaultCodec")
    assert zlib.decompress((tmp_path / "df" / "part-00000.deflate").read_bytes()) == "é\n".encode()
    with pytest.raises(ValueError, match="unsupported compression codec"):
        sio.write_text_partition(str(tmp_path / "x"), 0, [1], "com.example.NopeCodec")


def test_failed_write_leaves_no_part_file_and_retry_wins(tmp_path):
    out = str(tmp_path / "o")
    sio.prepare_output_dir(out)

    def boom():
        yield "partial"
        raise RuntimeError("task died")

    with pytest.raises(RuntimeError):
        sio.write_text_partition(out, 0, boom())
    assert not (tmp_path / "o" / "part-00000").exists()
    sio.write_text_partition(out, 0, ["first attempt"])
    sio.write_text_partition(out, 0, ["retry"])  # a re-run task replaces its own output
    sio.commit_output_dir(out)
    assert sorted(os.listdir(out)) == ["_SUCCESS", "part-00000"]
    assert (tmp_path / "o" / "part-00000").read_bytes() == b"retry\n"


def test_save_and_read_text_in_memory_fs(memdir):
    out = f"{memdir}/out"
    save_text(out, [["a", "b"], [], ["c"]], "gzip")
    fs = fsspec.filesystem("memory")
    names = sorted(p.rsplit("/", 1)[-1] for p in fs.ls(out[len("memory://") :], detail=False))
    assert names == ["_SUCCESS", "part-00000.gz", "part-00001.gz", "part-00002.gz"]
    assert flat(read_all(out, 2)) == ["a", "b", "c"]
    with pytest.raises(sio.FileAlreadyExistsError):
        sio.prepare_output_dir(out)


line_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n\ufeff")
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(st.lists(line_text, max_size=20), max_size=5), m=st.integers(1, 9))
def test_text_round_trip(tmp_path, parts, m):
    out = str(tmp_path / f"rt-{uuid.uuid4().hex}")
    save_text(out, parts)
    assert flat(read_all(out, m)) == [line for p in parts for line in p]


# --------------------------------------------------------------------------------------------
# pickle files
# --------------------------------------------------------------------------------------------


def save_pickle(dir_path: str, partitions: list[list], batch_size: int = 10) -> None:
    sio.prepare_output_dir(dir_path)
    for i, items in enumerate(partitions):
        sio.write_pickle_partition(dir_path, i, items, batch_size)
    sio.commit_output_dir(dir_path)


@pytest.mark.parametrize("batch_size", [0, 1, 3, 10, 1000])
def test_pickle_round_trip(tmp_path, batch_size):
    parts = [list(range(25)), [], [{"k": (1, 2.5, None)}, "s", b"b"] * 7, list(range(12))]
    out = str(tmp_path / "pk")
    save_pickle(out, parts, batch_size)
    assert sorted(os.listdir(out)) == ["_SUCCESS"] + [f"part-{i:05d}" for i in range(4)]
    assert list(sio.read_pickle_file(out)) == [x for p in parts for x in p]
    assert list(sio.read_pickle_file(f"{out}/part-00002")) == parts[2]


def test_pickle_closures_and_memory_fs(memdir):
    factor = 3
    items = [lambda x: x * factor, 4]
    save_pickle(f"{memdir}/pk", [items])
    fn, four = sio.read_pickle_file(f"{memdir}/pk")
    assert fn(2) == 6 and four == 4


def test_pickle_truncation_and_corruption_are_detected(tmp_path):
    out = str(tmp_path / "pk")
    save_pickle(out, [list(range(30))], batch_size=7)
    part = tmp_path / "pk" / "part-00000"
    data = part.read_bytes()
    for cut in range(len(data)):
        part.write_bytes(data[:cut])
        with pytest.raises(sio.CorruptFileError, match="truncated|pickle file"):
            list(sio.read_pickle_file(str(part)))
    flipped = bytearray(data)
    flipped[30] ^= 0xFF
    part.write_bytes(bytes(flipped))
    with pytest.raises(sio.CorruptFileError):
        list(sio.read_pickle_file(str(part)))
    part.write_bytes(data + b"junk")
    with pytest.raises(sio.CorruptFileError, match="after the trailer"):
        list(sio.read_pickle_file(str(part)))
    part.write_bytes(b"not a pickle file at all")
    with pytest.raises(sio.CorruptFileError, match="not a sparklet pickle file"):
        list(sio.read_pickle_file(str(part)))
    part.write_bytes(data)
    assert list(sio.read_pickle_file(out)) == list(range(30))


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def test_helpers(tmp_path, memdir):
    assert sio.infer_compression("a/b.txt.gz") == "gzip"
    assert sio.infer_compression("x.bz2") == "bz2"
    assert sio.infer_compression("x.zip") is None  # Hadoop reads .zip as raw bytes
    assert sio.infer_compression(".gz") is None  # hidden name, not an extension
    assert sio.hadoop_path(str(tmp_path / "a")) == f"file:{tmp_path}/a"
    assert sio.hadoop_path(f"file://{tmp_path}/a") == f"file:{tmp_path}/a"
    assert sio.part_file_name(7) == "part-00007"
    assert sio.part_file_name(123456, "org.apache.hadoop.io.compress.GzipCodec") == (
        "part-123456.gz"
    )
    with sio.open_file(f"{memdir}/h.txt.gz", "wb", compression="infer") as f:
        f.write(b"hi\n")
    with sio.open_file(f"{memdir}/h.txt.gz", "rb", compression="infer") as f:
        assert f.read() == b"hi\n"
    with sio.open_file(str(tmp_path / "t.txt"), "w") as f:
        f.write("text")
    with sio.open_file(str(tmp_path / "t.txt"), "r") as f:
        assert f.read() == "text"
    import pickle

    split = sio.text_file_splits(str(tmp_path / "t.txt"), 1)[0]
    assert pickle.loads(pickle.dumps(split)) == split
    assert split.end == 4
