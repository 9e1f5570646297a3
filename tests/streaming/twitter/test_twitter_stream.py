"""TwitterUtils against the tests' local X API v2 filtered-stream server: rules synced,
tweets arriving exactly as Status objects, keep-alives ignored, malformed lines counted,
the documented reconnect backoff (asserted on the server's record of attempts: each gap is
at least the configured, scaled delay), 401 stopping the receiver, bad arguments."""

from __future__ import annotations

import json
import time

import pytest
from receiver_helpers import wait_until
from twitter_helpers import TOKEN, Run, server_fixture, twitter_conf  # noqa: F401 - fixture
from twitter_server import STREAM, Answer, TwitterServer, tweet

from sparklet.streaming import StreamingContext
from sparklet.streaming.twitter import TwitterUtils


def test_bad_arguments_fail_at_create_stream(sc):
    ssc = StreamingContext(sc, 1)
    try:
        with pytest.raises(ValueError, match="bearerToken"):
            TwitterUtils.createStream(ssc, "")
        with pytest.raises(TypeError, match="filters"):
            TwitterUtils.createStream(ssc, TOKEN, "spark")
        with pytest.raises(TypeError, match="filters"):
            TwitterUtils.createStream(ssc, TOKEN, ["ok", ""])
        with pytest.raises(TypeError, match="storageLevel"):
            TwitterUtils.createStream(ssc, TOKEN, storageLevel="MEMORY")
        with pytest.raises(ValueError, match="apiUrl"):
            TwitterUtils.createStream(ssc, TOKEN, apiUrl="ftp://x")
    finally:
        ssc.stop(stopSparkContext=False)


def test_a_missing_httpx_names_the_extra(sc, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_httpx(name, *args, **kwargs):
        if name == "httpx":
            raise ImportError("No module named 'httpx'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_httpx)
    ssc = StreamingContext(sc, 1)
    try:
        with pytest.raises(ImportError, match=r"sparklet\[twitter\]"):
            TwitterUtils.createStream(ssc, TOKEN)
    finally:
        ssc.stop(stopSparkContext=False)


def test_rules_synced_tweets_arrive_exactly_keepalives_ignored(make_context):
    srv = TwitterServer(rules=[{"id": "1", "value": "old", "tag": "sparklet"},
                               {"id": "2", "value": "spark", "tag": "sparklet"},
                               {"id": "3", "value": "theirs", "tag": "other-app"}])
    lines = [tweet(i, tags=("spark",) if i % 2 else ()) for i in range(200)]
    srv.scripts = [Answer(lines=[b"\r\n"] + lines[:100] + [b"\r\n", b"\r\n"] + lines[100:])]
    run = Run(make_context(twitter_conf()), srv, filters=["spark", "python"],
              tweetFields=["created_at", "entities"], expansions=["author_id"])
    try:
        assert wait_until(lambda: run.count() >= 200), (run.count(), run.events.errors)
    finally:
        got = run.stop()
        srv.stop()
    assert sorted(s.getId() for s in got) == [1000 + i for i in range(200)]
    s = next(s for s in got if s.getId() == 1001)
    assert s.getText() == "tweet 1" and s.getLang() == "en"
    assert [h.getText() for h in s.getHashtagEntities()] == ["spark"]
    assert s.getUser().getScreenName() == "ada" and s.getUser().getId() == 42
    assert s.getCreatedAt().year == 2026 and s.json["data"]["id"] == "1001"
    # Rules: its own stale rule deleted, the missing one added with its tag, others kept.
    assert {r["value"]: r["tag"] for r in srv.rules} == {
        "spark": "sparklet", "theirs": "other-app", "python": "sparklet"}
    assert {"delete": {"ids": ["1"]}} in srv.rule_posts
    assert {"add": [{"value": "python", "tag": "sparklet"}]} in srv.rule_posts
    assert all(r["auth"] == f"Bearer {TOKEN}" for r in srv.requests)
    q = srv.stream_requests()[0]["query"]
    assert q["tweet.fields"] == "created_at,entities" and q["expansions"] == "author_id"


def test_filters_none_keeps_the_rules(make_context, server):
    server.rules = [{"id": "9", "value": "keep", "tag": "sparklet"}]
    server.feed([tweet(1)])
    run = Run(make_context(twitter_conf()), server)
    try:
        assert wait_until(lambda: run.count() >= 1)
    finally:
        run.stop()
    assert server.rule_posts == [] and server.rules[0]["value"] == "keep"


def test_malformed_lines_and_error_objects_are_counted(make_context, server):
    server.feed([tweet(1), b"not json\r\n",
                 json.dumps({"errors": [{"title": "operational-disconnect"}]}).encode()
                 + b"\r\n", b"[1, 2]\r\n", tweet(2)])
    run = Run(make_context(twitter_conf()), server)
    try:
        assert wait_until(lambda: run.count() >= 2 and run.malformed() >= 3), (
            run.count(), run.malformed())
    finally:
        got = run.stop()
    assert sorted(s.getId() for s in got) == [1001, 1002]


def _gaps(srv) -> list[float]:
    t = srv.stream_attempts
    return [b - a for a, b in zip(t, t[1:], strict=False)]


def test_a_dropped_connection_reconnects_with_the_linear_backoff(make_context, server):
    # scale 0.2: network delays 50, 100, 150 ms (X's 250 ms steps).
    server.scripts = [Answer(lines=[tweet(0)], then="close"), Answer(then="close"),
                      Answer(then="close"), Answer(lines=[tweet(1)])]
    run = Run(make_context(twitter_conf(scale=0.2)), server)
    try:
        assert wait_until(lambda: run.count() >= 2), (run.count(), run.events.errors)
    finally:
        got = run.stop()
    assert sorted(s.getId() for s in got) == [1000, 1001]
    assert len(server.stream_attempts) >= 4
    gaps = _gaps(server)[:3]
    for gap, delay in zip(gaps, (0.05, 0.10, 0.15), strict=False):
        assert gap >= delay * 0.95, gaps
    assert run.events.errors and "reconnecting" in run.events.errors[0]


def test_http_5xx_backs_off_exponentially(make_context, server):
    # scale 0.02: HTTP delays 0.1, 0.2, 0.4 s (X's 5, 10, 20 s).
    server.scripts = [Answer(status=503)] * 3 + [Answer(lines=[tweet(5)])]
    run = Run(make_context(twitter_conf(scale=0.02)), server)
    try:
        assert wait_until(lambda: run.count() >= 1), run.events.errors
    finally:
        run.stop()
    gaps = _gaps(server)[:3]
    assert len(gaps) == 3
    for gap, delay in zip(gaps, (0.1, 0.2, 0.4), strict=False):
        assert gap >= delay * 0.95, gaps
    assert "HTTP 503" in run.events.errors[0]


def test_429_waits_for_x_rate_limit_reset(make_context, server):
    # scale 0.02: the 429 backoff starts at 1.2 s (60 s); the reset 100 s away scales to
    # about 2 s, and wins.
    reset = str(int(time.time()) + 100)
    server.scripts = [Answer(status=429, headers={"x-rate-limit-reset": reset}),
                      Answer(lines=[tweet(7)])]
    run = Run(make_context(twitter_conf(scale=0.02)), server)
    try:
        assert wait_until(lambda: run.count() >= 1), run.events.errors
    finally:
        run.stop()
    assert _gaps(server)[0] >= 99 * 0.02 * 0.95
    assert "HTTP 429" in run.events.errors[0]


def test_a_stalled_connection_is_reconnected(make_context, server):
    server.scripts = [Answer(lines=[tweet(0)], then="hold")]
    server.feed([tweet(1)])
    run = Run(make_context(twitter_conf(stall="500ms")), server)
    try:
        assert wait_until(lambda: run.count() >= 2), (run.count(), run.events.errors)
    finally:
        got = run.stop()
    assert sorted(s.getId() for s in got) == [1000, 1001]
    assert len(server.stream_attempts) == 2
    assert "stalled" in run.events.errors[0]


def test_401_is_reported_and_stops_the_receiver(make_context, server):
    server.scripts = [Answer(status=401)] * 5
    run = Run(make_context(twitter_conf()), server)
    try:
        assert wait_until(lambda: any("bearer token" in e for e in run.events.errors))
    finally:
        run.stop()
    assert len([r for r in server.requests if r["path"] == STREAM]) == 1


def test_a_refused_rule_is_a_clear_error(make_context):
    srv = TwitterServer(rule_error={"errors": [{"title": "Invalid Rule",
                                                "detail": "bad operator"}]})
    run = Run(make_context(twitter_conf()), srv, filters=["a AND"])
    try:
        assert wait_until(lambda: any("stream rules" in e for e in run.events.errors))
    finally:
        run.stop()
        srv.stop()
    assert srv.stream_requests() == []
