"""RabbitMQ faults, on a broker of this module's own: the broker restarted mid-stream (the
receiver reconnects; durable queue, persistent messages: nothing lost with the write-ahead
log), the broker down when the stream starts (ReceiverError, retries, then data flows), and
the driver SIGKILLed with the log on (restarted through getOrCreate, an idempotent SQLite
sink holds every message exactly once)."""

from __future__ import annotations

from pathlib import Path

import pytest
from crash_helpers import CrashingDriver
from rabbitmq_helpers import WAL, Run, publish, unique
from receiver_helpers import WAIT, wait_until

from services import IN_CI, ServiceUnavailable, require_module, require_service, start_rabbitmq

APP = Path(__file__).parent / "rabbitmq_app.py"


@pytest.fixture(scope="module")
def broker():
    require_module("pika")
    try:
        service, server = start_rabbitmq()
    except ServiceUnavailable as e:
        require_service(False, str(e))
        raise AssertionError("unreachable") from e if IN_CI else None
    yield service
    server.stop()


def test_broker_restart_mid_stream_loses_nothing(make_context, broker, tmp_path):
    queue = unique("restart")
    first, second = [f"before {i}".encode() for i in range(2000)], \
        [f"after {i}".encode() for i in range(500)]
    publish(broker.url, first, queue=queue)
    run = Run(make_context, tmp_path, {"spark.streaming.receiver.maxRate": "1000", **WAL},
              url=broker.url, queueName=queue)
    try:
        assert wait_until(lambda: run.received() >= 200, WAIT), run.events.errors
        broker.process.stop()
        assert wait_until(lambda: any("Lost the connection to RabbitMQ" in e
                                      for e in run.events.errors), WAIT), run.events.errors
        broker.process.start()
        publish(broker.url, second, queue=queue)
        expected = {b.decode() for b in first + second}
        assert wait_until(lambda: run.received() >= len(expected), WAIT * 2), \
            (run.received(), run.events.errors)
        for _ in range(100):
            if set(run.records) >= expected:
                break
            run.drain(len(run.records) + 1)
    finally:
        run.stop()
        broker.process.start()
    assert set(run.records) == expected  # redelivered ones may repeat: at least once


def test_broker_down_at_start_is_reported_then_data_flows(make_context, broker):
    queue = unique("late")
    broker.process.stop()
    run = Run(make_context, url=broker.url, queueName=queue)
    try:
        assert wait_until(lambda: any("Cannot connect to RabbitMQ" in e
                                      for e in run.events.errors), WAIT), run.events.errors
        broker.process.start()
        publish(broker.url, [f"m{i}".encode() for i in range(100)], queue=queue)
        assert wait_until(lambda: run.received() >= 100, WAIT), run.events.errors
        run.drain(100)
    finally:
        run.stop()
        broker.process.start()
    assert sorted(run.records) == sorted(f"m{i}" for i in range(100))


def test_sigkilled_driver_loses_nothing_and_the_sink_holds_each_once(broker, tmp_path):
    queue = unique("kill")
    records = [f"m{i}" for i in range(2000)]
    publish(broker.url, [r.encode() for r in records[:1000]], queue=queue)
    driver = CrashingDriver(APP, tmp_path, ["--url", broker.url, "--queue", queue])
    got = driver.crash_and_recover(len(records), lambda: publish(
        broker.url, [r.encode() for r in records[1000:]], queue=queue))
    assert sorted(got) == sorted(records)  # the key makes a redelivery a no-op
