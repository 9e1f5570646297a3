"""NATSUtils.createStream against a real NATS server with JetStream: messages arrive
exactly and decoded, a durable consumer resumes after its acknowledgements, unacknowledged
messages come again after ackWait, decoder errors are counted, maxRate paces the receiver,
core NATS works without JetStream; bad arguments and a missing nats-py fail at once."""

from __future__ import annotations

import sys
import time
from collections import Counter

import pytest
from nats_helpers import (  # noqa: F401 - nats_url_fixture: the fixture
    Run,
    consumer_info,
    fetch_without_ack,
    nats_url_fixture,
    numbered,
    publish,
    publish_core,
    run_until,
    unique,
)
from receiver_helpers import receiver_conf, wait_until

from sparklet.streaming import StreamingContext
from sparklet.streaming.nats import NATSUtils
from sparklet.streaming.sources.nats import durable_name

WAL = {"spark.streaming.receiver.writeAheadLog.enable": "true"}


# -- without a server ----------------------------------------------------------------------

def test_bad_arguments_fail_at_create_stream(sc):
    ssc = StreamingContext(sc, 1)
    url = "nats://127.0.0.1:4222"
    for bad, error, match in [
        (dict(servers=[]), ValueError, "at least one"),
        (dict(servers=5), TypeError, "servers should be"),
        (dict(servers="http://x/y"), ValueError, "not a NATS server URL"),
        (dict(subject=""), ValueError, "subject '' is not valid"),
        (dict(subject=None), TypeError, "subject should be a str"),
        (dict(deliverPolicy="first"), ValueError, "deliverPolicy must be one of"),
        (dict(stream="a.b"), ValueError, "stream 'a.b' is not valid"),
        (dict(durable="x y"), ValueError, "durable 'x y' is not valid"),
        (dict(ackWait=0), ValueError, "ackWait must be"),
        (dict(maxAckPending=1.5), ValueError, "maxAckPending must be"),
        (dict(messageDecoder="utf-8"), TypeError, "messageDecoder should be callable"),
        (dict(storageLevel="MEMORY"), TypeError, "storageLevel"),
        (dict(connectOptions=[1]), TypeError, "connectOptions"),
    ]:
        args = {"servers": url, "subject": "s", **bad}
        with pytest.raises(error, match=match):
            NATSUtils.createStream(ssc, **args)
    assert ssc._graph.receiver_input_streams == []


def test_a_missing_client_names_the_extra(sc, monkeypatch):
    monkeypatch.setitem(sys.modules, "nats", None)
    with pytest.raises(ImportError, match=r"pip install 'sparklet\[nats\]'"):
        NATSUtils.createStream(StreamingContext(sc, 1), "nats://127.0.0.1:4222", "s")


def test_the_durable_name_comes_from_the_app_and_the_stream(sc):
    ssc = StreamingContext(sc, 1)
    NATSUtils.createStream(ssc, "nats://127.0.0.1:4222", "orders.*")
    NATSUtils.createStream(ssc, "127.0.0.1:4222,127.0.0.1:4223", "x", stream="ORDERS")
    first, second = (s.getReceiver() for s in ssc._graph.receiver_input_streams)
    assert first.durable == durable_name(sc.appName, "orders.*")
    assert second.durable == durable_name(sc.appName, "ORDERS")
    assert second.servers == ["127.0.0.1:4222", "127.0.0.1:4223"]


# -- against the server --------------------------------------------------------------------

def test_messages_arrive_exactly_and_the_durable_consumer_resumes(sc, nats_url):
    subject, stream = unique("s."), unique("S")
    first = numbered("a", 400)
    publish(nats_url, subject, first, stream=stream)
    run = run_until(sc, len(first), servers=nats_url, subject=subject)
    assert Counter(run.records) == Counter(p.decode() for p in first)
    durable = durable_name(sc.appName, subject)  # found the stream by its subject
    info = consumer_info(nats_url, stream, durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    assert info.delivered.stream_seq == 400

    # A new stream of the same application resumes after the acknowledged messages.
    second = numbered("b", 100)
    publish(nats_url, subject, second)
    run = run_until(sc, len(second), servers=nats_url, subject=subject,
                    messageDecoder=len, paired=True)
    assert Counter(run.records) == Counter((subject, len(p)) for p in second)
    assert consumer_info(nats_url, stream, durable).num_ack_pending == 0


def test_stream_and_consumer_are_created_and_deliver_policy_new(make_context, nats_url,
                                                                tmp_path):
    ctx = make_context(receiver_conf(**WAL))
    subject, stream = unique("c."), unique("C")
    run = Run(ctx, checkpoint=tmp_path, servers=nats_url, subject=subject, stream=stream,
              durable="d1",
              deliverPolicy="new")
    try:
        assert wait_until(lambda: _exists(nats_url, stream, "d1"))
        records = numbered("n", 300)
        publish(nats_url, subject, records)
        assert wait_until(lambda: run.count() >= 300), (run.count(), run.events.errors)
    finally:
        got = run.stop()
    assert Counter(got) == Counter(p.decode() for p in records)
    assert consumer_info(nats_url, stream, "d1").num_ack_pending == 0


def _exists(url, stream, durable) -> bool:
    try:
        consumer_info(url, stream, durable)
        return True
    except Exception:  # noqa: BLE001 - not yet created
        return False


def test_unacknowledged_messages_come_again_after_ack_wait(sc, nats_url):
    """Another client takes 50 messages of the consumer and never acknowledges them: the
    stream gets them anyway once ackWait (1 s) has passed."""
    subject, stream = unique("r."), unique("R")
    records = numbered("r", 200)
    publish(nats_url, subject, [], stream=stream)
    run = Run(sc, servers=nats_url, subject=subject, stream=stream, durable="d",
              ackWait=1.0, deliverPolicy="all")
    try:
        assert wait_until(lambda: _exists(nats_url, stream, "d"))
        run.ssc.stop(stopSparkContext=False)  # the consumer exists; nobody reads it now
        publish(nats_url, subject, records)
        taken = fetch_without_ack(nats_url, stream, "d", 50)
        assert len(taken) == 50
    finally:
        run.stop()
    run = run_until(sc, len(records), servers=nats_url, subject=subject, stream=stream,
                    durable="d")
    assert Counter(run.records) == Counter(p.decode() for p in records)
    info = consumer_info(nats_url, stream, "d")
    assert info.num_redelivered == 0 and info.num_ack_pending == 0


def test_a_raising_decoder_is_counted(sc, nats_url):
    subject = unique("m.")
    payloads = [b"1", b"two", b"3", b"\xff", b"5"]
    publish(nats_url, subject, payloads, stream=unique("M"))
    run = Run(sc, servers=nats_url, subject=subject, messageDecoder=lambda b: int(b))
    try:
        assert wait_until(lambda: run.count() >= 3 and run.malformed() >= 2)
    finally:
        got = run.stop()
    assert sorted(got) == [1, 3, 5] and run.malformed() == 2


def test_max_rate_paces_the_receiver(make_context, nats_url, tmp_path):
    """``maxRate`` 2000/s: what the driver has received since ``t0`` never exceeds 2000/s ×
    the time passed, plus 50 ms of burst and one block (the limiter lets a block pass, then
makes the next one wait for it: a reliable block is 50 ms worth); all of it arrives,
once."""
    ctx = make_context(receiver_conf(**{"spark.streaming.receiver.maxRate": "2000", **WAL}))
    subject = unique("p.")
    publish(nats_url, subject, [b"marker"], stream=unique("P"))
    records = numbered("p", 4000)
    run = Run(ctx, checkpoint=tmp_path, servers=nats_url, subject=subject)
    over = []

    def within_rate() -> bool:
        held = run.received() - 1
        if held > 2000 * (time.monotonic() - t0) + 100 + 100 + 1:
            over.append(held)
        return held >= len(records)

    try:
        assert wait_until(lambda: run.received() == 1)
        t0 = time.monotonic()
        publish(nats_url, subject, records)
        assert wait_until(within_rate)
        assert wait_until(lambda: run.count() > len(records))
    finally:
        got = run.stop()
    assert over == []
    assert Counter(got) == Counter(["marker"] + [p.decode() for p in records])


def test_core_nats_without_jetstream(sc, nats_url):
    subject = unique("core.")
    run = Run(sc, servers=nats_url, subject=subject, jetstream=False, paired=True)
    records = numbered("c", 300)
    try:
        # At most once: only what is published once the subscription stands arrives.
        def subscribed() -> bool:
            publish_core(nats_url, subject, [b"probe"])
            return run.count() > 0

        assert wait_until(subscribed)
        publish_core(nats_url, subject, records)
        expected = Counter((subject, p.decode()) for p in records)
        assert wait_until(lambda: Counter(r for r in run.records if r[1] != "probe")
                          == expected), run.count()
    finally:
        run.stop()


def test_a_new_session_asks_again_for_what_a_lost_one_held(nats_url):
    """The receiver's own calls, as its receiving thread makes them: a session fetches 20
    messages and is lost before acknowledging them; the next session NAKs them, so they
    come again at once rather than after ackWait (here 10 minutes)."""
    from sparklet.streaming.sources.nats import NATSReceiver

    subject, stream = unique("n."), unique("N")
    records = numbered("n", 20)
    publish(nats_url, subject, records, stream=stream)
    receiver = NATSReceiver([nats_url], subject, stream, "d", ackWait=600.0)

    def fetch_all(session) -> list:
        got: list = []
        deadline = time.monotonic() + 30
        while len(got) < len(records) and time.monotonic() < deadline:
            got.extend(receiver.fetch(session, len(records) - len(got), 0.5))
        return got

    lost = receiver.connect()
    assert sorted(r for r, _ in fetch_all(lost)) == sorted(records)
    receiver.close(lost)  # nothing acknowledged
    session = receiver.connect()
    try:
        again = fetch_all(session)
        assert sorted(r for r, _ in again) == sorted(records)
        receiver.ack(session, [t for _, t in again])
    finally:
        receiver.close(session)
    info = consumer_info(nats_url, stream, "d")
    assert info.num_ack_pending == 0 and info.num_pending == 0


def test_a_missing_stream_without_create_is_reported(sc, nats_url):
    stream = unique("Missing")
    run = Run(sc, servers=nats_url, subject=unique("none."), stream=stream, create=False)
    try:
        assert wait_until(lambda: run.events.errors), "no ReceiverError"
    finally:
        run.stop()
    assert f"no JetStream stream {stream} (create=False)" in run.events.errors[0]
