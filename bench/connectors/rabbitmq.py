"""bench/connectors.py module for RabbitMQ: the lines are published (persistent, to a
durable queue) to a broker the bench starts (tests/services.py's start_rabbitmq).

The limit (``plain_consume``) is pika's own consume loop with manual acknowledgements, one
cumulative ack per 1000 messages and the same prefetch window as the stream's default
(5000). The stream is ``RabbitMQUtils.createStream`` on the queue; reliable with the WAL.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

NAME = "rabbitmq"
RELIABLE = True
PREFETCH = 5000

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))


def start() -> dict:
    from services import start_rabbitmq

    service, server = start_rabbitmq()
    # One queue for every run: each consumer takes exactly what the fill before it put.
    return {"url": service.url, "server": server, "queue": f"bench-{uuid.uuid4().hex[:8]}"}


def fill(ctx: dict, lines: list[str]) -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(ctx["url"]))
    channel = connection.channel()
    channel.queue_declare(ctx["queue"], durable=True)
    props = pika.BasicProperties(delivery_mode=2)
    for line in lines:
        channel.basic_publish("", ctx["queue"], line.encode(), props)
    connection.close()


def plain_consume(ctx: dict, n: int) -> float:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(ctx["url"]))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=PREFETCH)
    count, start = 0, None
    for method, _props, body in channel.consume(ctx["queue"], auto_ack=False):
        if start is None:
            start = time.perf_counter()
        body.decode()
        count += 1
        if count % 1000 == 0 or count == n:
            channel.basic_ack(method.delivery_tag, multiple=True)
        if count >= n:
            break
    elapsed = time.perf_counter() - start
    channel.cancel()
    connection.close()
    return elapsed


def stream(ctx: dict, ssc):
    from sparklet.streaming.rabbitmq import RabbitMQUtils

    return RabbitMQUtils.createStream(ssc, ctx["url"], queueName=ctx["queue"])


def stop(ctx: dict) -> None:
    ctx["server"].stop()
