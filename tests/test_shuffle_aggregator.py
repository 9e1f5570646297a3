"""ExternalAppendOnlyMap against a plain-dict model: every lookup shape, spills, and the
StopIteration / KeyError behaviour of user functions on each merge path."""

from __future__ import annotations

from collections import defaultdict
from operator import add
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparklet.shuffle import aggregator
from sparklet.shuffle.aggregator import Aggregator, ExternalAppendOnlyMap, identity, merge_into

STOP_MSG = "Caught StopIteration thrown from user's code; failing the task"

# Runs of keys drawn from small domains (mostly known keys: the hits-first loop) and from
# large ones (mostly new keys: the ``in`` loop), so tiny chunks switch between the two.
RUNS = st.lists(
    st.tuples(st.sampled_from([3, 50, 10**9]),
              st.lists(st.tuples(st.integers(0, 10**9), st.integers(-5, 5)), max_size=40)),
    max_size=8)


def _records(runs):
    return [(k % domain, v) for domain, run in runs for k, v in run]


def _sum_model(records):
    model: dict = defaultdict(int)
    for k, v in records:
        model[k] += v
    return dict(model)


@settings(max_examples=150, deadline=None)
@given(RUNS, st.sampled_from([1, 4, 8]), st.sampled_from([10**9, 2_000]))
def test_merge_values_matches_a_dict_for_every_lookup_shape(runs, chunk, memory):
    records = _records(runs)
    with mock.patch.object(aggregator, "_CHUNK", chunk):
        summed = ExternalAppendOnlyMap(Aggregator(identity, add, add), memory)
        summed.merge_values(iter(records))
        listed = ExternalAppendOnlyMap(
            Aggregator(lambda v: [v], lambda c, v: c + [v], add, grows=True), memory)
        listed.merge_values(records)
        got_sums, got_lists = dict(summed.items()), dict(listed.items())
    assert got_sums == _sum_model(records)
    model: dict = defaultdict(list)
    for k, v in records:
        model[k].append(v)
    assert {k: sorted(v) for k, v in got_lists.items()} == {k: sorted(v) for k, v in model.items()}


@settings(max_examples=100, deadline=None)
@given(st.lists(RUNS, max_size=4), st.sampled_from([1, 8]))
def test_merge_combiners_of_several_map_outputs_matches_a_dict(outputs, chunk):
    partials = [_sum_model(_records(runs)) for runs in outputs]
    with mock.patch.object(aggregator, "_CHUNK", chunk):
        merged = ExternalAppendOnlyMap(Aggregator(identity, add, add), 10**9)
        for partial in partials:
            merged.merge_combiners(partial.items())
        got = dict(merged.items())
    assert got == _sum_model(kv for p in partials for kv in p.items())


def test_identity_create_combiner_is_not_called():
    # reduceByKey's combiner is the first value itself: stored as is, without a call.
    agg = Aggregator(identity, add, add)
    merged = ExternalAppendOnlyMap(agg, 10**9)
    with mock.patch.object(aggregator, "identity", side_effect=AssertionError):
        merged.merge_values([("a", 1), ("b", 2), ("a", 3)])
    assert dict(merged.items()) == {"a": 4, "b": 2}


def test_a_growing_combiner_spills_though_its_keys_do_not_grow():
    # One key whose list combiner keeps every value: only re-sampling the entry size as the
    # record count doubles notices, and the map must still spill.
    agg = Aggregator(lambda v: [v], lambda c, v: c + [v], add)
    merged = ExternalAppendOnlyMap(agg, memory_limit=20_000)
    merged.merge_values(("k%d" % (i % 20), "x" * 50) for i in range(30_000))
    assert merged.spill_count > 0
    assert {k: len(v) for k, v in merged.items()} == {"k%d" % i: 1500 for i in range(20)}


def _stop(*args):
    raise StopIteration("user")


def _stop_on_last(c, v):
    if v == "last":
        raise StopIteration("user")
    return c


@pytest.mark.parametrize("where", ["create", "merge_new_keys", "merge_known_keys",
                                   "merge_combiners", "spill_merge"])
def test_stop_iteration_from_user_code_fails_with_pysparks_error(where):
    # Raised in the third chunk, which is merged hits-first (the earlier ones found "a").
    known = [("a", 1)] * (2 * aggregator._CHUNK + 5) + [("a", "last")]
    agg, records, memory = {
        "create": (Aggregator(_stop, add, add), [(1, 1)], 10**9),
        "merge_new_keys": (Aggregator(identity, _stop, add), [(1, 1), (1, 2)], 10**9),
        "merge_known_keys": (Aggregator(identity, _stop_on_last, add), known, 10**9),
        "merge_combiners": (Aggregator(identity, add, _stop), None, 10**9),
        "spill_merge": (Aggregator(identity, add, _stop), None, 1),
    }[where]
    merged = ExternalAppendOnlyMap(agg, memory)
    with pytest.raises(RuntimeError) as info:
        if where == "merge_combiners":
            merged.merge_combiners([("a", 1)] * (3 * aggregator._CHUNK))
        elif where == "spill_merge":  # each chunk spills; the spill runs merge in items()
            merged.merge_values([("a", 1)] * (3 * aggregator._CHUNK))
            assert merged.spill_count > 1
            dict(merged.items())
        else:
            merged.merge_values(records)
    assert info.value.args[0] == STOP_MSG
    assert isinstance(info.value.args[1], StopIteration)
    assert isinstance(info.value.__cause__, StopIteration)


def test_stop_iteration_ending_the_records_is_just_their_end():
    merged = ExternalAppendOnlyMap(Aggregator(identity, add, add), 10**9)
    merged.merge_values(iter([("a", 1), ("a", 2)]))
    assert dict(merged.items()) == {"a": 3}


@pytest.mark.parametrize("known", [False, True])
def test_key_error_from_the_users_merge_propagates(known):
    def merge(c, v):
        if v == "last":
            raise KeyError("user's")
        return c

    records = [("a", 1)] * (3 * aggregator._CHUNK if known else 1) + [("a", "last")]
    merged = ExternalAppendOnlyMap(Aggregator(identity, merge, merge), 10**9)
    with pytest.raises(KeyError, match="user's"):
        merged.merge_values(records)


def test_an_error_in_create_combiner_is_not_chained_to_a_lookup_miss():
    def create(v):
        if v == "boom":
            raise ValueError(v)
        return v

    records = [("a", "x")] * (3 * aggregator._CHUNK) + [("new", "boom")]  # in hits-first
    merged = ExternalAppendOnlyMap(Aggregator(create, lambda c, v: c, add), 10**9)
    with pytest.raises(ValueError) as info:
        merged.merge_values(records)
    assert info.value.__context__ is None


def test_merge_into_stores_new_values_or_creates_them():
    d: dict = {}
    merge_into(d, [("a", 1), ("b", 2), ("a", 3)], None, add)
    assert d == {"a": 4, "b": 2}
    merge_into(d, [("c", 5), ("a", 1)], lambda v: v * 10, add)
    assert d == {"a": 5, "b": 2, "c": 50}
