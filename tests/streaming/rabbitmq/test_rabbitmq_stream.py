"""The RabbitMQ stream against a real broker: messages arrive exactly once, through a queue
or an exchange's bindings, with the write-ahead log or without; bodies the decoder refuses
are counted; maxRate is honoured; bad arguments and a missing pika are clear errors."""

from __future__ import annotations

import sys
import time

import pytest
from rabbitmq_helpers import WAL, Run, amqp_url_fixture, publish, unique  # noqa: F401
from receiver_helpers import WAIT, wait_until

from sparklet.streaming import StreamingContext
from sparklet.streaming.rabbitmq import RabbitMQUtils


@pytest.mark.parametrize("wal", [False, True], ids=["plain", "wal"])
def test_messages_arrive_exactly_once(make_context, amqp_url, tmp_path, wal):
    queue = unique("lines")
    sent = [f"message {i} ünï".encode() for i in range(3000)]
    publish(amqp_url, sent, queue=queue)
    run = Run(make_context, tmp_path if wal else None, WAL if wal else None, url=amqp_url,
              queueName=queue, prefetchCount=500)
    try:
        assert wait_until(lambda: run.received() >= len(sent), WAIT), run.events.errors
        run.drain(len(sent))
    finally:
        run.stop()
    assert sorted(run.records) == sorted(b.decode() for b in sent)


def test_an_exchange_delivers_only_the_bound_routing_keys(make_context, amqp_url):
    queue, exchange = unique("routed"), unique("ex")
    run = Run(make_context, url=amqp_url, queueName=queue, exchangeName=exchange,
              exchangeType="direct", routingKeys=["a", "b"])
    try:
        # The receiver declares the exchange and the bindings: publish once they exist.
        assert wait_until(lambda: _bound(amqp_url, exchange, queue), WAIT)
        for key in ("a", "b", "c"):
            publish(amqp_url, [f"{key}{i}".encode() for i in range(50)], exchange=exchange,
                    routing_key=key)
        assert wait_until(lambda: run.received() >= 100, WAIT), run.events.errors
        run.drain(100)
    finally:
        run.stop()
    assert sorted(run.records) == sorted(f"{k}{i}" for k in "ab" for i in range(50))


def _bound(url: str, exchange: str, queue: str) -> bool:
    """Whether ``exchange`` exists (the receiver declares it before binding ``queue``)."""
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.exchange_declare(exchange, passive=True)
        ok = channel.queue_declare(queue, passive=True)
        return ok.method.consumer_count > 0
    except Exception:  # noqa: BLE001 - not declared yet (the channel is closed by it)
        return False
    finally:
        if connection.is_open:
            connection.close()


def test_bodies_the_decoder_refuses_are_counted(make_context, amqp_url):
    queue = unique("numbers")
    publish(amqp_url, [str(i).encode() if i % 4 else b"x" for i in range(200)], queue=queue)
    run = Run(make_context, url=amqp_url, queueName=queue,
              messageDecoder=lambda b: int(b))
    try:
        assert wait_until(lambda: run.received() >= 200, WAIT)
        run.drain(150)
        assert wait_until(lambda: run.events.infos, WAIT)
    finally:
        run.stop()
    assert sorted(run.records) == [i for i in range(200) if i % 4]
    assert sum(i.metadata().get("malformedRecords", 0) for b in run.events.infos
               for i in b.streamIdToInputInfo().values()) == 50


def test_max_rate_paces_the_receiver(make_context, amqp_url):
    queue = unique("paced")
    publish(amqp_url, [b"m"] * 600, queue=queue)
    run = Run(make_context, conf={"spark.streaming.receiver.maxRate": "200"}, url=amqp_url,
              queueName=queue)
    try:
        assert wait_until(lambda: run.received() > 0, WAIT)
        start, first = time.monotonic(), run.received()
        assert wait_until(lambda: run.received() >= first + 200, WAIT)
        elapsed = time.monotonic() - start
    finally:
        run.stop()
    # 200 more records at 200/s take about a second (one block of slack either way).
    assert elapsed >= 0.5


def test_bad_arguments_and_a_missing_pika(sc, monkeypatch):
    ssc = StreamingContext(sc, 1)
    try:
        with pytest.raises(ValueError, match="queueName"):
            RabbitMQUtils.createStream(ssc)
        with pytest.raises(ValueError, match="exchangeType"):
            RabbitMQUtils.createStream(ssc, queueName="q", exchangeType="nope")
        with pytest.raises(TypeError, match="routingKeys"):
            RabbitMQUtils.createStream(ssc, queueName="q", routingKeys="a")
        with pytest.raises(ValueError, match="prefetchCount"):
            RabbitMQUtils.createStream(ssc, queueName="q", prefetchCount=0)
        monkeypatch.setitem(sys.modules, "pika", None)
        with pytest.raises(ImportError, match=r"sparklet\[rabbitmq\]"):
            RabbitMQUtils.createStream(ssc, queueName="q")
    finally:
        ssc.stop(stopSparkContext=False)


def test_stratio_params_map_onto_the_arguments():
    from sparklet.streaming.rabbitmq import _from_params

    got = _from_params({"hosts": "10.0.0.1", "queueName": "q", "vHost": "/", "userName": "u",
                        "password": "p@ss", "exchangeName": "e", "routingKeys": "a,b",
                        "durable": "false"})
    assert got == {"url": "amqp://u:p%40ss@10.0.0.1:5672/%2F", "queueName": "q",
                   "exchangeName": "e", "routingKeys": ["a", "b"], "durable": False}
