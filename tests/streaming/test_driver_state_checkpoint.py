"""Driver-side state in metadata checkpoints (``checkpoint.register_driver_state``): an
object updated on the driver in ``foreachRDD`` -- as PySpark's streaming models are --
resumes from its checkpointed state when the application is recovered, from the
deserialized graph or rebuilt by setupFunc, and a checkpoint whose driver-side objects do
not match the application's is refused with an error naming them."""

from __future__ import annotations

import os
import time

import pytest

from sparklet.streaming import StreamingContext
from sparklet.streaming.recovery.checkpoint import (
    CheckpointMismatchError,
    latest_checkpoint,
    register_driver_state,
)
from sparklet.streaming.testing import advance_batches, use_manual_clock, wait_for_batch

BATCHES = [[1, 2, 3], [10], [4, 5], [100, 1], [7], [2, 2]]


class RunningSum:
    """A driver-side aggregate: the sum and the number of batches seen."""

    def __init__(self):
        self.total = 0
        self.batches = 0

    def update(self, rdd):
        values = rdd.collect()
        if values:  # a new (total, batches) pair at once: a snapshot is never torn
            self.total, self.batches = self.total + sum(values), self.batches + 1

    def _checkpoint_state(self):
        return (self.total, self.batches)

    def _restore_checkpoint_state(self, state):
        self.total, self.batches = state


class Other(RunningSum):
    pass


def _run(ssc, n):
    ssc.start()
    advance_batches(ssc, n)
    ssc.stop(stopSparkContext=False)


@pytest.fixture
def contexts(sc):
    made: list[StreamingContext] = []
    yield made
    for ssc in made:
        ssc.stop(stopSparkContext=False)
    sc._checkpoint_dir = None


def _file_app(sc, root, made, t0):
    """A sum over a text file stream; file ``f<i>`` is dated just before batch ``i``."""
    data = root / "in"
    data.mkdir(exist_ok=True)
    for i, values in enumerate(BATCHES, 1):
        path = data / f"f{i}"
        path.write_text("\n".join(map(str, values)) + "\n")
        t = (t0 + i * 1000 - 500) / 1000
        os.utime(path, (t, t))

    def setup():
        ssc = StreamingContext(sc, 1)
        use_manual_clock(ssc, t0)
        model = RunningSum()
        register_driver_state(ssc, model)
        ssc.textFileStream(str(data)).map(int).foreachRDD(model.update)
        made.append(ssc)
        return ssc

    return setup


def test_deserialized_graph_resumes_driver_state(sc, tmp_path, contexts):
    ck = str(tmp_path / "ck")
    t0 = int(time.time()) * 1000 - 60_000
    setup = _file_app(sc, tmp_path, contexts, t0)
    ssc = StreamingContext.getOrCreate(ck, setup)
    model = ssc._checkpointed_driver_state["RunningSum#0"]
    _run(ssc, 3)
    want3 = sum(map(sum, BATCHES[:3]))
    assert (model.total, model.batches) == (want3, 3)
    payload, _ = latest_checkpoint(ck)
    assert payload["driver_state"] == {"RunningSum#0": {"kind": "RunningSum",
                                                        "state": (want3, 3)}}

    ssc = StreamingContext.getOrCreate(ck, lambda: pytest.fail("setupFunc was called"))
    contexts.append(ssc)
    use_manual_clock(ssc, t0 + 3000)
    recovered = ssc._checkpointed_driver_state["RunningSum#0"]
    assert recovered is not model  # the deserialized graph's own copy ...
    _run(ssc, 3)
    # ... restored from the checkpoint, not from the initial state the graph was saved with.
    assert (recovered.total, recovered.batches) == (sum(map(sum, BATCHES)), 6)
    assert (model.total, model.batches) == (want3, 3)


def _queue_app(sc, made, clock_ms, kinds=(RunningSum,), names=(None,)):
    """A sum over a queue stream (rebuilt by setupFunc on the upgrade path)."""
    models = []

    def setup():
        ssc = StreamingContext(sc, 1)
        use_manual_clock(ssc, clock_ms)
        stream = ssc.queueStream([sc.parallelize(b, 2) for b in BATCHES])
        for kind, name in zip(kinds, names, strict=True):
            model = kind()
            register_driver_state(ssc, model, name)
            stream.foreachRDD(model.update)
            models.append(model)
        made.append(ssc)
        return ssc

    return setup, models


def test_rebuilt_application_resumes_driver_state(sc, tmp_path, contexts):
    ck = str(tmp_path / "ck")
    setup, first = _queue_app(sc, contexts, 0, names=("sum",))
    _run(StreamingContext.getOrCreate(ck, setup), 2)
    setup2, second = _queue_app(sc, contexts, 2000, names=("sum",))
    ssc = StreamingContext.getOrCreate(ck, setup2, rebuildFromSetupFunc=True)
    assert (second[0].total, second[0].batches) == (0, 0)  # restored when it starts
    ssc.start()
    wait_for_batch(ssc, 2000)
    assert (second[0].total, second[0].batches) == (sum(map(sum, BATCHES[:2])), 2)
    advance_batches(ssc, 4)
    ssc.stop(stopSparkContext=False)
    assert (second[0].total, second[0].batches) == (sum(map(sum, BATCHES)), 6)
    assert first[0].batches == 2


def test_keys_follow_registration_order_and_names(sc, contexts):
    ssc = StreamingContext(sc, 1)
    contexts.append(ssc)
    a, b, c = RunningSum(), RunningSum(), Other()
    assert register_driver_state(ssc, a) == "RunningSum#0"
    assert register_driver_state(ssc, b) == "RunningSum#1"
    assert register_driver_state(ssc, a) == "RunningSum#0"  # the same object again
    assert register_driver_state(ssc, c, "model") == "name:model"
    with pytest.raises(ValueError, match="Two driver-side checkpointed objects are named "
                                         "'model'"):
        register_driver_state(ssc, RunningSum(), "model")
    assert ssc._checkpointed_driver_state == {"RunningSum#0": a, "RunningSum#1": b,
                                              "name:model": c}


def test_missing_extra_and_changed_objects_are_clear_errors(sc, tmp_path, contexts):
    ck = str(tmp_path / "ck")
    setup, _ = _queue_app(sc, contexts, 0, kinds=(RunningSum, RunningSum),
                          names=(None, None))
    _run(StreamingContext.getOrCreate(ck, setup), 2)
    with pytest.raises(CheckpointMismatchError) as e:
        StreamingContext.getOrCreate(ck, _queue_app(sc, contexts, 2000)[0],
                                     rebuildFromSetupFunc=True)
    assert ("saved driver-side state has no matching object in the new application: "
            "RunningSum#1 (RunningSum)") in str(e.value)
    with pytest.raises(CheckpointMismatchError) as e:
        StreamingContext.getOrCreate(
            ck, _queue_app(sc, contexts, 2000, kinds=(RunningSum, RunningSum, RunningSum),
                           names=(None, None, None))[0], rebuildFromSetupFunc=True)
    assert ("driver-side checkpointed objects of the new application have no saved state: "
            "RunningSum#2 (RunningSum)") in str(e.value)
    ck2 = str(tmp_path / "ck2")
    _run(StreamingContext.getOrCreate(ck2, _queue_app(sc, contexts, 0, names=("m",))[0]), 1)
    with pytest.raises(CheckpointMismatchError,
                       match="driver-side object name:m was a RunningSum and is now a Other"):
        StreamingContext.getOrCreate(
            ck2, _queue_app(sc, contexts, 1000, kinds=(Other,), names=("m",))[0],
            rebuildFromSetupFunc=True)


def test_without_a_checkpoint_directory_nothing_is_required(sc, contexts):
    ssc = StreamingContext(sc, 1)
    contexts.append(ssc)
    use_manual_clock(ssc)
    model = RunningSum()
    register_driver_state(ssc, model)
    ssc.queueStream([sc.parallelize(b) for b in BATCHES[:2]]).foreachRDD(model.update)
    _run(ssc, 2)
    assert (model.total, model.batches) == (16, 2)
