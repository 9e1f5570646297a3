"""The Kinesis receiver when things go wrong: the endpoint down at start (retried with
backoff and reported, then the data flows), the driver SIGKILLed with the write-ahead log
on (restarted with getOrCreate: every record exactly once in an idempotent sink), and
credentials through STS assume-role."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from kinesis_helpers import (
    WAIT,
    KinesisTestStreams,
    Run,
    lines,
    unique,
    wait_until,
)


def test_endpoint_down_at_start_is_retried_and_reported_then_data_flows(moto_own_service,
                                                                        kinesis_ctx):
    """moto keeps its streams in memory, so a restart mid-stream would lose the stream
    itself; what a test can show is the endpoint coming up after the receiver started."""
    moto = moto_own_service
    moto.process.stop()
    app, stream = unique("app"), unique("stream")
    run = Run(kinesis_ctx, moto.url, app, stream)
    try:
        assert wait_until(lambda: run.events.errors), "no ReceiverError"
        assert f"Kinesis stream {stream} at {moto.url}" in run.events.errors[0].lastErrorMessage
        moto.process.start()
        streams = KinesisTestStreams(moto.url)
        streams.client.create_stream(StreamName=stream, ShardCount=2)
        streams.put(stream, lines("late", 200), shards=2)
        run.wait(200)
    finally:
        got = run.stop()
    assert sorted(got) == sorted(b.decode() for b in lines("late", 200))


def test_assume_role_credentials(kinesis, kinesis_ctx):
    stream, app = kinesis.create(shards=1), unique("app")
    kinesis.put(stream, lines("sts", 20))
    run = Run(kinesis_ctx, kinesis.url, app, stream,
              stsAssumeRoleArn="arn:aws:iam::123456789012:role/reader",
              stsSessionName="sparklet-test", stsExternalId="ext-1")
    try:
        run.wait(20)
    finally:
        got = run.stop()
    assert sorted(got) == sorted(b.decode() for b in lines("sts", 20))


APP = Path(__file__).parent / "kinesis_app.py"


def test_sigkilled_driver_ends_with_every_record_once_in_the_sink(kinesis, tmp_path):
    stream, app = kinesis.create(shards=2), unique("app")
    records = lines("d", 2000)
    db, logs = tmp_path / "out.db", []

    def start() -> subprocess.Popen:
        logs.append(tmp_path / f"driver-{len(logs)}.log")
        with open(logs[-1], "w") as fh:
            return subprocess.Popen(
                [sys.executable, str(APP), "--checkpoint", str(tmp_path / "cp"), "--db",
                 str(db), "--endpoint", kinesis.url, "--stream", stream, "--app", app],
                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
                env=dict(os.environ, PYTHONUNBUFFERED="1"))

    def rows() -> list[str]:
        if not db.exists():
            return []
        try:
            with sqlite3.connect(db, timeout=30) as con:
                return [r[0] for r in con.execute("SELECT line FROM records")]
        except sqlite3.OperationalError:  # the table is not there yet
            return []

    def kill(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(WAIT)

    def log_text() -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in logs)

    kinesis.put(stream, records[:1000], shards=2)
    proc = start()
    try:
        assert wait_until(lambda: len(rows()) >= 300 or proc.poll() is not None), log_text()
        assert proc.poll() is None, log_text()
    finally:
        kill(proc)
    kinesis.put(stream, records[1000:], shards=2)
    expected = sorted(b.decode() for b in records)
    proc = start()
    try:
        assert wait_until(lambda: len(rows()) >= len(expected) or proc.poll() is not None,
                          WAIT * 2), (len(rows()), log_text())
    finally:
        kill(proc)
    assert sorted(rows()) == expected
    assert "STARTED" in logs[0].read_text() and "RECOVERED" in logs[1].read_text()
