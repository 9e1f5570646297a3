"""``kafkaParams`` as the Kafka client (confluent-kafka, librdkafka) takes them.

PySpark 2.4 programs pass the old Scala consumer's names (``metadata.broker.list``,
``auto.offset.reset`` = ``smallest``/``largest``, ``zookeeper.connect``); newer ones pass the
modern client's (``bootstrap.servers``, ``group.id``, ``earliest``/``latest``, ``security.*``,
``sasl.*``, ``ssl.*``). Both are accepted: old names are translated, settings only the JVM
clients know are dropped (logged once), and everything else goes to librdkafka unchanged,
which rejects a misspelt property with its own error.

>>> c = consumer_config({"metadata.broker.list": "127.0.0.1:9092",
...                      "auto.offset.reset": "smallest", "zookeeper.connect": "zk:2181"})
>>> c["bootstrap.servers"], c["auto.offset.reset"], "zookeeper.connect" in c
('127.0.0.1:9092', 'earliest', False)
>>> offset_reset({"auto.offset.reset": "largest"}), offset_reset({})
('latest', 'latest')
>>> consumer_config({"group.id": "g"})
Traceback (most recent call last):
...
ValueError: Must specify metadata.broker.list or bootstrap.servers
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

__all__ = ["require_kafka", "bootstrap_servers", "offset_reset", "consumer_config",
           "producer_config", "admin_config", "executor_consumer_config",
           "driver_consumer_config", "client_logging"]

log = logging.getLogger("sparklet.streaming.kafka")
# librdkafka's own log lines (connection failures, retries), which it would otherwise
# print to stderr, go to this logger.
client_log = logging.getLogger("sparklet.streaming.kafka.client")

# Settings of the Scala/Java clients (and of ZooKeeper) that librdkafka does not have and
# that mean nothing without a JVM: dropped instead of failing the client's creation.
_JVM_ONLY = frozenset({
    "zookeeper.connect", "zookeeper.connection.timeout.ms", "zookeeper.session.timeout.ms",
    "zookeeper.sync.time.ms", "consumer.timeout.ms", "refresh.leader.backoff.ms",
    "rebalance.max.retries", "rebalance.backoff.ms", "auto.commit.interval.ms.old",
    "key.deserializer", "value.deserializer", "key.serializer", "value.serializer",
    "serializer.class", "key.serializer.class", "partitioner.class", "offsets.storage",
    "dual.commit.enabled", "exclude.internal.topics", "num.consumer.fetchers",
    "fetch.wait.max.ms.old", "interceptor.classes", "metric.reporters",
    "default.api.timeout.ms", "request.timeout.ms.old",
})
# Old names with a different modern spelling.
_RENAMED = {"metadata.broker.list": "bootstrap.servers", "auto.commit.enable":
            "enable.auto.commit", "group": "group.id"}
_RESET = {"smallest": "earliest", "largest": "latest", "earliest": "earliest",
          "latest": "latest", "none": "error", "error": "error",
          "beginning": "earliest", "end": "latest"}
_warned: set[str] = set()


def require_kafka():
    """The confluent_kafka module, or an ImportError naming the extra that installs it."""
    try:
        import confluent_kafka
    except ImportError as e:
        raise ImportError("sparklet.streaming.kafka needs the Kafka client confluent-kafka: "
                          "pip install 'sparklet[kafka]'") from e
    return confluent_kafka


def client_logging(conf: dict[str, Any]) -> dict[str, Any]:
    """``conf`` with librdkafka's log routed to Python logging (added when a client is
    made: a logger does not travel to executors inside a pickled configuration)."""
    return {**conf, "logger": client_log}


def _translate(kafkaParams: dict[str, Any] | None) -> dict[str, Any]:
    if kafkaParams is None:
        kafkaParams = {}
    if not isinstance(kafkaParams, dict):
        raise TypeError("kafkaParams should be dict")
    out: dict[str, Any] = {}
    for key, value in kafkaParams.items():
        key = str(key)
        if key.startswith("spark.") or key in _JVM_ONLY:
            if key not in _warned:
                _warned.add(key)
                log.info("kafkaParams: %s is a JVM client setting; ignored", key)
            continue
        key = _RENAMED.get(key, key)
        out[key] = value if isinstance(value, bool | int | float) else str(value)
    if "bootstrap.servers" in kafkaParams:  # it wins over metadata.broker.list
        out["bootstrap.servers"] = str(kafkaParams["bootstrap.servers"])
    if "auto.offset.reset" in out:
        out["auto.offset.reset"] = offset_reset(kafkaParams)
    return out


def bootstrap_servers(kafkaParams: dict[str, Any]) -> str:
    servers = kafkaParams.get("bootstrap.servers") or kafkaParams.get("metadata.broker.list")
    if not servers:
        raise ValueError("Must specify metadata.broker.list or bootstrap.servers")
    return str(servers)


def offset_reset(kafkaParams: dict[str, Any]) -> str:
    """Where a partition without a position starts: ``earliest``, ``latest`` (the default,
    as Spark's ``largest``) or ``error``."""
    value = str(kafkaParams.get("auto.offset.reset", "largest")).strip().lower()
    if value not in _RESET:
        raise ValueError(f"auto.offset.reset must be smallest/earliest, largest/latest or "
                         f"none, not {value!r}")
    return _RESET[value]


def _common(kafkaParams: dict[str, Any] | None) -> dict[str, Any]:
    conf = _translate(kafkaParams)
    conf["bootstrap.servers"] = bootstrap_servers(conf)
    return conf


def consumer_config(kafkaParams: dict[str, Any] | None) -> dict[str, Any]:
    """The user's settings as a consumer's configuration (translated, nothing forced)."""
    conf = _common(kafkaParams)
    # The JVM consumer's default; librdkafka's own is read_committed.
    conf.setdefault("isolation.level", "read_uncommitted")
    return conf


def executor_consumer_config(kafkaParams: dict[str, Any] | None) -> dict[str, Any]:
    """A consumer that reads given offset ranges: its own group (so it never joins or
    commits for the application's group, as Spark's ``spark-executor-`` prefix), no auto
    commit, no offset reset (a range that is gone is an error, not a silent jump), and
    end-of-partition events (to tell a range that ends in a gap from data still to come)."""
    conf = consumer_config(kafkaParams)
    group = conf.get("group.id") or "sparklet"
    # A fetch waiting at the broker for more data holds up the next range's first fetch
    # (librdkafka's default wait is 500 ms): ranges are read up to a known end, so waiting
    # for more is never useful.
    conf.setdefault("fetch.wait.max.ms", 10)
    conf.update({"group.id": f"spark-executor-{group}", "enable.auto.commit": False,
                 "enable.auto.offset.store": False, "auto.offset.reset": "error",
                 "enable.partition.eof": True})
    return conf


def driver_consumer_config(kafkaParams: dict[str, Any] | None) -> dict[str, Any]:
    """The driver's consumer: metadata, watermarks and the group's committed offsets."""
    conf = consumer_config(kafkaParams)
    conf.setdefault("group.id", f"sparklet-driver-{uuid.uuid4().hex[:12]}")
    conf.update({"enable.auto.commit": False, "enable.auto.offset.store": False})
    return conf


def producer_config(kafkaParams: dict[str, Any] | None) -> dict[str, Any]:
    conf = _common(kafkaParams)
    for key in ("group.id", "auto.offset.reset", "enable.auto.commit", "isolation.level",
                "enable.partition.eof", "session.timeout.ms"):
        conf.pop(key, None)
    return conf


def admin_config(kafkaParams: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in producer_config(kafkaParams).items()
            if k.startswith(("bootstrap.", "security.", "sasl.", "ssl.", "client.id",
                             "socket.", "broker.", "api.version"))}
