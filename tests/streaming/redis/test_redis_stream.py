"""RedisUtils.createStream against a real Redis server: entries arrive exactly and decoded,
the group resumes after its acknowledgements, a consumer's own pending entries are read
first, entries of a dead consumer are claimed (claimIdle), decoder errors are counted,
maxRate paces the receiver; bad arguments and a missing redis-py fail at once."""

from __future__ import annotations

import sys
import time
from collections import Counter

import pytest
from receiver_helpers import receiver_conf, wait_until
from redis_helpers import (  # noqa: F401 - redis_url_fixture: the fixture
    Run,
    add,
    client,
    numbered,
    pending,
    redis_url_fixture,
    run_until,
    unique,
)

from sparklet.streaming import StreamingContext
from sparklet.streaming.redis import RedisUtils
from sparklet.streaming.sources.redis import consumer_name

WAL = {"spark.streaming.receiver.writeAheadLog.enable": "true"}


# -- without a server ----------------------------------------------------------------------

def test_bad_arguments_fail_at_create_stream(sc):
    ssc = StreamingContext(sc, 1)
    for bad, error, match in [
        (dict(url="127.0.0.1:6379"), ValueError, "url must be a redis://"),
        (dict(streams=[]), ValueError, "at least one stream key"),
        (dict(streams=["a", ""]), ValueError, "no empty key"),
        (dict(streams=["a", "a"]), ValueError, "names a key twice"),
        (dict(streams=7), TypeError, "streams should be"),
        (dict(groupName=""), ValueError, "groupName"),
        (dict(consumerName=""), ValueError, "consumerName"),
        (dict(startId="latest"), ValueError, "startId must be"),
        (dict(claimIdle=0), ValueError, "claimIdle must be"),
        (dict(messageDecoder="utf-8"), TypeError, "messageDecoder should be callable"),
        (dict(storageLevel=None), TypeError, "storageLevel"),
        (dict(connectOptions="x"), TypeError, "connectOptions"),
    ]:
        args = {"url": "redis://127.0.0.1:6379/0", "streams": "s", "groupName": "g", **bad}
        with pytest.raises(error, match=match):
            RedisUtils.createStream(ssc, **args)
    assert ssc._graph.receiver_input_streams == []


def test_a_missing_client_names_the_extra(sc, monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ImportError, match=r"pip install 'sparklet\[redis\]'"):
        RedisUtils.createStream(StreamingContext(sc, 1), "redis://127.0.0.1:1/0", "s", "g")


def test_the_consumer_name_is_stable(sc):
    ssc = StreamingContext(sc, 1)
    RedisUtils.createStream(ssc, "redis://127.0.0.1:1/0", ["a", "b"], "g")
    RedisUtils.createStream(ssc, "redis://127.0.0.1:1/0", "a", "g", consumerName="mine")
    first, second = (s.getReceiver() for s in ssc._graph.receiver_input_streams)
    assert first.consumer() == f"{consumer_name(sc.appName, ['a', 'b'])}-{first.streamId}"
    assert second.consumer() == "mine"


# -- against the server --------------------------------------------------------------------

def test_entries_arrive_exactly_and_the_group_resumes(sc, redis_url):
    one, two, group = unique("a"), unique("b"), unique("g")
    first = numbered("x", 300)
    ids = add(redis_url, one, first[:200]) + add(redis_url, two, first[200:])
    run = run_until(sc, len(first), url=redis_url, streams=[one, two], groupName=group,
                    startId="0", paired=True)
    keys = [one] * 200 + [two] * 100
    assert sorted(run.records) == sorted(
        (k, i, {"line": v}) for k, i, v in zip(keys, ids, first, strict=True))
    assert pending(redis_url, one, group) == pending(redis_url, two, group) == 0

    # The group resumes after its acknowledged entries; elements are the fields alone.
    second = numbered("y", 50)
    add(redis_url, one, second)
    run = run_until(sc, len(second), url=redis_url, streams=[one, two], groupName=group)
    assert all(list(d) == ["line"] for d in run.records)
    assert Counter(d["line"] for d in run.records) == Counter(second)


def test_own_pending_entries_are_read_first(make_context, redis_url, tmp_path):
    """Consumer c1 read 80 entries and died before acknowledging them: a stream that is c1
    again gets them (Redis never redelivers by itself) and then the rest."""
    ctx = make_context(receiver_conf(**WAL))
    key, group = unique("p"), unique("g")
    records = numbered("p", 300)
    r = client(redis_url)
    r.xgroup_create(key, group, id="0", mkstream=True)
    add(redis_url, key, records)
    taken = r.xreadgroup(group, "c1", {key: ">"}, count=80)
    assert len(taken[0][1]) == 80 and pending(redis_url, key, group) == 80
    run = run_until(ctx, len(records), checkpoint=tmp_path, url=redis_url, streams=key,
                    groupName=group, consumerName="c1")
    assert Counter(d["line"] for d in run.records) == Counter(records)
    assert pending(redis_url, key, group) == 0
    r.close()


def test_entries_of_a_dead_consumer_are_claimed(sc, redis_url):
    key, group = unique("c"), unique("g")
    records = numbered("c", 100)
    r = client(redis_url)
    r.xgroup_create(key, group, id="0", mkstream=True)
    add(redis_url, key, records)
    r.xreadgroup(group, "ghost", {key: ">"}, count=40)
    run = run_until(sc, len(records), url=redis_url, streams=key, groupName=group,
                    claimIdle=0.3)
    assert Counter(d["line"] for d in run.records) == Counter(records)
    assert pending(redis_url, key, group) == 0
    r.close()


def test_a_raising_decoder_is_counted(sc, redis_url):
    key = unique("m")
    add(redis_url, key, ["1", "two", "3", "4x", "5"], field="n")
    run = Run(sc, url=redis_url, streams=key, groupName="g", startId="0",
              messageDecoder=lambda b: int(b))
    try:
        assert wait_until(lambda: run.count() >= 3 and run.malformed() >= 2)
    finally:
        got = run.stop()
    assert sorted(d["n"] for d in got) == [1, 3, 5] and run.malformed() == 2


def test_max_rate_paces_the_receiver(make_context, redis_url, tmp_path):
    """``maxRate`` 2000/s: what the driver has received since ``t0`` never exceeds 2000/s ×
    the time passed, plus 50 ms of burst and one block (the limiter lets a block pass, then
makes the next one wait for it: a reliable block is 50 ms worth); all of it arrives,
once."""
    ctx = make_context(receiver_conf(**{"spark.streaming.receiver.maxRate": "2000", **WAL}))
    key = unique("r")
    add(redis_url, key, ["marker"])
    records = numbered("r", 4000)
    run = Run(ctx, checkpoint=tmp_path, url=redis_url, streams=key, groupName="g",
              startId="0")
    over = []

    def within_rate() -> bool:
        held = run.received() - 1
        if held > 2000 * (time.monotonic() - t0) + 100 + 100 + 1:
            over.append(held)
        return held >= len(records)

    try:
        assert wait_until(lambda: run.received() == 1)
        t0 = time.monotonic()
        add(redis_url, key, records)
        assert wait_until(within_rate)
        assert wait_until(lambda: run.count() > len(records))
    finally:
        got = run.stop()
    assert over == []
    assert Counter(d["line"] for d in got) == Counter(["marker"] + records)


def test_pending_entries_deleted_from_the_stream_are_acknowledged(sc, redis_url):
    """c1 holds 10 entries when 4 of them are deleted (XDEL): c1 again gets the other 6
    and the rest, and nothing stays pending."""
    key, group = unique("del"), unique("g")
    records = numbered("d", 30)
    r = client(redis_url)
    r.xgroup_create(key, group, id="0", mkstream=True)
    ids = add(redis_url, key, records)
    r.xreadgroup(group, "c1", {key: ">"}, count=10)
    r.xdel(key, *ids[:4])
    run = run_until(sc, 26, url=redis_url, streams=key, groupName=group,
                    consumerName="c1")
    assert Counter(d["line"] for d in run.records) == Counter(records[4:])
    assert pending(redis_url, key, group) == 0
    r.close()
