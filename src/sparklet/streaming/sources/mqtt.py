"""The MQTT receiver behind :mod:`sparklet.streaming.mqtt`: a paho-mqtt 2.x client
subscribed to topic filters, reliable at QoS 1 on the shared
:class:`~sparklet.streaming.sources.acking.AckingReceiver`.

paho's network loop thread (``loop_start``) puts each PUBLISH it receives on a queue that
:meth:`MQTTReceiver.fetch` drains on the receiving thread. The client is made with
``manual_ack=True``: a QoS 1 message is acknowledged (``client.ack(mid, qos)``, the PUBACK)
only when the base says so -- with the write-ahead log on, once its block is in the
driver's log. The broker resends what it has not had a PUBACK for, when the same session
reconnects, which needs a *persistent session*: ``clean_session=False`` (MQTT 3.1/3.1.1)
or ``clean_start=False`` with a session expiry interval (MQTT 5), and a client id that is
the same after a driver restart (``sparklet-<hash of app and topics>-<input stream id>``
unless ``clientId`` is given). Acknowledgements are per connection: a lost connection
drops the unstored messages it held, and the broker redelivers them to the next one.

The broker's inflight window (mosquitto: ``max_inflight_messages``, 20 by default; MQTT 5:
the client's Receive Maximum) bounds the unacknowledged messages per client, so a block
holds at most that many: raise it to a rate times the block interval or more.

A record is stored as the payload (``bytes``) or, for paired streams, ``(topic, payload)``;
the stream decodes it (:mod:`sparklet.streaming.mqtt`).
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.acking import AckingReceiver

__all__ = ["MQTTReceiver", "require_paho", "parse_broker_url", "stable_client_id",
           "check_topic_filter"]

log = logging.getLogger("sparklet.streaming.mqtt")

_SCHEMES = {"tcp": (1883, False, "tcp"), "ssl": (8883, True, "tcp"),
            "ws": (80, False, "websockets"), "wss": (443, True, "websockets")}
_SESSION_EXPIRY_S = 7 * 24 * 3600  # MQTT 5 persistent session: kept a week offline


def require_paho():
    """The ``paho.mqtt.client`` module, or an ImportError naming the extra."""
    try:
        import paho.mqtt.client as client
    except ImportError as e:
        raise ImportError("MQTTUtils needs paho-mqtt: pip install 'sparklet[mqtt]'") from e
    return client


def parse_broker_url(url: str) -> tuple[str, str, int, bool, str]:
    """``(scheme, host, port, tls, transport)`` of a Paho broker URL.

    >>> parse_broker_url("tcp://127.0.0.1:1883")
    ('tcp', '127.0.0.1', 1883, False, 'tcp')
    >>> parse_broker_url("ssl://broker.example")
    ('ssl', 'broker.example', 8883, True, 'tcp')
    """
    if not isinstance(url, str):
        raise TypeError("brokerUrl should be a str, like tcp://host:1883")
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise ValueError(f"brokerUrl must be tcp://host:port, ssl://host:port, ws:// or "
                         f"wss://, not {url!r}")
    default, tls, transport = _SCHEMES[parts.scheme]
    try:
        port = parts.port or default
    except ValueError:
        raise ValueError(f"brokerUrl has a bad port: {url!r}") from None
    return parts.scheme, parts.hostname, port, tls, transport


def check_topic_filter(topic: Any) -> str:
    """``topic`` if it is a valid MQTT topic filter (``+`` a whole level, ``#`` the last).

    >>> check_topic_filter("sensors/+/temp")
    'sensors/+/temp'
    >>> check_topic_filter("a/#/b")
    Traceback (most recent call last):
    ...
    ValueError: '#' must be the last level of a topic filter: 'a/#/b'
    """
    if not isinstance(topic, str):
        raise TypeError(f"a topic should be a str, not {type(topic).__name__}")
    if not topic:
        raise ValueError("a topic filter cannot be empty")
    levels = topic.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            raise ValueError(f"'#' must be the last level of a topic filter: {topic!r}")
        if "+" in level and level != "+":
            raise ValueError(f"'+' must be a whole level of a topic filter: {topic!r}")
    return topic


def stable_client_id(app: str, topics: list[str]) -> str:
    """The start of a client id a restarted driver has again (the input stream id is
    appended), short enough for any broker (23 characters in all).

    >>> stable_client_id("app", ["a/b"]) == stable_client_id("app", ["a/b"])
    True
    >>> len(stable_client_id("app", ["a/b"]))
    19
    """
    digest = hashlib.sha1("\0".join([app, *topics]).encode()).hexdigest()[:10]
    return f"sparklet-{digest}"


class _Session:
    """One connection: the client, the queue its loop thread fills, its state."""

    def __init__(self, client: Any):
        self.client = client
        self.messages: queue.SimpleQueue = queue.SimpleQueue()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.connack: Any = None
        self.granted: list = []
        self.lost: str | None = None


class MQTTReceiver(AckingReceiver):
    """Subscribes to ``topics`` at ``brokerUrl``; stores payloads (``paired``: ``(topic,
    payload)``) and acknowledges QoS 1 messages once stored (see the module
    documentation). ``cleanSession`` None: a persistent session when the write-ahead log
    is on, a clean one otherwise (as Paho's default)."""

    def __init__(self, brokerUrl: str, topics: list[str], paired: bool,
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                 clientId: str | None = None, clientIdPrefix: str = "",
                 username: str | None = None, password: str | None = None,
                 cleanSession: bool | None = None, qos: int | None = None,
                 connectionTimeout: int = 30, keepAliveInterval: int = 60,
                 mqttVersion: int = 0, tlsOptions: dict | None = None):
        super().__init__(storageLevel)
        self.brokerUrl = brokerUrl
        self.topics = list(topics)
        self.paired = paired
        self.clientId = clientId
        self.clientIdPrefix = clientIdPrefix
        self.username, self.password = username, password
        self.cleanSession = cleanSession
        self.qos = qos
        self.connectionTimeout = connectionTimeout
        self.keepAliveInterval = keepAliveInterval
        self.mqttVersion = mqttVersion
        self.tlsOptions = dict(tlsOptions or {})
        self._random_id = f"sparklet-{uuid.uuid4().hex[:14]}"

    # -- what to ask the broker ------------------------------------------------------------

    def persistent(self) -> bool:
        if self.cleanSession is not None:
            return not self.cleanSession
        return self._sup().reliable

    def client_id(self) -> str:
        if self.clientId:
            return self.clientId
        if self.persistent():
            prefix = self.clientIdPrefix or stable_client_id("", self.topics)
            return f"{prefix}-{self.streamId}"
        return self._random_id

    def subscription_qos(self) -> int:
        if self.qos is not None:
            if self.qos == 0 and self._sup().reliable:
                log.warning("MQTT subscription at QoS 0 with the write-ahead log on: the "
                            "broker never redelivers QoS 0 messages, a crash may lose some")
            return self.qos
        return 1

    # -- AckingReceiver --------------------------------------------------------------------

    def describe(self) -> str:
        return f"MQTT topics {','.join(self.topics)} at {self.brokerUrl}"

    def connect(self) -> _Session:
        mqtt = require_paho()
        from paho.mqtt.enums import CallbackAPIVersion

        _, host, port, tls, transport = parse_broker_url(self.brokerUrl)
        v5 = self.mqttVersion == 5
        protocol = {3: mqtt.MQTTv31, 5: mqtt.MQTTv5}.get(self.mqttVersion, mqtt.MQTTv311)
        persistent = self.persistent()
        kwargs: dict[str, Any] = {"callback_api_version": CallbackAPIVersion.VERSION2,
                                  "client_id": self.client_id(), "protocol": protocol,
                                  "transport": transport, "manual_ack": True,
                                  "reconnect_on_failure": False}
        if not v5:
            kwargs["clean_session"] = not persistent
        client = mqtt.Client(**kwargs)
        session = _Session(client)
        if self.username is not None:
            client.username_pw_set(self.username, self.password)
        if tls:
            client.tls_set(**self.tlsOptions)
        # The base reconnects (with backoff, logs, ReceiverError): paho must not.
        client.reconnect_delay_set(3600, 3600)
        client.on_connect = lambda c, u, flags, reason, props: self._on_connect(session,
                                                                                reason)
        client.on_subscribe = lambda c, u, mid, codes, props: self._on_subscribe(session,
                                                                                 codes)
        client.on_message = lambda c, u, msg: session.messages.put(
            (msg.topic, msg.payload, msg.mid, msg.qos))
        client.on_disconnect = lambda c, u, flags, reason, props: self._on_disconnect(
            session, reason)
        connect_kwargs: dict[str, Any] = {"keepalive": self.keepAliveInterval}
        if v5:
            from paho.mqtt.packettypes import PacketTypes
            from paho.mqtt.properties import Properties

            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = _SESSION_EXPIRY_S if persistent else 0
            connect_kwargs.update(clean_start=not persistent, properties=props)
        try:
            client.connect(host, port, **connect_kwargs)
            client.loop_start()
            self._wait(session, session.connected, "the CONNACK")
            if session.connack.is_failure:
                raise ConnectionError(f"the broker refused the connection: "
                                      f"{session.connack}")
            rc, _ = client.subscribe([(t, self.subscription_qos()) for t in self.topics])
            if rc != mqtt.MQTT_ERR_SUCCESS:
                raise ConnectionError(f"subscribe failed: {mqtt.error_string(rc)}")
            self._wait(session, session.subscribed, "the SUBACK")
            refused = [t for t, code in zip(self.topics, session.granted, strict=False)
                       if code.is_failure]
            if refused:
                raise ConnectionError(f"the broker refused the subscription to "
                                      f"{', '.join(refused)}")
        except BaseException:
            self.close(session)
            raise
        log.info("Subscribed to %s as client %s (%s session)", self.describe(),
                 self.client_id(), "persistent" if persistent else "clean")
        return session

    def fetch(self, session: _Session, max_records: int, timeout: float) -> list:
        out: list = []
        deadline = time.monotonic() + timeout
        while len(out) < max_records:
            try:
                if out:
                    item = session.messages.get_nowait()
                else:
                    item = session.messages.get(timeout=max(0.0,
                                                            deadline - time.monotonic()))
            except queue.Empty:
                break
            topic, payload, mid, qos = item
            out.append(((topic, payload) if self.paired else payload, (mid, qos)))
        if not out and session.lost is not None:
            raise ConnectionError(session.lost)
        return out

    def ack(self, session: _Session, tokens: list) -> None:
        mqtt = require_paho()
        for mid, qos in tokens:
            if qos == 0:
                continue
            rc = session.client.ack(mid, qos)
            if rc != mqtt.MQTT_ERR_SUCCESS:
                raise ConnectionError(f"cannot acknowledge: {mqtt.error_string(rc)}")

    def close(self, session: _Session) -> None:
        client = session.client
        try:
            client.disconnect()
        finally:
            client.loop_stop()

    # -- paho callbacks (on its loop thread) -----------------------------------------------

    @staticmethod
    def _on_connect(session: _Session, reason: Any) -> None:
        session.connack = reason
        session.connected.set()

    @staticmethod
    def _on_subscribe(session: _Session, codes: list) -> None:
        session.granted = list(codes)
        session.subscribed.set()

    @staticmethod
    def _on_disconnect(session: _Session, reason: Any) -> None:
        session.lost = f"disconnected from the broker ({reason})"
        session.connected.set()
        session.subscribed.set()

    def _wait(self, session: _Session, event: threading.Event, what: str) -> None:
        if not event.wait(self.connectionTimeout or None):
            raise TimeoutError(f"no {what} within {self.connectionTimeout} s")
        if session.lost is not None:
            raise ConnectionError(session.lost)
