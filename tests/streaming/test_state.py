"""updateStateByKey and mapWithState against plain-Python models."""

from __future__ import annotations

import pytest
from stream_helpers import timed_batches

from sparklet.streaming import StateSpec
from sparklet.streaming.testing import advance_batches

WORDS = [["a", "b", "a"], ["b"], [], ["c", "a"], []]


def test_update_state_by_key_running_counts_and_calls_for_every_key(make_ssc):
    ssc = make_ssc(checkpoint=True)

    def update(values, state):
        # State is (total, calls, empty calls): PySpark calls the function for every key
        # with state in every batch, with [] when the key got no new values.
        total, calls, empty = state or (0, 0, 0)
        return (total + sum(values), calls + 1, empty + (values == []))

    got = timed_batches(ssc.queueStream(WORDS).map(lambda w: (w, 1)).updateStateByKey(update))
    ssc.start()
    advance_batches(ssc, 5)
    expected, totals, calls, empty = [], {}, {}, {}
    for i, batch in enumerate(WORDS):
        for w in set(totals) | set(batch):
            calls[w] = calls.get(w, 0) + 1
            empty[w] = empty.get(w, 0) + (w not in batch)
        for w in batch:
            totals[w] = totals.get(w, 0) + 1
        expected.append(((i + 1) * 1000, sorted((w, (totals[w], calls[w], empty[w]))
                                                for w in totals)))
    assert got == expected
    assert got[-1][1][0] == ("a", (3, 5, 3))


def test_update_state_by_key_removal_initial_rdd_and_partitions(make_ssc, sc):
    ssc = make_ssc(checkpoint=True)

    def update(values, state):
        total = sum(values) + (state or 0)
        return None if total >= 3 else total  # None drops the key

    stream = ssc.queueStream([[("x", 1), ("y", 1)], [("x", 1)], [("y", 1)], [("x", 5)]])
    state = stream.updateStateByKey(update, numPartitions=3,
                                    initialRDD=sc.parallelize([("x", 1), ("z", 0)]))
    got = timed_batches(state)
    parts = []
    state.foreachRDD(lambda rdd: parts.append(rdd.getNumPartitions()))
    from_list = timed_batches(stream.updateStateByKey(update, initialRDD=[("w", 2)]))
    ssc.start()
    advance_batches(ssc, 4)
    assert got == [(1000, [("x", 2), ("y", 1), ("z", 0)]),
                   (2000, [("y", 1), ("z", 0)]),          # x reached 3: removed
                   (3000, [("y", 2), ("z", 0)]),
                   (4000, [("y", 2), ("z", 0)])]          # x comes back with 5: removed
    assert parts == [3, 3, 3, 3]
    assert from_list[0] == (1000, [("w", 2), ("x", 1), ("y", 1)])
    assert from_list[1] == (2000, [("w", 2), ("x", 2), ("y", 1)])


def test_update_state_by_key_needs_checkpoint_directory(make_ssc):
    ssc = make_ssc()
    ssc.queueStream([[("a", 1)]]).updateStateByKey(lambda vs, s: 1).pprint()
    with pytest.raises(ValueError, match=r"^requirement failed: The checkpoint directory has "
                                         r"not been set\. Please set it by "
                                         r"StreamingContext\.checkpoint\(\)\.$"):
        ssc.start()
    assert ssc.getState() == "STOPPED"


def test_state_lineage_stays_bounded_by_checkpointing(make_ssc):
    ssc = make_ssc(checkpoint=True, batch=1)
    state = ssc.queueStream([[("k", 1)]] * 30).updateStateByKey(
        lambda vs, s: sum(vs) + (s or 0))
    state.checkpoint(2)
    depths, values = [], []

    def depth(rdd):
        seen, todo, n = set(), [rdd], 0
        while todo:
            r = todo.pop()
            if r.id() in seen:
                continue
            seen.add(r.id())
            n += 1
            todo.extend(d.rdd for d in r.dependencies())
        return n

    state.foreachRDD(lambda rdd: (values.append(rdd.collect()), depths.append(depth(rdd))))
    ssc.start()
    advance_batches(ssc, 30)
    assert values[-1] == [("k", 30)]
    assert max(depths[10:]) <= max(depths[:10]) + 2  # does not grow with the batch count


def test_map_with_state_emits_records_and_snapshots(make_ssc):
    ssc = make_ssc(checkpoint=True)

    def track(key, value, state):
        total = (state.getOption() or 0) + value
        if total > 4:
            state.remove()
        else:
            state.update(total)
        return (key, total)

    spec = StateSpec.function(track).initialState([("a", 1)]).numPartitions(2)
    mapped = ssc.queueStream([[("a", 1), ("b", 2), ("a", 1)], [("b", 3)], [("c", 1)]]) \
        .mapWithState(spec)
    emitted = timed_batches(mapped)
    snaps = timed_batches(mapped.stateSnapshots())
    ssc.start()
    advance_batches(ssc, 3)
    # Every record is passed on its own, in order (a: 1+1=2, then 3).
    assert emitted == [(1000, [("a", 2), ("a", 3), ("b", 2)]), (2000, [("b", 5)]),
                       (3000, [("c", 1)])]
    assert snaps == [(1000, [("a", 3), ("b", 2)]), (2000, [("a", 3)]),
                     (3000, [("a", 3), ("c", 1)])]


def test_map_with_state_timeout_and_four_argument_function(make_ssc):
    ssc = make_ssc(checkpoint=True)

    def func(time, key, value, state):
        if state.isTimingOut():
            return ("timeout", key, state.get(), time.second)
        state.update((state.getOption() or 0) + value)
        return None if value == 0 else (key, state.get())

    spec = StateSpec.function(func).timeout(2)
    mapped = ssc.queueStream([[("a", 1), ("b", 0)], [("a", 1)], [], [], [], []]) \
        .mapWithState(spec)
    mapped.checkpoint(1)  # Spark looks for timeouts when the state RDD is checkpointed
    emitted = timed_batches(mapped)
    snaps = timed_batches(mapped.stateSnapshots())
    ssc.start()
    advance_batches(ssc, 6)
    assert emitted == [(1000, [("a", 1)]), (2000, [("a", 2)]), (3000, []),
                       (4000, [("timeout", "b", 0, 4)]), (5000, [("timeout", "a", 2, 5)]),
                       (6000, [])]
    assert snaps[-1] == (6000, [])
    assert snaps[2] == (3000, [("a", 2), ("b", 0)])


def test_state_object_contract():
    from sparklet.streaming import State

    s = State()
    with pytest.raises(KeyError, match="State is not set"):
        s.get()
    s.update(1)
    s.remove()
    assert not s.exists() and s.isRemoved()
    with pytest.raises(ValueError, match="after it has been removed"):
        s.update(2)
    with pytest.raises(TypeError):
        StateSpec.function(lambda x: x)
