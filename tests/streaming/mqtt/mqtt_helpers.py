"""A test's hands on the MQTT broker (paho-mqtt directly, never sparklet), a running stream
whose batches are collected, and the fixtures of the MQTT tests: ``mqtt_url`` (the
session's ``mqtt_service``) and ``mqtt_own`` (a Mosquitto of the test module's own with
persistence on, so sessions and their queued messages survive a restart). The fixtures
are imported by the test modules rather than kept in a conftest.py: two conftest.py files
in package-less test folders collide under ``--doctest-modules``.

The own broker's configuration: ``persistence true`` (sessions and queued QoS 1 messages
written on shutdown and every second), ``max_inflight_messages 1000`` (the unacknowledged
messages per client: a reliable block holds at most this many), ``max_queued_messages 0``
(no limit on what is queued for an offline persistent session)."""

from __future__ import annotations

import getpass
import uuid

import pytest
from receiver_helpers import wait_until
from stream_run import StreamRun

from services import (
    Restartable,
    Server,
    Service,
    ServiceUnavailable,
    free_ports,
    probe_mqtt,
    require_module,
    require_service,
)
from sparklet.streaming.mqtt import MQTTUtils


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def host_port(url: str) -> tuple[str, int]:
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


def publish(url: str, topic: str, payloads: list, qos: int = 1) -> None:
    """Publish each payload to ``topic`` (or each ``(topic, payload)``) and wait until the
    broker has every one (the PUBACKs at QoS 1)."""
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=unique("pub"))
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(*host_port(url))
    client.loop_start()
    try:
        # In chunks: a message id (16 bits) must not be reused while still outstanding.
        for start in range(0, len(payloads), 10000):
            infos = []
            for p in payloads[start:start + 10000]:
                t, body = p if isinstance(p, tuple) else (topic, p)
                infos.append(client.publish(t, body, qos=qos))
            for info in infos:
                info.wait_for_publish(30)
                assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


def numbered(prefix: str, n: int) -> list[str]:
    return [f"{prefix} meddelande {i}" for i in range(n)]


class Run(StreamRun):
    """One MQTT stream (``paired``: createPairedStream) running, collected."""

    def __init__(self, ctx, url, topics, paired=False, checkpoint=None, **options):
        create = MQTTUtils.createPairedStream if paired else MQTTUtils.createStream
        super().__init__(ctx, lambda ssc: create(ssc, url, topics, **options), checkpoint)

    def subscribed(self, url: str, topic: str) -> None:
        """Publish probes to ``topic`` until one arrives: the subscription is then live
        (a clean session gets nothing published before it subscribed)."""
        probes = 0
        while True:
            publish(url, topic, [f"probe {probes}"])
            probes += 1
            if wait_until(lambda: any(str(r).find("probe") >= 0 for r in self.records),
                          timeout=0.5):
                return
            assert probes < 120, ("never subscribed", self.events.errors)


def without_probes(records: list) -> list:
    return [r for r in records if "probe" not in str(r)]


# -- fixtures ----------------------------------------------------------------------------

@pytest.fixture(scope="session", name="mqtt_url")
def mqtt_url_fixture(mqtt_service) -> str:
    require_module("paho.mqtt", "paho-mqtt")
    return mqtt_service.url


def start_persistent_mosquitto() -> tuple[Service, Server]:
    import shutil

    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    server = Server("mosquitto-persistent")
    try:
        (port,) = free_ports(1)
        conf = server.path("mosquitto.conf")
        with open(conf, "w") as fh:
            fh.write(f"listener {port} 127.0.0.1\nallow_anonymous true\n"
                     f"persistence true\npersistence_location {server.dir}/\n"
                     "autosave_interval 1\nmax_inflight_messages 1000\n"
                     "max_queued_messages 0\nlog_dest stderr\nlog_type error\n"
                     "log_type warning\nlog_type notice\n"
                     # As root, mosquitto would drop to its own user, which cannot
                     # write the persistence file in our temporary directory.
                     f"user {getpass.getuser()}\n")
        proc = server.spawn([exe, "-c", conf], "mosquitto.log")
        server.wait_ready(lambda: probe_mqtt("127.0.0.1", port), proc)
    except BaseException:
        server.stop(keep_dir=True)
        raise
    return Service("mqtt", "127.0.0.1", port, f"tcp://127.0.0.1:{port}", server.dir), server


@pytest.fixture(scope="module", name="mqtt_own")
def mqtt_own_fixture():
    """``(service, Restartable)`` of a persistent Mosquitto only this module uses."""
    require_module("paho.mqtt", "paho-mqtt")
    try:
        service, server = start_persistent_mosquitto()
    except (ServiceUnavailable, OSError) as e:
        require_service(False, str(e))
        return
    proc = Restartable(server, server.procs[0], "mosquitto.log",
                       lambda: probe_mqtt("127.0.0.1", service.port))
    try:
        yield service, proc
    finally:
        server.stop()
