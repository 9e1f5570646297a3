"""MQTTUtils against a real Mosquitto: messages arrive exactly through createStream and
createPairedStream (several topics, wildcards), payloads decoded leniently as Bahir does,
maxRate paces the receiver; bad arguments and a missing paho-mqtt fail at once."""

from __future__ import annotations

import sys
import time
from collections import Counter

import pytest
from mqtt_helpers import (  # noqa: F401 - the fixtures
    Run,
    mqtt_own_fixture,
    mqtt_url_fixture,
    numbered,
    publish,
    unique,
    without_probes,
)
from receiver_helpers import receiver_conf, wait_until

from sparklet.storagelevel import StorageLevel
from sparklet.streaming import StreamingContext
from sparklet.streaming.mqtt import MQTTUtils
from sparklet.streaming.sources.mqtt import stable_client_id

WAL = {"spark.streaming.receiver.writeAheadLog.enable": "true"}
URL = "tcp://127.0.0.1:1883"


# -- without a broker ----------------------------------------------------------------------

def test_bad_arguments_fail_at_create_stream(sc):
    ssc = StreamingContext(sc, 1)
    for bad, error, match in [
        (dict(brokerUrl="127.0.0.1:1883"), ValueError, "brokerUrl must be tcp://"),
        (dict(brokerUrl="tcp://h:port"), ValueError, "bad port"),
        (dict(brokerUrl=None), TypeError, "brokerUrl should be a str"),
        (dict(topic=""), ValueError, "cannot be empty"),
        (dict(topic=7), TypeError, "a topic should be a str"),
        (dict(topic="a/#/b"), ValueError, "'#' must be the last level"),
        (dict(topic="a/b+"), ValueError, "'\\+' must be a whole level"),
        (dict(storageLevel="MEMORY"), TypeError, "storageLevel"),
        (dict(qos=3), ValueError, "qos must be 0, 1 or 2"),
        (dict(mqttVersion=6), ValueError, "mqttVersion must be"),
        (dict(cleanSession="no"), TypeError, "cleanSession should be a bool"),
        (dict(clientId=""), ValueError, "clientId cannot be empty"),
        (dict(keepAliveInterval=-1), ValueError, "keepAliveInterval must be"),
        (dict(retries=3), TypeError, "unexpected keyword argument"),
    ]:
        args = {"brokerUrl": URL, "topic": "t", **bad}
        with pytest.raises(error, match=match):
            MQTTUtils.createStream(ssc, **args)
    for topics, error in [("t", TypeError), ([], ValueError), (["a", "a"], ValueError)]:
        with pytest.raises(error):
            MQTTUtils.createPairedStream(ssc, URL, topics)
    assert ssc._graph.receiver_input_streams == []


def test_a_missing_client_names_the_extra(sc, monkeypatch):
    monkeypatch.setitem(sys.modules, "paho.mqtt.client", None)
    with pytest.raises(ImportError, match=r"pip install 'sparklet\[mqtt\]'"):
        MQTTUtils.createStream(StreamingContext(sc, 1), URL, "t")


def test_the_client_id_is_stable_or_given(make_context, tmp_path):
    ctx = make_context(receiver_conf(**WAL))
    ssc = StreamingContext(ctx, 1)
    ssc.checkpoint(str(tmp_path))
    MQTTUtils.createStream(ssc, URL, "a/b", StorageLevel.MEMORY_AND_DISK_2)
    MQTTUtils.createPairedStream(ssc, URL, ["a", "b"], clientId="mine", cleanSession=True)
    first, second = (s.getReceiver() for s in ssc._graph.receiver_input_streams)
    assert first.clientIdPrefix == stable_client_id(ctx.appName, ["a/b"])
    assert second.client_id() == "mine" and second.cleanSession is True


# -- against the broker --------------------------------------------------------------------

def test_create_stream_delivers_every_message_once(sc, mqtt_url):
    topic = unique("words")
    messages = numbered("x", 300)
    run = Run(sc, mqtt_url, topic)
    try:
        run.subscribed(mqtt_url, topic)
        publish(mqtt_url, topic, messages + [b"ogiltig \xff"])
        assert wait_until(lambda: len(without_probes(run.records)) > len(messages)), (
            run.count(), run.events.errors)
    finally:
        got = without_probes(run.stop())
    # Bahir's lenient UTF-8: the invalid byte is U+FFFD, the message is not malformed.
    assert Counter(got) == Counter(messages + ["ogiltig \ufffd"])
    assert run.malformed() == 0
    assert all(isinstance(m, str) for m in got)


def test_paired_stream_of_several_topics_and_wildcards(sc, mqtt_url):
    base = unique("home")
    topics = [f"{base}/+/temperature", f"{base}/garden/#", f"{base}/door"]
    sent = ([(f"{base}/kitchen/temperature", f"k{i}") for i in range(50)]
            + [(f"{base}/garden/soil/moisture", f"g{i}") for i in range(50)]
            + [(f"{base}/door", f"d{i}") for i in range(20)])
    ignored = [(f"{base}/kitchen/humidity", "no"), (f"{base}/doors", "no")]
    run = Run(sc, mqtt_url, topics, paired=True)
    try:
        run.subscribed(mqtt_url, f"{base}/door")
        publish(mqtt_url, "", ignored + sent)
        assert wait_until(lambda: len(without_probes(run.records)) >= len(sent)), (
            run.count(), run.events.errors)
        publish(mqtt_url, f"{base}/door", ["last"])  # after the ignored ones, in order
        assert wait_until(lambda: (f"{base}/door", "last") in run.records)
    finally:
        got = without_probes(run.stop())
    assert Counter(got) == Counter(sent + [(f"{base}/door", "last")])


def test_max_rate_paces_the_receiver(make_context, mqtt_own, tmp_path):
    """``maxRate`` 2000/s: what the driver has received since ``t0`` never exceeds 2000/s ×
    the time passed, plus a block's worth of burst; all of it arrives, once (the broker's
    inflight window is 1000, more than a 50 ms block at this rate)."""
    service, _ = mqtt_own
    ctx = make_context(receiver_conf(**{"spark.streaming.receiver.maxRate": "2000", **WAL}))
    topic = unique("rate")
    records = numbered("r", 3000)
    run = Run(ctx, service.url, topic, checkpoint=tmp_path)
    over = []

    def within_rate() -> bool:
        held = run.received() - probes
        if held > 2000 * (time.monotonic() - t0) + 100 + 100 + 1:
            over.append(held)
        return held >= len(records)

    try:
        run.subscribed(service.url, topic)
        assert wait_until(lambda: run.received() == run.count())
        probes = run.received()
        t0 = time.monotonic()
        publish(service.url, topic, records)
        assert wait_until(within_rate)
        assert wait_until(lambda: len(without_probes(run.records)) >= len(records))
    finally:
        got = without_probes(run.stop())
    assert over == []
    assert Counter(got) == Counter(records)
