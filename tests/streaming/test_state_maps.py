"""State kept deserialized between batches: delta maps, in-place updates, retries."""

from __future__ import annotations

import os
import pickle
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet import SparkConf
from sparklet.partitioner import portable_hash
from sparklet.streaming import StateSpec, StreamingContext
from sparklet.streaming.statemap import MISSING, StateMap
from sparklet.streaming.testing import advance_batches, use_manual_clock

KEYS = st.sampled_from("abcdefgh")
OPS = st.lists(st.tuples(st.sampled_from(["put", "remove"]), KEYS, st.integers(0, 9)),
               max_size=12)


@settings(max_examples=200, deadline=None)
@given(initial=st.lists(st.tuples(KEYS, st.integers(0, 9)), max_size=6),
       batches=st.lists(OPS, max_size=8), threshold=st.integers(1, 4))
def test_state_map_layers_behave_like_one_dict_mutated_in_place(initial, batches, threshold):
    model = dict(initial)
    current = StateMap.from_pairs(initial)
    history = [(current, dict(model))]
    for ops in batches:
        current = current.child(threshold)
        for op, key, value in ops:
            if op == "put":
                current.put(key, value)
                model[key] = value
            else:
                current.remove(key)
                model.pop(key, None)
        history.append((current, dict(model)))
        assert list(current.items()) == list(model.items())  # order too
        assert len(current) == len(model)
        for key in "abcdefghz":
            assert current.get(key) == model.get(key, MISSING)
        assert current._depth < threshold  # compacted once the chain is that deep
    for state_map, snapshot in history:  # a batch's map never changes after its batch
        assert list(state_map.items()) == list(snapshot.items())
        restored = pickle.loads(pickle.dumps(state_map))
        assert restored._parent is None and list(restored.items()) == list(snapshot.items())


def test_timed_state_map_pickles_as_one_timed_root():
    root = StateMap.from_pairs([("a", (1, 1000))], timed=True)
    top = root.child(20)
    top.put("b", (2, 2000))
    restored = pickle.loads(pickle.dumps(top))
    assert restored.timed and list(restored.states()) == [("a", 1), ("b", 2)]
    assert list(restored.items()) == [("a", (1, 1000)), ("b", (2, 2000))]


def _model_map_with_state(initial, batches, partitions):
    """Plain Python: per partition one dict mutated in place, records in batch order."""
    states = [dict() for _ in range(partitions)]
    for k, s in initial:  # a key given twice: its first place, its last state
        states[portable_hash(k) % partitions][k] = s
    emitted, snapshots = [], []
    for batch in batches:
        out = [[] for _ in range(partitions)]
        for k, v in batch:
            p = portable_hash(k) % partitions
            state = states[p]
            if v == 0:
                state.pop(k, None)
                out[p].append((k, None))
            else:
                state[k] = state.get(k, 0) + v
                out[p].append((k, state[k]))
        emitted.append([r for part in out for r in part])
        snapshots.append([kv for state in states for kv in state.items()])
    return emitted, snapshots


def _track(key, value, state):
    if value == 0:
        if state.exists():
            state.remove()
        return (key, None)
    state.update((state.getOption() or 0) + value)
    return (key, state.get())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_map_with_state_delta_maps_match_a_plain_python_model(make_context, tmp_path, seed):
    # A chain threshold of 2 compacts every other batch; checkpoints every 3 batches.
    conf = SparkConf().setMaster("local[2]").set(
        "spark.streaming.sessionByKey.deltaChainThreshold", "2")
    sc = make_context(conf)
    rng = random.Random(seed)
    keys = [f"k{i}" for i in range(30)]
    initial = [(rng.choice(keys), rng.randint(1, 5)) for _ in range(15)]
    batches = [[(rng.choice(keys), rng.choice([0, 1, 2, 3])) for _ in range(rng.randint(0, 12))]
               for _ in range(9)]
    ssc = StreamingContext(sc, 1)
    use_manual_clock(ssc)
    ssc.checkpoint(str(tmp_path / "ck"))
    spec = StateSpec.function(_track).initialState(initial).numPartitions(2)
    mapped = ssc.queueStream([sc.parallelize(b, 2) for b in batches]).mapWithState(spec)
    mapped.checkpoint(3)
    emitted, snapshots = [], []
    mapped.foreachRDD(lambda rdd: emitted.append(rdd.collect()))
    mapped.stateSnapshots().foreachRDD(lambda rdd: snapshots.append(rdd.collect()))
    ssc.start()
    try:
        advance_batches(ssc, len(batches))
    finally:
        ssc.stop(stopSparkContext=False)
    want_emitted, want_snapshots = _model_map_with_state(initial, batches, 2)
    assert emitted == want_emitted
    assert snapshots == want_snapshots


def test_update_state_by_key_retried_task_finds_the_previous_state_intact(make_context,
                                                                          tmp_path):
    # The update function fails once, half-way through a batch's partition: the retry must
    # see the state of the batch before (not a half-updated map) and give the right counts.
    conf = SparkConf().setMaster("local[2]").set("spark.task.maxFailures", "2")
    sc = make_context(conf)
    marker = str(tmp_path / "failed-once")
    calls = {"n": 0}

    def update(new, old):
        calls["n"] += 1
        if sum(new) == 7 and calls["n"] > 3 and not os.path.exists(marker):
            open(marker, "w").close()
            raise RuntimeError("first attempt fails")
        return sum(new) + (old or 0)

    ssc = StreamingContext(sc, 1)
    use_manual_clock(ssc)
    ssc.checkpoint(str(tmp_path / "ck"))
    keys = [f"k{i}" for i in range(40)]
    batches = [[(k, 1) for k in keys], [(k, 2) for k in keys],
               [(keys[5], 6)] + [(k, 1) for k in keys]]
    state = ssc.queueStream([sc.parallelize(b, 2) for b in batches]).updateStateByKey(
        update, 2)
    got = []
    state.foreachRDD(lambda rdd: got.append(sorted(rdd.collect())))
    ssc.start()
    try:
        advance_batches(ssc, 3)
    finally:
        ssc.stop(stopSparkContext=False)
    assert os.path.exists(marker)  # the failure happened, and was retried
    want = {k: 4 for k in keys}
    want[keys[5]] = 10
    assert got[-1] == sorted(want.items())
    assert got[1] == sorted((k, 3) for k in keys)


def test_update_state_by_key_order_and_removal_match_the_cogroup_model(make_ssc):
    # Output order within a partition: keys with state in state order, then new keys in
    # order of first appearance; a removed key that comes back goes to the end.
    ssc = make_ssc(checkpoint=True)
    batches = [[("b", 1), ("a", 1), ("c", 1)], [("a", -1), ("d", 1)], [("a", 1), ("b", 1)]]

    def update(new, old):
        total = sum(new) + (old or 0)
        return None if total <= 0 else total

    state = ssc.queueStream(batches).updateStateByKey(update, 1)
    got = []
    state.foreachRDD(lambda rdd: got.append(rdd.collect()))
    ssc.start()
    advance_batches(ssc, 3)
    assert got == [[("b", 1), ("a", 1), ("c", 1)],
                   [("b", 1), ("c", 1), ("d", 1)],
                   [("b", 2), ("c", 1), ("d", 1), ("a", 1)]]
