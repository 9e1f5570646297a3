"""The write-ahead log file format on its own: what a crash can leave in a segment (a torn
tail, zeros, a flipped bit) must never come back as data, and rolling/cleanup must delete
exactly the segments nothing needs any more. A manual clock drives rolling."""

from __future__ import annotations

import logging
import os

import pytest

from sparklet.streaming.recovery import wal as wal_module
from sparklet.streaming.recovery.wal import WALCorruptionError, WALRef, WriteAheadLog, segment_names


class Clock:
    def __init__(self, now: float = 1_000_000):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def wal(tmp_path, clock):
    log = WriteAheadLog(str(tmp_path / "receivedData" / "0"), rolling_interval_ms=100,
                        clock=clock, run_id="aaaa")
    yield log
    log.close()


def _segment_path(wal: WriteAheadLog, ref: WALRef) -> str:
    return os.path.join(wal.directory, ref.segment)


def test_write_then_read_by_reference_and_by_scan(wal):
    refs = [wal.write_block(f"b{i}", i, bytes([i]) * (10 * i)) for i in range(5)]
    assert [wal.read(r) for r in refs] == [("block", f"b{i}", i, bytes([i]) * (10 * i))
                                           for i in range(5)]
    # One segment (the clock did not move); records follow each other, numbered from 0.
    assert len({r.segment for r in refs}) == 1
    assert [r.offset for r in refs[1:]] == [r.offset + r.length for r in refs[:-1]]
    scanned = list(wal.scan(refs[0].segment))
    assert [ref for ref, _, _ in scanned] == refs
    assert [seq for _, seq, _ in scanned] == [0, 1, 2, 3, 4]
    assert wal.next_seq == 5


def test_a_record_is_fsynced_before_write_returns(wal, monkeypatch):
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(fd):
        real_fsync(fd)
        synced.append(fd)

    monkeypatch.setattr(wal_module.os, "fsync", fsync)
    wal.write_block("b0", 1, b"x")  # first write: the new segment and its directory entry
    first = len(synced)
    assert first >= 2
    wal.write_block("b1", 1, b"y")
    assert len(synced) == first + 1


def test_segments_roll_by_the_clock(wal, clock):
    a = wal.write_block("a", 1, b"a")
    clock.now += 99
    b = wal.write_block("b", 1, b"b")
    clock.now += 1  # the rolling interval (100 ms) has passed since the segment started
    c = wal.write_block("c", 1, b"c")
    clock.now += 1000
    d = wal.write_allocation(5000, [a, b])
    assert a.segment == b.segment != c.segment != d.segment
    assert segment_names(wal.directory) == [a.segment, c.segment, d.segment]
    assert a.segment.startswith("log-1000000-1000100-aaaa-")
    # Sequence numbers run on across segments; every record is readable where it is.
    assert [s for seg in segment_names(wal.directory) for _, s, _ in wal.scan(seg)] == \
        [0, 1, 2, 3]
    assert wal.read(d) == ("alloc", 5000, [tuple(a), tuple(b)])


def test_cleanup_deletes_only_closed_segments_with_nothing_live(wal, clock, tmp_path):
    a = wal.write_block("a", 1, b"a")           # segment 1
    clock.now += 100
    b = wal.write_block("b", 1, b"b")           # segment 2
    wal.write_allocation(3000, [b])
    clock.now += 100
    c = wal.write_block("c", 1, b"c")           # segment 3: being written
    # A leftover of another run that nobody adopted, and a stray non-segment file.
    stray = os.path.join(wal.directory, "log-1-101-bbbb-1")
    open(stray, "wb").close()
    open(os.path.join(wal.directory, "README"), "w").close()

    assert wal.clean(10_000) == ["log-1-101-bbbb-1"]  # a, b, c are live
    wal.release(a)
    wal.release(b)
    wal.release(c)
    # Segment 2 allocates batch 3000: kept until cleanup passes that batch.
    assert wal.clean(3000) == [a.segment]
    assert wal.clean(3001) == [b.segment]
    # The active segment stays even with nothing live (it is still being appended to).
    assert wal.clean(10_000) == []
    assert sorted(os.listdir(wal.directory)) == sorted(["README", c.segment])


def test_adopted_blocks_of_an_older_run_keep_their_segment(tmp_path, clock):
    directory = str(tmp_path / "log")
    old = WriteAheadLog(directory, 100, clock=clock, run_id="0001")
    kept = old.write_block("kept", 1, b"k")
    old.write_block("done", 1, b"d")
    old.close()  # the old driver is gone
    clock.now += 1000
    new = WriteAheadLog(directory, 100, clock=clock, run_id="0002")
    new.adopt(kept)
    fresh = new.write_block("new", 1, b"n")
    assert new.clean(10_000) == []
    new.release(kept)
    assert new.clean(10_000) == [kept.segment]
    assert segment_names(directory) == [fresh.segment]
    new.close()


@pytest.mark.parametrize("cut", [1, 8, 15, 16, 17, 30])
def test_a_torn_tail_is_ignored_and_never_returned(wal, cut):
    refs = [wal.write_block(f"b{i}", 1, b"payload-%d" % i * 4) for i in range(3)]
    path = _segment_path(wal, refs[0])
    # A crash in the middle of writing the last record: only its first `cut` bytes landed.
    with open(path, "r+b") as fh:
        fh.truncate(refs[2].offset + min(cut, refs[2].length - 1))
    scanned = list(wal.scan(refs[0].segment))
    assert [body[1] for _, _, body in scanned] == ["b0", "b1"]
    with pytest.raises(WALCorruptionError, match="truncated or fails its checksum"):
        wal.read(refs[2])
    assert wal.read(refs[1])[1] == "b1"


def test_a_zero_filled_tail_is_not_a_record(wal):
    ref = wal.write_block("b0", 1, b"data")
    # Some file systems leave a crashed append as a run of zeros.
    with open(_segment_path(wal, ref), "ab") as fh:
        fh.write(b"\0" * 64)
    assert [body[1] for _, _, body in wal.scan(ref.segment)] == ["b0"]


def test_a_flipped_bit_fails_the_checksum(wal, caplog):
    refs = [wal.write_block(f"b{i}", 1, b"abcdefgh" * 8) for i in range(3)]
    path = _segment_path(wal, refs[1])
    with open(path, "r+b") as fh:
        fh.seek(refs[1].offset + refs[1].length - 5)  # inside the body
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0x01]))
    with pytest.raises(WALCorruptionError):
        wal.read(refs[1])
    # Its neighbours still read by reference; a scan skips the damage (to the next record
    # whose checksum holds) and says where it was.
    assert wal.read(refs[0])[1] == "b0" and wal.read(refs[2])[1] == "b2"
    with caplog.at_level(logging.WARNING, logger="sparklet.streaming.recovery.wal"):
        assert [body[1] for _, _, body in wal.scan(refs[0].segment)] == ["b0", "b2"]
    assert f"{refs[1].length} damaged bytes at offset {refs[1].offset}" in caplog.text
    damage: list = []
    assert [seq for _, seq, _ in wal.scan(refs[0].segment, damage)] == [0, 2]
    assert damage == [(path, refs[1].offset, refs[1].length, False)]


def test_a_reference_to_the_wrong_length_is_refused(wal):
    ref = wal.write_block("b0", 1, b"data")
    with pytest.raises(WALCorruptionError):
        wal.read(WALRef(ref.segment, ref.offset, ref.length + 1))


def test_a_missing_segment_is_reported_with_its_path(wal, clock):
    ref = wal.write_block("b0", 1, b"data")
    clock.now += 100
    wal.write_block("b1", 1, b"data")
    os.remove(_segment_path(wal, ref))
    with pytest.raises(WALCorruptionError, match=f"{ref.segment} is missing"):
        wal.read(ref)


def test_after_a_failed_write_the_log_goes_on_in_a_new_segment(wal, monkeypatch):
    first = wal.write_block("b0", 1, b"ok")
    real_write = os.write
    calls = {"n": 0}

    def half_then_fail(fd, data):
        calls["n"] += 1
        if calls["n"] == 1:
            real_write(fd, bytes(data[:5]))  # half a header made it to the file
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wal_module.os, "write", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        wal.write_block("b1", 1, b"lost")
    monkeypatch.setattr(wal_module.os, "write", real_write)
    after = wal.write_block("b2", 1, b"ok again")
    assert after.segment != first.segment
    assert [body[1] for s in segment_names(wal.directory) for _, _, body in wal.scan(s)] \
        == ["b0", "b2"]


def test_rolling_interval_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="positive"):
        WriteAheadLog(str(tmp_path), rolling_interval_ms=0)
