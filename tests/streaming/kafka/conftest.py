"""Fixtures for the Kafka tests: the session's broker (``kafka_service``) and a
:class:`~kafka_helpers.KafkaTestBroker` per test to make topics and write records.

Topics get unique names, so tests share the one broker; a test that stops the broker
(``kafka_service.process``) starts it again before it ends.
"""

from __future__ import annotations

import pytest

from services import require_module
from sparklet import SparkConf
from sparklet.streaming import StreamingContext
from sparklet.streaming.testing import use_manual_clock


@pytest.fixture(scope="session")
def _kafka_helpers(kafka_service):
    require_module("confluent_kafka", "confluent-kafka")
    import kafka_helpers

    kafka_helpers.speed_up_log_cleaner(kafka_helpers.KafkaTestBroker(kafka_service.url).admin)
    return kafka_helpers


@pytest.fixture
def kafka(kafka_service, _kafka_helpers):
    """A :class:`KafkaTestBroker` on the session's broker; its topics are deleted after
    the test."""
    broker = _kafka_helpers.KafkaTestBroker(kafka_service.url)
    yield broker
    if kafka_service.process is None or kafka_service.process.running:
        broker.close()


@pytest.fixture
def kafka_params(kafka_service):
    """PySpark 2.4's kafkaParams for the session's broker (the old consumer's names)."""
    return {"metadata.broker.list": kafka_service.url, "auto.offset.reset": "smallest"}


@pytest.fixture
def make_conf_ssc(make_context):
    """``make_conf_ssc(conf_dict, batch)``: a StreamingContext on a manual clock over a
    SparkContext of its own with these settings (rate limits are read from the conf)."""
    made = []

    def factory(settings: dict, batch: float = 1):
        conf = SparkConf()
        for k, v in settings.items():
            conf.set(k, v)
        ssc = StreamingContext(make_context(conf), batch)
        use_manual_clock(ssc)
        made.append(ssc)
        return ssc

    yield factory
    for ssc in made:
        ssc.stop(stopSparkContext=False)
