"""MQTT faults, on a persistent Mosquitto of this module's own (``persistence true``): the
broker restarted mid-stream (the receiver reconnects to its persistent session, the broker
redelivers what was not acknowledged, nothing is lost), the broker down when the stream
starts (ReceiverError, retries, then data flows), and the driver SIGKILLed with the
write-ahead log on (restarted through getOrCreate, the same client id gets the session's
unacknowledged and queued messages, an idempotent SQLite sink holds every message exactly
once)."""

from __future__ import annotations

from pathlib import Path

from crash_helpers import CrashingDriver
from mqtt_helpers import (  # noqa: F401 - mqtt_own_fixture: the fixture
    Run,
    host_port,
    mqtt_own_fixture,
    numbered,
    publish,
    unique,
    without_probes,
)
from receiver_helpers import WAIT, receiver_conf, wait_until

WAL = {"spark.streaming.receiver.writeAheadLog.enable": "true"}


def test_broker_restart_mid_stream_loses_nothing(make_context, mqtt_own, tmp_path):
    service, proc = mqtt_own
    ctx = make_context(receiver_conf(**{"spark.streaming.receiver.maxRate": "2000", **WAL}))
    topic = unique("restart")
    first, second = numbered("before", 1000), numbered("after", 500)
    run = Run(ctx, service.url, topic, checkpoint=tmp_path)
    try:
        run.subscribed(service.url, topic)  # the persistent session exists from here on
        publish(service.url, topic, first)
        assert wait_until(lambda: run.count() >= 100), run.events.errors
        proc.stop()  # SIGTERM: mosquitto writes its sessions and queued messages
        assert wait_until(lambda: any("Lost the connection to MQTT" in e
                                      for e in run.events.errors)), run.events.errors
        proc.start()
        publish(service.url, topic, second)
        expected = set(first + second)
        assert wait_until(lambda: set(run.records) >= expected), (
            run.count(), run.events.errors)
    finally:
        proc.start()
        got = without_probes(run.stop())
    assert set(got) == expected  # redelivered blocks may come twice: at least once


def test_broker_down_at_start_is_retried_then_data_flows(sc, mqtt_own):
    service, proc = mqtt_own
    topic = unique("down")
    proc.stop()
    try:
        run = Run(sc, service.url, topic)
        try:
            assert wait_until(lambda: run.events.errors), "no ReceiverError"
            assert "Cannot connect to MQTT" in run.events.errors[0]
            proc.start()
            run.subscribed(service.url, topic)
            records = numbered("d", 200)
            publish(service.url, topic, records)
            assert wait_until(lambda: len(without_probes(run.records)) >= 200), run.count()
        finally:
            got = without_probes(run.stop())
    finally:
        proc.start()
    assert sorted(got) == sorted(records)


APP = Path(__file__).parent / "mqtt_app.py"


def _make_session(url: str, client_id: str, topic: str) -> None:
    """Create the app's persistent session (QoS 1 subscription) before the app runs, so
    everything published from now on is kept for it."""
    import threading

    import paho.mqtt.client as mqtt

    done = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                         clean_session=False)
    client.on_subscribe = lambda *a: done.set()
    client.connect(*host_port(url))
    client.loop_start()
    client.subscribe(topic, qos=1)
    assert done.wait(WAIT)
    client.disconnect()
    client.loop_stop()


def test_sigkilled_driver_loses_nothing_and_the_sink_holds_each_once(mqtt_own, tmp_path):
    service, _ = mqtt_own
    topic, client_id = unique("kill"), unique("app")
    records = [f"e{i}" for i in range(2000)]
    _make_session(service.url, client_id, topic)
    publish(service.url, topic, records[:1000])
    driver = CrashingDriver(APP, tmp_path, ["--url", service.url, "--topic", topic,
                                            "--client-id", client_id])
    # What is published while no driver runs is queued in the persistent session.
    got = driver.crash_and_recover(len(records),
                                   lambda: publish(service.url, topic, records[1000:]))
    assert sorted(got) == sorted(records)  # the key makes a redelivery a no-op
