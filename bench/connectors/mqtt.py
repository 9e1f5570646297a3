"""MQTT for the connectors benchmark (bench/connectors.py): a persistent Mosquitto of its
own (tests/streaming/mqtt/mqtt_helpers.py: inflight window 1000, no queue limit), lines
published at QoS 1 into a persistent session, read back by paho's plain loop (QoS 1,
manual acknowledgement of each message) and by ``MQTTUtils.createStream``. The session is
made at ``start`` and shared by every reader in turn (never two at once), so the lines
wait in the broker (a pull source here)."""

from __future__ import annotations

import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for sub in ("tests", "tests/streaming", "tests/streaming/mqtt"):
    sys.path.insert(0, str(ROOT / sub))

NAME = "mqtt"
RELIABLE = True
TOPIC = "bench/lines"


def start() -> dict:
    from mqtt_helpers import start_persistent_mosquitto

    service, server = start_persistent_mosquitto()
    ctx = {"url": service.url, "server": server, "reader": f"bench-{uuid.uuid4().hex[:8]}"}
    _session(ctx, ctx["reader"])
    return ctx


def _session(ctx, client_id: str) -> None:
    import paho.mqtt.client as mqtt
    from mqtt_helpers import host_port

    done = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                         clean_session=False)
    client.on_subscribe = lambda *a: done.set()
    client.connect(*host_port(ctx["url"]))
    client.loop_start()
    client.subscribe(TOPIC, qos=1)
    done.wait(30)
    client.disconnect()
    client.loop_stop()


def fill(ctx, lines: list[str]) -> None:
    """Publish the lines into the reader's persistent session."""
    from mqtt_helpers import publish

    publish(ctx["url"], TOPIC, lines)


def plain_consume(ctx, n: int) -> float:
    """paho's own loop: the session of ``fill``, QoS 1, each message acknowledged as it
    arrives; seconds to read ``n``."""
    import paho.mqtt.client as mqtt
    from mqtt_helpers import host_port

    got, done = [0], threading.Event()

    def on_message(client, userdata, msg):
        msg.payload.decode("utf-8", "replace")
        client.ack(msg.mid, msg.qos)
        got[0] += 1
        if got[0] >= n:
            done.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=ctx["reader"],
                         clean_session=False, manual_ack=True)
    client.on_message = on_message
    t0 = time.perf_counter()
    client.connect(*host_port(ctx["url"]))
    client.loop_start()
    done.wait(600)
    elapsed = time.perf_counter() - t0
    client.disconnect()
    client.loop_stop()
    return elapsed


def stream(ctx, ssc):
    """The connector's DStream of str lines, in the reader's session."""
    from sparklet.streaming.mqtt import MQTTUtils

    return MQTTUtils.createStream(ssc, ctx["url"], TOPIC, clientId=ctx["reader"],
                                  cleanSession=False)


def stop(ctx) -> None:
    ctx["server"].stop()
