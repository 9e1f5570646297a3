"""Window operations: boundaries (partial first windows, slide != batch), every windowed
operation against a model, and the inverse-reduce path agreeing with the plain one on
random input.

Checked against PySpark 3.5.3 (local[2], ManualClock advanced from py4j): with 1 s batches of
[0,1,2], [3,4,5], ..., ``window(3, 2)`` emits only at 2 s, 4 s, 6 s, 8 s, holding batches
(0,2], (1,4], (3,6], (5,8]; ``reduceByKeyAndWindow(add, sub, 5, 1)`` and
``countByWindow(2, 1)`` printed exactly what sparklet prints (see test_pyspark_parity.py).
"""

from __future__ import annotations

import operator
import random
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stream_helpers import norm, timed_batches

from sparklet.streaming.testing import advance_batches

BATCHES = [[1, 2], [3], [4, 5, 6], [], [7], [8, 9], [10]]


def windows(batches, window, slide, batch=1):
    """Model: {end_time_ms: elements of batches in (end - window, end]} at slide times."""
    out = {}
    n = len(batches)
    for k in range(1, n + 1):
        t = k * batch
        if t % slide:
            continue
        first = max(1, k - window // batch + 1)
        out[t * 1000] = [x for b in batches[first - 1:k] for x in b]
    return out


@pytest.mark.parametrize("window,slide", [(3, 1), (2, 2), (4, 2), (1, 1), (6, 3)])
def test_window_boundaries(make_ssc, window, slide):
    ssc = make_ssc()
    got = timed_batches(ssc.queueStream(BATCHES).window(window, slide))
    ssc.start()
    advance_batches(ssc, len(BATCHES))
    expected = windows(BATCHES, window, slide)
    assert got == [(t, sorted(v)) for t, v in sorted(expected.items())]


def test_window_of_a_windowed_stream_and_default_slide(make_ssc):
    ssc = make_ssc()
    got = timed_batches(ssc.queueStream(BATCHES).window(2, 2).window(4))
    ssc.start()
    advance_batches(ssc, 6)
    # The outer window slides with its parent (2 s) and spans two parent RDDs.
    assert got == [(2000, [1, 2, 3]), (4000, [1, 2, 3, 4, 5, 6]), (6000, [4, 5, 6, 7, 8, 9])]


def test_windowed_operations_match_model(make_ssc, tmp_path):
    ssc = make_ssc(checkpoint=True)
    s = ssc.queueStream(BATCHES)
    pairs = s.map(lambda x: (x % 2, x))
    count = timed_batches(s.countByWindow(3, 1))
    red = timed_batches(s.reduceByWindow(operator.add, operator.sub, 2, 2))
    red_plain = timed_batches(s.reduceByWindow(operator.add, None, 3, 1))
    by_value = timed_batches(s.map(lambda x: x % 3).countByValueAndWindow(3, 1))
    grouped = timed_batches(pairs.groupByKeyAndWindow(3, 1).mapValues(sorted))
    rbk = timed_batches(pairs.reduceByKeyAndWindow(operator.add, None, 4, 2))
    ssc.start()
    advance_batches(ssc, len(BATCHES))

    w31, w22, w42 = windows(BATCHES, 3, 1), windows(BATCHES, 2, 2), windows(BATCHES, 4, 2)
    # Empty windows produce no record (PySpark composes these from reduceByKey).
    assert count == [(t, [len(v)] if v else []) for t, v in sorted(w31.items())]
    assert red == [(t, [sum(v)] if v else []) for t, v in sorted(w22.items())]
    assert red_plain == [(t, [sum(v)] if v else []) for t, v in sorted(w31.items())]
    assert by_value == [(t, sorted(Counter(x % 3 for x in v).items()))
                        for t, v in sorted(w31.items())]

    def grouped_model(v):
        d = defaultdict(list)
        for x in v:
            d[x % 2].append(x)
        return norm((k, sorted(xs)) for k, xs in d.items())

    assert [(t, norm(v)) for t, v in grouped] == [(t, grouped_model(v))
                                                  for t, v in sorted(w31.items())]
    assert rbk == [(t, norm((k, sum(x for x in v if x % 2 == k)) for k in {x % 2 for x in v}))
                   for t, v in sorted(w42.items())]


def test_inverse_window_keeps_zero_keys_unless_filtered(make_ssc):
    # As PySpark: with invFunc and window >= 5 slides, keys whose values all left the window
    # stay with the "zero" value; filterFunc drops them.
    ssc = make_ssc(checkpoint=True)
    s = ssc.queueStream([[("a", 1)], [("b", 1)]] + [[]] * 6)
    kept = timed_batches(s.reduceByKeyAndWindow(operator.add, operator.sub, 5, 1))
    filtered = timed_batches(s.reduceByKeyAndWindow(operator.add, operator.sub, 5, 1,
                                                    filterFunc=lambda kv: kv[1] > 0))
    ssc.start()
    advance_batches(ssc, 8)
    assert kept[5] == (6000, [("a", 0), ("b", 1)])
    assert kept[6] == (7000, [("a", 0), ("b", 0)])
    assert filtered[5] == (6000, [("b", 1)])
    assert filtered[6] == (7000, [])


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), window=st.sampled_from([1, 2, 5, 6]),
       slide=st.sampled_from([1, 2]))
def test_inverse_reduce_agrees_with_plain_reduce(make_ssc, seed, window, slide):
    if window % slide:
        window *= slide
    rng = random.Random(seed)
    batches = [[(rng.randrange(4), rng.randrange(1, 5)) for _ in range(rng.randrange(6))]
               for _ in range(12)]
    ssc = make_ssc(checkpoint=True)
    s = ssc.queueStream(batches)
    positive = lambda kv: kv[1] != 0  # noqa: E731 - inverse windows keep zero-valued keys
    inv = timed_batches(s.reduceByKeyAndWindow(operator.add, operator.sub, window, slide,
                                               filterFunc=positive))
    plain = timed_batches(s.reduceByKeyAndWindow(operator.add, None, window, slide))
    ssc.start()
    advance_batches(ssc, len(batches))
    ssc.stop(stopSparkContext=False)
    model = []
    for t, v in sorted(windows(batches, window, slide).items()):
        sums: dict = defaultdict(int)
        for k, x in v:
            sums[k] += x
        model.append((t, sorted(sums.items())))
    # The inverse path emits nothing for a first window with no batches; compare by time.
    assert dict(plain) == dict(model)
    assert {t: v for t, v in inv if v or t in dict(plain)} == {
        t: v for t, v in model if t in dict(inv)}


# -- the co-partitioned window computation against PySpark's RDD formulation ------------------

def _weighted(a, b):
    # Neither associative nor commutative, and None-tolerant: any change in which calls are
    # made, or with which arguments in which order, changes the values.
    return (a or 0) * 3 + (b or 0) + 1


def _unweighted(a, b):
    return (a or 0) - 2 * (b or 0)


def _pyspark_window(prev, old, new, func, inv, keep, n):
    """PySpark's reduceByKeyAndWindow steps over RDDs (its reduceFunc / invReduceFunc)."""
    subtracted = prev
    if old:
        b = old[0].context.union(old).reduceByKey(func, n)
        subtracted = prev.leftOuterJoin(b, n).mapValues(
            lambda kv: inv(kv[0], kv[1]) if kv[1] is not None else kv[0])
    if not new:
        return subtracted
    b = new[0].context.union(new).reduceByKey(func, n)
    r = subtracted.union(b).reduceByKey(func, n) if prev is not None else b
    return r.filter(keep) if keep else r


pair_lists = st.lists(st.tuples(st.integers(0, 6), st.one_of(st.none(), st.integers(-3, 3))),
                      max_size=12)


@settings(max_examples=25, deadline=None)
@given(prev=pair_lists, old=st.lists(pair_lists, max_size=2),
       new=st.lists(pair_lists, max_size=2), filtered=st.booleans(), first=st.booleans())
def test_co_partitioned_window_matches_pyspark_formulation(sc, prev, old, new, filtered,
                                                           first):
    # Partition by partition, in order: the same layout, values and record order as the RDD
    # formulation, so only the number of Python calls per key changes.
    from sparklet.rdds import CoPartitionedRDD
    from sparklet.streaming.window import _sliding_window, _window_of_batches

    n = 2
    keep = (lambda kv: kv[1] is not None and kv[1] % 2 == 0) if filtered else None

    def reduced(pairs):
        return sc.parallelize(pairs, 2).reduceByKey(_weighted, n)

    olds, news = [reduced(b) for b in old], [reduced(b) for b in new]
    if first:  # a window reduced from its batches: no previous window
        if not news:
            return
        got = CoPartitionedRDD(sc, news, _window_of_batches(_weighted, keep))
        want = _pyspark_window(None, [], news, _weighted, _unweighted, keep, n)
    else:
        previous = reduced(prev)
        got = CoPartitionedRDD(sc, [previous, *olds, *news], _sliding_window(
            _weighted, _unweighted, keep, len(olds), len(news)))
        want = _pyspark_window(previous, olds, news, _weighted, _unweighted, keep, n)
    assert got.partitioner == want.partitioner
    assert got.glom().collect() == want.glom().collect()


def test_grouped_inverse_window_keeps_batch_order(make_ssc):
    # groupByKeyAndWindow's inverse drops a key's oldest values (a[len(b):]): right only if
    # every window keeps each key's values in batch order. Slides of 2 batches make both
    # the leaving and the entering side span several batches.
    rng = random.Random(7)
    batches = [[(rng.randrange(3), i * 10 + j) for j in range(rng.randrange(4))]
               for i in range(16)]
    ssc = make_ssc(checkpoint=True)
    got = timed_batches(ssc.queueStream(batches).groupByKeyAndWindow(10, 2)
                        .mapValues(list))
    ssc.start()
    advance_batches(ssc, len(batches))
    model = []
    for t, window in sorted(windows(batches, 10, 2).items()):
        seen = {k for b in batches[:t // 1000] for k, _ in b}  # keys stay once seen
        model.append((t, sorted((k, [x for kk, x in window if kk == k]) for k in seen)))
    assert got == model


def test_window_parameter_errors(make_ssc):
    ssc = make_ssc()
    s = ssc.queueStream([[1]])
    with pytest.raises(ValueError, match=r"windowDuration must be multiple of the parent "
                                         r"dstream's slide \(batch\) duration \(1000 ms\)"):
        s.window(1.5, 1)
    with pytest.raises(ValueError, match="slideDuration must be multiple"):
        s.window(2, 1.5)
    with pytest.raises(ValueError, match="windowDuration must be multiple"):
        s.map(lambda x: (x, 1)).reduceByKeyAndWindow(operator.add, None, 2.5, 1)
    with pytest.raises(ValueError, match="same slide duration"):
        s.union(s.window(2, 2))


def test_inverse_window_needs_a_checkpoint_directory(make_ssc):
    ssc = make_ssc()
    ssc.queueStream([[1]]).map(lambda x: (x, 1)).reduceByKeyAndWindow(
        operator.add, operator.sub, 2, 1).pprint()
    with pytest.raises(ValueError, match="The checkpoint directory has not been set"):
        ssc.start()
