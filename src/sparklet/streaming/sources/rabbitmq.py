"""The RabbitMQ receiver behind :mod:`sparklet.streaming.rabbitmq`: an AMQP 0-9-1 consumer
with manual acknowledgements, reliable on the shared
:class:`~sparklet.streaming.sources.acking.AckingReceiver`.

Each session is a pika ``BlockingConnection`` owned by the receiving thread: it declares the
queue (and the exchange and its bindings, when given), sets the channel's prefetch window
(``basic_qos``) and consumes with ``auto_ack`` off. Deliveries are acknowledged with one
``basic_ack(multiple=True)`` up to the last of a block once the block is stored -- with the
write-ahead log, once it is durable. What a lost connection held unacknowledged the broker
requeues and delivers again (flagged ``redelivered``), so nothing is lost.

The prefetch window bounds what the broker sends before acknowledgements: with the log on,
a block's records are acknowledged only after it is stored, so the window should hold at
least a block interval's worth of messages (the default, 5000, holds 25,000 messages/s at
the default 200 ms block interval).
"""

from __future__ import annotations

import logging
import re
from collections import deque
from typing import Any

from sparklet.storagelevel import StorageLevel
from sparklet.streaming.sources.acking import AckingReceiver

__all__ = ["RabbitMQReceiver", "require_pika", "safe_url"]

log = logging.getLogger("sparklet.streaming.rabbitmq")


def require_pika():
    """The ``pika`` module, or an ImportError naming the extra."""
    try:
        import pika
    except ImportError as e:
        raise ImportError("RabbitMQUtils needs pika: pip install 'sparklet[rabbitmq]'") from e
    return pika


def safe_url(url: str) -> str:
    """``url`` without its password, for logs.

    >>> safe_url("amqp://guest:secret@127.0.0.1:5672/%2F")
    'amqp://guest:***@127.0.0.1:5672/%2F'
    """
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


class _Session:
    def __init__(self, connection: Any, channel: Any):
        self.connection, self.channel = connection, channel
        self.buffer: deque = deque()  # delivered, not yet fetched: (body, delivery tag)


class RabbitMQReceiver(AckingReceiver):
    """Consumes ``queueName`` at ``url`` (declared ``durable``; bound to ``exchangeName``
    with ``routingKeys`` when given), storing each message's body (bytes)."""

    def __init__(self, url: str, queueName: str, exchangeName: str | None,
                 exchangeType: str, routingKeys: list[str], durable: bool,
                 prefetchCount: int,
                 storageLevel: StorageLevel = StorageLevel.MEMORY_AND_DISK_2):
        super().__init__(storageLevel)
        self.url, self.queueName = url, queueName
        self.exchangeName, self.exchangeType = exchangeName, exchangeType
        self.routingKeys, self.durable = list(routingKeys), durable
        self.prefetchCount = prefetchCount

    def describe(self) -> str:
        via = f" (exchange {self.exchangeName})" if self.exchangeName else ""
        return f"RabbitMQ queue {self.queueName}{via} at {safe_url(self.url)}"

    def connect(self) -> _Session:
        pika = require_pika()
        params = pika.URLParameters(self.url)
        params.connection_attempts = 1  # retries are the receiver's, with backoff and logs
        params.socket_timeout = params.blocked_connection_timeout = 10
        connection = pika.BlockingConnection(params)
        try:
            channel = connection.channel()
            channel.queue_declare(self.queueName, durable=self.durable)
            if self.exchangeName:
                channel.exchange_declare(self.exchangeName, self.exchangeType,
                                         durable=self.durable)
                for key in self.routingKeys or [self.queueName]:
                    channel.queue_bind(self.queueName, self.exchangeName, routing_key=key)
            channel.basic_qos(prefetch_count=self.prefetchCount)
            session = _Session(connection, channel)
            channel.basic_consume(
                self.queueName, auto_ack=False,
                on_message_callback=lambda ch, method, props, body:
                    session.buffer.append((body, method.delivery_tag)))
        except BaseException:
            connection.close()
            raise
        return session

    def fetch(self, session: _Session, max_records: int, timeout: float) -> list:
        if not session.buffer:
            session.connection.process_data_events(time_limit=timeout)
        session.connection.process_data_events(time_limit=0)  # what else has arrived
        n = min(max_records, len(session.buffer))
        return [session.buffer.popleft() for _ in range(n)]

    def ack(self, session: _Session, tokens: list) -> None:
        # Tags grow in delivery order, and everything delivered before the last of a block
        # is in it or an earlier block: one cumulative ack.
        session.channel.basic_ack(delivery_tag=max(tokens), multiple=True)

    def close(self, session: _Session) -> None:
        if session.connection.is_open:
            session.connection.close()  # the broker requeues what is unacknowledged
