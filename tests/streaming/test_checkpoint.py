"""Metadata checkpoints in-process, on a manual clock: the file format and its corruption
checks, pruning, recovery of state and input positions through getOrCreate, application
upgrades (keys by name and by graph shape) and the errors for operators that do not match.

The crash tests (real processes, SIGKILL) are in test_recovery.py.
"""

from __future__ import annotations

import logging
import operator
import warnings

import fsspec
import pytest

from sparklet.streaming import StateSpec, StreamingContext
from sparklet.streaming.recovery.checkpoint import (
    CheckpointMismatchError,
    CorruptCheckpointError,
    latest_checkpoint,
    list_checkpoint_files,
    read_checkpoint_file,
    write_checkpoint_file,
)
from sparklet.streaming.testing import advance_batches, use_manual_clock

BATCHES = [["a", "b", "a"], ["b", "c"], ["a"], ["c", "c", "d"], ["a", "d"], ["e"], ["b"]]


def _model_totals(batches):
    totals: dict[str, int] = {}
    out = []
    for batch in batches:
        for w in batch:
            totals[w] = totals.get(w, 0) + 1
        out.append(dict(totals))
    return out


@pytest.fixture
def app(sc, tmp_path):
    """``app(version=1, state_interval=None, clock_ms=0)`` -> (setupFunc, seen): a
    word-count application over a deterministic queue, recording what its outputs saw."""
    made = []
    seen: dict[str, list] = {"totals": [], "mapped": [], "counts": [], "extra": []}

    def factory(version=1, state_interval=None, clock_ms=0, name_state=True,
                stateful=True):
        def setup():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                ssc = StreamingContext(sc, 1)
            use_manual_clock(ssc, clock_ms)
            words = ssc.queueStream([sc.parallelize(b, 2) for b in BATCHES])
            f = (lambda w: (w, 1)) if version == 1 else (lambda w: (w.upper().lower(), 1))
            pairs = words.map(f)
            pairs.reduceByKey(operator.add).foreachRDD(
                lambda t, rdd: seen["counts"].append(sorted(rdd.collect())))
            if stateful:
                totals = pairs.updateStateByKey(lambda new, old: sum(new) + (old or 0))
                if name_state:
                    totals.setName("totals")
                if state_interval:
                    totals.checkpoint(state_interval)
                totals.foreachRDD(lambda t, rdd: seen["totals"].append(dict(rdd.collect())))

                def running(key, value, state):
                    n = (state.getOption() or 0) + value
                    state.update(n)
                    return (key, n)

                mapped = pairs.mapWithState(StateSpec.function(running))
                if name_state:
                    mapped.setName("running")
                mapped.foreachRDD(lambda t, rdd: seen["mapped"].extend(rdd.collect()))
            if version == 2:  # a new output operation
                words.count().foreachRDD(lambda t, rdd: seen["extra"].extend(rdd.collect()))
            made.append(ssc)
            return ssc

        return setup, seen

    yield factory
    for ssc in made:
        ssc.stop(stopSparkContext=False)
    sc._checkpoint_dir = None


def _run(ssc, n):
    ssc.start()
    times = advance_batches(ssc, n)
    ssc.stop(stopSparkContext=False)
    return times


def _expected_mapped(batches):
    counts: dict[str, int] = {}
    out = []
    for batch in batches:
        for w in batch:
            counts[w] = counts.get(w, 0) + 1
            out.append((w, counts[w]))
    return sorted(out)


# -- the file format -----------------------------------------------------------------------


def test_checkpoint_file_detects_truncation_and_corruption(tmp_path):
    fs = fsspec.filesystem("file")
    path = str(tmp_path / "checkpoint-0000000002000-c")
    write_checkpoint_file(fs, path, {"format_version": 1, "checkpoint_time": 2000,
                                     "data": list(range(100))})
    assert read_checkpoint_file(fs, path)["data"] == list(range(100))
    raw = open(path, "rb").read()
    open(path, "wb").write(raw[:-7])
    with pytest.raises(CorruptCheckpointError, match="truncated"):
        read_checkpoint_file(fs, path)
    flipped = bytearray(raw)
    flipped[-3] ^= 0xFF
    open(path, "wb").write(bytes(flipped))
    with pytest.raises(CorruptCheckpointError, match="checksum mismatch"):
        read_checkpoint_file(fs, path)
    open(path, "wb").write(raw.replace(b'"format_version": 1', b'"format_version": 9'))
    with pytest.raises(CorruptCheckpointError, match="format version 9"):
        read_checkpoint_file(fs, path)
    assert not [p for p in fs.ls(str(tmp_path)) if ".tmp-" in p]  # renamed into place


def test_checkpoints_written_each_batch_and_pruned(app, tmp_path, sc):
    setup, _ = app()
    ck = str(tmp_path / "ck")
    sc._conf.set("spark.sparklet.streaming.recovery.checkpoint.retained", "3")
    try:
        ssc = StreamingContext.getOrCreate(ck, setup)
        _run(ssc, 4)
    finally:
        sc._conf.set("spark.sparklet.streaming.recovery.checkpoint.retained", "10")
    fs = fsspec.filesystem("file")
    files = list_checkpoint_files(fs, ck)
    assert [f.rsplit("/", 1)[-1] for f in files] == [
        "checkpoint-0000000004000-c", "checkpoint-0000000004000-g",
        "checkpoint-0000000003000-c"]
    payload, _ = latest_checkpoint(ck)
    assert payload["format_version"] == 1
    assert payload["checkpoint_time"] == 4000 and payload["pending_times"] == []
    assert payload["batch_duration_ms"] == 1000 and payload["zero_time"] == 0
    ops = payload["operators"]
    assert ops["QueueInputDStream#0"]["state"]["consumed"] == 4
    assert {"name:totals", "name:running.state"} <= set(ops)
    generated = read_checkpoint_file(fs, files[1])
    assert generated["pending_times"] == [4000]  # written when the batch was generated


# -- recovery ------------------------------------------------------------------------------


@pytest.mark.parametrize("state_interval", [None, 2])
def test_recovery_resumes_state_and_queue_position(app, tmp_path, state_interval):
    """Default interval: no state checkpoint yet, state is recomputed from the restored
    input positions; interval 2 s: state restarts from the checkpointed RDD."""
    ck = str(tmp_path / "ck")
    setup, seen = app(state_interval=state_interval)
    _run(StreamingContext.getOrCreate(ck, setup), 4)
    payload, _ = latest_checkpoint(ck)
    state_ref = payload["operators"]["name:totals"]["state"]
    assert (state_ref is None) == (state_interval is None)
    if state_interval:
        assert state_ref["time"] == 4000
    calls = []
    setup2, _ = app(state_interval=state_interval, clock_ms=4000)
    ssc = StreamingContext.getOrCreate(ck, lambda: calls.append(1) or setup2())
    assert calls == [1] and ssc._recovery is not None
    _run(ssc, 3)
    assert seen["totals"] == _model_totals(BATCHES)
    assert seen["counts"] == [sorted({w: b.count(w) for w in b}.items()) for b in BATCHES]
    assert sorted(seen["mapped"]) == _expected_mapped(BATCHES)


def test_recovery_reruns_pending_and_down_time_batches(app, tmp_path):
    ck = str(tmp_path / "ck")
    setup, seen = app()
    _run(StreamingContext.getOrCreate(ck, setup), 2)
    # Restart 3 s later: batches 3000 and 4000 fell in the down time and run first.
    setup2, _ = app(clock_ms=4000)
    ssc = StreamingContext.getOrCreate(ck, setup2)
    ssc.start()
    advance_batches(ssc, 0)
    from sparklet.streaming.testing import wait_for_batch

    wait_for_batch(ssc, 4000)
    advance_batches(ssc, 3)
    ssc.stop(stopSparkContext=False)
    assert seen["totals"] == _model_totals(BATCHES)


def test_corrupt_latest_checkpoint_falls_back_to_previous(app, tmp_path, caplog):
    ck = str(tmp_path / "ck")
    setup, seen = app()
    _run(StreamingContext.getOrCreate(ck, setup), 3)
    fs = fsspec.filesystem("file")
    newest, previous = list_checkpoint_files(fs, ck)[:2]
    raw = open(newest, "rb").read()
    open(newest, "wb").write(raw[: len(raw) // 2])  # a torn write
    del seen["totals"][-1]  # batch 3000 will run again, from the "generated" checkpoint
    with caplog.at_level(logging.WARNING, logger="sparklet.streaming"):
        ssc = StreamingContext.getOrCreate(ck, app(clock_ms=3000)[0])
    assert any(newest in r.getMessage() and "truncated" in r.getMessage()
               for r in caplog.records)
    assert ssc._recovery.path == previous
    assert ssc._recovery.pending_times == [3000]
    ssc.start()
    from sparklet.streaming.testing import wait_for_batch

    wait_for_batch(ssc, 3000)
    advance_batches(ssc, 4)
    ssc.stop(stopSparkContext=False)
    assert seen["totals"] == _model_totals(BATCHES)


def test_every_checkpoint_corrupt_is_an_error_not_a_fresh_start(app, tmp_path):
    ck = str(tmp_path / "ck")
    setup, _ = app()
    _run(StreamingContext.getOrCreate(ck, setup), 2)
    for f in list_checkpoint_files(fsspec.filesystem("file"), ck):
        open(f, "wb").write(b"SPARKLET-STREAMING-CHECKPOINT\nnot json\n")
    calls = []
    with pytest.raises(CorruptCheckpointError, match="No usable checkpoint"):
        StreamingContext.getOrCreate(ck, lambda: calls.append(1))
    assert calls == []


# -- upgrades ------------------------------------------------------------------------------


@pytest.mark.parametrize("name_state", [True, False])
def test_upgraded_application_resumes_state(app, tmp_path, name_state):
    """Version 2 changes the map function and adds an output; named and shape-keyed
    state both resume."""
    ck = str(tmp_path / "ck")
    setup, seen = app(name_state=name_state, state_interval=2)
    _run(StreamingContext.getOrCreate(ck, setup), 4)
    setup2, _ = app(version=2, clock_ms=4000, name_state=name_state, state_interval=2)
    _run(StreamingContext.getOrCreate(ck, setup2), 3)
    assert seen["totals"] == _model_totals(BATCHES)
    assert sorted(seen["mapped"]) == _expected_mapped(BATCHES)
    assert seen["extra"] == [len(b) for b in BATCHES[4:]]


def test_removed_stateful_operator_is_a_clear_error(app, tmp_path):
    ck = str(tmp_path / "ck")
    setup, _ = app()
    _run(StreamingContext.getOrCreate(ck, setup), 2)
    with pytest.raises(CheckpointMismatchError) as e:
        StreamingContext.getOrCreate(ck, app(stateful=False)[0])
    message = str(e.value)
    assert "saved state has no matching stateful operator" in message
    assert "name:totals (StateDStream)" in message
    assert "name:running.state (InternalMapWithStateDStream)" in message


def test_new_stateful_operator_without_state_is_a_clear_error(app, tmp_path):
    ck = str(tmp_path / "ck")
    setup, _ = app(stateful=False)
    _run(StreamingContext.getOrCreate(ck, setup), 2)
    with pytest.raises(CheckpointMismatchError,
                       match=r"stateful operators of the new application have no saved "
                             r"state: .*name:totals \(StateDStream of TransformedDStream-"):
        StreamingContext.getOrCreate(ck, app()[0])


# -- other inputs and stateful kinds -------------------------------------------------------


def _setup_factory(sc, build, clock_ms):
    def setup():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            ssc = StreamingContext(sc, 1)
        use_manual_clock(ssc, clock_ms)
        build(ssc)
        return ssc
    return setup


def test_reduce_by_key_and_window_with_inverse_resumes(sc, tmp_path):
    """The incremental window (previous window - left + entered) restarts from its data
    checkpoint and the restored input batches still inside the window."""
    ck = str(tmp_path / "ck")
    seen: list = []

    def build(ssc):
        words = ssc.queueStream([sc.parallelize(b, 2) for b in BATCHES])
        windowed = words.map(lambda w: (w, 1)).reduceByKeyAndWindow(
            operator.add, operator.sub, 5, 1, 2, lambda kv: kv[1] > 0)
        windowed.setName("window").checkpoint(2)
        windowed.foreachRDD(lambda t, rdd: seen.append(sorted(rdd.collect())))

    try:
        _run(StreamingContext.getOrCreate(ck, _setup_factory(sc, build, 0)), 4)
        assert latest_checkpoint(ck)[0]["operators"]["name:window"]["state"]["time"] == 4000
        _run(StreamingContext.getOrCreate(ck, _setup_factory(sc, build, 4000)), 3)
    finally:
        sc._checkpoint_dir = None
    want = []
    for i in range(len(BATCHES)):
        counts: dict[str, int] = {}
        for b in BATCHES[max(0, i - 4): i + 1]:
            for w in b:
                counts[w] = counts.get(w, 0) + 1
        want.append(sorted(counts.items()))
    assert seen == want


def test_file_stream_positions_and_down_time_files(sc, tmp_path):
    """Files read before the crash are not read again; files that appeared while the
    application was down are read by the rescheduled down-time batches."""
    import os
    import time

    from sparklet.streaming.testing import wait_for_batch

    ck, data = str(tmp_path / "ck"), tmp_path / "in"
    data.mkdir()
    t0 = int(time.time()) * 1000 - 60_000
    seen: list = []

    def put(name, words, mtime_ms):
        path = data / name
        path.write_text("\n".join(words) + "\n")
        os.utime(path, (mtime_ms / 1000, mtime_ms / 1000))

    def build(ssc):
        lines = ssc.textFileStream(str(data))
        totals = lines.map(lambda w: (w, 1)).updateStateByKey(
            lambda new, old: sum(new) + (old or 0)).setName("totals")
        totals.foreachRDD(lambda t, rdd: seen.append(dict(rdd.collect())))

    try:
        put("f1", BATCHES[0], t0 + 500)
        put("f2", BATCHES[1], t0 + 1500)
        _run(StreamingContext.getOrCreate(ck, _setup_factory(sc, build, t0)), 2)
        put("f3", BATCHES[2], t0 + 2500)  # while the application is down
        put("f4", BATCHES[3], t0 + 3500)
        ssc = StreamingContext.getOrCreate(ck, _setup_factory(sc, build, t0 + 4000))
        ssc.start()
        wait_for_batch(ssc, t0 + 4000)
        put("f5", BATCHES[4], t0 + 4500)
        advance_batches(ssc, 1)
        ssc.stop(stopSparkContext=False)
    finally:
        sc._checkpoint_dir = None
    assert seen == _model_totals(BATCHES[:5])
