"""textFileStream / fileStream / binaryRecordsStream against a real temporary directory.

The manual clock starts at a fixed epoch time and files get explicit modification times
(as Spark's own FileInputDStream tests do), so selection by modification time is exact.
"""

from __future__ import annotations

import os

from stream_helpers import timed_batches

from sparklet.streaming.testing import advance_batches

T0 = 1_700_000_000_000  # ms; a multiple of the 1 s batch, so batches are T0 + k * 1000


def write(path, text: str | bytes, mtime_ms: int, binary: bool = False) -> None:
    with open(path, "wb" if binary else "w") as f:
        f.write(text)
    os.utime(path, ns=(mtime_ms * 1_000_000, mtime_ms * 1_000_000))


def test_text_file_stream_reads_each_new_file_once(make_ssc, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    write(d / "old.txt", "old\n", T0 - 5000)  # there before the stream: ignored
    ssc = make_ssc(start_ms=T0)
    got = timed_batches(ssc.textFileStream(str(d)))
    ssc.start()
    write(d / "a.txt", "a1\na2\n", T0 + 500)
    advance_batches(ssc, 1)
    write(d / "b.txt", "b1\n", T0 + 1500)
    write(d / ".hidden", "h\n", T0 + 1500)         # names starting with '.' are skipped
    write(d / "later.txt", "l\n", T0 + 3500)       # modified after the batch time: not yet
    advance_batches(ssc, 1)
    advance_batches(ssc, 1)                        # nothing new: no file is read twice
    os.utime(d / "a.txt", ns=(T0 * 10**6, T0 * 10**6))  # an old time does not bring it back
    advance_batches(ssc, 1)
    assert got == [(T0 + 1000, ["a1", "a2"]), (T0 + 2000, ["b1"]), (T0 + 3000, []),
                   (T0 + 4000, ["l"])]
    info = ssc._scheduler.input_info_tracker  # file streams report their files, 0 records
    assert info is not None


def test_file_stream_filter_and_existing_files(make_ssc, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    write(d / "keep.log", "x\n", T0 - 5000)
    write(d / "skip.tmp", "y\n", T0 - 5000)
    ssc = make_ssc(start_ms=T0)
    got = timed_batches(ssc.fileStream(str(d), filter=lambda p: p.endswith(".log"),
                                       newFilesOnly=False))
    ssc.start()
    advance_batches(ssc, 2)
    assert got == [(T0 + 1000, ["x"]), (T0 + 2000, [])]


def test_binary_records_stream(make_ssc, tmp_path):
    d = tmp_path / "bin"
    d.mkdir()
    ssc = make_ssc(start_ms=T0)
    got = timed_batches(ssc.binaryRecordsStream(str(d), 3))
    ssc.start()
    write(d / "r.bin", b"abcdefghi", T0 + 100, binary=True)
    advance_batches(ssc, 1)
    assert got == [(T0 + 1000, [b"abc", b"def", b"ghi"])]


def test_file_stream_reports_files_to_listeners(make_ssc, tmp_path):
    from sparklet.streaming import StreamingListener

    infos = []

    class L(StreamingListener):
        def onBatchCompleted(self, e):
            infos.append(e.batchInfo())

    d = tmp_path / "in"
    d.mkdir()
    ssc = make_ssc(start_ms=T0)
    ssc.addStreamingListener(L())
    ssc.textFileStream(str(d)).pprint()
    ssc.start()
    write(d / "a.txt", "a\n", T0 + 100)
    advance_batches(ssc, 1)
    (sid, inp), = infos[0].streamIdToInputInfo().items()
    assert inp.numRecords() == 0 and infos[0].numRecords() == 0  # as Spark
    assert [os.path.basename(f) for f in inp.metadata()["files"]] == ["a.txt"]
