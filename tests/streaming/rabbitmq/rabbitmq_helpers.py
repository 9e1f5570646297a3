"""Helpers of the RabbitMQ tests: publishing, unique names, and a run of the stream on a
manual clock that collects what arrives."""

from __future__ import annotations

import uuid

import pytest
from receiver_helpers import receiver_conf

from services import require_module
from sparklet.streaming import StreamingContext, StreamingListener
from sparklet.streaming.rabbitmq import RabbitMQUtils
from sparklet.streaming.testing import advance_batches, use_manual_clock

WAL = {"spark.streaming.receiver.writeAheadLog.enable": "true"}


@pytest.fixture(name="amqp_url")
def amqp_url_fixture(rabbitmq_service):
    require_module("pika")
    return rabbitmq_service.url


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def publish(url: str, messages: list[bytes], queue: str | None = None,
            exchange: str = "", routing_key: str | None = None,
            declare_durable: bool = True) -> None:
    """Publish persistent messages (to ``queue`` through the default exchange, or to
    ``exchange`` with ``routing_key``), confirmed by the broker."""
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        if queue is not None and declare_durable:
            channel.queue_declare(queue, durable=True)
        for body in messages:
            channel.basic_publish(exchange, routing_key if routing_key is not None else queue,
                                  body, pika.BasicProperties(delivery_mode=2))
    finally:
        connection.close()


class Events(StreamingListener):
    def __init__(self):
        super().__init__()
        self.errors, self.infos = [], []

    def onReceiverError(self, receiverError):
        self.errors.append(receiverError.receiverInfo().lastErrorMessage())

    def onBatchCompleted(self, batchCompleted):
        self.infos.append(batchCompleted.batchInfo())


class Run:
    """``RabbitMQUtils.createStream`` on a manual clock; ``records`` are what arrived."""

    def __init__(self, make_context, tmp_path=None, conf: dict | None = None, **kwargs):
        self.sc = make_context(receiver_conf(**(conf or {})))
        self.ssc = StreamingContext(self.sc, 1)
        use_manual_clock(self.ssc)
        if tmp_path is not None:
            self.ssc.checkpoint(str(tmp_path / "checkpoint"))
        self.events = Events()
        self.ssc.addStreamingListener(self.events)
        self.records: list = []
        records = self.records
        RabbitMQUtils.createStream(self.ssc, **kwargs).foreachRDD(
            lambda rdd: records.extend(rdd.collect()))
        self.ssc.start()

    def received(self) -> int:
        (stream,) = self.ssc._graph.input_streams
        return self.ssc._receiver_tracker.received_records(stream.input_stream_id)

    def drain(self, n: int) -> None:
        """Advance batches until ``n`` records were collected (bounded)."""
        for _ in range(300):
            if len(self.records) >= n:
                return
            advance_batches(self.ssc, 1)
        raise AssertionError(f"only {len(self.records)} of {n} arrived")

    def stop(self) -> None:
        self.ssc.stop(stopSparkContext=False)
