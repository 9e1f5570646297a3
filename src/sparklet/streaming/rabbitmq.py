"""RabbitMQ for Spark Streaming: :meth:`RabbitMQUtils.createStream`, a reliable receiver on a
queue (``pip install 'sparklet[rabbitmq]'``; the client is pika).

Spark never had a RabbitMQ connector; the known Spark package is Stratio's
``spark-rabbitmq`` (``RabbitMQUtils.createStream(ssc, params)``). This one has its name and,
in PySpark's style, keyword arguments -- or Stratio's ``params`` keys (``hosts``,
``queueName``, ``exchangeName``, ``exchangeType``, ``routingKeys``, ``vHost``,
``userName``, ``password``, ``durable``) with ``params=``.

* The queue is declared (durable by default) and, with ``exchangeName``, bound to that
  exchange with each of ``routingKeys`` (the queue's name when none).
* Messages are acknowledged once their block is stored; with the write-ahead log
  (``spark.streaming.receiver.writeAheadLog.enable``) once it is durable, so a driver or
  broker crash loses nothing: the broker redelivers what was not acknowledged (at least
  once; use an idempotent sink for exactly-once output). Publish persistent messages to a
  durable queue for them to survive a broker restart.
* Each element is ``messageDecoder(body)``, UTF-8 text by default; a body it cannot decode
  is a malformed record (see ``docs/connectors.md``).

``examples/streaming/rabbitmq_word_count.py``::

    from sparklet import SparkContext
    from sparklet.streaming import StreamingContext
    from sparklet.streaming.rabbitmq import RabbitMQUtils

    sc = SparkContext(appName="RabbitMQWordCount")
    ssc = StreamingContext(sc, 2)
    lines = RabbitMQUtils.createStream(ssc, "amqp://guest:guest@127.0.0.1:5672/%2F",
                                       queueName="lines")
    lines.flatMap(lambda l: l.split(" ")).map(lambda w: (w, 1)) \\
         .reduceByKey(lambda a, b: a + b).pprint()
    ssc.start()
    ssc.awaitTermination()

Arguments are checked on the driver:

>>> RabbitMQUtils.createStream(None, "http://127.0.0.1", queueName="q")
Traceback (most recent call last):
...
ValueError: url should be an amqp:// or amqps:// URL, not 'http://127.0.0.1'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.malformed import decoded
from sparklet.streaming.sources.rabbitmq import RabbitMQReceiver, require_pika, safe_url

__all__ = ["RabbitMQUtils", "utf8_decoder"]

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
EXCHANGE_TYPES = ("direct", "fanout", "topic", "headers")


def utf8_decoder(s: bytes | None) -> str | None:
    """Decode a message body as UTF-8 (None stays None).

    >>> utf8_decoder(b"hej")
    'hej'
    """
    if s is None:
        return None
    return s.decode("utf-8")


def _from_params(params: dict[str, str]) -> dict[str, Any]:
    """Stratio's spark-rabbitmq keys as this API's arguments."""
    host = params.get("hosts", "127.0.0.1:5672").split(",")[0]
    if ":" not in host:
        host += ":5672"
    user, password = params.get("userName", "guest"), params.get("password", "guest")
    vhost = quote(params.get("vHost", "/"), safe="")
    out: dict[str, Any] = {"url": f"amqp://{quote(user)}:{quote(password)}@{host}/{vhost}"}
    for key in ("queueName", "exchangeName", "exchangeType"):
        if key in params:
            out[key] = params[key]
    if "routingKeys" in params:
        out["routingKeys"] = [k for k in params["routingKeys"].split(",") if k]
    if "durable" in params:
        out["durable"] = str(params["durable"]).lower() == "true"
    return out


class RabbitMQUtils:
    """Streams of messages from RabbitMQ queues."""

    @staticmethod
    def createStream(ssc: Any, url: str = DEFAULT_URL, queueName: str | None = None,
                     exchangeName: str | None = None, exchangeType: str = "direct",
                     routingKeys: list[str] | None = None, durable: bool = True,
                     prefetchCount: int = 5000,
                     storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2,
                     messageDecoder: Callable[[bytes], Any] = utf8_decoder,
                     params: dict[str, str] | None = None):
        """A DStream of ``messageDecoder(body)`` for each message of queue ``queueName``.

        :param url: the broker, ``amqp://user:password@host:port/vhost`` (``%2F`` for ``/``)
        :param queueName: the queue to consume (declared if missing)
        :param exchangeName: an exchange to declare and bind the queue to
        :param exchangeType: ``direct``, ``fanout``, ``topic`` or ``headers``
        :param routingKeys: the bindings' keys (default: the queue's name)
        :param durable: declare the queue (and exchange) durable
        :param prefetchCount: the most unacknowledged messages the broker sends at once
        :param params: Stratio's spark-rabbitmq settings instead of the arguments above
        """
        if params is not None:
            if not isinstance(params, dict):
                raise TypeError("params should be a dict of Stratio's spark-rabbitmq keys")
            given = _from_params(params)
            url = given.get("url", url)
            queueName = given.get("queueName", queueName)
            exchangeName = given.get("exchangeName", exchangeName)
            exchangeType = given.get("exchangeType", exchangeType)
            routingKeys = given.get("routingKeys", routingKeys)
            durable = given.get("durable", durable)
        if not isinstance(url, str) or not url.startswith(("amqp://", "amqps://")):
            raise ValueError(f"url should be an amqp:// or amqps:// URL, not {url!r}")
        if not isinstance(queueName, str) or not queueName:
            raise ValueError(f"queueName should be a non-empty str, not {queueName!r}")
        if exchangeType not in EXCHANGE_TYPES:
            raise ValueError(f"exchangeType should be one of {', '.join(EXCHANGE_TYPES)}, "
                             f"not {exchangeType!r}")
        if routingKeys is not None and (isinstance(routingKeys, str) or not all(
                isinstance(k, str) for k in routingKeys)):
            raise TypeError("routingKeys should be a list of str")
        if isinstance(prefetchCount, bool) or not isinstance(prefetchCount, int) \
                or not 0 < prefetchCount <= 65535:
            raise ValueError(f"prefetchCount should be an int from 1 to 65535, not "
                             f"{prefetchCount!r}")
        if not callable(messageDecoder):
            raise TypeError("messageDecoder should be callable")
        require_pika()
        receiver = RabbitMQReceiver(url, queueName, exchangeName, exchangeType,
                                    list(routingKeys or []), bool(durable), prefetchCount,
                                    storageLevel)
        return decoded(ssc.receiverStream(receiver), messageDecoder,
                       f"RabbitMQ queue {queueName} at {safe_url(url)}")
