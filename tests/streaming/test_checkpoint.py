"""Metadata checkpoints in-process, on a manual clock: the file format and its corruption
checks, pruning, recovery through getOrCreate -- by default from the serialized graph,
without calling setupFunc (Spark's contract), over a text file stream -- and, with
``rebuildFromSetupFunc``, application upgrades (keys by name and by graph shape, a queue
stream rebuilt by setupFunc) and the errors for operators that do not match.

The crash tests (real processes, SIGKILL) are in test_recovery.py.
"""

from __future__ import annotations

import collections
import logging
import operator
import os
import time

import fsspec
import pytest

from sparklet.streaming import StateSpec, StreamingContext
from sparklet.streaming.recovery.checkpoint import (
    REBUILD_KEY,
    CheckpointError,
    CheckpointMismatchError,
    CorruptCheckpointError,
    NotSerializableError,
    conf_from_checkpoint,
    latest_checkpoint,
    list_checkpoint_files,
    read_checkpoint_file,
    write_checkpoint_file,
)
from sparklet.streaming.testing import advance_batches, use_manual_clock, wait_for_batch

BATCHES = [["a", "b", "a"], ["b", "c"], ["a"], ["c", "c", "d"], ["a", "d"], ["e"], ["b"]]


def _model_totals(batches):
    totals: dict[str, int] = {}
    out = []
    for batch in batches:
        for w in batch:
            totals[w] = totals.get(w, 0) + 1
        out.append(dict(totals))
    return out


def _rebuild(ck, setup):
    """getOrCreate on the upgrade path: setupFunc rebuilds the application on recovery."""
    return StreamingContext.getOrCreate(ck, setup, rebuildFromSetupFunc=True)


@pytest.fixture
def app(sc, tmp_path):
    """``app(version=1, state_interval=None, clock_ms=0)`` -> (setupFunc, seen): a
    word-count application over a deterministic queue, recording what its outputs saw
    (closures over ``seen``: only a rebuilt application, not a deserialized one, shares
    them -- these are the tests of the upgrade path)."""
    made = []
    seen: dict[str, list] = {"totals": [], "mapped": [], "counts": [], "extra": []}

    def factory(version=1, state_interval=None, clock_ms=0, name_state=True,
                stateful=True):
        def setup():
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


# -- recovery from the serialized graph (the default) ---------------------------------------

# What the deserialized graphs' outputs saw. A module-level function is pickled by reference
# (closures are copied with the graph), so the recovered functions still write here.
OUT: dict[str, list] = collections.defaultdict(list)


def _record(name, value):
    OUT[name].append(value)


class FileApp:
    """A word count over a text file stream: file ``f<i>`` holds ``BATCHES[i - 1]`` with a
    modification time just before batch ``i`` (the manual clock starts near real time,
    ``t0``), so every run picks the same files for the same batches."""

    def __init__(self, sc, root):
        self.sc, self.data, self.ck = sc, root / "in", str(root / "ck")
        self.data.mkdir()
        self.t0 = int(time.time()) * 1000 - 60_000
        self.setup_calls = 0
        OUT.clear()
        self.made: list[StreamingContext] = []
        for i, words in enumerate(BATCHES, 1):
            self.put(i, words)

    def put(self, i, words):
        path = self.data / f"f{i}"
        path.write_text("\n".join(words) + "\n")
        t = (self.t0 + i * 1000 - 500) / 1000
        os.utime(path, (t, t))

    def setup_func(self, state_interval=None, window=False):
        def setup():
            self.setup_calls += 1
            ssc = StreamingContext(self.sc, 1)
            use_manual_clock(ssc, self.t0)
            pairs = ssc.textFileStream(str(self.data)).map(lambda w: (w, 1))
            pairs.reduceByKey(operator.add).foreachRDD(
                lambda t, rdd: _record("counts", sorted(rdd.collect())))
            totals = pairs.updateStateByKey(lambda new, old: sum(new) + (old or 0))
            totals.setName("totals")
            if state_interval:
                totals.checkpoint(state_interval)
            totals.foreachRDD(lambda t, rdd: _record("totals", dict(rdd.collect())))

            def running(key, value, state):
                n = (state.getOption() or 0) + value
                state.update(n)
                return (key, n)

            pairs.mapWithState(StateSpec.function(running)).setName("running").foreachRDD(
                lambda t, rdd: [_record("mapped", r) for r in rdd.collect()])
            if window:
                windowed = pairs.reduceByKeyAndWindow(operator.add, operator.sub, 5, 1, 2,
                                                      lambda kv: kv[1] > 0)
                windowed.setName("window").checkpoint(2)
                windowed.foreachRDD(lambda t, rdd: _record("window", sorted(rdd.collect())))
            self.made.append(ssc)
            return ssc
        return setup

    def recover(self, clock_ms):
        """getOrCreate after a run: must not call setupFunc."""
        ssc = StreamingContext.getOrCreate(
            self.ck, lambda: pytest.fail("setupFunc was called on recovery"))
        assert ssc._recovery is not None
        use_manual_clock(ssc, self.t0 + clock_ms)
        self.made.append(ssc)
        return ssc


@pytest.fixture
def files(sc, tmp_path):
    made = []

    def factory():
        a = FileApp(sc, tmp_path)
        made.append(a)
        return a

    yield factory
    for a in made:
        for ssc in a.made:
            ssc.stop(stopSparkContext=False)
    sc._checkpoint_dir = None


@pytest.mark.parametrize("state_interval", [None, 2])
def test_recovery_restores_graph_without_calling_setup(files, state_interval):
    """Default interval: no state checkpoint yet, state is recomputed from the restored
    file positions; interval 2 s: state restarts from the checkpointed RDD."""
    a = files()
    setup = a.setup_func(state_interval)
    _run(StreamingContext.getOrCreate(a.ck, setup), 4)
    assert a.setup_calls == 1
    payload, _ = latest_checkpoint(a.ck)
    assert isinstance(payload["dstream_graph"], bytes)
    state_ref = payload["operators"]["name:totals"]["state"]
    assert (state_ref is None) == (state_interval is None)
    ssc = a.recover(4000)
    assert ssc.sparkContext is a.sc  # the active SparkContext
    assert ssc._graph.batch_duration == 1000 and len(ssc._graph.output_streams) == 3
    _run(ssc, 3)
    assert a.setup_calls == 1
    assert OUT["totals"] == _model_totals(BATCHES)
    assert OUT["counts"] == [sorted({w: b.count(w) for w in b}.items()) for b in BATCHES]
    assert sorted(OUT["mapped"]) == _expected_mapped(BATCHES)


def test_recovery_reruns_pending_and_down_time_batches(files):
    a = files()
    _run(StreamingContext.getOrCreate(a.ck, a.setup_func()), 2)
    # Restart 2 s later: batches 3 and 4 fell in the down time and run first.
    ssc = a.recover(4000)
    ssc.start()
    wait_for_batch(ssc, a.t0 + 4000)
    advance_batches(ssc, 3)
    ssc.stop(stopSparkContext=False)
    assert OUT["totals"] == _model_totals(BATCHES)


def test_reduce_by_key_and_window_with_inverse_resumes(files):
    """The incremental window (previous window - left + entered) restarts from its data
    checkpoint and the restored input batches still inside the window."""
    a = files()
    _run(StreamingContext.getOrCreate(a.ck, a.setup_func(window=True)), 4)
    assert latest_checkpoint(a.ck)[0]["operators"]["name:window"]["state"]["time"] == \
        a.t0 + 4000
    _run(a.recover(4000), 3)
    want = []
    for i in range(len(BATCHES)):
        counts: dict[str, int] = {}
        for b in BATCHES[max(0, i - 4): i + 1]:
            for w in b:
                counts[w] = counts.get(w, 0) + 1
        want.append(sorted(counts.items()))
    assert OUT["window"] == want


def test_corrupt_latest_checkpoint_falls_back_to_previous(files, caplog):
    a = files()
    _run(StreamingContext.getOrCreate(a.ck, a.setup_func()), 3)
    fs = fsspec.filesystem("file")
    newest, previous = list_checkpoint_files(fs, a.ck)[:2]
    raw = open(newest, "rb").read()
    open(newest, "wb").write(raw[: len(raw) // 2])  # a torn write
    del OUT["totals"][-1]  # batch 3 will run again, from the "generated" checkpoint
    with caplog.at_level(logging.WARNING, logger="sparklet.streaming"):
        ssc = a.recover(3000)
    assert any(newest in r.getMessage() and "truncated" in r.getMessage()
               for r in caplog.records)
    assert ssc._recovery.path == previous
    assert ssc._recovery.pending_times == [a.t0 + 3000]
    ssc.start()
    wait_for_batch(ssc, a.t0 + 3000)
    advance_batches(ssc, 4)
    ssc.stop(stopSparkContext=False)
    assert OUT["totals"] == _model_totals(BATCHES)


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


def test_queue_stream_is_checkpointed_but_cannot_be_recovered(app, tmp_path, caplog):
    """Spark's behaviour: checkpoints are written (with a warning), recovery fails with
    "queueStream doesn't support checkpointing" and calls no setupFunc."""
    ck = str(tmp_path / "ck")
    setup, _ = app()
    with caplog.at_level(logging.WARNING, logger="sparklet.streaming"):
        _run(StreamingContext.getOrCreate(ck, setup), 2)
    assert "queueStream doesn't support checkpointing" in caplog.text
    assert len(list_checkpoint_files(fsspec.filesystem("file"), ck)) > 1
    calls = []
    with pytest.raises(CheckpointError, match="queueStream doesn't support checkpointing. "
                                              "Please don't use queueStream when "
                                              "checkpointing is enabled."):
        StreamingContext.getOrCreate(ck, lambda: calls.append(1))
    assert calls == []


def test_unserializable_function_fails_start(make_ssc, sc, tmp_path):
    """PySpark's test_transform_function_serializer_failure: a function that refers to
    the SparkContext cannot be checkpointed, and start() says so."""
    ssc = make_ssc(checkpoint=True)

    def process(time, rdd):
        sc.parallelize(range(1, 10))

    ssc.textFileStream(str(tmp_path)).foreachRDD(process)
    with pytest.raises(NotSerializableError) as e:
        ssc.start()
    assert "DStream checkpointing has been enabled but the DStreams with their functions " \
           "are not serializable" in str(e.value)
    assert "It appears that you are attempting to reference SparkContext" in str(e.value)
    assert ssc.getState() == "STOPPED"


def test_graphless_checkpoint_needs_the_rebuild_option(files, sc, caplog):
    """On the upgrade path a graph that cannot be serialized is allowed (with a warning);
    its checkpoints cannot be recovered by default, only by rebuilding."""
    import threading

    a = files()
    lock = threading.Lock()

    def setup():
        ssc = a.setup_func()()
        ssc.textFileStream(str(a.data)).foreachRDD(lambda rdd: lock.locked())
        return ssc

    with caplog.at_level(logging.WARNING, logger="sparklet.streaming"):
        _run(_rebuild(a.ck, setup), 2)
    assert "Checkpoints will hold no DStream graph" in caplog.text
    assert latest_checkpoint(a.ck)[0]["dstream_graph"] is None
    with pytest.raises(CheckpointError, match=REBUILD_KEY):
        StreamingContext.getOrCreate(a.ck, setup)
    sc._conf.set(REBUILD_KEY, "true")  # the option read from the new run's conf
    try:
        ssc = StreamingContext.getOrCreate(a.ck, setup)
    finally:
        sc._conf.set(REBUILD_KEY, "false")
    assert a.setup_calls == 2 and ssc._recovery is not None
    ssc._clock.set_time(a.t0 + 2000)
    _run(ssc, 2)
    assert OUT["totals"] == _model_totals(BATCHES[:4])


def test_recovered_conf_drops_process_settings_and_reloads_the_master(monkeypatch):
    monkeypatch.setenv("SPARKLET_SUBMIT_CONF", "spark.master=local[1]")
    conf = conf_from_checkpoint({"spark.app.name": "counts", "spark.app.id": "app-old",
                                 "spark.master": "local[3]", "spark.x": "1"})
    assert conf.get("spark.app.name") == "counts" and conf.get("spark.x") == "1"
    assert conf.get("spark.master") == "local[1]" and not conf.contains("spark.app.id")


def test_deleted_checkpoint_directory_is_recreated(files, caplog):
    """Deleted after batch 1: later checkpoints are written again (with a warning naming
    the directory), the final one of a graceful stop too, and recovery from it is exact.
    (Deleted before any state was checkpointed: a state checkpoint deleted while a later
    batch still needs it fails that batch, as in Spark, unless its cached copy is used.)"""
    import shutil

    a = files()
    ssc = StreamingContext.getOrCreate(a.ck, a.setup_func(state_interval=2))
    ssc.start()
    advance_batches(ssc, 1)
    _wait_for_checkpoint(a.ck, a.t0 + 1000)
    shutil.rmtree(a.ck)
    with caplog.at_level(logging.WARNING, logger="sparklet.streaming"):
        advance_batches(ssc, 3)
        _wait_for_checkpoint(a.ck, a.t0 + 4000)
    warnings_ = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("was deleted while the application was running" in m and a.ck in m
               for m in warnings_), warnings_
    assert not any("Could not write" in m for m in warnings_), warnings_
    state = latest_checkpoint(a.ck)[0]["operators"]["name:totals"]["state"]
    # State paths are Hadoop-qualified (file:/...), as getCheckpointFile returns them.
    assert state["time"] == a.t0 + 4000 and os.path.isdir(state["path"].removeprefix("file:"))
    shutil.rmtree(os.path.join(a.ck, "metadata"))  # again, just before a graceful stop
    ssc.stop(stopSparkContext=False, stopGraceFully=True)
    assert list_checkpoint_files(fsspec.filesystem("file"), a.ck)[0].endswith(
        f"checkpoint-{a.t0 + 4000:013d}-c")
    _run(a.recover(4000), 3)
    assert OUT["totals"] == _model_totals(BATCHES)


def _wait_for_checkpoint(ck, time_ms, timeout=60.0):
    """Until the "completed" checkpoint of batch ``time_ms`` is the newest file."""
    want = f"checkpoint-{time_ms:013d}-c"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = list_checkpoint_files(fsspec.filesystem("file"), ck)
        if files and files[0].endswith(want):
            return
        time.sleep(0.01)
    raise AssertionError(f"{want} never became the newest checkpoint in {ck}")


# -- upgrades (rebuildFromSetupFunc) ---------------------------------------------------------


@pytest.mark.parametrize("state_interval", [None, 2])
def test_rebuild_resumes_state_and_queue_position(app, tmp_path, state_interval):
    """The upgrade path rebuilds a queue stream with setupFunc and indexes it by the saved
    positions."""
    ck = str(tmp_path / "ck")
    setup, seen = app(state_interval=state_interval)
    _run(StreamingContext.getOrCreate(ck, setup), 4)
    calls = []
    setup2, _ = app(state_interval=state_interval, clock_ms=4000)
    ssc = _rebuild(ck, lambda: calls.append(1) or setup2())
    assert calls == [1] and ssc._recovery is not None
    _run(ssc, 3)
    assert seen["totals"] == _model_totals(BATCHES)
    assert seen["counts"] == [sorted({w: b.count(w) for w in b}.items()) for b in BATCHES]
    assert sorted(seen["mapped"]) == _expected_mapped(BATCHES)


@pytest.mark.parametrize("name_state", [True, False])
def test_upgraded_application_resumes_state(app, tmp_path, name_state):
    """Version 2 changes the map function and adds an output; named and shape-keyed
    state both resume."""
    ck = str(tmp_path / "ck")
    setup, seen = app(name_state=name_state, state_interval=2)
    _run(StreamingContext.getOrCreate(ck, setup), 4)
    setup2, _ = app(version=2, clock_ms=4000, name_state=name_state, state_interval=2)
    _run(_rebuild(ck, setup2), 3)
    assert seen["totals"] == _model_totals(BATCHES)
    assert sorted(seen["mapped"]) == _expected_mapped(BATCHES)
    assert seen["extra"] == [len(b) for b in BATCHES[4:]]


def test_removed_stateful_operator_is_a_clear_error(app, tmp_path):
    ck = str(tmp_path / "ck")
    setup, _ = app()
    _run(StreamingContext.getOrCreate(ck, setup), 2)
    with pytest.raises(CheckpointMismatchError) as e:
        _rebuild(ck, app(stateful=False)[0])
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
        _rebuild(ck, app()[0])


def test_rebuild_file_stream_positions_and_down_time_files(sc, tmp_path):
    """Files read before the crash are not read again; files that appeared while the
    application was down are read by the rescheduled down-time batches."""
    ck, data = str(tmp_path / "ck"), tmp_path / "in"
    data.mkdir()
    t0 = int(time.time()) * 1000 - 60_000
    seen: list = []

    def put(name, words, mtime_ms):
        path = data / name
        path.write_text("\n".join(words) + "\n")
        os.utime(path, (mtime_ms / 1000, mtime_ms / 1000))

    def setup_at(clock_ms):
        def setup():
            ssc = StreamingContext(sc, 1)
            use_manual_clock(ssc, clock_ms)
            lines = ssc.textFileStream(str(data))
            totals = lines.map(lambda w: (w, 1)).updateStateByKey(
                lambda new, old: sum(new) + (old or 0)).setName("totals")
            totals.foreachRDD(lambda t, rdd: seen.append(dict(rdd.collect())))
            return ssc
        return setup

    try:
        put("f1", BATCHES[0], t0 + 500)
        put("f2", BATCHES[1], t0 + 1500)
        _run(StreamingContext.getOrCreate(ck, setup_at(t0)), 2)
        put("f3", BATCHES[2], t0 + 2500)  # while the application is down
        put("f4", BATCHES[3], t0 + 3500)
        ssc = _rebuild(ck, setup_at(t0 + 4000))
        ssc.start()
        wait_for_batch(ssc, t0 + 4000)
        put("f5", BATCHES[4], t0 + 4500)
        advance_batches(ssc, 1)
        ssc.stop(stopSparkContext=False)
    finally:
        sc._checkpoint_dir = None
    assert seen == _model_totals(BATCHES[:5])
