"""RabbitMQ faults, on a broker of this module's own: the broker restarted mid-stream (the
receiver reconnects; durable queue, persistent messages: nothing lost with the write-ahead
log), the broker down when the stream starts (ReceiverError, retries, then data flows), and
the driver SIGKILLed with the log on (restarted through getOrCreate, an idempotent SQLite
sink holds every message exactly once)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
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
    db, logs = tmp_path / "out.db", []
    publish(broker.url, [r.encode() for r in records[:1000]], queue=queue)

    def start() -> subprocess.Popen:
        logs.append(tmp_path / f"driver-{len(logs)}.log")
        with open(logs[-1], "w") as fh:
            return subprocess.Popen(
                [sys.executable, str(APP), "--checkpoint", str(tmp_path / "cp"), "--db",
                 str(db), "--url", broker.url, "--queue", queue], stdout=fh,
                stderr=subprocess.STDOUT, start_new_session=True,
                env=dict(os.environ, PYTHONUNBUFFERED="1"))

    def stored() -> list[str]:
        if not db.exists():
            return []
        try:
            with sqlite3.connect(db, timeout=30) as conn:
                return [r[0] for r in conn.execute("SELECT body FROM messages")]
        except sqlite3.OperationalError:  # the table is not made yet
            return []

    def kill(p: subprocess.Popen) -> None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(WAIT)

    def log_text() -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in logs)

    p = start()
    try:
        assert wait_until(lambda: len(stored()) >= 300 or p.poll() is not None), log_text()
        assert p.poll() is None, log_text()
    finally:
        kill(p)
    publish(broker.url, [r.encode() for r in records[1000:]], queue=queue)
    p = start()
    try:
        assert wait_until(lambda: len(stored()) >= len(records) or p.poll() is not None,
                          WAIT * 2), (len(stored()), log_text())
    finally:
        kill(p)
    assert sorted(stored()) == sorted(records)  # the key makes a redelivery a no-op
    assert "STARTED" in logs[0].read_text() and "RECOVERED" in logs[1].read_text()
