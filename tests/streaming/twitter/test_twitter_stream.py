"""The X filtered-stream source against a local server that speaks the API: rules kept in
line, posts arriving exactly, keep-alives ignored, reconnects after drops, stalls, HTTP
errors and rate limits with X's backoff (scaled down), malformed lines counted."""

from __future__ import annotations

import sys
import threading
import time

import pytest
from receiver_helpers import WAIT, receiver_conf, wait_until
from twitter_server import HOLD, TwitterServer, post

from sparklet.streaming import StreamingContext, StreamingListener
from sparklet.streaming.sources.twitter import ReconnectPolicy
from sparklet.streaming.testing import advance_batches, use_manual_clock
from sparklet.streaming.twitter import Status, TwitterUtils, parse_status

TOKEN = "test-bearer-token"


@pytest.fixture
def server():
    s = TwitterServer()
    yield s
    s.close()


class Errors(StreamingListener):
    def __init__(self):
        super().__init__()
        self.errors, self.infos, self.stopped = [], [], []

    def onReceiverStopped(self, receiverStopped):
        self.stopped.append(receiverStopped.receiverInfo().lastErrorMessage())

    def onReceiverError(self, receiverError):
        self.errors.append(receiverError.receiverInfo().lastErrorMessage())

    def onBatchCompleted(self, batchCompleted):
        self.infos.append(batchCompleted.batchInfo())


def start(make_context, server, filters=None, stall="0.5", scale="0.001", **kwargs):
    sc = make_context(receiver_conf(**{"spark.sparklet.twitter.stallTimeout": stall,
                                       "spark.sparklet.twitter.backoffScale": scale}))
    ssc = StreamingContext(sc, 1)
    use_manual_clock(ssc)
    listener = Errors()
    ssc.addStreamingListener(listener)
    statuses = TwitterUtils.createStream(ssc, TOKEN, filters, apiUrl=server.url, **kwargs)
    got: list = []
    lock = threading.Lock()

    def record(rdd):
        items = rdd.map(lambda s: (s.getId(), s.getText(), s.getUser().getScreenName(),
                                   [h.getText() for h in s.getHashtagEntities()])).collect()
        with lock:
            got.extend(items)

    statuses.foreachRDD(record)
    ssc.start()
    return ssc, listener, got


def drain(ssc, got, n):
    """Advance batches until ``n`` posts were collected (bounded)."""
    for _ in range(200):
        if len(got) >= n:
            return
        advance_batches(ssc, 1)
    raise AssertionError(f"only {len(got)} of {n} posts arrived")


def received(ssc) -> int:
    """Posts the receiver has stored so far (the context's only input stream)."""
    (stream,) = ssc._graph.input_streams
    return ssc._receiver_tracker.received_records(stream.input_stream_id)


def test_rules_are_kept_in_line_and_posts_arrive_exactly(make_context, server):
    server.rules = [{"id": "1", "value": "old", "tag": "sparklet"},
                    {"id": "2", "value": "keep", "tag": "other"}]
    lines = []
    for i in range(300):
        lines.append(post(i, tags=("spark",) if i % 3 == 0 else ()))
        if i % 50 == 0:
            lines.append("")  # keep-alives between posts
    server.script(*lines, HOLD)
    ssc, _, got = start(make_context, server, ["cats has:images", "keep"], stall="30")
    try:
        assert wait_until(lambda: received(ssc) == 300, WAIT)
        drain(ssc, got, 300)
    finally:
        ssc.stop(stopSparkContext=False)
    assert sorted(got) == [(1000 + i, f"post {i}", "ada", ["spark"] if i % 3 == 0 else [])
                           for i in range(300)]
    assert sorted((r["value"], r["tag"]) for r in server.rules) == [
        ("cats has:images", "sparklet"), ("keep", "other")]
    stream = server.stream_connections()
    assert stream[0]["authorization"] == f"Bearer {TOKEN}"
    assert "author_id" in stream[0]["query"]["expansions"][0]
    assert len(stream) == 1  # held open: no reconnect with a 30 s stall timeout


def test_a_dropped_or_stalled_stream_is_reconnected(make_context, server):
    server.script(post(1), post(2))                 # ends after two posts
    server.script(HOLD)                             # stalls: nothing, not even keep-alives
    server.script(post(3), "", post(4), HOLD)
    ssc, _, got = start(make_context, server)
    try:
        assert wait_until(lambda: received(ssc) == 4, WAIT)
        drain(ssc, got, 4)
    finally:
        ssc.stop(stopSparkContext=False)
    assert sorted(i for i, *_ in got) == [1001, 1002, 1003, 1004]
    assert len(server.stream_connections()) >= 3


def test_http_errors_and_rate_limits_back_off_then_data_flows(make_context, server):
    server.script(status=503, body={"title": "Service Unavailable"})
    server.script(status=503, body={"title": "Service Unavailable"})
    server.script(status=429, body={"title": "Too Many Requests"},
                  headers={"x-rate-limit-reset": "0"})
    server.script(post(7), HOLD)
    ssc, listener, got = start(make_context, server, stall="30")
    try:
        assert wait_until(lambda: received(ssc) == 1, WAIT)
        drain(ssc, got, 1)
    finally:
        ssc.stop(stopSparkContext=False)
    assert [i for i, *_ in got] == [1007]
    assert len(server.stream_connections()) == 4
    # One report for the outage, naming what X answered.
    assert len(listener.errors) == 1 and "HTTP 503" in listener.errors[0]


def test_a_refused_token_is_reported_and_retried(make_context, server):
    for _ in range(2):
        server.script(status=401, body={"title": "Unauthorized",
                                        "detail": "Unauthorized", "status": 401})
    server.script(post(1), HOLD)
    ssc, listener, got = start(make_context, server, stall="30")
    try:
        assert wait_until(lambda: received(ssc) == 1, WAIT)
    finally:
        ssc.stop(stopSparkContext=False)
    assert "HTTP 401: Unauthorized" in listener.errors[0]
    assert len(server.stream_connections()) == 3


def test_a_refused_rule_stops_the_receiver_with_xs_message(make_context, server):
    ssc, listener, _ = start(make_context, server, ["INVALID ((("])
    try:
        assert wait_until(lambda: listener.stopped, WAIT)  # stopped for good, not restarted
    finally:
        ssc.stop(stopSparkContext=False)
    assert "X refused the stream rules: Invalid Rule INVALID ((( syntax error" in \
        listener.stopped[0]
    assert server.stream_connections() == []
    assert not server.rules


def test_operational_errors_and_malformed_lines(make_context, server):
    server.script(post(1), "not json at all", '{"unexpected": true}',
                  '{"errors": [{"title": "operational-disconnect", "disconnect_type": '
                  '"UpstreamOperationalDisconnect", "detail": "This stream has been '
                  'disconnected upstream for operational reasons."}]}', post(2), HOLD)
    ssc, listener, got = start(make_context, server, stall="30")
    try:
        assert wait_until(lambda: received(ssc) == 4, WAIT)
        drain(ssc, got, 2)
        assert wait_until(lambda: listener.infos, WAIT)
    finally:
        ssc.stop(stopSparkContext=False)
    assert sorted(i for i, *_ in got) == [1001, 1002]
    bad = sum(i.streamIdToInputInfo()[0].metadata().get("malformedRecords", 0)
              for i in listener.infos if 0 in i.streamIdToInputInfo())
    assert bad == 2
    assert any("disconnected upstream" in e for e in listener.errors)


def test_reconnect_policy_follows_xs_guide():
    p = ReconnectPolicy()
    assert [p.network_error() for _ in range(66)][-3:] == [16.0, 16.0, 16.0]
    p.connected()
    assert [p.network_error() for _ in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert [p.http_error(500) for _ in range(8)] == [5, 10, 20, 40, 80, 160, 320, 320]
    assert [p.http_error(429) for _ in range(3)] == [60, 120, 240]
    assert p.http_error(429, reset_in=900.0) == 900.0
    assert ReconnectPolicy(0.01).http_error(503) == pytest.approx(0.05)


def test_status_getters():
    s = parse_status(post(5, "I like #spark and #python", tags=("spark", "python"),
                          user="grace"))
    assert isinstance(s, Status) and s.getId() == 1005 and s.getLang() == "en"
    assert s.getUser().getScreenName() == "grace" and s.getUser().getName() == "Grace"
    assert [h.getText() for h in s.getHashtagEntities()] == ["spark", "python"]
    assert s.getCreatedAt().year == 2026 and s.getRetweetCount() == 0
    assert s.getMatchingRules() == [{"id": "1", "tag": "sparklet"}]
    with pytest.raises(ValueError):
        parse_status('{"errors": []}')


def test_bad_arguments(sc):
    ssc = StreamingContext(sc, 1)
    try:
        with pytest.raises(ValueError, match="bearerToken"):
            TwitterUtils.createStream(ssc, "")
        with pytest.raises(TypeError, match="filters"):
            TwitterUtils.createStream(ssc, TOKEN, "spark")
        with pytest.raises(ValueError, match="apiUrl"):
            TwitterUtils.createStream(ssc, TOKEN, apiUrl="ftp://x")
        with pytest.raises(ValueError, match="backfillMinutes"):
            TwitterUtils.createStream(ssc, TOKEN, backfillMinutes=9)
    finally:
        ssc.stop(stopSparkContext=False)


def test_a_missing_httpx_names_the_extra(sc, monkeypatch):
    monkeypatch.setitem(sys.modules, "httpx", None)
    ssc = StreamingContext(sc, 1)
    try:
        with pytest.raises(ImportError, match=r"sparklet\[twitter\]"):
            TwitterUtils.createStream(ssc, TOKEN)
    finally:
        ssc.stop(stopSparkContext=False)



def _gaps(server) -> list[float]:
    t = [c["time"] for c in server.stream_connections()]
    return [b - a for a, b in zip(t, t[1:], strict=False)]


def test_the_delays_between_attempts_are_xs_scaled_backoff(make_context, server):
    """On the server's record of attempts: each gap is at least its scaled delay (a lower
    bound, so no timing flake): 5xx exponential from 5 s, 429 held until
    ``x-rate-limit-reset`` when that is later than the 60 s backoff."""
    for _ in range(3):
        server.script(status=503, body={"title": "Service Unavailable"})
    reset = str(int(time.time()) + 100)  # 100 s at scale 0.02: about 2 s, over 60 s * 0.02
    server.script(status=429, body={"title": "Too Many Requests"},
                  headers={"x-rate-limit-reset": reset})
    server.script(post(9), HOLD)
    ssc, _, got = start(make_context, server, stall="30", scale="0.02")
    try:
        assert wait_until(lambda: received(ssc) == 1, WAIT)
        drain(ssc, got, 1)
    finally:
        ssc.stop(stopSparkContext=False)
    gaps = _gaps(server)
    assert len(gaps) == 4, gaps
    for gap, delay in zip(gaps, (0.1, 0.2, 0.4, 99 * 0.02), strict=True):
        assert gap >= delay * 0.95, gaps


def test_a_stream_ending_without_data_backs_off_linearly(make_context, server):
    """Connections that end with nothing at all: X's network backoff, 250 ms more per
    attempt (at scale 0.2: 50, 100, 150 ms), never a hot reconnect loop."""
    for _ in range(3):
        server.script()
    server.script(post(5), HOLD)
    ssc, _, got = start(make_context, server, stall="30", scale="0.2")
    try:
        assert wait_until(lambda: received(ssc) == 1, WAIT)
        drain(ssc, got, 1)
    finally:
        ssc.stop(stopSparkContext=False)
    gaps = _gaps(server)
    assert len(gaps) == 3, gaps
    for gap, delay in zip(gaps, (0.05, 0.10, 0.15), strict=True):
        assert gap >= delay * 0.95, gaps
